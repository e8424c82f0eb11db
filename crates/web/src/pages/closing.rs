//! The register drawer (open with a float, cash in and out, X report, close with the counted
//! cash), the registers follow-up (the seeds' "Caisses" tab: every Z with the global line of
//! each day, and the monthly, quarterly and annual summaries), and each X or Z as a printable
//! page (A4 or 80 mm) and as CSV.

use super::confirm::{ConfirmPage, Difference, Step};
use super::support::{OrPage, form_errors, parse_id};
use crate::auth::{Ctx, PageCtx};
use crate::error::{AppError, PageError};
use crate::state::AppState;
use crate::view::{Nav, Tr, render, render_status};
use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use guichet_app::closing::{self, CashInput, CloseInput, CountInput, CountedInput, OpenInput};
use guichet_app::closing::{Session, ZReport};
use guichet_app::orders as sale;
use guichet_app::registers::Register;
use guichet_domain::closing::EURO_DENOMINATIONS;
use guichet_domain::order::PaymentMethod;
use guichet_domain::{FieldErrors, Permission, RegisterSessionId};
use serde::Deserialize;

/// The routes of these pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/register/drawer", get(drawer))
        .route("/register/drawer/open", post(open))
        .route("/register/drawer/cash", post(cash))
        .route("/register/drawer/close", post(close))
        .route("/registers-follow-up", get(follow_up))
        .route("/registers-follow-up/export", get(export_follow_up))
        .route("/registers-follow-up/{id}", get(report))
        .route("/registers-follow-up/{id}/export", get(export_report))
}

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
    /// The chosen register has a cash drawer: the phone register has none, so it asks no
    /// float at opening and no cash count at closing.
    fn has_drawer(&self) -> bool {
        self.registers
            .iter()
            .find(|r| self.selected(r))
            .is_none_or(|r| r.kind.has_drawer())
    }
    /// The total of the denominations typed in (a count that is not a number counts nothing):
    /// the running total as the server shows it, which the drawer script then keeps up to date.
    fn counted_total(&self) -> i64 {
        EURO_DENOMINATIONS
            .iter()
            .map(|d| {
                d * value(&self.form, &format!("n{d}"))
                    .trim()
                    .parse::<i64>()
                    .unwrap_or(0)
            })
            .sum()
    }
    fn denominations(&self) -> &'static [i64] {
        &EURO_DENOMINATIONS
    }
    fn denomination_label(&self, d: &i64) -> String {
        // As every amount: `50,00 €`, `0,20 €`, `€ 50,00`.
        self.tr.money(d)
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
    /// The other counts start folded (they are optional) unless they are all there is to
    /// count (the phone register) or some were typed.
    fn other_counts_open(&self) -> bool {
        !self.has_drawer()
            || self
                .counted_methods()
                .iter()
                .any(|m| !self.method_field(m).trim().is_empty())
    }
    /// Methods one counts besides cash at closing (card terminal slips, vouchers); on the
    /// phone register only those it may take.
    fn counted_methods(&self) -> Vec<PaymentMethod> {
        let phone = !self.has_drawer();
        self.methods
            .iter()
            .copied()
            .filter(|m| m.counted_at_closing() && (!phone || m.allowed_on_phone()))
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

/// The closing's input as posted by the drawer's form.
fn close_input(form: &Pairs, e: &mut FieldErrors) -> CloseInput {
    CloseInput {
        counted_cash: value(form, "counted_cash").to_owned(),
        counts: counts_of(form, e),
        counted: PaymentMethod::ALL
            .iter()
            .filter(|m| m.counted_at_closing())
            .map(|m| CountedInput {
                method: m.as_str().to_owned(),
                amount: value(form, &format!("m_{}", m.as_str())).to_owned(),
            })
            .collect(),
    }
}

/// Closing a register cannot be undone: the form first shows what the Z will say (expected
/// against counted, the difference) and closes only once that is confirmed.
pub async fn close(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Form(form): Form<Pairs>,
) -> Result<Response, PageError> {
    let mut e = FieldErrors::new();
    let input = close_input(&form, &mut e);
    let session: Result<RegisterSessionId, _> = value(&form, "session_id").parse();
    let session = match (e.is_empty(), session) {
        (true, Ok(session)) => session,
        (false, _) => return after::<()>(&state, &ctx, form, Err(AppError::Invalid(e)), "").await,
        (_, Err(_)) => return after::<()>(&state, &ctx, form, Err(AppError::NotFound), "").await,
    };
    match Step::of(value(&form, "confirm")) {
        Step::Back => {
            let register = value(&form, "register_id").to_owned();
            drawer_page(&state, &ctx, &register, None, form, FieldErrors::new()).await
        }
        Step::Ask => match closing::preview_close(&state, &ctx, session, &input).await {
            Ok(x) => Ok(close_confirmation(&ctx, &form, &x).render()),
            Err(e) => after::<()>(&state, &ctx, form, Err(e), "").await,
        },
        Step::Confirmed => match closing::close(&state, &ctx, session, &input).await {
            // The Z, ready to print.
            Ok(z) => Ok(Redirect::to(&format!(
                "/registers-follow-up/{}?done=register-closed",
                z.session_id
            ))
            .into_response()),
            Err(e) => after::<()>(&state, &ctx, form, Err(e), "").await,
        },
    }
}

/// The confirmation of a closing: the X as the Z will be, with the cash expected, counted and
/// their difference, and each other method counted.
fn close_confirmation(ctx: &Ctx, form: &Pairs, x: &ZReport) -> ConfirmPage {
    let tr = Tr(ctx.lang);
    let mut differences = Vec::new();
    if x.cash.expected_cents != 0 || x.cash.counted_cents.is_some_and(|c| c != 0) {
        differences.push(Difference {
            label: tr.method(&PaymentMethod::Cash),
            expected_cents: x.cash.expected_cents,
            counted_cents: x.cash.counted_cents,
            difference_cents: x.cash.difference_cents,
        });
    }
    for p in x.payments.iter().filter(|p| p.method.counted_at_closing()) {
        differences.push(Difference {
            label: tr.method(&p.method),
            expected_cents: p.amount_cents,
            counted_cents: p.counted_cents,
            difference_cents: p.difference_cents,
        });
    }
    let cash_difference = x.cash.difference_cents.unwrap_or(0);
    let lead = if cash_difference == 0 {
        tr.t("drawer-confirm-close-lead")
    } else {
        tr.t1(
            "drawer-confirm-close-lead-difference",
            "difference",
            tr.money(&cash_difference),
        )
    };
    ConfirmPage {
        facts: vec![
            (tr.t("nav-register"), x.register_name.clone()),
            (tr.t("closing-revenue"), tr.money(&x.revenue_cents)),
            (tr.t("closing-tickets"), x.tickets.to_string()),
        ],
        title: tr.t("drawer-confirm-close"),
        lead,
        differences,
        action: "/register/drawer/close".into(),
        hidden: ConfirmPage::carry(form),
        confirm_label: tr.t("drawer-confirm-close-button"),
        button_id: "confirmed-close",
        nav: Nav::new(ctx, "/register", None),
        tr,
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

/// The follow-up's rows as the page shows them (`guichet_app::closing::follow_up`).
async fn rows(
    state: &AppState,
    ctx: &Ctx,
    q: &FollowUpQuery,
) -> Result<(Vec<Row>, String, String), AppError> {
    let f = closing::follow_up(state, ctx, q.period(), &q.from, &q.to).await?;
    let tr = Tr(ctx.lang);
    let rows = f
        .lines
        .iter()
        .map(|l| Row {
            global: l.session.is_none(),
            register: l.register(),
            when: l.when(&tr, &f.tz),
            revenue_cents: l.figures.revenue_cents,
            vat_cents: l.figures.vat_cents,
            excl_cents: l.figures.revenue_excl_cents,
            tickets: l.figures.tickets,
            average_cents: l.figures.average_ticket_cents,
            closed_by: l
                .session
                .as_ref()
                .and_then(|s| s.closed_by_name.clone())
                .unwrap_or_default(),
            grand_total_cents: l.grand_total_cents,
            link: l
                .session
                .as_ref()
                .map(|s| format!("/registers-follow-up/{}", s.id)),
            open: l.session.as_ref().is_some_and(|s| s.closed_at.is_none()),
        })
        .collect();
    Ok((rows, f.from, f.to))
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

/// The follow-up as CSV (`guichet_app::closing::export_follow_up_csv`), streamed.
pub async fn export_follow_up(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(q): Query<FollowUpQuery>,
) -> Result<Response, PageError> {
    ctx.require(Permission::ViewClosings).or_page(&ctx)?;
    let (name, csv) = closing::export_follow_up_csv(&state, &ctx, q.period(), &q.from, &q.to)
        .await
        .or_page(&ctx)?;
    Ok(crate::download::stream_attachment(
        "text/csv; charset=utf-8",
        &format!("{name}.csv"),
        csv,
    ))
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

/// One X or Z as CSV (`guichet_app::closing::export_report_csv`), streamed.
pub async fn export_report(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id: RegisterSessionId = parse_id(&id, &ctx)?;
    let (name, csv) = closing::export_report_csv(&state, &ctx, id)
        .await
        .or_page(&ctx)?;
    Ok(crate::download::stream_attachment(
        "text/csv; charset=utf-8",
        &format!("{name}.csv"),
        csv,
    ))
}
