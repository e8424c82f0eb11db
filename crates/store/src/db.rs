use crate::hot::Hot;
use crate::{Result, StoreError};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool};
use std::future::Future;
use std::pin::Pin;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::watch;

/// Runs `$body` once per backend with `$c` bound to the transaction's connection.
/// The body is written once; the compiler checks it against both drivers.
/// A savepoint the group commit owes the body is opened first ([`Conn::settle`]).
#[macro_export]
macro_rules! on_tx {
    ($tx:expr, $c:ident => $body:expr) => {
        match $tx {
            $crate::Tx::Sqlite(t) => {
                t.settle().await?;
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
        group: Arc<GroupCommit>,
        hot: Arc<Hot>,
    },
    Pg(PgPool),
}

/// A transaction on either backend (or, for a read that needs none, a connection: see
/// [`Conn`]).
pub enum Tx {
    Sqlite(Conn<Sqlite>),
    Pg(Conn<Postgres>),
}

/// Where a [`Tx`]'s statements run: in a transaction, or on a pooled connection as it is.
/// A read on PostgreSQL takes no transaction: under READ COMMITTED every statement has its
/// own snapshot either way, so `BEGIN` and `COMMIT` were two round trips that bought nothing.
/// A read that needs no snapshot takes none on SQLite either ([`Store::reader`]).
/// Both dereference to the driver's connection, so `on_tx!` bodies are the same for both.
pub enum Conn<DB: sqlx::Database> {
    Tx(sqlx::Transaction<'static, DB>),
    Pooled(sqlx::pool::PoolConnection<DB>),
    /// SQLite's shared write transaction ([`GroupCommit`]), with what the one writer remembers
    /// of its hot rows ([`Hot`]) and whether the body's savepoint is still to be opened: it
    /// goes with the body's first statements, one call fewer ([`Conn::settle`]).
    Writer(sqlx::Transaction<'static, DB>, Arc<Hot>, Owed),
}

/// Whether a writer's savepoint is still owed (see [`Conn::Writer`]).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum Owed {
    #[default]
    Nothing,
    Savepoint,
}

/// The savepoint each writer of a shared SQLite transaction but the first runs in.
pub(crate) const WRITER_SAVEPOINT: &str = "SAVEPOINT w";

impl Conn<Sqlite> {
    /// Opens the savepoint the group commit owes this body, if still owed. Every statement
    /// sent on the writer's connection comes after it: `on_tx!` settles first, and a batch
    /// sends it with its own statements ([`Conn::take_owed`]).
    pub async fn settle(&mut self) -> Result<()> {
        if let Some(sql) = self.take_owed() {
            sqlx::query(sql).execute(&mut **self).await?;
        }
        Ok(())
    }

    /// The savepoint still owed, now counted as opened: the caller sends it first.
    pub(crate) fn take_owed(&mut self) -> Option<&'static str> {
        match self {
            Conn::Writer(_, _, owed @ Owed::Savepoint) => {
                *owed = Owed::Nothing;
                Some(WRITER_SAVEPOINT)
            }
            _ => None,
        }
    }
}

impl<DB: sqlx::Database> std::ops::Deref for Conn<DB> {
    type Target = DB::Connection;
    fn deref(&self) -> &DB::Connection {
        match self {
            Conn::Tx(t) | Conn::Writer(t, _, _) => t,
            Conn::Pooled(c) => c,
        }
    }
}

impl<DB: sqlx::Database> std::ops::DerefMut for Conn<DB> {
    fn deref_mut(&mut self) -> &mut DB::Connection {
        match self {
            Conn::Writer(t, _, owed) => {
                // A statement sent before the owed savepoint would escape the body's rollback.
                debug_assert_eq!(
                    *owed,
                    Owed::Nothing,
                    "a writer's statement before its savepoint"
                );
                t
            }
            Conn::Tx(t) => t,
            Conn::Pooled(c) => c,
        }
    }
}

impl<DB: sqlx::Database> Conn<DB> {
    async fn commit(self) -> Result<()> {
        if let Conn::Tx(t) | Conn::Writer(t, _, _) = self {
            t.commit().await?;
        }
        Ok(())
    }

    async fn rollback(self) -> Result<()> {
        if let Conn::Tx(t) | Conn::Writer(t, _, _) = self {
            t.rollback().await?;
        }
        Ok(())
    }
}

impl Tx {
    pub async fn commit(self) -> Result<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await,
            Tx::Pg(t) => t.commit().await,
        }
    }

    pub async fn rollback(self) -> Result<()> {
        match self {
            Tx::Sqlite(t) => t.rollback().await,
            Tx::Pg(t) => t.rollback().await,
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Tx::Sqlite(_) => Backend::Sqlite,
            Tx::Pg(_) => Backend::Postgres,
        }
    }

    /// What the one SQLite writer remembers of its hot rows, in its write transaction only.
    pub(crate) fn hot(&self) -> Option<&Arc<Hot>> {
        match self {
            Tx::Sqlite(Conn::Writer(_, hot, _)) => Some(hot),
            _ => None,
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
                // sqlx pings every connection it hands out: a round trip per transaction, a
                // tenth of a sale's. Only one idle long enough to have been dropped (a
                // restarted server, a firewall's timeout) is pinged first.
                .test_before_acquire(false)
                .before_acquire(|conn, meta| {
                    Box::pin(async move {
                        if meta.idle_for > IDLE_BEFORE_PING {
                            sqlx::Connection::ping(conn).await?;
                        }
                        Ok(true)
                    })
                })
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
            .busy_timeout(Duration::from_secs(5))
            // Savepoints (one per write of a batch) keep their sub-journal in memory.
            .pragma("temp_store", "memory");
        if let Some(parent) = options.get_filename().parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent).map_err(|e| {
                StoreError::Other(format!("cannot create {}: {e}", parent.display()))
            })?;
        }
        // The one writer keeps up to 128 MiB of pages (SQLite's default is 2 MiB): a large
        // write (an import of 100,000 customers into a million) updates indexes far larger
        // than the default, and re-reading their pages was most of its time. It is only
        // memory once used; readers keep the default and lean on the OS's cache.
        // Deleted and overwritten content is zeroed in the file (`secure_delete`): a customer
        // erased on request is not left in free space for anyone reading the file's bytes.
        // An embedded database's connection does not go away: no ping before each use (each
        // is a hop to the connection's thread).
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(0)
            .test_before_acquire(false)
            .connect_with(
                options
                    .clone()
                    .pragma("cache_size", "-131072")
                    .pragma("secure_delete", "on"),
            )
            .await?;
        let reader = SqlitePoolOptions::new()
            .max_connections(4)
            .min_connections(0)
            .test_before_acquire(false)
            .connect_with(options.read_only(true))
            .await?;
        Ok(Store {
            db: Db::Sqlite {
                writer,
                reader,
                group: Arc::default(),
                hot: Arc::default(),
            },
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

    /// A read: no writes. On SQLite a transaction, so its statements see one snapshot; on
    /// PostgreSQL a connection as it is (see [`Conn`]).
    pub async fn begin_read(&self) -> Result<Tx> {
        Ok(match &self.db {
            Db::Sqlite { reader, .. } => Tx::Sqlite(Conn::Tx(reader.begin().await?)),
            Db::Pg(p) => Tx::Pg(Conn::Pooled(p.acquire().await?)),
        })
    }

    async fn begin_write(&self) -> Result<Tx> {
        Ok(match &self.db {
            // Backend-specific: take the write lock up front (see `Db::Sqlite`).
            Db::Sqlite { writer, .. } => {
                Tx::Sqlite(Conn::Tx(writer.begin_with("BEGIN IMMEDIATE").await?))
            }
            Db::Pg(p) => Tx::Pg(Conn::Tx(p.begin().await?)),
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

    /// A reading connection outside any transaction: each statement sees the database as it
    /// is when it runs. For reads that need no snapshot across statements (a request's API key,
    /// a sale's pricing: the sale's own transaction checks what must hold), with no `BEGIN`
    /// and `COMMIT` (two hops to SQLite's thread).
    pub async fn reader(&self) -> Result<Tx> {
        Ok(match &self.db {
            Db::Sqlite { reader, .. } => Tx::Sqlite(Conn::Pooled(reader.acquire().await?)),
            Db::Pg(p) => Tx::Pg(Conn::Pooled(p.acquire().await?)),
        })
    }

    /// Runs `f` in a write transaction, committing on `Ok` and rolling back on `Err`.
    /// This is the one retry helper of ARCHITECTURE.md: on a serialization failure or
    /// deadlock (SQLSTATE 40001/40P01) or a busy SQLite database, the whole transaction runs
    /// again, up to five times with a growing, jittered pause.
    ///
    /// On SQLite, concurrent writes share one transaction ([`GroupCommit`]).
    pub async fn write<T, F>(&self, mut f: F) -> Result<T>
    where
        F: for<'t> FnMut(&'t mut Tx) -> TxFuture<'t, T>,
    {
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            let result = match &self.db {
                Db::Sqlite {
                    writer, group, hot, ..
                } => group.run(writer, hot, &mut f).await,
                Db::Pg(_) => {
                    async {
                        let mut tx = self.begin_write().await?;
                        let out = f(&mut tx).await?;
                        tx.commit().await?;
                        Ok(out)
                    }
                    .await
                }
            };
            match result {
                Err(StoreError::Stale) if attempt < 5 => {}
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
            Db::Sqlite { writer, reader, .. } => {
                reader.close().await;
                writer.close().await;
            }
            Db::Pg(p) => p.close().await,
        }
    }
}

fn is_retryable(e: &StoreError) -> bool {
    if matches!(e, StoreError::BatchFailed(_)) {
        return true;
    }
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

/// A PostgreSQL connection idle longer than this is pinged before it is used.
const IDLE_BEFORE_PING: Duration = Duration::from_secs(30);

/// SQLite group commit. Writers queue for the one writer connection; each runs its transaction
/// body inside a savepoint of a shared SQLite transaction, and the writer that finds nobody
/// queued behind it (or the batch full) commits them all at once: one COMMIT, one fsync of the
/// WAL, each changed page written once, where eight registers selling at once used to pay
/// eight. A body's savepoint costs no call of its own: it is sent with the body's first
/// statements ([`Conn::settle`]), and a body that succeeded leaves it open, nested in the
/// previous ones, for the COMMIT to release (a body that fails rolls back to its own, the
/// innermost, and releases it). Nobody hears back before that COMMIT is done, so an answered write is exactly as
/// durable as before (`synchronous=FULL`). A body that fails rolls back to its savepoint and
/// leaves the others alone; it too waits for the batch, because its failure may have depended
/// on what the batch's earlier writers did.
///
/// When the batch cannot commit, or a writer's future was dropped inside its savepoint (a
/// client gone mid-request), the whole shared transaction is rolled back and every writer of
/// the batch runs again ([`StoreError::BatchFailed`] is retried by [`Store::write`]): nothing of
/// it was committed, so running again is safe. The COMMIT itself runs on a task of its own, so
/// no caller going away can leave a batch half-known.
#[derive(Debug, Default)]
pub(crate) struct GroupCommit {
    batch: Arc<tokio::sync::Mutex<Batch>>,
    /// Writers waiting for the batch's lock: while there are some, the batch stays open.
    queued: AtomicUsize,
}

/// The most writers one COMMIT answers for, so the first of a long queue is not kept waiting.
const MAX_BATCH: usize = 16;

#[derive(Default)]
struct Batch {
    tx: Option<Tx>,
    /// Bodies run in the open transaction.
    jobs: usize,
    done: Option<watch::Sender<Option<Outcome>>>,
    /// A writer's future was dropped between its SAVEPOINT and its RELEASE.
    interrupted: bool,
    /// Counts the transactions opened, so a waiting writer knows whether its own is still open.
    generation: u64,
}

impl std::fmt::Debug for Batch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batch")
            .field("open", &self.tx.is_some())
            .field("jobs", &self.jobs)
            .field("interrupted", &self.interrupted)
            .finish()
    }
}

#[derive(Debug, Clone)]
enum Outcome {
    Committed,
    Failed(String),
}

/// Counts a writer as queued until it holds the batch (or gives up waiting).
struct Queued<'a>(&'a AtomicUsize);

impl<'a> Queued<'a> {
    fn new(n: &'a AtomicUsize) -> Self {
        n.fetch_add(1, Ordering::SeqCst);
        Queued(n)
    }
}

impl Drop for Queued<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl GroupCommit {
    async fn run<T, F>(&self, writer: &SqlitePool, hot: &Arc<Hot>, f: &mut F) -> Result<T>
    where
        F: for<'t> FnMut(&'t mut Tx) -> TxFuture<'t, T>,
    {
        let queued = Queued::new(&self.queued);
        let mut batch = self.batch.clone().lock_owned().await;
        drop(queued);
        if batch.interrupted {
            batch.fail("a writer of the batch was interrupted").await;
        }
        if batch.tx.is_none() {
            batch.tx = Some(Tx::Sqlite(Conn::Writer(
                writer.begin_with("BEGIN IMMEDIATE").await?,
                hot.clone(),
                Owed::Nothing,
            )));
            batch.done = Some(watch::channel(None).0);
            batch.jobs = 0;
            batch.generation += 1;
        }
        let generation = batch.generation;
        let Some(done) = batch.done.as_ref().map(watch::Sender::subscribe) else {
            return Err(StoreError::Other("write batch without its signal".into()));
        };
        // The batch's first writer needs no savepoint: if it fails, the transaction holds
        // nothing else and is rolled back whole. The others' is owed: it goes with their first
        // statements ([`Conn::settle`]).
        let first = batch.jobs == 0;
        batch.owe(!first);
        batch.interrupted = true;
        let out = match batch.tx.as_mut() {
            Some(tx) => f(tx).await,
            None => Err(StoreError::Other(
                "write batch without its transaction".into(),
            )),
        };
        let opened = !first && !batch.owe(false);
        if first && out.is_err() {
            if let Some(tx) = batch.tx.take() {
                // A rollback that fails leaves nothing committed either: the connection drops it.
                let _rolled_back = tx.rollback().await.is_ok();
            }
            batch.done = None;
            batch.interrupted = false;
            return out;
        }
        // A body that succeeded leaves its savepoint open: the COMMIT releases them all, and a
        // later writer's ROLLBACK TO names its own, the innermost. One that failed is undone.
        let closed = match (&out, opened) {
            (Err(_), true) => batch.savepoint("ROLLBACK TO w; RELEASE w").await,
            _ => Ok(()),
        };
        batch.interrupted = false;
        if let Err(e) = closed {
            batch.fail(&e.to_string()).await;
            return Err(StoreError::BatchFailed(e.to_string()));
        }
        batch.jobs += 1;
        if self.queued.load(Ordering::SeqCst) == 0 || batch.jobs >= MAX_BATCH {
            commit(batch);
        } else {
            drop(batch);
        }
        let mut done = done;
        let outcome = loop {
            let now = done.borrow_and_update().clone();
            if now.is_some() {
                break now;
            }
            tokio::select! {
                changed = done.changed() => if changed.is_err() {
                    break done.borrow().clone();
                },
                // The writer counted as queued behind us may have gone away before its turn,
                // or been dropped inside its savepoint: then nobody would end the batch.
                () = tokio::time::sleep(Duration::from_millis(20)) => {
                    let mut batch = self.batch.clone().lock_owned().await;
                    if batch.generation == generation && batch.tx.is_some() {
                        if batch.interrupted {
                            batch.fail("a writer of the batch was interrupted").await;
                        } else {
                            commit(batch);
                        }
                    }
                }
            }
        };
        match outcome {
            Some(Outcome::Committed) => out,
            Some(Outcome::Failed(e)) => Err(StoreError::BatchFailed(e)),
            None => Err(StoreError::BatchFailed("write batch abandoned".into())),
        }
    }
}

/// Commits the open batch on a task of its own, so the outcome is known even if the caller goes
/// away; the batch's lock is held until the COMMIT is done.
fn commit(mut batch: tokio::sync::OwnedMutexGuard<Batch>) {
    let tx = batch.tx.take();
    let signal = batch.done.take();
    batch.jobs = 0;
    tokio::spawn(async move {
        let outcome = match tx {
            Some(tx) => match tx.commit().await {
                Ok(()) => Outcome::Committed,
                Err(e) => Outcome::Failed(e.to_string()),
            },
            None => Outcome::Failed("write batch without its transaction".into()),
        };
        if let Some(s) = signal {
            s.send_replace(Some(outcome));
        }
        drop(batch);
    });
}

impl Batch {
    /// Sets whether the running body owes its savepoint; returns whether it still did.
    fn owe(&mut self, owe: bool) -> bool {
        match self.tx.as_mut() {
            Some(Tx::Sqlite(Conn::Writer(_, _, owed))) => {
                let was = *owed == Owed::Savepoint;
                *owed = if owe { Owed::Savepoint } else { Owed::Nothing };
                was
            }
            _ => false,
        }
    }

    async fn savepoint(&mut self, sql: &'static str) -> Result<()> {
        match self.tx.as_mut() {
            Some(Tx::Sqlite(t)) => {
                sqlx::query(sql).execute(&mut **t).await?;
                Ok(())
            }
            _ => Err(StoreError::Other(
                "write batch without its transaction".into(),
            )),
        }
    }

    /// Rolls the shared transaction back and tells its writers to run again.
    async fn fail(&mut self, why: &str) {
        if let Some(tx) = self.tx.take() {
            // A rollback that fails leaves nothing committed either: the connection drops it.
            let _rolled_back = tx.rollback().await.is_ok();
        }
        if let Some(s) = self.done.take() {
            s.send_replace(Some(Outcome::Failed(why.to_owned())));
        }
        self.jobs = 0;
        self.interrupted = false;
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
