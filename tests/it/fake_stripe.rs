//! A fake Stripe for the tests (issue 17 §5): the subset of Stripe's API that Guichet uses
//! (Checkout Sessions, payment intents with their charge and balance transaction, refunds,
//! payouts and their balance transactions, the account), a payment page that pays or gives
//! up, and webhooks signed exactly as Stripe documents (`Stripe-Signature: t=…,v1=…`,
//! HMAC-SHA256 over `"{t}.{body}"`). It listens on 127.0.0.1 and keeps everything in memory.

use axum::Form;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub const SECRET_KEY: &str = "sk_test_fake_51Guichet";
pub const WEBHOOK_SECRET: &str = "whsec_fake_guichet";

#[derive(Default)]
struct Data {
    next: u64,
    sessions: HashMap<String, Value>,
    intents: HashMap<String, Value>,
    charges: HashMap<String, Value>,
    balance: HashMap<String, Value>,
    refunds: HashMap<String, Value>,
    payouts: Vec<Value>,
    /// Payout id → its balance transactions.
    payout_lines: HashMap<String, Vec<Value>>,
    idempotency: HashMap<String, Value>,
    /// Where webhooks go (Guichet's `/webhooks/stripe/{org}`).
    webhook_url: String,
    /// Basis points of the fee Stripe takes (the seed's 3 %), and a fee to take instead on
    /// the next charge (to test a fee that differs from the rule).
    fee_bp: i64,
    next_fee: Option<i64>,
    /// Charges get their balance transaction only later ([`FakeStripe::settle_balances`]),
    /// as Stripe's sometimes do.
    balance_later: bool,
    /// Balance transactions held back: charge → transaction.
    held_balance: Vec<(String, String)>,
    /// Refunds succeed at once rather than staying pending.
    refunds_succeed: bool,
    /// Refunds are refused (Stripe's `charge_already_refunded` or similar).
    refunds_refused: bool,
    /// Requests received: (method, path).
    pub requests: Vec<(String, String)>,
}

#[derive(Clone)]
pub struct FakeStripe {
    pub base: String,
    data: Arc<Mutex<Data>>,
    http: reqwest::Client,
}

fn fee(amount: i64, bp: i64) -> i64 {
    guichet_domain::stripe::expected_fee_cents(amount, bp)
}

impl FakeStripe {
    pub async fn start() -> FakeStripe {
        guichet_integrations::stripe::install_default_tls();
        let data = Arc::new(Mutex::new(Data {
            fee_bp: 300,
            ..Data::default()
        }));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let fake = FakeStripe {
            base,
            data,
            http: reqwest::Client::new(),
        };
        let router = Router::new()
            .route("/v1/account", get(account))
            .route("/v1/checkout/sessions", post(create_session))
            .route("/v1/checkout/sessions/{id}", get(get_session))
            .route("/v1/checkout/sessions/{id}/expire", post(expire_session))
            .route("/v1/payment_intents/{id}", get(get_intent))
            .route("/v1/refunds", post(create_refund))
            .route("/v1/refunds/{id}", get(get_refund))
            .route("/v1/payouts", get(list_payouts))
            .route("/v1/payouts/{id}", get(get_payout))
            .route("/v1/balance_transactions", get(list_balance))
            .route("/v1/balance_transactions/{id}", get(get_balance))
            .route("/pay/{id}", get(pay_page).post(pay))
            .with_state(fake.clone());
        tokio::spawn(async move {
            axum::serve(listener, router).await.unwrap();
        });
        fake
    }

    pub fn set_webhook_url(&self, url: &str) {
        self.data.lock().unwrap().webhook_url = url.to_owned();
    }

    pub fn set_next_fee(&self, cents: i64) {
        self.data.lock().unwrap().next_fee = Some(cents);
    }

    pub fn set_balance_later(&self, yes: bool) {
        self.data.lock().unwrap().balance_later = yes;
    }

    /// The held-back balance transactions appear on their charges.
    pub fn settle_balances(&self) {
        let mut d = self.data.lock().unwrap();
        for (ch, txn) in std::mem::take(&mut d.held_balance) {
            if let Some(c) = d.charges.get_mut(&ch) {
                c["balance_transaction"] = json!(txn);
            }
        }
    }

    pub fn set_refunds_succeed(&self, yes: bool) {
        self.data.lock().unwrap().refunds_succeed = yes;
    }

    pub fn set_refunds_refused(&self, yes: bool) {
        self.data.lock().unwrap().refunds_refused = yes;
    }

    pub fn requests(&self) -> Vec<(String, String)> {
        self.data.lock().unwrap().requests.clone()
    }

    pub fn session(&self, id: &str) -> Option<Value> {
        self.data.lock().unwrap().sessions.get(id).cloned()
    }

    /// The last Checkout Session made.
    pub fn last_session(&self) -> Option<Value> {
        let d = self.data.lock().unwrap();
        d.sessions
            .values()
            .max_by_key(|s| s["created"].as_i64().unwrap_or(0))
            .cloned()
    }

    pub fn refunds(&self) -> Vec<Value> {
        self.data
            .lock()
            .unwrap()
            .refunds
            .values()
            .cloned()
            .collect()
    }

    /// The visitor pays the session at Stripe (`card`, `bancontact`, `ideal`): the payment
    /// intent, its charge and balance transaction are made, and the completed session's
    /// event is returned (not sent).
    pub fn complete(&self, session: &str, method: &str) -> Value {
        let mut d = self.data.lock().unwrap();
        let s = d.sessions.get(session).cloned().expect("session");
        assert_eq!(s["status"], "open", "a session is paid once");
        let amount = s["amount_total"].as_i64().unwrap();
        d.next += 1;
        let n = d.next;
        let fee_cents = d.next_fee.take().unwrap_or_else(|| fee(amount, d.fee_bp));
        let (pi, ch, txn) = (format!("pi_{n}"), format!("ch_{n}"), format!("txn_{n}"));
        let now = jiff::Timestamp::now().as_second();
        d.balance.insert(
            txn.clone(),
            json!({"id": txn, "object": "balance_transaction", "amount": amount, "fee": fee_cents,
                   "net": amount - fee_cents, "type": "charge", "source": ch, "created": now}),
        );
        let shown = if d.balance_later {
            d.held_balance.push((ch.clone(), txn.clone()));
            Value::Null
        } else {
            json!(txn)
        };
        d.charges.insert(
            ch.clone(),
            json!({"id": ch, "object": "charge", "amount": amount, "payment_intent": pi,
                   "balance_transaction": shown, "payment_method_details": {"type": method}}),
        );
        d.intents.insert(
            pi.clone(),
            json!({"id": pi, "object": "payment_intent", "amount": amount, "status": "succeeded",
                   "latest_charge": ch, "metadata": s["metadata"].clone()}),
        );
        let s = d.sessions.get_mut(session).unwrap();
        s["status"] = json!("complete");
        s["payment_status"] = json!("paid");
        s["payment_intent"] = json!(pi);
        let object = s.clone();
        drop(d);
        self.event("checkout.session.completed", object)
    }

    /// The session ran out at Stripe; its event.
    pub fn expire(&self, session: &str) -> Value {
        let mut d = self.data.lock().unwrap();
        let s = d.sessions.get_mut(session).expect("session");
        s["status"] = json!("expired");
        let object = s.clone();
        drop(d);
        self.event("checkout.session.expired", object)
    }

    /// Stripe settles a pending refund; its `refund.updated` event.
    pub fn settle_refund(&self, id: &str, status: &str) -> Value {
        let mut d = self.data.lock().unwrap();
        let r = d.refunds.get_mut(id).expect("refund");
        r["status"] = json!(status);
        if status == "failed" {
            r["failure_reason"] = json!("expired_or_canceled_card");
        }
        let object = r.clone();
        drop(d);
        self.event("refund.updated", object)
    }

    /// A payout batch: `lines` are (source, gross, fee) of its balance transactions;
    /// `arrival` is Stripe's expected arrival (seconds) or none. Returns its event.
    pub fn add_payout(
        &self,
        id: &str,
        created: i64,
        arrival: Option<i64>,
        amount: i64,
        status: &str,
        lines: &[(&str, i64, i64)],
    ) -> Value {
        let mut d = self.data.lock().unwrap();
        let payout = json!({"id": id, "object": "payout", "amount": amount, "arrival_date": arrival,
                            "created": created, "status": status, "automatic": true});
        d.payouts.push(payout.clone());
        let mut txns: Vec<Value> = lines
            .iter()
            .enumerate()
            .map(|(i, (source, gross, fee))| {
                json!({"id": format!("txn_{id}_{i}"), "object": "balance_transaction",
                       "amount": gross, "fee": fee, "net": gross - fee,
                       "type": if source.starts_with("re_") { "refund" } else { "charge" },
                       "source": source, "created": created})
            })
            .collect();
        txns.push(
            json!({"id": format!("txn_{id}_payout"), "object": "balance_transaction",
                         "amount": -amount, "fee": 0, "net": -amount, "type": "payout",
                         "source": id, "created": created}),
        );
        d.payout_lines.insert(id.to_owned(), txns);
        drop(d);
        let kind = match status {
            "paid" | "failed" | "canceled" => format!("payout.{status}"),
            _ => "payout.updated".to_owned(),
        };
        self.event(&kind, payout)
    }

    /// An event as Stripe sends it.
    pub fn event(&self, kind: &str, object: Value) -> Value {
        let mut d = self.data.lock().unwrap();
        d.next += 1;
        json!({"id": format!("evt_{}", d.next), "object": "event", "type": kind,
               "created": jiff::Timestamp::now().as_second(), "api_version": "2024-06-20",
               "data": {"object": object}})
    }

    /// Sends an event to Guichet signed with `secret` at `timestamp`; (status, body).
    pub async fn deliver_signed(
        &self,
        event: &Value,
        secret: &str,
        timestamp: i64,
    ) -> (u16, String) {
        let body = serde_json::to_vec(event).unwrap();
        let header = guichet_domain::stripe::signature_header(secret, timestamp, &body);
        self.deliver_raw(&body, &header).await
    }

    pub async fn deliver_raw(&self, body: &[u8], signature: &str) -> (u16, String) {
        let url = self.data.lock().unwrap().webhook_url.clone();
        let r = self
            .http
            .post(url)
            .header("stripe-signature", signature)
            .header("content-type", "application/json")
            .body(body.to_vec())
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    /// Sends an event as Stripe does: signed now with the endpoint's secret.
    pub async fn deliver(&self, event: &Value) -> (u16, String) {
        self.deliver_signed(event, WEBHOOK_SECRET, jiff::Timestamp::now().as_second())
            .await
    }
}

/// The refusal of a request without the fake's secret key; `None`: it may go on.
fn refused(f: &FakeStripe, headers: &HeaderMap, method: &str, path: &str) -> Option<Response> {
    f.data
        .lock()
        .unwrap()
        .requests
        .push((method.to_owned(), path.to_owned()));
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if auth != format!("Bearer {SECRET_KEY}") {
        return Some((
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({"error": {"type": "invalid_request_error", "message": "Invalid API Key provided"}})),
        )
            .into_response());
    }
    None
}

fn not_found(what: &str) -> Response {
    (
        StatusCode::NOT_FOUND,
        axum::Json(
            json!({"error": {"type": "invalid_request_error", "code": "resource_missing",
                                    "message": format!("No such {what}")}}),
        ),
    )
        .into_response()
}

async fn account(State(f): State<FakeStripe>, headers: HeaderMap) -> Response {
    if let Some(r) = refused(&f, &headers, "GET", "/v1/account") {
        return r;
    }
    axum::Json(json!({"id": "acct_fake", "object": "account",
                      "settings": {"dashboard": {"display_name": "Grottes de Han (test)"}}}))
    .into_response()
}

fn form_map(form: &[(String, String)]) -> HashMap<String, String> {
    form.iter().cloned().collect()
}

fn metadata(form: &[(String, String)], prefix: &str) -> Value {
    let mut m = serde_json::Map::new();
    for (k, v) in form {
        if let Some(key) = k.strip_prefix(prefix).and_then(|r| r.strip_suffix(']')) {
            m.insert(key.to_owned(), json!(v));
        }
    }
    Value::Object(m)
}

async fn create_session(
    State(f): State<FakeStripe>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    if let Some(r) = refused(&f, &headers, "POST", "/v1/checkout/sessions") {
        return r;
    }
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut d = f.data.lock().unwrap();
    if let Some(k) = &key
        && let Some(v) = d.idempotency.get(k)
    {
        return axum::Json(v.clone()).into_response();
    }
    let m = form_map(&form);
    let amount: i64 = m
        .get("line_items[0][price_data][unit_amount]")
        .and_then(|a| a.parse().ok())
        .unwrap_or(0);
    let now = jiff::Timestamp::now().as_second();
    let expires: i64 = m
        .get("expires_at")
        .and_then(|a| a.parse().ok())
        .unwrap_or(0);
    if amount <= 0 || expires < now + 1_790 || expires > now + 86_400 {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"error": {"type": "invalid_request_error", "code": "parameter_invalid_integer",
                                        "message": "amount or expires_at out of range"}})),
        )
            .into_response();
    }
    d.next += 1;
    let id = format!("cs_test_{}", d.next);
    let methods: Vec<String> = form
        .iter()
        .filter(|(k, _)| k.starts_with("payment_method_types["))
        .map(|(_, v)| v.clone())
        .collect();
    let session = json!({
        "id": id, "object": "checkout.session", "url": format!("{}/pay/{id}", f.base),
        "status": "open", "payment_status": "unpaid", "amount_total": amount,
        "client_reference_id": m.get("client_reference_id"), "customer_email": m.get("customer_email"),
        "success_url": m.get("success_url"), "cancel_url": m.get("cancel_url"),
        "locale": m.get("locale"), "expires_at": expires, "created": d.next,
        "payment_method_types": methods,
        "statement_descriptor": m.get("payment_intent_data[statement_descriptor]"),
        "metadata": metadata(&form, "metadata["), "payment_intent": null,
        "product": m.get("line_items[0][price_data][product_data][name]"),
    });
    d.sessions.insert(id, session.clone());
    if let Some(k) = key {
        d.idempotency.insert(k, session.clone());
    }
    axum::Json(session).into_response()
}

/// The session with its payment intent, charge and balance transaction expanded (Guichet
/// always asks for them).
fn expanded_session(d: &Data, s: &Value) -> Value {
    let mut s = s.clone();
    if let Some(pi) = s["payment_intent"].as_str().and_then(|p| d.intents.get(p)) {
        s["payment_intent"] = expanded_intent(d, pi);
    }
    s
}

fn expanded_intent(d: &Data, pi: &Value) -> Value {
    let mut pi = pi.clone();
    if let Some(ch) = pi["latest_charge"].as_str().and_then(|c| d.charges.get(c)) {
        let mut ch = ch.clone();
        if let Some(b) = ch["balance_transaction"]
            .as_str()
            .and_then(|b| d.balance.get(b))
        {
            ch["balance_transaction"] = b.clone();
        }
        pi["latest_charge"] = ch;
    }
    pi
}

async fn get_session(
    State(f): State<FakeStripe>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Some(r) = refused(&f, &headers, "GET", &format!("/v1/checkout/sessions/{id}")) {
        return r;
    }
    let d = f.data.lock().unwrap();
    match d.sessions.get(&id) {
        Some(s) => axum::Json(expanded_session(&d, s)).into_response(),
        None => not_found("checkout.session"),
    }
}

async fn expire_session(
    State(f): State<FakeStripe>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Some(r) = refused(
        &f,
        &headers,
        "POST",
        &format!("/v1/checkout/sessions/{id}/expire"),
    ) {
        return r;
    }
    let mut d = f.data.lock().unwrap();
    let Some(s) = d.sessions.get_mut(&id) else {
        return not_found("checkout.session");
    };
    if s["status"] != "open" {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"error": {"type": "invalid_request_error", "code": "checkout_session_not_open",
                                        "message": "Only open sessions can be expired"}})),
        )
            .into_response();
    }
    s["status"] = json!("expired");
    axum::Json(s.clone()).into_response()
}

async fn get_intent(
    State(f): State<FakeStripe>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Some(r) = refused(&f, &headers, "GET", &format!("/v1/payment_intents/{id}")) {
        return r;
    }
    let d = f.data.lock().unwrap();
    match d.intents.get(&id) {
        Some(pi) => axum::Json(expanded_intent(&d, pi)).into_response(),
        None => not_found("payment_intent"),
    }
}

async fn create_refund(
    State(f): State<FakeStripe>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    if let Some(r) = refused(&f, &headers, "POST", "/v1/refunds") {
        return r;
    }
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut d = f.data.lock().unwrap();
    if let Some(k) = &key
        && let Some(v) = d.idempotency.get(k)
    {
        return axum::Json(v.clone()).into_response();
    }
    if d.refunds_refused {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(
                json!({"error": {"type": "invalid_request_error", "code": "charge_disputed",
                                        "message": "This charge is disputed"}}),
            ),
        )
            .into_response();
    }
    let m = form_map(&form);
    let pi = m.get("payment_intent").cloned().unwrap_or_default();
    let amount: i64 = m.get("amount").and_then(|a| a.parse().ok()).unwrap_or(0);
    let Some(intent) = d.intents.get(&pi).cloned() else {
        return not_found("payment_intent");
    };
    let refunded: i64 = d
        .refunds
        .values()
        .filter(|r| r["payment_intent"] == pi.as_str() && r["status"] != "failed")
        .map(|r| r["amount"].as_i64().unwrap_or(0))
        .sum();
    if amount <= 0 || refunded + amount > intent["amount"].as_i64().unwrap_or(0) {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"error": {"type": "invalid_request_error", "code": "amount_too_large",
                                        "message": "Refund amount is greater than unrefunded amount on charge"}})),
        )
            .into_response();
    }
    d.next += 1;
    let id = format!("re_{}", d.next);
    let txn = format!("txn_re_{}", d.next);
    d.balance.insert(
        txn.clone(),
        json!({"id": txn, "object": "balance_transaction", "amount": -amount, "fee": 0, "net": -amount,
               "type": "refund", "source": id, "created": jiff::Timestamp::now().as_second()}),
    );
    let status = if d.refunds_succeed {
        "succeeded"
    } else {
        "pending"
    };
    let refund = json!({"id": id, "object": "refund", "amount": amount, "status": status,
                        "payment_intent": pi, "charge": intent["latest_charge"], "failure_reason": null,
                        "balance_transaction": txn, "metadata": metadata(&form, "metadata[")});
    d.refunds.insert(id, refund.clone());
    if let Some(k) = key {
        d.idempotency.insert(k, refund.clone());
    }
    axum::Json(refund).into_response()
}

async fn get_refund(
    State(f): State<FakeStripe>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Some(r) = refused(&f, &headers, "GET", &format!("/v1/refunds/{id}")) {
        return r;
    }
    let d = f.data.lock().unwrap();
    match d.refunds.get(&id) {
        Some(r) => {
            let mut r = r.clone();
            if let Some(b) = r["balance_transaction"]
                .as_str()
                .and_then(|b| d.balance.get(b))
            {
                r["balance_transaction"] = b.clone();
            }
            axum::Json(r).into_response()
        }
        None => not_found("refund"),
    }
}

async fn list_payouts(
    State(f): State<FakeStripe>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if let Some(r) = refused(&f, &headers, "GET", "/v1/payouts") {
        return r;
    }
    let since: i64 = q
        .get("created[gte]")
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let d = f.data.lock().unwrap();
    let data: Vec<Value> = d
        .payouts
        .iter()
        .filter(|p| p["created"].as_i64().unwrap_or(0) >= since)
        .cloned()
        .collect();
    axum::Json(json!({"object": "list", "data": data, "has_more": false})).into_response()
}

async fn get_payout(
    State(f): State<FakeStripe>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Some(r) = refused(&f, &headers, "GET", &format!("/v1/payouts/{id}")) {
        return r;
    }
    let d = f.data.lock().unwrap();
    match d.payouts.iter().find(|p| p["id"] == id.as_str()) {
        Some(p) => axum::Json(p.clone()).into_response(),
        None => not_found("payout"),
    }
}

async fn list_balance(
    State(f): State<FakeStripe>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if let Some(r) = refused(&f, &headers, "GET", "/v1/balance_transactions") {
        return r;
    }
    let d = f.data.lock().unwrap();
    let data = q
        .get("payout")
        .and_then(|p| d.payout_lines.get(p))
        .cloned()
        .unwrap_or_default();
    axum::Json(json!({"object": "list", "data": data, "has_more": false})).into_response()
}

async fn get_balance(
    State(f): State<FakeStripe>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Some(r) = refused(
        &f,
        &headers,
        "GET",
        &format!("/v1/balance_transactions/{id}"),
    ) {
        return r;
    }
    let d = f.data.lock().unwrap();
    match d.balance.get(&id) {
        Some(b) => axum::Json(b.clone()).into_response(),
        None => not_found("balance_transaction"),
    }
}

/// Stripe's payment page, as the visitor sees it.
async fn pay_page(State(f): State<FakeStripe>, Path(id): Path<String>) -> Response {
    let Some(s) = f.session(&id) else {
        return (StatusCode::NOT_FOUND, "no such session").into_response();
    };
    let amount = s["amount_total"].as_i64().unwrap_or(0);
    let methods = s["payment_method_types"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let options: String = methods
        .iter()
        .filter_map(|m| m.as_str())
        .map(|m| {
            format!(
                "<button type=\"submit\" name=\"method\" value=\"{m}\" id=\"pay-{m}\">{m}</button>"
            )
        })
        .collect();
    Html(format!(
        "<!doctype html><html><head><meta name=\"viewport\" content=\"width=device-width\"><title>Fake Stripe</title></head>\
         <body><h1 id=\"fake-stripe\">Fake Stripe</h1><p>{}</p><p id=\"fake-amount\">{}.{:02} EUR</p>\
         <form method=\"post\">{options}</form><p><a id=\"fake-cancel\" href=\"{}\">Back</a></p></body></html>",
        s["product"].as_str().unwrap_or_default(),
        amount / 100,
        amount % 100,
        s["cancel_url"].as_str().unwrap_or_default(),
    ))
    .into_response()
}

/// The visitor pays: the session completes, its webhook goes to Guichet, and the visitor
/// goes back to the success address.
async fn pay(
    State(f): State<FakeStripe>,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let method = form.get("method").cloned().unwrap_or_else(|| "card".into());
    let event = f.complete(&id, &method);
    let (status, body) = f.deliver(&event).await;
    assert_eq!(status, 200, "Guichet takes the webhook: {body}");
    let success = f
        .session(&id)
        .and_then(|s| s["success_url"].as_str().map(str::to_owned))
        .unwrap_or_default();
    Redirect::to(&success).into_response()
}
