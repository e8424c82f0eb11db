//! Sign-in failures, shared by all servers through the database: counted per e-mail and per
//! client address over a sliding window (the domain's `signin::Backoff` turns them into a
//! wait). The e-mail's key is the same whether or not it has an account.

use crate::{Result, Tx, now_micros, on_tx};
use guichet_domain::signin::Failures;

fn email_key(email: &str) -> String {
    format!(
        "email:{}",
        hex::encode(crate::token_hash(&email.trim().to_lowercase()))
    )
}

fn address_key(address: &str) -> String {
    format!("addr:{address}")
}

/// A known device's own failures: it is judged by them alone, so nobody else's failures can
/// make it wait, and a stolen device cookie still cannot guess fast.
fn device_key(device: &str) -> String {
    format!("device:{}", hex::encode(crate::token_hash(device)))
}

/// The failures made from this device since `since`.
pub async fn device_failures(tx: &mut Tx, device: &str, since: i64) -> Result<Failures> {
    failures_of(tx, &device_key(device), since).await
}

async fn failures_of(tx: &mut Tx, key: &str, since: i64) -> Result<Failures> {
    let (count, last_at): (i64, Option<i64>) = on_tx!(tx, c => sqlx::query_as(
        "SELECT COUNT(*), MAX(failed_at) FROM login_failures WHERE throttle_key = $1 AND failed_at > $2")
        .bind(key)
        .bind(since)
        .fetch_one(c)
        .await?);
    Ok(Failures { count, last_at })
}

/// The failures of this e-mail and of this address since `since`.
pub async fn failures(
    tx: &mut Tx,
    email: &str,
    address: &str,
    since: i64,
) -> Result<(Failures, Failures)> {
    Ok((
        failures_of(tx, &email_key(email), since).await?,
        failures_of(tx, &address_key(address), since).await?,
    ))
}

/// Counts a failure against the e-mail, the address and, when one was sent, the device.
pub async fn record_failure(
    tx: &mut Tx,
    email: &str,
    address: &str,
    device: Option<&str>,
) -> Result<()> {
    let now = now_micros();
    let keys = [email_key(email), address_key(address)]
        .into_iter()
        .chain(device.map(device_key));
    for key in keys {
        on_tx!(tx, c => sqlx::query("INSERT INTO login_failures (id, throttle_key, failed_at) VALUES ($1, $2, $3)")
            .bind(uuid::Uuid::now_v7())
            .bind(&key)
            .bind(now)
            .execute(c)
            .await?.rows_affected());
    }
    Ok(())
}

/// A successful sign-in clears the e-mail's and the device's failures (not the address's).
pub async fn clear(tx: &mut Tx, email: &str, device: Option<&str>) -> Result<()> {
    let keys = std::iter::once(email_key(email)).chain(device.map(device_key));
    for key in keys {
        on_tx!(tx, c => sqlx::query("DELETE FROM login_failures WHERE throttle_key = $1")
            .bind(key)
            .execute(c)
            .await?.rows_affected());
    }
    Ok(())
}

/// Forgets failures older than the window (maintenance task).
pub async fn sweep(tx: &mut Tx, window_micros: i64) -> Result<u64> {
    Ok(
        on_tx!(tx, c => sqlx::query("DELETE FROM login_failures WHERE failed_at <= $1")
        .bind(now_micros() - window_micros)
        .execute(c)
        .await?
        .rows_affected()),
    )
}
