//! Known devices (where an account already signed in) and "forgotten password" links. The
//! browser or the e-mail holds a random token; the tables hold its SHA-256.

use crate::{Result, Tx, now_micros, on_tx, token_hash};
use guichet_domain::UserId;
use guichet_domain::org::Email;
use uuid::Uuid;

/// A known device is forgotten after a year without a sign-in from it.
pub const DEVICE_LIFETIME_MICROS: i64 = 365 * 24 * 3600 * 1_000_000;

/// True when the account with this e-mail has signed in from the device holding `device`.
pub async fn is_known_device(tx: &mut Tx, email: &Email, device: &str) -> Result<bool> {
    let n: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM known_devices d JOIN users u ON u.id = d.user_id
         WHERE u.email = $1 AND d.token_hash = $2 AND d.last_used_at > $3")
        .bind(email.as_str())
        .bind(token_hash(device))
        .bind(now_micros() - DEVICE_LIFETIME_MICROS)
        .fetch_one(c)
        .await?);
    Ok(n > 0)
}

/// Remembers (or refreshes) that the user signed in from this device.
pub async fn remember_device(tx: &mut Tx, user: UserId, device: &str) -> Result<()> {
    let now = now_micros();
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO known_devices (token_hash, user_id, created_at, last_used_at) VALUES ($1, $2, $3, $3)
         ON CONFLICT (token_hash, user_id) DO UPDATE SET last_used_at = excluded.last_used_at")
        .bind(token_hash(device))
        .bind(user.0)
        .bind(now)
        .execute(c)
        .await?.rows_affected());
    Ok(())
}

/// Creates a reset link's token for the user, valid `validity_micros`, and returns it;
/// earlier unused links of the user stop working. `None` when one was made less than
/// `cooldown_micros` ago (no flood of e-mails to someone's mailbox).
pub async fn start_reset(
    tx: &mut Tx,
    user: UserId,
    validity_micros: i64,
    cooldown_micros: i64,
) -> Result<Option<String>> {
    let now = now_micros();
    let recent: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM password_resets WHERE user_id = $1 AND created_at > $2")
        .bind(user.0)
        .bind(now - cooldown_micros)
        .fetch_one(c)
        .await?);
    if recent > 0 {
        return Ok(None);
    }
    on_tx!(tx, c => sqlx::query(
        "UPDATE password_resets SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL")
        .bind(user.0)
        .bind(now)
        .execute(c)
        .await?.rows_affected());
    let token = crate::new_token();
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(token_hash(&token))
        .bind(user.0)
        .bind(now)
        .bind(now.saturating_add(validity_micros))
        .execute(c)
        .await?.rows_affected());
    Ok(Some(token))
}

/// The user of an unused, unexpired reset link.
pub async fn reset_user(tx: &mut Tx, token: &str) -> Result<Option<UserId>> {
    let user: Option<Uuid> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT user_id FROM password_resets WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2")
        .bind(token_hash(token))
        .bind(now_micros())
        .fetch_optional(c)
        .await?);
    Ok(user.map(UserId))
}

/// Uses a reset link up: returns its user if it was still valid (once only, even when two
/// requests race: the conditional update lets one through).
pub async fn use_reset(tx: &mut Tx, token: &str) -> Result<Option<UserId>> {
    let Some(user) = reset_user(tx, token).await? else {
        return Ok(None);
    };
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE password_resets SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL")
        .bind(token_hash(token))
        .bind(now_micros())
        .execute(c)
        .await?.rows_affected());
    Ok((n == 1).then_some(user))
}

/// An organization to file the user's own e-mails under (the outbox is per organization):
/// an active membership first, else any. `None` for a user of no organization.
pub async fn mail_organization(tx: &mut Tx, user: UserId) -> Result<Option<crate::Tenant>> {
    let org: Option<Uuid> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT organization_id FROM memberships WHERE user_id = $1
         ORDER BY disabled_at IS NOT NULL, created_at LIMIT 1")
        .bind(user.0)
        .fetch_optional(c)
        .await?);
    Ok(org.map(|o| crate::Tenant(guichet_domain::OrganizationId(o))))
}

/// Forgets devices unused for a year and reset links past their time (maintenance task).
pub async fn sweep(tx: &mut Tx) -> Result<u64> {
    let now = now_micros();
    let devices = on_tx!(tx, c => sqlx::query("DELETE FROM known_devices WHERE last_used_at <= $1")
        .bind(now - DEVICE_LIFETIME_MICROS)
        .execute(c)
        .await?.rows_affected());
    let resets = on_tx!(tx, c => sqlx::query("DELETE FROM password_resets WHERE expires_at <= $1")
        .bind(now)
        .execute(c)
        .await?.rows_affected());
    Ok(devices + resets)
}
