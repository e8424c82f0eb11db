//! A stored quote confirmed: numbered, its places and stock taken, journaled and paid.

use super::pay::pay;
use super::read::get;
use super::sell::order_entry;
use super::stock::{limits, take_all};
use super::{NewPayment, Order, journal_chain, session_for_sale};
use crate::journal;
use crate::{Result, StoreError, Tenant, Tx, now_micros, on_tx};
use guichet_domain::order::OrderState;
use guichet_domain::{OrderId, PromoCodeId, RegisterId, RegisterSessionId, UserId};
use uuid::Uuid;

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
    finalize_quote(tx, tenant, &mut order, (register, session), day, by).await?;
    pay(tx, tenant, &mut order, (register, session), payments, by).await?;
    if let Some(customer) = order.customer_id {
        crate::accounts::check_limit(tx, tenant, customer).await?;
    }
    get(tx, tenant, id).await
}

/// Numbers a stored quote, takes its places and stock and journals it. With nothing to pay
/// it is confirmed at once, as the same cart sold directly would be.
async fn finalize_quote(
    tx: &mut Tx,
    tenant: Tenant,
    order: &mut Order,
    (register, session): (Option<RegisterId>, Option<RegisterSessionId>),
    day: jiff::civil::Date,
    by: Option<UserId>,
) -> Result<()> {
    let id = order.id;
    let number = crate::counters::order_number(tx, tenant, day).await?;
    // The time once the number is taken: a later number never carries an earlier time.
    let now = now_micros();
    let state = OrderState::after_payment(order.total_cents, order.collected_cents);
    let code: Option<Uuid> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT promo_code_id FROM orders WHERE organization_id = $1 AND id = $2")
        .bind(tenant.id().0).bind(id.0).fetch_one(c).await?);
    if let Some(code) = code {
        // Counted once per order, in its transaction: a used-up code refuses the sale.
        crate::promotions::redeem(tx, tenant, PromoCodeId(code)).await?;
    }
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE orders SET number = $3, state = $4, finalized_at = $5, register_id = COALESCE($6, register_id),
         session_id = $7 WHERE organization_id = $1 AND id = $2 AND number IS NULL")
        .bind(tenant.id().0)
        .bind(id.0)
        .bind(&number)
        .bind(state.as_str())
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
    crate::reservations::use_deposits(tx, tenant, id, &[], true).await?;
    order.number = Some(number.clone());
    order.state = state;
    // Sold where it is confirmed: its journal chain is the register whose session counts it.
    order.register_id = register.or(order.register_id);
    let entry = order_entry(
        id,
        &number,
        order.register_id,
        now,
        order.total_cents,
        order.vat_cents,
        &order.lines,
    );
    journal::append_all(tx, tenant, &journal_chain(order.register_id), vec![entry]).await?;
    Ok(())
}
