//! Shop pages: product list with search, product form with its stock ledger, groups in a
//! manual order, the stock count screen, stock export and printable labels.

use super::support::{ArchiveForm, Flash, OrPage, done, form_errors, parse_id};
use crate::auth::{Ctx, PageCtx};
use crate::error::{AppError, PageError};
use crate::state::AppState;
use crate::upload::{Kind, Upload};
use axum::Router;
use axum::routing::{get, post};
use guichet_app::files::Format;
use guichet_app::groups;
use guichet_app::shop::{self, MovementInput};

use crate::view::{Nav, Tr, render, render_status};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use guichet_app::groups::GroupKind;
use guichet_app::shop::{
    Movement, Product, ProductFilter, ProductGroup, ProductGroupId, ProductId,
};
use guichet_app::vat_rates::StoredVatRate;
use guichet_domain::shop::{MovementKind, ProductInput, format_cents};
use guichet_domain::{FieldErrors, VatRate};
use guichet_integrations::labels::barcode_svg;
use serde::Deserialize;

/// The routes of these pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/activity/shop/{id}/photo", post(set_photo))
        .route("/activity/shop/{id}/photo/delete", post(remove_photo))
        .route("/activity/shop", get(list))
        .route("/activity/shop/new", get(new).post(create))
        .route("/activity/shop/count", get(count).post(apply_count))
        .route("/activity/shop/export", get(export))
        .route("/activity/shop/labels", get(labels))
        .route("/activity/shop/{id}", get(edit).post(update))
        .route("/activity/shop/{id}/archive", post(archive))
        .route("/activity/shop/{id}/movements", post(add_movement))
}

const SHOP: &str = "/activity/shop";

fn status_for(errors: &FieldErrors) -> StatusCode {
    if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

fn percent(bp: u32) -> String {
    VatRate::from_basis_points(i64::from(bp))
        .map(|r| r.to_string())
        .unwrap_or_default()
}

/// Today in the organization's zone, for default export dates.
async fn today(state: &AppState, ctx: &Ctx) -> Result<jiff::civil::Date, PageError> {
    let tz = guichet_app::organization::time_zone(state, ctx.tenant)
        .await
        .or_page(ctx)?;
    let zone = jiff::tz::TimeZone::get(&tz).unwrap_or(jiff::tz::TimeZone::UTC);
    Ok(jiff::Timestamp::now().to_zoned(zone).date())
}

// ---------------------------------------------------------------- list

#[derive(Template)]
#[template(path = "shop.html")]
struct ShopPage {
    tr: Tr,
    nav: Nav,
    products: Vec<Product>,
    groups: Vec<ProductGroup>,
    q: String,
    group: String,
    include_archived: bool,
    low_count: usize,
    label_query: String,
    export_from: String,
    export_date: String,
}

impl ShopPage {
    fn percent(&self, bp: &u32) -> String {
        percent(*bp)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    q: String,
    group: String,
    include_archived: bool,
    low: bool,
    done: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(query): Query<ListQuery>,
) -> Result<Response, PageError> {
    let group = match query.group.trim() {
        "" => None,
        g => Some(parse_id::<ProductGroupId>(g, &ctx)?),
    };
    let search = Some(query.q.trim().to_owned()).filter(|q| !q.is_empty());
    let filter = ProductFilter {
        search,
        group,
        include_archived: query.include_archived,
    };
    let mut products = shop::products(&state, &ctx, filter).await.or_page(&ctx)?;
    let all = shop::products(&state, &ctx, ProductFilter::default())
        .await
        .or_page(&ctx)?;
    let low_count = all.iter().filter(|p| p.is_low()).count();
    if query.low {
        products.retain(Product::is_low);
    }
    let ids: Vec<String> = products
        .iter()
        .filter(|p| !p.archived)
        .map(|p| p.id.to_string())
        .collect();
    let today = today(&state, &ctx).await?;
    Ok(render(&ShopPage {
        tr: Tr(ctx.lang),
        nav: Nav::new(&ctx, SHOP, query.done.as_deref()),
        groups: groups::list(&state, &ctx, GroupKind::Product)
            .await
            .or_page(&ctx)?,
        products,
        q: query.q,
        group: query.group,
        include_archived: query.include_archived,
        low_count,
        label_query: if ids.is_empty() {
            String::new()
        } else {
            format!("?ids={}", ids.join(","))
        },
        export_from: format!("{}-01-01", today.year()),
        export_date: today.to_string(),
    }))
}

// ---------------------------------------------------------------- product form

#[derive(Template)]
#[template(path = "product_form.html")]
struct ProductPage {
    tr: Tr,
    nav: Nav,
    title: &'static str,
    form: ProductInput,
    errors: FieldErrors,
    vat_rates: Vec<StoredVatRate>,
    groups: Vec<ProductGroup>,
    product: Option<Product>,
    movements: Vec<Movement>,
    movement: MovementInput,
    movement_errors: FieldErrors,
    time_zone: String,
    photo_errors: FieldErrors,
}

impl ProductPage {
    fn movement_label(&self, kind: &MovementKind) -> &'static str {
        match kind {
            MovementKind::Initial => "movement-initial",
            MovementKind::Restock => "movement-restock",
            MovementKind::Withdrawal => "movement-withdrawal",
            MovementKind::Sale => "movement-sale",
            MovementKind::Return => "movement-return",
            MovementKind::CountAdjustment => "movement-count-adjustment",
            MovementKind::SetAside => "movement-set-aside",
            MovementKind::Released => "movement-released",
        }
    }
}

struct ProductView {
    form: ProductInput,
    errors: FieldErrors,
    movement: MovementInput,
    movement_errors: FieldErrors,
    photo_errors: FieldErrors,
}

async fn product_page(
    state: &AppState,
    ctx: &Ctx,
    product: Option<Product>,
    view: ProductView,
    flash: Option<&str>,
) -> Result<Response, PageError> {
    let vat_rates = guichet_app::vat_rates::vat_rates(state, ctx)
        .await
        .or_page(ctx)?
        .into_iter()
        .filter(|r| !r.archived)
        .collect();
    let groups = groups::list(state, ctx, GroupKind::Product)
        .await
        .or_page(ctx)?;
    let movements = match &product {
        Some(p) => shop::movements(state, ctx, p.id).await.or_page(ctx)?,
        None => Vec::new(),
    };
    let status = if view.errors.is_empty()
        && view.movement_errors.is_empty()
        && view.photo_errors.is_empty()
    {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render_status(
        status,
        &ProductPage {
            tr: Tr(ctx.lang),
            nav: Nav::new(ctx, SHOP, flash),
            title: if product.is_some() {
                "product-edit"
            } else {
                "action-new-product"
            },
            form: view.form,
            errors: view.errors,
            vat_rates,
            groups,
            product,
            movements,
            movement: view.movement,
            movement_errors: view.movement_errors,
            time_zone: guichet_app::organization::time_zone(state, ctx.tenant)
                .await
                .or_page(ctx)?,
            photo_errors: view.photo_errors,
        },
    ))
}

fn form_of(p: &Product) -> ProductInput {
    ProductInput {
        name: p.name.clone(),
        reference: p.reference.clone().unwrap_or_default(),
        barcode: p.barcode.clone(),
        price: format_cents(p.price_cents),
        vat_rate_id: p.vat_rate_id.to_string(),
        group_id: p.group_id.map(|g| g.to_string()).unwrap_or_default(),
        sale_pos: p.sale_pos,
        sale_online: p.sale_online,
        alert_stock: p.alert_stock.map(|a| a.to_string()).unwrap_or_default(),
        stock_managed: p.stock_managed,
        non_discountable: !p.discountable,
        initial_stock: String::new(),
    }
}

fn fresh_movement() -> MovementInput {
    MovementInput {
        kind: "restock".into(),
        ..Default::default()
    }
}

pub async fn new(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
) -> Result<Response, PageError> {
    let rates = guichet_app::vat_rates::vat_rates(&state, &ctx)
        .await
        .or_page(&ctx)?;
    // The usual rate for goods: the highest active one (21 % in Belgium).
    let default_vat = rates
        .iter()
        .filter(|r| !r.archived)
        .max_by_key(|r| r.rate_basis_points)
        .map(|r| r.id.to_string());
    let form = ProductInput {
        vat_rate_id: default_vat.unwrap_or_default(),
        sale_pos: true,
        stock_managed: true,
        ..Default::default()
    };
    let view = ProductView {
        form,
        errors: FieldErrors::new(),
        movement: fresh_movement(),
        movement_errors: FieldErrors::new(),
        photo_errors: FieldErrors::new(),
    };
    product_page(&state, &ctx, None, view, None).await
}

pub async fn create(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Form(form): Form<ProductInput>,
) -> Result<Response, PageError> {
    match shop::create_product(&state, &ctx, &form).await {
        Ok(p) => Ok(done(&format!("{SHOP}/{}", p.id), "product-saved")),
        Err(e) => {
            let errors = form_errors(e, &ctx)?;
            let view = ProductView {
                form,
                errors,
                movement: fresh_movement(),
                movement_errors: FieldErrors::new(),
                photo_errors: FieldErrors::new(),
            };
            product_page(&state, &ctx, None, view, None).await
        }
    }
}

pub async fn edit(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<String>,
    Query(flash): Query<Flash>,
) -> Result<Response, PageError> {
    let p = shop::product(&state, &ctx, parse_id(&id, &ctx)?)
        .await
        .or_page(&ctx)?;
    let view = ProductView {
        form: form_of(&p),
        errors: FieldErrors::new(),
        movement: fresh_movement(),
        movement_errors: FieldErrors::new(),
        photo_errors: FieldErrors::new(),
    };
    product_page(&state, &ctx, Some(p), view, flash.key()).await
}

pub async fn update(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<String>,
    Form(form): Form<ProductInput>,
) -> Result<Response, PageError> {
    let id: ProductId = parse_id(&id, &ctx)?;
    match shop::update_product(&state, &ctx, id, &form).await {
        Ok(_) => Ok(done(&format!("{SHOP}/{id}"), "saved")),
        Err(e) => {
            let errors = form_errors(e, &ctx)?;
            let p = shop::product(&state, &ctx, id).await.or_page(&ctx)?;
            let view = ProductView {
                form,
                errors,
                movement: fresh_movement(),
                movement_errors: FieldErrors::new(),
                photo_errors: FieldErrors::new(),
            };
            product_page(&state, &ctx, Some(p), view, None).await
        }
    }
}

pub async fn archive(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<String>,
    Form(form): Form<ArchiveForm>,
) -> Result<Response, PageError> {
    let id: ProductId = parse_id(&id, &ctx)?;
    shop::archive_product(&state, &ctx, id, form.archived())
        .await
        .or_page(&ctx)?;
    Ok(done(
        &format!("{SHOP}/{id}"),
        if form.archived() {
            "archived"
        } else {
            "restored"
        },
    ))
}

pub async fn add_movement(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<String>,
    Form(movement): Form<MovementInput>,
) -> Result<Response, PageError> {
    let id: ProductId = parse_id(&id, &ctx)?;
    match shop::add_movement(&state, &ctx, id, &movement).await {
        Ok(_) => Ok(done(&format!("{SHOP}/{id}"), "movement-recorded")),
        Err(e) => {
            let movement_errors = form_errors(e, &ctx)?;
            let p = shop::product(&state, &ctx, id).await.or_page(&ctx)?;
            let view = ProductView {
                form: form_of(&p),
                errors: FieldErrors::new(),
                movement,
                movement_errors,
                photo_errors: FieldErrors::new(),
            };
            product_page(&state, &ctx, Some(p), view, None).await
        }
    }
}

// ---------------------------------------------------------------- stock count

#[derive(Template)]
#[template(path = "stock_count.html")]
struct CountPage {
    tr: Tr,
    nav: Nav,
    products: Vec<Product>,
    typed: Vec<(String, String)>,
    errors: FieldErrors,
}

impl CountPage {
    fn typed(&self, id: &ProductId) -> String {
        let field = format!("count-{id}");
        self.typed
            .iter()
            .find(|(k, _)| *k == field)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    fn line_error(&self, id: &ProductId) -> Option<String> {
        self.tr.field_error(&self.errors, &format!("count-{id}"))
    }
}

async fn count_page(
    state: &AppState,
    ctx: &Ctx,
    flash: Option<&str>,
    typed: Vec<(String, String)>,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let products = shop::products(state, ctx, ProductFilter::default())
        .await
        .or_page(ctx)?
        .into_iter()
        .filter(|p| p.stock_managed)
        .collect();
    Ok(render_status(
        status_for(&errors),
        &CountPage {
            tr: Tr(ctx.lang),
            nav: Nav::new(ctx, SHOP, flash),
            products,
            typed,
            errors,
        },
    ))
}

pub async fn count(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(flash): Query<Flash>,
) -> Result<Response, PageError> {
    count_page(&state, &ctx, flash.key(), Vec::new(), FieldErrors::new()).await
}

pub async fn apply_count(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let lines: Vec<(String, String)> = fields
        .iter()
        .filter_map(|(k, v)| {
            k.strip_prefix("count-")
                .map(|id| (id.to_owned(), v.clone()))
        })
        .collect();
    match shop::apply_count(&state, &ctx, &lines).await {
        Ok(_) => Ok(done(SHOP, "count-applied")),
        Err(e) => {
            let errors = form_errors(e, &ctx)?;
            count_page(&state, &ctx, None, fields, errors).await
        }
    }
}

// ---------------------------------------------------------------- export and labels

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ExportQuery {
    from: String,
    date: String,
    format: String,
}

/// The stock at a date as CSV or XLSX: the seeds' columns (product, initial stock, stock at
/// the date, restocks) plus group, barcode and sales over the period.
pub async fn export(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(q): Query<ExportQuery>,
) -> Result<Response, PageError> {
    match shop::export_stock(&state, &ctx, &q.from, &q.date, Format::parse(&q.format)).await {
        Ok(file) => Ok(crate::download::file(file)),
        Err(AppError::Invalid(_)) => {
            Err(PageError(AppError::Invalid(FieldErrors::new()), ctx.lang))
        }
        Err(e) => Err(PageError(e, ctx.lang)),
    }
}

pub struct Label {
    name: String,
    price: String,
    code: String,
    svg: String,
}

#[derive(Template)]
#[template(path = "labels.html")]
struct LabelsPage {
    tr: Tr,
    labels: Vec<Label>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LabelQuery {
    /// Comma-separated product ids; all active products when empty.
    ids: String,
    /// Labels per product (1 to 100).
    copies: Option<u32>,
}

/// A printable A4 sheet of shelf labels: name, price and the product's barcode.
pub async fn labels(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(q): Query<LabelQuery>,
) -> Result<Response, PageError> {
    let all = shop::products(&state, &ctx, ProductFilter::default())
        .await
        .or_page(&ctx)?;
    let wanted: Vec<&str> = q
        .ids
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    let chosen: Vec<Product> = if wanted.is_empty() {
        all
    } else {
        all.into_iter()
            .filter(|p| wanted.contains(&p.id.to_string().as_str()))
            .collect()
    };
    let copies = q.copies.unwrap_or(1).clamp(1, 100);
    let mut labels = Vec::new();
    for p in chosen {
        let svg = barcode_svg(&p.barcode, p.symbology, 60)
            .map_err(|e| PageError(AppError::Internal(e), ctx.lang))?;
        for _ in 0..copies {
            labels.push(Label {
                name: p.name.clone(),
                price: Tr(ctx.lang).money(&p.price_cents),
                code: p.barcode.clone(),
                svg: svg.clone(),
            });
        }
    }
    Ok(render(&LabelsPage {
        tr: Tr(ctx.lang),
        labels,
    }))
}

pub async fn set_photo(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<String>,
    multipart: axum::extract::Multipart,
) -> Result<Response, PageError> {
    let id: ProductId = parse_id(&id, &ctx)?;
    let result = match Upload::read(multipart, Kind::Image).await {
        Ok(upload) => shop::set_photo(&state, &ctx, id, upload.file)
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(done(&format!("{SHOP}/{id}"), "photo-added")),
        Err(e) => {
            let photo_errors = form_errors(e, &ctx)?;
            let p = shop::product(&state, &ctx, id).await.or_page(&ctx)?;
            let view = ProductView {
                form: form_of(&p),
                errors: FieldErrors::new(),
                movement: fresh_movement(),
                movement_errors: FieldErrors::new(),
                photo_errors,
            };
            product_page(&state, &ctx, Some(p), view, None).await
        }
    }
}

pub async fn remove_photo(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id: ProductId = parse_id(&id, &ctx)?;
    shop::remove_photo(&state, &ctx, id).await.or_page(&ctx)?;
    Ok(done(&format!("{SHOP}/{id}"), "deleted"))
}
