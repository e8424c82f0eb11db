//! The visitor's own booking page (issue 16 §3), at an unguessable address sent in the
//! confirmation e-mail: the order, its tickets with their QR codes to show or print, the
//! visit's calendar file, and cancellation while the offers' policy allows it.

use super::book::{Refusal, app_error_page, limited, policy_text};
use crate::auth::language_of;
use crate::error::AppError;
use crate::state::AppState;
use crate::view::Tr;
use askama::Template;
use axum::Router;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use guichet_app::booking;
use guichet_domain::org::Language;
use std::net::SocketAddr;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/booking/{org}/{order}/{token}", get(booking_page))
        .route("/booking/{org}/{order}/{token}/visit.ics", get(booking_ics))
        .route("/booking/{org}/{order}/{token}/cancel", post(cancel))
}

#[derive(Template)]
#[template(path = "booking_page.html")]
struct BookingPage {
    tr: Tr,
    organization: String,
    address: String,
    number: String,
    state: String,
    cancelled: bool,
    lines: Vec<(String, String)>,
    total: String,
    paid: String,
    due: String,
    tickets: Vec<TicketView>,
    ics: String,
    cancel_action: Option<String>,
    cancel_note: String,
    refund_note: Option<String>,
    policies: Vec<(String, String)>,
    errors: Vec<String>,
}

struct TicketView {
    title: String,
    when: String,
    label: String,
    index: String,
    code: String,
    qr_svg: String,
}

/// An instant as the visitor reads it: `10 décembre 2026 13:00`, `10 december 2026 13:00`.
fn long_instant(tr: &Tr, micros: i64, tz: &str) -> String {
    let zone = jiff::tz::TimeZone::get(tz).unwrap_or(jiff::tz::TimeZone::UTC);
    match jiff::Timestamp::from_microsecond(micros) {
        Ok(t) => {
            let z = t.to_zoned(zone);
            format!(
                "{} {}",
                tr.long_day(&z.date().to_string()),
                z.strftime("%H:%M")
            )
        }
        Err(_) => String::new(),
    }
}

async fn booking_view(
    state: &AppState,
    org: &str,
    order: &str,
    token: &str,
    errors: Vec<String>,
    lang_hint: Language,
) -> Response {
    let b = match booking::visitor_booking(state, org, order, token).await {
        Ok(b) => b,
        Err(e) => return app_error_page(Tr(lang_hint), None, e),
    };
    let tr = Tr(b.language);
    let tz = b.organization.time_zone.clone();
    let o = &b.order;
    let when = |start: Option<i64>, day: &Option<String>| match start {
        Some(_) => format!(
            "{} · {}",
            tr.long_day(day.as_deref().unwrap_or_default()),
            tr.time_of(&start, &tz)
        ),
        None => tr.long_day(day.as_deref().unwrap_or_default()),
    };
    let tickets = b
        .tickets
        .iter()
        .map(|t| TicketView {
            title: t.offer_name.clone(),
            when: when(t.session_start, &t.visit_date),
            label: t.label.clone(),
            index: tr.t1_2(
                "book-ticket-index",
                ("index", t.index.to_string()),
                ("count", t.count.to_string()),
            ),
            qr_svg: guichet_integrations::labels::qr_svg(&t.code).unwrap_or_default(),
            code: t.code.clone(),
        })
        .collect();
    let address = b.organization.address.one_line();
    let base = format!("/booking/{org}/{}/{}", o.id.0.simple(), b.token);
    let cancel_note = match (b.cancellable, b.cancellable_until) {
        (true, Some(until)) => tr.t1("book-cancel-until", "when", long_instant(&tr, until, &tz)),
        _ if o.state == guichet_domain::order::OrderState::Cancelled => String::new(),
        _ => tr.t("book-cancel-closed"),
    };
    let page = BookingPage {
        organization: b.organization.name.clone(),
        address,
        number: o.number.clone().unwrap_or_default(),
        state: tr.t(&format!("book-state-{}", o.state.as_str())),
        cancelled: o.state == guichet_domain::order::OrderState::Cancelled,
        lines: o
            .lines
            .iter()
            .map(|l| {
                (
                    format!("{} × {}", l.quantity, l.label),
                    tr.money(&l.total_cents),
                )
            })
            .collect(),
        total: tr.money(&o.total_cents),
        paid: tr.money(&o.collected_cents),
        due: tr.money(&(o.total_cents - o.collected_cents).max(0)),
        tickets,
        ics: format!("{base}/visit.ics"),
        cancel_action: b.cancellable.then(|| format!("{base}/cancel")),
        cancel_note,
        refund_note: o
            .online
            .as_ref()
            .filter(|x| x.refund_due_cents > 0)
            .map(|x| tr.t1("book-refund-due", "amount", tr.money(&x.refund_due_cents))),
        policies: b
            .offers
            .iter()
            .map(|x| (x.name.clone(), policy_text(&tr, x)))
            .collect(),
        errors,
        tr,
    };
    let mut r = crate::view::render(&page);
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // The address is the key: no page it links to may learn it.
    r.headers_mut().insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    r
}

async fn booking_page(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path((org, order, token)): Path<(String, String, String)>,
) -> Result<Response, Refusal> {
    limited(
        &state,
        peer,
        &headers,
        &format!("booking/{org}"),
        language_of(&headers),
    )?;
    Ok(booking_view(
        &state,
        &org,
        &order,
        &token,
        Vec::new(),
        language_of(&headers),
    )
    .await)
}

async fn booking_ics(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path((org, order, token)): Path<(String, String, String)>,
) -> Result<Response, Refusal> {
    let lang = language_of(&headers);
    limited(&state, peer, &headers, &format!("booking/{org}"), lang)?;
    match booking::visit_calendar(&state, &org, &order, &token).await {
        Ok(ics) => Ok((
            [
                (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"visit.ics\"",
                ),
                (header::CACHE_CONTROL, "no-store"),
            ],
            ics,
        )
            .into_response()),
        Err(e) => Ok(app_error_page(Tr(lang), None, e)),
    }
}

async fn cancel(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path((org, order, token)): Path<(String, String, String)>,
) -> Result<Response, Refusal> {
    let lang = language_of(&headers);
    limited(&state, peer, &headers, &format!("booking/{org}"), lang)?;
    match guichet_app::stripe::cancel_by_visitor(&state, &org, &order, &token).await {
        Ok(_) => Ok(Redirect::to(&format!("/booking/{org}/{order}/{token}")).into_response()),
        Err(AppError::Conflict(code)) => {
            let tr = Tr(lang);
            let mut r =
                booking_view(&state, &org, &order, &token, vec![tr.error(code)], lang).await;
            *r.status_mut() = StatusCode::CONFLICT;
            Ok(r)
        }
        Err(e) => Ok(app_error_page(Tr(lang), None, e)),
    }
}
