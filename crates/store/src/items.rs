//! Ticket types and extras: the same settings in two tables, one code path. Sold items are
//! archived, never deleted (offers and orders refer to them).

use crate::{Result, StoreError, Tenant, Tx, now_micros, on_tx};
pub use guichet_domain::ItemId;
use guichet_domain::VatRateId;
use guichet_domain::catalogue::{ItemDetails, ItemKind};
use serde::Serialize;
use uuid::Uuid;

/// A ticket type or an extra.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Item {
    pub id: ItemId,
    pub kind: ItemKind,
    pub name: String,
    pub name_nl: Option<String>,
    pub name_en: Option<String>,
    pub description: Option<String>,
    pub description_nl: Option<String>,
    pub description_en: Option<String>,
    pub vat_rate_id: VatRateId,
    pub vat_rate_basis_points: u32,
    pub sale_pos: bool,
    pub sale_online: bool,
    pub daily_stock: i64,
    pub capacity: Option<i64>,
    pub minimum_age: Option<i64>,
    pub pictogram: Option<String>,
    /// Served at `/media/items/{id}` (and `/thumbnail`) when set.
    pub has_picture: bool,
    pub position: i32,
    pub archived: bool,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    name: String,
    name_nl: Option<String>,
    name_en: Option<String>,
    description: Option<String>,
    description_nl: Option<String>,
    description_en: Option<String>,
    vat_rate_id: Uuid,
    rate_bp: i32,
    sale_pos: bool,
    sale_online: bool,
    daily_stock: i64,
    capacity: Option<i64>,
    minimum_age: Option<i32>,
    pictogram: Option<String>,
    has_picture: bool,
    position: i32,
    archived_at: Option<i64>,
}

fn item(kind: ItemKind, r: Row) -> Item {
    Item {
        id: ItemId(r.id),
        kind,
        name: r.name,
        name_nl: r.name_nl,
        name_en: r.name_en,
        description: r.description,
        description_nl: r.description_nl,
        description_en: r.description_en,
        vat_rate_id: VatRateId(r.vat_rate_id),
        vat_rate_basis_points: u32::try_from(r.rate_bp).unwrap_or(0),
        sale_pos: r.sale_pos,
        sale_online: r.sale_online,
        daily_stock: r.daily_stock,
        capacity: r.capacity,
        minimum_age: r.minimum_age.map(i64::from),
        pictogram: r.pictogram,
        has_picture: r.has_picture,
        position: r.position,
        archived: r.archived_at.is_some(),
    }
}

fn table(kind: ItemKind) -> &'static str {
    match kind {
        ItemKind::TicketType => "ticket_types",
        ItemKind::Extra => "extras",
    }
}

const COLUMNS: &str = "t.id, t.name, t.name_nl, t.name_en, t.description, t.description_nl,
     t.description_en, t.vat_rate_id, v.rate_bp, t.sale_pos, t.sale_online, t.daily_stock,
     t.capacity, t.minimum_age, t.pictogram, t.picture_mime IS NOT NULL AS has_picture, t.position,
     t.archived_at";

fn select(kind: ItemKind) -> String {
    format!(
        "SELECT {COLUMNS} FROM {} t JOIN vat_rates v ON v.id = t.vat_rate_id WHERE t.organization_id = $1",
        table(kind)
    )
}

pub async fn list(tx: &mut Tx, tenant: Tenant, kind: ItemKind) -> Result<Vec<Item>> {
    let sql = format!(
        "{} ORDER BY t.archived_at IS NOT NULL, t.position, t.name",
        select(kind)
    );
    let rows: Vec<Row> = on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(tenant.id().0)
        .fetch_all(c)
        .await?);
    Ok(rows.into_iter().map(|r| item(kind, r)).collect())
}

pub async fn get(tx: &mut Tx, tenant: Tenant, kind: ItemKind, id: ItemId) -> Result<Item> {
    let sql = format!("{} AND t.id = $2", select(kind));
    let row: Option<Row> = on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(tenant.id().0)
        .bind(id.0)
        .fetch_optional(c)
        .await?);
    row.map(|r| item(kind, r)).ok_or(StoreError::NotFound)
}

/// The ticket types and extras among `ids`, whichever each is, pushed into a batch of reads as
/// one statement (`orders::sale_reads`); [`got_any`] reads them.
pub(crate) fn push_get_any(
    batch: &mut crate::batch::Batch,
    tenant: Tenant,
    ids: &[ItemId],
) -> usize {
    let mut args = vec![tenant.id().0.into()];
    let mut list = String::new();
    for (n, id) in ids.iter().enumerate() {
        if n > 0 {
            list.push_str(", ");
        }
        list.push_str(&format!("${}", n + 2));
        args.push(id.0.into());
    }
    let part = |kind: ItemKind| {
        format!(
            "SELECT '{}' AS item_kind, {COLUMNS} FROM {} t JOIN vat_rates v ON v.id = t.vat_rate_id
             WHERE t.organization_id = $1 AND t.id IN ({list})",
            kind_key(kind),
            table(kind)
        )
    };
    batch.push_rows(
        format!(
            "{} UNION ALL {}",
            part(ItemKind::TicketType),
            part(ItemKind::Extra)
        ),
        args,
    )
}

/// The items [`push_get_any`] read, with their kind.
pub(crate) fn got_any(ran: &crate::batch::Ran, i: usize) -> Result<Vec<(ItemKind, Item)>> {
    #[derive(sqlx::FromRow)]
    struct KindRow {
        item_kind: String,
        #[sqlx(flatten)]
        row: Row,
    }
    Ok(ran
        .rows::<KindRow>(i)?
        .into_iter()
        .map(|r| {
            let kind = if r.item_kind == kind_key(ItemKind::Extra) {
                ItemKind::Extra
            } else {
                ItemKind::TicketType
            };
            (kind, item(kind, r.row))
        })
        .collect())
}

fn kind_key(kind: ItemKind) -> &'static str {
    match kind {
        ItemKind::TicketType => "ticket_type",
        ItemKind::Extra => "extra",
    }
}

async fn check(
    tx: &mut Tx,
    tenant: Tenant,
    kind: ItemKind,
    name: &str,
    vat: VatRateId,
    except: Option<ItemId>,
) -> Result<()> {
    match crate::vat_rates::get(tx, tenant, vat).await {
        Ok(r) if !r.archived => {}
        Ok(_) | Err(StoreError::NotFound) => return Err(StoreError::Refused("unknown_vat_rate")),
        Err(e) => return Err(e),
    }
    let clash = list(tx, tenant, kind).await?.into_iter().any(|i| {
        !i.archived && Some(i.id) != except && guichet_domain::text::same_text(&i.name, name)
    });
    if clash {
        Err(StoreError::Duplicate("name"))
    } else {
        Ok(())
    }
}

pub async fn create(
    tx: &mut Tx,
    tenant: Tenant,
    kind: ItemKind,
    d: &ItemDetails,
    vat: VatRateId,
) -> Result<Item> {
    check(tx, tenant, kind, &d.name, vat, None).await?;
    let position = list(tx, tenant, kind)
        .await?
        .iter()
        .map(|i| i.position)
        .max()
        .unwrap_or(0)
        + 1;
    let id = ItemId(Uuid::now_v7());
    let sql = format!(
        "INSERT INTO {} (id, organization_id, vat_rate_id, name, name_nl, name_en, description, description_nl,
         description_en, sale_pos, sale_online, daily_stock, capacity, minimum_age, pictogram, position, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
        table(kind)
    );
    on_tx!(tx, c => sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(id.0)
        .bind(tenant.id().0)
        .bind(vat.0)
        .bind(&d.name)
        .bind(&d.name_nl)
        .bind(&d.name_en)
        .bind(&d.description)
        .bind(&d.description_nl)
        .bind(&d.description_en)
        .bind(d.sale_pos)
        .bind(d.sale_online)
        .bind(d.daily_stock)
        .bind(d.capacity)
        .bind(d.minimum_age.and_then(|a| i32::try_from(a).ok()))
        .bind(&d.pictogram)
        .bind(position)
        .bind(now_micros())
        .execute(c)
        .await?
        .rows_affected());
    get(tx, tenant, kind, id).await
}

pub async fn update(
    tx: &mut Tx,
    tenant: Tenant,
    kind: ItemKind,
    id: ItemId,
    d: &ItemDetails,
    vat: VatRateId,
) -> Result<Item> {
    let current = get(tx, tenant, kind, id).await?;
    if !current.archived {
        check(tx, tenant, kind, &d.name, vat, Some(id)).await?;
    }
    let sql = format!(
        "UPDATE {} SET vat_rate_id = $3, name = $4, name_nl = $5, name_en = $6, description = $7, description_nl = $8,
         description_en = $9, sale_pos = $10, sale_online = $11, daily_stock = $12, capacity = $13, minimum_age = $14,
         pictogram = $15 WHERE organization_id = $1 AND id = $2",
        table(kind)
    );
    on_tx!(tx, c => sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(tenant.id().0)
        .bind(id.0)
        .bind(vat.0)
        .bind(&d.name)
        .bind(&d.name_nl)
        .bind(&d.name_en)
        .bind(&d.description)
        .bind(&d.description_nl)
        .bind(&d.description_en)
        .bind(d.sale_pos)
        .bind(d.sale_online)
        .bind(d.daily_stock)
        .bind(d.capacity)
        .bind(d.minimum_age.and_then(|a| i32::try_from(a).ok()))
        .bind(&d.pictogram)
        .execute(c)
        .await?
        .rows_affected());
    get(tx, tenant, kind, id).await
}

pub async fn set_archived(
    tx: &mut Tx,
    tenant: Tenant,
    kind: ItemKind,
    id: ItemId,
    archived: bool,
) -> Result<Item> {
    let current = get(tx, tenant, kind, id).await?;
    if !archived && current.archived {
        check(
            tx,
            tenant,
            kind,
            &current.name,
            current.vat_rate_id,
            Some(id),
        )
        .await?;
    }
    let sql = format!(
        "UPDATE {} SET archived_at = $3 WHERE organization_id = $1 AND id = $2",
        table(kind)
    );
    on_tx!(tx, c => sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(tenant.id().0)
        .bind(id.0)
        .bind(archived.then(now_micros))
        .execute(c)
        .await?
        .rows_affected());
    get(tx, tenant, kind, id).await
}

/// Sets, replaces (`Some`) or removes (`None`) an item's picture: (mime, data, thumbnail).
pub async fn set_picture(
    tx: &mut Tx,
    tenant: Tenant,
    kind: ItemKind,
    id: ItemId,
    picture: Option<(&str, &[u8], &[u8])>,
) -> Result<Item> {
    get(tx, tenant, kind, id).await?;
    let sql = format!(
        "UPDATE {} SET picture_mime = $3, picture = $4, picture_thumbnail = $5
         WHERE organization_id = $1 AND id = $2",
        table(kind)
    );
    on_tx!(tx, c => sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(tenant.id().0)
        .bind(id.0)
        .bind(picture.map(|p| p.0))
        .bind(picture.map(|p| p.1))
        .bind(picture.map(|p| p.2))
        .execute(c)
        .await?
        .rows_affected());
    get(tx, tenant, kind, id).await
}

/// An item picture's bytes by item id alone, whatever its kind (pictures are shown on public
/// booking pages; ids are random UUIDv7).
pub async fn picture_bytes(tx: &mut Tx, id: Uuid, thumbnail: bool) -> Result<(String, Vec<u8>)> {
    let sql = if thumbnail {
        "SELECT 'image/jpeg' AS mime, picture_thumbnail AS data FROM ticket_types WHERE id = $1 AND picture_mime IS NOT NULL
         UNION ALL SELECT 'image/jpeg' AS mime, picture_thumbnail AS data FROM extras WHERE id = $1 AND picture_mime IS NOT NULL"
    } else {
        "SELECT picture_mime AS mime, picture AS data FROM ticket_types WHERE id = $1 AND picture_mime IS NOT NULL
         UNION ALL SELECT picture_mime AS mime, picture AS data FROM extras WHERE id = $1 AND picture_mime IS NOT NULL"
    };
    let row: Option<(String, Vec<u8>)> =
        on_tx!(tx, c => sqlx::query_as(sql).bind(id).fetch_optional(c).await?);
    row.ok_or(StoreError::NotFound)
}
