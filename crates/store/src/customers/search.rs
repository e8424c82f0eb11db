//! Finding customers: the list, the search (accent-insensitive, newest first) and the keyset
//! pages of the export.

use super::*;

/// A line of the customers list: the seed's columns.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Listed {
    #[serde(flatten)]
    pub customer: Customer,
    /// The last order's creation.
    pub last_booking_at: Option<i64>,
    /// Finalized orders, not cancelled, VAT included.
    pub revenue_cents: i64,
}

/// Customers, newest first: all, or of one status, matching `query` (every word, accents and
/// case ignored) when given; `limit` from `offset`.
pub async fn list(
    tx: &mut Tx,
    tenant: Tenant,
    status: Option<CustomerStatus>,
    query: &str,
    limit: i64,
    offset: i64,
) -> Result<Vec<Listed>> {
    listed(tx, tenant, status, query, None, limit, offset).await
}

/// Where a walk through every customer got to: the last one's creation and id.
pub type Cursor = (i64, Uuid);

/// The next `limit` customers after `after` in the list's order (newest first), for exports
/// that walk the whole file: each page costs the same however far the walk is.
pub async fn page_after(
    tx: &mut Tx,
    tenant: Tenant,
    status: Option<CustomerStatus>,
    query: &str,
    after: Option<Cursor>,
    limit: i64,
) -> Result<Vec<Listed>> {
    listed(tx, tenant, status, query, Some(after), limit, 0).await
}

async fn listed(
    tx: &mut Tx,
    tenant: Tenant,
    status: Option<CustomerStatus>,
    query: &str,
    after: Option<Option<Cursor>>,
    limit: i64,
    offset: i64,
) -> Result<Vec<Listed>> {
    let words = words(query);
    let cols: String = COLUMNS
        .split(',')
        .map(|c| format!("c.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    // SQLite's trigram index (migration 0022) serves words of 3 letters or more: the newest
    // matches are taken from it first (its rowids follow creation), every filter applied
    // there, and it stops after the page; the customers are then read by id. Shorter words
    // are checked on the same text as an expression, which the index does not try to serve.
    // On PostgreSQL, each such word asks the GIN index of trigrams (migration 0027) for
    // the rows holding all of its trigrams, and LIKE checks those. A walk with a cursor
    // (exports) on SQLite uses the plain LIKE.
    let long = |w: &String| w.trim_matches('%').chars().count() >= 3;
    let indexed =
        tx.backend() == crate::Backend::Sqlite && after.is_none() && words.iter().any(long);
    let from = if indexed {
        let matches: Vec<String> = words
            .iter()
            .enumerate()
            .map(|(i, w)| {
                if long(w) {
                    format!("f.search LIKE ${}", i + 4)
                } else {
                    format!("(f.search || '') LIKE ${}", i + 4)
                }
            })
            .collect();
        format!(
            "(SELECT f.customer_id FROM customers_fts f WHERE f.organization_id = $1 AND {}
              AND ($2 OR EXISTS (SELECT 1 FROM customers s2 WHERE s2.id = f.customer_id AND s2.status = $3))
              ORDER BY f.rowid DESC LIMIT {}) s CROSS JOIN customers c ON c.id = s.customer_id",
            matches.join(" AND "),
            limit.saturating_add(offset)
        )
    } else {
        "customers c".to_owned()
    };
    let mut sql = format!(
        "SELECT {cols},
         (SELECT MAX(o.created_at) FROM orders o WHERE o.customer_id = c.id) AS last_booking_at,
         (SELECT CAST(COALESCE(SUM(o.total_cents), 0) AS BIGINT) FROM orders o WHERE o.customer_id = c.id
            AND o.finalized_at IS NOT NULL AND o.cancelled_at IS NULL) AS revenue_cents
         FROM {from} WHERE c.organization_id = $1 AND ($2 OR c.status = $3)"
    );
    if !indexed {
        for (i, w) in words.iter().enumerate() {
            sql.push_str(&format!(" AND c.search LIKE ${}", i + 4));
            if tx.backend() == crate::Backend::Postgres && long(w) {
                sql.push_str(&format!(
                    " AND customer_trigrams(c.search) @> customer_trigrams(REPLACE(${}, '%', ''))",
                    i + 4
                ));
            }
        }
    }
    let n = words.len() + 4;
    let cursor = after.flatten();
    if cursor.is_some() {
        // `created_at <=` first, alone: an index range on both backends (an OR on its own
        // is only a filter to PostgreSQL, which then walks from the newest on every page).
        sql.push_str(&format!(
            " AND c.created_at <= ${} AND (c.created_at < ${} OR c.id < ${})",
            n + 2,
            n + 2,
            n + 3
        ));
    }
    // One order for the offset pages, the first page and the cursor's walk, so that a walk
    // begun on the first page goes on where it stopped, even among customers created in the
    // same instant (an import).
    sql.push_str(&format!(
        " ORDER BY c.created_at DESC, c.id DESC LIMIT ${n} OFFSET ${}",
        n + 1
    ));
    #[derive(sqlx::FromRow)]
    struct ListRow {
        #[sqlx(flatten)]
        row: Row,
        last_booking_at: Option<i64>,
        revenue_cents: i64,
    }
    let rows: Vec<ListRow> = on_tx!(tx, c => {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(tenant.id().0)
            .bind(status.is_none())
            .bind(status.map_or("", CustomerStatus::as_str));
        for w in &words {
            q = q.bind(w);
        }
        q = q.bind(limit).bind(offset);
        if let Some((at, id)) = cursor {
            q = q.bind(at).bind(id);
        }
        q.fetch_all(c).await?
    });
    Ok(rows
        .into_iter()
        .map(|r| Listed {
            customer: Customer::from(r.row),
            last_booking_at: r.last_booking_at,
            revenue_cents: r.revenue_cents,
        })
        .collect())
}

/// The search words as LIKE patterns (at most five).
fn words(query: &str) -> Vec<String> {
    guichet_domain::text::search_key(query)
        .split_whitespace()
        .map(|w| format!("%{}%", w.replace(['%', '_'], "")))
        .take(5)
        .collect()
}
