//! Offers: prices of ticket types and extras, schedule and sessions, offer groups.

use crate::harness::{TestApp, api_key, client, field_errors, org, png, spawn};
use serde_json::{Value, json};

async fn post(app: &TestApp, key: &str, path: &str, body: Value) -> reqwest::Response {
    client()
        .post(app.url(path))
        .bearer_auth(key)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn id_of(r: reqwest::Response) -> String {
    assert_eq!(r.status(), 201);
    r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn the_seeds_guided_tour_with_sessions_and_clear_errors() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let key = api_key(&app, &a, "manager").await;
    let rates: Value = client()
        .get(app.url("/api/v1/vat-rates"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let vat0 = rates
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rate_basis_points"] == 0)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let item = |name: &str| json!({"name": name, "vat_rate_id": vat0, "sale_pos": true, "sale_online": true});
    let adult = id_of(post(&app, &key, "/api/v1/ticket-types", item("Ticket adulte")).await).await;
    let child = id_of(post(&app, &key, "/api/v1/ticket-types", item("Ticket enfant")).await).await;
    let senior = id_of(post(&app, &key, "/api/v1/ticket-types", item("Ticket senior")).await).await;
    let audio = id_of(post(&app, &key, "/api/v1/extras", item("Audio-guide")).await).await;
    let group = id_of(
        post(
            &app,
            &key,
            "/api/v1/offer-groups",
            json!({"name": "Visites"}),
        )
        .await,
    )
    .await;

    let tour = json!({
        "fr": {"name": "Visite guidée des Grottes de Neptune", "description": "Une heure sous terre", "included": "Guide", "to_bring": "Une veste"},
        "nl": {"name": "Begeleid bezoek aan de Neptunusgrotten"},
        "en": {"name": "Guided tour of the Neptune Caves"},
        "kind": "activity", "group_id": group, "sale_pos": true, "sale_online": true,
        "duration_minutes": "45", "capacity": "40", "online_cutoff_hours": "2", "pos_cutoff_hours": "0",
        "published_from": "2026-03-01", "published_to": "2026-11-30",
        "prices": [
            {"item_id": adult, "price": "8,50", "min_quantity": "0", "max_quantity": "40"},
            {"item_id": child, "price": "5,00"},
            {"item_id": senior, "price": "7,50"},
            {"item_id": audio, "price": "3,00", "max_quantity": "10"}
        ],
        "rules": [{"from": "2026-03-01", "to": "2026-11-30", "kind": "every", "every_minutes": "30", "first": "10:00", "last": "16:30"}],
        "closed_dates": "2026-07-21"
    });
    let r = post(&app, &key, "/api/v1/offers", tour.clone()).await;
    assert_eq!(r.status(), 201);
    let offer: Value = r.json().await.unwrap();
    let id = offer["id"].as_str().unwrap().to_owned();
    let prices: Vec<(String, i64)> = offer["prices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["item_name"].as_str().unwrap().to_owned(),
                p["price_cents"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        prices,
        vec![
            ("Ticket adulte".into(), 850),
            ("Ticket enfant".into(), 500),
            ("Ticket senior".into(), 750),
            ("Audio-guide".into(), 300)
        ]
    );
    assert_eq!(
        offer["texts"]["nl"]["name"],
        "Begeleid bezoek aan de Neptunusgrotten"
    );

    // Sessions: 14 a day, none on the closed day, right instants across the October change.
    let s: Value = client()
        .get(app.url(&format!(
            "/api/v1/offers/{id}/sessions?from=2026-07-20&to=2026-07-22"
        )))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        s.as_array().unwrap().len(),
        28,
        "20 and 22 July; the 21st is closed"
    );
    assert_eq!(s[0]["time"], "10:00");
    assert_eq!(s[0]["capacity"], 40);
    let s: Value = client()
        .get(app.url(&format!(
            "/api/v1/offers/{id}/sessions?from=2026-10-24&to=2026-10-25"
        )))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let first_24 = s[0]["start"].as_i64().unwrap();
    let first_25 = s[14]["start"].as_i64().unwrap();
    assert_eq!(
        first_25 - first_24,
        25 * 3600 * 1_000_000,
        "the day of the change lasts 25 hours"
    );
    let r = client()
        .get(app.url(&format!(
            "/api/v1/offers/{id}/sessions?from=2026-01-01&to=2027-06-01"
        )))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);

    // Bad input: each problem named, nothing saved.
    let mut bad = tour.clone();
    bad["prices"][0]["price"] = json!("-8,50");
    bad["prices"][1]["min_quantity"] = json!("5");
    bad["prices"][1]["max_quantity"] = json!("2");
    bad["rules"][0]["first"] = json!("17:00");
    bad["capacity"] = json!("");
    let p: Value = post(&app, &key, "/api/v1/offers", bad)
        .await
        .json()
        .await
        .unwrap();
    let e = field_errors(&p);
    for expected in [
        ("prices.0.price", "negative_price"),
        ("prices.1.max_quantity", "max_below_min"),
        ("rules.0.last", "ends_before_start"),
        ("capacity", "required"),
    ] {
        assert!(
            e.contains(&(expected.0.into(), expected.1.into())),
            "{expected:?} in {e:?}"
        );
    }
    let mut fixed = tour.clone();
    fixed["rules"] = json!([{"from": "2026-03-01", "to": "2026-11-30", "kind": "fixed", "times": "10:00, 14:00, 10:00"}]);
    let p: Value = post(&app, &key, "/api/v1/offers", fixed)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        field_errors(&p),
        vec![("rules.0.times".into(), "overlapping_sessions".into())]
    );
    let mut unknown = tour.clone();
    unknown["prices"][2]["item_id"] = json!(uuid::Uuid::now_v7().to_string());
    let p: Value = post(&app, &key, "/api/v1/offers", unknown)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        field_errors(&p),
        vec![("prices.2.item_id".into(), "unknown_item".into())]
    );
    let mut twice = tour.clone();
    twice["prices"][1]["item_id"] = json!(adult);
    let p: Value = post(&app, &key, "/api/v1/offers", twice)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        field_errors(&p),
        vec![("prices.1.item_id".into(), "duplicate_item".into())]
    );
    let list: Value = client()
        .get(app.url("/api/v1/offers"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);

    // Update: drop the senior price (not offered any more), fixed sessions instead.
    let mut update = tour.clone();
    update["prices"][2]["price"] = json!("");
    update["rules"] = json!([{"from": "2026-03-01", "to": "2026-11-30", "weekdays": "sat,sun", "kind": "fixed", "times": "11h, 15h"}]);
    let r = client()
        .put(app.url(&format!("/api/v1/offers/{id}")))
        .bearer_auth(&key)
        .json(&update)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let o: Value = r.json().await.unwrap();
    assert_eq!(o["prices"].as_array().unwrap().len(), 3);
    assert_eq!(o["schedule"]["rules"][0]["times"], "11:00, 15:00");
    let s: Value = client()
        .get(app.url(&format!(
            "/api/v1/offers/{id}/sessions?from=2026-07-20&to=2026-07-26"
        )))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(s.as_array().unwrap().len(), 4, "one weekend");

    // A ticket type used by an offer can be archived; the offer keeps its price line.
    let r = post(
        &app,
        &key,
        &format!("/api/v1/ticket-types/{senior}/archive"),
        json!({"archived": true}),
    )
    .await;
    assert_eq!(r.status(), 200);
    // The group holding the offer cannot be deleted.
    let r = client()
        .delete(app.url(&format!("/api/v1/offer-groups/{group}")))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    let r = post(
        &app,
        &key,
        &format!("/api/v1/offers/{id}/archive"),
        json!({"archived": true}),
    )
    .await;
    assert_eq!(r.json::<Value>().await.unwrap()["archived"], true);

    // Sellers read offers; only managers and admins change them.
    let seller = api_key(&app, &a, "seller").await;
    assert_eq!(
        client()
            .get(app.url("/api/v1/offers"))
            .bearer_auth(&seller)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        post(&app, &seller, "/api/v1/offers", tour).await.status(),
        403
    );
    app.stop().await;
}

#[tokio::test]
async fn offers_cannot_use_another_organizations_items() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let b = org(&app, "Abbaye B", "b").await;
    let key_a = api_key(&app, &a, "admin").await;
    let key_b = api_key(&app, &b, "admin").await;
    let rates: Value = client()
        .get(app.url("/api/v1/vat-rates"))
        .bearer_auth(&key_b)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let vat_b = rates[0]["id"].as_str().unwrap().to_owned();
    let b_ticket = id_of(
        post(
            &app,
            &key_b,
            "/api/v1/ticket-types",
            json!({"name": "Groupe adultes", "vat_rate_id": vat_b, "sale_pos": true}),
        )
        .await,
    )
    .await;
    let b_group = id_of(
        post(
            &app,
            &key_b,
            "/api/v1/offer-groups",
            json!({"name": "Abbaye"}),
        )
        .await,
    )
    .await;
    let offer = json!({
        "fr": {"name": "Visite de l'Abbaye"}, "kind": "activity", "sale_pos": true, "capacity": "30",
        "prices": [{"item_id": b_ticket, "price": "6"}]
    });
    let p: Value = post(&app, &key_a, "/api/v1/offers", offer.clone())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        field_errors(&p),
        vec![("prices.0.item_id".into(), "unknown_item".into())]
    );
    let b_offer = id_of(post(&app, &key_b, "/api/v1/offers", offer.clone()).await).await;
    let mut with_group = offer.clone();
    with_group["group_id"] = json!(b_group);
    let p: Value = post(&app, &key_b, "/api/v1/offers", with_group.clone())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(p["group_id"], b_group.as_str());
    for path in [
        format!("/api/v1/offers/{b_offer}"),
        format!("/api/v1/offers/{b_offer}/sessions?from=2026-01-01&to=2026-01-02"),
    ] {
        assert_eq!(
            client()
                .get(app.url(&path))
                .bearer_auth(&key_a)
                .send()
                .await
                .unwrap()
                .status(),
            404,
            "{path}"
        );
    }
    let r = client()
        .put(app.url(&format!("/api/v1/offers/{b_offer}")))
        .bearer_auth(&key_a)
        .json(&offer)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(
        post(
            &app,
            &key_a,
            &format!("/api/v1/offers/{b_offer}/archive"),
            json!({"archived": true})
        )
        .await
        .status(),
        404
    );
    app.stop().await;
}

#[tokio::test]
async fn offer_form_by_page_with_errors_and_session_preview() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let key = api_key(&app, &a, "manager").await;
    let rates: Value = client()
        .get(app.url("/api/v1/vat-rates"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let vat0 = rates
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rate_basis_points"] == 0)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let adult = id_of(
        post(
            &app,
            &key,
            "/api/v1/ticket-types",
            json!({"name": "Ticket adulte", "vat_rate_id": vat0, "sale_pos": true}),
        )
        .await,
    )
    .await;
    id_of(
        post(
            &app,
            &key,
            "/api/v1/extras",
            json!({"name": "Audio-guide", "vat_rate_id": vat0, "sale_pos": true}),
        )
        .await,
    )
    .await;
    let m = crate::harness::login(&app, &a.manager).await;
    let page = m
        .get(app.url("/activity/offers/new"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Ticket adulte") && page.contains("Audio-guide"),
        "one price row per item"
    );
    // Row 0 is the ticket type (ticket types come first).
    let today = jiff::Zoned::now()
        .with_time_zone(jiff::tz::TimeZone::get("Europe/Brussels").unwrap())
        .date();
    let next_year = today.checked_add(jiff::Span::new().years(1)).unwrap();
    let (today_s, next_s) = (today.to_string(), next_year.to_string());
    let mut form = vec![
        ("fr.name", "Visite guidée"),
        ("kind", "activity"),
        ("sale_pos", "true"),
        ("capacity", "40"),
        ("prices.0.item_id", adult.as_str()),
        ("prices.0.price", "8,50"),
        ("rules.0.from", today_s.as_str()),
        ("rules.0.to", next_s.as_str()),
        ("rules.0.kind", "every"),
        ("rules.0.every_minutes", "30"),
        ("rules.0.first", "16:30"),
        ("rules.0.last", "10:00"),
    ];
    let r = m
        .post(app.url("/activity/offers/new"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let page = r.text().await.unwrap();
    assert!(page.contains("La fin est avant le début."));
    assert!(page.contains(r#"value="8,50""#), "what was typed is kept");
    form[10] = ("rules.0.first", "10:00");
    form[11] = ("rules.0.last", "16:30");
    let r = m
        .post(app.url("/activity/offers/new"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let path = crate::harness::location(&r);
    let page = m
        .get(app.url(&path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Séances des 14 prochains jours"));
    assert!(page.contains("10:00, 10:30, 11:00"));
    let list = m
        .get(app.url("/activity/offers"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(list.contains("Visite guidée") && list.contains("Ticket adulte 8,50 €"));
    // Offer groups page.
    let r = m
        .post(app.url("/activity/offers/groups"))
        .form(&[("name", "Visites")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert!(
        m.get(app.url("/activity/offers/groups"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
            .contains("Visites")
    );
    app.stop().await;
}

fn upload(bytes: Vec<u8>, caption: &str) -> reqwest::multipart::Form {
    reqwest::multipart::Form::new()
        .text("caption", caption.to_owned())
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes)
                .file_name("photo.png")
                .mime_str("image/png")
                .unwrap(),
        )
}

#[tokio::test]
async fn offer_photos_with_thumbnails_and_clear_errors() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let b = org(&app, "Abbaye B", "b").await;
    let key = api_key(&app, &a, "manager").await;
    let rates: Value = client()
        .get(app.url("/api/v1/vat-rates"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let vat = rates[0]["id"].as_str().unwrap().to_owned();
    let t = id_of(
        post(
            &app,
            &key,
            "/api/v1/ticket-types",
            json!({"name": "Entrée", "vat_rate_id": vat, "sale_pos": true}),
        )
        .await,
    )
    .await;
    let offer = id_of(post(&app, &key, "/api/v1/offers", json!({"fr": {"name": "Visite"}, "kind": "activity", "sale_pos": true, "capacity": "10", "prices": [{"item_id": t, "price": "5"}]})).await).await;
    let c = client();
    let url = app.url(&format!("/api/v1/offers/{offer}/photos"));
    let r = c
        .post(&url)
        .bearer_auth(&key)
        .multipart(upload(png(1600, 1000), "La salle du Dôme"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let photo: Value = r.json().await.unwrap();
    assert_eq!(
        (photo["width"].as_i64(), photo["height"].as_i64()),
        (Some(1600), Some(1000))
    );
    let thumb = client()
        .get(app.url(photo["thumbnail_url"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(thumb.headers()["content-type"], "image/jpeg");
    let thumb = image::load_from_memory(&thumb.bytes().await.unwrap()).unwrap();
    assert_eq!((thumb.width(), thumb.height()), (480, 300));
    let full = client()
        .get(app.url(photo["url"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(full.headers()["content-type"], "image/png");

    // Not a picture, too large, no caption: named errors, nothing stored.
    let r = c
        .post(&url)
        .bearer_auth(&key)
        .multipart(upload(b"%PDF-1.7".to_vec(), "Plan"))
        .send()
        .await
        .unwrap();
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["errors"][0]["code"], "not_an_image");
    let r = c
        .post(&url)
        .bearer_auth(&key)
        .multipart(upload(vec![0u8; 5 * 1024 * 1024 + 10], "Gros"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let r = c
        .post(&url)
        .bearer_auth(&key)
        .multipart(upload(png(10, 10), " "))
        .send()
        .await
        .unwrap();
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["errors"][0]["field"], "caption");
    let list: Value = c
        .get(&url)
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);

    // By page, and shown on the offer's page.
    let m = crate::harness::login(&app, &a.manager).await;
    let r = m
        .post(app.url(&format!("/activity/offers/{offer}/photos")))
        .multipart(upload(b"nope".to_vec(), "X"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("n&#39;est pas une image"));
    let r = m
        .post(app.url(&format!("/activity/offers/{offer}/photos")))
        .multipart(upload(png(300, 300), "L'entrée"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let page = m
        .get(app.url(&format!("/activity/offers/{offer}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("La salle du Dôme") && page.contains("/thumbnail"));

    // Another organization cannot add to or delete from this offer.
    let key_b = api_key(&app, &b, "admin").await;
    let r = c
        .post(&url)
        .bearer_auth(&key_b)
        .multipart(upload(png(10, 10), "Intrus"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let pid = photo["id"].as_str().unwrap();
    assert_eq!(
        c.delete(app.url(&format!("/api/v1/offers/{offer}/photos/{pid}")))
            .bearer_auth(&key_b)
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        c.delete(app.url(&format!("/api/v1/offers/{offer}/photos/{pid}")))
            .bearer_auth(&key)
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    assert_eq!(
        client()
            .get(app.url(photo["url"].as_str().unwrap()))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    app.stop().await;
}
