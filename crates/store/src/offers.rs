//! Offers and their price lines. The schedule and the texts are kept as JSON written from
//! the domain's parsed values and read back through the same parsers.

use crate::batch::{Batch, Ran};
use crate::groups::{self, GroupId, GroupKind};
use crate::items::{self, ItemId};
use crate::{Result, StoreError, Tenant, Tx, now_micros, on_tx};
pub use guichet_domain::OfferId;
use guichet_domain::catalogue::ItemKind;
use guichet_domain::offer::{CollectionKind, CollectionMode, OfferDetails, OfferKind, OfferTexts};
use guichet_domain::schedule::{RuleInput, Schedule};
use guichet_domain::validation::FieldErrors;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OfferPrice {
    pub item_id: ItemId,
    pub item_kind: ItemKind,
    pub item_name: String,
    /// The item's name in Dutch and English, where the catalogue has one.
    pub item_name_nl: Option<String>,
    pub item_name_en: Option<String>,
    /// VAT included, in cents.
    pub price_cents: i64,
    pub vat_rate_basis_points: u32,
    pub min_quantity: i64,
    pub max_quantity: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Texts {
    pub fr: OfferTexts,
    pub nl: OfferTexts,
    pub en: OfferTexts,
}

impl Texts {
    /// One of the offer's texts in `lang`, the French one when that language has none
    /// (`texts.pick(lang, |t| &t.name)`).
    pub fn pick(
        &self,
        lang: guichet_domain::org::Language,
        text: fn(&OfferTexts) -> &str,
    ) -> String {
        use guichet_domain::org::Language;
        let own = match lang {
            Language::Fr => text(&self.fr),
            Language::Nl => text(&self.nl),
            Language::En => text(&self.en),
        };
        if own.trim().is_empty() {
            text(&self.fr)
        } else {
            own
        }
        .to_owned()
    }
}

impl OfferPrice {
    /// The item's name in `lang`, in French where it has none in that language.
    pub fn item_name_in(&self, lang: guichet_domain::org::Language) -> &str {
        use guichet_domain::org::Language;
        let own = match lang {
            Language::Fr => None,
            Language::Nl => self.item_name_nl.as_deref(),
            Language::En => self.item_name_en.as_deref(),
        };
        own.filter(|n| !n.trim().is_empty())
            .unwrap_or(&self.item_name)
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StoredSchedule {
    pub rules: Vec<RuleInput>,
    /// Closed dates, YYYY-MM-DD.
    pub closed: Vec<String>,
}

impl StoredSchedule {
    fn from_schedule(s: &Schedule) -> StoredSchedule {
        StoredSchedule {
            rules: s.rules.iter().map(|r| r.to_input()).collect(),
            closed: s.closed.iter().map(|d| d.to_string()).collect(),
        }
    }

    /// The schedule as the domain computes sessions from it.
    pub fn schedule(&self) -> Schedule {
        let mut e = FieldErrors::new();
        Schedule {
            rules: self
                .rules
                .iter()
                .filter_map(|r| r.parse("", &mut e))
                .collect(),
            closed: self.closed.iter().filter_map(|d| d.parse().ok()).collect(),
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Offer {
    pub id: OfferId,
    pub group_id: Option<GroupId>,
    pub kind: OfferKind,
    pub texts: Texts,
    pub sale_pos: bool,
    pub sale_online: bool,
    /// One ticket for the whole order instead of one per visitor.
    pub one_ticket_per_order: bool,
    pub duration_minutes: Option<i64>,
    pub difficulty: Option<String>,
    pub location: Option<String>,
    /// Most visitors per session.
    pub capacity: i64,
    pub online_cutoff_hours: i64,
    pub pos_cutoff_hours: i64,
    /// The register still sells a session this many minutes after its start.
    pub late_entry_minutes: i64,
    pub published_from: Option<String>,
    pub published_to: Option<String>,
    pub prices: Vec<OfferPrice>,
    pub schedule: StoredSchedule,
    /// Set when the offer follows the site's opening hours for this audience instead of
    /// its own schedule.
    pub follows_calendar: Option<guichet_domain::calendar::Audience>,
    /// How an online booking is paid: on site (unpaid until arrival), a deposit, or in full.
    pub collection_mode: CollectionKind,
    /// With `deposit`: the whole percentage of the order's total asked online …
    pub deposit_percent: Option<i64>,
    /// … or the fixed amount, in cents (capped at the order's total).
    pub deposit_cents: Option<i64>,
    /// `null`: the visitor cannot cancel online; N: free cancellation online until N hours
    /// before the session starts.
    pub cancel_free_hours: Option<i64>,
    pub archived: bool,
}

impl Offer {
    /// The collection mode as the domain computes what is due online.
    pub fn collection(&self) -> CollectionMode {
        CollectionMode::from_parts(
            self.collection_mode.as_str(),
            self.deposit_percent.map(|p| p * 100),
            self.deposit_cents,
        )
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    group_id: Option<Uuid>,
    kind: String,
    texts_json: String,
    sale_pos: bool,
    sale_online: bool,
    one_ticket_per_order: bool,
    duration_minutes: Option<i32>,
    difficulty: Option<String>,
    location: Option<String>,
    capacity: i64,
    online_cutoff_hours: i32,
    pos_cutoff_hours: i32,
    late_entry_minutes: i32,
    published_from: Option<String>,
    published_to: Option<String>,
    schedule_json: String,
    follows_calendar: Option<String>,
    collection_mode: String,
    deposit_bp: Option<i32>,
    deposit_cents: Option<i64>,
    cancel_free_hours: Option<i32>,
    archived_at: Option<i64>,
}

const SELECT: &str = "SELECT id, group_id, kind, texts_json, sale_pos, sale_online, one_ticket_per_order, duration_minutes, difficulty, location,
    capacity, online_cutoff_hours, pos_cutoff_hours, late_entry_minutes, published_from, published_to, schedule_json,
    follows_calendar, collection_mode, deposit_bp, deposit_cents, cancel_free_hours, archived_at
    FROM offers WHERE organization_id = $1";

/// The offer's price lines with their items' names and VAT rates, in one query.
#[derive(sqlx::FromRow)]
struct PriceRow {
    ticket_type_id: Option<Uuid>,
    extra_id: Option<Uuid>,
    price_cents: i64,
    min_quantity: i32,
    max_quantity: Option<i32>,
    item_name: String,
    item_name_nl: Option<String>,
    item_name_en: Option<String>,
    rate_bp: i32,
}

const PRICES: &str =
    "SELECT p.ticket_type_id, p.extra_id, p.price_cents, p.min_quantity, p.max_quantity,
     COALESCE(t.name, e.name) AS item_name, COALESCE(t.name_nl, e.name_nl) AS item_name_nl,
     COALESCE(t.name_en, e.name_en) AS item_name_en, v.rate_bp
     FROM offer_prices p
     LEFT JOIN ticket_types t ON t.id = p.ticket_type_id
     LEFT JOIN extras e ON e.id = p.extra_id
     JOIN vat_rates v ON v.id = COALESCE(t.vat_rate_id, e.vat_rate_id)
     WHERE p.organization_id = $1 AND p.offer_id = $2 ORDER BY p.position";

async fn prices(tx: &mut Tx, tenant: Tenant, offer: Uuid) -> Result<Vec<OfferPrice>> {
    let rows: Vec<PriceRow> = on_tx!(tx, c => sqlx::query_as(PRICES)
        .bind(tenant.id().0)
        .bind(offer)
        .fetch_all(c)
        .await?);
    Ok(prices_of(rows))
}

fn prices_of(rows: Vec<PriceRow>) -> Vec<OfferPrice> {
    rows.into_iter()
        .filter_map(|p| {
            let (kind, id) = match (p.ticket_type_id, p.extra_id) {
                (Some(t), _) => (ItemKind::TicketType, t),
                (None, Some(x)) => (ItemKind::Extra, x),
                (None, None) => return None,
            };
            Some(OfferPrice {
                item_id: ItemId(id),
                item_kind: kind,
                item_name: p.item_name,
                item_name_nl: p.item_name_nl,
                item_name_en: p.item_name_en,
                price_cents: p.price_cents,
                vat_rate_basis_points: u32::try_from(p.rate_bp).unwrap_or(0),
                min_quantity: i64::from(p.min_quantity),
                max_quantity: p.max_quantity.map(i64::from),
            })
        })
        .collect()
}

/// [`get`] pushed into a batch of reads (`orders::sale_reads`): the offer's row and its prices;
/// [`got`] reads them once it has run.
pub(crate) fn push_get(batch: &mut Batch, tenant: Tenant, id: OfferId) -> (usize, usize) {
    let org = tenant.id().0;
    (
        batch.push_rows(
            format!("{SELECT} AND id = $2"),
            vec![org.into(), id.0.into()],
        ),
        batch.push_rows(PRICES, vec![org.into(), id.0.into()]),
    )
}

/// The offer [`push_get`] read, if it exists.
pub(crate) fn got(ran: &Ran, (row, prices): (usize, usize)) -> Result<Option<Offer>> {
    let Some(r) = ran.rows::<Row>(row)?.into_iter().next() else {
        return Ok(None);
    };
    offer_of(r, prices_of(ran.rows(prices)?)).map(Some)
}

async fn offer(tx: &mut Tx, tenant: Tenant, r: Row) -> Result<Offer> {
    let prices = prices(tx, tenant, r.id).await?;
    offer_of(r, prices)
}

fn offer_of(r: Row, prices: Vec<OfferPrice>) -> Result<Offer> {
    let texts: Texts = serde_json::from_str(&r.texts_json)
        .map_err(|e| StoreError::Other(format!("offer texts: {e}")))?;
    let schedule: StoredSchedule = serde_json::from_str(&r.schedule_json)
        .map_err(|e| StoreError::Other(format!("offer schedule: {e}")))?;
    let collection = CollectionMode::from_parts(
        &r.collection_mode,
        r.deposit_bp.map(i64::from),
        r.deposit_cents,
    );
    let (bp, cents) = collection.deposit_parts();
    Ok(Offer {
        id: OfferId(r.id),
        group_id: r.group_id.map(GroupId),
        kind: OfferKind::parse(&r.kind).unwrap_or(OfferKind::Activity),
        texts,
        sale_pos: r.sale_pos,
        sale_online: r.sale_online,
        one_ticket_per_order: r.one_ticket_per_order,
        duration_minutes: r.duration_minutes.map(i64::from),
        difficulty: r.difficulty,
        location: r.location,
        capacity: r.capacity,
        online_cutoff_hours: i64::from(r.online_cutoff_hours),
        pos_cutoff_hours: i64::from(r.pos_cutoff_hours),
        late_entry_minutes: i64::from(r.late_entry_minutes),
        published_from: r.published_from,
        published_to: r.published_to,
        prices,
        schedule,
        follows_calendar: r
            .follows_calendar
            .as_deref()
            .and_then(guichet_domain::calendar::Audience::parse),
        collection_mode: collection.kind(),
        deposit_percent: bp.map(|b| b / 100),
        deposit_cents: cents,
        cancel_free_hours: r.cancel_free_hours.map(i64::from),
        archived: r.archived_at.is_some(),
    })
}

pub async fn list(tx: &mut Tx, tenant: Tenant) -> Result<Vec<Offer>> {
    let sql = format!("{SELECT} ORDER BY archived_at IS NOT NULL, name, id");
    let rows: Vec<Row> = on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(tenant.id().0)
        .fetch_all(c)
        .await?);
    let mut out = Vec::new();
    for r in rows {
        out.push(offer(tx, tenant, r).await?);
    }
    Ok(out)
}

pub async fn get(tx: &mut Tx, tenant: Tenant, id: OfferId) -> Result<Offer> {
    let sql = format!("{SELECT} AND id = $2");
    let row: Option<Row> = on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(tenant.id().0)
        .bind(id.0)
        .fetch_optional(c)
        .await?);
    match row {
        Some(r) => offer(tx, tenant, r).await,
        None => Err(StoreError::NotFound),
    }
}

/// Resolves price lines to the tenant's active ticket types and extras; an unknown or
/// repeated item is refused with the index of its line.
async fn resolve_prices(
    tx: &mut Tx,
    tenant: Tenant,
    d: &OfferDetails,
) -> Result<Vec<(ItemKind, Uuid)>> {
    let mut seen = Vec::new();
    for (i, p) in d.prices.iter().enumerate() {
        let id: Option<Uuid> = p.item_id.parse().ok();
        let mut found = None;
        if let Some(id) = id {
            for kind in [ItemKind::TicketType, ItemKind::Extra] {
                match items::get(tx, tenant, kind, ItemId(id)).await {
                    Ok(item) if !item.archived => found = Some((kind, id)),
                    Ok(_) | Err(StoreError::NotFound) => {}
                    Err(e) => return Err(e),
                }
            }
        }
        let Some(f) = found else {
            return Err(StoreError::Invalid(
                format!("prices.{i}.item_id"),
                "unknown_item",
            ));
        };
        if seen.contains(&f) {
            return Err(StoreError::Invalid(
                format!("prices.{i}.item_id"),
                "duplicate_item",
            ));
        }
        seen.push(f);
    }
    Ok(seen)
}

async fn check_group(tx: &mut Tx, tenant: Tenant, d: &OfferDetails) -> Result<Option<GroupId>> {
    let Some(raw) = &d.group_id else {
        return Ok(None);
    };
    let id = raw
        .parse::<Uuid>()
        .map(GroupId)
        .map_err(|_| StoreError::Invalid("group_id".into(), "unknown_group"))?;
    match groups::get(tx, tenant, GroupKind::Offer, id).await {
        Ok(_) => Ok(Some(id)),
        Err(StoreError::NotFound) => Err(StoreError::Invalid("group_id".into(), "unknown_group")),
        Err(e) => Err(e),
    }
}

async fn write_prices(
    tx: &mut Tx,
    tenant: Tenant,
    offer: OfferId,
    d: &OfferDetails,
    resolved: &[(ItemKind, Uuid)],
) -> Result<()> {
    on_tx!(tx, c => sqlx::query("DELETE FROM offer_prices WHERE organization_id = $1 AND offer_id = $2")
        .bind(tenant.id().0)
        .bind(offer.0)
        .execute(c)
        .await?
        .rows_affected());
    for (i, (p, (kind, item))) in d.prices.iter().zip(resolved).enumerate() {
        let (ticket, extra) = match kind {
            ItemKind::TicketType => (Some(*item), None),
            ItemKind::Extra => (None, Some(*item)),
        };
        on_tx!(tx, c => sqlx::query(
            "INSERT INTO offer_prices (id, organization_id, offer_id, ticket_type_id, extra_id, price_cents, min_quantity, max_quantity, position)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
            .bind(Uuid::now_v7())
            .bind(tenant.id().0)
            .bind(offer.0)
            .bind(ticket)
            .bind(extra)
            .bind(p.price_cents)
            .bind(i32::try_from(p.min_quantity).unwrap_or(i32::MAX))
            .bind(p.max_quantity.and_then(|m| i32::try_from(m).ok()))
            .bind(i32::try_from(i).unwrap_or(i32::MAX))
            .execute(c)
            .await?
            .rows_affected());
    }
    Ok(())
}

fn json<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Other(e.to_string()))
}

pub async fn save(
    tx: &mut Tx,
    tenant: Tenant,
    id: Option<OfferId>,
    d: &OfferDetails,
) -> Result<Offer> {
    if let Some(id) = id {
        get(tx, tenant, id).await?;
    }
    let group = check_group(tx, tenant, d).await?;
    let resolved = resolve_prices(tx, tenant, d).await?;
    let texts = json(&Texts {
        fr: d.fr.clone(),
        nl: d.nl.clone(),
        en: d.en.clone(),
    })?;
    let schedule = json(&StoredSchedule::from_schedule(&d.schedule))?;
    let from = d.published_from.map(|x| x.to_string());
    let to = d.published_to.map(|x| x.to_string());
    let duration = d.duration_minutes.and_then(|m| i32::try_from(m).ok());
    let online = i32::try_from(d.online_cutoff_hours).unwrap_or(i32::MAX);
    let pos = i32::try_from(d.pos_cutoff_hours).unwrap_or(i32::MAX);
    let late = i32::try_from(d.late_entry_minutes).unwrap_or(0);
    let follows = d.follows.map(|a| a.as_str());
    let (deposit_bp, deposit_cents) = d.collection.deposit_parts();
    let deposit_bp = deposit_bp.and_then(|b| i32::try_from(b).ok());
    let cancel = d.cancel_free_hours.and_then(|h| i32::try_from(h).ok());
    let mode = d.collection.kind().as_str();
    let id = match id {
        Some(id) => {
            on_tx!(tx, c => sqlx::query(
                "UPDATE offers SET group_id = $3, kind = $4, name = $5, texts_json = $6, sale_pos = $7, sale_online = $8,
                 duration_minutes = $9, difficulty = $10, location = $11, capacity = $12, online_cutoff_hours = $13,
                 pos_cutoff_hours = $14, published_from = $15, published_to = $16, schedule_json = $17,
                 follows_calendar = $18, one_ticket_per_order = $19, collection_mode = $20, deposit_bp = $21,
                 deposit_cents = $22, cancel_free_hours = $23, late_entry_minutes = $24
                 WHERE organization_id = $1 AND id = $2")
                .bind(tenant.id().0).bind(id.0).bind(group.map(|g| g.0)).bind(d.kind.as_str()).bind(&d.fr.name)
                .bind(&texts).bind(d.sale_pos).bind(d.sale_online).bind(duration).bind(&d.difficulty).bind(&d.location)
                .bind(d.capacity).bind(online).bind(pos).bind(&from).bind(&to).bind(&schedule).bind(follows)
                .bind(d.one_ticket_per_order).bind(mode).bind(deposit_bp).bind(deposit_cents).bind(cancel).bind(late)
                .execute(c).await?.rows_affected());
            id
        }
        None => {
            let id = OfferId(Uuid::now_v7());
            on_tx!(tx, c => sqlx::query(
                "INSERT INTO offers (id, organization_id, group_id, kind, name, texts_json, sale_pos, sale_online, duration_minutes,
                 difficulty, location, capacity, online_cutoff_hours, pos_cutoff_hours, published_from, published_to, schedule_json,
                 follows_calendar, created_at, one_ticket_per_order, collection_mode, deposit_bp, deposit_cents, cancel_free_hours,
                 late_entry_minutes)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25)")
                .bind(id.0).bind(tenant.id().0).bind(group.map(|g| g.0)).bind(d.kind.as_str()).bind(&d.fr.name)
                .bind(&texts).bind(d.sale_pos).bind(d.sale_online).bind(duration).bind(&d.difficulty).bind(&d.location)
                .bind(d.capacity).bind(online).bind(pos).bind(&from).bind(&to).bind(&schedule).bind(follows).bind(now_micros())
                .bind(d.one_ticket_per_order).bind(mode).bind(deposit_bp).bind(deposit_cents).bind(cancel).bind(late)
                .execute(c).await?.rows_affected());
            id
        }
    };
    write_prices(tx, tenant, id, d, &resolved).await?;
    get(tx, tenant, id).await
}

pub async fn set_archived(
    tx: &mut Tx,
    tenant: Tenant,
    id: OfferId,
    archived: bool,
) -> Result<Offer> {
    get(tx, tenant, id).await?;
    on_tx!(tx, c => sqlx::query("UPDATE offers SET archived_at = $3 WHERE organization_id = $1 AND id = $2")
        .bind(tenant.id().0)
        .bind(id.0)
        .bind(archived.then(now_micros))
        .execute(c)
        .await?
        .rows_affected());
    get(tx, tenant, id).await
}

/// An offer photo (without its bytes).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Photo {
    pub id: Uuid,
    pub caption: String,
    pub mime: String,
    pub width: i32,
    pub height: i32,
    /// Where the picture and its thumbnail are served.
    pub url: String,
    pub thumbnail_url: String,
}

#[derive(sqlx::FromRow)]
struct PhotoRow {
    id: Uuid,
    caption: String,
    mime: String,
    width: i32,
    height: i32,
}

impl From<PhotoRow> for Photo {
    fn from(r: PhotoRow) -> Self {
        Photo {
            url: format!("/media/photos/{}", r.id),
            thumbnail_url: format!("/media/photos/{}/thumbnail", r.id),
            id: r.id,
            caption: r.caption,
            mime: r.mime,
            width: r.width,
            height: r.height,
        }
    }
}

pub async fn photos(tx: &mut Tx, tenant: Tenant, offer: OfferId) -> Result<Vec<Photo>> {
    get(tx, tenant, offer).await?;
    let rows: Vec<PhotoRow> = on_tx!(tx, c => sqlx::query_as(
        "SELECT id, caption, mime, width, height FROM offer_photos WHERE organization_id = $1 AND offer_id = $2 ORDER BY position, id")
        .bind(tenant.id().0)
        .bind(offer.0)
        .fetch_all(c)
        .await?);
    Ok(rows.into_iter().map(Photo::from).collect())
}

/// A checked picture to store with an offer.
pub struct NewPhoto<'a> {
    pub caption: &'a str,
    pub mime: &'a str,
    pub width: u32,
    pub height: u32,
    pub data: &'a [u8],
    pub thumbnail: &'a [u8],
}

pub async fn add_photo(
    tx: &mut Tx,
    tenant: Tenant,
    offer: OfferId,
    p: &NewPhoto<'_>,
) -> Result<Photo> {
    let existing = photos(tx, tenant, offer).await?;
    let id = Uuid::now_v7();
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO offer_photos (id, organization_id, offer_id, caption, mime, width, height, data, thumbnail, position, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
        .bind(id)
        .bind(tenant.id().0)
        .bind(offer.0)
        .bind(p.caption)
        .bind(p.mime)
        .bind(i32::try_from(p.width).unwrap_or(i32::MAX))
        .bind(i32::try_from(p.height).unwrap_or(i32::MAX))
        .bind(p.data)
        .bind(p.thumbnail)
        .bind(i32::try_from(existing.len()).unwrap_or(i32::MAX))
        .bind(now_micros())
        .execute(c)
        .await?
        .rows_affected());
    photos(tx, tenant, offer)
        .await?
        .into_iter()
        .find(|x| x.id == id)
        .ok_or(StoreError::NotFound)
}

pub async fn delete_photo(tx: &mut Tx, tenant: Tenant, offer: OfferId, photo: Uuid) -> Result<()> {
    let n = on_tx!(tx, c => sqlx::query("DELETE FROM offer_photos WHERE organization_id = $1 AND offer_id = $2 AND id = $3")
        .bind(tenant.id().0)
        .bind(offer.0)
        .bind(photo)
        .execute(c)
        .await?
        .rows_affected());
    if n == 1 {
        Ok(())
    } else {
        Err(StoreError::NotFound)
    }
}

/// The bytes of a photo or its thumbnail, by id alone: pictures are published on booking
/// pages, and their ids are random UUIDv7.
pub async fn photo_bytes(tx: &mut Tx, id: Uuid, thumbnail: bool) -> Result<(String, Vec<u8>)> {
    let sql = if thumbnail {
        "SELECT 'image/jpeg' AS mime, thumbnail AS data FROM offer_photos WHERE id = $1"
    } else {
        "SELECT mime, data FROM offer_photos WHERE id = $1"
    };
    let row: Option<(String, Vec<u8>)> =
        on_tx!(tx, c => sqlx::query_as(sql).bind(id).fetch_optional(c).await?);
    row.ok_or(StoreError::NotFound)
}
