//! Registers (tills): per site, kind counter or phone. Selling comes with a later issue.

use crate::{Result, StoreError, Tenant, Tx, now_micros, on_tx};
use guichet_domain::org::{Address, RegisterDetails, RegisterKind};
use guichet_domain::{RegisterId, SiteId};
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Register {
    pub id: RegisterId,
    pub site_id: SiteId,
    pub site_name: String,
    pub name: String,
    pub kind: RegisterKind,
    /// Only set when the register is not at its site's address.
    pub address: Address,
    pub archived: bool,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    site_id: Uuid,
    site_name: String,
    name: String,
    kind: String,
    street: Option<String>,
    postal_code: Option<String>,
    city: Option<String>,
    country: Option<String>,
    archived_at: Option<i64>,
}

impl From<Row> for Register {
    fn from(r: Row) -> Self {
        Register {
            id: RegisterId(r.id),
            site_id: SiteId(r.site_id),
            site_name: r.site_name,
            name: r.name,
            kind: RegisterKind::parse(&r.kind).unwrap_or(RegisterKind::Counter),
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

const SELECT: &str =
    "SELECT r.id, r.site_id, s.name AS site_name, r.name, r.kind, r.street, r.postal_code,
    r.city, r.country, r.archived_at FROM registers r JOIN sites s ON s.id = r.site_id
    WHERE r.organization_id = $1";

/// The site must belong to the tenant and be active.
async fn check_site(tx: &mut Tx, tenant: Tenant, site: SiteId) -> Result<()> {
    match crate::sites::get(tx, tenant, site).await {
        Ok(s) if !s.archived => Ok(()),
        Ok(_) => Err(StoreError::Refused("site_archived")),
        Err(StoreError::NotFound) => Err(StoreError::Refused("unknown_site")),
        Err(e) => Err(e),
    }
}

async fn ensure_unique_name(
    tx: &mut Tx,
    tenant: Tenant,
    name: &str,
    except: Option<RegisterId>,
) -> Result<()> {
    let clash = list(tx, tenant).await?.into_iter().any(|r| {
        !r.archived && Some(r.id) != except && guichet_domain::text::same_text(&r.name, name)
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
    site: SiteId,
    d: &RegisterDetails,
) -> Result<Register> {
    check_site(tx, tenant, site).await?;
    ensure_unique_name(tx, tenant, &d.name, None).await?;
    let id = RegisterId::new();
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO registers (id, organization_id, site_id, name, kind, street, postal_code, city, country, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
        .bind(id.0)
        .bind(tenant.id().0)
        .bind(site.0)
        .bind(&d.name)
        .bind(d.kind.as_str())
        .bind(&d.address.street)
        .bind(&d.address.postal_code)
        .bind(&d.address.city)
        .bind(&d.address.country)
        .bind(now_micros())
        .execute(c)
        .await?.rows_affected());
    get(tx, tenant, id).await
}

pub async fn list(tx: &mut Tx, tenant: Tenant) -> Result<Vec<Register>> {
    let sql = format!("{SELECT} ORDER BY r.archived_at IS NOT NULL, s.name, r.name, r.id");
    let rows: Vec<Row> = on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(tenant.id().0)
        .fetch_all(c)
        .await?);
    Ok(rows.into_iter().map(Register::from).collect())
}

pub async fn get(tx: &mut Tx, tenant: Tenant, id: RegisterId) -> Result<Register> {
    let sql = format!("{SELECT} AND r.id = $2");
    let row: Option<Row> = on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(tenant.id().0)
        .bind(id.0)
        .fetch_optional(c)
        .await?);
    row.map(Register::from).ok_or(StoreError::NotFound)
}

/// [`get`] pushed into a batch of reads (`orders::sale_reads`); [`got`] reads it.
pub(crate) fn push_get(batch: &mut crate::batch::Batch, tenant: Tenant, id: RegisterId) -> usize {
    batch.push_rows(
        format!("{SELECT} AND r.id = $2"),
        vec![tenant.id().0.into(), id.0.into()],
    )
}

/// The register [`push_get`] read, if it exists.
pub(crate) fn got(ran: &crate::batch::Ran, i: usize) -> Result<Option<Register>> {
    Ok(ran.rows::<Row>(i)?.into_iter().next().map(Register::from))
}

pub async fn update(
    tx: &mut Tx,
    tenant: Tenant,
    id: RegisterId,
    site: SiteId,
    d: &RegisterDetails,
) -> Result<Register> {
    let current = get(tx, tenant, id).await?;
    if current.site_id != site {
        check_site(tx, tenant, site).await?;
    }
    if !current.archived {
        ensure_unique_name(tx, tenant, &d.name, Some(id)).await?;
    }
    on_tx!(tx, c => sqlx::query(
        "UPDATE registers SET site_id = $3, name = $4, kind = $5, street = $6, postal_code = $7, city = $8, country = $9
         WHERE organization_id = $1 AND id = $2")
        .bind(tenant.id().0)
        .bind(id.0)
        .bind(site.0)
        .bind(&d.name)
        .bind(d.kind.as_str())
        .bind(&d.address.street)
        .bind(&d.address.postal_code)
        .bind(&d.address.city)
        .bind(&d.address.country)
        .execute(c)
        .await?.rows_affected());
    get(tx, tenant, id).await
}

pub async fn set_archived(
    tx: &mut Tx,
    tenant: Tenant,
    id: RegisterId,
    archived: bool,
) -> Result<Register> {
    let current = get(tx, tenant, id).await?;
    if !archived {
        check_site(tx, tenant, current.site_id).await?;
        ensure_unique_name(tx, tenant, &current.name, Some(id)).await?;
    }
    on_tx!(tx, c => sqlx::query("UPDATE registers SET archived_at = $3 WHERE organization_id = $1 AND id = $2")
        .bind(tenant.id().0)
        .bind(id.0)
        .bind(archived.then(now_micros))
        .execute(c)
        .await?.rows_affected());
    get(tx, tenant, id).await
}
