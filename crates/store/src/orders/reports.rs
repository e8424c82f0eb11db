//! The payments list: each payment's share of each line it paid.

use crate::{Result, Tenant, Tx, on_tx};
use guichet_domain::order::PaymentMethod;
use guichet_domain::{OrderId, PaymentId};
use serde::Serialize;
use uuid::Uuid;

/// One row of the payments list: a payment's share of one line, numbered `number_N` (every
/// payment line its own `N` in its order, refunds included).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PaymentLine {
    pub payment_id: PaymentId,
    pub order_id: OrderId,
    /// The order number and the payment line's number in the order: `P2103160760_1`.
    pub reference: String,
    /// The payment line's number in its order (the `N` of the reference).
    #[serde(skip)]
    pub number: i32,
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
    /// The order's customer ("Client"), if any.
    pub customer_name: Option<String>,
}

#[derive(sqlx::FromRow)]
struct PaymentLineRow {
    payment_id: Uuid,
    order_id: Uuid,
    number: Option<String>,
    line_number: i32,
    taken_at: i64,
    amount_cents: i64,
    method: String,
    line_total_cents: i64,
    vat_rate_bp: i32,
    offer_name: Option<String>,
    label: String,
    seller_name: Option<String>,
    register_name: Option<String>,
    fees_cents: i64,
    customer_id: Option<Uuid>,
    customer_first_name: Option<String>,
    customer_last_name: Option<String>,
}

/// Where a page of the payments list starts: after this payment line (newest payment first,
/// then by payment id and line number).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaymentLineKey {
    pub taken_at: i64,
    pub payment_id: Uuid,
    pub number: i32,
}

impl PaymentLineKey {
    pub fn of(line: &PaymentLine) -> PaymentLineKey {
        PaymentLineKey {
            taken_at: line.taken_at,
            payment_id: line.payment_id.0,
            number: line.number,
        }
    }
}

/// Up to `limit` payment lines taken in `[from, until)`, one row per line they paid, after
/// `after` (keyset paging on `(taken_at DESC, payment id, line number)`).
pub async fn payment_lines(
    tx: &mut Tx,
    tenant: Tenant,
    from: i64,
    until: i64,
    after: Option<PaymentLineKey>,
    limit: i64,
) -> Result<Vec<PaymentLine>> {
    // The first page starts before every possible line.
    let after = after.unwrap_or(PaymentLineKey {
        taken_at: i64::MAX,
        payment_id: Uuid::nil(),
        number: i32::MIN,
    });
    let rows: Vec<PaymentLineRow> = on_tx!(tx, c => sqlx::query_as(
        "SELECT p.id AS payment_id, p.order_id, o.number, a.number AS line_number, p.taken_at, a.amount_cents, p.method,
         l.total_cents AS line_total_cents, l.vat_rate_bp, f.name AS offer_name, l.label, u.name AS seller_name,
         r.name AS register_name, o.customer_id, cu.first_name AS customer_first_name,
         cu.last_name AS customer_last_name,
         -- Stripe's fee, on the payment's first line (a payment's lines share one fee).
         CASE WHEN a.number = (SELECT MIN(a2.number) FROM payment_allocations a2 WHERE a2.payment_id = p.id)
              THEN COALESCE(s.fee_cents, 0) ELSE 0 END AS fees_cents
         FROM payment_allocations a
         JOIN payments p ON p.id = a.payment_id
         JOIN order_lines l ON l.id = a.line_id
         JOIN orders o ON o.id = p.order_id
         LEFT JOIN offers f ON f.id = l.offer_id
         LEFT JOIN users u ON u.id = p.taken_by
         LEFT JOIN registers r ON r.id = p.register_id
         LEFT JOIN stripe_payments s ON s.payment_id = p.id
         LEFT JOIN customers cu ON cu.id = o.customer_id
         WHERE p.organization_id = $1 AND p.taken_at >= $2 AND p.taken_at < $3
         AND (p.taken_at < $5 OR (p.taken_at = $5 AND (p.id > $6 OR (p.id = $6 AND a.number > $7))))
         ORDER BY p.taken_at DESC, p.id, a.number LIMIT $4")
        .bind(tenant.id().0).bind(from).bind(until).bind(limit)
        .bind(after.taken_at).bind(after.payment_id).bind(after.number).fetch_all(c).await?);
    Ok(rows
        .into_iter()
        .map(|r| {
            let rate = guichet_domain::VatRate::from_basis_points(i64::from(r.vat_rate_bp));
            PaymentLine {
                payment_id: PaymentId(r.payment_id),
                order_id: OrderId(r.order_id),
                reference: format!("{}_{}", r.number.unwrap_or_default(), r.line_number),
                number: r.line_number,
                taken_at: r.taken_at,
                vat_cents: rate
                    .map(|v| guichet_domain::money::vat_included(r.amount_cents, v))
                    .unwrap_or(0),
                amount_cents: r.amount_cents,
                fees_cents: r.fees_cents,
                method: PaymentMethod::parse(&r.method).unwrap_or(PaymentMethod::Other),
                line_total_cents: r.line_total_cents,
                offer_name: r.offer_name,
                label: r.label,
                seller_name: r.seller_name,
                register_name: r.register_name,
                customer_name: r.customer_id.map(|_| {
                    crate::customers::display_name(
                        r.customer_first_name.as_deref(),
                        r.customer_last_name.as_deref(),
                    )
                }),
            }
        })
        .collect())
}
