//! Ticket types and extras.

use crate::harness::{api_key, client, field_errors, login, org, png, problem, spawn};
use serde_json::{Value, json};

#[tokio::test]
async fn ticket_types_and_extras_by_api_and_page() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let key = api_key(&app, &a, "manager").await;
    let c = client();
    let rates: Value = c
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
    let vat0_id = vat0.clone();
    let adult: Value = c
        .post(app.url("/api/v1/ticket-types"))
        .bearer_auth(&key)
        .json(&json!({"name": "Ticket adulte", "name_nl": "Volwassene", "name_en": "Adult", "vat_rate_id": vat0, "sale_pos": true, "sale_online": true, "pictogram": "adult"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(adult["daily_stock"], 999, "the seeds' default");
    assert_eq!(adult["kind"], "ticket_type");
    let r = c
        .post(app.url("/api/v1/ticket-types"))
        .bearer_auth(&key)
        .json(&json!({"name": "ticket ADULTE", "vat_rate_id": vat0, "sale_pos": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let r = c
        .post(app.url("/api/v1/ticket-types"))
        .bearer_auth(&key)
        .json(&json!({"name": "Étudiant", "vat_rate_id": "x", "daily_stock": "-1", "minimum_age": "200", "pictogram": "unicorn"}))
        .send()
        .await
        .unwrap();
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
    let audio: Value = c
        .post(app.url("/api/v1/extras"))
        .bearer_auth(&key)
        .json(&json!({"name": "Audio-guide", "vat_rate_id": vat0, "sale_pos": true, "capacity": "40", "minimum_age": "8", "pictogram": "audio-guide"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            audio["kind"].as_str(),
            audio["capacity"].as_i64(),
            audio["minimum_age"].as_i64()
        ),
        (Some("extra"), Some(40), Some(8))
    );
    // Extras and ticket types are separate lists; ids of one are not found in the other.
    let id = audio["id"].as_str().unwrap();
    assert_eq!(
        c.get(app.url(&format!("/api/v1/ticket-types/{id}")))
            .bearer_auth(&key)
            .send()
            .await
            .unwrap()
            .status(),
        404
    );

    // A VAT rate in use is archived, not deleted.
    let admin_key = api_key(&app, &a, "admin").await;
    let r = c
        .delete(app.url(&format!("/api/v1/vat-rates/{vat0_id}")))
        .bearer_auth(&admin_key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["result"], "archived");
    let still: Value = c
        .get(app.url(&format!("/api/v1/extras/{id}")))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(still["vat_rate_id"], vat0_id.as_str());
    // …and no longer offered for new items.
    let r = c
        .post(app.url("/api/v1/extras"))
        .bearer_auth(&key)
        .json(&json!({"name": "Casque", "vat_rate_id": vat0_id, "sale_pos": true}))
        .send()
        .await
        .unwrap();
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["errors"][0]["code"], "unknown_vat_rate");

    // Sellers read the lists (the register sells them) but cannot change them.
    let seller = login(&app, &a.seller).await;
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
    let seller_key = api_key(&app, &a, "seller").await;
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

    // Pages: create with an error, then edit and archive.
    let m = login(&app, &a.manager).await;
    let vat21 = rates
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rate_basis_points"] == 2100)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = m
        .post(app.url("/activity/ticket-types/new"))
        .form(&[("name", "Ticket enfant"), ("vat_rate_id", vat21.as_str())])
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
    let r = m
        .post(app.url("/activity/ticket-types/new"))
        .form(&[
            ("name", "Ticket enfant"),
            ("vat_rate_id", vat21.as_str()),
            ("sale_pos", "true"),
            ("minimum_age", "3"),
            ("description", "de 3 à 11 ans"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let list: Value = c
        .get(app.url("/api/v1/ticket-types"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
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
        .json()
        .await
        .unwrap();
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
