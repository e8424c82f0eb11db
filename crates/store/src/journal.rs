//! The hash-chained sales journal: appended in the sale's transaction, never updated or deleted
//! (the store has no statement for it and the database refuses it), verified by recomputing
//! every chain. The hashing rule lives in `guichet_domain::journal`.

use crate::{Result, StoreError, Tenant, Tx, now_micros, on_tx};
use guichet_domain::journal::{GENESIS, GrandTotals, canonical, entry_hash};
use serde_json::{Value, json};
use uuid::Uuid;

/// One entry appended to a chain (see [`append_all`]).
pub struct Entry {
    /// `order`, `payment`, `refund`, `cancellation`.
    pub kind: &'static str,
    pub order_id: Option<Uuid>,
    pub payment_id: Option<Uuid>,
    /// Change to the chain's perpetual totals.
    pub sales_delta_cents: i64,
    pub payments_delta_cents: i64,
    pub record: Value,
}

/// Appends entries, in order, to one chain; returns the last sequence number. The chain's head
/// moves on by the whole batch in its first statement, which locks the head's row, so
/// concurrent appends to one chain queue up and the sequence stays gapless; then all entries
/// go in with one INSERT and the head takes the last hash. A sale with its payments is three
/// statements whatever its number of entries.
pub async fn append_all(
    tx: &mut Tx,
    tenant: Tenant,
    chain: &str,
    mut entries: Vec<Entry>,
) -> Result<i64> {
    let org = tenant.id().0;
    let count = i64::try_from(entries.len()).unwrap_or(i64::MAX);
    if count == 0 {
        return Err(StoreError::Other("empty journal batch".into()));
    }
    let sales_delta: i64 = entries.iter().map(|e| e.sales_delta_cents).sum();
    let payments_delta: i64 = entries.iter().map(|e| e.payments_delta_cents).sum();
    let (last_seq, mut prev, sales, payments): (i64, Vec<u8>, i64, i64) = on_tx!(tx, c => sqlx::query_as(
        "INSERT INTO journal_heads (organization_id, chain, seq, hash, sales_cents, payments_cents)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (organization_id, chain) DO UPDATE SET seq = journal_heads.seq + excluded.seq,
         sales_cents = journal_heads.sales_cents + excluded.sales_cents,
         payments_cents = journal_heads.payments_cents + excluded.payments_cents
         RETURNING seq, hash, sales_cents, payments_cents")
        .bind(org)
        .bind(chain)
        .bind(count)
        .bind(GENESIS.as_slice())
        .bind(sales_delta)
        .bind(payments_delta)
        .fetch_one(c)
        .await?);
    // The head now carries the batch's totals; each entry carries the totals after itself.
    let mut seq = last_seq - count;
    let mut totals = GrandTotals {
        sales_cents: sales - sales_delta,
        payments_cents: payments - payments_delta,
    };
    let created_at = now_micros();
    let mut rows = Vec::with_capacity(entries.len());
    for e in &mut entries {
        seq += 1;
        totals.sales_cents += e.sales_delta_cents;
        totals.payments_cents += e.payments_delta_cents;
        if let Value::Object(map) = &mut e.record {
            map.insert("kind".into(), json!(e.kind));
            map.insert("sales_delta_cents".into(), json!(e.sales_delta_cents));
            map.insert("payments_delta_cents".into(), json!(e.payments_delta_cents));
            map.insert("grand_totals".into(), json!(totals));
        }
        let text = canonical(&e.record);
        let hash = entry_hash(chain, seq, &prev, &text).to_vec();
        rows.push((seq, text, std::mem::replace(&mut prev, hash.clone()), hash));
    }
    let mut sql = String::from(
        "INSERT INTO journal_entries (organization_id, chain, seq, kind, order_id, payment_id, record, prev_hash, hash, created_at) VALUES ",
    );
    crate::push_placeholders(&mut sql, rows.len(), 10);
    on_tx!(tx, c => {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
        for (e, (seq, text, prev_hash, hash)) in entries.iter().zip(&rows) {
            q = q
                .bind(org)
                .bind(chain)
                .bind(*seq)
                .bind(e.kind)
                .bind(e.order_id)
                .bind(e.payment_id)
                .bind(text.as_str())
                .bind(prev_hash.as_slice())
                .bind(hash.as_slice())
                .bind(created_at);
        }
        q.execute(c).await?.rows_affected()
    });
    on_tx!(tx, c => sqlx::query("UPDATE journal_heads SET hash = $3 WHERE organization_id = $1 AND chain = $2")
        .bind(org)
        .bind(chain)
        .bind(prev.as_slice())
        .execute(c)
        .await?
        .rows_affected());
    Ok(last_seq)
}

/// One chain's verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    pub organization_id: Uuid,
    pub chain: String,
    pub entries: i64,
    /// The first entry that does not verify, and why.
    pub first_broken: Option<(i64, &'static str)>,
}

#[derive(sqlx::FromRow)]
struct EntryRow {
    organization_id: Uuid,
    chain: String,
    seq: i64,
    record: String,
    prev_hash: Vec<u8>,
    hash: Vec<u8>,
}

/// Recomputes every chain of every organization (the operator's `guichet journal verify`):
/// sequence without gaps from 1, each entry's `prev_hash` equal to the previous hash, each hash
/// recomputed from the stored record, the grand totals carried forward exactly, and the chain's
/// head at the last entry.
pub async fn verify_all(tx: &mut Tx) -> Result<Vec<ChainReport>> {
    let rows: Vec<EntryRow> = on_tx!(tx, c => sqlx::query_as(
        "SELECT organization_id, chain, seq, record, prev_hash, hash FROM journal_entries
         ORDER BY organization_id, chain, seq")
        .fetch_all(c)
        .await?);
    let heads: Vec<(Uuid, String, i64, Vec<u8>)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT organization_id, chain, seq, hash FROM journal_heads ORDER BY organization_id, chain")
        .fetch_all(c)
        .await?);
    let mut reports: Vec<ChainReport> = Vec::new();
    let mut state: Option<(Vec<u8>, GrandTotals)> = None;
    for r in rows {
        let same = reports
            .last()
            .is_some_and(|c| c.organization_id == r.organization_id && c.chain == r.chain);
        if !same {
            reports.push(ChainReport {
                organization_id: r.organization_id,
                chain: r.chain.clone(),
                entries: 0,
                first_broken: None,
            });
            state = Some((GENESIS.to_vec(), GrandTotals::default()));
        }
        let Some(report) = reports.last_mut() else {
            continue;
        };
        report.entries += 1;
        if report.first_broken.is_some() {
            continue;
        }
        let (prev, totals) = state
            .clone()
            .unwrap_or((GENESIS.to_vec(), GrandTotals::default()));
        let broken = check_entry(&r, report.entries, &prev, totals);
        match broken {
            Err(why) => report.first_broken = Some((r.seq, why)),
            Ok(t) => state = Some((r.hash.clone(), t)),
        }
    }
    for report in &mut reports {
        if report.first_broken.is_some() {
            continue;
        }
        let head = heads
            .iter()
            .find(|h| h.0 == report.organization_id && h.1 == report.chain);
        if head.is_none_or(|h| h.2 != report.entries) {
            report.first_broken = Some((report.entries + 1, "entries_missing_at_the_end"));
        }
    }
    // A head without any entry means a whole chain was removed.
    for h in heads {
        if h.2 > 0
            && !reports
                .iter()
                .any(|r| r.organization_id == h.0 && r.chain == h.1)
        {
            reports.push(ChainReport {
                organization_id: h.0,
                chain: h.1,
                entries: 0,
                first_broken: Some((1, "entries_missing")),
            });
        }
    }
    Ok(reports)
}

fn check_entry(
    r: &EntryRow,
    expected_seq: i64,
    prev: &[u8],
    totals: GrandTotals,
) -> Result<GrandTotals, &'static str> {
    if r.seq != expected_seq {
        return Err("sequence_gap");
    }
    if r.prev_hash != prev {
        return Err("previous_hash_mismatch");
    }
    if entry_hash(&r.chain, r.seq, prev, &r.record).as_slice() != r.hash.as_slice() {
        return Err("hash_mismatch");
    }
    let record: Value = serde_json::from_str(&r.record).map_err(|_| "record_unreadable")?;
    let num = |k: &str| record.get(k).and_then(Value::as_i64);
    let next = GrandTotals {
        sales_cents: totals.sales_cents + num("sales_delta_cents").ok_or("record_unreadable")?,
        payments_cents: totals.payments_cents
            + num("payments_delta_cents").ok_or("record_unreadable")?,
    };
    let stated: GrandTotals = record
        .get("grand_totals")
        .and_then(|g| serde_json::from_value(g.clone()).ok())
        .ok_or("record_unreadable")?;
    if stated != next {
        return Err("grand_totals_mismatch");
    }
    Ok(next)
}

/// Entries of one order, for its detail page.
pub async fn entries_of_order(
    tx: &mut Tx,
    tenant: Tenant,
    order: Uuid,
) -> Result<Vec<(String, i64, String)>> {
    let rows: Vec<(String, i64, String)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT chain, seq, kind FROM journal_entries WHERE organization_id = $1 AND order_id = $2 ORDER BY created_at, seq")
        .bind(tenant.id().0)
        .bind(order)
        .fetch_all(c)
        .await?);
    Ok(rows)
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Other(e.to_string())
    }
}
