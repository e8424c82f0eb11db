//! What the database holds, read back from the database itself: tables, columns with a
//! portable kind, primary keys, indexes and foreign keys. Used to prove that the SQLite and
//! PostgreSQL migration trees produce the same schema, and by `db copy` to move any table
//! without a hand-kept list. The catalogue queries are backend-specific by nature.

use crate::{Result, Store, StoreError, Tx};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Tables that belong to the migration machinery, not to Guichet's data.
const INTERNAL_TABLES: [&str; 2] = ["_sqlx_migrations", "guichet_migration_lock"];

/// Tables that are not Guichet's data: the migration machinery's, and SQLite's customer
/// search index (`customers_fts*`: the FTS5 table, its shadow tables and key map), which
/// triggers derive from `customers` — a copy rebuilds it by inserting the customers.
fn internal(name: &str) -> bool {
    INTERNAL_TABLES.contains(&name) || name.starts_with("customers_fts")
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Column {
    pub name: String,
    /// Portable kind: `uuid`, `int8`, `int4`, `text`, `bool`, `bytes`.
    pub kind: String,
    pub nullable: bool,
    pub primary_key: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Index {
    pub name: String,
    pub unique: bool,
    pub columns: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ForeignKey {
    pub column: String,
    pub references_table: String,
    pub references_column: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Table {
    pub name: String,
    pub columns: Vec<Column>,
    pub indexes: Vec<Index>,
    pub foreign_keys: Vec<ForeignKey>,
}

/// The schema as a sorted list of tables.
pub async fn describe(store: &Store) -> Result<Vec<Table>> {
    let mut tx = store.begin_read().await?;
    let tables = match &mut tx {
        Tx::Sqlite(t) => describe_sqlite(t).await?,
        Tx::Pg(t) => describe_pg(t).await?,
    };
    tx.commit().await?;
    Ok(tables)
}

fn sqlite_kind(declared: &str) -> String {
    // Our SQLite migrations declare ids as BLOB and binary data as BYTEA.
    match declared.to_ascii_uppercase().as_str() {
        "BLOB" => "uuid",
        "BIGINT" => "int8",
        "INTEGER" => "int4",
        "TEXT" => "text",
        "BOOLEAN" => "bool",
        "BYTEA" => "bytes",
        other => return format!("unknown:{other}"),
    }
    .to_owned()
}

fn pg_kind(udt: &str) -> String {
    match udt {
        "uuid" => "uuid",
        "int8" => "int8",
        "int4" => "int4",
        "text" => "text",
        "bool" => "bool",
        "bytea" => "bytes",
        other => return format!("unknown:{other}"),
    }
    .to_owned()
}

/// A row of `PRAGMA foreign_key_list`: id, seq, table, from, to, on_update, on_delete, match.
type SqliteForeignKeyRow = (
    i64,
    i64,
    String,
    String,
    Option<String>,
    String,
    String,
    String,
);

async fn describe_sqlite(c: &mut sqlx::SqliteConnection) -> Result<Vec<Table>> {
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .fetch_all(&mut *c)
    .await?;
    let mut tables = Vec::new();
    for name in names.into_iter().filter(|n| !internal(n)) {
        let quoted = name.replace('"', "\"\"");
        let cols: Vec<(i64, String, String, bool, Option<String>, i64)> = sqlx::query_as(
            sqlx::AssertSqlSafe(format!("PRAGMA table_info(\"{quoted}\")")),
        )
        .fetch_all(&mut *c)
        .await?;
        let mut columns: Vec<Column> = cols
            .into_iter()
            .map(|(_, col, decl, notnull, _, pk)| Column {
                name: col,
                kind: sqlite_kind(&decl),
                nullable: !notnull && pk == 0,
                primary_key: pk > 0,
            })
            .collect();
        columns.sort();
        let idx: Vec<(i64, String, bool, String, bool)> = sqlx::query_as(sqlx::AssertSqlSafe(
            format!("PRAGMA index_list(\"{quoted}\")"),
        ))
        .fetch_all(&mut *c)
        .await?;
        let mut indexes = Vec::new();
        for (_, index_name, unique, origin, _) in idx {
            if origin == "pk" {
                continue;
            }
            let cols: Vec<(i64, i64, Option<String>)> = sqlx::query_as(sqlx::AssertSqlSafe(
                format!("PRAGMA index_info(\"{}\")", index_name.replace('"', "\"\"")),
            ))
            .fetch_all(&mut *c)
            .await?;
            indexes.push(Index {
                name: index_name,
                unique,
                columns: cols.into_iter().filter_map(|(_, _, n)| n).collect(),
            });
        }
        indexes.sort();
        let fks: Vec<SqliteForeignKeyRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "PRAGMA foreign_key_list(\"{quoted}\")"
        )))
        .fetch_all(&mut *c)
        .await?;
        let mut foreign_keys: Vec<ForeignKey> = fks
            .into_iter()
            .map(|(_, _, table, from, to, _, _, _)| ForeignKey {
                column: from,
                references_table: table,
                references_column: to.unwrap_or_else(|| "id".to_owned()),
            })
            .collect();
        foreign_keys.sort();
        tables.push(Table {
            name,
            columns,
            indexes,
            foreign_keys,
        });
    }
    Ok(tables)
}

async fn describe_pg(c: &mut sqlx::PgConnection) -> Result<Vec<Table>> {
    let cols: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text, udt_name::text, is_nullable::text
         FROM information_schema.columns WHERE table_schema = current_schema()
         ORDER BY table_name, column_name",
    )
    .fetch_all(&mut *c)
    .await?;
    let idx: Vec<(String, String, bool, bool, String)> = sqlx::query_as(
        "SELECT t.relname::text, i.relname::text, ix.indisunique, ix.indisprimary, a.attname::text
         FROM pg_class t
         JOIN pg_index ix ON t.oid = ix.indrelid
         JOIN pg_class i ON i.oid = ix.indexrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace
         CROSS JOIN LATERAL unnest(ix.indkey::int2[]) WITH ORDINALITY AS k(attnum, pos)
         JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
         WHERE n.nspname = current_schema()
         ORDER BY t.relname, i.relname, k.pos",
    )
    .fetch_all(&mut *c)
    .await?;
    let fks: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT cl.relname::text, a.attname::text, rcl.relname::text, ra.attname::text
         FROM pg_constraint co
         JOIN pg_class cl ON cl.oid = co.conrelid
         JOIN pg_namespace n ON n.oid = cl.relnamespace
         JOIN pg_class rcl ON rcl.oid = co.confrelid
         JOIN pg_attribute a ON a.attrelid = co.conrelid AND a.attnum = co.conkey[1]
         JOIN pg_attribute ra ON ra.attrelid = co.confrelid AND ra.attnum = co.confkey[1]
         WHERE co.contype = 'f' AND n.nspname = current_schema()",
    )
    .fetch_all(&mut *c)
    .await?;

    let mut primary: BTreeSet<(String, String)> = BTreeSet::new();
    let mut indexes: BTreeMap<String, BTreeMap<String, Index>> = BTreeMap::new();
    for (table, index, unique, is_primary, column) in idx {
        if is_primary {
            primary.insert((table, column));
            continue;
        }
        indexes
            .entry(table)
            .or_default()
            .entry(index.clone())
            .or_insert_with(|| Index {
                name: index,
                unique,
                columns: Vec::new(),
            })
            .columns
            .push(column);
    }
    let mut by_table: BTreeMap<String, Table> = BTreeMap::new();
    for (table, column, udt, nullable) in cols {
        if internal(&table) {
            continue;
        }
        let pk = primary.contains(&(table.clone(), column.clone()));
        by_table
            .entry(table.clone())
            .or_insert_with(|| Table {
                name: table.clone(),
                columns: vec![],
                indexes: vec![],
                foreign_keys: vec![],
            })
            .columns
            .push(Column {
                name: column,
                kind: pg_kind(&udt),
                nullable: nullable == "YES",
                primary_key: pk,
            });
    }
    for (table, column, ref_table, ref_column) in fks {
        if let Some(t) = by_table.get_mut(&table) {
            t.foreign_keys.push(ForeignKey {
                column,
                references_table: ref_table,
                references_column: ref_column,
            });
        }
    }
    for t in by_table.values_mut() {
        t.columns.sort();
        t.foreign_keys.sort();
        t.indexes = indexes
            .remove(&t.name)
            .map(|m| m.into_values().collect())
            .unwrap_or_default();
        t.indexes.sort();
    }
    Ok(by_table.into_values().collect())
}

/// Tables ordered so that every table comes after the tables it refers to.
pub fn dependency_order(tables: &[Table]) -> Result<Vec<&Table>> {
    let mut done: BTreeSet<&str> = BTreeSet::new();
    let mut ordered = Vec::new();
    while ordered.len() < tables.len() {
        let before = ordered.len();
        for t in tables {
            if done.contains(t.name.as_str()) {
                continue;
            }
            let ready = t.foreign_keys.iter().all(|fk| {
                fk.references_table == t.name || done.contains(fk.references_table.as_str())
            });
            if ready {
                done.insert(t.name.as_str());
                ordered.push(t);
            }
        }
        if ordered.len() == before {
            return Err(StoreError::Other("foreign keys form a cycle".to_owned()));
        }
    }
    Ok(ordered)
}
