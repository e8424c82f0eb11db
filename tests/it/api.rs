//! The REST API: resources, problem documents, API keys, OpenAPI, health.

use crate::harness::{api_key, client, login, org, problem, spawn};
use serde_json::{Value, json};

#[tokio::test]
async fn vat_rates_crud_with_clear_errors() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let key = api_key(&app, &a, "admin").await;
    let c = client();
    let list: Value = c
        .get(app.url("/api/v1/vat-rates"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap()["items"]
        .clone();
    let bps: Vec<i64> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["rate_basis_points"].as_i64().unwrap())
        .collect();
    assert_eq!(bps, vec![0, 600, 1200, 2100], "Belgian preset");

    let r = c
        .post(app.url("/api/v1/vat-rates"))
        .bearer_auth(&key)
        .json(&json!({"label": "", "rate_basis_points": 10001}))
        .send()
        .await
        .unwrap();
    let p = problem(r, 422).await;
    assert_eq!(p["code"], "validation_failed");
    let fields: Vec<(&str, &str)> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["field"].as_str().unwrap(), e["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        fields,
        vec![("label", "required"), ("rate", "out_of_range")]
    );

    let r = c
        .post(app.url("/api/v1/vat-rates"))
        .bearer_auth(&key)
        .json(&json!({"label": "Autre 21", "rate_basis_points": 2100}))
        .send()
        .await
        .unwrap();
    let p = problem(r, 422).await;
    assert_eq!(p["errors"][0]["code"], "already_exists");

    let r = c
        .post(app.url("/api/v1/vat-rates"))
        .bearer_auth(&key)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    let p = problem(r, 400).await;
    assert_eq!(p["code"], "invalid_body");
    let r = c
        .post(app.url("/api/v1/vat-rates"))
        .bearer_auth(&key)
        .json(&json!({"label": 5}))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(r, 422).await["code"], "invalid_body");

    let r = c
        .post(app.url("/api/v1/vat-rates"))
        .bearer_auth(&key)
        .json(&json!({"label": "TVA 5,5 %", "rate_basis_points": 550}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let created: Value = r.json().await.unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["rate_basis_points"], 550);

    let r = c
        .put(app.url(&format!("/api/v1/vat-rates/{id}")))
        .bearer_auth(&key)
        .json(&json!({"label": "TVA réduite", "rate_basis_points": 560}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = c
        .post(app.url(&format!("/api/v1/vat-rates/{id}/archive")))
        .bearer_auth(&key)
        .json(&json!({"archived": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["archived"], true);
    // Archived rates no longer block their percentage.
    let r = c
        .post(app.url("/api/v1/vat-rates"))
        .bearer_auth(&key)
        .json(&json!({"label": "TVA 5,6", "rate_basis_points": 560}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    // Restoring would clash with the new one.
    let r = c
        .post(app.url(&format!("/api/v1/vat-rates/{id}/archive")))
        .bearer_auth(&key)
        .json(&json!({"archived": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(r, 422).await["errors"][0]["code"], "already_exists");
    // Unused: deleted for good.
    let r = c
        .delete(app.url(&format!("/api/v1/vat-rates/{id}")))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["result"], "deleted");
    let r = c
        .get(app.url(&format!("/api/v1/vat-rates/{id}")))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(problem(r, 404).await["code"], "not_found");
    let r = c
        .get(app.url("/api/v1/vat-rates/not-a-uuid"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(problem(r, 404).await["code"], "not_found");
    app.stop().await;
}

#[tokio::test]
async fn organization_sites_and_registers() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let key = api_key(&app, &a, "admin").await;
    let c = client();
    let r = c
        .put(app.url("/api/v1/organization"))
        .bearer_auth(&key)
        .json(&json!({"name": "Grottes de Neptune", "legal_name": "Grottes SRL", "vat_number": "BE 0417.497.106", "street": "Rue des Grottes 6", "postal_code": "5580", "city": "Han-sur-Lesse", "country": "be", "currency": "EUR", "time_zone": "Europe/Brussels", "default_language": "nl"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let o: Value = r.json().await.unwrap();
    assert_eq!(o["vat_number"], "BE0417497106");
    assert_eq!(o["address"]["country"], "BE");
    assert_eq!(o["default_language"], "nl");
    let r = c
        .put(app.url("/api/v1/organization"))
        .bearer_auth(&key)
        .json(&json!({"name": "X", "vat_number": "BE0417497107", "currency": "XYZ", "time_zone": "Europe/Bruxelles", "default_language": "fr"}))
        .send()
        .await
        .unwrap();
    let p = problem(r, 422).await;
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["vat_number", "currency", "time_zone"]);
    let o: Value = c
        .get(app.url("/api/v1/organization"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(o["name"], "Grottes de Neptune", "nothing half-written");

    let r = c
        .post(app.url("/api/v1/sites"))
        .bearer_auth(&key)
        .json(&json!({"name": "Parc animalier", "city": "Han-sur-Lesse"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let site: Value = r.json().await.unwrap();
    let site_id = site["id"].as_str().unwrap().to_owned();
    let r = c
        .post(app.url("/api/v1/registers"))
        .bearer_auth(&key)
        .json(&json!({"name": "Réservation par téléphone", "kind": "phone", "site_id": site_id}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let reg: Value = r.json().await.unwrap();
    assert_eq!(reg["kind"], "phone");
    assert_eq!(reg["site_name"], "Parc animalier");
    let reg_id = reg["id"].as_str().unwrap().to_owned();
    let r = c
        .post(app.url("/api/v1/registers"))
        .bearer_auth(&key)
        .json(&json!({"name": "réservation par TÉLÉPHONE", "kind": "phone", "site_id": site_id}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(r, 422).await["errors"][0]["code"],
        "already_exists",
        "same name in another case"
    );
    let r = c
        .post(app.url("/api/v1/registers"))
        .bearer_auth(&key)
        .json(&json!({"name": "", "kind": "drive-in", "site_id": "nope"}))
        .send()
        .await
        .unwrap();
    let p = problem(r, 422).await;
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["name", "kind", "site_id"]);

    // A site with an active register cannot be archived; once the register is, it can.
    let r = c
        .post(app.url(&format!("/api/v1/sites/{site_id}/archive")))
        .bearer_auth(&key)
        .json(&json!({"archived": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(r, 409).await["code"], "site_has_active_registers");
    let r = c
        .post(app.url(&format!("/api/v1/registers/{reg_id}/archive")))
        .bearer_auth(&key)
        .json(&json!({"archived": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = c
        .post(app.url(&format!("/api/v1/sites/{site_id}/archive")))
        .bearer_auth(&key)
        .json(&json!({"archived": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // …and its register cannot come back while the site is archived.
    let r = c
        .post(app.url(&format!("/api/v1/registers/{reg_id}/archive")))
        .bearer_auth(&key)
        .json(&json!({"archived": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(r, 422).await["errors"][0]["code"], "site_archived");
    app.stop().await;
}

#[tokio::test]
async fn users_roles_and_the_last_admin() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let admin = login(&app, &a.admin).await;
    let r = admin
        .post(app.url("/api/v1/users"))
        .json(&json!({"email": "bad", "name": "", "role": "boss", "password": "short"}))
        .send()
        .await
        .unwrap();
    let p = problem(r, 422).await;
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["email", "role", "name", "password"]);
    let r = admin
        .post(app.url("/api/v1/users"))
        .json(&json!({"email": "guide@a.test", "name": "", "role": "seller", "password": "short"}))
        .send()
        .await
        .unwrap();
    let p = problem(r, 422).await;
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["name", "password"]);
    let r = admin
        .post(app.url("/api/v1/users"))
        .json(&json!({"email": a.seller, "name": "Again", "role": "seller", "password": "long enough password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(r, 422).await["errors"][0]["code"], "already_member");

    // The only admin cannot step down or be disabled.
    for body in [json!({"role": "manager"}), json!({"disabled": true})] {
        let r = admin
            .patch(app.url(&format!("/api/v1/users/{}", a.admin_id)))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(problem(r, 409).await["code"], "last_admin");
    }
    // Promote the seller to admin: now the first admin may step down.
    let r = admin
        .patch(app.url(&format!("/api/v1/users/{}", a.seller_id)))
        .json(&json!({"role": "admin"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["role"], "admin");
    let r = admin
        .patch(app.url(&format!("/api/v1/users/{}", a.admin_id)))
        .json(&json!({"role": "manager"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // The demoted admin loses user management at once.
    assert_eq!(
        admin
            .get(app.url("/api/v1/users"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    app.stop().await;
}

#[tokio::test]
async fn revoked_api_keys_stop_working_at_once() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let admin = login(&app, &a.admin).await;
    let r = admin
        .post(app.url("/api/v1/api-keys"))
        .json(&json!({"name": "Site web", "role": "manager"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let created: Value = r.json().await.unwrap();
    let secret = created["secret"].as_str().unwrap().to_owned();
    let id = created["key"]["id"].as_str().unwrap().to_owned();
    assert!(secret.starts_with(created["key"]["prefix"].as_str().unwrap()));
    let me: Value = client()
        .get(app.url("/api/v1/me"))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["role"], "manager");
    assert_eq!(me["via_api_key"], true);
    // The list never shows the secret again, and records use.
    let keys: Value = admin
        .get(app.url("/api/v1/api-keys"))
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap()["items"]
        .clone();
    let listed = keys
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id"] == id.as_str())
        .unwrap()
        .clone();
    assert!(listed.get("secret").is_none());
    assert!(listed["last_used_at"].is_i64());
    let r = admin
        .delete(app.url(&format!("/api/v1/api-keys/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["revoked"], true);
    let r = client()
        .get(app.url("/api/v1/me"))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap();
    assert_eq!(problem(r, 401).await["code"], "unauthorized");
    // Revoked through the page too.
    let r = admin
        .post(app.url("/account/api-keys"))
        .form(&[("name", "Caisse 2"), ("role", "seller")])
        .send()
        .await
        .unwrap();
    let page = r.text().await.unwrap();
    let start = page.find("gch_").unwrap();
    let secret2: String = page[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    assert_eq!(
        client()
            .get(app.url("/api/v1/me"))
            .bearer_auth(&secret2)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let keys: Value = admin
        .get(app.url("/api/v1/api-keys"))
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap()["items"]
        .clone();
    let id2 = keys
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["name"] == "Caisse 2")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = admin
        .post(app.url(&format!("/account/api-keys/{id2}/revoke")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(
        client()
            .get(app.url("/api/v1/me"))
            .bearer_auth(&secret2)
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    app.stop().await;
}

#[tokio::test]
async fn openapi_document_lists_every_endpoint() {
    let app = spawn().await;
    let spec: Value = client()
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(spec["openapi"].as_str().unwrap().starts_with("3."));
    let paths = spec["paths"].as_object().unwrap();
    for p in [
        "/api/v1/me",
        "/api/v1/organizations",
        "/api/v1/organization",
        "/api/v1/sites",
        "/api/v1/sites/{id}",
        "/api/v1/users",
        "/api/v1/users/{id}",
        "/api/v1/invitations",
        "/api/v1/invitations/{id}",
        "/api/v1/vat-rates",
        "/api/v1/vat-rates/{id}",
        "/api/v1/registers",
        "/api/v1/registers/{id}",
        "/api/v1/api-keys",
        "/api/v1/api-keys/{id}",
    ] {
        assert!(paths.contains_key(p), "missing {p}");
    }
    assert!(spec["components"]["securitySchemes"]["bearer"].is_object());
    assert!(spec["components"]["schemas"]["Problem"].is_object());
    let viewer = client()
        .get(app.url("/api/docs"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(viewer.contains("swagger-ui-bundle.js"));
    assert_eq!(
        client()
            .get(app.url("/assets/swagger-ui-bundle.js"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let r = client()
        .get(app.url("/api/v1/nothing-here"))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(r, 404).await["code"], "not_found");
    app.stop().await;
}

#[tokio::test]
async fn healthz_answers_only_when_the_database_does() {
    let app = spawn().await;
    let r = client().get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    app.store.close().await;
    let r = client().get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 503);
    app.stop().await;
}
