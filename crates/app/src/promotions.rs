//! Promotions and promo codes use cases: read by every back-office role (the register
//! applies them), set up by managers and admins.

use crate::Actor;
use crate::App;
use crate::AppError;
use guichet_domain::promotion::{PromoCodeInput, PromotionInput};
use guichet_domain::{Permission, PromoCodeId, PromotionId};
use guichet_store::promotions::{self, PromoCode, Promotion};

pub async fn list_promotions(state: &App, actor: &Actor) -> Result<Vec<Promotion>, AppError> {
    actor.require(Permission::UseBackOffice)?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .read(|tx| Box::pin(async move { promotions::list_promotions(tx, tenant).await }))
        .await?)
}

pub async fn get_promotion(
    state: &App,
    actor: &Actor,
    id: PromotionId,
) -> Result<Promotion, AppError> {
    actor.require(Permission::UseBackOffice)?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .read(|tx| Box::pin(async move { promotions::get_promotion(tx, tenant, id).await }))
        .await?)
}

/// Creates (`id` = None) or replaces a promotion.
pub async fn save_promotion(
    state: &App,
    actor: &Actor,
    id: Option<PromotionId>,
    input: &PromotionInput,
) -> Result<Promotion, AppError> {
    actor.require(Permission::ManageCatalogue)?;
    let d = input.parse()?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .write(|tx| {
            let d = d.clone();
            Box::pin(async move {
                match id {
                    Some(id) => promotions::update_promotion(tx, tenant, id, &d).await,
                    None => promotions::create_promotion(tx, tenant, &d).await,
                }
            })
        })
        .await?)
}

pub async fn archive_promotion(
    state: &App,
    actor: &Actor,
    id: PromotionId,
    archived: bool,
) -> Result<Promotion, AppError> {
    actor.require(Permission::ManageCatalogue)?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .write(|tx| {
            Box::pin(
                async move { promotions::set_promotion_archived(tx, tenant, id, archived).await },
            )
        })
        .await?)
}

pub async fn list_codes(state: &App, actor: &Actor) -> Result<Vec<PromoCode>, AppError> {
    actor.require(Permission::UseBackOffice)?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .read(|tx| Box::pin(async move { promotions::list_codes(tx, tenant).await }))
        .await?)
}

pub async fn get_code(state: &App, actor: &Actor, id: PromoCodeId) -> Result<PromoCode, AppError> {
    actor.require(Permission::UseBackOffice)?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .read(|tx| Box::pin(async move { promotions::get_code(tx, tenant, id).await }))
        .await?)
}

/// The active code typed at the register or online, in any case; not found when unknown
/// or archived.
pub async fn lookup_code(state: &App, actor: &Actor, raw: &str) -> Result<PromoCode, AppError> {
    actor.require(Permission::UseBackOffice)?;
    let tenant = actor.tenant;
    let raw = raw.to_owned();
    state
        .store
        .read(|tx| Box::pin(async move { promotions::find_code(tx, tenant, &raw).await }))
        .await?
        .ok_or(AppError::NotFound)
}

/// Creates (`id` = None) or replaces a promo code; its count of uses is kept.
pub async fn save_code(
    state: &App,
    actor: &Actor,
    id: Option<PromoCodeId>,
    input: &PromoCodeInput,
) -> Result<PromoCode, AppError> {
    actor.require(Permission::ManageCatalogue)?;
    let d = input.parse()?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .write(|tx| {
            let d = d.clone();
            Box::pin(async move {
                match id {
                    Some(id) => promotions::update_code(tx, tenant, id, &d).await,
                    None => promotions::create_code(tx, tenant, &d).await,
                }
            })
        })
        .await?)
}

pub async fn archive_code(
    state: &App,
    actor: &Actor,
    id: PromoCodeId,
    archived: bool,
) -> Result<PromoCode, AppError> {
    actor.require(Permission::ManageCatalogue)?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .write(|tx| {
            Box::pin(async move { promotions::set_code_archived(tx, tenant, id, archived).await })
        })
        .await?)
}
