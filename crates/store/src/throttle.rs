//! Sign-in throttling, shared by all servers through the database. Failures are counted
//! per e-mail and per client address over a sliding window; the answer never says whether
//! the e-mail exists.

use crate::{Result, Tx, now_micros, on_tx};

/// Failures allowed per key inside the window before sign-in is refused.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub per_email: i64,
    pub per_address: i64,
    pub window_micros: i64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            per_email: 5,
            per_address: 30,
            window_micros: 15 * 60 * 1_000_000,
        }
    }
}

fn email_key(email: &str) -> String {
    format!(
        "email:{}",
        hex::encode(crate::token_hash(&email.trim().to_lowercase()))
    )
}

fn address_key(address: &str) -> String {
    format!("addr:{address}")
}

/// True when this e-mail or this address has failed too often recently.
pub async fn is_blocked(tx: &mut Tx, email: &str, address: &str, limits: Limits) -> Result<bool> {
    let since = now_micros() - limits.window_micros;
    for (key, limit) in [
        (email_key(email), limits.per_email),
        (address_key(address), limits.per_address),
    ] {
        let n: i64 = on_tx!(tx, c => sqlx::query_scalar(
            "SELECT COUNT(*) FROM login_failures WHERE throttle_key = $1 AND failed_at > $2")
            .bind(&key)
            .bind(since)
            .fetch_one(c)
            .await?);
        if n >= limit {
            return Ok(true);
        }
    }
    Ok(false)
}

pub async fn record_failure(tx: &mut Tx, email: &str, address: &str) -> Result<()> {
    let now = now_micros();
    for key in [email_key(email), address_key(address)] {
        on_tx!(tx, c => sqlx::query("INSERT INTO login_failures (id, throttle_key, failed_at) VALUES ($1, $2, $3)")
            .bind(uuid::Uuid::now_v7())
            .bind(&key)
            .bind(now)
            .execute(c)
            .await?.rows_affected());
    }
    Ok(())
}

/// A successful sign-in clears the e-mail's failures (not the address's).
pub async fn clear(tx: &mut Tx, email: &str) -> Result<()> {
    on_tx!(tx, c => sqlx::query("DELETE FROM login_failures WHERE throttle_key = $1")
        .bind(email_key(email))
        .execute(c)
        .await?.rows_affected());
    Ok(())
}

/// Forgets failures older than the window (maintenance task).
pub async fn sweep(tx: &mut Tx, limits: Limits) -> Result<u64> {
    Ok(
        on_tx!(tx, c => sqlx::query("DELETE FROM login_failures WHERE failed_at <= $1")
        .bind(now_micros() - limits.window_micros)
        .execute(c)
        .await?
        .rows_affected()),
    )
}
