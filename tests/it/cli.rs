//! The operator's command line, run as the real binary.

use crate::harness::{
    PASSWORD, fresh_database, fresh_pg_database, login, org, pg_admin_url, skip, spawn_on,
};
use guichet_app::AppConfig;
use std::io::Write;
use std::process::{Command, Output, Stdio};

pub(crate) fn guichet(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_guichet"))
        .args(args)
        .env_remove("GUICHET_DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run guichet");
    if let Some(mut pipe) = child.stdin.take()
        && let Some(text) = stdin
    {
        // A command that refuses its arguments exits before reading stdin; the broken pipe is
        // then expected, and the test checks the command's own message.
        if let Err(e) = pipe.write_all(text.as_bytes()) {
            assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "write stdin: {e}");
        }
    }
    child.wait_with_output().expect("wait for guichet")
}

pub(crate) fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[tokio::test]
async fn org_and_user_create_then_sign_in() {
    let (url, dir) = fresh_database().await;
    let o = guichet(
        &[
            "org",
            "create",
            "--name",
            "Abbaye de Villers",
            "--city",
            "Villers-la-Ville",
            "--vat-preset",
            "BE",
            "--database-url",
            &url,
        ],
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = guichet(
        &[
            "org",
            "create",
            "--name",
            "Bad",
            "--time-zone",
            "Nowhere/Land",
            "--database-url",
            &url,
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("time_zone"), "{}", text(&o));

    let pw = format!("{PASSWORD}\n");
    let o = guichet(
        &[
            "user",
            "create",
            "--org",
            "Abbaye de Villers",
            "--email",
            "abbe@villers.test",
            "--role",
            "admin",
            "--database-url",
            &url,
        ],
        Some(&pw),
    );
    assert!(o.status.success(), "{}", text(&o));
    for (args, expected) in [
        (
            vec!["--role", "boss", "--email", "b@villers.test"],
            "unknown role",
        ),
        (
            vec!["--role", "seller", "--email", "not-an-email"],
            "invalid e-mail",
        ),
        (
            vec!["--role", "seller", "--email", "abbe@villers.test"],
            "already a member",
        ),
    ] {
        let mut all = vec![
            "user",
            "create",
            "--org",
            "Abbaye de Villers",
            "--database-url",
            url.as_str(),
        ];
        all.extend(args);
        let o = guichet(&all, Some(&pw));
        assert_eq!(o.status.code(), Some(2), "{}", text(&o));
        assert!(text(&o).contains(expected), "{}", text(&o));
    }
    let o = guichet(
        &[
            "user",
            "create",
            "--org",
            "Abbaye de Villers",
            "--email",
            "s@villers.test",
            "--role",
            "seller",
            "--database-url",
            &url,
        ],
        Some("short\n"),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("password"));
    let o = guichet(
        &[
            "user",
            "create",
            "--org",
            "Nobody",
            "--email",
            "s@villers.test",
            "--role",
            "seller",
            "--database-url",
            &url,
        ],
        Some(&pw),
    );
    assert!(text(&o).contains("no single organization"));
    let o = guichet(&["org", "list", "--database-url", &url], None);
    assert!(text(&o).contains("Abbaye de Villers"));

    let app = spawn_on(url, dir, AppConfig::default()).await;
    let c = login(&app, "abbe@villers.test").await;
    let rates: serde_json::Value = c
        .get(app.url("/api/v1/vat-rates"))
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap()["items"]
        .clone();
    assert_eq!(rates.as_array().unwrap().len(), 4);
    // A new organization starts without the payment methods Guichet cannot take yet (it
    // issues no gift voucher or gift card); one set up before keeps what it had (every
    // method, its default).
    let methods = |c: reqwest::Client| {
        let url = app.url("/api/v1/payment-methods");
        async move {
            let list: serde_json::Value = c.get(url).send().await.unwrap().json().await.unwrap();
            list.as_array()
                .unwrap()
                .iter()
                .filter(|m| m["enabled"] == true)
                .map(|m| m["method"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    let on = methods(c).await;
    assert!(on.contains(&"cash".to_owned()) && on.contains(&"card_terminal".to_owned()));
    assert!(
        !on.contains(&"gift_voucher".to_owned()) && !on.contains(&"gift_card".to_owned()),
        "{on:?}"
    );
    let before = org(&app, "Grottes A", "a").await;
    let on = methods(login(&app, &before.admin).await).await;
    assert!(on.contains(&"gift_voucher".to_owned()) && on.contains(&"gift_card".to_owned()));
    app.stop().await;
}

#[tokio::test]
async fn db_copy_moves_sqlite_to_postgres() {
    let Some(admin) = pg_admin_url() else {
        return skip("GUICHET_TEST_DATABASE_URL is not set (PostgreSQL)");
    };
    let dir = tempfile::tempdir().unwrap();
    let sqlite_url = format!("sqlite://{}/guichet.db", dir.path().display());
    let source = spawn_on(
        sqlite_url.clone(),
        tempfile::tempdir().unwrap(),
        AppConfig::default(),
    )
    .await;
    let a = org(&source, "Grottes A", "a").await;
    let b = org(&source, "Abbaye B", "b").await;
    let key = crate::harness::api_key(&source, &a, "manager").await;
    source.stop().await;

    let target_url = fresh_pg_database(&admin).await;
    let o = guichet(
        &["db", "copy", "--from", &sqlite_url, "--to", &target_url],
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("row counts verified"), "{}", text(&o));
    let o = guichet(
        &["db", "copy", "--from", &sqlite_url, "--to", &target_url],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("not empty"), "{}", text(&o));

    let target = spawn_on(
        target_url,
        tempfile::tempdir().unwrap(),
        AppConfig::default(),
    )
    .await;
    let c = login(&target, &b.admin).await;
    let users: serde_json::Value = c
        .get(target.url("/api/v1/users"))
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap()["items"]
        .clone();
    assert_eq!(users.as_array().unwrap().len(), 3);
    let me: serde_json::Value = crate::harness::plain_client()
        .get(target.url("/api/v1/me"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        me["organization_id"],
        a.id.to_string(),
        "API keys survive the move"
    );
    target.stop().await;
}

/// The demo's sales go through the real sale transaction; `guichet journal verify` checks every
/// chain, and names the first broken entry once a row is changed behind the store's back.
#[tokio::test]
async fn demo_sales_and_journal_verify() {
    let (url, dir) = fresh_database().await;
    let app = spawn_on(url.clone(), dir, AppConfig::default()).await;
    crate::demo::afternoon_demo(&app.store, 3).await;
    let o = guichet(&["journal", "verify", "--database-url", &url], None);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("2 journal chains verified;"),
        "{}",
        text(&o)
    );
    let drop_guard = match app.store.backend() {
        guichet_store::Backend::Sqlite => "DROP TRIGGER journal_entries_no_update",
        guichet_store::Backend::Postgres => {
            "ALTER TABLE journal_entries DISABLE TRIGGER journal_entries_no_change"
        }
    };
    app.store
        .write(|tx| {
            Box::pin(async move {
                guichet_store::on_tx!(tx, c => sqlx::query(drop_guard).execute(c).await?.rows_affected());
                // A sale's total lowered by one cent, in the second entry of one chain (after
                // the first day's opening).
                guichet_store::on_tx!(tx, c => sqlx::query(
                    "UPDATE journal_entries SET record = REPLACE(record, '\"total_cents\":', '\"total_cents\":1') WHERE seq = 2 AND kind = 'order'")
                    .execute(c).await?.rows_affected());
                Ok(())
            })
        })
        .await
        .unwrap();
    let o = guichet(&["journal", "verify", "--database-url", &url], None);
    assert!(!o.status.success());
    assert!(
        text(&o).contains("first broken entry #2 (hash_mismatch)"),
        "{}",
        text(&o)
    );
    app.stop().await;
}
