//! Online booking modules (issue 16 §1): their settings, per organization, and the public
//! lookup by the slugs of `/book/{organization}/{module}`.

use crate::{Result, StoreError, Tenant, Tx, now_micros, on_tx};
use guichet_domain::booking_module::{
    BookingFields, ModuleColors, ModuleDetails, ModuleKind, ModuleLanguage, slug_with_suffix,
    slugify,
};
use guichet_domain::{BookingModuleId, OfferId, OrganizationId};
use serde::Serialize;
use uuid::Uuid;

/// A booking module as the back office and the API show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BookingModule {
    pub id: BookingModuleId,
    /// The module's part of its public address `/book/{organization}/{slug}`.
    pub slug: String,
    pub name: String,
    pub kind: ModuleKind,
    /// The one offer shown; `null`: every offer sold online.
    pub offer_id: Option<OfferId>,
    pub language: ModuleLanguage,
    /// Where the visitor goes after the purchase; `null`: the flow's own confirmation.
    pub return_url: Option<String>,
    pub fields: BookingFields,
    pub colors: ModuleColors,
    /// Web-analytics measurement id, loaded by the flow only when set.
    pub analytics_id: Option<String>,
    /// Host names allowed to frame the flow (besides Guichet itself).
    pub frame_domains: Vec<String>,
    pub archived: bool,
    /// Microseconds since the Unix epoch, UTC.
    pub created_at: i64,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    slug: String,
    name: String,
    kind: String,
    offer_id: Option<Uuid>,
    language: String,
    return_url: Option<String>,
    required_fields: String,
    primary_color: String,
    background_color: String,
    text_color: String,
    analytics_id: Option<String>,
    frame_domains: String,
    archived_at: Option<i64>,
    created_at: i64,
}

impl From<Row> for BookingModule {
    fn from(r: Row) -> Self {
        BookingModule {
            id: BookingModuleId(r.id),
            slug: r.slug,
            name: r.name,
            kind: ModuleKind::parse(&r.kind).unwrap_or(ModuleKind::Engine),
            offer_id: r.offer_id.map(OfferId),
            language: ModuleLanguage::parse(&r.language).unwrap_or(ModuleLanguage::Browser),
            return_url: r.return_url,
            fields: BookingFields::from_stored(&r.required_fields),
            colors: ModuleColors {
                primary: r.primary_color,
                background: r.background_color,
                text: r.text_color,
            },
            analytics_id: r.analytics_id,
            frame_domains: r
                .frame_domains
                .split_whitespace()
                .map(str::to_owned)
                .collect(),
            archived: r.archived_at.is_some(),
            created_at: r.created_at,
        }
    }
}

const COLUMNS: &str = "id, slug, name, kind, offer_id, language, return_url, required_fields,
    primary_color, background_color, text_color, analytics_id, frame_domains, archived_at,
    created_at";

/// The offer must belong to the tenant and not be archived.
async fn check_offer(tx: &mut Tx, tenant: Tenant, offer: Option<OfferId>) -> Result<()> {
    let Some(offer) = offer else { return Ok(()) };
    match crate::offers::get(tx, tenant, offer).await {
        Ok(o) if !o.archived => Ok(()),
        Ok(_) => Err(StoreError::Invalid("offer_id".into(), "offer_archived")),
        Err(StoreError::NotFound) => Err(StoreError::Invalid("offer_id".into(), "unknown_offer")),
        Err(e) => Err(e),
    }
}

/// Names are unique per organization, whatever their case; slugs too.
async fn ensure_unique(
    tx: &mut Tx,
    tenant: Tenant,
    name: &str,
    slug: &str,
    except: Option<BookingModuleId>,
) -> Result<()> {
    let others: Vec<(Uuid, String, String)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT id, name, slug FROM booking_modules WHERE organization_id = $1")
        .bind(tenant.id().0)
        .fetch_all(c)
        .await?);
    let others = others
        .into_iter()
        .filter(|(id, _, _)| Some(BookingModuleId(*id)) != except);
    for (_, other_name, other_slug) in others {
        if guichet_domain::text::same_text(&other_name, name) {
            return Err(StoreError::Duplicate("name"));
        }
        if other_slug == slug {
            return Err(StoreError::Duplicate("slug"));
        }
    }
    Ok(())
}

/// The first of `base`, `base-2`, `base-3`… that no other module of the tenant uses.
async fn free_slug(tx: &mut Tx, tenant: Tenant, base: &str) -> Result<String> {
    let taken: Vec<String> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT slug FROM booking_modules WHERE organization_id = $1")
        .bind(tenant.id().0)
        .fetch_all(c)
        .await?);
    let mut slug = base.to_owned();
    let mut n = 1;
    while taken.contains(&slug) {
        n += 1;
        slug = slug_with_suffix(base, n);
    }
    Ok(slug)
}

pub async fn create(tx: &mut Tx, tenant: Tenant, d: &ModuleDetails) -> Result<BookingModule> {
    check_offer(tx, tenant, d.offer).await?;
    let slug = match &d.slug {
        Some(s) => s.clone(),
        None => {
            let base = slugify(&d.name).unwrap_or_else(|| "module".to_owned());
            free_slug(tx, tenant, &base).await?
        }
    };
    ensure_unique(tx, tenant, &d.name, &slug, None).await?;
    let id = BookingModuleId::new();
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO booking_modules (id, organization_id, slug, name, kind, offer_id, language,
         return_url, required_fields, primary_color, background_color, text_color, analytics_id,
         frame_domains, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)")
        .bind(id.0)
        .bind(tenant.id().0)
        .bind(&slug)
        .bind(&d.name)
        .bind(d.kind.as_str())
        .bind(d.offer.map(|o| o.0))
        .bind(d.language.as_str())
        .bind(&d.return_url)
        .bind(d.fields.to_stored())
        .bind(&d.colors.primary)
        .bind(&d.colors.background)
        .bind(&d.colors.text)
        .bind(&d.analytics_id)
        .bind(d.frame_domains.join(" "))
        .bind(now_micros())
        .execute(c)
        .await
        .map_err(|e| StoreError::on_constraint(e, "slug"))?
        .rows_affected());
    get(tx, tenant, id).await
}

/// A page of the tenant's modules in creation order (ids are time-ordered), after `after`.
pub async fn list_page(
    tx: &mut Tx,
    tenant: Tenant,
    after: Option<BookingModuleId>,
    fetch: i64,
) -> Result<Vec<BookingModule>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM booking_modules WHERE organization_id = $1 AND id > $2
         ORDER BY id LIMIT $3"
    );
    let rows: Vec<Row> = on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(tenant.id().0)
        .bind(after.map(|a| a.0).unwrap_or(Uuid::nil()))
        .bind(fetch)
        .fetch_all(c)
        .await?);
    Ok(rows.into_iter().map(BookingModule::from).collect())
}

/// Every module of the tenant, active ones first, by name (the back office's list).
pub async fn list(tx: &mut Tx, tenant: Tenant) -> Result<Vec<BookingModule>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM booking_modules WHERE organization_id = $1
         ORDER BY archived_at IS NOT NULL, name, id"
    );
    let rows: Vec<Row> = on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(tenant.id().0)
        .fetch_all(c)
        .await?);
    Ok(rows.into_iter().map(BookingModule::from).collect())
}

pub async fn get(tx: &mut Tx, tenant: Tenant, id: BookingModuleId) -> Result<BookingModule> {
    let sql =
        format!("SELECT {COLUMNS} FROM booking_modules WHERE organization_id = $1 AND id = $2");
    let row: Option<Row> = on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(tenant.id().0)
        .bind(id.0)
        .fetch_optional(c)
        .await?);
    row.map(BookingModule::from).ok_or(StoreError::NotFound)
}

pub async fn update(
    tx: &mut Tx,
    tenant: Tenant,
    id: BookingModuleId,
    d: &ModuleDetails,
) -> Result<BookingModule> {
    let current = get(tx, tenant, id).await?;
    if current.offer_id != d.offer {
        check_offer(tx, tenant, d.offer).await?;
    }
    let slug = d.slug.clone().unwrap_or(current.slug);
    ensure_unique(tx, tenant, &d.name, &slug, Some(id)).await?;
    on_tx!(tx, c => sqlx::query(
        "UPDATE booking_modules SET slug = $3, name = $4, kind = $5, offer_id = $6, language = $7,
         return_url = $8, required_fields = $9, primary_color = $10, background_color = $11,
         text_color = $12, analytics_id = $13, frame_domains = $14
         WHERE organization_id = $1 AND id = $2")
        .bind(tenant.id().0)
        .bind(id.0)
        .bind(&slug)
        .bind(&d.name)
        .bind(d.kind.as_str())
        .bind(d.offer.map(|o| o.0))
        .bind(d.language.as_str())
        .bind(&d.return_url)
        .bind(d.fields.to_stored())
        .bind(&d.colors.primary)
        .bind(&d.colors.background)
        .bind(&d.colors.text)
        .bind(&d.analytics_id)
        .bind(d.frame_domains.join(" "))
        .execute(c)
        .await
        .map_err(|e| StoreError::on_constraint(e, "slug"))?
        .rows_affected());
    get(tx, tenant, id).await
}

pub async fn set_archived(
    tx: &mut Tx,
    tenant: Tenant,
    id: BookingModuleId,
    archived: bool,
) -> Result<BookingModule> {
    get(tx, tenant, id).await?;
    on_tx!(tx, c => sqlx::query(
        "UPDATE booking_modules SET archived_at = $3 WHERE organization_id = $1 AND id = $2")
        .bind(tenant.id().0)
        .bind(id.0)
        .bind(archived.then(now_micros))
        .execute(c)
        .await?
        .rows_affected());
    get(tx, tenant, id).await
}

/// The organization (as the tenant the flow then acts in) and the active module behind a
/// public address, with no tenant known beforehand (the booking flow's visitors are nobody's
/// members). Archived modules and
/// unknown slugs are not found alike.
pub async fn find_public(
    tx: &mut Tx,
    org_slug: &str,
    module_slug: &str,
) -> Result<(Tenant, BookingModule)> {
    let sql = format!(
        "SELECT m.organization_id, {} FROM booking_modules m
         JOIN organizations o ON o.id = m.organization_id
         WHERE o.slug = $1 AND m.slug = $2 AND m.archived_at IS NULL",
        COLUMNS
            .split(',')
            .map(|c| format!("m.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ")
    );
    #[derive(sqlx::FromRow)]
    struct Found {
        organization_id: Uuid,
        #[sqlx(flatten)]
        module: Row,
    }
    let row: Option<Found> = on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(org_slug)
        .bind(module_slug)
        .fetch_optional(c)
        .await?);
    row.map(|f| (Tenant(OrganizationId(f.organization_id)), f.module.into()))
        .ok_or(StoreError::NotFound)
}
