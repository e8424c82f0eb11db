//! The hash-chained sales journal: appended in the sale's transaction, never updated or deleted
//! (the store has no statement for it and the database refuses it), verified by recomputing
//! every chain and every record from the business tables (`verify`). The hashing rule lives in
//! `guichet_domain::journal`; what each entry records, in `records`.

pub mod archive;
pub mod records;
mod verify;

pub use verify::{ChainReport, Finding, Verification, verify_all};

use crate::batch::{Arg, Batch};
use crate::hot::Head;
use crate::{Result, StoreError, Tenant, Tx, now_micros, on_tx};
use guichet_domain::journal::{EntryFields, GENESIS, GrandTotals, canonical, entry_hash};
use serde_json::{Value, json};
use uuid::Uuid;

/// The chain a register's entries go to (`online` for sales without a register).
pub fn chain_of(register: Option<Uuid>) -> String {
    register.map_or_else(|| "online".to_owned(), |r| r.to_string())
}

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

/// Appends entries, in order, to one chain; returns the last sequence number and hash. The chain's head
/// moves on by the whole batch in its first statement, which locks the head's row, so
/// concurrent appends to one chain queue up and the sequence stays gapless; then all entries
/// go in with one INSERT and the head takes the last hash. A sale with its payments is three
/// statements whatever its number of entries, the last two sent together.
pub async fn append_all(
    tx: &mut Tx,
    tenant: Tenant,
    chain: &str,
    entries: Vec<Entry>,
) -> Result<(i64, Vec<u8>)> {
    let mut batch = Batch::default();
    let head = push_head(&mut batch, tenant, chain, &entries)?;
    let ran = batch.run(tx).await?;
    append_after_head(tx, tenant, chain, entries, &ran, head).await
}

/// The head's row after a batch moved it on: its last sequence number, the hash it had, and its
/// totals.
type HeadRow = (i64, Vec<u8>, i64, i64);

/// How far entries move their chain's head: entries, sales and payments.
fn moves(entries: &[Entry]) -> (i64, i64, i64) {
    (
        i64::try_from(entries.len()).unwrap_or(i64::MAX),
        entries.iter().map(|e| e.sales_delta_cents).sum(),
        entries.iter().map(|e| e.payments_delta_cents).sum(),
    )
}

/// The first half of [`append_all`], pushed into a caller's batch (a sale's): the chain's head
/// moves on by the entries, locking its row; the returned index is for
/// [`append_after_head`], once the batch has run.
pub(crate) fn push_head(
    batch: &mut Batch,
    tenant: Tenant,
    chain: &str,
    entries: &[Entry],
) -> Result<usize> {
    let (count, sales_delta, payments_delta) = moves(entries);
    if count == 0 {
        return Err(StoreError::Other("empty journal batch".into()));
    }
    Ok(batch.push_returning(
        "INSERT INTO journal_heads (organization_id, chain, seq, hash, sales_cents, payments_cents)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (organization_id, chain) DO UPDATE SET seq = journal_heads.seq + excluded.seq,
         sales_cents = journal_heads.sales_cents + excluded.sales_cents,
         payments_cents = journal_heads.payments_cents + excluded.payments_cents
         RETURNING seq, hash, sales_cents, payments_cents",
        vec![
            tenant.id().0.into(),
            chain.into(),
            count.into(),
            GENESIS.as_slice().into(),
            sales_delta.into(),
            payments_delta.into(),
        ],
    ))
}

/// The second half of [`append_all`]: the entries, chained from the head's row that statement
/// `head` of `ran` returned, and the head's new hash.
pub(crate) async fn append_after_head(
    tx: &mut Tx,
    tenant: Tenant,
    chain: &str,
    mut entries: Vec<Entry>,
    ran: &crate::batch::Ran,
    head: usize,
) -> Result<(i64, Vec<u8>)> {
    let org = tenant.id().0;
    let (count, sales_delta, payments_delta) = moves(&entries);
    let (last_seq, prev, sales, payments): HeadRow = ran
        .row(head)?
        .ok_or_else(|| StoreError::Other("the journal's head returned no row".into()))?;
    // The head already carries the batch's sequence and totals; before it, it had these.
    let before = Head {
        seq: last_seq - count,
        hash: prev,
        sales_cents: sales - sales_delta,
        payments_cents: payments - payments_delta,
    };
    let (sql, args, after) = chained(org, chain, &mut entries, &before);
    // The entries and the head's new hash go together (one call on SQLite).
    let mut batch = Batch::default();
    batch.push(sql, args);
    batch.push(
        "UPDATE journal_heads SET hash = $3 WHERE organization_id = $1 AND chain = $2",
        vec![org.into(), chain.into(), after.hash.as_slice().into()],
    );
    batch.run(tx).await?;
    if let Some(hot) = tx.hot() {
        hot.set_head(org, chain, after.clone());
    }
    Ok((after.seq, after.hash))
}

/// [`append_all`] for the one SQLite writer, from the head it remembers (`crate::hot`): the
/// head moves from `before` to its new sequence, hash and totals in one conditional statement,
/// which changes no row if `before` is not the head any more (the returned index, expected to
/// change one row), then the entries go in. Returns the head after them.
pub(crate) fn push_after(
    batch: &mut Batch,
    tenant: Tenant,
    chain: &str,
    entries: &mut [Entry],
    before: &Head,
) -> (usize, Head) {
    let org = tenant.id().0;
    let (sql, args, after) = chained(org, chain, entries, before);
    let i = batch.push(
        "UPDATE journal_heads SET seq = $3, hash = $4, sales_cents = $5, payments_cents = $6
         WHERE organization_id = $1 AND chain = $2
         AND seq = $7 AND hash = $8 AND sales_cents = $9 AND payments_cents = $10",
        vec![
            org.into(),
            chain.into(),
            after.seq.into(),
            after.hash.as_slice().into(),
            after.sales_cents.into(),
            after.payments_cents.into(),
            before.seq.into(),
            before.hash.as_slice().into(),
            before.sales_cents.into(),
            before.payments_cents.into(),
        ],
    );
    batch.expect_one(i);
    batch.push(sql, args);
    (i, after)
}

/// The entries' rows chained after `before` (each entry's record completed with its kind, its
/// deltas and the totals after it): the INSERT with its values, and the head after them.
fn chained(
    org: Uuid,
    chain: &str,
    entries: &mut [Entry],
    before: &Head,
) -> (String, Vec<Arg>, Head) {
    let mut seq = before.seq;
    let mut prev = before.hash.clone();
    let mut totals = GrandTotals {
        sales_cents: before.sales_cents,
        payments_cents: before.payments_cents,
    };
    let created_at = now_micros();
    let mut sql = String::from(
        "INSERT INTO journal_entries (organization_id, chain, seq, kind, order_id, payment_id, record, prev_hash, hash, created_at) VALUES ",
    );
    crate::push_placeholders(&mut sql, entries.len(), 10);
    let mut args: Vec<Arg> = Vec::with_capacity(entries.len() * 10);
    for e in entries.iter_mut() {
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
        let hash = entry_hash(&EntryFields {
            organization_id: org,
            chain,
            seq,
            kind: e.kind,
            order_id: e.order_id,
            payment_id: e.payment_id,
            created_at,
            prev_hash: &prev,
            record: &text,
        })
        .to_vec();
        args.extend([
            Arg::from(org),
            chain.into(),
            seq.into(),
            e.kind.into(),
            e.order_id.into(),
            e.payment_id.into(),
            text.into(),
            prev.as_slice().into(),
            hash.as_slice().into(),
            created_at.into(),
        ]);
        prev = hash;
    }
    let after = Head {
        seq,
        hash: prev,
        sales_cents: totals.sales_cents,
        payments_cents: totals.payments_cents,
    };
    (sql, args, after)
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
