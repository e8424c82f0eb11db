//! What every API handler shares: the JSON body extractor whose rejection is a problem
//! document, ids from the path, the result type and the archive switch.

use crate::error::{ApiError, AppError, problem_response};
use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::request::Parts;
use axum::response::Response;
use serde::Deserialize;
use utoipa::ToSchema;

/// A JSON body whose rejection is a problem document too.
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    Json<T>: FromRequest<S, Rejection = JsonRejection>,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => Err(problem_response(
                rejection.status(),
                "invalid_body",
                Some(format!(
                    "The request body is not the expected JSON: {}",
                    rejection.body_text()
                )),
                vec![],
            )),
        }
    }
}

/// A query string whose rejection (`?limit=abc`, a missing `from`) is a problem document
/// with the code `invalid_query`, like every other error of the API.
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    Query<T>: FromRequestParts<S, Rejection = QueryRejection>,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(v)) => Ok(ApiQuery(v)),
            Err(rejection) => Err(problem_response(
                axum::http::StatusCode::BAD_REQUEST,
                "invalid_query",
                Some(format!(
                    "The query string is not the expected one: {}",
                    rejection.body_text()
                )),
                vec![],
            )),
        }
    }
}

/// An id from the path; anything that is not one is simply not found.
pub fn id<T: std::str::FromStr>(raw: &str) -> Result<T, ApiError> {
    raw.parse().map_err(|_| ApiError(AppError::NotFound))
}

pub type ApiResult<T> = Result<Json<T>, ApiError>;

/// Which page of a list: the query string every paged list takes.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// The page after this cursor (`next` of the previous page).
    #[serde(default)]
    pub after: Option<String>,
    /// Rows per page, 1 to 1000 (default 100).
    #[serde(default)]
    pub limit: Option<u32>,
}

/// The page `q` asks for of a list read whole, ordered by `key`
/// ([`guichet_app::paging::by_key`]), as the list's page schema.
pub fn paged<T, K, P>(rows: Vec<T>, key: impl Fn(&T) -> K, q: &PageQuery) -> ApiResult<P>
where
    K: Ord + std::str::FromStr + std::fmt::Display,
    P: From<guichet_app::paging::Page<T>>,
{
    Ok(Json(
        guichet_app::paging::by_key(rows, key, q.after.as_deref(), q.limit)?.into(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct ArchiveInput {
    /// `true` to archive, `false` to restore.
    pub archived: bool,
}

/// The page of a list as the API answers it, one named schema per kind of row:
/// `{"items": […], "next": "…" | null}`. `next` is the cursor of the following page, to pass
/// as `after`; `null` on the last page.
macro_rules! page_schema {
    ($name:ident, $row:ty) => {
        #[derive(serde::Serialize, utoipa::ToSchema)]
        pub struct $name {
            items: Vec<$row>,
            /// The cursor of the next page (pass it as `after`); `null` on the last page.
            next: Option<String>,
        }

        impl From<guichet_app::paging::Page<$row>> for $name {
            fn from(page: guichet_app::paging::Page<$row>) -> Self {
                $name {
                    items: page.items,
                    next: page.next,
                }
            }
        }
    };
}
pub(crate) use page_schema;
