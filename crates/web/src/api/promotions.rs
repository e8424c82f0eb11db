//! Promotions and promo codes endpoints.

use super::extract::{
    ApiJson, ApiQuery, ApiResult, ArchiveInput, PageQuery, id, page_schema, paged,
};
use crate::auth::ApiCtx;
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use guichet_app::promotions;
use guichet_domain::promotion::{PromoCode, PromoCodeInput, Promotion, PromotionInput};
use guichet_domain::{PromoCodeId, PromotionId};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_promotions, create_promotion))
        .routes(routes!(get_promotion, update_promotion))
        .routes(routes!(archive_promotion))
        .routes(routes!(list_codes, create_code))
        .routes(routes!(lookup_code))
        .routes(routes!(get_code, update_code))
        .routes(routes!(archive_code))
}

page_schema!(PromotionPage, Promotion);
page_schema!(PromoCodePage, PromoCode);

/// Every promotion, archived ones too, in creation order, a page at a time.
#[utoipa::path(get, path = "/api/v1/promotions", tag = "promotions", params(PageQuery),
    responses((status = 200, body = PromotionPage), (status = 401, body = Problem), (status = 400, body = Problem), (status = 422, body = Problem)))]
pub async fn list_promotions(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> ApiResult<PromotionPage> {
    let rows = promotions::list_promotions(&state, &ctx).await?;
    paged(rows, |p| p.id.0, &page)
}

/// Creates a promotion; it applies by itself to the matching sales.
#[utoipa::path(post, path = "/api/v1/promotions", tag = "promotions", request_body = PromotionInput,
    responses((status = 201, body = Promotion), (status = 422, body = Problem), (status = 403, body = Problem)))]
pub async fn create_promotion(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(input): ApiJson<PromotionInput>,
) -> Result<(StatusCode, Json<Promotion>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(promotions::save_promotion(&state, &ctx, None, &input).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/promotions/{id}", tag = "promotions", params(("id" = String, Path)),
    responses((status = 200, body = Promotion), (status = 404, body = Problem)))]
pub async fn get_promotion(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
) -> ApiResult<Promotion> {
    Ok(Json(
        promotions::get_promotion(&state, &ctx, id::<PromotionId>(&raw)?).await?,
    ))
}

/// Replaces a promotion's settings.
#[utoipa::path(put, path = "/api/v1/promotions/{id}", tag = "promotions", params(("id" = String, Path)), request_body = PromotionInput,
    responses((status = 200, body = Promotion), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_promotion(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
    ApiJson(input): ApiJson<PromotionInput>,
) -> ApiResult<Promotion> {
    let pid = id::<PromotionId>(&raw)?;
    Ok(Json(
        promotions::save_promotion(&state, &ctx, Some(pid), &input).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/promotions/{id}/archive", tag = "promotions", params(("id" = String, Path)), request_body = ArchiveInput,
    responses((status = 200, body = Promotion), (status = 404, body = Problem)))]
pub async fn archive_promotion(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
    ApiJson(input): ApiJson<ArchiveInput>,
) -> ApiResult<Promotion> {
    let pid = id::<PromotionId>(&raw)?;
    Ok(Json(
        promotions::archive_promotion(&state, &ctx, pid, input.archived).await?,
    ))
}

/// Every promo code, archived ones too, in creation order, a page at a time.
#[utoipa::path(get, path = "/api/v1/promo-codes", tag = "promotions", params(PageQuery),
    responses((status = 200, body = PromoCodePage), (status = 401, body = Problem), (status = 400, body = Problem), (status = 422, body = Problem)))]
pub async fn list_codes(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> ApiResult<PromoCodePage> {
    let rows = promotions::list_codes(&state, &ctx).await?;
    paged(rows, |c| c.id.0, &page)
}

/// Creates a promo code. Codes are case-insensitive and never reused in an organization.
#[utoipa::path(post, path = "/api/v1/promo-codes", tag = "promotions", request_body = PromoCodeInput,
    responses((status = 201, body = PromoCode), (status = 422, body = Problem), (status = 403, body = Problem)))]
pub async fn create_code(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(input): ApiJson<PromoCodeInput>,
) -> Result<(StatusCode, Json<PromoCode>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(promotions::save_code(&state, &ctx, None, &input).await?),
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LookupQuery {
    /// The code as typed, in any case.
    code: String,
}

/// The active promo code typed at the register or online (404 when unknown or archived).
#[utoipa::path(get, path = "/api/v1/promo-codes/lookup", tag = "promotions", params(LookupQuery),
    responses((status = 200, body = PromoCode), (status = 404, body = Problem)))]
pub async fn lookup_code(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiQuery(q): ApiQuery<LookupQuery>,
) -> ApiResult<PromoCode> {
    Ok(Json(promotions::lookup_code(&state, &ctx, &q.code).await?))
}

#[utoipa::path(get, path = "/api/v1/promo-codes/{id}", tag = "promotions", params(("id" = String, Path)),
    responses((status = 200, body = PromoCode), (status = 404, body = Problem)))]
pub async fn get_code(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
) -> ApiResult<PromoCode> {
    Ok(Json(
        promotions::get_code(&state, &ctx, id::<PromoCodeId>(&raw)?).await?,
    ))
}

/// Replaces a promo code's settings; its count of uses is kept.
#[utoipa::path(put, path = "/api/v1/promo-codes/{id}", tag = "promotions", params(("id" = String, Path)), request_body = PromoCodeInput,
    responses((status = 200, body = PromoCode), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_code(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
    ApiJson(input): ApiJson<PromoCodeInput>,
) -> ApiResult<PromoCode> {
    let cid = id::<PromoCodeId>(&raw)?;
    Ok(Json(
        promotions::save_code(&state, &ctx, Some(cid), &input).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/promo-codes/{id}/archive", tag = "promotions", params(("id" = String, Path)), request_body = ArchiveInput,
    responses((status = 200, body = PromoCode), (status = 404, body = Problem)))]
pub async fn archive_code(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
    ApiJson(input): ApiJson<ArchiveInput>,
) -> ApiResult<PromoCode> {
    let cid = id::<PromoCodeId>(&raw)?;
    Ok(Json(
        promotions::archive_code(&state, &ctx, cid, input.archived).await?,
    ))
}
