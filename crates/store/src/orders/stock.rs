//! The places and stock an order's lines take (each check and decrement one conditional
//! statement, so nothing is ever oversold) and a cancellation gives back.

use super::{LineKind, line_field};
use crate::{Result, StoreError, Tenant, Tx, now_micros, on_tx};
use guichet_domain::shop::MovementKind;
use guichet_domain::{CustomerId, OfferId, OrderId, ProductId, UserId};
use uuid::Uuid;

/// Limits of a stored line, looked up again when a quote becomes an order.
#[derive(sqlx::FromRow)]
pub(super) struct LimitRow {
    pub(super) position: i32,
    pub(super) kind: String,
    pub(super) offer_id: Option<Uuid>,
    pub(super) session_start: Option<i64>,
    pub(super) visit_date: Option<String>,
    pub(super) item_id: Option<Uuid>,
    pub(super) product_id: Option<Uuid>,
    pub(super) quantity: i64,
    pub(super) capacity: Option<i64>,
    pub(super) daily_stock: Option<i64>,
    pub(super) item_capacity: Option<i64>,
}

/// What each line of an order takes: places, daily stock, equipment, product stock, with the
/// limits from the catalogue.
pub(super) async fn limits(tx: &mut Tx, tenant: Tenant, id: OrderId) -> Result<Vec<LimitRow>> {
    Ok(on_tx!(tx, c => sqlx::query_as(
        "SELECT l.position, l.kind, l.offer_id, l.session_start, l.visit_date,
         COALESCE(l.ticket_type_id, l.extra_id) AS item_id, l.product_id, l.quantity,
         o.capacity, COALESCE(t.daily_stock, e.daily_stock) AS daily_stock, e.capacity AS item_capacity
         FROM order_lines l
         LEFT JOIN offers o ON o.id = l.offer_id
         LEFT JOIN ticket_types t ON t.id = l.ticket_type_id
         LEFT JOIN extras e ON e.id = l.extra_id
         WHERE l.organization_id = $1 AND l.order_id = $2 ORDER BY l.position")
        .bind(tenant.id().0)
        .bind(id.0)
        .fetch_all(c)
        .await?))
}

/// Takes the lines' places and stock; each check and decrement is one conditional statement.
/// Ticket lines of one session are taken together, so a sale of adults and children for the
/// same session is one statement on its counter.
/// A sale to a customer first consumes what was set aside for them (seed 004: scanning a
/// product reserved for the attached customer consumes the reservation).
pub(super) async fn take_all(
    tx: &mut Tx,
    tenant: Tenant,
    lines: &[LimitRow],
    number: &str,
    at: i64,
    by: Option<UserId>,
    (order, customer): (OrderId, Option<CustomerId>),
) -> Result<()> {
    if let Some(customer) = customer {
        for l in lines {
            if let Some(product) = l.product_id {
                crate::reservations::consume_for_sale(
                    tx,
                    tenant,
                    customer,
                    ProductId(product),
                    l.quantity,
                    order,
                    by,
                )
                .await?;
            }
        }
    }
    let mut sessions: Vec<(Uuid, i64, i64, Option<i64>, i32)> = Vec::new();
    for l in lines {
        if let (LineKind::TicketType, Some(offer), Some(start)) =
            (LineKind::parse(&l.kind), l.offer_id, l.session_start)
        {
            match sessions.iter_mut().find(|s| s.0 == offer && s.1 == start) {
                Some(s) => s.2 += l.quantity,
                None => sessions.push((offer, start, l.quantity, l.capacity, l.position)),
            }
        }
    }
    for (offer, start, quantity, capacity, position) in sessions {
        take_places(tx, tenant, offer, start, quantity, capacity, position).await?;
    }
    for l in lines {
        take_stock(tx, tenant, l, number, at, by).await?;
    }
    Ok(())
}

/// Takes places in a session, within its capacity (a session override replaces the offer's,
/// and a closed session takes nothing). The check and the increment are one statement: a first
/// sale creates the counter only if it fits, later ones add only if they fit. Only when it
/// refuses is the override read again, to tell a closed session from a full one.
async fn take_places(
    tx: &mut Tx,
    tenant: Tenant,
    offer: Uuid,
    start: i64,
    quantity: i64,
    capacity: Option<i64>,
    position: i32,
) -> Result<()> {
    let refused = |code| StoreError::Invalid(line_field(position), code);
    let ok = on_tx!(tx, c => sqlx::query(
        "INSERT INTO session_counts (organization_id, offer_id, session_start, sold, held)
         SELECT $1, $2, $3, $4, 0
         WHERE NOT EXISTS (SELECT 1 FROM session_overrides WHERE organization_id = $1 AND offer_id = $2
                           AND session_start = $3 AND closed)
         AND CAST($4 AS BIGINT) <= COALESCE((SELECT capacity FROM session_overrides WHERE organization_id = $1
                           AND offer_id = $2 AND session_start = $3), CAST($5 AS BIGINT))
         ON CONFLICT (organization_id, offer_id, session_start) DO UPDATE SET sold = session_counts.sold + excluded.sold
         WHERE session_counts.sold + session_counts.held + excluded.sold <= COALESCE((SELECT capacity FROM session_overrides
                           WHERE organization_id = $1 AND offer_id = $2 AND session_start = $3), CAST($5 AS BIGINT))")
        .bind(tenant.id().0).bind(offer).bind(start).bind(quantity).bind(capacity.unwrap_or(0))
        .execute(c).await?.rows_affected());
    if ok == 1 {
        return Ok(());
    }
    let o = crate::planning::overrides(tx, tenant, OfferId(offer), start, start + 1).await?;
    if o.get(&start).is_some_and(|o| o.closed) {
        return Err(refused("session_closed"));
    }
    Err(refused("sold_out"))
}

/// Takes one line's daily stock, equipment and product stock.
async fn take_stock(
    tx: &mut Tx,
    tenant: Tenant,
    l: &LimitRow,
    number: &str,
    at: i64,
    by: Option<UserId>,
) -> Result<()> {
    let org = tenant.id().0;
    let refused = |code| StoreError::Invalid(line_field(l.position), code);
    if let (Some(item), Some(day), Some(stock)) = (l.item_id, &l.visit_date, l.daily_stock) {
        let ok = on_tx!(tx, c => sqlx::query(
            "INSERT INTO item_day_counts (organization_id, item_id, day, sold)
             SELECT $1, $2, $3, $4 WHERE CAST($4 AS BIGINT) <= CAST($5 AS BIGINT)
             ON CONFLICT (organization_id, item_id, day) DO UPDATE SET sold = item_day_counts.sold + excluded.sold
             WHERE item_day_counts.sold + excluded.sold <= CAST($5 AS BIGINT)")
            .bind(org).bind(item).bind(day).bind(l.quantity).bind(stock)
            .execute(c).await?.rows_affected());
        if ok != 1 {
            return Err(refused("daily_stock_exhausted"));
        }
    }
    if let (Some(item), Some(start), Some(cap)) = (l.item_id, l.session_start, l.item_capacity) {
        let ok = on_tx!(tx, c => sqlx::query(
            "INSERT INTO item_session_counts (organization_id, item_id, session_start, sold)
             SELECT $1, $2, $3, $4 WHERE CAST($4 AS BIGINT) <= CAST($5 AS BIGINT)
             ON CONFLICT (organization_id, item_id, session_start) DO UPDATE SET sold = item_session_counts.sold + excluded.sold
             WHERE item_session_counts.sold + excluded.sold <= CAST($5 AS BIGINT)")
            .bind(org).bind(item).bind(start).bind(l.quantity).bind(cap)
            .execute(c).await?.rows_affected());
        if ok != 1 {
            return Err(refused("equipment_exhausted"));
        }
    }
    if let Some(product) = l.product_id {
        // Managed stock: the check is the decrement's condition, so two sales of the last unit
        // cannot both pass; the ledger gets the movement.
        let ok = on_tx!(tx, c => sqlx::query(
            "UPDATE products SET stock = stock - $3 WHERE organization_id = $1 AND id = $2
             AND (NOT stock_managed OR stock >= $3)")
            .bind(org).bind(product).bind(l.quantity).execute(c).await?.rows_affected());
        if ok != 1 {
            return Err(refused("out_of_stock"));
        }
        let reason = format!("{number}_{}", l.position);
        crate::shop::insert_ledger_row(
            tx,
            tenant,
            ProductId(product),
            MovementKind::Sale,
            l.quantity,
            at,
            by,
            Some(&reason),
        )
        .await?;
    }
    Ok(())
}

/// Gives one line's places and stock back (cancellation).
pub(super) async fn give_back(
    tx: &mut Tx,
    tenant: Tenant,
    l: &LimitRow,
    number: &str,
    by: Option<UserId>,
) -> Result<()> {
    let org = tenant.id().0;
    let kind = LineKind::parse(&l.kind);
    if let (LineKind::TicketType, Some(offer), Some(start)) = (kind, l.offer_id, l.session_start) {
        on_tx!(tx, c => sqlx::query(
            "UPDATE session_counts SET sold = sold - $4 WHERE organization_id = $1 AND offer_id = $2 AND session_start = $3")
            .bind(org).bind(offer).bind(start).bind(l.quantity).execute(c).await?.rows_affected());
    }
    if let (Some(item), Some(day), Some(_)) = (l.item_id, &l.visit_date, l.daily_stock) {
        on_tx!(tx, c => sqlx::query(
            "UPDATE item_day_counts SET sold = sold - $4 WHERE organization_id = $1 AND item_id = $2 AND day = $3")
            .bind(org).bind(item).bind(day).bind(l.quantity).execute(c).await?.rows_affected());
    }
    if let (Some(item), Some(start), Some(_)) = (l.item_id, l.session_start, l.item_capacity) {
        on_tx!(tx, c => sqlx::query(
            "UPDATE item_session_counts SET sold = sold - $4 WHERE organization_id = $1 AND item_id = $2 AND session_start = $3")
            .bind(org).bind(item).bind(start).bind(l.quantity).execute(c).await?.rows_affected());
    }
    if let Some(product) = l.product_id {
        let reason = format!("{number}_{}", l.position);
        crate::shop::insert_movement(
            tx,
            tenant,
            ProductId(product),
            MovementKind::Return,
            l.quantity,
            now_micros(),
            by,
            Some(&reason),
        )
        .await?;
    }
    Ok(())
}
