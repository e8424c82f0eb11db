//! `guichet backup`: a copy of the live SQLite database taken while sales go on holds every
//! order acknowledged before it started, verifies, and serves as the database of a restored
//! server; retention keeps the newest copies; PostgreSQL is pointed to pg_dump.

use crate::cli::{guichet, text};
use crate::harness::{Api, Catalogue, fresh_database, org, spawn_on, today};
use guichet_app::AppConfig;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Sells one ticket after another until `stop`; each acknowledged order's id with the
/// instant its answer came.
async fn sell_until(api: &Api<'_>, s: &Catalogue, stop: &AtomicBool) -> Vec<(String, Instant)> {
    let mut acknowledged = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        let (status, order) = api
            .post(
                "/api/v1/orders",
                json!({"register_id": s.register, "lines": s.tickets(1, 0),
                       "payments": [{"method": "cash", "amount": "8,50"}]}),
            )
            .await;
        assert_eq!(status, 201, "{order}");
        acknowledged.push((order["id"].as_str().unwrap().to_owned(), Instant::now()));
    }
    acknowledged
}

/// Every order of today, page after page (20 a page); also checks the paging itself.
async fn all_orders(api: &Api<'_>) -> Vec<Value> {
    let day = today();
    let mut orders = Vec::new();
    let mut after = String::new();
    loop {
        let page = api
            .ok(&format!(
                "/api/v1/orders?from={day}&to={day}&limit=20{after}"
            ))
            .await;
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 20);
        orders.extend(items.iter().cloned());
        match page["next"].as_str() {
            Some(next) => {
                assert_eq!(items.len(), 20, "only a full page has a next one");
                after = format!("&after={next}");
            }
            None => return orders,
        }
    }
}

#[tokio::test]
async fn a_backup_taken_during_sales_restores_every_acknowledged_order() {
    let (url, dir) = fresh_database().await;
    let app = spawn_on(url.clone(), dir, AppConfig::default()).await;
    if !url.starts_with("sqlite") {
        // PostgreSQL: the command explains to use pg_dump and writes nothing.
        let dir = tempfile::tempdir().unwrap();
        let o = guichet(
            &[
                "backup",
                "--to",
                dir.path().to_str().unwrap(),
                "--database-url",
                &url,
            ],
            None,
        );
        assert!(!o.status.success());
        assert!(text(&o).contains("pg_dump"), "{}", text(&o));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        app.stop().await;
        return;
    }
    let a = org(&app, "Grottes A", "a").await;
    let manager = Api::new(&app, &a, "manager").await;
    let s = Catalogue::belgian_with_capacity(&manager, 100_000).await;
    let backups = tempfile::tempdir().unwrap();
    let stop = AtomicBool::new(false);

    let backup = async {
        // Sales are under way first.
        tokio::time::sleep(Duration::from_millis(700)).await;
        let started = Instant::now();
        let (dir, db) = (backups.path().to_str().unwrap().to_owned(), url.clone());
        let out = tokio::task::spawn_blocking(move || {
            guichet(&["backup", "--to", &dir, "--database-url", &db], None)
        })
        .await
        .unwrap();
        let taken = started.elapsed();
        tokio::time::sleep(Duration::from_millis(300)).await;
        stop.store(true, Ordering::Relaxed);
        (out, started, taken)
    };
    let sellers = futures_util::future::join_all((0..4).map(|_| sell_until(&manager, &s, &stop)));
    let ((out, started, taken), sold) = tokio::join!(backup, sellers);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("journal chains verified"),
        "{}",
        text(&out)
    );
    let sold: Vec<(String, Instant)> = sold.into_iter().flatten().collect();
    let before: BTreeSet<&str> = sold
        .iter()
        .filter(|(_, at)| *at < started)
        .map(|(id, _)| id.as_str())
        .collect();
    let during = sold.iter().filter(|(_, at)| *at >= started).count();
    eprintln!(
        "backup took {taken:?}; {} orders acknowledged before it, {during} during and after",
        before.len()
    );
    assert!(
        before.len() >= 5 && during >= 1,
        "sales went on around the backup"
    );

    let files: Vec<_> = std::fs::read_dir(backups.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let file = files[0].clone();
    let key = manager.key.clone();
    app.stop().await;

    // Restore: the copy as a server's database.
    let dir = tempfile::tempdir().unwrap();
    let restored_db = dir.path().join("guichet.db");
    std::fs::copy(&file, &restored_db).unwrap();
    let restored = spawn_on(
        format!("sqlite://{}", restored_db.display()),
        dir,
        AppConfig::default(),
    )
    .await;
    let api = Api {
        app: &restored,
        key,
    };
    let orders = all_orders(&api).await;
    let found: BTreeSet<&str> = orders.iter().map(|o| o["id"].as_str().unwrap()).collect();
    assert_eq!(found.len(), orders.len(), "no order twice across pages");
    let missing: Vec<&&str> = before.iter().filter(|id| !found.contains(**id)).collect();
    assert!(
        missing.is_empty(),
        "acknowledged before the backup, missing: {missing:?}"
    );
    let all: BTreeSet<&str> = sold.iter().map(|(id, _)| id.as_str()).collect();
    assert!(found.is_subset(&all), "nothing but real sales");
    // The copy is one instant: its order numbers have no gap.
    let mut numbers: Vec<String> = orders
        .iter()
        .map(|o| o["number"].as_str().unwrap().to_owned())
        .collect();
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), orders.len());
    restored.stop().await;
}

#[tokio::test]
async fn retention_keeps_the_newest_backups() {
    let (url, _dir) = fresh_database().await;
    if !url.starts_with("sqlite") {
        return;
    }
    let o = guichet(&["migrate", "--database-url", &url], None);
    assert!(o.status.success(), "{}", text(&o));
    let backups = tempfile::tempdir().unwrap();
    // Older backups (by their names' time), and a file of the operator's own.
    for old in ["guichet-20200101T000000Z.db", "guichet-20200102T000000Z.db"] {
        std::fs::write(backups.path().join(old), b"old").unwrap();
    }
    std::fs::write(backups.path().join("notes.txt"), b"mine").unwrap();
    let dir = backups.path().to_str().unwrap();
    let o = guichet(
        &["backup", "--to", dir, "--keep", "2", "--database-url", &url],
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    let mut left: Vec<String> = std::fs::read_dir(backups.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    left.sort();
    assert_eq!(left.len(), 3, "{left:?}");
    assert_eq!(left[0], "guichet-20200102T000000Z.db");
    assert!(left[1].starts_with("guichet-20") && left[1] != left[0]);
    assert_eq!(left[2], "notes.txt");
}
