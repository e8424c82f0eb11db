//! Groups in a manual order: product groups (shop) and offer groups ("groupes de
//! formules"), shown in this order at the register and online. One code path, two tables.

use crate::{Result, StoreError, Tenant, Tx, now_micros, on_tx};
pub use guichet_domain::GroupId;
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupKind {
    Product,
    Offer,
}

impl GroupKind {
    fn table(self) -> &'static str {
        match self {
            GroupKind::Product => "product_groups",
            GroupKind::Offer => "offer_groups",
        }
    }

    /// The table whose rows belong to a group.
    fn members(self) -> &'static str {
        match self {
            GroupKind::Product => "products",
            GroupKind::Offer => "offers",
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Group {
    pub id: GroupId,
    pub name: String,
    pub position: i32,
    /// Active members (products or offers).
    pub product_count: i64,
}

pub async fn list(tx: &mut Tx, tenant: Tenant, kind: GroupKind) -> Result<Vec<Group>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: Uuid,
        name: String,
        position: i32,
        product_count: i64,
    }
    let sql = format!(
        "SELECT g.id, g.name, g.position,
         (SELECT COUNT(*) FROM {members} p WHERE p.group_id = g.id AND p.archived_at IS NULL) AS product_count
         FROM {table} g WHERE g.organization_id = $1 ORDER BY g.position, g.name",
        members = kind.members(),
        table = kind.table()
    );
    let rows: Vec<Row> = on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(tenant.id().0)
        .fetch_all(c)
        .await?);
    Ok(rows
        .into_iter()
        .map(|r| Group {
            id: GroupId(r.id),
            name: r.name,
            position: r.position,
            product_count: r.product_count,
        })
        .collect())
}

pub async fn get(tx: &mut Tx, tenant: Tenant, kind: GroupKind, id: GroupId) -> Result<Group> {
    list(tx, tenant, kind)
        .await?
        .into_iter()
        .find(|g| g.id == id)
        .ok_or(StoreError::NotFound)
}

pub async fn create(tx: &mut Tx, tenant: Tenant, kind: GroupKind, name: &str) -> Result<Group> {
    let existing = list(tx, tenant, kind).await?;
    if existing
        .iter()
        .any(|g| guichet_domain::text::same_text(&g.name, name))
    {
        return Err(StoreError::Duplicate("name"));
    }
    let position = existing.iter().map(|g| g.position).max().unwrap_or(0) + 1;
    let id = GroupId(Uuid::now_v7());
    let sql = format!(
        "INSERT INTO {} (id, organization_id, name, position, created_at) VALUES ($1, $2, $3, $4, $5)",
        kind.table()
    );
    on_tx!(tx, c => sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(id.0)
        .bind(tenant.id().0)
        .bind(name)
        .bind(position)
        .bind(now_micros())
        .execute(c)
        .await?
        .rows_affected());
    get(tx, tenant, kind, id).await
}

pub async fn rename(
    tx: &mut Tx,
    tenant: Tenant,
    kind: GroupKind,
    id: GroupId,
    name: &str,
) -> Result<Group> {
    let existing = list(tx, tenant, kind).await?;
    if !existing.iter().any(|g| g.id == id) {
        return Err(StoreError::NotFound);
    }
    if existing
        .iter()
        .any(|g| g.id != id && guichet_domain::text::same_text(&g.name, name))
    {
        return Err(StoreError::Duplicate("name"));
    }
    let sql = format!(
        "UPDATE {} SET name = $3 WHERE organization_id = $1 AND id = $2",
        kind.table()
    );
    on_tx!(tx, c => sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(tenant.id().0)
        .bind(id.0)
        .bind(name)
        .execute(c)
        .await?
        .rows_affected());
    get(tx, tenant, kind, id).await
}

/// Moves a group one place up (`-1`) or down (`+1`) in the manual order.
pub async fn move_by(
    tx: &mut Tx,
    tenant: Tenant,
    kind: GroupKind,
    id: GroupId,
    delta: i32,
) -> Result<Vec<Group>> {
    let mut groups = list(tx, tenant, kind).await?;
    let from = groups
        .iter()
        .position(|g| g.id == id)
        .ok_or(StoreError::NotFound)?;
    let to = from as i64 + i64::from(delta.signum());
    if to < 0 || to >= groups.len() as i64 {
        return Ok(groups);
    }
    groups.swap(from, to as usize);
    let sql = format!(
        "UPDATE {} SET position = $3 WHERE organization_id = $1 AND id = $2",
        kind.table()
    );
    for (i, g) in groups.iter().enumerate() {
        on_tx!(tx, c => sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(tenant.id().0)
            .bind(g.id.0)
            .bind(i32::try_from(i + 1).unwrap_or(i32::MAX))
            .execute(c)
            .await?
            .rows_affected());
    }
    list(tx, tenant, kind).await
}

/// Deletes an empty group; a group that still holds members is refused.
pub async fn delete(tx: &mut Tx, tenant: Tenant, kind: GroupKind, id: GroupId) -> Result<()> {
    get(tx, tenant, kind, id).await?;
    let count_sql = format!(
        "SELECT COUNT(*) FROM {} WHERE organization_id = $1 AND group_id = $2",
        kind.members()
    );
    let any: i64 = on_tx!(tx, c => sqlx::query_scalar(sqlx::AssertSqlSafe(count_sql.as_str()))
        .bind(tenant.id().0)
        .bind(id.0)
        .fetch_one(c)
        .await?);
    if any > 0 {
        return Err(StoreError::Refused("group_not_empty"));
    }
    let sql = format!(
        "DELETE FROM {} WHERE organization_id = $1 AND id = $2",
        kind.table()
    );
    on_tx!(tx, c => sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(tenant.id().0)
        .bind(id.0)
        .execute(c)
        .await?
        .rows_affected());
    Ok(())
}
