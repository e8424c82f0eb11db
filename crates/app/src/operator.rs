//! What only the operator does, from the machine itself (the command line, the demo's seed):
//! across organizations, or on the database as a whole. No [`crate::Actor`]: whoever runs the
//! binary on the server already holds the database. Creating an organization is
//! [`crate::organization::create_organization`].

pub use guichet_domain::journal_archive::{Archive, ArchiveError, ArchiveReport};
pub use guichet_store::copy::TableCount;
pub use guichet_store::journal::{ChainReport, Finding, Verification};

use crate::App;
use crate::AppError;
use crate::organization::Organization;
use crate::users::User;
use guichet_domain::Role;
use guichet_domain::org::{Email, Language, NewPassword};
use guichet_store::{Store, StoreError, Tenant, organizations, users};

/// Every organization of the installation, by name.
pub async fn organizations(state: &App) -> Result<Vec<Organization>, AppError> {
    Ok(state
        .store
        .read(|tx| Box::pin(async move { organizations::list_all(tx).await }))
        .await?)
}

/// How many organizations the installation holds (the demo seeds an empty one only).
pub async fn organization_count(state: &App) -> Result<i64, AppError> {
    Ok(state
        .store
        .read(|tx| Box::pin(async move { organizations::count(tx).await }))
        .await?)
}

/// The one organization with this id or exact name: `not_found` when none,
/// `ambiguous_organization_name` when several share the name.
pub async fn find_organization(state: &App, id_or_name: &str) -> Result<Organization, AppError> {
    let key = id_or_name.to_owned();
    Ok(state
        .store
        .read(|tx| {
            let key = key.clone();
            Box::pin(async move { organizations::find_for_operator(tx, &key).await })
        })
        .await?)
}

/// The account with this e-mail, in whatever organization.
pub async fn account(state: &App, email: &Email) -> Result<Option<User>, AppError> {
    let email = email.clone();
    Ok(state
        .store
        .read(|tx| {
            let email = email.clone();
            Box::pin(async move { users::find_by_email(tx, &email).await })
        })
        .await?)
}

/// A person to add to an organization: an existing account is found by its e-mail and keeps
/// its own name, language and password; a new one needs the password.
#[derive(Clone)]
pub struct NewAccount {
    pub email: Email,
    /// Already parsed (`guichet_domain::org::parse_person_name`).
    pub name: String,
    pub language: Language,
    /// For a new account; ignored when the e-mail already has one.
    pub password: Option<NewPassword>,
}

/// Adds a person to an organization with a role, creating their account (argon2id hash of the
/// password) when the e-mail has none. Returns the account. Refusals: `already_member` (on the
/// `email` field), `password_required` when the account is new and no password is given,
/// `account_changed_meanwhile` when the account vanished between the check and the write.
pub async fn add_member(
    state: &App,
    tenant: Tenant,
    account: &NewAccount,
    role: Role,
) -> Result<User, AppError> {
    let existing = self::account(state, &account.email).await?;
    let hash = match (&existing, &account.password) {
        (Some(_), _) => None,
        (None, Some(p)) => Some(crate::password::hash(p.expose().to_owned()).await?),
        (None, None) => return Err(AppError::field("password", "password_required")),
    };
    let account = account.clone();
    state
        .store
        .write(|tx| {
            let (account, hash) = (account.clone(), hash.clone());
            Box::pin(async move {
                let user = match (users::find_by_email(tx, &account.email).await?, hash) {
                    (Some(u), _) => u,
                    (None, Some(h)) => {
                        users::create_user(
                            tx,
                            &account.email,
                            &account.name,
                            account.language,
                            Some(&h),
                        )
                        .await?
                    }
                    (None, None) => return Err(StoreError::Refused("account_changed_meanwhile")),
                };
                users::add_member(tx, tenant, user.id, role).await?;
                Ok(user)
            })
        })
        .await
        .map_err(|e| match e {
            StoreError::Duplicate(_) => AppError::field("email", "already_member"),
            other => other.into(),
        })
}

/// Verifies the sales journal of every organization: every chain recomputed, every journaled
/// sale, payment, cancellation and Z compared with the business tables, every Z's signature.
pub async fn verify_journal(state: &App) -> Result<Verification, AppError> {
    Ok(state
        .store
        .read(|tx| Box::pin(async move { guichet_store::journal::verify_all(tx).await }))
        .await?)
}

/// A signed archive of an organization's journal over `from`..=`to` (days in its time zone).
pub async fn export_journal(
    state: &App,
    org: &Organization,
    from: jiff::civil::Date,
    to: jiff::civil::Date,
) -> Result<Archive, AppError> {
    use guichet_domain::journal_archive::{self, FORMAT, base64url};
    if to < from {
        return Err(AppError::field("to", "before_from"));
    }
    let tz = jiff::tz::TimeZone::get(&org.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let start = |d: jiff::civil::Date| {
        d.to_zoned(tz.clone())
            .map(|z| z.timestamp().as_microsecond())
            .map_err(|_| AppError::field("from", "invalid"))
    };
    let end = to
        .checked_add(jiff::Span::new().days(1))
        .map_err(|_| AppError::field("to", "invalid"))?;
    let period = (start(from)?, start(end)?);
    let tenant = Tenant::trusted_operator(org.id);
    let ((chains, zs), key) = state
        .store
        .read(|tx| {
            Box::pin(async move {
                let read = guichet_store::journal::archive::period(tx, tenant, period).await?;
                let key = guichet_store::documents::existing_ticket_key(tx, tenant).await?;
                Ok((read, key))
            })
        })
        .await?;
    // Without a key, no Z was ever signed and no ticket made: nothing to vouch for yet.
    let (secret, public) = key.ok_or(AppError::Conflict("no_signing_key"))?;
    let archive = Archive {
        format: FORMAT.into(),
        organization_id: org.id.0,
        from: from.to_string(),
        to: to.to_string(),
        exported_at: guichet_store::now_micros(),
        public_key: base64url(&public),
        chains,
        zs,
        signature: String::new(),
    };
    journal_archive::sign(archive, &secret).map_err(|e| AppError::Internal(e.to_string()))
}

/// Checks an archive with the organization's public key alone (no database).
pub fn verify_archive(archive: &Archive, public_key: &str) -> Result<ArchiveReport, ArchiveError> {
    guichet_domain::journal_archive::verify(archive, public_key)
}

/// Why a database could not be opened for a copy.
#[derive(Debug)]
pub enum CopyError {
    /// The source (`from`) or target (`to`) database could not be opened.
    Open {
        which: &'static str,
        error: AppError,
    },
    /// The copy itself: `target_not_empty`, `source_schema_version_differs`,
    /// `source_not_migrated`, or another failure.
    Copy(AppError),
}

/// Copies a whole installation into an empty database (e.g. SQLite to PostgreSQL), then checks
/// every table's row count. Returns each table's counts.
pub async fn copy_database(from: &str, to: &str) -> Result<Vec<TableCount>, CopyError> {
    let source = Store::connect(from).await.map_err(|e| CopyError::Open {
        which: "from",
        error: e.into(),
    })?;
    let target = match Store::connect(to).await {
        Ok(t) => t,
        Err(e) => {
            source.close().await;
            return Err(CopyError::Open {
                which: "to",
                error: e.into(),
            });
        }
    };
    let counts = guichet_store::copy::copy(&source, &target).await;
    source.close().await;
    target.close().await;
    counts.map_err(|e| CopyError::Copy(e.into()))
}

/// A database URL with its password hidden, for messages and logs.
pub fn redact(url: &str) -> String {
    guichet_store::redact(url)
}
