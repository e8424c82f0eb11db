//! Selling: orders with lines and split payments, VAT per rate, idempotency, cancellation,
//! the phone register's rules, no oversell under concurrency, and the hash-chained journal.

use crate::harness::{
    Api, Catalogue, TestApp, api_key, client, field_errors, fresh_database, id_of, org, problem,
    spawn, spawn_on,
};
use guichet_app::AppConfig;
use reqwest::Method;
use serde_json::{Value, json};

async fn get(app: &TestApp, key: &str, path: &str) -> Value {
    client()
        .get(app.url(path))
        .bearer_auth(key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// The order a sale or quote answers with is the order as stored.
async fn assert_as_stored(app: &TestApp, key: &str, answered: &Value) {
    let id = answered["id"].as_str().unwrap();
    let stored = get(app, key, &format!("/api/v1/orders/{id}")).await;
    assert_eq!(&stored, answered);
}

async fn post(app: &TestApp, key: &str, path: &str, body: Value) -> reqwest::Response {
    client()
        .post(app.url(path))
        .bearer_auth(key)
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// A's manager and seller keys and the catalogue (capacity 40).
async fn shop(app: &TestApp) -> (Api<'_>, Api<'_>, Catalogue) {
    let a = org(app, "Grottes A", "a").await;
    let manager = Api::new(app, &a, "manager").await;
    let seller = Api::new(app, &a, "seller").await;
    let s = Catalogue::belgian(&manager).await;
    (manager, seller, s)
}

/// 2 adults, 1 child and a Panier du Terroir (47,00 €, of which 4,34 € VAT at 21 %), paid
/// 20,00 by Bancontact and 30,00 in cash.
fn split_sale_body(s: &Catalogue) -> Value {
    let mut lines = s.tickets(2, 1);
    lines.push(json!({"product_id": s.panier, "quantity": 1}));
    json!({"register_id": s.register, "lines": lines,
        "payments": [{"method": "bancontact", "amount": "20,00"}, {"method": "cash", "amount": "30,00"}]})
}

/// The split sale by the seller, with the idempotency key `sale-1`; the order.
async fn split_sale(seller: &Api<'_>, s: &Catalogue) -> Value {
    let (status, o) = seller
        .send(
            seller
                .request(Method::POST, "/api/v1/orders")
                .header("Idempotency-Key", "sale-1")
                .json(&split_sale_body(s)),
        )
        .await;
    assert_eq!(status, 201, "{o}");
    o
}

/// A manager's sale at a changed price with a free child (6,00 €, awaiting payment).
async fn price_changed_sale(manager: &Api<'_>, s: &Catalogue) -> (u16, Value) {
    manager.post("/api/v1/orders", json!({"register_id": s.register,
        "lines": [{"offer_id": s.offer, "session_start": s.start, "item_id": s.adult, "quantity": 1, "unit_price": "6,00", "price_reason": "Guide"},
                  {"offer_id": s.offer, "session_start": s.start, "item_id": s.child, "quantity": 1, "free": true, "free_reason": "Anniversaire"}]})).await
}

/// The seller's card payment of the 6,00 € the price-changed sale awaits.
async fn pay_six(seller: &Api<'_>, s: &Catalogue, order: &Value) -> Value {
    let (status, paid) = seller.post(&format!("/api/v1/orders/{}/payments", id_of(order)),
        json!({"register_id": s.register, "payments": [{"method": "card_terminal", "amount": "6,00"}]})).await;
    assert_eq!(status, 200, "{paid}");
    paid
}

/// The manager cancels the split sale, refunding its 47,00 the way it was paid: 27,00 in
/// cash (30,00 handed over, 3,00 given back) and 20,00 by Bancontact.
async fn cancel_with_refund(manager: &Api<'_>, order: &Value) -> (u16, Value) {
    manager
        .post(
            &format!("/api/v1/orders/{}/cancel", id_of(order)),
            json!({"reason": "Client parti", "refunds": [
                {"method": "cash", "amount": "27,00"}, {"method": "bancontact", "amount": "20,00"}]}),
        )
        .await
}

#[tokio::test]
async fn bancontact_beyond_what_is_due_is_refused() {
    let app = spawn().await;
    let (_, seller, s) = shop(&app).await;
    let mut lines = s.tickets(2, 1);
    lines.push(json!({"product_id": s.panier, "quantity": 1}));
    let body = json!({"register_id": s.register, "lines": lines,
        "payments": [{"method": "cash", "amount": "30,00"}, {"method": "bancontact", "amount": "20,00"}]});
    // Cash first covers 30,00; 17,00 remain, less than the 20,00 by Bancontact.
    let r = post(&app, &seller.key, "/api/v1/orders", body).await;
    let p = problem(r, 422).await;
    assert_eq!(
        field_errors(&p),
        vec![("payments[1].amount".into(), "more_than_due".into())]
    );
    app.stop().await;
}

#[tokio::test]
async fn a_split_payment_sale_counts_vat_per_rate_change_and_allocations() {
    let app = spawn().await;
    let (_, seller, s) = shop(&app).await;
    let o = split_sale(&seller, &s).await;
    let number = o["number"].as_str().unwrap();
    assert!(
        number.starts_with('P') && number.len() == 11 && number.ends_with("0001"),
        "{number}"
    );
    assert_eq!(
        (o["total_cents"].as_i64(), o["vat_cents"].as_i64()),
        (Some(4700), Some(434))
    );
    assert_eq!(o["collected_cents"], 4700);
    assert_eq!(o["state"], "confirmed");
    assert_eq!(o["flagged"], false);
    let rates: Vec<(i64, i64)> = o["vat_by_rate"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["vat_rate_basis_points"].as_i64().unwrap(),
                r["vat_cents"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(rates, vec![(0, 0), (2100, 434)]);
    // Cash: 30,00 handed over for the 27,00 left, 3,00 change.
    let cash = &o["payments"].as_array().unwrap()[1];
    assert_eq!(
        (cash["amount_cents"].as_i64(), cash["change_cents"].as_i64()),
        (Some(2700), Some(300))
    );
    // Bancontact paid line 1 (17,00) and 3,00 of line 2; cash the rest.
    assert_eq!(
        o["payments"][0]["allocations"],
        json!([[1, 1700], [2, 300]])
    );
    // The order the sale answers with is the order as stored.
    assert_as_stored(&app, &seller.key, &o).await;
    app.stop().await;
}

#[tokio::test]
async fn the_same_idempotency_key_returns_the_same_order_and_sells_nothing_more() {
    let app = spawn().await;
    let (manager, seller, s) = shop(&app).await;
    let o = split_sale(&seller, &s).await;
    let again = split_sale(&seller, &s).await;
    assert_eq!(again["id"], o["id"]);
    let day = o["visit_date"].as_str().unwrap();
    let av = manager.availability(&s.offer, day).await;
    assert_eq!(
        (
            av["sessions"][0]["sold"].as_i64(),
            av["sessions"][0]["remaining"].as_i64()
        ),
        (Some(3), Some(37))
    );
    let panier = manager.ok(&format!("/api/v1/products/{}", s.panier)).await;
    assert_eq!(panier["stock"], 2);
    app.stop().await;
}

/// The payments list is paged: more lines than a page are each found exactly once, page after
/// page, the last page's `next` is null; a bad cursor or limit is the field's own error; the
/// back office's list and the export still read every line.
#[tokio::test]
async fn the_payments_list_is_paged_with_a_cursor() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let manager = Api::new(&app, &a, "manager").await;
    let seller = Api::new(&app, &a, "seller").await;
    let s = Catalogue::belgian(&manager).await;
    // The split sale (four payment lines) and five ticket sales paid by two methods.
    split_sale(&seller, &s).await;
    for _ in 0..5 {
        seller
            .created(
                "/api/v1/orders",
                json!({"register_id": s.register, "lines": s.tickets(2, 1),
                       "payments": [{"method": "bancontact", "amount": "10,00"},
                                    {"method": "cash", "amount": "12,00"}]}),
            )
            .await;
    }
    let today = crate::harness::today();
    let path = format!("/api/v1/payments?from={today}&to={today}");
    let mut expected: Vec<String> = manager
        .all_pages(&path, 1000)
        .await
        .iter()
        .map(|p| p["reference"].as_str().unwrap().to_owned())
        .collect();
    expected.sort();
    let total = expected.len();
    assert!(total >= 14, "{expected:?}");
    expected.dedup();
    assert_eq!(expected.len(), total, "each reference once");
    for limit in [1, 5, 7, 100] {
        let rows = manager.all_pages(&path, limit).await;
        let mut refs: Vec<String> = rows
            .iter()
            .map(|p| p["reference"].as_str().unwrap().to_owned())
            .collect();
        // Newest payment first.
        let taken: Vec<i64> = rows
            .iter()
            .map(|p| p["taken_at"].as_i64().unwrap())
            .collect();
        assert!(taken.windows(2).all(|w| w[0] >= w[1]), "{taken:?}");
        refs.sort();
        assert_eq!(refs, expected, "limit {limit}");
    }
    // The default page holds them all, and says there is no more.
    let page = manager.ok(&path).await;
    assert_eq!(page["items"].as_array().unwrap().len(), total);
    assert!(page["next"].is_null(), "{page}");
    for (query, field, code) in [
        ("&limit=0", "limit", "out_of_range"),
        ("&limit=1001", "limit", "out_of_range"),
        ("&after=not-a-cursor", "after", "invalid_cursor"),
        ("&after=1.2", "after", "invalid_cursor"),
        ("&after=1.nope.2", "after", "invalid_cursor"),
    ] {
        let (status, p) = manager.get(&format!("{path}{query}")).await;
        assert_eq!(status, 422, "{query}: {p}");
        assert_eq!(
            field_errors(&p),
            vec![(field.to_owned(), code.to_owned())],
            "{query}"
        );
    }
    let r = manager
        .request(Method::GET, &format!("{path}&limit=abc"))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(r, 400).await["code"], "invalid_query");
    // The accountant's export: every line, however many pages the API would take.
    let page = crate::harness::login(&app, &a.manager).await;
    let csv = page
        .get(app.url(&format!(
            "/orders/payments/export?from={today}&to={today}&format=csv"
        )))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for r in &expected {
        assert!(csv.contains(&format!("{r};")), "{r} in {csv}");
    }
    app.stop().await;
}

#[tokio::test]
async fn payments_are_listed_per_line_exported_and_the_order_listed() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let manager = Api::new(&app, &a, "manager").await;
    let seller = Api::new(&app, &a, "seller").await;
    let s = Catalogue::belgian(&manager).await;
    let o = split_sale(&seller, &s).await;
    let number = o["number"].as_str().unwrap();
    // The payments list: one row per line paid, numbered like the seeds, each its own `_N`
    // (line 2, paid by both methods, is two payment lines).
    let today = crate::harness::today();
    let pays = manager
        .ok(&format!("/api/v1/payments?from={today}&to={today}"))
        .await;
    let mut refs: Vec<String> = pays["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["reference"].as_str().unwrap().to_owned())
        .collect();
    refs.sort();
    assert_eq!(
        refs,
        vec![
            format!("{number}_1"),
            format!("{number}_2"),
            format!("{number}_3"),
            format!("{number}_4")
        ]
    );
    let panier_row = pays["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["label"] == "Panier du Terroir")
        .unwrap();
    assert_eq!(
        (
            panier_row["amount_cents"].as_i64(),
            panier_row["vat_cents"].as_i64()
        ),
        (Some(2500), Some(434))
    );
    // The accountant's export of the same payments.
    let page = crate::harness::login(&app, &a.manager).await;
    let csv = page
        .get(app.url(&format!(
            "/orders/payments/export?from={today}&to={today}&format=csv"
        )))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        csv.contains(&format!("{number}_4;"))
            && csv.contains("Panier du Terroir")
            && csv.contains(";4,34;"),
        "{csv}"
    );
    // The seed's 12 fields of the collections file, in its order.
    assert_eq!(
        csv.trim_start_matches('\u{feff}').lines().next(),
        Some(
            "Numéro de dossier;Date;Encaissé;TVA;Frais;Type de paiement;Total TTC;Formule;\
             Ressource;Client;Numéro facture;Vendeur"
        ),
        "{csv}"
    );
    let list = manager
        .ok(&format!("/api/v1/orders?from={today}&to={today}"))
        .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        list["items"][0]["products"],
        "Ticket adulte x2, Ticket enfant, Panier du Terroir"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_seller_may_not_change_a_price_a_manager_may_and_the_rest_is_paid_later() {
    let app = spawn().await;
    let (manager, seller, s) = shop(&app).await;
    // The first order of the day is the split sale: the price-changed one is the second.
    split_sale(&seller, &s).await;
    let r = post(&app, &seller.key, "/api/v1/orders", json!({"register_id": s.register,
        "lines": [{"offer_id": s.offer, "session_start": s.start, "item_id": s.adult, "quantity": 1, "unit_price": "6,00", "price_reason": "Guide"}]})).await;
    assert_eq!(
        field_errors(&problem(r, 422).await),
        vec![(
            "lines[0].unit_price".into(),
            "price_change_not_allowed".into()
        )]
    );
    let (status, later) = price_changed_sale(&manager, &s).await;
    assert_eq!(status, 201, "{later}");
    assert_eq!(
        (later["total_cents"].as_i64(), later["state"].as_str()),
        (Some(600), Some("awaiting_payment"))
    );
    assert_eq!(later["flagged"], true, "nothing collected yet");
    assert_eq!(later["lines"][1]["discount_cents"], 500);
    assert!(later["number"].as_str().unwrap().ends_with("0002"));
    let paid = pay_six(&seller, &s, &later).await;
    assert_eq!(paid["state"], "confirmed");
    app.stop().await;
}

#[tokio::test]
async fn cancelling_takes_a_manager_and_a_reason_and_gives_back_places_and_stock() {
    let app = spawn().await;
    let (manager, seller, s) = shop(&app).await;
    let o = split_sale(&seller, &s).await;
    let id = id_of(&o);
    let r = post(
        &app,
        &seller.key,
        &format!("/api/v1/orders/{id}/cancel"),
        json!({"reason": "Erreur"}),
    )
    .await;
    assert_eq!(r.status(), 403);
    let r = post(
        &app,
        &manager.key,
        &format!("/api/v1/orders/{id}/cancel"),
        json!({"reason": " "}),
    )
    .await;
    assert_eq!(
        field_errors(&problem(r, 422).await),
        vec![("reason".into(), "required".into())]
    );
    let (status, c) = cancel_with_refund(&manager, &o).await;
    assert_eq!(status, 200, "{c}");
    assert_eq!(
        (c["state"].as_str(), c["collected_cents"].as_i64()),
        (Some("cancelled"), Some(0))
    );
    assert!(
        c["internal_comment"]
            .as_str()
            .unwrap()
            .contains("Client parti")
    );
    let av = manager
        .availability(&s.offer, o["visit_date"].as_str().unwrap())
        .await;
    assert_eq!(
        av["sessions"][0]["sold"], 0,
        "the cancelled order's 3 places came back"
    );
    assert_eq!(
        manager.ok(&format!("/api/v1/products/{}", s.panier)).await["stock"],
        3
    );
    app.stop().await;
}

#[tokio::test]
async fn the_journal_verifies_refuses_changes_and_catches_a_forced_one() {
    let app = spawn().await;
    let (manager, seller, s) = shop(&app).await;
    // The day: the split sale, a price-changed sale paid later, the split sale cancelled.
    let o = split_sale(&seller, &s).await;
    let (status, later) = price_changed_sale(&manager, &s).await;
    assert_eq!(status, 201, "{later}");
    pay_six(&seller, &s, &later).await;
    assert_eq!(cancel_with_refund(&manager, &o).await.0, 200);

    // The journal verifies; the database refuses to change it; a change made anyway (guard
    // removed) is caught at the entry that was changed.
    let reports = app
        .store
        .read(|tx| Box::pin(async move { guichet_store::journal::verify_all(tx).await }))
        .await
        .unwrap();
    assert!(reports.ok(), "{:?}", reports.findings);
    assert_eq!(reports.chains.len(), 1);
    assert_eq!(
        reports.chains[0].entries, 9,
        "the opening of the register, 2 orders, 3 payments, 1 cancellation, 2 refunds"
    );
    let tamper =
        "UPDATE journal_entries SET record = REPLACE(record, '4700', '4600') WHERE seq = 2";
    let refused = app.store.write(|tx| Box::pin(async move {
        guichet_store::on_tx!(tx, c => sqlx::query(tamper).execute(c).await?.rows_affected());
        Ok(())
    })).await;
    assert!(refused.is_err(), "the journal refuses updates");
    let drop_guard: &[&str] = match app.store.backend() {
        guichet_store::Backend::Sqlite => &["DROP TRIGGER journal_entries_no_update"],
        guichet_store::Backend::Postgres => {
            &["ALTER TABLE journal_entries DISABLE TRIGGER journal_entries_no_change"]
        }
    };
    app.store.write(|tx| Box::pin(async move {
        for sql in drop_guard {
            guichet_store::on_tx!(tx, c => sqlx::query(sqlx::AssertSqlSafe(*sql)).execute(c).await?.rows_affected());
        }
        guichet_store::on_tx!(tx, c => sqlx::query(tamper).execute(c).await?.rows_affected());
        Ok(())
    })).await.unwrap();
    let reports = app
        .store
        .read(|tx| Box::pin(async move { guichet_store::journal::verify_all(tx).await }))
        .await
        .unwrap();
    assert_eq!(reports.chains[0].first_broken, Some((2, "hash_mismatch")));
    app.stop().await;
}

#[tokio::test]
async fn bad_carts_get_clear_errors_and_the_phone_register_keeps_its_rules() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let b = org(&app, "Grottes B", "b").await;
    let key = api_key(&app, &a, "manager").await;
    let s = Catalogue::belgian_with_capacity(
        &Api {
            app: &app,
            key: key.clone(),
        },
        40,
    )
    .await;
    let r = post(
        &app,
        &key,
        "/api/v1/orders",
        json!({"register_id": s.register, "lines": []}),
    )
    .await;
    assert_eq!(
        field_errors(&problem(r, 422).await),
        vec![("lines".into(), "empty_cart".into())]
    );
    let r = post(
        &app,
        &key,
        "/api/v1/orders",
        json!({"register_id": "nope", "lines": s.tickets(1, 0)}),
    )
    .await;
    assert_eq!(
        field_errors(&problem(r, 422).await),
        vec![("register_id".into(), "unknown_register".into())]
    );
    let r = post(&app, &key, "/api/v1/orders", json!({"register_id": s.register, "lines": [
        {"offer_id": s.offer, "session_start": s.start + 60_000_000, "item_id": s.adult, "quantity": 1},
        {"offer_id": s.offer, "session_start": s.start, "item_id": s.panier, "quantity": 1},
        {"offer_id": s.offer, "session_start": s.start, "item_id": s.adult, "quantity": 0},
        {"barcode": "0000000000000", "quantity": 1},
        {"product_id": s.panier, "quantity": 4}
    ], "payments": [{"method": "cheque", "amount": "1,00"}]})).await;
    let p = problem(r, 422).await;
    assert_eq!(
        field_errors(&p),
        vec![
            ("lines[0].session_start".into(), "unknown_session".into()),
            ("lines[1].item_id".into(), "not_offered".into()),
            ("lines[2].quantity".into(), "invalid_quantity".into()),
            ("lines[3].product_id".into(), "unknown_product".into()),
            ("payments[0].method".into(), "unknown_method".into()),
        ]
    );
    // Out of stock is found in the sale's transaction; nothing is written.
    let r = post(
        &app,
        &key,
        "/api/v1/orders",
        json!({"register_id": s.register, "lines": [
        {"offer_id": s.offer, "session_start": s.start, "item_id": s.adult, "quantity": 1},
        {"product_id": s.panier, "quantity": 4}]}),
    )
    .await;
    assert_eq!(
        field_errors(&problem(r, 422).await),
        vec![("lines[1]".into(), "out_of_stock".into())]
    );
    let day = session_day(&s);
    let av = get(
        &app,
        &key,
        &format!(
            "/api/v1/offers/{}/availability?from={day}&to={day}",
            s.offer
        ),
    )
    .await;
    assert_eq!(av["sessions"][0]["sold"], 0, "a refused sale takes nothing");
    // The phone register: no cash, no Bancontact; future dates only (ours is in ten days).
    let r = post(
        &app,
        &key,
        "/api/v1/orders",
        json!({"register_id": s.phone, "lines": s.tickets(1, 0),
        "payments": [{"method": "cash", "amount": "8,50"}]}),
    )
    .await;
    assert_eq!(
        field_errors(&problem(r, 422).await),
        vec![("payments[0].method".into(), "method_not_on_phone".into())]
    );
    let r = post(
        &app,
        &key,
        "/api/v1/orders",
        json!({"register_id": s.phone, "lines": s.tickets(1, 0),
        "payments": [{"method": "bank_transfer", "amount": "8,50"}]}),
    )
    .await;
    assert_eq!(r.status(), 201);
    // Stopped sales are refused.
    let r = post(
        &app,
        &key,
        "/api/v1/stop-sales",
        json!({"offer_ids": [s.offer], "from": day.to_string(), "to": day.to_string()}),
    )
    .await;
    assert!(r.status().is_success());
    let r = post(
        &app,
        &key,
        "/api/v1/orders",
        json!({"register_id": s.register, "lines": s.tickets(1, 0)}),
    )
    .await;
    assert_eq!(
        field_errors(&problem(r, 422).await),
        vec![("lines[0].session_start".into(), "sales_stopped".into())]
    );
    // Another organization sees none of it.
    let other = api_key(&app, &b, "manager").await;
    let orders = get(
        &app,
        &key,
        &format!("/api/v1/orders?from={day}&to={day}&by=visit"),
    )
    .await;
    let id = orders["items"][0]["id"].as_str().unwrap();
    let r = client()
        .get(app.url(&format!("/api/v1/orders/{id}")))
        .bearer_auth(&other)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    app.stop().await;
}

#[tokio::test]
async fn quotes_become_orders_later() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let key = api_key(&app, &a, "manager").await;
    let s = Catalogue::belgian_with_capacity(
        &Api {
            app: &app,
            key: key.clone(),
        },
        40,
    )
    .await;
    let r = post(
        &app,
        &key,
        "/api/v1/orders",
        json!({"register_id": s.register, "quote": true, "lines": s.tickets(20, 2)}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let q: Value = r.json().await.unwrap();
    assert_eq!(
        (q["state"].as_str(), q["number"].as_str()),
        (Some("quote"), None)
    );
    assert!(q["quote_number"].as_str().unwrap().starts_with('D'));
    assert_as_stored(&app, &key, &q).await;
    let day = jiff::Timestamp::from_microsecond(s.start)
        .unwrap()
        .to_zoned(jiff::tz::TimeZone::get("Europe/Brussels").unwrap())
        .date();
    let sold = |v: Value| v["sessions"][0]["sold"].as_i64();
    let path = format!(
        "/api/v1/offers/{}/availability?from={day}&to={day}",
        s.offer
    );
    assert_eq!(sold(get(&app, &key, &path).await), Some(0));
    let id = q["id"].as_str().unwrap();
    let o: Value = post(
        &app,
        &key,
        &format!("/api/v1/orders/{id}/confirm"),
        json!({"register_id": s.register,
        "payments": [{"method": "bank_transfer", "amount": "50,00"}]}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(
        (
            o["state"].as_str(),
            o["collected_cents"].as_i64(),
            o["total_cents"].as_i64()
        ),
        (Some("awaiting_payment"), Some(5000), Some(18000))
    );
    assert!(o["number"].as_str().unwrap().starts_with('P'));
    assert_eq!(sold(get(&app, &key, &path).await), Some(22));
    let r = post(
        &app,
        &key,
        &format!("/api/v1/orders/{id}/confirm"),
        json!({"register_id": s.register}),
    )
    .await;
    assert_eq!(problem(r, 409).await["code"], "not_a_quote");
    app.stop().await;
}

/// The local day of the catalogue's session.
fn session_day(s: &Catalogue) -> jiff::civil::Date {
    jiff::Timestamp::from_microsecond(s.start)
        .unwrap()
        .to_zoned(jiff::tz::TimeZone::get("Europe/Brussels").unwrap())
        .date()
}

/// The sequence numbers of the orders for the catalogue's session day, in order.
async fn sequence_numbers(api: &Api<'_>, s: &Catalogue) -> Vec<i64> {
    let day = session_day(s);
    let orders = api
        .ok(&format!("/api/v1/orders?from={day}&to={day}&by=visit"))
        .await;
    let mut seqs: Vec<i64> = orders["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["number"].as_str().unwrap()[7..].parse().unwrap())
        .collect();
    seqs.sort();
    seqs
}

/// The journal as `verify` reads it, which must find nothing.
async fn verified(app: &TestApp) -> guichet_store::journal::Verification {
    let reports = app
        .store
        .read(|tx| Box::pin(async move { guichet_store::journal::verify_all(tx).await }))
        .await
        .unwrap();
    assert!(reports.ok(), "{:?}", reports.findings);
    reports
}

/// Many sales race for the last places, from two registers at once: exactly the capacity is
/// sold, every other sale gets a clear `sold_out`.
#[tokio::test]
async fn concurrent_sales_never_oversell() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let key = api_key(&app, &a, "manager").await;
    let s = Catalogue::belgian_with_capacity(
        &Api {
            app: &app,
            key: key.clone(),
        },
        7,
    )
    .await;
    let mut tasks = Vec::new();
    for i in 0..24 {
        let url = app.url("/api/v1/orders");
        let key = key.clone();
        let register = if i % 2 == 0 {
            s.register.clone()
        } else {
            s.phone.clone()
        };
        let body = json!({"register_id": register, "lines": s.tickets(1, 0),
            "payments": [{"method": "bank_transfer", "amount": "8,50"}]});
        tasks.push(tokio::spawn(async move {
            client()
                .post(url)
                .bearer_auth(key)
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    let mut codes = Vec::new();
    for t in tasks {
        codes.push(t.await.unwrap());
    }
    assert_eq!(codes.iter().filter(|c| **c == 201).count(), 7, "{codes:?}");
    assert_eq!(codes.iter().filter(|c| **c == 422).count(), 17, "{codes:?}");
    let day = session_day(&s);
    let av = get(
        &app,
        &key,
        &format!(
            "/api/v1/offers/{}/availability?from={day}&to={day}",
            s.offer
        ),
    )
    .await;
    assert_eq!(
        (
            av["sessions"][0]["sold"].as_i64(),
            av["sessions"][0]["remaining"].as_i64()
        ),
        (Some(7), Some(0))
    );
    // Numbers are gapless.
    let seller = Api {
        app: &app,
        key: key.clone(),
    };
    assert_eq!(
        sequence_numbers(&seller, &s).await,
        (1..=7).collect::<Vec<_>>()
    );
    let reports = verified(&app).await;
    // 7 orders and their payments, and the opening of the counter register.
    assert_eq!(reports.chains.iter().map(|r| r.entries).sum::<i64>(), 15);
    app.stop().await;
}

#[tokio::test]
async fn payment_methods_are_chosen_per_organization() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let admin = api_key(&app, &a, "admin").await;
    let manager = api_key(&app, &a, "manager").await;
    let s = Catalogue::belgian_with_capacity(
        &Api {
            app: &app,
            key: manager.clone(),
        },
        40,
    )
    .await;
    let put = |key: String, body: Value| {
        let url = app.url("/api/v1/payment-methods");
        async move {
            client()
                .put(url)
                .bearer_auth(key)
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    assert_eq!(
        put(manager.clone(), json!({"enabled": ["cash"]}))
            .await
            .status(),
        403
    );
    let r = put(admin.clone(), json!({"enabled": []})).await;
    assert_eq!(
        field_errors(&problem(r, 422).await),
        vec![("method".into(), "no_method".into())]
    );
    let r = put(
        admin.clone(),
        json!({"enabled": ["cash", "card_terminal", "bank_transfer"]}),
    )
    .await;
    let list: Value = r.json().await.unwrap();
    let on: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["enabled"] == true)
        .map(|m| m["method"].as_str().unwrap())
        .collect();
    assert_eq!(on, vec!["cash", "card_terminal", "bank_transfer"]);
    let r = post(
        &app,
        &manager,
        "/api/v1/orders",
        json!({"register_id": s.register, "lines": s.tickets(1, 0),
        "payments": [{"method": "bancontact", "amount": "8,50"}]}),
    )
    .await;
    assert_eq!(
        field_errors(&problem(r, 422).await),
        vec![("payments[0].method".into(), "method_disabled".into())]
    );
    // The page form does the same for admins.
    let page = crate::harness::login(&app, &a.admin).await;
    let r = page
        .post(app.url("/distribution/payment-methods"))
        .form(&[("method", "cash"), ("method", "bancontact")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let r = post(
        &app,
        &manager,
        "/api/v1/orders",
        json!({"register_id": s.register, "lines": s.tickets(1, 0),
        "payments": [{"method": "bancontact", "amount": "8,50"}]}),
    )
    .await;
    assert_eq!(r.status(), 201);
    app.stop().await;
}

#[tokio::test]
async fn customers_attach_to_sales_and_visits_record_the_visitors_origin() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let b = org(&app, "Grottes B", "b").await;
    let key = api_key(&app, &a, "seller").await;
    let manager = api_key(&app, &a, "manager").await;
    let s = Catalogue::belgian_with_capacity(
        &Api {
            app: &app,
            key: manager.clone(),
        },
        40,
    )
    .await;
    let r = post(
        &app,
        &key,
        "/api/v1/customers",
        json!({"email": "x", "phone": "12", "country": "BE", "postal_code": "99999"}),
    )
    .await;
    let mut f = field_errors(&problem(r, 422).await);
    f.sort();
    assert_eq!(
        f,
        vec![
            ("email".into(), "invalid_email".into()),
            ("last_name".into(), "required".into()),
            ("phone".into(), "invalid_phone".into()),
            ("postal_code".into(), "invalid_postal_code".into()),
        ]
    );
    let c: Value = post(&app, &key, "/api/v1/customers", json!({"first_name": "Samantha", "last_name": "Régà", "phone": "0475 12 34 56", "postal_code": "5580"}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(c["display_name"], "Samantha RÉGÀ");
    assert_eq!(c["phone"], "+32475123456");
    assert_eq!(
        (
            c["origin"]["country"].as_str(),
            c["origin"]["province"].as_str()
        ),
        (Some("BE"), Some("Namur"))
    );
    let found = get(&app, &key, "/api/v1/customers?q=rega").await["items"].clone();
    assert_eq!(
        found.as_array().unwrap().len(),
        1,
        "accents and case ignored"
    );
    let other = api_key(&app, &b, "seller").await;
    assert_eq!(
        get(&app, &other, "/api/v1/customers?q=rega").await["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );

    // A visit with the customer: the origin is the customer's; the list shows the name.
    let o: Value = post(
        &app,
        &key,
        "/api/v1/orders",
        json!({"register_id": s.register, "customer_id": c["id"], "lines": s.tickets(2, 1)}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(o["customer_name"], "Samantha RÉGÀ");
    assert_eq!(o["origin"]["province"], "Namur");
    assert_as_stored(&app, &key, &o).await;
    // A visit with Dutch visitors: a province instead of a postal code.
    let o: Value = post(
        &app,
        &key,
        "/api/v1/orders",
        json!({"register_id": s.register, "lines": s.tickets(1, 0),
        "origin": {"country": "NL", "province": "Zuid-Holland"}}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(
        (
            o["origin"]["country"].as_str(),
            o["origin"]["province"].as_str()
        ),
        (Some("NL"), Some("Zuid-Holland"))
    );
    let r = post(
        &app,
        &key,
        "/api/v1/orders",
        json!({"register_id": s.register, "lines": s.tickets(1, 0),
        "origin": {"country": "NL", "province": "Bavière"}}),
    )
    .await;
    assert_eq!(
        field_errors(&problem(r, 422).await),
        vec![("origin.province".into(), "unknown_province".into())]
    );
    // A shop-only sale asks for no origin.
    let o: Value = post(&app, &key, "/api/v1/orders", json!({"register_id": s.register, "customer_id": c["id"],
        "lines": [{"product_id": s.panier, "quantity": 1}], "origin": {"country": "FR", "postal_code": "75011"}})).await.json().await.unwrap();
    assert!(o["origin"].is_null());
    // Another organization's customer cannot be attached.
    let theirs: Value = post(
        &app,
        &other,
        "/api/v1/customers",
        json!({"last_name": "Autre"}),
    )
    .await
    .json()
    .await
    .unwrap();
    let r = post(
        &app,
        &key,
        "/api/v1/orders",
        json!({"register_id": s.register, "customer_id": theirs["id"], "lines": s.tickets(1, 0)}),
    )
    .await;
    assert_eq!(
        field_errors(&problem(r, 422).await),
        vec![("customer_id".into(), "unknown_customer".into())]
    );
    let day = o["created_at"]
        .as_i64()
        .map(|_| {
            jiff::Zoned::now()
                .with_time_zone(jiff::tz::TimeZone::get("Europe/Brussels").unwrap())
                .date()
        })
        .unwrap();
    let list = get(
        &app,
        &manager,
        &format!("/api/v1/orders?from={day}&to={day}"),
    )
    .await;
    assert!(
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["customer_name"] == "Samantha RÉGÀ")
    );
    app.stop().await;
}

/// Promotions apply by themselves; one promo code per cart, its uses counted in the sale's
/// transaction and given back when the order is cancelled.
#[tokio::test]
async fn promotions_and_promo_codes_lower_the_price() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let manager = api_key(&app, &a, "manager").await;
    let seller = api_key(&app, &a, "seller").await;
    let s = Catalogue::belgian_with_capacity(
        &Api {
            app: &app,
            key: manager.clone(),
        },
        40,
    )
    .await;
    // Early bird: 2,00 € off each ticket at least 7 days ahead (our session is in 10 days).
    let r = post(
        &app,
        &manager,
        "/api/v1/promotions",
        json!({"name": "Early bird", "discount_kind": "amount", "discount": "2,00",
        "model": "early_bird", "model_days": "7", "offer_ids": [s.offer]}),
    )
    .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap_or_default());
    // Last minute 50 % does not apply 10 days ahead.
    let r = post(
        &app,
        &manager,
        "/api/v1/promotions",
        json!({"name": "Last minute", "discount_kind": "percent", "discount": "50",
        "model": "last_minute", "model_days": "2"}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let r = post(
        &app,
        &manager,
        "/api/v1/promo-codes",
        json!({"name": "MuseumPass", "code": "MUSEUMPASS", "discount_kind": "percent",
        "discount": "100", "max_uses": "1", "offer_ids": [s.offer], "item_ids": [s.adult]}),
    )
    .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap_or_default());

    // 2 adults + 1 child: 8,50 → 6,50 each, 5,00 → 3,00; the pass makes the adults free.
    let mut lines = s.tickets(2, 1);
    lines.push(json!({"product_id": s.panier, "quantity": 1}));
    let o: Value = post(
        &app,
        &seller,
        "/api/v1/orders",
        json!({"register_id": s.register, "lines": lines, "promo_code": "museumpass"}),
    )
    .await
    .json()
    .await
    .unwrap();
    let got: Vec<(i64, i64, String)> = o["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["discount_cents"].as_i64().unwrap(),
                l["total_cents"].as_i64().unwrap(),
                l["discount_reason"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (1700, 0, "Early bird + Code MUSEUMPASS".into()),
            (200, 300, "Early bird".into()),
            (0, 2500, String::new()),
        ]
    );
    assert_eq!(o["total_cents"], 2800);
    // The code had one use: the next cart is refused, with a clear code.
    let r = post(
        &app,
        &seller,
        "/api/v1/orders",
        json!({"register_id": s.register, "lines": s.tickets(1, 0), "promo_code": "MuseumPass"}),
    )
    .await;
    assert_eq!(
        field_errors(&problem(r, 422).await),
        vec![("promo_code".into(), "promo_code_exhausted".into())]
    );
    let r = post(
        &app,
        &seller,
        "/api/v1/orders",
        json!({"register_id": s.register, "lines": s.tickets(1, 0), "promo_code": "NOPE"}),
    )
    .await;
    assert_eq!(
        field_errors(&problem(r, 422).await),
        vec![("promo_code".into(), "unknown_promo_code".into())]
    );
    // Cancelling gives the use back.
    let id = o["id"].as_str().unwrap();
    let r = post(
        &app,
        &manager,
        &format!("/api/v1/orders/{id}/cancel"),
        json!({"reason": "Erreur de formule"}),
    )
    .await;
    assert_eq!(r.status(), 200);
    // A shop-only cart is not covered by the pass.
    let r = post(&app, &seller, "/api/v1/orders", json!({"register_id": s.register, "lines": [{"product_id": s.panier, "quantity": 1}], "promo_code": "MUSEUMPASS"})).await;
    assert_eq!(
        field_errors(&problem(r, 422).await),
        vec![("promo_code".into(), "promo_code_not_applicable".into())]
    );
    let r = post(
        &app,
        &seller,
        "/api/v1/orders",
        json!({"register_id": s.register, "lines": s.tickets(1, 0), "promo_code": "MUSEUMPASS"}),
    )
    .await;
    assert_eq!(r.status(), 201);
    app.stop().await;
}

/// The receipt and the tickets of a sale: organization details, VAT per rate, payments and
/// change; one ticket per visitor with a signed QR code that verifies with the public key
/// alone (API and command line) and refuses a changed byte; a second print is a journaled
/// DUPLICATA; an offer set to one ticket per order prints one for the group.
#[tokio::test]
async fn receipts_and_tickets_with_signed_codes() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let manager = api_key(&app, &a, "manager").await;
    let s = Catalogue::belgian_with_capacity(
        &Api {
            app: &app,
            key: manager.clone(),
        },
        40,
    )
    .await;
    let mut lines = s.tickets(2, 1);
    lines.push(json!({"product_id": s.panier, "quantity": 1}));
    let r = post(
        &app,
        &manager,
        "/api/v1/orders",
        json!({"register_id": s.register, "lines": lines,
        "payments": [{"method": "cash", "amount": "50,00"}]}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let o: Value = r.json().await.unwrap();
    let id = o["id"].as_str().unwrap().to_owned();
    let number = o["number"].as_str().unwrap().to_owned();
    let seller = crate::harness::login(&app, &a.seller).await;
    let receipt = seller
        .get(app.url(&format!("/orders/{id}/receipt")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        receipt.contains(&number) && receipt.contains("47,00 €") && receipt.contains("3,00 €"),
        "{receipt}"
    );
    assert!(
        receipt.contains("4,34 €"),
        "VAT at 21 % on the panier: {receipt}"
    );
    assert!(!receipt.contains("DUPLICATA"));
    let again = seller
        .get(app.url(&format!("/orders/{id}/receipt")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(again.contains("DUPLICATA 1"), "{again}");

    let page = seller
        .get(app.url(&format!("/orders/{id}/tickets")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        page.matches("class=\"ticket\"").count(),
        3,
        "one per visitor: {page}"
    );
    assert!(page.contains("<svg"));
    let list = get(&app, &manager, &format!("/api/v1/orders/{id}/tickets")).await;
    let codes: Vec<String> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["code"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(codes.len(), 3);
    assert!(page.contains(&codes[0]), "the page prints the same codes");
    let claim: Value = post(
        &app,
        &manager,
        "/api/v1/tickets/verify",
        json!({"code": codes[1]}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(claim["order_id"], id);
    assert_eq!(
        (claim["index"].as_i64(), claim["count"].as_i64()),
        (Some(2), Some(2))
    );
    assert_eq!(claim["session_start"], s.start);
    // One character changed in the payload: refused.
    let mut forged: Vec<char> = codes[0].chars().collect();
    let at = 10;
    forged[at] = if forged[at] == 'A' { 'B' } else { 'A' };
    let forged: String = forged.into_iter().collect();
    let p = problem(
        post(
            &app,
            &manager,
            "/api/v1/tickets/verify",
            json!({"code": forged}),
        )
        .await,
        422,
    )
    .await;
    let code = &field_errors(&p)[0].1;
    assert!(
        code == "ticket_bad_signature" || code == "ticket_malformed",
        "{code}"
    );
    // Offline, with the public key alone.
    let key = get(&app, &manager, "/api/v1/ticket-key").await;
    let public = key["public_key"].as_str().unwrap().to_owned();
    let out = crate::cli::guichet(
        &["ticket", "verify", "--public-key", &public, &codes[2]],
        None,
    );
    assert!(out.status.success(), "{}", crate::cli::text(&out));
    assert!(crate::cli::text(&out).contains(&id));
    let out = crate::cli::guichet(
        &["ticket", "verify", "--public-key", &public, &forged],
        None,
    );
    assert!(!out.status.success());
    // Reprints are journaled and the journal still verifies.
    let printed: Value = post(
        &app,
        &manager,
        &format!("/api/v1/orders/{id}/prints"),
        json!({"document": "tickets"}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(printed["copy"], 1);
    let reports = app
        .store
        .read(|tx| Box::pin(async move { guichet_store::journal::verify_all(tx).await }))
        .await
        .unwrap();
    assert!(reports.ok(), "{:?}", reports.findings);
    let duplicates: i64 = app.store.read(|tx| Box::pin(async move {
        Ok(guichet_store::on_tx!(tx, c => sqlx::query_scalar("SELECT COUNT(*) FROM journal_entries WHERE kind = 'duplicate'").fetch_one(c).await?))
    })).await.unwrap();
    assert_eq!(
        duplicates, 2,
        "the receipt's and the tickets' second prints"
    );

    // A group offer: one ticket for the order.
    let group: Value = post(&app, &manager, "/api/v1/offers", json!({
        "fr": {"name": "Visite de groupe"}, "kind": "activity", "sale_pos": true, "capacity": "40",
        "one_ticket_per_order": true,
        "prices": [{"item_id": s.adult, "price": "8,50"}, {"item_id": s.child, "price": "5,00"}],
        "rules": [{"from": "2026-01-01", "to": "2030-12-31", "kind": "every", "every_minutes": "60", "first": "10:00", "last": "16:00"}]
    }))
    .await
    .json()
    .await
    .unwrap();
    let group_id = group["id"].as_str().unwrap().to_owned();
    let day = jiff::Timestamp::from_microsecond(s.start)
        .unwrap()
        .to_zoned(jiff::tz::TimeZone::get("Europe/Brussels").unwrap())
        .date();
    let av = get(
        &app,
        &manager,
        &format!("/api/v1/offers/{group_id}/availability?from={day}&to={day}"),
    )
    .await;
    let start = av["sessions"][0]["start"].as_i64().unwrap();
    let group_lines = json!([
        {"offer_id": group_id, "session_start": start, "item_id": s.adult, "quantity": 3},
        {"offer_id": group_id, "session_start": start, "item_id": s.child, "quantity": 2}]);
    let r = post(
        &app,
        &manager,
        "/api/v1/orders",
        json!({"register_id": s.register, "lines": group_lines,
        "payments": [{"method": "cash", "amount": "35,50"}]}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let g: Value = r.json().await.unwrap();
    let list = get(
        &app,
        &manager,
        &format!("/api/v1/orders/{}/tickets", g["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert!(
        list[0]["label"]
            .as_str()
            .unwrap()
            .contains("3 × Ticket adulte"),
        "{list}"
    );
    app.stop().await;
}

/// Payments on one order at once each see the one before: none overwrites another's
/// collected amount (on PostgreSQL two used to read the same `collected_cents`).
#[tokio::test]
async fn concurrent_payments_on_one_order_all_count() {
    let app = spawn().await;
    let (manager, seller, s) = shop(&app).await;
    // 47,00 € awaiting payment, paid in five cash payments of 9,40 € at once.
    let mut body = split_sale_body(&s);
    body["payments"] = json!([]);
    let (status, order) = seller.post("/api/v1/orders", body).await;
    assert_eq!(status, 201, "{order}");
    let path = format!("/api/v1/orders/{}/payments", id_of(&order));
    let payments = (0..5).map(|_| {
        seller.post(
            &path,
            json!({"register_id": s.register, "payments": [{"method": "cash", "amount": "9,40"}]}),
        )
    });
    for (status, answer) in futures_util::future::join_all(payments).await {
        assert_eq!(status, 200, "{answer}");
    }
    let paid = manager
        .ok(&format!("/api/v1/orders/{}", id_of(&order)))
        .await;
    assert_eq!(paid["collected_cents"], 4_700, "{paid}");
    assert_eq!(paid["state"], "confirmed", "{paid}");
    // Each line paid once, none beyond its total.
    for l in paid["lines"].as_array().unwrap() {
        assert_eq!(l["paid_cents"], l["total_cents"], "{paid}");
    }
    app.stop().await;
}

/// A ticket type's daily stock counts every line of the day together (two sessions in one
/// sale: the sale's statements go to the database as one batch, which takes each counter row
/// once), and a refused sale writes nothing: not its order, not its places.
#[tokio::test]
async fn a_daily_stock_counts_every_line_of_the_day_and_a_refused_sale_writes_nothing() {
    let app = spawn().await;
    let (manager, seller, s) = shop(&app).await;
    let vat = manager.vat_rate_id(0).await;
    let senior = id_of(
        &manager
            .created(
                "/api/v1/ticket-types",
                json!({"name": "Senior", "vat_rate_id": vat, "sale_pos": true, "daily_stock": "5"}),
            )
            .await,
    );
    let offer = manager
        .offer("Visite du soir", 40, &[(senior.as_str(), "7,00")])
        .await;
    let sessions = manager.availability(&offer, &s.day).await["sessions"].clone();
    let (first, second) = (sessions[0]["start"].clone(), sessions[1]["start"].clone());
    let line = |start: &Value, quantity: i64| json!({"offer_id": offer, "session_start": start, "item_id": senior, "quantity": quantity});
    let five = seller
        .sell(
            &s.register,
            vec![line(&first, 3), line(&second, 2)],
            vec![json!({"method": "cash", "amount": "35,00"})],
        )
        .await;
    assert_eq!(five["state"], "confirmed", "{five}");
    let visits = format!("/api/v1/orders?by=visit&from={0}&to={0}", s.day);
    let before = manager.ok(&visits).await["items"].as_array().unwrap().len();
    let (status, refused) = seller
        .post(
            "/api/v1/orders",
            json!({"register_id": s.register, "lines": [line(&second, 1), line(&first, 1)],
                   "payments": [{"method": "cash", "amount": "14,00"}]}),
        )
        .await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(
        field_errors(&refused),
        vec![("lines[0]".to_owned(), "daily_stock_exhausted".to_owned())]
    );
    let after = manager.ok(&visits).await["items"].as_array().unwrap().len();
    assert_eq!(after, before, "the refused sale left no order");
    let av = manager.availability(&offer, &s.day).await;
    assert_eq!(
        (
            av["sessions"][0]["sold"].as_i64(),
            av["sessions"][1]["sold"].as_i64()
        ),
        (Some(3), Some(2)),
        "the refused sale took no place: {av}"
    );
    app.stop().await;
}

/// Two servers on one database (on SQLite, the second as a `guichet` command run beside the
/// server would be): a sale takes its number, its register's session and its journal's head
/// from what its server's writer remembers, checked by the statement that moves each on, so a
/// sale after the other server sold finds them stale and runs the general way. Every sale is
/// numbered once, without a gap, and the journal verifies.
#[tokio::test]
async fn two_servers_on_one_database_number_and_journal_every_sale_once() {
    let (url, dir) = fresh_database().await;
    let first = spawn_on(url.clone(), dir, AppConfig::default()).await;
    let second = spawn_on(url, tempfile::tempdir().unwrap(), AppConfig::default()).await;
    let a = org(&first, "Grottes A", "a").await;
    let key = api_key(&first, &a, "manager").await;
    let on_first = Api {
        app: &first,
        key: key.clone(),
    };
    let on_second = Api {
        app: &second,
        key: key.clone(),
    };
    let s = Catalogue::belgian_with_capacity(&on_first, 1000).await;
    // Runs of one, two and three sales on each server, on both registers.
    let servers = [1, 2, 2, 1, 1, 1, 2, 2, 2, 1, 2, 1];
    for (i, server) in servers.iter().enumerate() {
        let api = if *server == 1 { &on_first } else { &on_second };
        let register = if i % 2 == 0 { &s.register } else { &s.phone };
        let (status, order) = api
            .post(
                "/api/v1/orders",
                json!({"register_id": register, "lines": s.tickets(1, 0),
                       "payments": [{"method": "bank_transfer", "amount": "8,50"}]}),
            )
            .await;
        assert_eq!(status, 201, "sale {i}: {order}");
    }
    assert_eq!(
        sequence_numbers(&on_second, &s).await,
        (1..=12).collect::<Vec<_>>()
    );
    verified(&first).await;
    verified(&second).await;
    second.stop().await;
    first.stop().await;
}
