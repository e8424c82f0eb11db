//! What SQLite's one writer remembers of the rows every sale moves: the day's order counter,
//! the journal's heads and each register's open session.
//!
//! A sale needs their values before it can write anything else: the number goes into the
//! order, its payments and its journal record; the head's hash and sequence into the entries'
//! hashes. Asking the database for them first was two more calls to SQLite's thread per sale,
//! each while the sale held the one writer. With one writer, the values it wrote last are the
//! values now, so a sale can take them from here and send everything in one call
//! (`orders::sell`).
//!
//! Nothing relies on this being right. Every value taken from here is checked by the statement
//! that moves it on (`… WHERE value = <remembered>`): a value that is stale (another process
//! wrote the file, a batch was rolled back after it was remembered, a cancellation moved a head
//! in a way not seen here) changes no row, the sale's call is rolled back to its savepoint,
//! what is remembered is forgotten, and the sale runs the way that asks the database. Only the
//! writer's transaction ([`crate::Tx::hot`]) sees this, and only one writer body runs at a
//! time, so the lock is never contended.

use std::collections::HashMap;
use std::sync::Mutex;
use uuid::Uuid;

/// A journal chain's head: its last sequence number, its hash and its perpetual totals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Head {
    pub(crate) seq: i64,
    pub(crate) hash: Vec<u8>,
    pub(crate) sales_cents: i64,
    pub(crate) payments_cents: i64,
}

#[derive(Debug, Default)]
struct Rows {
    /// `(organization, counter key)` → the last value given.
    counters: HashMap<(Uuid, String), i64>,
    /// `(organization, chain)` → the chain's head.
    heads: HashMap<(Uuid, String), Head>,
    /// `(organization, register)` → its open session, `None` when it has none.
    sessions: HashMap<(Uuid, Uuid), Option<Uuid>>,
}

/// Beyond this many remembered rows (a server up for years: one counter per day), everything
/// is forgotten; the next sales ask the database again.
const MAX_ROWS: usize = 4096;

/// The writer's remembered rows (see the module's documentation).
#[derive(Debug, Default)]
pub struct Hot(Mutex<Rows>);

impl Hot {
    fn with<T>(&self, f: impl FnOnce(&mut Rows) -> T) -> T {
        // A panic while holding this lock cannot leave a wrong value that would be trusted
        // (every value is checked when used), so a poisoned lock is used as it is.
        let mut rows = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if rows.counters.len() + rows.heads.len() + rows.sessions.len() > MAX_ROWS {
            *rows = Rows::default();
        }
        f(&mut rows)
    }

    pub(crate) fn counter(&self, org: Uuid, key: &str) -> Option<i64> {
        self.with(|r| r.counters.get(&(org, key.to_owned())).copied())
    }

    pub(crate) fn set_counter(&self, org: Uuid, key: &str, value: i64) {
        self.with(|r| r.counters.insert((org, key.to_owned()), value));
    }

    pub(crate) fn head(&self, org: Uuid, chain: &str) -> Option<Head> {
        self.with(|r| r.heads.get(&(org, chain.to_owned())).cloned())
    }

    pub(crate) fn set_head(&self, org: Uuid, chain: &str, head: Head) {
        self.with(|r| r.heads.insert((org, chain.to_owned()), head));
    }

    /// `Some(None)`: remembered as having no open session.
    pub(crate) fn session(&self, org: Uuid, register: Uuid) -> Option<Option<Uuid>> {
        self.with(|r| r.sessions.get(&(org, register)).copied())
    }

    pub(crate) fn set_session(&self, org: Uuid, register: Uuid, session: Option<Uuid>) {
        self.with(|r| r.sessions.insert((org, register), session));
    }

    /// Forgets everything remembered of `org` (a remembered value was found stale).
    pub(crate) fn forget(&self, org: Uuid) {
        self.with(|r| {
            r.counters.retain(|k, _| k.0 != org);
            r.heads.retain(|k, _| k.0 != org);
            r.sessions.retain(|k, _| k.0 != org);
        });
    }
}
