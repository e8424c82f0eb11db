use crate::{Result, StoreError};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool};
use std::future::Future;
use std::pin::Pin;
use std::str::FromStr;
use std::time::Duration;

/// Runs `$body` once per backend with `$c` bound to the transaction's connection.
/// The body is written once; the compiler checks it against both drivers.
#[macro_export]
macro_rules! on_tx {
    ($tx:expr, $c:ident => $body:expr) => {
        match $tx {
            $crate::Tx::Sqlite(t) => {
                let $c = &mut **t;
                $body
            }
            $crate::Tx::Pg(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone, Debug)]
enum Db {
    /// One writer connection (SQLite has one writer anyway; `BEGIN IMMEDIATE` avoids the
    /// deferred-upgrade `SQLITE_BUSY` that `busy_timeout` does not cover) and a pool of
    /// read-only connections for concurrent readers.
    Sqlite {
        writer: SqlitePool,
        reader: SqlitePool,
    },
    Pg(PgPool),
}

/// A transaction on either backend.
pub enum Tx {
    Sqlite(sqlx::Transaction<'static, Sqlite>),
    Pg(sqlx::Transaction<'static, Postgres>),
}

impl Tx {
    pub async fn commit(self) -> Result<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Pg(t) => t.commit().await?,
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        match self {
            Tx::Sqlite(_) => Backend::Sqlite,
            Tx::Pg(_) => Backend::Postgres,
        }
    }
}

pub type TxFuture<'t, T> = Pin<Box<dyn Future<Output = Result<T>> + Send + 't>>;

/// The database, chosen from the URL at start-up.
#[derive(Clone, Debug)]
pub struct Store {
    db: Db,
}

impl Store {
    /// Connects to `sqlite://path` (created if missing, with its folder) or
    /// `postgres://…`. Does not migrate: call [`crate::migrate::run`].
    pub async fn connect(url: &str) -> Result<Store> {
        if url.starts_with("sqlite:") {
            Self::connect_sqlite(url).await
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .min_connections(0)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await?;
            Ok(Store { db: Db::Pg(pool) })
        } else {
            Err(StoreError::Other(format!(
                "unsupported database URL (expected sqlite://… or postgres://…): {}",
                redact(url)
            )))
        }
    }

    async fn connect_sqlite(url: &str) -> Result<Store> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        if let Some(parent) = options.get_filename().parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent).map_err(|e| {
                StoreError::Other(format!("cannot create {}: {e}", parent.display()))
            })?;
        }
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(0)
            .connect_with(options.clone())
            .await?;
        let reader = SqlitePoolOptions::new()
            .max_connections(4)
            .min_connections(0)
            .connect_with(options.read_only(true))
            .await?;
        Ok(Store {
            db: Db::Sqlite { writer, reader },
        })
    }

    pub fn backend(&self) -> Backend {
        match self.db {
            Db::Sqlite { .. } => Backend::Sqlite,
            Db::Pg(_) => Backend::Postgres,
        }
    }

    pub(crate) fn sqlite_writer(&self) -> Option<&SqlitePool> {
        match &self.db {
            Db::Sqlite { writer, .. } => Some(writer),
            Db::Pg(_) => None,
        }
    }

    pub(crate) fn pg(&self) -> Option<&PgPool> {
        match &self.db {
            Db::Pg(p) => Some(p),
            Db::Sqlite { .. } => None,
        }
    }

    /// A read transaction: a consistent snapshot, no writes.
    pub async fn begin_read(&self) -> Result<Tx> {
        Ok(match &self.db {
            Db::Sqlite { reader, .. } => Tx::Sqlite(reader.begin().await?),
            Db::Pg(p) => Tx::Pg(p.begin().await?),
        })
    }

    async fn begin_write(&self) -> Result<Tx> {
        Ok(match &self.db {
            // Backend-specific: take the write lock up front (see `Db::Sqlite`).
            Db::Sqlite { writer, .. } => Tx::Sqlite(writer.begin_with("BEGIN IMMEDIATE").await?),
            Db::Pg(p) => Tx::Pg(p.begin().await?),
        })
    }

    /// The one long write transaction of `db copy` (no retry: the target is idle).
    pub(crate) async fn begin_write_for_copy(&self) -> Result<Tx> {
        self.begin_write().await
    }

    /// Runs `f` in a read transaction.
    pub async fn read<T, F>(&self, f: F) -> Result<T>
    where
        F: for<'t> FnOnce(&'t mut Tx) -> TxFuture<'t, T>,
    {
        let mut tx = self.begin_read().await?;
        let out = f(&mut tx).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Runs `f` in a write transaction, committing on `Ok` and rolling back on `Err`.
    /// This is the one retry helper of ARCHITECTURE.md: on a serialization failure or
    /// deadlock (SQLSTATE 40001/40P01) or a busy SQLite database, the whole transaction runs
    /// again, up to five times with a growing, jittered pause.
    pub async fn write<T, F>(&self, mut f: F) -> Result<T>
    where
        F: for<'t> FnMut(&'t mut Tx) -> TxFuture<'t, T>,
    {
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            let result = async {
                let mut tx = self.begin_write().await?;
                let out = f(&mut tx).await?;
                tx.commit().await?;
                Ok(out)
            }
            .await;
            match result {
                Err(e) if attempt < 5 && is_retryable(&e) => {
                    let jitter = u64::from(rand::random::<u8>() % 20);
                    tokio::time::sleep(Duration::from_millis(u64::from(attempt) * 15 + jitter))
                        .await;
                }
                other => return other,
            }
        }
    }

    /// Answers when the database answers (for `/healthz`).
    pub async fn ping(&self) -> Result<()> {
        match &self.db {
            Db::Sqlite { reader, .. } => sqlx::query("SELECT 1")
                .execute(reader)
                .await?
                .rows_affected(),
            Db::Pg(p) => sqlx::query("SELECT 1").execute(p).await?.rows_affected(),
        };
        Ok(())
    }

    pub async fn close(&self) {
        match &self.db {
            Db::Sqlite { writer, reader } => {
                reader.close().await;
                writer.close().await;
            }
            Db::Pg(p) => p.close().await,
        }
    }
}

fn is_retryable(e: &StoreError) -> bool {
    let StoreError::Database(sqlx::Error::Database(db)) = e else {
        return false;
    };
    // 40001 serialization_failure, 40P01 deadlock_detected (PostgreSQL and compatibles);
    // 5 SQLITE_BUSY, 6 SQLITE_LOCKED and their extended codes (low byte).
    match db.code().as_deref() {
        Some("40001") | Some("40P01") => true,
        Some(code) => code
            .parse::<i64>()
            .map(|c| matches!(c & 0xff, 5 | 6))
            .unwrap_or(false),
        None => false,
    }
}

/// A database URL with its password hidden, for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let creds = &url[scheme_end + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn redacts_passwords() {
        assert_eq!(
            super::redact("postgres://u:secret@h/db"),
            "postgres://u:***@h/db"
        );
        assert_eq!(super::redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(super::redact("sqlite://x.db"), "sqlite://x.db");
    }
}
