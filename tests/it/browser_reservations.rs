//! Special orders in a real browser (headless Chromium through chromedriver): a seller takes
//! a deposit on a customer's reservation from her page, the item arrives and is set aside, and
//! the register pulls it into her sale with the deposit deducted, so she pays the rest.

use crate::browser::{browser, click, flash_containing, sign_in, text_of_contains};
use crate::harness::{api_get, api_key, api_post, org, spawn, today, vat_rate_id};
use fantoccini::Locator;
use serde_json::json;
use std::time::Duration;

/// Waits (up to 10 s) until the element under `css` is displayed.
async fn displayed(b: &fantoccini::Client, css: &str) {
    for _ in 0..100 {
        if let Ok(el) = b.find(Locator::Css(css)).await
            && el.is_displayed().await.unwrap_or(false)
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{css} was never displayed");
}

/// Issue 6 §11 through the screens: a deposit of 10,00 on a 30,00 book is taken on the
/// customer's page; once the book is received and set aside, the register offers it for the
/// attached customer, deducts the deposit (20,00 left, VAT 1,13 at 6 %) and the sale consumes
/// the reservation.
#[tokio::test]
async fn special_order_deposit_then_sale_at_the_register() {
    let Some((_driver, _profile, b)) = browser().await else {
        return;
    };
    let app = spawn().await;
    let a = org(&app, "Librairie A", "a").await;
    let key = api_key(&app, &a, "manager").await;
    let vat6 = vat_rate_id(&app, &key, 600).await;
    let atlas = api_post(
        &app,
        &key,
        "/api/v1/products",
        json!({"name": "Atlas des grottes", "price": "30,00", "vat_rate_id": vat6,
               "sale_pos": true, "stock_managed": true, "initial_stock": "0"}),
        201,
    )
    .await;
    let elise = api_post(
        &app,
        &key,
        "/api/v1/customers",
        json!({"first_name": "Élise", "last_name": "Dubois"}),
        201,
    )
    .await;
    let cid = elise["id"].as_str().unwrap().to_owned();
    let reservation = api_post(
        &app,
        &key,
        "/api/v1/reservations",
        json!({"customer_id": cid, "product": "Atlas des grottes"}),
        201,
    )
    .await;
    assert_eq!(reservation["state"], "waiting", "out of stock: on order");
    let rid = reservation["id"].as_str().unwrap().to_owned();

    // The deposit, from her page: 10,00 in cash.
    b.goto(&app.url("/login")).await.unwrap();
    sign_in(&b, &a.seller).await;
    b.goto(&app.url(&format!("/marketing/customers/{cid}")))
        .await
        .unwrap();
    let row = format!("#reservation-{rid}");
    b.wait().for_element(Locator::Css(&row)).await.unwrap();
    text_of_contains(&b, &row, "Atlas des grottes").await;
    click(&b, &format!("{row} details summary")).await;
    displayed(&b, &format!("{row} .deposit-form input[name=amount]")).await;
    b.find(Locator::Css(&format!(
        "{row} .deposit-form input[name=amount]"
    )))
    .await
    .unwrap()
    .send_keys("10,00")
    .await
    .unwrap();
    click(
        &b,
        &format!("{row} .deposit-form select[name=method] option[value=cash]"),
    )
    .await;
    click(&b, &format!("{row} .deposit-form button[type=submit]")).await;
    flash_containing(&b, "Acompte enregistré").await;
    let cell = text_of_contains(&b, &format!("{row} td.deposit"), "10,00 €").await;
    let deposit_number = cell.split_whitespace().last().unwrap().to_owned();
    assert!(deposit_number.starts_with('P'), "{cell}");
    assert!(
        b.find(Locator::Css(&format!("{row} .deposit-form")))
            .await
            .is_err(),
        "a deposit is taken once"
    );

    // The book arrives and is set aside for her.
    let so = api_post(
        &app,
        &key,
        "/api/v1/supplier-orders",
        json!({"supplier": "Dilicom", "lines": [{"product_id": atlas["id"], "quantity": "1"}]}),
        201,
    )
    .await;
    api_post(
        &app,
        &key,
        &format!(
            "/api/v1/supplier-orders/{}/receive",
            so["id"].as_str().unwrap()
        ),
        json!({"received": {}}),
        200,
    )
    .await;

    // At the register: attached, she is offered her book, and the deposit comes off.
    b.goto(&app.url("/register")).await.unwrap();
    text_of_contains(&b, "#drawer-link", "ouverte").await;
    assert!(
        !b.find(Locator::Id("customer-reservations"))
            .await
            .unwrap()
            .is_displayed()
            .await
            .unwrap(),
        "no banner without a customer"
    );
    click(&b, "#customer-open").await;
    b.find(Locator::Id("customer-search"))
        .await
        .unwrap()
        .send_keys("Dubois")
        .await
        .unwrap();
    text_of_contains(&b, "#customer-results", "Élise DUBOIS").await;
    b.find(Locator::Id("customer-search"))
        .await
        .unwrap()
        .send_keys("\u{E007}")
        .await
        .unwrap();
    text_of_contains(&b, "#customer-name", "Élise DUBOIS").await;
    displayed(&b, "#customer-reservations").await;
    let banner = text_of_contains(&b, "#customer-reservations", "Atlas des grottes").await;
    assert!(banner.contains("1 × Atlas des grottes"), "{banner}");
    click(&b, "#customer-reservations-add").await;
    text_of_contains(&b, "#cart tbody", "Atlas des grottes").await;
    let deducted = text_of_contains(&b, "#cart tbody tr.added-line", "Acompte déduit").await;
    assert!(
        deducted.contains("Atlas des grottes") && deducted.contains(&deposit_number),
        "{deducted}"
    );
    assert!(deducted.contains("-10,00 €"), "{deducted}");
    text_of_contains(&b, "#total", "20,00 €").await;
    assert!(
        !b.find(Locator::Id("customer-reservations"))
            .await
            .unwrap()
            .is_displayed()
            .await
            .unwrap(),
        "the banner goes once its items are in the cart"
    );

    // The rest, in cash.
    click(&b, "#methods button[data-method='cash']").await;
    let amount = b.find(Locator::Id("pay-amount")).await.unwrap();
    amount.clear().await.unwrap();
    amount.send_keys("20,00").await.unwrap();
    click(&b, "#validate").await;
    let sold = text_of_contains(&b, "#result-number", "P").await;
    let number = sold.split_whitespace().last().unwrap().to_owned();
    assert_ne!(number, deposit_number);
    text_of_contains(&b, "#customer-name", "—").await;

    // The API: the sale is 30,00 less the deposit, with the VAT to the cent; nothing is open.
    let orders = api_get(
        &app,
        &key,
        &format!("/api/v1/orders?from={0}&to={0}", today()),
    )
    .await;
    let orders = orders["items"].as_array().unwrap();
    assert_eq!(orders.len(), 2, "the deposit and the sale: {orders:?}");
    assert!(
        orders
            .iter()
            .any(|o| o["number"] == deposit_number.as_str()),
        "{orders:?}"
    );
    let sale = orders
        .iter()
        .find(|o| o["number"] == number.as_str())
        .unwrap();
    let o = api_get(
        &app,
        &key,
        &format!("/api/v1/orders/{}", sale["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(o["customer_id"], elise["id"]);
    assert_eq!(o["state"], "confirmed");
    assert_eq!(o["total_cents"], 2000, "{o}");
    assert_eq!(o["vat_cents"], 113, "{o}");
    let lines = o["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 2, "{o}");
    assert_eq!(lines[1]["total_cents"], -1000, "{o}");
    let open = api_get(
        &app,
        &key,
        &format!("/api/v1/reservations?customer_id={cid}"),
    )
    .await;
    assert!(open["items"].as_array().unwrap().is_empty(), "{open}");
    b.close().await.unwrap();
    app.stop().await;
}
