//! Use cases shared by the pages and the API: check the permission, parse the input into
//! domain values, run one store transaction. A page and its API endpoint therefore obey
//! the same rules and give the same errors.

pub mod catalogue;
pub mod closing;
pub mod customer_imports;
pub mod customers;
pub mod documents;
pub mod groups;
pub mod offers;
pub mod orders;
pub mod planning;
pub mod promotions;
pub mod reservations;
pub mod shop;

use crate::AppState;
use crate::auth::{Ctx, SignedIn};
use crate::error::AppError;
use crate::password;
use guichet_domain::org::{
    Email, Language, NewPassword, OrganizationDetails, OrganizationInput, RegisterInput, SiteInput,
    parse_person_name, vat_preset,
};
use guichet_domain::validation::FieldErrors;
use guichet_domain::{
    ApiKeyId, InvitationId, OrganizationId, Permission, RegisterId, Role, SiteId, UserId, VatRate,
    VatRateId, text,
};
use guichet_store::api_keys::{self, ApiKey};
use guichet_store::organizations::{self, Organization};
use guichet_store::registers::{self, Register};
use guichet_store::sites::{self, Site};
use guichet_store::users::{self, Invitation, Member};
use guichet_store::vat_rates::{self, Removal, VatRate as StoredVatRate};
use guichet_store::{StoreError, Tenant, sessions, throttle};
use serde::Deserialize;

// ---------------------------------------------------------------- organization and sites

pub async fn organization(state: &AppState, ctx: &Ctx) -> Result<Organization, AppError> {
    ctx.require(Permission::ViewOrganization)?;
    let tenant = ctx.tenant;
    Ok(state
        .store
        .read(|tx| Box::pin(async move { organizations::get(tx, tenant).await }))
        .await?)
}

/// The organization's name, for printed documents (any role).
pub async fn organization_name(state: &AppState, tenant: Tenant) -> Result<String, AppError> {
    Ok(state
        .store
        .read(|tx| Box::pin(async move { organizations::get(tx, tenant).await }))
        .await?
        .name)
}

/// The organization's time zone, ready to compute local days with.
pub async fn zone(state: &AppState, ctx: &Ctx) -> Result<jiff::tz::TimeZone, AppError> {
    let name = time_zone(state, ctx.tenant).await?;
    jiff::tz::TimeZone::get(&name).map_err(|e| AppError::Internal(e.to_string()))
}

/// The organization's time zone, for showing instants (any role).
pub async fn time_zone(state: &AppState, tenant: Tenant) -> Result<String, AppError> {
    Ok(state
        .store
        .read(|tx| Box::pin(async move { organizations::get(tx, tenant).await }))
        .await?
        .time_zone)
}

pub async fn update_organization(
    state: &AppState,
    ctx: &Ctx,
    input: &OrganizationInput,
) -> Result<Organization, AppError> {
    ctx.require(Permission::EditOrganization)?;
    let details: OrganizationDetails = input.parse()?;
    let tenant = ctx.tenant;
    Ok(state
        .store
        .write(|tx| {
            let d = details.clone();
            Box::pin(async move {
                organizations::update(tx, tenant, &d).await?;
                organizations::get(tx, tenant).await
            })
        })
        .await?)
}

pub async fn sites(state: &AppState, ctx: &Ctx) -> Result<Vec<Site>, AppError> {
    ctx.require(Permission::ViewOrganization)?;
    let tenant = ctx.tenant;
    Ok(state
        .store
        .read(|tx| Box::pin(async move { sites::list(tx, tenant).await }))
        .await?)
}

/// Active sites, for choosing where a register stands.
pub async fn active_sites(state: &AppState, ctx: &Ctx) -> Result<Vec<Site>, AppError> {
    ctx.require(Permission::ManageRegisters)?;
    let tenant = ctx.tenant;
    let all = state
        .store
        .read(|tx| Box::pin(async move { sites::list(tx, tenant).await }))
        .await?;
    Ok(all.into_iter().filter(|s| !s.archived).collect())
}

pub async fn site(state: &AppState, ctx: &Ctx, id: SiteId) -> Result<Site, AppError> {
    ctx.require(Permission::ViewOrganization)?;
    let tenant = ctx.tenant;
    Ok(state
        .store
        .read(|tx| Box::pin(async move { sites::get(tx, tenant, id).await }))
        .await?)
}

pub async fn create_site(state: &AppState, ctx: &Ctx, input: &SiteInput) -> Result<Site, AppError> {
    ctx.require(Permission::EditOrganization)?;
    let d = input.parse()?;
    let tenant = ctx.tenant;
    Ok(state
        .store
        .write(|tx| {
            let d = d.clone();
            Box::pin(async move { sites::create(tx, tenant, &d).await })
        })
        .await?)
}

pub async fn update_site(
    state: &AppState,
    ctx: &Ctx,
    id: SiteId,
    input: &SiteInput,
) -> Result<Site, AppError> {
    ctx.require(Permission::EditOrganization)?;
    let d = input.parse()?;
    let tenant = ctx.tenant;
    Ok(state
        .store
        .write(|tx| {
            let d = d.clone();
            Box::pin(async move { sites::update(tx, tenant, id, &d).await })
        })
        .await?)
}

pub async fn archive_site(
    state: &AppState,
    ctx: &Ctx,
    id: SiteId,
    archived: bool,
) -> Result<Site, AppError> {
    ctx.require(Permission::EditOrganization)?;
    let tenant = ctx.tenant;
    Ok(state
        .store
        .write(|tx| Box::pin(async move { sites::set_archived(tx, tenant, id, archived).await }))
        .await?)
}

// ---------------------------------------------------------------- VAT rates

/// A VAT rate as a form sends it: the percentage as typed (`5,5`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct VatRateForm {
    pub label: String,
    pub rate: String,
}

fn parse_vat_rate(
    label: &str,
    rate: Result<VatRate, guichet_domain::money::VatRateError>,
) -> Result<(String, VatRate), AppError> {
    let mut e = FieldErrors::new();
    let label = e.check("label", text::required(label, 60));
    let rate = e.check("rate", rate);
    match (label, rate) {
        (Some(l), Some(r)) if e.is_empty() => Ok((l, r)),
        _ => Err(AppError::Invalid(e)),
    }
}

pub fn parse_vat_form(form: &VatRateForm) -> Result<(String, VatRate), AppError> {
    parse_vat_rate(&form.label, VatRate::parse_percent(&form.rate))
}

pub fn parse_vat_basis_points(label: &str, bp: i64) -> Result<(String, VatRate), AppError> {
    parse_vat_rate(label, VatRate::from_basis_points(bp))
}

pub async fn vat_rates(state: &AppState, ctx: &Ctx) -> Result<Vec<StoredVatRate>, AppError> {
    ctx.require(Permission::ViewVatRates)?;
    let tenant = ctx.tenant;
    Ok(state
        .store
        .read(|tx| Box::pin(async move { vat_rates::list(tx, tenant).await }))
        .await?)
}

pub async fn vat_rate(
    state: &AppState,
    ctx: &Ctx,
    id: VatRateId,
) -> Result<StoredVatRate, AppError> {
    ctx.require(Permission::ViewVatRates)?;
    let tenant = ctx.tenant;
    Ok(state
        .store
        .read(|tx| Box::pin(async move { vat_rates::get(tx, tenant, id).await }))
        .await?)
}

pub async fn create_vat_rate(
    state: &AppState,
    ctx: &Ctx,
    (label, rate): (String, VatRate),
) -> Result<StoredVatRate, AppError> {
    ctx.require(Permission::ManageVatRates)?;
    let tenant = ctx.tenant;
    Ok(state
        .store
        .write(|tx| {
            let label = label.clone();
            Box::pin(async move { vat_rates::create(tx, tenant, &label, rate).await })
        })
        .await?)
}

pub async fn update_vat_rate(
    state: &AppState,
    ctx: &Ctx,
    id: VatRateId,
    (label, rate): (String, VatRate),
) -> Result<StoredVatRate, AppError> {
    ctx.require(Permission::ManageVatRates)?;
    let tenant = ctx.tenant;
    Ok(state
        .store
        .write(|tx| {
            let label = label.clone();
            Box::pin(async move { vat_rates::update(tx, tenant, id, &label, rate).await })
        })
        .await?)
}

pub async fn archive_vat_rate(
    state: &AppState,
    ctx: &Ctx,
    id: VatRateId,
    archived: bool,
) -> Result<StoredVatRate, AppError> {
    ctx.require(Permission::ManageVatRates)?;
    let tenant = ctx.tenant;
    Ok(state
        .store
        .write(|tx| {
            Box::pin(async move { vat_rates::set_archived(tx, tenant, id, archived).await })
        })
        .await?)
}

pub async fn remove_vat_rate(
    state: &AppState,
    ctx: &Ctx,
    id: VatRateId,
) -> Result<Removal, AppError> {
    ctx.require(Permission::ManageVatRates)?;
    let tenant = ctx.tenant;
    Ok(state
        .store
        .write(|tx| Box::pin(async move { vat_rates::remove(tx, tenant, id).await }))
        .await?)
}

/// Adds a country's standard rates, skipping those the organization already has.
pub async fn apply_vat_preset(
    state: &AppState,
    ctx: &Ctx,
    country: &str,
) -> Result<usize, AppError> {
    ctx.require(Permission::ManageVatRates)?;
    let preset = vat_preset(country).ok_or_else(|| AppError::field("country", "unknown_value"))?;
    let tenant = ctx.tenant;
    Ok(state
        .store
        .write(|tx| Box::pin(async move { add_preset(tx, tenant, preset).await }))
        .await?)
}

/// Adds the preset's rates that the tenant does not have yet; returns how many were added.
pub async fn add_preset(
    tx: &mut guichet_store::Tx,
    tenant: Tenant,
    preset: &guichet_domain::org::VatPreset,
) -> Result<usize, StoreError> {
    let existing = vat_rates::list(tx, tenant).await?;
    let mut added = 0;
    for (label, bp) in preset.rates {
        let present = existing
            .iter()
            .any(|r| !r.archived && (r.rate_basis_points == *bp || r.label == *label));
        if present {
            continue;
        }
        let rate = VatRate::from_basis_points(i64::from(*bp))
            .map_err(|e| StoreError::Other(e.to_string()))?;
        vat_rates::create(tx, tenant, label, rate).await?;
        added += 1;
    }
    Ok(added)
}

// ---------------------------------------------------------------- registers

pub async fn registers(state: &AppState, ctx: &Ctx) -> Result<Vec<Register>, AppError> {
    ctx.require(Permission::ManageRegisters)?;
    let tenant = ctx.tenant;
    Ok(state
        .store
        .read(|tx| Box::pin(async move { registers::list(tx, tenant).await }))
        .await?)
}

pub async fn register(state: &AppState, ctx: &Ctx, id: RegisterId) -> Result<Register, AppError> {
    ctx.require(Permission::ManageRegisters)?;
    let tenant = ctx.tenant;
    Ok(state
        .store
        .read(|tx| Box::pin(async move { registers::get(tx, tenant, id).await }))
        .await?)
}

fn parse_register(
    input: &RegisterInput,
) -> Result<(SiteId, guichet_domain::org::RegisterDetails), AppError> {
    let site = input.site_id.trim().parse::<SiteId>();
    let details = input.parse();
    match (site, details) {
        (Ok(site), Ok(d)) => Ok((site, d)),
        (site, details) => {
            let mut e = details.err().unwrap_or_default();
            if site.is_err() {
                e.add("site_id", "unknown_site");
            }
            Err(AppError::Invalid(e))
        }
    }
}

/// Store refusals about the site are reported against the site field.
fn site_refusal(e: StoreError) -> AppError {
    match e {
        StoreError::Refused(code @ ("unknown_site" | "site_archived")) => {
            AppError::field("site_id", code)
        }
        other => other.into(),
    }
}

pub async fn create_register(
    state: &AppState,
    ctx: &Ctx,
    input: &RegisterInput,
) -> Result<Register, AppError> {
    ctx.require(Permission::ManageRegisters)?;
    let (site, d) = parse_register(input)?;
    let tenant = ctx.tenant;
    state
        .store
        .write(|tx| {
            let d = d.clone();
            Box::pin(async move { registers::create(tx, tenant, site, &d).await })
        })
        .await
        .map_err(site_refusal)
}

pub async fn update_register(
    state: &AppState,
    ctx: &Ctx,
    id: RegisterId,
    input: &RegisterInput,
) -> Result<Register, AppError> {
    ctx.require(Permission::ManageRegisters)?;
    let (site, d) = parse_register(input)?;
    let tenant = ctx.tenant;
    state
        .store
        .write(|tx| {
            let d = d.clone();
            Box::pin(async move { registers::update(tx, tenant, id, site, &d).await })
        })
        .await
        .map_err(site_refusal)
}

pub async fn archive_register(
    state: &AppState,
    ctx: &Ctx,
    id: RegisterId,
    archived: bool,
) -> Result<Register, AppError> {
    ctx.require(Permission::ManageRegisters)?;
    let tenant = ctx.tenant;
    state
        .store
        .write(|tx| {
            Box::pin(async move { registers::set_archived(tx, tenant, id, archived).await })
        })
        .await
        .map_err(site_refusal)
}

// ---------------------------------------------------------------- users

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

fn parse_role(e: &mut FieldErrors, input: &str) -> Option<Role> {
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
    state: &AppState,
    ctx: &Ctx,
) -> Result<(Vec<Member>, Vec<Invitation>), AppError> {
    ctx.require(Permission::ManageUsers)?;
    let tenant = ctx.tenant;
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

pub async fn member(state: &AppState, ctx: &Ctx, id: UserId) -> Result<Member, AppError> {
    ctx.require(Permission::ManageUsers)?;
    let tenant = ctx.tenant;
    Ok(state
        .store
        .read(|tx| Box::pin(async move { users::get_member(tx, tenant, id).await }))
        .await?)
}

pub async fn create_member(
    state: &AppState,
    ctx: &Ctx,
    input: &NewMemberInput,
) -> Result<Member, AppError> {
    ctx.require(Permission::ManageUsers)?;
    let mut e = FieldErrors::new();
    let email = e.check("email", Email::parse(&input.email));
    let role = parse_role(&mut e, &input.role);
    let language = if input.language.trim().is_empty() {
        Some(Language::Fr)
    } else {
        parse_back_office_language(&mut e, &input.language)
    };
    let tenant = ctx.tenant;
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
    state: &AppState,
    ctx: &Ctx,
    input: &InvitationInput,
) -> Result<(Invitation, String), AppError> {
    ctx.require(Permission::ManageUsers)?;
    let mut e = FieldErrors::new();
    let email = e.check("email", Email::parse(&input.email));
    let role = parse_role(&mut e, &input.role);
    e.into_result()?;
    let (Some(email), Some(role)) = (email, role) else {
        return Err(AppError::Internal("validated input missing".into()));
    };
    let by = ctx.user_id().ok_or(AppError::Forbidden)?;
    let tenant = ctx.tenant;
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
    state: &AppState,
    ctx: &Ctx,
    id: InvitationId,
) -> Result<(), AppError> {
    ctx.require(Permission::ManageUsers)?;
    let tenant = ctx.tenant;
    Ok(state
        .store
        .write(|tx| Box::pin(async move { users::revoke_invitation(tx, tenant, id).await }))
        .await?)
}

/// Changes a member's role and/or enabled state.
pub async fn change_member(
    state: &AppState,
    ctx: &Ctx,
    id: UserId,
    role: Option<&str>,
    disabled: Option<bool>,
) -> Result<Member, AppError> {
    ctx.require(Permission::ManageUsers)?;
    let mut e = FieldErrors::new();
    let role = role.map(|r| parse_role(&mut e, r));
    e.into_result()?;
    let tenant = ctx.tenant;
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

// ---------------------------------------------------------------- API keys

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ApiKeyInput {
    pub name: String,
    /// The role the key acts with: `admin`, `manager` or `seller`.
    pub role: String,
}

pub async fn api_keys(state: &AppState, ctx: &Ctx) -> Result<Vec<ApiKey>, AppError> {
    ctx.require(Permission::ManageApiKeys)?;
    let tenant = ctx.tenant;
    Ok(state
        .store
        .read(|tx| Box::pin(async move { api_keys::list(tx, tenant).await }))
        .await?)
}

pub async fn create_api_key(
    state: &AppState,
    ctx: &Ctx,
    input: &ApiKeyInput,
) -> Result<(ApiKey, String), AppError> {
    ctx.require(Permission::ManageApiKeys)?;
    let mut e = FieldErrors::new();
    let name = e.check("name", text::required(&input.name, 80));
    let role = parse_role(&mut e, &input.role);
    e.into_result()?;
    let (Some(name), Some(role)) = (name, role) else {
        return Err(AppError::Internal("validated input missing".into()));
    };
    let tenant = ctx.tenant;
    let by = ctx.user_id();
    Ok(state
        .store
        .write(|tx| {
            let name = name.clone();
            Box::pin(async move { api_keys::create(tx, tenant, &name, role, by).await })
        })
        .await?)
}

pub async fn revoke_api_key(state: &AppState, ctx: &Ctx, id: ApiKeyId) -> Result<ApiKey, AppError> {
    ctx.require(Permission::ManageApiKeys)?;
    let tenant = ctx.tenant;
    Ok(state
        .store
        .write(|tx| Box::pin(async move { api_keys::revoke(tx, tenant, id).await }))
        .await?)
}

// ---------------------------------------------------------------- sign-in and profile

pub enum LoginOutcome {
    /// Signed in: the new session token.
    Success(String),
    Refused,
    Throttled,
}

/// Checks the password and opens a new session. The answer is the same for an unknown
/// e-mail and a wrong password, and takes the same time.
pub async fn login(
    state: &AppState,
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

pub async fn logout(state: &AppState, token: &str) -> Result<(), AppError> {
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
    state: &AppState,
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
    state: &AppState,
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
    state: &AppState,
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
    state: &AppState,
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

/// Decodes and checks an uploaded picture (JPEG, PNG or WebP, at most 5 MB and 8000 px) and makes
/// its thumbnail, on the blocking pool. The inner error is the user's (a bad file), the outer one ours.
pub async fn process_picture(
    bytes: Vec<u8>,
) -> Result<
    Result<guichet_integrations::images::Picture, guichet_integrations::images::ImageError>,
    AppError,
> {
    tokio::task::spawn_blocking(move || guichet_integrations::images::process(&bytes))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// [`process_picture`] for a form whose only field is the file.
pub async fn picture_field(
    bytes: Vec<u8>,
) -> Result<guichet_integrations::images::Picture, AppError> {
    process_picture(bytes)
        .await?
        .map_err(|e| AppError::field("file", e.code()))
}
