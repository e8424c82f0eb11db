//! Planning: what each session can still take, per-session capacity changes and closings,
//! and stop-sales of offers or ticket types over days. The per-session and per-day sales
//! counters are written by sales, in the sale's transaction.

use crate::offers::OfferId;
use crate::{Result, StoreError, Tenant, Tx, now_micros, on_tx};
use guichet_domain::UserId;
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// A session's override: a changed capacity and/or closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Override {
    pub capacity: Option<i64>,
    pub closed: bool,
}

/// Overrides of an offer's sessions starting in `[from, until)` (microseconds).
pub async fn overrides(
    tx: &mut Tx,
    tenant: Tenant,
    offer: OfferId,
    from: i64,
    until: i64,
) -> Result<HashMap<i64, Override>> {
    let rows: Vec<(i64, Option<i64>, bool)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT session_start, capacity, closed FROM session_overrides
         WHERE organization_id = $1 AND offer_id = $2 AND session_start >= $3 AND session_start < $4")
        .bind(tenant.id().0)
        .bind(offer.0)
        .bind(from)
        .bind(until)
        .fetch_all(c)
        .await?);
    Ok(rows
        .into_iter()
        .map(|(s, capacity, closed)| (s, Override { capacity, closed }))
        .collect())
}

/// Sold and held places per session starting in `[from, until)`.
pub async fn counts(
    tx: &mut Tx,
    tenant: Tenant,
    offer: OfferId,
    from: i64,
    until: i64,
) -> Result<HashMap<i64, (i64, i64)>> {
    let rows: Vec<(i64, i64, i64)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT session_start, sold, held FROM session_counts
         WHERE organization_id = $1 AND offer_id = $2 AND session_start >= $3 AND session_start < $4")
        .bind(tenant.id().0)
        .bind(offer.0)
        .bind(from)
        .bind(until)
        .fetch_all(c)
        .await?);
    Ok(rows
        .into_iter()
        .map(|(s, sold, held)| (s, (sold, held)))
        .collect())
}

/// Units of a ticket type or extra sold per day (YYYY-MM-DD) between two days inclusive.
pub async fn item_day_counts(
    tx: &mut Tx,
    tenant: Tenant,
    item: Uuid,
    from: &str,
    to: &str,
) -> Result<HashMap<String, i64>> {
    let rows: Vec<(String, i64)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT day, sold FROM item_day_counts WHERE organization_id = $1 AND item_id = $2 AND day >= $3 AND day <= $4")
        .bind(tenant.id().0)
        .bind(item)
        .bind(from)
        .bind(to)
        .fetch_all(c)
        .await?);
    Ok(rows.into_iter().collect())
}

/// Changes one session's capacity (never below what is sold and held) or closes/reopens it.
pub async fn set_session(
    tx: &mut Tx,
    tenant: Tenant,
    offer: OfferId,
    start: i64,
    capacity: Option<i64>,
    closed: bool,
) -> Result<()> {
    crate::offers::get(tx, tenant, offer).await?;
    if let Some(c) = capacity {
        let (sold, held) = counts(tx, tenant, offer, start, start + 1)
            .await?
            .get(&start)
            .copied()
            .unwrap_or((0, 0));
        if c < sold + held {
            return Err(StoreError::Invalid(
                "capacity".into(),
                "capacity_below_sold",
            ));
        }
    }
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO session_overrides (organization_id, offer_id, session_start, capacity, closed, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (organization_id, offer_id, session_start)
         DO UPDATE SET capacity = excluded.capacity, closed = excluded.closed, updated_at = excluded.updated_at")
        .bind(tenant.id().0)
        .bind(offer.0)
        .bind(start)
        .bind(capacity)
        .bind(closed)
        .bind(now_micros())
        .execute(c)
        .await?
        .rows_affected());
    Ok(())
}

/// What a stop-sale applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StopTarget {
    Offer(OfferId),
    TicketType(crate::items::ItemId),
}

impl StopTarget {
    fn columns(self) -> (Option<Uuid>, Option<Uuid>) {
        match self {
            StopTarget::Offer(o) => (Some(o.0), None),
            StopTarget::TicketType(t) => (None, Some(t.0)),
        }
    }
}

/// Stops (or, with `stop = false`, reopens) sales of every target on every day of the list,
/// in one transaction.
pub async fn set_stopped(
    tx: &mut Tx,
    tenant: Tenant,
    targets: &[StopTarget],
    days: &[String],
    stop: bool,
    by: Option<UserId>,
) -> Result<usize> {
    let mut changed = 0;
    for t in targets {
        match *t {
            StopTarget::Offer(o) => {
                crate::offers::get(tx, tenant, o).await?;
            }
            StopTarget::TicketType(i) => {
                crate::items::get(
                    tx,
                    tenant,
                    guichet_domain::catalogue::ItemKind::TicketType,
                    i,
                )
                .await?;
            }
        }
        let (offer, ticket) = t.columns();
        for day in days {
            let removed = on_tx!(tx, c => sqlx::query(
                "DELETE FROM stop_sales WHERE organization_id = $1 AND day = $2
                 AND ((offer_id = $3) OR ($3 IS NULL AND offer_id IS NULL))
                 AND ((ticket_type_id = $4) OR ($4 IS NULL AND ticket_type_id IS NULL))")
                .bind(tenant.id().0)
                .bind(day)
                .bind(offer)
                .bind(ticket)
                .execute(c)
                .await?
                .rows_affected());
            if stop {
                on_tx!(tx, c => sqlx::query(
                    "INSERT INTO stop_sales (id, organization_id, offer_id, ticket_type_id, day, created_by, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)")
                    .bind(Uuid::now_v7())
                    .bind(tenant.id().0)
                    .bind(offer)
                    .bind(ticket)
                    .bind(day)
                    .bind(by.map(|u| u.0))
                    .bind(now_micros())
                    .execute(c)
                    .await?
                    .rows_affected());
                if removed == 0 {
                    changed += 1;
                }
            } else {
                changed += usize::try_from(removed).unwrap_or(0);
            }
        }
    }
    Ok(changed)
}

/// The stopped (target, day) pairs among `targets` between two days inclusive.
pub async fn stopped(
    tx: &mut Tx,
    tenant: Tenant,
    from: &str,
    to: &str,
) -> Result<HashSet<(StopTarget, String)>> {
    let rows: Vec<StopRow> = on_tx!(tx, c => sqlx::query_as(STOPPED)
        .bind(tenant.id().0)
        .bind(from)
        .bind(to)
        .fetch_all(c)
        .await?);
    Ok(stops_of(rows))
}

type StopRow = (Option<Uuid>, Option<Uuid>, String);

const STOPPED: &str = "SELECT offer_id, ticket_type_id, day FROM stop_sales
     WHERE organization_id = $1 AND day >= $2 AND day <= $3";

/// [`stopped`] pushed into a batch of reads (`orders::sale_reads`); [`got_stopped`] reads it.
pub(crate) fn push_stopped(
    batch: &mut crate::batch::Batch,
    tenant: Tenant,
    from: &str,
    to: &str,
) -> usize {
    batch.push_rows(STOPPED, vec![tenant.id().0.into(), from.into(), to.into()])
}

pub(crate) fn got_stopped(
    ran: &crate::batch::Ran,
    i: usize,
) -> Result<HashSet<(StopTarget, String)>> {
    Ok(stops_of(ran.rows(i)?))
}

fn stops_of(rows: Vec<StopRow>) -> HashSet<(StopTarget, String)> {
    rows.into_iter()
        .filter_map(|(o, t, day)| match (o, t) {
            (Some(o), _) => Some((StopTarget::Offer(OfferId(o)), day)),
            (None, Some(t)) => Some((StopTarget::TicketType(crate::items::ItemId(t)), day)),
            _ => None,
        })
        .collect()
}
