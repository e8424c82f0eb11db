//! Refunds through Stripe: asked by staff (in part, or by cancelling) or by the visitor's
//! cancellation, recorded as a negative payment once Stripe says they succeeded, shown as
//! failed when Stripe refuses them.

use super::*;

/// Staff cancel an order ([`crate::orders::cancel`]); what it was paid online through
/// Stripe goes back there: `online_refund` of it, all when not given. The cancellation stands
/// whatever Stripe answers: a refund it refuses (or cannot be reached for) shows as failed
/// on the order and the dashboard, to ask again.
pub async fn cancel(
    state: &App,
    actor: &Actor,
    id: OrderId,
    input: &crate::orders::CancelInput,
) -> Result<guichet_store::orders::Order, AppError> {
    let (plan, online_refund) = plan_cancel(state, actor, id, input).await?;
    let cancelled = crate::orders::cancel_planned(state, actor, &plan).await?;
    if online_refund == 0 {
        return Ok(cancelled);
    }
    if let Err(e) = refund_order(state, actor.tenant, id, online_refund, actor.user_id()).await {
        tracing::warn!(order = %id.0, error = %e, "Stripe refund of a cancelled order failed");
    }
    crate::orders::get(state, actor, id).await
}

/// What [`cancel`] would do, checked and not done: the cancellation with its refunds at the
/// register ([`crate::orders::plan_cancel`]) and the amount to refund through Stripe.
pub async fn plan_cancel(
    state: &App,
    actor: &Actor,
    id: OrderId,
    input: &crate::orders::CancelInput,
) -> Result<(crate::orders::CancelPlan, i64), AppError> {
    actor.require(Permission::CancelOrder)?;
    let online = refundable_of(state, actor.tenant, id).await?;
    let online_refund = match input.online_refund.as_deref().map(str::trim) {
        _ if online == 0 => 0,
        None => online,
        Some("") => 0,
        Some(a) => match guichet_domain::shop::parse_price_cents(a) {
            Ok(c) if c > online => return Err(AppError::field("online_refund", "more_than_paid")),
            Ok(c) => c.max(0),
            Err(_) => return Err(AppError::field("online_refund", "invalid_amount")),
        },
    };
    let plan = crate::orders::plan_cancel(state, actor, id, input).await?;
    Ok((plan, online_refund))
}

/// The visitor cancels their booking from its page ([`booking::cancel_by_visitor`]); what
/// they paid online goes back through Stripe at once. Should Stripe not answer now, the
/// refund due stays on the order for staff to ask again.
pub async fn cancel_by_visitor(
    state: &App,
    org_slug: &str,
    order: &str,
    token: &str,
) -> Result<guichet_store::orders::Order, AppError> {
    let (tenant, cancelled) = booking::cancel_by_visitor(state, org_slug, order, token).await?;
    let due = cancelled.online.as_ref().map_or(0, |o| o.refund_due_cents);
    let id = cancelled.id;
    let left = refundable_of(state, tenant, id).await?;
    if due == 0 || left == 0 {
        return Ok(cancelled);
    }
    if let Err(e) = refund_order(state, tenant, id, left.min(due), None).await {
        tracing::warn!(order = %id.0, error = %e, "Stripe refund of a cancelled booking not asked");
    }
    Ok(state
        .store
        .read(|tx| Box::pin(async move { guichet_store::orders::get(tx, tenant, id).await }))
        .await?)
}

/// Asks Stripe for a refund recorded as `row`, and notes Stripe's answer. A refund Stripe
/// refuses is `failed` with its reason (shown on the order and the dashboard).
pub(super) async fn ask_refund(
    state: &App,
    tenant: Tenant,
    c: &Connected,
    row: Uuid,
    payment_intent: &str,
    amount: i64,
) -> Result<(), AppError> {
    let row_s = row.to_string();
    let answer = c
        .stripe
        .create_refund(
            payment_intent,
            amount,
            &[("guichet_refund", &row_s)],
            &format!("guichet-refund-{row_s}"),
        )
        .await;
    match answer {
        Ok(r) => settle_refund(state, tenant, &r).await,
        Err(
            e @ (StripeError::Refused { .. } | StripeError::Network(_) | StripeError::Unauthorized),
        ) => {
            let reason = match &e {
                StripeError::Refused { code, message, .. } if code.is_empty() => message.clone(),
                StripeError::Refused { code, .. } => code.clone(),
                StripeError::Network(_) => "stripe_unreachable".to_owned(),
                StripeError::Unauthorized => "stripe_key_refused".to_owned(),
            };
            state
                .store
                .write(|tx| {
                    let reason = reason.clone();
                    Box::pin(async move {
                        db::set_refund(tx, tenant, row, None, "failed", Some(&reason)).await
                    })
                })
                .await?;
            Err(AppError::Conflict("stripe_refund_refused"))
        }
    }
}

/// Records what Stripe says of a refund: succeeded → its negative payment on the order
/// (once, whatever the number of deliveries); failed or canceled → shown as failed.
pub(super) async fn settle_refund(
    state: &App,
    tenant: Tenant,
    r: &api::Refund,
) -> Result<(), AppError> {
    let row_id = r
        .metadata
        .get("guichet_refund")
        .and_then(|s| s.parse::<Uuid>().ok());
    let rid = r.id.clone();
    let row = state
        .store
        .read(|tx| {
            let rid = rid.clone();
            Box::pin(async move {
                match row_id {
                    Some(id) => db::refund_by_id(tx, tenant, id).await,
                    None => db::refund_by_stripe_id(tx, tenant, &rid).await,
                }
            })
        })
        .await?;
    let row = match row {
        Some(row) => row,
        // Refunded from Stripe's dashboard: recorded on the order the payment paid.
        None => match adopt_refund(state, tenant, r).await? {
            Some(row) => row,
            None => return Ok(()),
        },
    };
    match r.status.as_str() {
        "succeeded" => record_refund(state, tenant, &row, r).await,
        "failed" | "canceled" => {
            let (id, rid, reason) = (
                row.id,
                r.id.clone(),
                r.failure_reason.clone().unwrap_or_else(|| r.status.clone()),
            );
            state
                .store
                .write(|tx| {
                    let (rid, reason) = (rid.clone(), reason.clone());
                    Box::pin(async move {
                        db::set_refund(tx, tenant, id, Some(&rid), "failed", Some(&reason)).await
                    })
                })
                .await?;
            Ok(())
        }
        _ => {
            let (id, rid) = (row.id, r.id.clone());
            state
                .store
                .write(|tx| {
                    let rid = rid.clone();
                    Box::pin(async move {
                        db::set_refund(tx, tenant, id, Some(&rid), "pending", None).await
                    })
                })
                .await?;
            Ok(())
        }
    }
}

/// A refund made at Stripe itself, of a payment Guichet recorded: a row for it.
pub(super) async fn adopt_refund(
    state: &App,
    tenant: Tenant,
    r: &api::Refund,
) -> Result<Option<db::Refund>, AppError> {
    let Some(pi) = r.payment_intent.clone() else {
        return Ok(None);
    };
    let (rid, amount) = (r.id.clone(), r.amount);
    Ok(state
        .store
        .write(|tx| {
            let (pi, rid) = (pi.clone(), rid.clone());
            Box::pin(async move {
                if let Some(row) = db::refund_by_stripe_id(tx, tenant, &rid).await? {
                    return Ok(Some(row));
                }
                let Some((order, _)) = db::charge_of_intent(tx, tenant, &pi).await? else {
                    return Ok(None);
                };
                let id =
                    db::new_refund(tx, tenant, RefundOf::Order(order), &pi, amount, None).await?;
                db::set_refund(tx, tenant, id, Some(&rid), "pending", None).await?;
                db::refund_by_id(tx, tenant, id).await
            })
        })
        .await?)
}

/// The refund's negative payment, in one transaction with its claim.
pub(super) async fn record_refund(
    state: &App,
    tenant: Tenant,
    row: &db::Refund,
    r: &api::Refund,
) -> Result<(), AppError> {
    let (id, rid, pi, amount) = (row.id, r.id.clone(), row.payment_intent.clone(), r.amount);
    let order = row.order_id.map(OrderId);
    let bt = r
        .balance_transaction
        .as_ref()
        .and_then(|b| b.object())
        .map(|b| (b.id.clone(), b.fee, b.net));
    state
        .store
        .write(|tx| {
            let (rid, pi, bt) = (rid.clone(), pi.clone(), bt.clone());
            Box::pin(async move {
                if !db::claim_succeeded(tx, tenant, id, &rid).await? {
                    return Ok(());
                }
                let Some(order) = order else {
                    // A payment that made no order: the money is back, nothing to record
                    // on an order.
                    return Ok(());
                };
                let method = db::charge_of_intent(tx, tenant, &pi)
                    .await?
                    .and_then(|(_, m)| PaymentMethod::parse(&m))
                    .unwrap_or(PaymentMethod::OnlineCard);
                let before = guichet_store::orders::get(tx, tenant, order).await?;
                let after = guichet_store::orders::add_payments(
                    tx,
                    tenant,
                    order,
                    None,
                    &[NewPayment::refund(method, amount)],
                    None,
                )
                .await?;
                let Some(p) = after
                    .payments
                    .iter()
                    .filter(|p| !before.payments.iter().any(|b| b.id == p.id))
                    .max_by_key(|p| p.id.0)
                else {
                    return Err(StoreError::Other("refund payment not recorded".into()));
                };
                db::record_payment(
                    tx,
                    tenant,
                    &NewStripePayment {
                        payment_id: p.id,
                        order_id: order,
                        kind: "refund",
                        stripe_object: &rid,
                        payment_intent: Some(&pi),
                        checkout_session: None,
                        balance_transaction: bt.as_ref().map(|b| b.0.as_str()),
                        amount_cents: -amount,
                        fee: bt.as_ref().map(|b| (b.1, b.2)),
                        taken_at: p.taken_at,
                    },
                )
                .await?;
                db::refund_paid(tx, tenant, id, p.id).await?;
                let due = (after.online.as_ref().map_or(0, |o| o.refund_due_cents) - amount).max(0);
                guichet_store::orders::set_refund_due(tx, tenant, order, due).await
            })
        })
        .await?;
    Ok(())
}

/// Asks Stripe again about every refund still pending.
pub(super) async fn settle_pending_refunds(
    state: &App,
    tenant: Tenant,
    c: &Connected,
) -> Result<(), AppError> {
    let pending = state
        .store
        .read(|tx| Box::pin(async move { db::refunds_in(tx, tenant, "pending", 200).await }))
        .await?;
    for row in pending {
        let Some(rid) = row.refund.as_deref() else {
            continue;
        };
        let r = c.stripe.refund(rid).await.map_err(stripe_error)?;
        settle_refund(state, tenant, &r).await?;
    }
    Ok(())
}

/// What of an order can still be refunded through Stripe.
pub async fn refundable(state: &App, actor: &Actor, order: OrderId) -> Result<i64, AppError> {
    actor.require(Permission::Sell)?;
    refundable_of(state, actor.tenant, order).await
}

pub(super) async fn refundable_of(
    state: &App,
    tenant: Tenant,
    order: OrderId,
) -> Result<i64, AppError> {
    let charges = state
        .store
        .read(|tx| Box::pin(async move { db::charges_of_order(tx, tenant, order).await }))
        .await?;
    Ok(charges
        .iter()
        .map(|c| (c.amount_cents - c.refunded_cents).max(0))
        .sum())
}

/// Refunds `amount_cents` of an order paid online through Stripe, from its latest charges
/// back. The refund is a negative payment once Stripe confirms it.
pub async fn refund(
    state: &App,
    actor: &Actor,
    order: OrderId,
    amount_cents: i64,
) -> Result<(), AppError> {
    actor.require(Permission::CancelOrder)?;
    refund_order(state, actor.tenant, order, amount_cents, actor.user_id()).await
}

/// The same, for the use cases that refund on their own (the visitor's cancellation).
pub(super) async fn refund_order(
    state: &App,
    tenant: Tenant,
    order: OrderId,
    amount_cents: i64,
    by: Option<guichet_domain::UserId>,
) -> Result<(), AppError> {
    if amount_cents <= 0 {
        return Err(AppError::field("amount", "amount_zero"));
    }
    let c = connected(state, tenant).await?;
    // The split is decided and recorded in one transaction, so that two refunds asked at
    // once never give back more than was paid.
    let rows = state
        .store
        .write(|tx| {
            Box::pin(async move {
                let charges = db::charges_of_order(tx, tenant, order).await?;
                let left: i64 = charges
                    .iter()
                    .map(|c| (c.amount_cents - c.refunded_cents).max(0))
                    .sum();
                if amount_cents > left {
                    return Err(StoreError::Invalid("amount".into(), "more_than_paid"));
                }
                let mut rest = amount_cents;
                let mut rows = Vec::new();
                for ch in charges.iter().rev() {
                    let part = rest.min((ch.amount_cents - ch.refunded_cents).max(0));
                    if part > 0 {
                        let id = db::new_refund(
                            tx,
                            tenant,
                            RefundOf::Order(order),
                            &ch.payment_intent,
                            part,
                            by,
                        )
                        .await?;
                        rows.push((id, ch.payment_intent.clone(), part));
                        rest -= part;
                    }
                }
                Ok(rows)
            })
        })
        .await?;
    for (row, pi, part) in rows {
        ask_refund(state, tenant, &c, row, &pi, part).await?;
    }
    Ok(())
}

/// The refunds asked of Stripe, newest first, with their order's number.
pub async fn refunds(
    state: &App,
    actor: &Actor,
) -> Result<Vec<(db::Refund, Option<String>)>, AppError> {
    actor.require(Permission::ViewClosings)?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .read(|tx| Box::pin(async move { db::refunds(tx, tenant, 200).await }))
        .await?)
}

/// An order's refunds through Stripe (its page shows them, failed ones first of all).
pub async fn refunds_of_order(
    state: &App,
    actor: &Actor,
    order: OrderId,
) -> Result<Vec<db::Refund>, AppError> {
    actor.require(Permission::Sell)?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .read(|tx| Box::pin(async move { db::refunds_of_order(tx, tenant, order).await }))
        .await?)
}

/// How many refunds failed (the dashboard's alert).
pub async fn failed_refund_count(state: &App, actor: &Actor) -> Result<usize, AppError> {
    actor.require(Permission::UseBackOffice)?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .read(|tx| Box::pin(async move { db::refunds_in(tx, tenant, "failed", 1000).await }))
        .await?
        .len())
}
