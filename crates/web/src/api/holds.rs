//! `/api/v1/carts/{cart}/holds`: the places a cart holds while its visitor books, for a
//! booking site built on the API; `POST /api/v1/orders` with `"cart"` sells them.

use super::extract::{ApiJson, ApiResult};
use crate::auth::ApiCtx;
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use guichet_app::holds::{self, CartHolds};
use guichet_app::orders::OrderInput;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_holds, put_holds, delete_holds))
}

/// What the cart holds and until when.
#[utoipa::path(get, path = "/api/v1/carts/{cart}/holds", tag = "orders", params(("cart" = String, Path)),
    responses((status = 200, body = CartHolds), (status = 422, body = Problem)))]
async fn get_holds(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(cart): Path<String>,
) -> ApiResult<CartHolds> {
    Ok(Json(holds::of_cart(&state, &ctx, &cart).await?))
}

/// Holds the places the cart's ticket lines take (the order's `lines`, priced on the online
/// channel), replacing what it held, and starts its countdown again. `cart`: 16 to 64
/// letters, digits, `-`, `_`, drawn at random by the client.
#[utoipa::path(put, path = "/api/v1/carts/{cart}/holds", tag = "orders", params(("cart" = String, Path)),
    request_body = OrderInput,
    responses((status = 200, body = CartHolds), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn put_holds(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(cart): Path<String>,
    ApiJson(input): ApiJson<OrderInput>,
) -> ApiResult<CartHolds> {
    Ok(Json(holds::hold(&state, &ctx, &cart, &input).await?))
}

/// Lets go of everything the cart holds.
#[utoipa::path(delete, path = "/api/v1/carts/{cart}/holds", tag = "orders", params(("cart" = String, Path)),
    responses((status = 204), (status = 422, body = Problem)))]
async fn delete_holds(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(cart): Path<String>,
) -> Result<StatusCode, ApiError> {
    holds::release(&state, &ctx, &cart).await?;
    Ok(StatusCode::NO_CONTENT)
}
