//! `/api/v1/booking-modules`: the online booking modules the attraction embeds in its own
//! website (Distribution › Modules).

use super::extract::{ApiJson, ApiQuery, ApiResult, ArchiveInput, id, page_schema};
use crate::auth::ApiCtx;
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use guichet_app::booking_modules::{self, BookingModule, ModuleListQuery};
use guichet_domain::BookingModuleId;
use guichet_domain::booking_module::ModuleInput;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_modules, create_module))
        .routes(routes!(get_module, update_module))
        .routes(routes!(archive_module))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BookingModuleQuery {
    /// The page after this cursor (`next` of the previous page).
    #[serde(default)]
    after: Option<String>,
    /// Modules per page, 1 to 1000 (default 100).
    #[serde(default)]
    limit: Option<u32>,
}

page_schema!(BookingModulePage, BookingModule);

/// The organization's booking modules, archived ones included, in creation order, a page at
/// a time.
#[utoipa::path(get, path = "/api/v1/booking-modules", tag = "distribution", params(BookingModuleQuery),
    responses((status = 200, body = BookingModulePage), (status = 400, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn list_modules(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiQuery(q): ApiQuery<BookingModuleQuery>,
) -> ApiResult<BookingModulePage> {
    let query = ModuleListQuery {
        after: q.after,
        limit: q.limit,
    };
    Ok(Json(
        booking_modules::page(&state, &ctx, &query).await?.into(),
    ))
}

/// Creates a module. Its slug (public address `/book/{organization}/{slug}`) is derived
/// from the name when not given.
#[utoipa::path(post, path = "/api/v1/booking-modules", tag = "distribution", request_body = ModuleInput,
    responses((status = 201, body = BookingModule), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn create_module(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(input): ApiJson<ModuleInput>,
) -> Result<(StatusCode, Json<BookingModule>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(booking_modules::create(&state, &ctx, &input).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/booking-modules/{id}", tag = "distribution", params(("id" = String, Path)),
    responses((status = 200, body = BookingModule), (status = 404, body = Problem)))]
async fn get_module(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
) -> ApiResult<BookingModule> {
    Ok(Json(
        booking_modules::get(&state, &ctx, id::<BookingModuleId>(&raw)?).await?,
    ))
}

/// Replaces a module's settings (the same fields as creating one; an empty slug keeps the
/// current one).
#[utoipa::path(put, path = "/api/v1/booking-modules/{id}", tag = "distribution", params(("id" = String, Path)), request_body = ModuleInput,
    responses((status = 200, body = BookingModule), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn update_module(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
    ApiJson(input): ApiJson<ModuleInput>,
) -> ApiResult<BookingModule> {
    Ok(Json(
        booking_modules::update(&state, &ctx, id::<BookingModuleId>(&raw)?, &input).await?,
    ))
}

/// Archives (`archived: true`) or restores a module; an archived module's public address
/// answers 404.
#[utoipa::path(post, path = "/api/v1/booking-modules/{id}/archive", tag = "distribution", params(("id" = String, Path)), request_body = ArchiveInput,
    responses((status = 200, body = BookingModule), (status = 404, body = Problem)))]
async fn archive_module(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
    ApiJson(input): ApiJson<ArchiveInput>,
) -> ApiResult<BookingModule> {
    Ok(Json(
        booking_modules::archive(&state, &ctx, id::<BookingModuleId>(&raw)?, input.archived)
            .await?,
    ))
}
