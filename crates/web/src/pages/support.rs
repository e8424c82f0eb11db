//! What the pages share: the flash after a successful form, errors shown on the form or as
//! a page, ids from the URL, redirects and spreadsheet downloads.

use crate::auth::Ctx;
use crate::error::{AppError, PageError};
use axum::response::{IntoResponse, Redirect, Response};
use guichet_domain::FieldErrors;
use serde::Deserialize;

/// `?done=key` after a successful form shows the `flash-key` message.
#[derive(Debug, Default, Deserialize)]
pub struct Flash {
    pub done: Option<String>,
}

impl Flash {
    pub fn key(&self) -> Option<&str> {
        self.done.as_deref()
    }
}

/// Turns an error into a page error in the caller's language.
pub trait OrPage<T> {
    fn or_page(self, ctx: &Ctx) -> Result<T, PageError>;
}

impl<T> OrPage<T> for Result<T, AppError> {
    fn or_page(self, ctx: &Ctx) -> Result<T, PageError> {
        self.map_err(|e| PageError(e, ctx.lang))
    }
}

/// Errors a form shows next to its fields (a refused rule goes in the form's banner);
/// anything else becomes an error page.
pub fn form_errors(e: AppError, ctx: &Ctx) -> Result<FieldErrors, PageError> {
    match e {
        AppError::Invalid(errors) => Ok(errors),
        AppError::Conflict(code) => {
            let mut errors = FieldErrors::new();
            errors.add("_form", code);
            Ok(errors)
        }
        other => Err(PageError(other, ctx.lang)),
    }
}

/// After a successful post: back to `to`, with a confirmation.
pub fn done(to: &str, key: &str) -> Response {
    Redirect::to(&format!("{to}?done={key}")).into_response()
}

/// An id from the URL; anything that is not one is simply not found.
pub fn parse_id<T: std::str::FromStr>(raw: &str, ctx: &Ctx) -> Result<T, PageError> {
    raw.parse()
        .map_err(|_| PageError(AppError::NotFound, ctx.lang))
}

/// The archive switch of a list or form (`archived=false` restores).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ArchiveForm {
    archived: String,
}

impl ArchiveForm {
    pub fn archived(&self) -> bool {
        self.archived != "false"
    }
}
