//! Customers in a real browser (headless Chromium through chromedriver): a new customer added
//! from the register without leaving the sale, a spreadsheet import corrected through its
//! errors file, and two duplicate records merged from the duplicates page.

use crate::browser::{browser, click, flash_containing, sign_in, text_of_contains};
use crate::harness::{TestApp, api_get, api_key, api_post, org, spawn, today, vat_rate_id};
use fantoccini::{Client, Locator};
use serde_json::{Value, json};
use std::time::Duration;

/// A POST on the API with a bearer key; expects `201 Created` and answers the body.
async fn api_create(app: &TestApp, key: &str, path: &str, body: Value) -> Value {
    api_post(app, key, path, body, 201).await
}

/// The customers the API finds for `q`.
async fn customers(app: &TestApp, key: &str, q: &str) -> Vec<Value> {
    api_get(app, key, &format!("/api/v1/customers?q={q}")).await["items"]
        .as_array()
        .unwrap()
        .clone()
}

/// The text of each cell of each row under `css` (a `tbody`).
async fn rows(b: &Client, css: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for tr in b
        .find_all(Locator::Css(&format!("{css} tr")))
        .await
        .unwrap()
    {
        let mut cells = Vec::new();
        for td in tr.find_all(Locator::Css("td")).await.unwrap() {
            cells.push(td.text().await.unwrap());
        }
        out.push(cells);
    }
    out
}

/// Waits (up to 10 s) until the browser shows a page whose path differs from `from`.
async fn left(b: &Client, from: &str) -> String {
    for _ in 0..100 {
        if let Ok(u) = b.current_url().await
            && u.path() != from
        {
            return u.path().to_owned();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the browser stayed on {from}");
}

/// Picks `path` in the import page's file input and submits it; waits for the report page.
async fn upload_in_browser(b: &Client, path: &std::path::Path) -> String {
    b.wait()
        .for_element(Locator::Id("import-form"))
        .await
        .unwrap();
    b.find(Locator::Id("import-file"))
        .await
        .unwrap()
        .send_keys(path.to_str().unwrap())
        .await
        .unwrap();
    click(b, "#import-form button[type=submit]").await;
    let at = left(b, "/marketing/customers/import").await;
    assert!(at.starts_with("/marketing/customers/import/"), "{at}");
    b.wait()
        .for_element(Locator::Id("import-summary"))
        .await
        .unwrap();
    at
}

/// The register's "Add 'X' as a new customer": a seller scans a product, types a name nobody
/// has, creates the customer with an e-mail and a phone without leaving the sale, and sells
/// to them.
#[tokio::test]
async fn add_a_customer_during_a_sale() {
    let Some((_driver, _profile, b)) = browser().await else {
        return;
    };
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let key = api_key(&app, &a, "manager").await;
    let vat21 = vat_rate_id(&app, &key, 2100).await;
    let peluche = api_create(
        &app,
        &key,
        "/api/v1/products",
        json!({"name": "Peluche loup", "price": "12,80", "vat_rate_id": vat21, "sale_pos": true}),
    )
    .await;
    let barcode = peluche["barcode"].as_str().unwrap().to_owned();
    // Someone else, so that the search has something it must not propose.
    api_create(
        &app,
        &key,
        "/api/v1/customers",
        json!({"first_name": "Camille", "last_name": "Lambert", "email": "camille.lambert@example.be"}),
    )
    .await;

    b.goto(&app.url("/login")).await.unwrap();
    sign_in(&b, &a.seller).await;
    b.goto(&app.url("/register")).await.unwrap();
    text_of_contains(&b, "#drawer-link", "ouverte").await;
    b.find(Locator::Id("scan"))
        .await
        .unwrap()
        .send_keys(&format!("{barcode}\u{E007}"))
        .await
        .unwrap();
    text_of_contains(&b, "#total", "12,80 €").await;

    // The customer tab: the typed name is nobody's, so the screen offers to add it.
    click(&b, "#customer-open").await;
    b.find(Locator::Id("customer-search"))
        .await
        .unwrap()
        .send_keys("Camille Durand")
        .await
        .unwrap();
    let offer = text_of_contains(&b, "#customer-add-typed", "Camille Durand").await;
    assert!(offer.contains("comme nouveau client"), "{offer}");
    let results = b
        .find(Locator::Id("customer-results"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!results.contains("Lambert"), "{results}");
    click(&b, "#customer-add-typed").await;
    let value = |id: &'static str| {
        let b = b.clone();
        async move {
            b.find(Locator::Id(id))
                .await
                .unwrap()
                .prop("value")
                .await
                .unwrap()
                .unwrap_or_default()
        }
    };
    assert_eq!(value("c-first_name").await, "Camille");
    assert_eq!(value("c-last_name").await, "Durand");
    b.find(Locator::Id("c-email"))
        .await
        .unwrap()
        .send_keys("camille.durand@example.be")
        .await
        .unwrap();
    b.find(Locator::Id("c-phone"))
        .await
        .unwrap()
        .send_keys("0475 12 34 56")
        .await
        .unwrap();
    click(&b, "#customer-create").await;
    text_of_contains(&b, "#customer-name", "Camille DURAND").await;
    // Still the same sale: same page, the product still in the cart, the customer on it.
    assert_eq!(b.current_url().await.unwrap().path(), "/register");
    text_of_contains(&b, "#cart tbody", "Peluche loup").await;
    text_of_contains(&b, "#total", "12,80 €").await;
    // Attaching closes the customer dialog; it opens again on the customer's name.
    click(&b, "#customer-open").await;
    assert!(
        b.find(Locator::Id("customer-detach"))
            .await
            .unwrap()
            .is_displayed()
            .await
            .unwrap(),
        "the attached customer can be detached"
    );
    assert!(value("c-email").await.is_empty(), "the form is emptied");
    click(&b, "#customer-done").await;

    // Paid in cash.
    click(&b, "#methods button[data-method='cash']").await;
    let amount = b.find(Locator::Id("pay-amount")).await.unwrap();
    amount.clear().await.unwrap();
    amount.send_keys("12,80").await.unwrap();
    click(&b, "#validate").await;
    let sold = text_of_contains(&b, "#result-number", "P").await;
    let number = sold.split_whitespace().last().unwrap().to_owned();
    text_of_contains(&b, "#customer-name", "—").await;

    // The API: one new customer, phone in international form, and the order is theirs.
    let found = customers(&app, &key, "durand").await;
    assert_eq!(found.len(), 1, "{found:?}");
    let c = &found[0];
    assert_eq!(c["display_name"], "Camille DURAND");
    assert_eq!(c["first_name"], "Camille");
    assert_eq!(c["email"], "camille.durand@example.be");
    assert_eq!(c["phone"], "+32475123456");
    assert_eq!(customers(&app, &key, "").await.len(), 2);
    let orders = api_get(
        &app,
        &key,
        &format!("/api/v1/orders?from={0}&to={0}", today()),
    )
    .await;
    assert!(orders["next"].is_null(), "one page");
    let orders = orders["items"].as_array().unwrap();
    assert_eq!(orders.len(), 1, "{orders:?}");
    assert_eq!(orders[0]["number"], number.as_str());
    assert_eq!(orders[0]["customer_name"], "Camille DURAND");
    let o = api_get(
        &app,
        &key,
        &format!("/api/v1/orders/{}", orders[0]["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(o["customer_id"], c["id"]);
    assert_eq!(o["state"], "confirmed");
    assert_eq!(o["total_cents"], 1280);
    let file = api_get(
        &app,
        &key,
        &format!("/api/v1/customers/{}", c["id"].as_str().unwrap()),
    )
    .await;
    let history = file["orders"].as_array().unwrap();
    assert_eq!(history.len(), 1, "{file}");
    assert_eq!(history[0]["number"], number.as_str());
    assert_eq!(file["revenue_cents"], 1280);
    b.close().await.unwrap();
    app.stop().await;
}

/// A manager imports a `;` CSV with a bad e-mail: the report names the line and the column and
/// offers no import; the errors file comes back with its errors column, is fixed and uploaded
/// again, and imports.
#[tokio::test]
async fn import_with_errors_download_fix_and_import() {
    let Some((_driver, _profile, b)) = browser().await else {
        return;
    };
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let key = api_key(&app, &a, "manager").await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("clients.csv");
    std::fs::write(
        &file,
        "Prénom;Nom;E-mail;Téléphone;Code postal\r\n\
         Élise;Dubois;elise@example.be;0475 12 34 56;5000\r\n\
         Joël;Martin;joel-at-example;0475 65 43 21;5500\r\n\
         Tom;Claes;tom@example.be;;1348\r\n",
    )
    .unwrap();

    b.goto(&app.url("/login")).await.unwrap();
    sign_in(&b, &a.manager).await;
    b.goto(&app.url("/marketing/customers")).await.unwrap();
    b.wait()
        .for_element(Locator::Id("import-link"))
        .await
        .unwrap();
    click(&b, "#import-link").await;
    let first = upload_in_browser(&b, &file).await;

    // The report: one error, on line 3 in the E-mail column, and nothing to import.
    text_of_contains(&b, "main h1", "clients.csv").await;
    let errors = rows(&b, "#import-errors tbody").await;
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0][0], "3", "{errors:?}");
    assert_eq!(errors[0][1], "E-mail", "{errors:?}");
    assert!(errors[0][2].contains("e-mail"), "{errors:?}");
    assert!(
        b.find(Locator::Id("import-commit")).await.is_err(),
        "no import while the file has errors"
    );
    assert!(b.find(Locator::Id("import-continue")).await.is_err());
    assert!(b.find(Locator::Id("commit-form")).await.is_err());
    text_of_contains(&b, "#import-summary", "Rien ne peut être importé").await;
    assert!(customers(&app, &key, "").await.is_empty());

    // The errors file, fetched with the browser's session.
    let href = b
        .find(Locator::Id("import-errors-file"))
        .await
        .unwrap()
        .prop("href")
        .await
        .unwrap()
        .unwrap();
    assert!(href.ends_with(&format!("{first}/errors")), "{href}");
    let cookie = b
        .get_all_cookies()
        .await
        .unwrap()
        .iter()
        .map(|c| format!("{}={}", c.name(), c.value()))
        .collect::<Vec<_>>()
        .join("; ");
    let r = crate::harness::plain_client()
        .get(&href)
        .header(reqwest::header::COOKIE, cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let disposition = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(disposition.contains("clients-errors.csv"), "{disposition}");
    let back = r.text().await.unwrap();
    let lines: Vec<&str> = back.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines.len(), 4, "{back}");
    assert!(
        lines[0].starts_with("Prénom;Nom;E-mail;") && lines[0].ends_with(";erreurs"),
        "{back}"
    );
    assert!(lines[1].ends_with(';'), "no error on Élise's line: {back}");
    assert!(
        lines[2].contains("joel-at-example") && lines[2].contains("E-mail: "),
        "{back}"
    );
    assert!(lines[3].ends_with(';'), "no error on Tom's line: {back}");

    // Fixed in the downloaded file (its errors column left in) and uploaded again.
    let fixed = dir.path().join("clients-errors.csv");
    std::fs::write(&fixed, back.replace("joel-at-example", "joel@example.be")).unwrap();
    click(&b, ".heading-row a[href='/marketing/customers/import']").await;
    let second = upload_in_browser(&b, &fixed).await;
    assert_ne!(first, second);
    text_of_contains(&b, "main h1", "clients-errors.csv").await;
    text_of_contains(&b, "#import-error-count", "0 ").await;
    text_of_contains(&b, "#import-warning-count", "0 ").await;
    text_of_contains(&b, "#import-summary", "3 à créer").await;
    assert!(b.find(Locator::Id("import-errors")).await.is_err());
    assert!(b.find(Locator::Id("import-warnings")).await.is_err());
    assert!(b.find(Locator::Id("import-done")).await.is_err());
    click(&b, "#import-commit").await;
    let done = text_of_contains(&b, "#import-done", "créés").await;
    assert!(done.contains("3 clients créés, 0 mis à jour"), "{done}");
    assert!(b.find(Locator::Id("import-commit")).await.is_err());

    // The API lists them, as the customer form would have kept them.
    let all = customers(&app, &key, "").await;
    assert_eq!(all.len(), 3, "{all:?}");
    let joel = customers(&app, &key, "martin").await;
    assert_eq!(joel.len(), 1, "{joel:?}");
    assert_eq!(joel[0]["email"], "joel@example.be");
    assert_eq!(joel[0]["phone"], "+32475654321");
    let elise = customers(&app, &key, "dubois").await;
    assert_eq!(elise[0]["phone"], "+32475123456");
    assert_eq!(elise[0]["origin"]["province"], "Namur");
    assert_eq!(
        customers(&app, &key, "claes").await[0]["display_name"],
        "Tom CLAES"
    );
    b.close().await.unwrap();
    app.stop().await;
}

/// Two records of one person (same e-mail, names that differ by an accent, same postal code):
/// the manager sees the pair on the duplicates page and merges it; one record is left.
#[tokio::test]
async fn merge_two_duplicates_from_the_page() {
    let Some((_driver, _profile, b)) = browser().await else {
        return;
    };
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let key = api_key(&app, &a, "manager").await;
    let one = api_create(
        &app,
        &key,
        "/api/v1/customers",
        json!({"first_name": "Élise", "last_name": "Dubois", "email": "elise.dubois@example.be",
               "postal_code": "5000", "phone": "0475 11 22 33"}),
    )
    .await;
    let other = api_create(
        &app,
        &key,
        "/api/v1/customers",
        json!({"first_name": "Elise", "last_name": "Dubois", "email": "elise.dubois@example.be",
               "postal_code": "5000", "city": "Namur"}),
    )
    .await;
    // Someone else, who stays.
    api_create(
        &app,
        &key,
        "/api/v1/customers",
        json!({"first_name": "Marc", "last_name": "Lambert", "postal_code": "5500"}),
    )
    .await;
    assert_eq!(customers(&app, &key, "dubois").await.len(), 2);

    b.goto(&app.url("/login")).await.unwrap();
    sign_in(&b, &a.manager).await;
    b.goto(&app.url("/marketing/customers/duplicates"))
        .await
        .unwrap();
    b.wait()
        .for_element(Locator::Id("duplicates"))
        .await
        .unwrap();
    let pairs = rows(&b, "#duplicates tbody").await;
    assert_eq!(pairs.len(), 1, "{pairs:?}");
    let pair = pairs[0].join(" | ");
    assert!(
        pair.contains("Élise DUBOIS") && pair.contains("Elise DUBOIS"),
        "{pair}"
    );
    assert!(pair.contains("même e-mail"), "{pair}");
    assert!(!pair.contains("Lambert"), "{pair}");
    // The left record is kept, the right one folded into it.
    let link_id = |n: usize| {
        let b = b.clone();
        async move {
            let href = b
                .find(Locator::Css(&format!(
                    "#duplicates tbody tr td:nth-child({n}) a"
                )))
                .await
                .unwrap()
                .attr("href")
                .await
                .unwrap()
                .unwrap();
            href.rsplit('/').next().unwrap().to_owned()
        }
    };
    let (kept, folded) = (link_id(3).await, link_id(4).await);
    let mut ids = [kept.clone(), folded.clone()];
    ids.sort();
    let mut expected = [
        one["id"].as_str().unwrap().to_owned(),
        other["id"].as_str().unwrap().to_owned(),
    ];
    expected.sort();
    assert_eq!(ids, expected);

    click(&b, "#duplicates tbody .merge-form button[type=submit]").await;
    // A merge cannot be undone: both records are shown before it is done.
    text_of_contains(&b, "#confirm-step", "Client gardé").await;
    click(&b, "#confirmed-merge").await;
    flash_containing(&b, "Fiches fusionnées").await;
    text_of_contains(&b, "#duplicates", "Aucun doublon probable").await;
    assert!(
        b.find(Locator::Css("#duplicates .merge-form"))
            .await
            .is_err()
    );

    // One record left, with what each had.
    let left = customers(&app, &key, "dubois").await;
    assert_eq!(left.len(), 1, "{left:?}");
    assert_eq!(left[0]["id"], kept.as_str());
    assert_eq!(left[0]["email"], "elise.dubois@example.be");
    assert_eq!(left[0]["phone"], "+32475112233");
    assert_eq!(left[0]["city"], "Namur");
    assert_eq!(customers(&app, &key, "").await.len(), 2);
    let r = crate::harness::plain_client()
        .get(app.url(&format!("/api/v1/customers/{folded}")))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert!(
        api_get(&app, &key, "/api/v1/customers/duplicates").await["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    b.close().await.unwrap();
    app.stop().await;
}
