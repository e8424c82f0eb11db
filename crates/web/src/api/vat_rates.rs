//! `/api/v1/vat-rates`: the VAT rates offered on items.

use super::extract::{
    ApiJson, ApiQuery, ApiResult, ArchiveInput, PageQuery, id, page_schema, paged,
};
use crate::auth::ApiCtx;
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use guichet_app::vat_rates::{Removal, StoredVatRate as VatRate};
use guichet_domain::VatRateId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_vat_rates, create_vat_rate))
        .routes(routes!(get_vat_rate, update_vat_rate, delete_vat_rate))
        .routes(routes!(archive_vat_rate))
}

#[derive(Deserialize, ToSchema)]
struct VatRateInput {
    label: String,
    /// 2100 for 21 %, 550 for 5.5 %.
    rate_basis_points: i64,
}

page_schema!(VatRatePage, VatRate);

/// The VAT rates, in creation order, a page at a time.
#[utoipa::path(get, path = "/api/v1/vat-rates", tag = "vat rates", params(PageQuery),
    responses((status = 200, body = VatRatePage), (status = 400, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn list_vat_rates(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> ApiResult<VatRatePage> {
    let rows = guichet_app::vat_rates::vat_rates(&state, &ctx).await?;
    paged(rows, |r| r.id.0, &page)
}

#[utoipa::path(post, path = "/api/v1/vat-rates", tag = "vat rates", request_body = VatRateInput,
    responses((status = 201, body = VatRate), (status = 422, body = Problem), (status = 403, body = Problem)))]
async fn create_vat_rate(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(input): ApiJson<VatRateInput>,
) -> Result<(StatusCode, Json<VatRate>), ApiError> {
    ctx.require(guichet_domain::Permission::ManageVatRates)?;
    let parsed =
        guichet_app::vat_rates::parse_vat_basis_points(&input.label, input.rate_basis_points)?;
    Ok((
        StatusCode::CREATED,
        Json(guichet_app::vat_rates::create_vat_rate(&state, &ctx, parsed).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/vat-rates/{id}", tag = "vat rates", params(("id" = String, Path)),
    responses((status = 200, body = VatRate), (status = 404, body = Problem)))]
async fn get_vat_rate(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
) -> ApiResult<VatRate> {
    Ok(Json(
        guichet_app::vat_rates::vat_rate(&state, &ctx, id::<VatRateId>(&raw)?).await?,
    ))
}

#[utoipa::path(put, path = "/api/v1/vat-rates/{id}", tag = "vat rates", params(("id" = String, Path)), request_body = VatRateInput,
    responses((status = 200, body = VatRate), (status = 422, body = Problem)))]
async fn update_vat_rate(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
    ApiJson(input): ApiJson<VatRateInput>,
) -> ApiResult<VatRate> {
    ctx.require(guichet_domain::Permission::ManageVatRates)?;
    let parsed =
        guichet_app::vat_rates::parse_vat_basis_points(&input.label, input.rate_basis_points)?;
    Ok(Json(
        guichet_app::vat_rates::update_vat_rate(&state, &ctx, id::<VatRateId>(&raw)?, parsed)
            .await?,
    ))
}

#[derive(Serialize, ToSchema)]
struct RemovalResult {
    /// `deleted`, or `archived` when something refers to the rate.
    result: Removal,
}

/// Deletes a rate nothing refers to; a rate in use is archived instead.
#[utoipa::path(delete, path = "/api/v1/vat-rates/{id}", tag = "vat rates", params(("id" = String, Path)),
    responses((status = 200, body = RemovalResult), (status = 404, body = Problem)))]
async fn delete_vat_rate(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
) -> ApiResult<RemovalResult> {
    Ok(Json(RemovalResult {
        result: guichet_app::vat_rates::remove_vat_rate(&state, &ctx, id::<VatRateId>(&raw)?)
            .await?,
    }))
}

#[utoipa::path(post, path = "/api/v1/vat-rates/{id}/archive", tag = "vat rates", params(("id" = String, Path)), request_body = ArchiveInput,
    responses((status = 200, body = VatRate), (status = 422, body = Problem)))]
async fn archive_vat_rate(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
    ApiJson(input): ApiJson<ArchiveInput>,
) -> ApiResult<VatRate> {
    Ok(Json(
        guichet_app::vat_rates::archive_vat_rate(
            &state,
            &ctx,
            id::<VatRateId>(&raw)?,
            input.archived,
        )
        .await?,
    ))
}
