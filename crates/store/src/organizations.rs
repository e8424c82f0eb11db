//! Organizations (tenants) and their details.

use crate::{Result, StoreError, Tenant, Tx, now_micros, on_tx};
use guichet_domain::OrganizationId;
use guichet_domain::org::{Address, Language, OrganizationDetails};
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Organization {
    pub id: OrganizationId,
    pub name: String,
    /// The organization's part of public addresses (`/book/{slug}/{module}`).
    pub slug: String,
    pub legal_name: Option<String>,
    pub vat_number: Option<String>,
    pub address: Address,
    pub currency: String,
    pub time_zone: String,
    pub default_language: Language,
    /// Microseconds since the Unix epoch, UTC.
    pub created_at: i64,
}

impl Organization {
    pub fn details(&self) -> OrganizationDetails {
        OrganizationDetails {
            name: self.name.clone(),
            slug: Some(self.slug.clone()),
            legal_name: self.legal_name.clone(),
            vat_number: self.vat_number.clone(),
            address: self.address.clone(),
            currency: self.currency.clone(),
            time_zone: self.time_zone.clone(),
            default_language: self.default_language,
        }
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    name: String,
    slug: Option<String>,
    legal_name: Option<String>,
    vat_number: Option<String>,
    street: Option<String>,
    postal_code: Option<String>,
    city: Option<String>,
    country: Option<String>,
    currency: String,
    time_zone: String,
    default_language: String,
    created_at: i64,
}

impl From<Row> for Organization {
    fn from(r: Row) -> Self {
        Organization {
            // Every organization has a slug (migration 0034, then creation); the id is the
            // fallback should a row written by hand lack one.
            slug: r.slug.unwrap_or_else(|| r.id.simple().to_string()),
            id: OrganizationId(r.id),
            name: r.name,
            legal_name: r.legal_name,
            vat_number: r.vat_number,
            address: Address {
                street: r.street,
                postal_code: r.postal_code,
                city: r.city,
                country: r.country,
            },
            currency: r.currency,
            time_zone: r.time_zone,
            default_language: Language::parse(&r.default_language).unwrap_or_default(),
            created_at: r.created_at,
        }
    }
}

const SELECT: &str =
    "SELECT id, name, slug, legal_name, vat_number, street, postal_code, city, country,
    currency, time_zone, default_language, created_at FROM organizations";

/// Creates an organization; the caller (CLI, demo) becomes responsible for adding its
/// first admin.
pub async fn create(tx: &mut Tx, d: &OrganizationDetails) -> Result<Tenant> {
    let id = OrganizationId::new();
    let slug = match &d.slug {
        Some(s) => {
            ensure_unique_slug(tx, s, None).await?;
            s.clone()
        }
        None => {
            let base = guichet_domain::slug::from_name(&d.name).unwrap_or_else(|| "org".to_owned());
            free_slug(tx, &base).await?
        }
    };
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO organizations (id, name, slug, legal_name, vat_number, street, postal_code, city, country,
         currency, time_zone, default_language, created_at)
         VALUES ($1, $2, $13, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)")
        .bind(id.0)
        .bind(&d.name)
        .bind(&d.legal_name)
        .bind(&d.vat_number)
        .bind(&d.address.street)
        .bind(&d.address.postal_code)
        .bind(&d.address.city)
        .bind(&d.address.country)
        .bind(&d.currency)
        .bind(&d.time_zone)
        .bind(d.default_language.as_str())
        .bind(now_micros())
        .bind(&slug)
        .execute(c)
        .await
        .map_err(|e| StoreError::on_constraint(e, "slug"))?
        .rows_affected());
    Ok(Tenant(id))
}

/// No other organization may use `slug`.
async fn ensure_unique_slug(tx: &mut Tx, slug: &str, except: Option<OrganizationId>) -> Result<()> {
    let owner: Option<Uuid> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT id FROM organizations WHERE slug = $1")
        .bind(slug)
        .fetch_optional(c)
        .await?);
    match owner {
        Some(id) if Some(OrganizationId(id)) != except => Err(StoreError::Duplicate("slug")),
        _ => Ok(()),
    }
}

/// The first of `base`, `base-2`, `base-3`… that no organization uses.
async fn free_slug(tx: &mut Tx, base: &str) -> Result<String> {
    let pattern = format!("{base}%");
    let taken: Vec<Option<String>> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT slug FROM organizations WHERE slug LIKE $1")
        .bind(&pattern)
        .fetch_all(c)
        .await?);
    let taken: Vec<String> = taken.into_iter().flatten().collect();
    let mut slug = base.to_owned();
    let mut n = 1;
    while taken.contains(&slug) {
        n += 1;
        slug = guichet_domain::slug::with_suffix(base, n);
    }
    Ok(slug)
}

pub async fn get(tx: &mut Tx, tenant: Tenant) -> Result<Organization> {
    let sql = format!("{SELECT} WHERE id = $1");
    let row: Option<Row> = on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(tenant.id().0)
        .fetch_optional(c)
        .await?);
    row.map(Organization::from).ok_or(StoreError::NotFound)
}

/// [`get`] pushed into a batch of reads (`orders::sale_reads`); [`got`] reads it.
pub(crate) fn push_get(batch: &mut crate::batch::Batch, tenant: Tenant) -> usize {
    batch.push_rows(
        format!("{SELECT} WHERE id = $1"),
        vec![tenant.id().0.into()],
    )
}

/// The organization [`push_get`] read.
pub(crate) fn got(ran: &crate::batch::Ran, i: usize) -> Result<Organization> {
    ran.rows::<Row>(i)?
        .into_iter()
        .next()
        .map(Organization::from)
        .ok_or(StoreError::NotFound)
}

/// The organization whose public slug this is (the visitor's booking page address names it).
pub async fn tenant_by_slug(tx: &mut Tx, slug: &str) -> Result<Tenant> {
    let id: Option<Uuid> = on_tx!(tx, c => sqlx::query_scalar("SELECT id FROM organizations WHERE slug = $1")
        .bind(slug).fetch_optional(c).await?);
    id.map(|id| Tenant(OrganizationId(id)))
        .ok_or(StoreError::NotFound)
}

pub async fn update(tx: &mut Tx, tenant: Tenant, d: &OrganizationDetails) -> Result<()> {
    if let Some(slug) = &d.slug {
        ensure_unique_slug(tx, slug, Some(tenant.id())).await?;
    }
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE organizations SET name = $2, legal_name = $3, vat_number = $4, street = $5,
         postal_code = $6, city = $7, country = $8, currency = $9, time_zone = $10, default_language = $11,
         slug = COALESCE($12, slug)
         WHERE id = $1")
        .bind(tenant.id().0)
        .bind(&d.name)
        .bind(&d.legal_name)
        .bind(&d.vat_number)
        .bind(&d.address.street)
        .bind(&d.address.postal_code)
        .bind(&d.address.city)
        .bind(&d.address.country)
        .bind(&d.currency)
        .bind(&d.time_zone)
        .bind(d.default_language.as_str())
        .bind(&d.slug)
        .execute(c)
        .await
        .map_err(|e| StoreError::on_constraint(e, "slug"))?
        .rows_affected());
    if n == 1 {
        Ok(())
    } else {
        Err(StoreError::NotFound)
    }
}

/// Every organization of the installation, for the operator's CLI.
pub async fn list_all(tx: &mut Tx) -> Result<Vec<Organization>> {
    let sql = format!("{SELECT} ORDER BY name, id");
    let rows: Vec<Row> = on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
        .fetch_all(c)
        .await?);
    Ok(rows.into_iter().map(Organization::from).collect())
}

/// Finds an organization by id or by exact name, for the operator's CLI.
pub async fn find_for_operator(tx: &mut Tx, id_or_name: &str) -> Result<Organization> {
    let all = list_all(tx).await?;
    let by_id = id_or_name.parse::<Uuid>().ok();
    let matches: Vec<Organization> = all
        .into_iter()
        .filter(|o| Some(o.id.0) == by_id || o.name == id_or_name)
        .collect();
    match matches.len() {
        1 => matches.into_iter().next().ok_or(StoreError::NotFound),
        0 => Err(StoreError::NotFound),
        _ => Err(StoreError::Refused("ambiguous_organization_name")),
    }
}

pub async fn count(tx: &mut Tx) -> Result<i64> {
    Ok(
        on_tx!(tx, c => sqlx::query_scalar("SELECT COUNT(*) FROM organizations")
        .fetch_one(c)
        .await?),
    )
}

/// The organization's calendar for an audience (empty until set).
pub async fn calendar(
    tx: &mut Tx,
    tenant: Tenant,
    audience: guichet_domain::calendar::Audience,
) -> Result<guichet_domain::calendar::CalendarInput> {
    let json: Option<String> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT calendar_json FROM calendars WHERE organization_id = $1 AND audience = $2")
        .bind(tenant.id().0)
        .bind(audience.as_str())
        .fetch_optional(c)
        .await?);
    match json {
        Some(j) => {
            serde_json::from_str(&j).map_err(|e| StoreError::Other(format!("calendar: {e}")))
        }
        None => Ok(Default::default()),
    }
}

/// Replaces the calendar of an audience (written from a parsed calendar, in canonical form).
pub async fn set_calendar(
    tx: &mut Tx,
    tenant: Tenant,
    audience: guichet_domain::calendar::Audience,
    c: &guichet_domain::calendar::Calendar,
) -> Result<()> {
    let json =
        serde_json::to_string(&c.to_input()).map_err(|e| StoreError::Other(e.to_string()))?;
    on_tx!(tx, conn => sqlx::query(
        "INSERT INTO calendars (organization_id, audience, calendar_json, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (organization_id, audience) DO UPDATE SET calendar_json = excluded.calendar_json, updated_at = excluded.updated_at")
        .bind(tenant.id().0)
        .bind(audience.as_str())
        .bind(json)
        .bind(now_micros())
        .execute(conn)
        .await?
        .rows_affected());
    Ok(())
}
