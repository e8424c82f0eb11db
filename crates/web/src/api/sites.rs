//! `/api/v1/sites`: the organization's sites.

use super::extract::{
    ApiJson, ApiQuery, ApiResult, ArchiveInput, PageQuery, id, page_schema, paged,
};
use crate::auth::ApiCtx;
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use guichet_app::organization::Site;
use guichet_domain::SiteId;
use guichet_domain::org::SiteInput;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_sites, create_site))
        .routes(routes!(get_site, update_site))
        .routes(routes!(archive_site))
}

page_schema!(SitePage, Site);

/// The sites, in creation order, a page at a time.
#[utoipa::path(get, path = "/api/v1/sites", tag = "sites", params(PageQuery),
    responses((status = 200, body = SitePage), (status = 400, body = Problem), (status = 422, body = Problem)))]
async fn list_sites(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> ApiResult<SitePage> {
    let rows = guichet_app::organization::sites(&state, &ctx).await?;
    paged(rows, |s| s.id.0, &page)
}

#[utoipa::path(post, path = "/api/v1/sites", tag = "sites", request_body = SiteInput,
    responses((status = 201, body = Site), (status = 422, body = Problem)))]
async fn create_site(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(input): ApiJson<SiteInput>,
) -> Result<(StatusCode, Json<Site>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(guichet_app::organization::create_site(&state, &ctx, &input).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/sites/{id}", tag = "sites", params(("id" = String, Path)),
    responses((status = 200, body = Site), (status = 404, body = Problem)))]
async fn get_site(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
) -> ApiResult<Site> {
    Ok(Json(
        guichet_app::organization::site(&state, &ctx, id::<SiteId>(&raw)?).await?,
    ))
}

#[utoipa::path(put, path = "/api/v1/sites/{id}", tag = "sites", params(("id" = String, Path)), request_body = SiteInput,
    responses((status = 200, body = Site), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn update_site(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
    ApiJson(input): ApiJson<SiteInput>,
) -> ApiResult<Site> {
    Ok(Json(
        guichet_app::organization::update_site(&state, &ctx, id::<SiteId>(&raw)?, &input).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/sites/{id}/archive", tag = "sites", params(("id" = String, Path)), request_body = ArchiveInput,
    responses((status = 200, body = Site), (status = 409, body = Problem)))]
async fn archive_site(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
    ApiJson(input): ApiJson<ArchiveInput>,
) -> ApiResult<Site> {
    Ok(Json(
        guichet_app::organization::archive_site(&state, &ctx, id::<SiteId>(&raw)?, input.archived)
            .await?,
    ))
}
