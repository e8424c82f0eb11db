//! The only code that speaks SQL.
//!
//! One code path over embedded SQLite and PostgreSQL: every query is written once, with
//! `$1…$n` placeholders, and [`on_tx!`] expands it once per backend. Handlers never see sqlx;
//! they call the repository functions of this crate inside [`Store::read`] or
//! [`Store::write`] (the single retry helper for write transactions).
//!
//! Tenant isolation lives in the types: every repository function that touches an
//! organization's data takes a [`Tenant`], and a `Tenant` is only handed out by the
//! authentication paths (a membership, an API key) or by the operator's CLI.

pub mod accounting;
pub mod accounts;
pub mod api_keys;
pub mod backup;
mod batch;
pub mod booking_modules;
pub mod copy;
pub mod counters;
pub mod customer_fields;
pub mod customer_imports;
pub mod customer_types;
pub mod customers;
mod db;
pub mod documents;
pub mod groups;
pub mod holds;
mod hot;
pub mod items;
pub mod journal;
pub mod migrate;
pub mod offers;
pub mod online_carts;
pub mod orders;
pub mod organizations;
pub mod outbox;
pub mod planning;
pub mod promotions;
pub mod register_sessions;
pub mod registers;
pub mod reservations;
pub mod schema;
pub mod sessions;
pub mod shop;
pub mod signin;
pub mod sites;
pub mod statistics;
pub mod stripe;
pub mod throttle;
pub mod users;
pub mod vat_rates;

pub use db::{Backend, Conn, Owed, Store, Tx, TxFuture, redact};
pub use guichet_domain as domain;

use guichet_domain::OrganizationId;

/// Proof that the caller may act inside one organization. Repository functions of tenant
/// data take it and put its id in every `WHERE`, so a query without the tenant cannot be
/// written by accident and a guessed id of another organization matches no row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tenant(OrganizationId);

impl Tenant {
    /// For the operator's command line only (`guichet user create --org …`), where the
    /// person at the keyboard owns the installation. Web code gets its `Tenant` from
    /// [`users::membership`] or [`api_keys::authenticate`].
    pub fn trusted_operator(org: OrganizationId) -> Tenant {
        Tenant(org)
    }

    pub fn id(self) -> OrganizationId {
        self.0
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A unique constraint refused the write; the string names what is duplicated.
    #[error("already exists: {0}")]
    Duplicate(&'static str),
    /// Another row still refers to this one.
    #[error("still in use")]
    InUse,
    /// A rule of the store refused the operation (stable code).
    #[error("{0}")]
    Refused(&'static str),
    /// A referenced value is not acceptable: the field it came from and a stable code.
    #[error("{0}: {1}")]
    Invalid(String, &'static str),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("{0}")]
    Other(String),
    /// The shared SQLite transaction this write ran in was rolled back before it committed;
    /// nothing of it was kept and [`Store::write`] runs it again.
    #[error("write batch rolled back: {0}")]
    BatchFailed(String),
    /// A value the SQLite writer remembered (`hot`) was stale when a write used it: the write
    /// was rolled back and [`Store::write`] runs it again at once, asking the database.
    #[error("a remembered value was stale")]
    Stale,
}

impl StoreError {
    /// Maps a unique violation to `Duplicate(what)`, a foreign-key violation to `InUse`.
    pub(crate) fn on_constraint(e: sqlx::Error, what: &'static str) -> StoreError {
        if let sqlx::Error::Database(db) = &e {
            match db.kind() {
                sqlx::error::ErrorKind::UniqueViolation => return StoreError::Duplicate(what),
                sqlx::error::ErrorKind::ForeignKeyViolation => return StoreError::InUse,
                _ => {}
            }
        }
        StoreError::Database(e)
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Now, as the store keeps instants: microseconds since the Unix epoch, UTC.
/// Appends `rows` groups of `columns` numbered placeholders (`($1, $2), ($3, $4)`) to a
/// multi-row `INSERT … VALUES`, the same text on both backends.
pub(crate) fn push_placeholders(sql: &mut String, rows: usize, columns: usize) {
    use std::fmt::Write;
    for r in 0..rows {
        sql.push_str(if r == 0 { "(" } else { ", (" });
        for c in 0..columns {
            let sep = if c == 0 { "" } else { ", " };
            let _ = write!(sql, "{sep}${}", r * columns + c + 1);
        }
        sql.push(')');
    }
}

pub fn now_micros() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// SHA-256 of a secret token, as stored for sessions, API keys and invitations: the
/// database never holds a usable secret.
pub fn token_hash(token: &str) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::digest(token.as_bytes()).to_vec()
}

/// A new random secret token (256 bits, hex).
pub fn new_token() -> String {
    let bytes: [u8; 32] = rand::random();
    hex::encode(bytes)
}
