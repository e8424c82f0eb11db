//! Members of an organization, their roles and invitations.

use crate::Actor;
use crate::App;
use crate::AppError;
use crate::password;
use guichet_domain::org::{Email, Language, NewPassword, parse_person_name};
use guichet_domain::validation::FieldErrors;
use guichet_domain::{InvitationId, Permission, Role, UserId};
use guichet_integrations::i18n::t_args;
use guichet_store::StoreError;
use guichet_store::users;
use serde::{Deserialize, Serialize};

/// A new user as an admin enters them: with a new e-mail the account can sign in at once
/// with this password; an e-mail that already has an account is sent an invitation instead.
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
        Ok(l) if Language::ALL.contains(&l) => Some(l),
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

/// What adding a member answers: the same whether or not the e-mail already had an account,
/// so that an organization learns nothing of other organizations' people.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MemberAdded {
    pub email: String,
    pub role: Role,
}

/// Adds a member. A new e-mail gets an account with the name and password the admin chose;
/// an e-mail that already has an account is sent an invitation its owner accepts (the admin
/// never sees their name). Every field is checked and the password hashed in both cases, so
/// the answer, its errors and its time do not tell the two apart.
pub async fn create_member(
    state: &App,
    actor: &Actor,
    input: &NewMemberInput,
) -> Result<MemberAdded, AppError> {
    actor.require(Permission::ManageUsers)?;
    let mut e = FieldErrors::new();
    let email = e.check("email", Email::parse(&input.email));
    let role = parse_role(&mut e, &input.role);
    let language = if input.language.trim().is_empty() {
        Some(Language::Fr)
    } else {
        parse_back_office_language(&mut e, &input.language)
    };
    let name = e.check("name", parse_person_name(&input.name));
    let pw = e.check("password", NewPassword::parse(&input.password));
    e.into_result()?;
    let (Some(email), Some(role), Some(language), Some(name), Some(pw)) =
        (email, role, language, name, pw)
    else {
        return Err(AppError::Internal("validated input missing".into()));
    };
    let hash = password::hash(pw.expose().to_owned()).await?;
    let (tenant, by) = (actor.tenant, actor.user_id());
    let mail = Mailing::of(state);
    state
        .store
        .write(|tx| {
            let (email, name, hash, mail) =
                (email.clone(), name.clone(), hash.clone(), mail.clone());
            Box::pin(async move {
                match users::find_by_email(tx, &email).await? {
                    None => {
                        let user =
                            users::create_user(tx, &email, &name, language, Some(&hash)).await?;
                        users::add_member(tx, tenant, user.id, role).await?;
                    }
                    Some(existing) => {
                        let by = match by {
                            Some(by) => by,
                            None => users::first_admin(tx, tenant).await?,
                        };
                        let (_, token) = users::invite(tx, tenant, &email, role, by).await?;
                        mail.invitation(tx, &token, existing.language).await?;
                    }
                }
                Ok(())
            })
        })
        .await
        .map_err(|e| match e {
            StoreError::Duplicate(_) => AppError::field("email", "already_member"),
            other => other.into(),
        })?;
    Ok(MemberAdded {
        email: email.as_str().to_owned(),
        role,
    })
}

/// E-mails about one's account (invitations, password resets), queued in the outbox when an
/// SMTP server is configured, with links on the configured public address.
#[derive(Debug, Clone)]
pub(crate) struct Mailing {
    enabled: bool,
    public_url: String,
}

impl Mailing {
    pub(crate) fn of(state: &App) -> Mailing {
        Mailing {
            enabled: state.config.mail.is_some(),
            public_url: state.config.public_url.trim_end_matches('/').to_owned(),
        }
    }

    pub(crate) fn enabled(&self) -> bool {
        self.enabled
    }

    pub(crate) fn link(&self, path: &str) -> String {
        format!("{}{path}", self.public_url)
    }

    /// Queues the invitation behind `token` to the invited address, in `lang`.
    pub(crate) async fn invitation(
        &self,
        tx: &mut guichet_store::Tx,
        token: &str,
        lang: Language,
    ) -> Result<(), StoreError> {
        if !self.enabled() {
            return Ok(());
        }
        let inv = users::invitation_by_token(tx, token).await?;
        let org = ("organization", inv.organization_name.clone());
        let subject = t_args(lang, "email-invitation-subject", std::slice::from_ref(&org));
        let body = t_args(
            lang,
            "email-invitation-body",
            &[org, ("link", self.link(&format!("/invitation/{token}")))],
        );
        guichet_store::outbox::enqueue(tx, inv.tenant, inv.email.as_str(), &subject, &body).await?;
        Ok(())
    }
}

/// Invites someone by e-mail; returns the invitation and its secret link token, shown once
/// to the admin. With an SMTP server the link is also e-mailed to the address (in the
/// account's language if it has one, else the admin's).
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
    let (tenant, lang) = (actor.tenant, actor.lang);
    let mail = Mailing::of(state);
    state
        .store
        .write(|tx| {
            let (email, mail) = (email.clone(), mail.clone());
            Box::pin(async move {
                let lang = users::find_by_email(tx, &email)
                    .await?
                    .map_or(lang, |u| u.language);
                let (invitation, token) = users::invite(tx, tenant, &email, role, by).await?;
                mail.invitation(tx, &token, lang).await?;
                Ok((invitation, token))
            })
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
