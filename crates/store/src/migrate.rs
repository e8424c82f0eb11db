//! Schema migrations: two SQL trees with the same versions (`migrations/sqlite`,
//! `migrations/postgres`). sqlx's own advisory lock is off (CockroachDB has none); we
//! serialize concurrent servers with a lease row instead.

use crate::{Result, Store, StoreError, now_micros};
use sqlx::migrate::Migrator;
use std::time::Duration;

static SQLITE: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES: Migrator = sqlx::migrate!("./migrations/postgres");

/// How long a crashed migrator holds the lease before another server may take over.
const LEASE_MICROS: i64 = 10 * 60 * 1_000_000;

fn without_lock(m: &'static Migrator) -> Migrator {
    Migrator {
        migrations: m.migrations.clone(),
        locking: false,
        ..Migrator::DEFAULT
    }
}

/// Versions known to this binary, in order (the same for both backends).
pub fn versions() -> Vec<i64> {
    SQLITE.iter().map(|m| m.version).collect()
}

/// Versions of each tree, for the test that proves both trees agree.
pub fn versions_by_backend() -> (Vec<i64>, Vec<i64>) {
    (
        SQLITE.iter().map(|m| m.version).collect(),
        POSTGRES.iter().map(|m| m.version).collect(),
    )
}

/// Brings the schema up to date. Safe to call from several servers at once.
pub async fn run(store: &Store) -> Result<()> {
    const CREATE_LOCK: &str = "CREATE TABLE IF NOT EXISTS guichet_migration_lock (
        id INTEGER PRIMARY KEY, holder TEXT NOT NULL, expires_at BIGINT NOT NULL)";
    let holder = crate::new_token();
    if let Some(pool) = store.sqlite_writer() {
        sqlx::query(CREATE_LOCK).execute(pool).await?;
    } else if let Some(pool) = store.pg() {
        sqlx::query(CREATE_LOCK).execute(pool).await?;
    }
    acquire_lease(store, &holder).await?;
    let migrated = match (store.sqlite_writer(), store.pg()) {
        (Some(pool), _) => without_lock(&SQLITE).run(pool).await,
        (_, Some(pool)) => without_lock(&POSTGRES).run(pool).await,
        _ => Ok(()),
    };
    release_lease(store, &holder).await?;
    migrated.map_err(StoreError::from)
}

async fn acquire_lease(store: &Store, holder: &str) -> Result<()> {
    for _ in 0..600 {
        let now = now_micros();
        let taken = store
            .write(|tx| {
                let holder = holder.to_owned();
                Box::pin(async move {
                    let sql = "INSERT INTO guichet_migration_lock (id, holder, expires_at) VALUES (1, $1, $2)
                               ON CONFLICT (id) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
                               WHERE guichet_migration_lock.expires_at < $3";
                    let done = crate::on_tx!(tx, c => sqlx::query(sql)
                        .bind(&holder)
                        .bind(now + LEASE_MICROS)
                        .bind(now)
                        .execute(c)
                        .await?
                        .rows_affected());
                    Ok(done == 1)
                })
            })
            .await?;
        if taken {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(StoreError::Other(
        "another server has been migrating this database for over a minute".to_owned(),
    ))
}

async fn release_lease(store: &Store, holder: &str) -> Result<()> {
    store
        .write(|tx| {
            let holder = holder.to_owned();
            Box::pin(async move {
                crate::on_tx!(tx, c => sqlx::query("DELETE FROM guichet_migration_lock WHERE holder = $1")
                    .bind(&holder)
                    .execute(c)
                    .await?.rows_affected());
                Ok(())
            })
        })
        .await
}
