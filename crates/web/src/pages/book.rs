//! The public booking flow (issue 16 §2–3), phone first, framed by the sites a module lists:
//! the calendar, a day's sessions, the quantities, the cart with its countdown, promo code
//! and the visitor's details, the development payment page, the confirmation; then the
//! visitor's own booking page. No session, no cookie (the flow runs in other sites' frames):
//! the cart's random token is in the addresses. Every page is rate-limited per client
//! address and per module ([`crate::public_limits`]).

use crate::auth::language_of;
use crate::client_address::client_address;
use crate::error::AppError;
use crate::state::AppState;
use crate::view::Tr;
use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use guichet_app::booking::{self, Booking, CartView, OnlinePayments, PublicOffer, PublicSession};
use guichet_app::booking_modules::PublicModule;
use guichet_domain::booking_module::{BookingField, ModuleKind, VisitorInput};
use guichet_domain::offer::{CollectionMode, DayStatus};
use guichet_domain::org::Language;
use guichet_domain::{FieldErrors, ItemId, OfferId};
use jiff::civil::Date;
use serde::Deserialize;
use std::collections::HashMap;
use std::net::SocketAddr;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/book/{org}/{module}", get(landing))
        .route("/book/{org}/{module}/theme.css", get(theme))
        .route("/book/{org}/{module}/choose", post(choose))
        .route("/book/{org}/{module}/cart/{cart}", get(cart_page))
        .route("/book/{org}/{module}/cart/{cart}/promo", post(promo))
        .route("/book/{org}/{module}/cart/{cart}/remove", post(remove))
        .route("/book/{org}/{module}/cart/{cart}/book", post(book))
        .route(
            "/book/{org}/{module}/cart/{cart}/pay",
            get(pay_page).post(pay),
        )
        .route(
            "/book/{org}/{module}/cart/{cart}/pay/cancel",
            get(stripe_cancelled),
        )
        .route(
            "/book/{org}/{module}/cart/{cart}/paid",
            get(stripe_returned),
        )
        .route("/book/{org}/{module}/cart/{cart}/done", get(done_page))
}

/// The module of the address and the visitor's language, once the rate limits let the
/// request through.
struct Visit {
    m: PublicModule,
    tr: Tr,
}

impl Visit {
    fn base(&self) -> String {
        format!("/book/{}/{}", self.m.organization_slug, self.m.module_slug)
    }
}

fn visitor_language(m: &PublicModule, headers: &HeaderMap) -> Language {
    m.language.fixed().unwrap_or_else(|| language_of(headers))
}

/// A response the visitor sees instead of the page: too many requests, an unknown module,
/// an error.
pub(super) struct Refusal(Box<Response>);

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        *self.0
    }
}

pub(super) fn limited(
    state: &AppState,
    peer: SocketAddr,
    headers: &HeaderMap,
    key: &str,
    lang: Language,
) -> Result<(), Refusal> {
    let client = client_address(peer.ip(), headers, &state.web.trusted_proxies);
    state.limits.check(client, key).map_err(|wait| {
        let mut r = error_page(
            Tr(lang),
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_requests",
            None,
        );
        if let Ok(v) = HeaderValue::from_str(&wait.to_string()) {
            r.headers_mut().insert(header::RETRY_AFTER, v);
        }
        Refusal(Box::new(r))
    })
}

async fn visit(
    state: &AppState,
    peer: SocketAddr,
    headers: &HeaderMap,
    org: &str,
    module: &str,
) -> Result<Visit, Refusal> {
    limited(
        state,
        peer,
        headers,
        &format!("{org}/{module}"),
        language_of(headers),
    )?;
    match guichet_app::booking_modules::public_module(state, org, module).await {
        Ok(m) => {
            let tr = Tr(visitor_language(&m, headers));
            Ok(Visit { m, tr })
        }
        Err(e) => Err(Refusal(Box::new(app_error_page(
            Tr(language_of(headers)),
            None,
            e,
        )))),
    }
}

/// The page's headers: the module's sites may frame it; its analytics, when set, may load.
fn framed(v: &Visit, mut r: Response) -> Response {
    let mut csp = crate::framed_content_security_policy(&v.m.frame_ancestors());
    if v.m.analytics_id.is_some() {
        csp = csp
            .replace(
                "script-src 'self'",
                "script-src 'self' https://www.googletagmanager.com",
            )
            .replace(
                "connect-src 'self'",
                "connect-src 'self' https://*.google-analytics.com https://*.analytics.google.com https://www.googletagmanager.com",
            )
            .replace(
                "img-src 'self' data:",
                "img-src 'self' data: https://*.google-analytics.com https://www.googletagmanager.com",
            );
    }
    if let Ok(v) = HeaderValue::from_str(&csp) {
        r.headers_mut().insert(header::CONTENT_SECURITY_POLICY, v);
    }
    // `frame-ancestors` decides; browsers ignore X-Frame-Options beside it, but an
    // older one reading "DENY" would refuse every frame.
    r.headers_mut().insert(
        header::X_FRAME_OPTIONS,
        HeaderValue::from_static("SAMEORIGIN"),
    );
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

fn render_framed<T: Template>(v: &Visit, status: StatusCode, t: &T) -> Response {
    framed(v, crate::view::render_status(status, t))
}

#[derive(Template)]
#[template(path = "book_error.html")]
struct ErrorPage {
    tr: Tr,
    title: String,
    message: String,
    back: Option<String>,
}

fn error_page(tr: Tr, status: StatusCode, code: &str, back: Option<String>) -> Response {
    crate::view::render_status(
        status,
        &ErrorPage {
            title: tr.t(if status == StatusCode::NOT_FOUND {
                "book-not-found-title"
            } else {
                "book-error-title"
            }),
            message: tr.error(code),
            tr,
            back,
        },
    )
}

pub(super) fn app_error_page(tr: Tr, back: Option<String>, e: AppError) -> Response {
    let status = crate::error::status(&e);
    let code = match &e {
        AppError::Internal(_) => {
            let _ = crate::error::log_internal(&e);
            "internal".to_owned()
        }
        AppError::NotFound => "book_not_found".to_owned(),
        other => other.code().to_owned(),
    };
    error_page(tr, status, &code, back)
}

/// A visitor-facing message for every error of a form (fields and refusals alike).
fn messages(tr: &Tr, e: &FieldErrors) -> Vec<String> {
    let mut out: Vec<String> = e.0.iter().map(|fe| tr.error(&fe.code)).collect();
    out.dedup();
    out
}

fn form_errors(e: AppError) -> Result<FieldErrors, AppError> {
    match e {
        AppError::Invalid(errors) => Ok(errors),
        AppError::Conflict(code) => {
            let mut errors = FieldErrors::new();
            errors.add("_form", code);
            Ok(errors)
        }
        other => Err(other),
    }
}

/// The module's colours as a style sheet (inline styles are not allowed by the policy).
async fn theme(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path((org, module)): Path<(String, String)>,
) -> Result<Response, Refusal> {
    let v = visit(&state, peer, &headers, &org, &module).await?;
    let c = &v.m.colors;
    // The colours were checked as #rrggbb when the module was saved.
    let css = format!(
        ":root{{--book-primary:{};--book-background:{};--book-text:{}}}\n",
        c.primary, c.background, c.text
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=60"),
        ],
        css,
    )
        .into_response())
}

/// What every page of the flow shows around its content.
struct Frame {
    title: String,
    organization: String,
    theme: String,
    analytics_id: Option<String>,
}

fn frame(v: &Visit, title: String) -> Frame {
    Frame {
        title,
        organization: v.m.organization_name.clone(),
        theme: format!("{}/theme.css", v.base()),
        analytics_id: v.m.analytics_id.clone(),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct LandingQuery {
    month: Option<String>,
    date: Option<String>,
    offer: Option<String>,
    start: Option<i64>,
    cart: Option<String>,
}

struct MonthCell {
    day: Option<u8>,
    date: String,
    status: &'static str,
    label: String,
    link: Option<String>,
}

#[derive(Template)]
#[template(path = "book_calendar.html")]
struct CalendarPage {
    tr: Tr,
    f: Frame,
    month_title: String,
    weekdays: Vec<&'static str>,
    weeks: Vec<Vec<MonthCell>>,
    previous: Option<String>,
    next: String,
    cart_link: Option<String>,
    intro: Option<String>,
}

#[derive(Template)]
#[template(path = "book_day.html")]
struct DayPage {
    tr: Tr,
    f: Frame,
    date_long: String,
    date: String,
    calendar_link: String,
    offers: Vec<DayOffer>,
    base: String,
    cart: Option<String>,
    cart_link: Option<String>,
}

struct DayOffer {
    offer: PublicOffer,
    prices_text: String,
    sessions: Vec<DaySession>,
}

struct DaySession {
    time: String,
    remaining_text: String,
    link: Option<String>,
}

#[derive(Template)]
#[template(path = "book_session.html")]
struct SessionPage {
    tr: Tr,
    f: Frame,
    offer: PublicOffer,
    date_long: String,
    time: String,
    remaining_text: String,
    action: String,
    cart: String,
    offer_id: String,
    start: i64,
    rows: Vec<QuantityRow>,
    back: String,
    errors: Vec<String>,
    policy: String,
    payment_text: String,
}

struct QuantityRow {
    item_id: String,
    name: String,
    price: String,
    extra: bool,
    value: i64,
    max: i64,
    hint: String,
}

fn parse_date(raw: Option<&str>) -> Option<Date> {
    raw.and_then(|s| s.trim().parse::<Date>().ok())
}

fn today(m: &PublicModule) -> Date {
    let tz = jiff::tz::TimeZone::get(&m.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    jiff::Timestamp::now().to_zoned(tz).date()
}

fn with_cart(link: String, cart: &Option<String>) -> String {
    match cart {
        Some(c) => format!("{link}&cart={c}"),
        None => link,
    }
}

/// A cart token from an address: as the flow makes them, or nothing.
fn cart_param(raw: &Option<String>) -> Option<String> {
    raw.as_ref()
        .filter(|c| {
            (16..=64).contains(&c.len())
                && c.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        .cloned()
}

/// The module's first page: the month's calendar (booking engine, calendar), or the first
/// day with places (button); with `date`, that day's sessions; with `offer` and `start`,
/// the quantities of one session.
async fn landing(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path((org, module)): Path<(String, String)>,
    Query(q): Query<LandingQuery>,
) -> Result<Response, Refusal> {
    let v = visit(&state, peer, &headers, &org, &module).await?;
    let cart = cart_param(&q.cart);
    let today = today(&v.m);
    if let (Some(offer), Some(start)) = (q.offer.as_deref(), q.start) {
        let Ok(offer) = offer.parse::<OfferId>() else {
            return Ok(framed(
                &v,
                error_page(
                    v.tr,
                    StatusCode::NOT_FOUND,
                    "book_not_found",
                    Some(v.base()),
                ),
            ));
        };
        return Ok(session_page(
            &state,
            &v,
            offer,
            start,
            cart,
            HashMap::new(),
            Vec::new(),
            StatusCode::OK,
        )
        .await);
    }
    let date = parse_date(q.date.as_deref());
    if let Some(date) = date {
        return Ok(day_page(&state, &v, date, cart).await);
    }
    if v.m.kind == ModuleKind::Button && q.month.is_none() {
        return match booking::first_open_day(&state, &v.m, v.m.offer_id, today).await {
            Ok(Some(d)) => Ok(day_page(&state, &v, d, cart).await),
            Ok(None) => Ok(calendar_page(&state, &v, today, today, cart).await),
            Err(e) => Ok(framed(&v, app_error_page(v.tr, None, e))),
        };
    }
    let month = q
        .month
        .as_deref()
        .and_then(|m| format!("{m}-01").parse::<Date>().ok())
        .filter(|d| d.year() >= today.year() - 1 && d.year() <= today.year() + 3)
        .unwrap_or(today);
    Ok(calendar_page(&state, &v, month, today, cart).await)
}

async fn calendar_page(
    state: &AppState,
    v: &Visit,
    month: Date,
    today: Date,
    cart: Option<String>,
) -> Response {
    let first = month.first_of_month();
    let shown_first = if first < today.first_of_month() {
        today.first_of_month()
    } else {
        first
    };
    let days = i64::from(shown_first.days_in_month());
    let statuses = match booking::calendar(state, &v.m, v.m.offer_id, shown_first, days).await {
        Ok(d) => d,
        Err(e) => return framed(v, app_error_page(v.tr, None, e)),
    };
    let tr = v.tr;
    let lead = i64::from(shown_first.weekday().to_monday_zero_offset());
    let mut cells: Vec<MonthCell> = (0..lead)
        .map(|_| MonthCell {
            day: None,
            date: String::new(),
            status: "blank",
            label: String::new(),
            link: None,
        })
        .collect();
    for d in statuses {
        let past = d.date < today;
        let status = if past { DayStatus::Closed } else { d.status };
        cells.push(MonthCell {
            day: Some(d.date.day() as u8),
            date: d.date.to_string(),
            status: status.as_str(),
            label: tr.t(&format!("book-day-{}", status.as_str())),
            link: status
                .bookable()
                .then(|| with_cart(format!("{}?date={}", v.base(), d.date), &cart)),
        });
    }
    while !cells.len().is_multiple_of(7) {
        cells.push(MonthCell {
            day: None,
            date: String::new(),
            status: "blank",
            label: String::new(),
            link: None,
        });
    }
    let mut weeks = Vec::new();
    let mut it = cells.into_iter().peekable();
    while it.peek().is_some() {
        weeks.push(it.by_ref().take(7).collect());
    }
    let month_link =
        |d: Date| with_cart(format!("{}?month={}", v.base(), d.strftime("%Y-%m")), &cart);
    let previous = (shown_first > today.first_of_month())
        .then(|| shown_first.checked_sub(jiff::Span::new().months(1)).ok())
        .flatten()
        .map(month_link);
    let next = shown_first
        .checked_add(jiff::Span::new().months(1))
        .map(month_link)
        .unwrap_or_else(|_| v.base());
    use jiff::civil::Weekday::*;
    let page = CalendarPage {
        tr,
        f: frame(v, tr.t("book-choose-date")),
        month_title: format!(
            "{} {}",
            guichet_integrations::i18n::month_name(tr.0, shown_first.month()),
            shown_first.year()
        ),
        weekdays: [
            Monday, Tuesday, Wednesday, Thursday, Friday, Saturday, Sunday,
        ]
        .into_iter()
        .map(|d| tr.weekday_short(d))
        .collect(),
        weeks,
        previous,
        next,
        cart_link: cart.as_ref().map(|c| format!("{}/cart/{c}", v.base())),
        intro: (v.m.kind == ModuleKind::Button).then(|| tr.t("book-no-date-soon")),
    };
    render_framed(v, StatusCode::OK, &page)
}

fn remaining_text(tr: &Tr, remaining: i64) -> String {
    match remaining {
        0 => tr.t("book-sold-out"),
        1..=10 => tr.t1("book-places-few", "count", remaining),
        n => tr.t1("book-places-left", "count", n),
    }
}

fn prices_text(tr: &Tr, o: &PublicOffer) -> String {
    o.prices
        .iter()
        .filter(|p| !p.extra)
        .map(|p| format!("{} {}", p.name, tr.money(&p.price_cents)))
        .collect::<Vec<_>>()
        .join(" · ")
}

async fn day_page(state: &AppState, v: &Visit, date: Date, cart: Option<String>) -> Response {
    let tr = v.tr;
    let (offers, sessions) = match (
        booking::offers(state, &v.m, tr.0).await,
        booking::sessions_on(state, &v.m, v.m.offer_id, date).await,
    ) {
        (Ok(o), Ok(s)) => (o, s),
        (Err(e), _) | (_, Err(e)) => return framed(v, app_error_page(tr, None, e)),
    };
    let day_offers: Vec<DayOffer> = offers
        .into_iter()
        .filter_map(|o| {
            let mine: Vec<&PublicSession> =
                sessions.iter().filter(|s| s.offer_id == o.id).collect();
            if mine.is_empty() {
                return None;
            }
            Some(DayOffer {
                prices_text: prices_text(&tr, &o),
                sessions: mine
                    .into_iter()
                    .map(|s| DaySession {
                        time: s.time.clone(),
                        remaining_text: remaining_text(&tr, s.remaining),
                        link: (s.remaining > 0).then(|| {
                            with_cart(
                                format!("{}?offer={}&start={}", v.base(), o.id.0.simple(), s.start),
                                &cart,
                            )
                        }),
                    })
                    .collect(),
                offer: o,
            })
        })
        .collect();
    let page = DayPage {
        tr,
        f: frame(v, tr.t("book-choose-session")),
        date_long: tr.long_day(&date.to_string()),
        date: date.to_string(),
        calendar_link: with_cart(
            format!("{}?month={}", v.base(), date.strftime("%Y-%m")),
            &cart,
        ),
        offers: day_offers,
        base: v.base(),
        cart_link: cart.as_ref().map(|c| format!("{}/cart/{c}", v.base())),
        cart,
    };
    render_framed(v, StatusCode::OK, &page)
}

fn payment_text(tr: &Tr, c: CollectionMode) -> String {
    match c {
        CollectionMode::OnSite => tr.t("book-pay-on-site"),
        CollectionMode::Full => tr.t("book-pay-full"),
        CollectionMode::Deposit(guichet_domain::offer::Deposit::BasisPoints(bp)) => {
            tr.t1("book-pay-deposit-percent", "percent", bp / 100)
        }
        CollectionMode::Deposit(guichet_domain::offer::Deposit::Cents(c)) => {
            tr.t1("book-pay-deposit-amount", "amount", tr.money(&c))
        }
    }
}

pub(super) fn policy_text(tr: &Tr, o: &PublicOffer) -> String {
    let rule = match o.cancel_free_hours {
        Some(h) => tr.t1("book-cancel-free-until", "hours", h),
        None => tr.t("book-cancel-not-online"),
    };
    if o.cancellation_policy.trim().is_empty() {
        rule
    } else {
        format!("{rule} {}", o.cancellation_policy.trim())
    }
}

#[allow(clippy::too_many_arguments)]
async fn session_page(
    state: &AppState,
    v: &Visit,
    offer: OfferId,
    start: i64,
    cart: Option<String>,
    typed: HashMap<String, i64>,
    errors: Vec<String>,
    status: StatusCode,
) -> Response {
    let tr = v.tr;
    let offers = match booking::offers(state, &v.m, tr.0).await {
        Ok(o) => o,
        Err(e) => return framed(v, app_error_page(tr, None, e)),
    };
    let Some(o) = offers.into_iter().find(|o| o.id == offer) else {
        return framed(
            v,
            error_page(tr, StatusCode::NOT_FOUND, "book_not_found", Some(v.base())),
        );
    };
    let Ok(ts) = jiff::Timestamp::from_microsecond(start) else {
        return framed(
            v,
            error_page(tr, StatusCode::NOT_FOUND, "book_not_found", Some(v.base())),
        );
    };
    let tz = jiff::tz::TimeZone::get(&v.m.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let local = ts.to_zoned(tz);
    let date = local.date();
    let session = match booking::sessions_on(state, &v.m, Some(offer), date).await {
        Ok(s) => s.into_iter().find(|s| s.start == start),
        Err(e) => return framed(v, app_error_page(tr, None, e)),
    };
    let back = with_cart(format!("{}?date={date}", v.base()), &cart);
    let Some(session) = session else {
        return framed(
            v,
            error_page(
                tr,
                StatusCode::NOT_FOUND,
                "session_not_bookable",
                Some(back),
            ),
        );
    };
    let rows = o
        .prices
        .iter()
        .map(|p| {
            let cap = if p.extra { 99 } else { session.remaining };
            let max = p.max_quantity.map_or(cap, |m| m.min(cap)).max(0);
            let hint = match (p.min_quantity > 0, p.max_quantity) {
                (true, Some(m)) => tr.t1_2(
                    "book-min-max",
                    ("min", p.min_quantity.to_string()),
                    ("max", m.to_string()),
                ),
                (true, None) => tr.t1("book-min", "min", p.min_quantity),
                (false, Some(m)) => tr.t1("book-max", "max", m),
                (false, None) => String::new(),
            };
            QuantityRow {
                item_id: p.item_id.0.simple().to_string(),
                name: p.name.clone(),
                price: tr.money(&p.price_cents),
                extra: p.extra,
                value: typed
                    .get(&p.item_id.0.simple().to_string())
                    .copied()
                    .unwrap_or(0),
                max,
                hint,
            }
        })
        .collect();
    let page = SessionPage {
        tr,
        f: frame(v, o.name.clone()),
        date_long: tr.long_day(&date.to_string()),
        time: session.time.clone(),
        remaining_text: remaining_text(&tr, session.remaining),
        action: format!("{}/choose", v.base()),
        cart: cart.unwrap_or_else(booking::new_cart_token),
        offer_id: o.id.0.simple().to_string(),
        start,
        rows,
        back,
        errors,
        policy: policy_text(&tr, &o),
        payment_text: payment_text(&tr, o.collection),
        offer: o,
    };
    render_framed(v, status, &page)
}

/// Chooses a session's quantities: `cart`, `offer`, `start` and one `q_<item id>` per ticket
/// type or extra.
async fn choose(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path((org, module)): Path<(String, String)>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, Refusal> {
    let v = visit(&state, peer, &headers, &org, &module).await?;
    let tr = v.tr;
    let cart = cart_param(&form.get("cart").cloned());
    let offer = form.get("offer").and_then(|o| o.parse::<OfferId>().ok());
    let start = form.get("start").and_then(|s| s.trim().parse::<i64>().ok());
    let (Some(cart), Some(offer), Some(start)) = (cart, offer, start) else {
        return Ok(framed(
            &v,
            error_page(
                tr,
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                Some(v.base()),
            ),
        ));
    };
    let mut typed = HashMap::new();
    let mut quantities = Vec::new();
    let mut bad = false;
    for (k, raw) in &form {
        let Some(item) = k.strip_prefix("q_") else {
            continue;
        };
        let raw = raw.trim();
        let q = if raw.is_empty() {
            Some(0)
        } else {
            raw.parse::<i64>().ok().filter(|q| (0..=10_000).contains(q))
        };
        match (item.parse::<ItemId>(), q) {
            (Ok(id), Some(q)) => {
                typed.insert(id.0.simple().to_string(), q);
                quantities.push((id, q));
            }
            _ => bad = true,
        }
    }
    let errors = if bad {
        vec![tr.error("out_of_range")]
    } else if quantities.iter().all(|(_, q)| *q == 0) {
        vec![tr.error("book_nothing_chosen")]
    } else {
        match booking::choose(&state, &v.m, tr.0, &cart, offer, start, &quantities).await {
            Ok(_) => return Ok(Redirect::to(&format!("{}/cart/{cart}", v.base())).into_response()),
            Err(e) => match form_errors(e) {
                Ok(fe) => messages(&tr, &fe),
                Err(e) => return Ok(framed(&v, app_error_page(tr, Some(v.base()), e))),
            },
        }
    };
    Ok(session_page(
        &state,
        &v,
        offer,
        start,
        Some(cart),
        typed,
        errors,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await)
}

#[derive(Template)]
#[template(path = "book_cart.html")]
struct CartPage {
    tr: Tr,
    f: Frame,
    base: String,
    cart: CartView,
    groups: Vec<CartGroup>,
    visitor: VisitorInput,
    fields: Vec<FieldRow>,
    errors: FieldErrors,
    banner: Vec<String>,
    promo_error: Option<String>,
    expires_at: Option<i64>,
    policies: Vec<(String, String)>,
    book_label: String,
    more_link: String,
    payment_note: Option<String>,
}

struct CartGroup {
    title: String,
    offer_id: String,
    start: i64,
    lines: Vec<(String, String, String)>,
}

struct FieldRow {
    name: &'static str,
    label: String,
    kind: &'static str,
    autocomplete: &'static str,
    required: bool,
    value: String,
    error: Option<String>,
}

fn field_label(f: BookingField) -> &'static str {
    match f {
        BookingField::LastName => "label-last-name",
        BookingField::FirstName => "label-first-name",
        BookingField::Email => "label-email",
        BookingField::Phone => "label-phone",
        BookingField::City => "label-city",
        BookingField::PostalCode => "label-postal-code",
    }
}

fn field_kind(f: BookingField) -> (&'static str, &'static str) {
    match f {
        BookingField::LastName => ("text", "family-name"),
        BookingField::FirstName => ("text", "given-name"),
        BookingField::Email => ("email", "email"),
        BookingField::Phone => ("tel", "tel"),
        BookingField::City => ("text", "address-level2"),
        BookingField::PostalCode => ("text", "postal-code"),
    }
}

#[allow(clippy::too_many_arguments)]
async fn cart_view(
    state: &AppState,
    v: &Visit,
    cart: &str,
    visitor: VisitorInput,
    errors: FieldErrors,
    promo_error: Option<String>,
    status: StatusCode,
) -> Response {
    let tr = v.tr;
    let view = match booking::cart(state, &v.m, tr.0, cart).await {
        Ok(c) => c,
        Err(e) => return framed(v, app_error_page(tr, Some(v.base()), e)),
    };
    if view.booked.is_some() {
        return Redirect::to(&format!("{}/cart/{cart}/done", v.base())).into_response();
    }
    if view.paying {
        return Redirect::to(&format!("{}/cart/{cart}/pay", v.base())).into_response();
    }
    let tz = jiff::tz::TimeZone::get(&v.m.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let mut groups: Vec<CartGroup> = Vec::new();
    for l in &view.chosen {
        if groups
            .iter()
            .any(|g| g.start == l.session_start && g.offer_id == l.offer_id.0.simple().to_string())
        {
            continue;
        }
        let name = view
            .offers
            .iter()
            .find(|o| o.id == l.offer_id)
            .map(|o| o.name.clone())
            .unwrap_or_default();
        let when = jiff::Timestamp::from_microsecond(l.session_start)
            .map(|t| {
                let z = t.to_zoned(tz.clone());
                format!(
                    "{} · {}",
                    tr.long_day(&z.date().to_string()),
                    z.strftime("%H:%M")
                )
            })
            .unwrap_or_default();
        groups.push(CartGroup {
            title: format!("{name} — {when}"),
            offer_id: l.offer_id.0.simple().to_string(),
            start: l.session_start,
            lines: Vec::new(),
        });
    }
    // The priced lines in the order of the chosen ones (the pricing keeps the cart's order).
    let chosen: Vec<_> = view.chosen.iter().filter(|l| l.quantity > 0).collect();
    for (i, line) in view.lines.iter().enumerate() {
        let Some(c) = chosen.get(i) else { continue };
        if let Some(g) = groups
            .iter_mut()
            .find(|g| g.start == c.session_start && g.offer_id == c.offer_id.0.simple().to_string())
        {
            // The item's name in the visitor's language (the priced line carries the French).
            let name = view
                .offers
                .iter()
                .find(|o| o.id == c.offer_id)
                .and_then(|o| o.prices.iter().find(|p| p.item_id == c.item_id))
                .map_or(line.label.as_str(), |p| p.name.as_str());
            let mut label = format!("{} × {name}", line.quantity);
            if let Some(r) = &line.discount_reason {
                label = format!("{label} ({r})");
            }
            let discount = if line.discount_cents > 0 {
                format!("−{}", tr.money(&line.discount_cents))
            } else {
                String::new()
            };
            g.lines.push((label, discount, tr.money(&line.total_cents)));
        }
    }
    let required = &v.m.required_fields;
    let fields = BookingField::ALL
        .into_iter()
        .map(|f| {
            let (kind, autocomplete) = field_kind(f);
            FieldRow {
                name: f.as_str(),
                label: tr.t(field_label(f)),
                kind,
                autocomplete,
                required: required.contains(&f),
                value: visitor.value(f).to_owned(),
                error: tr.field_error(&errors, f.as_str()),
            }
        })
        .collect();
    let mut banner: Vec<String> = view.problems.iter().map(|p| tr.error(p)).collect();
    if let Some(m) = errors.get("_form") {
        banner.push(tr.error(m));
    }
    for fe in &errors.0 {
        let shown = fe.field == "_form"
            || BookingField::parse(&fe.field).is_some()
            || fe.field == "accept_terms"
            || fe.field == "country";
        if !shown {
            banner.push(tr.error(&fe.code));
        }
    }
    banner.dedup();
    let book_label = if view.due_now_cents > 0 {
        tr.t1("book-pay-now", "amount", tr.money(&view.due_now_cents))
    } else {
        tr.t("book-confirm")
    };
    let payment_note = (view.due_later_cents > 0 && !view.chosen.is_empty()).then(|| {
        tr.t1(
            "book-due-on-site",
            "amount",
            tr.money(&view.due_later_cents),
        )
    });
    let page = CartPage {
        tr,
        f: frame(v, tr.t("book-your-cart")),
        base: v.base(),
        groups,
        visitor,
        fields,
        banner,
        promo_error,
        expires_at: view.expires_at.map(|e| e / 1000),
        policies: view
            .offers
            .iter()
            .map(|o| (o.name.clone(), policy_text(&tr, o)))
            .collect(),
        book_label,
        more_link: format!("{}?cart={cart}", v.base()),
        payment_note,
        errors,
        cart: view,
    };
    render_framed(v, status, &page)
}

async fn cart_page(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path((org, module, cart)): Path<(String, String, String)>,
) -> Result<Response, Refusal> {
    let v = visit(&state, peer, &headers, &org, &module).await?;
    Ok(cart_view(
        &state,
        &v,
        &cart,
        VisitorInput::default(),
        FieldErrors::new(),
        None,
        StatusCode::OK,
    )
    .await)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PromoForm {
    promo_code: String,
}

async fn promo(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path((org, module, cart)): Path<(String, String, String)>,
    Form(form): Form<PromoForm>,
) -> Result<Response, Refusal> {
    let v = visit(&state, peer, &headers, &org, &module).await?;
    match booking::set_promo_code(&state, &v.m, v.tr.0, &cart, &form.promo_code).await {
        Ok(()) => Ok(Redirect::to(&format!("{}/cart/{cart}", v.base())).into_response()),
        Err(e) => match form_errors(e) {
            Ok(fe) => {
                let msg = fe.0.first().map(|f| v.tr.error(&f.code));
                Ok(cart_view(
                    &state,
                    &v,
                    &cart,
                    VisitorInput::default(),
                    FieldErrors::new(),
                    msg,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await)
            }
            Err(e) => Ok(framed(&v, app_error_page(v.tr, Some(v.base()), e))),
        },
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RemoveForm {
    offer: String,
    start: i64,
}

async fn remove(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path((org, module, cart)): Path<(String, String, String)>,
    Form(form): Form<RemoveForm>,
) -> Result<Response, Refusal> {
    let v = visit(&state, peer, &headers, &org, &module).await?;
    let Ok(offer) = form.offer.parse::<OfferId>() else {
        return Ok(framed(
            &v,
            error_page(
                v.tr,
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                Some(v.base()),
            ),
        ));
    };
    match booking::choose(&state, &v.m, v.tr.0, &cart, offer, form.start, &[]).await {
        Ok(_) => Ok(Redirect::to(&format!("{}/cart/{cart}", v.base())).into_response()),
        Err(e) => Ok(framed(&v, app_error_page(v.tr, Some(v.base()), e))),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct BookForm {
    last_name: String,
    first_name: String,
    email: String,
    phone: String,
    city: String,
    postal_code: String,
    country: String,
    consent_email: Option<String>,
    accept_terms: Option<String>,
}

async fn book(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path((org, module, cart)): Path<(String, String, String)>,
    Form(form): Form<BookForm>,
) -> Result<Response, Refusal> {
    let v = visit(&state, peer, &headers, &org, &module).await?;
    let visitor = VisitorInput {
        last_name: form.last_name,
        first_name: form.first_name,
        email: form.email,
        phone: form.phone,
        city: form.city,
        postal_code: form.postal_code,
        country: form.country,
        consent_email: form.consent_email.is_some(),
        accept_terms: form.accept_terms.is_some(),
    };
    match booking::book(&state, &v.m, v.tr.0, &cart, &visitor).await {
        Ok(Booking::Booked(_)) => {
            Ok(Redirect::to(&format!("{}/cart/{cart}/done", v.base())).into_response())
        }
        Ok(Booking::Pay { .. }) => {
            Ok(Redirect::to(&format!("{}/cart/{cart}/pay", v.base())).into_response())
        }
        // A refusal (a hold run out, places gone) is 409, bad fields 422: the page is the
        // cart with the messages either way.
        Err(e) => match (crate::error::status(&e), form_errors(e)) {
            (status, Ok(fe)) => Ok(cart_view(&state, &v, &cart, visitor, fe, None, status).await),
            (_, Err(e)) => Ok(framed(&v, app_error_page(v.tr, Some(v.base()), e))),
        },
    }
}

#[derive(Template)]
#[template(path = "book_pay.html")]
struct PayPage {
    tr: Tr,
    f: Frame,
    amount: String,
    action: String,
}

#[derive(Template)]
#[template(path = "book_stripe.html")]
struct StripePage {
    tr: Tr,
    f: Frame,
    amount: String,
    url: String,
    /// Go to Stripe's page at once (the flow is the browser's page). Not a redirect: the
    /// booking form's `form-action 'self'` would block one to another origin; in a frame,
    /// only a tap opens it in the whole window (Stripe's page cannot be framed).
    go_now: bool,
    /// Waiting for Stripe's confirmation (the return page asks again by itself).
    waiting: bool,
    back: String,
}

/// Hands the cart to Stripe: straight on to its payment page when the flow is the browser's
/// page; from a frame (a module on the attraction's site), with a button that opens it in
/// the whole window, since Stripe's page cannot be framed.
async fn stripe_pay(state: &AppState, v: &Visit, headers: &HeaderMap, cart: &str) -> Response {
    let due = match booking::payment_due(state, &v.m, cart).await {
        Ok(d) => d,
        Err(AppError::Conflict("cart_not_paying")) => {
            return Redirect::to(&format!("{}/cart/{cart}", v.base())).into_response();
        }
        Err(e) => return framed(v, app_error_page(v.tr, Some(v.base()), e)),
    };
    match guichet_app::stripe::start_checkout(state, &v.m, v.tr.0, cart).await {
        Ok(url) => render_framed(
            v,
            StatusCode::OK,
            &StripePage {
                tr: v.tr,
                f: frame(v, v.tr.t("book-stripe-title")),
                amount: v.tr.money(&due),
                go_now: headers
                    .get("sec-fetch-dest")
                    .is_none_or(|d| d.as_bytes() != b"iframe"),
                url,
                waiting: false,
                back: format!("{}/cart/{cart}", v.base()),
            },
        ),
        Err(e) => framed(
            v,
            app_error_page(v.tr, Some(format!("{}/cart/{cart}", v.base())), e),
        ),
    }
}

/// Back from Stripe's page after paying: the booking is confirmed by Stripe's webhook, so
/// this page waits for it (asking again every two seconds) and then shows the confirmation.
async fn stripe_returned(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path((org, module, cart)): Path<(String, String, String)>,
) -> Result<Response, Refusal> {
    let v = visit(&state, peer, &headers, &org, &module).await?;
    let back = format!("{}/cart/{cart}", v.base());
    match guichet_app::stripe::return_state(&state, &v.m, &cart).await {
        Ok(guichet_app::stripe::ReturnState::Booked) => {
            Ok(Redirect::to(&format!("{back}/done")).into_response())
        }
        Ok(guichet_app::stripe::ReturnState::Open) => Ok(Redirect::to(&back).into_response()),
        Ok(guichet_app::stripe::ReturnState::Waiting) => {
            let due = booking::payment_due(&state, &v.m, &cart).await.unwrap_or(0);
            Ok(render_framed(
                &v,
                StatusCode::OK,
                &StripePage {
                    tr: v.tr,
                    f: frame(&v, v.tr.t("book-stripe-waiting-title")),
                    amount: v.tr.money(&due),
                    url: String::new(),
                    go_now: false,
                    waiting: true,
                    back,
                },
            ))
        }
        Err(e) => Ok(framed(&v, app_error_page(v.tr, Some(v.base()), e))),
    }
}

/// Back from Stripe's page without paying: the cart is the visitor's again.
async fn stripe_cancelled(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path((org, module, cart)): Path<(String, String, String)>,
) -> Result<Response, Refusal> {
    let v = visit(&state, peer, &headers, &org, &module).await?;
    let back = format!("{}/cart/{cart}", v.base());
    match guichet_app::stripe::cancel_checkout(&state, &v.m, &cart).await {
        Ok(guichet_app::stripe::ReturnState::Open) => Ok(Redirect::to(&back).into_response()),
        Ok(guichet_app::stripe::ReturnState::Waiting) => {
            Ok(Redirect::to(&format!("{back}/paid")).into_response())
        }
        Ok(guichet_app::stripe::ReturnState::Booked) => {
            Ok(Redirect::to(&format!("{back}/done")).into_response())
        }
        Err(e) => Ok(framed(&v, app_error_page(v.tr, Some(back), e))),
    }
}

async fn stripe_available(state: &AppState, v: &Visit) -> bool {
    guichet_app::stripe::available(state, v.m.tenant)
        .await
        .unwrap_or(false)
}

/// The payment page: Stripe's when the organization has an account, else the development
/// provider's, which pays or gives up when the visitor (a test) says.
async fn pay_page(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path((org, module, cart)): Path<(String, String, String)>,
) -> Result<Response, Refusal> {
    let v = visit(&state, peer, &headers, &org, &module).await?;
    if stripe_available(&state, &v).await {
        return Ok(stripe_pay(&state, &v, &headers, &cart).await);
    }
    if state.config.online_payments != OnlinePayments::Development {
        return Ok(framed(
            &v,
            error_page(
                v.tr,
                StatusCode::NOT_FOUND,
                "online_payment_unavailable",
                Some(v.base()),
            ),
        ));
    }
    match booking::payment_due(&state, &v.m, &cart).await {
        Ok(due) => Ok(render_framed(
            &v,
            StatusCode::OK,
            &PayPage {
                tr: v.tr,
                f: frame(&v, v.tr.t("book-dev-pay-title")),
                amount: v.tr.money(&due),
                action: format!("{}/cart/{cart}/pay", v.base()),
            },
        )),
        Err(AppError::Conflict("cart_not_paying")) => {
            Ok(Redirect::to(&format!("{}/cart/{cart}", v.base())).into_response())
        }
        Err(e) => Ok(framed(&v, app_error_page(v.tr, Some(v.base()), e))),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PayForm {
    outcome: String,
}

async fn pay(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path((org, module, cart)): Path<(String, String, String)>,
    Form(form): Form<PayForm>,
) -> Result<Response, Refusal> {
    let v = visit(&state, peer, &headers, &org, &module).await?;
    // With Stripe, only Stripe's webhook says a cart is paid.
    if state.config.online_payments != OnlinePayments::Development
        || stripe_available(&state, &v).await
    {
        return Ok(framed(
            &v,
            error_page(
                v.tr,
                StatusCode::NOT_FOUND,
                "online_payment_unavailable",
                Some(v.base()),
            ),
        ));
    }
    let back = format!("{}/cart/{cart}", v.base());
    if form.outcome != "paid" {
        return match booking::payment_cancelled(&state, &v.m, &cart).await {
            Ok(()) => Ok(Redirect::to(&back).into_response()),
            Err(e) => Ok(framed(&v, app_error_page(v.tr, Some(back), e))),
        };
    }
    let reference = format!("dev_{}", booking::new_cart_token());
    // A cart no longer waiting for its payment has no amount due: `paid` then answers the
    // order made by the first confirmation, or refuses.
    let due = booking::payment_due(&state, &v.m, &cart).await.unwrap_or(0);
    let payment = booking::ProviderPayment {
        reference: &reference,
        method: guichet_domain::order::PaymentMethod::VirtualTerminal,
        amount_cents: due,
    };
    match booking::paid(&state, &v.m, &cart, &payment).await {
        Ok(_) => Ok(Redirect::to(&format!("{back}/done")).into_response()),
        Err(e) => Ok(framed(&v, app_error_page(v.tr, Some(back), e))),
    }
}

#[derive(Template)]
#[template(path = "book_done.html")]
struct DonePage {
    tr: Tr,
    f: Frame,
    number: String,
    email_note: Option<String>,
    page_url: String,
    return_url: Option<String>,
    again: String,
}

async fn done_page(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path((org, module, cart)): Path<(String, String, String)>,
) -> Result<Response, Refusal> {
    let v = visit(&state, peer, &headers, &org, &module).await?;
    let tr = v.tr;
    let done = async {
        let view = booking::cart(&state, &v.m, tr.0, &cart).await?;
        let Some(order) = view.booked else {
            return Err(AppError::NotFound);
        };
        let order = booking::booked_order(&state, &v.m, order).await?;
        let token = booking::page_token(&state, v.m.tenant, order.id).await?;
        let email = booking::buyer_email(&state, &v.m, &order).await?;
        Ok((order, token, email))
    }
    .await;
    match done {
        Ok((order, token, email)) => Ok(render_framed(
            &v,
            StatusCode::OK,
            &DonePage {
                tr,
                f: frame(&v, tr.t("book-done-title")),
                number: order.number.clone().unwrap_or_default(),
                email_note: email.map(|e| tr.t1("book-done-email", "email", e)),
                page_url: format!(
                    "/booking/{}/{}/{}",
                    v.m.organization_slug,
                    order.id.0.simple(),
                    token
                ),
                return_url: v.m.return_url.clone(),
                again: v.base(),
            },
        )),
        Err(AppError::NotFound) => {
            Ok(Redirect::to(&format!("{}/cart/{cart}", v.base())).into_response())
        }
        Err(e) => Ok(framed(&v, app_error_page(tr, Some(v.base()), e))),
    }
}
