//! What every API handler shares: the JSON body extractor whose rejection is a problem
//! document, ids from the path, the result type and the archive switch.

use crate::error::{ApiError, AppError, problem_response};
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
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

/// An id from the path; anything that is not one is simply not found.
pub fn id<T: std::str::FromStr>(raw: &str) -> Result<T, ApiError> {
    raw.parse().map_err(|_| ApiError(AppError::NotFound))
}

pub type ApiResult<T> = Result<Json<T>, ApiError>;

#[derive(Deserialize, ToSchema)]
pub struct ArchiveInput {
    /// `true` to archive, `false` to restore.
    pub archived: bool,
}
