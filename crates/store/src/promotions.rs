//! Promotions and promo codes, with the offers, ticket types, extras and products they
//! apply to (join tables). Both are archived, never deleted (orders will refer to them).
//!
//! A code's uses are counted with one conditional UPDATE ([`redeem`]) inside the sale's
//! transaction, so concurrent sales never use a limited code more often than allowed.

use crate::items::{self, ItemId};
use crate::offers::{self, OfferId};
use crate::{Result, StoreError, Tenant, Tx, now_micros, on_tx, shop};
use guichet_domain::catalogue::ItemKind;
use guichet_domain::order::Reduction;
use guichet_domain::promotion::{
    DateRange, Day, PromoCodeDetails, PromotionDetails, PromotionModel, normalize_code,
};
use guichet_domain::{ProductId, PromoCodeId, PromotionId};
use uuid::Uuid;

pub use guichet_domain::promotion::{PromoCode, Promotion};

fn reduction_parts(r: Reduction) -> (&'static str, i64) {
    match r {
        Reduction::PercentBp(bp) => ("percent", i64::from(bp)),
        Reduction::AmountCents(c) => ("amount", c),
    }
}

fn reduction(kind: &str, value: i64) -> Reduction {
    match kind {
        "percent" => Reduction::PercentBp(u32::try_from(value).unwrap_or(0)),
        _ => Reduction::AmountCents(value),
    }
}

fn date(s: Option<String>) -> Option<jiff::civil::Date> {
    s.and_then(|s| s.parse().ok())
}

fn range(from: Option<String>, to: Option<String>) -> DateRange {
    DateRange {
        from: date(from),
        to: date(to),
    }
}

fn text(d: Option<jiff::civil::Date>) -> Option<String> {
    d.map(|d| d.to_string())
}

async fn ids_of(tx: &mut Tx, tenant: Tenant, sql: &'static str, owner: Uuid) -> Result<Vec<Uuid>> {
    let rows: Vec<(Uuid,)> = on_tx!(tx, c => sqlx::query_as(sql)
        .bind(tenant.id().0)
        .bind(owner)
        .fetch_all(c)
        .await?);
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Offers must be the tenant's and not archived.
async fn check_offers(tx: &mut Tx, tenant: Tenant, ids: &[OfferId]) -> Result<()> {
    for id in ids {
        match offers::get(tx, tenant, *id).await {
            Ok(o) if !o.archived => {}
            Ok(_) | Err(StoreError::NotFound) => {
                return Err(StoreError::Invalid("offer_ids".into(), "unknown_offer"));
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

// ---------------------------------------------------------------- promotions

#[derive(sqlx::FromRow)]
struct PromotionRow {
    id: Uuid,
    name: String,
    description: Option<String>,
    discount_kind: String,
    discount_value: i64,
    model: String,
    model_days: Option<i32>,
    valid_from: Option<String>,
    valid_to: Option<String>,
    published_from: Option<String>,
    published_to: Option<String>,
    weekdays: String,
    archived_at: Option<i64>,
}

const PROMOTION_SELECT: &str =
    "SELECT id, name, description, discount_kind, discount_value, model, model_days,
    valid_from, valid_to, published_from, published_to, weekdays, archived_at
    FROM promotions WHERE organization_id = $1";

async fn promotion(tx: &mut Tx, tenant: Tenant, r: PromotionRow) -> Result<Promotion> {
    let offer_ids = ids_of(
        tx,
        tenant,
        "SELECT offer_id FROM promotion_offers WHERE organization_id = $1 AND promotion_id = $2 ORDER BY offer_id",
        r.id,
    )
    .await?;
    Ok(promotion_of(r, offer_ids))
}

fn promotion_of(r: PromotionRow, offer_ids: Vec<Uuid>) -> Promotion {
    let details = PromotionDetails {
        name: r.name,
        description: r.description,
        reduction: reduction(&r.discount_kind, r.discount_value),
        model: PromotionModel::from_parts(&r.model, r.model_days.map(i64::from)),
        valid: range(r.valid_from, r.valid_to),
        published: range(r.published_from, r.published_to),
        weekdays: Day::list_from_str(&r.weekdays),
        offer_ids: offer_ids.into_iter().map(OfferId).collect(),
    };
    Promotion::from_details(PromotionId(r.id), details, r.archived_at.is_some())
}

/// Promotions with their offers, read in two statements whatever their number (a sale
/// reads them all: one query per promotion would grow with the catalogue).
async fn with_offers(
    tx: &mut Tx,
    tenant: Tenant,
    rows: Vec<PromotionRow>,
) -> Result<Vec<Promotion>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let links: Vec<(Uuid, Uuid)> = on_tx!(tx, c => sqlx::query_as(LINKS)
        .bind(tenant.id().0)
        .fetch_all(c)
        .await?);
    Ok(linked(rows, links))
}

const LINKS: &str = "SELECT promotion_id, offer_id FROM promotion_offers WHERE organization_id = $1
     ORDER BY promotion_id, offer_id";

/// The promotions with the offers each applies to (`links`: promotion, offer).
fn linked(rows: Vec<PromotionRow>, links: Vec<(Uuid, Uuid)>) -> Vec<Promotion> {
    let mut offers: std::collections::HashMap<Uuid, Vec<Uuid>> = std::collections::HashMap::new();
    for (promotion, offer) in links {
        offers.entry(promotion).or_default().push(offer);
    }
    rows.into_iter()
        .map(|r| {
            let ids = offers.remove(&r.id).unwrap_or_default();
            promotion_of(r, ids)
        })
        .collect()
}

/// Every promotion, active ones first.
pub async fn list_promotions(tx: &mut Tx, tenant: Tenant) -> Result<Vec<Promotion>> {
    let sql = format!("{PROMOTION_SELECT} ORDER BY archived_at IS NOT NULL, name, id");
    let rows: Vec<PromotionRow> = on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(tenant.id().0)
        .fetch_all(c)
        .await?);
    with_offers(tx, tenant, rows).await
}

/// The promotions that may apply to a sale (not archived); the caller decides with
/// [`Promotion::applies`].
pub async fn active_promotions(tx: &mut Tx, tenant: Tenant) -> Result<Vec<Promotion>> {
    let sql = format!("{PROMOTION_SELECT} AND archived_at IS NULL ORDER BY name, id");
    let rows: Vec<PromotionRow> = on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(tenant.id().0)
        .fetch_all(c)
        .await?);
    with_offers(tx, tenant, rows).await
}

/// [`active_promotions`] pushed into a batch of reads (`orders::sale_reads`): the promotions
/// and their offers; [`got_active`] reads them.
pub(crate) fn push_active(batch: &mut crate::batch::Batch, tenant: Tenant) -> (usize, usize) {
    let org = tenant.id().0;
    (
        batch.push_rows(
            format!("{PROMOTION_SELECT} AND archived_at IS NULL ORDER BY name, id"),
            vec![org.into()],
        ),
        batch.push_rows(LINKS, vec![org.into()]),
    )
}

pub(crate) fn got_active(
    ran: &crate::batch::Ran,
    (rows, links): (usize, usize),
) -> Result<Vec<Promotion>> {
    Ok(linked(ran.rows(rows)?, ran.rows(links)?))
}

pub async fn get_promotion(tx: &mut Tx, tenant: Tenant, id: PromotionId) -> Result<Promotion> {
    let sql = format!("{PROMOTION_SELECT} AND id = $2");
    let row: Option<PromotionRow> = on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(tenant.id().0)
        .bind(id.0)
        .fetch_optional(c)
        .await?);
    match row {
        Some(r) => promotion(tx, tenant, r).await,
        None => Err(StoreError::NotFound),
    }
}

async fn write_promotion_offers(
    tx: &mut Tx,
    tenant: Tenant,
    id: PromotionId,
    offers: &[OfferId],
) -> Result<()> {
    on_tx!(tx, c => sqlx::query("DELETE FROM promotion_offers WHERE organization_id = $1 AND promotion_id = $2")
        .bind(tenant.id().0)
        .bind(id.0)
        .execute(c)
        .await?
        .rows_affected());
    for offer in offers {
        on_tx!(tx, c => sqlx::query(
            "INSERT INTO promotion_offers (id, organization_id, promotion_id, offer_id) VALUES ($1, $2, $3, $4)")
            .bind(Uuid::now_v7())
            .bind(tenant.id().0)
            .bind(id.0)
            .bind(offer.0)
            .execute(c)
            .await?
            .rows_affected());
    }
    Ok(())
}

pub async fn create_promotion(
    tx: &mut Tx,
    tenant: Tenant,
    d: &PromotionDetails,
) -> Result<Promotion> {
    check_offers(tx, tenant, &d.offer_ids).await?;
    let id = PromotionId(Uuid::now_v7());
    let (kind, value) = reduction_parts(d.reduction);
    let days = d.model.days().and_then(|n| i32::try_from(n).ok());
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO promotions (id, organization_id, name, description, discount_kind, discount_value, model, model_days,
         valid_from, valid_to, published_from, published_to, weekdays, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)")
        .bind(id.0)
        .bind(tenant.id().0)
        .bind(&d.name)
        .bind(&d.description)
        .bind(kind)
        .bind(value)
        .bind(d.model.as_str())
        .bind(days)
        .bind(text(d.valid.from))
        .bind(text(d.valid.to))
        .bind(text(d.published.from))
        .bind(text(d.published.to))
        .bind(Day::list_to_string(&d.weekdays))
        .bind(now_micros())
        .execute(c)
        .await?
        .rows_affected());
    write_promotion_offers(tx, tenant, id, &d.offer_ids).await?;
    get_promotion(tx, tenant, id).await
}

pub async fn update_promotion(
    tx: &mut Tx,
    tenant: Tenant,
    id: PromotionId,
    d: &PromotionDetails,
) -> Result<Promotion> {
    get_promotion(tx, tenant, id).await?;
    check_offers(tx, tenant, &d.offer_ids).await?;
    let (kind, value) = reduction_parts(d.reduction);
    let days = d.model.days().and_then(|n| i32::try_from(n).ok());
    on_tx!(tx, c => sqlx::query(
        "UPDATE promotions SET name = $3, description = $4, discount_kind = $5, discount_value = $6, model = $7,
         model_days = $8, valid_from = $9, valid_to = $10, published_from = $11, published_to = $12, weekdays = $13
         WHERE organization_id = $1 AND id = $2")
        .bind(tenant.id().0)
        .bind(id.0)
        .bind(&d.name)
        .bind(&d.description)
        .bind(kind)
        .bind(value)
        .bind(d.model.as_str())
        .bind(days)
        .bind(text(d.valid.from))
        .bind(text(d.valid.to))
        .bind(text(d.published.from))
        .bind(text(d.published.to))
        .bind(Day::list_to_string(&d.weekdays))
        .execute(c)
        .await?
        .rows_affected());
    write_promotion_offers(tx, tenant, id, &d.offer_ids).await?;
    get_promotion(tx, tenant, id).await
}

pub async fn set_promotion_archived(
    tx: &mut Tx,
    tenant: Tenant,
    id: PromotionId,
    archived: bool,
) -> Result<Promotion> {
    get_promotion(tx, tenant, id).await?;
    on_tx!(tx, c => sqlx::query("UPDATE promotions SET archived_at = $3 WHERE organization_id = $1 AND id = $2")
        .bind(tenant.id().0)
        .bind(id.0)
        .bind(archived.then(now_micros))
        .execute(c)
        .await?
        .rows_affected());
    get_promotion(tx, tenant, id).await
}

// ---------------------------------------------------------------- promo codes

#[derive(sqlx::FromRow)]
struct CodeRow {
    id: Uuid,
    name: String,
    code: String,
    description: Option<String>,
    discount_kind: String,
    discount_value: i64,
    uses: i64,
    max_uses: Option<i64>,
    valid_from: Option<String>,
    valid_to: Option<String>,
    published_from: Option<String>,
    published_to: Option<String>,
    archived_at: Option<i64>,
}

const CODE_SELECT: &str =
    "SELECT id, name, code, description, discount_kind, discount_value, uses, max_uses,
    valid_from, valid_to, published_from, published_to, archived_at
    FROM promo_codes WHERE organization_id = $1";

async fn promo_code(tx: &mut Tx, tenant: Tenant, r: CodeRow) -> Result<PromoCode> {
    let offer_ids = ids_of(
        tx,
        tenant,
        "SELECT offer_id FROM promo_code_offers WHERE organization_id = $1 AND promo_code_id = $2 ORDER BY offer_id",
        r.id,
    )
    .await?;
    let item_ids = ids_of(
        tx,
        tenant,
        "SELECT COALESCE(ticket_type_id, extra_id) FROM promo_code_items
         WHERE organization_id = $1 AND promo_code_id = $2 ORDER BY id",
        r.id,
    )
    .await?;
    let product_ids = ids_of(
        tx,
        tenant,
        "SELECT product_id FROM promo_code_products WHERE organization_id = $1 AND promo_code_id = $2 ORDER BY product_id",
        r.id,
    )
    .await?;
    let details = PromoCodeDetails {
        name: r.name,
        code: r.code,
        description: r.description,
        reduction: reduction(&r.discount_kind, r.discount_value),
        max_uses: r.max_uses,
        valid: range(r.valid_from, r.valid_to),
        published: range(r.published_from, r.published_to),
        offer_ids: offer_ids.into_iter().map(OfferId).collect(),
        item_ids: item_ids.into_iter().map(ItemId).collect(),
        product_ids: product_ids.into_iter().map(ProductId).collect(),
    };
    Ok(PromoCode::from_details(
        PromoCodeId(r.id),
        details,
        r.uses,
        r.archived_at.is_some(),
    ))
}

/// Every promo code, active ones first.
pub async fn list_codes(tx: &mut Tx, tenant: Tenant) -> Result<Vec<PromoCode>> {
    let sql = format!("{CODE_SELECT} ORDER BY archived_at IS NOT NULL, code, id");
    let rows: Vec<CodeRow> = on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(tenant.id().0)
        .fetch_all(c)
        .await?);
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(promo_code(tx, tenant, r).await?);
    }
    Ok(out)
}

pub async fn get_code(tx: &mut Tx, tenant: Tenant, id: PromoCodeId) -> Result<PromoCode> {
    let sql = format!("{CODE_SELECT} AND id = $2");
    let row: Option<CodeRow> = on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(tenant.id().0)
        .bind(id.0)
        .fetch_optional(c)
        .await?);
    match row {
        Some(r) => promo_code(tx, tenant, r).await,
        None => Err(StoreError::NotFound),
    }
}

/// The active (not archived) code typed as `raw`, in any case; `None` when unknown,
/// archived or not a possible code.
pub async fn find_code(tx: &mut Tx, tenant: Tenant, raw: &str) -> Result<Option<PromoCode>> {
    let Ok(code) = normalize_code(raw) else {
        return Ok(None);
    };
    let sql = format!("{CODE_SELECT} AND code = $2 AND archived_at IS NULL");
    let row: Option<CodeRow> = on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(tenant.id().0)
        .bind(&code)
        .fetch_optional(c)
        .await?);
    match row {
        Some(r) => Ok(Some(promo_code(tx, tenant, r).await?)),
        None => Ok(None),
    }
}

/// Codes are never reused within an organization, archived ones included.
async fn check_code(
    tx: &mut Tx,
    tenant: Tenant,
    code: &str,
    except: Option<PromoCodeId>,
) -> Result<()> {
    let row: Option<(Uuid,)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT id FROM promo_codes WHERE organization_id = $1 AND code = $2")
        .bind(tenant.id().0)
        .bind(code)
        .fetch_optional(c)
        .await?);
    match row {
        Some((id,)) if Some(PromoCodeId(id)) != except => Err(StoreError::Duplicate("code")),
        _ => Ok(()),
    }
}

/// Resolves item ids to the tenant's active ticket types and extras.
async fn resolve_items(
    tx: &mut Tx,
    tenant: Tenant,
    ids: &[ItemId],
) -> Result<Vec<(ItemKind, Uuid)>> {
    let mut out = Vec::new();
    for id in ids {
        let mut found = None;
        for kind in [ItemKind::TicketType, ItemKind::Extra] {
            match items::get(tx, tenant, kind, *id).await {
                Ok(item) if !item.archived => found = Some((kind, id.0)),
                Ok(_) | Err(StoreError::NotFound) => {}
                Err(e) => return Err(e),
            }
        }
        match found {
            Some(f) => out.push(f),
            None => return Err(StoreError::Invalid("item_ids".into(), "unknown_item")),
        }
    }
    Ok(out)
}

async fn check_products(tx: &mut Tx, tenant: Tenant, ids: &[ProductId]) -> Result<()> {
    for id in ids {
        match shop::product(tx, tenant, *id).await {
            Ok(p) if !p.archived => {}
            Ok(_) | Err(StoreError::NotFound) => {
                return Err(StoreError::Invalid("product_ids".into(), "unknown_product"));
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

async fn write_code_scope(
    tx: &mut Tx,
    tenant: Tenant,
    id: PromoCodeId,
    d: &PromoCodeDetails,
    items: &[(ItemKind, Uuid)],
) -> Result<()> {
    for table in [
        "promo_code_offers",
        "promo_code_items",
        "promo_code_products",
    ] {
        let sql = format!("DELETE FROM {table} WHERE organization_id = $1 AND promo_code_id = $2");
        on_tx!(tx, c => sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(tenant.id().0)
            .bind(id.0)
            .execute(c)
            .await?
            .rows_affected());
    }
    for offer in &d.offer_ids {
        on_tx!(tx, c => sqlx::query(
            "INSERT INTO promo_code_offers (id, organization_id, promo_code_id, offer_id) VALUES ($1, $2, $3, $4)")
            .bind(Uuid::now_v7())
            .bind(tenant.id().0)
            .bind(id.0)
            .bind(offer.0)
            .execute(c)
            .await?
            .rows_affected());
    }
    for (kind, item) in items {
        let (ticket, extra) = match kind {
            ItemKind::TicketType => (Some(*item), None),
            ItemKind::Extra => (None, Some(*item)),
        };
        on_tx!(tx, c => sqlx::query(
            "INSERT INTO promo_code_items (id, organization_id, promo_code_id, ticket_type_id, extra_id) VALUES ($1, $2, $3, $4, $5)")
            .bind(Uuid::now_v7())
            .bind(tenant.id().0)
            .bind(id.0)
            .bind(ticket)
            .bind(extra)
            .execute(c)
            .await?
            .rows_affected());
    }
    for product in &d.product_ids {
        on_tx!(tx, c => sqlx::query(
            "INSERT INTO promo_code_products (id, organization_id, promo_code_id, product_id) VALUES ($1, $2, $3, $4)")
            .bind(Uuid::now_v7())
            .bind(tenant.id().0)
            .bind(id.0)
            .bind(product.0)
            .execute(c)
            .await?
            .rows_affected());
    }
    Ok(())
}

async fn check_scope(
    tx: &mut Tx,
    tenant: Tenant,
    d: &PromoCodeDetails,
) -> Result<Vec<(ItemKind, Uuid)>> {
    check_offers(tx, tenant, &d.offer_ids).await?;
    let items = resolve_items(tx, tenant, &d.item_ids).await?;
    check_products(tx, tenant, &d.product_ids).await?;
    Ok(items)
}

pub async fn create_code(tx: &mut Tx, tenant: Tenant, d: &PromoCodeDetails) -> Result<PromoCode> {
    check_code(tx, tenant, &d.code, None).await?;
    let items = check_scope(tx, tenant, d).await?;
    let id = PromoCodeId(Uuid::now_v7());
    let (kind, value) = reduction_parts(d.reduction);
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO promo_codes (id, organization_id, name, code, description, discount_kind, discount_value, uses, max_uses,
         valid_from, valid_to, published_from, published_to, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $9, $10, $11, $12, $13)")
        .bind(id.0)
        .bind(tenant.id().0)
        .bind(&d.name)
        .bind(&d.code)
        .bind(&d.description)
        .bind(kind)
        .bind(value)
        .bind(d.max_uses)
        .bind(text(d.valid.from))
        .bind(text(d.valid.to))
        .bind(text(d.published.from))
        .bind(text(d.published.to))
        .bind(now_micros())
        .execute(c)
        .await
        .map_err(|e| StoreError::on_constraint(e, "code"))?
        .rows_affected());
    write_code_scope(tx, tenant, id, d, &items).await?;
    get_code(tx, tenant, id).await
}

/// Replaces a code's settings; its count of uses is kept.
pub async fn update_code(
    tx: &mut Tx,
    tenant: Tenant,
    id: PromoCodeId,
    d: &PromoCodeDetails,
) -> Result<PromoCode> {
    get_code(tx, tenant, id).await?;
    check_code(tx, tenant, &d.code, Some(id)).await?;
    let items = check_scope(tx, tenant, d).await?;
    let (kind, value) = reduction_parts(d.reduction);
    on_tx!(tx, c => sqlx::query(
        "UPDATE promo_codes SET name = $3, code = $4, description = $5, discount_kind = $6, discount_value = $7,
         max_uses = $8, valid_from = $9, valid_to = $10, published_from = $11, published_to = $12
         WHERE organization_id = $1 AND id = $2")
        .bind(tenant.id().0)
        .bind(id.0)
        .bind(&d.name)
        .bind(&d.code)
        .bind(&d.description)
        .bind(kind)
        .bind(value)
        .bind(d.max_uses)
        .bind(text(d.valid.from))
        .bind(text(d.valid.to))
        .bind(text(d.published.from))
        .bind(text(d.published.to))
        .execute(c)
        .await
        .map_err(|e| StoreError::on_constraint(e, "code"))?
        .rows_affected());
    write_code_scope(tx, tenant, id, d, &items).await?;
    get_code(tx, tenant, id).await
}

pub async fn set_code_archived(
    tx: &mut Tx,
    tenant: Tenant,
    id: PromoCodeId,
    archived: bool,
) -> Result<PromoCode> {
    get_code(tx, tenant, id).await?;
    on_tx!(tx, c => sqlx::query("UPDATE promo_codes SET archived_at = $3 WHERE organization_id = $1 AND id = $2")
        .bind(tenant.id().0)
        .bind(id.0)
        .bind(archived.then(now_micros))
        .execute(c)
        .await?
        .rows_affected());
    get_code(tx, tenant, id).await
}

/// Counts one use of an active code, in the sale's transaction: one conditional UPDATE, so
/// concurrent sales never go past `max_uses`. Refused with
/// `Invalid("promo_code", "promo_code_exhausted")` when every use is taken, or the code is
/// archived or unknown.
pub async fn redeem(tx: &mut Tx, tenant: Tenant, id: PromoCodeId) -> Result<()> {
    let n = on_tx!(tx, c => sqlx::query(REDEEM)
        .bind(tenant.id().0)
        .bind(id.0)
        .execute(c)
        .await?
        .rows_affected());
    if n == 1 {
        Ok(())
    } else {
        Err(StoreError::Invalid(
            "promo_code".into(),
            "promo_code_exhausted",
        ))
    }
}

/// [`redeem`]'s statement, pushed into a sale's batch: it changes no row when the code is used
/// up (or archived), and the sale is then refused.
pub(crate) fn push_redeem(
    batch: &mut crate::batch::Batch,
    tenant: Tenant,
    id: PromoCodeId,
) -> usize {
    batch.push(REDEEM, vec![tenant.id().0.into(), id.0.into()])
}

const REDEEM: &str = "UPDATE promo_codes SET uses = uses + 1
     WHERE organization_id = $1 AND id = $2 AND archived_at IS NULL AND (max_uses IS NULL OR uses < max_uses)";

/// Gives back one use (an order that used the code is cancelled); never below zero.
pub async fn release(tx: &mut Tx, tenant: Tenant, id: PromoCodeId) -> Result<()> {
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE promo_codes SET uses = uses - 1 WHERE organization_id = $1 AND id = $2 AND uses > 0")
        .bind(tenant.id().0)
        .bind(id.0)
        .execute(c)
        .await?
        .rows_affected());
    if n == 1 {
        Ok(())
    } else {
        get_code(tx, tenant, id).await.map(|_| ())
    }
}
