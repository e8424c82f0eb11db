//! Shop products, groups, barcodes and the stock ledger, by API and by page.

use crate::harness::{TestApp, api_key, client, field_errors, login, org, png, problem, spawn};
use serde_json::{Value, json};

async fn vat_id(app: &TestApp, key: &str, bp: i64) -> String {
    let rates: Value = client()
        .get(app.url("/api/v1/vat-rates"))
        .bearer_auth(key)
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap()["items"]
        .clone();
    rates
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rate_basis_points"] == bp)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn products_groups_and_barcodes_by_api() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let key = api_key(&app, &a, "manager").await;
    let c = client();
    let vat21 = vat_id(&app, &key, 2100).await;
    let vat6 = vat_id(&app, &key, 600).await;
    let peluche: Value = c
        .post(app.url("/api/v1/product-groups"))
        .bearer_auth(&key)
        .json(&json!({"name": "Peluche"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let fromage: Value = c
        .post(app.url("/api/v1/product-groups"))
        .bearer_auth(&key)
        .json(&json!({"name": "Fromage"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let r = c
        .post(app.url("/api/v1/product-groups"))
        .bearer_auth(&key)
        .json(&json!({"name": "PELUCHE"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        field_errors(&problem(r, 422).await),
        vec![("name".into(), "already_exists".into())]
    );
    // Manual order: Fromage first.
    let order: Value = c
        .post(app.url(&format!(
            "/api/v1/product-groups/{}/move",
            fromage["id"].as_str().unwrap()
        )))
        .bearer_auth(&key)
        .json(&json!({"delta": -1}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(order[0]["name"], "Fromage");

    // Bad input: every field reported, nothing saved.
    let r = c
        .post(app.url("/api/v1/products"))
        .bearer_auth(&key)
        .json(&json!({"name": "", "barcode": "5410188031073", "price": "-1", "vat_rate_id": "nope", "alert_stock": "x", "initial_stock": "-3"}))
        .send()
        .await
        .unwrap();
    let p = problem(r, 422).await;
    let f = field_errors(&p);
    for expected in [
        ("name", "required"),
        ("barcode", "barcode_check_digit"),
        ("price", "negative_price"),
        ("alert_stock", "not_a_whole_number"),
        ("initial_stock", "negative_quantity"),
        ("vat_rate_id", "unknown_vat_rate"),
    ] {
        assert!(
            f.contains(&(expected.0.to_owned(), expected.1.to_owned())),
            "{expected:?} in {f:?}"
        );
    }
    let unknown_vat = c
        .post(app.url("/api/v1/products"))
        .bearer_auth(&key)
        .json(&json!({"name": "X", "price": "1", "vat_rate_id": uuid::Uuid::now_v7().to_string()}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        field_errors(&problem(unknown_vat, 422).await),
        vec![("vat_rate_id".into(), "unknown_vat_rate".into())]
    );
    let list: Value = c
        .get(app.url("/api/v1/products"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap()["items"]
        .clone();
    assert_eq!(list.as_array().unwrap().len(), 0);

    // The seeds' products: a real EAN-13, and one without a code (internal EAN-13).
    let loup: Value = c
        .post(app.url("/api/v1/products"))
        .bearer_auth(&key)
        .json(&json!({"name": "Peluche loup", "barcode": "5410188031072", "price": "12,80", "vat_rate_id": vat21, "group_id": peluche["id"], "sale_pos": true, "stock_managed": true, "alert_stock": "5", "initial_stock": "36"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(loup["price_cents"], 1280);
    assert_eq!(loup["stock"], 36);
    assert_eq!(loup["symbology"], "ean13");
    let mouton: Value = c
        .post(app.url("/api/v1/products"))
        .bearer_auth(&key)
        .json(&json!({"name": "Peluche mouton 10 cm", "price": "5,00", "vat_rate_id": vat6, "group_id": peluche["id"], "sale_pos": true, "stock_managed": true, "initial_stock": "69"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let internal = mouton["barcode"].as_str().unwrap();
    assert!(
        internal.starts_with("20") && internal.len() == 13,
        "{internal}"
    );
    let again: Value = c
        .post(app.url("/api/v1/products"))
        .bearer_auth(&key)
        .json(&json!({"name": "Casquette Truck", "price": "10", "vat_rate_id": vat21}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_ne!(
        again["barcode"], mouton["barcode"],
        "internal codes are distinct"
    );
    let r = c
        .post(app.url("/api/v1/products"))
        .bearer_auth(&key)
        .json(&json!({"name": "Copie", "barcode": "5410188031072", "price": "1", "vat_rate_id": vat21}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        field_errors(&problem(r, 422).await),
        vec![("barcode".into(), "already_exists".into())]
    );

    // Scanning and searching.
    let found: Value = c
        .get(app.url(&format!("/api/v1/products/by-barcode/{internal}")))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(found["name"], "Peluche mouton 10 cm");
    let search: Value = c
        .get(app.url("/api/v1/products?q=PELUCHÉ%20mout"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap()["items"]
        .clone();
    assert_eq!(search.as_array().unwrap().len(), 1);
    let in_group: Value = c
        .get(app.url(&format!(
            "/api/v1/products?group={}",
            peluche["id"].as_str().unwrap()
        )))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap()["items"]
        .clone();
    assert_eq!(in_group.as_array().unwrap().len(), 2);

    // A group with products cannot be deleted; an empty one can.
    let r = c
        .delete(app.url(&format!(
            "/api/v1/product-groups/{}",
            peluche["id"].as_str().unwrap()
        )))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(problem(r, 409).await["code"], "group_not_empty");
    let r = c
        .delete(app.url(&format!(
            "/api/v1/product-groups/{}",
            fromage["id"].as_str().unwrap()
        )))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);

    // Editing keeps the code when the field is left empty.
    let id = loup["id"].as_str().unwrap();
    let r = c
        .put(app.url(&format!("/api/v1/products/{id}")))
        .bearer_auth(&key)
        .json(&json!({"name": "Peluche loup grand", "price": "13,50", "vat_rate_id": vat21, "group_id": peluche["id"], "stock_managed": true, "alert_stock": "5"}))
        .send()
        .await
        .unwrap();
    let edited: Value = r.json().await.unwrap();
    assert_eq!(edited["barcode"], "5410188031072");
    assert_eq!(edited["price_cents"], 1350);
    assert_eq!(edited["stock"], 36, "editing never touches the stock");
    app.stop().await;
}

#[tokio::test]
async fn stock_ledger_count_and_report() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let key = api_key(&app, &a, "manager").await;
    let c = client();
    let vat = vat_id(&app, &key, 0).await;
    let fromage: Value = c
        .post(app.url("/api/v1/products"))
        .bearer_auth(&key)
        .json(&json!({"name": "Fromage de Targnon", "price": "0,01", "vat_rate_id": vat, "stock_managed": true, "alert_stock": "10", "initial_stock": "5339"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = fromage["id"].as_str().unwrap().to_owned();
    let mv = |kind: &str, q: &str| json!({"kind": kind, "quantity": q, "reason": "test"});
    let r = c
        .post(app.url(&format!("/api/v1/products/{id}/movements")))
        .bearer_auth(&key)
        .json(&mv("restock", "100"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["stock"], 5439);
    let r = c
        .post(app.url(&format!("/api/v1/products/{id}/movements")))
        .bearer_auth(&key)
        .json(&mv("withdrawal", "39"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["stock"], 5400);
    for (kind, q, code) in [
        ("sale", "1", "unknown_value"),
        ("restock", "0", "zero_quantity"),
        ("restock", "-5", "negative_quantity"),
        ("restock", "deux", "not_a_whole_number"),
    ] {
        let r = c
            .post(app.url(&format!("/api/v1/products/{id}/movements")))
            .bearer_auth(&key)
            .json(&mv(kind, q))
            .send()
            .await
            .unwrap();
        let p = problem(r, 422).await;
        assert!(
            field_errors(&p).iter().any(|(_, c)| c == code),
            "{kind} {q}: {p}"
        );
    }
    let moves: Value = c
        .get(app.url(&format!("/api/v1/products/{id}/movements")))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap()["items"]
        .clone();
    let kinds: Vec<&str> = moves
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, vec!["withdrawal", "restock", "initial"]);
    assert_eq!(moves[0]["quantity"], -39);

    // A stock count: 5390 found on the shelves → one adjustment of -10.
    let r = c
        .post(app.url("/api/v1/stock-counts"))
        .bearer_auth(&key)
        .json(&json!({"lines": [{"product_id": id, "counted": 5390}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["adjusted"], 1);
    let r = c
        .post(app.url("/api/v1/stock-counts"))
        .bearer_auth(&key)
        .json(&json!({"lines": [{"product_id": id, "counted": -1}]}))
        .send()
        .await
        .unwrap();
    problem(r, 422).await;
    let p: Value = c
        .get(app.url(&format!("/api/v1/products/{id}")))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(p["stock"], 5390);

    // The report at today's date, and at a date before the product existed.
    let today = jiff::Zoned::now()
        .with_time_zone(jiff::tz::TimeZone::get("Europe/Brussels").unwrap())
        .date();
    let report: Value = c
        .get(app.url(&format!("/api/v1/stock?date={today}")))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap()["items"]
        .clone();
    let line = &report[0];
    assert_eq!(
        (
            line["initial_stock"].as_i64(),
            line["stock"].as_i64(),
            line["restocks"].as_i64()
        ),
        (Some(5339), Some(5390), Some(100))
    );
    let before: Value = c
        .get(app.url("/api/v1/stock?date=2021-03-13"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap()["items"]
        .clone();
    assert_eq!(before[0]["stock"], 0);
    let r = c
        .get(app.url("/api/v1/stock?date=13/03/2021"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(field_errors(&problem(r, 422).await)[0].1, "invalid_date");
    let r = c
        .get(app.url(&format!("/api/v1/stock?date=2021-03-13&from={today}")))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(field_errors(&problem(r, 422).await)[0].1, "from_after_date");

    // Low stock.
    c.post(app.url(&format!("/api/v1/products/{id}/movements")))
        .bearer_auth(&key)
        .json(&mv("withdrawal", "5385"))
        .send()
        .await
        .unwrap();
    let low: Value = c
        .get(app.url("/api/v1/products?low=true"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap()["items"]
        .clone();
    assert_eq!(low.as_array().unwrap().len(), 1);

    // Exports by page, CSV and XLSX.
    let manager = login(&app, &a.manager).await;
    let r = manager
        .get(app.url(&format!(
            "/activity/shop/export?from=2021-01-01&date={today}&format=csv"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains(".csv")
    );
    let csv = r.text().await.unwrap();
    assert!(
        csv.contains(
            "Nom du produit;Groupe;Code-barres;Stock de départ;Stock à la date;Réassort;Ventes"
        ),
        "{csv}"
    );
    assert!(csv.contains("Fromage de Targnon;;"));
    assert!(csv.contains(";5339;5;100;0"), "{csv}");
    let r = manager
        .get(app.url(&format!(
            "/activity/shop/export?from=2021-01-01&date={today}&format=xlsx"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(&r.bytes().await.unwrap()[..2], b"PK");
    app.stop().await;
}

#[tokio::test]
async fn shop_pages_work_for_managers_and_not_for_sellers() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let seller = login(&app, &a.seller).await;
    for path in [
        "/activity/shop",
        "/activity/shop/new",
        "/activity/shop/groups",
        "/activity/shop/count",
        "/activity/shop/labels",
    ] {
        assert_eq!(
            seller.get(app.url(path)).send().await.unwrap().status(),
            403,
            "{path}"
        );
    }
    let m = login(&app, &a.manager).await;
    let r = m
        .post(app.url("/activity/shop/groups"))
        .form(&[("name", "Peluche")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let page = m
        .get(app.url("/activity/shop/new"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Peluche"));
    let r = m
        .post(app.url("/activity/shop/new"))
        .form(&[
            ("name", "Heaume"),
            ("barcode", "4006381333932"),
            ("price", "11,5"),
            ("vat_rate_id", "bad"),
            ("stock_managed", "true"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let page = r.text().await.unwrap();
    assert!(page.contains("Le chiffre de contrôle de ce code-barres est faux."));
    assert!(page.contains("Taux de TVA inconnu."));
    let key = api_key(&app, &a, "admin").await;
    let vat21 = vat_id(&app, &key, 2100).await;
    let r = m
        .post(app.url("/activity/shop/new"))
        .form(&[
            ("name", "Heaume"),
            ("price", "11,50"),
            ("vat_rate_id", vat21.as_str()),
            ("sale_pos", "true"),
            ("stock_managed", "true"),
            ("initial_stock", "15"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let product_page = crate::harness::location(&r);
    assert!(product_page.starts_with("/activity/shop/"));
    let path = product_page.split('?').next().unwrap().to_owned();
    let r = m
        .post(app.url(&format!("{path}/movements")))
        .form(&[("kind", "restock"), ("quantity", "abc")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let r = m
        .post(app.url(&format!("{path}/movements")))
        .form(&[
            ("kind", "restock"),
            ("quantity", "5"),
            ("reason", "Livraison"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let page = m
        .get(app.url(&path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(r#"<span id="current-stock">20</span>"#),
        "stock shown"
    );
    assert!(page.contains("Livraison") && page.contains("Réassort"));

    let list = m
        .get(app.url("/activity/shop?q=heaume"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(list.contains("Heaume") && list.contains("11,50 €") && list.contains("21 %"));
    let product_id = path.rsplit('/').next().unwrap();
    let count = m
        .get(app.url("/activity/shop/count"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(count.contains(&format!("count-{product_id}")));
    let field = format!("count-{product_id}");
    let r = m
        .post(app.url("/activity/shop/count"))
        .form(&[(field.as_str(), "-2")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let r = m
        .post(app.url("/activity/shop/count"))
        .form(&[(field.as_str(), "18")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let page = m
        .get(app.url(&path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(r#"<span id="current-stock">18</span>"#));
    let labels = m
        .get(app.url(&format!("/activity/shop/labels?ids={product_id}&copies=3")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(labels.matches("<svg").count(), 3);
    assert!(labels.contains("11,50 €"));
    app.stop().await;
}

#[tokio::test]
async fn products_of_another_organization_are_unreachable() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let b = org(&app, "Abbaye B", "b").await;
    let key_a = api_key(&app, &a, "admin").await;
    let key_b = api_key(&app, &b, "admin").await;
    let c = client();
    let vat_b = vat_id(&app, &key_b, 2100).await;
    let group_b: Value = c
        .post(app.url("/api/v1/product-groups"))
        .bearer_auth(&key_b)
        .json(&json!({"name": "Bières"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let beer: Value = c
        .post(app.url("/api/v1/products"))
        .bearer_auth(&key_b)
        .json(&json!({"name": "Trappiste", "barcode": "5410188031072", "price": "3,50", "vat_rate_id": vat_b, "group_id": group_b["id"], "stock_managed": true, "initial_stock": "24"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = beer["id"].as_str().unwrap();
    let gid = group_b["id"].as_str().unwrap();
    for (method, path, body) in [
        (reqwest::Method::GET, format!("/api/v1/products/{id}"), None),
        (
            reqwest::Method::GET,
            format!("/api/v1/products/{id}/movements"),
            None,
        ),
        (
            reqwest::Method::POST,
            format!("/api/v1/products/{id}/movements"),
            Some(json!({"kind": "withdrawal", "quantity": "24"})),
        ),
        (
            reqwest::Method::POST,
            format!("/api/v1/products/{id}/archive"),
            Some(json!({"archived": true})),
        ),
        (
            reqwest::Method::GET,
            "/api/v1/products/by-barcode/5410188031072".to_owned(),
            None,
        ),
        (
            reqwest::Method::DELETE,
            format!("/api/v1/product-groups/{gid}"),
            None,
        ),
        (
            reqwest::Method::POST,
            "/api/v1/stock-counts".to_owned(),
            Some(json!({"lines": [{"product_id": id, "counted": 0}]})),
        ),
    ] {
        let mut req = c
            .request(method.clone(), app.url(&path))
            .bearer_auth(&key_a);
        if let Some(b) = body {
            req = req.json(&b);
        }
        assert_eq!(req.send().await.unwrap().status(), 404, "{method} {path}");
    }
    // A's product cannot use B's VAT rate or group; the same barcode is fine in A.
    let vat_a = vat_id(&app, &key_a, 2100).await;
    let r = c
        .post(app.url("/api/v1/products"))
        .bearer_auth(&key_a)
        .json(&json!({"name": "X", "price": "1", "vat_rate_id": vat_b}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        field_errors(&problem(r, 422).await),
        vec![("vat_rate_id".into(), "unknown_vat_rate".into())]
    );
    let r = c
        .post(app.url("/api/v1/products"))
        .bearer_auth(&key_a)
        .json(&json!({"name": "X", "price": "1", "vat_rate_id": vat_a, "group_id": gid}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        field_errors(&problem(r, 422).await),
        vec![("group_id".into(), "unknown_group".into())]
    );
    let r = c
        .post(app.url("/api/v1/products"))
        .bearer_auth(&key_a)
        .json(&json!({"name": "Même code", "barcode": "5410188031072", "price": "1", "vat_rate_id": vat_a}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let still: Value = c
        .get(app.url(&format!("/api/v1/products/{id}")))
        .bearer_auth(&key_b)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (still["stock"].as_i64(), still["archived"].as_bool()),
        (Some(24), Some(false))
    );
    app.stop().await;
}

#[tokio::test]
async fn product_photo_is_optional_and_checked() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let key = api_key(&app, &a, "manager").await;
    let c = client();
    let vat = vat_id(&app, &key, 2100).await;
    let p: Value = c
        .post(app.url("/api/v1/products"))
        .bearer_auth(&key)
        .json(&json!({"name": "Peluche loup", "price": "12,80", "vat_rate_id": vat}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(p["has_photo"], false);
    let id = p["id"].as_str().unwrap();
    let png = png(900, 600);
    let form = |bytes: Vec<u8>| {
        reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name("p.png"),
        )
    };
    let r = c
        .put(app.url(&format!("/api/v1/products/{id}/photo")))
        .bearer_auth(&key)
        .multipart(form(b"GIF89a".to_vec()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let r = c
        .put(app.url(&format!("/api/v1/products/{id}/photo")))
        .bearer_auth(&key)
        .multipart(form(png))
        .send()
        .await
        .unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["has_photo"], true);
    let thumb = client()
        .get(app.url(&format!("/media/products/{id}/thumbnail")))
        .send()
        .await
        .unwrap();
    assert_eq!(thumb.headers()["content-type"], "image/jpeg");
    let m = login(&app, &a.manager).await;
    let page = m
        .get(app.url(&format!("/activity/shop/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(&format!("/media/products/{id}/thumbnail")));
    let r = m
        .post(app.url(&format!("/activity/shop/{id}/photo/delete")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(
        client()
            .get(app.url(&format!("/media/products/{id}")))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    app.stop().await;
}
