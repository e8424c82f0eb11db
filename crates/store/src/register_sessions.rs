//! Register sessions: opened with a float, closed with the counted cash and its Z, cash put in
//! and taken out in between. What a Z counts is stated in `guichet_domain::closing`; this is
//! where it is read from the orders, payments and cash movements, frozen at closing (the Z is
//! immutable: the store never updates a closed session and the database refuses it) and
//! appended to the register's journal chain.

use crate::journal;
use crate::{Result, StoreError, Tenant, Tx, now_micros, on_tx};
use guichet_domain::closing::{Cash, Counts, RateLine, ZFigures, average_ticket};
use guichet_domain::order::PaymentMethod;
use guichet_domain::{CashMovementId, RegisterId, RegisterSessionId, UserId};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Session {
    pub id: RegisterSessionId,
    pub register_id: RegisterId,
    pub register_name: String,
    /// The local day it was opened on (its Z keeps it).
    pub day: String,
    pub opened_at: i64,
    pub opened_by_name: Option<String>,
    pub opening_float_cents: i64,
    pub closed_at: Option<i64>,
    pub closed_by_name: Option<String>,
    pub z_number: Option<i64>,
    pub counted_cash_cents: Option<i64>,
    pub revenue_cents: Option<i64>,
    pub vat_cents: Option<i64>,
    pub tickets: Option<i64>,
    pub grand_total_cents: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    register_id: Uuid,
    register_name: String,
    day: String,
    opened_at: i64,
    opened_by_name: Option<String>,
    opening_float_cents: i64,
    closed_at: Option<i64>,
    closed_by_name: Option<String>,
    z_number: Option<i64>,
    counted_cash_cents: Option<i64>,
    revenue_cents: Option<i64>,
    vat_cents: Option<i64>,
    tickets: Option<i64>,
    grand_total_cents: Option<i64>,
}

impl From<Row> for Session {
    fn from(r: Row) -> Self {
        Session {
            id: RegisterSessionId(r.id),
            register_id: RegisterId(r.register_id),
            register_name: r.register_name,
            day: r.day,
            opened_at: r.opened_at,
            opened_by_name: r.opened_by_name,
            opening_float_cents: r.opening_float_cents,
            closed_at: r.closed_at,
            closed_by_name: r.closed_by_name,
            z_number: r.z_number,
            counted_cash_cents: r.counted_cash_cents,
            revenue_cents: r.revenue_cents,
            vat_cents: r.vat_cents,
            tickets: r.tickets,
            grand_total_cents: r.grand_total_cents,
        }
    }
}

const SELECT: &str = "SELECT s.id, s.register_id, r.name AS register_name, s.day, s.opened_at,
    uo.name AS opened_by_name, s.opening_float_cents, s.closed_at, uc.name AS closed_by_name,
    s.z_number, s.counted_cash_cents, s.revenue_cents, s.vat_cents, s.tickets, s.grand_total_cents
    FROM register_sessions s JOIN registers r ON r.id = s.register_id
    LEFT JOIN users uo ON uo.id = s.opened_by LEFT JOIN users uc ON uc.id = s.closed_by
    WHERE s.organization_id = $1";

/// Cash put into or taken out of the drawer during a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CashKind {
    In,
    Out,
}

impl CashKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CashKind::In => "in",
            CashKind::Out => "out",
        }
    }

    pub fn parse(s: &str) -> Option<CashKind> {
        match s {
            "in" => Some(CashKind::In),
            "out" => Some(CashKind::Out),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CashMovement {
    pub id: CashMovementId,
    pub kind: CashKind,
    pub amount_cents: i64,
    pub reason: String,
    pub at: i64,
    pub by_name: Option<String>,
}

/// One payment method's line of a report.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MethodTotal {
    pub method: PaymentMethod,
    /// Payments and refunds taken.
    pub count: i64,
    /// Net of refunds.
    pub amount_cents: i64,
    /// Counted at closing where the cashier counted it (cash, card terminal slips, vouchers).
    pub counted_cents: Option<i64>,
    pub difference_cents: Option<i64>,
}

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

pub async fn get(tx: &mut Tx, tenant: Tenant, id: RegisterSessionId) -> Result<Session> {
    let sql = format!("{SELECT} AND s.id = $2");
    let row: Option<Row> = on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(tenant.id().0)
        .bind(id.0)
        .fetch_optional(c)
        .await?);
    row.map(Session::from).ok_or(StoreError::NotFound)
}

/// The register's open session, if any.
pub async fn open_of(tx: &mut Tx, tenant: Tenant, register: RegisterId) -> Result<Option<Session>> {
    let sql = format!("{SELECT} AND s.register_id = $2 AND s.closed_at IS NULL");
    let row: Option<Row> = on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(tenant.id().0)
        .bind(register.0)
        .fetch_optional(c)
        .await?);
    Ok(row.map(Session::from))
}

/// Every open session of the organization (the dashboard flags those opened before today).
pub async fn open_sessions(tx: &mut Tx, tenant: Tenant) -> Result<Vec<Session>> {
    let sql = format!("{SELECT} AND s.closed_at IS NULL ORDER BY s.opened_at");
    let rows: Vec<Row> = on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(tenant.id().0)
        .fetch_all(c)
        .await?);
    Ok(rows.into_iter().map(Session::from).collect())
}

/// Sessions opened on days `from..=to` (ISO dates), newest first; of one register if given.
pub async fn list(
    tx: &mut Tx,
    tenant: Tenant,
    from: &str,
    to: &str,
    register: Option<RegisterId>,
) -> Result<Vec<Session>> {
    let sql = format!(
        "{SELECT} AND s.day >= $2 AND s.day <= $3 AND ($4 OR s.register_id = $5)
         ORDER BY s.day DESC, COALESCE(s.closed_at, s.opened_at) DESC"
    );
    let rows: Vec<Row> = on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(tenant.id().0)
        .bind(from)
        .bind(to)
        .bind(register.is_none())
        .bind(register.map(|r| r.0).unwrap_or_default())
        .fetch_all(c)
        .await?);
    Ok(rows.into_iter().map(Session::from).collect())
}

/// Each register's last opening and last Z (the registers list, as in the seeds).
pub async fn last_per_register(
    tx: &mut Tx,
    tenant: Tenant,
) -> Result<Vec<(RegisterId, Option<i64>, Option<i64>)>> {
    let rows: Vec<(Uuid, Option<i64>, Option<i64>)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT register_id, MAX(opened_at), MAX(closed_at) FROM register_sessions
         WHERE organization_id = $1 GROUP BY register_id")
        .bind(tenant.id().0)
        .fetch_all(c)
        .await?);
    Ok(rows
        .into_iter()
        .map(|(r, o, c)| (RegisterId(r), o, c))
        .collect())
}

/// What the cashier counted at opening.
#[derive(Debug, Clone)]
pub struct Opening {
    /// The organization's local day.
    pub day: jiff::civil::Date,
    pub float_cents: i64,
    pub counts: Option<Counts>,
    /// Now, except when seeding history.
    pub at: i64,
}

/// Opens a session on a register. Refused while the register has one open (a session left
/// open from an earlier day must be closed first). Events of the register made while it was
/// closed (phone bookings, a cancellation from the back office) count in this session.
pub async fn open(
    tx: &mut Tx,
    tenant: Tenant,
    register: RegisterId,
    o: &Opening,
    by: Option<UserId>,
) -> Result<Session> {
    if open_of(tx, tenant, register).await?.is_some() {
        return Err(StoreError::Refused("register_already_open"));
    }
    let id = RegisterSessionId::new();
    let (day, float_cents, at) = (o.day, o.float_cents, o.at);
    let counts_json = o.counts.as_ref().map(serde_json::to_string).transpose()?;
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO register_sessions (id, organization_id, register_id, day, opened_at, opened_by,
         opening_float_cents, opening_counts, operations) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0)")
        .bind(id.0)
        .bind(tenant.id().0)
        .bind(register.0)
        .bind(day.to_string())
        .bind(at)
        .bind(by.map(|u| u.0))
        .bind(float_cents)
        .bind(counts_json)
        .execute(c)
        .await
        .map_err(|e| StoreError::on_constraint(e, "open_session"))?
        .rows_affected());
    claim(tx, tenant, register, id).await?;
    journal::append_all(
        tx,
        tenant,
        &register.to_string(),
        vec![journal::Entry {
            kind: "session_opened",
            order_id: None,
            payment_id: None,
            sales_delta_cents: 0,
            payments_delta_cents: 0,
            record: json!({"session": id, "day": day.to_string(), "at": at,
                "opening_float_cents": float_cents}),
        }],
    )
    .await?;
    get(tx, tenant, id).await
}

/// Gives the register's events that no session counted yet to `session`.
async fn claim(
    tx: &mut Tx,
    tenant: Tenant,
    register: RegisterId,
    session: RegisterSessionId,
) -> Result<()> {
    let org = tenant.id().0;
    for sql in [
        "UPDATE orders SET session_id = $3 WHERE organization_id = $1 AND register_id = $2
         AND session_id IS NULL AND finalized_at IS NOT NULL",
        "UPDATE orders SET cancel_session_id = $3 WHERE organization_id = $1 AND register_id = $2
         AND cancel_session_id IS NULL AND cancelled_at IS NOT NULL AND finalized_at IS NOT NULL",
        "UPDATE payments SET session_id = $3 WHERE organization_id = $1 AND register_id = $2
         AND session_id IS NULL",
    ] {
        on_tx!(tx, c => sqlx::query(sql)
            .bind(org)
            .bind(register.0)
            .bind(session.0)
            .execute(c)
            .await?
            .rows_affected());
    }
    Ok(())
}

/// The register's open session, counting one more operation in it. The conditional UPDATE is
/// what orders a sale against a closing on PostgreSQL (the closing waits for the sale's row
/// lock, then counts it); SQLite has one writer anyway.
pub async fn touch(
    tx: &mut Tx,
    tenant: Tenant,
    register: RegisterId,
) -> Result<Option<RegisterSessionId>> {
    let id: Option<Uuid> = on_tx!(tx, c => sqlx::query_scalar(
        "UPDATE register_sessions SET operations = operations + 1
         WHERE organization_id = $1 AND register_id = $2 AND closed_at IS NULL RETURNING id")
        .bind(tenant.id().0)
        .bind(register.0)
        .fetch_optional(c)
        .await?);
    Ok(id.map(RegisterSessionId))
}

/// The session a sale or a payment on `register` counts in. A counter register sells only
/// while open (`register_closed`); a phone register may sell while closed, and its next session
/// takes the sale.
pub async fn for_sale(
    tx: &mut Tx,
    tenant: Tenant,
    register: RegisterId,
) -> Result<Option<RegisterSessionId>> {
    if let Some(s) = touch(tx, tenant, register).await? {
        return Ok(Some(s));
    }
    let kind: Option<String> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT kind FROM registers WHERE organization_id = $1 AND id = $2")
        .bind(tenant.id().0)
        .bind(register.0)
        .fetch_optional(c)
        .await?);
    match kind.as_deref() {
        Some("phone") => Ok(None),
        _ => Err(StoreError::Refused("register_closed")),
    }
}

/// Records cash put in or taken out of an open register's drawer.
pub async fn add_cash_movement(
    tx: &mut Tx,
    tenant: Tenant,
    register: RegisterId,
    kind: CashKind,
    amount_cents: i64,
    reason: &str,
    by: Option<UserId>,
) -> Result<CashMovement> {
    let Some(session) = touch(tx, tenant, register).await? else {
        return Err(StoreError::Refused("register_closed"));
    };
    let id = CashMovementId::new();
    let at = now_micros();
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO cash_movements (id, organization_id, session_id, kind, amount_cents, reason, at, by_user)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(id.0)
        .bind(tenant.id().0)
        .bind(session.0)
        .bind(kind.as_str())
        .bind(amount_cents)
        .bind(reason)
        .bind(at)
        .bind(by.map(|u| u.0))
        .execute(c)
        .await?
        .rows_affected());
    journal::append_all(
        tx,
        tenant,
        &register.to_string(),
        vec![journal::Entry {
            kind: if kind == CashKind::In {
                "cash_in"
            } else {
                "cash_out"
            },
            order_id: None,
            payment_id: None,
            sales_delta_cents: 0,
            payments_delta_cents: 0,
            // The reason stays out of the hashed record: it is free text.
            record: json!({"session": session, "at": at, "amount_cents": amount_cents}),
        }],
    )
    .await?;
    let by_name = match by {
        Some(u) => user_name(tx, u).await?,
        None => None,
    };
    Ok(CashMovement {
        id,
        kind,
        amount_cents,
        reason: reason.to_owned(),
        at,
        by_name,
    })
}

async fn user_name(tx: &mut Tx, user: UserId) -> Result<Option<String>> {
    Ok(
        on_tx!(tx, c => sqlx::query_scalar("SELECT name FROM users WHERE id = $1")
        .bind(user.0)
        .fetch_optional(c)
        .await?),
    )
}

async fn movements(
    tx: &mut Tx,
    tenant: Tenant,
    session: RegisterSessionId,
) -> Result<Vec<CashMovement>> {
    let rows: Vec<(Uuid, String, i64, String, i64, Option<String>)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT m.id, m.kind, m.amount_cents, m.reason, m.at, u.name FROM cash_movements m
         LEFT JOIN users u ON u.id = m.by_user
         WHERE m.organization_id = $1 AND m.session_id = $2 ORDER BY m.at, m.id")
        .bind(tenant.id().0)
        .bind(session.0)
        .fetch_all(c)
        .await?);
    Ok(rows
        .into_iter()
        .map(
            |(id, kind, amount_cents, reason, at, by_name)| CashMovement {
                id: CashMovementId(id),
                kind: CashKind::parse(&kind).unwrap_or(CashKind::In),
                amount_cents,
                reason,
                at,
                by_name,
            },
        )
        .collect())
}

/// Orders of the session (finalized in it, or cancelled in it): count, total, first and last
/// number, and their lines per VAT rate (total, VAT, discount).
struct OrderSide {
    count: i64,
    total: i64,
    first: Option<String>,
    last: Option<String>,
    rates: Vec<(u32, i64, i64, i64)>,
}

async fn order_side(
    tx: &mut Tx,
    tenant: Tenant,
    session: RegisterSessionId,
    column: &str,
) -> Result<OrderSide> {
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
    Ok(OrderSide {
        count,
        total,
        first,
        last,
        rates: rates
            .into_iter()
            .map(|(bp, t, v, d)| (u32::try_from(bp).unwrap_or(0), t, v, d))
            .collect(),
    })
}

/// Reads a session's figures as they stand (an X, or the Z being made).
async fn compute(tx: &mut Tx, tenant: Tenant, s: &Session, as_of: i64) -> Result<ZReport> {
    let sold = order_side(tx, tenant, s.id, "session_id").await?;
    let cancelled = order_side(tx, tenant, s.id, "cancel_session_id").await?;
    let mut rates: std::collections::BTreeMap<u32, (i64, i64)> = Default::default();
    for (bp, t, v, _) in &sold.rates {
        let e = rates.entry(*bp).or_default();
        e.0 += t;
        e.1 += v;
    }
    for (bp, t, v, _) in &cancelled.rates {
        let e = rates.entry(*bp).or_default();
        e.0 -= t;
        e.1 -= v;
    }
    let by_rate: Vec<RateLine> = rates
        .into_iter()
        .map(|(bp, (gross, vat))| RateLine {
            vat_rate_basis_points: bp,
            gross_cents: gross,
            vat_cents: vat,
            net_cents: gross - vat,
        })
        .collect();
    let pays: Vec<(String, i64, i64, i64, i64)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT method, COUNT(*), CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT),
         CAST(COALESCE(SUM(CASE WHEN amount_cents < 0 THEN 1 ELSE 0 END), 0) AS BIGINT),
         CAST(COALESCE(SUM(CASE WHEN amount_cents < 0 THEN amount_cents ELSE 0 END), 0) AS BIGINT)
         FROM payments WHERE organization_id = $1 AND session_id = $2 GROUP BY method ORDER BY method")
        .bind(tenant.id().0)
        .bind(s.id.0)
        .fetch_all(c)
        .await?);
    let mut payments: Vec<MethodTotal> = pays
        .iter()
        .filter_map(|(m, count, amount, _, _)| {
            Some(MethodTotal {
                method: PaymentMethod::parse(m)?,
                count: *count,
                amount_cents: *amount,
                counted_cents: None,
                difference_cents: None,
            })
        })
        .collect();
    payments.sort_by_key(|p| PaymentMethod::ALL.iter().position(|m| *m == p.method));
    let movements = movements(tx, tenant, s.id).await?;
    let sum_moves = |k: CashKind| -> i64 {
        movements
            .iter()
            .filter(|m| m.kind == k)
            .map(|m| m.amount_cents)
            .sum()
    };
    let cash_payments = payments
        .iter()
        .find(|p| p.method == PaymentMethod::Cash)
        .map_or(0, |p| p.amount_cents);
    let previous: Option<i64> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT grand_total_cents FROM register_sessions WHERE organization_id = $1
         AND register_id = $2 AND z_number IS NOT NULL ORDER BY z_number DESC LIMIT 1")
        .bind(tenant.id().0)
        .bind(s.register_id.0)
        .fetch_optional(c)
        .await?
        .flatten());
    let previous = previous.unwrap_or(0);
    let revenue = sold.total - cancelled.total;
    let vat: i64 = by_rate.iter().map(|r| r.vat_cents).sum();
    Ok(ZReport {
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
        revenue_cents: revenue,
        vat_cents: vat,
        revenue_excl_cents: revenue - vat,
        tickets: sold.count,
        average_ticket_cents: average_ticket(revenue, sold.count),
        by_rate,
        sales_cents: sold.total,
        discounts_cents: sold.rates.iter().map(|r| r.3).sum::<i64>()
            - cancelled.rates.iter().map(|r| r.3).sum::<i64>(),
        cancellations: cancelled.count,
        cancelled_cents: cancelled.total,
        refunds: pays.iter().map(|p| p.3).sum(),
        refunded_cents: -pays.iter().map(|p| p.4).sum::<i64>(),
        payments_cents: payments.iter().map(|p| p.amount_cents).sum(),
        payments,
        cash: Cash::new(
            s.opening_float_cents,
            cash_payments,
            sum_moves(CashKind::In),
            sum_moves(CashKind::Out),
        ),
        movements,
        first_number: sold.first,
        last_number: sold.last,
        previous_grand_total_cents: previous,
        grand_total_cents: previous + revenue,
    })
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
    compute(tx, tenant, &s, now_micros()).await
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
}

/// Closes a session and makes its Z: the next Z number of the register, the figures frozen in
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
    let z_number: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT COALESCE(MAX(z_number), 0) + 1 FROM register_sessions
         WHERE organization_id = $1 AND register_id = $2")
        .bind(tenant.id().0)
        .bind(session.register_id.0)
        .fetch_one(c)
        .await?);
    let at = closing.at;
    let mut s = session.clone();
    s.closed_at = Some(at);
    s.closed_by_name = match by {
        Some(u) => user_name(tx, u).await?,
        None => None,
    };
    s.z_number = Some(z_number);
    let mut z = compute(tx, tenant, &s, at).await?;
    z.cash = z.cash.counted(closing.counted_cash_cents);
    for p in &mut z.payments {
        if p.method == PaymentMethod::Cash {
            p.counted_cents = Some(closing.counted_cash_cents);
            p.difference_cents = z.cash.difference_cents;
        } else if let Some((_, counted)) = closing.counted.iter().find(|(m, _)| *m == p.method) {
            p.counted_cents = Some(*counted);
            p.difference_cents = Some(counted - p.amount_cents);
        }
    }
    for (m, counted) in &closing.counted {
        if *m != PaymentMethod::Cash && !z.payments.iter().any(|p| p.method == *m) {
            z.payments.push(MethodTotal {
                method: *m,
                count: 0,
                amount_cents: 0,
                counted_cents: Some(*counted),
                difference_cents: Some(*counted),
            });
        }
    }
    let text = serde_json::to_string(&z)?;
    let counts = closing
        .counts
        .as_ref()
        .map(serde_json::to_string)
        .transpose()?;
    on_tx!(tx, c => sqlx::query(
        "UPDATE register_sessions SET closed_at = $3, closed_by = $4, z_number = $5,
         counted_cash_cents = $6, closing_counts = $7, revenue_cents = $8, vat_cents = $9,
         tickets = $10, grand_total_cents = $11, z_report = $12
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
        .execute(c)
        .await?
        .rows_affected());
    journal::append_all(
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
    Ok(z)
}

/// The Z as the journal keeps it: figures only, no names.
fn z_record(z: &ZReport) -> serde_json::Value {
    json!({
        "session": z.session_id,
        "z_number": z.z_number,
        "day": z.day,
        "opened_at": z.opened_at,
        "closed_at": z.closed_at,
        "revenue_cents": z.revenue_cents,
        "vat_cents": z.vat_cents,
        "tickets": z.tickets,
        "by_rate": z.by_rate.iter().map(|r| json!({
            "rate_bp": r.vat_rate_basis_points, "gross_cents": r.gross_cents, "vat_cents": r.vat_cents
        })).collect::<Vec<_>>(),
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
