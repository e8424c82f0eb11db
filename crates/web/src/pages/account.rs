//! Account pages: the organization's details and sites, VAT rates, API keys.

use super::support::{ArchiveForm, Flash, OrPage, done, form_errors, parse_id};
use crate::auth::{Ctx, PageCtx};
use crate::error::PageError;
use crate::state::AppState;
use crate::view::{Nav, Tr, render_status};
use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use guichet_app::api_keys::ApiKey;
use guichet_app::api_keys::ApiKeyInput;
use guichet_app::organization::Site;
use guichet_app::vat_rates::VatRateForm;
use guichet_app::vat_rates::{Removal, StoredVatRate};
use guichet_domain::org::{AddressInput, CURRENCIES, OrganizationInput, SiteInput};
use guichet_domain::{FieldErrors, Permission, SiteId, VatRate, VatRateId};
use serde::Deserialize;

/// The routes of these pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account/details", get(details).post(update_details))
        .route("/account/sites/new", get(new_site).post(create_site))
        .route("/account/sites/{id}", get(edit_site).post(update_site))
        .route("/account/sites/{id}/archive", post(archive_site))
        .route("/account/taxes", get(taxes).post(create_tax))
        .route("/account/taxes/preset", post(tax_preset))
        .route("/account/taxes/{id}", get(edit_tax).post(update_tax))
        .route("/account/taxes/{id}/archive", post(archive_tax))
        .route("/account/taxes/{id}/delete", post(delete_tax))
        .route("/account/api-keys", get(api_keys).post(create_api_key))
        .route("/account/api-keys/{id}/revoke", post(revoke_api_key))
}

fn status_for(errors: &FieldErrors) -> StatusCode {
    if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

// ---------------------------------------------------------------- details and sites

#[derive(Template)]
#[template(path = "org_details.html")]
struct DetailsPage {
    tr: Tr,
    nav: Nav,
    can_edit: bool,
    form: OrganizationInput,
    errors: FieldErrors,
    sites: Vec<Site>,
    currencies: &'static [&'static str],
}

async fn details_page(
    state: &AppState,
    ctx: &Ctx,
    flash: Option<&str>,
    form: Option<OrganizationInput>,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let org = guichet_app::organization::organization(state, ctx)
        .await
        .or_page(ctx)?;
    let sites = guichet_app::organization::sites(state, ctx)
        .await
        .or_page(ctx)?;
    Ok(render_status(
        status_for(&errors),
        &DetailsPage {
            tr: Tr(ctx.lang),
            nav: Nav::new(ctx, "/account/details", flash),
            can_edit: ctx.can(Permission::EditOrganization),
            form: form.unwrap_or_else(|| OrganizationInput::from_details(&org.details())),
            errors,
            sites,
            currencies: &CURRENCIES,
        },
    ))
}

pub async fn details(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(flash): Query<Flash>,
) -> Result<Response, PageError> {
    details_page(&state, &ctx, flash.key(), None, FieldErrors::new()).await
}

pub async fn update_details(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Form(form): Form<OrganizationInput>,
) -> Result<Response, PageError> {
    match guichet_app::organization::update_organization(&state, &ctx, &form).await {
        Ok(_) => Ok(done("/account/details", "saved")),
        Err(e) => {
            let errors = form_errors(e, &ctx)?;
            details_page(&state, &ctx, None, Some(form), errors).await
        }
    }
}

#[derive(Template)]
#[template(path = "site_form.html")]
struct SitePage {
    tr: Tr,
    nav: Nav,
    title: &'static str,
    form: SiteInput,
    errors: FieldErrors,
    site_id: Option<SiteId>,
    archived: bool,
}

fn site_page(ctx: &Ctx, site: Option<&Site>, form: SiteInput, errors: FieldErrors) -> Response {
    render_status(
        status_for(&errors),
        &SitePage {
            tr: Tr(ctx.lang),
            nav: Nav::new(ctx, "/account/details", None),
            title: if site.is_some() {
                "sites-edit"
            } else {
                "action-new-site"
            },
            form,
            errors,
            site_id: site.map(|s| s.id),
            archived: site.is_some_and(|s| s.archived),
        },
    )
}

pub async fn new_site(PageCtx(ctx): PageCtx) -> Result<Response, PageError> {
    ctx.require(Permission::EditOrganization).or_page(&ctx)?;
    let form = SiteInput {
        address: AddressInput {
            country: "BE".into(),
            ..Default::default()
        },
        ..Default::default()
    };
    Ok(site_page(&ctx, None, form, FieldErrors::new()))
}

pub async fn create_site(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Form(form): Form<SiteInput>,
) -> Result<Response, PageError> {
    match guichet_app::organization::create_site(&state, &ctx, &form).await {
        Ok(_) => Ok(done("/account/details", "site-saved")),
        Err(e) => Ok(site_page(&ctx, None, form, form_errors(e, &ctx)?)),
    }
}

pub async fn edit_site(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    ctx.require(Permission::EditOrganization).or_page(&ctx)?;
    let site = guichet_app::organization::site(&state, &ctx, parse_id(&id, &ctx)?)
        .await
        .or_page(&ctx)?;
    let form = SiteInput {
        name: site.name.clone(),
        address: AddressInput::from_address(&site.address),
    };
    Ok(site_page(&ctx, Some(&site), form, FieldErrors::new()))
}

pub async fn update_site(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<String>,
    Form(form): Form<SiteInput>,
) -> Result<Response, PageError> {
    let id: SiteId = parse_id(&id, &ctx)?;
    match guichet_app::organization::update_site(&state, &ctx, id, &form).await {
        Ok(_) => Ok(done("/account/details", "site-saved")),
        Err(e) => {
            let errors = form_errors(e, &ctx)?;
            let site = guichet_app::organization::site(&state, &ctx, id)
                .await
                .or_page(&ctx)?;
            Ok(site_page(&ctx, Some(&site), form, errors))
        }
    }
}

pub async fn archive_site(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<String>,
    Form(form): Form<ArchiveForm>,
) -> Result<Response, PageError> {
    let id: SiteId = parse_id(&id, &ctx)?;
    match guichet_app::organization::archive_site(&state, &ctx, id, form.archived()).await {
        Ok(_) => Ok(done(
            "/account/details",
            if form.archived() {
                "archived"
            } else {
                "restored"
            },
        )),
        Err(e) => {
            let errors = form_errors(e, &ctx)?;
            let site = guichet_app::organization::site(&state, &ctx, id)
                .await
                .or_page(&ctx)?;
            let input = SiteInput {
                name: site.name.clone(),
                address: AddressInput::from_address(&site.address),
            };
            Ok(site_page(&ctx, Some(&site), input, errors))
        }
    }
}

// ---------------------------------------------------------------- VAT rates

#[derive(Template)]
#[template(path = "taxes.html")]
struct TaxesPage {
    tr: Tr,
    nav: Nav,
    rates: Vec<StoredVatRate>,
    can_manage: bool,
    form: VatRateForm,
    errors: FieldErrors,
}

impl TaxesPage {
    fn percent(&self, bp: &u32) -> String {
        VatRate::from_basis_points(i64::from(*bp))
            .map(|r| r.to_string())
            .unwrap_or_default()
    }
}

async fn taxes_page(
    state: &AppState,
    ctx: &Ctx,
    flash: Option<&str>,
    form: VatRateForm,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let rates = guichet_app::vat_rates::vat_rates(state, ctx)
        .await
        .or_page(ctx)?;
    Ok(render_status(
        status_for(&errors),
        &TaxesPage {
            tr: Tr(ctx.lang),
            nav: Nav::new(ctx, "/account/taxes", flash),
            rates,
            can_manage: ctx.can(Permission::ManageVatRates),
            form,
            errors,
        },
    ))
}

pub async fn taxes(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(flash): Query<Flash>,
) -> Result<Response, PageError> {
    taxes_page(
        &state,
        &ctx,
        flash.key(),
        VatRateForm::default(),
        FieldErrors::new(),
    )
    .await
}

pub async fn create_tax(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Form(form): Form<VatRateForm>,
) -> Result<Response, PageError> {
    let result = match guichet_app::vat_rates::parse_vat_form(&form) {
        Ok(parsed) => guichet_app::vat_rates::create_vat_rate(&state, &ctx, parsed).await,
        Err(e) => {
            // Permission first: a seller gets 403, not a validation message.
            ctx.require(Permission::ManageVatRates).or_page(&ctx)?;
            Err(e)
        }
    };
    match result {
        Ok(_) => Ok(done("/account/taxes", "vat-created")),
        Err(e) => {
            let errors = form_errors(e, &ctx)?;
            taxes_page(&state, &ctx, None, form, errors).await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PresetForm {
    country: String,
}

pub async fn tax_preset(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Form(form): Form<PresetForm>,
) -> Result<Response, PageError> {
    guichet_app::vat_rates::apply_vat_preset(&state, &ctx, &form.country)
        .await
        .or_page(&ctx)?;
    Ok(done("/account/taxes", "vat-preset"))
}

#[derive(Template)]
#[template(path = "tax_edit.html")]
struct TaxEditPage {
    tr: Tr,
    nav: Nav,
    rate: StoredVatRate,
    form: VatRateForm,
    errors: FieldErrors,
}

fn tax_edit_page(
    ctx: &Ctx,
    rate: StoredVatRate,
    form: VatRateForm,
    errors: FieldErrors,
) -> Response {
    render_status(
        status_for(&errors),
        &TaxEditPage {
            tr: Tr(ctx.lang),
            nav: Nav::new(ctx, "/account/taxes", None),
            rate,
            form,
            errors,
        },
    )
}

fn form_of(rate: &StoredVatRate) -> VatRateForm {
    let shown = VatRate::from_basis_points(i64::from(rate.rate_basis_points))
        .map(|r| r.to_string())
        .unwrap_or_default();
    VatRateForm {
        label: rate.label.clone(),
        rate: shown.trim_end_matches(" %").to_owned(),
    }
}

pub async fn edit_tax(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    ctx.require(Permission::ManageVatRates).or_page(&ctx)?;
    let rate = guichet_app::vat_rates::vat_rate(&state, &ctx, parse_id(&id, &ctx)?)
        .await
        .or_page(&ctx)?;
    let form = form_of(&rate);
    Ok(tax_edit_page(&ctx, rate, form, FieldErrors::new()))
}

pub async fn update_tax(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<String>,
    Form(form): Form<VatRateForm>,
) -> Result<Response, PageError> {
    ctx.require(Permission::ManageVatRates).or_page(&ctx)?;
    let id: VatRateId = parse_id(&id, &ctx)?;
    let result = match guichet_app::vat_rates::parse_vat_form(&form) {
        Ok(parsed) => guichet_app::vat_rates::update_vat_rate(&state, &ctx, id, parsed).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(done("/account/taxes", "saved")),
        Err(e) => {
            let errors = form_errors(e, &ctx)?;
            let rate = guichet_app::vat_rates::vat_rate(&state, &ctx, id)
                .await
                .or_page(&ctx)?;
            Ok(tax_edit_page(&ctx, rate, form, errors))
        }
    }
}

pub async fn archive_tax(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<String>,
    Form(form): Form<ArchiveForm>,
) -> Result<Response, PageError> {
    let id: VatRateId = parse_id(&id, &ctx)?;
    match guichet_app::vat_rates::archive_vat_rate(&state, &ctx, id, form.archived()).await {
        Ok(_) => Ok(done(
            "/account/taxes",
            if form.archived() {
                "archived"
            } else {
                "restored"
            },
        )),
        Err(e) => {
            let errors = form_errors(e, &ctx)?;
            let rate = guichet_app::vat_rates::vat_rate(&state, &ctx, id)
                .await
                .or_page(&ctx)?;
            let f = form_of(&rate);
            Ok(tax_edit_page(&ctx, rate, f, errors))
        }
    }
}

pub async fn delete_tax(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id: VatRateId = parse_id(&id, &ctx)?;
    let removal = guichet_app::vat_rates::remove_vat_rate(&state, &ctx, id)
        .await
        .or_page(&ctx)?;
    Ok(done(
        "/account/taxes",
        if removal == Removal::Deleted {
            "deleted"
        } else {
            "vat-archived-in-use"
        },
    ))
}

// ---------------------------------------------------------------- API keys

#[derive(Template)]
#[template(path = "api_keys.html")]
struct ApiKeysPage {
    tr: Tr,
    nav: Nav,
    keys: Vec<ApiKey>,
    new_secret: Option<String>,
    form: ApiKeyInput,
    errors: FieldErrors,
    time_zone: String,
}

async fn api_keys_page(
    state: &AppState,
    ctx: &Ctx,
    flash: Option<&str>,
    new_secret: Option<String>,
    form: ApiKeyInput,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let keys = guichet_app::api_keys::api_keys(state, ctx)
        .await
        .or_page(ctx)?;
    let time_zone = guichet_app::organization::time_zone(state, ctx.tenant)
        .await
        .or_page(ctx)?;
    Ok(render_status(
        status_for(&errors),
        &ApiKeysPage {
            tr: Tr(ctx.lang),
            nav: Nav::new(ctx, "/account/api-keys", flash),
            keys,
            new_secret,
            form,
            errors,
            time_zone,
        },
    ))
}

pub async fn api_keys(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(flash): Query<Flash>,
) -> Result<Response, PageError> {
    let form = ApiKeyInput {
        role: "seller".into(),
        ..Default::default()
    };
    api_keys_page(&state, &ctx, flash.key(), None, form, FieldErrors::new()).await
}

pub async fn create_api_key(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Form(form): Form<ApiKeyInput>,
) -> Result<Response, PageError> {
    match guichet_app::api_keys::create_api_key(&state, &ctx, &form).await {
        // The secret is shown on this response only; it is never stored in clear.
        Ok((_, secret)) => {
            let form = ApiKeyInput {
                role: "seller".into(),
                ..Default::default()
            };
            api_keys_page(&state, &ctx, None, Some(secret), form, FieldErrors::new()).await
        }
        Err(e) => {
            let errors = form_errors(e, &ctx)?;
            api_keys_page(&state, &ctx, None, None, form, errors).await
        }
    }
}

pub async fn revoke_api_key(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    guichet_app::api_keys::revoke_api_key(&state, &ctx, parse_id(&id, &ctx)?)
        .await
        .or_page(&ctx)?;
    Ok(done("/account/api-keys", "key-revoked"))
}
