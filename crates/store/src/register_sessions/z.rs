//! A session's X and Z: the sums read for it, the figures `guichet_domain::closing` derives
//! from them, and the closing that numbers the Z, freezes it and journals it; the closed Zs the
//! summaries add up.

use super::{CashKind, CashMovement, Session, claim, get, movements, user_name};
use crate::counters::{self, Counter};
use crate::journal;
use crate::journal::records::JournalSums;
use crate::{Result, StoreError, Tenant, Tx, now_micros, on_tx};
use guichet_domain::closing::{
    Cash, Counts, MethodSums, OrderSums, RateLine, RateSums, SessionSums, SessionTotals, ZFigures,
    session_totals,
};
use guichet_domain::journal::{fingerprint, sign_z};
use guichet_domain::order::PaymentMethod;
use guichet_domain::{RegisterId, RegisterSessionId, UserId};
use serde::{Deserialize, Serialize};
use serde_json::json;

pub use guichet_domain::closing::MethodTotal;

/// An X (interim, `z_number` none) or Z report of one session. See `guichet_domain::closing`
/// for what it counts.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ZReport {
    pub session_id: RegisterSessionId,
    pub register_id: RegisterId,
    pub register_name: String,
    pub z_number: Option<i64>,
    pub day: String,
    pub opened_at: i64,
    pub opened_by: Option<String>,
    pub closed_at: Option<i64>,
    pub closed_by: Option<String>,
    /// When these figures were read (the closing instant for a Z).
    pub as_of: i64,
    pub revenue_cents: i64,
    pub vat_cents: i64,
    pub revenue_excl_cents: i64,
    pub tickets: i64,
    pub average_ticket_cents: i64,
    pub by_rate: Vec<RateLine>,
    /// Orders finalized in the session, before cancellations.
    pub sales_cents: i64,
    pub discounts_cents: i64,
    pub cancellations: i64,
    pub cancelled_cents: i64,
    pub refunds: i64,
    pub refunded_cents: i64,
    pub payments: Vec<MethodTotal>,
    pub payments_cents: i64,
    pub cash: Cash,
    pub movements: Vec<CashMovement>,
    pub first_number: Option<String>,
    pub last_number: Option<String>,
    /// The register's Zs before this one.
    pub previous_grand_total_cents: i64,
    /// Perpetual: every Z of the register up to and including this one.
    pub grand_total_cents: i64,
    /// A Z's signed journal entry, short (`1A2B-3C4D-5E6F`): printed, and shown by
    /// `guichet journal verify`. None on an X.
    #[serde(default)]
    pub fingerprint: Option<String>,
}

impl ZReport {
    pub fn figures(&self) -> Option<ZFigures> {
        Some(ZFigures {
            day: self.day.parse().ok()?,
            revenue_cents: self.revenue_cents,
            vat_cents: self.vat_cents,
            tickets: self.tickets,
            by_rate: self
                .by_rate
                .iter()
                .map(|r| (r.vat_rate_basis_points, r.gross_cents, r.vat_cents))
                .collect(),
        })
    }
}

/// Orders of the session on one side (finalized in it, or cancelled in it): their sums per VAT
/// rate, and their first and last number.
async fn order_side(
    tx: &mut Tx,
    tenant: Tenant,
    session: RegisterSessionId,
    column: &str,
) -> Result<(OrderSums, Option<String>, Option<String>)> {
    let head_sql = format!(
        "SELECT COUNT(*), CAST(COALESCE(SUM(total_cents), 0) AS BIGINT), MIN(number), MAX(number) FROM orders
         WHERE organization_id = $1 AND {column} = $2"
    );
    let (count, total, first, last): (i64, i64, Option<String>, Option<String>) = on_tx!(tx, c =>
        sqlx::query_as(sqlx::AssertSqlSafe(head_sql.as_str()))
            .bind(tenant.id().0)
            .bind(session.0)
            .fetch_one(c)
            .await?);
    let rate_sql = format!(
        "SELECT l.vat_rate_bp, CAST(COALESCE(SUM(l.total_cents), 0) AS BIGINT), CAST(COALESCE(SUM(l.vat_cents), 0) AS BIGINT),
         CAST(COALESCE(SUM(l.discount_cents), 0) AS BIGINT) FROM order_lines l JOIN orders o ON o.id = l.order_id
         WHERE o.organization_id = $1 AND o.{column} = $2 GROUP BY l.vat_rate_bp ORDER BY l.vat_rate_bp"
    );
    let rates: Vec<(i32, i64, i64, i64)> = on_tx!(tx, c =>
        sqlx::query_as(sqlx::AssertSqlSafe(rate_sql.as_str()))
            .bind(tenant.id().0)
            .bind(session.0)
            .fetch_all(c)
            .await?);
    let sums = OrderSums {
        count,
        total_cents: total,
        by_rate: rates
            .into_iter()
            .map(|(bp, gross, vat, discount)| RateSums {
                rate_bp: u32::try_from(bp).unwrap_or(0),
                gross_cents: gross,
                vat_cents: vat,
                discount_cents: discount,
            })
            .collect(),
    };
    Ok((sums, first, last))
}

/// What a session's report is made of, as read: the sums its figures are derived from
/// (`guichet_domain::closing::session_totals`), its cash movements, and its first and last
/// order number.
struct Read {
    sums: SessionSums,
    movements: Vec<CashMovement>,
    first_number: Option<String>,
    last_number: Option<String>,
}

/// Reads a session's sums as they stand (an X, or the Z being made). Only reads: every rule
/// of what counts is in `guichet_domain::closing`.
async fn read(tx: &mut Tx, tenant: Tenant, s: &Session) -> Result<Read> {
    let (sold, first_number, last_number) = order_side(tx, tenant, s.id, "session_id").await?;
    let (cancelled, _, _) = order_side(tx, tenant, s.id, "cancel_session_id").await?;
    let pays: Vec<(String, i64, i64, i64, i64)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT method, COUNT(*), CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT),
         CAST(COALESCE(SUM(CASE WHEN amount_cents < 0 THEN 1 ELSE 0 END), 0) AS BIGINT),
         CAST(COALESCE(SUM(CASE WHEN amount_cents < 0 THEN amount_cents ELSE 0 END), 0) AS BIGINT)
         FROM payments WHERE organization_id = $1 AND session_id = $2 GROUP BY method ORDER BY method")
        .bind(tenant.id().0)
        .bind(s.id.0)
        .fetch_all(c)
        .await?);
    let movements = movements(tx, tenant, s.id).await?;
    let moved = |k: CashKind| -> i64 {
        movements
            .iter()
            .filter(|m| m.kind == k)
            .map(|m| m.amount_cents)
            .sum()
    };
    let previous: Option<i64> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT grand_total_cents FROM register_sessions WHERE organization_id = $1
         AND register_id = $2 AND z_number IS NOT NULL ORDER BY z_number DESC LIMIT 1")
        .bind(tenant.id().0)
        .bind(s.register_id.0)
        .fetch_optional(c)
        .await?
        .flatten());
    let sums = SessionSums {
        sold,
        cancelled,
        payments: pays
            .into_iter()
            .map(
                |(method, count, amount_cents, refunds, refunds_cents)| MethodSums {
                    method,
                    count,
                    amount_cents,
                    refunds,
                    refunds_cents,
                },
            )
            .collect(),
        opening_float_cents: s.opening_float_cents,
        cash_in_cents: moved(CashKind::In),
        cash_out_cents: moved(CashKind::Out),
        previous_grand_total_cents: previous,
    };
    Ok(Read {
        sums,
        movements,
        first_number,
        last_number,
    })
}

/// The report of session `s` with figures `t`, read at `as_of`.
fn report_of(s: &Session, as_of: i64, t: SessionTotals, r: Read) -> ZReport {
    ZReport {
        session_id: s.id,
        register_id: s.register_id,
        register_name: s.register_name.clone(),
        z_number: s.z_number,
        day: s.day.clone(),
        opened_at: s.opened_at,
        opened_by: s.opened_by_name.clone(),
        closed_at: s.closed_at,
        closed_by: s.closed_by_name.clone(),
        as_of,
        revenue_cents: t.revenue_cents,
        vat_cents: t.vat_cents,
        revenue_excl_cents: t.revenue_excl_cents,
        tickets: t.tickets,
        average_ticket_cents: t.average_ticket_cents,
        by_rate: t.by_rate,
        sales_cents: t.sales_cents,
        discounts_cents: t.discounts_cents,
        cancellations: t.cancellations,
        cancelled_cents: t.cancelled_cents,
        refunds: t.refunds,
        refunded_cents: t.refunded_cents,
        payments: t.payments,
        payments_cents: t.payments_cents,
        cash: t.cash,
        movements: r.movements,
        first_number: r.first_number,
        last_number: r.last_number,
        previous_grand_total_cents: t.previous_grand_total_cents,
        grand_total_cents: t.grand_total_cents,
        fingerprint: None,
    }
}

/// A session's report: its frozen Z once closed, else an X of its figures now.
pub async fn report(tx: &mut Tx, tenant: Tenant, id: RegisterSessionId) -> Result<ZReport> {
    let s = get(tx, tenant, id).await?;
    if s.closed_at.is_some() {
        let text: Option<String> = on_tx!(tx, c => sqlx::query_scalar(
            "SELECT z_report FROM register_sessions WHERE organization_id = $1 AND id = $2")
            .bind(tenant.id().0)
            .bind(id.0)
            .fetch_one(c)
            .await?);
        let text = text.ok_or(StoreError::Other("a closed session without its Z".into()))?;
        return Ok(serde_json::from_str(&text)?);
    }
    let r = read(tx, tenant, &s).await?;
    let t = session_totals(&r.sums);
    Ok(report_of(&s, now_micros(), t, r))
}

/// What the cashier counted at closing.
#[derive(Debug, Clone)]
pub struct Closing {
    pub counted_cash_cents: i64,
    pub counts: Option<Counts>,
    /// Other methods counted (card terminal slips, vouchers).
    pub counted: Vec<(PaymentMethod, i64)>,
    /// Now, except when seeding history.
    pub at: i64,
    /// Random bytes for the organization's signing key, used only if it has none yet.
    pub key_seed: [u8; 32],
}

/// Closes a session and makes its Z: the next Z number of the register (its counter), the figures frozen in
/// the session row (never updated again) and appended to the register's journal chain.
pub async fn close(
    tx: &mut Tx,
    tenant: Tenant,
    id: RegisterSessionId,
    closing: &Closing,
    by: Option<UserId>,
) -> Result<ZReport> {
    let session = get(tx, tenant, id).await?;
    // Locks the session against a sale in flight (see `touch`), and refuses a second closing.
    let locked = on_tx!(tx, c => sqlx::query(
        "UPDATE register_sessions SET operations = operations + 1
         WHERE organization_id = $1 AND id = $2 AND closed_at IS NULL")
        .bind(tenant.id().0)
        .bind(id.0)
        .execute(c)
        .await?
        .rows_affected());
    if locked == 0 {
        return Err(StoreError::Refused("already_closed"));
    }
    claim(tx, tenant, session.register_id, id).await?;
    // From the register's counter row, in this transaction: a closing that rolls back gives
    // its number back, and two closings of one register never read the same last number.
    let z_number = counters::next(tx, tenant, Counter::Z(session.register_id)).await?;
    let at = closing.at;
    let mut s = session.clone();
    s.closed_at = Some(at);
    s.closed_by_name = match by {
        Some(u) => user_name(tx, u).await?,
        None => None,
    };
    s.z_number = Some(z_number);
    let r = read(tx, tenant, &s).await?;
    check_against_journal(tx, tenant, session.register_id, &r.sums).await?;
    let t = session_totals(&r.sums).counted(closing.counted_cash_cents, &closing.counted);
    let mut z = report_of(&s, at, t, r);
    // Journaled first, so that the session row keeps the entry's hash and its signature.
    let (_, z_hash) = journal::append_all(
        tx,
        tenant,
        &session.register_id.to_string(),
        vec![journal::Entry {
            kind: "z",
            order_id: None,
            payment_id: None,
            sales_delta_cents: 0,
            payments_delta_cents: 0,
            record: z_record(&z),
        }],
    )
    .await?;
    let (secret, _) = crate::documents::ticket_key(tx, tenant, closing.key_seed).await?;
    let signature = sign_z(&secret, &z_hash);
    z.fingerprint = Some(fingerprint(&z_hash));
    let text = serde_json::to_string(&z)?;
    let counts = closing
        .counts
        .as_ref()
        .map(serde_json::to_string)
        .transpose()?;
    on_tx!(tx, c => sqlx::query(
        "UPDATE register_sessions SET closed_at = $3, closed_by = $4, z_number = $5,
         counted_cash_cents = $6, closing_counts = $7, revenue_cents = $8, vat_cents = $9,
         tickets = $10, grand_total_cents = $11, z_report = $12, z_hash = $13, z_signature = $14
         WHERE organization_id = $1 AND id = $2 AND closed_at IS NULL")
        .bind(tenant.id().0)
        .bind(id.0)
        .bind(at)
        .bind(by.map(|u| u.0))
        .bind(z_number)
        .bind(closing.counted_cash_cents)
        .bind(counts)
        .bind(z.revenue_cents)
        .bind(z.vat_cents)
        .bind(z.tickets)
        .bind(z.grand_total_cents)
        .bind(&text)
        .bind(z_hash.as_slice())
        .bind(signature.as_slice())
        .execute(c)
        .await?
        .rows_affected());
    Ok(z)
}

/// Refuses a Z whose business figures differ from its session's journal entries (the register's
/// chain since its last Z): a sale changed in the database after it was journaled must not flow
/// into a Z. `guichet journal verify` names what differs.
async fn check_against_journal(
    tx: &mut Tx,
    tenant: Tenant,
    register: RegisterId,
    tables: &SessionSums,
) -> Result<()> {
    let rows: Vec<(String, String)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT kind, record FROM journal_entries WHERE organization_id = $1 AND chain = $2
         AND seq > COALESCE((SELECT MAX(seq) FROM journal_entries
                             WHERE organization_id = $1 AND chain = $2 AND kind = 'z'), 0)
         ORDER BY seq")
        .bind(tenant.id().0)
        .bind(register.to_string())
        .fetch_all(c)
        .await?);
    let mut journal = JournalSums::default();
    for (kind, record) in &rows {
        journal.add(kind, &serde_json::from_str(record)?);
    }
    let mut payments = tables.payments.clone();
    payments.sort_by(|a, b| a.method.cmp(&b.method));
    let agrees = journal.sold == tables.sold
        && journal.cancelled == tables.cancelled
        && journal.payments == payments
        && journal.opening_float_cents.unwrap_or(0) == tables.opening_float_cents
        && (journal.cash_in_cents, journal.cash_out_cents)
            == (tables.cash_in_cents, tables.cash_out_cents);
    if agrees {
        Ok(())
    } else {
        tracing::error!(
            register = %register,
            ?journal,
            ?tables,
            "a Z was refused: the session's figures differ from its journal entries"
        );
        Err(StoreError::Refused("z_journal_mismatch"))
    }
}

/// The Z as the journal keeps it: figures only, no names.
pub(crate) fn z_record(z: &ZReport) -> serde_json::Value {
    json!({
        "session": z.session_id,
        "z_number": z.z_number,
        "day": z.day,
        "opened_at": z.opened_at,
        "closed_at": z.closed_at,
        "revenue_cents": z.revenue_cents,
        "vat_cents": z.vat_cents,
        "tickets": z.tickets,
        "by_rate": rates_json(&z.by_rate),
        "cancelled_cents": z.cancelled_cents,
        "refunded_cents": z.refunded_cents,
        "payments": z.payments.iter().map(|p| json!({
            "method": p.method.as_str(), "amount_cents": p.amount_cents, "counted_cents": p.counted_cents
        })).collect::<Vec<_>>(),
        "cash_expected_cents": z.cash.expected_cents,
        "cash_counted_cents": z.cash.counted_cents,
        "first_number": z.first_number,
        "last_number": z.last_number,
        "grand_total_cents": z.grand_total_cents,
    })
}

fn rates_json(rates: &[RateLine]) -> serde_json::Value {
    rates
        .iter()
        .map(|r| json!({"rate_bp": r.vat_rate_basis_points, "gross_cents": r.gross_cents, "vat_cents": r.vat_cents}))
        .collect()
}

/// The figures of a Z that its session's journal entries determine (what `verify` recomputes
/// from the entries and compares with the Z's record): the keys of [`z_record`] but the
/// cashier's counts, payments only where a method moved money.
pub(crate) fn figures_record(
    t: &SessionTotals,
    first_number: Option<&str>,
    last_number: Option<&str>,
) -> serde_json::Value {
    json!({
        "revenue_cents": t.revenue_cents,
        "vat_cents": t.vat_cents,
        "tickets": t.tickets,
        "by_rate": rates_json(&t.by_rate),
        "cancelled_cents": t.cancelled_cents,
        "refunded_cents": t.refunded_cents,
        "payments": payments_moved(t.payments.iter().map(|p| (p.method.as_str(), p.amount_cents))),
        "cash_expected_cents": t.cash.expected_cents,
        "first_number": first_number,
        "last_number": last_number,
        "grand_total_cents": t.grand_total_cents,
    })
}

/// `[{method, amount_cents}]` of the methods that moved money, in the order given.
pub(crate) fn payments_moved<'a>(
    payments: impl Iterator<Item = (&'a str, i64)>,
) -> serde_json::Value {
    payments
        .filter(|(_, amount)| *amount != 0)
        .map(|(method, amount)| json!({"method": method, "amount_cents": amount}))
        .collect()
}

/// The closed Zs of days `from..=to`, with the revenue of every Z before `from` (for the
/// perpetual grand total of the summaries).
pub async fn z_figures(
    tx: &mut Tx,
    tenant: Tenant,
    from: &str,
    to: &str,
) -> Result<(i64, Vec<ZFigures>)> {
    let before: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(revenue_cents), 0) AS BIGINT) FROM register_sessions
         WHERE organization_id = $1 AND closed_at IS NOT NULL AND day < $2")
        .bind(tenant.id().0)
        .bind(from)
        .fetch_one(c)
        .await?);
    let rows: Vec<(String,)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT z_report FROM register_sessions WHERE organization_id = $1 AND closed_at IS NOT NULL
         AND day >= $2 AND day <= $3 ORDER BY day, z_number")
        .bind(tenant.id().0)
        .bind(from)
        .bind(to)
        .fetch_all(c)
        .await?);
    let mut out = Vec::with_capacity(rows.len());
    for (text,) in rows {
        let z: ZReport = serde_json::from_str(&text)?;
        if let Some(f) = z.figures() {
            out.push(f);
        }
    }
    Ok((before, out))
}
