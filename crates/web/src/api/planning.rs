//! Availability and planning endpoints.

use super::extract::{ApiJson, ApiQuery, ApiResult, id};
use crate::auth::ApiCtx;
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use guichet_app::catalogue::ItemId;
use guichet_app::offers::OfferId;
use guichet_app::planning::{
    self, Availability, SessionChange, StopSalesInput, TicketTypeAvailability,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(availability))
        .routes(routes!(ticket_type_availability))
        .routes(routes!(change_session))
        .routes(routes!(stop_sales))
        .routes(routes!(reopen_sales))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RangeQuery {
    /// First day, YYYY-MM-DD.
    from: String,
    /// Last day, YYYY-MM-DD (at most 366 days after `from`).
    to: String,
}

/// Every session of the offer in the range with capacity, sold, held and remaining, and the
/// daily stock left of its ticket types and extras.
#[utoipa::path(get, path = "/api/v1/offers/{id}/availability", tag = "planning", params(("id" = String, Path), RangeQuery),
    responses((status = 200, body = Availability), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn availability(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
    ApiQuery(q): ApiQuery<RangeQuery>,
) -> ApiResult<Availability> {
    Ok(Json(
        planning::availability(&state, &ctx, id::<OfferId>(&raw)?, &q.from, &q.to).await?,
    ))
}

/// The planning of one ticket type: its daily stock left day by day, and the sessions of every
/// active offer that sells it.
#[utoipa::path(get, path = "/api/v1/ticket-types/{id}/availability", tag = "planning", params(("id" = String, Path), RangeQuery),
    responses((status = 200, body = TicketTypeAvailability), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn ticket_type_availability(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
    ApiQuery(q): ApiQuery<RangeQuery>,
) -> ApiResult<TicketTypeAvailability> {
    Ok(Json(
        planning::ticket_type_availability(&state, &ctx, id::<ItemId>(&raw)?, &q.from, &q.to)
            .await?,
    ))
}

/// Changes one session's capacity (not below what is sold) or closes/reopens it. `start` is the
/// session's start instant in microseconds, as the availability lists it.
#[utoipa::path(put, path = "/api/v1/offers/{id}/sessions/{start}", tag = "planning", params(("id" = String, Path), ("start" = i64, Path)),
    request_body = SessionChange, responses((status = 204), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn change_session(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path((raw, start)): Path<(String, String)>,
    ApiJson(change): ApiJson<SessionChange>,
) -> Result<StatusCode, ApiError> {
    let start: i64 = id(&start)?;
    planning::change_session(&state, &ctx, id::<OfferId>(&raw)?, start, &change).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct StopSalesResult {
    /// Offer-days or ticket-type-days changed.
    changed: usize,
}

/// Stops sales of offers and/or ticket types on every day of a range, in one action.
#[utoipa::path(post, path = "/api/v1/stop-sales", tag = "planning", request_body = StopSalesInput,
    responses((status = 200, body = StopSalesResult), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn stop_sales(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(input): ApiJson<StopSalesInput>,
) -> ApiResult<StopSalesResult> {
    Ok(Json(StopSalesResult {
        changed: planning::set_stopped(&state, &ctx, &input, true).await?,
    }))
}

/// Reopens sales of offers and/or ticket types on every day of a range, in one action.
#[utoipa::path(post, path = "/api/v1/reopen-sales", tag = "planning", request_body = StopSalesInput,
    responses((status = 200, body = StopSalesResult), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn reopen_sales(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(input): ApiJson<StopSalesInput>,
) -> ApiResult<StopSalesResult> {
    Ok(Json(StopSalesResult {
        changed: planning::set_stopped(&state, &ctx, &input, false).await?,
    }))
}
