//! "Forgotten password": a link e-mailed through the outbox, single use, valid 30 minutes,
//! that sets a new password and ends every session of the account. Asking answers the same
//! whatever the e-mail, so nobody learns which addresses have an account.

use crate::App;
use crate::AppError;
use crate::password;
use crate::users::Mailing;
use guichet_domain::org::{Email, NewPassword};
use guichet_domain::validation::FieldErrors;
use guichet_integrations::i18n::t_args;
use guichet_store::{sessions, signin, throttle, users};
use serde::Deserialize;

/// A reset link works this long.
pub const VALIDITY_MICROS: i64 = 30 * 60 * 1_000_000;
/// At most one link a minute per account (no flood of e-mails into someone's mailbox).
const COOLDOWN_MICROS: i64 = 60 * 1_000_000;

/// Sends a reset link to the account with this e-mail, if there is one. The answer is the
/// same either way; only a malformed address is refused (it could never have an account).
pub async fn request(state: &App, email: &str) -> Result<(), AppError> {
    let mut e = FieldErrors::new();
    let email = e.check("email", Email::parse(email));
    e.into_result()?;
    let Some(email) = email else {
        return Err(AppError::Internal("validated input missing".into()));
    };
    let mail = Mailing::of(state);
    state
        .store
        .write(|tx| {
            let (email, mail) = (email.clone(), mail.clone());
            Box::pin(async move {
                let Some(user) = users::find_by_email(tx, &email).await? else {
                    return Ok(());
                };
                let Some(tenant) = signin::mail_organization(tx, user.id).await? else {
                    return Ok(());
                };
                if !mail.enabled() {
                    return Ok(());
                }
                let Some(token) =
                    signin::start_reset(tx, user.id, VALIDITY_MICROS, COOLDOWN_MICROS).await?
                else {
                    return Ok(());
                };
                let lang = user.language;
                let subject = guichet_integrations::i18n::t(lang, "email-reset-subject");
                let body = t_args(
                    lang,
                    "email-reset-body",
                    &[
                        ("email", user.email.clone()),
                        ("link", mail.link(&format!("/reset-password/{token}"))),
                    ],
                );
                guichet_store::outbox::enqueue(tx, tenant, &user.email, &subject, &body).await?;
                Ok(())
            })
        })
        .await?;
    Ok(())
}

/// `NotFound` unless the link is unused and still valid (the page shows its form only then).
pub async fn check(state: &App, token: &str) -> Result<(), AppError> {
    let t = token.to_owned();
    let user = state
        .store
        .read(|tx| {
            let t = t.clone();
            Box::pin(async move { signin::reset_user(tx, &t).await })
        })
        .await?;
    user.map(|_| ()).ok_or(AppError::NotFound)
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ResetInput {
    pub new_password: String,
    pub confirm_password: String,
}

/// Sets the new password (rules as everywhere), uses the link up, ends every session of the
/// account and its sign-in failures, and signs the person in: returns the new session.
pub async fn reset(state: &App, token: &str, input: &ResetInput) -> Result<String, AppError> {
    check(state, token).await?;
    let mut e = FieldErrors::new();
    let new = e.check("new_password", NewPassword::parse(&input.new_password));
    if new.is_some() && input.new_password != input.confirm_password {
        e.add("confirm_password", "passwords_differ");
    }
    e.into_result()?;
    let Some(new) = new else {
        return Err(AppError::Internal("validated input missing".into()));
    };
    let hash = password::hash(new.expose().to_owned()).await?;
    let t = token.to_owned();
    let session = state
        .store
        .write(|tx| {
            let (t, hash) = (t.clone(), hash.clone());
            Box::pin(async move {
                // A link used meanwhile (another tab, a second click) is gone.
                let Some(user) = signin::use_reset(tx, &t).await? else {
                    return Ok(None);
                };
                users::set_password_hash(tx, user, &hash).await?;
                sessions::end_all(tx, user).await?;
                let account = users::get_user(tx, user).await?;
                throttle::clear(tx, &account.email, None).await?;
                let first = users::memberships_of(tx, user)
                    .await?
                    .first()
                    .map(|m| m.organization_id);
                sessions::start(tx, user, first).await.map(Some)
            })
        })
        .await?;
    session.ok_or(AppError::NotFound)
}
