//! The planning: a grid of days × sessions coloured by fill, the daily stock of ticket
//! types and extras, a session page to change its capacity or close it, and stop-sales /
//! reopening of offers and ticket types over a date range in one action.

use super::support::{OrPage, form_errors};
use crate::auth::{Ctx, PageCtx};
use crate::error::{AppError, PageError};
use crate::state::AppState;
use crate::view::{Nav, Tr, render_status};
use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use guichet_app::catalogue::Item;
use guichet_app::offers::{Offer, OfferId};
use guichet_app::planning::{
    self, ItemAvailability, SessionAvailability, SessionChange, StopSalesInput,
};
use guichet_app::{catalogue, offers};
use guichet_domain::catalogue::ItemKind;
use guichet_domain::{FieldErrors, Permission};
use serde::Deserialize;
use std::collections::BTreeSet;

/// The routes of these pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/planning", get(page))
        .route("/planning/stop-sales", post(stop_sales))
        .route("/planning/session", get(session).post(change_session))
}

pub struct Cell {
    offer_id: String,
    /// The offer's name, in the per-ticket-type grid where several offers share a row.
    offer_name: Option<String>,
    start: i64,
    capacity: i64,
    sold: i64,
    remaining: i64,
    closed: bool,
    class: &'static str,
}

pub struct Row {
    label: String,
    stopped: bool,
    cells: Vec<Vec<Cell>>,
}

#[derive(Template)]
#[template(path = "planning.html")]
struct PlanningPage {
    tr: Tr,
    nav: Nav,
    offers: Vec<Offer>,
    ticket_types: Vec<Item>,
    offer_id: String,
    ticket_type_id: String,
    from: String,
    to: String,
    days: i64,
    times: Vec<String>,
    rows: Vec<Row>,
    day_labels: Vec<String>,
    items: Vec<ItemAvailability>,
    can_manage: bool,
    errors: FieldErrors,
}

impl PlanningPage {
    /// The offer's name in the reader's language (the French one when it has none).
    fn offer_name(&self, o: &Offer) -> String {
        o.texts.pick(self.tr.0, |t| &t.name)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PlanningQuery {
    offer: String,
    /// When set, the grid shows this ticket type across every offer selling it.
    ticket_type: String,
    from: String,
    days: String,
    done: Option<String>,
}

fn class_of(s: &SessionAvailability) -> &'static str {
    if s.closed {
        "closed"
    } else if s.fill_percent >= 100 {
        "fill-full"
    } else if s.fill_percent >= 75 {
        "fill-mid"
    } else {
        "fill-low"
    }
}

async fn today(state: &AppState, ctx: &Ctx) -> Result<jiff::civil::Date, PageError> {
    let tz = guichet_app::organization::time_zone(state, ctx.tenant)
        .await
        .or_page(ctx)?;
    let zone = jiff::tz::TimeZone::get(&tz).unwrap_or(jiff::tz::TimeZone::UTC);
    Ok(jiff::Timestamp::now().to_zoned(zone).date())
}

/// Lays sessions out as days × start times; a cell holds every session starting then (one per
/// offer), so the same grid serves one offer and one ticket type across offers.
fn grid(
    sessions: &[(String, Option<String>, SessionAvailability)],
    from: jiff::civil::Date,
    to: jiff::civil::Date,
    tr: Tr,
) -> (Vec<String>, Vec<Row>, Vec<String>) {
    let times: Vec<String> = sessions
        .iter()
        .map(|(_, _, s)| s.time.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut rows = Vec::new();
    let mut day_labels = Vec::new();
    let mut d = from;
    while d <= to {
        let date = d.to_string();
        let day: Vec<_> = sessions.iter().filter(|(_, _, s)| s.date == date).collect();
        if !day.is_empty() {
            let cells = times
                .iter()
                .map(|t| {
                    day.iter()
                        .filter(|(_, _, s)| &s.time == t)
                        .map(|(offer_id, name, s)| Cell {
                            offer_id: offer_id.clone(),
                            offer_name: name.clone(),
                            start: s.start,
                            capacity: s.capacity,
                            sold: s.sold,
                            remaining: s.remaining,
                            closed: s.closed,
                            class: class_of(s),
                        })
                        .collect()
                })
                .collect();
            rows.push(Row {
                // The weekday in the reader's language (`%a` would be English).
                label: format!("{} {}", tr.weekday_short(d.weekday()), d.strftime("%d/%m")),
                // The offer is stopped that day (only meaningful with one offer per grid).
                stopped: day.iter().all(|(_, _, s)| s.stopped),
                cells,
            });
        }
        day_labels.push(d.strftime("%d/%m").to_string());
        d = match d.tomorrow() {
            Ok(n) => n,
            Err(_) => break,
        };
    }
    (times, rows, day_labels)
}

async fn planning_page(
    state: &AppState,
    ctx: &Ctx,
    q: PlanningQuery,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let all = offers::list(state, ctx).await.or_page(ctx)?;
    let active: Vec<Offer> = all.into_iter().filter(|o| !o.archived).collect();
    let ticket_types: Vec<Item> = catalogue::list(state, ctx, ItemKind::TicketType)
        .await
        .or_page(ctx)?
        .into_iter()
        .filter(|t| !t.archived)
        .collect();
    let offer = active
        .iter()
        .find(|o| o.id.to_string() == q.offer)
        .or(active.first())
        .map(|o| o.id);
    let from = match q.from.trim() {
        "" => today(state, ctx).await?,
        f => f
            .parse()
            .map_err(|_| PageError(AppError::field("from", "invalid_date"), ctx.lang))?,
    };
    let days: i64 = q.days.trim().parse().unwrap_or(7).clamp(1, 31);
    let to = from
        .checked_add(jiff::Span::new().days(days - 1))
        .unwrap_or(from);
    let ticket_type = ticket_types
        .iter()
        .find(|t| !q.ticket_type.is_empty() && t.id.to_string() == q.ticket_type)
        .map(|t| t.id);
    let (from_s, to_s) = (from.to_string(), to.to_string());
    let (sessions, items) = match (ticket_type, offer) {
        (Some(t), _) => {
            let a = planning::ticket_type_availability(state, ctx, t, &from_s, &to_s)
                .await
                .or_page(ctx)?;
            let sessions = a
                .offers
                .into_iter()
                .flat_map(|o| {
                    let (id, name) = (o.offer_id.to_string(), o.name);
                    o.sessions
                        .into_iter()
                        .map(move |s| (id.clone(), Some(name.clone()), s))
                })
                .collect();
            (sessions, vec![a.ticket_type])
        }
        (None, Some(id)) => {
            let a = planning::availability(state, ctx, id, &from_s, &to_s)
                .await
                .or_page(ctx)?;
            let sessions = a
                .sessions
                .into_iter()
                .map(|s| (id.to_string(), None, s))
                .collect();
            (sessions, a.items)
        }
        (None, None) => (Vec::new(), Vec::new()),
    };
    let (times, rows, day_labels) = grid(&sessions, from, to, Tr(ctx.lang));
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render_status(
        status,
        &PlanningPage {
            tr: Tr(ctx.lang),
            nav: Nav::new(ctx, "/planning", q.done.as_deref()),
            offers: active,
            ticket_types,
            offer_id: offer.map(|o| o.to_string()).unwrap_or_default(),
            ticket_type_id: ticket_type.map(|t| t.to_string()).unwrap_or_default(),
            from: from.to_string(),
            to: to.to_string(),
            days,
            times,
            rows,
            day_labels,
            items,
            can_manage: ctx.can(Permission::ManageCatalogue),
            errors,
        },
    ))
}

pub async fn page(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(q): Query<PlanningQuery>,
) -> Result<Response, PageError> {
    planning_page(&state, &ctx, q, FieldErrors::new()).await
}

/// Checkbox lists arrive as repeated keys.
pub async fn stop_sales(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let all = |k: &str| {
        pairs
            .iter()
            .filter(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .collect::<Vec<_>>()
    };
    let input = StopSalesInput {
        offer_ids: all("offer_ids"),
        ticket_type_ids: all("ticket_type_ids"),
        from: get("from"),
        to: get("to"),
    };
    let stop = get("action") != "reopen";
    let back_offer = get("return_offer");
    match planning::set_stopped(&state, &ctx, &input, stop).await {
        Ok(_) => {
            let key = if stop {
                "sales-stopped"
            } else {
                "sales-reopened"
            };
            Ok(Redirect::to(&format!(
                "/planning?offer={back_offer}&from={}&done={key}",
                input.from
            ))
            .into_response())
        }
        Err(e) => {
            let errors = form_errors(e, &ctx)?;
            let q = PlanningQuery {
                offer: back_offer,
                from: input.from.clone(),
                ..Default::default()
            };
            planning_page(&state, &ctx, q, errors).await
        }
    }
}

#[derive(Template)]
#[template(path = "planning_session.html")]
struct SessionPage {
    tr: Tr,
    nav: Nav,
    offer_name: String,
    session: SessionAvailability,
    capacity: String,
    errors: FieldErrors,
    can_manage: bool,
    back: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SessionQuery {
    offer: String,
    start: i64,
}

async fn session_page(
    state: &AppState,
    ctx: &Ctx,
    q: &SessionQuery,
    capacity: Option<String>,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let id: OfferId = q
        .offer
        .parse()
        .map_err(|_| PageError(AppError::NotFound, ctx.lang))?;
    let offer = offers::get(state, ctx, id).await.or_page(ctx)?;
    let tz = guichet_app::organization::time_zone(state, ctx.tenant)
        .await
        .or_page(ctx)?;
    let zone = jiff::tz::TimeZone::get(&tz).unwrap_or(jiff::tz::TimeZone::UTC);
    let day = jiff::Timestamp::from_microsecond(q.start)
        .map_err(|_| PageError(AppError::NotFound, ctx.lang))?
        .to_zoned(zone)
        .date()
        .to_string();
    let a = planning::availability(state, ctx, id, &day, &day)
        .await
        .or_page(ctx)?;
    let session = a
        .sessions
        .into_iter()
        .find(|s| s.start == q.start)
        .ok_or(PageError(AppError::NotFound, ctx.lang))?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render_status(
        status,
        &SessionPage {
            tr: Tr(ctx.lang),
            nav: Nav::new(ctx, "/planning", None),
            offer_name: offer.texts.pick(ctx.lang, |t| &t.name),
            capacity: capacity.unwrap_or_else(|| session.capacity.to_string()),
            back: format!("/planning?offer={id}&from={day}"),
            session,
            errors,
            can_manage: ctx.can(Permission::ManageCatalogue),
        },
    ))
}

pub async fn session(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(q): Query<SessionQuery>,
) -> Result<Response, PageError> {
    session_page(&state, &ctx, &q, None, FieldErrors::new()).await
}

pub async fn change_session(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(q): Query<SessionQuery>,
    Form(change): Form<SessionChange>,
) -> Result<Response, PageError> {
    let id: OfferId = q
        .offer
        .parse()
        .map_err(|_| PageError(AppError::NotFound, ctx.lang))?;
    match planning::change_session(&state, &ctx, id, q.start, &change).await {
        Ok(()) => Ok(
            Redirect::to(&format!("/planning/session?offer={id}&start={}", q.start))
                .into_response(),
        ),
        Err(e) => {
            let errors = form_errors(e, &ctx)?;
            session_page(&state, &ctx, &q, Some(change.capacity), errors).await
        }
    }
}
