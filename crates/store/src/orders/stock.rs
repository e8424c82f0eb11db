//! The places and stock an order's lines take (each check and decrement one conditional
//! statement, so nothing is ever oversold) and a cancellation gives back.

use super::{LineKind, line_field};
use crate::batch::{Batch, Ran};
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
    consume_reserved(tx, tenant, lines, by, (order, customer)).await?;
    let mut batch = Batch::default();
    let takes = push_takes(&mut batch, tenant, lines);
    let ran = batch.run(tx).await?;
    if let Some(refused) = takes.refused(&ran) {
        return Err(refused.error(tx, tenant).await);
    }
    take_products(tx, tenant, lines, number, at, by).await
}

/// A sale to a customer consumes what was set aside for them first (the order's row exists).
pub(super) async fn consume_reserved(
    tx: &mut Tx,
    tenant: Tenant,
    lines: &[LimitRow],
    by: Option<UserId>,
    (order, customer): (OrderId, Option<CustomerId>),
) -> Result<()> {
    let Some(customer) = customer else {
        return Ok(());
    };
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
    Ok(())
}

/// Why a take of a batch changed nothing.
#[derive(Debug, Clone, Copy)]
pub(super) enum Refusal {
    /// The session is full or closed (read again to tell which).
    Places {
        offer: Uuid,
        start: i64,
        position: i32,
    },
    /// The line at this position is refused with this code.
    Line(i32, &'static str),
    /// The field is refused with this code.
    Field(&'static str, &'static str),
}

impl Refusal {
    /// The error a refused sale answers with.
    pub(super) async fn error(self, tx: &mut Tx, tenant: Tenant) -> StoreError {
        match self {
            Refusal::Line(position, code) => StoreError::Invalid(line_field(position), code),
            Refusal::Field(field, code) => StoreError::Invalid(field.into(), code),
            Refusal::Places {
                offer,
                start,
                position,
            } => {
                // Only when the take is refused is the override read again, to tell a closed
                // session from a full one.
                let closed =
                    crate::planning::overrides(tx, tenant, OfferId(offer), start, start + 1)
                        .await
                        .map(|o| o.get(&start).is_some_and(|o| o.closed));
                match closed {
                    Ok(true) => StoreError::Invalid(line_field(position), "session_closed"),
                    Ok(false) => StoreError::Invalid(line_field(position), "sold_out"),
                    Err(e) => e,
                }
            }
        }
    }
}

/// The conditional takes pushed into a batch, by statement.
#[derive(Debug, Default)]
pub(super) struct Takes(Vec<(usize, Refusal)>);

impl Takes {
    pub(super) fn push(&mut self, statement: usize, refusal: Refusal) {
        self.0.push((statement, refusal));
    }

    pub(super) fn extend(&mut self, other: Takes) {
        self.0.extend(other.0);
    }

    /// The refusal of the batch's first take that changed nothing.
    pub(super) fn refused(&self, ran: &Ran) -> Option<Refusal> {
        let i = ran.refused?;
        self.0.iter().find(|(s, _)| *s == i).map(|(_, r)| *r)
    }
}

/// Pushes the places (one statement per session) and each line's daily stock and equipment
/// into `batch`, each a conditional statement. Product stock is taken after the batch
/// ([`take_products`]), as it writes the stock ledger too.
pub(super) fn push_takes(batch: &mut Batch, tenant: Tenant, lines: &[LimitRow]) -> Takes {
    let mut takes = Takes::default();
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
    let org = tenant.id().0;
    for (offer, start, quantity, capacity, position) in sessions {
        // A session override replaces the offer's capacity, and a closed session takes
        // nothing. The check and the increment are one statement: a first sale creates the
        // counter only if it fits, later ones add only if they fit.
        let i = batch.push(
            "INSERT INTO session_counts (organization_id, offer_id, session_start, sold, held)
             SELECT $1, $2, $3, $4, 0
             WHERE NOT EXISTS (SELECT 1 FROM session_overrides WHERE organization_id = $1 AND offer_id = $2
                               AND session_start = $3 AND closed)
             AND CAST($4 AS BIGINT) <= COALESCE((SELECT capacity FROM session_overrides WHERE organization_id = $1
                               AND offer_id = $2 AND session_start = $3), CAST($5 AS BIGINT))
             ON CONFLICT (organization_id, offer_id, session_start) DO UPDATE SET sold = session_counts.sold + excluded.sold
             WHERE session_counts.sold + session_counts.held + excluded.sold <= COALESCE((SELECT capacity FROM session_overrides
                               WHERE organization_id = $1 AND offer_id = $2 AND session_start = $3), CAST($5 AS BIGINT))",
            vec![
                org.into(),
                offer.into(),
                start.into(),
                quantity.into(),
                capacity.unwrap_or(0).into(),
            ],
        );
        takes.push(
            batch.expect_one(i),
            Refusal::Places {
                offer,
                start,
                position,
            },
        );
    }
    // Each counter row once per batch (PostgreSQL runs a batch as one statement, whose parts
    // must not change one row twice): lines of one item on one day (or session) are taken
    // together, refused at the first such line.
    let mut days: Vec<(Uuid, &str, i64, i64, i32)> = Vec::new();
    let mut equipment: Vec<(Uuid, i64, i64, i64, i32)> = Vec::new();
    for l in lines {
        if let (Some(item), Some(day), Some(stock)) = (l.item_id, &l.visit_date, l.daily_stock) {
            match days.iter_mut().find(|d| d.0 == item && d.1 == day) {
                Some(d) => d.2 += l.quantity,
                None => days.push((item, day, l.quantity, stock, l.position)),
            }
        }
        if let (Some(item), Some(start), Some(cap)) = (l.item_id, l.session_start, l.item_capacity)
        {
            match equipment.iter_mut().find(|e| e.0 == item && e.1 == start) {
                Some(e) => e.2 += l.quantity,
                None => equipment.push((item, start, l.quantity, cap, l.position)),
            }
        }
    }
    for (item, day, quantity, stock, position) in days {
        let i = batch.push(
            item_take("item_day_counts", "day"),
            vec![
                org.into(),
                item.into(),
                day.into(),
                quantity.into(),
                stock.into(),
            ],
        );
        takes.push(
            batch.expect_one(i),
            Refusal::Line(position, "daily_stock_exhausted"),
        );
    }
    for (item, start, quantity, cap, position) in equipment {
        let i = batch.push(
            item_take("item_session_counts", "session_start"),
            vec![
                org.into(),
                item.into(),
                start.into(),
                quantity.into(),
                cap.into(),
            ],
        );
        takes.push(
            batch.expect_one(i),
            Refusal::Line(position, "equipment_exhausted"),
        );
    }
    takes
}

/// The conditional take of an item's counter row (`table`, keyed by the item and `key`):
/// `$1` organization, `$2` item, `$3` key, `$4` quantity, `$5` limit. A first sale creates
/// the row only if it fits, later ones add only if they fit.
fn item_take(table: &str, key: &str) -> String {
    format!(
        "INSERT INTO {table} (organization_id, item_id, {key}, sold)
         SELECT $1, $2, $3, $4 WHERE CAST($4 AS BIGINT) <= CAST($5 AS BIGINT)
         ON CONFLICT (organization_id, item_id, {key}) DO UPDATE SET sold = {table}.sold + excluded.sold
         WHERE {table}.sold + excluded.sold <= CAST($5 AS BIGINT)"
    )
}

/// Takes the product stock of the lines that sell products, with its ledger's movements.
pub(super) async fn take_products(
    tx: &mut Tx,
    tenant: Tenant,
    lines: &[LimitRow],
    number: &str,
    at: i64,
    by: Option<UserId>,
) -> Result<()> {
    let org = tenant.id().0;
    for l in lines {
        let Some(product) = l.product_id else {
            continue;
        };
        // Managed stock: the check is the decrement's condition, so two sales of the last unit
        // cannot both pass; the ledger gets the movement.
        let ok = on_tx!(tx, c => sqlx::query(
            "UPDATE products SET stock = stock - $3 WHERE organization_id = $1 AND id = $2
             AND (NOT stock_managed OR stock >= $3)")
            .bind(org).bind(product).bind(l.quantity).execute(c).await?.rows_affected());
        if ok != 1 {
            return Err(StoreError::Invalid(line_field(l.position), "out_of_stock"));
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
