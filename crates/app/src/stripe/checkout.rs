//! A booking handed to a Stripe Checkout Session, and Stripe's webhook: a paid session
//! makes the cart's order (or, its places gone, is refunded), an expired one gives the cart
//! back.

use super::*;

/// How long the visitor has at Stripe's page (Stripe allows 30 minutes to 24 hours after
/// the session's creation: 32, so that a clock a little ahead is not refused); the cart's
/// places stay held as long, and [`HOLD_GRACE_MINUTES`] more for the webhook to arrive.
pub(super) const CHECKOUT_MINUTES: i64 = 32;

pub(super) const HOLD_GRACE_MINUTES: i64 = 5;

/// The payment methods a Checkout Session offers in the visitor's language: card and
/// Bancontact, and iDEAL for Dutch visitors where the organization enabled it.
pub(super) fn methods(lang: Language, ideal: bool) -> Vec<&'static str> {
    let mut m = vec!["card", "bancontact"];
    if ideal && lang == Language::Nl {
        m.push("ideal");
    }
    m
}

/// Hands a cart waiting for its payment to Stripe: a Checkout Session for what is due now,
/// the cart's places held as long as the session lasts. Returns Stripe's page address.
/// Asked again (the visitor reloads), the same session comes back.
pub async fn start_checkout(
    state: &App,
    m: &PublicModule,
    lang: Language,
    cart: &str,
) -> Result<String, AppError> {
    let c = connected(state, m.tenant).await?;
    let due = booking::payment_due(state, m, cart).await?;
    let tenant = m.tenant;
    let now = jiff::Timestamp::now();
    let expires = now.as_second() + CHECKOUT_MINUTES * 60;
    let base = format!(
        "{}/book/{}/{}/cart/{cart}",
        state.config.public_url.trim_end_matches('/'),
        m.organization_slug,
        m.module_slug
    );
    let description = guichet_integrations::i18n::t_args(
        lang,
        "stripe-checkout-description",
        &[("organization", m.organization_name.clone())],
    );
    let visitor_email = cart_email(state, m, cart).await?;
    let org_id = tenant.id().0.to_string();
    let module_id = m.module_id.0.to_string();
    let updated = cart_updated(state, m, cart).await?;
    // One session per hand-over: the same request again (a reload) gets the same session.
    let idempotency = format!("guichet-checkout-{cart}-{updated}-{due}");
    let session = c
        .stripe
        .create_checkout(&api::NewCheckout {
            amount_cents: due,
            description: &description,
            methods: &methods(lang, c.account.ideal_enabled),
            success_url: &format!("{base}/paid"),
            cancel_url: &format!("{base}/pay/cancel"),
            client_reference_id: cart,
            customer_email: visitor_email.as_deref(),
            locale: lang.as_str(),
            expires_at: expires,
            statement_descriptor: &c.account.statement_descriptor,
            metadata: &[
                ("guichet_organization", &org_id),
                ("guichet_module", &module_id),
                ("guichet_cart", cart),
            ],
            idempotency_key: &idempotency,
        })
        .await
        .map_err(stripe_error)?;
    let Some(url) = session.url.clone() else {
        return Err(AppError::Conflict("stripe_refused"));
    };
    let (module, cart_s, id) = (m.module_id, cart.to_owned(), session.id.clone());
    let until = (expires + HOLD_GRACE_MINUTES * 60).saturating_mul(1_000_000);
    state
        .store
        .write(|tx| {
            let (cart_s, id) = (cart_s.clone(), id.clone());
            Box::pin(async move {
                online_carts::set_checkout(tx, tenant, module, &cart_s, &id).await?;
                guichet_store::holds::extend(
                    tx,
                    tenant,
                    &cart_s,
                    guichet_store::now_micros(),
                    until,
                )
                .await
            })
        })
        .await?;
    Ok(url)
}

pub(super) async fn cart_updated(
    state: &App,
    m: &PublicModule,
    cart: &str,
) -> Result<i64, AppError> {
    Ok(read_cart(state, m, cart).await?.updated_at)
}

pub(super) async fn cart_email(
    state: &App,
    m: &PublicModule,
    cart: &str,
) -> Result<Option<String>, AppError> {
    let c = read_cart(state, m, cart).await?;
    Ok(c.visitor_json
        .as_deref()
        .and_then(|j| serde_json::from_str::<guichet_domain::booking_module::VisitorInput>(j).ok())
        .map(|v| v.email.trim().to_owned())
        .filter(|e| !e.is_empty()))
}

/// Where a cart back from Stripe stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReturnState {
    /// Booked: the confirmation page.
    Booked,
    /// Paid or being paid; the webhook has not confirmed it yet.
    Waiting,
    /// Open again (the payment failed or was abandoned): the cart.
    Open,
}

/// What the return page shows for the cart (it asks again every few seconds).
pub async fn return_state(
    state: &App,
    m: &PublicModule,
    cart: &str,
) -> Result<ReturnState, AppError> {
    let c = read_cart(state, m, cart).await?;
    Ok(match (c.order_id, c.state) {
        (Some(_), _) | (_, CartState::Booked) => ReturnState::Booked,
        (None, CartState::Paying) => ReturnState::Waiting,
        (None, CartState::Open) => ReturnState::Open,
    })
}

/// The visitor came back from Stripe without paying: the session is closed at Stripe first
/// (so it cannot be paid any more), then the cart is theirs again. A session Stripe will not
/// close was paid meanwhile: the cart waits for its webhook.
pub async fn cancel_checkout(
    state: &App,
    m: &PublicModule,
    cart: &str,
) -> Result<ReturnState, AppError> {
    let c = read_cart(state, m, cart).await?;
    if c.state != CartState::Paying {
        return return_state(state, m, cart).await;
    }
    if let Some(session) = checkout_of(state, m.tenant, &c).await? {
        let conn = connected(state, m.tenant).await?;
        match conn.stripe.expire_checkout(&session).await {
            Ok(_) => {}
            Err(StripeError::Refused { .. }) => {
                // Already complete or expired: Stripe's own state decides.
                let s = conn.stripe.checkout(&session).await.map_err(stripe_error)?;
                if s.payment_status == "paid" || s.status.as_deref() == Some("complete") {
                    return Ok(ReturnState::Waiting);
                }
            }
            Err(e) => return Err(stripe_error(e)),
        }
    }
    booking::payment_cancelled(state, m, cart).await?;
    Ok(ReturnState::Open)
}

pub(super) async fn checkout_of(
    state: &App,
    tenant: Tenant,
    c: &online_carts::OnlineCart,
) -> Result<Option<String>, AppError> {
    let id = c.id;
    Ok(state
        .store
        .read(|tx| Box::pin(async move { db::checkout_of_cart(tx, tenant, id).await }))
        .await?)
}

/// How a webhook delivery was taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookOutcome {
    Handled,
    /// This event was handled before: nothing done again.
    AlreadyHandled,
    /// Not an event Guichet acts on.
    Ignored,
}

/// A delivery of Stripe's webhook for the organization `org_slug`. A wrong organization, a
/// missing account, a forged, stale or replayed signature are all `Unauthorized` alike (the
/// answer tells nothing). Anything that fails after the signature is an error, so that
/// Stripe delivers the event again.
pub async fn webhook(
    state: &App,
    org_slug: &str,
    signature: &str,
    body: &[u8],
) -> Result<WebhookOutcome, AppError> {
    let slug = org_slug.to_owned();
    let tenant = state
        .store
        .read(|tx| {
            let slug = slug.clone();
            Box::pin(async move { guichet_store::organizations::tenant_by_slug(tx, &slug).await })
        })
        .await
        .map_err(|_| AppError::Unauthorized)?;
    let Some(c) = connect(state, tenant).await? else {
        return Err(AppError::Unauthorized);
    };
    let now = jiff::Timestamp::now().as_second();
    if let Err(e) = rules::verify_signature(
        &c.webhook_secret,
        signature,
        body,
        now,
        SIGNATURE_TOLERANCE_SECONDS,
    ) {
        tracing::warn!(organization = %tenant.id().0, reason = ?e, "Stripe webhook refused");
        return Err(AppError::Unauthorized);
    }
    let event: api::Event =
        serde_json::from_slice(body).map_err(|_| AppError::field("body", "invalid_event"))?;
    let id = event.id.clone();
    let seen = state
        .store
        .read(|tx| {
            let id = id.clone();
            Box::pin(async move { db::event_seen(tx, tenant, &id).await })
        })
        .await?;
    if seen {
        return Ok(WebhookOutcome::AlreadyHandled);
    }
    let outcome = match handle(state, tenant, &c, &event).await {
        Ok(o) => o,
        // Deliveries of one event may come together, and on PostgreSQL the one that loses a
        // race on a unique key fails; the handlers are idempotent on Stripe's ids, so once
        // more sees the winner's work instead of asking Stripe for another delivery.
        Err(first) => {
            tracing::info!(error = %first, "Stripe event handled once more after a failure");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            handle(state, tenant, &c, &event).await?
        }
    };
    let kind = event.kind.clone();
    let first = state
        .store
        .write(|tx| {
            let (id, kind) = (id.clone(), kind.clone());
            Box::pin(async move { db::mark_event(tx, tenant, &id, &kind).await })
        })
        .await?;
    Ok(if first {
        outcome
    } else {
        WebhookOutcome::AlreadyHandled
    })
}

pub(super) fn object_id(event: &api::Event) -> Option<String> {
    event
        .data
        .object
        .get("id")
        .and_then(|v| v.as_str())
        .map(str::to_owned)
}

pub(super) async fn handle(
    state: &App,
    tenant: Tenant,
    c: &Connected,
    event: &api::Event,
) -> Result<WebhookOutcome, AppError> {
    let Some(id) = object_id(event) else {
        return Ok(WebhookOutcome::Ignored);
    };
    match event.kind.as_str() {
        "checkout.session.completed"
        | "checkout.session.async_payment_succeeded"
        | "checkout.session.async_payment_failed"
        | "checkout.session.expired" => {
            settle_checkout(state, tenant, c, &id).await?;
        }
        "refund.created" | "refund.updated" | "refund.failed" | "charge.refund.updated" => {
            let r = c.stripe.refund(&id).await.map_err(stripe_error)?;
            settle_refund(state, tenant, &r).await?;
        }
        "charge.refunded" => {
            settle_pending_refunds(state, tenant, c).await?;
        }
        "payout.created" | "payout.updated" | "payout.paid" | "payout.failed"
        | "payout.canceled" => {
            sync_payout(state, tenant, c, &id).await?;
        }
        _ => return Ok(WebhookOutcome::Ignored),
    }
    Ok(WebhookOutcome::Handled)
}

/// Reads a Checkout Session from Stripe and acts on what it says: paid → the cart's order
/// is made with the payment (or, when its places are gone, the payment is refunded and the
/// visitor told); expired or failed → the cart is open again.
pub(super) async fn settle_checkout(
    state: &App,
    tenant: Tenant,
    c: &Connected,
    session_id: &str,
) -> Result<(), AppError> {
    let session = c.stripe.checkout(session_id).await.map_err(stripe_error)?;
    let sid = session.id.clone();
    let found = state
        .store
        .read(|tx| {
            let sid = sid.clone();
            Box::pin(async move { online_carts::by_checkout(tx, tenant, &sid).await })
        })
        .await?;
    // A session paid before its id was noted on the cart is found by what Guichet put in
    // its metadata, when that names this organization.
    let found = found.or_else(|| {
        let md = &session.metadata;
        (md.get("guichet_organization") == Some(&tenant.id().0.to_string()))
            .then(|| {
                let module = md.get("guichet_module")?.parse().ok()?;
                let cart = md.get("guichet_cart")?.clone();
                Some((guichet_domain::BookingModuleId(module), cart))
            })
            .flatten()
    });
    let Some((module, cart)) = found else {
        // Not a session of Guichet's (or its cart is long gone): nothing to do here.
        return Ok(());
    };
    let m = module_by_id(state, tenant, module).await?;
    if session.payment_status != "paid" {
        if session.status.as_deref() == Some("expired") {
            booking::payment_cancelled(state, &m, &cart).await?;
        }
        return Ok(());
    }
    let Some(intent) = session.payment_intent.as_ref() else {
        return Err(AppError::Internal(
            "paid session without payment intent".into(),
        ));
    };
    let intent = match intent.object() {
        Some(pi) => pi.clone(),
        None => c
            .stripe
            .payment_intent(intent.id())
            .await
            .map_err(stripe_error)?,
    };
    let charge = intent
        .latest_charge
        .as_ref()
        .and_then(|ch| ch.object())
        .cloned();
    let method = charge
        .as_ref()
        .and_then(|ch| ch.payment_method_details.as_ref())
        .map_or(PaymentMethod::OnlineCard, |d| {
            PaymentMethod::of_stripe(&d.kind)
        });
    let amount = session.amount_total.unwrap_or(intent.amount);
    let paid = booking::paid(
        state,
        &m,
        &cart,
        &ProviderPayment {
            reference: &intent.id,
            method,
            amount_cents: amount,
        },
    )
    .await;
    match paid {
        Ok(order) => {
            record_charge(
                state,
                tenant,
                &order,
                &intent,
                charge.as_ref(),
                &session.id,
                amount,
            )
            .await
        }
        Err(e @ (AppError::Conflict(_) | AppError::Invalid(_))) => {
            // The places went while the visitor paid (or the price changed): the money goes
            // back, and the visitor is told.
            tracing::warn!(cart = %cart, error = %e, "a paid cart could not be booked; refunding");
            refund_unbooked(state, tenant, c, &m, &cart, &intent.id, amount).await
        }
        Err(e) => Err(e),
    }
}

pub(super) async fn module_by_id(
    state: &App,
    tenant: Tenant,
    module: guichet_domain::BookingModuleId,
) -> Result<PublicModule, AppError> {
    let (org_slug, module_slug) = state
        .store
        .read(|tx| {
            Box::pin(async move {
                let o = guichet_store::organizations::get(tx, tenant).await?;
                let m = guichet_store::booking_modules::get(tx, tenant, module).await?;
                Ok((o.slug, m.slug))
            })
        })
        .await?;
    crate::booking_modules::public_module(state, &org_slug, &module_slug).await
}

/// Notes Stripe's ids and, when already known, its fee on the order's online payment.
pub(super) async fn record_charge(
    state: &App,
    tenant: Tenant,
    order: &guichet_store::orders::Order,
    intent: &api::PaymentIntent,
    charge: Option<&api::Charge>,
    session: &str,
    amount: i64,
) -> Result<(), AppError> {
    let Some(payment) = order
        .payments
        .iter()
        .find(|p| p.method.is_online() && p.amount_cents == amount)
    else {
        return Err(AppError::Internal(
            "online payment not found on its order".into(),
        ));
    };
    let charge_id = charge.map_or_else(|| intent.id.clone(), |ch| ch.id.clone());
    let bt = charge
        .and_then(|ch| ch.balance_transaction.as_ref())
        .and_then(|b| b.object())
        .cloned();
    let (payment_id, order_id, taken_at) = (payment.id, order.id, payment.taken_at);
    let (pi, session) = (intent.id.clone(), session.to_owned());
    state
        .store
        .write(|tx| {
            let (charge_id, pi, session, bt) =
                (charge_id.clone(), pi.clone(), session.clone(), bt.clone());
            Box::pin(async move {
                db::record_payment(
                    tx,
                    tenant,
                    &NewStripePayment {
                        payment_id,
                        order_id,
                        kind: "charge",
                        stripe_object: &charge_id,
                        payment_intent: Some(&pi),
                        checkout_session: Some(&session),
                        balance_transaction: bt.as_ref().map(|b| b.id.as_str()),
                        amount_cents: amount,
                        fee: bt.as_ref().map(|b| (b.fee, b.net)),
                        taken_at,
                    },
                )
                .await
            })
        })
        .await?;
    Ok(())
}

/// Refunds a payment that made no order and tells the visitor.
pub(super) async fn refund_unbooked(
    state: &App,
    tenant: Tenant,
    c: &Connected,
    m: &PublicModule,
    cart: &str,
    payment_intent: &str,
    amount: i64,
) -> Result<(), AppError> {
    // Once per payment: a delivery again finds the refund already asked.
    let (pi, cart_s) = (payment_intent.to_owned(), cart.to_owned());
    let row = state
        .store
        .write(|tx| {
            let (pi, cart_s) = (pi.clone(), cart_s.clone());
            Box::pin(async move {
                if db::refund_asked(tx, tenant, &pi).await? {
                    return Ok(None);
                }
                Ok(Some(
                    db::new_refund(tx, tenant, RefundOf::Cart(&cart_s), &pi, amount, None).await?,
                ))
            })
        })
        .await?;
    let Some(row) = row else {
        return Ok(());
    };
    ask_refund(state, tenant, c, row, payment_intent, amount).await?;
    let email = cart_email(state, m, cart).await?;
    if let Some(to) = email {
        let c = read_cart(state, m, cart).await?;
        let lang = Language::parse(&c.language).unwrap_or(m.default_language);
        let args = [
            ("organization", m.organization_name.clone()),
            (
                "amount",
                guichet_integrations::i18n::money_text(lang, amount),
            ),
        ];
        let message = guichet_domain::mail::Outgoing {
            subject: guichet_integrations::i18n::t_args(lang, "stripe-late-refund-subject", &args),
            text: guichet_integrations::i18n::t_args(lang, "stripe-late-refund-text", &args),
            html: None,
            attachments: Vec::new(),
        };
        state
            .store
            .write(|tx| {
                let (to, message) = (to.clone(), message.clone());
                Box::pin(async move {
                    guichet_store::outbox::enqueue_message(tx, tenant, None, &to, &message)
                        .await
                        .map(|_| ())
                })
            })
            .await?;
    }
    Ok(())
}
