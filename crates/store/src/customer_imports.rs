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
    /// When the file was removed (kept its time, or a customer in it erased): the content
    /// is empty and the report gone; the record stays.
    pub purged_at: Option<i64>,
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
         updated_count, purged_at FROM customer_imports WHERE organization_id = $1 AND id = $2")
        .bind(tenant.id().0)
        .bind(id)
        .fetch_optional(c)
        .await?);
    row.ok_or(StoreError::NotFound)
}

/// Why an import cannot change any more: its file was removed, or it is done.
async fn refusal(tx: &mut Tx, tenant: Tenant, id: Uuid) -> Result<StoreError> {
    Ok(match get(tx, tenant, id).await?.purged_at {
        Some(_) => StoreError::Refused("import_purged"),
        None => StoreError::Refused("import_done"),
    })
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
         WHERE organization_id = $1 AND id = $2 AND imported_at IS NULL AND purged_at IS NULL")
        .bind(tenant.id().0)
        .bind(id)
        .bind(mapping)
        .bind(update_existing)
        .bind(report)
        .execute(c)
        .await?
        .rows_affected());
    if n == 0 {
        return Err(refusal(tx, tenant, id).await?);
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
         WHERE organization_id = $1 AND id = $2 AND imported_at IS NULL AND purged_at IS NULL")
        .bind(tenant.id().0)
        .bind(id)
        .bind(now_micros())
        .bind(created)
        .bind(updated)
        .execute(c)
        .await?
        .rows_affected());
    if n == 0 {
        return Err(refusal(tx, tenant, id).await?);
    }
    Ok(())
}

/// The organization's imports whose file is still kept, for an erasure to look for its
/// customer in each (read one at a time with [`get`]).
pub async fn kept_ids(tx: &mut Tx, tenant: Tenant) -> Result<Vec<Uuid>> {
    Ok(on_tx!(tx, c => sqlx::query_scalar(
        "SELECT id FROM customer_imports WHERE organization_id = $1 AND purged_at IS NULL ORDER BY created_at")
        .bind(tenant.id().0)
        .fetch_all(c)
        .await?))
}

/// Removes one import's file (an erased customer was in it): the content emptied, the report
/// (its samples and details quote the file) gone; the file name, mapping, counts and dates
/// stay.
pub async fn purge(tx: &mut Tx, tenant: Tenant, id: Uuid) -> Result<()> {
    on_tx!(tx, c => sqlx::query(
        "UPDATE customer_imports SET content = $1, report = NULL, purged_at = $2
         WHERE organization_id = $3 AND id = $4 AND purged_at IS NULL")
        .bind(Vec::<u8>::new())
        .bind(now_micros())
        .bind(tenant.id().0)
        .bind(id)
        .execute(c)
        .await?
        .rows_affected());
    Ok(())
}

/// Removes, as [`purge`] does, every organization's import files uploaded before `before`
/// (the retention sweep); returns how many.
pub async fn purge_before(tx: &mut Tx, before: i64) -> Result<u64> {
    Ok(on_tx!(tx, c => sqlx::query(
        "UPDATE customer_imports SET content = $1, report = NULL, purged_at = $2
         WHERE created_at < $3 AND purged_at IS NULL")
        .bind(Vec::<u8>::new())
        .bind(now_micros())
        .bind(before)
        .execute(c)
        .await?
        .rows_affected()))
}
