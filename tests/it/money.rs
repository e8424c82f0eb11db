//! Money rules that were off by a cent or stuck: a quote with nothing to pay is confirmed like
//! the same sale, order numbers follow time under concurrent sales, and every payment line
//! has its own `_N` in its order, refunds included.

use crate::harness::{Api, Catalogue, id_of, login, org, spawn, today};
use reqwest::Method;
use serde_json::{Value, json};

/// A free child's ticket (0,00 €), as a manager may sell one.
fn free_child(s: &Catalogue) -> Vec<Value> {
    vec![
        json!({"offer_id": s.offer, "session_start": s.start, "item_id": s.child, "quantity": 1,
               "free": true, "free_reason": "Anniversaire"}),
    ]
}

#[tokio::test]
async fn a_quote_with_nothing_to_pay_is_confirmed_like_the_same_sale() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let manager = Api::new(&app, &a, "manager").await;
    let s = Catalogue::belgian(&manager).await;
    // Sold at once, the free ticket is confirmed: nothing is due.
    let sold = manager
        .created(
            "/api/v1/orders",
            json!({"register_id": s.register, "lines": free_child(&s)}),
        )
        .await;
    assert_eq!(
        (sold["state"].as_str(), sold["total_cents"].as_i64()),
        (Some("confirmed"), Some(0))
    );
    // The same cart as a quote, confirmed: nothing to pay, so confirmed too.
    let q = manager
        .created(
            "/api/v1/orders",
            json!({"register_id": s.register, "quote": true, "lines": free_child(&s)}),
        )
        .await;
    assert_eq!(q["state"], "quote");
    let path = format!("/api/v1/orders/{}/confirm", id_of(&q));
    let (status, o) = manager
        .post(&path, json!({"register_id": s.register}))
        .await;
    assert_eq!(status, 200, "{o}");
    assert_eq!(
        (
            o["state"].as_str(),
            o["collected_cents"].as_i64(),
            o["flagged"].as_bool()
        ),
        (Some("confirmed"), Some(0), Some(false))
    );
    assert!(o["number"].as_str().unwrap().starts_with('P'));
    let stored = manager.ok(&format!("/api/v1/orders/{}", id_of(&q))).await;
    assert_eq!(stored["state"], "confirmed");
    // A 0,00 payment stays refused: there was never anything to pay.
    let (status, p) = manager
        .post(
            &format!("/api/v1/orders/{}/payments", id_of(&q)),
            json!({"register_id": s.register, "payments": [{"method": "cash", "amount": "0,00"}]}),
        )
        .await;
    assert_eq!(status, 422, "{p}");
    app.stop().await;
}

/// Eight sales at once, three times (on the backend under test: SQLite, or PostgreSQL with
/// `GUICHET_TEST_DATABASE_URL`): numbers stay gapless, a later number never carries an
/// earlier time, and a sale's payment is taken at its order's time.
#[tokio::test]
async fn order_numbers_follow_time_under_concurrent_sales() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let manager = Api::new(&app, &a, "manager").await;
    let s = Catalogue::belgian_with_capacity(&manager, 100).await;
    for _ in 0..3 {
        let mut tasks = Vec::new();
        for i in 0..8 {
            let register = if i % 2 == 0 { &s.register } else { &s.phone };
            let body = json!({"register_id": register, "lines": s.tickets(1, 0),
                "payments": [{"method": "bank_transfer", "amount": "8,50"}]});
            let request = manager.request(Method::POST, "/api/v1/orders").json(&body);
            tasks.push(tokio::spawn(async move {
                let r = request.send().await.unwrap();
                (r.status().as_u16(), r.text().await.unwrap())
            }));
        }
        for t in tasks {
            let (status, body) = t.await.unwrap();
            assert_eq!(status, 201, "{body}");
        }
    }
    let day = today();
    let list = manager
        .ok(&format!("/api/v1/orders?from={day}&to={day}"))
        .await;
    let mut orders: Vec<(String, i64, String)> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["number"].as_str().unwrap().to_owned(),
                o["created_at"].as_i64().unwrap(),
                id_of(o),
            )
        })
        .collect();
    orders.sort();
    let seqs: Vec<i64> = orders.iter().map(|o| o.0[7..].parse().unwrap()).collect();
    assert_eq!(seqs, (1..=24).collect::<Vec<_>>());
    for w in orders.windows(2) {
        assert!(
            w[0].1 <= w[1].1,
            "{} made at {} after {} made at {}",
            w[0].0,
            w[0].1,
            w[1].0,
            w[1].1
        );
    }
    for (number, created, id) in &orders {
        let o = manager.ok(&format!("/api/v1/orders/{id}")).await;
        assert_eq!(o["finalized_at"].as_i64(), Some(*created), "{number}");
        assert_eq!(
            o["payments"][0]["taken_at"].as_i64(),
            Some(*created),
            "{number}"
        );
    }
    app.stop().await;
}

/// The payments list's references (`P2103160760_N`) of one order, as listed.
async fn references(api: &Api<'_>, number: &str) -> Vec<String> {
    let day = today();
    api.all_pages(&format!("/api/v1/payments?from={day}&to={day}"), 1000)
        .await
        .iter()
        .map(|p| p["reference"].as_str().unwrap().to_owned())
        .filter(|r| r.starts_with(&format!("{number}_")))
        .collect()
}

/// `n` references `number_1` … `number_n`, sorted as text.
fn numbered(number: &str, n: i32) -> Vec<String> {
    let mut v: Vec<String> = (1..=n).map(|i| format!("{number}_{i}")).collect();
    v.sort();
    v
}

/// 2 adults (17,00), a child (5,00) and a Panier du Terroir (25,00), paid 20,00 by Bancontact
/// (line 1 and 3,00 of line 2) and 30,00 in cash (2,00 of line 2 and line 3): four payment
/// lines, two of them on line 2.
async fn split_sale(seller: &Api<'_>, s: &Catalogue) -> Value {
    let mut lines = s.tickets(2, 1);
    lines.push(json!({"product_id": s.panier, "quantity": 1}));
    seller
        .created(
            "/api/v1/orders",
            json!({"register_id": s.register, "lines": lines,
                "payments": [{"method": "bancontact", "amount": "20,00"}, {"method": "cash", "amount": "30,00"}]}),
        )
        .await
}

#[tokio::test]
async fn every_payment_line_has_its_own_number_refunds_included() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let manager = Api::new(&app, &a, "manager").await;
    let seller = Api::new(&app, &a, "seller").await;
    let s = Catalogue::belgian(&manager).await;
    let o = split_sale(&seller, &s).await;
    let number = o["number"].as_str().unwrap().to_owned();
    // Bancontact's two payment lines are _1 and _2, cash's _3 and _4 (not _2 again).
    assert_eq!(
        o["payments"][0]["allocations"],
        json!([[1, 1700], [2, 300]])
    );
    assert_eq!(o["payments"][0]["numbers"], json!([1, 2]));
    assert_eq!(
        o["payments"][1]["allocations"],
        json!([[2, 200], [3, 2500]])
    );
    assert_eq!(o["payments"][1]["numbers"], json!([3, 4]));
    let mut refs = references(&manager, &number).await;
    refs.sort();
    assert_eq!(refs, numbered(&number, 4));
    // Cancelled with 47,00 refunded the way it was paid (27,00 kept in cash, 20,00 by
    // Bancontact), each from the last line back: four refund lines, numbered on from _5.
    let (status, c) = manager
        .post(
            &format!("/api/v1/orders/{}/cancel", id_of(&o)),
            json!({"reason": "Client parti", "refunds": [
                {"method": "cash", "amount": "27,00"}, {"method": "bancontact", "amount": "20,00"}]}),
        )
        .await;
    assert_eq!(status, 200, "{c}");
    assert_eq!(
        c["payments"][2]["allocations"],
        json!([[2, -200], [3, -2500]])
    );
    assert_eq!(c["payments"][2]["numbers"], json!([5, 6]));
    assert_eq!(
        c["payments"][3]["allocations"],
        json!([[1, -1700], [2, -300]])
    );
    assert_eq!(c["payments"][3]["numbers"], json!([7, 8]));
    let mut refs = references(&manager, &number).await;
    refs.sort();
    assert_eq!(refs, numbered(&number, 8));
    // The order's page shows each payment line once, with its own number.
    let page = login(&app, &a.manager).await;
    let html = page
        .get(app.url(&format!("/orders/{}", id_of(&o))))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for r in numbered(&number, 8) {
        assert_eq!(
            html.matches(&format!("<td>{r}</td>")).count(),
            1,
            "{r}: {html}"
        );
    }
    // The accountant's export too.
    let day = today();
    let csv = page
        .get(app.url(&format!(
            "/orders/payments/export?from={day}&to={day}&format=csv"
        )))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for r in numbered(&number, 8) {
        assert_eq!(csv.matches(&format!("{r};")).count(), 1, "{r}: {csv}");
    }
    app.stop().await;
}

/// A database made before payment lines had numbers (migration 0029): its payment lines are
/// numbered in the order they were taken, the next ones go on from there, and a quote with
/// nothing to pay left awaiting payment is confirmed.
#[tokio::test]
async fn payment_lines_taken_before_0029_are_numbered_by_it() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let manager = Api::new(&app, &a, "manager").await;
    let seller = Api::new(&app, &a, "seller").await;
    let s = Catalogue::belgian(&manager).await;
    let o = split_sale(&seller, &s).await;
    let number = o["number"].as_str().unwrap().to_owned();
    let q = manager
        .created(
            "/api/v1/orders",
            json!({"register_id": s.register, "quote": true, "lines": free_child(&s)}),
        )
        .await;
    let (status, _) = manager
        .post(
            &format!("/api/v1/orders/{}/confirm", id_of(&q)),
            json!({"register_id": s.register}),
        )
        .await;
    assert_eq!(status, 200);

    // As before 0029: no numbers, no order on the payment lines, no count, the free quote
    // awaiting payment; then 0029's backfill.
    let quote = id_of(&q);
    app.store
        .write(|tx| {
            let quote = quote.clone();
            Box::pin(async move {
                let migration = match tx.backend() {
                    guichet_store::Backend::Sqlite => include_str!(
                        "../../crates/store/migrations/sqlite/0029_payment_numbers.sql"
                    ),
                    guichet_store::Backend::Postgres => include_str!(
                        "../../crates/store/migrations/postgres/0029_payment_numbers.sql"
                    ),
                };
                let backfill = &migration[migration.find("-- Backfill").expect("marked")..];
                let quote: uuid::Uuid = quote.parse().expect("an id");
                guichet_store::on_tx!(tx, c => sqlx::query(
                    "UPDATE payment_allocations SET order_id = NULL, number = 0")
                    .execute(c).await?.rows_affected());
                guichet_store::on_tx!(tx, c => sqlx::query("UPDATE orders SET payment_lines = 0")
                    .execute(c).await?.rows_affected());
                guichet_store::on_tx!(tx, c => sqlx::query(
                    "UPDATE orders SET state = 'awaiting_payment' WHERE id = $1")
                    .bind(quote).execute(c).await?.rows_affected());
                for statement in backfill.split(";\n").filter(|s| {
                    s.lines()
                        .any(|l| !l.trim().is_empty() && !l.trim_start().starts_with("--"))
                }) {
                    guichet_store::on_tx!(tx, c => sqlx::query(sqlx::AssertSqlSafe(statement))
                        .execute(c).await?.rows_affected());
                }
                Ok(())
            })
        })
        .await
        .unwrap();

    let again = manager.ok(&format!("/api/v1/orders/{}", id_of(&o))).await;
    assert_eq!(again["payments"][0]["numbers"], json!([1, 2]));
    assert_eq!(again["payments"][1]["numbers"], json!([3, 4]));
    let mut refs = references(&manager, &number).await;
    refs.sort();
    assert_eq!(refs, numbered(&number, 4));
    let (status, c) = manager
        .post(
            &format!("/api/v1/orders/{}/cancel", id_of(&o)),
            json!({"reason": "Client parti", "refunds": [
                {"method": "cash", "amount": "27,00"}, {"method": "bancontact", "amount": "20,00"}]}),
        )
        .await;
    assert_eq!(status, 200, "{c}");
    assert_eq!(c["payments"][2]["numbers"], json!([5, 6]));
    assert_eq!(c["payments"][3]["numbers"], json!([7, 8]));
    let q = manager.ok(&format!("/api/v1/orders/{}", id_of(&q))).await;
    assert_eq!(q["state"], "confirmed");
    app.stop().await;
}
