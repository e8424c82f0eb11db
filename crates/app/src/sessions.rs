//! Sign-in, sign-out, the current organization, one's profile and password, accepting an invitation.

use crate::App;
use crate::AppError;
use crate::password;
use crate::users::parse_back_office_language;
use guichet_domain::org::{Email, NewPassword, parse_person_name};
use guichet_domain::validation::FieldErrors;
use guichet_domain::{OrganizationId, Role, UserId};
use guichet_store::users::{self};
use guichet_store::{StoreError, Tenant, sessions, throttle};
use serde::Deserialize;

pub enum LoginOutcome {
    /// Signed in: the new session token.
    Success(String),
    Refused,
    Throttled,
}

/// Checks the password and opens a new session. The answer is the same for an unknown
/// e-mail and a wrong password, and takes the same time.
pub async fn login(
    state: &App,
    email: &str,
    password: &str,
    address: &str,
) -> Result<LoginOutcome, AppError> {
    let limits = state.config.login_limits;
    let (e, a) = (email.to_owned(), address.to_owned());
    let blocked = state
        .store
        .read(|tx| {
            let (e, a) = (e.clone(), a.clone());
            Box::pin(async move { throttle::is_blocked(tx, &e, &a, limits).await })
        })
        .await?;
    if blocked {
        return Ok(LoginOutcome::Throttled);
    }
    let found = match Email::parse(email) {
        Ok(parsed) => {
            state
                .store
                .read(|tx| {
                    let parsed = parsed.clone();
                    Box::pin(async move { users::find_for_login(tx, &parsed).await })
                })
                .await?
        }
        Err(_) => None,
    };
    let (user, hash) = match found {
        Some((u, h)) => (Some(u), h),
        None => (None, None),
    };
    let ok = password::verify(password.to_owned(), hash).await?;
    match (ok, user) {
        (true, Some(user)) => {
            let email = email.to_owned();
            let token = state
                .store
                .write(|tx| {
                    let email = email.clone();
                    Box::pin(async move {
                        throttle::clear(tx, &email).await?;
                        let first = users::memberships_of(tx, user.id)
                            .await?
                            .first()
                            .map(|m| m.organization_id);
                        sessions::start(tx, user.id, first).await
                    })
                })
                .await?;
            Ok(LoginOutcome::Success(token))
        }
        _ => {
            state
                .store
                .write(|tx| {
                    let (e, a) = (e.clone(), a.clone());
                    Box::pin(async move { throttle::record_failure(tx, &e, &a).await })
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

/// Accepts an invitation and signs the person in; returns the new session token.
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
    let new_user = if inv.existing_user.is_none() {
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
        Some((
            name,
            language,
            password::hash(pw.expose().to_owned()).await?,
        ))
    } else if let Some(existing) = inv.existing_user {
        // The e-mail already has an account: whoever opens the link must prove they own it.
        let stored = state
            .store
            .read(|tx| Box::pin(async move { users::password_hash(tx, existing).await }))
            .await?;
        if !password::verify(input.password.clone(), stored).await? {
            return Err(AppError::field("password", "wrong_password"));
        }
        None
    } else {
        None
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
    let s = secret.to_owned();
    let found = state
        .store
        .read(|tx| {
            let s = s.clone();
            Box::pin(async move { guichet_store::api_keys::authenticate(tx, &s).await })
        })
        .await?;
    let (tenant, role, key) = found.ok_or(AppError::Unauthorized)?;
    state
        .store
        .write(|tx| Box::pin(async move { guichet_store::api_keys::touch(tx, key).await }))
        .await?;
    Ok(crate::Actor::key(key, tenant, role))
}

pub use guichet_store::sessions::ABSOLUTE_LIFETIME_MICROS;

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
