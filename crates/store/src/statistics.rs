//! Statistics and the dashboard's figures (issue 18 §3), read from the orders themselves:
//! nothing is stored beside them, so no figure can drift from the orders' own totals.
//!
//! Days are the organization's: a sale's day is its creation instant shifted by the time
//! zone's offset of that time ([`Segment`]s, constant between two changes of offset), an
//! order's visit day its `visit_date`; both as days since 1970-01-01 so that SQLite and
//! PostgreSQL group them alike. The caller turns days into weeks, months or years.
//!
//! Which orders count: finalized and not cancelled (awaiting payment or confirmed), every
//! line of them, so that a breakdown adds up to the orders' totals to the cent.

use crate::orders::search::{Arg, bind_args};
use crate::{Backend, Result, Tenant, Tx, on_tx};
use uuid::Uuid;

/// A stretch of time with one offset from UTC: every instant before `until` (and after the
/// previous segment) is `offset_us` ahead of UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment {
    pub until: i64,
    pub offset_us: i64,
}

/// Which day a figure falls on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Basis {
    /// The day the order was made, for orders made in `[from, until)` (microseconds).
    Sale { from: i64, until: i64 },
    /// The visit's day, for lines visiting between two days (YYYY-MM-DD, inclusive); a line
    /// with no visit (a shop product) counts on its sale day when that falls in the range.
    Visit {
        from: String,
        to: String,
        from_us: i64,
        until_us: i64,
    },
}

/// What a breakdown groups by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dimension {
    Offer,
    /// Ticket type, extra or product.
    Item,
    ProductGroup,
    Channel,
    Seller,
}

/// One group of a day: its key (an id; `None` for lines without one, e.g. a shop sale has no
/// offer) and name, and its figures.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StatRow {
    pub day: i64,
    pub key: Option<Uuid>,
    pub label: Option<String>,
    /// Places sold: the quantities of ticket-type lines.
    pub visitors: i64,
    pub revenue_cents: i64,
    pub orders: i64,
}

const LIVE: &str = "o.state IN ('awaiting_payment', 'confirmed')";

/// The local day of a sale: its instant shifted by the offset of its segment.
fn sale_day(segments: &[Segment], args: &mut Vec<Arg>, first: usize) -> String {
    let mut case = String::from("CASE");
    for s in segments {
        let n = first + args.len();
        case.push_str(&format!(" WHEN o.created_at < ${n} THEN ${}", n + 1));
        args.push(Arg::Int(s.until));
        args.push(Arg::Int(s.offset_us));
    }
    case.push_str(" ELSE 0 END");
    format!("((o.created_at + ({case})) / 86400000000)")
}

/// The visit's day as days since 1970-01-01.
fn visit_day(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "CAST(julianday(o.visit_date) - 2440587.5 AS BIGINT)",
        Backend::Postgres => "CAST(CAST(o.visit_date AS DATE) - DATE '1970-01-01' AS BIGINT)",
    }
}

/// The day expression and the range's condition of a basis; parameters from `$2`.
fn day_and_range(
    backend: Backend,
    basis: &Basis,
    segments: &[Segment],
) -> (String, String, Vec<Arg>) {
    let mut args = Vec::new();
    let sale = sale_day(segments, &mut args, 2);
    let n = 2 + args.len();
    match basis {
        Basis::Sale { from, until } => {
            args.extend([Arg::Int(*from), Arg::Int(*until)]);
            (
                sale,
                format!("o.created_at >= ${n} AND o.created_at < ${}", n + 1),
                args,
            )
        }
        Basis::Visit {
            from,
            to,
            from_us,
            until_us,
        } => {
            args.extend([
                Arg::Text(from.clone()),
                Arg::Text(to.clone()),
                Arg::Int(*from_us),
                Arg::Int(*until_us),
            ]);
            (
                format!(
                    "(CASE WHEN l.visit_date IS NULL THEN {sale} ELSE {} END)",
                    visit_day(backend).replace("o.visit_date", "l.visit_date")
                ),
                format!(
                    "((l.visit_date >= ${n} AND l.visit_date <= ${}) OR (l.visit_date IS NULL AND o.created_at >= ${} AND o.created_at < ${}))",
                    n + 1,
                    n + 2,
                    n + 3
                ),
                args,
            )
        }
    }
}

/// Revenue, visitors and orders per day and per group of `dimension`.
pub async fn breakdown(
    tx: &mut Tx,
    tenant: Tenant,
    basis: &Basis,
    segments: &[Segment],
    dimension: Dimension,
) -> Result<Vec<StatRow>> {
    let (day, range, args) = day_and_range(tx.backend(), basis, segments);
    let (key, label, joins) = match dimension {
        Dimension::Offer => (
            "l.offer_id",
            "f.name",
            "LEFT JOIN offers f ON f.id = l.offer_id",
        ),
        Dimension::Item => (
            "COALESCE(l.ticket_type_id, l.extra_id, l.product_id)",
            "MAX(l.label)",
            "",
        ),
        Dimension::ProductGroup => (
            "g.id",
            "g.name",
            "LEFT JOIN products p ON p.id = l.product_id LEFT JOIN product_groups g ON g.id = p.group_id",
        ),
        Dimension::Channel => (
            "COALESCE(o.register_id, o.booking_module_id)",
            "COALESCE(r.name, bm.name)",
            "LEFT JOIN registers r ON r.id = o.register_id LEFT JOIN booking_modules bm ON bm.id = o.booking_module_id",
        ),
        Dimension::Seller => (
            "o.created_by",
            "u.name",
            "LEFT JOIN users u ON u.id = o.created_by",
        ),
    };
    let group_label = if label.starts_with("MAX(") { "" } else { ", 3" };
    let sql = format!(
        "SELECT {day} AS day, {key} AS key, {label} AS label,
         CAST(COALESCE(SUM(CASE WHEN l.kind = 'ticket_type' THEN l.quantity ELSE 0 END), 0) AS BIGINT) AS visitors,
         CAST(COALESCE(SUM(l.total_cents), 0) AS BIGINT) AS revenue_cents,
         CAST(COUNT(DISTINCT o.id) AS BIGINT) AS orders
         FROM orders o JOIN order_lines l ON l.order_id = o.id {joins}
         WHERE o.organization_id = $1 AND {LIVE} AND {range}
         GROUP BY 1, 2{group_label} ORDER BY 1"
    );
    Ok(on_tx!(tx, c => {
        let q = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(tenant.id().0);
        bind_args!(q, &args).fetch_all(c).await?
    }))
}

/// One cell of the observatory's table: visitors by origin, ticket type and channel, per day.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OriginRow {
    pub day: i64,
    pub country: Option<String>,
    pub province: Option<String>,
    pub item: String,
    pub channel: Option<String>,
    pub online: bool,
    pub visitors: i64,
}

/// Visitors by country and province/département × ticket type × channel, per day (the table
/// a regional tourism observatory asks for). The origin is the one the sale recorded, else
/// the customer's.
pub async fn origins(
    tx: &mut Tx,
    tenant: Tenant,
    basis: &Basis,
    segments: &[Segment],
) -> Result<Vec<OriginRow>> {
    let (day, range, args) = day_and_range(tx.backend(), basis, segments);
    let sql = format!(
        "SELECT {day} AS day, COALESCE(o.visitor_country, cu.country) AS country,
         COALESCE(o.visitor_province, cu.province) AS province, l.label AS item,
         COALESCE(r.name, bm.name) AS channel, o.booking_module_id IS NOT NULL AS online,
         CAST(SUM(l.quantity) AS BIGINT) AS visitors
         FROM orders o JOIN order_lines l ON l.order_id = o.id
         LEFT JOIN customers cu ON cu.id = o.customer_id
         LEFT JOIN registers r ON r.id = o.register_id
         LEFT JOIN booking_modules bm ON bm.id = o.booking_module_id
         WHERE o.organization_id = $1 AND {LIVE} AND l.kind = 'ticket_type' AND {range}
         GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1"
    );
    Ok(on_tx!(tx, c => {
        let q = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(tenant.id().0);
        bind_args!(q, &args).fetch_all(c).await?
    }))
}

/// How many orders (and visitors) were booked `days` days before their visit.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LeadRow {
    pub days: i64,
    pub orders: i64,
    pub visitors: i64,
}

/// The days between booking and visit of the orders visiting between two days (inclusive).
pub async fn lead_times(
    tx: &mut Tx,
    tenant: Tenant,
    from: &str,
    to: &str,
    segments: &[Segment],
) -> Result<Vec<LeadRow>> {
    let backend = tx.backend();
    let mut args = Vec::new();
    let sale = sale_day(segments, &mut args, 2);
    let n = 2 + args.len();
    args.extend([Arg::Text(from.to_owned()), Arg::Text(to.to_owned())]);
    let sql = format!(
        "SELECT {} - {sale} AS days, CAST(COUNT(*) AS BIGINT) AS orders,
         CAST(COALESCE(SUM((SELECT SUM(l.quantity) FROM order_lines l WHERE l.order_id = o.id AND l.kind = 'ticket_type')), 0) AS BIGINT) AS visitors
         FROM orders o WHERE o.organization_id = $1 AND {LIVE} AND o.visit_date >= ${n} AND o.visit_date <= ${}
         GROUP BY 1 ORDER BY 1",
        visit_day(backend),
        n + 1
    );
    Ok(on_tx!(tx, c => {
        let q = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(tenant.id().0);
        bind_args!(q, &args).fetch_all(c).await?
    }))
}

/// A product's sales in a range.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct BestSeller {
    pub product_id: Uuid,
    pub label: String,
    pub quantity: i64,
    pub revenue_cents: i64,
}

/// The shop's products by quantity sold, the first `limit`.
pub async fn best_sellers(
    tx: &mut Tx,
    tenant: Tenant,
    from: i64,
    until: i64,
    limit: i64,
) -> Result<Vec<BestSeller>> {
    let sql = format!(
        "SELECT l.product_id, MAX(l.label) AS label, CAST(SUM(l.quantity) AS BIGINT) AS quantity,
         CAST(SUM(l.total_cents) AS BIGINT) AS revenue_cents
         FROM orders o JOIN order_lines l ON l.order_id = o.id
         WHERE o.organization_id = $1 AND {LIVE} AND l.product_id IS NOT NULL
         AND o.created_at >= $2 AND o.created_at < $3
         GROUP BY l.product_id ORDER BY 3 DESC, 4 DESC LIMIT $4"
    );
    Ok(
        on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(tenant.id().0).bind(from).bind(until).bind(limit)
        .fetch_all(c).await?),
    )
}

/// Money taken per local day (refunds deducted): revenue by payment date.
pub async fn payments_by_day(
    tx: &mut Tx,
    tenant: Tenant,
    from: i64,
    until: i64,
    segments: &[Segment],
) -> Result<Vec<(i64, i64)>> {
    let mut args = Vec::new();
    let day = sale_day(segments, &mut args, 2).replace("o.created_at", "p.taken_at");
    let n = 2 + args.len();
    args.extend([Arg::Int(from), Arg::Int(until)]);
    let sql = format!(
        "SELECT {day}, CAST(SUM(p.amount_cents) AS BIGINT) FROM payments p
         WHERE p.organization_id = $1 AND p.taken_at >= ${n} AND p.taken_at < ${}
         GROUP BY 1 ORDER BY 1",
        n + 1
    );
    Ok(on_tx!(tx, c => {
        let q = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(tenant.id().0);
        bind_args!(q, &args).fetch_all(c).await?
    }))
}

/// What is sold and not visited yet: the lines (of orders made before `until`) visiting after
/// `day`, their total and what payments allocated to them (deferred revenue).
pub async fn deferred(tx: &mut Tx, tenant: Tenant, day: &str, until: i64) -> Result<(i64, i64)> {
    let sql = format!(
        "SELECT CAST(COALESCE(SUM(l.total_cents), 0) AS BIGINT),
         CAST(COALESCE(SUM((SELECT SUM(a.amount_cents) FROM payment_allocations a WHERE a.line_id = l.id)), 0) AS BIGINT)
         FROM orders o JOIN order_lines l ON l.order_id = o.id
         WHERE o.organization_id = $1 AND {LIVE} AND l.visit_date > $2 AND o.created_at < $3"
    );
    Ok(
        on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(tenant.id().0).bind(day).bind(until).fetch_one(c).await?),
    )
}

/// The dashboard's sales of a stretch of time: orders, revenue, and the online part of both.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct Sales {
    pub orders: i64,
    pub revenue_cents: i64,
    pub online_orders: i64,
    pub online_revenue_cents: i64,
}

/// The orders made in `[from, until)`.
pub async fn sales(tx: &mut Tx, tenant: Tenant, from: i64, until: i64) -> Result<Sales> {
    let sql = format!(
        "SELECT CAST(COUNT(*) AS BIGINT) AS orders, CAST(COALESCE(SUM(o.total_cents), 0) AS BIGINT) AS revenue_cents,
         CAST(COALESCE(SUM(CASE WHEN o.booking_module_id IS NOT NULL THEN 1 ELSE 0 END), 0) AS BIGINT) AS online_orders,
         CAST(COALESCE(SUM(CASE WHEN o.booking_module_id IS NOT NULL THEN o.total_cents ELSE 0 END), 0) AS BIGINT) AS online_revenue_cents
         FROM orders o WHERE o.organization_id = $1 AND {LIVE} AND o.created_at >= $2 AND o.created_at < $3"
    );
    Ok(
        on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(tenant.id().0).bind(from).bind(until).fetch_one(c).await?),
    )
}

/// The arrivals of each day between two days: orders and visitors.
pub async fn arrivals(
    tx: &mut Tx,
    tenant: Tenant,
    from: &str,
    to: &str,
) -> Result<Vec<(String, i64, i64)>> {
    let sql = format!(
        "SELECT o.visit_date, CAST(COUNT(*) AS BIGINT),
         CAST(COALESCE(SUM((SELECT SUM(l.quantity) FROM order_lines l WHERE l.order_id = o.id AND l.kind = 'ticket_type')), 0) AS BIGINT)
         FROM orders o WHERE o.organization_id = $1 AND {LIVE} AND o.visit_date >= $2 AND o.visit_date <= $3
         GROUP BY o.visit_date ORDER BY o.visit_date"
    );
    Ok(
        on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(tenant.id().0).bind(from).bind(to).fetch_all(c).await?),
    )
}

/// Orders someone should look at: over-collected ones made since `since`, and those whose
/// visit (between `past_from` and `past_to`) is over with money still due.
pub async fn attention(
    tx: &mut Tx,
    tenant: Tenant,
    since: i64,
    past_from: &str,
    past_to: &str,
) -> Result<(i64, i64)> {
    let sql = format!(
        "SELECT
         CAST(COALESCE(SUM(CASE WHEN o.created_at >= $2 AND o.collected_cents > o.total_cents THEN 1 ELSE 0 END), 0) AS BIGINT),
         CAST(COALESCE(SUM(CASE WHEN o.visit_date >= $3 AND o.visit_date <= $4 AND o.collected_cents < o.total_cents THEN 1 ELSE 0 END), 0) AS BIGINT)
         FROM orders o WHERE o.organization_id = $1 AND {LIVE}
         AND (o.created_at >= $2 OR (o.visit_date >= $3 AND o.visit_date <= $4))"
    );
    Ok(
        on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(tenant.id().0).bind(since).bind(past_from).bind(past_to).fetch_one(c).await?),
    )
}
