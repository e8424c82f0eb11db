//! Online booking modules (issue 16 §1): the back office sets them up (managers and
//! admins), the public booking flow reads one by the slugs of its address.

pub use guichet_domain::booking_module::frame_ancestors;
pub use guichet_store::booking_modules::BookingModule;

use crate::paging::{self, Page};
use crate::{Actor, App, AppError};
use guichet_domain::booking_module::{
    BookingField, ModuleColors, ModuleDetails, ModuleInput, ModuleKind, ModuleLanguage,
};
use guichet_domain::org::Language;
use guichet_domain::{BookingModuleId, OfferId, OrganizationId, Permission};
use guichet_store::booking_modules;
use serde::Serialize;

/// What a list page asks for: the cursor (`next` of the previous page) and the page size.
#[derive(Debug, Clone, Default)]
pub struct ModuleListQuery {
    pub after: Option<String>,
    pub limit: Option<u32>,
}

/// A page of the organization's modules, archived ones included, in creation order.
pub async fn page(
    state: &App,
    actor: &Actor,
    query: &ModuleListQuery,
) -> Result<Page<BookingModule>, AppError> {
    actor.require(Permission::ManageDistribution)?;
    let limit = paging::limit(query.limit)?;
    let after = match query.after.as_deref() {
        Some(raw) => Some(
            raw.parse::<BookingModuleId>()
                .map_err(|_| paging::bad_cursor())?,
        ),
        None => None,
    };
    let tenant = actor.tenant;
    let fetch = limit as i64 + 1;
    let rows = state
        .store
        .read(|tx| {
            Box::pin(async move { booking_modules::list_page(tx, tenant, after, fetch).await })
        })
        .await?;
    Ok(paging::page(rows, limit, |m| m.id.0.simple().to_string()))
}

/// Every module of the organization, active ones first, by name (the back office's list).
pub async fn list(state: &App, actor: &Actor) -> Result<Vec<BookingModule>, AppError> {
    actor.require(Permission::ManageDistribution)?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .read(|tx| Box::pin(async move { booking_modules::list(tx, tenant).await }))
        .await?)
}

pub async fn get(
    state: &App,
    actor: &Actor,
    id: BookingModuleId,
) -> Result<BookingModule, AppError> {
    actor.require(Permission::ManageDistribution)?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .read(|tx| Box::pin(async move { booking_modules::get(tx, tenant, id).await }))
        .await?)
}

pub async fn create(
    state: &App,
    actor: &Actor,
    input: &ModuleInput,
) -> Result<BookingModule, AppError> {
    actor.require(Permission::ManageDistribution)?;
    let d: ModuleDetails = input.parse()?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .write(|tx| {
            let d = d.clone();
            Box::pin(async move { booking_modules::create(tx, tenant, &d).await })
        })
        .await?)
}

pub async fn update(
    state: &App,
    actor: &Actor,
    id: BookingModuleId,
    input: &ModuleInput,
) -> Result<BookingModule, AppError> {
    actor.require(Permission::ManageDistribution)?;
    let d: ModuleDetails = input.parse()?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .write(|tx| {
            let d = d.clone();
            Box::pin(async move { booking_modules::update(tx, tenant, id, &d).await })
        })
        .await?)
}

/// Archives (`true`) or restores (`false`) a module; an archived module's public address
/// answers "not found".
pub async fn archive(
    state: &App,
    actor: &Actor,
    id: BookingModuleId,
    archived: bool,
) -> Result<BookingModule, AppError> {
    actor.require(Permission::ManageDistribution)?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .write(|tx| {
            Box::pin(async move { booking_modules::set_archived(tx, tenant, id, archived).await })
        })
        .await?)
}

/// Everything the public booking flow needs to show a module, read by the slugs of its
/// address `/book/{organization}/{module}`.
#[derive(Debug, Clone, Serialize)]
pub struct PublicModule {
    /// The organization the address names: the flow's use cases act in it.
    #[serde(skip)]
    pub tenant: guichet_store::Tenant,
    pub organization_id: OrganizationId,
    pub organization_name: String,
    pub organization_slug: String,
    /// IANA time zone: what "today" and a visit date mean.
    pub time_zone: String,
    /// The organization's default language (public pages fall back to it).
    pub default_language: Language,
    pub module_id: BookingModuleId,
    pub module_slug: String,
    pub kind: ModuleKind,
    /// The one offer shown; `None`: every offer sold online.
    pub offer_id: Option<OfferId>,
    /// A fixed language, or `Browser`: the visitor's `Accept-Language`.
    pub language: ModuleLanguage,
    /// Where to send the visitor after the purchase; `None`: the flow's own confirmation.
    pub return_url: Option<String>,
    /// The booking fields the visitor must fill in (the others are optional), form order.
    pub required_fields: Vec<BookingField>,
    pub colors: ModuleColors,
    /// Web-analytics measurement id, to load only when set.
    pub analytics_id: Option<String>,
    /// Host names allowed to frame the flow; [`PublicModule::frame_ancestors`] makes the
    /// header of them.
    pub frame_domains: Vec<String>,
}

impl PublicModule {
    /// The `Content-Security-Policy` directive the flow's pages send for this module
    /// (`frame-ancestors 'self' https://www.grottes.be …`).
    pub fn frame_ancestors(&self) -> String {
        frame_ancestors(&self.frame_domains)
    }
}

/// The active module at `/book/{org_slug}/{module_slug}`, for the booking flow (no actor:
/// visitors are nobody). Unknown slugs and archived modules are `NotFound` alike.
pub async fn public_module(
    state: &App,
    org_slug: &str,
    module_slug: &str,
) -> Result<PublicModule, AppError> {
    let (org_slug, module_slug) = (org_slug.to_owned(), module_slug.to_owned());
    state
        .store
        .read(|tx| {
            let (org_slug, module_slug) = (org_slug.clone(), module_slug.clone());
            Box::pin(async move {
                let (tenant, m) = booking_modules::find_public(tx, &org_slug, &module_slug).await?;
                let org = guichet_store::organizations::get(tx, tenant).await?;
                Ok(PublicModule {
                    tenant,
                    organization_id: org.id,
                    organization_name: org.name,
                    organization_slug: org.slug,
                    time_zone: org.time_zone,
                    default_language: org.default_language,
                    module_id: m.id,
                    module_slug: m.slug,
                    kind: m.kind,
                    offer_id: m.offer_id,
                    language: m.language,
                    return_url: m.return_url,
                    required_fields: m.fields.required(),
                    colors: m.colors,
                    analytics_id: m.analytics_id,
                    frame_domains: m.frame_domains,
                })
            })
        })
        .await
        .map_err(AppError::from)
}

/// The organization's public slug, for the modules' addresses and snippets.
pub async fn organization_slug(state: &App, actor: &Actor) -> Result<String, AppError> {
    actor.require(Permission::ManageDistribution)?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .read(|tx| Box::pin(async move { guichet_store::organizations::get(tx, tenant).await }))
        .await?
        .slug)
}
