//! Reading a period of an organization's journal for its signed archive (the archive's format
//! and verification are `guichet_domain::journal_archive`).

use crate::{Result, Tenant, Tx, on_tx};
use guichet_domain::journal_archive::{ArchivedChain, ArchivedEntry, ArchivedZ, base64url, hex};
use uuid::Uuid;

type Row = (
    String,
    i64,
    String,
    Option<Uuid>,
    Option<Uuid>,
    i64,
    String,
    Vec<u8>,
    Vec<u8>,
);

/// A Z: its register, number, entry hash and signature.
type ZRow = (Uuid, i64, Option<Vec<u8>>, Option<Vec<u8>>);

/// Every entry made in `[from, to)` (microseconds), chain by chain in sequence order, and the
/// signatures of the Zs among them.
pub async fn period(
    tx: &mut Tx,
    tenant: Tenant,
    (from, to): (i64, i64),
) -> Result<(Vec<ArchivedChain>, Vec<ArchivedZ>)> {
    let org = tenant.id().0;
    let rows: Vec<Row> = on_tx!(tx, c => sqlx::query_as(
        "SELECT chain, seq, kind, order_id, payment_id, created_at, record, prev_hash, hash
         FROM journal_entries WHERE organization_id = $1 AND created_at >= $2 AND created_at < $3
         ORDER BY chain, seq")
        .bind(org)
        .bind(from)
        .bind(to)
        .fetch_all(c)
        .await?);
    let mut chains: Vec<ArchivedChain> = Vec::new();
    for (chain, seq, kind, order_id, payment_id, created_at, record, prev_hash, hash) in rows {
        let entry = ArchivedEntry {
            seq,
            kind,
            order_id,
            payment_id,
            created_at,
            record,
            prev_hash: hex(&prev_hash),
            hash: hex(&hash),
        };
        match chains.last_mut() {
            Some(c) if c.chain == chain => c.entries.push(entry),
            _ => chains.push(ArchivedChain {
                chain,
                entries: vec![entry],
            }),
        }
    }
    let zs: Vec<ZRow> = on_tx!(tx, c => sqlx::query_as(
        "SELECT register_id, z_number, z_hash, z_signature FROM register_sessions
         WHERE organization_id = $1 AND closed_at >= $2 AND closed_at < $3 AND z_number IS NOT NULL
         ORDER BY register_id, z_number")
        .bind(org)
        .bind(from)
        .bind(to)
        .fetch_all(c)
        .await?);
    let zs = zs
        .into_iter()
        .map(|(register, z_number, hash, signature)| ArchivedZ {
            chain: register.to_string(),
            z_number,
            hash: hex(&hash.unwrap_or_default()),
            signature: base64url(&signature.unwrap_or_default()),
        })
        .collect();
    Ok((chains, zs))
}
