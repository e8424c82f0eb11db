//! What a customer bought: favourite offers and product groups, their orders.

use super::*;

/// What a customer buys most: an offer (visits) or a product group (shop items), with the
/// quantity bought in finalized orders not cancelled.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct Favourite {
    /// `offer` or `product_group`.
    pub kind: String,
    pub name: String,
    pub quantity: i64,
    pub total_cents: i64,
}

/// The customer's five favourite offers and five favourite product groups, most bought first.
pub async fn favourites(tx: &mut Tx, tenant: Tenant, id: CustomerId) -> Result<Vec<Favourite>> {
    let mut out = Vec::new();
    for (kind, sql) in [
        (
            "offer",
            "SELECT 'offer' AS kind, f.name AS name, CAST(SUM(l.quantity) AS BIGINT) AS quantity,
               CAST(SUM(l.total_cents) AS BIGINT) AS total_cents
             FROM order_lines l JOIN orders o ON o.id = l.order_id JOIN offers f ON f.id = l.offer_id
             WHERE o.organization_id = $1 AND o.customer_id = $2 AND o.finalized_at IS NOT NULL
               AND o.cancelled_at IS NULL
             GROUP BY f.id, f.name ORDER BY quantity DESC, f.name LIMIT 5",
        ),
        (
            "product_group",
            "SELECT 'product_group' AS kind, COALESCE(g.name, '') AS name, CAST(SUM(l.quantity) AS BIGINT) AS quantity,
               CAST(SUM(l.total_cents) AS BIGINT) AS total_cents
             FROM order_lines l JOIN orders o ON o.id = l.order_id JOIN products p ON p.id = l.product_id
               LEFT JOIN product_groups g ON g.id = p.group_id
             WHERE o.organization_id = $1 AND o.customer_id = $2 AND o.finalized_at IS NOT NULL
               AND o.cancelled_at IS NULL
             GROUP BY g.id, g.name ORDER BY quantity DESC, name LIMIT 5",
        ),
    ] {
        let rows: Vec<Favourite> = on_tx!(tx, c => sqlx::query_as(sql)
            .bind(tenant.id().0)
            .bind(id.0)
            .fetch_all(c)
            .await?);
        debug_assert!(rows.iter().all(|r| r.kind == kind));
        out.extend(rows);
    }
    Ok(out)
}

/// One order in a customer's history.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct HistoryOrder {
    pub id: Uuid,
    pub number: Option<String>,
    pub quote_number: Option<String>,
    pub state: String,
    pub created_at: i64,
    pub visit_date: Option<String>,
    pub total_cents: i64,
    pub collected_cents: i64,
    pub finalized: bool,
    pub cancelled: bool,
}

/// The customer's orders, newest first.
pub async fn history(tx: &mut Tx, tenant: Tenant, id: CustomerId) -> Result<Vec<HistoryOrder>> {
    Ok(on_tx!(tx, c => sqlx::query_as(
        "SELECT id, number, quote_number, state, created_at, visit_date, total_cents, collected_cents,
         finalized_at IS NOT NULL AS finalized, cancelled_at IS NOT NULL AS cancelled
         FROM orders WHERE organization_id = $1 AND customer_id = $2 ORDER BY created_at DESC, id")
        .bind(tenant.id().0)
        .bind(id.0)
        .fetch_all(c)
        .await?))
}
