//! `/api/v1/customer-imports`: the spreadsheet import as the pages do it — upload (dry run),
//! adjust the mapping, download the errors file, commit.

use super::extract::{ApiJson, ApiResult, id};
use crate::auth::ApiCtx;
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use crate::upload::{Kind, Upload};
use axum::Json;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use guichet_app::customer_imports::{self as service, CustomerImport};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(OpenApiRouter::new().routes(routes!(upload)).layer(
            axum::extract::DefaultBodyLimit::max(
                guichet_integrations::imports::MAX_BYTES + 64 * 1024,
            ),
        ))
        .routes(routes!(get))
        .routes(routes!(remap))
        .routes(routes!(commit))
        .routes(routes!(errors_file))
}

/// Uploads a spreadsheet (multipart: `file` .csv/.xlsx/.xls; `update_existing` `true` to
/// update the customers whose e-mail is in the file) and answers the dry run: the columns
/// mapped from their headers, every error and warning by line and column. Nothing is
/// written to the customers yet.
#[utoipa::path(post, path = "/api/v1/customer-imports", tag = "customers",
    request_body(content_type = "multipart/form-data", description = "Fields `file` and `update_existing`."),
    responses((status = 201, body = CustomerImport), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn upload(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    multipart: Multipart,
) -> Result<(StatusCode, Json<CustomerImport>), ApiError> {
    let upload = Upload::read(multipart, Kind::Import).await?;
    let update_existing = matches!(
        upload.text("update_existing").trim(),
        "true" | "1" | "yes" | "on"
    );
    let bytes = upload.required_file()?;
    let import =
        service::upload(&state, &ctx, &upload.file_name, bytes, update_existing, "").await?;
    Ok((StatusCode::CREATED, Json(import)))
}

#[utoipa::path(get, path = "/api/v1/customer-imports/{id}", tag = "customers", params(("id" = String, Path)),
    responses((status = 200, body = CustomerImport), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
) -> ApiResult<CustomerImport> {
    Ok(Json(service::get(&state, &ctx, id::<Uuid>(&raw)?).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct MappingInput {
    /// One per file column, in order: a field (`first_name`, `email`, `customer_type_id`…),
    /// `custom.<field id>`, or empty for not imported. Computed columns stay refused.
    pub columns: Vec<String>,
    #[serde(default)]
    pub update_existing: bool,
}

/// Changes the mapping and answers the new dry run.
#[utoipa::path(put, path = "/api/v1/customer-imports/{id}/mapping", tag = "customers", params(("id" = String, Path)),
    request_body = MappingInput,
    responses((status = 200, body = CustomerImport), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn remap(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
    ApiJson(input): ApiJson<MappingInput>,
) -> ApiResult<CustomerImport> {
    let id = id::<Uuid>(&raw)?;
    Ok(Json(
        service::remap(&state, &ctx, id, &input.columns, input.update_existing, "").await?,
    ))
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CommitInput {
    /// Import despite warnings ("continue anyway").
    pub accept_warnings: bool,
}

/// Imports every row in one transaction, or none: `409 import_has_errors`,
/// `409 import_has_warnings` (unless `accept_warnings`), `409 import_done` the second time.
#[utoipa::path(post, path = "/api/v1/customer-imports/{id}/commit", tag = "customers", params(("id" = String, Path)),
    request_body = CommitInput,
    responses((status = 200, body = CustomerImport), (status = 409, body = Problem)))]
pub async fn commit(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
    ApiJson(input): ApiJson<CommitInput>,
) -> ApiResult<CustomerImport> {
    let id = id::<Uuid>(&raw)?;
    Ok(Json(
        service::commit(&state, &ctx, id, input.accept_warnings, "").await?,
    ))
}

/// The uploaded file with an errors column (CSV stays CSV, spreadsheets come back as XLSX).
#[utoipa::path(get, path = "/api/v1/customer-imports/{id}/errors-file", tag = "customers", params(("id" = String, Path)),
    responses((status = 200, description = "The file"), (status = 404, body = Problem)))]
pub async fn errors_file(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
) -> Result<Response, ApiError> {
    let (bytes, mime, name) = service::errors_file(&state, &ctx, id::<Uuid>(&raw)?).await?;
    Ok(crate::download::attachment(mime, &name, bytes))
}
