//! Erasure leaves nobody behind (issue 15 §4): a customer with a distinctive value in every
//! field, imported from a file, written to, merged with a duplicate, commented on an order
//! and on a reservation, is erased; then every column of every table (found from the
//! database's own catalogue) is searched for each of their values: none is left, and the
//! sales journal still verifies. Import files are kept `import_retention_days`.

use crate::harness::{Api, TestApp, id_of, login, org, spawn, spawn_with};
use guichet_store::{Tx, on_tx};
use reqwest::Method;
use serde_json::{Value, json};

/// Every value of Zéphyrine's, as typed and as stored (lower case is compared, accents both
/// kept and folded). Each must be found before the erasure — so the search can fail — and
/// none after.
const VALUES: [&str; 21] = [
    "Zéphyrine",
    "zephyrine",
    "Quaquebeke",
    "Zorglux Studio",
    "zephyrine.q@example.be",
    // The phone, in every form its digits take (E.164, national, search forms).
    "475987654",
    "0475 98 76 54",
    "Rue des Zorgluxes",
    "Zwevezele",
    "1983-07-29",
    "BE68539007547034",
    "BE68 5390 0754 7034",
    "GKCCBEBB",
    "Allergique aux zorglons",
    "zorglonne",
    "ZX-778812",
    // The duplicate merged into her.
    "Qwakbeke",
    "Préfère les zorglons bleus",
    "Emballage cadeau pour Zéphyrine",
    "paie toujours en Zorgs",
    "Zéphyrine passera samedi",
];

const FILE: &str = "first_name;last_name;company;email;phone;street;postal_code;city;birth_date;iban;bic;notes;tags;consent_email;Numéro de membre
Zéphyrine;Quaquebeke;Zorglux Studio;zephyrine.q@example.be;0475 98 76 54;Rue des Zorgluxes 17;8750;Zwevezele;1983-07-29;BE68 5390 0754 7034;GKCCBEBB;Allergique aux zorglons;zorglonne;oui;ZX-778812
";

const OTHERS: &str = "first_name;last_name;email\nJan;Peeters;jan.peeters@example.be\n";

async fn upload(api: &Api<'_>, name: &str, content: &str) -> Value {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(content.as_bytes().to_vec()).file_name(name.to_owned()),
    );
    let (status, body) = api
        .send(
            api.request(Method::POST, "/api/v1/customer-imports")
                .multipart(form),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    body
}

/// Every text or binary cell of every table: (table, column, value as text).
async fn every_cell(app: &TestApp) -> Vec<(String, String, String)> {
    app.store
        .read(|tx| Box::pin(async move { Ok(cells(tx).await) }))
        .await
        .expect("read every table")
}

async fn cells(tx: &mut Tx) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    match tx {
        Tx::Sqlite(c) => {
            // Every table, the search index's virtual table and its shadow tables included.
            let tables: Vec<String> =
                sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table'")
                    .fetch_all(&mut **c)
                    .await
                    .unwrap();
            for t in tables {
                let columns: Vec<(i64, String, String, bool, Option<String>, i64)> =
                    sqlx::query_as(sqlx::AssertSqlSafe(format!("PRAGMA table_info(\"{t}\")")))
                        .fetch_all(&mut **c)
                        .await
                        .unwrap();
                for (_, col, ..) in columns {
                    let values: Vec<Option<Vec<u8>>> = sqlx::query_scalar(sqlx::AssertSqlSafe(
                        format!("SELECT CAST(\"{col}\" AS BLOB) FROM \"{t}\""),
                    ))
                    .fetch_all(&mut **c)
                    .await
                    .unwrap();
                    for v in values.into_iter().flatten() {
                        out.push((t.clone(), col.clone(), text(&v)));
                    }
                }
            }
        }
        Tx::Pg(c) => {
            let columns: Vec<(String, String, String)> = sqlx::query_as(
                "SELECT table_name::text, column_name::text, data_type::text FROM information_schema.columns
                 WHERE table_schema = current_schema()",
            )
            .fetch_all(&mut **c)
            .await
            .unwrap();
            for (t, col, kind) in columns {
                let expr = if kind == "bytea" {
                    format!("\"{col}\"")
                } else {
                    format!("convert_to(\"{col}\"::text, 'UTF8')")
                };
                let values: Vec<Option<Vec<u8>>> =
                    sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT {expr} FROM \"{t}\"")))
                        .fetch_all(&mut **c)
                        .await
                        .unwrap();
                for v in values.into_iter().flatten() {
                    out.push((t.clone(), col.clone(), text(&v)));
                }
            }
        }
    }
    out
}

/// A cell as searchable text: lower case, and its accent-folded form beside it.
fn text(bytes: &[u8]) -> String {
    let raw = String::from_utf8_lossy(bytes).to_lowercase();
    let folded = guichet_domain::text::search_key(&raw);
    format!("{raw}\n{folded}")
}

/// On SQLite, the values still in the database file's bytes (free space, old page versions)
/// once the write-ahead log is checkpointed into it; nothing to read on PostgreSQL.
async fn sqlite_file_findings(app: &TestApp) -> Vec<&'static str> {
    use sqlx::Connection;
    let Some(path) = app.database_url().strip_prefix("sqlite://") else {
        return Vec::new();
    };
    let mut c = sqlx::SqliteConnection::connect(app.database_url())
        .await
        .unwrap();
    let (busy, ..): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
        .fetch_one(&mut c)
        .await
        .unwrap();
    assert_eq!(busy, 0, "the checkpoint ran");
    c.close().await.unwrap();
    let file = text(&std::fs::read(path).unwrap());
    VALUES
        .iter()
        .filter(|v| file.contains(&v.to_lowercase()))
        .copied()
        .collect()
}

/// Where each value is found: value → "table.column" list.
fn findings(cells: &[(String, String, String)]) -> Vec<(&'static str, Vec<String>)> {
    VALUES
        .iter()
        .map(|v| {
            let needle = v.to_lowercase();
            let found = cells
                .iter()
                .filter(|(_, _, cell)| cell.contains(&needle))
                .map(|(t, c, _)| format!("{t}.{c}"))
                .collect();
            (*v, found)
        })
        .collect()
}

/// Zéphyrine's traces: the import that created her (and a second file without her), a
/// custom field, a note, a duplicate merged into her, an order with comments, a reservation
/// with a note, and the e-mail telling her it is ready (sent). Her id, the two imports, the
/// order.
struct Traces {
    id: String,
    her_import: String,
    other_import: String,
    order: String,
}

type Mails = std::sync::Arc<tokio::sync::Mutex<Vec<String>>>;

async fn traces(api: &Api<'_>, mails: &Mails) -> Traces {
    api.created(
        "/api/v1/customer-fields",
        json!({"name": "Numéro de membre", "kind": "text"}),
    )
    .await;
    let her_import = id_of(&upload(api, "clients.csv", FILE).await);
    let (status, body) = api
        .post(
            &format!("/api/v1/customer-imports/{her_import}/commit"),
            json!({"accept_warnings": true}),
        )
        .await;
    assert!(status < 300, "{status} {body}");
    let other_import = id_of(&upload(api, "autres.csv", OTHERS).await);
    let found = api.ok("/api/v1/customers?q=zephyrine").await;
    let id = id_of(&found["items"][0]);
    let her = api.ok(&format!("/api/v1/customers/{id}")).await;
    assert_eq!(
        her["customer"]["custom"].as_object().map(|m| m.len()),
        Some(1),
        "{her}"
    );
    let (status, body) = api
        .post(
            &format!("/api/v1/customers/{id}/notes"),
            json!({"note": "Préfère les zorglons bleus"}),
        )
        .await;
    assert!(status < 300, "{status} {body}");
    let duplicate = api
        .created(
            "/api/v1/customers",
            json!({"first_name": "Zéphyrine", "last_name": "Qwakbeke", "email": "zephyrine.qwakbeke@example.be"}),
        )
        .await;
    let (status, body) = api
        .post(
            &format!("/api/v1/customers/{id}/merge"),
            json!({"absorbed_id": duplicate["id"]}),
        )
        .await;
    assert!(status < 300, "{status} {body}");
    let register = api.first_register().await;
    let book = api.product("Le Petit Prince", "15,00", 600, Some(3)).await;
    let order = api
        .created(
            "/api/v1/orders",
            json!({"register_id": register, "customer_id": id,
                "lines": [{"product_id": book, "quantity": 1}], "payments": [{"method": "cash", "amount": "15,00"}],
                "customer_comment": "Emballage cadeau pour Zéphyrine", "internal_comment": "paie toujours en Zorgs"}),
        )
        .await;
    api.created(
        "/api/v1/reservations",
        json!({"customer_id": id, "product": "Le Petit Prince", "note": "Zéphyrine passera samedi"}),
    )
    .await;
    let (status, body) = api
        .post("/api/v1/reservations/notify", json!({"customer_id": id}))
        .await;
    assert_eq!(status, 204, "{body}");
    // The background sender delivers it within seconds: the outbox keeps it, sent.
    for _ in 0..100 {
        if !mails.lock().await.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(!mails.lock().await.is_empty(), "the e-mail was sent");
    Traces {
        id,
        her_import,
        other_import,
        order: id_of(&order),
    }
}

#[tokio::test]
async fn an_erased_customer_is_in_no_table_and_the_journal_still_verifies() {
    let (port, mails) = crate::reservations::smtp_sink().await;
    let app = spawn_with(guichet_app::AppConfig {
        mail: Some(guichet_integrations::mail::MailConfig {
            url: format!("smtp://127.0.0.1:{port}"),
            from: "Librairie A <contact@librairie.example>".into(),
        }),
        ..Default::default()
    })
    .await;
    let a = org(&app, "Librairie A", "a").await;
    let api = Api::new(&app, &a, "manager").await;
    let t = traces(&api, &mails).await;
    let before = every_cell(&app).await;
    let missing: Vec<&str> = findings(&before)
        .into_iter()
        .filter(|(_, found)| found.is_empty())
        .map(|(v, _)| v)
        .collect();
    assert!(
        missing.is_empty(),
        "not stored before the erasure: {missing:?}"
    );
    let order_before = api.ok(&format!("/api/v1/orders/{}", t.order)).await;

    let (status, body) = api
        .post(&format!("/api/v1/customers/{}/erase", t.id), json!({}))
        .await;
    assert!(status < 300, "{status} {body}");

    let left: Vec<(&str, Vec<String>)> = findings(&every_cell(&app).await)
        .into_iter()
        .filter(|(_, found)| !found.is_empty())
        .collect();
    assert!(left.is_empty(), "left after the erasure: {left:?}");
    let in_file = sqlite_file_findings(&app).await;
    assert!(in_file.is_empty(), "left in the database file: {in_file:?}");
    // Her import's file is gone (its API, its errors file); the file without her stays.
    let import = api
        .ok(&format!("/api/v1/customer-imports/{}", t.her_import))
        .await;
    assert!(import["purged_at"].is_i64(), "{import}");
    assert_eq!(import["report"]["rows"], 0);
    assert_eq!(import["created_count"], 1, "the counts stay");
    let (status, body) = api
        .get(&format!(
            "/api/v1/customer-imports/{}/errors-file",
            t.her_import
        ))
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("import_purged"))
    );
    let other = api
        .ok(&format!("/api/v1/customer-imports/{}", t.other_import))
        .await;
    assert!(other["purged_at"].is_null(), "{other}");
    // The sale's figures are whole, and the journal verifies.
    let order = api.ok(&format!("/api/v1/orders/{}", t.order)).await;
    for f in ["number", "total_cents", "vat_cents", "state"] {
        assert_eq!(order[f], order_before[f], "{f}");
    }
    let reports = guichet_app::operator::verify_journal(&guichet_app::App::new(
        app.store.clone(),
        Default::default(),
    ))
    .await
    .expect("verify");
    assert!(!reports.chains.is_empty());
    assert!(reports.ok(), "{:?}", reports.findings);
    app.stop().await;
}

/// Moves an import's upload `days` days back.
async fn age(app: &TestApp, id: &str, days: i64) {
    let id: uuid::Uuid = id.parse().unwrap();
    app.store
        .write(|tx| {
            Box::pin(async move {
                on_tx!(tx, c => sqlx::query("UPDATE customer_imports SET created_at = created_at - $1 WHERE id = $2")
                    .bind(days * 86_400_000_000).bind(id).execute(c).await?.rows_affected());
                Ok(())
            })
        })
        .await
        .unwrap();
}

#[tokio::test]
async fn import_files_are_removed_after_their_retention_and_say_so() {
    let app = spawn().await;
    let a = org(&app, "Librairie A", "a").await;
    let api = Api::new(&app, &a, "manager").await;
    let old = id_of(&upload(&api, "ancien.csv", OTHERS).await);
    let fresh = id_of(&upload(&api, "récent.csv", OTHERS).await);
    age(&app, &old, 31).await;
    let state = guichet_app::App::new(app.store.clone(), Default::default());
    assert_eq!(
        guichet_app::customer_imports::purge_expired(&state, 30)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        guichet_app::customer_imports::purge_expired(&state, 30)
            .await
            .unwrap(),
        0
    );

    let gone = api.ok(&format!("/api/v1/customer-imports/{old}")).await;
    assert!(gone["purged_at"].is_i64(), "{gone}");
    assert_eq!(gone["report"]["columns"], json!([]));
    for (method, path, body) in [
        (
            Method::GET,
            format!("/api/v1/customer-imports/{old}/errors-file"),
            None,
        ),
        (
            Method::POST,
            format!("/api/v1/customer-imports/{old}/commit"),
            Some(json!({})),
        ),
        (
            Method::PUT,
            format!("/api/v1/customer-imports/{old}/mapping"),
            Some(json!({"columns": ["", "", ""]})),
        ),
    ] {
        let (status, problem) = api.call(method, &path, body.as_ref()).await;
        assert_eq!(
            (status, problem["code"].as_str()),
            (409, Some("import_purged")),
            "{path}"
        );
    }
    let kept = api.ok(&format!("/api/v1/customer-imports/{fresh}")).await;
    assert!(kept["purged_at"].is_null());
    assert_eq!(kept["report"]["rows"], 1);
    // The page says the file is gone and offers nothing to do with it.
    let manager = login(&app, &a.manager).await;
    let page = manager
        .get(app.url(&format!("/marketing/customers/import/{old}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("id=\"import-purged\""), "{page}");
    assert!(!page.contains("id=\"mapping-form\""));
    app.stop().await;
}
