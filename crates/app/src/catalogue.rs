//! Ticket types and extras use cases (one code path for both kinds).

pub use guichet_store::items::{Item, ItemId};

use crate::Actor;
use crate::App;
use crate::AppError;
use guichet_domain::catalogue::{ItemInput, ItemKind};
use guichet_domain::{Permission, VatRateId};
use guichet_store::StoreError;
use guichet_store::items;

fn refusal(e: StoreError) -> AppError {
    match e {
        StoreError::Refused("unknown_vat_rate") => {
            AppError::field("vat_rate_id", "unknown_vat_rate")
        }
        other => other.into(),
    }
}

/// Ticket types and extras are read by every role (the register sells them) and set up by
/// managers and admins.
pub async fn list(state: &App, actor: &Actor, kind: ItemKind) -> Result<Vec<Item>, AppError> {
    actor.require(Permission::UseBackOffice)?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .read(|tx| Box::pin(async move { items::list(tx, tenant, kind).await }))
        .await?)
}

pub async fn get(state: &App, actor: &Actor, kind: ItemKind, id: ItemId) -> Result<Item, AppError> {
    actor.require(Permission::UseBackOffice)?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .read(|tx| Box::pin(async move { items::get(tx, tenant, kind, id).await }))
        .await?)
}

fn parse(
    input: &ItemInput,
) -> Result<(guichet_domain::catalogue::ItemDetails, VatRateId), AppError> {
    let parsed = input.parse();
    let vat = input.vat_rate_id.trim().parse::<VatRateId>();
    match (parsed, vat) {
        (Ok(d), Ok(v)) => Ok((d, v)),
        (parsed, vat) => {
            let mut e = parsed.err().unwrap_or_default();
            if vat.is_err() {
                e.add("vat_rate_id", "unknown_vat_rate");
            }
            Err(AppError::Invalid(e))
        }
    }
}

pub async fn create(
    state: &App,
    actor: &Actor,
    kind: ItemKind,
    input: &ItemInput,
) -> Result<Item, AppError> {
    actor.require(Permission::ManageCatalogue)?;
    let (d, vat) = parse(input)?;
    let tenant = actor.tenant;
    state
        .store
        .write(|tx| {
            let d = d.clone();
            Box::pin(async move { items::create(tx, tenant, kind, &d, vat).await })
        })
        .await
        .map_err(refusal)
}

pub async fn update(
    state: &App,
    actor: &Actor,
    kind: ItemKind,
    id: ItemId,
    input: &ItemInput,
) -> Result<Item, AppError> {
    actor.require(Permission::ManageCatalogue)?;
    let (d, vat) = parse(input)?;
    let tenant = actor.tenant;
    state
        .store
        .write(|tx| {
            let d = d.clone();
            Box::pin(async move { items::update(tx, tenant, kind, id, &d, vat).await })
        })
        .await
        .map_err(refusal)
}

pub async fn archive(
    state: &App,
    actor: &Actor,
    kind: ItemKind,
    id: ItemId,
    archived: bool,
) -> Result<Item, AppError> {
    actor.require(Permission::ManageCatalogue)?;
    let tenant = actor.tenant;
    state
        .store
        .write(|tx| {
            Box::pin(async move { items::set_archived(tx, tenant, kind, id, archived).await })
        })
        .await
        .map_err(refusal)
}

/// Sets (`Some`: a JPEG, PNG or WebP upload of at most 5 MB) or removes (`None`) the picture shown
/// for a ticket type or extra.
pub async fn set_picture(
    state: &App,
    actor: &Actor,
    kind: ItemKind,
    id: ItemId,
    bytes: Option<Vec<u8>>,
) -> Result<Item, AppError> {
    actor.require(Permission::ManageCatalogue)?;
    let picture = match bytes {
        Some(b) => Some(std::sync::Arc::new(
            crate::pictures::picture_field(b).await?,
        )),
        None => None,
    };
    let tenant = actor.tenant;
    Ok(state
        .store
        .write(|tx| {
            let p = picture.clone();
            Box::pin(async move {
                let p = p
                    .as_deref()
                    .map(|p| (p.mime, p.data.as_slice(), p.thumbnail.as_slice()));
                items::set_picture(tx, tenant, kind, id, p).await
            })
        })
        .await?)
}
