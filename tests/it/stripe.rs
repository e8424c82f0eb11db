//! Online payment through Stripe (issue 17), against the fake Stripe of
//! [`crate::fake_stripe`]: the account's settings, a paid booking confirmed by the webhook
//! (signatures, duplicate and concurrent deliveries), a payment after its hold ran out,
//! refunds in full and in part, fees checked against the rule, and the seed's payout batches
//! reconciled. On SQLite, and on PostgreSQL with `GUICHET_TEST_DATABASE_URL`.

use crate::booking::{
    Attraction, Browser, by_id, cart_token, config, generous, journal_verifies, setup,
};
use crate::booking_mail::count;
use crate::fake_stripe::{FakeStripe, SECRET_KEY, WEBHOOK_SECRET};
use crate::harness::{Api, OrgFixture, TestApp, login, spawn_server, today};
use guichet_app::AppConfig;
use guichet_integrations::sealed::SealingKey;
use serde_json::{Value, json};
use std::time::Duration;

pub(crate) fn stripe_config(fake: &FakeStripe, app: AppConfig) -> guichet::ServerConfig {
    let public_url = if app.public_url == AppConfig::default().public_url {
        "https://guichet.example".to_owned()
    } else {
        app.public_url.clone()
    };
    config(
        AppConfig {
            sealing_key: Some(SealingKey::from_bytes([7; 32])),
            stripe_api: fake.base.clone(),
            public_url,
            ..app
        },
        generous(),
    )
}

/// The admin sets the fake's keys up, and the fake sends its webhooks to the organization.
pub(crate) async fn connect(app: &TestApp, org: &OrgFixture, fake: &FakeStripe) {
    let admin = login(app, &org.admin).await;
    let r = admin
        .post(app.url("/account/virtual-terminal"))
        .form(&[
            ("secret_key", SECRET_KEY),
            ("webhook_secret", WEBHOOK_SECRET),
            ("statement_descriptor", ""),
            ("fee_percent", "3"),
            ("revenue_account", "700000"),
            ("fees_account", "650000"),
            ("bank_account", "580000"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    let api = Api::new(app, org, "admin").await;
    let slug = api.ok("/api/v1/organization").await["slug"]
        .as_str()
        .unwrap()
        .to_owned();
    fake.set_webhook_url(&app.url(&format!("/webhooks/stripe/{slug}")));
}

/// The body of a page the signed-in `client` gets (or posts to, with no form).
async fn page_of(client: &reqwest::Client, app: &TestApp, path: &str, post: bool) -> String {
    let r = if post {
        client.post(app.url(path))
    } else {
        client.get(app.url(path))
    };
    r.send().await.unwrap().text().await.unwrap()
}

/// The visitor chooses `adults` places, gives their details and is handed to Stripe: the
/// cart's address and the Checkout Session.
async fn at_stripe(
    v: &Browser<'_>,
    s: &Attraction,
    fake: &FakeStripe,
    adults: i64,
    email: &str,
) -> (String, Value) {
    let cart = cart_token();
    let p = v.choose(s, &cart, adults, 0).await;
    assert_eq!(p.status, 303, "{}", p.body);
    let cart_path = format!("{}/cart/{cart}", s.book);
    let p = v.book(&cart_path, email).await;
    assert_eq!(p.location, format!("{cart_path}/pay"), "{}", p.body);
    let p = v.get(&format!("{cart_path}/pay")).await;
    let session = fake.last_session().expect("a Checkout Session");
    let url = session["url"].as_str().unwrap();
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(
        p.body.contains(&format!("content=\"0;url={url}\""))
            && p.body.contains(&format!("href=\"{url}\" target=\"_top\"")),
        "straight on to Stripe's page, or a tap away: {}",
        p.body
    );
    (cart_path, session)
}

/// The orders made today, from the API.
async fn orders_today(api: &Api<'_>) -> Vec<Value> {
    api.ok(&format!("/api/v1/orders?from={0}&to={0}", today()))
        .await["items"]
        .as_array()
        .unwrap()
        .clone()
}

async fn set_holds_expired(app: &TestApp) {
    app.store
        .write(|tx| {
            Box::pin(async move {
                guichet_store::on_tx!(tx, c => sqlx::query("UPDATE holds SET expires_at = 1")
                    .execute(c).await?.rows_affected());
                Ok(())
            })
        })
        .await
        .unwrap();
}

#[tokio::test]
async fn the_keys_are_sealed_checked_tested_and_never_shown_again() {
    let fake = FakeStripe::start().await;
    let app = spawn_server(stripe_config(&fake, AppConfig::default())).await;
    let (a, _) = setup(&app, 20, "full").await;
    let admin = login(&app, &a.admin).await;
    let page = admin
        .get(app.url("/account/virtual-terminal"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let body = page.text().await.unwrap();
    assert!(body.contains("id=\"stripe-not-configured\""), "{body}");
    assert!(
        body.contains("GROTTES DE HAN"),
        "the default descriptor: {body}"
    );
    let manager = login(&app, &a.manager).await;
    let r = manager
        .get(app.url("/account/virtual-terminal"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "only an admin sets up payments");

    // Every bad field gets its message, and nothing is stored.
    let r = admin
        .post(app.url("/account/virtual-terminal"))
        .form(&[
            ("secret_key", "pk_live_123"),
            ("webhook_secret", "secret"),
            ("statement_descriptor", "Grottes <Han>"),
            ("fee_percent", "120"),
            ("revenue_account", "70 00 00"),
            ("fees_account", "650000"),
            ("bank_account", "580000"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    for text in [
        "commence par sk_",
        "commence par whsec_",
        "caractères latins",
        "entre 0 et 100",
        "chiffres et lettres",
    ] {
        assert!(body.contains(text), "{text}: {body}");
    }
    assert_eq!(count(&app, "stripe_accounts").await, 0);

    connect(&app, &a, &fake).await;
    let body = page_of(&admin, &app, "/account/virtual-terminal", false).await;
    assert!(
        body.contains("sk_…uichet") || body.contains("sk_…"),
        "{body}"
    );
    assert!(
        !body.contains(SECRET_KEY) && !body.contains(WEBHOOK_SECRET),
        "never shown again"
    );
    let sealed: (String, String) = app
        .store
        .read(|tx| {
            Box::pin(async move {
                Ok(guichet_store::on_tx!(tx, c => sqlx::query_as(
                    "SELECT secret_key_sealed, webhook_secret_sealed FROM stripe_accounts")
                    .fetch_one(c).await?))
            })
        })
        .await
        .unwrap();
    assert!(
        !sealed.0.contains("sk_test") && !sealed.1.contains("whsec"),
        "sealed at rest"
    );

    // The connection test reaches the account with the key.
    let body = page_of(&admin, &app, "/account/virtual-terminal/test", true).await;
    assert!(body.contains("Grottes de Han (test)"), "{body}");
    assert!(
        fake.requests()
            .contains(&("GET".into(), "/v1/account".into()))
    );

    // A key Stripe refuses is said so; a blank webhook secret keeps the stored one.
    let r = admin
        .post(app.url("/account/virtual-terminal"))
        .form(&[
            ("secret_key", "sk_test_wrong"),
            ("webhook_secret", ""),
            ("statement_descriptor", "Grottes Han"),
            ("fee_percent", "2,9"),
            ("revenue_account", "700000"),
            ("fees_account", "650000"),
            ("bank_account", "580000"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let body = page_of(&admin, &app, "/account/virtual-terminal/test", true).await;
    assert!(body.contains("Stripe refuse la clé secrète"), "{body}");
    assert!(body.contains("2,9 %"), "{body}");
    app.stop().await;
}

#[tokio::test]
async fn a_visitor_pays_at_stripe_and_only_the_signed_webhook_books_once() {
    let fake = FakeStripe::start().await;
    let app = spawn_server(stripe_config(
        &fake,
        AppConfig {
            hold_duration: Duration::from_secs(1),
            hold_sweep_interval: Duration::from_millis(200),
            ..AppConfig::default()
        },
    ))
    .await;
    let (a, s) = setup(&app, 20, "full").await;
    connect(&app, &a, &fake).await;
    let api = Api::new(&app, &a, "manager").await;
    let v = Browser::new(&app);
    let (cart_path, session) = at_stripe(&v, &s, &fake, 2, "marie@example.be").await;
    assert_eq!(session["amount_total"], 2000);
    assert_eq!(session["locale"], "fr");
    assert_eq!(session["statement_descriptor"], "GROTTES DE HAN");
    assert_eq!(
        session["payment_method_types"],
        json!(["card", "bancontact"])
    );
    assert_eq!(session["customer_email"], "marie@example.be");
    assert_eq!(
        session["success_url"],
        format!("https://guichet.example{cart_path}/paid")
    );
    // The places stay held while the visitor is at Stripe, past the cart's own hold.
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert_eq!(s.places(&api).await, (0, 2));
    let p = v.get(&format!("{cart_path}/paid")).await;
    assert_eq!(p.status, 200);
    assert!(p.body.contains("id=\"book-stripe-waiting\""), "{}", p.body);

    // Forged, stale and malformed signatures change nothing, and all get the same answer.
    let event = fake.complete(session["id"].as_str().unwrap(), "bancontact");
    let now = jiff::Timestamp::now().as_second();
    for (secret, at) in [
        ("whsec_forged", now),
        (WEBHOOK_SECRET, now - 301),
        (WEBHOOK_SECRET, now + 400),
    ] {
        let (status, body) = fake.deliver_signed(&event, secret, at).await;
        assert_eq!(
            (status, body.as_str()),
            (400, r#"{"received":false,"code":"invalid_signature"}"#)
        );
    }
    let body = serde_json::to_vec(&event).unwrap();
    let (status, _) = fake.deliver_raw(&body, "v1=00").await;
    assert_eq!(status, 400);
    let mut tampered = event.clone();
    tampered["data"]["object"]["amount_total"] = json!(1);
    let good = guichet_domain::stripe::signature_header(WEBHOOK_SECRET, now, &body);
    let (status, _) = fake
        .deliver_raw(&serde_json::to_vec(&tampered).unwrap(), &good)
        .await;
    assert_eq!(status, 400, "a signature covers its own body only");
    assert!(orders_today(&api).await.is_empty());
    assert_eq!(s.places(&api).await, (0, 2));

    // The same event delivered 5 times at once: one order, one payment, one e-mail.
    let deliveries = (0..5).map(|_| fake.deliver(&event));
    let answers = futures_util::future::join_all(deliveries).await;
    for (status, body) in &answers {
        assert_eq!(*status, 200, "{body}");
    }
    let orders = orders_today(&api).await;
    assert_eq!(orders.len(), 1, "{orders:?}");
    let order = api
        .ok(&format!(
            "/api/v1/orders/{}",
            orders[0]["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(order["payments"].as_array().unwrap().len(), 1, "{order}");
    assert_eq!(order["payments"][0]["method"], "bancontact_online");
    assert_eq!(order["payments"][0]["amount_cents"], 2000);
    assert_eq!(order["collected_cents"], 2000);
    assert_eq!(count(&app, "outbox_emails").await, 1);
    assert_eq!(count(&app, "stripe_payments").await, 1);
    assert_eq!(s.places(&api).await, (2, 0));
    // Delivered again later (Stripe retries): already handled.
    let (status, body) = fake.deliver(&event).await;
    assert_eq!(
        (status, body.contains("already_handled")),
        (200, true),
        "{body}"
    );
    assert_eq!(orders_today(&api).await.len(), 1);

    // The return page now shows the confirmation.
    let p = v.get(&format!("{cart_path}/paid")).await;
    assert_eq!(p.location, format!("{cart_path}/done"));

    // Stripe's fee and net are on the order and on the Stripe page; a fee that is not the
    // rule's is flagged.
    let manager = login(&app, &a.manager).await;
    let id = order["id"].as_str().unwrap();
    let body = page_of(&manager, &app, &format!("/orders/{id}"), false).await;
    assert!(body.contains("0,60 €"), "3 % of 20,00: {body}");
    fake.set_next_fee(65);
    let (_, second) = at_stripe(&v, &s, &fake, 2, "paul@example.be").await;
    let e2 = fake.complete(second["id"].as_str().unwrap(), "card");
    assert_eq!(fake.deliver(&e2).await.0, 200);
    let body = page_of(&manager, &app, "/sales/stripe", false).await;
    assert!(body.contains("19,40 €"), "the net: {body}");
    assert!(
        body.contains("Carte en ligne") && body.contains("Bancontact en ligne"),
        "{body}"
    );
    assert_eq!(body.matches("Attendu : 0,60 €").count(), 1, "{body}");
    let csv = page_of(
        &manager,
        &app,
        "/sales/stripe/export?what=fees&format=csv",
        false,
    )
    .await;
    assert!(csv.starts_with('\u{feff}'), "BOM");
    assert!(csv.contains(";0,65;19,35;0,60;0,05;"), "{csv}");

    // Registers take no online method.
    let (status, p) = api
        .post(
            "/api/v1/orders",
            json!({"register_id": s.register, "lines": [{"offer_id": s.offer, "session_start": s.start, "item_id": s.adult, "quantity": 1}],
                   "payments": [{"method": "online_card", "amount": "10"}]}),
        )
        .await;
    assert_eq!(status, 422, "{p}");
    journal_verifies(&app).await;
    app.stop().await;
}

#[tokio::test]
async fn a_late_payment_books_while_places_are_free_and_is_refunded_when_they_are_gone() {
    let fake = FakeStripe::start().await;
    let app = spawn_server(stripe_config(
        &fake,
        AppConfig {
            hold_sweep_interval: Duration::from_millis(200),
            ..AppConfig::default()
        },
    ))
    .await;
    let (a, s) = setup(&app, 4, "full").await;
    connect(&app, &a, &fake).await;
    let api = Api::new(&app, &a, "manager").await;
    let v = Browser::new(&app);

    // Paid after its hold ran out, places still free: booked.
    let (_, first) = at_stripe(&v, &s, &fake, 2, "first@example.be").await;
    set_holds_expired(&app).await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(
        s.places(&api).await,
        (0, 0),
        "the hold gave its places back"
    );
    let e = fake.complete(first["id"].as_str().unwrap(), "card");
    assert_eq!(fake.deliver(&e).await.0, 200);
    assert_eq!(s.places(&api).await, (2, 0));

    // Paid after its hold ran out and the register sold the places meanwhile: refunded in
    // full, the visitor told, no order.
    let (_, second) = at_stripe(&v, &s, &fake, 2, "second@example.be").await;
    set_holds_expired(&app).await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    let (status, p) = api
        .post(
            "/api/v1/orders",
            json!({"register_id": s.register, "lines": [{"offer_id": s.offer, "session_start": s.start, "item_id": s.adult, "quantity": 2}],
                   "payments": [{"method": "cash", "amount": "20"}]}),
        )
        .await;
    assert_eq!(status, 201, "{p}");
    let mails_before = count(&app, "outbox_emails").await;
    let e = fake.complete(second["id"].as_str().unwrap(), "card");
    let deliveries = (0..3).map(|_| fake.deliver(&e));
    for (status, body) in futures_util::future::join_all(deliveries).await {
        assert_eq!(status, 200, "{body}");
    }
    let refunds = fake.refunds();
    assert_eq!(
        refunds.len(),
        1,
        "one refund, whatever the deliveries: {refunds:?}"
    );
    assert_eq!(refunds[0]["amount"], 2000);
    assert_eq!(
        refunds[0]["payment_intent"],
        e["data"]["object"]["payment_intent"]
    );
    assert_eq!(count(&app, "outbox_emails").await, mails_before + 1);
    assert_eq!(
        orders_today(&api).await.len(),
        2,
        "the first booking and the register's sale"
    );
    assert_eq!(s.places(&api).await, (4, 0));
    let manager = login(&app, &a.manager).await;
    let body = page_of(&manager, &app, "/sales/stripe", false).await;
    assert!(body.contains("paiement arrivé sans places"), "{body}");
    journal_verifies(&app).await;
    app.stop().await;
}

#[tokio::test]
async fn refunds_go_through_stripe_in_part_and_in_full_and_failures_show() {
    let fake = FakeStripe::start().await;
    let app = spawn_server(stripe_config(&fake, AppConfig::default())).await;
    let (a, s) = setup(&app, 20, "full").await;
    connect(&app, &a, &fake).await;
    let api = Api::new(&app, &a, "manager").await;
    let v = Browser::new(&app);
    let (_, session) = at_stripe(&v, &s, &fake, 2, "refund@example.be").await;
    let e = fake.complete(session["id"].as_str().unwrap(), "card");
    assert_eq!(fake.deliver(&e).await.0, 200);
    let id = orders_today(&api).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let manager = login(&app, &a.manager).await;

    // In part: asked, pending until Stripe says it succeeded, then a negative payment once.
    let r = manager
        .post(app.url(&format!("/orders/{id}/stripe-refund")))
        .form(&[("amount", "5")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    let re = fake.refunds()[0].clone();
    assert_eq!(re["amount"], 500);
    let body = page_of(&manager, &app, &format!("/orders/{id}"), false).await;
    assert!(body.contains("En cours"), "{body}");
    assert_eq!(
        api.ok(&format!("/api/v1/orders/{id}")).await["collected_cents"],
        2000
    );
    let settled = fake.settle_refund(re["id"].as_str().unwrap(), "succeeded");
    let deliveries = (0..3).map(|_| fake.deliver(&settled));
    for (status, body) in futures_util::future::join_all(deliveries).await {
        assert_eq!(status, 200, "{body}");
    }
    let order = api.ok(&format!("/api/v1/orders/{id}")).await;
    assert_eq!(order["collected_cents"], 1500, "{order}");
    let payments = order["payments"].as_array().unwrap();
    assert_eq!(payments.len(), 2);
    assert_eq!(payments[1]["amount_cents"], -500);
    assert_eq!(payments[1]["method"], "online_card");

    // The same through the API: the order's refunds, and another part refunded.
    let (status, list) = api
        .post(
            &format!("/api/v1/orders/{id}/stripe-refunds"),
            json!({"amount": "1"}),
        )
        .await;
    assert_eq!(status, 202, "{list}");
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(list[1]["status"], "pending");
    let re = fake
        .refunds()
        .into_iter()
        .find(|r| r["amount"] == 100)
        .unwrap();
    let settled = fake.settle_refund(re["id"].as_str().unwrap(), "succeeded");
    assert_eq!(fake.deliver(&settled).await.0, 200);
    assert_eq!(
        api.ok(&format!("/api/v1/orders/{id}")).await["collected_cents"],
        1400
    );
    let fees = api
        .ok(&format!(
            "/api/v1/stripe/fees?from={0}&to={0}&limit=2",
            today()
        ))
        .await;
    assert_eq!(fees["items"].as_array().unwrap().len(), 2, "{fees}");
    assert_eq!(fees["items"][0]["fee_cents"], 60);
    assert!(fees["next"].is_string(), "{fees}");

    // More than is left is refused.
    let r = manager
        .post(app.url(&format!("/orders/{id}/stripe-refund")))
        .form(&[("amount", "15")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("plus que ce qui a été encaissé")
    );

    // Cancelled by staff: the rest goes back through Stripe (as the confirmation says).
    let r = manager
        .post(app.url(&format!("/orders/{id}/cancel")))
        .form(&[("reason", "Grotte fermée (crue)")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let asked = r.text().await.unwrap();
    assert!(
        asked.contains("id=\"confirmed-cancel\"") && asked.contains("14,00 €"),
        "{asked}"
    );
    assert!(fake.refunds().iter().all(|r| r["amount"] != 1400));
    let r = manager
        .post(app.url(&format!("/orders/{id}/cancel")))
        .form(&[("reason", "Grotte fermée (crue)"), ("confirm", "yes")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    let rest = fake
        .refunds()
        .into_iter()
        .find(|r| r["amount"] == 1400)
        .expect("the rest refunded");
    let settled = fake.settle_refund(rest["id"].as_str().unwrap(), "succeeded");
    assert_eq!(fake.deliver(&settled).await.0, 200);
    let order = api.ok(&format!("/api/v1/orders/{id}")).await;
    assert_eq!(
        (order["state"].as_str(), order["collected_cents"].as_i64()),
        (Some("cancelled"), Some(0))
    );

    // A refund Stripe refuses is shown as failed on the order and the dashboard.
    let (_, session) = at_stripe(&v, &s, &fake, 1, "second@example.be").await;
    let e = fake.complete(session["id"].as_str().unwrap(), "card");
    assert_eq!(fake.deliver(&e).await.0, 200);
    let second = orders_today(&api)
        .await
        .into_iter()
        .find(|o| o["id"] != id.as_str())
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    fake.set_refunds_refused(true);
    let r = manager
        .post(app.url(&format!("/orders/{second}/cancel")))
        .form(&[("reason", "Demande du client"), ("confirm", "yes")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let body = page_of(&manager, &app, &format!("/orders/{second}"), false).await;
    assert!(
        body.contains("Échec") && body.contains("charge_disputed"),
        "{body}"
    );
    let body = page_of(&manager, &app, "/", false).await;
    assert!(
        body.contains("1 remboursement(s) Stripe en échec"),
        "{body}"
    );
    journal_verifies(&app).await;
    app.stop().await;
}

#[tokio::test]
async fn a_visitor_who_cancels_within_the_policy_is_refunded_through_stripe() {
    let fake = FakeStripe::start().await;
    fake.set_refunds_succeed(true);
    let app = spawn_server(stripe_config(&fake, AppConfig::default())).await;
    let (a, s) = setup(&app, 20, "full").await;
    connect(&app, &a, &fake).await;
    let api = Api::new(&app, &a, "manager").await;
    let v = Browser::new(&app);
    let (cart_path, session) = at_stripe(&v, &s, &fake, 1, "visit@example.be").await;
    let e = fake.complete(session["id"].as_str().unwrap(), "card");
    assert_eq!(fake.deliver(&e).await.0, 200);
    let done = v.get(&format!("{cart_path}/done")).await;
    let link = done
        .body
        .split("href=\"")
        .find(|h| h.contains("/booking/"))
        .unwrap();
    let page = link[link.find("/booking/").unwrap()..link.find('"').unwrap()].to_owned();
    let p = v.post(&format!("{page}/cancel"), &[]).await;
    assert_eq!(p.status, 303, "{}", p.body);
    let refunds = fake.refunds();
    assert_eq!(refunds.len(), 1);
    assert_eq!(refunds[0]["amount"], 1000);
    let id = orders_today(&api).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let order = api.ok(&format!("/api/v1/orders/{id}")).await;
    assert_eq!(order["collected_cents"], 0, "refunded at once: {order}");
    assert_eq!(by_id(&v.get(&page).await.body, "booking-state"), "Annulée");
    journal_verifies(&app).await;
    app.stop().await;
}

#[tokio::test]
async fn the_seed_payout_batches_reconcile_and_the_anomaly_is_flagged() {
    let fake = FakeStripe::start().await;
    let app = spawn_server(stripe_config(&fake, AppConfig::default())).await;
    let (a, _) = setup(&app, 20, "full").await;
    connect(&app, &a, &fake).await;
    // 13/03/2021 01:06:16 in Brussels: 7 payments, 192,00 gross, 5,76 fees, 186,24 net,
    // Stripe gives no arrival date.
    let at = |s: &str| {
        s.parse::<jiff::civil::DateTime>()
            .unwrap()
            .to_zoned(jiff::tz::TimeZone::get("Europe/Brussels").unwrap())
            .unwrap()
            .timestamp()
            .as_second()
    };
    let e = fake.add_payout(
        "po_130321",
        at("2021-03-13T01:06:16"),
        None,
        18_624,
        "paid",
        &[
            ("ch_P2103121831", 2400, 72),
            ("ch_P2103121622", 3900, 117),
            ("ch_P2103120629", 2600, 78),
            ("ch_P2103120445", 2500, 75),
            ("ch_P2103120395", 3150, 94),
            ("ch_P2103120221", 2400, 72),
            ("ch_P2103111039", 2250, 68),
        ],
    );
    assert_eq!(fake.deliver(&e).await.0, 200);
    // 09/03/2021: shown 49,50 for 50,00 − 1,50.
    let e = fake.add_payout(
        "po_090321",
        at("2021-03-09T02:00:00"),
        None,
        4_950,
        "paid",
        &[
            ("ch_a", 1250, 37),
            ("ch_b", 1250, 38),
            ("ch_c", 1250, 37),
            ("ch_d", 1250, 38),
        ],
    );
    assert_eq!(fake.deliver(&e).await.0, 200);
    // One with Stripe's own arrival date, still on its way.
    let e = fake.add_payout(
        "po_120321",
        at("2021-03-12T02:00:00"),
        Some(at("2021-03-16T12:00:00")),
        13_386,
        "in_transit",
        &[
            ("ch_e", 3450, 104),
            ("ch_f", 3450, 103),
            ("ch_g", 3450, 104),
            ("ch_h", 3450, 103),
        ],
    );
    assert_eq!(fake.deliver(&e).await.0, 200);

    let manager = login(&app, &a.manager).await;
    let body = page_of(
        &manager,
        &app,
        "/sales/stripe?from=2021-03-01&to=2021-03-31",
        false,
    )
    .await;
    let row = |id: &str| {
        let at = body[..body.find(&format!("data-payout=\"{id}\"")).unwrap()]
            .rfind("<tr")
            .unwrap();
        body[at..at + body[at..].find("</tr>").unwrap()].to_owned()
    };
    let r = row("po_130321");
    for text in [
        "13/03/2021",
        "186,24 €",
        "192,00 €",
        "5,76 €",
        ">7<",
        "18/03/2021",
        "Payé",
        "Correct",
    ] {
        assert!(r.contains(text), "{text} in {r}");
    }
    let r = row("po_090321");
    for text in [
        "09/03/2021",
        "49,50 €",
        "50,00 €",
        "1,50 €",
        "15/03/2021",
        "Écart de 1,00 €",
    ] {
        assert!(r.contains(text), "{text} in {r}");
    }
    assert!(r.contains("class=\"alert\""), "{r}");
    let r = row("po_120321");
    for text in [
        "133,86 €",
        "138,00 €",
        "4,14 €",
        "16/03/2021",
        "En cours",
        "Correct",
    ] {
        assert!(r.contains(text), "{text} in {r}");
    }
    let detail = page_of(&manager, &app, "/sales/stripe/payouts/po_130321", false).await;
    assert_eq!(detail.matches("<tr><td>").count(), 7, "{detail}");
    let csv = page_of(
        &manager,
        &app,
        "/sales/stripe/export?what=payouts&from=2021-03-01&to=2021-03-31&format=csv",
        false,
    )
    .await;
    assert!(
        csv.contains("13/03/2021;po_130321;Payé;192,00;5,76;186,24;7;18/03/2021;0,00"),
        "{csv}"
    );
    assert!(
        csv.contains("09/03/2021;po_090321;Payé;50,00;1,50;49,50;4;15/03/2021;1,00"),
        "{csv}"
    );
    let accounting =
        manager
            .get(app.url(
                "/sales/stripe/export?what=accounting&from=2021-03-01&to=2021-03-31&format=csv",
            ))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
    assert!(accounting.contains("13/03/2021;650000;"), "{accounting}");
    assert!(accounting.contains(";po_130321;5,76;"), "{accounting}");
    assert!(accounting.contains("13/03/2021;580000;"), "{accounting}");
    let xlsx = manager
        .get(app.url("/sales/stripe/export?what=payouts&from=2021-03-01&to=2021-03-31&format=xlsx"))
        .send()
        .await
        .unwrap();
    assert_eq!(xlsx.status(), 200);
    assert!(xlsx.bytes().await.unwrap().starts_with(b"PK"));
    // The same through the API, for an accounting tool.
    let api = Api::new(&app, &a, "manager").await;
    let payouts = api
        .ok("/api/v1/stripe/payouts?from=2021-03-01&to=2021-03-31")
        .await;
    let anomaly = payouts
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["payout"] == "po_090321")
        .unwrap()
        .clone();
    assert_eq!(
        (
            anomaly["net_cents"].as_i64(),
            anomaly["difference_cents"].as_i64()
        ),
        (Some(4950), Some(100)),
        "{anomaly}"
    );
    assert_eq!(anomaly["expected_arrival"], "2021-03-15");
    let (status, p) = api
        .get("/api/v1/stripe/payouts?from=2021-03-31&to=2021-03-01")
        .await;
    assert_eq!(
        (status, p["errors"][0]["code"].as_str()),
        (422, Some("before_from")),
        "{p}"
    );
    // A seller sees no Stripe page.
    let seller = login(&app, &a.seller).await;
    assert_eq!(
        seller
            .get(app.url("/sales/stripe"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    app.stop().await;
}

#[tokio::test]
async fn a_session_that_expires_at_stripe_gives_the_cart_back() {
    let fake = FakeStripe::start().await;
    let app = spawn_server(stripe_config(&fake, AppConfig::default())).await;
    let (a, s) = setup(&app, 20, "full").await;
    connect(&app, &a, &fake).await;
    let v = Browser::new(&app);
    let (cart_path, session) = at_stripe(&v, &s, &fake, 1, "gone@example.be").await;
    let e = fake.expire(session["id"].as_str().unwrap());
    assert_eq!(fake.deliver(&e).await.0, 200);
    let p = v.get(&format!("{cart_path}/paid")).await;
    assert_eq!(p.location, cart_path, "the cart is the visitor's again");
    // Back from Stripe without paying: the session is closed there first.
    let (cart_path, session) = at_stripe(&v, &s, &fake, 1, "back@example.be").await;
    let p = v.get(&format!("{cart_path}/pay/cancel")).await;
    assert_eq!(p.location, cart_path);
    assert_eq!(
        fake.session(session["id"].as_str().unwrap()).unwrap()["status"],
        "expired"
    );
    // Paid before Guichet noted the session on the cart: found by its metadata.
    let (cart_path, session) = at_stripe(&v, &s, &fake, 1, "fast@example.be").await;
    app.store
        .write(|tx| {
            Box::pin(async move {
                guichet_store::on_tx!(tx, c => sqlx::query(
                    "UPDATE online_carts SET checkout_session = NULL").execute(c).await?.rows_affected());
                Ok(())
            })
        })
        .await
        .unwrap();
    let e = fake.complete(session["id"].as_str().unwrap(), "card");
    assert_eq!(fake.deliver(&e).await.0, 200);
    let p = v.get(&format!("{cart_path}/paid")).await;
    assert_eq!(p.location, format!("{cart_path}/done"));
    app.stop().await;
}

#[tokio::test]
async fn synchronizing_fills_late_fees_and_new_payouts_a_webhook_never_brought() {
    let fake = FakeStripe::start().await;
    fake.set_balance_later(true);
    let app = spawn_server(stripe_config(&fake, AppConfig::default())).await;
    let (a, s) = setup(&app, 20, "full").await;
    connect(&app, &a, &fake).await;
    let v = Browser::new(&app);
    let (_, session) = at_stripe(&v, &s, &fake, 1, "sync@example.be").await;
    let e = fake.complete(session["id"].as_str().unwrap(), "card");
    assert_eq!(fake.deliver(&e).await.0, 200);
    let manager = login(&app, &a.manager).await;
    let body = page_of(&manager, &app, "/sales/stripe", false).await;
    assert!(body.contains("frais pas encore connus"), "{body}");

    // Stripe knows the fee now, and made a payout whose events were lost.
    fake.settle_balances();
    let charge = e["data"]["object"]["payment_intent"]
        .as_str()
        .unwrap()
        .replace("pi_", "ch_");
    let now = jiff::Timestamp::now().as_second();
    fake.add_payout(
        "po_lost",
        now,
        None,
        970,
        "pending",
        &[(charge.as_str(), 1000, 30)],
    );
    let r = manager
        .post(app.url("/sales/stripe/sync"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body = r.text().await.unwrap();
    assert!(body.contains("1 transfert(s), 1 frais complétés"), "{body}");
    assert!(!body.contains("frais pas encore connus"), "{body}");
    assert!(body.contains("data-payout=\"po_lost\""), "{body}");
    assert!(body.contains("9,70 €"), "{body}");
    // A payment no payout carried after 10 business days is flagged.
    app.store
        .write(|tx| {
            Box::pin(async move {
                let old = guichet_store::now_micros() - 20 * 86_400_000_000;
                guichet_store::on_tx!(tx, c => sqlx::query(
                    "UPDATE stripe_payments SET taken_at = $1").bind(old)
                    .execute(c).await?.rows_affected());
                guichet_store::on_tx!(tx, c => sqlx::query(
                    "DELETE FROM stripe_payout_lines").execute(c).await?.rows_affected());
                Ok(())
            })
        })
        .await
        .unwrap();
    let body = page_of(&manager, &app, "/sales/stripe", false).await;
    let waiting = &body[body.find("id=\"stripe-waiting\"").unwrap()..];
    let waiting = &waiting[..waiting.find("</table>").unwrap()];
    assert!(
        waiting.contains("class=\"alert\"") && waiting.contains("10,00 €"),
        "{waiting}"
    );
    // Without keys a sync says what is missing.
    let b = crate::harness::org(&app, "Librairie du Pont", "b").await;
    let other = login(&app, &b.manager).await;
    let body = page_of(&other, &app, "/sales/stripe/sync", true).await;
    assert!(body.contains("Stripe n&#39;est pas configuré"), "{body}");
    app.stop().await;
}

#[tokio::test]
async fn a_deposit_is_paid_at_stripe_and_the_rest_on_site() {
    let fake = FakeStripe::start().await;
    let app = spawn_server(stripe_config(&fake, AppConfig::default())).await;
    let (a, s) = setup(&app, 20, "deposit").await;
    connect(&app, &a, &fake).await;
    let api = Api::new(&app, &a, "manager").await;
    let v = Browser::new(&app);
    // 2 adults: 20,00, of which 30 % now.
    let (_, session) = at_stripe(&v, &s, &fake, 2, "deposit@example.be").await;
    assert_eq!(session["amount_total"], 600);
    let e = fake.complete(session["id"].as_str().unwrap(), "card");
    assert_eq!(fake.deliver(&e).await.0, 200);
    let id = orders_today(&api).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let order = api.ok(&format!("/api/v1/orders/{id}")).await;
    assert_eq!(
        (
            order["total_cents"].as_i64(),
            order["collected_cents"].as_i64()
        ),
        (Some(2000), Some(600)),
        "{order}"
    );
    // The rest is taken at a register, and the payments list carries Stripe's fee (3 % of
    // 6,00 = 0,18) on the online payment only.
    let (status, p) = api
        .post(
            &format!("/api/v1/orders/{id}/payments"),
            json!({"register_id": s.register, "payments": [{"method": "cash", "amount": "14"}]}),
        )
        .await;
    assert_eq!(status, 200, "{p}");
    let manager = login(&app, &a.manager).await;
    let csv = page_of(
        &manager,
        &app,
        &format!(
            "/orders/payments/export?from={0}&to={0}&format=csv",
            today()
        ),
        false,
    )
    .await;
    let online = csv.lines().find(|l| l.contains("Carte en ligne")).unwrap();
    assert!(
        online.contains(";6,00;") && online.contains(";0,18;"),
        "{csv}"
    );
    let cash = csv.lines().find(|l| l.contains("Espèces")).unwrap();
    assert!(cash.contains(";14,00;") && cash.contains(";0,00;"), "{csv}");
    journal_verifies(&app).await;
    app.stop().await;
}
