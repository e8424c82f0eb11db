//! The availability service and the planning actions: one place computes, for an offer and
//! a date range, every session with capacity, sold, held and remaining, and the daily stock
//! left of the offer's ticket types and extras. Pages and API show the same figures.

use crate::Actor;
use crate::App;
use crate::AppError;
use guichet_domain::Permission;
use guichet_domain::catalogue::ItemKind;
use guichet_domain::offer::{fill_percent, remaining};
use guichet_domain::validation::FieldErrors;
use guichet_store::items::ItemId;
use guichet_store::offers::{self, OfferId};
use guichet_store::planning::{self, StopTarget};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SessionAvailability {
    pub date: String,
    pub time: String,
    /// Start instant, microseconds since the Unix epoch.
    pub start: i64,
    pub capacity: i64,
    pub sold: i64,
    pub held: i64,
    pub remaining: i64,
    pub fill_percent: i64,
    /// Closed by hand for this session.
    pub closed: bool,
    /// Sales of the offer are stopped that day.
    pub stopped: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DayStock {
    pub date: String,
    pub sold: i64,
    pub left: i64,
    /// Sales of this ticket type are stopped that day.
    pub stopped: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ItemAvailability {
    pub item_id: ItemId,
    pub name: String,
    pub daily_stock: i64,
    pub days: Vec<DayStock>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Availability {
    pub offer_id: OfferId,
    pub sessions: Vec<SessionAvailability>,
    pub items: Vec<ItemAvailability>,
}

/// Parses a date range of at most 366 days.
pub fn date_range(from: &str, to: &str) -> Result<(Date, Date), AppError> {
    let mut e = FieldErrors::new();
    let parse = |s: &str| s.trim().parse::<Date>().map_err(|_| super::shop::DateError);
    let from = e.check("from", parse(from));
    let to = e.check("to", parse(to));
    if let (Some(a), Some(b)) = (from, to) {
        if b < a {
            e.add("to", "ends_before_start");
        } else if a.until(b).map(|s| s.get_days()).unwrap_or(i32::MAX) > 366 {
            e.add("to", "range_too_long");
        }
    }
    e.into_result()?;
    match (from, to) {
        (Some(a), Some(b)) => Ok((a, b)),
        _ => Err(AppError::Internal("validated input missing".into())),
    }
}

fn days(from: Date, to: Date) -> Vec<Date> {
    let mut out = Vec::new();
    let mut d = from;
    while d <= to {
        out.push(d);
        match d.tomorrow() {
            Ok(n) => d = n,
            Err(_) => break,
        }
    }
    out
}

use crate::organization::zone;

pub async fn availability(
    state: &App,
    actor: &Actor,
    id: OfferId,
    from: &str,
    to: &str,
) -> Result<Availability, AppError> {
    actor.require(Permission::UseBackOffice)?;
    let (from, to) = date_range(from, to)?;
    let tz = zone(state, actor).await?;
    let start_of = |d: Date| {
        d.to_zoned(tz.clone())
            .map(|z| z.timestamp().as_microsecond())
            .map_err(|e| AppError::Internal(e.to_string()))
    };
    let (lo, hi) = (
        start_of(from)?,
        start_of(
            to.tomorrow()
                .map_err(|_| AppError::field("to", "out_of_range"))?,
        )?,
    );
    let tenant = actor.tenant;
    let (from_s, to_s) = (from.to_string(), to.to_string());
    let (offer, overrides, counts, stopped, item_counts) = state
        .store
        .read(|tx| {
            let (from_s, to_s) = (from_s.clone(), to_s.clone());
            Box::pin(async move {
                let offer = offers::get(tx, tenant, id).await?;
                let overrides = planning::overrides(tx, tenant, id, lo, hi).await?;
                let counts = planning::counts(tx, tenant, id, lo, hi).await?;
                let stopped = planning::stopped(tx, tenant, &from_s, &to_s).await?;
                let mut item_counts = Vec::new();
                for p in &offer.prices {
                    item_counts.push(
                        planning::item_day_counts(tx, tenant, p.item_id.0, &from_s, &to_s).await?,
                    );
                }
                Ok((offer, overrides, counts, stopped, item_counts))
            })
        })
        .await?;
    let source = super::offers::session_source(state, actor, &offer).await?;
    let mut sessions = Vec::new();
    for day in days(from, to) {
        let day_s = day.to_string();
        let offer_stopped = stopped.contains(&(StopTarget::Offer(id), day_s.clone()));
        for s in source.sessions_on(day, &tz) {
            let o = overrides.get(&s.start_micros);
            let capacity = o.and_then(|o| o.capacity).unwrap_or(offer.capacity);
            let closed = o.is_some_and(|o| o.closed);
            let (sold, held) = counts.get(&s.start_micros).copied().unwrap_or((0, 0));
            let open = !closed && !offer_stopped;
            sessions.push(SessionAvailability {
                date: day_s.clone(),
                time: s.local.strftime("%H:%M").to_string(),
                start: s.start_micros,
                capacity,
                sold,
                held,
                remaining: if open {
                    remaining(capacity, sold, held)
                } else {
                    0
                },
                fill_percent: fill_percent(capacity, sold, held),
                closed,
                stopped: offer_stopped,
            });
        }
    }
    let mut items = Vec::new();
    for (p, sold_by_day) in offer.prices.iter().zip(item_counts) {
        let (kind, item) = (p.item_kind, p.item_id);
        let daily = state
            .store
            .read(|tx| {
                Box::pin(async move { guichet_store::items::get(tx, tenant, kind, item).await })
            })
            .await?
            .daily_stock;
        items.push(ItemAvailability {
            item_id: p.item_id,
            name: p.item_name.clone(),
            daily_stock: daily,
            days: day_stock(from, to, item, daily, &sold_by_day, &stopped),
        });
    }
    Ok(Availability {
        offer_id: id,
        sessions,
        items,
    })
}

/// The daily stock left of one ticket type or extra, day by day.
fn day_stock(
    from: Date,
    to: Date,
    item: ItemId,
    daily: i64,
    sold_by_day: &std::collections::HashMap<String, i64>,
    stopped: &std::collections::HashSet<(StopTarget, String)>,
) -> Vec<DayStock> {
    days(from, to)
        .into_iter()
        .map(|d| {
            let date = d.to_string();
            let sold = sold_by_day.get(&date).copied().unwrap_or(0);
            DayStock {
                stopped: stopped.contains(&(StopTarget::TicketType(item), date.clone())),
                left: remaining(daily, sold, 0),
                sold,
                date,
            }
        })
        .collect()
}

/// One offer's sessions, as part of a ticket type's planning.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OfferSessions {
    pub offer_id: OfferId,
    pub name: String,
    pub sessions: Vec<SessionAvailability>,
}

/// The planning of one ticket type: its daily stock left, and the sessions of every active
/// offer that sells it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TicketTypeAvailability {
    pub ticket_type: ItemAvailability,
    pub offers: Vec<OfferSessions>,
}

pub async fn ticket_type_availability(
    state: &App,
    actor: &Actor,
    id: ItemId,
    from: &str,
    to: &str,
) -> Result<TicketTypeAvailability, AppError> {
    actor.require(Permission::UseBackOffice)?;
    let (from_d, to_d) = date_range(from, to)?;
    let (tenant, lang) = (actor.tenant, actor.lang);
    let (from_s, to_s) = (from_d.to_string(), to_d.to_string());
    let (item, sold_by_day, stopped, selling) = state
        .store
        .read(|tx| {
            let (from_s, to_s) = (from_s.clone(), to_s.clone());
            Box::pin(async move {
                let item = guichet_store::items::get(tx, tenant, ItemKind::TicketType, id).await?;
                let sold = planning::item_day_counts(tx, tenant, id.0, &from_s, &to_s).await?;
                let stopped = planning::stopped(tx, tenant, &from_s, &to_s).await?;
                let selling: Vec<(OfferId, String)> = offers::list(tx, tenant)
                    .await?
                    .into_iter()
                    .filter(|o| !o.archived && o.prices.iter().any(|p| p.item_id == id))
                    .map(|o| (o.id, o.texts.pick(lang, |t| &t.name)))
                    .collect();
                Ok((item, sold, stopped, selling))
            })
        })
        .await?;
    let mut offers_out = Vec::new();
    for (offer_id, name) in selling {
        let a = availability(state, actor, offer_id, from, to).await?;
        offers_out.push(OfferSessions {
            offer_id,
            name,
            sessions: a.sessions,
        });
    }
    Ok(TicketTypeAvailability {
        ticket_type: ItemAvailability {
            item_id: id,
            days: day_stock(from_d, to_d, id, item.daily_stock, &sold_by_day, &stopped),
            name: item.name,
            daily_stock: item.daily_stock,
        },
        offers: offers_out,
    })
}

/// A change to one session.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct SessionChange {
    /// New capacity; empty keeps the offer's.
    pub capacity: String,
    pub closed: bool,
}

pub async fn change_session(
    state: &App,
    actor: &Actor,
    id: OfferId,
    start: i64,
    change: &SessionChange,
) -> Result<(), AppError> {
    actor.require(Permission::ManageCatalogue)?;
    let mut e = FieldErrors::new();
    let capacity = e.check(
        "capacity",
        guichet_domain::catalogue::optional_number(&change.capacity, 0, 1_000_000),
    );
    e.into_result()?;
    let capacity = capacity.flatten();
    let closed = change.closed;
    let tenant = actor.tenant;
    // Only a real session of the offer can be changed.
    let offer = state
        .store
        .read(|tx| Box::pin(async move { offers::get(tx, tenant, id).await }))
        .await?;
    let tz = zone(state, actor).await?;
    let day = jiff::Timestamp::from_microsecond(start)
        .map_err(|_| AppError::NotFound)?
        .to_zoned(tz.clone())
        .date();
    if !offer
        .schedule
        .schedule()
        .sessions_on(day, &tz)
        .iter()
        .any(|s| s.start_micros == start)
    {
        return Err(AppError::NotFound);
    }
    Ok(state
        .store
        .write(|tx| {
            Box::pin(
                async move { planning::set_session(tx, tenant, id, start, capacity, closed).await },
            )
        })
        .await?)
}

/// Stop or reopen sales of offers and ticket types over a date range, in one action.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct StopSalesInput {
    pub offer_ids: Vec<String>,
    pub ticket_type_ids: Vec<String>,
    pub from: String,
    pub to: String,
}

pub async fn set_stopped(
    state: &App,
    actor: &Actor,
    input: &StopSalesInput,
    stop: bool,
) -> Result<usize, AppError> {
    actor.require(Permission::ManageCatalogue)?;
    let (from, to) = date_range(&input.from, &input.to)?;
    let mut targets = Vec::new();
    for o in &input.offer_ids {
        targets.push(StopTarget::Offer(
            o.parse().map_err(|_| AppError::NotFound)?,
        ));
    }
    for t in &input.ticket_type_ids {
        targets.push(StopTarget::TicketType(
            t.parse().map_err(|_| AppError::NotFound)?,
        ));
    }
    if targets.is_empty() {
        return Err(AppError::field("offer_ids", "nothing_selected"));
    }
    let day_list: Vec<String> = days(from, to).into_iter().map(|d| d.to_string()).collect();
    let (tenant, by) = (actor.tenant, actor.user_id());
    Ok(state
        .store
        .write(|tx| {
            let (targets, day_list) = (targets.clone(), day_list.clone());
            Box::pin(async move {
                planning::set_stopped(tx, tenant, &targets, &day_list, stop, by).await
            })
        })
        .await?)
}
