//! `/api/v1/registers`: the registers (tills) of the organization.

use super::extract::{
    ApiJson, ApiQuery, ApiResult, ArchiveInput, PageQuery, id, page_schema, paged,
};
use crate::auth::ApiCtx;
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use guichet_app::registers::Register;
use guichet_domain::RegisterId;
use guichet_domain::org::RegisterInput;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_registers, create_register))
        .routes(routes!(get_register, update_register))
        .routes(routes!(archive_register))
}

page_schema!(RegisterPage, Register);

/// The registers, in creation order, a page at a time.
#[utoipa::path(get, path = "/api/v1/registers", tag = "registers", params(PageQuery),
    responses((status = 200, body = RegisterPage), (status = 400, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn list_registers(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> ApiResult<RegisterPage> {
    let rows = guichet_app::registers::registers(&state, &ctx).await?;
    paged(rows, |r| r.id.0, &page)
}

#[utoipa::path(post, path = "/api/v1/registers", tag = "registers", request_body = RegisterInput,
    responses((status = 201, body = Register), (status = 422, body = Problem)))]
async fn create_register(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(input): ApiJson<RegisterInput>,
) -> Result<(StatusCode, Json<Register>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(guichet_app::registers::create_register(&state, &ctx, &input).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/registers/{id}", tag = "registers", params(("id" = String, Path)),
    responses((status = 200, body = Register), (status = 404, body = Problem)))]
async fn get_register(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
) -> ApiResult<Register> {
    Ok(Json(
        guichet_app::registers::register(&state, &ctx, id::<RegisterId>(&raw)?).await?,
    ))
}

#[utoipa::path(put, path = "/api/v1/registers/{id}", tag = "registers", params(("id" = String, Path)), request_body = RegisterInput,
    responses((status = 200, body = Register), (status = 422, body = Problem)))]
async fn update_register(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
    ApiJson(input): ApiJson<RegisterInput>,
) -> ApiResult<Register> {
    Ok(Json(
        guichet_app::registers::update_register(&state, &ctx, id::<RegisterId>(&raw)?, &input)
            .await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/registers/{id}/archive", tag = "registers", params(("id" = String, Path)), request_body = ArchiveInput,
    responses((status = 200, body = Register), (status = 422, body = Problem)))]
async fn archive_register(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
    ApiJson(input): ApiJson<ArchiveInput>,
) -> ApiResult<Register> {
    Ok(Json(
        guichet_app::registers::archive_register(
            &state,
            &ctx,
            id::<RegisterId>(&raw)?,
            input.archived,
        )
        .await?,
    ))
}
