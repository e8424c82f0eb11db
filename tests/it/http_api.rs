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

/// Lists answered whole: a fixed enumeration, and the parts of one order.
/// (An order's Stripe refunds are a few; a period's Stripe payouts at most one a day.)
const WHOLE_LISTS: &[&str] = &[
    "/api/v1/payment-methods",
    "/api/v1/orders/{id}/tickets",
    "/api/v1/orders/{id}/stripe-refunds",
    "/api/v1/stripe/payouts",
];

/// The schema `schema` names (`$ref`) in the document, or itself.
fn resolved<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(r) => &doc["components"]["schemas"][r.trim_start_matches("#/components/schemas/")],
        None => schema,
    }
}

#[tokio::test]
async fn every_list_of_the_api_is_paged() {
    use crate::openapi::{Objects, operations, without_volatile};
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let admin = Api::new(&app, &a, "admin").await;
    let objects = Objects::build(&admin, &a, "a").await;
    let doc = admin.ok("/api/v1/openapi.json").await;
    let mut walked = Vec::new();
    for op in operations(&admin)
        .await
        .into_iter()
        .filter(|o| o.method == reqwest::Method::GET)
    {
        let get = &doc["paths"][&op.template]["get"];
        let schema = resolved(
            &doc,
            &get["responses"]["200"]["content"]["application/json"]["schema"],
        );
        if schema["type"] == "array" {
            assert!(
                WHOLE_LISTS.contains(&op.template.as_str()),
                "{op} answers a bare list: page it"
            );
            continue;
        }
        let fields: BTreeSet<&str> = schema["properties"]
            .as_object()
            .map(|p| p.keys().map(String::as_str).collect())
            .unwrap_or_default();
        if fields != BTreeSet::from(["items", "next"]) {
            continue;
        }
        let query: BTreeSet<&str> = get["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| p["in"] == "query")
            .filter_map(|p| p["name"].as_str())
            .collect();
        assert!(
            query.contains("after") && query.contains("limit"),
            "{op}: {query:?}"
        );
        let path = objects
            .path_of(&op)
            .unwrap_or_else(|m| panic!("{op}: {m:?}"));
        let sep = if path.contains('?') { '&' } else { '?' };
        // Walked one row a page, the list is the one a single page gives, in its order.
        let whole = admin.ok(&format!("{path}{sep}limit=1000")).await;
        assert!(whole["next"].is_null(), "{op}: {whole}");
        let one_by_one = without_volatile(&Value::Array(admin.all_pages(&path, 1).await));
        assert_eq!(one_by_one, without_volatile(&whole["items"]), "{op}");
        for (q, field, code) in [
            ("after=not-a-cursor", "after", "invalid_cursor"),
            ("limit=0", "limit", "out_of_range"),
            ("limit=1001", "limit", "out_of_range"),
        ] {
            let (status, p) = admin.get(&format!("{path}{sep}{q}")).await;
            assert_eq!(status, 422, "{op} {q}: {p}");
            assert_eq!(
                crate::harness::field_errors(&p),
                vec![(field.to_owned(), code.to_owned())],
                "{op} {q}"
            );
        }
        let (status, p) = admin.get(&format!("{path}{sep}limit=abc")).await;
        assert_eq!(
            (status, &p["code"]),
            (400, &Value::from("invalid_query")),
            "{op}"
        );
        walked.push((
            op.template.clone(),
            one_by_one.as_array().map_or(0, Vec::len),
        ));
    }
    // Every list of the document (31 when this was written), many with several rows so that
    // paging one by one crosses pages.
    assert!(walked.len() >= 31, "{walked:?}");
    let several = walked.iter().filter(|(_, n)| *n >= 2).count();
    assert!(several >= 10, "{walked:?}");
    app.stop().await;
}
