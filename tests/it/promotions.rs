//! Promotions and promo codes: API and pages, validation, roles, tenant isolation, and
//! uses counted safely under concurrency.

use crate::harness::{Api, TestApp, api_key, client, field_errors, login, org, problem, spawn};
use guichet_domain::PromoCodeId;
use guichet_store::{StoreError, Tenant, promotions};
use serde_json::{Value, json};

async fn get(app: &TestApp, key: &str, path: &str) -> reqwest::Response {
    client()
        .get(app.url(path))
        .bearer_auth(key)
        .send()
        .await
        .unwrap()
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

async fn post(app: &TestApp, key: &str, path: &str, body: Value) -> reqwest::Response {
    send(app, key, reqwest::Method::POST, path, body).await
}

/// A ticket type, an offer selling it and a shop product; returns their ids.
/// A guided tour with an adult ticket at 8,50 (0 %) and the Panier du Terroir at 25,00 (21 %).
async fn catalogue(app: &TestApp, key: &str) -> (String, String, String) {
    let api = Api {
        app,
        key: key.to_owned(),
    };
    let adult = api.ticket_type("Ticket adulte", 0).await;
    let offer = api
        .offer(
            "Visite guidée des Grottes de Neptune",
            40,
            &[(&adult, "8,50")],
        )
        .await;
    let product = api.product("Panier du Terroir", "25,00", 2100, None).await;
    (offer, adult, product)
}

fn fields(p: &Value) -> Vec<String> {
    field_errors(p).into_iter().map(|(f, _)| f).collect()
}

#[tokio::test]
async fn promotions_by_api() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let key = api_key(&app, &a, "manager").await;
    let (offer, _, _) = catalogue(&app, &key).await;

    let r = post(
        &app,
        &key,
        "/api/v1/promotions",
        json!({
            "name": "1er dimanche du mois gratuit", "discount_kind": "percent", "discount": "100 %",
            "model": "classic", "valid_from": "2026-03-01", "valid_to": "2026-03-01",
            "weekdays": ["sun"], "offer_ids": [offer]
        }),
    )
    .await;
    assert_eq!(r.status(), 201);
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["reduction"], json!({"percent_bp": 10000}));
    assert_eq!(p["model"], json!({"kind": "classic"}));
    assert_eq!(p["valid_from"], "2026-03-01");
    assert_eq!(p["weekdays"], json!(["sun"]));
    assert_eq!(p["offer_ids"], json!([offer]));
    let id = p["id"].as_str().unwrap().to_owned();

    let r = send(&app, &key, reqwest::Method::PUT, &format!("/api/v1/promotions/{id}"), json!({
        "name": "Last minute", "discount_kind": "amount", "discount": "2,50", "model": "last_minute", "model_days": "2"
    }))
    .await;
    assert_eq!(r.status(), 200);
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["reduction"], json!({"amount_cents": 250}));
    assert_eq!(p["model"], json!({"kind": "last_minute", "days": 2}));
    assert_eq!(p["offer_ids"], json!([]));
    assert_eq!(p["valid_from"], Value::Null);

    // Bad input: every field listed, nothing written.
    let r = post(
        &app,
        &key,
        "/api/v1/promotions",
        json!({
            "name": "", "discount_kind": "percent", "discount": "0", "model": "early_bird",
            "valid_from": "2026-06-10", "valid_to": "2026-06-01", "weekdays": ["funday"]
        }),
    )
    .await;
    let p = problem(r, 422).await;
    assert_eq!(
        fields(&p),
        vec!["name", "discount", "model_days", "valid_to", "weekdays"]
    );
    let r = post(
        &app,
        &key,
        "/api/v1/promotions",
        json!({"name": "Trop", "discount_kind": "percent", "discount": "101"}),
    )
    .await;
    assert_eq!(
        field_errors(&problem(r, 422).await),
        vec![("discount".to_owned(), "percent_out_of_range".to_owned())]
    );
    let r = post(
        &app,
        &key,
        "/api/v1/promotions",
        json!({"name": "Négatif", "discount_kind": "amount", "discount": "-2"}),
    )
    .await;
    assert_eq!(
        field_errors(&problem(r, 422).await),
        vec![("discount".to_owned(), "negative_price".to_owned())]
    );
    let r = post(&app, &key, "/api/v1/promotions", json!({"name": "Inconnue", "discount_kind": "percent", "discount": "10", "offer_ids": [uuid::Uuid::now_v7().to_string()]})).await;
    assert_eq!(
        field_errors(&problem(r, 422).await),
        vec![("offer_ids".to_owned(), "unknown_offer".to_owned())]
    );
    let list: Value = get(&app, &key, "/api/v1/promotions")
        .await
        .json::<serde_json::Value>()
        .await
        .unwrap()["items"]
        .clone();
    assert_eq!(list.as_array().unwrap().len(), 1, "bad input wrote nothing");

    // Archive and restore.
    let r = post(
        &app,
        &key,
        &format!("/api/v1/promotions/{id}/archive"),
        json!({"archived": true}),
    )
    .await;
    assert_eq!(r.json::<Value>().await.unwrap()["archived"], true);
    let active = app
        .store
        .read(|tx| {
            Box::pin(async move {
                promotions::active_promotions(tx, Tenant::trusted_operator(a.id)).await
            })
        })
        .await
        .unwrap();
    assert!(active.is_empty());
    let r = post(
        &app,
        &key,
        &format!("/api/v1/promotions/{id}/archive"),
        json!({"archived": false}),
    )
    .await;
    assert_eq!(r.json::<Value>().await.unwrap()["archived"], false);

    // A seller reads but cannot create; another organization sees nothing.
    let seller = api_key(&app, &a, "seller").await;
    assert_eq!(get(&app, &seller, "/api/v1/promotions").await.status(), 200);
    let r = post(
        &app,
        &seller,
        "/api/v1/promotions",
        json!({"name": "X", "discount_kind": "percent", "discount": "10"}),
    )
    .await;
    problem(r, 403).await;
    let b = org(&app, "Abbaye B", "b").await;
    let other = api_key(&app, &b, "admin").await;
    problem(
        get(&app, &other, &format!("/api/v1/promotions/{id}")).await,
        404,
    )
    .await;
    let r = send(
        &app,
        &other,
        reqwest::Method::PUT,
        &format!("/api/v1/promotions/{id}"),
        json!({"name": "X", "discount_kind": "percent", "discount": "10"}),
    )
    .await;
    problem(r, 404).await;
    let list: Value = get(&app, &other, "/api/v1/promotions")
        .await
        .json::<serde_json::Value>()
        .await
        .unwrap()["items"]
        .clone();
    assert_eq!(list, json!([]));
    // The OpenAPI document lists the endpoints.
    let spec: Value = get(&app, &key, "/api/v1/openapi.json")
        .await
        .json()
        .await
        .unwrap();
    for path in [
        "/api/v1/promotions",
        "/api/v1/promotions/{id}",
        "/api/v1/promo-codes/lookup",
        "/api/v1/promo-codes/{id}/archive",
    ] {
        assert!(spec["paths"][path].is_object(), "{path}");
    }
    app.stop().await;
}

#[tokio::test]
async fn promo_codes_by_api() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let key = api_key(&app, &a, "manager").await;
    let (offer, adult, product) = catalogue(&app, &key).await;

    let r = post(&app, &key, "/api/v1/promo-codes", json!({
        "name": "MuseumPass", "code": " museumPass ", "discount_kind": "percent", "discount": "100",
        "offer_ids": [offer], "item_ids": [adult], "valid_from": "2026-01-01", "valid_to": "2026-12-31"
    }))
    .await;
    assert_eq!(r.status(), 201);
    let c: Value = r.json().await.unwrap();
    assert_eq!(c["code"], "MUSEUMPASS");
    assert_eq!(
        (c["uses"].as_i64(), c["max_uses"].as_i64()),
        (Some(0), None)
    );
    assert_eq!(c["item_ids"], json!([adult]));
    let id = c["id"].as_str().unwrap().to_owned();

    // Lookup in any case; unknown codes are not found.
    let r = get(&app, &key, "/api/v1/promo-codes/lookup?code=museumpass").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["id"], id.as_str());
    problem(
        get(&app, &key, "/api/v1/promo-codes/lookup?code=NOPE").await,
        404,
    )
    .await;
    problem(
        get(&app, &key, "/api/v1/promo-codes/lookup?code=a%20b").await,
        404,
    )
    .await;

    // Edit: scope replaced, uses kept.
    let r = send(&app, &key, reqwest::Method::PUT, &format!("/api/v1/promo-codes/{id}"), json!({
        "name": "Article 27", "code": "ART27", "discount_kind": "amount", "discount": "5", "max_uses": "100",
        "product_ids": [product]
    }))
    .await;
    assert_eq!(r.status(), 200);
    let c: Value = r.json().await.unwrap();
    assert_eq!(c["reduction"], json!({"amount_cents": 500}));
    assert_eq!(
        (
            c["max_uses"].as_i64(),
            c["offer_ids"].clone(),
            c["product_ids"].clone()
        ),
        (Some(100), json!([]), json!([product]))
    );

    // Bad input and duplicates: 422 with the fields, nothing written.
    let r = post(&app, &key, "/api/v1/promo-codes", json!({
        "name": "Été", "code": "été 2026", "discount_kind": "percent", "discount": "0", "max_uses": "-1",
        "valid_from": "2026-08-01", "valid_to": "2026-07-01"
    }))
    .await;
    let p = problem(r, 422).await;
    assert_eq!(
        field_errors(&p),
        vec![
            ("code".to_owned(), "invalid_code_characters".to_owned()),
            ("discount".to_owned(), "percent_out_of_range".to_owned()),
            ("max_uses".to_owned(), "out_of_range".to_owned()),
            ("valid_to".to_owned(), "ends_before_start".to_owned()),
        ]
    );
    let r = post(
        &app,
        &key,
        "/api/v1/promo-codes",
        json!({"name": "Doublon", "code": "art27", "discount_kind": "percent", "discount": "10"}),
    )
    .await;
    assert_eq!(
        field_errors(&problem(r, 422).await),
        vec![("code".to_owned(), "already_exists".to_owned())]
    );
    let r = post(
        &app,
        &key,
        "/api/v1/promo-codes",
        json!({"name": "Négatif", "code": "NEG", "discount_kind": "amount", "discount": "-1"}),
    )
    .await;
    assert_eq!(
        field_errors(&problem(r, 422).await),
        vec![("discount".to_owned(), "negative_price".to_owned())]
    );
    let r = post(&app, &key, "/api/v1/promo-codes", json!({"name": "Inconnu", "code": "UNKNOWN", "discount_kind": "percent", "discount": "10", "offer_ids": [uuid::Uuid::now_v7().to_string()]})).await;
    assert_eq!(
        field_errors(&problem(r, 422).await),
        vec![("offer_ids".to_owned(), "unknown_offer".to_owned())]
    );
    let r = post(&app, &key, "/api/v1/promo-codes", json!({"name": "Inconnu", "code": "UNKNOWN", "discount_kind": "percent", "discount": "10", "product_ids": [offer]})).await;
    assert_eq!(
        field_errors(&problem(r, 422).await),
        vec![("product_ids".to_owned(), "unknown_product".to_owned())]
    );
    let list: Value = get(&app, &key, "/api/v1/promo-codes")
        .await
        .json::<serde_json::Value>()
        .await
        .unwrap()["items"]
        .clone();
    assert_eq!(list.as_array().unwrap().len(), 1, "bad input wrote nothing");

    // Archived codes are not found at the register, and their code is not reused.
    let r = post(
        &app,
        &key,
        &format!("/api/v1/promo-codes/{id}/archive"),
        json!({"archived": true}),
    )
    .await;
    assert_eq!(r.json::<Value>().await.unwrap()["archived"], true);
    problem(
        get(&app, &key, "/api/v1/promo-codes/lookup?code=Art27").await,
        404,
    )
    .await;
    let r = post(
        &app,
        &key,
        "/api/v1/promo-codes",
        json!({"name": "Reprise", "code": "ART27", "discount_kind": "percent", "discount": "10"}),
    )
    .await;
    problem(r, 422).await;
    post(
        &app,
        &key,
        &format!("/api/v1/promo-codes/{id}/archive"),
        json!({"archived": false}),
    )
    .await;

    // Roles and tenants.
    let seller = api_key(&app, &a, "seller").await;
    assert_eq!(
        get(&app, &seller, "/api/v1/promo-codes/lookup?code=art27")
            .await
            .status(),
        200
    );
    let r = post(
        &app,
        &seller,
        "/api/v1/promo-codes",
        json!({"name": "X", "code": "SELLER", "discount_kind": "percent", "discount": "10"}),
    )
    .await;
    problem(r, 403).await;
    let b = org(&app, "Abbaye B", "b").await;
    let other = api_key(&app, &b, "admin").await;
    problem(
        get(&app, &other, &format!("/api/v1/promo-codes/{id}")).await,
        404,
    )
    .await;
    problem(
        get(&app, &other, "/api/v1/promo-codes/lookup?code=ART27").await,
        404,
    )
    .await;
    let r = post(
        &app,
        &other,
        &format!("/api/v1/promo-codes/{id}/archive"),
        json!({"archived": true}),
    )
    .await;
    problem(r, 404).await;
    // The same code is free in another organization.
    let r = post(
        &app,
        &other,
        "/api/v1/promo-codes",
        json!({"name": "Art. 27", "code": "art27", "discount_kind": "percent", "discount": "50"}),
    )
    .await;
    assert_eq!(r.status(), 201);
    // Another organization's product is unknown here.
    let r = post(&app, &other, "/api/v1/promo-codes", json!({"name": "X", "code": "XPROD", "discount_kind": "percent", "discount": "50", "product_ids": [product]})).await;
    assert_eq!(
        field_errors(&problem(r, 422).await),
        vec![("product_ids".to_owned(), "unknown_product".to_owned())]
    );
    app.stop().await;
}

/// Organization A's catalogue and its manager signed in, for the page tests.
struct Pages<'a> {
    app: &'a TestApp,
    a: crate::harness::OrgFixture,
    key: String,
    offer: String,
    adult: String,
    product: String,
    m: reqwest::Client,
}

async fn pages(app: &TestApp) -> Pages<'_> {
    let a = org(app, "Grottes A", "a").await;
    let key = api_key(app, &a, "manager").await;
    let (offer, adult, product) = catalogue(app, &key).await;
    let m = login(app, &a.manager).await;
    Pages {
        app,
        a,
        key,
        offer,
        adult,
        product,
        m,
    }
}

impl Pages<'_> {
    /// A page, as the manager sees it.
    async fn html(&self, path: &str) -> String {
        self.m
            .get(self.app.url(path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    /// A form posted by the manager.
    async fn submit(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.m
            .post(self.app.url(path))
            .form(form)
            .send()
            .await
            .unwrap()
    }

    /// An API object, as the manager's key sees it.
    async fn json(&self, path: &str) -> Value {
        get(self.app, &self.key, path).await.json().await.unwrap()
    }

    /// The early bird of 15 % on weekends, 30 days ahead, made by page.
    async fn early_bird(&self) -> reqwest::Response {
        self.submit(
            "/activity/promotions/new",
            &[
                ("name", "Early bird"),
                ("discount_kind", "percent"),
                ("discount", "15"),
                ("model", "early_bird"),
                ("model_days", "30"),
                ("weekdays", "sat"),
                ("weekdays", "sun"),
                ("offer_ids", self.offer.as_str()),
            ],
        )
        .await
    }

    /// The early bird made; its id.
    async fn early_bird_id(&self) -> String {
        assert_eq!(self.early_bird().await.status(), 303);
        self.json("/api/v1/promotions").await["items"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// The MuseumPass code (100 % on the adult ticket and the panier, 100 uses), made by page.
    async fn museum_pass(&self) -> reqwest::Response {
        self.submit(
            "/activity/promo-codes/new",
            &[
                ("name", "MuseumPass"),
                ("code", "museumpass"),
                ("discount_kind", "percent"),
                ("discount", "100"),
                ("max_uses", "100"),
                ("item_ids", self.adult.as_str()),
                ("product_ids", self.product.as_str()),
            ],
        )
        .await
    }

    /// The MuseumPass made; its id.
    async fn museum_pass_id(&self) -> String {
        assert_eq!(self.museum_pass().await.status(), 303);
        self.json("/api/v1/promo-codes/lookup?code=MUSEUMPASS")
            .await["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

#[tokio::test]
async fn the_promotion_and_code_pages_open_and_the_form_offers_the_offers_and_weekdays() {
    let app = spawn().await;
    let p = pages(&app).await;
    for path in [
        "/activity/promotions",
        "/activity/promotions/new",
        "/activity/promo-codes",
        "/activity/promo-codes/new",
    ] {
        let r = p.m.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
    }
    let html = p.html("/activity/promotions/new").await;
    assert!(html.contains("Visite guidée des Grottes de Neptune"));
    assert!(html.contains("Dimanche"));
    app.stop().await;
}

#[tokio::test]
async fn a_bad_promotion_by_page_keeps_what_was_typed_and_shows_the_errors_by_the_fields() {
    let app = spawn().await;
    let p = pages(&app).await;
    let offer = p.offer.as_str();
    let r = p
        .submit(
            "/activity/promotions/new",
            &[
                ("name", "Early bird"),
                ("discount_kind", "percent"),
                ("discount", "150"),
                ("model", "early_bird"),
                ("model_days", ""),
                ("weekdays", "sat"),
                ("offer_ids", offer),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("Un pourcentage de plus de 0 et de 100 au plus."));
    assert!(html.contains("value=\"Early bird\""));
    assert!(html.contains(&format!("value=\"{offer}\" checked")));
    assert!(html.contains("value=\"sat\" checked"));
    app.stop().await;
}

#[tokio::test]
async fn a_promotion_made_by_page_is_listed_with_its_model_and_weekdays() {
    let app = spawn().await;
    let p = pages(&app).await;
    assert_eq!(p.early_bird().await.status(), 303);
    let list = p.json("/api/v1/promotions").await["items"].clone();
    let promotion = &list[0];
    assert_eq!(promotion["weekdays"], json!(["sat", "sun"]));
    assert_eq!(
        promotion["model"],
        json!({"kind": "early_bird", "days": 30})
    );
    let pid = promotion["id"].as_str().unwrap().to_owned();
    let html = p.html("/activity/promotions").await;
    assert!(html.contains("15 %") && html.contains("Early bird (30 j avant au moins)"));
    let html = p.html(&format!("/activity/promotions/{pid}")).await;
    assert!(html.contains("value=\"sun\" checked"));
    app.stop().await;
}

#[tokio::test]
async fn a_promotion_is_edited_and_archived_by_page() {
    let app = spawn().await;
    let p = pages(&app).await;
    let pid = p.early_bird_id().await;
    let r = p
        .submit(
            &format!("/activity/promotions/{pid}"),
            &[
                ("name", "Dimanche"),
                ("discount_kind", "amount"),
                ("discount", "1,50"),
                ("model", "classic"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let r = p
        .submit(
            &format!("/activity/promotions/{pid}/archive"),
            &[("archived", "true")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let promotion = p.json(&format!("/api/v1/promotions/{pid}")).await;
    assert_eq!(
        (promotion["name"].as_str(), promotion["archived"].as_bool()),
        (Some("Dimanche"), Some(true))
    );
    app.stop().await;
}

#[tokio::test]
async fn a_bad_promo_code_by_page_keeps_what_was_typed_and_shows_the_error() {
    let app = spawn().await;
    let p = pages(&app).await;
    let adult = p.adult.as_str();
    let r = p
        .submit(
            "/activity/promo-codes/new",
            &[
                ("name", "MuseumPass"),
                ("code", "Museum Pass"),
                ("discount_kind", "percent"),
                ("discount", "100"),
                ("item_ids", adult),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("Lettres, chiffres, - et _ uniquement, sans espace."));
    assert!(html.contains(&format!("value=\"{adult}\" checked")));
    app.stop().await;
}

#[tokio::test]
async fn a_promo_code_made_by_page_keeps_its_products_and_its_code_is_unique_in_any_case() {
    let app = spawn().await;
    let p = pages(&app).await;
    assert_eq!(p.museum_pass().await.status(), 303);
    let r = p
        .submit(
            "/activity/promo-codes/new",
            &[
                ("name", "Doublon"),
                ("code", "MuseumPass"),
                ("discount_kind", "amount"),
                ("discount", "2"),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Existe déjà."));
    let c = p.json("/api/v1/promo-codes/lookup?code=MUSEUMPASS").await;
    assert_eq!(c["product_ids"], json!([p.product]));
    app.stop().await;
}

#[tokio::test]
async fn a_promo_codes_uses_are_listed_and_kept_when_its_limit_is_lifted() {
    let app = spawn().await;
    let p = pages(&app).await;
    let cid = p.museum_pass_id().await;
    let tenant = Tenant::trusted_operator(p.a.id);
    let code_id: PromoCodeId = cid.parse().unwrap();
    for _ in 0..3 {
        app.store
            .write(|tx| Box::pin(async move { promotions::redeem(tx, tenant, code_id).await }))
            .await
            .unwrap();
    }
    let html = p.html("/activity/promo-codes").await;
    assert!(html.contains("MUSEUMPASS") && html.contains("3 / 100"));
    let r = p
        .submit(
            &format!("/activity/promo-codes/{cid}"),
            &[
                ("name", "MuseumPass"),
                ("code", "MUSEUMPASS"),
                ("discount_kind", "percent"),
                ("discount", "100"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let html = p.html("/activity/promo-codes").await;
    assert!(html.contains("3 / ∞"), "uses kept, now unlimited");
    app.stop().await;
}

#[tokio::test]
async fn an_archived_promo_code_is_marked_on_the_list() {
    let app = spawn().await;
    let p = pages(&app).await;
    let cid = p.museum_pass_id().await;
    let r = p
        .submit(
            &format!("/activity/promo-codes/{cid}/archive"),
            &[("archived", "true")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let html = p.html("/activity/promo-codes").await;
    assert!(html.contains("Archivé"));
    app.stop().await;
}

#[tokio::test]
async fn a_seller_sees_the_promo_code_list_but_not_the_forms() {
    let app = spawn().await;
    let p = pages(&app).await;
    let s = login(&app, &p.a.seller).await;
    assert_eq!(
        s.get(app.url("/activity/promo-codes"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        s.get(app.url("/activity/promo-codes/new"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    let r = s
        .post(app.url("/activity/promotions/new"))
        .form(&[
            ("name", "X"),
            ("discount_kind", "percent"),
            ("discount", "10"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    app.stop().await;
}

#[tokio::test]
async fn another_organization_does_not_find_the_promotions_and_codes_pages() {
    let app = spawn().await;
    let p = pages(&app).await;
    let pid = p.early_bird_id().await;
    let cid = p.museum_pass_id().await;
    let b = org(&app, "Abbaye B", "b").await;
    let ob = login(&app, &b.admin).await;
    assert_eq!(
        ob.get(app.url(&format!("/activity/promo-codes/{cid}")))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        ob.get(app.url(&format!("/activity/promotions/{pid}")))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    app.stop().await;
}

#[tokio::test]
async fn a_limited_code_is_never_used_more_than_allowed() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let key = api_key(&app, &a, "manager").await;
    let c: Value = post(&app, &key, "/api/v1/promo-codes", json!({"name": "Cinq", "code": "FIVE", "discount_kind": "percent", "discount": "10", "max_uses": "5"}))
        .await
        .json()
        .await
        .unwrap();
    let id: PromoCodeId = c["id"].as_str().unwrap().parse().unwrap();
    let tenant = Tenant::trusted_operator(a.id);
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let store = app.store.clone();
        tasks.push(tokio::spawn(async move {
            store
                .write(|tx| Box::pin(async move { promotions::redeem(tx, tenant, id).await }))
                .await
        }));
    }
    let (mut ok, mut exhausted) = (0, 0);
    for t in tasks {
        match t.await.unwrap() {
            Ok(()) => ok += 1,
            Err(StoreError::Invalid(field, "promo_code_exhausted")) if field == "promo_code" => {
                exhausted += 1
            }
            Err(e) => panic!("unexpected error: {e}"),
        }
    }
    assert_eq!((ok, exhausted), (5, 15));
    let c: Value = get(&app, &key, "/api/v1/promo-codes/lookup?code=five")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(c["uses"], 5);
    // A cancelled order gives its use back; then one more sale may use it.
    app.store
        .write(|tx| Box::pin(async move { promotions::release(tx, tenant, id).await }))
        .await
        .unwrap();
    app.store
        .write(|tx| Box::pin(async move { promotions::redeem(tx, tenant, id).await }))
        .await
        .unwrap();
    let again = app
        .store
        .write(|tx| Box::pin(async move { promotions::redeem(tx, tenant, id).await }))
        .await;
    assert!(matches!(
        again,
        Err(StoreError::Invalid(_, "promo_code_exhausted"))
    ));
    // Another organization cannot redeem it.
    let b = org(&app, "Abbaye B", "b").await;
    let other = Tenant::trusted_operator(b.id);
    let r = app
        .store
        .write(|tx| Box::pin(async move { promotions::redeem(tx, other, id).await }))
        .await;
    assert!(r.is_err());
    app.stop().await;
}
