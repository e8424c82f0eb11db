//! Offers pages: the list, the offer form (texts in three languages, prices of every ticket
//! type and extra, schedule rules, closed dates) with a preview of the next sessions, and
//! offer groups in a manual order.

use super::support::{ArchiveForm, Flash, OrPage, done, form_errors, parse_id};
use crate::auth::{Ctx, PageCtx};
use crate::error::PageError;
use crate::state::AppState;
use crate::upload::{Kind, Upload};
use crate::view::{Nav, Tr, render_status};
use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use guichet_app::groups;
use guichet_app::groups::GroupKind;
use guichet_app::groups::{Group, GroupId};
use guichet_app::offers::{Offer, OfferId};
use guichet_app::{catalogue, offers};
use guichet_domain::catalogue::ItemKind;
use guichet_domain::offer::{OfferInput, OfferTexts, PriceInput};
use guichet_domain::schedule::RuleInput;
use guichet_domain::shop::format_cents;
use guichet_domain::{FieldErrors, Permission};

/// The routes of these pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/activity/offers/{id}/photos", post(add_photo))
        .route(
            "/activity/offers/{id}/photos/{photo}/delete",
            post(delete_photo),
        )
        .route("/activity/offers", get(list))
        .route("/activity/offers/new", get(new).post(create))
        .route("/activity/offers/{id}", get(edit).post(update))
        .route("/activity/offers/{id}/archive", post(archive))
}

const BASE: &str = "/activity/offers";
/// Blank schedule rows offered under the existing ones.
const BLANK_RULES: usize = 2;

// ---------------------------------------------------------------- list

#[derive(Template)]
#[template(path = "offers.html")]
struct ListPage {
    tr: Tr,
    nav: Nav,
    offers: Vec<Offer>,
    groups: Vec<Group>,
    can_manage: bool,
}

impl ListPage {
    /// The offer's name in the reader's language (the French one when it has none).
    fn offer_name(&self, o: &Offer) -> String {
        o.texts.pick(self.tr.0, |t| &t.name)
    }

    fn group_name(&self, id: &Option<GroupId>) -> String {
        id.and_then(|id| self.groups.iter().find(|g| g.id == id))
            .map(|g| g.name.clone())
            .unwrap_or_default()
    }
}

pub async fn list(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(flash): Query<Flash>,
) -> Result<Response, PageError> {
    let offers = offers::list(&state, &ctx).await.or_page(&ctx)?;
    let groups = groups::list(&state, &ctx, GroupKind::Offer)
        .await
        .or_page(&ctx)?;
    Ok(render_status(
        StatusCode::OK,
        &ListPage {
            tr: Tr(ctx.lang),
            nav: Nav::new(&ctx, BASE, flash.key()),
            offers,
            groups,
            can_manage: ctx.can(Permission::ManageCatalogue),
        },
    ))
}

// ---------------------------------------------------------------- form

pub struct PriceRow {
    item_id: String,
    label: String,
    price: String,
    min: String,
    max: String,
}

#[derive(Template)]
#[template(path = "offer_form.html")]
struct FormPage {
    tr: Tr,
    nav: Nav,
    title: &'static str,
    form: OfferInput,
    errors: FieldErrors,
    groups: Vec<Group>,
    price_rows: Vec<PriceRow>,
    rules: Vec<RuleInput>,
    preview: Vec<(String, String)>,
    offer_id: Option<OfferId>,
    archived: bool,
    photos: Vec<guichet_app::offers::Photo>,
    photo_errors: FieldErrors,
    photo_caption: String,
}

impl FormPage {
    fn lang_label(&self, lang: &&str) -> &'static str {
        match *lang {
            "nl" => "offer-texts-nl",
            "en" => "offer-texts-en",
            _ => "offer-texts-fr",
        }
    }

    fn texts(&self, lang: &str) -> &OfferTexts {
        match lang {
            "nl" => &self.form.nl,
            "en" => &self.form.en,
            _ => &self.form.fr,
        }
    }

    fn text(&self, lang: &&str, field: &&str) -> String {
        let t = self.texts(lang);
        match *field {
            "name" => t.name.clone(),
            "description" => t.description.clone(),
            "included" => t.included.clone(),
            "not_included" => t.not_included.clone(),
            "to_bring" => t.to_bring.clone(),
            _ => t.cancellation_policy.clone(),
        }
    }

    fn err(&self, lang: &&str, field: &&str) -> Option<String> {
        self.tr
            .field_error(&self.errors, &format!("{lang}.{field}"))
    }

    fn e(&self, key: &str) -> Option<String> {
        self.tr.field_error(&self.errors, key)
    }

    fn is(&self, a: &str, b: &str) -> bool {
        a == b
    }

    /// The error on `list.i.field` (a price line or a schedule rule).
    fn indexed(&self, list: &str, i: &usize, field: &str) -> Option<String> {
        self.e(&format!("{list}.{i}.{field}"))
    }

    fn price_fields(&self, row: &PriceRow) -> Vec<(&'static str, String)> {
        vec![
            ("price", row.price.clone()),
            ("min_quantity", row.min.clone()),
            ("max_quantity", row.max.clone()),
        ]
    }

    fn rule_dates(&self, r: &RuleInput) -> Vec<(&'static str, String)> {
        vec![
            ("from", r.from.clone()),
            ("to", r.to.clone()),
            ("weekdays", r.weekdays.clone()),
        ]
    }

    fn rule_times(&self, r: &RuleInput) -> Vec<(&'static str, String)> {
        vec![
            ("times", r.times.clone()),
            ("every_minutes", r.every_minutes.clone()),
            ("first", r.first.clone()),
            ("last", r.last.clone()),
        ]
    }

    fn value(&self, field: &&str) -> String {
        let f = &self.form;
        match *field {
            "capacity" => f.capacity.clone(),
            "duration_minutes" => f.duration_minutes.clone(),
            "online_cutoff_hours" => f.online_cutoff_hours.clone(),
            "pos_cutoff_hours" => f.pos_cutoff_hours.clone(),
            "late_entry_minutes" => f.late_entry_minutes.clone(),
            "difficulty" => f.difficulty.clone(),
            "location" => f.location.clone(),
            "published_from" => f.published_from.clone(),
            "published_to" => f.published_to.clone(),
            "deposit_percent" => f.deposit_percent.clone(),
            "deposit_amount" => f.deposit_amount.clone(),
            "cancel_free_hours" => f.cancel_free_hours.clone(),
            _ => String::new(),
        }
    }
}

/// The form's flat `key=value` pairs (`fr.name`, `prices.3.price`, `rules.0.first`…) as the
/// offer input the API takes too.
fn input_from_pairs(pairs: &[(String, String)]) -> OfferInput {
    let mut input = OfferInput::default();
    let mut prices: Vec<PriceInput> = Vec::new();
    let mut rules: Vec<RuleInput> = Vec::new();
    fn at<T: Default>(v: &mut Vec<T>, i: usize) -> Option<&mut T> {
        if i > 1000 {
            return None;
        }
        while v.len() <= i {
            v.push(T::default());
        }
        v.get_mut(i)
    }
    for (key, value) in pairs {
        let v = value.clone();
        let parts: Vec<&str> = key.splitn(3, '.').collect();
        match parts.as_slice() {
            [lang @ ("fr" | "nl" | "en"), field] => {
                let t = match *lang {
                    "nl" => &mut input.nl,
                    "en" => &mut input.en,
                    _ => &mut input.fr,
                };
                match *field {
                    "name" => t.name = v,
                    "description" => t.description = v,
                    "included" => t.included = v,
                    "not_included" => t.not_included = v,
                    "to_bring" => t.to_bring = v,
                    "cancellation_policy" => t.cancellation_policy = v,
                    _ => {}
                }
            }
            ["prices", i, field] => {
                if let Some(p) = i.parse().ok().and_then(|i| at(&mut prices, i)) {
                    match *field {
                        "item_id" => p.item_id = v,
                        "price" => p.price = v,
                        "min_quantity" => p.min_quantity = v,
                        "max_quantity" => p.max_quantity = v,
                        _ => {}
                    }
                }
            }
            ["rules", i, field] => {
                if let Some(r) = i.parse().ok().and_then(|i| at(&mut rules, i)) {
                    match *field {
                        "from" => r.from = v,
                        "to" => r.to = v,
                        "weekdays" => r.weekdays = v,
                        "kind" => r.kind = v,
                        "times" => r.times = v,
                        "every_minutes" => r.every_minutes = v,
                        "first" => r.first = v,
                        "last" => r.last = v,
                        _ => {}
                    }
                }
            }
            ["kind"] => input.kind = v,
            ["group_id"] => input.group_id = v,
            ["sale_pos"] => input.sale_pos = v == "true",
            ["sale_online"] => input.sale_online = v == "true",
            ["one_ticket_per_order"] => input.one_ticket_per_order = v == "true",
            ["duration_minutes"] => input.duration_minutes = v,
            ["difficulty"] => input.difficulty = v,
            ["location"] => input.location = v,
            ["capacity"] => input.capacity = v,
            ["online_cutoff_hours"] => input.online_cutoff_hours = v,
            ["pos_cutoff_hours"] => input.pos_cutoff_hours = v,
            ["late_entry_minutes"] => input.late_entry_minutes = v,
            ["published_from"] => input.published_from = v,
            ["published_to"] => input.published_to = v,
            ["closed_dates"] => input.closed_dates = v,
            ["follows"] => input.follows = v,
            ["collection_mode"] => input.collection_mode = v,
            ["deposit_percent"] => input.deposit_percent = v,
            ["deposit_amount"] => input.deposit_amount = v,
            ["cancel_free_hours"] => input.cancel_free_hours = v,
            _ => {}
        }
    }
    input.prices = prices;
    input.rules = rules;
    input
}

fn input_of(o: &Offer) -> OfferInput {
    let num = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
    OfferInput {
        fr: o.texts.fr.clone(),
        nl: o.texts.nl.clone(),
        en: o.texts.en.clone(),
        kind: o.kind.as_str().to_owned(),
        group_id: o.group_id.map(|g| g.to_string()).unwrap_or_default(),
        sale_pos: o.sale_pos,
        sale_online: o.sale_online,
        one_ticket_per_order: o.one_ticket_per_order,
        duration_minutes: num(o.duration_minutes),
        difficulty: o.difficulty.clone().unwrap_or_default(),
        location: o.location.clone().unwrap_or_default(),
        capacity: o.capacity.to_string(),
        online_cutoff_hours: o.online_cutoff_hours.to_string(),
        pos_cutoff_hours: o.pos_cutoff_hours.to_string(),
        late_entry_minutes: o.late_entry_minutes.to_string(),
        published_from: o.published_from.clone().unwrap_or_default(),
        published_to: o.published_to.clone().unwrap_or_default(),
        prices: o
            .prices
            .iter()
            .map(|p| PriceInput {
                item_id: p.item_id.to_string(),
                price: format_cents(p.price_cents),
                min_quantity: p.min_quantity.to_string(),
                max_quantity: num(p.max_quantity),
            })
            .collect(),
        rules: o.schedule.rules.clone(),
        closed_dates: o.schedule.closed.join(", "),
        follows: o
            .follows_calendar
            .map(|a| a.as_str().to_owned())
            .unwrap_or_default(),
        collection_mode: o.collection_mode.as_str().to_owned(),
        deposit_percent: num(o.deposit_percent),
        deposit_amount: o.deposit_cents.map(format_cents).unwrap_or_default(),
        cancel_free_hours: num(o.cancel_free_hours),
    }
}

async fn form_page(
    state: &AppState,
    ctx: &Ctx,
    offer: Option<&Offer>,
    form: OfferInput,
    errors: FieldErrors,
    flash: Option<&str>,
) -> Result<Response, PageError> {
    form_page_with_photo(
        state,
        ctx,
        offer,
        form,
        errors,
        flash,
        (String::new(), FieldErrors::new()),
    )
    .await
}

/// The form page, with what was typed in the photo upload and its errors.
async fn form_page_with_photo(
    state: &AppState,
    ctx: &Ctx,
    offer: Option<&Offer>,
    form: OfferInput,
    errors: FieldErrors,
    flash: Option<&str>,
    (photo_caption, photo_errors): (String, FieldErrors),
) -> Result<Response, PageError> {
    ctx.require(Permission::ManageCatalogue).or_page(ctx)?;
    // One price row per active ticket type and extra, filled from the form where it has one.
    let mut price_rows = Vec::new();
    for (kind, label_key) in [
        (ItemKind::TicketType, "nav-ticket-types"),
        (ItemKind::Extra, "nav-extras"),
    ] {
        let tr = Tr(ctx.lang);
        for item in catalogue::list(state, ctx, kind)
            .await
            .or_page(ctx)?
            .into_iter()
            .filter(|i| !i.archived)
        {
            let id = item.id.to_string();
            let given = form.prices.iter().find(|p| p.item_id == id);
            price_rows.push(PriceRow {
                label: format!("{} ({})", item.name, tr.t(label_key)),
                price: given.map(|p| p.price.clone()).unwrap_or_default(),
                min: given.map(|p| p.min_quantity.clone()).unwrap_or_default(),
                max: given.map(|p| p.max_quantity.clone()).unwrap_or_default(),
                item_id: id,
            });
        }
    }
    let mut rules = form.rules.clone();
    rules.retain(|r| {
        !(r.from.trim().is_empty()
            && r.to.trim().is_empty()
            && r.times.trim().is_empty()
            && r.first.trim().is_empty())
    });
    for _ in 0..BLANK_RULES {
        rules.push(RuleInput {
            kind: "every".into(),
            ..Default::default()
        });
    }
    let preview = match offer {
        Some(o) => session_preview(state, ctx, o.id).await?,
        None => Vec::new(),
    };
    let photos = match offer {
        Some(o) => offers::photos(state, ctx, o.id).await.or_page(ctx)?,
        None => Vec::new(),
    };
    let status = if errors.is_empty() && photo_errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render_status(
        status,
        &FormPage {
            tr: Tr(ctx.lang),
            nav: Nav::new(ctx, BASE, flash),
            title: if offer.is_some() {
                "offer-edit"
            } else {
                "action-new-offer"
            },
            form,
            errors,
            groups: groups::list(state, ctx, GroupKind::Offer)
                .await
                .or_page(ctx)?,
            price_rows,
            rules,
            preview,
            offer_id: offer.map(|o| o.id),
            archived: offer.is_some_and(|o| o.archived),
            photos,
            photo_errors,
            photo_caption,
        },
    ))
}

/// The next 14 days of sessions, one line per day.
async fn session_preview(
    state: &AppState,
    ctx: &Ctx,
    id: OfferId,
) -> Result<Vec<(String, String)>, PageError> {
    let tz = guichet_app::organization::time_zone(state, ctx.tenant)
        .await
        .or_page(ctx)?;
    let zone = jiff::tz::TimeZone::get(&tz).unwrap_or(jiff::tz::TimeZone::UTC);
    let today = jiff::Timestamp::now().to_zoned(zone).date();
    let end = today
        .checked_add(jiff::Span::new().days(13))
        .unwrap_or(today);
    let slots = offers::sessions(state, ctx, id, &today.to_string(), &end.to_string())
        .await
        .or_page(ctx)?;
    let mut days: Vec<(String, String)> = Vec::new();
    for s in slots {
        match days.last_mut() {
            Some((d, times)) if *d == s.date => {
                times.push_str(", ");
                times.push_str(&s.time);
            }
            _ => days.push((s.date, s.time)),
        }
    }
    Ok(days)
}

pub async fn new(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
) -> Result<Response, PageError> {
    let form = OfferInput {
        kind: "activity".into(),
        sale_pos: true,
        sale_online: true,
        ..Default::default()
    };
    form_page(&state, &ctx, None, form, FieldErrors::new(), None).await
}

pub async fn create(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let input = input_from_pairs(&pairs);
    match offers::save(&state, &ctx, None, &input).await {
        Ok(o) => Ok(done(&format!("{BASE}/{}", o.id), "saved")),
        Err(e) => {
            let errors = form_errors(e, &ctx)?;
            form_page(&state, &ctx, None, input, errors, None).await
        }
    }
}

pub async fn edit(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<String>,
    Query(flash): Query<Flash>,
) -> Result<Response, PageError> {
    let offer = offers::get(&state, &ctx, parse_id(&id, &ctx)?)
        .await
        .or_page(&ctx)?;
    let form = input_of(&offer);
    form_page(
        &state,
        &ctx,
        Some(&offer),
        form,
        FieldErrors::new(),
        flash.key(),
    )
    .await
}

pub async fn update(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id: OfferId = parse_id(&id, &ctx)?;
    let input = input_from_pairs(&pairs);
    match offers::save(&state, &ctx, Some(id), &input).await {
        Ok(_) => Ok(done(&format!("{BASE}/{id}"), "saved")),
        Err(e) => {
            let errors = form_errors(e, &ctx)?;
            let offer = offers::get(&state, &ctx, id).await.or_page(&ctx)?;
            form_page(&state, &ctx, Some(&offer), input, errors, None).await
        }
    }
}

pub async fn archive(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<String>,
    Form(form): Form<ArchiveForm>,
) -> Result<Response, PageError> {
    let id: OfferId = parse_id(&id, &ctx)?;
    offers::archive(&state, &ctx, id, form.archived())
        .await
        .or_page(&ctx)?;
    Ok(done(
        BASE,
        if form.archived() {
            "archived"
        } else {
            "restored"
        },
    ))
}

pub async fn add_photo(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<String>,
    multipart: axum::extract::Multipart,
) -> Result<Response, PageError> {
    let id: OfferId = parse_id(&id, &ctx)?;
    let upload = Upload::read(multipart, Kind::Image).await;
    let (caption, result) = match upload.and_then(|u| {
        let caption = u.readable_text("caption")?.to_owned();
        Ok((caption, u.file))
    }) {
        Ok((caption, bytes)) => {
            let r = offers::add_photo(&state, &ctx, id, &caption, bytes).await;
            (caption, r.map(|_| ()))
        }
        Err(e) => (String::new(), Err(e)),
    };
    match result {
        Ok(()) => Ok(done(&format!("{BASE}/{id}"), "photo-added")),
        Err(e) => {
            let photo_errors = form_errors(e, &ctx)?;
            let offer = offers::get(&state, &ctx, id).await.or_page(&ctx)?;
            let form = input_of(&offer);
            form_page_with_photo(
                &state,
                &ctx,
                Some(&offer),
                form,
                FieldErrors::new(),
                None,
                (caption, photo_errors),
            )
            .await
        }
    }
}

pub async fn delete_photo(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path((id, photo)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let id: OfferId = parse_id(&id, &ctx)?;
    let photo: uuid::Uuid = parse_id(&photo, &ctx)?;
    offers::delete_photo(&state, &ctx, id, photo)
        .await
        .or_page(&ctx)?;
    Ok(done(&format!("{BASE}/{id}"), "deleted"))
}
