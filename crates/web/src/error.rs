//! Errors of use cases, and how they are shown: `application/problem+json` with a stable
//! `code` for the API, an HTML page for the back office. Internal errors are logged with
//! an error id that the page and the problem body show, and never leak details.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use guichet_domain::FieldError;
use serde::Serialize;

pub use guichet_app::AppError;

/// The one place an error's code becomes an HTTP status.
pub fn status(e: &AppError) -> StatusCode {
    match e {
        AppError::Unauthorized => StatusCode::UNAUTHORIZED,
        AppError::Forbidden => StatusCode::FORBIDDEN,
        AppError::NotFound => StatusCode::NOT_FOUND,
        AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::Conflict(_) => StatusCode::CONFLICT,
        AppError::TooManyAttempts => StatusCode::TOO_MANY_REQUESTS,
        AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// Logs an internal error and returns the id to show to the user.
pub fn log_internal(e: &AppError) -> Option<String> {
    if let AppError::Internal(detail) = e {
        let id = uuid::Uuid::now_v7().simple().to_string();
        tracing::error!(error_id = %id, detail = %detail, "internal error");
        Some(id)
    } else {
        None
    }
}

/// An API problem (RFC 9457).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// Stable machine-readable code.
    pub code: String,
    /// Short human summary.
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// For `validation_failed`: every field in error with its code.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// An error answered as `application/problem+json`.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

pub fn problem_response(
    status: StatusCode,
    code: &str,
    detail: Option<String>,
    errors: Vec<FieldError>,
) -> Response {
    let body = Problem {
        code: code.to_owned(),
        title: status.canonical_reason().unwrap_or("Error").to_owned(),
        status: status.as_u16(),
        detail,
        errors,
    };
    let json = serde_json::to_vec(&body).unwrap_or_default();
    (
        status,
        [(header::CONTENT_TYPE, "application/problem+json")],
        json,
    )
        .into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let error_id = log_internal(&self.0);
        let status = status(&self.0);
        let code = self.0.code();
        let (detail, errors) = match self.0 {
            AppError::Invalid(e) => (Some("Some fields are invalid.".to_owned()), e.0),
            AppError::Internal(_) => (
                error_id.map(|id| format!("Internal error; reference {id}.")),
                vec![],
            ),
            AppError::Unauthorized => (
                Some("Sign in or send a valid API key as `Authorization: Bearer …`.".to_owned()),
                vec![],
            ),
            AppError::Forbidden => (Some("Your role does not allow this.".to_owned()), vec![]),
            _ => (None, vec![]),
        };
        problem_response(status, code, detail, errors)
    }
}

/// An error answered as an HTML page (the back office), in the user's language; the
/// page is drawn by [`crate::view`].
#[derive(Debug)]
pub struct PageError(pub AppError, pub guichet_domain::org::Language);

/// CSRF layer rejections. Only a cross-site page (an attack, or a misconfigured proxy)
/// gets this, so one problem body serves pages and API alike.
pub fn csrf_rejection(_error: tower_http::csrf::ProtectionError) -> Response {
    problem_response(
        StatusCode::FORBIDDEN,
        "cross_origin_request",
        Some("Cross-origin requests that change data are refused.".to_owned()),
        vec![],
    )
}
