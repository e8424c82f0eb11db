//! Orders, their lines and payments. A sale is one transaction: the order and its lines, the
//! places and stock it takes (each check and decrement one conditional UPDATE, so nothing is
//! ever oversold), its number from its gapless counter ([`crate::counters`]), its payments allocated to lines, and
//! its journal entries. Cancelling gives places and stock back in one transaction too.

use crate::journal;
use crate::register_sessions;
use crate::{Result, StoreError, Tenant, Tx, now_micros, on_tx};
use guichet_domain::customer::Origin;
use guichet_domain::order::{OrderState, PaymentMethod, RateTotal, allocate};
use guichet_domain::shop::MovementKind;
use guichet_domain::{
    CustomerId, ItemId, OfferId, OrderId, OrderLineId, PaymentId, ProductId, PromoCodeId,
    RegisterId, RegisterSessionId, UserId,
};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

/// What a line sells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    TicketType,
    Extra,
    Product,
    /// A deposit on goods not sold yet (a special order): paid on its own order, at the
    /// goods' VAT rate; deducted, negative, from the sale of the goods.
    Deposit,
}

impl LineKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TicketType => "ticket_type",
            Self::Extra => "extra",
            Self::Product => "product",
            Self::Deposit => "deposit",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "ticket_type" => Self::TicketType,
            "extra" => Self::Extra,
            "deposit" => Self::Deposit,
            _ => Self::Product,
        }
    }
}

/// A priced line, ready to be written; limits are checked and taken in the transaction.
#[derive(Debug, Clone)]
pub struct NewLine {
    pub kind: LineKind,
    pub offer_id: Option<OfferId>,
    pub session_start: Option<i64>,
    pub visit_date: Option<String>,
    pub item_id: Option<ItemId>,
    pub product_id: Option<ProductId>,
    pub label: String,
    pub quantity: i64,
    pub unit_price_cents: i64,
    pub list_price_cents: i64,
    pub price_reason: Option<String>,
    pub discount_cents: i64,
    pub discount_reason: Option<String>,
    pub total_cents: i64,
    pub vat_rate_bp: u32,
    pub vat_cents: i64,
    /// The offer's capacity per session (a session override replaces it), for ticket lines.
    pub session_capacity: Option<i64>,
    /// The ticket type's or extra's daily stock.
    pub daily_stock: Option<i64>,
    /// An extra's units available per session (audio-guides).
    pub item_capacity: Option<i64>,
    /// The offer's name as lists show it (display only, not stored on the line).
    pub offer_name: Option<String>,
    /// False for gift cards and vouchers: no promotion, code or customer discount (pricing
    /// only, not stored on the line).
    pub discountable: bool,
}

#[derive(Debug, Clone)]
pub struct NewPayment {
    /// When it was taken (microseconds); now, except when importing or seeding history.
    pub at: i64,
    pub method: PaymentMethod,
    /// Kept by the seller: tendered minus change. Negative for a refund.
    pub amount_cents: i64,
    pub tendered_cents: i64,
    pub change_cents: i64,
}

impl NewPayment {
    /// `cents` given back now (a negative payment).
    pub fn refund(method: PaymentMethod, cents: i64) -> Self {
        NewPayment {
            at: now_micros(),
            method,
            amount_cents: -cents,
            tendered_cents: -cents,
            change_cents: 0,
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewOrder {
    pub register_id: Option<RegisterId>,
    /// Saved as a quote: takes nothing, gets a quote number, no journal entry.
    pub quote: bool,
    pub lines: Vec<NewLine>,
    pub total_cents: i64,
    pub vat_cents: i64,
    pub visit_date: Option<String>,
    pub visit_start: Option<i64>,
    pub customer_comment: Option<String>,
    pub internal_comment: Option<String>,
    pub created_by: Option<UserId>,
    pub idempotency_key: Option<String>,
    pub customer_id: Option<CustomerId>,
    /// Where the visitors come from (visit orders).
    pub origin: Option<Origin>,
    /// Redeemed in the sale's transaction (when the order is finalized).
    pub promo_code_id: Option<PromoCodeId>,
    /// The organization's local day, for the number.
    pub day: jiff::civil::Date,
    /// When it was made (microseconds); now, except when importing or seeding history.
    pub at: i64,
    pub payments: Vec<NewPayment>,
    /// The reservations whose deposit a deposit line deducts, with that deposit: each must be
    /// sold whole by this sale ([`crate::reservations`]).
    pub deposits_used: Vec<(Uuid, i64)>,
    /// Names the created order is answered with (display only: the rows store the ids).
    pub names: Names,
}

/// The register's, customer's and seller's names as [`Order`] shows them.
#[derive(Debug, Clone, Default)]
pub struct Names {
    pub register: Option<String>,
    pub customer: Option<String>,
    pub created_by: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OrderLine {
    pub id: OrderLineId,
    /// 1-based; payments list as `number_N`.
    pub position: i32,
    pub kind: LineKind,
    pub offer_id: Option<OfferId>,
    pub offer_name: Option<String>,
    pub session_start: Option<i64>,
    pub visit_date: Option<String>,
    pub item_id: Option<ItemId>,
    pub product_id: Option<ProductId>,
    pub label: String,
    pub quantity: i64,
    pub unit_price_cents: i64,
    pub list_price_cents: i64,
    pub price_reason: Option<String>,
    pub discount_cents: i64,
    pub discount_reason: Option<String>,
    pub total_cents: i64,
    pub vat_rate_basis_points: u32,
    pub vat_cents: i64,
    /// Paid so far on this line, net of refunds.
    pub paid_cents: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Payment {
    pub id: PaymentId,
    pub method: PaymentMethod,
    pub amount_cents: i64,
    pub tendered_cents: i64,
    pub change_cents: i64,
    pub taken_at: i64,
    pub register_id: Option<RegisterId>,
    pub taken_by_name: Option<String>,
    /// (line position, amount).
    pub allocations: Vec<(i32, i64)>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Order {
    pub id: OrderId,
    pub number: Option<String>,
    pub quote_number: Option<String>,
    pub register_id: Option<RegisterId>,
    pub register_name: Option<String>,
    pub customer_id: Option<CustomerId>,
    pub customer_name: Option<String>,
    pub origin: Option<Origin>,
    pub state: OrderState,
    pub total_cents: i64,
    pub vat_cents: i64,
    pub collected_cents: i64,
    /// Finalized, not cancelled, and collected differs from the total.
    pub flagged: bool,
    pub vat_by_rate: Vec<RateTotal>,
    pub visit_date: Option<String>,
    pub visit_start: Option<i64>,
    pub customer_comment: Option<String>,
    pub internal_comment: Option<String>,
    pub created_by_name: Option<String>,
    pub created_at: i64,
    pub finalized_at: Option<i64>,
    pub cancelled_at: Option<i64>,
    pub lines: Vec<OrderLine>,
    pub payments: Vec<Payment>,
}

fn journal_chain(register: Option<RegisterId>) -> String {
    register.map_or_else(|| "online".to_owned(), |r| r.to_string())
}

/// Creates an order (or a quote) with its payments, in one transaction, and returns it as
/// [`get`] would read it, built from what was written rather than read again. With an
/// idempotency key already used, returns the existing order and writes nothing.
///
/// A sale is a dozen statements whatever its size: the number, the order row with its final
/// state, the lines in one INSERT, one conditional statement per session, daily stock,
/// equipment and product taken, the payments and their allocations in one INSERT each, and the
/// journal batch. Payments are allocated in memory first, so nothing is written twice.
pub async fn create(tx: &mut Tx, tenant: Tenant, o: &NewOrder) -> Result<Order> {
    if let Some(key) = &o.idempotency_key
        && let Some(id) = by_idempotency_key(tx, tenant, key).await?
    {
        return get(tx, tenant, id).await;
    }
    let id = OrderId(Uuid::now_v7());
    let mut lines = new_lines(&o.lines);
    if o.quote {
        let quote = crate::counters::quote_number(tx, tenant, o.day).await?;
        let head = Head {
            number: None,
            quote_number: Some(quote),
            state: OrderState::Quote,
            collected_cents: 0,
            finalized_at: None,
            session: None,
        };
        insert_order(tx, tenant, id, o, &head).await?;
        insert_lines(tx, tenant, id, &o.lines, &lines).await?;
        return Ok(as_created(id, o, head, lines, Vec::new()));
    }
    let session = session_for_sale(tx, tenant, o.register_id).await?;
    let number = crate::counters::order_number(tx, tenant, o.day).await?;
    let paid = allocate_payments(OrderState::AwaitingPayment, &mut lines, &o.payments)?;
    let collected: i64 = o.payments.iter().map(|p| p.amount_cents).sum();
    let head = Head {
        number: Some(number.clone()),
        quote_number: None,
        state: OrderState::after_payment(o.total_cents, collected),
        collected_cents: collected,
        finalized_at: Some(o.at),
        session,
    };
    insert_order(tx, tenant, id, o, &head).await?;
    insert_lines(tx, tenant, id, &o.lines, &lines).await?;
    if let Some(code) = o.promo_code_id {
        // Counted once per order, in its transaction: a used-up code refuses the sale.
        crate::promotions::redeem(tx, tenant, code).await?;
    }
    let takes: Vec<LimitRow> = o
        .lines
        .iter()
        .zip(1..)
        .map(|(l, position)| LimitRow {
            position,
            kind: l.kind.as_str().to_owned(),
            offer_id: l.offer_id.map(|x| x.0),
            session_start: l.session_start,
            visit_date: l.visit_date.clone(),
            item_id: l.item_id.map(|x| x.0),
            product_id: l.product_id.map(|x| x.0),
            quantity: l.quantity,
            capacity: l.session_capacity,
            daily_stock: l.daily_stock,
            item_capacity: l.item_capacity,
        })
        .collect();
    take_all(
        tx,
        tenant,
        &takes,
        &number,
        o.at,
        o.created_by,
        (id, o.customer_id),
    )
    .await?;
    crate::reservations::use_deposits(tx, tenant, id, &o.deposits_used).await?;
    let mut entries = vec![order_entry(
        id,
        &number,
        o.register_id,
        o.at,
        o.total_cents,
        o.vat_cents,
        &lines,
    )];
    let (payment_ids, payment_entries) = insert_payments(
        tx,
        tenant,
        id,
        Some(&number),
        (o.register_id, session),
        &lines,
        &paid,
        o.created_by,
    )
    .await?;
    entries.extend(payment_entries);
    if let Some(customer) = o.customer_id {
        crate::accounts::check_limit(tx, tenant, customer).await?;
    }
    journal::append_all(tx, tenant, &journal_chain(o.register_id), entries).await?;
    let payments = payment_ids
        .into_iter()
        .zip(&paid)
        .map(|(pid, a)| Payment {
            id: pid,
            method: a.payment.method,
            amount_cents: a.payment.amount_cents,
            tendered_cents: a.payment.tendered_cents,
            change_cents: a.payment.change_cents,
            taken_at: a.payment.at,
            register_id: o.register_id,
            taken_by_name: o.names.created_by.clone(),
            allocations: lines
                .iter()
                .zip(&a.shares)
                .filter(|(_, s)| **s != 0)
                .map(|(l, s)| (l.position, *s))
                .collect(),
        })
        .collect();
    Ok(as_created(id, o, head, lines, payments))
}

/// The order just written, as [`get`] reads it.
fn as_created(
    id: OrderId,
    o: &NewOrder,
    head: Head,
    lines: Vec<OrderLine>,
    payments: Vec<Payment>,
) -> Order {
    let amounts: Vec<(i64, u32)> = lines
        .iter()
        .map(|l| (l.total_cents, l.vat_rate_basis_points))
        .collect();
    Order {
        id,
        number: head.number,
        quote_number: head.quote_number,
        register_id: o.register_id,
        register_name: o.names.register.clone(),
        customer_id: o.customer_id,
        customer_name: o.customer_id.and(o.names.customer.clone()),
        origin: o.origin.clone(),
        flagged: flagged(head.state, head.collected_cents, o.total_cents),
        state: head.state,
        total_cents: o.total_cents,
        vat_cents: o.vat_cents,
        collected_cents: head.collected_cents,
        vat_by_rate: guichet_domain::order::totals(&amounts).by_rate,
        visit_date: o.visit_date.clone(),
        visit_start: o.visit_start,
        customer_comment: o.customer_comment.clone(),
        internal_comment: o.internal_comment.clone(),
        created_by_name: o.created_by.and(o.names.created_by.clone()),
        created_at: o.at,
        finalized_at: head.finalized_at,
        cancelled_at: None,
        lines,
        payments,
    }
}

/// Finalized, not cancelled, and collected differs from the total.
fn flagged(state: OrderState, collected: i64, total: i64) -> bool {
    matches!(state, OrderState::AwaitingPayment | OrderState::Confirmed) && collected != total
}

/// The order row's state as it is written.
struct Head {
    number: Option<String>,
    quote_number: Option<String>,
    state: OrderState,
    collected_cents: i64,
    finalized_at: Option<i64>,
    /// The register session the order is finalized in (`guichet_domain::closing`).
    session: Option<RegisterSessionId>,
}

async fn insert_order(
    tx: &mut Tx,
    tenant: Tenant,
    id: OrderId,
    o: &NewOrder,
    h: &Head,
) -> Result<()> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO orders (id, organization_id, number, quote_number, register_id, state, total_cents, vat_cents,
         collected_cents, visit_date, visit_start, customer_comment, internal_comment, created_by, created_at,
         idempotency_key, customer_id, visitor_country, visitor_postal_code, visitor_province, promo_code_id, finalized_at,
         session_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)")
        .bind(id.0)
        .bind(tenant.id().0)
        .bind(&h.number)
        .bind(&h.quote_number)
        .bind(o.register_id.map(|r| r.0))
        .bind(h.state.as_str())
        .bind(o.total_cents)
        .bind(o.vat_cents)
        .bind(h.collected_cents)
        .bind(&o.visit_date)
        .bind(o.visit_start)
        .bind(&o.customer_comment)
        .bind(&o.internal_comment)
        .bind(o.created_by.map(|u| u.0))
        .bind(o.at)
        .bind(&o.idempotency_key)
        .bind(o.customer_id.map(|c| c.0))
        .bind(o.origin.as_ref().map(|x| x.country.clone()))
        .bind(o.origin.as_ref().and_then(|x| x.postal_code.clone()))
        .bind(o.origin.as_ref().and_then(|x| x.province.clone()))
        .bind(o.promo_code_id.map(|p| p.0))
        .bind(h.finalized_at)
        .bind(h.session.map(|x| x.0))
        .execute(c)
        .await
        .map_err(|e| StoreError::on_constraint(e, "idempotency_key"))?
        .rows_affected());
    Ok(())
}

async fn by_idempotency_key(tx: &mut Tx, tenant: Tenant, key: &str) -> Result<Option<OrderId>> {
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

/// The lines of a new order as they will be stored: fresh ids, positions from 1, nothing paid.
fn new_lines(new: &[NewLine]) -> Vec<OrderLine> {
    new.iter()
        .zip(1..)
        .map(|(l, position)| OrderLine {
            id: OrderLineId(Uuid::now_v7()),
            position,
            kind: l.kind,
            offer_id: l.offer_id,
            offer_name: l.offer_id.and(l.offer_name.clone()),
            session_start: l.session_start,
            visit_date: l.visit_date.clone(),
            item_id: l.item_id,
            product_id: l.product_id,
            label: l.label.clone(),
            quantity: l.quantity,
            unit_price_cents: l.unit_price_cents,
            list_price_cents: l.list_price_cents,
            price_reason: l.price_reason.clone(),
            discount_cents: l.discount_cents,
            discount_reason: l.discount_reason.clone(),
            total_cents: l.total_cents,
            vat_rate_basis_points: l.vat_rate_bp,
            vat_cents: l.vat_cents,
            paid_cents: 0,
        })
        .collect()
}

/// Rows per multi-row INSERT: far under both backends' limits on bound parameters.
const ROWS_PER_INSERT: usize = 400;

async fn insert_lines(
    tx: &mut Tx,
    tenant: Tenant,
    order: OrderId,
    new: &[NewLine],
    lines: &[OrderLine],
) -> Result<()> {
    let rows: Vec<(&NewLine, &OrderLine)> = new.iter().zip(lines).collect();
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let mut sql = String::from(
            "INSERT INTO order_lines (id, organization_id, order_id, position, kind, offer_id, session_start, visit_date,
             ticket_type_id, extra_id, product_id, label, quantity, unit_price_cents, list_price_cents, price_reason,
             discount_cents, discount_reason, total_cents, vat_rate_bp, vat_cents) VALUES ",
        );
        crate::push_placeholders(&mut sql, chunk.len(), 21);
        on_tx!(tx, c => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
            for (l, stored) in chunk {
                let (ticket, extra) = match l.kind {
                    LineKind::TicketType => (l.item_id.map(|i| i.0), None),
                    LineKind::Extra => (None, l.item_id.map(|i| i.0)),
                    LineKind::Product | LineKind::Deposit => (None, None),
                };
                q = q
                    .bind(stored.id.0)
                    .bind(tenant.id().0)
                    .bind(order.0)
                    .bind(stored.position)
                    .bind(l.kind.as_str())
                    .bind(l.offer_id.map(|o| o.0))
                    .bind(l.session_start)
                    .bind(l.visit_date.as_deref())
                    .bind(ticket)
                    .bind(extra)
                    .bind(l.product_id.map(|p| p.0))
                    .bind(l.label.as_str())
                    .bind(l.quantity)
                    .bind(l.unit_price_cents)
                    .bind(l.list_price_cents)
                    .bind(l.price_reason.as_deref())
                    .bind(l.discount_cents)
                    .bind(l.discount_reason.as_deref())
                    .bind(l.total_cents)
                    .bind(i32::try_from(l.vat_rate_bp).unwrap_or(0))
                    .bind(l.vat_cents);
            }
            q.execute(c).await?.rows_affected()
        });
    }
    Ok(())
}

/// Limits of a stored line, looked up again when a quote becomes an order.
#[derive(sqlx::FromRow)]
struct LimitRow {
    position: i32,
    kind: String,
    offer_id: Option<Uuid>,
    session_start: Option<i64>,
    visit_date: Option<String>,
    item_id: Option<Uuid>,
    product_id: Option<Uuid>,
    quantity: i64,
    capacity: Option<i64>,
    daily_stock: Option<i64>,
    item_capacity: Option<i64>,
}

/// What each line of an order takes: places, daily stock, equipment, product stock, with the
/// limits from the catalogue.
async fn limits(tx: &mut Tx, tenant: Tenant, id: OrderId) -> Result<Vec<LimitRow>> {
    Ok(on_tx!(tx, c => sqlx::query_as(
        "SELECT l.position, l.kind, l.offer_id, l.session_start, l.visit_date,
         COALESCE(l.ticket_type_id, l.extra_id) AS item_id, l.product_id, l.quantity,
         o.capacity, COALESCE(t.daily_stock, e.daily_stock) AS daily_stock, e.capacity AS item_capacity
         FROM order_lines l
         LEFT JOIN offers o ON o.id = l.offer_id
         LEFT JOIN ticket_types t ON t.id = l.ticket_type_id
         LEFT JOIN extras e ON e.id = l.extra_id
         WHERE l.organization_id = $1 AND l.order_id = $2 ORDER BY l.position")
        .bind(tenant.id().0)
        .bind(id.0)
        .fetch_all(c)
        .await?))
}

/// The journal entry of a finalized order (no personal data: no customer, no comments).
fn order_entry(
    id: OrderId,
    number: &str,
    register: Option<RegisterId>,
    at: i64,
    total_cents: i64,
    vat_cents: i64,
    lines: &[OrderLine],
) -> journal::Entry {
    let amounts: Vec<(i64, u32)> = lines
        .iter()
        .map(|l| (l.total_cents, l.vat_rate_basis_points))
        .collect();
    let by_rate = guichet_domain::order::totals(&amounts).by_rate;
    journal::Entry {
        kind: "order",
        order_id: Some(id.0),
        payment_id: None,
        sales_delta_cents: total_cents,
        payments_delta_cents: 0,
        record: json!({
            "number": number,
            "register": journal_chain(register),
            "at": at,
            "total_cents": total_cents,
            "vat_cents": vat_cents,
            "vat_by_rate": by_rate.iter().map(|r| json!({
                "rate_bp": r.vat_rate_basis_points, "gross_cents": r.gross_cents, "vat_cents": r.vat_cents, "net_cents": r.net_cents
            })).collect::<Vec<_>>(),
            "lines": lines.iter().map(|l| json!({
                "position": l.position, "kind": l.kind.as_str(), "label": l.label, "quantity": l.quantity,
                "unit_price_cents": l.unit_price_cents, "discount_cents": l.discount_cents,
                "total_cents": l.total_cents, "vat_rate_bp": l.vat_rate_basis_points, "vat_cents": l.vat_cents
            })).collect::<Vec<_>>(),
        }),
    }
}

/// Numbers a stored quote, takes its places and stock and journals it.
async fn finalize_quote(
    tx: &mut Tx,
    tenant: Tenant,
    order: &mut Order,
    (register, session): (Option<RegisterId>, Option<RegisterSessionId>),
    day: jiff::civil::Date,
    now: i64,
    by: Option<UserId>,
) -> Result<()> {
    let id = order.id;
    let number = crate::counters::order_number(tx, tenant, day).await?;
    let code: Option<Uuid> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT promo_code_id FROM orders WHERE organization_id = $1 AND id = $2")
        .bind(tenant.id().0).bind(id.0).fetch_one(c).await?);
    if let Some(code) = code {
        // Counted once per order, in its transaction: a used-up code refuses the sale.
        crate::promotions::redeem(tx, tenant, PromoCodeId(code)).await?;
    }
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE orders SET number = $3, state = $4, finalized_at = $5, register_id = COALESCE(register_id, $6),
         session_id = $7 WHERE organization_id = $1 AND id = $2 AND number IS NULL")
        .bind(tenant.id().0)
        .bind(id.0)
        .bind(&number)
        .bind(OrderState::AwaitingPayment.as_str())
        .bind(now)
        .bind(register.map(|r| r.0))
        .bind(session.map(|x| x.0))
        .execute(c)
        .await?
        .rows_affected());
    if n != 1 {
        return Err(StoreError::Refused("already_finalized"));
    }
    let limits = limits(tx, tenant, id).await?;
    take_all(
        tx,
        tenant,
        &limits,
        &number,
        now,
        by,
        (id, order.customer_id),
    )
    .await?;
    // A quote deducts no deposit: it cannot take reserved goods a deposit was paid on.
    crate::reservations::use_deposits(tx, tenant, id, &[]).await?;
    order.number = Some(number.clone());
    order.state = OrderState::AwaitingPayment;
    order.register_id = order.register_id.or(register);
    let entry = order_entry(
        id,
        &number,
        register,
        now,
        order.total_cents,
        order.vat_cents,
        &order.lines,
    );
    journal::append_all(tx, tenant, &journal_chain(order.register_id), vec![entry]).await?;
    Ok(())
}

fn line_field(position: i32) -> String {
    format!("lines[{}]", position - 1)
}

/// Takes the lines' places and stock; each check and decrement is one conditional statement.
/// Ticket lines of one session are taken together, so a sale of adults and children for the
/// same session is one statement on its counter.
/// A sale to a customer first consumes what was set aside for them (seed 004: scanning a
/// product reserved for the attached customer consumes the reservation).
async fn take_all(
    tx: &mut Tx,
    tenant: Tenant,
    lines: &[LimitRow],
    number: &str,
    at: i64,
    by: Option<UserId>,
    (order, customer): (OrderId, Option<CustomerId>),
) -> Result<()> {
    if let Some(customer) = customer {
        for l in lines {
            if let Some(product) = l.product_id {
                crate::reservations::consume_for_sale(
                    tx,
                    tenant,
                    customer,
                    ProductId(product),
                    l.quantity,
                    order,
                    by,
                )
                .await?;
            }
        }
    }
    let mut sessions: Vec<(Uuid, i64, i64, Option<i64>, i32)> = Vec::new();
    for l in lines {
        if let (LineKind::TicketType, Some(offer), Some(start)) =
            (LineKind::parse(&l.kind), l.offer_id, l.session_start)
        {
            match sessions.iter_mut().find(|s| s.0 == offer && s.1 == start) {
                Some(s) => s.2 += l.quantity,
                None => sessions.push((offer, start, l.quantity, l.capacity, l.position)),
            }
        }
    }
    for (offer, start, quantity, capacity, position) in sessions {
        take_places(tx, tenant, offer, start, quantity, capacity, position).await?;
    }
    for l in lines {
        take_stock(tx, tenant, l, number, at, by).await?;
    }
    Ok(())
}

/// Takes places in a session, within its capacity (a session override replaces the offer's,
/// and a closed session takes nothing). The check and the increment are one statement: a first
/// sale creates the counter only if it fits, later ones add only if they fit. Only when it
/// refuses is the override read again, to tell a closed session from a full one.
async fn take_places(
    tx: &mut Tx,
    tenant: Tenant,
    offer: Uuid,
    start: i64,
    quantity: i64,
    capacity: Option<i64>,
    position: i32,
) -> Result<()> {
    let refused = |code| StoreError::Invalid(line_field(position), code);
    let ok = on_tx!(tx, c => sqlx::query(
        "INSERT INTO session_counts (organization_id, offer_id, session_start, sold, held)
         SELECT $1, $2, $3, $4, 0
         WHERE NOT EXISTS (SELECT 1 FROM session_overrides WHERE organization_id = $1 AND offer_id = $2
                           AND session_start = $3 AND closed)
         AND CAST($4 AS BIGINT) <= COALESCE((SELECT capacity FROM session_overrides WHERE organization_id = $1
                           AND offer_id = $2 AND session_start = $3), CAST($5 AS BIGINT))
         ON CONFLICT (organization_id, offer_id, session_start) DO UPDATE SET sold = session_counts.sold + excluded.sold
         WHERE session_counts.sold + session_counts.held + excluded.sold <= COALESCE((SELECT capacity FROM session_overrides
                           WHERE organization_id = $1 AND offer_id = $2 AND session_start = $3), CAST($5 AS BIGINT))")
        .bind(tenant.id().0).bind(offer).bind(start).bind(quantity).bind(capacity.unwrap_or(0))
        .execute(c).await?.rows_affected());
    if ok == 1 {
        return Ok(());
    }
    let o = crate::planning::overrides(tx, tenant, OfferId(offer), start, start + 1).await?;
    if o.get(&start).is_some_and(|o| o.closed) {
        return Err(refused("session_closed"));
    }
    Err(refused("sold_out"))
}

/// Takes one line's daily stock, equipment and product stock.
async fn take_stock(
    tx: &mut Tx,
    tenant: Tenant,
    l: &LimitRow,
    number: &str,
    at: i64,
    by: Option<UserId>,
) -> Result<()> {
    let org = tenant.id().0;
    let refused = |code| StoreError::Invalid(line_field(l.position), code);
    if let (Some(item), Some(day), Some(stock)) = (l.item_id, &l.visit_date, l.daily_stock) {
        let ok = on_tx!(tx, c => sqlx::query(
            "INSERT INTO item_day_counts (organization_id, item_id, day, sold)
             SELECT $1, $2, $3, $4 WHERE CAST($4 AS BIGINT) <= CAST($5 AS BIGINT)
             ON CONFLICT (organization_id, item_id, day) DO UPDATE SET sold = item_day_counts.sold + excluded.sold
             WHERE item_day_counts.sold + excluded.sold <= CAST($5 AS BIGINT)")
            .bind(org).bind(item).bind(day).bind(l.quantity).bind(stock)
            .execute(c).await?.rows_affected());
        if ok != 1 {
            return Err(refused("daily_stock_exhausted"));
        }
    }
    if let (Some(item), Some(start), Some(cap)) = (l.item_id, l.session_start, l.item_capacity) {
        let ok = on_tx!(tx, c => sqlx::query(
            "INSERT INTO item_session_counts (organization_id, item_id, session_start, sold)
             SELECT $1, $2, $3, $4 WHERE CAST($4 AS BIGINT) <= CAST($5 AS BIGINT)
             ON CONFLICT (organization_id, item_id, session_start) DO UPDATE SET sold = item_session_counts.sold + excluded.sold
             WHERE item_session_counts.sold + excluded.sold <= CAST($5 AS BIGINT)")
            .bind(org).bind(item).bind(start).bind(l.quantity).bind(cap)
            .execute(c).await?.rows_affected());
        if ok != 1 {
            return Err(refused("equipment_exhausted"));
        }
    }
    if let Some(product) = l.product_id {
        // Managed stock: the check is the decrement's condition, so two sales of the last unit
        // cannot both pass; the ledger gets the movement.
        let ok = on_tx!(tx, c => sqlx::query(
            "UPDATE products SET stock = stock - $3 WHERE organization_id = $1 AND id = $2
             AND (NOT stock_managed OR stock >= $3)")
            .bind(org).bind(product).bind(l.quantity).execute(c).await?.rows_affected());
        if ok != 1 {
            return Err(refused("out_of_stock"));
        }
        let reason = format!("{number}_{}", l.position);
        crate::shop::insert_ledger_row(
            tx,
            tenant,
            ProductId(product),
            MovementKind::Sale,
            l.quantity,
            at,
            by,
            Some(&reason),
        )
        .await?;
    }
    Ok(())
}

/// Gives one line's places and stock back (cancellation).
async fn give_back(
    tx: &mut Tx,
    tenant: Tenant,
    l: &LimitRow,
    number: &str,
    by: Option<UserId>,
) -> Result<()> {
    let org = tenant.id().0;
    let kind = LineKind::parse(&l.kind);
    if let (LineKind::TicketType, Some(offer), Some(start)) = (kind, l.offer_id, l.session_start) {
        on_tx!(tx, c => sqlx::query(
            "UPDATE session_counts SET sold = sold - $4 WHERE organization_id = $1 AND offer_id = $2 AND session_start = $3")
            .bind(org).bind(offer).bind(start).bind(l.quantity).execute(c).await?.rows_affected());
    }
    if let (Some(item), Some(day), Some(_)) = (l.item_id, &l.visit_date, l.daily_stock) {
        on_tx!(tx, c => sqlx::query(
            "UPDATE item_day_counts SET sold = sold - $4 WHERE organization_id = $1 AND item_id = $2 AND day = $3")
            .bind(org).bind(item).bind(day).bind(l.quantity).execute(c).await?.rows_affected());
    }
    if let (Some(item), Some(start), Some(_)) = (l.item_id, l.session_start, l.item_capacity) {
        on_tx!(tx, c => sqlx::query(
            "UPDATE item_session_counts SET sold = sold - $4 WHERE organization_id = $1 AND item_id = $2 AND session_start = $3")
            .bind(org).bind(item).bind(start).bind(l.quantity).execute(c).await?.rows_affected());
    }
    if let Some(product) = l.product_id {
        let reason = format!("{number}_{}", l.position);
        crate::shop::insert_movement(
            tx,
            tenant,
            ProductId(product),
            MovementKind::Return,
            l.quantity,
            now_micros(),
            by,
            Some(&reason),
        )
        .await?;
    }
    Ok(())
}

/// Takes payments (or, negative, refunds) on a finalized order: allocated to the lines in
/// order (refunds from the last line back), journaled, and the order's state follows.
pub async fn add_payments(
    tx: &mut Tx,
    tenant: Tenant,
    id: OrderId,
    register: Option<RegisterId>,
    payments: &[NewPayment],
    by: Option<UserId>,
) -> Result<Order> {
    let mut order = get(tx, tenant, id).await?;
    let register = register.or(order.register_id);
    let session = session_for_sale(tx, tenant, register).await?;
    pay(tx, tenant, &mut order, (register, session), payments, by).await?;
    get(tx, tenant, id).await
}

/// The register session a sale or payment on `register` counts in; refused on a closed
/// counter register (see [`register_sessions::for_sale`]).
async fn session_for_sale(
    tx: &mut Tx,
    tenant: Tenant,
    register: Option<RegisterId>,
) -> Result<Option<RegisterSessionId>> {
    match register {
        Some(r) => register_sessions::for_sale(tx, tenant, r).await,
        None => Ok(None),
    }
}

/// A payment with its share of each line, in the lines' order.
struct Allocated<'p> {
    payment: &'p NewPayment,
    shares: Vec<i64>,
}

/// Allocates payments one after the other to what each line still has due (a refund to what
/// it has been paid, from the last line back), moving the lines' paid amounts on.
fn allocate_payments<'p>(
    state: OrderState,
    lines: &mut [OrderLine],
    payments: &'p [NewPayment],
) -> Result<Vec<Allocated<'p>>> {
    let mut out = Vec::with_capacity(payments.len());
    for p in payments {
        if state == OrderState::Quote {
            return Err(StoreError::Refused("quote_not_payable"));
        }
        if state == OrderState::Cancelled && p.amount_cents >= 0 {
            return Err(StoreError::Refused("order_cancelled"));
        }
        if p.amount_cents == 0 {
            return Err(StoreError::Invalid("amount".into(), "amount_zero"));
        }
        let room: Vec<i64> = if p.amount_cents > 0 {
            let amounts: Vec<(i64, u32)> = lines
                .iter()
                .map(|l| (l.total_cents, l.vat_rate_basis_points))
                .collect();
            guichet_domain::order::payable(&amounts)
                .iter()
                .zip(lines.iter())
                .map(|(payable, l)| payable - l.paid_cents)
                .collect()
        } else {
            lines.iter().map(|l| l.paid_cents).collect()
        };
        let Some(shares) = allocate(p.amount_cents, &room) else {
            return Err(StoreError::Invalid(
                "amount".into(),
                if p.amount_cents > 0 {
                    "more_than_due"
                } else {
                    "more_than_paid"
                },
            ));
        };
        for (line, share) in lines.iter_mut().zip(&shares) {
            line.paid_cents += share;
        }
        out.push(Allocated { payment: p, shares });
    }
    Ok(out)
}

/// Writes allocated payments (one INSERT for the payments, one for their allocations) and
/// returns their ids and journal entries.
#[allow(clippy::too_many_arguments)]
async fn insert_payments(
    tx: &mut Tx,
    tenant: Tenant,
    order: OrderId,
    number: Option<&str>,
    (register, session): (Option<RegisterId>, Option<RegisterSessionId>),
    lines: &[OrderLine],
    paid: &[Allocated<'_>],
    by: Option<UserId>,
) -> Result<(Vec<PaymentId>, Vec<journal::Entry>)> {
    if paid.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let org = tenant.id().0;
    let ids: Vec<Uuid> = paid.iter().map(|_| Uuid::now_v7()).collect();
    let mut sql = String::from(
        "INSERT INTO payments (id, organization_id, order_id, register_id, method, amount_cents, tendered_cents,
         change_cents, taken_at, taken_by, session_id) VALUES ",
    );
    crate::push_placeholders(&mut sql, paid.len(), 11);
    on_tx!(tx, c => {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
        for (pid, a) in ids.iter().zip(paid) {
            let p = a.payment;
            q = q
                .bind(*pid)
                .bind(org)
                .bind(order.0)
                .bind(register.map(|r| r.0))
                .bind(p.method.as_str())
                .bind(p.amount_cents)
                .bind(p.tendered_cents)
                .bind(p.change_cents)
                .bind(p.at)
                .bind(by.map(|u| u.0))
                .bind(session.map(|x| x.0));
        }
        q.execute(c).await?.rows_affected()
    });
    let allocations: Vec<(Uuid, Uuid, i64)> = ids
        .iter()
        .zip(paid)
        .flat_map(|(pid, a)| {
            lines
                .iter()
                .zip(&a.shares)
                .filter(|(_, s)| **s != 0)
                .map(|(l, s)| (*pid, l.id.0, *s))
        })
        .collect();
    if paid
        .iter()
        .any(|a| a.payment.method == PaymentMethod::StoreCredit)
    {
        crate::accounts::check_credit(tx, tenant, order.0).await?;
    }
    for chunk in allocations.chunks(ROWS_PER_INSERT) {
        let mut sql = String::from(
            "INSERT INTO payment_allocations (payment_id, line_id, organization_id, amount_cents) VALUES ",
        );
        crate::push_placeholders(&mut sql, chunk.len(), 4);
        on_tx!(tx, c => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
            for (pid, line, amount) in chunk {
                q = q.bind(*pid).bind(*line).bind(org).bind(*amount);
            }
            q.execute(c).await?.rows_affected()
        });
    }
    let entries = ids
        .iter()
        .zip(paid)
        .map(|(pid, a)| {
            let p = a.payment;
            journal::Entry {
                kind: if p.amount_cents > 0 { "payment" } else { "refund" },
                order_id: Some(order.0),
                payment_id: Some(*pid),
                sales_delta_cents: 0,
                payments_delta_cents: p.amount_cents,
                record: json!({
                    "number": number,
                    "at": p.at,
                    "method": p.method.as_str(),
                    "amount_cents": p.amount_cents,
                    "tendered_cents": p.tendered_cents,
                    "change_cents": p.change_cents,
                    "allocations": lines.iter().zip(&a.shares).filter(|(_, s)| **s != 0)
                        .map(|(l, s)| json!({"position": l.position, "amount_cents": s})).collect::<Vec<_>>(),
                }),
            }
        })
        .collect();
    Ok((ids.into_iter().map(PaymentId).collect(), entries))
}

/// Records payments against `order` as loaded in this transaction, and brings the loaded order
/// up to date (paid per line, collected, state).
async fn pay(
    tx: &mut Tx,
    tenant: Tenant,
    order: &mut Order,
    (register, session): (Option<RegisterId>, Option<RegisterSessionId>),
    payments: &[NewPayment],
    by: Option<UserId>,
) -> Result<()> {
    if payments.is_empty() {
        return Ok(());
    }
    let paid = allocate_payments(order.state, &mut order.lines, payments)?;
    let (_, entries) = insert_payments(
        tx,
        tenant,
        order.id,
        order.number.as_deref(),
        (register, session),
        &order.lines,
        &paid,
        by,
    )
    .await?;
    let collected = order.collected_cents + payments.iter().map(|p| p.amount_cents).sum::<i64>();
    let state = if order.state == OrderState::Cancelled {
        OrderState::Cancelled
    } else {
        OrderState::after_payment(order.total_cents, collected)
    };
    on_tx!(tx, c => sqlx::query(
        "UPDATE orders SET collected_cents = $3, state = $4 WHERE organization_id = $1 AND id = $2")
        .bind(tenant.id().0).bind(order.id.0).bind(collected).bind(state.as_str())
        .execute(c).await?.rows_affected());
    journal::append_all(tx, tenant, &journal_chain(register), entries).await?;
    order.collected_cents = collected;
    order.state = state;
    Ok(())
}

/// Turns a quote into an order: takes places and stock, numbers and journals it.
pub async fn confirm_quote(
    tx: &mut Tx,
    tenant: Tenant,
    id: OrderId,
    register: Option<RegisterId>,
    day: jiff::civil::Date,
    payments: &[NewPayment],
    by: Option<UserId>,
) -> Result<Order> {
    let mut order = get(tx, tenant, id).await?;
    if order.state != OrderState::Quote {
        return Err(StoreError::Refused("not_a_quote"));
    }
    let register = register.or(order.register_id);
    let session = session_for_sale(tx, tenant, register).await?;
    finalize_quote(
        tx,
        tenant,
        &mut order,
        (register, session),
        day,
        now_micros(),
        by,
    )
    .await?;
    pay(tx, tenant, &mut order, (register, session), payments, by).await?;
    if let Some(customer) = order.customer_id {
        crate::accounts::check_limit(tx, tenant, customer).await?;
    }
    get(tx, tenant, id).await
}

/// Cancels an order: the reason goes into the internal comment, places and stock come back,
/// the cancellation is journaled and an optional refund is recorded as a negative payment.
pub async fn cancel(
    tx: &mut Tx,
    tenant: Tenant,
    id: OrderId,
    reason: &str,
    refund: Option<&NewPayment>,
    register: Option<RegisterId>,
    by: Option<UserId>,
) -> Result<Order> {
    let order = get(tx, tenant, id).await?;
    if order.state == OrderState::Cancelled {
        return Err(StoreError::Refused("already_cancelled"));
    }
    let now = now_micros();
    // Counted in the session open on the order's register, else in that register's next one.
    let session = match order.register_id {
        Some(r) if order.state != OrderState::Quote => {
            register_sessions::touch(tx, tenant, r).await?
        }
        _ => None,
    };
    let comment = match &order.internal_comment {
        Some(c) if !c.is_empty() => format!("{c}\n{reason}"),
        _ => reason.to_owned(),
    };
    on_tx!(tx, c => sqlx::query(
        "UPDATE orders SET state = $3, cancelled_at = $4, cancelled_by = $5, internal_comment = $6,
         cancel_session_id = $7 WHERE organization_id = $1 AND id = $2")
        .bind(tenant.id().0).bind(id.0).bind(OrderState::Cancelled.as_str()).bind(now)
        .bind(by.map(|u| u.0)).bind(&comment).bind(session.map(|x| x.0))
        .execute(c).await?.rows_affected());
    if order.state == OrderState::Quote {
        return get(tx, tenant, id).await;
    }
    let number = order.number.clone().unwrap_or_default();
    let code: Option<Uuid> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT promo_code_id FROM orders WHERE organization_id = $1 AND id = $2")
        .bind(tenant.id().0).bind(id.0).fetch_one(c).await?);
    if let Some(code) = code {
        crate::promotions::release(tx, tenant, PromoCodeId(code)).await?;
    }
    let limits = limits(tx, tenant, id).await?;
    for l in &limits {
        give_back(tx, tenant, l, &number, by).await?;
    }
    crate::reservations::on_order_cancelled(tx, tenant, id, by).await?;
    let entry = journal::Entry {
        kind: "cancellation",
        order_id: Some(id.0),
        payment_id: None,
        sales_delta_cents: -order.total_cents,
        payments_delta_cents: 0,
        // The reason stays out of the hashed record: it is free text and may name a person.
        record: json!({"number": number, "at": now, "total_cents": -order.total_cents, "vat_cents": -order.vat_cents}),
    };
    journal::append_all(tx, tenant, &journal_chain(order.register_id), vec![entry]).await?;
    if let Some(r) = refund {
        let mut order = get(tx, tenant, id).await?;
        let register = register.or(order.register_id);
        let session = match register {
            Some(r) if register != order.register_id => {
                register_sessions::touch(tx, tenant, r).await?
            }
            _ => session,
        };
        pay(
            tx,
            tenant,
            &mut order,
            (register, session),
            std::slice::from_ref(r),
            by,
        )
        .await?;
    }
    get(tx, tenant, id).await
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
}

const ORDER_SELECT: &str = "SELECT o.id, o.number, o.quote_number, o.register_id, r.name AS register_name,
    o.customer_id, cu.first_name AS customer_first_name, cu.last_name AS customer_last_name,
    o.visitor_country, o.visitor_postal_code, o.visitor_province, o.state,
    o.total_cents, o.vat_cents, o.collected_cents, o.visit_date, o.visit_start, o.customer_comment, o.internal_comment,
    u.name AS created_by_name, o.created_at, o.finalized_at, o.cancelled_at
    FROM orders o LEFT JOIN registers r ON r.id = o.register_id LEFT JOIN users u ON u.id = o.created_by
    LEFT JOIN customers cu ON cu.id = o.customer_id
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
    let allocs: Vec<(Uuid, Uuid, i64)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT a.payment_id, a.line_id, a.amount_cents FROM payment_allocations a JOIN payments p ON p.id = a.payment_id
         WHERE p.organization_id = $1 AND p.order_id = $2")
        .bind(tenant.id().0).bind(id.0).fetch_all(c).await?);
    let payments = pays
        .into_iter()
        .map(|p| {
            let mut allocations: Vec<(i32, i64)> = allocs
                .iter()
                .filter(|a| a.0 == p.id)
                .filter_map(|a| {
                    lines
                        .iter()
                        .find(|l| l.id.0 == a.1)
                        .map(|l| (l.position, a.2))
                })
                .collect();
            allocations.sort_unstable();
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
    pub created_by_name: Option<String>,
    pub total_cents: i64,
    pub collected_cents: i64,
    pub flagged: bool,
}

/// Which dates a list filters on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateFilter {
    /// Created between two instants (microseconds, `[from, until)`).
    Created(i64, i64),
    /// Visit between two days inclusive.
    Visit(jiff::civil::Date, jiff::civil::Date),
}

pub async fn list(
    tx: &mut Tx,
    tenant: Tenant,
    filter: DateFilter,
    limit: i64,
) -> Result<Vec<OrderSummary>> {
    let cond = match filter {
        DateFilter::Created(..) => "o.created_at >= $2 AND o.created_at < $3",
        DateFilter::Visit(..) => "o.visit_date >= $2 AND o.visit_date <= $3",
    };
    let sql = format!("{ORDER_SELECT} AND {cond} ORDER BY o.created_at DESC, o.id DESC LIMIT $4");
    let rows: Vec<OrderRow> = match filter {
        DateFilter::Created(f, u) => {
            on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(tenant.id().0).bind(f).bind(u).bind(limit).fetch_all(c).await?)
        }
        DateFilter::Visit(f, t) => {
            on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(tenant.id().0).bind(f.to_string()).bind(t.to_string()).bind(limit).fetch_all(c).await?)
        }
    };
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut lines: Vec<(Uuid, i32, String, i64, Option<String>)> = Vec::new();
    for chunk in ids.chunks(200) {
        let marks: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "SELECT l.order_id, l.position, l.label, l.quantity, f.name FROM order_lines l LEFT JOIN offers f ON f.id = l.offer_id
             WHERE l.organization_id = $1 AND l.order_id IN ({}) ORDER BY l.order_id, l.position",
            marks.join(", ")
        );
        let part: Vec<(Uuid, i32, String, i64, Option<String>)> = on_tx!(tx, c => {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(tenant.id().0);
            for id in chunk {
                q = q.bind(*id);
            }
            q.fetch_all(c).await?
        });
        lines.extend(part);
    }
    Ok(rows
        .into_iter()
        .map(|r| {
            let mine: Vec<&(Uuid, i32, String, i64, Option<String>)> =
                lines.iter().filter(|l| l.0 == r.id).collect();
            let products = mine
                .iter()
                .map(|l| {
                    if l.3 > 1 {
                        format!("{} x{}", l.2, l.3)
                    } else {
                        l.2.clone()
                    }
                })
                .collect::<Vec<_>>()
                .join(", ");
            let mut offers: Vec<String> = mine.iter().filter_map(|l| l.4.clone()).collect();
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
                created_by_name: r.created_by_name,
                total_cents: r.total_cents,
                collected_cents: r.collected_cents,
            }
        })
        .collect())
}

/// One row of the payments list: a payment's share of one line, numbered `number_N`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PaymentLine {
    pub payment_id: PaymentId,
    pub order_id: OrderId,
    /// The order number and the line position: `P2103160760_1`.
    pub reference: String,
    pub taken_at: i64,
    pub amount_cents: i64,
    /// The VAT contained in this share, at the line's rate.
    pub vat_cents: i64,
    pub fees_cents: i64,
    pub method: PaymentMethod,
    pub line_total_cents: i64,
    pub offer_name: Option<String>,
    pub label: String,
    pub seller_name: Option<String>,
    pub register_name: Option<String>,
}

#[derive(sqlx::FromRow)]
struct PaymentLineRow {
    payment_id: Uuid,
    order_id: Uuid,
    number: Option<String>,
    position: i32,
    taken_at: i64,
    amount_cents: i64,
    method: String,
    line_total_cents: i64,
    vat_rate_bp: i32,
    offer_name: Option<String>,
    label: String,
    seller_name: Option<String>,
    register_name: Option<String>,
}

/// Payments taken in `[from, until)`, one row per line they paid.
pub async fn payment_lines(
    tx: &mut Tx,
    tenant: Tenant,
    from: i64,
    until: i64,
    limit: i64,
) -> Result<Vec<PaymentLine>> {
    let rows: Vec<PaymentLineRow> = on_tx!(tx, c => sqlx::query_as(
        "SELECT p.id AS payment_id, p.order_id, o.number, l.position, p.taken_at, a.amount_cents, p.method,
         l.total_cents AS line_total_cents, l.vat_rate_bp, f.name AS offer_name, l.label, u.name AS seller_name,
         r.name AS register_name
         FROM payment_allocations a
         JOIN payments p ON p.id = a.payment_id
         JOIN order_lines l ON l.id = a.line_id
         JOIN orders o ON o.id = p.order_id
         LEFT JOIN offers f ON f.id = l.offer_id
         LEFT JOIN users u ON u.id = p.taken_by
         LEFT JOIN registers r ON r.id = p.register_id
         WHERE p.organization_id = $1 AND p.taken_at >= $2 AND p.taken_at < $3
         ORDER BY p.taken_at DESC, p.id, l.position LIMIT $4")
        .bind(tenant.id().0).bind(from).bind(until).bind(limit).fetch_all(c).await?);
    Ok(rows
        .into_iter()
        .map(|r| {
            let rate = guichet_domain::VatRate::from_basis_points(i64::from(r.vat_rate_bp));
            PaymentLine {
                payment_id: PaymentId(r.payment_id),
                order_id: OrderId(r.order_id),
                reference: format!("{}_{}", r.number.unwrap_or_default(), r.position),
                taken_at: r.taken_at,
                vat_cents: rate
                    .map(|v| guichet_domain::money::vat_included(r.amount_cents, v))
                    .unwrap_or(0),
                amount_cents: r.amount_cents,
                fees_cents: 0,
                method: PaymentMethod::parse(&r.method).unwrap_or(PaymentMethod::Other),
                line_total_cents: r.line_total_cents,
                offer_name: r.offer_name,
                label: r.label,
                seller_name: r.seller_name,
                register_name: r.register_name,
            }
        })
        .collect())
}

/// Payment methods the organization has switched off.
pub async fn disabled_methods(tx: &mut Tx, tenant: Tenant) -> Result<Vec<PaymentMethod>> {
    let rows: Vec<String> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT method FROM payment_method_settings WHERE organization_id = $1 AND NOT enabled")
        .bind(tenant.id().0).fetch_all(c).await?);
    Ok(rows
        .iter()
        .filter_map(|m| PaymentMethod::parse(m))
        .collect())
}

pub async fn set_method_enabled(
    tx: &mut Tx,
    tenant: Tenant,
    method: PaymentMethod,
    enabled: bool,
) -> Result<()> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO payment_method_settings (organization_id, method, enabled) VALUES ($1, $2, $3)
         ON CONFLICT (organization_id, method) DO UPDATE SET enabled = excluded.enabled")
        .bind(tenant.id().0).bind(method.as_str()).bind(enabled).execute(c).await?.rows_affected());
    Ok(())
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
