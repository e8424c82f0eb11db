//! Groups in a manual order (product groups, offer groups): one set of use cases.

pub use guichet_store::groups::{Group, GroupId, GroupKind};

use crate::Actor;
use crate::App;
use crate::AppError;
use guichet_domain::validation::FieldErrors;
use guichet_domain::{Permission, text};
use guichet_store::groups;

/// Every role reads the groups (the register shows them as tabs).
pub async fn list(state: &App, actor: &Actor, kind: GroupKind) -> Result<Vec<Group>, AppError> {
    actor.require(Permission::UseBackOffice)?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .read(|tx| Box::pin(async move { groups::list(tx, tenant, kind).await }))
        .await?)
}

fn parse_name(name: &str) -> Result<String, AppError> {
    let mut e = FieldErrors::new();
    let name = e.check("name", text::required(name, 80));
    e.into_result()?;
    name.ok_or_else(|| AppError::Internal("validated input missing".into()))
}

pub async fn create(
    state: &App,
    actor: &Actor,
    kind: GroupKind,
    name: &str,
) -> Result<Group, AppError> {
    actor.require(Permission::ManageCatalogue)?;
    let name = parse_name(name)?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .write(|tx| {
            let name = name.clone();
            Box::pin(async move { groups::create(tx, tenant, kind, &name).await })
        })
        .await?)
}

pub async fn rename(
    state: &App,
    actor: &Actor,
    kind: GroupKind,
    id: GroupId,
    name: &str,
) -> Result<Group, AppError> {
    actor.require(Permission::ManageCatalogue)?;
    let name = parse_name(name)?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .write(|tx| {
            let name = name.clone();
            Box::pin(async move { groups::rename(tx, tenant, kind, id, &name).await })
        })
        .await?)
}

pub async fn move_by(
    state: &App,
    actor: &Actor,
    kind: GroupKind,
    id: GroupId,
    delta: i32,
) -> Result<Vec<Group>, AppError> {
    actor.require(Permission::ManageCatalogue)?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .write(|tx| Box::pin(async move { groups::move_by(tx, tenant, kind, id, delta).await }))
        .await?)
}

pub async fn delete(
    state: &App,
    actor: &Actor,
    kind: GroupKind,
    id: GroupId,
) -> Result<(), AppError> {
    actor.require(Permission::ManageCatalogue)?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .write(|tx| Box::pin(async move { groups::delete(tx, tenant, kind, id).await }))
        .await?)
}
