//! Customer spreadsheets being imported: the uploaded file, its column mapping and last dry
//! run's report (both JSON, shaped by the web services), and the outcome once imported.

use crate::{Result, StoreError, Tenant, Tx, now_micros, on_tx};
use guichet_domain::UserId;
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CustomerImport {
    pub id: Uuid,
    pub filename: String,
    pub content: Vec<u8>,
    pub mapping: String,
    pub update_existing: bool,
    pub report: Option<String>,
    pub created_at: i64,
    pub imported_at: Option<i64>,
    pub created_count: i64,
    pub updated_count: i64,
}

pub async fn create(
    tx: &mut Tx,
    tenant: Tenant,
    by: Option<UserId>,
    filename: &str,
    content: &[u8],
    mapping: &str,
    update_existing: bool,
) -> Result<Uuid> {
    let id = Uuid::now_v7();
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO customer_imports (id, organization_id, created_by, created_at, filename, content, mapping,
         update_existing) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(id)
        .bind(tenant.id().0)
        .bind(by.map(|u| u.0))
        .bind(now_micros())
        .bind(filename)
        .bind(content)
        .bind(mapping)
        .bind(update_existing)
        .execute(c)
        .await?
        .rows_affected());
    Ok(id)
}

pub async fn get(tx: &mut Tx, tenant: Tenant, id: Uuid) -> Result<CustomerImport> {
    let row: Option<CustomerImport> = on_tx!(tx, c => sqlx::query_as(
        "SELECT id, filename, content, mapping, update_existing, report, created_at, imported_at, created_count,
         updated_count FROM customer_imports WHERE organization_id = $1 AND id = $2")
        .bind(tenant.id().0)
        .bind(id)
        .fetch_optional(c)
        .await?);
    row.ok_or(StoreError::NotFound)
}

/// A new mapping and the dry run's report on it; refused once imported.
pub async fn set_report(
    tx: &mut Tx,
    tenant: Tenant,
    id: Uuid,
    mapping: &str,
    update_existing: bool,
    report: &str,
) -> Result<()> {
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE customer_imports SET mapping = $3, update_existing = $4, report = $5
         WHERE organization_id = $1 AND id = $2 AND imported_at IS NULL")
        .bind(tenant.id().0)
        .bind(id)
        .bind(mapping)
        .bind(update_existing)
        .bind(report)
        .execute(c)
        .await?
        .rows_affected());
    if n == 0 {
        return Err(StoreError::Refused("import_done"));
    }
    Ok(())
}

/// Marks the file imported, once: a second confirmation (a double click, two tabs) finds it
/// done and the transaction that wrote the customers rolls back.
pub async fn mark_imported(
    tx: &mut Tx,
    tenant: Tenant,
    id: Uuid,
    created: i64,
    updated: i64,
) -> Result<()> {
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE customer_imports SET imported_at = $3, created_count = $4, updated_count = $5
         WHERE organization_id = $1 AND id = $2 AND imported_at IS NULL")
        .bind(tenant.id().0)
        .bind(id)
        .bind(now_micros())
        .bind(created)
        .bind(updated)
        .execute(c)
        .await?
        .rows_affected());
    if n == 0 {
        return Err(StoreError::Refused("import_done"));
    }
    Ok(())
}
