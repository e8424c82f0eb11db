//! The HTTP surface's hardening: security headers on every answer (HSTS only when cookies
//! are `Secure`), the OpenAPI document valid as OpenAPI 3.1 and unambiguous, a bad query
//! string answered with a problem document.

use crate::harness::{Api, client, fresh_database, org, problem, spawn};
use guichet::{ServerConfig, Settings};
use guichet_web::WebConfig;
use serde_json::Value;
use std::collections::BTreeSet;

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let app = spawn().await;
    for path in [
        "/login",
        "/api/v1/me",
        "/assets/app.js",
        "/api/docs",
        "/nothing",
    ] {
        let r = client().get(app.url(path)).send().await.unwrap();
        let h = r.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "same-origin", "{path}");
        assert!(
            h.get("strict-transport-security").is_none(),
            "{path}: no HSTS over plain HTTP"
        );
    }
    app.stop().await;

    // Served over HTTPS (cookies marked Secure): HSTS too.
    let (url, _dir) = fresh_database().await;
    let settings = Settings {
        bind: "127.0.0.1:0".into(),
        database_url: url.clone(),
        ..Settings::default()
    };
    let store = guichet::open_store(&settings).await.unwrap();
    let config = ServerConfig {
        web: WebConfig {
            cookie_secure: true,
            ..WebConfig::default()
        },
        ..ServerConfig::default()
    };
    let server = guichet::start(&settings, store, config, false)
        .await
        .unwrap();
    let r = client()
        .get(format!("http://{}/login", server.addr))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["strict-transport-security"], "max-age=31536000");
    server.stop().await;
    if url.starts_with("postgres") {
        crate::harness::drop_pg_database(&url).await;
    }
}

/// Every `$ref` of `value`.
fn refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("$ref", Value::String(r)) => out.push(r.clone()),
                    _ => refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

#[tokio::test]
async fn the_openapi_document_is_valid_and_unambiguous() {
    let app = spawn().await;
    let text = client()
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let spec = oas3::from_json(&text).expect("an OpenAPI 3.1 document");
    spec.validate_version()
        .expect("a supported OpenAPI version");
    assert!(spec.operations().count() > 100);

    let doc: Value = serde_json::from_str(&text).unwrap();
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    let mut all = Vec::new();
    refs(&doc, &mut all);
    for r in &all {
        let name = r
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("unexpected reference {r}"));
        assert!(schemas.contains_key(name), "{r} points nowhere");
    }
    assert_eq!(
        guichet_web::api::schema_name_clashes(),
        Vec::<String>::new(),
        "two schemas share a name"
    );
    assert!(schemas.contains_key("DrawerCount"), "the drawer's count");
    assert!(
        schemas["CountInput"]["properties"]
            .as_object()
            .unwrap()
            .contains_key("lines"),
        "CountInput is the shop's stock count"
    );

    // Parameters: a path template's `{x}` are path parameters, and nothing else is; the
    // rest are query parameters (or a header, `Idempotency-Key`).
    let mut query = BTreeSet::new();
    for (template, item) in doc["paths"].as_object().unwrap() {
        let in_template: BTreeSet<&str> = template
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .collect();
        for (verb, op) in item.as_object().unwrap() {
            let mut in_path = BTreeSet::new();
            for p in op["parameters"].as_array().into_iter().flatten() {
                let name = p["name"].as_str().unwrap();
                match p["in"].as_str().unwrap() {
                    "path" => {
                        in_path.insert(name);
                    }
                    "query" => {
                        query.insert(format!("{verb} {template} {name}"));
                    }
                    "header" => {}
                    other => panic!("{verb} {template}: {name} in {other}"),
                }
            }
            assert_eq!(in_path, in_template, "{verb} {template}");
        }
    }
    for expected in [
        "get /api/v1/orders from",
        "get /api/v1/orders to",
        "get /api/v1/customers q",
        "get /api/v1/register-sessions from",
    ] {
        assert!(query.contains(expected), "{expected} in {query:?}");
    }
    app.stop().await;
}

#[tokio::test]
async fn a_bad_query_string_is_a_problem_document() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let api = Api::new(&app, &a, "manager").await;
    // `from` missing, and numbers that are not ones.
    for path in [
        "/api/v1/orders?to=2026-01-31",
        "/api/v1/orders?from=2026-01-01&to=2026-01-31&limit=abc",
        "/api/v1/customers?limit=abc",
    ] {
        let r = api
            .request(reqwest::Method::GET, path)
            .send()
            .await
            .unwrap();
        let p = problem(r, 400).await;
        assert_eq!(p["code"], "invalid_query", "{path}: {p}");
    }
    // Well-formed but out of range: the field's own error.
    for (path, field, code) in [
        ("&limit=0", "limit", "out_of_range"),
        ("&limit=1001", "limit", "out_of_range"),
        ("&after=not-a-cursor", "after", "invalid_cursor"),
    ] {
        let (status, p) = api
            .get(&format!(
                "/api/v1/orders?from=2026-01-01&to=2026-01-31{path}"
            ))
            .await;
        assert_eq!(status, 422, "{path}: {p}");
        assert_eq!(
            crate::harness::field_errors(&p),
            vec![(field.to_owned(), code.to_owned())],
            "{path}"
        );
    }
    app.stop().await;
}
