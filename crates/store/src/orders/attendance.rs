//! The attendance export's rows (issue 18 §2, the seeds' "Fichier csv détaillé / non
//! détaillé"): every line of the orders of a period with what the export shows of its order,
//! its customer, its channel and its money, read a page at a time in the order of the orders'
//! creation.

use super::search::{Arg, OrderFilter, bind_args, conditions};
use crate::{Result, Tenant, Tx, on_tx};
use uuid::Uuid;

/// One order line with its order's facts.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AttendanceLine {
    pub order_id: Uuid,
    pub number: Option<String>,
    pub created_at: i64,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub city: Option<String>,
    /// The visitors' origin as the sale recorded it, else the customer's.
    pub postal_code: Option<String>,
    pub province: Option<String>,
    pub country: Option<String>,
    pub customer_id: Option<Uuid>,
    pub offer_name: Option<String>,
    pub duration_minutes: Option<i64>,
    pub position: i32,
    pub kind: String,
    pub label: String,
    pub quantity: i64,
    pub visit_date: Option<String>,
    pub session_start: Option<i64>,
    pub state: String,
    pub register_name: Option<String>,
    pub module_name: Option<String>,
    pub seller: Option<String>,
    pub line_total_cents: i64,
    pub line_vat_cents: i64,
    /// What the order's payments allocated to this line, refunds deducted.
    pub line_paid_cents: i64,
    pub order_total_cents: i64,
    pub order_vat_cents: i64,
    pub order_collected_cents: i64,
    /// Stripe's fees on the order's payments and refunds.
    pub order_fee_cents: i64,
    pub customer_comment: Option<String>,
    pub internal_comment: Option<String>,
}

/// Where a page of the export starts: after this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttendanceKey {
    pub created_at: i64,
    pub order_id: Uuid,
}

impl AttendanceKey {
    pub fn of(l: &AttendanceLine) -> AttendanceKey {
        AttendanceKey {
            created_at: l.created_at,
            order_id: l.order_id,
        }
    }
}

/// The statement, the search's conditions and the page's parameters in the middle. A page is
/// a run of whole orders found by their creation, then their lines with what their payments
/// allocated to each and Stripe's fees, summed for the page at once.
fn attendance_sql(cond: &str, n: usize) -> String {
    format!(
        "WITH page AS (
               SELECT o.id FROM orders o
               WHERE o.organization_id = $1 AND o.number IS NOT NULL{cond}
               AND (o.created_at, o.id) > (${n}, ${})
               ORDER BY o.created_at, o.id LIMIT ${}),
             paid AS (
               SELECT a.line_id, SUM(a.amount_cents) AS cents FROM payment_allocations a
               WHERE a.order_id IN (SELECT id FROM page) GROUP BY a.line_id),
             fees AS (
               SELECT s.order_id, SUM(s.fee_cents) AS cents FROM stripe_payments s
               WHERE s.organization_id = $1 AND s.order_id IN (SELECT id FROM page)
               GROUP BY s.order_id)
             SELECT o.id AS order_id, o.number, o.created_at, cu.first_name, cu.last_name, cu.email,
             cu.phone, cu.city, COALESCE(o.visitor_postal_code, cu.postal_code) AS postal_code,
             COALESCE(o.visitor_province, cu.province) AS province,
             COALESCE(o.visitor_country, cu.country) AS country, o.customer_id,
             f.name AS offer_name, CAST(f.duration_minutes AS BIGINT) AS duration_minutes,
             l.position, l.kind, l.label, l.quantity, l.visit_date, l.session_start, o.state,
             r.name AS register_name, bm.name AS module_name, u.name AS seller,
             l.total_cents AS line_total_cents, l.vat_cents AS line_vat_cents,
             CAST(COALESCE(pd.cents, 0) AS BIGINT) AS line_paid_cents,
             o.total_cents AS order_total_cents, o.vat_cents AS order_vat_cents,
             o.collected_cents AS order_collected_cents,
             CAST(COALESCE(fe.cents, 0) AS BIGINT) AS order_fee_cents,
             o.customer_comment, o.internal_comment
             FROM page p JOIN orders o ON o.id = p.id
             JOIN order_lines l ON l.order_id = o.id
             LEFT JOIN paid pd ON pd.line_id = l.id
             LEFT JOIN fees fe ON fe.order_id = o.id
             LEFT JOIN customers cu ON cu.id = o.customer_id
             LEFT JOIN offers f ON f.id = l.offer_id
             LEFT JOIN registers r ON r.id = o.register_id
             LEFT JOIN booking_modules bm ON bm.id = o.booking_module_id
             LEFT JOIN users u ON u.id = o.created_by
             ORDER BY o.created_at, o.id, l.position",
        n + 1,
        n + 2
    )
}

/// The lines of the next `orders` orders the search finds (quotes left out) after `after`,
/// oldest order first and each order's lines in their order: a page holds whole orders.
pub async fn attendance_lines(
    tx: &mut Tx,
    tenant: Tenant,
    filter: &OrderFilter,
    after: Option<AttendanceKey>,
    orders: i64,
) -> Result<Vec<AttendanceLine>> {
    let after = after.unwrap_or(AttendanceKey {
        created_at: i64::MIN,
        order_id: Uuid::nil(),
    });
    let (cond, mut args) = conditions(filter, 2);
    let sql = attendance_sql(&cond, args.len() + 2);
    args.extend([
        Arg::Int(after.created_at),
        Arg::Uuid(after.order_id),
        Arg::Int(orders),
    ]);
    Ok(on_tx!(tx, c => {
        let q = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(tenant.id().0);
        bind_args!(q, &args).fetch_all(c).await?
    }))
}
