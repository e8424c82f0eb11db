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

mod checkout;
mod reconciliation;
mod refunds;
mod settings;

pub use checkout::*;
pub use reconciliation::*;
pub use refunds::*;
pub use settings::*;

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
