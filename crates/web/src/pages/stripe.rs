//! Stripe's pages (issue 17): the account's settings (Compte › TPE virtuel), the fees,
//! payouts, refunds and their reconciliation (Gestion des ventes › Stripe) with their
//! exports, and the webhook Stripe posts its events to.

use super::support::{Flash, OrPage, done, form_errors};
use crate::auth::{Ctx, PageCtx};
use crate::error::{AppError, PageError};
use crate::state::AppState;
use crate::view::{Nav, Tr, render_status};
use askama::Template;
use axum::Form;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use guichet_app::files::Format;
use guichet_app::stripe::{
    self as stripe, Export, FeeLine, PayoutView, SettingsInput, StripeSettings, WebhookOutcome,
};
use guichet_domain::FieldErrors;
use guichet_domain::stripe::PayoutStatus;
use jiff::civil::Date;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/account/virtual-terminal",
            get(settings).post(save_settings),
        )
        .route("/account/virtual-terminal/test", post(test_connection))
        .route("/sales/stripe", get(overview))
        .route("/sales/stripe/sync", post(sync))
        .route("/sales/stripe/export", get(export))
        .route("/sales/stripe/payouts/{id}", get(payout))
        .route("/webhooks/stripe/{org}", post(webhook))
}

// ---------------------------------------------------------------- settings

#[derive(Template)]
#[template(path = "stripe_settings.html")]
struct SettingsPage {
    tr: Tr,
    nav: Nav,
    s: StripeSettings,
    form: SettingsInput,
    errors: FieldErrors,
    tz: String,
    /// The account's name when the connection test just passed.
    tested: Option<String>,
}

impl SettingsPage {
    fn fee_text(&self) -> String {
        guichet_domain::money::percent_text(u32::try_from(self.s.fee_basis_points).unwrap_or(0))
    }
}

fn form_of(s: &StripeSettings) -> SettingsInput {
    SettingsInput {
        secret_key: String::new(),
        webhook_secret: String::new(),
        statement_descriptor: s.statement_descriptor.clone(),
        fee_percent: guichet_domain::money::percent_text(
            u32::try_from(s.fee_basis_points).unwrap_or(0),
        )
        .trim_end_matches(" %")
        .to_owned(),
        ideal_enabled: s.ideal_enabled,
        revenue_account: s.revenue_account.clone(),
        fees_account: s.fees_account.clone(),
        bank_account: s.bank_account.clone(),
    }
}

async fn settings_page(
    state: &AppState,
    ctx: &Ctx,
    flash: Option<&str>,
    form: Option<SettingsInput>,
    errors: FieldErrors,
    tested: Option<String>,
) -> Result<Response, PageError> {
    let s = stripe::settings(state, ctx).await.or_page(ctx)?;
    let tz = guichet_app::organization::time_zone(state, ctx.tenant)
        .await
        .or_page(ctx)?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render_status(
        status,
        &SettingsPage {
            tr: Tr(ctx.lang),
            nav: Nav::new(ctx, "/account/virtual-terminal", flash),
            form: form.unwrap_or_else(|| form_of(&s)),
            s,
            errors,
            tz,
            tested,
        },
    ))
}

async fn settings(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(flash): Query<Flash>,
) -> Result<Response, PageError> {
    settings_page(&state, &ctx, flash.key(), None, FieldErrors::new(), None).await
}

/// The settings form: a checkbox absent from the form is off.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SettingsForm {
    secret_key: String,
    webhook_secret: String,
    statement_descriptor: String,
    fee_percent: String,
    ideal_enabled: Option<String>,
    revenue_account: String,
    fees_account: String,
    bank_account: String,
}

async fn save_settings(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Form(f): Form<SettingsForm>,
) -> Result<Response, PageError> {
    let input = SettingsInput {
        secret_key: f.secret_key,
        webhook_secret: f.webhook_secret,
        statement_descriptor: f.statement_descriptor,
        fee_percent: f.fee_percent,
        ideal_enabled: f.ideal_enabled.is_some(),
        revenue_account: f.revenue_account,
        fees_account: f.fees_account,
        bank_account: f.bank_account,
    };
    match stripe::save_settings(&state, &ctx, &input).await {
        Ok(()) => Ok(done("/account/virtual-terminal", "saved")),
        Err(e) => {
            let errors = form_errors(e, &ctx)?;
            // The keys typed are never sent back to the browser.
            let form = SettingsInput {
                secret_key: String::new(),
                webhook_secret: String::new(),
                ..input
            };
            settings_page(&state, &ctx, None, Some(form), errors, None).await
        }
    }
}

async fn test_connection(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
) -> Result<Response, PageError> {
    match stripe::test_connection(&state, &ctx).await {
        Ok(name) => settings_page(&state, &ctx, None, None, FieldErrors::new(), Some(name)).await,
        Err(e) => {
            let errors = form_errors(e, &ctx)?;
            settings_page(&state, &ctx, None, None, errors, None).await
        }
    }
}

// ---------------------------------------------------------------- fees, payouts, refunds

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PeriodQuery {
    from: String,
    to: String,
    what: String,
    format: String,
    done: Option<String>,
}

/// The days asked for: the last 30 days when nothing is given.
fn period(q: &PeriodQuery, today: Date, e: &mut FieldErrors) -> (Date, Date) {
    let parse = |s: &str, field: &str, default: Date, e: &mut FieldErrors| match s.trim() {
        "" => default,
        t => t.parse::<Date>().unwrap_or_else(|_| {
            e.add(field, "invalid_date");
            default
        }),
    };
    let to = parse(&q.to, "to", today, e);
    let from = parse(
        &q.from,
        "from",
        to.saturating_sub(jiff::Span::new().days(30)),
        e,
    );
    if from > to {
        e.add("to", "before_from");
    }
    (from, to)
}

async fn today(state: &AppState, ctx: &Ctx) -> Result<(Date, String), PageError> {
    let tz = guichet_app::organization::time_zone(state, ctx.tenant)
        .await
        .or_page(ctx)?;
    let zone = jiff::tz::TimeZone::get(&tz).unwrap_or(jiff::tz::TimeZone::UTC);
    Ok((jiff::Timestamp::now().to_zoned(zone).date(), tz))
}

/// Rows of fees shown on the page; the export has them all.
const FEES_SHOWN: i64 = 500;

#[derive(Template)]
#[template(path = "stripe.html")]
struct OverviewPage {
    tr: Tr,
    nav: Nav,
    tz: String,
    from: String,
    to: String,
    errors: FieldErrors,
    configured: bool,
    payouts: Vec<PayoutView>,
    fees: Vec<FeeLine>,
    more_fees: bool,
    refunds: Vec<(stripe::Refund, Option<String>)>,
    waiting: Vec<FeeLine>,
    /// What "Synchronize now" found.
    synced: Option<stripe::SyncReport>,
}

impl OverviewPage {
    fn status(&self, s: &PayoutStatus) -> String {
        self.tr.t(&format!("payout-{}", s.as_str()))
    }
    fn day(&self, d: &Date) -> String {
        d.strftime("%d/%m/%Y").to_string()
    }
    fn maybe(&self, c: &Option<i64>) -> String {
        c.map(|c| self.tr.money(&c)).unwrap_or_default()
    }
    fn refund_status(&self, status: &str) -> String {
        self.tr.t(&format!("stripe-refund-{status}"))
    }
    fn gross_total(&self) -> String {
        self.tr
            .money(&self.fees.iter().map(|f| f.row.amount_cents).sum::<i64>())
    }
    fn fee_total(&self) -> String {
        self.tr.money(
            &self
                .fees
                .iter()
                .filter_map(|f| f.row.fee_cents)
                .sum::<i64>(),
        )
    }
    fn synced_text(&self, r: &stripe::SyncReport) -> String {
        self.tr.t1_2(
            "stripe-synced",
            ("payouts", r.payouts.to_string()),
            ("fees", r.fees.to_string()),
        )
    }
}

async fn overview_page(
    state: &AppState,
    ctx: &Ctx,
    q: &PeriodQuery,
    synced: Option<stripe::SyncReport>,
    mut errors: FieldErrors,
) -> Result<Response, PageError> {
    let (today, tz) = today(state, ctx).await?;
    let (from, to) = period(q, today, &mut errors);
    let configured = guichet_app::stripe::available(state, ctx.tenant)
        .await
        .or_page(ctx)?;
    let payouts = stripe::payouts(state, ctx, from, to).await.or_page(ctx)?;
    let mut fees = stripe::fees(state, ctx, from, to, None, FEES_SHOWN + 1)
        .await
        .or_page(ctx)?;
    let more_fees = i64::try_from(fees.len()).unwrap_or(0) > FEES_SHOWN;
    fees.truncate(usize::try_from(FEES_SHOWN).unwrap_or(0));
    let refunds = stripe::refunds(state, ctx).await.or_page(ctx)?;
    let waiting = stripe::not_paid_out(state, ctx).await.or_page(ctx)?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render_status(
        status,
        &OverviewPage {
            tr: Tr(ctx.lang),
            nav: Nav::new(ctx, "/sales/stripe", q.done.as_deref()),
            tz,
            from: from.to_string(),
            to: to.to_string(),
            errors,
            configured,
            payouts,
            fees,
            more_fees,
            refunds,
            waiting,
            synced,
        },
    ))
}

async fn overview(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, PageError> {
    overview_page(&state, &ctx, &q, None, FieldErrors::new()).await
}

async fn sync(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, PageError> {
    match stripe::sync_now(&state, &ctx).await {
        Ok(report) => overview_page(&state, &ctx, &q, Some(report), FieldErrors::new()).await,
        Err(e) => {
            let errors = form_errors(e, &ctx)?;
            overview_page(&state, &ctx, &q, None, errors).await
        }
    }
}

async fn export(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, PageError> {
    let (today, _) = today(&state, &ctx).await?;
    let mut errors = FieldErrors::new();
    let (from, to) = period(&q, today, &mut errors);
    let Some(what) = Export::parse(q.what.trim()) else {
        return Err(PageError(AppError::NotFound, ctx.lang));
    };
    if !errors.is_empty() {
        return overview_page(&state, &ctx, &q, None, errors).await;
    }
    let file = stripe::export(&state, &ctx, what, from, to, Format::parse(&q.format))
        .await
        .or_page(&ctx)?;
    Ok(crate::download::file(file))
}

#[derive(Template)]
#[template(path = "stripe_payout.html")]
struct PayoutPage {
    tr: Tr,
    nav: Nav,
    p: PayoutView,
    lines: Vec<stripe::PayoutPayment>,
}

impl PayoutPage {
    fn status(&self, s: &PayoutStatus) -> String {
        self.tr.t(&format!("payout-{}", s.as_str()))
    }
    fn day(&self, d: &Date) -> String {
        d.strftime("%d/%m/%Y").to_string()
    }
    fn kind(&self, k: &str) -> String {
        self.tr.t(&format!(
            "stripe-kind-{}",
            if k == "refund" {
                "refund"
            } else if k == "charge" || k == "payment" {
                "charge"
            } else {
                "other"
            }
        ))
    }
}

async fn payout(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let (p, lines) = stripe::payout(&state, &ctx, &id).await.or_page(&ctx)?;
    Ok(render_status(
        StatusCode::OK,
        &PayoutPage {
            tr: Tr(ctx.lang),
            nav: Nav::new(&ctx, "/sales/stripe", None),
            p,
            lines,
        },
    ))
}

// ---------------------------------------------------------------- webhook

/// Stripe's deliveries. A refused signature gets one answer whatever the reason (400
/// `invalid_signature`), so that nothing is learnt from it; a failure while handling an
/// event is a 500, so that Stripe delivers it again.
async fn webhook(
    State(state): State<AppState>,
    Path(org): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let signature = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let answer = |status: StatusCode, code: &str| {
        (
            status,
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            format!(
                "{{\"received\":{},\"code\":\"{code}\"}}",
                status.is_success()
            ),
        )
            .into_response()
    };
    match stripe::webhook(&state, &org, signature, &body).await {
        Ok(WebhookOutcome::Handled) => answer(StatusCode::OK, "handled"),
        Ok(WebhookOutcome::AlreadyHandled) => answer(StatusCode::OK, "already_handled"),
        Ok(WebhookOutcome::Ignored) => answer(StatusCode::OK, "ignored"),
        Err(AppError::Unauthorized) => answer(StatusCode::BAD_REQUEST, "invalid_signature"),
        Err(AppError::Invalid(_)) => answer(StatusCode::BAD_REQUEST, "invalid_event"),
        Err(e) => {
            tracing::warn!(error = %e, "Stripe webhook not handled; Stripe will deliver it again");
            answer(StatusCode::INTERNAL_SERVER_ERROR, "retry")
        }
    }
}
