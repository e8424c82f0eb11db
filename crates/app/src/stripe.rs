//! Online payment through Stripe (issue 17): an organization's account (its keys sealed at
//! rest), the booking's hand-over to a Checkout Session, the webhook that confirms payments
//! and refunds, refunds asked from the back office or by the visitor's cancellation, and the
//! synchronization of fees and payouts that the reconciliation page reads.
//!
//! Stripe is the authority: an event only says *that* something changed, and what changed is
//! read back from Stripe's API with the organization's key before anything is recorded. So a
//! forged event is refused by its signature, and events can come in any order, several
//! times: each handler is idempotent on Stripe's ids.

use crate::booking::{self, ProviderPayment};
use crate::booking_modules::PublicModule;
use crate::{Actor, App, AppError};
use guichet_domain::order::PaymentMethod;
use guichet_domain::org::Language;
use guichet_domain::stripe::{
    self as rules, DEFAULT_FEE_BASIS_POINTS, PayoutCheck, PayoutStatus, SIGNATURE_TOLERANCE_SECONDS,
};
use guichet_domain::{FieldErrors, OrderId, Permission};
use guichet_integrations::stripe::{self as api, Stripe, StripeError};
use guichet_store::online_carts::{self, CartState};
use guichet_store::orders::NewPayment;
use guichet_store::stripe::{self as db, NewStripePayment, RefundOf};
use guichet_store::{StoreError, Tenant};
use jiff::civil::Date;
use uuid::Uuid;

pub use guichet_store::stripe::{FeeRow, PayoutPayment, Refund};

/// How long the visitor has at Stripe's page (Stripe allows 30 minutes to 24 hours); the
/// cart's places stay held as long, and a little more for the webhook to arrive.
const CHECKOUT_MINUTES: i64 = 30;
const HOLD_GRACE_MINUTES: i64 = 5;

/// The account's settings as the admin sees them: never the keys, only their ends.
#[derive(Debug, Clone)]
pub struct StripeSettings {
    pub configured: bool,
    /// The server has a key to seal the Stripe keys with.
    pub sealing_available: bool,
    pub secret_key_hint: String,
    pub webhook_secret_hint: String,
    pub statement_descriptor: String,
    pub fee_basis_points: i64,
    pub ideal_enabled: bool,
    pub revenue_account: String,
    pub fees_account: String,
    pub bank_account: String,
    pub account_name: Option<String>,
    pub tested_at: Option<i64>,
    /// The address to give Stripe for the webhook.
    pub webhook_url: String,
}

/// What the admin types; a key left blank keeps the stored one.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct SettingsInput {
    pub secret_key: String,
    pub webhook_secret: String,
    pub statement_descriptor: String,
    /// "3", "2,9", "1.4".
    pub fee_percent: String,
    pub ideal_enabled: bool,
    pub revenue_account: String,
    pub fees_account: String,
    pub bank_account: String,
}

/// The last four characters, the rest masked: enough to recognize a key.
fn hint(secret: &str) -> String {
    let n = secret.chars().count();
    let tail: String = secret.chars().skip(n.saturating_sub(4)).collect();
    let head: String = secret.chars().take_while(|c| *c != '_').collect();
    format!("{head}_…{tail}")
}

fn webhook_url(state: &App, slug: &str) -> String {
    format!(
        "{}/webhooks/stripe/{slug}",
        state.config.public_url.trim_end_matches('/')
    )
}

async fn org(
    state: &App,
    tenant: Tenant,
) -> Result<guichet_store::organizations::Organization, AppError> {
    Ok(state
        .store
        .read(|tx| Box::pin(async move { guichet_store::organizations::get(tx, tenant).await }))
        .await?)
}

async fn stored(state: &App, tenant: Tenant) -> Result<Option<db::Account>, AppError> {
    Ok(state
        .store
        .read(|tx| Box::pin(async move { db::account(tx, tenant).await }))
        .await?)
}

/// The account's settings (Compte › TPE virtuel).
pub async fn settings(state: &App, actor: &Actor) -> Result<StripeSettings, AppError> {
    actor.require(Permission::EditOrganization)?;
    let o = org(state, actor.tenant).await?;
    let a = stored(state, actor.tenant).await?;
    Ok(StripeSettings {
        configured: a.is_some(),
        sealing_available: state.config.sealing_key.is_some(),
        secret_key_hint: a
            .as_ref()
            .map(|a| a.secret_key_hint.clone())
            .unwrap_or_default(),
        webhook_secret_hint: a
            .as_ref()
            .map(|a| a.webhook_secret_hint.clone())
            .unwrap_or_default(),
        statement_descriptor: a
            .as_ref()
            .map(|a| a.statement_descriptor.clone())
            .unwrap_or_else(|| rules::default_descriptor(&o.name)),
        fee_basis_points: a
            .as_ref()
            .map_or(DEFAULT_FEE_BASIS_POINTS, |a| a.fee_basis_points),
        ideal_enabled: a.as_ref().is_some_and(|a| a.ideal_enabled),
        revenue_account: a
            .as_ref()
            .map_or_else(|| "700000".into(), |a| a.revenue_account.clone()),
        fees_account: a
            .as_ref()
            .map_or_else(|| "650000".into(), |a| a.fees_account.clone()),
        bank_account: a
            .as_ref()
            .map_or_else(|| "580000".into(), |a| a.bank_account.clone()),
        account_name: a.as_ref().and_then(|a| a.stripe_account_name.clone()),
        tested_at: a.as_ref().and_then(|a| a.tested_at),
        webhook_url: webhook_url(state, &o.slug),
    })
}

/// A percentage as people type it ("3", "2,9 %") in basis points, 0 to 100 %.
fn percent_bp(s: &str) -> Option<i64> {
    guichet_domain::VatRate::parse_percent(s)
        .ok()
        .map(|r| i64::from(r.basis_points()))
        .filter(|bp| *bp <= 10_000)
}

fn account_number(e: &mut FieldErrors, field: &str, s: &str) -> String {
    let s = s.trim();
    if s.is_empty() || s.len() > 20 || !s.chars().all(|c| c.is_ascii_alphanumeric()) {
        e.add(field, "invalid_account");
    }
    s.to_owned()
}

/// Saves the account's settings; the keys are sealed with the server's key and a blank key
/// keeps the stored one. The first save needs both keys.
pub async fn save_settings(
    state: &App,
    actor: &Actor,
    input: &SettingsInput,
) -> Result<(), AppError> {
    actor.require(Permission::EditOrganization)?;
    let Some(key) = state.config.sealing_key.clone() else {
        return Err(AppError::Conflict("sealing_key_missing"));
    };
    let tenant = actor.tenant;
    let old = stored(state, tenant).await?;
    let o = org(state, tenant).await?;
    let mut e = FieldErrors::new();
    let secret = input.secret_key.trim();
    let webhook = input.webhook_secret.trim();
    let sealed = |plain: &str| key.seal(plain, rand::random());
    let (secret_sealed, secret_hint) = match (secret, &old) {
        ("", Some(a)) => (a.secret_key_sealed.clone(), a.secret_key_hint.clone()),
        ("", None) => {
            e.add("secret_key", "required");
            (String::new(), String::new())
        }
        (s, _) if !(s.starts_with("sk_") || s.starts_with("rk_")) || s.len() > 255 => {
            e.add("secret_key", "invalid_stripe_key");
            (String::new(), String::new())
        }
        (s, _) => (sealed(s), hint(s)),
    };
    let (webhook_sealed, webhook_hint) = match (webhook, &old) {
        ("", Some(a)) => (
            a.webhook_secret_sealed.clone(),
            a.webhook_secret_hint.clone(),
        ),
        ("", None) => {
            e.add("webhook_secret", "required");
            (String::new(), String::new())
        }
        (s, _) if !s.starts_with("whsec_") || s.len() > 255 => {
            e.add("webhook_secret", "invalid_webhook_secret");
            (String::new(), String::new())
        }
        (s, _) => (sealed(s), hint(s)),
    };
    let descriptor = if input.statement_descriptor.trim().is_empty() {
        rules::default_descriptor(&o.name)
    } else {
        match rules::check_descriptor(&input.statement_descriptor) {
            Ok(d) => d,
            Err(err) => {
                e.add("statement_descriptor", err.code());
                String::new()
            }
        }
    };
    let fee = if input.fee_percent.trim().is_empty() {
        DEFAULT_FEE_BASIS_POINTS
    } else {
        percent_bp(&input.fee_percent).unwrap_or_else(|| {
            e.add("fee_percent", "invalid_percent");
            0
        })
    };
    let revenue = account_number(&mut e, "revenue_account", &input.revenue_account);
    let fees = account_number(&mut e, "fees_account", &input.fees_account);
    let bank = account_number(&mut e, "bank_account", &input.bank_account);
    e.into_result()?;
    let keys_changed = !secret.is_empty();
    let account = db::Account {
        secret_key_sealed: secret_sealed,
        secret_key_hint: secret_hint,
        webhook_secret_sealed: webhook_sealed,
        webhook_secret_hint: webhook_hint,
        statement_descriptor: descriptor,
        fee_basis_points: fee,
        ideal_enabled: input.ideal_enabled,
        revenue_account: revenue,
        fees_account: fees,
        bank_account: bank,
        // A new key is another account until it is tested.
        stripe_account_name: old
            .as_ref()
            .filter(|_| !keys_changed)
            .and_then(|a| a.stripe_account_name.clone()),
        tested_at: old
            .as_ref()
            .filter(|_| !keys_changed)
            .and_then(|a| a.tested_at),
        updated_at: 0,
    };
    let by = actor.user_id();
    state
        .store
        .write(|tx| {
            let account = account.clone();
            Box::pin(async move { db::save_account(tx, tenant, &account, by).await })
        })
        .await?;
    tracing::info!(organization = %tenant.id().0, "Stripe settings saved");
    Ok(())
}

/// The organization's Stripe, opened: its client and its webhook secret.
struct Connected {
    stripe: Stripe,
    webhook_secret: String,
    account: db::Account,
}

async fn connect(state: &App, tenant: Tenant) -> Result<Option<Connected>, AppError> {
    let Some(account) = stored(state, tenant).await? else {
        return Ok(None);
    };
    let Some(key) = &state.config.sealing_key else {
        return Ok(None);
    };
    let secret = key
        .open(&account.secret_key_sealed)
        .map_err(|_| AppError::Conflict("stripe_keys_unreadable"))?;
    let webhook_secret = key
        .open(&account.webhook_secret_sealed)
        .map_err(|_| AppError::Conflict("stripe_keys_unreadable"))?;
    let stripe = Stripe::new(&state.config.stripe_api, &secret).map_err(stripe_error)?;
    Ok(Some(Connected {
        stripe,
        webhook_secret,
        account,
    }))
}

async fn connected(state: &App, tenant: Tenant) -> Result<Connected, AppError> {
    connect(state, tenant)
        .await?
        .ok_or(AppError::Conflict("stripe_not_configured"))
}

/// Whether the organization takes payments through Stripe.
pub async fn available(state: &App, tenant: Tenant) -> Result<bool, AppError> {
    booking::stripe_set_up(state, tenant).await
}

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
    let cancelled = crate::orders::cancel(state, actor, id, input).await?;
    if online_refund == 0 {
        return Ok(cancelled);
    }
    if let Err(e) = refund_order(state, actor.tenant, id, online_refund, actor.user_id()).await {
        tracing::warn!(order = %id.0, error = %e, "Stripe refund of a cancelled order failed");
    }
    crate::orders::get(state, actor, id).await
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

fn stripe_error(e: StripeError) -> AppError {
    match e {
        StripeError::Unauthorized => AppError::Conflict("stripe_key_refused"),
        StripeError::Network(m) => {
            tracing::warn!(error = %m, "Stripe unreachable");
            AppError::Conflict("stripe_unreachable")
        }
        StripeError::Refused {
            status,
            code,
            message,
        } => {
            tracing::warn!(status, code = %code, message = %message, "Stripe refused a request");
            AppError::Conflict("stripe_refused")
        }
    }
}

/// "Test the connection": the keys open and Stripe knows the secret key. Returns the
/// account's name as Stripe shows it.
pub async fn test_connection(state: &App, actor: &Actor) -> Result<String, AppError> {
    actor.require(Permission::EditOrganization)?;
    let tenant = actor.tenant;
    let c = connected(state, tenant).await?;
    let account = c.stripe.account().await.map_err(stripe_error)?;
    let name = account.name();
    let n = name.clone();
    state
        .store
        .write(|tx| {
            let n = n.clone();
            Box::pin(async move { db::set_tested(tx, tenant, Some(&n)).await })
        })
        .await?;
    Ok(name)
}

/// The payment methods a Checkout Session offers in the visitor's language: card and
/// Bancontact, and iDEAL for Dutch visitors where the organization enabled it.
fn methods(lang: Language, ideal: bool) -> Vec<&'static str> {
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

async fn read_cart(
    state: &App,
    m: &PublicModule,
    cart: &str,
) -> Result<online_carts::OnlineCart, AppError> {
    let (tenant, module, cart) = (m.tenant, m.module_id, cart.to_owned());
    Ok(state
        .store
        .read(|tx| {
            let cart = cart.clone();
            Box::pin(async move { online_carts::get(tx, tenant, module, &cart).await })
        })
        .await?)
}

async fn cart_updated(state: &App, m: &PublicModule, cart: &str) -> Result<i64, AppError> {
    Ok(read_cart(state, m, cart).await?.updated_at)
}

async fn cart_email(state: &App, m: &PublicModule, cart: &str) -> Result<Option<String>, AppError> {
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

async fn checkout_of(
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
    let outcome = handle(state, tenant, &c, &event).await?;
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

fn object_id(event: &api::Event) -> Option<String> {
    event
        .data
        .object
        .get("id")
        .and_then(|v| v.as_str())
        .map(str::to_owned)
}

async fn handle(
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
async fn settle_checkout(
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

async fn module_by_id(
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
async fn record_charge(
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
async fn refund_unbooked(
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

/// Asks Stripe for a refund recorded as `row`, and notes Stripe's answer. A refund Stripe
/// refuses is `failed` with its reason (shown on the order and the dashboard).
async fn ask_refund(
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
async fn settle_refund(state: &App, tenant: Tenant, r: &api::Refund) -> Result<(), AppError> {
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
async fn adopt_refund(
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
async fn record_refund(
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
async fn settle_pending_refunds(
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

async fn refundable_of(state: &App, tenant: Tenant, order: OrderId) -> Result<i64, AppError> {
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
async fn refund_order(
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

/// Reads a payout and the balance transactions it carries from Stripe, and keeps them.
async fn sync_payout(state: &App, tenant: Tenant, c: &Connected, id: &str) -> Result<(), AppError> {
    let p = c.stripe.payout(id).await.map_err(stripe_error)?;
    let mut lines = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = c
            .stripe
            .payout_transactions(&p.id, after.as_deref())
            .await
            .map_err(stripe_error)?;
        after = page.data.last().map(|b| b.id.clone());
        for b in page.data {
            lines.push(db::PayoutLine {
                balance_transaction: b.id,
                source: b.source,
                kind: b.kind,
                amount_cents: b.amount,
                fee_cents: b.fee,
                net_cents: b.net,
            });
        }
        if !page.has_more || after.is_none() {
            break;
        }
    }
    save_payout(state, tenant, &p, &lines).await
}

async fn save_payout(
    state: &App,
    tenant: Tenant,
    p: &api::Payout,
    lines: &[db::PayoutLine],
) -> Result<(), AppError> {
    let arrival = p
        .arrival_date
        .and_then(|s| jiff::Timestamp::from_second(s).ok())
        .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date().to_string());
    let (p, lines) = (p.clone(), lines.to_vec());
    state
        .store
        .write(|tx| {
            let (p, lines, arrival) = (p.clone(), lines.clone(), arrival.clone());
            Box::pin(async move {
                db::save_payout(
                    tx,
                    tenant,
                    &db::NewPayout {
                        payout: &p.id,
                        created_at: p.created.saturating_mul(1_000_000),
                        arrival_date: arrival.as_deref(),
                        amount_cents: p.amount,
                        status: PayoutStatus::from_stripe(&p.status).as_str(),
                    },
                    Some(&lines),
                )
                .await
            })
        })
        .await?;
    Ok(())
}

/// What a synchronization did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub fees: usize,
    pub carts: usize,
    pub payouts: usize,
}

/// Brings Guichet up to date with Stripe for one organization: fees not known yet, refunds
/// still pending, carts at Stripe whose webhook never came, and the payouts of the last 40
/// days with their transactions.
pub async fn sync(state: &App, tenant: Tenant) -> Result<SyncReport, AppError> {
    let c = connected(state, tenant).await?;
    let mut report = SyncReport::default();
    let missing = state
        .store
        .read(|tx| Box::pin(async move { db::without_fee(tx, tenant, 200).await }))
        .await?;
    for object in missing {
        let Some(pi) = payment_intent_of(state, tenant, &object).await? else {
            continue;
        };
        if !object.starts_with("ch_") {
            continue;
        }
        let intent = c.stripe.payment_intent(&pi).await.map_err(stripe_error)?;
        let Some(bt) = intent
            .latest_charge
            .as_ref()
            .and_then(|ch| ch.object())
            .and_then(|ch| ch.balance_transaction.as_ref())
            .and_then(|b| b.object())
            .cloned()
        else {
            continue;
        };
        let o = object.clone();
        state
            .store
            .write(|tx| {
                let (o, bt) = (o.clone(), bt.clone());
                Box::pin(async move { db::set_fee(tx, tenant, &o, &bt.id, bt.fee, bt.net).await })
            })
            .await?;
        report.fees += 1;
    }
    settle_pending_refunds(state, tenant, &c).await?;
    let before = guichet_store::now_micros().saturating_sub(60_000_000);
    let carts = state
        .store
        .read(|tx| {
            Box::pin(async move { online_carts::paying_at_checkout(tx, tenant, before, 100).await })
        })
        .await?;
    for (_, _, session) in carts {
        settle_checkout(state, tenant, &c, &session).await?;
        report.carts += 1;
    }
    let since = jiff::Timestamp::now().as_second() - 40 * 86_400;
    let mut after: Option<String> = None;
    loop {
        let page = c
            .stripe
            .payouts(since, after.as_deref())
            .await
            .map_err(stripe_error)?;
        after = page.data.last().map(|p| p.id.clone());
        for p in &page.data {
            sync_payout(state, tenant, &c, &p.id).await?;
            report.payouts += 1;
        }
        if !page.has_more || after.is_none() {
            break;
        }
    }
    Ok(report)
}

async fn payment_intent_of(
    state: &App,
    tenant: Tenant,
    object: &str,
) -> Result<Option<String>, AppError> {
    let o = object.to_owned();
    Ok(state
        .store
        .read(|tx| {
            let o = o.clone();
            Box::pin(async move { db::payment_intent_of(tx, tenant, &o).await })
        })
        .await?)
}

/// "Synchronize now" on the Stripe page.
pub async fn sync_now(state: &App, actor: &Actor) -> Result<SyncReport, AppError> {
    actor.require(Permission::ViewClosings)?;
    sync(state, actor.tenant).await
}

/// The periodic job: every organization with a Stripe account.
pub async fn sync_all(state: &App) -> Result<(), AppError> {
    if state.config.sealing_key.is_none() {
        return Ok(());
    }
    let tenants = state
        .store
        .read(|tx| Box::pin(async move { db::tenants(tx).await }))
        .await?;
    for tenant in tenants {
        if let Err(e) = sync(state, tenant).await {
            tracing::warn!(organization = %tenant.id().0, error = %e, "Stripe sync failed");
        }
    }
    Ok(())
}

/// A payment or refund through Stripe with its fee checked against the rule.
#[derive(Debug, Clone)]
pub struct FeeLine {
    pub row: db::FeeRow,
    pub method: PaymentMethod,
    /// What the rule expects.
    pub expected_fee_cents: i64,
    /// Stripe's fee is known and differs from the rule.
    pub differs: bool,
}

fn fee_line(row: db::FeeRow, bp: i64) -> FeeLine {
    let expected = if row.kind == "charge" {
        rules::expected_fee_cents(row.amount_cents, bp)
    } else {
        0
    };
    FeeLine {
        method: PaymentMethod::parse(&row.method).unwrap_or(PaymentMethod::OnlineCard),
        differs: row.kind == "charge" && row.fee_cents.is_some_and(|f| f != expected),
        expected_fee_cents: expected,
        row,
    }
}

/// The day range `[from, to]` in the organization's time zone, as microseconds `[a, b)`.
async fn span(
    state: &App,
    tenant: Tenant,
    from: Date,
    to: Date,
) -> Result<(i64, i64, jiff::tz::TimeZone), AppError> {
    let tz = crate::organization::time_zone(state, tenant).await?;
    let tz = jiff::tz::TimeZone::get(&tz).map_err(|e| AppError::Internal(e.to_string()))?;
    let start = from
        .to_zoned(tz.clone())
        .map_err(|e| AppError::Internal(e.to_string()))?
        .timestamp()
        .as_microsecond();
    let end = to
        .saturating_add(jiff::Span::new().days(1))
        .to_zoned(tz.clone())
        .map_err(|e| AppError::Internal(e.to_string()))?
        .timestamp()
        .as_microsecond();
    Ok((start, end, tz))
}

async fn fee_rule(state: &App, tenant: Tenant) -> Result<i64, AppError> {
    Ok(stored(state, tenant)
        .await?
        .map_or(DEFAULT_FEE_BASIS_POINTS, |a| a.fee_basis_points))
}

/// Payments and refunds through Stripe taken between two days, a page after `after`.
pub async fn fees(
    state: &App,
    actor: &Actor,
    from: Date,
    to: Date,
    after: Option<(i64, Uuid)>,
    limit: i64,
) -> Result<Vec<FeeLine>, AppError> {
    actor.require(Permission::ViewClosings)?;
    let tenant = actor.tenant;
    let (a, b, _) = span(state, tenant, from, to).await?;
    let bp = fee_rule(state, tenant).await?;
    let rows = state
        .store
        .read(|tx| Box::pin(async move { db::fee_rows(tx, tenant, a, b, after, limit).await }))
        .await?;
    Ok(rows.into_iter().map(|r| fee_line(r, bp)).collect())
}

/// A payout batch with its reconciliation.
#[derive(Debug, Clone)]
pub struct PayoutView {
    pub payout: String,
    pub created_at: i64,
    pub date: Date,
    pub expected_arrival: Date,
    pub status: PayoutStatus,
    pub payments: i64,
    pub check: PayoutCheck,
}

fn payout_view(p: &db::Payout, tz: &jiff::tz::TimeZone) -> PayoutView {
    let date = jiff::Timestamp::from_microsecond(p.created_at)
        .unwrap_or_default()
        .to_zoned(tz.clone())
        .date();
    let stripe_says = p
        .arrival_date
        .as_deref()
        .and_then(|d| d.parse::<Date>().ok());
    PayoutView {
        payout: p.payout.clone(),
        created_at: p.created_at,
        date,
        expected_arrival: rules::expected_arrival(date, stripe_says),
        status: PayoutStatus::parse(&p.status),
        payments: p.lines,
        check: PayoutCheck {
            gross_cents: p.gross_cents,
            fee_cents: p.fee_cents,
            net_cents: p.amount_cents,
            difference_cents: p.amount_cents - (p.gross_cents - p.fee_cents),
        },
    }
}

/// Payout batches created between two days, newest first.
pub async fn payouts(
    state: &App,
    actor: &Actor,
    from: Date,
    to: Date,
) -> Result<Vec<PayoutView>, AppError> {
    actor.require(Permission::ViewClosings)?;
    let tenant = actor.tenant;
    let (a, b, tz) = span(state, tenant, from, to).await?;
    let rows = state
        .store
        .read(|tx| Box::pin(async move { db::payouts(tx, tenant, a, b).await }))
        .await?;
    Ok(rows.iter().map(|p| payout_view(p, &tz)).collect())
}

/// One payout batch and the payments it carries.
pub async fn payout(
    state: &App,
    actor: &Actor,
    id: &str,
) -> Result<(PayoutView, Vec<db::PayoutPayment>), AppError> {
    actor.require(Permission::ViewClosings)?;
    let tenant = actor.tenant;
    let tz = crate::organization::time_zone(state, tenant).await?;
    let tz = jiff::tz::TimeZone::get(&tz).map_err(|e| AppError::Internal(e.to_string()))?;
    let id_s = id.to_owned();
    let (all, lines) = state
        .store
        .read(|tx| {
            let id_s = id_s.clone();
            Box::pin(async move {
                let all = db::payouts(tx, tenant, i64::MIN, i64::MAX).await?;
                let lines = db::payout_lines(tx, tenant, &id_s).await?;
                Ok((all, lines))
            })
        })
        .await?;
    let p = all
        .iter()
        .find(|p| p.payout == id)
        .ok_or(AppError::NotFound)?;
    Ok((payout_view(p, &tz), lines))
}

/// Charges that no payout carried after 10 business days.
pub async fn not_paid_out(state: &App, actor: &Actor) -> Result<Vec<FeeLine>, AppError> {
    actor.require(Permission::ViewClosings)?;
    let tenant = actor.tenant;
    let tz = crate::organization::time_zone(state, tenant).await?;
    let tz = jiff::tz::TimeZone::get(&tz).map_err(|e| AppError::Internal(e.to_string()))?;
    let today = jiff::Timestamp::now().to_zoned(tz.clone()).date();
    // The latest day a payment may have been taken and still be waiting: 10 business
    // days before today.
    let mut day = today;
    while rules::business_days_after(day, rules::PAYOUT_WAIT_BUSINESS_DAYS) > today {
        day = day.saturating_sub(jiff::Span::new().days(1));
    }
    let before = day
        .to_zoned(tz)
        .map_err(|e| AppError::Internal(e.to_string()))?
        .timestamp()
        .as_microsecond();
    let bp = fee_rule(state, tenant).await?;
    let rows = state
        .store
        .read(|tx| Box::pin(async move { db::not_paid_out(tx, tenant, before, 500).await }))
        .await?;
    Ok(rows.into_iter().map(|r| fee_line(r, bp)).collect())
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

/// Stripe's fee and net of each payment of an order: (payment id, fee, net).
pub async fn fees_of_order(
    state: &App,
    actor: &Actor,
    order: OrderId,
) -> Result<Vec<(Uuid, Option<i64>, Option<i64>)>, AppError> {
    actor.require(Permission::Sell)?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .read(|tx| Box::pin(async move { db::fees_of_order(tx, tenant, order).await }))
        .await?)
}

/// What the Stripe page exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Export {
    /// Payments and refunds with Stripe's fee and net ("Frais Stripe").
    Fees,
    /// Payout batches with their reconciliation ("Transferts de fonds").
    Payouts,
    /// Accounting lines: revenue by visit date, fees, payouts.
    Accounting,
}

impl Export {
    pub fn parse(s: &str) -> Option<Export> {
        match s {
            "fees" => Some(Export::Fees),
            "payouts" => Some(Export::Payouts),
            "accounting" => Some(Export::Accounting),
            _ => None,
        }
    }
}

/// Every page of fees between two days (the export has no row limit).
async fn all_fees(
    state: &App,
    actor: &Actor,
    from: Date,
    to: Date,
) -> Result<Vec<FeeLine>, AppError> {
    const PAGE: i64 = 1_000;
    let mut out: Vec<FeeLine> = Vec::new();
    loop {
        let after = out.last().map(|l| (l.row.taken_at, l.row.payment_id));
        let page = fees(state, actor, from, to, after, PAGE).await?;
        let n = page.len();
        out.extend(page);
        if i64::try_from(n).unwrap_or(0) < PAGE {
            return Ok(out);
        }
    }
}

/// The Stripe page's exports, in CSV (`;`, BOM) or XLSX, for the days `[from, to]`.
pub async fn export(
    state: &App,
    actor: &Actor,
    what: Export,
    from: Date,
    to: Date,
    format: crate::files::Format,
) -> Result<crate::files::File, AppError> {
    use guichet_domain::shop::format_cents;
    use guichet_integrations::exports::{Cell, Table};
    actor.require(Permission::ViewClosings)?;
    let tr = guichet_integrations::i18n::Tr(actor.lang);
    let tz = crate::organization::time_zone(state, actor.tenant).await?;
    let money = |c: i64| Cell::Text(format_cents(c));
    let day = |d: Date| Cell::Text(d.strftime("%d/%m/%Y").to_string());
    let headers = |keys: &[&str]| keys.iter().map(|k| tr.t(k)).collect::<Vec<_>>();
    let (table, name) = match what {
        Export::Fees => {
            let rows = all_fees(state, actor, from, to).await?;
            (
                Table {
                    headers: headers(&[
                        "order-number",
                        "label-date",
                        "payment-method",
                        "stripe-amount",
                        "stripe-fee",
                        "stripe-net",
                        "stripe-expected-fee",
                        "stripe-difference",
                        "stripe-payout",
                        "stripe-object",
                    ]),
                    rows: rows
                        .iter()
                        .map(|l| {
                            vec![
                                Cell::Text(l.row.order_number.clone().unwrap_or_default()),
                                Cell::Text(tr.instant(&l.row.taken_at, &tz)),
                                Cell::Text(tr.method(&l.method)),
                                money(l.row.amount_cents),
                                Cell::Text(l.row.fee_cents.map(format_cents).unwrap_or_default()),
                                Cell::Text(l.row.net_cents.map(format_cents).unwrap_or_default()),
                                money(l.expected_fee_cents),
                                Cell::Text(
                                    l.row
                                        .fee_cents
                                        .filter(|_| l.differs)
                                        .map(|f| format_cents(f - l.expected_fee_cents))
                                        .unwrap_or_default(),
                                ),
                                Cell::Text(l.row.payout.clone().unwrap_or_default()),
                                Cell::Text(l.row.stripe_object.clone()),
                            ]
                        })
                        .collect(),
                },
                "frais-stripe",
            )
        }
        Export::Payouts => {
            let rows = payouts(state, actor, from, to).await?;
            (
                Table {
                    headers: headers(&[
                        "label-date",
                        "stripe-payout",
                        "label-status",
                        "stripe-gross",
                        "stripe-fee",
                        "stripe-net",
                        "stripe-payments",
                        "stripe-expected-arrival",
                        "stripe-difference",
                    ]),
                    rows: rows
                        .iter()
                        .map(|p| {
                            vec![
                                day(p.date),
                                Cell::Text(p.payout.clone()),
                                Cell::Text(tr.t(&format!("payout-{}", p.status.as_str()))),
                                money(p.check.gross_cents),
                                money(p.check.fee_cents),
                                money(p.check.net_cents),
                                Cell::Int(p.payments),
                                day(p.expected_arrival),
                                money(p.check.difference_cents),
                            ]
                        })
                        .collect(),
                },
                "transferts-stripe",
            )
        }
        Export::Accounting => {
            let lines = accounting_lines(state, actor, from, to).await?;
            (
                Table {
                    headers: headers(&[
                        "label-date",
                        "accounting-account",
                        "accounting-label",
                        "accounting-reference",
                        "accounting-debit",
                        "accounting-credit",
                    ]),
                    rows: lines
                        .into_iter()
                        .map(|l| {
                            vec![
                                day(l.date),
                                Cell::Text(l.account),
                                Cell::Text(l.label),
                                Cell::Text(l.reference),
                                Cell::Text(l.debit_cents.map(format_cents).unwrap_or_default()),
                                Cell::Text(l.credit_cents.map(format_cents).unwrap_or_default()),
                            ]
                        })
                        .collect(),
                },
                "ecritures-stripe",
            )
        }
    };
    crate::files::table_file(&table, format, "Stripe", &format!("{name}-{from}-{to}"))
}

/// One accounting line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountingLine {
    pub date: Date,
    pub account: String,
    pub label: String,
    pub reference: String,
    pub debit_cents: Option<i64>,
    pub credit_cents: Option<i64>,
}

/// The accounting lines of online payments between two days: revenue on the day of the
/// visit (a refund takes it back), Stripe's fees on the day of their payout, and each payout
/// to the bank.
pub async fn accounting_lines(
    state: &App,
    actor: &Actor,
    from: Date,
    to: Date,
) -> Result<Vec<AccountingLine>, AppError> {
    actor.require(Permission::ViewClosings)?;
    let tenant = actor.tenant;
    let tr = guichet_integrations::i18n::Tr(actor.lang);
    let s = settings_or_default(state, tenant).await?;
    let (a, b, tz) = span(state, tenant, from, to).await?;
    let revenue = state
        .store
        .read(|tx| Box::pin(async move { db::revenue_rows(tx, tenant, a, b).await }))
        .await?;
    let date_of = |micros: i64| {
        jiff::Timestamp::from_microsecond(micros)
            .unwrap_or_default()
            .to_zoned(tz.clone())
            .date()
    };
    let mut out = Vec::new();
    for r in revenue {
        let number = r.order_number.unwrap_or_default();
        let (debit, credit) = if r.amount_cents >= 0 {
            (None, Some(r.amount_cents))
        } else {
            (Some(-r.amount_cents), None)
        };
        out.push(AccountingLine {
            date: date_of(r.visit_at.unwrap_or(r.taken_at)),
            account: s.revenue_account.clone(),
            label: tr.t1("accounting-revenue", "number", &number),
            reference: number,
            debit_cents: debit,
            credit_cents: credit,
        });
    }
    for p in payouts(state, actor, from, to).await? {
        if p.check.fee_cents != 0 {
            out.push(AccountingLine {
                date: p.date,
                account: s.fees_account.clone(),
                label: tr.t1("accounting-fees", "payout", &p.payout),
                reference: p.payout.clone(),
                debit_cents: Some(p.check.fee_cents),
                credit_cents: None,
            });
        }
        out.push(AccountingLine {
            date: p.date,
            account: s.bank_account.clone(),
            label: tr.t1("accounting-payout", "payout", &p.payout),
            reference: p.payout.clone(),
            debit_cents: Some(p.check.net_cents),
            credit_cents: None,
        });
    }
    out.sort_by_key(|l| l.date);
    Ok(out)
}

/// The account numbers, the defaults when Stripe is not set up.
struct Accounts {
    revenue_account: String,
    fees_account: String,
    bank_account: String,
}

async fn settings_or_default(state: &App, tenant: Tenant) -> Result<Accounts, AppError> {
    let a = stored(state, tenant).await?;
    Ok(Accounts {
        revenue_account: a
            .as_ref()
            .map_or_else(|| "700000".into(), |a| a.revenue_account.clone()),
        fees_account: a
            .as_ref()
            .map_or_else(|| "650000".into(), |a| a.fees_account.clone()),
        bank_account: a
            .as_ref()
            .map_or_else(|| "580000".into(), |a| a.bank_account.clone()),
    })
}
