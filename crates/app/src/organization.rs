//! The organization, its sites and its time zone.

pub use guichet_store::organizations::Organization;
pub use guichet_store::sites::Site;

use crate::Actor;
use crate::App;
use crate::AppError;
use guichet_domain::org::{OrganizationDetails, OrganizationInput, SiteInput};
use guichet_domain::{Permission, SiteId};
use guichet_store::Tenant;
use guichet_store::organizations;
use guichet_store::sites;

pub async fn organization(state: &App, actor: &Actor) -> Result<Organization, AppError> {
    actor.require(Permission::ViewOrganization)?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .read(|tx| Box::pin(async move { organizations::get(tx, tenant).await }))
        .await?)
}

/// The organization's name, for printed documents (any role).
pub async fn organization_name(state: &App, tenant: Tenant) -> Result<String, AppError> {
    Ok(state
        .store
        .read(|tx| Box::pin(async move { organizations::get(tx, tenant).await }))
        .await?
        .name)
}

/// The organization's time zone, ready to compute local days with.
pub async fn zone(state: &App, actor: &Actor) -> Result<jiff::tz::TimeZone, AppError> {
    zone_of(&time_zone(state, actor.tenant).await?)
}

/// The time zone stored under `name` (a stored name that is not one is a server error).
pub(crate) fn zone_of(name: &str) -> Result<jiff::tz::TimeZone, AppError> {
    jiff::tz::TimeZone::get(name).map_err(|e| AppError::Internal(e.to_string()))
}

/// The organization's time zone, for showing instants (any role).
pub async fn time_zone(state: &App, tenant: Tenant) -> Result<String, AppError> {
    Ok(state
        .store
        .read(|tx| Box::pin(async move { organizations::get(tx, tenant).await }))
        .await?
        .time_zone)
}

pub async fn update_organization(
    state: &App,
    actor: &Actor,
    input: &OrganizationInput,
) -> Result<Organization, AppError> {
    actor.require(Permission::EditOrganization)?;
    let details: OrganizationDetails = input.parse()?;
    let tenant = actor.tenant;
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

pub async fn sites(state: &App, actor: &Actor) -> Result<Vec<Site>, AppError> {
    actor.require(Permission::ViewOrganization)?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .read(|tx| Box::pin(async move { sites::list(tx, tenant).await }))
        .await?)
}

/// Active sites, for choosing where a register stands.
pub async fn active_sites(state: &App, actor: &Actor) -> Result<Vec<Site>, AppError> {
    actor.require(Permission::ManageRegisters)?;
    let tenant = actor.tenant;
    let all = state
        .store
        .read(|tx| Box::pin(async move { sites::list(tx, tenant).await }))
        .await?;
    Ok(all.into_iter().filter(|s| !s.archived).collect())
}

pub async fn site(state: &App, actor: &Actor, id: SiteId) -> Result<Site, AppError> {
    actor.require(Permission::ViewOrganization)?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .read(|tx| Box::pin(async move { sites::get(tx, tenant, id).await }))
        .await?)
}

pub async fn create_site(state: &App, actor: &Actor, input: &SiteInput) -> Result<Site, AppError> {
    actor.require(Permission::EditOrganization)?;
    let d = input.parse()?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .write(|tx| {
            let d = d.clone();
            Box::pin(async move { sites::create(tx, tenant, &d).await })
        })
        .await?)
}

pub async fn update_site(
    state: &App,
    actor: &Actor,
    id: SiteId,
    input: &SiteInput,
) -> Result<Site, AppError> {
    actor.require(Permission::EditOrganization)?;
    let d = input.parse()?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .write(|tx| {
            let d = d.clone();
            Box::pin(async move { sites::update(tx, tenant, id, &d).await })
        })
        .await?)
}

pub async fn archive_site(
    state: &App,
    actor: &Actor,
    id: SiteId,
    archived: bool,
) -> Result<Site, AppError> {
    actor.require(Permission::EditOrganization)?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .write(|tx| Box::pin(async move { sites::set_archived(tx, tenant, id, archived).await }))
        .await?)
}

/// Sets up a new organization (the operator's command line, the demo, the benchmarks): its
/// details, optionally its first site, optionally a country's VAT rates, and the payment
/// methods it starts without ([`PaymentMethod::OFF_AT_START`]), in one transaction.
///
/// [`PaymentMethod::OFF_AT_START`]: guichet_domain::order::PaymentMethod::OFF_AT_START
pub async fn create_organization(
    state: &App,
    details: &guichet_domain::org::OrganizationDetails,
    site: Option<&guichet_domain::org::SiteDetails>,
    preset: Option<&'static guichet_domain::org::VatPreset>,
) -> Result<Tenant, AppError> {
    let (details, site) = (details.clone(), site.cloned());
    Ok(state
        .store
        .write(|tx| {
            let (details, site) = (details.clone(), site.clone());
            Box::pin(async move {
                let tenant = organizations::create(tx, &details).await?;
                if let Some(site) = &site {
                    sites::create(tx, tenant, site).await?;
                }
                if let Some(p) = preset {
                    crate::vat_rates::add_preset(tx, tenant, p).await?;
                }
                for m in guichet_domain::order::PaymentMethod::OFF_AT_START {
                    guichet_store::orders::set_method_enabled(tx, tenant, m, false).await?;
                }
                Ok(tenant)
            })
        })
        .await?)
}
