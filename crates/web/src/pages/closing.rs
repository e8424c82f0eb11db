//! The register drawer (open with a float, cash in and out, X report, close with the counted
//! cash), the registers follow-up (the seeds' "Caisses" tab: every Z with the global line of
//! each day, and the monthly, quarterly and annual summaries), and each X or Z as a printable
//! page (A4 or 80 mm) and as CSV.

use super::{OrPage, form_errors, parse_id};
use crate::AppState;
use crate::auth::{Ctx, PageCtx};
use crate::error::{AppError, PageError};
use crate::view::{Nav, Tr, render, render_status};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use guichet_app::closing::{self, CashInput, CloseInput, CountInput, CountedInput, OpenInput};
use guichet_app::closing::{Session, ZReport};
use guichet_app::orders as sale;
use guichet_app::registers::Register;
use guichet_domain::closing::{EURO_DENOMINATIONS, SummaryLine};
use guichet_domain::order::PaymentMethod;
use guichet_domain::shop::format_cents;
use guichet_domain::{FieldErrors, Permission, RegisterSessionId};
use guichet_integrations::exports::{Cell, Table};
use serde::Deserialize;

/// A posted form as pairs: the denomination fields (`n50000`) and counted methods (`m_cash`)
/// vary.
type Pairs = Vec<(String, String)>;

fn value<'a>(form: &'a Pairs, name: &str) -> &'a str {
    form.iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

/// The denomination counts typed in (`n5000` = number of 50 € notes); an empty field counts
/// nothing, anything else that is not a whole number is an error on `counts`.
fn counts_of(form: &Pairs, e: &mut FieldErrors) -> Vec<CountInput> {
    let mut out = Vec::new();
    for d in EURO_DENOMINATIONS {
        let raw = value(form, &format!("n{d}")).trim();
        if raw.is_empty() {
            continue;
        }
        match raw.parse::<i64>() {
            Ok(count) => out.push(CountInput {
                denomination_cents: d,
                count,
            }),
            Err(_) => e.add(&format!("n{d}"), "not_a_number"),
        }
    }
    out
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DrawerQuery {
    register: String,
    done: Option<String>,
}

#[derive(Template)]
#[template(path = "drawer.html")]
struct DrawerPage {
    tr: Tr,
    nav: Nav,
    tz: String,
    registers: Vec<Register>,
    register_id: String,
    session: Option<Session>,
    /// The X of the open session.
    x: Option<ZReport>,
    /// Opened on an earlier day: must be closed now.
    stale: bool,
    methods: Vec<PaymentMethod>,
    errors: FieldErrors,
    form: Pairs,
}

impl DrawerPage {
    fn selected(&self, r: &Register) -> bool {
        self.register_id == r.id.to_string()
    }
    fn denominations(&self) -> &'static [i64] {
        &EURO_DENOMINATIONS
    }
    fn denomination_label(&self, d: &i64) -> String {
        if *d >= 100 {
            format!("{} €", d / 100)
        } else {
            format!("{d} c")
        }
    }
    fn field(&self, name: &str) -> String {
        value(&self.form, name).to_owned()
    }
    fn count_field(&self, d: &i64) -> String {
        value(&self.form, &format!("n{d}")).to_owned()
    }
    fn count_error(&self, d: &i64) -> Option<String> {
        self.tr.field_error(&self.errors, &format!("n{d}"))
    }
    fn method_field(&self, m: &PaymentMethod) -> String {
        value(&self.form, &format!("m_{}", m.as_str())).to_owned()
    }
    /// Methods one counts besides cash at closing (card terminal slips, vouchers).
    fn counted_methods(&self) -> Vec<PaymentMethod> {
        self.methods
            .iter()
            .copied()
            .filter(|m| m.counted_at_closing())
            .collect()
    }
}

async fn drawer_page(
    state: &AppState,
    ctx: &Ctx,
    register: &str,
    flash: Option<&str>,
    form: Pairs,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    ctx.require(Permission::Sell).or_page(ctx)?;
    let registers = sale::selling_registers(state, ctx).await.or_page(ctx)?;
    let chosen = registers
        .iter()
        .find(|r| r.id.to_string() == register.trim())
        .or(registers.first())
        .cloned();
    let tz = guichet_app::organization::time_zone(state, ctx.tenant)
        .await
        .or_page(ctx)?;
    let (session, x) = match &chosen {
        Some(r) => match closing::current(state, ctx, r.id).await.or_page(ctx)? {
            Some(s) => {
                let x = closing::report(state, ctx, s.id).await.or_page(ctx)?;
                (Some(s), Some(x))
            }
            None => (None, None),
        },
        None => (None, None),
    };
    let open = closing::open_sessions(state, ctx).await.or_page(ctx)?;
    let stale = session
        .as_ref()
        .is_some_and(|s| open.iter().any(|o| o.session.id == s.id && o.days_open > 0));
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render_status(
        status,
        &DrawerPage {
            tr: Tr(ctx.lang),
            nav: Nav::new(ctx, "/register", flash),
            tz,
            register_id: chosen.map(|r| r.id.to_string()).unwrap_or_default(),
            registers,
            session,
            x,
            stale,
            methods: sale::enabled_methods(state, ctx).await.or_page(ctx)?,
            errors,
            form,
        },
    ))
}

pub async fn drawer(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(q): Query<DrawerQuery>,
) -> Result<Response, PageError> {
    drawer_page(
        &state,
        &ctx,
        &q.register,
        q.done.as_deref(),
        Vec::new(),
        FieldErrors::new(),
    )
    .await
}

/// Back to the drawer with a message, or the drawer with the form's errors.
async fn after<T>(
    state: &AppState,
    ctx: &Ctx,
    form: Pairs,
    result: Result<T, AppError>,
    flash: &str,
) -> Result<Response, PageError> {
    let register = value(&form, "register_id").to_owned();
    match result {
        Ok(_) => Ok(Redirect::to(&format!(
            "/register/drawer?register={register}&done={flash}"
        ))
        .into_response()),
        Err(e) => {
            let errors = form_errors(e, ctx)?;
            drawer_page(state, ctx, &register, None, form, errors).await
        }
    }
}

pub async fn open(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Form(form): Form<Pairs>,
) -> Result<Response, PageError> {
    let mut e = FieldErrors::new();
    let counts = counts_of(&form, &mut e);
    let result = if e.is_empty() {
        let input = OpenInput {
            opening_float: value(&form, "opening_float").to_owned(),
            counts,
        };
        closing::open(&state, &ctx, value(&form, "register_id"), &input).await
    } else {
        Err(AppError::Invalid(e))
    };
    after(&state, &ctx, form, result, "register-opened").await
}

pub async fn cash(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Form(form): Form<Pairs>,
) -> Result<Response, PageError> {
    let input = CashInput {
        kind: value(&form, "kind").to_owned(),
        amount: value(&form, "amount").to_owned(),
        reason: value(&form, "reason").to_owned(),
    };
    let result = closing::cash_movement(&state, &ctx, value(&form, "register_id"), &input).await;
    after(&state, &ctx, form, result, "cash-recorded").await
}

pub async fn close(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Form(form): Form<Pairs>,
) -> Result<Response, PageError> {
    let mut e = FieldErrors::new();
    let counts = counts_of(&form, &mut e);
    let session: Result<RegisterSessionId, _> = value(&form, "session_id").parse();
    let result = match (e.is_empty(), session) {
        (true, Ok(session)) => {
            let input = CloseInput {
                counted_cash: value(&form, "counted_cash").to_owned(),
                counts,
                counted: PaymentMethod::ALL
                    .iter()
                    .filter(|m| m.counted_at_closing())
                    .map(|m| CountedInput {
                        method: m.as_str().to_owned(),
                        amount: value(&form, &format!("m_{}", m.as_str())).to_owned(),
                    })
                    .collect(),
            };
            closing::close(&state, &ctx, session, &input)
                .await
                .map(|z| z.session_id)
        }
        (false, _) => Err(AppError::Invalid(e)),
        (_, Err(_)) => Err(AppError::NotFound),
    };
    match result {
        // The Z, ready to print.
        Ok(id) => Ok(
            Redirect::to(&format!("/registers-follow-up/{id}?done=register-closed"))
                .into_response(),
        ),
        Err(e) => after::<()>(&state, &ctx, form, Err(e), "").await,
    }
}

// ---------------------------------------------------------------- follow-up

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FollowUpQuery {
    period: String,
    from: String,
    to: String,
    done: Option<String>,
}

impl FollowUpQuery {
    fn period(&self) -> &str {
        match self.period.as_str() {
            "" => "daily",
            p => p,
        }
    }
    fn from(&self) -> Option<&str> {
        Some(self.from.as_str()).filter(|s| !s.trim().is_empty())
    }
    fn to(&self) -> Option<&str> {
        Some(self.to.as_str()).filter(|s| !s.trim().is_empty())
    }
}

/// One row of the follow-up: a period's global line, or one Z (or a session still open).
struct Row {
    global: bool,
    register: String,
    /// A day, a Z's closing instant, or a period.
    when: String,
    revenue_cents: i64,
    vat_cents: i64,
    excl_cents: i64,
    tickets: i64,
    average_cents: i64,
    closed_by: String,
    grand_total_cents: Option<i64>,
    link: Option<String>,
    open: bool,
}

#[derive(Template)]
#[template(path = "follow_up.html")]
struct FollowUpPage {
    tr: Tr,
    nav: Nav,
    period: String,
    from: String,
    to: String,
    rows: Vec<Row>,
    errors: FieldErrors,
}

impl FollowUpPage {
    fn tab(&self, p: &str) -> bool {
        self.period == p
    }
}

fn day_label(day: &str) -> String {
    day.parse::<jiff::civil::Date>()
        .map(|d| d.strftime("%d/%m/%Y").to_string())
        .unwrap_or_else(|_| day.to_owned())
}

/// The follow-up's rows: for the daily tab each day's global line followed by its Zs (as in
/// the seeds), else one line per period.
async fn rows(
    state: &AppState,
    ctx: &Ctx,
    q: &FollowUpQuery,
) -> Result<(Vec<Row>, String, String), AppError> {
    let summary = closing::summary(state, ctx, q.period(), q.from(), q.to()).await?;
    let (from, to) = (
        summary
            .first()
            .map(|l| l.first_day.clone())
            .unwrap_or_else(|| q.from.clone()),
        summary
            .last()
            .map(|l| l.last_day.clone())
            .unwrap_or_else(|| q.to.clone()),
    );
    let global = |l: &SummaryLine, when: String| Row {
        global: true,
        register: "Global".to_owned(),
        when,
        revenue_cents: l.revenue_cents,
        vat_cents: l.vat_cents,
        excl_cents: l.revenue_excl_cents,
        tickets: l.tickets,
        average_cents: l.average_ticket_cents,
        closed_by: String::new(),
        grand_total_cents: Some(l.grand_total_cents),
        link: None,
        open: false,
    };
    if q.period() != "daily" {
        return Ok((
            summary
                .iter()
                .rev()
                .map(|l| global(l, l.period.clone()))
                .collect(),
            from,
            to,
        ));
    }
    let tz = guichet_app::organization::time_zone(state, ctx.tenant).await?;
    let tr = Tr(ctx.lang);
    let sessions = closing::sessions(state, ctx, q.from(), q.to(), None).await?;
    let mut out = Vec::new();
    let mut days: Vec<String> = sessions.iter().map(|s| s.day.clone()).collect();
    days.dedup();
    for day in days {
        match summary.iter().find(|l| l.period == day) {
            Some(l) => out.push(global(l, day_label(&day))),
            None => out.push(Row {
                global: true,
                register: "Global".to_owned(),
                when: day_label(&day),
                revenue_cents: 0,
                vat_cents: 0,
                excl_cents: 0,
                tickets: 0,
                average_cents: 0,
                closed_by: String::new(),
                grand_total_cents: None,
                link: None,
                open: false,
            }),
        }
        for s in sessions.iter().filter(|s| s.day == day) {
            let revenue = s.revenue_cents.unwrap_or(0);
            let tickets = s.tickets.unwrap_or(0);
            out.push(Row {
                global: false,
                register: s.register_name.clone(),
                when: match s.closed_at {
                    Some(at) => tr.instant(&at, &tz),
                    None => tr.t("closing-still-open"),
                },
                revenue_cents: revenue,
                vat_cents: s.vat_cents.unwrap_or(0),
                excl_cents: revenue - s.vat_cents.unwrap_or(0),
                tickets,
                average_cents: guichet_domain::closing::average_ticket(revenue, tickets),
                closed_by: s.closed_by_name.clone().unwrap_or_default(),
                grand_total_cents: s.grand_total_cents,
                link: Some(format!("/registers-follow-up/{}", s.id)),
                open: s.closed_at.is_none(),
            });
        }
    }
    Ok((out, from, to))
}

pub async fn follow_up(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(q): Query<FollowUpQuery>,
) -> Result<Response, PageError> {
    ctx.require(Permission::ViewClosings).or_page(&ctx)?;
    let (rows, from, to, errors) = match rows(&state, &ctx, &q).await {
        Ok((r, f, t)) => (r, f, t, FieldErrors::new()),
        Err(e) => (
            Vec::new(),
            q.from.clone(),
            q.to.clone(),
            form_errors(e, &ctx)?,
        ),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render_status(
        status,
        &FollowUpPage {
            tr: Tr(ctx.lang),
            nav: Nav::new(&ctx, "/registers-follow-up", q.done.as_deref()),
            period: q.period().to_owned(),
            from: if q.from.is_empty() {
                String::new()
            } else {
                from
            },
            to: if q.to.is_empty() { String::new() } else { to },
            rows,
            errors,
        },
    ))
}

fn download(ctx: &Ctx, table: &Table, name: &str) -> Result<Response, PageError> {
    super::spreadsheet(ctx, table, "csv", "", name)
}

/// The follow-up as CSV, the seed's columns plus the grand total.
pub async fn export_follow_up(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(q): Query<FollowUpQuery>,
) -> Result<Response, PageError> {
    ctx.require(Permission::ViewClosings).or_page(&ctx)?;
    let (rows, from, to) = rows(&state, &ctx, &q).await.or_page(&ctx)?;
    let tr = Tr(ctx.lang);
    let table = Table {
        headers: [
            "closing-register",
            "closing-date",
            "closing-revenue",
            "label-vat",
            "closing-revenue-excl",
            "closing-tickets",
            "closing-average",
            "closing-closed-by",
            "closing-grand-total",
        ]
        .iter()
        .map(|k| tr.t(k))
        .collect(),
        rows: rows
            .into_iter()
            .map(|r| {
                vec![
                    Cell::Text(r.register),
                    Cell::Text(r.when),
                    Cell::Text(format_cents(r.revenue_cents)),
                    Cell::Text(format_cents(r.vat_cents)),
                    Cell::Text(format_cents(r.excl_cents)),
                    Cell::Int(r.tickets),
                    Cell::Text(format_cents(r.average_cents)),
                    Cell::Text(r.closed_by),
                    Cell::Text(r.grand_total_cents.map(format_cents).unwrap_or_default()),
                ]
            })
            .collect(),
    };
    download(&ctx, &table, &format!("caisses-{}-{from}-{to}", q.period()))
}

// ---------------------------------------------------------------- one X or Z

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReportQuery {
    /// `80mm` for a receipt printer; A4 otherwise.
    format: String,
    done: Option<String>,
}

#[derive(Template)]
#[template(path = "z_report.html")]
struct ReportPage {
    tr: Tr,
    z: ZReport,
    tz: String,
    narrow: bool,
    organization: String,
    flash: Option<String>,
}

impl ReportPage {
    fn version(&self) -> &'static str {
        env!("CARGO_PKG_VERSION")
    }
    fn title(&self) -> String {
        match self.z.z_number {
            Some(n) => format!("Z {n}"),
            None => format!("X — {}", self.tr.t("closing-interim")),
        }
    }
}

pub async fn report(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<String>,
    Query(q): Query<ReportQuery>,
) -> Result<Response, PageError> {
    let id: RegisterSessionId = parse_id(&id, &ctx)?;
    let z = closing::report(&state, &ctx, id).await.or_page(&ctx)?;
    let tz = guichet_app::organization::time_zone(&state, ctx.tenant)
        .await
        .or_page(&ctx)?;
    let organization = guichet_app::organization::organization_name(&state, ctx.tenant)
        .await
        .or_page(&ctx)?;
    let tr = Tr(ctx.lang);
    let flash = q.done.as_deref().map(|k| tr.t(&format!("flash-{k}")));
    Ok(render(&ReportPage {
        tr,
        z,
        tz,
        narrow: q.format == "80mm",
        organization,
        flash,
    }))
}

/// One X or Z as CSV: a heading, then a line per figure, VAT rate and payment method.
pub async fn export_report(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id: RegisterSessionId = parse_id(&id, &ctx)?;
    let z = closing::report(&state, &ctx, id).await.or_page(&ctx)?;
    let tz = guichet_app::organization::time_zone(&state, ctx.tenant)
        .await
        .or_page(&ctx)?;
    let tr = Tr(ctx.lang);
    // Every row has the same columns: figure, count, amount incl. VAT, VAT, excl. VAT,
    // counted, difference (blank where they do not apply).
    let cells = |label: String, figures: [Option<i64>; 6], count_is_int: bool| -> Vec<Cell> {
        let mut row = vec![Cell::Text(label)];
        for (i, f) in figures.into_iter().enumerate() {
            row.push(match f {
                None => Cell::Text(String::new()),
                Some(n) if i == 0 && count_is_int => Cell::Int(n),
                Some(n) => Cell::Text(format_cents(n)),
            });
        }
        row
    };
    let info = |label: String, value: String| -> Vec<Cell> {
        let mut row = vec![Cell::Text(label), Cell::Text(value)];
        row.extend((0..5).map(|_| Cell::Text(String::new())));
        row
    };
    let amount = |label: String, cents: i64| {
        cells(label, [None, Some(cents), None, None, None, None], false)
    };
    let mut rows = vec![
        info(tr.t("closing-register"), z.register_name.clone()),
        info("Z".into(), z.z_number.map_or("X".into(), |n| n.to_string())),
        info(tr.t("closing-day"), day_label(&z.day)),
        info(tr.t("closing-opened"), tr.instant(&z.opened_at, &tz)),
        info(tr.t("closing-closed"), tr.maybe_instant(&z.closed_at, &tz)),
        cells(
            tr.t("closing-revenue"),
            [
                Some(z.tickets),
                Some(z.revenue_cents),
                Some(z.vat_cents),
                Some(z.revenue_excl_cents),
                None,
                None,
            ],
            true,
        ),
        amount(tr.t("closing-average"), z.average_ticket_cents),
        cells(
            tr.t("closing-cancellations"),
            [
                Some(z.cancellations),
                Some(z.cancelled_cents),
                None,
                None,
                None,
                None,
            ],
            true,
        ),
        cells(
            tr.t("closing-refunds"),
            [
                Some(z.refunds),
                Some(z.refunded_cents),
                None,
                None,
                None,
                None,
            ],
            true,
        ),
    ];
    for r in &z.by_rate {
        let label = format!(
            "{} {}",
            tr.t("order-vat-at"),
            tr.rate(&r.vat_rate_basis_points)
        );
        rows.push(cells(
            label,
            [
                None,
                Some(r.gross_cents),
                Some(r.vat_cents),
                Some(r.net_cents),
                None,
                None,
            ],
            false,
        ));
    }
    for p in &z.payments {
        let label = tr.method(&p.method);
        rows.push(cells(
            label,
            [
                Some(p.count),
                Some(p.amount_cents),
                None,
                None,
                p.counted_cents,
                p.difference_cents,
            ],
            true,
        ));
    }
    rows.push(amount(tr.t("drawer-float"), z.cash.opening_float_cents));
    rows.push(amount(tr.t("drawer-cash-in"), z.cash.cash_in_cents));
    rows.push(amount(tr.t("drawer-cash-out"), z.cash.cash_out_cents));
    rows.push(cells(
        tr.t("closing-cash-expected"),
        [
            None,
            Some(z.cash.expected_cents),
            None,
            None,
            z.cash.counted_cents,
            z.cash.difference_cents,
        ],
        false,
    ));
    rows.push(amount(tr.t("closing-grand-total"), z.grand_total_cents));
    let table = Table {
        headers: [
            "closing-figure",
            "closing-tickets",
            "closing-revenue",
            "label-vat",
            "closing-revenue-excl",
            "closing-counted",
            "closing-difference",
        ]
        .iter()
        .map(|k| tr.t(k))
        .collect(),
        rows,
    };
    let name = match z.z_number {
        Some(n) => format!("z-{}-{n}", z.register_name),
        None => format!("x-{}", z.register_name),
    };
    download(&ctx, &table, &name.replace(['"', '/', '\\'], "_"))
}
