//! An online copy of a live SQLite database (`guichet backup`). PostgreSQL has its own tools
//! (`pg_dump`), which the command points to.

use crate::{Backend, Result, Store, StoreError};
use std::path::Path;

/// Writes a consistent copy of the SQLite database to `to` (a new file) while the server
/// keeps selling: `VACUUM INTO` reads one snapshot (a read transaction, so in WAL mode it
/// neither waits for nor blocks writers) and writes a compact database file. Refused with
/// `backup_postgres` on PostgreSQL.
pub async fn sqlite_copy(store: &Store, to: &Path) -> Result<()> {
    if store.backend() == Backend::Postgres {
        return Err(StoreError::Refused("backup_postgres"));
    }
    let Some(writer) = store.sqlite_writer() else {
        return Err(StoreError::Refused("backup_postgres"));
    };
    let Some(to) = to.to_str() else {
        return Err(StoreError::Invalid("to".into(), "not_utf8"));
    };
    sqlx::query("VACUUM INTO $1")
        .bind(to)
        .execute(writer)
        .await?;
    Ok(())
}
