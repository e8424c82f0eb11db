//! Cancelling an order: places and stock back, the cancellation journaled, an optional refund.

use super::pay::pay;
use super::read::get;
use super::stock::{give_back, limits};
use super::{NewPayment, Order, journal_chain};
use crate::journal::{
    self,
    records::{self, LineFacts},
};
use crate::register_sessions;
use crate::{Result, StoreError, Tenant, Tx, now_micros, on_tx};
use guichet_domain::order::OrderState;
use guichet_domain::{OrderId, PromoCodeId, RegisterId, UserId};
use uuid::Uuid;

/// Cancels an order: the reason goes into the internal comment, places and stock come back,
/// the cancellation is journaled and the refunds, if any, are recorded as negative payments,
/// each on its register (`None`: the order's), in the session open there or its next one.
pub async fn cancel(
    tx: &mut Tx,
    tenant: Tenant,
    id: OrderId,
    reason: &str,
    refunds: &[(Option<RegisterId>, NewPayment)],
    by: Option<UserId>,
) -> Result<Order> {
    cancel_at(tx, tenant, id, reason, refunds, by, None).await
}

/// [`cancel`] at `at` (microseconds) rather than now: the instant of an application clock
/// that replays history (`guichet_app::Clock`, the demo's past month); the refunds carry
/// their own `at`.
pub async fn cancel_at(
    tx: &mut Tx,
    tenant: Tenant,
    id: OrderId,
    reason: &str,
    refunds: &[(Option<RegisterId>, NewPayment)],
    by: Option<UserId>,
    at: Option<i64>,
) -> Result<Order> {
    let order = get(tx, tenant, id).await?;
    if order.state == OrderState::Cancelled {
        return Err(StoreError::Refused("already_cancelled"));
    }
    let now = at.unwrap_or_else(now_micros);
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
    let lines: Vec<LineFacts> = order.lines.iter().map(LineFacts::from).collect();
    let entry = journal::Entry {
        kind: "cancellation",
        order_id: Some(id.0),
        payment_id: None,
        sales_delta_cents: -order.total_cents,
        payments_delta_cents: 0,
        record: records::cancellation(&number, now, (order.total_cents, order.vat_cents), &lines),
    };
    journal::append_all(tx, tenant, &journal_chain(order.register_id), vec![entry]).await?;
    if refunds.is_empty() {
        return get(tx, tenant, id).await;
    }
    let mut order = get(tx, tenant, id).await?;
    for (register, refund) in refunds {
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
            std::slice::from_ref(refund),
            by,
        )
        .await?;
    }
    get(tx, tenant, id).await
}

/// Records what was paid online for an order its visitor cancelled, to be refunded through
/// the payment provider (the money goes back there, not at a register).
pub async fn set_refund_due(tx: &mut Tx, tenant: Tenant, id: OrderId, cents: i64) -> Result<()> {
    on_tx!(tx, c => sqlx::query(
        "UPDATE orders SET refund_due_cents = $3 WHERE organization_id = $1 AND id = $2")
        .bind(tenant.id().0).bind(id.0).bind(cents)
        .execute(c).await?.rows_affected());
    Ok(())
}
