//! Who is asking: a signed-in user (session cookie) or an integration (bearer API key),
//! acting in one organization with one role. Permissions are checked with
//! [`Ctx::require`] against the matrix in `guichet_domain::role`.

use crate::error::{ApiError, AppError};
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use guichet_app::Actor;
use guichet_app::users::MembershipSummary;
use guichet_domain::org::Language;

pub const SESSION_COOKIE: &str = "guichet_session";
pub const LANGUAGE_COOKIE: &str = "guichet_lang";
/// A random token naming the browser, set at sign-in: the right password from a device the
/// account already used is never slowed down by others' failures.
pub const DEVICE_COOKIE: &str = "guichet_device";

/// The caller of a request that acts inside an organization: the [`Actor`] the use cases
/// take (`&ctx` derefs to it), and what the pages show of the session.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub actor: Actor,
    pub memberships: Vec<MembershipSummary>,
    pub session_token: Option<String>,
}

impl std::ops::Deref for Ctx {
    type Target = Actor;

    fn deref(&self) -> &Actor {
        &self.actor
    }
}

impl Ctx {
    pub fn organization_name(&self) -> String {
        self.memberships
            .iter()
            .find(|m| m.organization_id == self.tenant.id())
            .map(|m| m.organization_name.clone())
            .unwrap_or_default()
    }

    pub fn signed_in(s: guichet_app::sessions::SignedIn) -> Option<Ctx> {
        let actor = s.actor()?;
        Some(Ctx {
            actor,
            memberships: s.memberships,
            session_token: Some(s.token),
        })
    }
}

/// A signed-in person, whether or not they can act in an organization right now (the page
/// extractor around the use cases' session).
#[derive(Debug, Clone)]
pub struct SignedIn(pub guichet_app::sessions::SignedIn);

impl std::ops::Deref for SignedIn {
    type Target = guichet_app::sessions::SignedIn;

    fn deref(&self) -> &guichet_app::sessions::SignedIn {
        &self.0
    }
}

fn session_token(jar: &CookieJar) -> Option<String> {
    jar.get(SESSION_COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|v| !v.is_empty())
}

/// Loads the session behind the cookie, if any and still live.
async fn load_signed_in(
    state: &AppState,
    jar: &CookieJar,
) -> Result<Option<guichet_app::sessions::SignedIn>, AppError> {
    match session_token(jar) {
        Some(token) => guichet_app::sessions::signed_in(state, &token).await,
        None => Ok(None),
    }
}

/// The signed-in person acting in an organization behind a request's cookie, if any: for the
/// pages that answer everyone (the 404 page shows the menu to those signed in).
pub async fn ctx_of(state: &AppState, headers: &HeaderMap) -> Option<Ctx> {
    let jar = CookieJar::from_headers(headers);
    let signed_in = load_signed_in(state, &jar).await.ok().flatten()?;
    Ctx::signed_in(signed_in)
}

/// The language for a page: the user's, else the language cookie, else the browser's.
pub fn request_language(parts: &Parts) -> Language {
    language_of(&parts.headers)
}

/// Page extractor for a signed-in person (any organization state).
impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        match load_signed_in(state, &jar).await {
            Ok(Some(s)) => Ok(SignedIn(s)),
            Ok(None) => Err(redirect_to_login(parts)),
            Err(e) => Err(crate::error::PageError(e, request_language(parts)).into_response()),
        }
    }
}

fn redirect_to_login(parts: &Parts) -> Response {
    let next = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let target = if next == "/" {
        "/login".to_owned()
    } else {
        format!("/login?next={}", urlencode(next))
    };
    Redirect::to(&target).into_response()
}

pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Page extractor: a signed-in person acting in an organization.
pub struct PageCtx(pub Ctx);

impl FromRequestParts<AppState> for PageCtx {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let s = SignedIn::from_request_parts(parts, state).await?;
        match Ctx::signed_in(s.0) {
            Some(ctx) => Ok(PageCtx(ctx)),
            None => Err(Redirect::to("/no-organization").into_response()),
        }
    }
}

/// API extractor: a bearer API key, or else a session cookie.
pub struct ApiCtx(pub Ctx);

impl FromRequestParts<AppState> for ApiCtx {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
            let secret = value
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer "))
                .map(|s| s.trim().to_owned())
                .ok_or(AppError::Unauthorized)?;
            let actor = guichet_app::sessions::key_actor(state, &secret).await?;
            return Ok(ApiCtx(Ctx {
                actor,
                memberships: Vec::new(),
                session_token: None,
            }));
        }
        let jar = CookieJar::from_headers(&parts.headers);
        let s = load_signed_in(state, &jar)
            .await?
            .ok_or(AppError::Unauthorized)?;
        Ok(ApiCtx(Ctx::signed_in(s).ok_or(AppError::Forbidden)?))
    }
}

/// The session cookie: HttpOnly, SameSite=Lax (with the CSRF layer on top), Secure when
/// served over HTTPS, lasting as long as the session's absolute lifetime.
pub fn session_cookie(token: String, secure: bool) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, token))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .path("/")
        .max_age(time_duration(
            guichet_app::sessions::ABSOLUTE_LIFETIME_MICROS / 1_000_000,
        ))
        .build()
}

pub fn expired_session_cookie(secure: bool) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, ""))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .path("/")
        .max_age(time_duration(0))
        .build()
}

/// The known-device cookie: HttpOnly, kept a year (the server forgets a device unused that
/// long).
pub fn device_cookie(token: String, secure: bool) -> Cookie<'static> {
    Cookie::build((DEVICE_COOKIE, token))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .path("/")
        .max_age(time_duration(
            guichet_app::sessions::DEVICE_LIFETIME_MICROS / 1_000_000,
        ))
        .build()
}

pub fn language_cookie(lang: Language, secure: bool) -> Cookie<'static> {
    Cookie::build((LANGUAGE_COOKIE, lang.as_str()))
        .same_site(SameSite::Lax)
        .secure(secure)
        .path("/")
        .max_age(time_duration(365 * 24 * 3600))
        .build()
}

fn time_duration(secs: i64) -> cookie::time::Duration {
    cookie::time::Duration::seconds(secs)
}

/// The language of an anonymous request: the language cookie, else `Accept-Language` (its
/// first language if Guichet has it, else French).
pub fn language_of(headers: &HeaderMap) -> Language {
    let from_cookie = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == LANGUAGE_COOKIE)
        .and_then(|(_, v)| Language::parse(v).ok());
    if let Some(l) = from_cookie {
        return l;
    }
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    match accept.trim().get(..2).map(|s| s.to_ascii_lowercase()) {
        Some(s) if s == "en" => Language::En,
        Some(s) if s == "nl" => Language::Nl,
        _ => Language::Fr,
    }
}
