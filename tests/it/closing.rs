//! Opening and closing registers: the X and Z reports, what a Z counts (orders finalized in the
//! session, payments taken in it, cancellations and refunds), cash expected against counted,
//! sequential Z numbers, the global Z of a day and the summaries, on the seed's day of
//! 16/03/2021, a session crossing midnight and the journal entries.

use crate::harness::{TestApp, api_key, client, field_errors, org, problem, spawn};
use serde_json::{Value, json};

async fn get(app: &TestApp, key: &str, path: &str) -> Value {
    let r = client()
        .get(app.url(path))
        .bearer_auth(key)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "GET {path}: {}", r.status());
    r.json().await.unwrap()
}

async fn post(app: &TestApp, key: &str, path: &str, body: Value) -> reqwest::Response {
    client()
        .post(app.url(path))
        .bearer_auth(key)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn ok(r: reqwest::Response) -> Value {
    let status = r.status();
    let body: Value = r.json().await.unwrap();
    assert!(status.is_success(), "{status}: {body}");
    body
}

/// Products at the seed's amounts: 37,39 € at 0 % and 122,61 € at 6 % (one order of 160,00 €
/// with 6,94 € VAT), 33,36 € at 21 % and 11,26 € at 0 % (44,62 € with 5,79 € VAT), 10,00 € at 0 %.
struct Setup {
    org: crate::harness::OrgFixture,
    key: String,
    register: String,
    site: String,
    products: [String; 5],
}

async fn setup(app: &TestApp) -> Setup {
    let a = org(app, "Grottes", "g").await;
    let key = api_key(app, &a, "admin").await;
    let rates = get(app, &key, "/api/v1/vat-rates").await["items"].clone();
    let rate = |bp: i64| {
        rates
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["rate_basis_points"] == bp)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let mut products = Vec::new();
    for (name, price, bp) in [
        ("Visite", "37,39", 0),
        ("Livre", "122,61", 600),
        ("Peluche", "33,36", 2100),
        ("Audio", "11,26", 0),
        ("Entrée", "10,00", 0),
    ] {
        let p = ok(post(
            app,
            &key,
            "/api/v1/products",
            json!({"name": name, "price": price,
            "vat_rate_id": rate(bp), "sale_pos": true}),
        )
        .await)
        .await;
        products.push(p["id"].as_str().unwrap().to_owned());
    }
    let registers = get(app, &key, "/api/v1/registers").await["items"].clone();
    Setup {
        org: a,
        key,
        register: registers[0]["id"].as_str().unwrap().to_owned(),
        site: registers[0]["site_id"].as_str().unwrap().to_owned(),
        products: products.try_into().unwrap(),
    }
}

fn line(product: &str, quantity: i64) -> Value {
    json!({"product_id": product, "quantity": quantity})
}

async fn sell(
    app: &TestApp,
    s: &Setup,
    register: &str,
    lines: Vec<Value>,
    payments: Value,
) -> reqwest::Response {
    post(
        app,
        &s.key,
        "/api/v1/orders",
        json!({"register_id": register, "lines": lines, "payments": payments}),
    )
    .await
}

async fn session_of(app: &TestApp, s: &Setup, register: &str) -> String {
    get(
        app,
        &s.key,
        &format!("/api/v1/registers/{register}/session"),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn close(app: &TestApp, s: &Setup, session: &str, body: Value) -> Value {
    ok(post(
        app,
        &s.key,
        &format!("/api/v1/register-sessions/{session}/close"),
        body,
    )
    .await)
    .await
}

fn figures(z: &Value) -> (i64, i64, i64, i64, i64) {
    (
        z["revenue_cents"].as_i64().unwrap(),
        z["vat_cents"].as_i64().unwrap(),
        z["revenue_excl_cents"].as_i64().unwrap(),
        z["tickets"].as_i64().unwrap(),
        z["average_ticket_cents"].as_i64().unwrap(),
    )
}

/// The seed's day: the two "Accueil" sessions (160,00 € / 6,94 € over 1 ticket, 114,62 € /
/// 5,79 € over 8 tickets) give the global line 274,62 / 12,73 / 261,89 / 9 / 30,51, with the
/// cash of each session expected and counted, and sequential Z numbers.
#[tokio::test]
async fn the_seeds_day_of_zs_and_its_global_line() {
    let app = spawn().await;
    let s = setup(&app).await;
    let [visite, livre, peluche, audio, entree] = s.products.clone();
    // The register opened by the fixture closes empty, as the seed's first 0,00 € Z.
    let first = session_of(&app, &s, &s.register).await;
    let z1 = close(&app, &s, &first, json!({"counted_cash": "0"})).await;
    assert_eq!(z1["z_number"], 1);
    assert_eq!(figures(&z1), (0, 0, 0, 0, 0));

    // Closed: the counter register sells nothing.
    let p = problem(
        sell(&app, &s, &s.register, vec![line(&entree, 1)], json!([])).await,
        409,
    )
    .await;
    assert_eq!(p["code"], "register_closed");

    // Session 2 opens with a float counted by denomination: 3 × 50 € = 150,00 €.
    let opened = ok(post(
        &app,
        &s.key,
        &format!("/api/v1/registers/{}/open", s.register),
        json!({"counts": [{"denomination_cents": 5000, "count": 3}]}),
    )
    .await)
    .await;
    assert_eq!(opened["opening_float_cents"], 15_000);
    let again = problem(
        post(
            &app,
            &s.key,
            &format!("/api/v1/registers/{}/open", s.register),
            json!({"opening_float": "10"}),
        )
        .await,
        409,
    )
    .await;
    assert_eq!(again["code"], "register_already_open");
    let session2 = opened["id"].as_str().unwrap().to_owned();
    // One ticket of 160,00 €, paid 200,00 € in cash: 40,00 € change.
    ok(sell(
        &app,
        &s,
        &s.register,
        vec![line(&visite, 1), line(&livre, 1)],
        json!([{"method": "cash", "amount": "200,00"}]),
    )
    .await)
    .await;
    ok(post(
        &app,
        &s.key,
        &format!("/api/v1/registers/{}/cash-movements", s.register),
        json!({"kind": "in", "amount": "20,00", "reason": "Monnaie de la banque"}),
    )
    .await)
    .await;
    ok(post(
        &app,
        &s.key,
        &format!("/api/v1/registers/{}/cash-movements", s.register),
        json!({"kind": "out", "amount": "50,00", "reason": "Au coffre"}),
    )
    .await)
    .await;
    // The X shows the figures and closes nothing.
    let x = get(
        &app,
        &s.key,
        &format!("/api/v1/register-sessions/{session2}/report"),
    )
    .await;
    assert_eq!(x["z_number"], Value::Null);
    assert_eq!(figures(&x), (16_000, 694, 15_306, 1, 16_000));
    assert_eq!(x["cash"]["expected_cents"], 15_000 + 16_000 + 2_000 - 5_000);
    let z2 = close(
        &app,
        &s,
        &session2,
        json!({"counted_cash": "279,50",
        "counted": [{"method": "bancontact", "amount": "0"}]}),
    )
    .await;
    assert_eq!(z2["z_number"], 2);
    assert_eq!(figures(&z2), (16_000, 694, 15_306, 1, 16_000));
    assert_eq!(z2["cash"]["expected_cents"], 28_000);
    assert_eq!(z2["cash"]["counted_cents"], 27_950);
    assert_eq!(z2["cash"]["difference_cents"], -50);
    assert_eq!(z2["grand_total_cents"], 16_000);
    let rates: Vec<(i64, i64, i64)> = z2["by_rate"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["vat_rate_basis_points"].as_i64().unwrap(),
                r["gross_cents"].as_i64().unwrap(),
                r["vat_cents"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(rates, vec![(0, 3_739, 0), (600, 12_261, 694)]);
    // Closing twice is refused, and the Z reads the same afterwards.
    let twice = problem(
        post(
            &app,
            &s.key,
            &format!("/api/v1/register-sessions/{session2}/close"),
            json!({"counted_cash": "0"}),
        )
        .await,
        409,
    )
    .await;
    assert_eq!(twice["code"], "already_closed");
    let again = get(
        &app,
        &s.key,
        &format!("/api/v1/register-sessions/{session2}/report"),
    )
    .await;
    assert_eq!(again, z2);

    // Session 3: 8 tickets, 114,62 € with 5,79 € VAT.
    let session3 = ok(post(
        &app,
        &s.key,
        &format!("/api/v1/registers/{}/open", s.register),
        json!({"opening_float": "150,00"}),
    )
    .await)
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(sell(
        &app,
        &s,
        &s.register,
        vec![line(&peluche, 1), line(&audio, 1)],
        json!([{"method": "bancontact", "amount": "44,62"}]),
    )
    .await)
    .await;
    for _ in 0..7 {
        ok(sell(
            &app,
            &s,
            &s.register,
            vec![line(&entree, 1)],
            json!([{"method": "cash", "amount": "10,00"}]),
        )
        .await)
        .await;
    }
    let z3 = close(&app, &s, &session3, json!({"counted_cash": "220,00"})).await;
    assert_eq!(z3["z_number"], 3);
    assert_eq!(figures(&z3), (11_462, 579, 10_883, 8, 1_433));
    assert_eq!(z3["cash"]["difference_cents"], 0);
    assert_eq!(z3["grand_total_cents"], 27_462);
    let methods: Vec<(String, i64, i64)> = z3["payments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["method"].as_str().unwrap().to_owned(),
                p["count"].as_i64().unwrap(),
                p["amount_cents"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        methods,
        vec![("cash".into(), 7, 7_000), ("bancontact".into(), 1, 4_462)]
    );

    // The global line of the day: the seed's 274,62 / 12,73 / 261,89 / 9 / 30,51.
    let daily = get(&app, &s.key, "/api/v1/closing-summaries?period=daily").await["items"].clone();
    assert_eq!(daily.as_array().unwrap().len(), 1);
    let g = &daily[0];
    assert_eq!(figures(g), (27_462, 1_273, 26_189, 9, 3_051));
    assert_eq!(g["z_count"], 3);
    assert_eq!(g["grand_total_cents"], 27_462);
    for period in ["monthly", "quarterly", "annual"] {
        let l = get(
            &app,
            &s.key,
            &format!("/api/v1/closing-summaries?period={period}"),
        )
        .await["items"]
            .clone();
        assert_eq!(
            figures(&l[0]),
            (27_462, 1_273, 26_189, 9, 3_051),
            "{period}"
        );
    }
    let sessions = get(&app, &s.key, "/api/v1/register-sessions").await;
    assert_eq!(sessions["items"].as_array().unwrap().len(), 3);
    assert!(sessions["next"].is_null(), "{sessions}");
    // Paged: more sessions than a page, each found once, in the same order, `next` null at
    // the end; a bad cursor or limit is the field's own error.
    let ids = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let all = ids(&sessions);
    for limit in [1, 2] {
        let mut found = Vec::new();
        let mut after = String::new();
        loop {
            let page = get(
                &app,
                &s.key,
                &format!("/api/v1/register-sessions?limit={limit}{after}"),
            )
            .await;
            found.extend(ids(&page));
            match page["next"].as_str() {
                Some(next) => {
                    assert_eq!(page["items"].as_array().unwrap().len(), limit);
                    after = format!("&after={next}");
                }
                None => break,
            }
        }
        assert_eq!(found, all, "limit {limit}");
    }
    for (query, field, code) in [
        ("limit=0", "limit", "out_of_range"),
        ("limit=1001", "limit", "out_of_range"),
        ("after=not-a-cursor", "after", "invalid_cursor"),
        ("after=2026-13-01.1.0193", "after", "invalid_cursor"),
    ] {
        let p = problem(
            client()
                .get(app.url(&format!("/api/v1/register-sessions?{query}")))
                .bearer_auth(&s.key)
                .send()
                .await
                .unwrap(),
            422,
        )
        .await;
        assert_eq!(
            field_errors(&p),
            vec![(field.to_owned(), code.to_owned())],
            "{query}"
        );
    }

    // The database refuses to change a Z, and the journal has every opening, movement and Z.
    let store = app.store.clone();
    let changed = store.write(|tx| Box::pin(async move {
        guichet_store::on_tx!(tx, c => sqlx::query("UPDATE register_sessions SET revenue_cents = 0 WHERE z_number = 2")
            .execute(c).await?.rows_affected());
        Ok(())
    })).await;
    assert!(changed.is_err(), "a Z is immutable");
    let kinds: Vec<String> = store.read(|tx| Box::pin(async move {
        Ok(guichet_store::on_tx!(tx, c => sqlx::query_scalar("SELECT kind FROM journal_entries ORDER BY seq")
            .fetch_all(c).await?))
    })).await.unwrap();
    for k in ["session_opened", "cash_in", "cash_out", "z"] {
        assert!(kinds.iter().any(|x| x == k), "{k} in {kinds:?}");
    }
    assert_eq!(kinds.iter().filter(|k| *k == "z").count(), 3);
    let reports = store
        .read(|tx| Box::pin(async move { guichet_store::journal::verify_all(tx).await }))
        .await
        .unwrap();
    assert!(reports.ok(), "{:?}", reports.findings);
    app.stop().await;
}

/// Payments on older orders count where they are taken; a cancellation with a refund counts in
/// the session it is made in; the phone register sells while closed and its next Z takes it.
#[tokio::test]
async fn payments_on_older_orders_refunds_and_the_phone_register() {
    let app = spawn().await;
    let s = setup(&app).await;
    let [_, _, peluche, _, entree] = s.products.clone();
    let session1 = session_of(&app, &s, &s.register).await;
    // Pay later: finalized in session 1, paid in session 2.
    let later = ok(sell(&app, &s, &s.register, vec![line(&entree, 2)], json!([])).await).await;
    let sold = ok(sell(
        &app,
        &s,
        &s.register,
        vec![line(&peluche, 1)],
        json!([{"method": "cash", "amount": "33,36"}]),
    )
    .await)
    .await;
    let z1 = close(&app, &s, &session1, json!({"counted_cash": "33,36"})).await;
    assert_eq!(figures(&z1).0, 2_000 + 3_336);
    assert_eq!(z1["tickets"], 2);
    assert_eq!(z1["payments_cents"], 3_336);

    let session2 = ok(post(
        &app,
        &s.key,
        &format!("/api/v1/registers/{}/open", s.register),
        json!({"opening_float": "50"}),
    )
    .await)
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(post(&app, &s.key, &format!("/api/v1/orders/{}/payments", later["id"].as_str().unwrap()),
        json!({"register_id": s.register, "payments": [{"method": "bancontact", "amount": "20,00"}]})).await).await;
    // The peluche comes back: cancelled with a cash refund in session 2.
    ok(post(
        &app,
        &s.key,
        &format!("/api/v1/orders/{}/cancel", sold["id"].as_str().unwrap()),
        json!({"reason": "Cadeau en double", "refund": {"method": "cash", "amount": "33,36"}}),
    )
    .await)
    .await;
    // A phone booking while the phone register is closed.
    let phone = ok(post(
        &app,
        &s.key,
        "/api/v1/registers",
        json!({"name": "Réservation par téléphone", "kind": "phone", "site_id": s.site}),
    )
    .await)
    .await;
    let phone = phone["id"].as_str().unwrap().to_owned();
    ok(sell(
        &app,
        &s,
        &phone,
        vec![line(&entree, 3)],
        json!([{"method": "bank_transfer", "amount": "30,00"}]),
    )
    .await)
    .await;

    let z2 = close(&app, &s, &session2, json!({"counted_cash": "16,64"})).await;
    assert_eq!(z2["tickets"], 0, "no order was finalized in session 2");
    assert_eq!(z2["cancellations"], 1);
    assert_eq!(z2["cancelled_cents"], 3_336);
    assert_eq!(z2["revenue_cents"], -3_336);
    assert_eq!(z2["vat_cents"], -579);
    assert_eq!(z2["refunds"], 1);
    assert_eq!(z2["refunded_cents"], 3_336);
    assert_eq!(z2["payments_cents"], 2_000 - 3_336);
    assert_eq!(z2["cash"]["expected_cents"], 5_000 - 3_336);
    assert_eq!(z2["cash"]["difference_cents"], 0);
    assert_eq!(z2["grand_total_cents"], 2_000);
    // Z1 still reads as it was made.
    let z1_again = get(
        &app,
        &s.key,
        &format!("/api/v1/register-sessions/{session1}/report"),
    )
    .await;
    assert_eq!(z1_again, z1);

    // The phone register's first session takes the booking made while it was closed.
    let ps = ok(post(
        &app,
        &s.key,
        &format!("/api/v1/registers/{phone}/open"),
        json!({"opening_float": "0"}),
    )
    .await)
    .await;
    let pz = close(
        &app,
        &s,
        ps["id"].as_str().unwrap(),
        json!({"counted_cash": "0"}),
    )
    .await;
    assert_eq!(figures(&pz), (3_000, 0, 3_000, 1, 3_000));
    assert_eq!(pz["z_number"], 1, "Z numbers are per register");
    app.stop().await;
}

/// A session opened yesterday evening and closed after midnight keeps its day; until it is
/// closed it is listed as open for a day and the register cannot open again.
#[tokio::test]
async fn a_session_crossing_midnight_keeps_its_day() {
    let app = spawn().await;
    let s = setup(&app).await;
    let entree = s.products[4].clone();
    let first = session_of(&app, &s, &s.register).await;
    close(&app, &s, &first, json!({"counted_cash": "0"})).await;
    // Opened yesterday at 22:00 (made directly: the API opens today).
    let yesterday = crate::harness::today()
        .checked_sub(jiff::Span::new().days(1))
        .unwrap();
    let register: guichet_domain::RegisterId = s.register.parse().unwrap();
    let at = yesterday
        .at(22, 0, 0, 0)
        .to_zoned(jiff::tz::TimeZone::get("Europe/Brussels").unwrap())
        .unwrap()
        .timestamp()
        .as_microsecond();
    let tenant = app.store.read(|tx| Box::pin(async move {
        Ok(guichet_store::on_tx!(tx, c => sqlx::query_scalar::<_, uuid::Uuid>("SELECT organization_id FROM registers WHERE id = $1")
            .bind(register.0).fetch_one(c).await?))
    })).await.unwrap();
    let tenant = guichet_store::Tenant::trusted_operator(guichet_domain::OrganizationId(tenant));
    let session = app
        .store
        .write(|tx| {
            Box::pin(async move {
                let o = guichet_store::register_sessions::Opening {
                    day: yesterday,
                    float_cents: 0,
                    counts: None,
                    at,
                };
                guichet_store::register_sessions::open(tx, tenant, register, &o, None).await
            })
        })
        .await
        .unwrap();
    let open = get(&app, &s.key, "/api/v1/register-sessions/open").await["items"].clone();
    assert_eq!(open[0]["days_open"], 1);
    assert_eq!(open[0]["day"], yesterday.to_string());
    let p = problem(
        post(
            &app,
            &s.key,
            &format!("/api/v1/registers/{}/open", s.register),
            json!({"opening_float": "0"}),
        )
        .await,
        409,
    )
    .await;
    assert_eq!(p["code"], "register_already_open");
    ok(sell(
        &app,
        &s,
        &s.register,
        vec![line(&entree, 1)],
        json!([{"method": "cash", "amount": "10"}]),
    )
    .await)
    .await;
    let z = close(
        &app,
        &s,
        &session.id.to_string(),
        json!({"counted_cash": "10,00"}),
    )
    .await;
    assert_eq!(z["day"], yesterday.to_string());
    assert_eq!(z["tickets"], 1);
    let daily = get(
        &app,
        &s.key,
        &format!("/api/v1/closing-summaries?period=daily&from={yesterday}"),
    )
    .await["items"]
        .clone();
    let days: Vec<&str> = daily
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["period"].as_str().unwrap())
        .collect();
    assert_eq!(
        days,
        vec![
            yesterday.to_string().as_str(),
            crate::harness::today().to_string().as_str()
        ]
    );
    assert_eq!(daily[0]["revenue_cents"], 1_000);
    assert_eq!(daily[0]["grand_total_cents"], 1_000);
    assert!(
        get(&app, &s.key, "/api/v1/register-sessions/open").await["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    app.stop().await;
}

#[tokio::test]
async fn bad_input_gets_clear_errors() {
    let app = spawn().await;
    let s = setup(&app).await;
    let session = session_of(&app, &s, &s.register).await;
    let cash = format!("/api/v1/registers/{}/cash-movements", s.register);
    let p = problem(
        post(
            &app,
            &s.key,
            &cash,
            json!({"kind": "sideways", "amount": "-3", "reason": " "}),
        )
        .await,
        422,
    )
    .await;
    let errors = field_errors(&p);
    for f in ["kind", "amount", "reason"] {
        assert!(
            errors.iter().any(|(field, _)| field == f),
            "{f}: {errors:?}"
        );
    }
    // A closing the session refuses, each with the field and code it names.
    let close_url = format!("/api/v1/register-sessions/{session}/close");
    for (body, field, code) in [
        (
            json!({"counted_cash": "10,00", "counts": [{"denomination_cents": 5000, "count": 1}]}),
            "counted_cash",
            "counts_mismatch",
        ),
        (
            json!({"counts": [{"denomination_cents": 300, "count": 1}]}),
            "counts",
            "unknown_denomination",
        ),
        (json!({}), "counted_cash", "required"),
    ] {
        let p = problem(post(&app, &s.key, &close_url, body).await, 422).await;
        assert_eq!(field_errors(&p), vec![(field.to_owned(), code.to_owned())]);
    }
    let p = problem(
        client()
            .get(app.url("/api/v1/closing-summaries?period=weekly"))
            .bearer_auth(&s.key)
            .send()
            .await
            .unwrap(),
        422,
    )
    .await;
    assert_eq!(
        field_errors(&p),
        vec![("period".to_owned(), "unknown_value".to_owned())]
    );
    problem(
        client()
            .get(app.url("/api/v1/register-sessions/nope/report"))
            .bearer_auth(&s.key)
            .send()
            .await
            .unwrap(),
        404,
    )
    .await;
    // Still open: nothing was half-written.
    assert_eq!(session_of(&app, &s, &s.register).await, session);
    app.stop().await;
}

/// The drawer page opens a register counted by denomination, records cash out, shows the X,
/// closes with a difference and lands on the printable Z; the follow-up lists the Z under
/// its day's global line and exports it; a seller may close but not read the follow-up.
#[tokio::test]
async fn drawer_and_follow_up_pages() {
    let app = spawn().await;
    let s = setup(&app).await;
    let first = session_of(&app, &s, &s.register).await;
    close(&app, &s, &first, json!({"counted_cash": "0"})).await;
    let seller = crate::harness::login(&app, &s.org.seller).await;
    let manager = crate::harness::login(&app, &s.org.manager).await;
    let text = |r: reqwest::Response| async move { r.text().await.unwrap() };
    let drawer = text(
        seller
            .get(app.url(&format!("/register/drawer?register={}", s.register)))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(drawer.contains("id=\"open-form\""), "{drawer}");
    // A bad count is shown next to its field, and nothing opens.
    let r = seller
        .post(app.url("/register/drawer/open"))
        .form(&[("register_id", s.register.as_str()), ("n2000", "deux")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let page = text(r).await;
    assert!(
        page.contains("<div class=\"denomination invalid\"><label for=\"n2000\">"),
        "{page}"
    );
    assert!(
        get(&app, &s.key, "/api/v1/register-sessions/open").await["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let r = seller
        .post(app.url("/register/drawer/open"))
        .form(&[
            ("register_id", s.register.as_str()),
            ("opening_float", ""),
            ("n2000", "5"),
            ("n100", "10"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let session = session_of(&app, &s, &s.register).await;
    let x = get(
        &app,
        &s.key,
        &format!("/api/v1/register-sessions/{session}/report"),
    )
    .await;
    assert_eq!(x["cash"]["opening_float_cents"], 11_000);
    ok(sell(
        &app,
        &s,
        &s.register,
        vec![line(&s.products[4], 2)],
        json!([{"method": "cash", "amount": "20,00"}]),
    )
    .await)
    .await;
    let r = seller
        .post(app.url("/register/drawer/cash"))
        .form(&[
            ("register_id", s.register.as_str()),
            ("kind", "out"),
            ("amount", "30,00"),
            ("reason", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422, "a reason is required");
    let r = seller
        .post(app.url("/register/drawer/cash"))
        .form(&[
            ("register_id", s.register.as_str()),
            ("kind", "out"),
            ("amount", "30,00"),
            ("reason", "Au coffre"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let drawer = text(
        seller
            .get(app.url(&format!("/register/drawer?register={}", s.register)))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(drawer.contains("Au coffre"));
    assert!(
        drawer.contains("100,00 €"),
        "expected cash 110 + 20 − 30: {drawer}"
    );
    let xpage = text(
        seller
            .get(app.url(&format!("/registers-follow-up/{session}")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(xpage.contains("X —"), "{xpage}");
    let r = seller
        .post(app.url("/register/drawer/close"))
        .form(&[
            ("register_id", s.register.as_str()),
            ("session_id", session.as_str()),
            ("counted_cash", "99,00"),
            ("m_bancontact", "0"),
            // The drawer's button leads to a confirmation, which posts this.
            ("confirm", "yes"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let to = crate::harness::location(&r);
    assert!(
        to.starts_with(&format!("/registers-follow-up/{session}")),
        "{to}"
    );
    let zpage = text(seller.get(app.url(&to)).send().await.unwrap()).await;
    assert!(zpage.contains("Z 2"), "{zpage}");
    assert!(zpage.contains("id=\"z-difference\">-1,00 €"), "{zpage}");
    let narrow = text(
        seller
            .get(app.url(&format!("/registers-follow-up/{session}?format=80mm")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    // The roll printer's layout (a served stylesheet: no inline style under the CSP).
    assert!(
        narrow.contains("/assets/print/z-report-80mm.css"),
        "{narrow}"
    );
    let csv = text(
        seller
            .get(app.url(&format!("/registers-follow-up/{session}/export")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(csv.contains("20,00"), "{csv}");
    // The follow-up: manager yes, seller no.
    assert_eq!(
        seller
            .get(app.url("/registers-follow-up"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    let page = text(
        manager
            .get(app.url("/registers-follow-up"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(page.contains("class=\"global\""), "{page}");
    assert!(page.contains("20,00 €"));
    for period in ["monthly", "quarterly", "annual"] {
        let page = text(
            manager
                .get(app.url(&format!("/registers-follow-up?period={period}")))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert!(page.contains("20,00 €"), "{period}");
    }
    let r = manager
        .get(app.url("/registers-follow-up?from=2026-13-01"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let csv = text(
        manager
            .get(app.url("/registers-follow-up/export?period=daily"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(csv.starts_with('\u{feff}'));
    assert!(csv.contains("Global;"), "{csv}");
    // The registers list shows the last opening and last Z.
    let list = text(
        manager
            .get(app.url("/distribution/registers"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(list.contains("Dernier Z") || list.contains("Last Z"));
    app.stop().await;
}

/// Sales racing the closing of their register: each sale is either in the Z or refused
/// (`register_closed`); none is answered and then missing from the Z.
#[tokio::test]
async fn sales_racing_the_closing_are_in_the_z_or_refused() {
    let app = spawn().await;
    let s = std::sync::Arc::new(setup(&app).await);
    let session = session_of(&app, &s, &s.register).await;
    let mut tasks = Vec::new();
    for i in 0..30 {
        let (s, url) = (s.clone(), app.url("/api/v1/orders"));
        tasks.push(tokio::spawn(async move {
            // Let the closing start among them.
            tokio::time::sleep(std::time::Duration::from_millis(i * 3)).await;
            let r = client()
                .post(url)
                .bearer_auth(&s.key)
                .json(
                    &json!({"register_id": s.register, "lines": [line(&s.products[4], 1)],
                    "payments": [{"method": "cash", "amount": "10,00"}]}),
                )
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            let body: Value = r.json().await.unwrap();
            (status, body)
        }));
    }
    tokio::time::sleep(std::time::Duration::from_millis(40)).await;
    let z = close(&app, &s, &session, json!({"counted_cash": "0"})).await;
    let mut sold = 0;
    for t in tasks {
        let (status, body) = t.await.unwrap();
        match status {
            201 => sold += 1,
            409 => assert_eq!(body["code"], "register_closed", "{body}"),
            other => panic!("{other}: {body}"),
        }
    }
    assert_eq!(z["tickets"], sold, "every sale answered is in the Z");
    assert_eq!(z["revenue_cents"], sold * 1_000);
    assert_eq!(z["payments_cents"], sold * 1_000);
    let again = get(
        &app,
        &s.key,
        &format!("/api/v1/register-sessions/{session}/report"),
    )
    .await;
    assert_eq!(again, z, "and the Z did not move afterwards");
    app.stop().await;
}

/// Opens the register with no float; the session's id.
async fn open_empty(app: &TestApp, s: &Setup) -> String {
    let path = format!("/api/v1/registers/{}/open", s.register);
    ok(post(app, &s.key, &path, json!({"opening_float": "0"})).await).await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Z numbers come from the register's counter row. A database made before that (migration
/// 0028) gets each register's counter from its last Z, so numbering goes on without a gap.
#[tokio::test]
async fn z_numbers_go_on_from_the_counter_migrated_from_existing_zs() {
    let app = spawn().await;
    let s = setup(&app).await;
    let first = session_of(&app, &s, &s.register).await;
    assert_eq!(
        close(&app, &s, &first, json!({"counted_cash": "0"})).await["z_number"],
        1
    );
    let second = open_empty(&app, &s).await;
    assert_eq!(
        close(&app, &s, &second, json!({"counted_cash": "0"})).await["z_number"],
        2
    );

    // As before 0028: no counter row for the register's Zs; then 0028's statement.
    let register = s.register.clone();
    app.store
        .write(|tx| {
            let name = format!("z:{register}");
            Box::pin(async move {
                let migration = match tx.backend() {
                    guichet_store::Backend::Sqlite => {
                        include_str!("../../crates/store/migrations/sqlite/0028_z_counters.sql")
                    }
                    guichet_store::Backend::Postgres => {
                        include_str!("../../crates/store/migrations/postgres/0028_z_counters.sql")
                    }
                };
                let removed = guichet_store::on_tx!(tx, c => sqlx::query("DELETE FROM counters WHERE name = $1")
                    .bind(&name).execute(c).await?.rows_affected());
                assert_eq!(removed, 1, "the closing numbered from {name}");
                guichet_store::on_tx!(tx, c => sqlx::query(migration).execute(c).await?.rows_affected());
                Ok(())
            })
        })
        .await
        .unwrap();

    let third = open_empty(&app, &s).await;
    assert_eq!(
        close(&app, &s, &third, json!({"counted_cash": "0"})).await["z_number"],
        3
    );
    app.stop().await;
}
