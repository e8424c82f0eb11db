//! Importing customers from a spreadsheet (seed 003), through the API and the pages: a dry
//! run with errors (line, column, reason) imports nothing and gives the file back with an
//! errors column; the corrected file imports in one go, past warnings only when told to;
//! Windows-1252 CSV with `;`, XLS, the mapping adjusted, updates by e-mail and by id, an
//! export that comes back in, permissions and tenancy.

use crate::harness::{TestApp, api_key, client, login, org, problem, spawn};
use serde_json::{Value, json};

async fn upload(
    app: &TestApp,
    key: &str,
    name: &str,
    bytes: Vec<u8>,
    update: bool,
) -> reqwest::Response {
    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
        )
        .text("update_existing", if update { "true" } else { "false" });
    client()
        .post(app.url("/api/v1/customer-imports"))
        .bearer_auth(key)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

async fn uploaded(app: &TestApp, key: &str, name: &str, bytes: Vec<u8>, update: bool) -> Value {
    let r = upload(app, key, name, bytes, update).await;
    assert_eq!(r.status(), 201);
    r.json().await.unwrap()
}

async fn commit(app: &TestApp, key: &str, id: &str, accept: bool) -> reqwest::Response {
    client()
        .post(app.url(&format!("/api/v1/customer-imports/{id}/commit")))
        .bearer_auth(key)
        .json(&json!({"accept_warnings": accept}))
        .send()
        .await
        .unwrap()
}

async fn customers(app: &TestApp, key: &str, q: &str) -> Vec<Value> {
    let list: Value = client()
        .get(app.url(&format!("/api/v1/customers?q={q}")))
        .bearer_auth(key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    list["items"].as_array().unwrap().clone()
}

/// (line, column, code) of each note.
fn notes(report: &Value, kind: &str) -> Vec<(u64, String, String)> {
    report["report"][kind]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["line"].as_u64().unwrap(),
                n["column"].as_str().unwrap_or("").to_owned(),
                n["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// What Excel saves as "CSV (separator: semicolon)" on a French machine: Windows-1252.
fn cp1252(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            'é' => 0xE9,
            'É' => 0xC9,
            'è' => 0xE8,
            'ë' => 0xEB,
            c if c.is_ascii() => c as u8,
            other => panic!("not in the test's table: {other}"),
        })
        .collect()
}

#[tokio::test]
async fn a_file_with_errors_imports_nothing_and_comes_back_to_be_fixed() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let key = api_key(&app, &a, "manager").await;
    let file = "Prénom;Nom;E-mail;Téléphone;Code postal;Pays;Date de naissance;YTD Balance;Loyalty Points\r\n\
        Élise;Dubois;elise@example.be;0475 12 34 56;5000;BE;1985-04-23;12,00;30\r\n\
        Joël;Martin;joel-at-example;0475 65 43 21;5500;BE;;;\r\n\
        Mélissa;Lambert;melissa@example.be;;12345;BE;03/04/1990;;\r\n\
        Zoé;;zoe@example.be;;;;;;\r\n";
    let report = uploaded(&app, &key, "clients.csv", cp1252(file), true).await;
    let id = report["id"].as_str().unwrap().to_owned();
    assert_eq!(report["report"]["rows"], 4);
    let columns: Vec<(String, String)> = report["report"]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["header"].as_str().unwrap().to_owned(),
                c["target"]["kind"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(columns[0], ("Prénom".into(), "field".into()));
    assert_eq!(columns[7], ("YTD Balance".into(), "computed".into()));
    assert_eq!(columns[8], ("Loyalty Points".into(), "computed".into()));
    assert_eq!(
        notes(&report, "errors"),
        vec![
            (3, "E-mail".into(), "invalid_email".into()),
            (4, "Code postal".into(), "invalid_postal_code".into()),
        ]
    );
    // 03/04/1990 is the 3rd of April, as Belgian and French files write it: no warning.
    assert_eq!(
        notes(&report, "warnings"),
        vec![(5, "Nom".into(), "missing_name".into())]
    );
    assert!(
        report["report"]["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("mail"),
        "a reason in the reader's language: {report}"
    );

    // All or nothing: with errors, no customer at all.
    let p = problem(commit(&app, &key, &id, true).await, 409).await;
    assert_eq!(p["code"], "import_has_errors");
    assert!(customers(&app, &key, "").await.is_empty());

    // The same file with an errors column.
    let r = client()
        .get(app.url(&format!("/api/v1/customer-imports/{id}/errors-file")))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("clients-errors.csv")
    );
    let back = r.text().await.unwrap();
    let lines: Vec<&str> = back.trim_start_matches('\u{feff}').lines().collect();
    assert!(lines[0].ends_with(";errors"), "{}", lines[0]);
    assert!(
        lines[1].starts_with("Élise;") && lines[1].ends_with(';'),
        "{back}"
    );
    assert!(
        lines[2].contains("joel-at-example") && lines[2].contains("E-mail: "),
        "{back}"
    );
    assert!(
        lines[3].contains("Code postal: ") && !lines[3].contains("Date de naissance"),
        "{back}"
    );

    // Fixed in the downloaded file (errors column left in: it is ignored), uploaded again.
    let fixed = back
        .replace("joel-at-example", "joel@example.be")
        .replace(";12345;", ";1348;");
    let report = uploaded(&app, &key, "clients-errors.csv", fixed.into_bytes(), true).await;
    let id = report["id"].as_str().unwrap().to_owned();
    assert!(notes(&report, "errors").is_empty(), "{report}");
    assert_eq!(notes(&report, "warnings").len(), 1);
    assert_eq!(report["report"]["columns"][9]["target"]["kind"], "ignored");
    let p = problem(commit(&app, &key, &id, false).await, 409).await;
    assert_eq!(p["code"], "import_has_warnings");
    assert!(customers(&app, &key, "").await.is_empty());
    let r = commit(&app, &key, &id, true).await;
    assert_eq!(r.status(), 200);
    let done: Value = r.json().await.unwrap();
    assert_eq!(
        (done["created_count"].clone(), done["updated_count"].clone()),
        (json!(4), json!(0))
    );
    assert!(done["imported_at"].is_i64());
    let p = problem(commit(&app, &key, &id, true).await, 409).await;
    assert_eq!(p["code"], "import_done");

    // Imported as the customer form would have kept them.
    let all = customers(&app, &key, "").await;
    assert_eq!(all.len(), 4);
    let elise = &customers(&app, &key, "elise").await[0];
    assert_eq!(elise["phone"], "+32475123456");
    assert_eq!(elise["origin"]["province"], "Namur");
    assert_eq!(elise["birth_date"], "1985-04-23");
    let melissa = &customers(&app, &key, "lambert").await[0];
    assert_eq!(melissa["birth_date"], "1990-04-03", "read day first");
    assert_eq!(melissa["origin"]["province"], "Brabant wallon");
    assert_eq!(customers(&app, &key, "zoe").await[0]["display_name"], "Zoé");
    app.stop().await;
}

#[tokio::test]
async fn xls_updates_by_email_and_id_the_mapping_adjusted() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let b = org(&app, "Grottes B", "b").await;
    let key = api_key(&app, &a, "manager").await;
    let jan: Value = client()
        .post(app.url("/api/v1/customers"))
        .bearer_auth(&key)
        .json(&json!({"first_name": "Jan", "last_name": "Peeters", "email": "jan.peeters@example.be", "city": "Antwerpen", "notes": "Vient chaque été"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    // An Excel 97–2003 file: Mélissa is new, Jan is known by his e-mail.
    let xls = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/customers.xls"
    ))
    .unwrap();
    let report = uploaded(&app, &key, "clients.xls", xls.clone(), true).await;
    assert_eq!(
        (
            report["report"]["to_create"].clone(),
            report["report"]["to_update"].clone()
        ),
        (json!(1), json!(1))
    );
    // Without updates, Jan would be a second record.
    let report = uploaded(&app, &key, "clients.xls", xls, false).await;
    assert_eq!(report["report"]["to_create"], 2);
    // The mapping adjusted: the phone column not imported, updates on.
    let id = report["id"].as_str().unwrap().to_owned();
    let r = client()
        .put(app.url(&format!("/api/v1/customer-imports/{id}/mapping")))
        .bearer_auth(&key)
        .json(&json!({"columns": ["first_name", "last_name", "email", "", "postal_code", "country", "birth_date"], "update_existing": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let report: Value = r.json().await.unwrap();
    assert_eq!(report["report"]["to_update"], 1);
    assert_eq!(report["report"]["columns"][3]["target"]["kind"], "ignored");
    let bad = client()
        .put(app.url(&format!("/api/v1/customer-imports/{id}/mapping")))
        .bearer_auth(&key)
        .json(&json!({"columns": ["first_name", "first_name", "", "", "", "", ""]}))
        .send()
        .await
        .unwrap();
    let p = problem(bad, 422).await;
    assert_eq!(p["errors"][0]["code"], "duplicate_target");
    assert_eq!(commit(&app, &key, &id, true).await.status(), 200);
    let peeters = customers(&app, &key, "peeters").await;
    assert_eq!(peeters.len(), 1, "updated, not duplicated");
    assert_eq!(peeters[0]["id"], jan["id"]);
    assert_eq!(peeters[0]["birth_date"], "1978-12-01");
    assert_eq!(peeters[0]["origin"]["province"], "Anvers");
    assert_eq!(
        peeters[0]["city"], "Antwerpen",
        "a column not in the file is kept"
    );
    assert_eq!(peeters[0]["notes"], "Vient chaque été");
    assert_eq!(
        peeters[0]["phone"],
        Value::Null,
        "the phone column was left out"
    );
    assert_eq!(customers(&app, &key, "melissa").await.len(), 1);

    // By id; an unknown id is an error on its line.
    let csv = format!(
        "id,Ville,Tags\n{},Anvers,fidèle\n0190f1c2-0000-7000-8000-000000000000,Namur,\n",
        jan["id"].as_str().unwrap()
    );
    let report = uploaded(&app, &key, "ids.csv", csv.into_bytes(), false).await;
    assert_eq!(
        notes(&report, "errors"),
        vec![(3, "id".into(), "unknown_customer".into())]
    );
    let csv = format!(
        "id,Ville,Tags\n{},Anvers,fidèle\n",
        jan["id"].as_str().unwrap()
    );
    let report = uploaded(&app, &key, "ids.csv", csv.into_bytes(), false).await;
    assert_eq!(report["report"]["to_update"], 1);
    let id = report["id"].as_str().unwrap();
    assert_eq!(commit(&app, &key, id, false).await.status(), 200);
    let peeters = &customers(&app, &key, "peeters").await[0];
    assert_eq!(
        (peeters["city"].clone(), peeters["tags"].clone()),
        (json!("Anvers"), json!(["fidèle"]))
    );

    // Only .csv, .xlsx and .xls; managers and admins only; one organization's imports.
    let p = problem(
        upload(&app, &key, "photo.png", b"\x89PNG\r\n".to_vec(), false).await,
        422,
    )
    .await;
    assert_eq!(p["errors"][0]["code"], "import_format");
    let seller = api_key(&app, &a, "seller").await;
    let p = problem(
        upload(&app, &seller, "c.csv", b"Nom\nX\n".to_vec(), false).await,
        403,
    )
    .await;
    assert_eq!(p["code"], "forbidden");
    let other = api_key(&app, &b, "manager").await;
    let r = client()
        .get(app.url(&format!("/api/v1/customer-imports/{id}")))
        .bearer_auth(&other)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(commit(&app, &other, id, true).await.status(), 404);
    app.stop().await;
}

#[tokio::test]
async fn an_export_comes_back_in_through_the_pages() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let key = api_key(&app, &a, "manager").await;
    for (first, last, email) in [
        ("Élodie", "Fontaine", "elodie@example.be"),
        ("Tom", "Claes", "tom@example.be"),
    ] {
        let r = client()
            .post(app.url("/api/v1/customers"))
            .bearer_auth(&key)
            .json(&json!({"first_name": first, "last_name": last, "email": email, "postal_code": "5500", "consent_email": true}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
    }
    let m = login(&app, &a.manager).await;
    let export = m
        .get(app.url("/marketing/customers/export?format=xlsx"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .to_vec();
    // Edited in a spreadsheet and brought back: every column knows where it goes.
    assert_eq!(
        m.get(app.url("/marketing/customers/import"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(export).file_name("clients.xlsx"),
        )
        .text("update_existing", "1")
        .text("progress", "0123456789abcdef");
    let r = m
        .post(app.url("/marketing/customers/import"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let at = crate::harness::location(&r);
    assert!(at.starts_with("/marketing/customers/import/"), "{at}");
    let page = m
        .get(app.url(&at))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("2 à mettre à jour") && page.contains("0 erreurs"),
        "{page}"
    );
    assert!(
        page.contains("Calculée par Guichet"),
        "revenue and last booking refused"
    );
    let progress: Value = m
        .get(app.url("/marketing/customers/import/progress/0123456789abcdef"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(progress["phase"], "checked");
    assert_eq!(progress["total"], 2);
    let r = m
        .post(app.url(&format!("{at}/commit")))
        .form(&[("progress", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(crate::harness::location(&r), at);
    let page = m
        .get(app.url(&at))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("0 clients créés, 2 mis à jour"), "{page}");
    let list = customers(&app, &key, "").await;
    assert_eq!(list.len(), 2);
    assert!(
        list.iter().all(|c| c["consent_email_at"].is_i64()),
        "consents kept"
    );
    app.stop().await;
}

/// Issue 15: error lines are the rows a spreadsheet shows (a cell over two lines is one row,
/// blank rows count), a birth date in 2999 is refused, a note keeps its line break, and a
/// name that looks like a formula comes out of the CSV export neutralised.
#[tokio::test]
async fn rows_as_a_spreadsheet_numbers_them_and_a_formula_name_exported_as_text() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let key = api_key(&app, &a, "manager").await;
    let rows = "Prénom;Nom;Date de naissance;Notes\n\
        \"=HYPERLINK(\"\"http://x\"\";\"\"clic\"\")\";Dubois;1985-04-23;\"Allergique\naux noix\"\n\
        \n\
        ;;;\n";
    let bad = format!("{rows}Jan;Peeters;2999-01-01;\n");
    let report = uploaded(&app, &key, "clients.csv", bad.into_bytes(), false).await;
    assert_eq!(report["report"]["rows"], 2);
    assert_eq!(
        notes(&report, "errors"),
        vec![(5, "Date de naissance".into(), "future_date".into())],
        "row 2 spans two lines, rows 3 and 4 are blank: {report}"
    );

    let good = format!("{rows}Jan;Peeters;1999-01-01;\n");
    let report = uploaded(&app, &key, "clients.csv", good.into_bytes(), false).await;
    assert!(notes(&report, "errors").is_empty(), "{report}");
    let id = report["id"].as_str().unwrap();
    assert_eq!(commit(&app, &key, id, true).await.status(), 200);
    let found = customers(&app, &key, "Dubois").await;
    assert_eq!(found[0]["notes"], "Allergique\naux noix");
    assert_eq!(found[0]["first_name"], "=HYPERLINK(\"http://x\";\"clic\")");

    let m = login(&app, &a.manager).await;
    let csv = m
        .get(app.url("/marketing/customers/export?format=csv"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        csv.contains("\"'=HYPERLINK(\"\"http://x\"\";\"\"clic\"\")\""),
        "{csv}"
    );
    assert!(!csv.contains(";=HYPERLINK") && !csv.contains("\n=HYPERLINK"));
}
