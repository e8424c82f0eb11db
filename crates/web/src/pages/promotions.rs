//! Promotions and promo codes pages (Mon activité › Promotions, Codes promo).

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
use guichet_app::shop::ProductFilter;
use guichet_app::{catalogue, offers, promotions, shop};
use guichet_domain::catalogue::ItemKind;
use guichet_domain::order::Reduction;
use guichet_domain::promotion::{
    Day, PromoCode, PromoCodeInput, Promotion, PromotionInput, PromotionModel, reduction_parts,
};
use guichet_domain::{FieldErrors, Permission, PromoCodeId, PromotionId};

/// The routes of these pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/activity/promotions", get(list_promotions))
        .route(
            "/activity/promotions/new",
            get(new_promotion).post(create_promotion),
        )
        .route(
            "/activity/promotions/{id}",
            get(edit_promotion).post(update_promotion),
        )
        .route("/activity/promotions/{id}/archive", post(archive_promotion))
        .route("/activity/promo-codes", get(list_codes))
        .route("/activity/promo-codes/new", get(new_code).post(create_code))
        .route(
            "/activity/promo-codes/{id}",
            get(edit_code).post(update_code),
        )
        .route("/activity/promo-codes/{id}/archive", post(archive_code))
}

const PROMOTIONS: &str = "/activity/promotions";
const CODES: &str = "/activity/promo-codes";

/// A choice in a list of checkboxes: id and label.
struct Choice {
    id: String,
    label: String,
}

fn discount_text(r: &Reduction, tr: Tr) -> String {
    match (r, reduction_parts(*r)) {
        (Reduction::AmountCents(c), _) => tr.money(c),
        (_, (_, v)) => format!("{v} %"),
    }
}

fn date_text(d: &Option<jiff::civil::Date>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

fn dates_text(from: &Option<jiff::civil::Date>, to: &Option<jiff::civil::Date>) -> String {
    match (from, to) {
        (None, None) => "—".to_owned(),
        // Shown in a list: as a reader writes a day (the forms keep ISO for their fields).
        (a, b) => format!(
            "{} → {}",
            a.map(guichet_integrations::i18n::short_date)
                .unwrap_or_default(),
            b.map(guichet_integrations::i18n::short_date)
                .unwrap_or_default()
        ),
    }
}

/// Offers (not archived) to choose from.
async fn offer_choices(state: &AppState, ctx: &Ctx) -> Result<Vec<Choice>, PageError> {
    Ok(offers::list(state, ctx)
        .await
        .or_page(ctx)?
        .into_iter()
        .filter(|o| !o.archived)
        .map(|o| Choice {
            id: o.id.to_string(),
            label: o.texts.pick(ctx.lang, |t| &t.name),
        })
        .collect())
}

// ---------------------------------------------------------------- promotions

#[derive(Template)]
#[template(path = "promotions.html")]
struct PromotionsPage {
    tr: Tr,
    nav: Nav,
    promotions: Vec<Promotion>,
    can_manage: bool,
}

impl PromotionsPage {
    fn discount(&self, p: &Promotion) -> String {
        discount_text(&p.reduction, self.tr)
    }

    fn model(&self, p: &Promotion) -> String {
        match p.model {
            PromotionModel::Classic => self.tr.t("promotion-model-classic"),
            PromotionModel::LastMinute { days } => {
                self.tr.t1("promotion-model-last-minute-days", "days", days)
            }
            PromotionModel::EarlyBird { days } => {
                self.tr.t1("promotion-model-early-bird-days", "days", days)
            }
        }
    }

    fn valid(&self, p: &Promotion) -> String {
        dates_text(&p.valid_from, &p.valid_to)
    }

    fn published(&self, p: &Promotion) -> String {
        dates_text(&p.published_from, &p.published_to)
    }
}

pub async fn list_promotions(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(flash): Query<Flash>,
) -> Result<Response, PageError> {
    let promotions = promotions::list_promotions(&state, &ctx)
        .await
        .or_page(&ctx)?;
    Ok(render_status(
        StatusCode::OK,
        &PromotionsPage {
            tr: Tr(ctx.lang),
            nav: Nav::new(&ctx, PROMOTIONS, flash.key()),
            promotions,
            can_manage: ctx.can(Permission::ManageCatalogue),
        },
    ))
}

#[derive(Template)]
#[template(path = "promotion_form.html")]
struct PromotionForm {
    tr: Tr,
    nav: Nav,
    title: &'static str,
    form: PromotionInput,
    errors: FieldErrors,
    offers: Vec<Choice>,
    days: [Day; 7],
    promotion: Option<Promotion>,
}

impl PromotionForm {
    fn is_kind(&self, k: &str) -> bool {
        self.form.discount_kind == k
    }

    fn is_model(&self, m: &str) -> bool {
        self.form.model == m || (m == "classic" && self.form.model.is_empty())
    }

    fn has_offer(&self, id: &str) -> bool {
        self.form.offer_ids.iter().any(|o| o == id)
    }

    fn has_day(&self, d: &Day) -> bool {
        self.form.weekdays.iter().any(|w| w == d.as_str())
    }

    fn day_label(&self, d: &Day) -> String {
        self.tr.t(&format!("weekday-{}", d.as_str()))
    }
}

fn promotion_form_of(p: &Promotion) -> PromotionInput {
    let (kind, value) = reduction_parts(p.reduction);
    PromotionInput {
        name: p.name.clone(),
        description: p.description.clone().unwrap_or_default(),
        discount_kind: kind.to_owned(),
        discount: value,
        model: p.model.as_str().to_owned(),
        model_days: p.model.days().map(|d| d.to_string()).unwrap_or_default(),
        valid_from: date_text(&p.valid_from),
        valid_to: date_text(&p.valid_to),
        published_from: date_text(&p.published_from),
        published_to: date_text(&p.published_to),
        weekdays: p.weekdays.iter().map(|d| d.as_str().to_owned()).collect(),
        offer_ids: p.offer_ids.iter().map(|o| o.to_string()).collect(),
    }
}

fn promotion_input(pairs: &[(String, String)]) -> PromotionInput {
    let mut i = PromotionInput::default();
    for (k, v) in pairs {
        let v = v.clone();
        match k.as_str() {
            "name" => i.name = v,
            "description" => i.description = v,
            "discount_kind" => i.discount_kind = v,
            "discount" => i.discount = v,
            "model" => i.model = v,
            "model_days" => i.model_days = v,
            "valid_from" => i.valid_from = v,
            "valid_to" => i.valid_to = v,
            "published_from" => i.published_from = v,
            "published_to" => i.published_to = v,
            "weekdays" => i.weekdays.push(v),
            "offer_ids" => i.offer_ids.push(v),
            _ => {}
        }
    }
    i
}

async fn promotion_form(
    state: &AppState,
    ctx: &Ctx,
    promotion: Option<Promotion>,
    form: PromotionInput,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    ctx.require(Permission::ManageCatalogue).or_page(ctx)?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render_status(
        status,
        &PromotionForm {
            tr: Tr(ctx.lang),
            nav: Nav::new(ctx, PROMOTIONS, None),
            title: if promotion.is_some() {
                "promotion-edit"
            } else {
                "action-new-promotion"
            },
            form,
            errors,
            offers: offer_choices(state, ctx).await?,
            days: Day::ALL,
            promotion,
        },
    ))
}

pub async fn new_promotion(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
) -> Result<Response, PageError> {
    let form = PromotionInput {
        discount_kind: "percent".into(),
        model: "classic".into(),
        ..Default::default()
    };
    promotion_form(&state, &ctx, None, form, FieldErrors::new()).await
}

pub async fn create_promotion(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let input = promotion_input(&pairs);
    match promotions::save_promotion(&state, &ctx, None, &input).await {
        Ok(_) => Ok(done(PROMOTIONS, "saved")),
        Err(e) => {
            let errors = form_errors(e, &ctx)?;
            promotion_form(&state, &ctx, None, input, errors).await
        }
    }
}

pub async fn edit_promotion(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let p = promotions::get_promotion(&state, &ctx, parse_id(&id, &ctx)?)
        .await
        .or_page(&ctx)?;
    let form = promotion_form_of(&p);
    promotion_form(&state, &ctx, Some(p), form, FieldErrors::new()).await
}

pub async fn update_promotion(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id: PromotionId = parse_id(&id, &ctx)?;
    let input = promotion_input(&pairs);
    match promotions::save_promotion(&state, &ctx, Some(id), &input).await {
        Ok(_) => Ok(done(PROMOTIONS, "saved")),
        Err(e) => {
            let errors = form_errors(e, &ctx)?;
            let p = promotions::get_promotion(&state, &ctx, id)
                .await
                .or_page(&ctx)?;
            promotion_form(&state, &ctx, Some(p), input, errors).await
        }
    }
}

pub async fn archive_promotion(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<String>,
    Form(form): Form<ArchiveForm>,
) -> Result<Response, PageError> {
    let id: PromotionId = parse_id(&id, &ctx)?;
    promotions::archive_promotion(&state, &ctx, id, form.archived())
        .await
        .or_page(&ctx)?;
    Ok(done(
        PROMOTIONS,
        if form.archived() {
            "archived"
        } else {
            "restored"
        },
    ))
}

// ---------------------------------------------------------------- promo codes

#[derive(Template)]
#[template(path = "promo_codes.html")]
struct CodesPage {
    tr: Tr,
    nav: Nav,
    codes: Vec<PromoCode>,
    can_manage: bool,
}

impl CodesPage {
    fn discount(&self, c: &PromoCode) -> String {
        discount_text(&c.reduction, self.tr)
    }

    fn uses(&self, c: &PromoCode) -> String {
        match c.max_uses {
            Some(m) => format!("{} / {m}", c.uses),
            None => format!("{} / ∞", c.uses),
        }
    }

    fn valid(&self, c: &PromoCode) -> String {
        dates_text(&c.valid_from, &c.valid_to)
    }
}

pub async fn list_codes(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(flash): Query<Flash>,
) -> Result<Response, PageError> {
    let codes = promotions::list_codes(&state, &ctx).await.or_page(&ctx)?;
    Ok(render_status(
        StatusCode::OK,
        &CodesPage {
            tr: Tr(ctx.lang),
            nav: Nav::new(&ctx, CODES, flash.key()),
            codes,
            can_manage: ctx.can(Permission::ManageCatalogue),
        },
    ))
}

#[derive(Template)]
#[template(path = "promo_code_form.html")]
struct CodeForm {
    tr: Tr,
    nav: Nav,
    title: &'static str,
    form: PromoCodeInput,
    errors: FieldErrors,
    offers: Vec<Choice>,
    items: Vec<Choice>,
    products: Vec<Choice>,
    code: Option<PromoCode>,
}

impl CodeForm {
    fn is_kind(&self, k: &str) -> bool {
        self.form.discount_kind == k
    }

    fn has_offer(&self, id: &str) -> bool {
        self.form.offer_ids.iter().any(|o| o == id)
    }

    fn has_item(&self, id: &str) -> bool {
        self.form.item_ids.iter().any(|o| o == id)
    }

    fn has_product(&self, id: &str) -> bool {
        self.form.product_ids.iter().any(|o| o == id)
    }

    fn uses(&self, c: &PromoCode) -> String {
        match c.max_uses {
            Some(m) => format!("{} / {m}", c.uses),
            None => format!("{} / ∞", c.uses),
        }
    }
}

fn code_form_of(c: &PromoCode) -> PromoCodeInput {
    let (kind, value) = reduction_parts(c.reduction);
    PromoCodeInput {
        name: c.name.clone(),
        code: c.code.clone(),
        description: c.description.clone().unwrap_or_default(),
        discount_kind: kind.to_owned(),
        discount: value,
        max_uses: c.max_uses.map(|m| m.to_string()).unwrap_or_default(),
        valid_from: date_text(&c.valid_from),
        valid_to: date_text(&c.valid_to),
        published_from: date_text(&c.published_from),
        published_to: date_text(&c.published_to),
        offer_ids: c.offer_ids.iter().map(|o| o.to_string()).collect(),
        item_ids: c.item_ids.iter().map(|o| o.to_string()).collect(),
        product_ids: c.product_ids.iter().map(|o| o.to_string()).collect(),
    }
}

fn code_input(pairs: &[(String, String)]) -> PromoCodeInput {
    let mut i = PromoCodeInput::default();
    for (k, v) in pairs {
        let v = v.clone();
        match k.as_str() {
            "name" => i.name = v,
            "code" => i.code = v,
            "description" => i.description = v,
            "discount_kind" => i.discount_kind = v,
            "discount" => i.discount = v,
            "max_uses" => i.max_uses = v,
            "valid_from" => i.valid_from = v,
            "valid_to" => i.valid_to = v,
            "published_from" => i.published_from = v,
            "published_to" => i.published_to = v,
            "offer_ids" => i.offer_ids.push(v),
            "item_ids" => i.item_ids.push(v),
            "product_ids" => i.product_ids.push(v),
            _ => {}
        }
    }
    i
}

async fn code_form(
    state: &AppState,
    ctx: &Ctx,
    code: Option<PromoCode>,
    form: PromoCodeInput,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    ctx.require(Permission::ManageCatalogue).or_page(ctx)?;
    let mut items = Vec::new();
    for kind in [ItemKind::TicketType, ItemKind::Extra] {
        for i in catalogue::list(state, ctx, kind).await.or_page(ctx)? {
            if !i.archived {
                items.push(Choice {
                    id: i.id.to_string(),
                    label: i.name,
                });
            }
        }
    }
    let products = shop::products(state, ctx, ProductFilter::default())
        .await
        .or_page(ctx)?
        .into_iter()
        .map(|p| Choice {
            id: p.id.to_string(),
            label: p.name,
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render_status(
        status,
        &CodeForm {
            tr: Tr(ctx.lang),
            nav: Nav::new(ctx, CODES, None),
            title: if code.is_some() {
                "promo-code-edit"
            } else {
                "action-new-promo-code"
            },
            form,
            errors,
            offers: offer_choices(state, ctx).await?,
            items,
            products,
            code,
        },
    ))
}

pub async fn new_code(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
) -> Result<Response, PageError> {
    let form = PromoCodeInput {
        discount_kind: "percent".into(),
        ..Default::default()
    };
    code_form(&state, &ctx, None, form, FieldErrors::new()).await
}

pub async fn create_code(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let input = code_input(&pairs);
    match promotions::save_code(&state, &ctx, None, &input).await {
        Ok(_) => Ok(done(CODES, "saved")),
        Err(e) => {
            let errors = form_errors(e, &ctx)?;
            code_form(&state, &ctx, None, input, errors).await
        }
    }
}

pub async fn edit_code(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let c = promotions::get_code(&state, &ctx, parse_id(&id, &ctx)?)
        .await
        .or_page(&ctx)?;
    let form = code_form_of(&c);
    code_form(&state, &ctx, Some(c), form, FieldErrors::new()).await
}

pub async fn update_code(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id: PromoCodeId = parse_id(&id, &ctx)?;
    let input = code_input(&pairs);
    match promotions::save_code(&state, &ctx, Some(id), &input).await {
        Ok(_) => Ok(done(CODES, "saved")),
        Err(e) => {
            let errors = form_errors(e, &ctx)?;
            let c = promotions::get_code(&state, &ctx, id).await.or_page(&ctx)?;
            code_form(&state, &ctx, Some(c), input, errors).await
        }
    }
}

pub async fn archive_code(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<String>,
    Form(form): Form<ArchiveForm>,
) -> Result<Response, PageError> {
    let id: PromoCodeId = parse_id(&id, &ctx)?;
    promotions::archive_code(&state, &ctx, id, form.archived())
        .await
        .or_page(&ctx)?;
    Ok(done(
        CODES,
        if form.archived() {
            "archived"
        } else {
            "restored"
        },
    ))
}
