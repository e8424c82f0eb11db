//! Register sessions: opened with a float, closed with the counted cash and its Z, cash put in
//! and taken out in between. What a Z counts, and how its figures are derived, is decided in
//! `guichet_domain::closing`; this module only reads the sums those rules take from the orders,
//! payments and cash movements, then freezes the result at closing (the Z is immutable: the
//! store never updates a closed session and the database refuses it) and appends it to the
//! register's journal chain.

pub(crate) mod z;

pub use z::{Closing, MethodTotal, ZReport, close, report, z_figures};

use crate::journal;
use crate::{Result, StoreError, Tenant, Tx, now_micros, on_tx};
use guichet_domain::closing::Counts;
use guichet_domain::org::RegisterKind;
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
    after: Option<SessionKey>,
    limit: i64,
) -> Result<Vec<Session>> {
    let sql = format!(
        "{SELECT} AND s.day >= $2 AND s.day <= $3 AND ($4 OR s.register_id = $5)
         AND (s.day < $6 OR (s.day = $6 AND (s.opened_at < $7 OR (s.opened_at = $7 AND s.id < $8))))
         ORDER BY s.day DESC, s.opened_at DESC, s.id DESC LIMIT $9"
    );
    // The first page starts after every possible session.
    let after = after.unwrap_or(SessionKey {
        day: "9999-12-31".to_owned(),
        opened_at: i64::MAX,
        id: Uuid::max(),
    });
    let rows: Vec<Row> = on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(tenant.id().0)
        .bind(from)
        .bind(to)
        .bind(register.is_none())
        .bind(register.map(|r| r.0).unwrap_or_default())
        .bind(&after.day)
        .bind(after.opened_at)
        .bind(after.id)
        .bind(limit)
        .fetch_all(c)
        .await?);
    Ok(rows.into_iter().map(Session::from).collect())
}

/// Where a page of the sessions list starts: after this session (newest day first, then
/// newest opening, then id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionKey {
    /// The local day, YYYY-MM-DD.
    pub day: String,
    pub opened_at: i64,
    pub id: Uuid,
}

impl SessionKey {
    pub fn of(session: &Session) -> SessionKey {
        SessionKey {
            day: session.day.clone(),
            opened_at: session.opened_at,
            id: session.id.0,
        }
    }
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
const TOUCH: &str = "UPDATE register_sessions SET operations = operations + 1
     WHERE organization_id = $1 AND register_id = $2 AND closed_at IS NULL RETURNING id";

/// [`touch`] pushed into a batch; its row, if the register is open, is `(session id,)`.
pub(crate) fn push_touch(
    batch: &mut crate::batch::Batch,
    tenant: Tenant,
    register: RegisterId,
) -> usize {
    batch.push_returning(TOUCH, vec![tenant.id().0.into(), register.0.into()])
}

/// [`push_touch`] for the one SQLite writer, with the session it remembers (`crate::hot`): the
/// returned statement changes one row if `session` is still the open one, none if `None` and
/// the register still has none open (the expectation is set); anything else is stale.
pub(crate) fn push_touch_remembered(
    batch: &mut crate::batch::Batch,
    tenant: Tenant,
    register: RegisterId,
    session: Option<RegisterSessionId>,
) -> usize {
    match session {
        Some(s) => {
            let i = batch.push(
                "UPDATE register_sessions SET operations = operations + 1
                 WHERE organization_id = $1 AND register_id = $2 AND id = $3 AND closed_at IS NULL",
                vec![tenant.id().0.into(), register.0.into(), s.0.into()],
            );
            batch.expect(i, 1)
        }
        None => {
            let i = batch.push(
                "UPDATE register_sessions SET operations = operations + 1
                 WHERE organization_id = $1 AND register_id = $2 AND closed_at IS NULL",
                vec![tenant.id().0.into(), register.0.into()],
            );
            batch.expect(i, 0)
        }
    }
}

pub async fn touch(
    tx: &mut Tx,
    tenant: Tenant,
    register: RegisterId,
) -> Result<Option<RegisterSessionId>> {
    let id: Option<Uuid> = on_tx!(tx, c => sqlx::query_scalar(TOUCH)
        .bind(tenant.id().0)
        .bind(register.0)
        .fetch_optional(c)
        .await?);
    Ok(id.map(RegisterSessionId))
}

/// The session a sale or a payment on `register` counts in. A register whose kind needs an
/// open session to sell ([`RegisterKind::needs_open_session`]: the counter) is refused while
/// closed (`register_closed`); another (the phone register) sells while closed, and its next
/// session takes the sale.
pub async fn for_sale(
    tx: &mut Tx,
    tenant: Tenant,
    register: RegisterId,
) -> Result<Option<RegisterSessionId>> {
    let touched = touch(tx, tenant, register).await?;
    after_touch(tx, tenant, register, None, touched).await
}

/// [`for_sale`] once the register's session was touched (`touched`: the open session);
/// `known`: the register's kind, when the caller read it already.
pub(crate) async fn after_touch(
    tx: &mut Tx,
    tenant: Tenant,
    register: RegisterId,
    known: Option<RegisterKind>,
    touched: Option<RegisterSessionId>,
) -> Result<Option<RegisterSessionId>> {
    if let Some(s) = touched {
        return Ok(Some(s));
    }
    let needs_open = match known {
        Some(kind) => kind.needs_open_session(),
        None => {
            let kind: Option<String> = on_tx!(tx, c => sqlx::query_scalar(
                "SELECT kind FROM registers WHERE organization_id = $1 AND id = $2")
                .bind(tenant.id().0)
                .bind(register.0)
                .fetch_optional(c)
                .await?);
            // An unknown register sells nothing, and a kind this version cannot read is
            // taken for the stricter counter (as `registers` reads it).
            kind.is_none_or(|k| {
                RegisterKind::parse(&k)
                    .unwrap_or(RegisterKind::Counter)
                    .needs_open_session()
            })
        }
    };
    if needs_open {
        Err(StoreError::Refused("register_closed"))
    } else {
        Ok(None)
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
