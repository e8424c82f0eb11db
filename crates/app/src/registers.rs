//! Registers (counter and phone) and the sites they stand on.

pub use guichet_store::registers::Register;

use crate::Actor;
use crate::App;
use crate::AppError;
use guichet_domain::org::RegisterInput;
use guichet_domain::{Permission, RegisterId, SiteId};
use guichet_store::StoreError;
use guichet_store::registers;

pub async fn registers(state: &App, actor: &Actor) -> Result<Vec<Register>, AppError> {
    actor.require(Permission::ManageRegisters)?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .read(|tx| Box::pin(async move { registers::list(tx, tenant).await }))
        .await?)
}

pub async fn register(state: &App, actor: &Actor, id: RegisterId) -> Result<Register, AppError> {
    actor.require(Permission::ManageRegisters)?;
    let tenant = actor.tenant;
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
    state: &App,
    actor: &Actor,
    input: &RegisterInput,
) -> Result<Register, AppError> {
    actor.require(Permission::ManageRegisters)?;
    let (site, d) = parse_register(input)?;
    let tenant = actor.tenant;
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
    state: &App,
    actor: &Actor,
    id: RegisterId,
    input: &RegisterInput,
) -> Result<Register, AppError> {
    actor.require(Permission::ManageRegisters)?;
    let (site, d) = parse_register(input)?;
    let tenant = actor.tenant;
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
    state: &App,
    actor: &Actor,
    id: RegisterId,
    archived: bool,
) -> Result<Register, AppError> {
    actor.require(Permission::ManageRegisters)?;
    let tenant = actor.tenant;
    state
        .store
        .write(|tx| {
            Box::pin(async move { registers::set_archived(tx, tenant, id, archived).await })
        })
        .await
        .map_err(site_refusal)
}
