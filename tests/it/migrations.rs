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

/// The SQL files of a tree, in version order, up to and including `last`.
fn tree(backend: &str, last: u32) -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("crates/store/migrations")
        .join(backend);
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.get(..4))
                .and_then(|v| v.parse::<u32>().ok())
                .is_some_and(|v| v <= last)
        })
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect()
}

/// Organizations that exist before migration 0034 get a public slug from their name,
/// duplicates and names without letters told apart by the end of their id.
const ORGS_BEFORE_0034: [(&str, &str, i64); 5] = [
    ("0190a1b2-0000-7000-8000-000000000001", "Grottes de Han", 1),
    (
        "0190a1b2-0000-7000-8000-0000000000a2",
        "  Grottes  de Han ",
        2,
    ),
    (
        "0190a1b2-0000-7000-8000-000000000003",
        "Abbaye d'Aulne & Musée (Été)",
        3,
    ),
    ("0190a1b2-0000-7000-8000-000000000004", "***", 4),
    ("0190a1b2-0000-7000-8000-000000000005", "Château Ωmega", 5),
];

fn expected_slugs() -> Vec<(String, String)> {
    vec![
        ("Grottes de Han".into(), "grottes-de-han".into()),
        (
            "  Grottes  de Han ".into(),
            "grottes-de-han-000000a2".into(),
        ),
        (
            "Abbaye d'Aulne & Musée (Été)".into(),
            "abbaye-d-aulne-musee-ete".into(),
        ),
        ("***".into(), "org-00000004".into()),
        ("Château Ωmega".into(), "org-00000005".into()),
    ]
}

#[tokio::test]
async fn migration_0034_gives_existing_organizations_a_slug_on_sqlite() {
    use sqlx::Connection;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/m.db?mode=rwc", dir.path().display());
    let mut c = sqlx::SqliteConnection::connect(&url).await.unwrap();
    for sql in tree("sqlite", 33) {
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(&mut c)
            .await
            .unwrap();
    }
    for (id, name, at) in ORGS_BEFORE_0034 {
        sqlx::query("INSERT INTO organizations (id, name, currency, time_zone, default_language, created_at) VALUES ($1, $2, 'EUR', 'Europe/Brussels', 'fr', $3)")
            .bind(uuid::Uuid::parse_str(id).unwrap())
            .bind(name)
            .bind(at)
            .execute(&mut c)
            .await
            .unwrap();
    }
    for sql in tree("sqlite", 34)
        .into_iter()
        .skip(tree("sqlite", 33).len())
    {
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(&mut c)
            .await
            .unwrap();
    }
    let slugs: Vec<(String, String)> =
        sqlx::query_as("SELECT name, slug FROM organizations ORDER BY created_at")
            .fetch_all(&mut c)
            .await
            .unwrap();
    assert_eq!(slugs, expected_slugs());
}

#[tokio::test]
async fn migration_0034_gives_existing_organizations_a_slug_on_postgres() {
    use sqlx::Connection;
    let Some(admin) = pg_admin_url() else {
        return skip("GUICHET_TEST_DATABASE_URL is not set (PostgreSQL)");
    };
    let url = fresh_pg_database(&admin).await;
    let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
    for sql in tree("postgres", 33) {
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(&mut c)
            .await
            .unwrap();
    }
    for (id, name, at) in ORGS_BEFORE_0034 {
        sqlx::query("INSERT INTO organizations (id, name, currency, time_zone, default_language, created_at) VALUES ($1, $2, 'EUR', 'Europe/Brussels', 'fr', $3)")
            .bind(uuid::Uuid::parse_str(id).unwrap())
            .bind(name)
            .bind(at)
            .execute(&mut c)
            .await
            .unwrap();
    }
    for sql in tree("postgres", 34)
        .into_iter()
        .skip(tree("postgres", 33).len())
    {
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(&mut c)
            .await
            .unwrap();
    }
    let slugs: Vec<(String, String)> =
        sqlx::query_as("SELECT name, slug FROM organizations ORDER BY created_at")
            .fetch_all(&mut c)
            .await
            .unwrap();
    assert_eq!(slugs, expected_slugs());
    c.close().await.ok();
    drop_pg_database(&url).await;
}
