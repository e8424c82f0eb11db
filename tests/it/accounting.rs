//! The accountant's exports (issue 18 §4): a register day sold at two VAT rates, paid cash
//! and by Bancontact, closed with a cash difference, as a balanced journal whose revenue is
//! the Z's to the cent; the FEC's 18 legal columns, its balance and its SIREN; the generic
//! CSV; the settings and their field errors; the page. On SQLite, and on PostgreSQL with
//! `GUICHET_TEST_DATABASE_URL`.

use crate::harness::{Api, Catalogue, login, org, spawn, today};
use guichet_domain::Role;
use serde_json::{Value, json};
use std::collections::BTreeMap;

const FEC_HEADER: &str = "JournalCode\tJournalLib\tEcritureNum\tEcritureDate\tCompteNum\tCompteLib\t\
CompAuxNum\tCompAuxLib\tPieceRef\tPieceDate\tEcritureLib\tDebit\tCredit\tEcritureLet\tDateLet\t\
ValidDate\tMontantdevise\tIdevise";

/// Debit − credit by account over the journal's lines.
fn net_by_account(j: &Value) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    for l in j["lines"].as_array().unwrap() {
        *out.entry(l["account"].as_str().unwrap().to_owned())
            .or_default() +=
            l["debit_cents"].as_i64().unwrap() - l["credit_cents"].as_i64().unwrap();
    }
    out
}

/// `1234,50` in cents.
fn cents(s: &str) -> i64 {
    let (units, c) = s.split_once(',').unwrap_or_else(|| panic!("{s}"));
    assert_eq!(c.len(), 2, "{s}");
    units.parse::<i64>().unwrap() * 100 + c.parse::<i64>().unwrap()
}

/// A day at the counter: two sales at 0 % and 21 %, cash and Bancontact, a Z 0,50 short.
async fn register_day(api: &Api<'_>) -> (Value, Vec<Value>) {
    let c = Catalogue::belgian(api).await;
    let panier = json!({"product_id": c.panier, "quantity": 1});
    let mut lines = c.tickets(2, 0);
    lines.push(panier.clone());
    let first = api
        .sell(
            &c.register,
            lines,
            vec![json!({"method": "cash", "amount": "42,00"})],
        )
        .await;
    let mut lines = c.tickets(1, 0);
    lines.push(panier);
    let second = api
        .sell(
            &c.register,
            lines,
            vec![json!({"method": "bancontact", "amount": "33,50"})],
        )
        .await;
    let session = api
        .ok(&format!("/api/v1/registers/{}/session", c.register))
        .await;
    let sid = session["id"].as_str().unwrap().to_owned();
    let x = api
        .ok(&format!("/api/v1/register-sessions/{sid}/report"))
        .await;
    let counted = x["cash"]["expected_cents"].as_i64().unwrap() - 50;
    let (status, z) = api
        .post(
            &format!("/api/v1/register-sessions/{sid}/close"),
            json!({"counted_cash": format!("{},{:02}", counted / 100, counted % 100)}),
        )
        .await;
    assert_eq!(status, 200, "{z}");
    (z, vec![first, second])
}

#[tokio::test]
async fn a_register_day_balances_with_the_zs_revenue_and_cash_difference() {
    let app = spawn().await;
    let a = org(&app, "Grottes de Neptune", "a").await;
    let api = Api::new(&app, &a, "admin").await;
    let (z, orders) = register_day(&api).await;
    let day = today().to_string();
    let j = api
        .ok(&format!("/api/v1/accounting/journal?from={day}&to={day}"))
        .await;
    assert_eq!(j["balanced"], true, "{j}");
    assert_eq!(j["debit_cents"], j["credit_cents"], "{j}");
    let lines = j["lines"].as_array().unwrap();
    assert!(!lines.is_empty());
    assert!(lines.iter().all(|l| l["piece"] == format!("VE-{day}")
        && l["date"] == day.as_str()
        && l["entry_number"] == "1"));
    let net = net_by_account(&j);
    // Revenue and VAT: the Z's, to the cent, and the sales'.
    let revenue_excl = z["revenue_excl_cents"].as_i64().unwrap();
    let vat = z["vat_cents"].as_i64().unwrap();
    assert_eq!(net["700000"], -revenue_excl, "{j}");
    assert_eq!(net["451000"], -vat, "{j}");
    let sold: i64 = orders
        .iter()
        .map(|o| o["total_cents"].as_i64().unwrap())
        .sum();
    let sold_vat: i64 = orders
        .iter()
        .map(|o| o["vat_cents"].as_i64().unwrap())
        .sum();
    assert_eq!((revenue_excl + vat, vat), (sold, sold_vat));
    assert_eq!(sold, 7550);
    // One revenue line per rate, as the Z's rates.
    let rates = z["by_rate"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["gross_cents"].as_i64() != r["vat_cents"].as_i64())
        .count();
    assert_eq!(
        lines.iter().filter(|l| l["account"] == "700000").count(),
        rates,
        "{j}"
    );
    assert_eq!(rates, 2);
    // Payments by method: cash 42,00 less the 0,50 short, Bancontact 33,50.
    let difference = z["cash"]["difference_cents"].as_i64().unwrap();
    assert_eq!(difference, -50, "{z}");
    assert_eq!(net["570000"], 4200 + difference);
    assert_eq!(net["580000"], 3350);
    let short: Vec<&Value> = lines.iter().filter(|l| l["account"] == "643000").collect();
    assert_eq!(short.len(), 1, "{j}");
    assert_eq!(short[0]["debit_cents"], 50);
    assert!(
        lines
            .iter()
            .any(|l| l["account"] == "570000" && l["credit_cents"] == 50)
    );
    // No advance: what was received that day is what it recognised.
    assert!(!net.contains_key("460000"), "{j}");

    // Per month: one entry, dated the month's last day, the same sums.
    let m = api
        .ok(&format!(
            "/api/v1/accounting/journal?from={day}&to={day}&per=month"
        ))
        .await;
    assert_eq!(m["balanced"], true);
    assert_eq!(net_by_account(&m), net);
    let last = today().last_of_month().to_string();
    assert!(
        m["lines"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["date"] == last.as_str())
    );

    // The generic CSV: BOM, `;`, decimal comma, balanced, headers in the caller's language.
    let r = api
        .request(
            reqwest::Method::GET,
            &format!("/api/v1/accounting/journal?from={day}&to={day}&format=csv"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let bytes = r.bytes().await.unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let mut rows = text.lines();
    assert_eq!(
        rows.next(),
        Some("Date;Journal;Piece;Account;Label;Debit;Credit"),
        "an API key speaks English"
    );
    let (mut d, mut c) = (0, 0);
    for row in rows {
        let cells: Vec<&str> = row.split(';').collect();
        assert_eq!(cells.len(), 7, "{row}");
        d += cents(cells[5].trim_matches('"'));
        c += cents(cells[6].trim_matches('"'));
    }
    assert_eq!(d, c);
    assert_eq!(d, j["debit_cents"].as_i64().unwrap());
    app.stop().await;
}

#[tokio::test]
async fn the_fec_has_the_legal_columns_balances_and_needs_a_siren() {
    let app = spawn().await;
    let a = org(&app, "Grottes de Neptune", "a").await;
    let api = Api::new(&app, &a, "admin").await;
    register_day(&api).await;
    let day = today().to_string();
    let fec_path = format!("/api/v1/accounting/journal?from={day}&to={day}&format=fec");

    // A French organization without a SIREN.
    let (status, s) = api
        .put("/api/v1/accounting/settings", json!({"country": "FR"}))
        .await;
    assert_eq!(status, 200, "{s}");
    assert_eq!(s["accounts"]["revenue"], "706000");
    assert_eq!(s["accounts"]["cash"], "530000");
    let r = api
        .request(reqwest::Method::GET, &fec_path)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["errors"][0]["field"], "siren", "{p}");
    assert_eq!(p["errors"][0]["code"], "required", "{p}");

    let (status, s) = api
        .put(
            "/api/v1/accounting/settings",
            json!({"country": "FR", "siren": "123 456 789", "accounts": {"fees": "627800"}}),
        )
        .await;
    assert_eq!(status, 200, "{s}");
    assert_eq!(s["siren"], "123456789");
    assert_eq!(s["accounts"]["fees"], "627800");
    let r = api
        .request(reqwest::Method::GET, &fec_path)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let disposition = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.contains(&format!("123456789FEC{}1231.txt", today().year())),
        "{disposition}"
    );
    let text = r.text().await.unwrap();
    let mut lines = text.split("\r\n").filter(|l| !l.is_empty());
    assert_eq!(lines.next(), Some(FEC_HEADER));
    let mut by_entry: BTreeMap<(String, String), i64> = BTreeMap::new();
    let mut accounts = Vec::new();
    let mut n = 0;
    for line in lines {
        let cells: Vec<&str> = line.split('\t').collect();
        assert_eq!(cells.len(), 18, "{line}");
        assert_eq!(cells[3], day.replace('-', ""));
        *by_entry
            .entry((cells[0].to_owned(), cells[2].to_owned()))
            .or_default() += cents(cells[11]) - cents(cells[12]);
        accounts.push(cells[4].to_owned());
        n += 1;
    }
    assert!(n > 0);
    assert!(by_entry.values().all(|v| *v == 0), "{text}");
    assert!(accounts.iter().any(|a| a == "706000"), "{accounts:?}");
    assert!(accounts.iter().any(|a| a == "445710"), "{accounts:?}");
    assert!(accounts.iter().any(|a| a == "530000"), "{accounts:?}");
    assert!(accounts.iter().any(|a| a == "658000"), "{accounts:?}");
    app.stop().await;
}

#[tokio::test]
async fn bad_periods_and_settings_are_field_errors() {
    let app = spawn().await;
    let a = org(&app, "Grottes de Neptune", "a").await;
    let api = Api::new(&app, &a, "admin").await;
    let errors = |p: &Value| -> Vec<(String, String)> {
        p["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["field"].as_str().unwrap().to_owned(),
                    e["code"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let pair = |f: &str, c: &str| (f.to_owned(), c.to_owned());
    for (query, expected) in [
        ("per=week", vec![pair("per", "unknown_value")]),
        ("from=2026-13-01", vec![pair("from", "invalid_date")]),
        (
            "from=2026-03-02&to=2026-03-01",
            vec![pair("to", "before_from")],
        ),
        (
            "from=2024-01-01&to=2026-03-01",
            vec![pair("to", "range_too_long")],
        ),
        (
            "per=x&to=nope",
            vec![pair("per", "unknown_value"), pair("to", "invalid_date")],
        ),
        ("format=pdf", vec![pair("format", "unknown_value")]),
    ] {
        let r = api
            .request(
                reqwest::Method::GET,
                &format!("/api/v1/accounting/journal?{query}"),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "{query}");
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        let p: Value = r.json().await.unwrap();
        assert_eq!(errors(&p), expected, "{query}: {p}");
    }
    let (status, p) = api
        .put(
            "/api/v1/accounting/settings",
            json!({"country": "DE", "journal_code": "V E", "siren": "12345",
                   "accountant_email": "", "weekly_mail": true,
                   "accounts": {"revenue": "70a000", "cash": "57", "nope": "123456"}}),
        )
        .await;
    assert_eq!(status, 422, "{p}");
    let mut got = errors(&p);
    got.sort();
    assert_eq!(
        got,
        vec![
            pair("account_cash", "invalid_account_number"),
            pair("account_revenue", "invalid_account_number"),
            pair("accountant_email", "required"),
            pair("accounts", "unknown_value"),
            pair("country", "unknown_value"),
            pair("journal_code", "invalid_journal_code"),
            pair("siren", "invalid_siren"),
        ]
    );
    // Nothing was saved.
    let s = api.ok("/api/v1/accounting/settings").await;
    assert_eq!(s["country"], "BE");
    assert_eq!(s["accounts"]["revenue"], "700000");
    // A manager reads the journal, does not change the settings; a seller does neither.
    let manager = Api::new(&app, &a, "manager").await;
    assert_eq!(manager.get("/api/v1/accounting/journal").await.0, 200);
    assert_eq!(
        manager
            .put("/api/v1/accounting/settings", json!({"country": "FR"}))
            .await
            .0,
        403
    );
    let seller = Api::new(&app, &a, "seller").await;
    assert_eq!(seller.get("/api/v1/accounting/journal").await.0, 403);
    app.stop().await;
}

#[tokio::test]
async fn the_page_previews_downloads_and_saves_the_settings() {
    let app = spawn().await;
    let a = org(&app, "Grottes de Neptune", "a").await;
    let api = Api::new(&app, &a, "admin").await;
    register_day(&api).await;
    let day = today().to_string();
    let c = login(&app, a.email(Role::Admin)).await;
    let r = c
        .get(app.url(&format!("/sales/accounting?from={day}&to={day}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"accounting-journal\""));
    assert!(html.contains("id=\"accounting-balanced\""));
    assert!(html.contains("643000"));
    assert!(html.contains("href=\"/sales/accounting\""), "menu entry");
    // The CSV from the page.
    let r = c
        .get(app.url(&format!(
            "/sales/accounting/export?format=csv&from={day}&to={day}&per=day"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    // The FEC without a SIREN: the page says so.
    let r = c
        .get(app.url(&format!(
            "/sales/accounting/export?format=fec&from={day}&to={day}"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"accounting-siren-missing\""), "{html}");
    // The settings form: errors by field, then saved.
    let r = c
        .post(app.url("/sales/accounting/settings"))
        .form(&[
            ("country", "FR"),
            ("journal_code", "VE"),
            ("siren", "12"),
            ("account_revenue", "7x"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"e-siren\""), "{html}");
    assert!(html.contains("id=\"e-account_revenue\""), "{html}");
    let r = c
        .post(app.url("/sales/accounting/settings"))
        .form(&[
            ("country", "FR"),
            ("journal_code", "VT"),
            ("siren", "123456789"),
            ("accountant_email", "compta@example.org"),
            ("weekly_mail", "on"),
            ("account_revenue", "706100"),
        ])
        .send()
        .await
        .unwrap();
    assert!(
        r.status().is_redirection() || r.status() == 200,
        "{}",
        r.status()
    );
    let s = api.ok("/api/v1/accounting/settings").await;
    assert_eq!(s["journal_code"], "VT");
    assert_eq!(s["accounts"]["revenue"], "706100");
    assert_eq!(s["weekly_mail"], true);
    let j = api
        .ok(&format!("/api/v1/accounting/journal?from={day}&to={day}"))
        .await;
    assert!(
        j["lines"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["account"] == "706100" && l["piece"] == format!("VT-{day}"))
    );
    app.stop().await;
}

/// The weekly mail: last week's generic CSV and FEC to the accountant, once per week.
#[tokio::test]
async fn the_weekly_mail_sends_last_weeks_files_once() {
    let app = spawn().await;
    let a = org(&app, "Grottes de Neptune", "a").await;
    let api = Api::new(&app, &a, "admin").await;
    let (status, s) = api
        .put(
            "/api/v1/accounting/settings",
            json!({"country": "FR", "siren": "123456789", "accountant_email": "compta@example.org",
                   "weekly_mail": true}),
        )
        .await;
    assert_eq!(status, 200, "{s}");
    let state = guichet_app::App::new(app.store.clone(), Default::default());
    assert_eq!(
        guichet_app::accounting::send_weekly(&state).await.unwrap(),
        1
    );
    assert_eq!(
        guichet_app::accounting::send_weekly(&state).await.unwrap(),
        0,
        "a week is mailed once"
    );
    let (to, subject): (String, String) = app
        .store
        .read(|tx| {
            Box::pin(async move {
                Ok(guichet_store::on_tx!(tx, c => sqlx::query_as(
                    "SELECT to_address, subject FROM outbox_emails")
                    .fetch_one(c).await?))
            })
        })
        .await
        .unwrap();
    assert_eq!(to, "compta@example.org");
    assert!(subject.contains("Grottes de Neptune"), "{subject}");
    let files: Vec<String> = app
        .store
        .read(|tx| {
            Box::pin(async move {
                Ok(guichet_store::on_tx!(tx, c => sqlx::query_scalar(
                    "SELECT filename FROM outbox_attachments ORDER BY position")
                    .fetch_all(c).await?))
            })
        })
        .await
        .unwrap();
    assert_eq!(files.len(), 2, "{files:?}");
    assert!(files[0].starts_with("journal-") && files[0].ends_with(".csv"));
    assert!(files[1].starts_with("123456789FEC"), "{files:?}");
    let s = api.ok("/api/v1/accounting/settings").await;
    let this_monday = {
        let t = today();
        t.checked_sub(jiff::Span::new().days(i64::from(t.weekday().to_monday_zero_offset())))
            .unwrap()
    };
    let last_monday = this_monday
        .checked_sub(jiff::Span::new().days(7))
        .unwrap()
        .to_string();
    assert_eq!(s["last_week_mailed"], last_monday.as_str());
    app.stop().await;
}
