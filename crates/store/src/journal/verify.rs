//! `guichet journal verify`: every chain recomputed (sequence, previous hash, each entry's hash
//! over all its columns, the running grand totals, the head), every journaled order, payment,
//! cancellation and Z rebuilt from the business tables and compared with its record, every
//! finalized order, payment, cancellation and Z found in the journal, each Z's figures equal to
//! the sum of its session's entries, and each Z's signature checked with the organization's
//! public key.

use super::chain_of;
use super::records::{self, JournalSums, LineFacts, OrderFacts, PaymentFacts};
use crate::register_sessions::z::{ZReport, figures_record, payments_moved, z_record};
use crate::{Result, Tx, on_tx};
use guichet_domain::closing::{SessionSums, session_totals};
use guichet_domain::journal::{
    EntryFields, GENESIS, GrandTotals, carried_totals, entry_hash, fingerprint, z_signature_valid,
};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// One chain's verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    pub organization_id: Uuid,
    pub chain: String,
    pub entries: i64,
    /// The first entry that does not verify, and why.
    pub first_broken: Option<(i64, &'static str)>,
}

/// A difference between the journal and the business tables, or a Z that does not check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub organization_id: Uuid,
    /// What it is about: `order P2612060001`, `payment P2612060001_2`, `Z 3 of register …`.
    pub subject: String,
    /// A stable code (`order_differs`, `order_not_journaled`, `z_bad_signature`, …).
    pub code: &'static str,
    /// What differs, for a person: `total_cents: journal 1200, tables 1300`.
    pub detail: String,
}

/// A signed Z as verified, for the auditor to compare with the printed fingerprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZCheck {
    pub organization_id: Uuid,
    pub chain: String,
    pub z_number: i64,
    pub fingerprint: String,
    pub signature_valid: bool,
}

/// Everything `verify` found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verification {
    pub chains: Vec<ChainReport>,
    pub findings: Vec<Finding>,
    pub zs: Vec<ZCheck>,
    /// Finalized orders looked at in the business tables.
    pub orders: usize,
}

impl Verification {
    pub fn ok(&self) -> bool {
        self.findings.is_empty()
            && self.chains.iter().all(|c| c.first_broken.is_none())
            && self.zs.iter().all(|z| z.signature_valid)
    }
}

#[derive(sqlx::FromRow)]
struct EntryRow {
    chain: String,
    seq: i64,
    kind: String,
    order_id: Option<Uuid>,
    payment_id: Option<Uuid>,
    record: String,
    prev_hash: Vec<u8>,
    hash: Vec<u8>,
    created_at: i64,
}

/// Verifies every organization's journal.
pub async fn verify_all(tx: &mut Tx) -> Result<Verification> {
    let orgs: Vec<Uuid> = on_tx!(tx, c => sqlx::query_scalar("SELECT id FROM organizations ORDER BY id")
        .fetch_all(c)
        .await?);
    let mut all = Verification::default();
    for org in orgs {
        let v = verify_organization(tx, org).await?;
        all.chains.extend(v.chains);
        all.findings.extend(v.findings);
        all.zs.extend(v.zs);
        all.orders += v.orders;
    }
    Ok(all)
}

async fn verify_organization(tx: &mut Tx, org: Uuid) -> Result<Verification> {
    let rows: Vec<EntryRow> = on_tx!(tx, c => sqlx::query_as(
        "SELECT chain, seq, kind, order_id, payment_id, record, prev_hash, hash, created_at
         FROM journal_entries WHERE organization_id = $1 ORDER BY chain, seq")
        .bind(org)
        .fetch_all(c)
        .await?);
    let business = Business::read(tx, org).await?;
    let mut v = Verification {
        orders: business.orders.len(),
        ..Verification::default()
    };
    let mut f = Findings {
        org,
        list: Vec::new(),
    };
    let chains = check_chains(tx, org, &rows, &mut f).await?;
    v.chains = chains;
    compare_with_tables(&rows, &business, &mut f);
    v.zs = check_zs(&rows, &business, &mut f);
    v.findings = f.list;
    Ok(v)
}

struct Findings {
    org: Uuid,
    list: Vec<Finding>,
}

impl Findings {
    fn add(&mut self, subject: String, code: &'static str, detail: String) {
        self.list.push(Finding {
            organization_id: self.org,
            subject,
            code,
            detail,
        });
    }
}

// ---- the chains ----

/// Recomputes each chain and checks its head.
async fn check_chains(
    tx: &mut Tx,
    org: Uuid,
    rows: &[EntryRow],
    f: &mut Findings,
) -> Result<Vec<ChainReport>> {
    let heads: Vec<(String, i64, Vec<u8>, i64, i64)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT chain, seq, hash, sales_cents, payments_cents FROM journal_heads
         WHERE organization_id = $1 ORDER BY chain")
        .bind(org)
        .fetch_all(c)
        .await?);
    let mut reports = Vec::new();
    for chain in rows.chunk_by(|a, b| a.chain == b.chain) {
        let Some(first) = chain.first() else { continue };
        let mut report = ChainReport {
            organization_id: org,
            chain: first.chain.clone(),
            entries: i64::try_from(chain.len()).unwrap_or(i64::MAX),
            first_broken: None,
        };
        let mut prev = GENESIS.to_vec();
        let mut totals = GrandTotals::default();
        for (r, expected_seq) in chain.iter().zip(1..) {
            match check_entry(org, r, expected_seq, &prev, totals) {
                Ok(t) => {
                    totals = t;
                    prev.clone_from(&r.hash);
                }
                Err(why) => {
                    report.first_broken = Some((r.seq, why));
                    break;
                }
            }
        }
        if report.first_broken.is_none() {
            let head = heads.iter().find(|h| h.0 == report.chain);
            let why = match head {
                None => Some("head_missing"),
                Some(h) if h.1 != report.entries => Some("head_sequence_mismatch"),
                Some(h) if h.2 != prev => Some("head_hash_mismatch"),
                Some(h) if (h.3, h.4) != (totals.sales_cents, totals.payments_cents) => {
                    Some("head_totals_mismatch")
                }
                Some(_) => None,
            };
            report.first_broken = why.map(|w| (report.entries + 1, w));
        }
        if let Some((seq, why)) = report.first_broken {
            f.add(
                format!("chain {}", report.chain),
                "chain_broken",
                format!("entry #{seq}: {why}"),
            );
        }
        reports.push(report);
    }
    // A head without any entry means a whole chain was removed.
    for h in heads {
        if h.1 > 0 && !reports.iter().any(|r| r.chain == h.0) {
            f.add(
                format!("chain {}", h.0),
                "chain_broken",
                "entry #1: entries_missing".into(),
            );
            reports.push(ChainReport {
                organization_id: org,
                chain: h.0,
                entries: 0,
                first_broken: Some((1, "entries_missing")),
            });
        }
    }
    Ok(reports)
}

fn check_entry(
    org: Uuid,
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
    let fields = EntryFields {
        organization_id: org,
        chain: &r.chain,
        seq: r.seq,
        kind: &r.kind,
        order_id: r.order_id,
        payment_id: r.payment_id,
        created_at: r.created_at,
        prev_hash: prev,
        record: &r.record,
    };
    if entry_hash(&fields).as_slice() != r.hash.as_slice() {
        return Err("hash_mismatch");
    }
    let record: Value = serde_json::from_str(&r.record).map_err(|_| "record_unreadable")?;
    if record.get("kind").and_then(Value::as_str) != Some(r.kind.as_str()) {
        return Err("kind_mismatch");
    }
    carried_totals(&record, Some(totals))
}

// ---- the business tables ----

struct OrderRow {
    number: String,
    register_id: Option<Uuid>,
    finalized_at: Option<i64>,
    cancelled_at: Option<i64>,
    total_cents: i64,
    vat_cents: i64,
    lines: Vec<LineFacts>,
}

struct PaymentRow {
    order_id: Uuid,
    register_id: Option<Uuid>,
    method: String,
    amount_cents: i64,
    tendered_cents: i64,
    change_cents: i64,
    taken_at: i64,
    allocations: Vec<(i32, i64, i32)>,
}

struct ZRow {
    register_id: Uuid,
    z_number: i64,
    report: Option<ZReport>,
    columns: (i64, i64, i64, i64),
    z_hash: Option<Vec<u8>>,
    z_signature: Option<Vec<u8>>,
}

/// What the journal must match, read from the business tables in a few statements.
struct Business {
    orders: HashMap<Uuid, OrderRow>,
    payments: HashMap<Uuid, PaymentRow>,
    /// Closed sessions by id.
    zs: HashMap<Uuid, ZRow>,
    public_key: Option<[u8; 32]>,
}

type OrderTuple = (
    Uuid,
    String,
    Option<Uuid>,
    Option<i64>,
    Option<i64>,
    i64,
    i64,
);
type LineTuple = (Uuid, i32, String, String, i64, i64, i64, i64, i32, i64);
type PaymentTuple = (Uuid, Uuid, Option<Uuid>, String, i64, i64, i64, i64);
type ZTuple = (
    Uuid,
    Uuid,
    i64,
    Option<String>,
    i64,
    i64,
    i64,
    i64,
    Option<Vec<u8>>,
    Option<Vec<u8>>,
);

impl Business {
    async fn read(tx: &mut Tx, org: Uuid) -> Result<Business> {
        let orders: Vec<OrderTuple> = on_tx!(tx, c => sqlx::query_as(
            "SELECT id, number, register_id, finalized_at, cancelled_at, total_cents, vat_cents
             FROM orders WHERE organization_id = $1 AND number IS NOT NULL")
            .bind(org).fetch_all(c).await?);
        let mut orders: HashMap<Uuid, OrderRow> = orders
            .into_iter()
            .map(
                |(id, number, register_id, finalized_at, cancelled_at, total, vat)| {
                    let row = OrderRow {
                        number,
                        register_id,
                        finalized_at,
                        cancelled_at,
                        total_cents: total,
                        vat_cents: vat,
                        lines: Vec::new(),
                    };
                    (id, row)
                },
            )
            .collect();
        let lines: Vec<LineTuple> = on_tx!(tx, c => sqlx::query_as(
            "SELECT l.order_id, l.position, l.kind, l.label, l.quantity, l.unit_price_cents,
             l.discount_cents, l.total_cents, l.vat_rate_bp, l.vat_cents
             FROM order_lines l JOIN orders o ON o.id = l.order_id
             WHERE o.organization_id = $1 AND o.number IS NOT NULL ORDER BY l.order_id, l.position")
            .bind(org).fetch_all(c).await?);
        for (order, position, kind, label, quantity, unit, discount, total, bp, vat) in lines {
            if let Some(o) = orders.get_mut(&order) {
                o.lines.push(LineFacts {
                    position,
                    kind,
                    label,
                    quantity,
                    unit_price_cents: unit,
                    discount_cents: discount,
                    total_cents: total,
                    vat_rate_bp: u32::try_from(bp).unwrap_or(0),
                    vat_cents: vat,
                });
            }
        }
        let payments: Vec<PaymentTuple> = on_tx!(tx, c => sqlx::query_as(
            "SELECT id, order_id, register_id, method, amount_cents, tendered_cents, change_cents, taken_at
             FROM payments WHERE organization_id = $1")
            .bind(org).fetch_all(c).await?);
        let mut payments: HashMap<Uuid, PaymentRow> = payments
            .into_iter()
            .map(
                |(id, order_id, register_id, method, amount, tendered, change, at)| {
                    let row = PaymentRow {
                        order_id,
                        register_id,
                        method,
                        amount_cents: amount,
                        tendered_cents: tendered,
                        change_cents: change,
                        taken_at: at,
                        allocations: Vec::new(),
                    };
                    (id, row)
                },
            )
            .collect();
        let allocations: Vec<(Uuid, i32, i64, i32)> = on_tx!(tx, c => sqlx::query_as(
            "SELECT a.payment_id, l.position, a.amount_cents, a.number FROM payment_allocations a
             JOIN order_lines l ON l.id = a.line_id
             WHERE a.organization_id = $1 ORDER BY a.payment_id, l.position")
            .bind(org).fetch_all(c).await?);
        for (payment, position, amount, number) in allocations {
            if let Some(p) = payments.get_mut(&payment) {
                p.allocations.push((position, amount, number));
            }
        }
        let zs: Vec<ZTuple> = on_tx!(tx, c => sqlx::query_as(
            "SELECT id, register_id, z_number, z_report, revenue_cents, vat_cents, tickets,
             grand_total_cents, z_hash, z_signature
             FROM register_sessions WHERE organization_id = $1 AND closed_at IS NOT NULL")
            .bind(org).fetch_all(c).await?);
        let zs = zs
            .into_iter()
            .map(
                |(id, register_id, z_number, report, revenue, vat, tickets, grand, hash, sig)| {
                    let row = ZRow {
                        register_id,
                        z_number,
                        report: report.and_then(|t| serde_json::from_str(&t).ok()),
                        columns: (revenue, vat, tickets, grand),
                        z_hash: hash,
                        z_signature: sig,
                    };
                    (id, row)
                },
            )
            .collect();
        let key: Option<Vec<u8>> = on_tx!(tx, c => sqlx::query_scalar(
            "SELECT public_key FROM ticket_keys WHERE organization_id = $1")
            .bind(org).fetch_optional(c).await?);
        Ok(Business {
            orders,
            payments,
            zs,
            public_key: key.and_then(|k| <[u8; 32]>::try_from(k.as_slice()).ok()),
        })
    }
}

fn parse(r: &EntryRow) -> Value {
    serde_json::from_str(&r.record).unwrap_or(Value::Null)
}

/// Each journaled order, cancellation and payment against its row, and each finalized order,
/// cancellation and payment against the journal.
fn compare_with_tables(rows: &[EntryRow], b: &Business, f: &mut Findings) {
    let mut seen_orders = HashSet::new();
    let mut seen_cancellations = HashSet::new();
    let mut seen_payments = HashSet::new();
    for r in rows {
        match r.kind.as_str() {
            "order" | "cancellation" => {
                let order = r.order_id.and_then(|id| b.orders.get(&id).map(|o| (id, o)));
                let Some((id, o)) = order else {
                    f.add(
                        format!("{} #{} of chain {}", r.kind, r.seq, r.chain),
                        "order_missing",
                        "the journal has it, the orders table does not".into(),
                    );
                    continue;
                };
                let expected = if r.kind == "order" {
                    seen_orders.insert(id);
                    records::order(&OrderFacts {
                        number: &o.number,
                        register: &chain_of(o.register_id),
                        at: o.finalized_at.unwrap_or_default(),
                        total_cents: o.total_cents,
                        vat_cents: o.vat_cents,
                        lines: &o.lines,
                    })
                } else {
                    seen_cancellations.insert(id);
                    records::cancellation(
                        &o.number,
                        o.cancelled_at.unwrap_or_default(),
                        (o.total_cents, o.vat_cents),
                        &o.lines,
                    )
                };
                let subject = format!("{} {}", r.kind, o.number);
                compare(f, &subject, &expected, &parse(r));
                if r.chain != chain_of(o.register_id) {
                    f.add(
                        subject,
                        "chain_differs",
                        format!("journal chain {}", r.chain),
                    );
                }
            }
            "payment" | "refund" => {
                let payment = r
                    .payment_id
                    .and_then(|id| b.payments.get(&id).map(|p| (id, p)));
                let Some((id, p)) = payment else {
                    f.add(
                        format!("{} #{} of chain {}", r.kind, r.seq, r.chain),
                        "payment_missing",
                        "the journal has it, the payments table does not".into(),
                    );
                    continue;
                };
                seen_payments.insert(id);
                let number = b.orders.get(&p.order_id).map(|o| o.number.as_str());
                let expected = records::payment(&PaymentFacts {
                    number,
                    at: p.taken_at,
                    method: &p.method,
                    amount_cents: p.amount_cents,
                    tendered_cents: p.tendered_cents,
                    change_cents: p.change_cents,
                    allocations: &p.allocations,
                });
                let subject = format!("{} {} of {}", r.kind, id, number.unwrap_or("?"));
                compare(f, &subject, &expected, &parse(r));
                if r.order_id != Some(p.order_id) || r.chain != chain_of(p.register_id) {
                    f.add(subject, "payment_moved", "order or chain differs".into());
                }
            }
            _ => {}
        }
    }
    for (id, o) in &b.orders {
        if o.finalized_at.is_some() && !seen_orders.contains(id) {
            f.add(
                format!("order {}", o.number),
                "order_not_journaled",
                "finalized but not in the journal".into(),
            );
        }
        if o.cancelled_at.is_some() && !seen_cancellations.contains(id) {
            f.add(
                format!("cancellation {}", o.number),
                "cancellation_not_journaled",
                "cancelled but not in the journal".into(),
            );
        }
    }
    for (id, p) in &b.payments {
        if !seen_payments.contains(id) {
            let number = b.orders.get(&p.order_id).map_or("?", |o| o.number.as_str());
            f.add(
                format!("payment {id} of {number}"),
                "payment_not_journaled",
                format!("{} cents not in the journal", p.amount_cents),
            );
        }
    }
}

fn compare(f: &mut Findings, subject: &str, expected: &Value, recorded: &Value) {
    let differences = records::differences(expected, recorded);
    if differences.is_empty() {
        return;
    }
    let code = match expected.get("kind").and_then(Value::as_str) {
        Some("order") => "order_differs",
        Some("cancellation") => "cancellation_differs",
        Some("z") => "z_differs",
        _ => "payment_differs",
    };
    let detail = describe(&differences, ("journal", "tables"));
    f.add(subject.to_owned(), code, detail);
}

/// `key: <recorded label> value, <expected label> value; …` (differences are (key, expected,
/// recorded)).
fn describe(differences: &[(String, Value, Value)], (recorded, expected): (&str, &str)) -> String {
    differences
        .iter()
        .map(|(k, e, r)| format!("{k}: {recorded} {}, {expected} {}", short(r), short(e)))
        .collect::<Vec<_>>()
        .join("; ")
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    match s.char_indices().nth(80) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s,
    }
}

// ---- the Zs ----

/// Each Z against its session row, against the sum of its session's entries, and its signature.
fn check_zs(rows: &[EntryRow], b: &Business, f: &mut Findings) -> Vec<ZCheck> {
    let mut checks = Vec::new();
    let mut seen = HashSet::new();
    for chain in rows.chunk_by(|a, c| a.chain == c.chain) {
        let mut sums = JournalSums::default();
        let mut previous_grand_total: Option<i64> = None;
        for r in chain {
            let record = parse(r);
            if r.kind != "z" {
                sums.add(&r.kind, &record);
                continue;
            }
            let z_number = record.get("z_number").and_then(Value::as_i64).unwrap_or(0);
            let subject = format!("Z {z_number} of register {}", r.chain);
            let session = record
                .get("session")
                .and_then(Value::as_str)
                .and_then(|s| s.parse::<Uuid>().ok());
            let Some((id, z)) = session.and_then(|s| b.zs.get(&s).map(|z| (s, z))) else {
                f.add(
                    subject,
                    "z_missing",
                    "the journal has it, the sessions table does not".into(),
                );
                continue;
            };
            seen.insert(id);
            check_z_row(f, &subject, r, z, &record);
            let expected = journal_figures(&sums, previous_grand_total);
            let recorded = figures_of_record(&record);
            let differences = records::differences(&expected, &recorded);
            if !differences.is_empty() {
                let detail = describe(&differences, ("Z", "its session's entries"));
                f.add(subject.clone(), "z_not_sum_of_entries", detail);
            }
            let signature_valid = match (&b.public_key, &z.z_signature) {
                (Some(key), Some(sig)) => {
                    z.z_hash.as_deref() == Some(r.hash.as_slice())
                        && z_signature_valid(key, &r.hash, sig)
                }
                _ => false,
            };
            if !signature_valid {
                f.add(
                    subject,
                    "z_bad_signature",
                    "the Z's signature does not match its journal entry".into(),
                );
            }
            checks.push(ZCheck {
                organization_id: f.org,
                chain: r.chain.clone(),
                z_number,
                fingerprint: fingerprint(&r.hash),
                signature_valid,
            });
            previous_grand_total = record.get("grand_total_cents").and_then(Value::as_i64);
            sums = JournalSums::default();
        }
    }
    for (id, z) in &b.zs {
        if !seen.contains(id) {
            f.add(
                format!("Z {} of register {}", z.z_number, z.register_id),
                "z_not_journaled",
                "closed but not in the journal".into(),
            );
        }
    }
    checks
}

/// The Z row against its journal record: the frozen report, and the figures kept in columns.
fn check_z_row(f: &mut Findings, subject: &str, r: &EntryRow, z: &ZRow, record: &Value) {
    let Some(report) = &z.report else {
        f.add(
            subject.to_owned(),
            "z_differs",
            "its report is unreadable".into(),
        );
        return;
    };
    let mut expected = z_record(report);
    if let Value::Object(m) = &mut expected {
        m.insert("kind".into(), "z".into());
        m.insert("sales_delta_cents".into(), 0.into());
        m.insert("payments_delta_cents".into(), 0.into());
    }
    compare(f, subject, &expected, record);
    let columns = (
        report.revenue_cents,
        report.vat_cents,
        report.tickets,
        report.grand_total_cents,
    );
    if columns != z.columns || r.chain != z.register_id.to_string() {
        f.add(
            subject.to_owned(),
            "z_differs",
            format!(
                "columns (revenue, VAT, tickets, grand total) {:?}, its report {columns:?}",
                z.columns
            ),
        );
    }
}

/// A Z's figures as its session's journal entries give them.
fn journal_figures(sums: &JournalSums, previous_grand_total: Option<i64>) -> Value {
    let s = SessionSums {
        sold: sums.sold.clone(),
        cancelled: sums.cancelled.clone(),
        payments: sums.payments.clone(),
        opening_float_cents: sums.opening_float_cents.unwrap_or(0),
        cash_in_cents: sums.cash_in_cents,
        cash_out_cents: sums.cash_out_cents,
        previous_grand_total_cents: previous_grand_total,
    };
    figures_record(
        &session_totals(&s),
        sums.first_number.as_deref(),
        sums.last_number.as_deref(),
    )
}

/// The same figures, read from a Z's record.
fn figures_of_record(record: &Value) -> Value {
    let mut out = serde_json::Map::new();
    if let Value::Object(expected) =
        figures_record(&session_totals(&SessionSums::default()), None, None)
    {
        for k in expected.keys() {
            let v = match k.as_str() {
                // Counted amounts are the cashier's, not the entries'.
                "payments" => payments_moved(
                    record
                        .get("payments")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .map(|p| {
                            (
                                p.get("method").and_then(Value::as_str).unwrap_or(""),
                                p.get("amount_cents").and_then(Value::as_i64).unwrap_or(0),
                            )
                        }),
                ),
                _ => record.get(k).cloned().unwrap_or(Value::Null),
            };
            out.insert(k.clone(), v);
        }
    }
    Value::Object(out)
}
