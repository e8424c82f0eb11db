//! API keys: bearer secrets an admin creates per organization, each with a role. The
//! secret is shown once; only its SHA-256 is stored. Revoked keys stop working at once.

use crate::{Result, StoreError, Tenant, Tx, now_micros, on_tx, token_hash};
use guichet_domain::{ApiKeyId, OrganizationId, Role, UserId};
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ApiKey {
    pub id: ApiKeyId,
    pub name: String,
    pub role: Role,
    /// The first characters of the key, to recognise it.
    pub prefix: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked: bool,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    name: String,
    role: String,
    prefix: String,
    created_at: i64,
    last_used_at: Option<i64>,
    revoked_at: Option<i64>,
}

impl From<Row> for ApiKey {
    fn from(r: Row) -> Self {
        ApiKey {
            id: ApiKeyId(r.id),
            name: r.name,
            role: Role::parse(&r.role).unwrap_or(Role::Seller),
            prefix: r.prefix,
            created_at: r.created_at,
            last_used_at: r.last_used_at,
            revoked: r.revoked_at.is_some(),
        }
    }
}

const KEY_PREFIX: &str = "gch_";

/// Creates a key and returns it with its secret, which is never shown again.
pub async fn create(
    tx: &mut Tx,
    tenant: Tenant,
    name: &str,
    role: Role,
    by: Option<UserId>,
) -> Result<(ApiKey, String)> {
    let id = ApiKeyId::new();
    let secret = format!("{KEY_PREFIX}{}", crate::new_token());
    let prefix: String = secret.chars().take(KEY_PREFIX.len() + 8).collect();
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO api_keys (id, organization_id, name, role, prefix, secret_hash, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(id.0)
        .bind(tenant.id().0)
        .bind(name)
        .bind(role.as_str())
        .bind(&prefix)
        .bind(token_hash(&secret))
        .bind(by.map(|u| u.0))
        .bind(now_micros())
        .execute(c)
        .await?.rows_affected());
    Ok((get(tx, tenant, id).await?, secret))
}

pub async fn list(tx: &mut Tx, tenant: Tenant) -> Result<Vec<ApiKey>> {
    let rows: Vec<Row> = on_tx!(tx, c => sqlx::query_as(
        "SELECT id, name, role, prefix, created_at, last_used_at, revoked_at FROM api_keys
         WHERE organization_id = $1 ORDER BY revoked_at IS NOT NULL, created_at DESC")
        .bind(tenant.id().0)
        .fetch_all(c)
        .await?);
    Ok(rows.into_iter().map(ApiKey::from).collect())
}

pub async fn get(tx: &mut Tx, tenant: Tenant, id: ApiKeyId) -> Result<ApiKey> {
    let row: Option<Row> = on_tx!(tx, c => sqlx::query_as(
        "SELECT id, name, role, prefix, created_at, last_used_at, revoked_at FROM api_keys
         WHERE organization_id = $1 AND id = $2")
        .bind(tenant.id().0)
        .bind(id.0)
        .fetch_optional(c)
        .await?);
    row.map(ApiKey::from).ok_or(StoreError::NotFound)
}

pub async fn revoke(tx: &mut Tx, tenant: Tenant, id: ApiKeyId) -> Result<ApiKey> {
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE api_keys SET revoked_at = $3 WHERE organization_id = $1 AND id = $2 AND revoked_at IS NULL")
        .bind(tenant.id().0)
        .bind(id.0)
        .bind(now_micros())
        .execute(c)
        .await?
        .rows_affected());
    let key = get(tx, tenant, id).await?;
    if n == 0 && !key.revoked {
        return Err(StoreError::NotFound);
    }
    Ok(key)
}

/// A live key, found by its secret.
#[derive(Debug, Clone, Copy)]
pub struct Authenticated {
    pub tenant: Tenant,
    pub role: Role,
    pub id: ApiKeyId,
    /// Whether its use is worth recording ([`touch`]): its last recorded use is older than
    /// [`TOUCH_EVERY_MICROS`]. Most requests then write nothing at all.
    pub stale: bool,
}

/// A key's use is recorded at most this often, to spare the writer: a sale through the API
/// would otherwise be two write transactions.
pub const TOUCH_EVERY_MICROS: i64 = 60_000_000;

/// The tenant and role behind a presented secret, if it is a live key.
pub async fn authenticate(tx: &mut Tx, secret: &str) -> Result<Option<Authenticated>> {
    if !secret.starts_with(KEY_PREFIX) {
        return Ok(None);
    }
    #[derive(sqlx::FromRow)]
    struct Found {
        id: Uuid,
        organization_id: Uuid,
        role: String,
        last_used_at: Option<i64>,
    }
    let found: Option<Found> = on_tx!(tx, c => sqlx::query_as(
        "SELECT id, organization_id, role, last_used_at FROM api_keys WHERE secret_hash = $1 AND revoked_at IS NULL")
        .bind(token_hash(secret))
        .fetch_optional(c)
        .await?);
    let now = now_micros();
    Ok(found.and_then(|f| {
        Role::parse(&f.role).map(|role| Authenticated {
            tenant: Tenant(OrganizationId(f.organization_id)),
            role,
            id: ApiKeyId(f.id),
            stale: f.last_used_at.is_none_or(|t| t < now - TOUCH_EVERY_MICROS),
        })
    }))
}

/// Records use, at most once a [`TOUCH_EVERY_MICROS`] per key (the condition again here, for
/// two requests that both found the key stale).
pub async fn touch(tx: &mut Tx, id: ApiKeyId) -> Result<()> {
    let now = now_micros();
    on_tx!(tx, c => sqlx::query(
        "UPDATE api_keys SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $3)")
        .bind(id.0)
        .bind(now)
        .bind(now - TOUCH_EVERY_MICROS)
        .execute(c)
        .await?.rows_affected());
    Ok(())
}
