//! Sign-in sessions, stored in the database so that several servers share them.
//!
//! The browser holds a random token; the table holds its SHA-256. A session ends on
//! logout, after `idle` without a request, after an absolute lifetime, when its user is
//! disabled in the session's organization, or when the user changes password.

use crate::{Result, Tenant, Tx, now_micros, on_tx, token_hash};
use guichet_domain::{OrganizationId, UserId};
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct Session {
    pub user: UserId,
    /// The organization the user is working in (switchable).
    pub organization: Option<OrganizationId>,
    pub last_seen_at: i64,
}

/// Sessions last at most this long, however active.
pub const ABSOLUTE_LIFETIME_MICROS: i64 = 7 * 24 * 3600 * 1_000_000;

/// Starts a session and returns its token. Always a fresh token: a session id is never
/// carried over from before sign-in (no session fixation).
pub async fn start(
    tx: &mut Tx,
    user: UserId,
    organization: Option<OrganizationId>,
) -> Result<String> {
    let token = crate::new_token();
    let now = now_micros();
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, organization_id, created_at, last_seen_at, expires_at)
         VALUES ($1, $2, $3, $4, $4, $5)")
        .bind(token_hash(&token))
        .bind(user.0)
        .bind(organization.map(|o| o.0))
        .bind(now)
        .bind(now + ABSOLUTE_LIFETIME_MICROS)
        .execute(c)
        .await?.rows_affected());
    Ok(token)
}

/// The live session behind a token, if it has not been idle longer than `idle_micros`.
pub async fn find(tx: &mut Tx, token: &str, idle_micros: i64) -> Result<Option<Session>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        user_id: Uuid,
        organization_id: Option<Uuid>,
        last_seen_at: i64,
    }
    let now = now_micros();
    let row: Option<Row> = on_tx!(tx, c => sqlx::query_as(
        "SELECT user_id, organization_id, last_seen_at FROM sessions
         WHERE token_hash = $1 AND expires_at > $2 AND last_seen_at > $3")
        .bind(token_hash(token))
        .bind(now)
        .bind(now - idle_micros)
        .fetch_optional(c)
        .await?);
    Ok(row.map(|r| Session {
        user: UserId(r.user_id),
        organization: r.organization_id.map(OrganizationId),
        last_seen_at: r.last_seen_at,
    }))
}

/// Marks the session as used now (callers do it at most once a minute).
pub async fn touch(tx: &mut Tx, token: &str) -> Result<()> {
    on_tx!(tx, c => sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1")
        .bind(token_hash(token))
        .bind(now_micros())
        .execute(c)
        .await?.rows_affected());
    Ok(())
}

pub async fn switch_organization(tx: &mut Tx, token: &str, tenant: Tenant) -> Result<()> {
    on_tx!(tx, c => sqlx::query("UPDATE sessions SET organization_id = $2 WHERE token_hash = $1")
        .bind(token_hash(token))
        .bind(tenant.id().0)
        .execute(c)
        .await?.rows_affected());
    Ok(())
}

pub async fn end(tx: &mut Tx, token: &str) -> Result<()> {
    on_tx!(tx, c => sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash(token))
        .execute(c)
        .await?.rows_affected());
    Ok(())
}

/// Ends every session of a user except the one given (after a password change).
pub async fn end_others(tx: &mut Tx, user: UserId, keep_token: &str) -> Result<()> {
    on_tx!(tx, c => sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
        .bind(user.0)
        .bind(token_hash(keep_token))
        .execute(c)
        .await?.rows_affected());
    Ok(())
}

/// Ends every session of a user (their password was reset from an e-mailed link).
pub async fn end_all(tx: &mut Tx, user: UserId) -> Result<()> {
    on_tx!(tx, c => sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user.0)
        .execute(c)
        .await?.rows_affected());
    Ok(())
}

/// Ends a user's sessions that are working in the tenant (the user was disabled there).
pub async fn end_for_member(tx: &mut Tx, tenant: Tenant, user: UserId) -> Result<()> {
    on_tx!(tx, c => sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND organization_id = $2")
        .bind(user.0)
        .bind(tenant.id().0)
        .execute(c)
        .await?.rows_affected());
    Ok(())
}

/// Deletes expired and long-idle sessions (maintenance task).
pub async fn sweep(tx: &mut Tx, idle_micros: i64) -> Result<u64> {
    let now = now_micros();
    Ok(
        on_tx!(tx, c => sqlx::query("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2")
        .bind(now)
        .bind(now - idle_micros)
        .execute(c)
        .await?
        .rows_affected()),
    )
}
