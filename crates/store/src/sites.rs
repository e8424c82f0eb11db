//! Sites: the physical locations of an organization (the seeds' "Adresse de caisse").

use crate::{Result, StoreError, Tenant, Tx, now_micros, on_tx};
use guichet_domain::SiteId;
use guichet_domain::org::{Address, SiteDetails};
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Site {
    pub id: SiteId,
    pub name: String,
    pub address: Address,
    pub archived: bool,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    name: String,
    street: Option<String>,
    postal_code: Option<String>,
    city: Option<String>,
    country: Option<String>,
    archived_at: Option<i64>,
}

impl From<Row> for Site {
    fn from(r: Row) -> Self {
        Site {
            id: SiteId(r.id),
            name: r.name,
            address: Address {
                street: r.street,
                postal_code: r.postal_code,
                city: r.city,
                country: r.country,
            },
            archived: r.archived_at.is_some(),
        }
    }
}

pub async fn create(tx: &mut Tx, tenant: Tenant, d: &SiteDetails) -> Result<Site> {
    let id = SiteId::new();
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO sites (id, organization_id, name, street, postal_code, city, country, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(id.0)
        .bind(tenant.id().0)
        .bind(&d.name)
        .bind(&d.address.street)
        .bind(&d.address.postal_code)
        .bind(&d.address.city)
        .bind(&d.address.country)
        .bind(now_micros())
        .execute(c)
        .await?.rows_affected());
    get(tx, tenant, id).await
}

pub async fn list(tx: &mut Tx, tenant: Tenant) -> Result<Vec<Site>> {
    let rows: Vec<Row> = on_tx!(tx, c => sqlx::query_as(
        "SELECT id, name, street, postal_code, city, country, archived_at FROM sites
         WHERE organization_id = $1 ORDER BY archived_at IS NOT NULL, name, id")
        .bind(tenant.id().0)
        .fetch_all(c)
        .await?);
    Ok(rows.into_iter().map(Site::from).collect())
}

pub async fn get(tx: &mut Tx, tenant: Tenant, id: SiteId) -> Result<Site> {
    let row: Option<Row> = on_tx!(tx, c => sqlx::query_as(
        "SELECT id, name, street, postal_code, city, country, archived_at FROM sites
         WHERE organization_id = $1 AND id = $2")
        .bind(tenant.id().0)
        .bind(id.0)
        .fetch_optional(c)
        .await?);
    row.map(Site::from).ok_or(StoreError::NotFound)
}

pub async fn update(tx: &mut Tx, tenant: Tenant, id: SiteId, d: &SiteDetails) -> Result<Site> {
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE sites SET name = $3, street = $4, postal_code = $5, city = $6, country = $7
         WHERE organization_id = $1 AND id = $2")
        .bind(tenant.id().0)
        .bind(id.0)
        .bind(&d.name)
        .bind(&d.address.street)
        .bind(&d.address.postal_code)
        .bind(&d.address.city)
        .bind(&d.address.country)
        .execute(c)
        .await?
        .rows_affected());
    if n != 1 {
        return Err(StoreError::NotFound);
    }
    get(tx, tenant, id).await
}

/// Archives or restores a site. A site with active registers cannot be archived.
pub async fn set_archived(tx: &mut Tx, tenant: Tenant, id: SiteId, archived: bool) -> Result<Site> {
    if archived {
        let active: i64 = on_tx!(tx, c => sqlx::query_scalar(
            "SELECT COUNT(*) FROM registers WHERE organization_id = $1 AND site_id = $2 AND archived_at IS NULL")
            .bind(tenant.id().0)
            .bind(id.0)
            .fetch_one(c)
            .await?);
        if active > 0 {
            return Err(StoreError::Refused("site_has_active_registers"));
        }
    }
    let at = archived.then(now_micros);
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE sites SET archived_at = $3 WHERE organization_id = $1 AND id = $2")
        .bind(tenant.id().0)
        .bind(id.0)
        .bind(at)
        .execute(c)
        .await?
        .rows_affected());
    if n != 1 {
        return Err(StoreError::NotFound);
    }
    get(tx, tenant, id).await
}
