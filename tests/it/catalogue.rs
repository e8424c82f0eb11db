//! Ticket types and extras.

use crate::harness::{api_key, client, field_errors, login, org, png, problem, spawn};
use serde_json::{Value, json};

/// Organization A, its manager's key and its VAT rates of 0 % and 21 %.
struct Items<'a> {
    app: &'a crate::harness::TestApp,
    a: crate::harness::OrgFixture,
    key: String,
    vat0: String,
    vat21: String,
}

async fn items(app: &crate::harness::TestApp) -> Items<'_> {
    let a = org(app, "Grottes A", "a").await;
    let key = api_key(app, &a, "manager").await;
    let rates: Value = client()
        .get(app.url("/api/v1/vat-rates"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap()["items"]
        .clone();
    let rate = |bp: i64| {
        rates
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["rate_basis_points"] == bp)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (vat0, vat21) = (rate(0), rate(2100));
    Items {
        app,
        a,
        key,
        vat0,
        vat21,
    }
}

impl Items<'_> {
    /// A POST by the manager's key.
    async fn post(&self, path: &str, body: Value) -> reqwest::Response {
        client()
            .post(self.app.url(path))
            .bearer_auth(&self.key)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// A GET by the manager's key.
    async fn get(&self, path: &str) -> reqwest::Response {
        client()
            .get(self.app.url(path))
            .bearer_auth(&self.key)
            .send()
            .await
            .unwrap()
    }

    /// The adult ticket at 0 %, in three languages, at the register and online.
    async fn adult(&self) -> Value {
        self.post("/api/v1/ticket-types", json!({"name": "Ticket adulte", "name_nl": "Volwassene", "name_en": "Adult", "vat_rate_id": self.vat0, "sale_pos": true, "sale_online": true, "pictogram": "adult"}))
            .await
            .json()
            .await
            .unwrap()
    }

    /// The audio-guide extra at 0 %, 40 of them, from 8 years old.
    async fn audio(&self) -> Value {
        self.post("/api/v1/extras", json!({"name": "Audio-guide", "vat_rate_id": self.vat0, "sale_pos": true, "capacity": "40", "minimum_age": "8", "pictogram": "audio-guide"}))
            .await
            .json()
            .await
            .unwrap()
    }

    /// The 0 % rate deleted by the admin: the answer.
    async fn delete_vat0(&self) -> Value {
        let admin_key = api_key(self.app, &self.a, "admin").await;
        client()
            .delete(self.app.url(&format!("/api/v1/vat-rates/{}", self.vat0)))
            .bearer_auth(&admin_key)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }
}

#[tokio::test]
async fn a_new_ticket_type_has_the_seeds_daily_stock() {
    let app = spawn().await;
    let i = items(&app).await;
    let adult = i.adult().await;
    assert_eq!(adult["daily_stock"], 999, "the seeds' default");
    assert_eq!(adult["kind"], "ticket_type");
    app.stop().await;
}

#[tokio::test]
async fn a_ticket_type_name_is_taken_whatever_its_case() {
    let app = spawn().await;
    let i = items(&app).await;
    i.adult().await;
    let r = i
        .post(
            "/api/v1/ticket-types",
            json!({"name": "ticket ADULTE", "vat_rate_id": i.vat0, "sale_pos": true}),
        )
        .await;
    assert_eq!(r.status(), 422);
    app.stop().await;
}

#[tokio::test]
async fn a_bad_ticket_type_names_every_wrong_field() {
    let app = spawn().await;
    let i = items(&app).await;
    let r = i.post("/api/v1/ticket-types", json!({"name": "Étudiant", "vat_rate_id": "x", "daily_stock": "-1", "minimum_age": "200", "pictogram": "unicorn"})).await;
    let p: Value = r.json().await.unwrap();
    let f: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        f,
        vec![
            "daily_stock",
            "minimum_age",
            "pictogram",
            "sale_pos",
            "vat_rate_id"
        ]
    );
    app.stop().await;
}

#[tokio::test]
async fn an_extra_has_its_capacity_and_minimum_age() {
    let app = spawn().await;
    let i = items(&app).await;
    let audio = i.audio().await;
    assert_eq!(
        (
            audio["kind"].as_str(),
            audio["capacity"].as_i64(),
            audio["minimum_age"].as_i64()
        ),
        (Some("extra"), Some(40), Some(8))
    );
    app.stop().await;
}

#[tokio::test]
async fn an_extra_is_not_found_among_the_ticket_types() {
    let app = spawn().await;
    let i = items(&app).await;
    // Extras and ticket types are separate lists; ids of one are not found in the other.
    let audio = i.audio().await;
    let id = audio["id"].as_str().unwrap();
    assert_eq!(
        i.get(&format!("/api/v1/ticket-types/{id}")).await.status(),
        404
    );
    app.stop().await;
}

#[tokio::test]
async fn a_vat_rate_in_use_is_archived_not_deleted_and_its_items_keep_it() {
    let app = spawn().await;
    let i = items(&app).await;
    let audio = i.audio().await;
    let id = audio["id"].as_str().unwrap();
    assert_eq!(i.delete_vat0().await["result"], "archived");
    let still: Value = i
        .get(&format!("/api/v1/extras/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(still["vat_rate_id"], i.vat0.as_str());
    app.stop().await;
}

#[tokio::test]
async fn an_archived_vat_rate_is_no_longer_offered_for_new_items() {
    let app = spawn().await;
    let i = items(&app).await;
    // In use, so archived rather than deleted.
    i.audio().await;
    assert_eq!(i.delete_vat0().await["result"], "archived");
    let r = i
        .post(
            "/api/v1/extras",
            json!({"name": "Casque", "vat_rate_id": i.vat0, "sale_pos": true}),
        )
        .await;
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["errors"][0]["code"], "unknown_vat_rate");
    app.stop().await;
}

#[tokio::test]
async fn sellers_see_the_ticket_types_page_but_not_its_forms() {
    let app = spawn().await;
    let i = items(&app).await;
    i.adult().await;
    let seller = login(&app, &i.a.seller).await;
    let page = seller
        .get(app.url("/activity/ticket-types"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Ticket adulte") && !page.contains("/activity/ticket-types/new"));
    assert_eq!(
        seller
            .get(app.url("/activity/ticket-types/new"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    app.stop().await;
}

#[tokio::test]
async fn sellers_read_the_extras_but_cannot_change_them() {
    let app = spawn().await;
    let i = items(&app).await;
    let c = client();
    let seller_key = api_key(&app, &i.a, "seller").await;
    let r = c
        .post(app.url("/api/v1/extras"))
        .bearer_auth(&seller_key)
        .json(&json!({"name": "X"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(
        c.get(app.url("/api/v1/extras"))
            .bearer_auth(&seller_key)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    app.stop().await;
}

#[tokio::test]
async fn a_ticket_type_sold_nowhere_is_refused_by_page() {
    let app = spawn().await;
    let i = items(&app).await;
    let m = login(&app, &i.a.manager).await;
    let r = m
        .post(app.url("/activity/ticket-types/new"))
        .form(&[("name", "Ticket enfant"), ("vat_rate_id", i.vat21.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Choisissez au moins un espace de vente.")
    );
    app.stop().await;
}

#[tokio::test]
async fn a_ticket_type_made_and_archived_by_page_is_listed_as_archived() {
    let app = spawn().await;
    let i = items(&app).await;
    let m = login(&app, &i.a.manager).await;
    let r = m
        .post(app.url("/activity/ticket-types/new"))
        .form(&[
            ("name", "Ticket enfant"),
            ("vat_rate_id", i.vat21.as_str()),
            ("sale_pos", "true"),
            ("minimum_age", "3"),
            ("description", "de 3 à 11 ans"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let list: Value = i
        .get("/api/v1/ticket-types")
        .await
        .json::<serde_json::Value>()
        .await
        .unwrap()["items"]
        .clone();
    let child = list
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "Ticket enfant")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = m
        .post(app.url(&format!("/activity/ticket-types/{child}/archive")))
        .form(&[("archived", "true")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let page = m
        .get(app.url("/activity/ticket-types"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("de 3 à 11 ans") && page.contains("Archivé"));
    app.stop().await;
}

fn file_form(bytes: Vec<u8>) -> reqwest::multipart::Form {
    reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name("picture.png"),
    )
}

#[tokio::test]
async fn ticket_types_and_extras_take_an_uploaded_picture() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let b = org(&app, "Grottes B", "b").await;
    let key = api_key(&app, &a, "manager").await;
    let c = client();
    let rates: Value = c
        .get(app.url("/api/v1/vat-rates"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap()["items"]
        .clone();
    let vat = rates[0]["id"].as_str().unwrap().to_owned();
    let extra: Value = c
        .post(app.url("/api/v1/extras"))
        .bearer_auth(&key)
        .json(
            &json!({"name": "Audio-guide", "vat_rate_id": vat, "sale_pos": true, "capacity": "30"}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(extra["has_picture"], false);
    let id = extra["id"].as_str().unwrap();

    // Not an image, or too large: a field error on `file`, nothing stored.
    let r = c
        .put(app.url(&format!("/api/v1/extras/{id}/picture")))
        .bearer_auth(&key)
        .multipart(file_form(b"%PDF-1.7".to_vec()))
        .send()
        .await
        .unwrap();
    let p = problem(r, 422).await;
    assert_eq!(
        field_errors(&p),
        vec![("file".into(), "not_an_image".into())]
    );
    let r = c
        .put(app.url(&format!("/api/v1/extras/{id}/picture")))
        .bearer_auth(&key)
        .multipart(file_form(vec![0u8; 5 * 1024 * 1024 + 10]))
        .send()
        .await
        .unwrap();
    assert!(r.status() == 422 || r.status() == 413, "{}", r.status());
    assert_eq!(
        client()
            .get(app.url(&format!("/media/items/{id}")))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );

    // A good picture is stored with a JPEG thumbnail; the same id under the wrong kind is unknown.
    let r = c
        .put(app.url(&format!("/api/v1/ticket-types/{id}/picture")))
        .bearer_auth(&key)
        .multipart(file_form(png(20, 20)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r: Value = c
        .put(app.url(&format!("/api/v1/extras/{id}/picture")))
        .bearer_auth(&key)
        .multipart(file_form(png(1200, 800)))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["has_picture"], true);
    let full = client()
        .get(app.url(&format!("/media/items/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(full.headers()["content-type"], "image/png");
    let thumb = client()
        .get(app.url(&format!("/media/items/{id}/thumbnail")))
        .send()
        .await
        .unwrap();
    assert_eq!(thumb.headers()["content-type"], "image/jpeg");

    // Another organization cannot touch it.
    let other = api_key(&app, &b, "manager").await;
    let r = c
        .delete(app.url(&format!("/api/v1/extras/{id}/picture")))
        .bearer_auth(&other)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);

    // The page shows it in the list and the form; a wrong upload on the page is a form error.
    let m = login(&app, &a.manager).await;
    let list = m
        .get(app.url("/activity/extras"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(list.contains(&format!("/media/items/{id}/thumbnail")));
    let r = m
        .post(app.url(&format!("/activity/extras/{id}/picture")))
        .multipart(file_form(b"GIF89a".to_vec()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("JPEG, PNG"));
    let r = m
        .post(app.url(&format!("/activity/extras/{id}/picture/delete")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(
        client()
            .get(app.url(&format!("/media/items/{id}/thumbnail")))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    // Sellers cannot change pictures.
    let seller = api_key(&app, &a, "seller").await;
    let r = c
        .put(app.url(&format!("/api/v1/extras/{id}/picture")))
        .bearer_auth(&seller)
        .multipart(file_form(png(20, 20)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    app.stop().await;
}
