//! Register sessions through the API: open a register, cash in and out, the X and Z reports,
//! closing, the sessions of a period and the daily to annual summaries.

use super::extract::{ApiJson, ApiQuery, ApiResult, PageQuery, id, page_schema, paged};
use crate::auth::ApiCtx;
use crate::error::{ApiError, AppError, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use guichet_app::closing::{self, CashInput, CloseInput, OpenInput, OpenSession};
use guichet_app::closing::{CashMovement, Session, ZReport};
use guichet_domain::closing::SummaryLine;
use guichet_domain::{RegisterId, RegisterSessionId};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(open))
        .routes(routes!(current))
        .routes(routes!(cash_movement))
        .routes(routes!(list))
        .routes(routes!(open_sessions))
        .routes(routes!(get))
        .routes(routes!(report))
        .routes(routes!(close))
        .routes(routes!(summary))
}

/// Opens a register with its float (typed, or counted by denomination). `409
/// register_already_open` while a session is open on it, even one from an earlier day.
#[utoipa::path(post, path = "/api/v1/registers/{id}/open", tag = "registers", params(("id" = String, Path)),
    request_body = OpenInput,
    responses((status = 201, body = Session), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn open(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
    ApiJson(input): ApiJson<OpenInput>,
) -> Result<(StatusCode, Json<Session>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(
            closing::open(&state, &ctx, &raw, &input)
                .await
                .map_err(register_in_path)?,
        ),
    ))
}

/// The register is the path's object here: one that is not the organization's is not found
/// (a form that names it in a field gets the field's error instead).
fn register_in_path(e: AppError) -> AppError {
    match e {
        AppError::Invalid(f) if f.get("register_id") == Some("unknown_register") => {
            AppError::NotFound
        }
        other => other,
    }
}

/// The register's open session; `404 register_closed` when it is closed.
#[utoipa::path(get, path = "/api/v1/registers/{id}/session", tag = "registers", params(("id" = String, Path)),
    responses((status = 200, body = Session), (status = 404, body = Problem)))]
pub async fn current(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
) -> ApiResult<Session> {
    match closing::current(&state, &ctx, id::<RegisterId>(&raw)?).await? {
        Some(s) => Ok(Json(s)),
        None => Err(ApiError(AppError::NotFound)),
    }
}

/// Cash put into (`in`) or taken out of (`out`) an open register's drawer, with a reason.
#[utoipa::path(post, path = "/api/v1/registers/{id}/cash-movements", tag = "registers", params(("id" = String, Path)),
    request_body = CashInput,
    responses((status = 201, body = CashMovement), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn cash_movement(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
    ApiJson(input): ApiJson<CashInput>,
) -> Result<(StatusCode, Json<CashMovement>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(
            closing::cash_movement(&state, &ctx, &raw, &input)
                .await
                .map_err(register_in_path)?,
        ),
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SessionsQuery {
    /// First day the sessions were opened, YYYY-MM-DD (default: 30 days before `to`).
    from: Option<String>,
    /// Last day, YYYY-MM-DD (default: today).
    to: Option<String>,
    /// Only this register's sessions.
    register: Option<String>,
    /// The page after this cursor (`next` of the previous page).
    #[serde(default)]
    after: Option<String>,
    /// Sessions per page, 1 to 1000 (default 100).
    #[serde(default)]
    limit: Option<u32>,
}

page_schema!(SessionPage, Session);

/// Sessions opened on days `from..=to`, open and closed, newest first (by day, then opening),
/// with their Z figures, a page at a time.
#[utoipa::path(get, path = "/api/v1/register-sessions", tag = "registers", params(SessionsQuery),
    responses((status = 200, body = SessionPage), (status = 400, body = Problem), (status = 422, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiQuery(q): ApiQuery<SessionsQuery>,
) -> ApiResult<SessionPage> {
    let query = closing::SessionListQuery {
        from: q.from,
        to: q.to,
        register: q.register,
        after: q.after,
        limit: q.limit,
    };
    Ok(Json(closing::sessions(&state, &ctx, &query).await?.into()))
}

page_schema!(OpenSessionPage, OpenSession);
page_schema!(SummaryLinePage, SummaryLine);

/// Every session still open, with the days it has been open (more than 0: close it first),
/// in the order they were opened, a page at a time.
#[utoipa::path(get, path = "/api/v1/register-sessions/open", tag = "registers", params(PageQuery),
    responses((status = 200, body = OpenSessionPage), (status = 400, body = Problem), (status = 422, body = Problem)))]
pub async fn open_sessions(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> ApiResult<OpenSessionPage> {
    let rows = closing::open_sessions(&state, &ctx).await?;
    paged(rows, |s| s.session.id.0, &page)
}

#[utoipa::path(get, path = "/api/v1/register-sessions/{id}", tag = "registers", params(("id" = String, Path)),
    responses((status = 200, body = Session), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
) -> ApiResult<Session> {
    Ok(Json(
        closing::session(&state, &ctx, id::<RegisterSessionId>(&raw)?).await?,
    ))
}

/// The session's report: an X (interim, `z_number` null) while it is open, its Z once closed.
#[utoipa::path(get, path = "/api/v1/register-sessions/{id}/report", tag = "registers", params(("id" = String, Path)),
    responses((status = 200, body = ZReport), (status = 404, body = Problem)))]
pub async fn report(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
) -> ApiResult<ZReport> {
    Ok(Json(
        closing::report(&state, &ctx, id::<RegisterSessionId>(&raw)?).await?,
    ))
}

/// Closes the session with the counted cash (and other counted methods) and makes its Z.
/// `409 already_closed` when it is already closed.
#[utoipa::path(post, path = "/api/v1/register-sessions/{id}/close", tag = "registers", params(("id" = String, Path)),
    request_body = CloseInput,
    responses((status = 200, body = ZReport), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn close(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
    ApiJson(input): ApiJson<CloseInput>,
) -> ApiResult<ZReport> {
    Ok(Json(
        closing::close(&state, &ctx, id::<RegisterSessionId>(&raw)?, &input).await?,
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SummaryQuery {
    /// `daily` (the global Z of each day), `monthly`, `quarterly` or `annual`.
    period: String,
    from: Option<String>,
    to: Option<String>,
    /// The page after this cursor (`next` of the previous page).
    after: Option<String>,
    /// Lines per page, 1 to 1000 (default 100).
    limit: Option<u32>,
}

/// The Zs added up by period, each line with the perpetual grand total, oldest period first,
/// a page at a time.
#[utoipa::path(get, path = "/api/v1/closing-summaries", tag = "registers", params(SummaryQuery),
    responses((status = 200, body = SummaryLinePage), (status = 400, body = Problem), (status = 422, body = Problem)))]
pub async fn summary(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiQuery(q): ApiQuery<SummaryQuery>,
) -> ApiResult<SummaryLinePage> {
    let lines =
        closing::summary(&state, &ctx, &q.period, q.from.as_deref(), q.to.as_deref()).await?;
    let page = PageQuery {
        after: q.after,
        limit: q.limit,
    };
    // A line's first day is written by the summary itself, always a valid date.
    paged(
        lines,
        |l| l.first_day.parse::<jiff::civil::Date>().unwrap_or_default(),
        &page,
    )
}
