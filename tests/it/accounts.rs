//! Customer accounts (seeds 002 and 003): a sale charged to the account up to the balance
//! limit and paid back later, a layaway (deposit, items held) cancelled with its deposit kept
//! as store credit, and that credit spent — never beyond what the customer has.

use crate::harness::{TestApp, api_key, client, org, problem, spawn, vat_rate_id};
use serde_json::{Value, json};

async fn call(
    app: &TestApp,
    key: &str,
    method: reqwest::Method,
    path: &str,
    body: Value,
) -> reqwest::Response {
    client()
        .request(method, app.url(path))
        .bearer_auth(key)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn get(app: &TestApp, key: &str, path: &str) -> Value {
    let r = client()
        .get(app.url(path))
        .bearer_auth(key)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{path}: {}", r.status());
    r.json().await.unwrap()
}

#[tokio::test]
async fn on_account_up_to_the_limit_layaway_and_store_credit() {
    let app = spawn().await;
    let a = org(&app, "Librairie A", "a").await;
    let key = api_key(&app, &a, "manager").await;
    let post = reqwest::Method::POST;
    let rate = vat_rate_id(&app, &key, 600).await;
    let book: Value = call(
        &app,
        &key,
        post.clone(),
        "/api/v1/products",
        json!({"name": "Atlas", "price": "20,00",
        "vat_rate_id": rate, "sale_pos": true, "stock_managed": true, "initial_stock": "5"}),
    )
    .await
    .json()
    .await
    .unwrap();
    let school: Value = call(
        &app,
        &key,
        post.clone(),
        "/api/v1/customers",
        json!({"last_name": "École du Centre", "balance_limit": "30,00", "loyalty": true}),
    )
    .await
    .json()
    .await
    .unwrap();
    let cid = school["id"].as_str().unwrap().to_owned();
    let register = get(&app, &key, "/api/v1/registers").await["items"][0]["id"].clone();
    let sale = |customer: Option<&str>, payments: Value| json!({"register_id": register, "customer_id": customer, "lines": [{"product_id": book["id"], "quantity": 1}], "payments": payments});
    let account = |v: &Value| {
        (
            v["account"]["owed_cents"].as_i64().unwrap(),
            v["account"]["credit_cents"].as_i64().unwrap(),
        )
    };

    // Charged to the account: 20,00 owed of a 30,00 limit.
    let r = call(
        &app,
        &key,
        post.clone(),
        "/api/v1/orders",
        sale(Some(&cid), json!([])),
    )
    .await;
    assert_eq!(r.status(), 201);
    let first: Value = r.json().await.unwrap();
    assert_eq!(first["state"], "awaiting_payment");
    assert_eq!(
        account(&get(&app, &key, &format!("/api/v1/customers/{cid}")).await),
        (2_000, 0)
    );

    // Another 20,00 would pass the limit: refused, nothing written.
    let p = problem(
        call(
            &app,
            &key,
            post.clone(),
            "/api/v1/orders",
            sale(Some(&cid), json!([])),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(p["errors"][0]["code"], "balance_limit_exceeded", "{p}");
    assert_eq!(
        get(
            &app,
            &key,
            &format!("/api/v1/products/{}", book["id"].as_str().unwrap())
        )
        .await["stock"],
        4
    );

    // A layaway: 15,00 deposit, 5,00 more owed (25,00 in all, within the limit).
    let r = call(
        &app,
        &key,
        post.clone(),
        "/api/v1/orders",
        sale(Some(&cid), json!([{"method": "cash", "amount": "15,00"}])),
    )
    .await;
    assert_eq!(r.status(), 201);
    let layaway: Value = r.json().await.unwrap();
    let file = get(&app, &key, &format!("/api/v1/customers/{cid}")).await;
    assert_eq!(account(&file), (2_500, 0));
    assert_eq!(file["account"]["open_orders"].as_array().unwrap().len(), 2);

    // The first sale paid back.
    let r = call(&app, &key, post.clone(), &format!("/api/v1/orders/{}/payments", first["id"].as_str().unwrap()),
        json!({"register_id": register, "payments": [{"method": "bank_transfer", "amount": "20,00"}]})).await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        account(&get(&app, &key, &format!("/api/v1/customers/{cid}")).await),
        (500, 0)
    );

    // The layaway cancelled: the book back in stock, the deposit kept as store credit.
    let r = call(&app, &key, post.clone(), &format!("/api/v1/orders/{}/cancel", layaway["id"].as_str().unwrap()),
        json!({"reason": "Ne viendra pas le chercher", "refund": {"method": "store_credit", "amount": "15,00"}})).await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        get(
            &app,
            &key,
            &format!("/api/v1/products/{}", book["id"].as_str().unwrap())
        )
        .await["stock"],
        4
    );
    assert_eq!(
        account(&get(&app, &key, &format!("/api/v1/customers/{cid}")).await),
        (0, 1_500)
    );

    // The credit spent on the next sale, with 5,00 in cash; then there is none left.
    let r = call(&app, &key, post.clone(), "/api/v1/orders", sale(Some(&cid),
        json!([{"method": "store_credit", "amount": "15,00"}, {"method": "cash", "amount": "5,00"}]))).await;
    assert_eq!(r.status(), 201);
    let file = get(&app, &key, &format!("/api/v1/customers/{cid}")).await;
    assert_eq!(account(&file), (0, 0));
    let moves: Vec<i64> = file["account"]["credit_entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["amount_cents"].as_i64().unwrap())
        .collect();
    assert_eq!(moves, vec![1_500, -1_500]);
    // Loyalty: a point per euro of what they bought (20,00 paid back + 20,00 now; the
    // cancelled layaway does not count).
    assert_eq!(file["loyalty_points"], 40);
    let p = problem(
        call(
            &app,
            &key,
            post.clone(),
            "/api/v1/orders",
            sale(
                Some(&cid),
                json!([{"method": "store_credit", "amount": "1,00"}]),
            ),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(p["errors"][0]["code"], "not_enough_credit", "{p}");
    let p = problem(
        call(
            &app,
            &key,
            post.clone(),
            "/api/v1/orders",
            sale(None, json!([{"method": "store_credit", "amount": "1,00"}])),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(p["errors"][0]["code"], "store_credit_needs_customer", "{p}");

    // The customer's page shows the statement.
    let m = crate::harness::login(&app, &a.manager).await;
    let page = m
        .get(app.url(&format!("/marketing/customers/{cid}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("id=\"account-statement\"") && page.contains("Rien à payer"),
        "{page}"
    );
    app.stop().await;
}
