//! A small typed client for the part of Stripe's API that Guichet uses (issue 17): Checkout
//! Sessions, payment intents with their charge and balance transaction, refunds, payouts
//! and their balance transactions, and the balance (to test the keys). The base URL is a
//! setting, so that tests talk to a fake Stripe on 127.0.0.1. The secret key is never
//! logged: it is only ever in the `Authorization` header.

use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// The API version every request asks for, so that Stripe's answers keep their shape.
pub const API_VERSION: &str = "2024-06-20";

/// The real Stripe.
pub const STRIPE_API: &str = "https://api.stripe.com";

#[derive(Debug, thiserror::Error)]
pub enum StripeError {
    /// Stripe refused the request: its error type and code, and its message.
    #[error("Stripe refused the request ({status}): {code}: {message}")]
    Refused {
        status: u16,
        code: String,
        message: String,
    },
    /// The keys were refused (401).
    #[error("Stripe refused the key")]
    Unauthorized,
    /// Stripe could not be reached or answered nonsense.
    #[error("Stripe could not be reached: {0}")]
    Network(String),
}

impl StripeError {
    /// Stripe's own error code (`charge_already_refunded`, …); empty for the others.
    pub fn code(&self) -> &str {
        match self {
            StripeError::Refused { code, .. } => code,
            _ => "",
        }
    }
}

/// A client for one organization's account.
#[derive(Clone)]
pub struct Stripe {
    http: reqwest::Client,
    base: Arc<str>,
    secret: Arc<str>,
}

impl std::fmt::Debug for Stripe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stripe").field("base", &self.base).finish()
    }
}

/// An object Stripe gives either as its id or, asked with `expand[]`, whole.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Expandable<T> {
    Id(String),
    Object(Box<T>),
}

impl<T: HasId> Expandable<T> {
    pub fn id(&self) -> &str {
        match self {
            Expandable::Id(s) => s,
            Expandable::Object(o) => o.id(),
        }
    }

    pub fn object(&self) -> Option<&T> {
        match self {
            Expandable::Object(o) => Some(o),
            Expandable::Id(_) => None,
        }
    }
}

pub trait HasId {
    fn id(&self) -> &str;
}

macro_rules! has_id {
    ($($t:ty),*) => { $(impl HasId for $t { fn id(&self) -> &str { &self.id } })* };
}

#[derive(Debug, Clone, Deserialize)]
pub struct CheckoutSession {
    pub id: String,
    pub url: Option<String>,
    /// `open`, `complete` or `expired`.
    pub status: Option<String>,
    /// `paid`, `unpaid` or `no_payment_required`.
    pub payment_status: String,
    pub amount_total: Option<i64>,
    pub client_reference_id: Option<String>,
    #[serde(default)]
    pub metadata: HashMap<String, String>,
    pub payment_intent: Option<Expandable<PaymentIntent>>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PaymentIntent {
    pub id: String,
    pub amount: i64,
    pub status: String,
    pub latest_charge: Option<Expandable<Charge>>,
    #[serde(default)]
    pub metadata: HashMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Charge {
    pub id: String,
    pub amount: i64,
    pub payment_intent: Option<String>,
    pub balance_transaction: Option<Expandable<BalanceTransaction>>,
    pub payment_method_details: Option<PaymentMethodDetails>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PaymentMethodDetails {
    /// `card`, `bancontact`, `ideal`, …
    #[serde(rename = "type")]
    pub kind: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct BalanceTransaction {
    pub id: String,
    pub amount: i64,
    pub fee: i64,
    pub net: i64,
    #[serde(rename = "type")]
    pub kind: String,
    /// The charge or refund it moves (an id, not expanded here).
    pub source: Option<String>,
    pub created: i64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Refund {
    pub id: String,
    pub amount: i64,
    /// `pending`, `requires_action`, `succeeded`, `failed` or `canceled`.
    pub status: String,
    pub payment_intent: Option<String>,
    pub charge: Option<String>,
    pub failure_reason: Option<String>,
    pub balance_transaction: Option<Expandable<BalanceTransaction>>,
    #[serde(default)]
    pub metadata: HashMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Payout {
    pub id: String,
    pub amount: i64,
    /// Seconds; Stripe's expected arrival.
    pub arrival_date: Option<i64>,
    pub created: i64,
    pub status: String,
}

has_id!(
    CheckoutSession,
    PaymentIntent,
    Charge,
    BalanceTransaction,
    Refund,
    Payout
);

#[derive(Debug, Clone, Deserialize)]
pub struct List<T> {
    pub data: Vec<T>,
    #[serde(default)]
    pub has_more: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Account {
    pub id: String,
    pub settings: Option<AccountSettings>,
    pub business_profile: Option<BusinessProfile>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct AccountSettings {
    pub dashboard: Option<Dashboard>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Dashboard {
    pub display_name: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct BusinessProfile {
    pub name: Option<String>,
}

impl Account {
    /// The name the account shows itself under.
    pub fn name(&self) -> String {
        self.settings
            .as_ref()
            .and_then(|s| s.dashboard.as_ref())
            .and_then(|d| d.display_name.clone())
            .or_else(|| self.business_profile.as_ref().and_then(|b| b.name.clone()))
            .unwrap_or_else(|| self.id.clone())
    }
}

/// A webhook event (its object left as JSON: each type has its own).
#[derive(Debug, Clone, Deserialize)]
pub struct Event {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub created: i64,
    pub data: EventData,
}

#[derive(Debug, Clone, Deserialize)]
pub struct EventData {
    pub object: serde_json::Value,
}

/// What a Checkout Session is made for.
#[derive(Debug, Clone)]
pub struct NewCheckout<'a> {
    pub amount_cents: i64,
    /// The one line the visitor sees at Stripe ("Booking at …").
    pub description: &'a str,
    /// `card`, `bancontact`, `ideal`.
    pub methods: &'a [&'a str],
    pub success_url: &'a str,
    pub cancel_url: &'a str,
    pub client_reference_id: &'a str,
    pub customer_email: Option<&'a str>,
    /// `fr`, `nl`, `en`.
    pub locale: &'a str,
    /// Seconds; Stripe wants 30 minutes to 24 hours ahead.
    pub expires_at: i64,
    pub statement_descriptor: &'a str,
    pub metadata: &'a [(&'a str, &'a str)],
    /// Sent as `Idempotency-Key`, so that a request sent again makes one session.
    pub idempotency_key: &'a str,
}

#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Deserialize)]
struct ErrorDetail {
    #[serde(default)]
    code: Option<String>,
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    message: Option<String>,
}

/// Makes ring the process's rustls provider, for every other HTTPS client built without a
/// TLS setup of its own (the tests' clients). Calling it again changes nothing.
pub fn install_default_tls() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// The TLS setup: rustls with ring and the webpki roots (what the mail client uses too).
fn tls() -> Result<rustls::ClientConfig, StripeError> {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    Ok(rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| StripeError::Network(e.to_string()))?
    .with_root_certificates(roots)
    .with_no_client_auth())
}

impl Stripe {
    pub fn new(base: &str, secret: &str) -> Result<Stripe, StripeError> {
        let http = reqwest::Client::builder()
            .tls_backend_preconfigured(tls()?)
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| StripeError::Network(e.to_string()))?;
        Ok(Stripe {
            http,
            base: base.trim_end_matches('/').into(),
            secret: secret.into(),
        })
    }

    async fn send<T: serde::de::DeserializeOwned>(
        &self,
        req: reqwest::RequestBuilder,
    ) -> Result<T, StripeError> {
        let res = req
            .bearer_auth(&*self.secret)
            .header("Stripe-Version", API_VERSION)
            .send()
            .await
            .map_err(|e| StripeError::Network(e.without_url().to_string()))?;
        let status = res.status();
        let body = res
            .bytes()
            .await
            .map_err(|e| StripeError::Network(e.without_url().to_string()))?;
        if status.as_u16() == 401 {
            return Err(StripeError::Unauthorized);
        }
        if !status.is_success() {
            let detail = serde_json::from_slice::<ErrorBody>(&body).ok();
            return Err(StripeError::Refused {
                status: status.as_u16(),
                code: detail
                    .as_ref()
                    .and_then(|d| d.error.code.clone().or(d.error.kind.clone()))
                    .unwrap_or_default(),
                message: detail
                    .and_then(|d| d.error.message)
                    .unwrap_or_else(|| status.to_string()),
            });
        }
        serde_json::from_slice(&body).map_err(|e| StripeError::Network(e.to_string()))
    }

    fn get(&self, path: &str) -> reqwest::RequestBuilder {
        self.http.get(format!("{}{path}", self.base))
    }

    fn post(&self, path: &str) -> reqwest::RequestBuilder {
        self.http.post(format!("{}{path}", self.base))
    }

    /// The account the key belongs to: the connection test.
    pub async fn account(&self) -> Result<Account, StripeError> {
        self.send(self.get("/v1/account")).await
    }

    pub async fn create_checkout(
        &self,
        c: &NewCheckout<'_>,
    ) -> Result<CheckoutSession, StripeError> {
        let mut form: Vec<(String, String)> = vec![
            ("mode".into(), "payment".into()),
            ("line_items[0][quantity]".into(), "1".into()),
            ("line_items[0][price_data][currency]".into(), "eur".into()),
            (
                "line_items[0][price_data][unit_amount]".into(),
                c.amount_cents.to_string(),
            ),
            (
                "line_items[0][price_data][product_data][name]".into(),
                c.description.into(),
            ),
            ("success_url".into(), c.success_url.into()),
            ("cancel_url".into(), c.cancel_url.into()),
            ("client_reference_id".into(), c.client_reference_id.into()),
            ("locale".into(), c.locale.into()),
            ("expires_at".into(), c.expires_at.to_string()),
            (
                "payment_intent_data[statement_descriptor]".into(),
                c.statement_descriptor.into(),
            ),
        ];
        for (i, m) in c.methods.iter().enumerate() {
            form.push((format!("payment_method_types[{i}]"), (*m).into()));
        }
        if let Some(e) = c.customer_email {
            form.push(("customer_email".into(), e.into()));
        }
        for (k, v) in c.metadata {
            form.push((format!("metadata[{k}]"), (*v).into()));
            form.push((format!("payment_intent_data[metadata][{k}]"), (*v).into()));
        }
        self.send(
            self.post("/v1/checkout/sessions")
                .header("Idempotency-Key", c.idempotency_key)
                .form(&form),
        )
        .await
    }

    /// A Checkout Session with its payment intent, charge and balance transaction.
    pub async fn checkout(&self, id: &str) -> Result<CheckoutSession, StripeError> {
        self.send(self.get(&format!("/v1/checkout/sessions/{id}")).query(&[(
            "expand[]",
            "payment_intent.latest_charge.balance_transaction",
        )]))
        .await
    }

    /// Closes an open Checkout Session (the visitor gave up; the cart is theirs again).
    pub async fn expire_checkout(&self, id: &str) -> Result<CheckoutSession, StripeError> {
        self.send(self.post(&format!("/v1/checkout/sessions/{id}/expire")))
            .await
    }

    pub async fn payment_intent(&self, id: &str) -> Result<PaymentIntent, StripeError> {
        self.send(
            self.get(&format!("/v1/payment_intents/{id}"))
                .query(&[("expand[]", "latest_charge.balance_transaction")]),
        )
        .await
    }

    pub async fn balance_transaction(&self, id: &str) -> Result<BalanceTransaction, StripeError> {
        self.send(self.get(&format!("/v1/balance_transactions/{id}")))
            .await
    }

    /// Refunds `amount_cents` of a payment intent; `idempotency_key` makes a request sent
    /// again one refund.
    pub async fn create_refund(
        &self,
        payment_intent: &str,
        amount_cents: i64,
        metadata: &[(&str, &str)],
        idempotency_key: &str,
    ) -> Result<Refund, StripeError> {
        let mut form: Vec<(String, String)> = vec![
            ("payment_intent".into(), payment_intent.into()),
            ("amount".into(), amount_cents.to_string()),
        ];
        for (k, v) in metadata {
            form.push((format!("metadata[{k}]"), (*v).into()));
        }
        self.send(
            self.post("/v1/refunds")
                .header("Idempotency-Key", idempotency_key)
                .form(&form),
        )
        .await
    }

    pub async fn refund(&self, id: &str) -> Result<Refund, StripeError> {
        self.send(
            self.get(&format!("/v1/refunds/{id}"))
                .query(&[("expand[]", "balance_transaction")]),
        )
        .await
    }

    /// Payouts created since `created_gte` (seconds), a page of 100 after `starting_after`.
    pub async fn payouts(
        &self,
        created_gte: i64,
        starting_after: Option<&str>,
    ) -> Result<List<Payout>, StripeError> {
        let mut q = vec![
            ("limit".to_owned(), "100".to_owned()),
            ("created[gte]".to_owned(), created_gte.to_string()),
        ];
        if let Some(s) = starting_after {
            q.push(("starting_after".into(), s.into()));
        }
        self.send(self.get("/v1/payouts").query(&q)).await
    }

    pub async fn payout(&self, id: &str) -> Result<Payout, StripeError> {
        self.send(self.get(&format!("/v1/payouts/{id}"))).await
    }

    /// The balance transactions a payout carries, a page of 100 after `starting_after`.
    pub async fn payout_transactions(
        &self,
        payout: &str,
        starting_after: Option<&str>,
    ) -> Result<List<BalanceTransaction>, StripeError> {
        let mut q = vec![
            ("limit".to_owned(), "100".to_owned()),
            ("payout".to_owned(), payout.to_owned()),
        ];
        if let Some(s) = starting_after {
            q.push(("starting_after".into(), s.into()));
        }
        self.send(self.get("/v1/balance_transactions").query(&q))
            .await
    }
}
