//! VAT rates and the presets of a country.

pub use guichet_store::vat_rates::{Removal, VatRate as StoredVatRate};

use crate::Actor;
use crate::App;
use crate::AppError;
use guichet_domain::org::vat_preset;
use guichet_domain::validation::FieldErrors;
use guichet_domain::{Permission, VatRate, VatRateId, text};
use guichet_store::vat_rates;
use guichet_store::{StoreError, Tenant};
use serde::Deserialize;

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

pub async fn vat_rates(state: &App, actor: &Actor) -> Result<Vec<StoredVatRate>, AppError> {
    actor.require(Permission::ViewVatRates)?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .read(|tx| Box::pin(async move { vat_rates::list(tx, tenant).await }))
        .await?)
}

pub async fn vat_rate(
    state: &App,
    actor: &Actor,
    id: VatRateId,
) -> Result<StoredVatRate, AppError> {
    actor.require(Permission::ViewVatRates)?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .read(|tx| Box::pin(async move { vat_rates::get(tx, tenant, id).await }))
        .await?)
}

pub async fn create_vat_rate(
    state: &App,
    actor: &Actor,
    (label, rate): (String, VatRate),
) -> Result<StoredVatRate, AppError> {
    actor.require(Permission::ManageVatRates)?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .write(|tx| {
            let label = label.clone();
            Box::pin(async move { vat_rates::create(tx, tenant, &label, rate).await })
        })
        .await?)
}

pub async fn update_vat_rate(
    state: &App,
    actor: &Actor,
    id: VatRateId,
    (label, rate): (String, VatRate),
) -> Result<StoredVatRate, AppError> {
    actor.require(Permission::ManageVatRates)?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .write(|tx| {
            let label = label.clone();
            Box::pin(async move { vat_rates::update(tx, tenant, id, &label, rate).await })
        })
        .await?)
}

pub async fn archive_vat_rate(
    state: &App,
    actor: &Actor,
    id: VatRateId,
    archived: bool,
) -> Result<StoredVatRate, AppError> {
    actor.require(Permission::ManageVatRates)?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .write(|tx| {
            Box::pin(async move { vat_rates::set_archived(tx, tenant, id, archived).await })
        })
        .await?)
}

pub async fn remove_vat_rate(
    state: &App,
    actor: &Actor,
    id: VatRateId,
) -> Result<Removal, AppError> {
    actor.require(Permission::ManageVatRates)?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .write(|tx| Box::pin(async move { vat_rates::remove(tx, tenant, id).await }))
        .await?)
}

/// Adds a country's standard rates, skipping those the organization already has.
pub async fn apply_vat_preset(
    state: &App,
    actor: &Actor,
    country: &str,
) -> Result<usize, AppError> {
    actor.require(Permission::ManageVatRates)?;
    let preset = vat_preset(country).ok_or_else(|| AppError::field("country", "unknown_value"))?;
    let tenant = actor.tenant;
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
