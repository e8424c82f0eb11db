//! Both migration trees end with the same schema; shared SQL keeps to what distributed
//! PostgreSQL-compatible databases accept.

use crate::harness::{drop_pg_database, fresh_pg_database, pg_admin_url, skip};
use guichet_store::{Store, migrate, schema};

#[test]
fn both_trees_have_the_same_versions() {
    let (sqlite, postgres) = migrate::versions_by_backend();
    assert_eq!(sqlite, postgres);
    assert!(!sqlite.is_empty());
}

#[test]
fn postgres_migrations_avoid_sequences_triggers_and_extensions() {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/crates/store/migrations/postgres"
    );
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let sql = std::fs::read_to_string(&path).unwrap().to_uppercase();
        // Marked blocks are allowed to use what a backend offers (the journal's guard).
        let sql = match (
            sql.find("-- BEGIN BACKEND-SPECIFIC"),
            sql.find("-- END BACKEND-SPECIFIC"),
        ) {
            (Some(a), Some(b)) if a < b => format!("{}{}", &sql[..a], &sql[b..]),
            _ => sql,
        };
        for banned in [
            "SERIAL",
            "SEQUENCE",
            "TRIGGER",
            "EXTENSION",
            "LISTEN",
            "NOTIFY",
            "PG_ADVISORY",
            "IDENTITY",
        ] {
            assert!(!sql.contains(banned), "{} uses {banned}", path.display());
        }
    }
}

#[tokio::test]
async fn sqlite_and_postgres_end_with_the_same_schema() {
    let Some(admin) = pg_admin_url() else {
        return skip("GUICHET_TEST_DATABASE_URL is not set (PostgreSQL)");
    };
    let dir = tempfile::tempdir().unwrap();
    let sqlite = Store::connect(&format!("sqlite://{}/s.db", dir.path().display()))
        .await
        .unwrap();
    migrate::run(&sqlite).await.unwrap();
    let pg_url = fresh_pg_database(&admin).await;
    let pg = Store::connect(&pg_url).await.unwrap();
    migrate::run(&pg).await.unwrap();
    // Running again is a no-op on both.
    migrate::run(&pg).await.unwrap();
    migrate::run(&sqlite).await.unwrap();
    let a = schema::describe(&sqlite).await.unwrap();
    let b = schema::describe(&pg).await.unwrap();
    assert!(a.len() >= 10, "tables found: {}", a.len());
    for (x, y) in a.iter().zip(b.iter()) {
        assert_eq!(x, y, "table {} differs", x.name);
    }
    assert_eq!(a.len(), b.len());
    assert!(
        a.iter()
            .all(|t| t.columns.iter().all(|c| !c.kind.starts_with("unknown"))),
        "{a:#?}"
    );
    sqlite.close().await;
    pg.close().await;
    drop_pg_database(&pg_url).await;
}
