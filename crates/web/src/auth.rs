//! Who is asking: a signed-in user (session cookie) or an integration (bearer API key),
//! acting in one organization with one role. Permissions are checked with
//! [`Ctx::require`] against the matrix in `guichet_domain::role`.

use crate::AppState;
use crate::error::{ApiError, AppError};
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use guichet_domain::org::Language;
use guichet_domain::{ApiKeyId, Permission, Role};
use guichet_store::users::{MembershipSummary, User};
use guichet_store::{Tenant, api_keys, sessions, users};

pub const SESSION_COOKIE: &str = "guichet_session";
pub const LANGUAGE_COOKIE: &str = "guichet_lang";

/// The caller of a request that acts inside an organization.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// The person; `None` when an API key calls.
    pub user: Option<User>,
    pub tenant: Tenant,
    pub role: Role,
    pub memberships: Vec<MembershipSummary>,
    pub session_token: Option<String>,
    pub api_key: Option<ApiKeyId>,
    pub lang: Language,
}

impl Ctx {
    pub fn require(&self, permission: Permission) -> Result<(), AppError> {
        if self.role.allows(permission) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    pub fn can(&self, permission: Permission) -> bool {
        self.role.allows(permission)
    }

    pub fn user_id(&self) -> Option<guichet_domain::UserId> {
        self.user.as_ref().map(|u| u.id)
    }

    pub fn organization_name(&self) -> String {
        self.memberships
            .iter()
            .find(|m| m.organization_id == self.tenant.id())
            .map(|m| m.organization_name.clone())
            .unwrap_or_default()
    }
}

/// A signed-in person, whether or not they can act in an organization right now.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub user: User,
    pub token: String,
    pub memberships: Vec<MembershipSummary>,
    pub organization: Option<(Tenant, Role)>,
}

fn session_token(jar: &CookieJar) -> Option<String> {
    jar.get(SESSION_COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|v| !v.is_empty())
}

/// Loads the session behind the cookie, if any and still live.
async fn load_signed_in(state: &AppState, jar: &CookieJar) -> Result<Option<SignedIn>, AppError> {
    let Some(token) = session_token(jar) else {
        return Ok(None);
    };
    let idle = i64::try_from(state.config.session_idle_timeout.as_micros()).unwrap_or(i64::MAX);
    let t = token.clone();
    let found = state
        .store
        .read(|tx| {
            Box::pin(async move {
                let Some(session) = sessions::find(tx, &t, idle).await? else {
                    return Ok(None);
                };
                let user = users::get_user(tx, session.user).await?;
                let memberships = users::memberships_of(tx, session.user).await?;
                let current = match session.organization {
                    Some(org) => users::membership(tx, session.user, org).await?,
                    None => None,
                };
                Ok(Some((session, user, memberships, current)))
            })
        })
        .await?;
    let Some((session, user, memberships, mut current)) = found else {
        return Ok(None);
    };
    // The current organization may be gone (disabled there): fall back to another one.
    if current.is_none()
        && let Some(first) = memberships.first()
    {
        let (t, org) = (token.clone(), first.organization_id);
        let user_id = user.id;
        current = state
            .store
            .write(|tx| {
                let t = t.clone();
                Box::pin(async move {
                    let m = users::membership(tx, user_id, org).await?;
                    if let Some((tenant, _)) = m {
                        sessions::switch_organization(tx, &t, tenant).await?;
                    }
                    Ok(m)
                })
            })
            .await?;
    }
    // Sliding idle timeout, written at most once a minute per session.
    if guichet_store::now_micros() - session.last_seen_at > 60_000_000 {
        let t = token.clone();
        state
            .store
            .write(|tx| {
                let t = t.clone();
                Box::pin(async move { sessions::touch(tx, &t).await })
            })
            .await?;
    }
    Ok(Some(SignedIn {
        user,
        token,
        memberships,
        organization: current,
    }))
}

/// The language for a page: the user's, else the language cookie, else the browser's.
pub fn request_language(parts: &Parts) -> Language {
    crate::view::language_of(&parts.headers)
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
            Ok(Some(s)) => Ok(s),
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
        match s.organization {
            Some((tenant, role)) => Ok(PageCtx(Ctx {
                lang: s.user.language,
                user: Some(s.user),
                tenant,
                role,
                memberships: s.memberships,
                session_token: Some(s.token),
                api_key: None,
            })),
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
            let s = secret.clone();
            let found = state
                .store
                .read(|tx| Box::pin(async move { api_keys::authenticate(tx, &s).await }))
                .await?;
            let (tenant, role, key) = found.ok_or(AppError::Unauthorized)?;
            state
                .store
                .write(|tx| Box::pin(async move { api_keys::touch(tx, key).await }))
                .await?;
            return Ok(ApiCtx(Ctx {
                user: None,
                tenant,
                role,
                memberships: Vec::new(),
                session_token: None,
                api_key: Some(key),
                lang: Language::En,
            }));
        }
        let jar = CookieJar::from_headers(&parts.headers);
        let s = load_signed_in(state, &jar)
            .await?
            .ok_or(AppError::Unauthorized)?;
        let (tenant, role) = s.organization.ok_or(AppError::Forbidden)?;
        Ok(ApiCtx(Ctx {
            lang: s.user.language,
            user: Some(s.user),
            tenant,
            role,
            memberships: s.memberships,
            session_token: Some(s.token),
            api_key: None,
        }))
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
            sessions::ABSOLUTE_LIFETIME_MICROS / 1_000_000,
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
