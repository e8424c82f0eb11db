//! Sign-in, sign-out, the current organization, one's profile and password, accepting an invitation.

use crate::App;
use crate::AppError;
use crate::password;
use crate::users::parse_back_office_language;
use guichet_domain::org::{Email, NewPassword, parse_person_name};
use guichet_domain::signin::Failures;
use guichet_domain::validation::FieldErrors;
use guichet_domain::{OrganizationId, Role, UserId};
use guichet_store::users::{self};
use guichet_store::{StoreError, Tenant, sessions, signin, throttle};
use serde::Deserialize;

pub enum LoginOutcome {
    /// Signed in: the new session token, and the device token to keep in the browser.
    Success {
        session: String,
        device: String,
    },
    Refused,
    /// Too many recent failures for this account or this address: try again in this many
    /// seconds (the password was not even checked).
    Throttled {
        retry_after_secs: i64,
    },
}

/// One sign-in attempt as a channel receives it.
#[derive(Debug, Clone, Copy)]
pub struct LoginAttempt<'a> {
    pub email: &'a str,
    pub password: &'a str,
    /// The client's address (the channel decides which proxies to believe).
    pub address: &'a str,
    /// The device token the browser holds from an earlier sign-in, if any.
    pub device: Option<&'a str>,
}

/// A device token is one this server made: 64 hexadecimal digits. Anything else is ignored
/// and a new one is made at the next successful sign-in.
fn valid_device(token: Option<&str>) -> Option<&str> {
    token.filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Checks the password and opens a new session. The answer is the same for an unknown
/// e-mail and a wrong password, and takes the same time. Recent failures of the account or
/// of the address make the next attempt wait (doubling, capped: never a lock-out). A device
/// the account already signed in from is judged by its own failures only: what others try
/// never makes it wait, and a stolen device cookie does not guess faster than anyone.
pub async fn login(state: &App, attempt: LoginAttempt<'_>) -> Result<LoginOutcome, AppError> {
    let backoff = state.config.login_limits;
    let parsed = Email::parse(attempt.email).ok();
    let device = valid_device(attempt.device).map(str::to_owned);
    let (e, a) = (attempt.email.to_owned(), attempt.address.to_owned());
    let now = guichet_store::now_micros();
    let (account, address) = state
        .store
        .read(|tx| {
            let (e, a, parsed, device) = (e.clone(), a.clone(), parsed.clone(), device.clone());
            Box::pin(async move {
                let since = now - backoff.window_micros;
                let known = match (&parsed, &device) {
                    (Some(email), Some(d)) => signin::is_known_device(tx, email, d).await?,
                    _ => false,
                };
                match (&device, known) {
                    (Some(d), true) => {
                        let own = throttle::device_failures(tx, d, since).await?;
                        Ok((own, Failures::default()))
                    }
                    _ => throttle::failures(tx, &e, &a, since).await,
                }
            })
        })
        .await?;
    let wait = backoff.wait_micros(account, address, now);
    if wait > 0 {
        return Ok(LoginOutcome::Throttled {
            retry_after_secs: guichet_domain::signin::wait_seconds(wait),
        });
    }
    let found = match &parsed {
        Some(parsed) => {
            state
                .store
                .read(|tx| {
                    let parsed = parsed.clone();
                    Box::pin(async move { users::find_for_login(tx, &parsed).await })
                })
                .await?
        }
        None => None,
    };
    let (user, hash) = match found {
        Some((u, h)) => (Some(u), h),
        None => (None, None),
    };
    let ok = password::verify(attempt.password.to_owned(), hash).await?;
    match (ok, user) {
        (true, Some(user)) => {
            let device = device.unwrap_or_else(guichet_store::new_token);
            let session = state
                .store
                .write(|tx| {
                    let (e, device) = (e.clone(), device.clone());
                    Box::pin(async move {
                        throttle::clear(tx, &e, Some(&device)).await?;
                        signin::remember_device(tx, user.id, &device).await?;
                        let first = users::memberships_of(tx, user.id)
                            .await?
                            .first()
                            .map(|m| m.organization_id);
                        sessions::start(tx, user.id, first).await
                    })
                })
                .await?;
            Ok(LoginOutcome::Success { session, device })
        }
        _ => {
            state
                .store
                .write(|tx| {
                    let (e, a, d) = (e.clone(), a.clone(), device.clone());
                    Box::pin(
                        async move { throttle::record_failure(tx, &e, &a, d.as_deref()).await },
                    )
                })
                .await?;
            Ok(LoginOutcome::Refused)
        }
    }
}

pub async fn logout(state: &App, token: &str) -> Result<(), AppError> {
    let t = token.to_owned();
    Ok(state
        .store
        .write(|tx| {
            let t = t.clone();
            Box::pin(async move { sessions::end(tx, &t).await })
        })
        .await?)
}

pub async fn switch_organization(
    state: &App,
    who: &SignedIn,
    org: OrganizationId,
) -> Result<(), AppError> {
    let (user, token) = (who.user.id, who.token.clone());
    state
        .store
        .write(|tx| {
            let token = token.clone();
            Box::pin(async move {
                let (tenant, _) = users::membership(tx, user, org)
                    .await?
                    .ok_or(StoreError::NotFound)?;
                sessions::switch_organization(tx, &token, tenant).await
            })
        })
        .await
        .map_err(|e| match e {
            StoreError::NotFound => AppError::Forbidden,
            other => other.into(),
        })
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ProfileInput {
    pub name: String,
    /// `fr` or `en`.
    pub language: String,
}

pub async fn update_profile(
    state: &App,
    user: UserId,
    input: &ProfileInput,
) -> Result<guichet_store::users::User, AppError> {
    let mut e = FieldErrors::new();
    let name = e.check("name", parse_person_name(&input.name));
    let language = parse_back_office_language(&mut e, &input.language);
    e.into_result()?;
    let (Some(name), Some(language)) = (name, language) else {
        return Err(AppError::Internal("validated input missing".into()));
    };
    Ok(state
        .store
        .write(|tx| {
            let name = name.clone();
            Box::pin(async move { users::update_profile(tx, user, &name, language).await })
        })
        .await?)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct PasswordChangeInput {
    pub current_password: String,
    pub new_password: String,
    pub confirm_password: String,
}

/// Changes one's password after checking the current one, and ends the user's other
/// sessions (someone who knew the old password is signed out everywhere else).
pub async fn change_password(
    state: &App,
    who: &SignedIn,
    input: &PasswordChangeInput,
) -> Result<(), AppError> {
    let user = who.user.id;
    let stored = state
        .store
        .read(|tx| Box::pin(async move { users::password_hash(tx, user).await }))
        .await?;
    let mut e = FieldErrors::new();
    if !password::verify(input.current_password.clone(), stored).await? {
        e.add("current_password", "wrong_password");
    }
    let new = e.check("new_password", NewPassword::parse(&input.new_password));
    if new.is_some() && input.new_password != input.confirm_password {
        e.add("confirm_password", "passwords_differ");
    }
    e.into_result()?;
    let Some(new) = new else {
        return Err(AppError::Internal("validated input missing".into()));
    };
    let hash = password::hash(new.expose().to_owned()).await?;
    let token = who.token.clone();
    Ok(state
        .store
        .write(|tx| {
            let (hash, token) = (hash.clone(), token.clone());
            Box::pin(async move {
                users::set_password_hash(tx, user, &hash).await?;
                sessions::end_others(tx, user, &token).await
            })
        })
        .await?)
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AcceptInvitationInput {
    pub name: String,
    pub language: String,
    pub password: String,
    pub confirm_password: String,
}

/// Accepts an invitation and signs the person in; returns the new session token. The form
/// is the same whether or not the invited e-mail already has an account (the link may have
/// been handed over by the admin, who must not learn it): every field is checked alike; then
/// a new account is created with them, or an existing one proves it is its owner with its
/// password (its name and language stay as they are).
pub async fn accept_invitation(
    state: &App,
    token: &str,
    input: &AcceptInvitationInput,
) -> Result<String, AppError> {
    let t = token.to_owned();
    let inv = state
        .store
        .read(|tx| {
            let t = t.clone();
            Box::pin(async move { users::invitation_by_token(tx, &t).await })
        })
        .await?;
    let mut e = FieldErrors::new();
    let name = e.check("name", parse_person_name(&input.name));
    let language = parse_back_office_language(&mut e, &input.language);
    let pw = e.check("password", NewPassword::parse(&input.password));
    if pw.is_some() && input.password != input.confirm_password {
        e.add("confirm_password", "passwords_differ");
    }
    e.into_result()?;
    let (Some(name), Some(language), Some(pw)) = (name, language, pw) else {
        return Err(AppError::Internal("validated input missing".into()));
    };
    let new_user = match inv.existing_user {
        None => Some((
            name,
            language,
            password::hash(pw.expose().to_owned()).await?,
        )),
        Some(existing) => {
            let stored = state
                .store
                .read(|tx| Box::pin(async move { users::password_hash(tx, existing).await }))
                .await?;
            if !password::verify(input.password.clone(), stored).await? {
                return Err(AppError::field("password", "wrong_password"));
            }
            None
        }
    };
    Ok(state
        .store
        .write(|tx| {
            let (t, new_user) = (t.clone(), new_user.clone());
            Box::pin(async move {
                let nu = new_user
                    .as_ref()
                    .map(|(n, l, h)| (n.as_str(), *l, h.as_str()));
                let (user, tenant) = users::accept_invitation(tx, &t, nu).await?;
                sessions::start(tx, user, Some(tenant.id())).await
            })
        })
        .await?)
}

/// A signed-in person, whether or not they can act in an organization right now.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub user: guichet_store::users::User,
    pub token: String,
    pub memberships: Vec<guichet_store::users::MembershipSummary>,
    pub organization: Option<(Tenant, Role)>,
}

impl SignedIn {
    /// The person acting in their current organization, if they have one.
    pub fn actor(&self) -> Option<crate::Actor> {
        self.organization
            .map(|(tenant, role)| crate::Actor::person(self.user.clone(), tenant, role))
    }
}

/// The live session behind a token, if any: it ends after the configured idle time. A
/// session whose organization is gone (the person was disabled there) moves to another of
/// their organizations; use keeps it alive (written at most once a minute).
pub async fn signed_in(state: &App, token: &str) -> Result<Option<SignedIn>, AppError> {
    if token.is_empty() {
        return Ok(None);
    }
    let idle = i64::try_from(state.config.session_idle_timeout.as_micros()).unwrap_or(i64::MAX);
    let t = token.to_owned();
    let found = state
        .store
        .read(|tx| {
            let t = t.clone();
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
    if current.is_none()
        && let Some(first) = memberships.first()
    {
        let org = first.organization_id;
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
    if guichet_store::now_micros() - session.last_seen_at > 60_000_000 {
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
        token: t,
        memberships,
        organization: current,
    }))
}

/// The integration behind a bearer API key; `Unauthorized` for an unknown or revoked key.
pub async fn key_actor(state: &App, secret: &str) -> Result<crate::Actor, AppError> {
    // One statement: no read transaction.
    let mut conn = state.store.reader().await?;
    let found = guichet_store::api_keys::authenticate(&mut conn, secret).await?;
    drop(conn);
    let found = found.ok_or(AppError::Unauthorized)?;
    let key = found.id;
    if found.stale {
        state
            .store
            .write(|tx| Box::pin(async move { guichet_store::api_keys::touch(tx, key).await }))
            .await?;
    }
    Ok(crate::Actor::key(key, found.tenant, found.role))
}

pub use guichet_store::sessions::ABSOLUTE_LIFETIME_MICROS;
pub use guichet_store::signin::DEVICE_LIFETIME_MICROS;

/// The invitation behind a link's token (the page that accepts it shows who invites).
pub async fn invitation(state: &App, token: &str) -> Result<users::InvitationToAccept, AppError> {
    let t = token.to_owned();
    Ok(state
        .store
        .read(|tx| {
            let t = t.clone();
            Box::pin(async move { users::invitation_by_token(tx, &t).await })
        })
        .await?)
}
