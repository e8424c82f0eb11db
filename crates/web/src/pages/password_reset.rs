//! "Forgotten password": ask for a link by e-mail, then choose a new password from it.

use crate::auth::{self, language_of};
use crate::error::{AppError, PageError};
use crate::state::AppState;
use crate::view::{Tr, render_status};
use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum_extra::extract::cookie::CookieJar;
use guichet_app::password_reset::ResetInput;
use guichet_domain::FieldErrors;
use serde::Deserialize;

/// The routes of these pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/forgot-password", get(forgot_page).post(forgot))
        .route("/reset-password/{token}", get(reset_page).post(reset))
}

#[derive(Template)]
#[template(path = "forgot_password.html")]
struct ForgotPage {
    tr: Tr,
    email: String,
    errors: FieldErrors,
    sent: bool,
}

fn forgot_view(tr: Tr, email: String, errors: FieldErrors, sent: bool) -> Response {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render_status(
        status,
        &ForgotPage {
            tr,
            email,
            errors,
            sent,
        },
    )
}

pub async fn forgot_page(headers: HeaderMap) -> Response {
    forgot_view(
        Tr(language_of(&headers)),
        String::new(),
        FieldErrors::new(),
        false,
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ForgotForm {
    email: String,
}

/// Always the same page afterwards, whether the address has an account or not.
pub async fn forgot(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<ForgotForm>,
) -> Result<Response, PageError> {
    let tr = Tr(language_of(&headers));
    match guichet_app::password_reset::request(&state, &form.email).await {
        Ok(()) => Ok(forgot_view(tr, String::new(), FieldErrors::new(), true)),
        Err(AppError::Invalid(errors)) => Ok(forgot_view(tr, form.email, errors, false)),
        Err(e) => Err(PageError(e, tr.0)),
    }
}

#[derive(Template)]
#[template(path = "reset_password.html")]
struct ResetPage {
    tr: Tr,
    errors: FieldErrors,
}

pub async fn reset_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let tr = Tr(language_of(&headers));
    guichet_app::password_reset::check(&state, &token)
        .await
        .map_err(|e| PageError(e, tr.0))?;
    Ok(render_status(
        StatusCode::OK,
        &ResetPage {
            tr,
            errors: FieldErrors::new(),
        },
    ))
}

pub async fn reset(
    State(state): State<AppState>,
    headers: HeaderMap,
    jar: CookieJar,
    Path(token): Path<String>,
    Form(form): Form<ResetInput>,
) -> Result<Response, PageError> {
    let tr = Tr(language_of(&headers));
    match guichet_app::password_reset::reset(&state, &token, &form).await {
        Ok(session) => {
            let jar = jar.add(auth::session_cookie(session, state.web.cookie_secure));
            Ok((jar, Redirect::to("/")).into_response())
        }
        Err(AppError::Invalid(errors)) => Ok(render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &ResetPage { tr, errors },
        )),
        Err(e) => Err(PageError(e, tr.0)),
    }
}
