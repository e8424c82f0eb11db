//! `/api/v1/stripe` and an order's Stripe refunds (issue 17): what the Stripe page shows, for
//! an accounting tool, and refunds through Stripe for an integration.

use super::extract::{ApiJson, ApiQuery, ApiResult, id};
use crate::auth::ApiCtx;
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use guichet_app::AppError;
use guichet_app::stripe::{self, FeeLine, PayoutView, Refund};
use guichet_domain::{FieldErrors, OrderId};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(payouts))
        .routes(routes!(fees))
        .routes(routes!(order_refunds, refund))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// First day, `YYYY-MM-DD` (in the organization's time zone).
    from: String,
    /// Last day, `YYYY-MM-DD`, included.
    to: String,
    /// The page after this cursor (`next` of the previous page; fees only).
    #[serde(default)]
    after: Option<String>,
    /// Rows per page, 1 to 1000 (default 100; fees only).
    #[serde(default)]
    limit: Option<u32>,
}

fn period(q: &PeriodQuery) -> Result<(Date, Date), AppError> {
    let mut e = FieldErrors::new();
    let from = q.from.trim().parse::<Date>().ok();
    let to = q.to.trim().parse::<Date>().ok();
    if from.is_none() {
        e.add("from", "invalid_date");
    }
    if to.is_none() {
        e.add("to", "invalid_date");
    }
    match (from, to) {
        (Some(f), Some(t)) if f <= t => Ok((f, t)),
        (Some(_), Some(_)) => {
            e.add("to", "before_from");
            Err(AppError::Invalid(e))
        }
        _ => Err(AppError::Invalid(e)),
    }
}

/// A payout batch with its reconciliation.
#[derive(Debug, Serialize, ToSchema)]
pub struct PayoutOut {
    /// Stripe's id (`po_…`).
    payout: String,
    /// The payout's day, `YYYY-MM-DD`.
    date: String,
    /// As Stripe says, else the day + 5 days (a Sunday moved to Monday).
    expected_arrival: String,
    /// `paid`, `pending`, `failed` or `unknown`.
    status: String,
    payments: i64,
    gross_cents: i64,
    fee_cents: i64,
    /// What Stripe transferred.
    net_cents: i64,
    /// `net − (gross − fees)`: 0 when the batch adds up.
    difference_cents: i64,
}

impl From<PayoutView> for PayoutOut {
    fn from(p: PayoutView) -> Self {
        PayoutOut {
            payout: p.payout,
            date: p.date.to_string(),
            expected_arrival: p.expected_arrival.to_string(),
            status: p.status.as_str().to_owned(),
            payments: p.payments,
            gross_cents: p.check.gross_cents,
            fee_cents: p.check.fee_cents,
            net_cents: p.check.net_cents,
            difference_cents: p.check.difference_cents,
        }
    }
}

/// The payout batches created between two days, newest first.
#[utoipa::path(get, path = "/api/v1/stripe/payouts", tag = "stripe", params(PeriodQuery),
    responses((status = 200, body = Vec<PayoutOut>), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn payouts(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiQuery(q): ApiQuery<PeriodQuery>,
) -> ApiResult<Vec<PayoutOut>> {
    let (from, to) = period(&q)?;
    Ok(Json(
        stripe::payouts(&state, &ctx, from, to)
            .await?
            .into_iter()
            .map(PayoutOut::from)
            .collect(),
    ))
}

/// A payment or refund through Stripe with its fee.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeeOut {
    order_id: String,
    order_number: Option<String>,
    /// `charge` or `refund`.
    kind: String,
    /// Stripe's charge or refund (`ch_…`, `re_…`).
    stripe_object: String,
    method: String,
    taken_at: i64,
    amount_cents: i64,
    /// Stripe's fee; `null` while Stripe has not said it.
    fee_cents: Option<i64>,
    net_cents: Option<i64>,
    /// The fee rule's.
    expected_fee_cents: i64,
    /// Stripe's fee is known and is not the rule's.
    differs: bool,
    payout: Option<String>,
}

impl From<FeeLine> for FeeOut {
    fn from(l: FeeLine) -> Self {
        FeeOut {
            order_id: l.row.order_id.to_string(),
            order_number: l.row.order_number,
            kind: l.row.kind,
            stripe_object: l.row.stripe_object,
            method: l.method.as_str().to_owned(),
            taken_at: l.row.taken_at,
            amount_cents: l.row.amount_cents,
            fee_cents: l.row.fee_cents,
            net_cents: l.row.net_cents,
            expected_fee_cents: l.expected_fee_cents,
            differs: l.differs,
            payout: l.row.payout,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FeePage {
    items: Vec<FeeOut>,
    /// The cursor of the next page; `null` on the last.
    next: Option<String>,
}

fn cursor(c: &str) -> Result<(i64, uuid::Uuid), AppError> {
    let bad = guichet_app::paging::bad_cursor;
    let (t, id) = c.split_once('_').ok_or_else(bad)?;
    Ok((
        t.parse().map_err(|_| bad())?,
        id.parse().map_err(|_| bad())?,
    ))
}

/// The payments and refunds through Stripe taken between two days, oldest first, a page at
/// a time, with Stripe's fee checked against the organization's rule.
#[utoipa::path(get, path = "/api/v1/stripe/fees", tag = "stripe", params(PeriodQuery),
    responses((status = 200, body = FeePage), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn fees(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiQuery(q): ApiQuery<PeriodQuery>,
) -> ApiResult<FeePage> {
    let (from, to) = period(&q)?;
    let after = q.after.as_deref().map(cursor).transpose()?;
    let limit = guichet_app::paging::limit(q.limit)?;
    let rows = stripe::fees(&state, &ctx, from, to, after, (limit + 1) as i64).await?;
    let page = guichet_app::paging::page(rows, limit, |l| {
        format!("{}_{}", l.row.taken_at, l.row.payment_id)
    });
    Ok(Json(FeePage {
        items: page.items.into_iter().map(FeeOut::from).collect(),
        next: page.next,
    }))
}

/// A refund asked of Stripe.
#[derive(Debug, Serialize, ToSchema)]
pub struct RefundOut {
    id: String,
    /// Stripe's refund (`re_…`), once Stripe answered.
    refund: Option<String>,
    amount_cents: i64,
    /// `pending`, `succeeded` or `failed`.
    status: String,
    failure_reason: Option<String>,
    requested_at: i64,
}

impl From<Refund> for RefundOut {
    fn from(r: Refund) -> Self {
        RefundOut {
            id: r.id.to_string(),
            refund: r.refund,
            amount_cents: r.amount_cents,
            status: r.status,
            failure_reason: r.failure_reason,
            requested_at: r.requested_at,
        }
    }
}

/// An order's refunds through Stripe.
#[utoipa::path(get, path = "/api/v1/orders/{id}/stripe-refunds", tag = "stripe", params(("id" = String, Path)),
    responses((status = 200, body = Vec<RefundOut>), (status = 404, body = Problem)))]
async fn order_refunds(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
) -> ApiResult<Vec<RefundOut>> {
    let order = id::<OrderId>(&raw)?;
    guichet_app::orders::get(&state, &ctx, order).await?;
    Ok(Json(
        stripe::refunds_of_order(&state, &ctx, order)
            .await?
            .into_iter()
            .map(RefundOut::from)
            .collect(),
    ))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct RefundInput {
    /// The amount to give back through Stripe, in euros (`"5"`, `"8,50"`): at most what the
    /// order was paid online and not refunded yet.
    amount: String,
}

/// Refunds part or all of what an order was paid online, through Stripe. Answered with the
/// order's refunds: the new ones are `pending` until Stripe confirms them (then they are
/// negative payments on the order) or `failed`.
#[utoipa::path(post, path = "/api/v1/orders/{id}/stripe-refunds", tag = "stripe", params(("id" = String, Path)), request_body = RefundInput,
    responses((status = 202, body = Vec<RefundOut>), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn refund(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
    ApiJson(input): ApiJson<RefundInput>,
) -> Result<(StatusCode, Json<Vec<RefundOut>>), ApiError> {
    ctx.require(guichet_domain::Permission::CancelOrder)?;
    let order = id::<OrderId>(&raw)?;
    guichet_app::orders::get(&state, &ctx, order).await?;
    let amount = guichet_domain::shop::parse_price_cents(&input.amount)
        .map_err(|_| AppError::field("amount", "invalid_amount"))?;
    stripe::refund(&state, &ctx, order, amount).await?;
    let refunds = stripe::refunds_of_order(&state, &ctx, order).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(refunds.into_iter().map(RefundOut::from).collect()),
    ))
}
