//! Tenant isolation: nothing of organization B is reachable from organization A, by page
//! or API, even with B's ids in hand.

use crate::harness::{Api, api_key, client, login, org, spawn};
use crate::openapi;
use serde_json::{Value, json};

async fn ids(app: &crate::harness::TestApp, key: &str, path: &str) -> Vec<String> {
    let v: Value = client()
        .get(app.url(path))
        .bearer_auth(key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn an_admin_of_a_reads_and_writes_nothing_of_b_by_api() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let b = org(&app, "Abbaye B", "b").await;
    let key_a = api_key(&app, &a, "admin").await;
    let key_b = api_key(&app, &b, "admin").await;
    let b_rates = ids(&app, &key_b, "/api/v1/vat-rates").await;
    let b_registers = ids(&app, &key_b, "/api/v1/registers").await;
    let b_sites = ids(&app, &key_b, "/api/v1/sites").await;
    let b_users = ids(&app, &key_b, "/api/v1/users").await;
    let b_keys = ids(&app, &key_b, "/api/v1/api-keys").await;

    // Lists only show A's rows.
    for path in [
        "/api/v1/vat-rates",
        "/api/v1/registers",
        "/api/v1/sites",
        "/api/v1/users",
        "/api/v1/api-keys",
    ] {
        let a_ids = ids(&app, &key_a, path).await;
        let b_ids = ids(&app, &key_b, path).await;
        assert!(a_ids.iter().all(|id| !b_ids.contains(id)), "{path} leaks");
    }
    let me: Value = client()
        .get(app.url("/api/v1/organization"))
        .bearer_auth(&key_a)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["name"], "Grottes A");

    // Reads and writes by guessed id: all 404, and nothing changes in B.
    let api = client();
    let checks: Vec<(reqwest::Method, String, Option<Value>)> = vec![
        (
            reqwest::Method::GET,
            format!("/api/v1/vat-rates/{}", b_rates[0]),
            None,
        ),
        (
            reqwest::Method::PUT,
            format!("/api/v1/vat-rates/{}", b_rates[0]),
            Some(json!({"label": "hacked", "rate_basis_points": 100})),
        ),
        (
            reqwest::Method::DELETE,
            format!("/api/v1/vat-rates/{}", b_rates[0]),
            None,
        ),
        (
            reqwest::Method::POST,
            format!("/api/v1/vat-rates/{}/archive", b_rates[0]),
            Some(json!({"archived": true})),
        ),
        (
            reqwest::Method::GET,
            format!("/api/v1/registers/{}", b_registers[0]),
            None,
        ),
        (
            reqwest::Method::PUT,
            format!("/api/v1/registers/{}", b_registers[0]),
            Some(json!({"name": "hacked", "kind": "counter", "site_id": b_sites[0]})),
        ),
        (
            reqwest::Method::POST,
            format!("/api/v1/registers/{}/archive", b_registers[0]),
            Some(json!({"archived": true})),
        ),
        (
            reqwest::Method::GET,
            format!("/api/v1/sites/{}", b_sites[0]),
            None,
        ),
        (
            reqwest::Method::PUT,
            format!("/api/v1/sites/{}", b_sites[0]),
            Some(json!({"name": "hacked"})),
        ),
        (
            reqwest::Method::GET,
            format!("/api/v1/users/{}", b_users[0]),
            None,
        ),
        (
            reqwest::Method::PATCH,
            format!("/api/v1/users/{}", b_users[0]),
            Some(json!({"disabled": true})),
        ),
        (
            reqwest::Method::DELETE,
            format!("/api/v1/api-keys/{}", b_keys[0]),
            None,
        ),
    ];
    for (method, path, body) in checks {
        let mut req = api
            .request(method.clone(), app.url(&path))
            .bearer_auth(&key_a);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), 404, "{method} {path}");
        let problem: Value = r.json().await.unwrap();
        assert_eq!(problem["code"], "not_found");
    }
    // A's register cannot be moved onto B's site.
    let a_registers = ids(&app, &key_a, "/api/v1/registers").await;
    let r = api
        .put(app.url(&format!("/api/v1/registers/{}", a_registers[0])))
        .bearer_auth(&key_a)
        .json(&json!({"name": "Moved", "kind": "counter", "site_id": b_sites[0]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let problem: Value = r.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "site_id");

    // B is untouched, and B's key still works.
    let rate: Value = client()
        .get(app.url(&format!("/api/v1/vat-rates/{}", b_rates[0])))
        .bearer_auth(&key_b)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_ne!(rate["label"], "hacked");
    assert_eq!(rate["archived"], false);
    assert_eq!(
        ids(&app, &key_b, "/api/v1/api-keys").await.len(),
        b_keys.len()
    );
    let users_b: Value = client()
        .get(app.url("/api/v1/users"))
        .bearer_auth(&key_b)
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap()["items"]
        .clone();
    assert!(
        users_b
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["disabled"] == false)
    );

    app.stop().await;
}

#[tokio::test]
async fn an_admin_of_a_opens_and_posts_no_page_of_b() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let b = org(&app, "Abbaye B", "b").await;
    let key_b = api_key(&app, &b, "admin").await;
    let b_rates = ids(&app, &key_b, "/api/v1/vat-rates").await;
    let b_registers = ids(&app, &key_b, "/api/v1/registers").await;
    let b_sites = ids(&app, &key_b, "/api/v1/sites").await;
    let b_users = ids(&app, &key_b, "/api/v1/users").await;
    let b_keys = ids(&app, &key_b, "/api/v1/api-keys").await;
    // Pages, by A's admin with a session.
    let admin_a = login(&app, &a.admin).await;
    for path in [
        format!("/account/taxes/{}", b_rates[0]),
        format!("/distribution/registers/{}", b_registers[0]),
        format!("/account/sites/{}", b_sites[0]),
        format!("/account/users/{}", b_users[0]),
    ] {
        assert_eq!(
            admin_a.get(app.url(&path)).send().await.unwrap().status(),
            404,
            "GET {path}"
        );
    }
    for (path, form) in [
        (
            format!("/account/taxes/{}", b_rates[0]),
            vec![("label", "hacked"), ("rate", "1")],
        ),
        (format!("/account/taxes/{}/delete", b_rates[0]), vec![]),
        (
            format!("/account/users/{}/disable", b_users[0]),
            vec![("disabled", "true")],
        ),
        (
            format!("/account/users/{}", b_users[0]),
            vec![("role", "seller")],
        ),
        (
            format!("/distribution/registers/{}/archive", b_registers[0]),
            vec![("archived", "true")],
        ),
        (format!("/account/api-keys/{}/revoke", b_keys[0]), vec![]),
    ] {
        assert_eq!(
            admin_a
                .post(app.url(&path))
                .form(&form)
                .send()
                .await
                .unwrap()
                .status(),
            404,
            "POST {path}"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn switching_into_an_organization_one_does_not_belong_to_is_refused() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let b = org(&app, "Abbaye B", "b").await;
    let key_b = api_key(&app, &b, "admin").await;
    let admin_a = login(&app, &a.admin).await;
    let r = admin_a
        .post(app.url("/switch-organization"))
        .form(&[("organization_id", b.id.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let home = admin_a
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(home.contains("Grottes A") && !home.contains("Abbaye B"));
    assert_eq!(
        client()
            .get(app.url("/api/v1/vat-rates"))
            .bearer_auth(&key_b)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    app.stop().await;
}

#[tokio::test]
async fn a_member_of_two_organizations_switches_between_them() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let b = org(&app, "Abbaye B", "b").await;
    // B's admin invites A's manager, who accepts with their own password.
    let admin_b = login(&app, &b.admin).await;
    let r = admin_b
        .post(app.url("/api/v1/invitations"))
        .json(&json!({"email": a.manager, "role": "admin"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap_or_default());
    let token = r.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = crate::harness::client()
        .post(app.url(&format!("/invitation/{token}")))
        .form(&[
            ("name", "Ignored"),
            ("language", "fr"),
            ("password", crate::harness::PASSWORD),
            ("confirm_password", crate::harness::PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let c = login(&app, &a.manager).await;
    let orgs: Value = c
        .get(app.url("/api/v1/organizations"))
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap()["items"]
        .clone();
    assert_eq!(orgs.as_array().unwrap().len(), 2);
    let home = c
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(home.contains("org-select"), "the switcher is shown");
    // As manager in A: no user management.
    let current: Value = c
        .get(app.url("/api/v1/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let (first, other) = if current["organization_id"] == a.id.to_string() {
        (a.clone(), b.clone())
    } else {
        (b.clone(), a.clone())
    };
    let r = c
        .post(app.url("/switch-organization"))
        .form(&[("organization_id", other.id.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let now: Value = c
        .get(app.url("/api/v1/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(now["organization_id"], other.id.to_string());
    let expected_users_status = if other.id == b.id { 200 } else { 403 };
    assert_eq!(
        c.get(app.url("/account/users"))
            .send()
            .await
            .unwrap()
            .status(),
        expected_users_status
    );
    let r = c
        .post(app.url("/switch-organization"))
        .form(&[("organization_id", first.id.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let back: Value = c
        .get(app.url("/api/v1/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(back["organization_id"], first.id.to_string());
    app.stop().await;
}

/// Path parameters that do not name an organization's object, so have no fixture. Every
/// other `{param}` of the OpenAPI document must have one in [`Objects`].
const NOT_AN_OBJECT: &[(&str, &str, &str)] = &[
    (
        "calendars",
        "audience",
        "an audience (individuals, groups…): every organization has its own calendar of each, \
         reached without any id, so there is no other organization's object to name",
    ),
    (
        "carts",
        "cart",
        "a token the client draws, kept per organization: another organization's cart of the \
         same token is its own, empty one (tests/it/holds.rs checks it)",
    ),
];

/// Operations that answer another organization's id with something else than 404, as
/// found by the test below: (verb, template, status, code, why it is no leak). Not leaks
/// (nothing of A is read or changed, and A's snapshot proves it), but the contract is 404;
/// each is reported to be fixed, and the test fails as soon as one changes.
const KNOWN_NOT_404: &[(&str, &str, u16, &str, &str)] = &[];

/// For every path of the OpenAPI document with an id in it, and every verb: organization B,
/// with A's ids, gets 404 (never a 2xx, never a 500), and A reads the same before and after.
#[tokio::test]
async fn every_path_with_an_id_answers_404_to_another_organization() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let b = org(&app, "Abbaye B", "b").await;
    let admin_a = Api::new(&app, &a, "admin").await;
    let admin_b = Api::new(&app, &b, "admin").await;
    let ops = openapi::operations(&admin_a).await;
    let objects_a = openapi::Objects::build(&admin_a, &a, "a").await;
    let objects_b = openapi::Objects::build(&admin_b, &b, "b").await;

    // Complete: every templated path names a kind there is an object for, or is skipped
    // for a reason.
    let uncovered: Vec<String> = ops
        .iter()
        .filter_map(|op| match objects_a.fill(&op.template) {
            Ok(_) => None,
            Err(missing) => {
                let missing: Vec<_> = missing
                    .into_iter()
                    .filter(|(seg, param)| {
                        !NOT_AN_OBJECT
                            .iter()
                            .any(|(s, p, _)| *s == seg.as_str() && *p == param.as_str())
                    })
                    .collect();
                (!missing.is_empty()).then(|| format!("{op}: no fixture for {missing:?}"))
            }
        })
        .collect();
    assert!(
        uncovered.is_empty(),
        "add an object of these kinds to openapi::Objects::build (or, if the parameter is not \
         an organization's object, to NOT_AN_OBJECT with the reason):\n{}",
        uncovered.join("\n")
    );

    let before = openapi::snapshot(&admin_a, &ops, &objects_a).await;
    let mut wrong = Vec::new();
    let mut covered = 0;
    for op in ops.iter().filter(|o| o.template.contains('{')) {
        let Ok(path) = objects_a.path_of(op) else {
            continue; // NOT_AN_OBJECT
        };
        covered += 1;
        let (status, body) = openapi::call(&admin_b, op, &path, &objects_b).await;
        let known = KNOWN_NOT_404
            .iter()
            .find(|(m, t, ..)| *m == op.method.as_str() && *t == op.template);
        if let Some((.., known_status, known_code, _)) = known {
            // Pinned as it is today: when it becomes a 404, remove it from KNOWN_NOT_404.
            if status != *known_status || body["code"] != *known_code {
                wrong.push(format!(
                    "{} {path} as B: {status} {body} (KNOWN_NOT_404 says {known_status} {known_code})",
                    op.method
                ));
            }
            continue;
        }
        // A 404 of the router (no such route) would not say "not_found": the path was wrong.
        if status != 404 || body["code"] != "not_found" {
            wrong.push(format!("{} {path} as B: {status} {body}", op.method));
        }
    }
    assert!(
        wrong.is_empty(),
        "B reached A's objects:\n{}",
        wrong.join("\n")
    );
    assert!(
        covered > 70,
        "only {covered} operations with an id were tried"
    );
    let after = openapi::snapshot(&admin_a, &ops, &objects_a).await;
    let changed = openapi::changes(&before, &after);
    assert!(
        changed.is_empty(),
        "A's objects changed:\n{}",
        changed.join("\n")
    );
    app.stop().await;
}
