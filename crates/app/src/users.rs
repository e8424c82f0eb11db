//! Members of an organization, their roles and invitations.

use crate::Actor;
use crate::App;
use crate::AppError;
use crate::password;
use guichet_domain::org::{Email, Language, NewPassword, parse_person_name};
use guichet_domain::validation::FieldErrors;
use guichet_domain::{InvitationId, Permission, Role, UserId};
use guichet_store::StoreError;
use guichet_store::users;
use serde::Deserialize;

/// A new user as an admin enters them. With a password the account can sign in at once;
/// an e-mail that already has an account (in another organization) is simply added.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct NewMemberInput {
    pub email: String,
    pub name: String,
    /// `admin`, `manager` or `seller`.
    pub role: String,
    /// `fr` or `en`.
    pub language: String,
    pub password: String,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct InvitationInput {
    pub email: String,
    pub role: String,
}

pub(crate) fn parse_role(e: &mut FieldErrors, input: &str) -> Option<Role> {
    let r = Role::parse(input);
    if r.is_none() {
        e.add("role", "unknown_value");
    }
    r
}

pub fn parse_back_office_language(e: &mut FieldErrors, input: &str) -> Option<Language> {
    match Language::parse(input) {
        Ok(l) if Language::BACK_OFFICE.contains(&l) => Some(l),
        _ => {
            e.add("language", "unknown_value");
            None
        }
    }
}

pub async fn members(
    state: &App,
    actor: &Actor,
) -> Result<(Vec<Member>, Vec<Invitation>), AppError> {
    actor.require(Permission::ManageUsers)?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .read(|tx| {
            Box::pin(async move {
                Ok((
                    users::list_members(tx, tenant).await?,
                    users::pending_invitations(tx, tenant).await?,
                ))
            })
        })
        .await?)
}

pub async fn member(state: &App, actor: &Actor, id: UserId) -> Result<Member, AppError> {
    actor.require(Permission::ManageUsers)?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .read(|tx| Box::pin(async move { users::get_member(tx, tenant, id).await }))
        .await?)
}

pub async fn create_member(
    state: &App,
    actor: &Actor,
    input: &NewMemberInput,
) -> Result<Member, AppError> {
    actor.require(Permission::ManageUsers)?;
    let mut e = FieldErrors::new();
    let email = e.check("email", Email::parse(&input.email));
    let role = parse_role(&mut e, &input.role);
    let language = if input.language.trim().is_empty() {
        Some(Language::Fr)
    } else {
        parse_back_office_language(&mut e, &input.language)
    };
    let tenant = actor.tenant;
    let existing = match &email {
        Some(email) => {
            let email = email.clone();
            state
                .store
                .read(|tx| {
                    let email = email.clone();
                    Box::pin(async move { users::find_by_email(tx, &email).await })
                })
                .await?
        }
        None => None,
    };
    // A new account needs a name and a password; an existing one keeps its own.
    let (name, hash) = if existing.is_none() {
        let name = e.check("name", parse_person_name(&input.name));
        let pw = e.check("password", NewPassword::parse(&input.password));
        let hash = match pw {
            Some(pw) if e.is_empty() => Some(password::hash(pw.expose().to_owned()).await?),
            _ => None,
        };
        (name, hash)
    } else {
        (None, None)
    };
    e.into_result()?;
    let (Some(email), Some(role), Some(language)) = (email, role, language) else {
        return Err(AppError::Internal("validated input missing".into()));
    };
    state
        .store
        .write(|tx| {
            let (email, name, hash) = (email.clone(), name.clone(), hash.clone());
            Box::pin(async move {
                let user = match users::find_by_email(tx, &email).await? {
                    Some(u) => u.id,
                    None => {
                        let (Some(name), Some(hash)) = (name, hash) else {
                            return Err(StoreError::Refused("account_changed_meanwhile"));
                        };
                        users::create_user(tx, &email, &name, language, Some(&hash))
                            .await?
                            .id
                    }
                };
                users::add_member(tx, tenant, user, role).await
            })
        })
        .await
        .map_err(|e| match e {
            StoreError::Duplicate(_) => AppError::field("email", "already_member"),
            other => other.into(),
        })
}

/// Invites someone by e-mail; returns the invitation and its secret link token, shown
/// once to the admin (e-mail delivery comes with the outbox of a later issue).
pub async fn invite(
    state: &App,
    actor: &Actor,
    input: &InvitationInput,
) -> Result<(Invitation, String), AppError> {
    actor.require(Permission::ManageUsers)?;
    let mut e = FieldErrors::new();
    let email = e.check("email", Email::parse(&input.email));
    let role = parse_role(&mut e, &input.role);
    e.into_result()?;
    let (Some(email), Some(role)) = (email, role) else {
        return Err(AppError::Internal("validated input missing".into()));
    };
    let by = actor.user_id().ok_or(AppError::Forbidden)?;
    let tenant = actor.tenant;
    state
        .store
        .write(|tx| {
            let email = email.clone();
            Box::pin(async move { users::invite(tx, tenant, &email, role, by).await })
        })
        .await
        .map_err(|e| match e {
            StoreError::Duplicate(_) => AppError::field("email", "already_member"),
            other => other.into(),
        })
}

pub async fn revoke_invitation(
    state: &App,
    actor: &Actor,
    id: InvitationId,
) -> Result<(), AppError> {
    actor.require(Permission::ManageUsers)?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .write(|tx| Box::pin(async move { users::revoke_invitation(tx, tenant, id).await }))
        .await?)
}

/// Changes a member's role and/or enabled state.
pub async fn change_member(
    state: &App,
    actor: &Actor,
    id: UserId,
    role: Option<&str>,
    disabled: Option<bool>,
) -> Result<Member, AppError> {
    actor.require(Permission::ManageUsers)?;
    let mut e = FieldErrors::new();
    let role = role.map(|r| parse_role(&mut e, r));
    e.into_result()?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .write(|tx| {
            Box::pin(async move {
                if let Some(Some(role)) = role {
                    users::set_role(tx, tenant, id, role).await?;
                }
                if let Some(disabled) = disabled {
                    users::set_disabled(tx, tenant, id, disabled).await?;
                }
                users::get_member(tx, tenant, id).await
            })
        })
        .await?)
}

pub use guichet_store::users::{Invitation, Member, MembershipSummary, User};
