//! Shop use cases: product groups, products, stock movements, counts and the stock report.

pub use guichet_store::shop::{
    Movement, Product, ProductFilter, ProductGroup, ProductGroupId, ProductId, StockLine,
};

use crate::Actor;
use crate::App;
use crate::AppError;
use crate::paging::{self, Page};
use guichet_domain::shop::{MovementKind, ProductInput, parse_quantity};
use guichet_domain::validation::FieldErrors;
use guichet_domain::{Permission, VatRateId, text};
use guichet_store::StoreError;
use guichet_store::shop::{self};
use serde::Deserialize;

/// Store refusals about a referenced row, reported against the field that names it.
fn reference_refusal(e: StoreError) -> AppError {
    match e {
        StoreError::Refused("unknown_vat_rate") => {
            AppError::field("vat_rate_id", "unknown_vat_rate")
        }
        StoreError::Refused("unknown_group") => AppError::field("group_id", "unknown_group"),
        StoreError::Refused("stock_not_managed") => {
            AppError::field("quantity", "stock_not_managed")
        }
        other => other.into(),
    }
}

// ---------------------------------------------------------------- products

pub async fn products(
    state: &App,
    actor: &Actor,
    filter: ProductFilter,
) -> Result<Vec<Product>, AppError> {
    actor.require(Permission::ManageCatalogue)?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .read(|tx| {
            let filter = filter.clone();
            Box::pin(async move { shop::products(tx, tenant, &filter).await })
        })
        .await?)
}

pub async fn product(state: &App, actor: &Actor, id: ProductId) -> Result<Product, AppError> {
    actor.require(Permission::ManageCatalogue)?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .read(|tx| Box::pin(async move { shop::product(tx, tenant, id).await }))
        .await?)
}

pub async fn product_by_barcode(
    state: &App,
    actor: &Actor,
    code: &str,
) -> Result<Product, AppError> {
    actor.require(Permission::ManageCatalogue)?;
    let tenant = actor.tenant;
    let code = code.to_owned();
    state
        .store
        .read(|tx| {
            let code = code.clone();
            Box::pin(async move { shop::find_by_barcode(tx, tenant, &code).await })
        })
        .await?
        .ok_or(AppError::NotFound)
}

/// Parses the ids of a product form, adding their errors to the form's.
fn parse_refs(
    input: &ProductInput,
    e: &mut FieldErrors,
) -> (Option<VatRateId>, Option<Option<ProductGroupId>>) {
    let vat = match input.vat_rate_id.trim().parse::<VatRateId>() {
        Ok(v) => Some(v),
        Err(_) => {
            e.add("vat_rate_id", "unknown_vat_rate");
            None
        }
    };
    let group = if input.group_id.trim().is_empty() {
        Some(None)
    } else {
        match input.group_id.trim().parse::<ProductGroupId>() {
            Ok(g) => Some(Some(g)),
            Err(_) => {
                e.add("group_id", "unknown_group");
                None
            }
        }
    };
    (vat, group)
}

pub async fn create_product(
    state: &App,
    actor: &Actor,
    input: &ProductInput,
) -> Result<Product, AppError> {
    actor.require(Permission::ManageCatalogue)?;
    let parsed = input.parse();
    let mut e = parsed.as_ref().err().cloned().unwrap_or_default();
    let (vat, group) = parse_refs(input, &mut e);
    let (Ok((details, initial)), Some(vat), Some(group)) = (parsed, vat, group) else {
        return Err(AppError::Invalid(e));
    };
    e.into_result()?;
    let (tenant, by) = (actor.tenant, actor.user_id());
    state
        .store
        .write(|tx| {
            let details = details.clone();
            Box::pin(async move {
                shop::create_product(tx, tenant, &details, vat, group, initial, by).await
            })
        })
        .await
        .map_err(reference_refusal)
}

pub async fn update_product(
    state: &App,
    actor: &Actor,
    id: ProductId,
    input: &ProductInput,
) -> Result<Product, AppError> {
    actor.require(Permission::ManageCatalogue)?;
    let parsed = input.parse();
    let mut e = parsed.as_ref().err().cloned().unwrap_or_default();
    let (vat, group) = parse_refs(input, &mut e);
    let (Ok((details, _)), Some(vat), Some(group)) = (parsed, vat, group) else {
        return Err(AppError::Invalid(e));
    };
    e.into_result()?;
    let tenant = actor.tenant;
    state
        .store
        .write(|tx| {
            let details = details.clone();
            Box::pin(
                async move { shop::update_product(tx, tenant, id, &details, vat, group).await },
            )
        })
        .await
        .map_err(reference_refusal)
}

pub async fn archive_product(
    state: &App,
    actor: &Actor,
    id: ProductId,
    archived: bool,
) -> Result<Product, AppError> {
    actor.require(Permission::ManageCatalogue)?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .write(|tx| {
            Box::pin(async move { shop::set_product_archived(tx, tenant, id, archived).await })
        })
        .await?)
}

// ---------------------------------------------------------------- stock

/// A stock movement entered by hand.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct MovementInput {
    /// `restock`, `withdrawal` or `return`.
    pub kind: String,
    /// A positive whole number; the kind gives the direction.
    pub quantity: String,
    pub reason: String,
}

/// The product's latest 200 movements, newest first (its page in the back office).
pub async fn movements(
    state: &App,
    actor: &Actor,
    id: ProductId,
) -> Result<Vec<Movement>, AppError> {
    Ok(movements_page(state, actor, id, None, Some(200))
        .await?
        .items)
}

/// A page of the product's movements, newest first (the API's list); the cursor is the
/// instant and id of the previous page's last movement.
pub async fn movements_page(
    state: &App,
    actor: &Actor,
    id: ProductId,
    after: Option<&str>,
    limit: Option<u32>,
) -> Result<Page<Movement>, AppError> {
    actor.require(Permission::ManageCatalogue)?;
    let limit = paging::limit(limit)?;
    let before = after.map(parse_movement_cursor).transpose()?;
    let tenant = actor.tenant;
    let rows = state
        .store
        .read(|tx| {
            Box::pin(async move {
                shop::product(tx, tenant, id).await?;
                shop::movements(tx, tenant, id, before, limit as i64 + 1).await
            })
        })
        .await?;
    Ok(paging::page(rows, limit, |m| {
        format!("{}.{}", m.occurred_at, m.id.simple())
    }))
}

fn parse_movement_cursor(raw: &str) -> Result<(i64, uuid::Uuid), AppError> {
    let (at, id) = raw.split_once('.').ok_or_else(paging::bad_cursor)?;
    Ok((
        at.parse().map_err(|_| paging::bad_cursor())?,
        id.parse().map_err(|_| paging::bad_cursor())?,
    ))
}

pub async fn add_movement(
    state: &App,
    actor: &Actor,
    id: ProductId,
    input: &MovementInput,
) -> Result<Product, AppError> {
    actor.require(Permission::ManageCatalogue)?;
    let mut e = FieldErrors::new();
    let kind = match MovementKind::parse(&input.kind) {
        Some(k) if k.manual() => Some(k),
        _ => {
            e.add("kind", "unknown_value");
            None
        }
    };
    let quantity = match e.check("quantity", parse_quantity(&input.quantity, false)) {
        Some(0) => {
            e.add("quantity", "zero_quantity");
            None
        }
        q => q,
    };
    let reason = e.check("reason", text::optional(&input.reason, 200));
    e.into_result()?;
    let (Some(kind), Some(quantity), Some(reason)) = (kind, quantity, reason) else {
        return Err(AppError::Internal("validated input missing".into()));
    };
    let (tenant, by) = (actor.tenant, actor.user_id());
    state
        .store
        .write(|tx| {
            let reason = reason.clone();
            Box::pin(async move {
                shop::add_movement(tx, tenant, id, kind, quantity, reason.as_deref(), by).await
            })
        })
        .await
        .map_err(reference_refusal)
}

/// Applies a stock count: `(product, counted)` pairs as typed. Every line is checked
/// before anything is written; a bad line is reported by its product id.
pub async fn apply_count(
    state: &App,
    actor: &Actor,
    lines: &[(String, String)],
) -> Result<usize, AppError> {
    actor.require(Permission::ManageCatalogue)?;
    let mut e = FieldErrors::new();
    let mut counted = Vec::new();
    for (product, count) in lines {
        if count.trim().is_empty() {
            continue;
        }
        let field = format!("count-{product}");
        let id = product.parse::<ProductId>();
        let n = e.check(&field, parse_quantity(count, false));
        match (id, n) {
            (Ok(id), Some(n)) => counted.push((id, n)),
            (Err(_), _) => e.add(&field, "unknown_product"),
            _ => {}
        }
    }
    e.into_result()?;
    let (tenant, by) = (actor.tenant, actor.user_id());
    Ok(state
        .store
        .write(|tx| {
            let counted = counted.clone();
            Box::pin(async move { shop::apply_count(tx, tenant, &counted, by).await })
        })
        .await?)
}

/// The stock report at the end of civil day `date` in the organization's time zone, with
/// restocks and sales from the start of day `from`.
pub async fn stock_report(
    state: &App,
    actor: &Actor,
    from: &str,
    date: &str,
) -> Result<(jiff::civil::Date, jiff::civil::Date, Vec<StockLine>), AppError> {
    actor.require(Permission::ManageCatalogue)?;
    let tz_name = crate::organization::time_zone(state, actor.tenant).await?;
    let tz = jiff::tz::TimeZone::get(&tz_name).map_err(|e| AppError::Internal(e.to_string()))?;
    let mut e = FieldErrors::new();
    let date_d = e.check(
        "date",
        date.trim()
            .parse::<jiff::civil::Date>()
            .map_err(|_| DateError),
    );
    let from_d = e.check(
        "from",
        from.trim()
            .parse::<jiff::civil::Date>()
            .map_err(|_| DateError),
    );
    if let (Some(f), Some(d)) = (from_d, date_d)
        && f > d
    {
        e.add("from", "from_after_date");
    }
    e.into_result()?;
    let (Some(from_d), Some(date_d)) = (from_d, date_d) else {
        return Err(AppError::Internal("validated input missing".into()));
    };
    let start = |d: jiff::civil::Date| -> Result<i64, AppError> {
        d.to_zoned(tz.clone())
            .map(|z| z.timestamp().as_microsecond())
            .map_err(|e| AppError::Internal(e.to_string()))
    };
    let from_us = start(from_d)?;
    let next_day = date_d
        .tomorrow()
        .map_err(|_| AppError::field("date", "out_of_range"))?;
    let until_us = start(next_day)?;
    let tenant = actor.tenant;
    let lines = state
        .store
        .read(|tx| Box::pin(async move { shop::stock_report(tx, tenant, from_us, until_us).await }))
        .await?;
    Ok((from_d, date_d, lines))
}

#[derive(Debug, Clone, Copy)]
pub struct DateError;

impl guichet_domain::validation::ErrorCode for DateError {
    fn code(&self) -> &'static str {
        "invalid_date"
    }
}

/// Sets a product's photo: a JPEG, PNG or WebP picture of at most 5 MB.
pub async fn set_photo(
    state: &App,
    actor: &Actor,
    id: ProductId,
    bytes: Vec<u8>,
) -> Result<Product, AppError> {
    actor.require(Permission::ManageCatalogue)?;
    let picture = crate::pictures::picture_field(bytes).await?;
    let tenant = actor.tenant;
    let picture = std::sync::Arc::new(picture);
    Ok(state
        .store
        .write(|tx| {
            let p = picture.clone();
            Box::pin(
                async move { shop::set_photo(tx, tenant, id, p.mime, &p.data, &p.thumbnail).await },
            )
        })
        .await?)
}

pub async fn remove_photo(state: &App, actor: &Actor, id: ProductId) -> Result<Product, AppError> {
    actor.require(Permission::ManageCatalogue)?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .write(|tx| Box::pin(async move { shop::remove_photo(tx, tenant, id).await }))
        .await?)
}

/// The stock at a date as CSV or XLSX: the seeds' columns (product, initial stock, stock at
/// the date, restocks) plus group, barcode and sales over the period.
pub async fn export_stock(
    state: &App,
    actor: &Actor,
    from: &str,
    date: &str,
    format: crate::files::Format,
) -> Result<crate::files::File, AppError> {
    use guichet_integrations::exports::{Cell, Table};
    let (from, date, lines) = stock_report(state, actor, from, date).await?;
    let tr = guichet_integrations::i18n::Tr(actor.lang);
    let table = Table {
        headers: [
            "export-product",
            "label-group",
            "label-barcode",
            "export-initial-stock",
            "export-stock-at-date",
            "export-restocks",
            "export-sales",
        ]
        .iter()
        .map(|k| tr.t(k))
        .collect(),
        rows: lines
            .into_iter()
            .map(|l| {
                vec![
                    Cell::Text(l.name),
                    Cell::Text(l.group.unwrap_or_default()),
                    Cell::Text(l.barcode),
                    Cell::Int(l.initial_stock),
                    Cell::Int(l.stock),
                    Cell::Int(l.restocks),
                    Cell::Int(l.sales),
                ]
            })
            .collect(),
    };
    crate::files::table_file(
        &table,
        format,
        actor.lang,
        "Stock",
        &format!("stock-{date}-depuis-{from}"),
    )
}
