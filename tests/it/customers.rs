//! The customer file through the API: every field checked, search over names, company, e-mail,
//! phone (as people type it) and tags, the list's filters and columns, the customer's page with
//! history and spending, consents with their dates, and tenancy.

use crate::harness::{TestApp, api_key, client, field_errors, org, problem, spawn};
use serde_json::{Value, json};

async fn get(app: &TestApp, key: &str, path: &str) -> Value {
    let r = client()
        .get(app.url(path))
        .bearer_auth(key)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "GET {path}: {}", r.status());
    r.json().await.unwrap()
}

async fn send(
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

/// A product sold at the register, at `price` and the VAT rate of `bp` basis points.
async fn product(app: &TestApp, key: &str, name: &str, price: &str, bp: i64) -> Value {
    let rates = get(app, key, "/api/v1/vat-rates").await["items"].clone();
    let rate = rates
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rate_basis_points"] == bp)
        .unwrap()["id"]
        .clone();
    let body = json!({"name": name, "price": price, "vat_rate_id": rate, "sale_pos": true});
    let r = send(app, key, reqwest::Method::POST, "/api/v1/products", body).await;
    assert_eq!(r.status(), 201);
    r.json().await.unwrap()
}

fn names(list: &Value) -> Vec<String> {
    let mut v: Vec<String> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["display_name"].as_str().unwrap().to_owned())
        .collect();
    v.sort();
    v
}

/// Organization A and a seller's key.
async fn desk(app: &TestApp) -> (crate::harness::OrgFixture, String) {
    let a = org(app, "Grottes A", "a").await;
    let key = api_key(app, &a, "seller").await;
    (a, key)
}

/// Élise Lambert with every field filled in (institutional, e-mails agreed to): her file.
async fn elise(app: &TestApp, key: &str) -> Value {
    let made = send(app, key, reqwest::Method::POST, "/api/v1/customers", json!({
        "first_name": "Élise", "last_name": "Lambert", "company": "Athénée royal de Dinant", "email": "elise@example.be",
        "phone": "0475 12 34 56", "street": "Rue des Grottes 6", "postal_code": "5500", "city": "Dinant",
        "language": "fr", "birth_date": "1984-05-17", "institutional": true, "iban": "BE68 5390 0754 7034",
        "bic": "GKCCBEBB", "balance_limit": "500", "loyalty": true, "tags": "école, groupe", "notes": "Vient chaque printemps.",
        "consent_email": true})).await;
    assert_eq!(made.status(), 201);
    made.json().await.unwrap()
}

/// Élise, then Elise Martin (a Dutch phone), Mélissa Durand, Marc Dubois and a prospect.
async fn customers_to_search(app: &TestApp, key: &str) -> Value {
    let elise = elise(app, key).await;
    for (first, last, phone) in [
        ("Elise", "Martin", "+31 20 794 3500"),
        ("Mélissa", "Durand", ""),
        ("Marc", "Dubois", ""),
    ] {
        let r = send(
            app,
            key,
            reqwest::Method::POST,
            "/api/v1/customers",
            json!({"first_name": first, "last_name": last, "phone": phone}),
        )
        .await;
        assert_eq!(r.status(), 201);
    }
    let prospect = send(
        app,
        key,
        reqwest::Method::POST,
        "/api/v1/customers",
        json!({"last_name": "Prospect", "status": "prospect"}),
    )
    .await;
    assert_eq!(prospect.status(), 201);
    elise
}

#[tokio::test]
async fn a_bad_customer_is_refused_with_every_field_named_and_nothing_written() {
    let app = spawn().await;
    let (_, key) = desk(&app).await;
    let r = send(&app, &key, reqwest::Method::POST, "/api/v1/customers", json!({"last_name": "Dupont", "iban": "BE00 0000 0000 0000",
        "bic": "XX", "birth_date": "31/02/1990", "discount_percent": "150", "status": "vip", "language": "tlh", "email": "nope"})).await;
    let p = problem(r, 422).await;
    let fields: Vec<String> = field_errors(&p).into_iter().map(|(f, _)| f).collect();
    for f in [
        "iban",
        "bic",
        "birth_date",
        "discount_percent",
        "status",
        "language",
        "email",
    ] {
        assert!(fields.iter().any(|x| x == f), "{f}: {fields:?}");
    }
    assert!(
        get(&app, &key, "/api/v1/customers").await["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    app.stop().await;
}

#[tokio::test]
async fn a_new_customer_gets_an_origin_a_normal_phone_and_iban_her_discount_and_consent_date() {
    let app = spawn().await;
    let (_, key) = desk(&app).await;
    let elise = elise(&app, &key).await;
    assert_eq!(elise["origin"]["province"], "Namur", "from the postal code");
    assert_eq!(elise["phone"], "+32475123456");
    assert_eq!(elise["discount_bp"], 900, "the institutional default");
    assert_eq!(elise["iban"], "BE68539007547034");
    assert!(elise["consent_email_at"].is_i64() && elise["consent_sms_at"].is_null());
    app.stop().await;
}

#[tokio::test]
async fn the_search_ignores_accents_and_case_anywhere_in_the_name() {
    let app = spawn().await;
    let (_, key) = desk(&app).await;
    customers_to_search(&app, &key).await;
    // `élis` finds Élise, Elise and Mélissa.
    assert_eq!(
        names(&get(&app, &key, "/api/v1/customers?q=%C3%A9lis").await["items"]),
        vec!["Elise MARTIN", "Mélissa DURAND", "Élise LAMBERT"]
    );
    app.stop().await;
}

#[tokio::test]
async fn the_search_finds_a_customer_by_tag_phone_as_typed_and_company() {
    let app = spawn().await;
    let (_, key) = desk(&app).await;
    customers_to_search(&app, &key).await;
    assert_eq!(
        names(&get(&app, &key, "/api/v1/customers?q=ECOLE").await["items"]),
        vec!["Élise LAMBERT"],
        "by tag"
    );
    assert_eq!(
        names(&get(&app, &key, "/api/v1/customers?q=0475").await["items"]),
        vec!["Élise LAMBERT"],
        "the phone as typed"
    );
    assert_eq!(
        names(&get(&app, &key, "/api/v1/customers?q=athenee").await["items"]),
        vec!["Élise LAMBERT"],
        "by company"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_foreign_phone_gives_the_customer_its_country() {
    let app = spawn().await;
    let (_, key) = desk(&app).await;
    customers_to_search(&app, &key).await;
    let martin = get(&app, &key, "/api/v1/customers?q=martin").await["items"].clone();
    assert_eq!(martin[0]["origin"]["country"], "NL", "from the phone's +31");
    app.stop().await;
}

/// The list is paged with a cursor: more customers than a page are each found exactly once,
/// newest first, with a search or without; the last page's `next` is null; a bad cursor or
/// limit is the field's own error.
#[tokio::test]
async fn the_list_is_paged_with_a_cursor() {
    let app = spawn().await;
    let (_, key) = desk(&app).await;
    let mut expected = Vec::new();
    for i in 0..12 {
        let last = format!("Pager{i:02}");
        let r = send(
            &app,
            &key,
            reqwest::Method::POST,
            "/api/v1/customers",
            json!({"first_name": "Anne", "last_name": last}),
        )
        .await;
        assert_eq!(r.status(), 201);
        expected.push(last.to_uppercase());
    }
    expected.sort();
    for (path, limit) in [
        ("/api/v1/customers", 1u32),
        ("/api/v1/customers", 5),
        ("/api/v1/customers?q=pager", 5),
        ("/api/v1/customers?q=anne", 12),
        ("/api/v1/customers?q=pag", 100),
    ] {
        let mut found = Vec::new();
        let mut after = String::new();
        let sep = if path.contains('?') { '&' } else { '?' };
        loop {
            let page = get(&app, &key, &format!("{path}{sep}limit={limit}{after}")).await;
            let items = page["items"].as_array().unwrap();
            assert!(items.len() <= limit as usize);
            found.extend(
                items
                    .iter()
                    .map(|c| c["last_name"].as_str().unwrap().to_uppercase()),
            );
            match page["next"].as_str() {
                Some(next) => {
                    assert_eq!(items.len(), limit as usize, "{path}");
                    after = format!("&after={next}");
                }
                None => break,
            }
        }
        // Newest first: Pager11 … Pager00.
        let mut newest_first = expected.clone();
        newest_first.reverse();
        assert_eq!(found, newest_first, "{path} limit {limit}");
    }
    for (query, field, code) in [
        ("?limit=0", "limit", "out_of_range"),
        ("?limit=1001", "limit", "out_of_range"),
        ("?after=not-a-cursor", "after", "invalid_cursor"),
        ("?after=12.nope", "after", "invalid_cursor"),
    ] {
        let p = problem(
            client()
                .get(app.url(&format!("/api/v1/customers{query}")))
                .bearer_auth(&key)
                .send()
                .await
                .unwrap(),
            422,
        )
        .await;
        assert_eq!(
            field_errors(&p),
            vec![(field.to_owned(), code.to_owned())],
            "{query}"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn the_list_filters_by_status_and_refuses_an_unknown_one() {
    let app = spawn().await;
    let (_, key) = desk(&app).await;
    customers_to_search(&app, &key).await;
    assert_eq!(
        names(&get(&app, &key, "/api/v1/customers?status=prospect").await["items"]),
        vec!["PROSPECT"]
    );
    assert_eq!(
        get(&app, &key, "/api/v1/customers?status=customer").await["items"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
    let p = problem(
        client()
            .get(app.url("/api/v1/customers?status=vip"))
            .bearer_auth(&key)
            .send()
            .await
            .unwrap(),
        422,
    )
    .await;
    assert_eq!(
        field_errors(&p),
        vec![("status".to_owned(), "unknown_value".to_owned())]
    );
    app.stop().await;
}

#[tokio::test]
async fn a_sale_shows_in_the_customers_file_and_the_list_with_her_revenue() {
    let app = spawn().await;
    let (a, key) = desk(&app).await;
    let elise = elise(&app, &key).await;
    // A sale with Élise (institutional: 9 % off 50,00): her page shows it, with her revenue this
    // month and this year.
    let id = elise["id"].as_str().unwrap().to_owned();
    let admin = api_key(&app, &a, "admin").await;
    let product = product(&app, &admin, "Livre", "25,00", 2100).await;
    let register = get(&app, &admin, "/api/v1/registers").await["items"][0]["id"].clone();
    let r = send(&app, &key, reqwest::Method::POST, "/api/v1/orders", json!({"register_id": register, "customer_id": id,
        "lines": [{"product_id": product["id"], "quantity": 2}], "payments": [{"method": "cash", "amount": "45,50"}]})).await;
    assert_eq!(r.status(), 201);
    let file = get(&app, &key, &format!("/api/v1/customers/{id}")).await;
    assert_eq!(file["orders"].as_array().unwrap().len(), 1);
    assert_eq!(file["revenue_cents"], 4_550);
    assert_eq!(file["this_month_cents"], 4_550);
    assert_eq!(file["this_year_cents"], 4_550);
    assert_eq!(file["last_year_cents"], 0);
    assert!(file["last_purchase_at"].is_i64());
    let listed = get(&app, &key, "/api/v1/customers?q=lambert").await["items"].clone();
    assert_eq!(listed[0]["revenue_cents"], 4_550);
    assert!(listed[0]["last_booking_at"].is_i64());
    app.stop().await;
}

#[tokio::test]
async fn an_edit_keeps_the_date_of_a_consent_still_given_and_drops_a_withdrawn_one() {
    let app = spawn().await;
    let (_, key) = desk(&app).await;
    let elise = elise(&app, &key).await;
    let id = elise["id"].as_str().unwrap();
    let mut input = json!({"first_name": "Élise", "last_name": "Lambert-Noël", "postal_code": "5500", "consent_email": true, "consent_sms": true});
    let r = send(
        &app,
        &key,
        reqwest::Method::PUT,
        &format!("/api/v1/customers/{id}"),
        input.clone(),
    )
    .await;
    assert_eq!(r.status(), 200);
    let edited: Value = r.json().await.unwrap();
    assert_eq!(edited["consent_email_at"], elise["consent_email_at"]);
    assert!(edited["consent_sms_at"].is_i64());
    assert_eq!(edited["display_name"], "Élise LAMBERT-NOËL");
    input["consent_email"] = json!(false);
    let edited: Value = send(
        &app,
        &key,
        reqwest::Method::PUT,
        &format!("/api/v1/customers/{id}"),
        input,
    )
    .await
    .json()
    .await
    .unwrap();
    assert!(edited["consent_email_at"].is_null());
    app.stop().await;
}

#[tokio::test]
async fn an_edit_without_a_name_is_refused_on_the_last_name() {
    let app = spawn().await;
    let (_, key) = desk(&app).await;
    let id = elise(&app, &key).await["id"].as_str().unwrap().to_owned();
    let r = send(
        &app,
        &key,
        reqwest::Method::PUT,
        &format!("/api/v1/customers/{id}"),
        json!({"first_name": "", "last_name": ""}),
    )
    .await;
    assert_eq!(
        field_errors(&problem(r, 422).await),
        vec![("last_name".to_owned(), "required".to_owned())]
    );
    app.stop().await;
}

#[tokio::test]
async fn a_comment_from_the_register_goes_into_the_notes_after_what_was_there() {
    let app = spawn().await;
    let (_, key) = desk(&app).await;
    // A customer without notes yet.
    let r = send(
        &app,
        &key,
        reqwest::Method::POST,
        "/api/v1/customers",
        json!({"first_name": "Élise", "last_name": "Lambert-Noël", "postal_code": "5500"}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let notes = format!("/api/v1/customers/{id}/notes");
    let note = |text: &str| {
        send(
            &app,
            &key,
            reqwest::Method::POST,
            &notes,
            json!({"note": text}),
        )
    };
    let noted: Value = note("Préfère les visites du matin")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(noted["notes"], "Préfère les visites du matin");
    let noted: Value = note("Allergie au pollen").await.json().await.unwrap();
    assert_eq!(
        noted["notes"],
        "Préfère les visites du matin\nAllergie au pollen"
    );
    let r = note("  ").await;
    assert_eq!(
        field_errors(&problem(r, 422).await),
        vec![("note".to_owned(), "required".to_owned())]
    );
    app.stop().await;
}

#[tokio::test]
async fn another_organization_sees_none_of_the_customer_file() {
    let app = spawn().await;
    let (_, key) = desk(&app).await;
    let id = elise(&app, &key).await["id"].as_str().unwrap().to_owned();
    let b = org(&app, "Grottes B", "b").await;
    let other = api_key(&app, &b, "admin").await;
    problem(
        client()
            .get(app.url(&format!("/api/v1/customers/{id}")))
            .bearer_auth(&other)
            .send()
            .await
            .unwrap(),
        404,
    )
    .await;
    let r = send(
        &app,
        &other,
        reqwest::Method::PUT,
        &format!("/api/v1/customers/{id}"),
        json!({"last_name": "Volé"}),
    )
    .await;
    problem(r, 404).await;
    assert!(
        get(&app, &other, "/api/v1/customers?q=lambert").await["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    app.stop().await;
}

/// The pages: a new customer with a bad IBAN is shown again with the error next to the field,
/// then saved; the list shows the seed's columns and filters; the page edits the customer.
#[tokio::test]
async fn customer_pages() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let seller = crate::harness::login(&app, &a.seller).await;
    let form = |iban: &'static str| {
        vec![
            ("first_name", "Vincent"),
            ("last_name", "Dupuis"),
            ("email", "vincent@example.be"),
            ("phone", "0475 98 76 54"),
            ("postal_code", "4800"),
            ("city", "Verviers"),
            ("country", "BE"),
            ("iban", iban),
            ("tags", "membre, 365"),
            ("consent_email", "true"),
            ("status", "customer"),
        ]
    };
    let r = seller
        .post(app.url("/marketing/customers/new"))
        .form(&form("BE00 1234"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let page = r.text().await.unwrap();
    assert!(page.contains("IBAN non valide"), "{page}");
    assert!(page.contains("value=\"Vincent\""), "what was typed is kept");
    let r = seller
        .post(app.url("/marketing/customers/new"))
        .form(&form("BE68 5390 0754 7034"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let to = crate::harness::location(&r);
    let page = seller
        .get(app.url(&to))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Vincent DUPUIS"), "{page}");
    assert!(page.contains("Liège"), "the province from 4800");
    let list = seller
        .get(app.url("/marketing/customers?q=vinc"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        list.contains("Vincent DUPUIS") && list.contains("Verviers"),
        "{list}"
    );
    let prospects = seller
        .get(app.url("/marketing/customers?status=prospect"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!prospects.contains("Vincent DUPUIS"));
    let r = seller
        .get(app.url("/marketing/customers?status=vip"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let mut edit = form("BE68 5390 0754 7034");
    edit[1] = ("last_name", "Dupuis-Lenoir");
    let r = seller.post(app.url(&to)).form(&edit).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let page = seller
        .get(app.url(&to))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Vincent DUPUIS-LENOIR"), "{page}");
    app.stop().await;
}

/// An attached customer's terms price the sale: the institutional 9 % comes off each line after
/// promotions, a VAT-exempt customer pays without the VAT, and only a manager may leave the
/// terms out of a sale.
#[tokio::test]
async fn an_attached_customer_s_discount_and_vat_exemption_price_the_sale() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let seller = api_key(&app, &a, "seller").await;
    let manager = api_key(&app, &a, "manager").await;
    let post = reqwest::Method::POST;
    let product = product(&app, &manager, "Livre", "25,00", 2100).await;
    let register = get(&app, &manager, "/api/v1/registers").await["items"][0]["id"].clone();
    let school: Value = send(
        &app,
        &seller,
        post.clone(),
        "/api/v1/customers",
        json!({"last_name": "Athénée royal", "institutional": true}),
    )
    .await
    .json()
    .await
    .unwrap();
    let embassy: Value = send(
        &app,
        &seller,
        post.clone(),
        "/api/v1/customers",
        json!({"last_name": "Ambassade", "vat_exempt": true}),
    )
    .await
    .json()
    .await
    .unwrap();
    let sale = |customer: &Value, skip: bool| {
        json!({"register_id": register, "customer_id": customer["id"], "skip_customer_terms": skip,
        "lines": [{"product_id": product["id"], "quantity": 2}]})
    };
    // 2 × 25,00 = 50,00 − 9 % = 45,50, of which 7,90 VAT.
    let p: Value = send(
        &app,
        &seller,
        post.clone(),
        "/api/v1/orders/preview",
        sale(&school, false),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(p["totals"]["gross_cents"], 4_550, "{p}");
    assert_eq!(p["totals"]["vat_cents"], 790);
    let o: Value = send(
        &app,
        &seller,
        post.clone(),
        "/api/v1/orders",
        sale(&school, false),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(o["total_cents"], 4_550, "{o}");
    assert_eq!(o["lines"][0]["discount_cents"], 450);
    assert!(
        o["lines"][0]["discount_reason"]
            .as_str()
            .unwrap()
            .contains("9 %"),
        "{o}"
    );
    // Exempt: 50,00 holds 8,68 of VAT → 41,32 at 0 %.
    let o: Value = send(
        &app,
        &seller,
        post.clone(),
        "/api/v1/orders",
        sale(&embassy, false),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(
        (o["total_cents"].as_i64(), o["vat_cents"].as_i64()),
        (Some(4_132), Some(0)),
        "{o}"
    );
    assert_eq!(o["lines"][0]["vat_rate_basis_points"], 0);
    // Leaving the terms out: refused to a seller, allowed to a manager.
    let r = send(
        &app,
        &seller,
        post.clone(),
        "/api/v1/orders",
        sale(&school, true),
    )
    .await;
    assert_eq!(
        field_errors(&problem(r, 422).await),
        vec![(
            "skip_customer_terms".to_owned(),
            "price_change_not_allowed".to_owned()
        )]
    );
    let o: Value = send(
        &app,
        &manager,
        post.clone(),
        "/api/v1/orders",
        sale(&school, true),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(o["total_cents"], 5_000);
    app.stop().await;
}

/// Customer types: a school type with 10 % and a specific 6 % rate prices its customers' sales;
/// a customer's own discount comes first; only managers set types up; bad input is named.
#[tokio::test]
async fn customer_types_price_their_customers_sales() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let seller = api_key(&app, &a, "seller").await;
    let manager = api_key(&app, &a, "manager").await;
    let post = reqwest::Method::POST;
    let r = send(
        &app,
        &seller,
        post.clone(),
        "/api/v1/customer-types",
        json!({"name": "Écoles", "discount_percent": "10"}),
    )
    .await;
    problem(r, 403).await;
    let r = send(
        &app,
        &manager,
        post.clone(),
        "/api/v1/customer-types",
        json!({"name": "", "discount_percent": "abc", "tax": "rate", "tax_rate_percent": "x"}),
    )
    .await;
    let fields: Vec<String> = field_errors(&problem(r, 422).await)
        .into_iter()
        .map(|(f, _)| f)
        .collect();
    assert_eq!(fields, vec!["name", "discount_percent", "tax_rate_percent"]);
    let school: Value = send(
        &app,
        &manager,
        post.clone(),
        "/api/v1/customer-types",
        json!({"name": "Écoles", "discount_percent": "10", "tax": "rate", "tax_rate_percent": "6"}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(school["discount_bp"], 1_000);
    assert_eq!(
        school["tax"],
        json!({"kind": "rate", "rate_basis_points": 600})
    );
    let r = send(
        &app,
        &manager,
        post.clone(),
        "/api/v1/customer-types",
        json!({"name": "écoles"}),
    )
    .await;
    assert_eq!(
        field_errors(&problem(r, 422).await),
        vec![("name".to_owned(), "already_exists".to_owned())]
    );
    let product = product(&app, &manager, "Livre", "20,00", 2100).await;
    let register = get(&app, &manager, "/api/v1/registers").await["items"][0]["id"].clone();
    let pupil: Value = send(
        &app,
        &seller,
        post.clone(),
        "/api/v1/customers",
        json!({"last_name": "Collège Saint-Roch", "customer_type_id": school["id"]}),
    )
    .await
    .json()
    .await
    .unwrap();
    let own: Value = send(&app, &seller, post.clone(), "/api/v1/customers",
        json!({"last_name": "Directeur", "customer_type_id": school["id"], "discount_percent": "5"})).await.json().await.unwrap();
    let sale = |c: &Value| json!({"register_id": register, "customer_id": c["id"], "lines": [{"product_id": product["id"], "quantity": 1}]});
    // 20,00 − 10 % = 18,00, taxed at 6 %: 1,02 VAT.
    let o: Value = send(&app, &seller, post.clone(), "/api/v1/orders", sale(&pupil))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (o["total_cents"].as_i64(), o["vat_cents"].as_i64()),
        (Some(1_800), Some(102)),
        "{o}"
    );
    assert_eq!(o["lines"][0]["vat_rate_basis_points"], 600);
    assert!(
        o["lines"][0]["discount_reason"]
            .as_str()
            .unwrap()
            .contains("Écoles")
    );
    // The customer's own 5 % comes before the type's 10 %: 19,00.
    let o: Value = send(&app, &seller, post.clone(), "/api/v1/orders", sale(&own))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(o["total_cents"], 1_900);
    // A type of another organization is refused.
    let b = org(&app, "Grottes B", "b").await;
    let other = api_key(&app, &b, "admin").await;
    let r = send(
        &app,
        &other,
        post.clone(),
        "/api/v1/customers",
        json!({"last_name": "X", "customer_type_id": school["id"]}),
    )
    .await;
    assert_eq!(
        field_errors(&problem(r, 422).await),
        vec![(
            "customer_type_id".to_owned(),
            "unknown_customer_type".to_owned()
        )]
    );
    // The types page: a manager edits, a seller only reads.
    let m = crate::harness::login(&app, &a.manager).await;
    let page = m
        .get(app.url("/marketing/customer-types"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Écoles") && page.contains("id=\"type-new\""),
        "{page}"
    );
    let r = m
        .post(app.url("/marketing/customer-types"))
        .form(&[("name", "Associations"), ("discount_percent", "deux")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let r = m
        .post(app.url("/marketing/customer-types"))
        .form(&[
            ("name", "Associations"),
            ("discount_percent", "5"),
            ("tax", "exempt"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let s = crate::harness::login(&app, &a.seller).await;
    let page = s
        .get(app.url("/marketing/customer-types"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Associations") && !page.contains("id=\"type-new\""));
    let r = s
        .post(app.url("/marketing/customer-types"))
        .form(&[("name", "Pirates")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    app.stop().await;
}

/// Export (CSV with `;` and a BOM, XLSX, a filter or a selection, anonymised) and privacy: a
/// customer's data as JSON, erasure that keeps orders and the journal whole; sellers may do
/// neither.
#[tokio::test]
async fn export_and_erasure() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let seller = api_key(&app, &a, "seller").await;
    let manager = api_key(&app, &a, "manager").await;
    let post = reqwest::Method::POST;
    let c: Value = send(&app, &seller, post.clone(), "/api/v1/customers", json!({"first_name": "Élodie", "last_name": "Fontaine",
        "email": "elodie@example.be", "phone": "0475 11 22 33", "street": "Rue du Fort 1", "postal_code": "5500", "city": "Dinant"})).await.json().await.unwrap();
    let other: Value = send(
        &app,
        &seller,
        post.clone(),
        "/api/v1/customers",
        json!({"last_name": "Autre", "postal_code": "1000"}),
    )
    .await
    .json()
    .await
    .unwrap();
    let id = c["id"].as_str().unwrap().to_owned();
    let register = get(&app, &manager, "/api/v1/registers").await["items"][0]["id"].clone();
    let product = product(&app, &manager, "Entrée", "9,00", 0).await;
    let r = send(&app, &seller, post.clone(), "/api/v1/orders", json!({"register_id": register, "customer_id": id,
        "lines": [{"product_id": product["id"], "quantity": 1}], "payments": [{"method": "cash", "amount": "9,00"}]})).await;
    assert_eq!(r.status(), 201);

    let m = crate::harness::login(&app, &a.manager).await;
    let csv = m
        .get(app.url("/marketing/customers/export?format=csv"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(csv.starts_with('\u{feff}'), "a BOM for Excel");
    assert!(
        csv.contains("Élodie;Fontaine")
            && csv.contains("elodie@example.be")
            && csv.contains("Autre"),
        "{csv}"
    );
    let anon = m
        .get(app.url("/marketing/customers/export?format=csv&anonymised=1"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !anon.contains("Fontaine")
            && !anon.contains("elodie@")
            && !anon.contains("+32475")
            && !anon.contains("Rue du Fort"),
        "{anon}"
    );
    assert!(
        anon.contains("5500") && anon.contains("Namur") && anon.contains("BE"),
        "{anon}"
    );
    let selected = m
        .get(app.url(&format!(
            "/marketing/customers/export?format=csv&id={}",
            other["id"].as_str().unwrap()
        )))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        selected.contains("Autre") && !selected.contains("Fontaine"),
        "{selected}"
    );
    let xlsx = m
        .get(app.url("/marketing/customers/export?format=xlsx"))
        .send()
        .await
        .unwrap();
    assert_eq!(xlsx.status(), 200);
    // Read back as the import reads spreadsheets: the same headers and customers as the CSV.
    let sheet =
        guichet_integrations::imports::read("clients.xlsx", &xlsx.bytes().await.unwrap()).unwrap();
    assert_eq!(sheet.format, guichet_integrations::imports::Format::Xlsx);
    assert!(
        sheet.headers.iter().any(|h| h == "Prénom"),
        "{:?}",
        sheet.headers
    );
    assert!(
        sheet
            .rows
            .iter()
            .any(|r| r.iter().any(|c| c == "Élodie") && r.iter().any(|c| c == "Fontaine")),
        "{:?}",
        sheet.rows
    );
    let s = crate::harness::login(&app, &a.seller).await;
    assert_eq!(
        s.get(app.url("/marketing/customers/export"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );

    // The page: the profile first; their data and their erasure last, in a danger zone,
    // the erasure behind a second click; none of it for a seller.
    let page = m
        .get(app.url(&format!("/marketing/customers/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let at = |id: &str| {
        page.find(&format!(r#"id="{id}""#))
            .unwrap_or_else(|| panic!("no {id}"))
    };
    assert!(at("customer-form") < at("customer-figures"));
    assert!(at("customer-reservations") < at("privacy"));
    assert!(at("privacy") < at("customer-data") && at("customer-data") < at("erase"));
    assert!(at("erase") < at("erase-customer"));
    assert!(page.contains(r#"<section class="card danger-zone" id="privacy">"#));
    assert!(
        page.contains(
            r#"<details id="erase"><summary>Effacer ses données personnelles…</summary>"#
        )
    );
    let seller_page = s
        .get(app.url(&format!("/marketing/customers/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        seller_page.contains(r#"id="customer-form""#) && !seller_page.contains("erase-customer")
    );
    // Their data, then erasure.
    let data = get(&app, &manager, &format!("/api/v1/customers/{id}/data")).await;
    assert_eq!(data["customer"]["email"], "elodie@example.be");
    assert_eq!(data["orders"].as_array().unwrap().len(), 1);
    problem(
        send(
            &app,
            &seller,
            post.clone(),
            &format!("/api/v1/customers/{id}/erase"),
            json!({}),
        )
        .await,
        403,
    )
    .await;
    let erased: Value = send(
        &app,
        &manager,
        post.clone(),
        &format!("/api/v1/customers/{id}/erase"),
        json!({}),
    )
    .await
    .json()
    .await
    .unwrap();
    for f in [
        "first_name",
        "last_name",
        "email",
        "phone",
        "street",
        "city",
    ] {
        assert!(erased[f].is_null(), "{f}: {erased}");
    }
    assert!(erased["erased_at"].is_i64());
    let again = problem(
        send(
            &app,
            &manager,
            post.clone(),
            &format!("/api/v1/customers/{id}/erase"),
            json!({}),
        )
        .await,
        409,
    )
    .await;
    assert_eq!(again["code"], "already_erased");
    let r = send(
        &app,
        &manager,
        reqwest::Method::PUT,
        &format!("/api/v1/customers/{id}"),
        json!({"last_name": "Fontaine"}),
    )
    .await;
    assert_eq!(problem(r, 409).await["code"], "customer_erased");
    // The order and its revenue stay; the search no longer finds her; the journal verifies.
    let file = get(&app, &manager, &format!("/api/v1/customers/{id}")).await;
    assert_eq!(file["orders"].as_array().unwrap().len(), 1);
    assert_eq!(file["revenue_cents"], 900);
    assert!(
        get(&app, &manager, "/api/v1/customers?q=fontaine").await["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let reports = app
        .store
        .read(|tx| Box::pin(async move { guichet_store::journal::verify_all(tx).await }))
        .await
        .unwrap();
    assert!(reports.ok(), "{:?}", reports.findings);
    let page = m
        .get(app.url(&format!("/marketing/customers/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("id=\"customer-erased\""), "{page}");
    assert!(!page.contains("erase-customer"), "erased once");
    app.stop().await;
}

/// Duplicates are proposed with a score; merging moves the orders, fills the kept record's
/// gaps, keeps each consent with its earliest date, removes the other record and is logged.
#[tokio::test]
async fn duplicates_and_merge() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let seller = api_key(&app, &a, "seller").await;
    let manager = api_key(&app, &a, "manager").await;
    let post = reqwest::Method::POST;
    let mk = |body: Value| {
        let (app_url, key) = (app.url("/api/v1/customers"), seller.clone());
        async move {
            let r = client()
                .post(app_url)
                .bearer_auth(key)
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 201);
            r.json::<Value>().await.unwrap()
        }
    };
    let kept = mk(json!({"first_name": "Élise", "last_name": "Lambert", "postal_code": "5500", "consent_sms": true})).await;
    let typo = mk(json!({"first_name": "Elise", "last_name": "Lambret", "postal_code": "5500", "email": "elise@example.be",
        "tags": "école", "consent_email": true})).await;
    let same_mail = mk(json!({"last_name": "E. L.", "email": "ELISE@example.be"})).await;
    mk(json!({"first_name": "Marc", "last_name": "Dubois", "postal_code": "5500"})).await;
    problem(
        client()
            .get(app.url("/api/v1/customers/duplicates"))
            .bearer_auth(&seller)
            .send()
            .await
            .unwrap(),
        403,
    )
    .await;
    let pairs = get(&app, &manager, "/api/v1/customers/duplicates").await["items"].clone();
    let pairs = pairs.as_array().unwrap();
    assert_eq!(pairs.len(), 2, "{pairs:?}");
    assert_eq!(
        (pairs[0]["score"].as_i64(), pairs[0]["reason"].as_str()),
        (Some(100), Some("same_email"))
    );
    assert_eq!(pairs[1]["reason"], "similar_name");
    assert!(pairs[1]["score"].as_i64().unwrap() >= 72);

    // A sale for the typo record, then merge it into the kept one.
    let register = get(&app, &manager, "/api/v1/registers").await["items"][0]["id"].clone();
    let product = product(&app, &manager, "Entrée", "9,00", 0).await;
    let r = send(&app, &seller, post.clone(), "/api/v1/orders", json!({"register_id": register, "customer_id": typo["id"],
        "lines": [{"product_id": product["id"], "quantity": 1}], "payments": [{"method": "cash", "amount": "9,00"}]})).await;
    assert_eq!(r.status(), 201);
    let kept_id = kept["id"].as_str().unwrap();
    let r = send(
        &app,
        &manager,
        post.clone(),
        &format!("/api/v1/customers/{kept_id}/merge"),
        json!({"absorbed_id": kept_id}),
    )
    .await;
    assert_eq!(problem(r, 409).await["code"], "same_customer");
    let merged: Value = send(
        &app,
        &manager,
        post.clone(),
        &format!("/api/v1/customers/{kept_id}/merge"),
        json!({"absorbed_id": typo["id"]}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(
        merged["display_name"], "Élise LAMBERT",
        "the kept record's name"
    );
    assert_eq!(
        merged["email"], "elise@example.be",
        "a gap filled from the other"
    );
    assert_eq!(merged["tags"], json!(["école"]));
    assert_eq!(merged["consent_email_at"], typo["consent_email_at"]);
    assert_eq!(merged["consent_sms_at"], kept["consent_sms_at"]);
    let file = get(&app, &manager, &format!("/api/v1/customers/{kept_id}")).await;
    assert_eq!(
        file["orders"].as_array().unwrap().len(),
        1,
        "the order moved over"
    );
    problem(
        client()
            .get(app.url(&format!(
                "/api/v1/customers/{}",
                typo["id"].as_str().unwrap()
            )))
            .bearer_auth(&manager)
            .send()
            .await
            .unwrap(),
        404,
    )
    .await;
    let logged: i64 = app.store.read(|tx| Box::pin(async move {
        Ok(guichet_store::on_tx!(tx, c => sqlx::query_scalar("SELECT COUNT(*) FROM customer_merges").fetch_one(c).await?))
    })).await.unwrap();
    assert_eq!(logged, 1);
    // Now the same e-mail pair remains; merged from the page.
    let m = crate::harness::login(&app, &a.manager).await;
    let page = m
        .get(app.url("/marketing/customers/duplicates"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("E. L.") && page.contains("Élise LAMBERT"),
        "{page}"
    );
    let r = m
        .post(app.url(&format!("/marketing/customers/{kept_id}/merge")))
        .form(&[
            ("absorbed_id", same_mail["id"].as_str().unwrap()),
            // The duplicates page's button leads to a confirmation, which posts this.
            ("confirm", "yes"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert!(
        get(&app, &manager, "/api/v1/customers/duplicates").await["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    app.stop().await;
}

/// The top bar's search: `?vinc` finds customers, an order number opens the order, fewer than
/// three letters after `?` says so.
#[tokio::test]
async fn the_search_bar() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let key = api_key(&app, &a, "seller").await;
    let r = send(
        &app,
        &key,
        reqwest::Method::POST,
        "/api/v1/customers",
        json!({"first_name": "Vincent", "last_name": "Dupuis"}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let s = crate::harness::login(&app, &a.seller).await;
    let r = s.get(app.url("/search?q=%3Fvinc")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let to = crate::harness::location(&r);
    assert_eq!(to, "/marketing/customers?q=vinc");
    let page = s
        .get(app.url(&to))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Vincent DUPUIS"));
    let r = s.get(app.url("/search?q=%3Fvi")).send().await.unwrap();
    assert!(crate::harness::location(&r).contains("done=search-too-short"));
    // An order number.
    let manager = api_key(&app, &a, "manager").await;
    let register = get(&app, &manager, "/api/v1/registers").await["items"][0]["id"].clone();
    let product = product(&app, &manager, "Entrée", "9,00", 0).await;
    let o: Value = send(&app, &key, reqwest::Method::POST, "/api/v1/orders", json!({"register_id": register,
        "lines": [{"product_id": product["id"], "quantity": 1}], "payments": [{"method": "cash", "amount": "9,00"}]})).await.json().await.unwrap();
    let number = o["number"].as_str().unwrap().to_lowercase();
    let r = s
        .get(app.url(&format!("/search?q={number}")))
        .send()
        .await
        .unwrap();
    assert_eq!(
        crate::harness::location(&r),
        format!("/orders/{}", o["id"].as_str().unwrap())
    );
    app.stop().await;
}

/// The organization's own fields: added by a manager, filled on a customer (checked against
/// their kind, by API and page), found by the search.
#[tokio::test]
async fn custom_fields() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let seller = api_key(&app, &a, "seller").await;
    let manager = api_key(&app, &a, "manager").await;
    let post = reqwest::Method::POST;
    problem(
        send(
            &app,
            &seller,
            post.clone(),
            "/api/v1/customer-fields",
            json!({"name": "Numéro de membre", "kind": "text"}),
        )
        .await,
        403,
    )
    .await;
    let r = send(
        &app,
        &manager,
        post.clone(),
        "/api/v1/customer-fields",
        json!({"name": "", "kind": "colour"}),
    )
    .await;
    assert_eq!(field_errors(&problem(r, 422).await).len(), 2);
    let member: Value = send(
        &app,
        &manager,
        post.clone(),
        "/api/v1/customer-fields",
        json!({"name": "Numéro de membre", "kind": "text"}),
    )
    .await
    .json()
    .await
    .unwrap();
    let since: Value = send(
        &app,
        &manager,
        post.clone(),
        "/api/v1/customer-fields",
        json!({"name": "Membre depuis", "kind": "date"}),
    )
    .await
    .json()
    .await
    .unwrap();
    let (m, d) = (
        member["id"].as_str().unwrap().to_owned(),
        since["id"].as_str().unwrap().to_owned(),
    );
    let r = send(
        &app,
        &seller,
        post.clone(),
        "/api/v1/customers",
        json!({"last_name": "Dupont", "custom": {d.clone(): "hier", "nope": "x"}}),
    )
    .await;
    let errors = field_errors(&problem(r, 422).await);
    assert!(
        errors.contains(&(format!("custom.{d}"), "invalid_date".to_owned())),
        "{errors:?}"
    );
    assert!(
        errors.contains(&("custom.nope".to_owned(), "unknown_value".to_owned())),
        "{errors:?}"
    );
    let c: Value = send(&app, &seller, post.clone(), "/api/v1/customers", json!({"last_name": "Dupont", "custom": {m.clone(): "MP-2024-0042", d.clone(): "2024-03-01"}})).await.json().await.unwrap();
    assert_eq!(c["custom"][&m], "MP-2024-0042");
    assert_eq!(
        names(&get(&app, &seller, "/api/v1/customers?q=mp-2024").await["items"]),
        vec!["DUPONT"],
        "the search finds custom values"
    );
    // The page shows the fields and keeps a bad value next to its error.
    let s = crate::harness::login(&app, &a.seller).await;
    let id = c["id"].as_str().unwrap();
    let page = s
        .get(app.url(&format!("/marketing/customers/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Numéro de membre") && page.contains("value=\"MP-2024-0042\""),
        "{page}"
    );
    let key_d = format!("custom_{d}");
    let r = s
        .post(app.url(&format!("/marketing/customers/{id}")))
        .form(&[("last_name", "Dupont"), (key_d.as_str(), "31/02")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("value=\"31/02\""));
    let r = s
        .post(app.url(&format!("/marketing/customers/{id}")))
        .form(&[("last_name", "Dupont"), (key_d.as_str(), "2023-09-15")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let file = get(&app, &seller, &format!("/api/v1/customers/{id}")).await;
    assert_eq!(file["customer"]["custom"][&d], "2023-09-15");
    assert!(
        file["customer"]["custom"].get(&m).is_none(),
        "a field left empty is cleared"
    );
    app.stop().await;
}

/// Issue 6 §2: a gift card is never discounted, even for a customer whose type takes 10 %.
#[tokio::test]
async fn a_gift_card_is_never_discounted() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let manager = api_key(&app, &a, "manager").await;
    let post = reqwest::Method::POST;
    let school: Value = send(
        &app,
        &manager,
        post.clone(),
        "/api/v1/customer-types",
        json!({"name": "Écoles", "discount_percent": "10"}),
    )
    .await
    .json()
    .await
    .unwrap();
    let pupil: Value = send(
        &app,
        &manager,
        post.clone(),
        "/api/v1/customers",
        json!({"last_name": "Collège Saint-Roch", "customer_type_id": school["id"]}),
    )
    .await
    .json()
    .await
    .unwrap();
    let book = product(&app, &manager, "Livre", "20,00", 0).await;
    let rates = get(&app, &manager, "/api/v1/vat-rates").await["items"].clone();
    let zero = rates
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rate_basis_points"] == 0)
        .unwrap()["id"]
        .clone();
    let r = send(
        &app,
        &manager,
        post.clone(),
        "/api/v1/products",
        json!({"name": "Carte cadeau 25 €", "price": "25,00",
        "vat_rate_id": zero, "sale_pos": true, "non_discountable": true}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let card: Value = r.json().await.unwrap();
    assert_eq!(card["discountable"], false);
    let register = get(&app, &manager, "/api/v1/registers").await["items"][0]["id"].clone();
    let o: Value = send(&app, &manager, post.clone(), "/api/v1/orders", json!({"register_id": register,
        "customer_id": pupil["id"], "lines": [{"product_id": book["id"], "quantity": 1}, {"product_id": card["id"], "quantity": 1}]}))
        .await.json().await.unwrap();
    let lines = o["lines"].as_array().unwrap();
    assert_eq!(
        (
            lines[0]["total_cents"].as_i64(),
            lines[0]["discount_cents"].as_i64()
        ),
        (Some(1_800), Some(200)),
        "{o}"
    );
    assert_eq!(
        (
            lines[1]["total_cents"].as_i64(),
            lines[1]["discount_cents"].as_i64()
        ),
        (Some(2_500), Some(0)),
        "{o}"
    );
    assert_eq!(o["total_cents"], 4_300);
    app.stop().await;
}
