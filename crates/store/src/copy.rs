//! `guichet db copy`: moves an installation from SQLite to PostgreSQL (or between any two
//! Guichet databases of the same schema version). The target is migrated, must be empty,
//! receives every table in foreign-key order inside one transaction, and row counts are
//! compared at the end.

use crate::schema::{self, Table};
use crate::{Result, Store, StoreError, Tx, on_tx};
use sqlx::Row;
use uuid::Uuid;

/// One table's row counts after the copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCount {
    pub table: String,
    pub source_rows: i64,
    pub target_rows: i64,
}

const BATCH: i64 = 500;

enum Value {
    Uuid(Option<Uuid>),
    Int8(Option<i64>),
    Int4(Option<i32>),
    Text(Option<String>),
    Bool(Option<bool>),
    Bytes(Option<Vec<u8>>),
}

fn read_value<R>(row: &R, i: usize, kind: &str) -> Result<Value>
where
    R: Row,
    usize: sqlx::ColumnIndex<R>,
    Option<Uuid>: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Option<i64>: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Option<i32>: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Option<String>: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Option<bool>: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Option<Vec<u8>>: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    Ok(match kind {
        "uuid" => Value::Uuid(row.try_get(i)?),
        "int8" => Value::Int8(row.try_get(i)?),
        "int4" => Value::Int4(row.try_get(i)?),
        "text" => Value::Text(row.try_get(i)?),
        "bool" => Value::Bool(row.try_get(i)?),
        "bytes" => Value::Bytes(row.try_get(i)?),
        other => {
            return Err(StoreError::Other(format!(
                "cannot copy a column of kind {other}"
            )));
        }
    })
}

async fn count(tx: &mut Tx, table: &str) -> Result<i64> {
    let sql = format!("SELECT COUNT(*) FROM {table}");
    Ok(on_tx!(tx, c => sqlx::query_scalar(sqlx::AssertSqlSafe(sql.as_str())).fetch_one(c).await?))
}

async fn applied_versions(store: &Store) -> Result<Vec<i64>> {
    let mut tx = store.begin_read().await?;
    let v: Vec<i64> = on_tx!(&mut tx, c => sqlx::query_scalar(
        "SELECT version FROM _sqlx_migrations WHERE success = TRUE ORDER BY version")
        .fetch_all(c)
        .await?);
    tx.commit().await?;
    Ok(v)
}

/// Copies everything from `from` to `to`. `to` is migrated first; the copy is refused when
/// the source is not at this binary's schema version or the target holds any row.
pub async fn copy(from: &Store, to: &Store) -> Result<Vec<TableCount>> {
    let expected = crate::migrate::versions();
    if applied_versions(from)
        .await
        .map_err(|_| StoreError::Refused("source_not_migrated"))?
        != expected
    {
        return Err(StoreError::Refused("source_schema_version_differs"));
    }
    crate::migrate::run(to).await?;
    let source_tables = schema::describe(from).await?;
    let target_tables = schema::describe(to).await?;
    if source_tables != target_tables {
        return Err(StoreError::Refused("schemas_differ"));
    }
    let ordered: Vec<&Table> = schema::dependency_order(&source_tables)?;

    let mut read = from.begin_read().await?;
    let mut write = to.begin_write_for_copy().await?;
    for table in &ordered {
        if count(&mut write, &table.name).await? > 0 {
            return Err(StoreError::Refused("target_not_empty"));
        }
    }
    for table in &ordered {
        copy_table(&mut read, &mut write, table).await?;
    }
    let mut counts = Vec::new();
    for table in &ordered {
        counts.push(TableCount {
            table: table.name.clone(),
            source_rows: count(&mut read, &table.name).await?,
            target_rows: count(&mut write, &table.name).await?,
        });
    }
    if counts.iter().any(|c| c.source_rows != c.target_rows) {
        return Err(StoreError::Other(format!(
            "row counts differ after copy: {counts:?}"
        )));
    }
    write.commit().await?;
    read.commit().await?;
    Ok(counts)
}

async fn copy_table(read: &mut Tx, write: &mut Tx, table: &Table) -> Result<()> {
    let names: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
    let order_by: Vec<&str> = table
        .columns
        .iter()
        .filter(|c| c.primary_key)
        .map(|c| c.name.as_str())
        .collect();
    let select = format!(
        "SELECT {} FROM {} ORDER BY {} LIMIT $1 OFFSET $2",
        names.join(", "),
        table.name,
        if order_by.is_empty() {
            names.join(", ")
        } else {
            order_by.join(", ")
        }
    );
    let placeholders: Vec<String> = (1..=names.len()).map(|i| format!("${i}")).collect();
    let insert = format!(
        "INSERT INTO {} ({}) VALUES ({})",
        table.name,
        names.join(", "),
        placeholders.join(", ")
    );
    let mut offset = 0;
    loop {
        let rows: Vec<Vec<Value>> = on_tx!(read, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(select.as_str()))
                .bind(BATCH)
                .bind(offset)
                .fetch_all(c)
                .await?;
            rows.iter()
                .map(|row| {
                    table.columns.iter().enumerate()
                        .map(|(i, col)| read_value(row, i, &col.kind))
                        .collect::<Result<Vec<Value>>>()
                })
                .collect::<Result<Vec<_>>>()?
        });
        let n = rows.len();
        for row in rows {
            on_tx!(write, c => {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(insert.as_str()));
                for v in row {
                    q = match v {
                        Value::Uuid(v) => q.bind(v),
                        Value::Int8(v) => q.bind(v),
                        Value::Int4(v) => q.bind(v),
                        Value::Text(v) => q.bind(v),
                        Value::Bool(v) => q.bind(v),
                        Value::Bytes(v) => q.bind(v),
                    };
                }
                q.execute(c).await?.rows_affected()
            });
        }
        if (n as i64) < BATCH {
            return Ok(());
        }
        offset += BATCH;
    }
}
