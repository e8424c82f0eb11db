//! Signing in and out, the language of anonymous pages, invitations, switching
//! organization, and one's own profile and password.

use super::support::{Flash, form_errors};
use crate::auth::language_of;
use crate::auth::{self, Ctx, SignedIn};
use crate::client_address::client_address;
use crate::error::{AppError, PageError};
use crate::state::AppState;
use crate::view::{Nav, Tr, render, render_status};
use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::cookie::CookieJar;
use guichet_app::sessions::{
    AcceptInvitationInput, LoginAttempt, LoginOutcome, PasswordChangeInput, ProfileInput,
};
use guichet_domain::org::Language;
use guichet_domain::{FieldErrors, OrganizationId, Role};
use serde::Deserialize;
use std::net::SocketAddr;

/// The routes of these pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/language", post(set_language))
        .route(
            "/invitation/{token}",
            get(invitation_page).post(accept_invitation),
        )
        .route("/no-organization", get(no_organization))
        .route("/switch-organization", post(switch_organization))
        .route("/me", get(profile).post(update_profile))
        .route("/me/password", post(change_password))
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    tr: Tr,
    message: Option<String>,
    email: String,
    next: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
}

/// Only paths inside Guichet are followed after sign-in (no open redirect).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => "/".to_owned(),
    }
}

pub async fn login_page(headers: HeaderMap, Query(q): Query<LoginQuery>) -> Response {
    render(&LoginPage {
        tr: Tr(language_of(&headers)),
        message: None,
        email: String::new(),
        next: safe_next(q.next.as_deref()),
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginForm {
    email: String,
    password: String,
    next: String,
}

pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    jar: CookieJar,
    Form(form): Form<LoginForm>,
) -> Result<Response, PageError> {
    let lang = language_of(&headers);
    let address = client_address(peer.ip(), &headers, &state.web.trusted_proxies).to_string();
    let attempt = LoginAttempt {
        email: &form.email,
        password: &form.password,
        address: &address,
        device: jar.get(auth::DEVICE_COOKIE).map(|c| c.value()),
    };
    let outcome = guichet_app::sessions::login(&state, attempt)
        .await
        .map_err(|e| PageError(e, lang))?;
    let tr = Tr(lang);
    let (status, message, retry_after) = match outcome {
        LoginOutcome::Success { session, device } => {
            // Any session cookie from before is replaced by the new one (no fixation).
            let secure = state.web.cookie_secure;
            let jar = jar
                .add(auth::session_cookie(session, secure))
                .add(auth::device_cookie(device, secure));
            return Ok((jar, Redirect::to(&safe_next(Some(&form.next)))).into_response());
        }
        LoginOutcome::Refused => (StatusCode::UNAUTHORIZED, tr.t("login-refused"), None),
        LoginOutcome::Throttled { retry_after_secs } => (
            StatusCode::TOO_MANY_REQUESTS,
            tr.t1("login-throttled", "seconds", retry_after_secs),
            Some(retry_after_secs),
        ),
    };
    let mut response = render_status(
        status,
        &LoginPage {
            tr,
            message: Some(message),
            email: form.email,
            next: safe_next(Some(&form.next)),
        },
    );
    if let Some(secs) = retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    Ok(response)
}

pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    jar: CookieJar,
) -> Result<Response, PageError> {
    if let Some(token) = jar.get(auth::SESSION_COOKIE).map(|c| c.value().to_owned()) {
        guichet_app::sessions::logout(&state, &token)
            .await
            .map_err(|e| PageError(e, language_of(&headers)))?;
    }
    let jar = jar.add(auth::expired_session_cookie(state.web.cookie_secure));
    Ok((jar, Redirect::to("/login")).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LanguageForm {
    language: String,
    next: String,
}

/// Chooses the language of pages shown before sign-in.
pub async fn set_language(
    State(state): State<AppState>,
    jar: CookieJar,
    Form(form): Form<LanguageForm>,
) -> Response {
    let lang = Language::parse(&form.language).unwrap_or_default();
    let jar = jar.add(auth::language_cookie(lang, state.web.cookie_secure));
    (jar, Redirect::to(&safe_next(Some(&form.next)))).into_response()
}

#[derive(Template)]
#[template(path = "no_organization.html")]
struct NoOrganization {
    tr: Tr,
}

pub async fn no_organization(who: SignedIn) -> Response {
    if who.organization.is_some() {
        return Redirect::to("/").into_response();
    }
    render_status(
        StatusCode::FORBIDDEN,
        &NoOrganization {
            tr: Tr(who.user.language),
        },
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SwitchForm {
    organization_id: String,
}

pub async fn switch_organization(
    State(state): State<AppState>,
    who: SignedIn,
    Form(form): Form<SwitchForm>,
) -> Result<Response, PageError> {
    let lang = who.user.language;
    let org: OrganizationId = form
        .organization_id
        .parse()
        .map_err(|_| PageError(AppError::Forbidden, lang))?;
    guichet_app::sessions::switch_organization(&state, &who, org)
        .await
        .map_err(|e| PageError(e, lang))?;
    Ok(Redirect::to("/").into_response())
}

#[derive(Template)]
#[template(path = "invitation.html")]
struct InvitationPage {
    tr: Tr,
    organization: String,
    email: String,
    role: Role,
    form: AcceptInvitationInput,
    errors: FieldErrors,
}

async fn show_invitation(
    state: &AppState,
    lang: Language,
    token: &str,
    form: AcceptInvitationInput,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let inv = guichet_app::sessions::invitation(state, token)
        .await
        .map_err(|e| PageError(e, lang))?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render_status(
        status,
        &InvitationPage {
            tr: Tr(lang),
            organization: inv.organization_name,
            email: inv.email.as_str().to_owned(),
            role: inv.role,
            form,
            errors,
        },
    ))
}

pub async fn invitation_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let lang = language_of(&headers);
    let form = AcceptInvitationInput {
        language: lang.as_str().to_owned(),
        ..Default::default()
    };
    show_invitation(&state, lang, &token, form, FieldErrors::new()).await
}

pub async fn accept_invitation(
    State(state): State<AppState>,
    headers: HeaderMap,
    jar: CookieJar,
    Path(token): Path<String>,
    Form(form): Form<AcceptInvitationInput>,
) -> Result<Response, PageError> {
    let lang = language_of(&headers);
    match guichet_app::sessions::accept_invitation(&state, &token, &form).await {
        Ok(session) => {
            let jar = jar.add(auth::session_cookie(session, state.web.cookie_secure));
            Ok((jar, Redirect::to("/")).into_response())
        }
        Err(AppError::Invalid(errors)) => show_invitation(&state, lang, &token, form, errors).await,
        Err(e) => Err(PageError(e, lang)),
    }
}

#[derive(Template)]
#[template(path = "profile.html")]
struct ProfilePage {
    tr: Tr,
    nav: Nav,
    email: String,
    profile: ProfileInput,
    profile_errors: FieldErrors,
    password_errors: FieldErrors,
}

/// The profile page works for anyone signed in, with or without a current organization.
fn ctx_of(who: &SignedIn) -> Option<Ctx> {
    Ctx::signed_in(who.0.clone())
}

fn profile_page(
    who: &SignedIn,
    flash: Option<&str>,
    profile: ProfileInput,
    pe: FieldErrors,
    we: FieldErrors,
) -> Response {
    let Some(ctx) = ctx_of(who) else {
        return Redirect::to("/no-organization").into_response();
    };
    let status = if pe.is_empty() && we.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render_status(
        status,
        &ProfilePage {
            tr: Tr(ctx.lang),
            nav: Nav::new(&ctx, "/me", flash),
            email: who.user.email.clone(),
            profile,
            profile_errors: pe,
            password_errors: we,
        },
    )
}

pub async fn profile(who: SignedIn, Query(flash): Query<Flash>) -> Response {
    let profile = ProfileInput {
        name: who.user.name.clone(),
        language: who.user.language.as_str().to_owned(),
    };
    profile_page(
        &who,
        flash.key(),
        profile,
        FieldErrors::new(),
        FieldErrors::new(),
    )
}

pub async fn update_profile(
    State(state): State<AppState>,
    who: SignedIn,
    Form(form): Form<ProfileInput>,
) -> Result<Response, PageError> {
    match guichet_app::sessions::update_profile(&state, who.user.id, &form).await {
        Ok(_) => Ok(super::support::done("/me", "profile-saved")),
        Err(AppError::Invalid(errors)) => {
            Ok(profile_page(&who, None, form, errors, FieldErrors::new()))
        }
        Err(e) => Err(PageError(e, who.user.language)),
    }
}

pub async fn change_password(
    State(state): State<AppState>,
    who: SignedIn,
    Form(form): Form<PasswordChangeInput>,
) -> Result<Response, PageError> {
    match guichet_app::sessions::change_password(&state, &who, &form).await {
        Ok(()) => Ok(super::support::done("/me", "password-changed")),
        Err(e) => {
            let ctx = ctx_of(&who);
            let errors = match &ctx {
                Some(ctx) => form_errors(e, ctx)?,
                None => return Err(PageError(e, who.user.language)),
            };
            let profile = ProfileInput {
                name: who.user.name.clone(),
                language: who.user.language.as_str().to_owned(),
            };
            Ok(profile_page(
                &who,
                None,
                profile,
                FieldErrors::new(),
                errors,
            ))
        }
    }
}
