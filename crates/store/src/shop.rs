//! Shop: product groups, products, and the stock ledger. Current stock and stock at any
//! past instant are sums of movements; nothing stores a stock figure that could drift.

use crate::{Result, StoreError, Tenant, Tx, now_micros, on_tx};
pub use guichet_domain::ProductId;
use guichet_domain::UserId;
use guichet_domain::barcode::{Barcode, Symbology};
use guichet_domain::shop::{MovementKind, ProductDetails};
use guichet_domain::text::search_key;
use serde::Serialize;
use std::collections::HashMap;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Product {
    pub id: ProductId,
    pub name: String,
    pub reference: Option<String>,
    pub barcode: String,
    pub symbology: Symbology,
    /// VAT included, in cents.
    pub price_cents: i64,
    pub vat_rate_id: guichet_domain::VatRateId,
    pub vat_rate_basis_points: u32,
    pub group_id: Option<ProductGroupId>,
    pub group_name: Option<String>,
    pub sale_pos: bool,
    pub sale_online: bool,
    pub alert_stock: Option<i64>,
    pub stock_managed: bool,
    /// False for gift cards and vouchers: never discounted.
    pub discountable: bool,
    /// Sum of all movements.
    pub stock: i64,
    /// Served at `/media/products/{id}` (and `/thumbnail`) when set.
    pub has_photo: bool,
    pub archived: bool,
}

impl Product {
    pub fn is_low(&self) -> bool {
        self.stock_managed && self.alert_stock.is_some_and(|a| self.stock <= a)
    }
}

#[derive(sqlx::FromRow)]
struct ProductRow {
    id: Uuid,
    name: String,
    reference: Option<String>,
    barcode: String,
    symbology: String,
    price_cents: i64,
    vat_rate_id: Uuid,
    rate_bp: i32,
    group_id: Option<Uuid>,
    group_name: Option<String>,
    sale_pos: bool,
    sale_online: bool,
    alert_stock: Option<i64>,
    stock_managed: bool,
    discountable: bool,
    stock: i64,
    has_photo: bool,
    archived_at: Option<i64>,
}

fn symbology_of(s: &str) -> Symbology {
    match s {
        "ean13" => Symbology::Ean13,
        "ean8" => Symbology::Ean8,
        "upca" => Symbology::UpcA,
        _ => Symbology::Code128,
    }
}

fn symbology_str(s: Symbology) -> &'static str {
    match s {
        Symbology::Ean13 => "ean13",
        Symbology::Ean8 => "ean8",
        Symbology::UpcA => "upca",
        Symbology::Code128 => "code128",
    }
}

impl From<ProductRow> for Product {
    fn from(r: ProductRow) -> Self {
        Product {
            id: ProductId(r.id),
            name: r.name,
            reference: r.reference,
            barcode: r.barcode,
            symbology: symbology_of(&r.symbology),
            price_cents: r.price_cents,
            vat_rate_id: guichet_domain::VatRateId(r.vat_rate_id),
            vat_rate_basis_points: u32::try_from(r.rate_bp).unwrap_or(0),
            group_id: r.group_id.map(ProductGroupId),
            group_name: r.group_name,
            sale_pos: r.sale_pos,
            sale_online: r.sale_online,
            alert_stock: r.alert_stock,
            stock_managed: r.stock_managed,
            discountable: r.discountable,
            stock: r.stock,
            has_photo: r.has_photo,
            archived: r.archived_at.is_some(),
        }
    }
}

const PRODUCT_SELECT: &str = "SELECT p.id, p.name, p.reference, p.barcode, p.symbology, p.price_cents,
    p.vat_rate_id, v.rate_bp, p.group_id, g.name AS group_name, p.sale_pos, p.sale_online, p.alert_stock,
    p.stock_managed, p.discountable,
    p.stock,
    EXISTS (SELECT 1 FROM product_photos ph WHERE ph.product_id = p.id) AS has_photo,
    p.archived_at
    FROM products p
    JOIN vat_rates v ON v.id = p.vat_rate_id
    LEFT JOIN product_groups g ON g.id = p.group_id
    WHERE p.organization_id = $1";

// ---------------------------------------------------------------- groups

use crate::groups::{self as g, GroupKind};
pub use crate::groups::{Group as ProductGroup, GroupId as ProductGroupId};

pub async fn groups(tx: &mut Tx, tenant: Tenant) -> Result<Vec<ProductGroup>> {
    g::list(tx, tenant, GroupKind::Product).await
}

pub async fn create_group(tx: &mut Tx, tenant: Tenant, name: &str) -> Result<ProductGroup> {
    g::create(tx, tenant, GroupKind::Product, name).await
}

pub async fn group(tx: &mut Tx, tenant: Tenant, id: ProductGroupId) -> Result<ProductGroup> {
    g::get(tx, tenant, GroupKind::Product, id).await
}

pub async fn rename_group(
    tx: &mut Tx,
    tenant: Tenant,
    id: ProductGroupId,
    name: &str,
) -> Result<ProductGroup> {
    g::rename(tx, tenant, GroupKind::Product, id, name).await
}

pub async fn move_group(
    tx: &mut Tx,
    tenant: Tenant,
    id: ProductGroupId,
    delta: i32,
) -> Result<Vec<ProductGroup>> {
    g::move_by(tx, tenant, GroupKind::Product, id, delta).await
}

pub async fn delete_group(tx: &mut Tx, tenant: Tenant, id: ProductGroupId) -> Result<()> {
    g::delete(tx, tenant, GroupKind::Product, id).await
}

// ---------------------------------------------------------------- products

/// The VAT rate and group must be the tenant's, active ones.
async fn check_refs(
    tx: &mut Tx,
    tenant: Tenant,
    vat: guichet_domain::VatRateId,
    group_id: Option<ProductGroupId>,
) -> Result<()> {
    match crate::vat_rates::get(tx, tenant, vat).await {
        Ok(r) if !r.archived => {}
        Ok(_) | Err(StoreError::NotFound) => return Err(StoreError::Refused("unknown_vat_rate")),
        Err(e) => return Err(e),
    }
    if let Some(g) = group_id {
        match group(tx, tenant, g).await {
            Ok(_) => {}
            Err(StoreError::NotFound) => return Err(StoreError::Refused("unknown_group")),
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

fn key_of(d: &ProductDetails, barcode: &str) -> String {
    search_key(&format!(
        "{} {} {}",
        d.name,
        d.reference.as_deref().unwrap_or(""),
        barcode
    ))
}

/// Creates a product; without a barcode it gets the next internal EAN-13. A counted
/// initial stock becomes the first movement of its ledger.
pub async fn create_product(
    tx: &mut Tx,
    tenant: Tenant,
    d: &ProductDetails,
    vat: guichet_domain::VatRateId,
    group_id: Option<ProductGroupId>,
    initial_stock: Option<i64>,
    by: Option<UserId>,
) -> Result<Product> {
    check_refs(tx, tenant, vat, group_id).await?;
    let barcode = match &d.barcode {
        Some(b) => b.clone(),
        None => loop {
            let n = crate::counters::next(tx, tenant, crate::counters::Counter::InternalBarcode)
                .await?;
            let candidate = Barcode::internal_ean13(u64::try_from(n).unwrap_or(0));
            if find_by_barcode(tx, tenant, candidate.as_str())
                .await?
                .is_none()
            {
                break candidate;
            }
        },
    };
    let id = ProductId(Uuid::now_v7());
    let now = now_micros();
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO products (id, organization_id, group_id, vat_rate_id, name, reference, barcode, symbology,
         price_cents, sale_pos, sale_online, alert_stock, stock_managed, search_key, created_at, discountable)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)")
        .bind(id.0)
        .bind(tenant.id().0)
        .bind(group_id.map(|g| g.0))
        .bind(vat.0)
        .bind(&d.name)
        .bind(&d.reference)
        .bind(barcode.as_str())
        .bind(symbology_str(barcode.symbology()))
        .bind(d.price_cents)
        .bind(d.sale_pos)
        .bind(d.sale_online)
        .bind(d.alert_stock)
        .bind(d.stock_managed)
        .bind(key_of(d, barcode.as_str()))
        .bind(now)
        .bind(d.discountable)
        .execute(c)
        .await
        .map_err(|e| StoreError::on_constraint(e, "barcode"))?
        .rows_affected());
    if let Some(q) = initial_stock.filter(|q| *q != 0) {
        insert_movement(tx, tenant, id, MovementKind::Initial, q, now, by, None).await?;
    }
    product(tx, tenant, id).await
}

pub async fn update_product(
    tx: &mut Tx,
    tenant: Tenant,
    id: ProductId,
    d: &ProductDetails,
    vat: guichet_domain::VatRateId,
    group_id: Option<ProductGroupId>,
) -> Result<Product> {
    let current = product(tx, tenant, id).await?;
    check_refs(tx, tenant, vat, group_id).await?;
    let barcode = match &d.barcode {
        Some(b) => (b.as_str().to_owned(), b.symbology()),
        None => (current.barcode.clone(), current.symbology),
    };
    on_tx!(tx, c => sqlx::query(
        "UPDATE products SET group_id = $3, vat_rate_id = $4, name = $5, reference = $6, barcode = $7, symbology = $8,
         price_cents = $9, sale_pos = $10, sale_online = $11, alert_stock = $12, stock_managed = $13, search_key = $14,
         discountable = $15 WHERE organization_id = $1 AND id = $2")
        .bind(tenant.id().0)
        .bind(id.0)
        .bind(group_id.map(|g| g.0))
        .bind(vat.0)
        .bind(&d.name)
        .bind(&d.reference)
        .bind(&barcode.0)
        .bind(symbology_str(barcode.1))
        .bind(d.price_cents)
        .bind(d.sale_pos)
        .bind(d.sale_online)
        .bind(d.alert_stock)
        .bind(d.stock_managed)
        .bind(key_of(d, &barcode.0))
        .bind(d.discountable)
        .execute(c)
        .await
        .map_err(|e| StoreError::on_constraint(e, "barcode"))?
        .rows_affected());
    product(tx, tenant, id).await
}

pub async fn set_product_archived(
    tx: &mut Tx,
    tenant: Tenant,
    id: ProductId,
    archived: bool,
) -> Result<Product> {
    product(tx, tenant, id).await?;
    on_tx!(tx, c => sqlx::query("UPDATE products SET archived_at = $3 WHERE organization_id = $1 AND id = $2")
        .bind(tenant.id().0)
        .bind(id.0)
        .bind(archived.then(now_micros))
        .execute(c)
        .await?
        .rows_affected());
    product(tx, tenant, id).await
}

pub async fn product(tx: &mut Tx, tenant: Tenant, id: ProductId) -> Result<Product> {
    let sql = format!("{PRODUCT_SELECT} AND p.id = $2");
    let row: Option<ProductRow> = on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(tenant.id().0)
        .bind(id.0)
        .fetch_optional(c)
        .await?);
    row.map(Product::from).ok_or(StoreError::NotFound)
}

pub async fn find_by_barcode(
    tx: &mut Tx,
    tenant: Tenant,
    barcode: &str,
) -> Result<Option<Product>> {
    let sql = format!("{PRODUCT_SELECT} AND p.barcode = $2");
    let row: Option<ProductRow> = on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(tenant.id().0)
        .bind(barcode.trim())
        .fetch_optional(c)
        .await?);
    Ok(row.map(Product::from))
}

/// Which products a list shows.
#[derive(Debug, Clone, Default)]
pub struct ProductFilter {
    /// Words that must all appear in the name, reference or barcode (accents and case ignored).
    pub search: Option<String>,
    pub group: Option<ProductGroupId>,
    pub include_archived: bool,
}

/// Products in group order then name, with their current stock.
pub async fn products(tx: &mut Tx, tenant: Tenant, filter: &ProductFilter) -> Result<Vec<Product>> {
    let mut sql = PRODUCT_SELECT.to_owned();
    if !filter.include_archived {
        sql.push_str(" AND p.archived_at IS NULL");
    }
    if filter.group.is_some() {
        sql.push_str(" AND p.group_id = $2");
    }
    sql.push_str(" ORDER BY g.position IS NULL, g.position, p.name, p.id");
    let rows: Vec<ProductRow> = on_tx!(tx, c => {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(tenant.id().0);
        if let Some(g) = filter.group {
            q = q.bind(g.0);
        }
        q.fetch_all(c).await?
    });
    let words: Vec<String> = filter
        .search
        .as_deref()
        .map(|s| {
            search_key(s)
                .split_whitespace()
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    // The search key is matched in Rust: the same folding on both backends, no LIKE
    // differences, and a shop's catalogue is small.
    let keys: HashMap<Uuid, String> = if words.is_empty() {
        HashMap::new()
    } else {
        let pairs: Vec<(Uuid, String)> = on_tx!(tx, c => sqlx::query_as("SELECT id, search_key FROM products WHERE organization_id = $1")
            .bind(tenant.id().0)
            .fetch_all(c)
            .await?);
        pairs.into_iter().collect()
    };
    Ok(rows
        .into_iter()
        .filter(|r| {
            words.is_empty()
                || keys
                    .get(&r.id)
                    .is_some_and(|k| words.iter().all(|w| k.contains(w.as_str())))
        })
        .map(Product::from)
        .collect())
}

// ---------------------------------------------------------------- stock ledger

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Movement {
    pub id: Uuid,
    pub kind: MovementKind,
    /// Signed: positive in, negative out.
    pub quantity: i64,
    pub occurred_at: i64,
    pub user_name: Option<String>,
    pub reason: Option<String>,
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_movement(
    tx: &mut Tx,
    tenant: Tenant,
    product: ProductId,
    kind: MovementKind,
    quantity: i64,
    at: i64,
    by: Option<UserId>,
    reason: Option<&str>,
) -> Result<()> {
    insert_ledger_row(tx, tenant, product, kind, quantity, at, by, reason).await?;
    // The current stock moves with the ledger, in the same transaction.
    on_tx!(tx, c => sqlx::query("UPDATE products SET stock = stock + $3 WHERE organization_id = $1 AND id = $2")
        .bind(tenant.id().0)
        .bind(product.0)
        .bind(kind.signed(quantity))
        .execute(c)
        .await?
        .rows_affected());
    Ok(())
}

/// The ledger's row alone, for a sale whose stock was already moved by its conditional check.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_ledger_row(
    tx: &mut Tx,
    tenant: Tenant,
    product: ProductId,
    kind: MovementKind,
    quantity: i64,
    at: i64,
    by: Option<UserId>,
    reason: Option<&str>,
) -> Result<()> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO stock_movements (id, organization_id, product_id, kind, quantity, occurred_at, user_id, reason)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(Uuid::now_v7())
        .bind(tenant.id().0)
        .bind(product.0)
        .bind(kind.as_str())
        .bind(kind.signed(quantity))
        .bind(at)
        .bind(by.map(|u| u.0))
        .bind(reason)
        .execute(c)
        .await?
        .rows_affected());
    Ok(())
}

/// Records a movement entered by hand (restock, withdrawal, return) on a stock-managed product.
pub async fn add_movement(
    tx: &mut Tx,
    tenant: Tenant,
    id: ProductId,
    kind: MovementKind,
    quantity: i64,
    reason: Option<&str>,
    by: Option<UserId>,
) -> Result<Product> {
    let p = product(tx, tenant, id).await?;
    if !p.stock_managed {
        return Err(StoreError::Refused("stock_not_managed"));
    }
    insert_movement(tx, tenant, id, kind, quantity, now_micros(), by, reason).await?;
    product(tx, tenant, id).await
}

pub async fn movements(
    tx: &mut Tx,
    tenant: Tenant,
    id: ProductId,
    before: Option<(i64, Uuid)>,
    limit: i64,
) -> Result<Vec<Movement>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: Uuid,
        kind: String,
        quantity: i64,
        occurred_at: i64,
        user_name: Option<String>,
        reason: Option<String>,
    }
    // Newest first; a page goes on strictly before the previous page's last movement.
    let (at, mid) = before.unwrap_or((i64::MAX, Uuid::max()));
    let rows: Vec<Row> = on_tx!(tx, c => sqlx::query_as(
        "SELECT m.id, m.kind, m.quantity, m.occurred_at, u.name AS user_name, m.reason
         FROM stock_movements m LEFT JOIN users u ON u.id = m.user_id
         WHERE m.organization_id = $1 AND m.product_id = $2
           AND (m.occurred_at < $3 OR (m.occurred_at = $3 AND m.id < $4))
         ORDER BY m.occurred_at DESC, m.id DESC LIMIT $5")
        .bind(tenant.id().0)
        .bind(id.0)
        .bind(at)
        .bind(mid)
        .bind(limit)
        .fetch_all(c)
        .await?);
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            MovementKind::parse(&r.kind).map(|kind| Movement {
                id: r.id,
                kind,
                quantity: r.quantity,
                occurred_at: r.occurred_at,
                user_name: r.user_name,
                reason: r.reason,
            })
        })
        .collect())
}

/// Writes the differences found by a stock count as count-adjustment movements, in one
/// transaction. Returns how many products changed.
pub async fn apply_count(
    tx: &mut Tx,
    tenant: Tenant,
    counted: &[(ProductId, i64)],
    by: Option<UserId>,
) -> Result<usize> {
    let now = now_micros();
    let mut changed = 0;
    for (id, count) in counted {
        let p = product(tx, tenant, *id).await?;
        if !p.stock_managed {
            continue;
        }
        let diff = count - p.stock;
        if diff != 0 {
            insert_movement(
                tx,
                tenant,
                *id,
                MovementKind::CountAdjustment,
                diff,
                now,
                by,
                Some("inventaire"),
            )
            .await?;
            changed += 1;
        }
    }
    Ok(changed)
}

/// One line of the stock report: the seeds' export columns.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StockLine {
    pub product_id: ProductId,
    pub name: String,
    pub group: Option<String>,
    pub barcode: String,
    /// Stock entered when the product was created.
    pub initial_stock: i64,
    /// Stock at the end of the period.
    pub stock: i64,
    /// Goods received during the period.
    pub restocks: i64,
    /// Articles sold during the period (net of returns), as a positive number.
    pub sales: i64,
}

/// Stock of every stock-managed product at `until` (exclusive, microseconds), with the
/// restocks and sales in `[from, until)`. One grouped pass over the ledger.
pub async fn stock_report(
    tx: &mut Tx,
    tenant: Tenant,
    from: i64,
    until: i64,
) -> Result<Vec<StockLine>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        product_id: Uuid,
        initial: i64,
        stock: i64,
        restocks: i64,
        sales: i64,
    }
    let rows: Vec<Row> = on_tx!(tx, c => sqlx::query_as(
        "SELECT product_id,
           CAST(SUM(CASE WHEN kind = 'initial' THEN quantity ELSE 0 END) AS BIGINT) AS initial,
           CAST(SUM(quantity) AS BIGINT) AS stock,
           CAST(SUM(CASE WHEN kind = 'restock' AND occurred_at >= $2 THEN quantity ELSE 0 END) AS BIGINT) AS restocks,
           CAST(SUM(CASE WHEN kind IN ('sale', 'return') AND occurred_at >= $2 THEN -quantity ELSE 0 END) AS BIGINT) AS sales
         FROM stock_movements WHERE organization_id = $1 AND occurred_at < $3
         GROUP BY product_id")
        .bind(tenant.id().0)
        .bind(from)
        .bind(until)
        .fetch_all(c)
        .await?);
    let by_product: HashMap<Uuid, Row> = rows.into_iter().map(|r| (r.product_id, r)).collect();
    // The products themselves without their current stock (the ledger was just summed).
    #[derive(sqlx::FromRow)]
    struct ProductLine {
        id: Uuid,
        name: String,
        group_name: Option<String>,
        barcode: String,
    }
    let products: Vec<ProductLine> = on_tx!(tx, c => sqlx::query_as(
        "SELECT p.id, p.name, g.name AS group_name, p.barcode FROM products p
         LEFT JOIN product_groups g ON g.id = p.group_id
         WHERE p.organization_id = $1 AND p.stock_managed = TRUE
         ORDER BY g.position IS NULL, g.position, p.name, p.id")
        .bind(tenant.id().0)
        .fetch_all(c)
        .await?);
    Ok(products
        .into_iter()
        .map(|p| {
            let r = by_product.get(&p.id);
            StockLine {
                product_id: ProductId(p.id),
                name: p.name,
                group: p.group_name,
                barcode: p.barcode,
                initial_stock: r.map_or(0, |r| r.initial),
                stock: r.map_or(0, |r| r.stock),
                restocks: r.map_or(0, |r| r.restocks),
                sales: r.map_or(0, |r| r.sales),
            }
        })
        .collect())
}

/// Sets (or replaces) a product's photo.
pub async fn set_photo(
    tx: &mut Tx,
    tenant: Tenant,
    id: ProductId,
    mime: &str,
    data: &[u8],
    thumbnail: &[u8],
) -> Result<Product> {
    product(tx, tenant, id).await?;
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO product_photos (product_id, organization_id, mime, data, thumbnail, created_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (product_id) DO UPDATE SET mime = excluded.mime, data = excluded.data, thumbnail = excluded.thumbnail,
         created_at = excluded.created_at")
        .bind(id.0)
        .bind(tenant.id().0)
        .bind(mime)
        .bind(data)
        .bind(thumbnail)
        .bind(now_micros())
        .execute(c)
        .await?
        .rows_affected());
    product(tx, tenant, id).await
}

pub async fn remove_photo(tx: &mut Tx, tenant: Tenant, id: ProductId) -> Result<Product> {
    product(tx, tenant, id).await?;
    on_tx!(tx, c => sqlx::query("DELETE FROM product_photos WHERE organization_id = $1 AND product_id = $2")
        .bind(tenant.id().0)
        .bind(id.0)
        .execute(c)
        .await?
        .rows_affected());
    product(tx, tenant, id).await
}

/// A product photo's bytes, by product id alone (shop pictures are public, ids random).
pub async fn photo_bytes(tx: &mut Tx, id: Uuid, thumbnail: bool) -> Result<(String, Vec<u8>)> {
    let sql = if thumbnail {
        "SELECT 'image/jpeg' AS mime, thumbnail AS data FROM product_photos WHERE product_id = $1"
    } else {
        "SELECT mime, data FROM product_photos WHERE product_id = $1"
    };
    let row: Option<(String, Vec<u8>)> =
        on_tx!(tx, c => sqlx::query_as(sql).bind(id).fetch_optional(c).await?);
    row.ok_or(StoreError::NotFound)
}
