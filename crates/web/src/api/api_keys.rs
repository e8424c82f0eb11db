//! `/api/v1/api-keys`: the keys that authenticate API clients.

use super::extract::{ApiJson, ApiQuery, ApiResult, PageQuery, id, page_schema, paged};
use crate::auth::ApiCtx;
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use guichet_app::api_keys::{ApiKey, ApiKeyInput};
use guichet_domain::ApiKeyId;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_api_keys, create_api_key))
        .routes(routes!(revoke_api_key))
}

page_schema!(ApiKeyPage, ApiKey);

/// The API keys, in creation order, a page at a time.
#[utoipa::path(get, path = "/api/v1/api-keys", tag = "api keys", params(PageQuery),
    responses((status = 200, body = ApiKeyPage), (status = 400, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn list_api_keys(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> ApiResult<ApiKeyPage> {
    let rows = guichet_app::api_keys::api_keys(&state, &ctx).await?;
    paged(rows, |k| k.id.0, &page)
}

#[derive(Serialize, ToSchema)]
struct CreatedApiKey {
    key: ApiKey,
    /// The secret to send as `Authorization: Bearer …`. Shown once, never again.
    secret: String,
}

#[utoipa::path(post, path = "/api/v1/api-keys", tag = "api keys", request_body = ApiKeyInput,
    responses((status = 201, body = CreatedApiKey), (status = 422, body = Problem)))]
async fn create_api_key(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(input): ApiJson<ApiKeyInput>,
) -> Result<(StatusCode, Json<CreatedApiKey>), ApiError> {
    let (key, secret) = guichet_app::api_keys::create_api_key(&state, &ctx, &input).await?;
    Ok((StatusCode::CREATED, Json(CreatedApiKey { key, secret })))
}

/// Revokes a key: it stops working at once.
#[utoipa::path(delete, path = "/api/v1/api-keys/{id}", tag = "api keys", params(("id" = String, Path)),
    responses((status = 200, body = ApiKey), (status = 404, body = Problem)))]
async fn revoke_api_key(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
) -> ApiResult<ApiKey> {
    Ok(Json(
        guichet_app::api_keys::revoke_api_key(&state, &ctx, id::<ApiKeyId>(&raw)?).await?,
    ))
}
