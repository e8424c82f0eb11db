//! The journal pins every sale and every Z: each way of changing the database behind Guichet's
//! back — any column of an entry, a deletion, a swap, a truncation, a rewound head, a whole
//! chain rewritten with recomputed hashes, an order, a payment or a Z edited in its own table —
//! is named by `verify`, on SQLite and on PostgreSQL (with `GUICHET_TEST_DATABASE_URL`). The
//! database's guards refuse the plain changes; a Z whose session's sales were changed is
//! refused; a signed archive of a period verifies without the database.

use crate::cli::{guichet, text};
use crate::harness::*;
use guichet_domain::journal::{EntryFields, entry_hash};
use guichet_store::journal::{Verification, verify_all};
use guichet_store::{Backend, StoreError, Tx, on_tx};
use serde_json::json;
use std::sync::{Arc, Mutex};
use uuid::Uuid;

async fn seeded() -> TestApp {
    let app = spawn().await;
    crate::demo::afternoon_demo(&app.store, 3).await;
    app
}

/// What the database's guards are, so a tamper can lift them as an attacker with the
/// database's owner rights would.
fn lift_guards(backend: Backend) -> Vec<String> {
    match backend {
        Backend::Sqlite => [
            "journal_entries_no_update",
            "journal_entries_no_delete",
            "journal_heads_no_rewind",
            "journal_heads_no_delete",
            "register_sessions_z_frozen",
            "register_sessions_no_delete",
        ]
        .iter()
        .map(|t| format!("DROP TRIGGER {t}"))
        .collect(),
        Backend::Postgres => vec!["SET LOCAL session_replication_role = replica".into()],
    }
}

async fn exec(tx: &mut Tx, sql: &str) -> Result<u64, StoreError> {
    Ok(on_tx!(tx, c => sqlx::query(sqlx::AssertSqlSafe(sql)).execute(c).await?.rows_affected()))
}

/// Applies `statements` with the guards lifted and verifies, in one transaction rolled back
/// afterwards: every tamper starts from the same clean database.
async fn tampered(app: &TestApp, statements: &[String]) -> Verification {
    let out: Arc<Mutex<Option<Verification>>> = Arc::new(Mutex::new(None));
    let (sink, statements) = (out.clone(), statements.to_vec());
    let rolled_back = app
        .store
        .write(move |tx| {
            let (sink, statements) = (sink.clone(), statements.clone());
            Box::pin(async move {
                for s in lift_guards(tx.backend()).iter().chain(&statements) {
                    exec(tx, s).await?;
                }
                let v = verify_all(tx).await?;
                *sink.lock().unwrap() = Some(v);
                Err::<(), _>(StoreError::Other("rolled back on purpose".into()))
            })
        })
        .await;
    assert!(rolled_back.is_err());
    let v = out.lock().unwrap().take();
    v.expect("the tamper ran and was verified")
}

async fn clean(app: &TestApp) -> Verification {
    app.store
        .read(|tx| Box::pin(async move { verify_all(tx).await }))
        .await
        .unwrap()
}

/// The chain of the register that made a Z (the demo's counter), and the sequence numbers of
/// its first order and payment entries, and of its Z.
struct Counter {
    chain: String,
    order: i64,
    payment: i64,
    z: i64,
}

async fn counter(app: &TestApp) -> Counter {
    let rows: Vec<(String, i64, String)> = app
        .store
        .read(|tx| {
            Box::pin(async move {
                Ok(on_tx!(tx, c => sqlx::query_as(
                    "SELECT chain, seq, kind FROM journal_entries WHERE chain =
                     (SELECT chain FROM journal_entries WHERE kind = 'z' LIMIT 1) ORDER BY seq")
                    .fetch_all(c).await?))
            })
        })
        .await
        .unwrap();
    let first = |kind: &str| rows.iter().find(|r| r.2 == kind).map(|r| r.1).unwrap();
    Counter {
        chain: rows[0].0.clone(),
        order: first("order"),
        payment: first("payment"),
        z: first("z"),
    }
}

fn codes(v: &Verification) -> Vec<String> {
    let mut out: Vec<String> = v.findings.iter().map(|f| f.code.to_owned()).collect();
    out.extend(
        v.chains
            .iter()
            .filter_map(|c| c.first_broken.map(|(_, why)| why.to_owned())),
    );
    out
}

fn assert_named(v: &Verification, what: &str, expected: &str) {
    assert!(!v.ok(), "{what}: verify passed");
    let codes = codes(v);
    assert!(
        codes.iter().any(|c| c == expected),
        "{what}: expected {expected}, found {codes:?} {:?}",
        v.findings
    );
}

#[tokio::test]
async fn every_tamper_of_the_journal_or_the_sales_is_named() {
    let app = seeded().await;
    let clean_run = clean(&app).await;
    assert!(clean_run.ok(), "{:?}", clean_run.findings);
    assert!(!clean_run.zs.is_empty() && clean_run.zs.iter().all(|z| z.signature_valid));
    let Counter {
        chain,
        order,
        payment,
        ..
    } = counter(&app).await;
    let entry = |seq: i64| format!("chain = '{chain}' AND seq = {seq}");
    let o = entry(order);
    let p = entry(payment);
    let order_id = format!("(SELECT order_id FROM journal_entries WHERE {o})");
    let payment_id = format!("(SELECT payment_id FROM journal_entries WHERE {p})");
    let other_order = format!(
        "(SELECT order_id FROM journal_entries WHERE kind = 'order' AND NOT ({o}) ORDER BY seq LIMIT 1)"
    );
    let cases: Vec<(&str, Vec<String>, &str)> = vec![
        ("chain", vec![format!("UPDATE journal_entries SET chain = 'online' WHERE {o}")], "sequence_gap"),
        ("seq", vec![format!("UPDATE journal_entries SET seq = seq + 100000 WHERE {o}")], "sequence_gap"),
        ("kind", vec![format!("UPDATE journal_entries SET kind = 'duplicate' WHERE {o}")], "hash_mismatch"),
        ("order_id", vec![format!("UPDATE journal_entries SET order_id = {other_order} WHERE {o}")], "hash_mismatch"),
        ("payment_id", vec![format!("UPDATE journal_entries SET payment_id = {payment_id} WHERE {o}")], "hash_mismatch"),
        ("record", vec![format!("UPDATE journal_entries SET record = REPLACE(record, '\"total_cents\":', '\"total_cents\":1') WHERE {o}")], "hash_mismatch"),
        ("prev_hash", vec![format!("UPDATE journal_entries SET prev_hash = hash WHERE {o}")], "previous_hash_mismatch"),
        ("hash", vec![format!("UPDATE journal_entries SET hash = prev_hash WHERE {o}")], "hash_mismatch"),
        ("created_at", vec![format!("UPDATE journal_entries SET created_at = created_at + 1 WHERE {o}")], "hash_mismatch"),
        ("delete", vec![format!("DELETE FROM journal_entries WHERE {o}")], "sequence_gap"),
        (
            "swap",
            vec![
                format!("UPDATE journal_entries SET seq = -1 WHERE {o}"),
                format!("UPDATE journal_entries SET seq = {order} WHERE {}", entry(order + 1)),
                format!("UPDATE journal_entries SET seq = {} WHERE chain = '{chain}' AND seq = -1", order + 1),
            ],
            "previous_hash_mismatch",
        ),
        ("truncate", vec!["DELETE FROM journal_entries".into()], "order_not_journaled"),
        (
            "truncate with the heads",
            vec!["DELETE FROM journal_entries".into(), "DELETE FROM journal_heads".into()],
            "order_not_journaled",
        ),
        (
            "head rewound",
            vec![format!("UPDATE journal_heads SET seq = seq - 1 WHERE chain = '{chain}'")],
            "head_sequence_mismatch",
        ),
        (
            "last entry deleted and head rewound to the one before",
            vec![
                format!("DELETE FROM journal_entries WHERE chain = '{chain}' AND seq = (SELECT MAX(seq) FROM journal_entries WHERE chain = '{chain}')"),
                format!("UPDATE journal_heads SET seq = seq - 1, hash = (SELECT hash FROM journal_entries WHERE chain = '{chain}' AND seq = (SELECT MAX(seq) FROM journal_entries WHERE chain = '{chain}')) WHERE chain = '{chain}'"),
            ],
            "head_totals_mismatch",
        ),
        (
            "an order line's amount",
            vec![format!("UPDATE order_lines SET total_cents = total_cents - 100 WHERE order_id = {order_id} AND position = 1")],
            "order_differs",
        ),
        (
            "an order's total",
            vec![format!("UPDATE orders SET total_cents = total_cents - 100 WHERE id = {order_id}")],
            "order_differs",
        ),
        (
            "an order removed",
            vec![
                format!("DELETE FROM payment_allocations WHERE payment_id IN (SELECT id FROM payments WHERE order_id = {order_id})"),
                format!("DELETE FROM payments WHERE order_id = {order_id}"),
                format!("UPDATE orders SET number = NULL WHERE id = {order_id}"),
            ],
            "order_missing",
        ),
        (
            "a payment's amount",
            vec![format!("UPDATE payments SET amount_cents = amount_cents - 100 WHERE id = {payment_id}")],
            "payment_differs",
        ),
        (
            "a payment's method",
            vec![format!("UPDATE payments SET method = 'voucher' WHERE id = {payment_id}")],
            "payment_differs",
        ),
        (
            "a Z's revenue",
            vec!["UPDATE register_sessions SET revenue_cents = revenue_cents - 100 WHERE z_number IS NOT NULL".into()],
            "z_differs",
        ),
        (
            "a Z's signature",
            vec!["UPDATE register_sessions SET z_signature = z_hash WHERE z_number IS NOT NULL".into()],
            "z_bad_signature",
        ),
    ];
    for (what, statements, expected) in &cases {
        let v = tampered(&app, statements).await;
        assert_named(&v, what, expected);
    }
    // Each run was rolled back: the database still verifies.
    assert!(clean(&app).await.ok());
    app.stop().await;
}

/// Someone with the database rewrites an entry before a Z and recomputes every later hash and
/// the head, so every chain check passes: the Z's signature no longer matches.
#[tokio::test]
async fn a_chain_rewritten_with_recomputed_hashes_shows_at_the_next_signed_z() {
    let app = seeded().await;
    let Counter { chain, z, .. } = counter(&app).await;
    type Row = (i64, String, Option<Uuid>, Option<Uuid>, i64, String, Uuid);
    let rows: Vec<Row> = app
        .store
        .read(|tx| {
            let chain = chain.clone();
            Box::pin(async move {
                Ok(on_tx!(tx, c => sqlx::query_as(
                    "SELECT seq, kind, order_id, payment_id, created_at, record, organization_id
                     FROM journal_entries WHERE chain = $1 ORDER BY seq")
                    .bind(chain).fetch_all(c).await?))
            })
        })
        .await
        .unwrap();
    // The opening's time moved by a second, and every hash after it recomputed.
    let mut statements = Vec::new();
    let mut prev = guichet_domain::journal::GENESIS.to_vec();
    for (i, (seq, kind, order_id, payment_id, created_at, record, org)) in rows.iter().enumerate() {
        let created_at = if i == 0 {
            created_at + 1_000_000
        } else {
            *created_at
        };
        let hash = entry_hash(&EntryFields {
            organization_id: *org,
            chain: &chain,
            seq: *seq,
            kind,
            order_id: *order_id,
            payment_id: *payment_id,
            created_at,
            prev_hash: &prev,
            record,
        });
        statements.push(format!(
            "UPDATE journal_entries SET created_at = {created_at}, prev_hash = {}, hash = {} WHERE chain = '{chain}' AND seq = {seq}",
            bytes_literal(app.store.backend(), &prev),
            bytes_literal(app.store.backend(), &hash)
        ));
        prev = hash.to_vec();
    }
    statements.push(format!(
        "UPDATE journal_heads SET hash = {} WHERE chain = '{chain}'",
        bytes_literal(app.store.backend(), &prev)
    ));
    let v = tampered(&app, &statements).await;
    assert!(
        v.chains.iter().all(|c| c.first_broken.is_none()),
        "{:?}",
        v.chains
    );
    assert_named(&v, "rewrite", "z_bad_signature");
    assert!(z > 1);
    app.stop().await;
}

fn bytes_literal(backend: Backend, bytes: &[u8]) -> String {
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    match backend {
        Backend::Sqlite => format!("X'{hex}'"),
        Backend::Postgres => format!("'\\x{hex}'::bytea"),
    }
}

/// Without lifting them, the database's guards refuse every plain change of the journal, its
/// heads and its Zs.
#[tokio::test]
async fn the_database_refuses_to_change_the_journal_its_heads_and_its_zs() {
    let app = seeded().await;
    let mut refused = vec![
        "UPDATE journal_entries SET created_at = created_at + 1",
        "DELETE FROM journal_entries",
        "UPDATE journal_heads SET seq = seq - 1",
        "DELETE FROM journal_heads",
        "UPDATE register_sessions SET revenue_cents = 0 WHERE z_number IS NOT NULL",
        "DELETE FROM register_sessions",
    ];
    if app.store.backend() == Backend::Postgres {
        refused.extend(["TRUNCATE journal_entries CASCADE", "TRUNCATE journal_heads"]);
    }
    for sql in refused {
        let r = app
            .store
            .write(|tx| Box::pin(async move { exec(tx, sql).await }))
            .await;
        assert!(r.is_err(), "{sql} was allowed");
    }
    assert!(clean(&app).await.ok());
    app.stop().await;
}

/// A sale changed in the database after it was journaled must not flow into a Z: the closing
/// is refused with a stable code (its message, on the closing page, says to run `journal
/// verify`), and nothing is closed.
#[tokio::test]
async fn a_z_is_refused_when_its_sales_differ_from_the_journal() {
    let app = spawn().await;
    let f = org(&app, "Grotte", "gr").await;
    let api = Api::new(&app, &f, "admin").await;
    let cat = Catalogue::belgian(&api).await;
    let sale = api
        .sell(
            &cat.register,
            cat.tickets(2, 0),
            vec![json!({"method": "cash", "amount": "17,00"})],
        )
        .await;
    let number = sale["number"].as_str().unwrap().to_owned();
    app.store
        .write(|tx| {
            let number = number.clone();
            Box::pin(async move {
                for s in lift_guards(tx.backend()) {
                    exec(tx, &s).await?;
                }
                let order = format!("(SELECT id FROM orders WHERE number = '{number}')");
                exec(tx, &format!("UPDATE orders SET total_cents = total_cents - 100 WHERE id = {order}")).await?;
                exec(tx, &format!("UPDATE order_lines SET total_cents = total_cents - 100 WHERE order_id = {order}")).await
            })
        })
        .await
        .unwrap();
    let session = id_of(
        &api.ok(&format!("/api/v1/registers/{}/session", cat.register))
            .await,
    );
    let close = format!("/api/v1/register-sessions/{session}/close");
    let (status, p) = api.post(&close, json!({"counted_cash": "17,00"})).await;
    assert_eq!(
        (status, p["code"].as_str()),
        (409, Some("z_journal_mismatch")),
        "{p}"
    );
    // Nothing was closed: the session is still open.
    let still = api
        .ok(&format!("/api/v1/registers/{}/session", cat.register))
        .await;
    assert_eq!(id_of(&still), session);
    app.stop().await;
}

/// `guichet journal export` writes a signed archive of a period that `guichet journal verify
/// --archive` checks with the public key alone; a changed archive or another key fails.
#[tokio::test]
async fn a_signed_archive_of_a_period_verifies_without_the_database() {
    let (url, dir) = fresh_database().await;
    let app = spawn_on(url.clone(), dir, guichet_app::AppConfig::default()).await;
    crate::demo::afternoon_demo(&app.store, 3).await;
    let verify = guichet(&["journal", "verify", "--database-url", &url], None);
    assert!(verify.status.success(), "{}", text(&verify));
    assert!(text(&verify).contains("fingerprint"), "{}", text(&verify));
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("journal.json");
    let file = file.to_str().unwrap();
    // From the December before: the demo's closed days may be last year's.
    let year = today().year();
    let (from, to) = (format!("{}-12-01", year - 1), format!("{year}-12-31"));
    let orgs = guichet(&["org", "list", "--database-url", &url], None);
    let org = text(&orgs)
        .lines()
        .find_map(|l| l.split_whitespace().find_map(|w| w.parse::<Uuid>().ok()))
        .unwrap()
        .to_string();
    let e = guichet(
        &[
            "journal",
            "export",
            "--database-url",
            &url,
            "--org",
            &org,
            "--from",
            &from,
            "--to",
            &to,
            "--output",
            file,
        ],
        None,
    );
    assert!(e.status.success(), "{}", text(&e));
    let archive: serde_json::Value = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
    let key = archive["public_key"].as_str().unwrap().to_owned();
    assert!(!archive["zs"].as_array().unwrap().is_empty());
    let ok = guichet(
        &["journal", "verify", "--archive", file, "--public-key", &key],
        None,
    );
    assert!(ok.status.success(), "{}", text(&ok));
    assert!(text(&ok).contains("verified"), "{}", text(&ok));
    // Another organization's key.
    let other =
        guichet_domain::journal_archive::base64url(&guichet_domain::ticket::public_key(&[1; 32]));
    let bad = guichet(
        &[
            "journal",
            "verify",
            "--archive",
            file,
            "--public-key",
            &other,
        ],
        None,
    );
    assert!(!bad.status.success());
    // One entry's time changed.
    let changed =
        std::fs::read_to_string(file)
            .unwrap()
            .replacen("\"created_at\": ", "\"created_at\": 1", 1);
    std::fs::write(file, changed).unwrap();
    let bad = guichet(
        &["journal", "verify", "--archive", file, "--public-key", &key],
        None,
    );
    assert!(!bad.status.success(), "{}", text(&bad));
    app.stop().await;
}

/// A year of sales at a register — three sales a day, a cancellation every week, a Z every
/// evening — written through the real sale, cancellation and closing transactions at their
/// historical times: the whole journal verifies, every Z signed.
#[tokio::test]
async fn a_year_of_sales_with_its_zs_verifies() {
    use guichet_app::orders::{LineInput, OrderInput, PaymentInput};
    use guichet_store::register_sessions::{self, Closing, Opening};
    let app = spawn().await;
    let f = org(&app, "Abbaye", "ab").await;
    let api = Api::new(&app, &f, "admin").await;
    let mut products = Vec::new();
    for (name, price, bp) in [
        ("Entrée", "9,00", 0),
        ("Livre", "18,50", 600),
        ("Peluche", "12,80", 2100),
    ] {
        products.push(api.product(name, price, bp, None).await);
    }
    let register: guichet_domain::RegisterId =
        api.register("Boutique", "counter").await.parse().unwrap();
    let state = guichet_app::App::new(app.store.clone(), Default::default());
    let tenant = guichet_store::Tenant::trusted_operator(f.id);
    let actor = guichet_app::Actor::operator(tenant);
    // 9,00 + 18,50 + 12,80 = 40,30 €: 20,00 cash and 20,30 by Bancontact.
    let input = OrderInput {
        register_id: register.to_string(),
        lines: products
            .iter()
            .map(|p| LineInput {
                product_id: Some(p.clone()),
                quantity: 1,
                ..Default::default()
            })
            .collect(),
        payments: vec![
            PaymentInput {
                method: "cash".into(),
                amount: "20,00".into(),
            },
            PaymentInput {
                method: "bancontact".into(),
                amount: "20,30".into(),
            },
        ],
        ..Default::default()
    };
    let priced = guichet_app::orders::priced_order(&state, &actor, &input, None)
        .await
        .unwrap();
    let zone = jiff::tz::TimeZone::get("Europe/Brussels").unwrap();
    let first = jiff::civil::date(2025, 1, 1);
    for d in 0..365 {
        let day = first.checked_add(jiff::Span::new().days(d)).unwrap();
        let at = |h: i8| {
            day.at(h, 0, 0, 0)
                .to_zoned(zone.clone())
                .unwrap()
                .timestamp()
                .as_microsecond()
        };
        let mut sale = priced.clone();
        sale.day = day;
        sale.at = Some(at(10));
        for p in &mut sale.payments {
            p.at = sale.at;
        }
        let (opening, closing) = (
            Opening {
                day,
                float_cents: 10_000,
                counts: None,
                at: at(9),
            },
            Closing {
                counted_cash_cents: 10_000 + 3 * 2_000,
                counts: None,
                counted: Vec::new(),
                at: at(18),
                key_seed: [3; 32],
            },
        );
        let cancel = d % 7 == 6;
        app.store
            .write(|tx| {
                let (sale, opening, closing) = (sale.clone(), opening.clone(), closing.clone());
                Box::pin(async move {
                    let s = register_sessions::open(tx, tenant, register, &opening, None).await?;
                    let mut last = None;
                    for _ in 0..3 {
                        last = Some(guichet_store::orders::create(tx, tenant, &sale).await?.id);
                    }
                    if let (true, Some(id)) = (cancel, last) {
                        guichet_store::orders::cancel(tx, tenant, id, "erreur", &[], None).await?;
                    }
                    register_sessions::close(tx, tenant, s.id, &closing, None).await
                })
            })
            .await
            .unwrap();
    }
    let v = clean(&app).await;
    assert!(v.ok(), "{:?}", v.findings.first());
    assert_eq!(v.zs.len(), 365);
    assert!(v.zs.iter().all(|z| z.signature_valid));
    assert!(v.orders >= 365 * 3);
    app.stop().await;
}
