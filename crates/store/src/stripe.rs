//! What Guichet keeps of an organization's Stripe account (issue 17): its sealed keys and
//! settings, the payments and refunds that went through Stripe with Stripe's identifiers and
//! fees, the webhook events already handled, and the payout batches with their lines.

use crate::{Result, Tenant, Tx, now_micros, on_tx};
use guichet_domain::{OrderId, PaymentId, UserId};
use uuid::Uuid;

/// The account's settings as stored: the keys still sealed.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Account {
    pub secret_key_sealed: String,
    pub secret_key_hint: String,
    pub webhook_secret_sealed: String,
    pub webhook_secret_hint: String,
    pub statement_descriptor: String,
    pub fee_basis_points: i64,
    pub ideal_enabled: bool,
    pub revenue_account: String,
    pub fees_account: String,
    pub bank_account: String,
    pub stripe_account_name: Option<String>,
    pub tested_at: Option<i64>,
    pub updated_at: i64,
}

pub async fn account(tx: &mut Tx, tenant: Tenant) -> Result<Option<Account>> {
    Ok(on_tx!(tx, c => sqlx::query_as(
        "SELECT secret_key_sealed, secret_key_hint, webhook_secret_sealed, webhook_secret_hint,
         statement_descriptor, fee_basis_points, ideal_enabled, revenue_account, fees_account,
         bank_account, stripe_account_name, tested_at, updated_at
         FROM stripe_accounts WHERE organization_id = $1")
        .bind(tenant.id().0)
        .fetch_optional(c).await?))
}

/// Writes the account's settings, creating it the first time.
pub async fn save_account(
    tx: &mut Tx,
    tenant: Tenant,
    a: &Account,
    by: Option<UserId>,
) -> Result<()> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO stripe_accounts (organization_id, secret_key_sealed, secret_key_hint,
         webhook_secret_sealed, webhook_secret_hint, statement_descriptor, fee_basis_points,
         ideal_enabled, revenue_account, fees_account, bank_account, stripe_account_name,
         tested_at, updated_at, updated_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
         ON CONFLICT (organization_id) DO UPDATE SET secret_key_sealed = excluded.secret_key_sealed,
         secret_key_hint = excluded.secret_key_hint,
         webhook_secret_sealed = excluded.webhook_secret_sealed,
         webhook_secret_hint = excluded.webhook_secret_hint,
         statement_descriptor = excluded.statement_descriptor,
         fee_basis_points = excluded.fee_basis_points, ideal_enabled = excluded.ideal_enabled,
         revenue_account = excluded.revenue_account, fees_account = excluded.fees_account,
         bank_account = excluded.bank_account, stripe_account_name = excluded.stripe_account_name,
         tested_at = excluded.tested_at, updated_at = excluded.updated_at,
         updated_by = excluded.updated_by")
        .bind(tenant.id().0).bind(&a.secret_key_sealed).bind(&a.secret_key_hint)
        .bind(&a.webhook_secret_sealed).bind(&a.webhook_secret_hint).bind(&a.statement_descriptor)
        .bind(a.fee_basis_points).bind(a.ideal_enabled).bind(&a.revenue_account)
        .bind(&a.fees_account).bind(&a.bank_account).bind(&a.stripe_account_name)
        .bind(a.tested_at).bind(now_micros()).bind(by.map(|u| u.0))
        .execute(c).await?.rows_affected());
    Ok(())
}

/// The connection test passed: Stripe's name of the account, and when.
pub async fn set_tested(tx: &mut Tx, tenant: Tenant, name: Option<&str>) -> Result<()> {
    on_tx!(tx, c => sqlx::query(
        "UPDATE stripe_accounts SET tested_at = $2, stripe_account_name = $3 WHERE organization_id = $1")
        .bind(tenant.id().0).bind(now_micros()).bind(name)
        .execute(c).await?.rows_affected());
    Ok(())
}

/// The organizations with a Stripe account: the periodic sync acts in each, as the system.
pub async fn tenants(tx: &mut Tx) -> Result<Vec<Tenant>> {
    let ids: Vec<Uuid> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT organization_id FROM stripe_accounts ORDER BY organization_id")
        .fetch_all(c).await?);
    Ok(ids
        .into_iter()
        .map(|i| Tenant(guichet_domain::OrganizationId(i)))
        .collect())
}

/// A payment or refund that went through Stripe.
#[derive(Debug, Clone)]
pub struct NewStripePayment<'a> {
    pub payment_id: PaymentId,
    pub order_id: OrderId,
    /// `charge` or `refund`.
    pub kind: &'a str,
    pub stripe_object: &'a str,
    pub payment_intent: Option<&'a str>,
    pub checkout_session: Option<&'a str>,
    pub balance_transaction: Option<&'a str>,
    pub amount_cents: i64,
    /// Stripe's fee and net, when its balance transaction was read.
    pub fee: Option<(i64, i64)>,
    pub taken_at: i64,
}

pub async fn record_payment(tx: &mut Tx, tenant: Tenant, p: &NewStripePayment<'_>) -> Result<()> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO stripe_payments (payment_id, organization_id, order_id, kind, stripe_object,
         payment_intent, checkout_session, balance_transaction, amount_cents, fee_cents, net_cents,
         taken_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         ON CONFLICT DO NOTHING")
        .bind(p.payment_id.0).bind(tenant.id().0).bind(p.order_id.0).bind(p.kind)
        .bind(p.stripe_object).bind(p.payment_intent).bind(p.checkout_session)
        .bind(p.balance_transaction).bind(p.amount_cents).bind(p.fee.map(|f| f.0))
        .bind(p.fee.map(|f| f.1)).bind(p.taken_at)
        .execute(c).await?.rows_affected());
    Ok(())
}

/// Stripe's balance transaction of a charge or refund: its fee and net.
pub async fn set_fee(
    tx: &mut Tx,
    tenant: Tenant,
    stripe_object: &str,
    balance_transaction: &str,
    fee_cents: i64,
    net_cents: i64,
) -> Result<()> {
    on_tx!(tx, c => sqlx::query(
        "UPDATE stripe_payments SET balance_transaction = $3, fee_cents = $4, net_cents = $5
         WHERE organization_id = $1 AND stripe_object = $2")
        .bind(tenant.id().0).bind(stripe_object).bind(balance_transaction).bind(fee_cents)
        .bind(net_cents)
        .execute(c).await?.rows_affected());
    Ok(())
}

/// The charges and refunds whose fee is not known yet (the sync reads them).
pub async fn without_fee(tx: &mut Tx, tenant: Tenant, limit: i64) -> Result<Vec<String>> {
    Ok(on_tx!(tx, c => sqlx::query_scalar(
        "SELECT stripe_object FROM stripe_payments WHERE organization_id = $1 AND fee_cents IS NULL
         ORDER BY taken_at LIMIT $2")
        .bind(tenant.id().0).bind(limit)
        .fetch_all(c).await?))
}

/// Whether this charge or refund is already recorded.
pub async fn has_object(tx: &mut Tx, tenant: Tenant, stripe_object: &str) -> Result<bool> {
    let n: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM stripe_payments WHERE organization_id = $1 AND stripe_object = $2")
        .bind(tenant.id().0).bind(stripe_object)
        .fetch_one(c).await?);
    Ok(n > 0)
}

/// An order's charges through Stripe, oldest first: (payment intent, amount charged, amount
/// already refunded or being refunded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Charged {
    pub payment_intent: String,
    pub amount_cents: i64,
    pub refunded_cents: i64,
}

pub async fn charges_of_order(tx: &mut Tx, tenant: Tenant, order: OrderId) -> Result<Vec<Charged>> {
    let rows: Vec<(String, i64, i64)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT p.payment_intent, p.amount_cents,
         CAST(COALESCE((SELECT SUM(r.amount_cents) FROM stripe_refunds r
                   WHERE r.organization_id = p.organization_id AND r.payment_intent = p.payment_intent
                   AND r.status IN ('pending', 'succeeded')), 0) AS BIGINT)
         FROM stripe_payments p
         WHERE p.organization_id = $1 AND p.order_id = $2 AND p.kind = 'charge'
         AND p.payment_intent IS NOT NULL ORDER BY p.taken_at, p.payment_id")
        .bind(tenant.id().0).bind(order.0)
        .fetch_all(c).await?);
    Ok(rows
        .into_iter()
        .map(|(payment_intent, amount_cents, refunded_cents)| Charged {
            payment_intent,
            amount_cents,
            refunded_cents,
        })
        .collect())
}

/// A refund asked of Stripe.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Refund {
    pub id: Uuid,
    /// `None` for a payment refunded because its places were gone (see `cart`).
    pub order_id: Option<Uuid>,
    pub cart: Option<String>,
    pub refund: Option<String>,
    pub payment_intent: String,
    pub amount_cents: i64,
    pub status: String,
    pub failure_reason: Option<String>,
    pub payment_id: Option<Uuid>,
    pub requested_at: i64,
    pub updated_at: i64,
}

/// A refund's columns, then the rest of the statement (one static string, as sqlx wants).
macro_rules! refund_select {
    ($rest:literal) => {
        concat!(
            "SELECT id, order_id, cart, refund, payment_intent, amount_cents, status,
             failure_reason, payment_id, requested_at, updated_at FROM stripe_refunds ",
            $rest
        )
    };
}

/// What a refund gives money back for.
#[derive(Debug, Clone, Copy)]
pub enum RefundOf<'a> {
    Order(OrderId),
    /// A payment that made no order (its places were gone).
    Cart(&'a str),
}

/// Records a refund about to be asked of Stripe (`pending`, no Stripe id yet), so that what
/// is being refunded counts before Stripe answers.
/// Refunding a payment whose cart could not be booked has no order but the `cart`.
pub async fn new_refund(
    tx: &mut Tx,
    tenant: Tenant,
    of: RefundOf<'_>,
    payment_intent: &str,
    amount_cents: i64,
    by: Option<UserId>,
) -> Result<Uuid> {
    let id = Uuid::now_v7();
    let now = now_micros();
    let (order, cart) = match of {
        RefundOf::Order(o) => (Some(o.0), None),
        RefundOf::Cart(c) => (None, Some(c)),
    };
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO stripe_refunds (id, organization_id, order_id, cart, payment_intent, amount_cents,
         status, requested_at, requested_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $8, $7)")
        .bind(id).bind(tenant.id().0).bind(order).bind(cart).bind(payment_intent).bind(amount_cents)
        .bind(now).bind(by.map(|u| u.0))
        .execute(c).await?.rows_affected());
    Ok(id)
}

/// Stripe answered the refund request: its id and status (`failed` with a reason).
pub async fn set_refund(
    tx: &mut Tx,
    tenant: Tenant,
    id: Uuid,
    refund: Option<&str>,
    status: &str,
    failure_reason: Option<&str>,
) -> Result<()> {
    on_tx!(tx, c => sqlx::query(
        "UPDATE stripe_refunds SET refund = COALESCE($3, refund), status = $4, failure_reason = $5,
         updated_at = $6 WHERE organization_id = $1 AND id = $2")
        .bind(tenant.id().0).bind(id).bind(refund).bind(status).bind(failure_reason)
        .bind(now_micros())
        .execute(c).await?.rows_affected());
    Ok(())
}

/// Claims a refund Stripe says succeeded, once: `true` for the one caller that moves it to
/// `succeeded` (and records its negative payment), `false` when it already was. Concurrent
/// deliveries of one event wait on the row and then find it claimed.
pub async fn claim_succeeded(tx: &mut Tx, tenant: Tenant, id: Uuid, refund: &str) -> Result<bool> {
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE stripe_refunds SET status = 'succeeded', refund = $3, failure_reason = NULL,
         updated_at = $4 WHERE organization_id = $1 AND id = $2 AND status <> 'succeeded'")
        .bind(tenant.id().0).bind(id).bind(refund).bind(now_micros())
        .execute(c).await?.rows_affected());
    Ok(n > 0)
}

/// The negative payment a succeeded refund was recorded as.
pub async fn refund_paid(tx: &mut Tx, tenant: Tenant, id: Uuid, payment: PaymentId) -> Result<()> {
    on_tx!(tx, c => sqlx::query(
        "UPDATE stripe_refunds SET payment_id = $3 WHERE organization_id = $1 AND id = $2")
        .bind(tenant.id().0).bind(id).bind(payment.0)
        .execute(c).await?.rows_affected());
    Ok(())
}

pub async fn refund_by_id(tx: &mut Tx, tenant: Tenant, id: Uuid) -> Result<Option<Refund>> {
    Ok(
        on_tx!(tx, c => sqlx::query_as(refund_select!("WHERE organization_id = $1 AND id = $2"))
        .bind(tenant.id().0).bind(id)
        .fetch_optional(c).await?),
    )
}

/// The charge of an order paid through this payment intent: (order, payment method).
pub async fn charge_of_intent(
    tx: &mut Tx,
    tenant: Tenant,
    payment_intent: &str,
) -> Result<Option<(OrderId, String)>> {
    let row: Option<(Uuid, String)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT s.order_id, p.method FROM stripe_payments s JOIN payments p ON p.id = s.payment_id
         WHERE s.organization_id = $1 AND s.payment_intent = $2 AND s.kind = 'charge'
         ORDER BY s.taken_at LIMIT 1")
        .bind(tenant.id().0).bind(payment_intent)
        .fetch_optional(c).await?);
    Ok(row.map(|(o, m)| (OrderId(o), m)))
}

pub async fn refund_by_stripe_id(
    tx: &mut Tx,
    tenant: Tenant,
    refund: &str,
) -> Result<Option<Refund>> {
    Ok(
        on_tx!(tx, c => sqlx::query_as(refund_select!("WHERE organization_id = $1 AND refund = $2"))
        .bind(tenant.id().0).bind(refund)
        .fetch_optional(c).await?),
    )
}

pub async fn refunds_of_order(tx: &mut Tx, tenant: Tenant, order: OrderId) -> Result<Vec<Refund>> {
    Ok(
        on_tx!(tx, c => sqlx::query_as(refund_select!("WHERE organization_id = $1 AND order_id = $2
         ORDER BY requested_at"))
        .bind(tenant.id().0).bind(order.0)
        .fetch_all(c).await?),
    )
}

/// Refunds in a state: `pending` ones for the sync, `failed` ones for the dashboard.
pub async fn refunds_in(
    tx: &mut Tx,
    tenant: Tenant,
    status: &str,
    limit: i64,
) -> Result<Vec<Refund>> {
    Ok(
        on_tx!(tx, c => sqlx::query_as(refund_select!("WHERE organization_id = $1 AND status = $2
         ORDER BY requested_at LIMIT $3"))
        .bind(tenant.id().0).bind(status).bind(limit)
        .fetch_all(c).await?),
    )
}

/// Marks a webhook event handled; `false` when it already was (a delivery again).
pub async fn mark_event(tx: &mut Tx, tenant: Tenant, event: &str, kind: &str) -> Result<bool> {
    let n = on_tx!(tx, c => sqlx::query(
        "INSERT INTO stripe_events (organization_id, event_id, event_type, received_at)
         VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING")
        .bind(tenant.id().0).bind(event).bind(kind).bind(now_micros())
        .execute(c).await?.rows_affected());
    Ok(n > 0)
}

pub async fn event_seen(tx: &mut Tx, tenant: Tenant, event: &str) -> Result<bool> {
    let n: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM stripe_events WHERE organization_id = $1 AND event_id = $2")
        .bind(tenant.id().0).bind(event)
        .fetch_one(c).await?);
    Ok(n > 0)
}

/// A payout batch as Stripe reports it.
#[derive(Debug, Clone)]
pub struct NewPayout<'a> {
    pub payout: &'a str,
    pub created_at: i64,
    pub arrival_date: Option<&'a str>,
    pub amount_cents: i64,
    pub status: &'a str,
}

/// A balance transaction a payout carries.
#[derive(Debug, Clone)]
pub struct PayoutLine {
    pub balance_transaction: String,
    pub source: Option<String>,
    pub kind: String,
    pub amount_cents: i64,
    pub fee_cents: i64,
    pub net_cents: i64,
}

/// Writes a payout and, when given, replaces its lines (and notes the payout on the
/// payments it carries).
pub async fn save_payout(
    tx: &mut Tx,
    tenant: Tenant,
    p: &NewPayout<'_>,
    lines: Option<&[PayoutLine]>,
) -> Result<()> {
    let org = tenant.id().0;
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO stripe_payouts (organization_id, payout, created_at, arrival_date, amount_cents,
         status, synced_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (organization_id, payout) DO UPDATE SET created_at = excluded.created_at,
         arrival_date = excluded.arrival_date, amount_cents = excluded.amount_cents,
         status = excluded.status, synced_at = excluded.synced_at")
        .bind(org).bind(p.payout).bind(p.created_at).bind(p.arrival_date).bind(p.amount_cents)
        .bind(p.status).bind(now_micros())
        .execute(c).await?.rows_affected());
    let Some(lines) = lines else {
        return Ok(());
    };
    on_tx!(tx, c => sqlx::query(
        "DELETE FROM stripe_payout_lines WHERE organization_id = $1 AND payout = $2")
        .bind(org).bind(p.payout)
        .execute(c).await?.rows_affected());
    for l in lines {
        on_tx!(tx, c => sqlx::query(
            "INSERT INTO stripe_payout_lines (organization_id, payout, balance_transaction, source,
             kind, amount_cents, fee_cents, net_cents) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT DO NOTHING")
            .bind(org).bind(p.payout).bind(&l.balance_transaction).bind(&l.source).bind(&l.kind)
            .bind(l.amount_cents).bind(l.fee_cents).bind(l.net_cents)
            .execute(c).await?.rows_affected());
        if let Some(source) = &l.source {
            // The payout's figures are Stripe's own: they also give a payment its fee when
            // the webhook could not.
            on_tx!(tx, c => sqlx::query(
                "UPDATE stripe_payments SET payout = $3, balance_transaction = $4,
                 fee_cents = COALESCE(fee_cents, $5), net_cents = COALESCE(net_cents, $6)
                 WHERE organization_id = $1 AND stripe_object = $2")
                .bind(org).bind(source).bind(p.payout).bind(&l.balance_transaction)
                .bind(l.fee_cents).bind(l.net_cents)
                .execute(c).await?.rows_affected());
        }
    }
    Ok(())
}

/// A payout with the sums of its lines.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Payout {
    pub payout: String,
    pub created_at: i64,
    pub arrival_date: Option<String>,
    pub amount_cents: i64,
    pub status: String,
    pub gross_cents: i64,
    pub fee_cents: i64,
    pub lines: i64,
}

/// Payouts created in `[from, to)` (microseconds), newest first.
pub async fn payouts(tx: &mut Tx, tenant: Tenant, from: i64, to: i64) -> Result<Vec<Payout>> {
    Ok(on_tx!(tx, c => sqlx::query_as(
        "SELECT p.payout, p.created_at, p.arrival_date, p.amount_cents, p.status,
         CAST(COALESCE(SUM(l.amount_cents), 0) AS BIGINT) AS gross_cents,
         CAST(COALESCE(SUM(l.fee_cents), 0) AS BIGINT) AS fee_cents,
         COUNT(l.balance_transaction) AS lines
         FROM stripe_payouts p LEFT JOIN stripe_payout_lines l
           ON l.organization_id = p.organization_id AND l.payout = p.payout AND l.kind <> 'payout'
         WHERE p.organization_id = $1 AND p.created_at >= $2 AND p.created_at < $3
         GROUP BY p.payout, p.created_at, p.arrival_date, p.amount_cents, p.status
         ORDER BY p.created_at DESC, p.payout")
        .bind(tenant.id().0).bind(from).bind(to)
        .fetch_all(c).await?))
}

/// A line of a payout with the order it pays, when Guichet knows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PayoutPayment {
    pub balance_transaction: String,
    pub source: Option<String>,
    pub kind: String,
    pub amount_cents: i64,
    pub fee_cents: i64,
    pub net_cents: i64,
    pub order_id: Option<Uuid>,
    pub order_number: Option<String>,
}

pub async fn payout_lines(tx: &mut Tx, tenant: Tenant, payout: &str) -> Result<Vec<PayoutPayment>> {
    Ok(on_tx!(tx, c => sqlx::query_as(
        "SELECT l.balance_transaction, l.source, l.kind, l.amount_cents, l.fee_cents, l.net_cents,
         o.id AS order_id, o.number AS order_number
         FROM stripe_payout_lines l
         LEFT JOIN stripe_payments s ON s.organization_id = l.organization_id AND s.stripe_object = l.source
         LEFT JOIN orders o ON o.organization_id = s.organization_id AND o.id = s.order_id
         WHERE l.organization_id = $1 AND l.payout = $2 AND l.kind <> 'payout'
         ORDER BY l.balance_transaction")
        .bind(tenant.id().0).bind(payout)
        .fetch_all(c).await?))
}

/// A payment or refund through Stripe, for the fees list.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FeeRow {
    pub payment_id: Uuid,
    pub order_id: Uuid,
    pub order_number: Option<String>,
    pub kind: String,
    pub stripe_object: String,
    pub method: String,
    pub amount_cents: i64,
    pub fee_cents: Option<i64>,
    pub net_cents: Option<i64>,
    pub payout: Option<String>,
    pub taken_at: i64,
}

/// Payments and refunds through Stripe taken in `[from, to)`, oldest first, from `after` on
/// (keyset: `(taken_at, payment_id)`), at most `limit`.
pub async fn fee_rows(
    tx: &mut Tx,
    tenant: Tenant,
    from: i64,
    to: i64,
    after: Option<(i64, Uuid)>,
    limit: i64,
) -> Result<Vec<FeeRow>> {
    let (after_t, after_id) = after.unwrap_or((i64::MIN, Uuid::nil()));
    Ok(on_tx!(tx, c => sqlx::query_as(
        "SELECT s.payment_id, s.order_id, o.number AS order_number, s.kind, s.stripe_object,
         p.method, s.amount_cents, s.fee_cents, s.net_cents, s.payout, s.taken_at
         FROM stripe_payments s
         JOIN orders o ON o.organization_id = s.organization_id AND o.id = s.order_id
         JOIN payments p ON p.id = s.payment_id
         WHERE s.organization_id = $1 AND s.taken_at >= $2 AND s.taken_at < $3
         AND (s.taken_at > $4 OR (s.taken_at = $4 AND s.payment_id > $5))
         ORDER BY s.taken_at, s.payment_id LIMIT $6")
        .bind(tenant.id().0).bind(from).bind(to).bind(after_t).bind(after_id).bind(limit)
        .fetch_all(c).await?))
}

/// Stripe's fee and net per payment of an order (for the order's page and the payments
/// list): (payment id, fee, net).
pub async fn fees_of_order(
    tx: &mut Tx,
    tenant: Tenant,
    order: OrderId,
) -> Result<Vec<(Uuid, Option<i64>, Option<i64>)>> {
    Ok(on_tx!(tx, c => sqlx::query_as(
        "SELECT payment_id, fee_cents, net_cents FROM stripe_payments
         WHERE organization_id = $1 AND order_id = $2")
        .bind(tenant.id().0).bind(order.0)
        .fetch_all(c).await?))
}

/// Charges taken before `before` that no payout carries yet, oldest first.
pub async fn not_paid_out(
    tx: &mut Tx,
    tenant: Tenant,
    before: i64,
    limit: i64,
) -> Result<Vec<FeeRow>> {
    Ok(on_tx!(tx, c => sqlx::query_as(
        "SELECT s.payment_id, s.order_id, o.number AS order_number, s.kind, s.stripe_object,
         p.method, s.amount_cents, s.fee_cents, s.net_cents, s.payout, s.taken_at
         FROM stripe_payments s
         JOIN orders o ON o.organization_id = s.organization_id AND o.id = s.order_id
         JOIN payments p ON p.id = s.payment_id
         WHERE s.organization_id = $1 AND s.kind = 'charge' AND s.taken_at < $2
         AND NOT EXISTS (SELECT 1 FROM stripe_payout_lines l
                         WHERE l.organization_id = s.organization_id AND l.source = s.stripe_object)
         ORDER BY s.taken_at, s.payment_id LIMIT $3")
        .bind(tenant.id().0).bind(before).bind(limit)
        .fetch_all(c).await?))
}

/// Every refund asked of Stripe, newest first (the Stripe page), at most `limit`.
pub async fn refunds(
    tx: &mut Tx,
    tenant: Tenant,
    limit: i64,
) -> Result<Vec<(Refund, Option<String>)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        refund: Refund,
        order_number: Option<String>,
    }
    let rows: Vec<Row> = on_tx!(tx, c => sqlx::query_as(
        "SELECT r.id, r.order_id, r.cart, r.refund, r.payment_intent, r.amount_cents, r.status,
         r.failure_reason, r.payment_id, r.requested_at, r.updated_at, o.number AS order_number
         FROM stripe_refunds r LEFT JOIN orders o ON o.organization_id = r.organization_id AND o.id = r.order_id
         WHERE r.organization_id = $1 ORDER BY r.requested_at DESC LIMIT $2")
        .bind(tenant.id().0).bind(limit)
        .fetch_all(c).await?);
    Ok(rows
        .into_iter()
        .map(|r| (r.refund, r.order_number))
        .collect())
}

/// The Checkout Session the cart `cart_id` was handed to.
pub async fn checkout_of_cart(
    tx: &mut Tx,
    tenant: Tenant,
    cart_id: Uuid,
) -> Result<Option<String>> {
    let s: Option<Option<String>> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT checkout_session FROM online_carts WHERE organization_id = $1 AND id = $2")
        .bind(tenant.id().0).bind(cart_id)
        .fetch_optional(c).await?);
    Ok(s.flatten())
}

/// Whether a refund of this payment intent was already asked.
pub async fn refund_asked(tx: &mut Tx, tenant: Tenant, payment_intent: &str) -> Result<bool> {
    let n: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM stripe_refunds WHERE organization_id = $1 AND payment_intent = $2")
        .bind(tenant.id().0).bind(payment_intent)
        .fetch_one(c).await?);
    Ok(n > 0)
}

/// The payment intent of a recorded charge or refund.
pub async fn payment_intent_of(
    tx: &mut Tx,
    tenant: Tenant,
    stripe_object: &str,
) -> Result<Option<String>> {
    let pi: Option<Option<String>> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT payment_intent FROM stripe_payments WHERE organization_id = $1 AND stripe_object = $2")
        .bind(tenant.id().0).bind(stripe_object)
        .fetch_optional(c).await?);
    Ok(pi.flatten())
}

/// A payment or refund through Stripe with its order's visit (its first session), for the
/// accounting lines: revenue is recognized on the day of the visit.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RevenueRow {
    pub order_number: Option<String>,
    pub amount_cents: i64,
    pub taken_at: i64,
    /// The first session's start; `None` for an order without a session (then the
    /// payment's day counts).
    pub visit_at: Option<i64>,
}

/// Payments and refunds through Stripe whose visit (or, without one, whose payment) falls in
/// `[from, to)`, in order of that day.
pub async fn revenue_rows(
    tx: &mut Tx,
    tenant: Tenant,
    from: i64,
    to: i64,
) -> Result<Vec<RevenueRow>> {
    Ok(on_tx!(tx, c => sqlx::query_as(
        "SELECT order_number, amount_cents, taken_at, visit_at FROM (
           SELECT o.number AS order_number, s.amount_cents, s.taken_at,
           (SELECT MIN(l.session_start) FROM order_lines l
            WHERE l.organization_id = s.organization_id AND l.order_id = s.order_id
            AND l.session_start IS NOT NULL) AS visit_at
           FROM stripe_payments s JOIN orders o ON o.organization_id = s.organization_id AND o.id = s.order_id
           WHERE s.organization_id = $1) r
         WHERE COALESCE(visit_at, taken_at) >= $2 AND COALESCE(visit_at, taken_at) < $3
         ORDER BY COALESCE(visit_at, taken_at), order_number")
        .bind(tenant.id().0).bind(from).bind(to)
        .fetch_all(c).await?))
}
