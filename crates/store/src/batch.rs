//! Statements of one transaction handed to the database together.
//!
//! A sale is a dozen statements. On SQLite each statement sent on its own is a hop to the
//! connection's thread and back (two thread wake-ups), and under load those hops were most of
//! the server's CPU and most of the time a sale held the one writer. A [`Batch`] sends its
//! statements to SQLite as one multi-statement call, which runs them in order on the
//! connection's thread; PostgreSQL takes one statement per call, so there they run one after
//! the other. Either way they are the same statements with the same values, in the same order,
//! in the caller's transaction, and each one's count of changed rows is known.
//!
//! A statement whose rows are needed is pushed with [`Batch::push_returning`]: its first row is
//! read from [`Ran::row`] once the batch has run (on PostgreSQL it runs as a statement of its
//! own). Reads go the same way with [`Batch::push_rows`] and [`Ran::rows`]: a sale's pricing
//! reads what it needs as one batch (`orders::sale_reads`). A conditional statement — a take that must change
//! exactly one row — is marked with [`Batch::expect_one`]: [`Batch::run`] then answers which
//! one changed none, and the caller refuses the sale (its transaction is rolled back, so what
//! the batch's later statements did on SQLite is undone with it).

use crate::{Backend, Result, StoreError, Tx};
use futures_util::TryStreamExt;
use sqlx::{Either, Executor};
use uuid::Uuid;

/// A value bound to a statement of a batch.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Arg {
    Uuid(Option<Uuid>),
    Int(Option<i64>),
    /// A 4-byte integer column (PostgreSQL declares the parameter's type from it).
    Int4(Option<i32>),
    Text(Option<String>),
    Blob(Option<Vec<u8>>),
}

impl From<Uuid> for Arg {
    fn from(v: Uuid) -> Self {
        Arg::Uuid(Some(v))
    }
}
impl From<Option<Uuid>> for Arg {
    fn from(v: Option<Uuid>) -> Self {
        Arg::Uuid(v)
    }
}
impl From<i64> for Arg {
    fn from(v: i64) -> Self {
        Arg::Int(Some(v))
    }
}
impl From<Option<i64>> for Arg {
    fn from(v: Option<i64>) -> Self {
        Arg::Int(v)
    }
}
impl From<i32> for Arg {
    fn from(v: i32) -> Self {
        Arg::Int4(Some(v))
    }
}
impl From<&str> for Arg {
    fn from(v: &str) -> Self {
        Arg::Text(Some(v.to_owned()))
    }
}
impl From<String> for Arg {
    fn from(v: String) -> Self {
        Arg::Text(Some(v))
    }
}
impl From<Option<&str>> for Arg {
    fn from(v: Option<&str>) -> Self {
        Arg::Text(v.map(str::to_owned))
    }
}
impl From<Option<String>> for Arg {
    fn from(v: Option<String>) -> Self {
        Arg::Text(v)
    }
}
impl From<&[u8]> for Arg {
    fn from(v: &[u8]) -> Self {
        Arg::Blob(Some(v.to_vec()))
    }
}

/// One statement, its placeholders numbered from `$1` in its own text.
#[derive(Debug)]
struct Statement {
    sql: String,
    args: Vec<Arg>,
    /// Must change exactly this many rows (a conditional take: one).
    expect: Option<u64>,
    /// A unique violation here means this duplicate ([`StoreError::Duplicate`]).
    unique: Option<&'static str>,
    /// Its rows are kept: the first ([`Ran::row`]) or all ([`Ran::rows`]).
    returns: Returns,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Returns {
    Nothing,
    First,
    All,
}

/// Statements to run in order in one transaction (see the module's documentation).
#[derive(Debug, Default)]
pub(crate) struct Batch {
    statements: Vec<Statement>,
}

/// The batch's statements ran; `refused` is the first statement marked
/// [`Batch::expect_one`] that changed no row, if any.
#[derive(Debug, Default)]
pub(crate) struct Ran {
    pub(crate) refused: Option<usize>,
    /// The first row of each statement pushed with [`Batch::push_returning`] that gave one.
    rows: Vec<(usize, Returned)>,
}

/// A row a batched statement returned, as its driver read it.
#[derive(Debug)]
enum Returned {
    Sqlite(sqlx::sqlite::SqliteRow),
    Pg(sqlx::postgres::PgRow),
}

impl Ran {
    /// The first row statement `i` returned, if any.
    pub(crate) fn row<T>(&self, i: usize) -> Result<Option<T>>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
            + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>,
    {
        match self.rows.iter().find(|(s, _)| *s == i) {
            None => Ok(None),
            Some((_, Returned::Sqlite(r))) => Ok(Some(T::from_row(r)?)),
            Some((_, Returned::Pg(r))) => Ok(Some(T::from_row(r)?)),
        }
    }

    /// Every row statement `i` returned (pushed with [`Batch::push_rows`]), in order.
    pub(crate) fn rows<T>(&self, i: usize) -> Result<Vec<T>>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
            + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>,
    {
        self.rows
            .iter()
            .filter(|(s, _)| *s == i)
            .map(|(_, r)| match r {
                Returned::Sqlite(r) => Ok(T::from_row(r)?),
                Returned::Pg(r) => Ok(T::from_row(r)?),
            })
            .collect()
    }
}

impl Batch {
    /// Adds a statement; returns its index (for [`Ran::refused`]).
    pub(crate) fn push(&mut self, sql: impl Into<String>, args: Vec<Arg>) -> usize {
        self.statements.push(Statement {
            sql: sql.into(),
            args,
            expect: None,
            unique: None,
            returns: Returns::Nothing,
        });
        self.statements.len() - 1
    }

    /// Adds a statement whose first row is wanted ([`Ran::row`]); returns its index.
    pub(crate) fn push_returning(&mut self, sql: impl Into<String>, args: Vec<Arg>) -> usize {
        self.returning(sql, args, Returns::First)
    }

    /// Adds a statement whose rows are all wanted ([`Ran::rows`]): a read among others.
    pub(crate) fn push_rows(&mut self, sql: impl Into<String>, args: Vec<Arg>) -> usize {
        self.returning(sql, args, Returns::All)
    }

    fn returning(&mut self, sql: impl Into<String>, args: Vec<Arg>, returns: Returns) -> usize {
        let i = self.push(sql, args);
        if let Some(s) = self.statements.get_mut(i) {
            s.returns = returns;
        }
        i
    }

    /// Marks statement `i` as a conditional one that must change exactly one row.
    pub(crate) fn expect_one(&mut self, i: usize) -> usize {
        self.expect(i, 1)
    }

    /// Marks statement `i` as one that must change exactly `rows` rows (a check that what was
    /// remembered still holds may expect none).
    pub(crate) fn expect(&mut self, i: usize, rows: u64) -> usize {
        if let Some(s) = self.statements.get_mut(i) {
            s.expect = Some(rows);
        }
        i
    }

    /// A unique violation in statement `i` is reported as a duplicate `what`.
    pub(crate) fn unique(&mut self, i: usize, what: &'static str) {
        if let Some(s) = self.statements.get_mut(i) {
            s.unique = Some(what);
        }
    }

    /// Runs the statements in order in `tx`. On PostgreSQL it stops at the first refusal; on
    /// SQLite every statement has run by then, and the caller's rollback undoes them.
    pub(crate) async fn run(self, tx: &mut Tx) -> Result<Ran> {
        let expect: Vec<Option<u64>> = self.statements.iter().map(|s| s.expect).collect();
        let backend = tx.backend();
        let mut changed: Vec<u64> = Vec::with_capacity(expect.len());
        let mut rows = Vec::new();
        for group in groups(self.statements, backend) {
            let first = changed.len();
            let (counts, returned) = match tx {
                Tx::Sqlite(c) => {
                    let owed = c.take_owed();
                    run_sqlite(c, owed, &group).await?
                }
                Tx::Pg(c) => run_pg(c, &group).await?,
            };
            changed.extend(counts);
            rows.extend(returned.into_iter().map(|(i, r)| (first + i, r)));
            if refused(&expect, &changed).is_some() {
                break;
            }
        }
        Ok(Ran {
            refused: refused(&expect, &changed),
            rows,
        })
    }
}

/// The first statement that had to change a number of rows and did not.
fn refused(expect: &[Option<u64>], changed: &[u64]) -> Option<usize> {
    expect
        .iter()
        .zip(changed)
        .position(|(e, n)| e.is_some_and(|e| e != *n))
}

/// Bound values per call: under SQLite's limit (32,766) and PostgreSQL's (65,535).
const MAX_ARGS: usize = 30_000;

/// The calls a batch takes: as many statements per call as the bound values allow. On
/// PostgreSQL a statement whose unique violation means something runs alone, so its error is
/// its own.
fn groups(statements: Vec<Statement>, backend: Backend) -> Vec<Vec<Statement>> {
    let mut groups: Vec<Vec<Statement>> = Vec::new();
    let mut current: Vec<Statement> = Vec::new();
    let mut args = 0;
    for s in statements {
        let alone =
            backend == Backend::Postgres && (s.unique.is_some() || s.returns != Returns::Nothing);
        if !current.is_empty() && (alone || args + s.args.len() > MAX_ARGS) {
            groups.push(std::mem::take(&mut current));
            args = 0;
        }
        args += s.args.len();
        current.push(s);
        if alone {
            groups.push(std::mem::take(&mut current));
            args = 0;
        }
    }
    if !current.is_empty() {
        groups.push(current);
    }
    groups
}

/// What a call answered: each statement's changed rows, and the first row of those that return
/// theirs (by index in the call).
type Answer = (Vec<u64>, Vec<(usize, Returned)>);

/// SQLite: the statements as one multi-statement call, run in order on the connection's
/// thread; each reports its changed rows. `first`: a statement without values to send before
/// them (the savepoint a writer owes, `crate::db::Conn::settle`), whose count is not reported.
async fn run_sqlite(
    c: &mut sqlx::SqliteConnection,
    first: Option<&str>,
    group: &[Statement],
) -> Result<Answer> {
    let (mut sql, args) = joined(group, ";\n");
    let mut skip = 0;
    if let Some(first) = first {
        sql.insert_str(0, &format!("{first};\n"));
        skip = 1;
    }
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for a in args {
        q = bind(q, a);
    }
    let mut changed: Vec<u64> = Vec::with_capacity(group.len());
    let mut rows = Vec::new();
    let mut results = c.fetch_many(q);
    loop {
        match results.try_next().await {
            Ok(Some(Either::Left(_))) if skip > 0 => skip -= 1,
            Ok(Some(Either::Left(done))) => changed.push(done.rows_affected()),
            Ok(Some(Either::Right(row))) => {
                // A row comes before its statement's count: the statement is the next one.
                let i = changed.len();
                let wanted = match group.get(i).map(|s| s.returns) {
                    Some(Returns::All) => true,
                    Some(Returns::First) => !rows.iter().any(|(s, _)| *s == i),
                    _ => false,
                };
                if wanted {
                    rows.push((i, Returned::Sqlite(row)));
                }
            }
            Ok(None) => break,
            Err(e) => {
                // The statement that failed is the first without its count.
                let unique = group.get(changed.len()).and_then(|s| s.unique);
                return Err(failed(e, unique));
            }
        }
    }
    drop(results);
    if changed.len() != group.len() {
        return Err(StoreError::Other(format!(
            "a batch of {} statements reported {}",
            group.len(),
            changed.len()
        )));
    }
    Ok((changed, rows))
}

/// PostgreSQL: one statement as it is; several as one statement, each a data-modifying `WITH`
/// that returns a row per row it changed, counted at the end. Its parts see the same snapshot
/// and none sees another's changes, so a batch never changes one row twice (a sale's takes
/// are one per counter row); foreign keys are checked at the end of the statement, so lines
/// may go in with their order.
async fn run_pg(c: &mut sqlx::PgConnection, group: &[Statement]) -> Result<Answer> {
    if let [s] = group
        && s.returns != Returns::Nothing
    {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(s.sql.clone()));
        for a in s.args.iter().cloned() {
            q = bind(q, a);
        }
        let rows = q
            .fetch_all(&mut *c)
            .await
            .map_err(|e| failed(e, s.unique))?;
        let n = u64::try_from(rows.len()).unwrap_or(u64::MAX);
        let keep = if s.returns == Returns::All {
            rows.len()
        } else {
            1
        };
        let kept = rows.into_iter().take(keep).map(|r| (0, Returned::Pg(r)));
        return Ok((vec![n], kept.collect()));
    }
    if let [s] = group {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(s.sql.clone()));
        for a in s.args.iter().cloned() {
            q = bind(q, a);
        }
        let n = q
            .execute(&mut *c)
            .await
            .map_err(|e| failed(e, s.unique))?
            .rows_affected();
        return Ok((vec![n], Vec::new()));
    }
    let mut sql = String::from("WITH ");
    let mut args: Vec<Arg> = Vec::new();
    for (i, s) in group.iter().enumerate() {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push_str(&format!("s{i} AS ("));
        renumber(&s.sql, args.len(), &mut sql);
        sql.push_str(" RETURNING 1)");
        args.extend(s.args.iter().cloned());
    }
    sql.push_str(" SELECT ");
    for i in 0..group.len() {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push_str(&format!("(SELECT COUNT(*) FROM s{i})"));
    }
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for a in args {
        q = bind(q, a);
    }
    let row = q.fetch_one(&mut *c).await.map_err(StoreError::Database)?;
    let counts = (0..group.len())
        .map(|i| {
            let n: i64 = sqlx::Row::try_get(&row, i)?;
            Ok(u64::try_from(n).unwrap_or(0))
        })
        .collect::<Result<Vec<u64>>>()?;
    Ok((counts, Vec::new()))
}

/// The statements' texts joined by `sep`, each one's placeholders moved past the previous
/// ones', and their values in that order.
fn joined(group: &[Statement], sep: &str) -> (String, Vec<Arg>) {
    let mut sql = String::new();
    let mut args = Vec::new();
    for s in group {
        renumber(&s.sql, args.len(), &mut sql);
        sql.push_str(sep);
        args.extend(s.args.iter().cloned());
    }
    (sql, args)
}

fn failed(e: sqlx::Error, unique: Option<&'static str>) -> StoreError {
    match unique {
        Some(what) => StoreError::on_constraint(e, what),
        None => StoreError::Database(e),
    }
}

/// Appends `sql` with every `$N` written `$(N + offset)`. Statements of a batch hold no `$`
/// other than placeholders.
fn renumber(sql: &str, offset: usize, out: &mut String) {
    let mut rest = sql;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        match after[..digits].parse::<usize>() {
            Ok(n) => {
                out.push('$');
                out.push_str(&(n + offset).to_string());
            }
            Err(_) => out.push('$'),
        }
        rest = &after[digits..];
    }
    out.push_str(rest);
}

fn bind<'q, DB>(
    q: sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments>,
    a: Arg,
) -> sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments>
where
    DB: sqlx::Database,
    Option<Uuid>: for<'e> sqlx::Encode<'e, DB> + sqlx::Type<DB>,
    Option<i64>: for<'e> sqlx::Encode<'e, DB> + sqlx::Type<DB>,
    Option<i32>: for<'e> sqlx::Encode<'e, DB> + sqlx::Type<DB>,
    Option<String>: for<'e> sqlx::Encode<'e, DB> + sqlx::Type<DB>,
    Option<Vec<u8>>: for<'e> sqlx::Encode<'e, DB> + sqlx::Type<DB>,
{
    match a {
        Arg::Uuid(v) => q.bind(v),
        Arg::Int(v) => q.bind(v),
        Arg::Int4(v) => q.bind(v),
        Arg::Text(v) => q.bind(v),
        Arg::Blob(v) => q.bind(v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_move_past_the_previous_statements() {
        let mut b = Batch::default();
        b.push(
            "INSERT INTO t (a, b) VALUES ($1, $2)",
            vec![1i64.into(), 2i64.into()],
        );
        b.push(
            "UPDATE u SET x = $2 WHERE id = $1",
            vec![3i64.into(), 4i64.into()],
        );
        b.push("DELETE FROM v WHERE id = $1", vec![5i64.into()]);
        let (sql, args) = joined(&b.statements, ";\n");
        assert_eq!(
            sql,
            "INSERT INTO t (a, b) VALUES ($1, $2);\nUPDATE u SET x = $4 WHERE id = $3;\nDELETE FROM v WHERE id = $5;\n"
        );
        assert_eq!(args.len(), 5);
        assert_eq!(args[2], Arg::Int(Some(3)));
    }

    #[test]
    fn groups_keep_under_the_bound_values_limit_and_isolate_unique_statements() {
        let mut b = Batch::default();
        let wide = vec![Arg::Int(None); MAX_ARGS / 2 + 1];
        b.push("A", wide.clone());
        b.push("B", wide.clone());
        let i = b.push("C", vec![1i64.into()]);
        b.unique(i, "x");
        b.push("D", vec![1i64.into()]);
        let sizes = |g: Vec<Vec<Statement>>| g.iter().map(Vec::len).collect::<Vec<_>>();
        let pg = groups(std::mem::take(&mut b.statements), Backend::Postgres);
        assert_eq!(sizes(pg), vec![1, 1, 1, 1]);
        b.push("A", wide.clone());
        b.push("B", wide);
        let i = b.push("C", vec![1i64.into()]);
        b.unique(i, "x");
        b.push("D", vec![1i64.into()]);
        assert_eq!(sizes(groups(b.statements, Backend::Sqlite)), vec![1, 3]);
    }

    #[test]
    fn the_first_refusal_counts() {
        assert_eq!(refused(&[None, Some(1), Some(1)], &[0, 1, 0]), Some(2));
        assert_eq!(refused(&[Some(1), Some(1)], &[1]), None);
        assert_eq!(refused(&[Some(1)], &[2]), Some(0));
        assert_eq!(refused(&[Some(0), Some(1)], &[0, 1]), None);
        assert_eq!(refused(&[Some(0)], &[1]), Some(0));
    }

    #[test]
    fn renumbers_many_digits_and_leaves_text_alone() {
        let mut out = String::new();
        renumber("($9, $10, $123) 'x'", 100, &mut out);
        assert_eq!(out, "($109, $110, $223) 'x'");
    }
}
