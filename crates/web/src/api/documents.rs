//! Tickets and prints through the API: an order's ticket codes, counting a print made by the
//! client's own printer (DUPLICATA after the first), the public ticket key and checking a code.

use super::extract::{ApiJson, ApiResult, id};
use crate::auth::ApiCtx;
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use guichet_app::documents::{self, Ticket, TicketKey};
use guichet_domain::OrderId;
use guichet_domain::ticket::TicketClaim;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(tickets))
        .routes(routes!(print))
        .routes(routes!(ticket_key))
        .routes(routes!(verify))
}

/// The order's tickets with their signed codes (one per visitor, or one per order and session
/// for offers set so). Reading them does not count as a print.
#[utoipa::path(get, path = "/api/v1/orders/{id}/tickets", tag = "orders", params(("id" = String, Path)),
    responses((status = 200, body = [Ticket]), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn tickets(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
) -> ApiResult<Vec<Ticket>> {
    let printed = documents::tickets(&state, &ctx, id::<OrderId>(&raw)?, false).await?;
    Ok(Json(printed.doc.1))
}

#[derive(Deserialize, ToSchema)]
pub struct PrintInput {
    /// `receipt` or `tickets`.
    document: String,
}

#[derive(Serialize, ToSchema)]
pub struct PrintCopy {
    /// 0: the original; n: print "DUPLICATA n" on it.
    copy: i64,
}

/// Counts a print of the order's receipt or tickets and says which copy it is.
#[utoipa::path(post, path = "/api/v1/orders/{id}/prints", tag = "orders", params(("id" = String, Path)),
    request_body = PrintInput,
    responses((status = 200, body = PrintCopy), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn print(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
    ApiJson(input): ApiJson<PrintInput>,
) -> ApiResult<PrintCopy> {
    let copy = documents::record_print(&state, &ctx, id::<OrderId>(&raw)?, &input.document).await?;
    Ok(Json(PrintCopy { copy }))
}

/// The organization's Ed25519 public key: a scanner verifies ticket codes with it, offline.
#[utoipa::path(get, path = "/api/v1/ticket-key", tag = "orders",
    responses((status = 200, body = TicketKey)))]
pub async fn ticket_key(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
) -> ApiResult<TicketKey> {
    Ok(Json(documents::ticket_key(&state, &ctx).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct VerifyInput {
    code: String,
}

/// Checks a scanned ticket code: what it is for, or `422` with `ticket_malformed`,
/// `ticket_unknown_key` or `ticket_bad_signature` on the `code` field.
#[utoipa::path(post, path = "/api/v1/tickets/verify", tag = "orders", request_body = VerifyInput,
    responses((status = 200, body = TicketClaim), (status = 422, body = Problem)))]
pub async fn verify(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(input): ApiJson<VerifyInput>,
) -> Result<Json<TicketClaim>, ApiError> {
    Ok(Json(
        documents::verify_ticket(&state, &ctx, &input.code).await?,
    ))
}
