//! Reading orders: one with its lines and payments, the list, by number or idempotency key.

use super::search::{Arg, OrderFilter, bind_args, conditions};
use super::{LineKind, Online, Order, OrderLine, Payment, flagged};
use crate::{Result, StoreError, Tenant, Tx, on_tx};
use guichet_domain::customer::Origin;
use guichet_domain::order::{OrderState, PaymentMethod};
use guichet_domain::{
    BookingModuleId, CustomerId, ItemId, OfferId, OrderId, OrderLineId, PaymentId, ProductId,
    RegisterId,
};
use serde::Serialize;
use uuid::Uuid;

pub(super) async fn by_idempotency_key(
    tx: &mut Tx,
    tenant: Tenant,
    key: &str,
) -> Result<Option<OrderId>> {
    let id: Option<Uuid> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT id FROM orders WHERE organization_id = $1 AND idempotency_key = $2")
        .bind(tenant.id().0)
        .bind(key)
        .fetch_optional(c)
        .await?);
    Ok(id.map(OrderId))
}

/// The order a client's idempotency key already created, if any.
pub async fn find_by_idempotency_key(
    tx: &mut Tx,
    tenant: Tenant,
    key: &str,
) -> Result<Option<Order>> {
    match by_idempotency_key(tx, tenant, key).await? {
        Some(id) => Ok(Some(get(tx, tenant, id).await?)),
        None => Ok(None),
    }
}

#[derive(sqlx::FromRow)]
struct OrderRow {
    id: Uuid,
    number: Option<String>,
    quote_number: Option<String>,
    register_id: Option<Uuid>,
    register_name: Option<String>,
    customer_id: Option<Uuid>,
    customer_first_name: Option<String>,
    customer_last_name: Option<String>,
    visitor_country: Option<String>,
    visitor_postal_code: Option<String>,
    visitor_province: Option<String>,
    state: String,
    total_cents: i64,
    vat_cents: i64,
    collected_cents: i64,
    visit_date: Option<String>,
    visit_start: Option<i64>,
    customer_comment: Option<String>,
    internal_comment: Option<String>,
    created_by_name: Option<String>,
    created_at: i64,
    finalized_at: Option<i64>,
    cancelled_at: Option<i64>,
    booking_module_id: Option<Uuid>,
    booking_module_name: Option<String>,
    booking_language: Option<String>,
    refund_due_cents: i64,
}

const ORDER_SELECT: &str = "SELECT o.id, o.number, o.quote_number, o.register_id, r.name AS register_name,
    o.customer_id, cu.first_name AS customer_first_name, cu.last_name AS customer_last_name,
    o.visitor_country, o.visitor_postal_code, o.visitor_province, o.state,
    o.total_cents, o.vat_cents, o.collected_cents, o.visit_date, o.visit_start, o.customer_comment, o.internal_comment,
    u.name AS created_by_name, o.created_at, o.finalized_at, o.cancelled_at,
    o.booking_module_id, bm.name AS booking_module_name, o.booking_language, o.refund_due_cents
    FROM orders o LEFT JOIN registers r ON r.id = o.register_id LEFT JOIN users u ON u.id = o.created_by
    LEFT JOIN customers cu ON cu.id = o.customer_id LEFT JOIN booking_modules bm ON bm.id = o.booking_module_id
    WHERE o.organization_id = $1";

#[derive(sqlx::FromRow)]
struct LineRow {
    id: Uuid,
    position: i32,
    kind: String,
    offer_id: Option<Uuid>,
    offer_name: Option<String>,
    session_start: Option<i64>,
    visit_date: Option<String>,
    item_id: Option<Uuid>,
    product_id: Option<Uuid>,
    label: String,
    quantity: i64,
    unit_price_cents: i64,
    list_price_cents: i64,
    price_reason: Option<String>,
    discount_cents: i64,
    discount_reason: Option<String>,
    total_cents: i64,
    vat_rate_bp: i32,
    vat_cents: i64,
    paid_cents: i64,
}

#[derive(sqlx::FromRow)]
struct PaymentRow {
    id: Uuid,
    method: String,
    amount_cents: i64,
    tendered_cents: i64,
    change_cents: i64,
    taken_at: i64,
    register_id: Option<Uuid>,
    taken_by_name: Option<String>,
}

fn customer_name(r: &OrderRow) -> Option<String> {
    r.customer_id.map(|_| {
        crate::customers::display_name(
            r.customer_first_name.as_deref(),
            r.customer_last_name.as_deref(),
        )
    })
}

fn order_of(r: OrderRow, lines: Vec<OrderLine>, payments: Vec<Payment>) -> Order {
    let state = OrderState::parse(&r.state).unwrap_or(OrderState::AwaitingPayment);
    let amounts: Vec<(i64, u32)> = lines
        .iter()
        .map(|l| (l.total_cents, l.vat_rate_basis_points))
        .collect();
    let customer_name = customer_name(&r);
    Order {
        id: OrderId(r.id),
        number: r.number,
        quote_number: r.quote_number,
        register_id: r.register_id.map(RegisterId),
        register_name: r.register_name,
        customer_id: r.customer_id.map(CustomerId),
        customer_name,
        origin: r.visitor_country.clone().map(|country| Origin {
            country,
            postal_code: r.visitor_postal_code.clone(),
            province: r.visitor_province.clone(),
        }),
        flagged: flagged(state, r.collected_cents, r.total_cents),
        state,
        total_cents: r.total_cents,
        vat_cents: r.vat_cents,
        collected_cents: r.collected_cents,
        vat_by_rate: guichet_domain::order::totals(&amounts).by_rate,
        visit_date: r.visit_date,
        visit_start: r.visit_start,
        customer_comment: r.customer_comment,
        internal_comment: r.internal_comment,
        created_by_name: r.created_by_name,
        created_at: r.created_at,
        finalized_at: r.finalized_at,
        cancelled_at: r.cancelled_at,
        online: r.booking_module_id.map(|id| Online {
            module_id: BookingModuleId(id),
            module_name: r.booking_module_name.unwrap_or_default(),
            language: r.booking_language.unwrap_or_default(),
            refund_due_cents: r.refund_due_cents,
        }),
        lines,
        payments,
    }
}

pub async fn get(tx: &mut Tx, tenant: Tenant, id: OrderId) -> Result<Order> {
    load(tx, tenant, id, true).await
}

/// An order with its lines, and its payments when asked (a just-finalized order has none).
async fn load(tx: &mut Tx, tenant: Tenant, id: OrderId, with_payments: bool) -> Result<Order> {
    let sql = format!("{ORDER_SELECT} AND o.id = $2");
    let row: Option<OrderRow> = on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(tenant.id().0).bind(id.0).fetch_optional(c).await?);
    let row = row.ok_or(StoreError::NotFound)?;
    let lines: Vec<LineRow> = on_tx!(tx, c => sqlx::query_as(
        "SELECT l.id, l.position, l.kind, l.offer_id, f.name AS offer_name, l.session_start, l.visit_date,
         COALESCE(l.ticket_type_id, l.extra_id) AS item_id, l.product_id, l.label, l.quantity, l.unit_price_cents,
         l.list_price_cents, l.price_reason, l.discount_cents, l.discount_reason, l.total_cents, l.vat_rate_bp, l.vat_cents,
         CAST(COALESCE((SELECT SUM(a.amount_cents) FROM payment_allocations a WHERE a.line_id = l.id), 0) AS BIGINT) AS paid_cents
         FROM order_lines l LEFT JOIN offers f ON f.id = l.offer_id
         WHERE l.organization_id = $1 AND l.order_id = $2 ORDER BY l.position")
        .bind(tenant.id().0).bind(id.0).fetch_all(c).await?);
    let lines: Vec<OrderLine> = lines
        .into_iter()
        .map(|l| OrderLine {
            id: OrderLineId(l.id),
            position: l.position,
            kind: LineKind::parse(&l.kind),
            offer_id: l.offer_id.map(OfferId),
            offer_name: l.offer_name,
            session_start: l.session_start,
            visit_date: l.visit_date,
            item_id: l.item_id.map(ItemId),
            product_id: l.product_id.map(ProductId),
            label: l.label,
            quantity: l.quantity,
            unit_price_cents: l.unit_price_cents,
            list_price_cents: l.list_price_cents,
            price_reason: l.price_reason,
            discount_cents: l.discount_cents,
            discount_reason: l.discount_reason,
            total_cents: l.total_cents,
            vat_rate_basis_points: u32::try_from(l.vat_rate_bp).unwrap_or(0),
            vat_cents: l.vat_cents,
            paid_cents: l.paid_cents,
        })
        .collect();
    if !with_payments {
        return Ok(order_of(row, lines, Vec::new()));
    }
    let pays: Vec<PaymentRow> = on_tx!(tx, c => sqlx::query_as(
        "SELECT p.id, p.method, p.amount_cents, p.tendered_cents, p.change_cents, p.taken_at, p.register_id,
         u.name AS taken_by_name FROM payments p LEFT JOIN users u ON u.id = p.taken_by
         WHERE p.organization_id = $1 AND p.order_id = $2 ORDER BY p.taken_at, p.id")
        .bind(tenant.id().0).bind(id.0).fetch_all(c).await?);
    let allocs: Vec<(Uuid, Uuid, i64, i32)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT a.payment_id, a.line_id, a.amount_cents, a.number FROM payment_allocations a
         WHERE a.organization_id = $1 AND a.order_id = $2")
        .bind(tenant.id().0).bind(id.0).fetch_all(c).await?);
    let payments = pays
        .into_iter()
        .map(|p| {
            let mut shares: Vec<(i32, i64, i32)> = allocs
                .iter()
                .filter(|a| a.0 == p.id)
                .filter_map(|a| {
                    lines
                        .iter()
                        .find(|l| l.id.0 == a.1)
                        .map(|l| (l.position, a.2, a.3))
                })
                .collect();
            shares.sort_unstable();
            let allocations = shares.iter().map(|s| (s.0, s.1)).collect();
            let numbers = shares.iter().map(|s| s.2).collect();
            Payment {
                id: PaymentId(p.id),
                method: PaymentMethod::parse(&p.method).unwrap_or(PaymentMethod::Other),
                amount_cents: p.amount_cents,
                tendered_cents: p.tendered_cents,
                change_cents: p.change_cents,
                taken_at: p.taken_at,
                register_id: p.register_id.map(RegisterId),
                taken_by_name: p.taken_by_name,
                allocations,
                numbers,
            }
        })
        .collect();
    Ok(order_of(row, lines, payments))
}

/// One row of the orders list (the seeds' columns).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OrderSummary {
    pub id: OrderId,
    pub number: Option<String>,
    pub quote_number: Option<String>,
    pub created_at: i64,
    pub customer_name: Option<String>,
    /// "Ticket adulte x2, Casquette Truck" as the seeds list them.
    pub products: String,
    pub offer_names: String,
    pub visit_date: Option<String>,
    pub visit_start: Option<i64>,
    pub state: OrderState,
    pub register_name: Option<String>,
    /// Booked online through this booking module (its channel).
    pub booking_module_name: Option<String>,
    pub created_by_name: Option<String>,
    pub total_cents: i64,
    pub collected_cents: i64,
    pub flagged: bool,
    /// Its lines, for the detailed view (one row per line).
    pub lines: Vec<OrderSummaryLine>,
}

/// A line of an order in the list.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct OrderSummaryLine {
    pub label: String,
    pub quantity: i64,
    pub total_cents: i64,
    pub offer_name: Option<String>,
}

/// Which dates a list filters on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateFilter {
    /// Created between two instants (microseconds, `[from, until)`).
    Created(i64, i64),
    /// Visit between two days inclusive.
    Visit(jiff::civil::Date, jiff::civil::Date),
    /// Any date (a search by number finds the order whenever it was made).
    Any,
}

/// Where a page of the orders list starts: after this order (newest first), given by its
/// creation instant and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderKey {
    pub created_at: i64,
    pub id: Uuid,
}

impl OrderKey {
    pub fn of(order: &OrderSummary) -> OrderKey {
        OrderKey {
            created_at: order.created_at,
            id: order.id.0,
        }
    }
}

/// Up to `limit` orders the search finds, newest first, after `after` (keyset paging: a
/// page costs the same wherever it starts, and a sale made meanwhile neither shifts nor
/// repeats rows), each with its lines.
pub async fn list(
    tx: &mut Tx,
    tenant: Tenant,
    filter: &OrderFilter,
    after: Option<OrderKey>,
    limit: i64,
) -> Result<Vec<OrderSummary>> {
    let (cond, mut args) = conditions(filter, 2);
    let n = args.len() + 2;
    // `created_at <=` alone first: an index range on both backends.
    let sql = format!(
        "{ORDER_SELECT}{cond} AND o.created_at <= ${n} AND (o.created_at < ${n} OR o.id < ${})
         ORDER BY o.created_at DESC, o.id DESC LIMIT ${}",
        n + 1,
        n + 2
    );
    // The first page starts after every possible order.
    let after = after.unwrap_or(OrderKey {
        created_at: i64::MAX,
        id: Uuid::max(),
    });
    args.extend([
        Arg::Int(after.created_at),
        Arg::Uuid(after.id),
        Arg::Int(limit),
    ]);
    let rows: Vec<OrderRow> = on_tx!(tx, c => {
        let q = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(tenant.id().0);
        bind_args!(q, &args).fetch_all(c).await?
    });
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut lines: Vec<(Uuid, OrderSummaryLine)> = Vec::new();
    for chunk in ids.chunks(200) {
        let marks: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 1)).collect();
        // By order id alone: the ids are the tenant's, read just above in this transaction,
        // and a condition on the organization would lead SQLite to walk every line of the
        // organization through another index (a million lines: 0.2 s a page).
        let sql = format!(
            "SELECT l.order_id, l.label, l.quantity, l.total_cents, f.name AS offer_name
             FROM order_lines l LEFT JOIN offers f ON f.id = l.offer_id
             WHERE l.order_id IN ({}) ORDER BY l.order_id, l.position",
            marks.join(", ")
        );
        #[derive(sqlx::FromRow)]
        struct Row {
            order_id: Uuid,
            #[sqlx(flatten)]
            line: OrderSummaryLine,
        }
        let part: Vec<Row> = on_tx!(tx, c => {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()));
            for id in chunk {
                q = q.bind(*id);
            }
            q.fetch_all(c).await?
        });
        lines.extend(part.into_iter().map(|r| (r.order_id, r.line)));
    }
    let mut by_order: std::collections::HashMap<Uuid, Vec<OrderSummaryLine>> =
        std::collections::HashMap::new();
    for (order, line) in lines {
        by_order.entry(order).or_default().push(line);
    }
    Ok(rows
        .into_iter()
        .map(|r| {
            let mine = by_order.remove(&r.id).unwrap_or_default();
            summary_of(r, mine)
        })
        .collect())
}

/// A row of the list from its order and its lines.
fn summary_of(r: OrderRow, lines: Vec<OrderSummaryLine>) -> OrderSummary {
    let products =
        guichet_domain::order::products_text(lines.iter().map(|l| (l.label.as_str(), l.quantity)));
    let mut offers: Vec<String> = lines.iter().filter_map(|l| l.offer_name.clone()).collect();
    offers.dedup();
    let state = OrderState::parse(&r.state).unwrap_or(OrderState::AwaitingPayment);
    OrderSummary {
        customer_name: customer_name(&r),
        id: OrderId(r.id),
        flagged: matches!(state, OrderState::AwaitingPayment | OrderState::Confirmed)
            && r.collected_cents != r.total_cents,
        number: r.number,
        quote_number: r.quote_number,
        created_at: r.created_at,
        products,
        offer_names: offers.join(", "),
        visit_date: r.visit_date,
        visit_start: r.visit_start,
        state,
        register_name: r.register_name,
        booking_module_name: r.booking_module_name,
        created_by_name: r.created_by_name,
        total_cents: r.total_cents,
        collected_cents: r.collected_cents,
        lines,
    }
}

/// The order with this number (`P2103160795`) or quote number, if any.
pub async fn find_by_number(tx: &mut Tx, tenant: Tenant, number: &str) -> Result<Option<OrderId>> {
    let id: Option<Uuid> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT id FROM orders WHERE organization_id = $1 AND (number = $2 OR quote_number = $2)")
        .bind(tenant.id().0)
        .bind(number)
        .fetch_optional(c)
        .await?);
    Ok(id.map(OrderId))
}
