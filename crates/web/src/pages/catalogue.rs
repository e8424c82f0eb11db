//! Ticket types and extras pages (one code path for both).

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
use guichet_app::catalogue;
use guichet_app::catalogue::{Item, ItemId};
use guichet_app::vat_rates::StoredVatRate;
use guichet_domain::catalogue::{ItemInput, ItemKind, PICTOGRAMS};
use guichet_domain::{FieldErrors, Permission, VatRate};

/// The routes of these pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/activity/ticket-types", get(ticket_types))
        .route(
            "/activity/ticket-types/new",
            get(new_ticket_type).post(create_ticket_type),
        )
        .route(
            "/activity/ticket-types/{id}",
            get(edit_ticket_type).post(update_ticket_type),
        )
        .route(
            "/activity/ticket-types/{id}/archive",
            post(archive_ticket_type),
        )
        .route("/activity/extras", get(extras))
        .route("/activity/extras/new", get(new_extra).post(create_extra))
        .route("/activity/extras/{id}", get(edit_extra).post(update_extra))
        .route("/activity/extras/{id}/archive", post(archive_extra))
        .route(
            "/activity/ticket-types/{id}/picture",
            post(ticket_type_picture),
        )
        .route(
            "/activity/ticket-types/{id}/picture/delete",
            post(remove_ticket_type_picture),
        )
        .route("/activity/extras/{id}/picture", post(extra_picture))
        .route(
            "/activity/extras/{id}/picture/delete",
            post(remove_extra_picture),
        )
}

/// What differs between the two kinds on screen.
struct Screen {
    base: &'static str,
    title: &'static str,
    new_label: &'static str,
    edit_title: &'static str,
    help: &'static str,
}

fn screen(kind: ItemKind) -> Screen {
    match kind {
        ItemKind::TicketType => Screen {
            base: "/activity/ticket-types",
            title: "nav-ticket-types",
            new_label: "action-new-ticket-type",
            edit_title: "ticket-type-edit",
            help: "ticket-types-help",
        },
        ItemKind::Extra => Screen {
            base: "/activity/extras",
            title: "nav-extras",
            new_label: "action-new-extra",
            edit_title: "extra-edit",
            help: "extras-help",
        },
    }
}

#[derive(Template)]
#[template(path = "items.html")]
struct ListPage {
    tr: Tr,
    nav: Nav,
    title: &'static str,
    new_label: &'static str,
    help: &'static str,
    base: &'static str,
    items: Vec<Item>,
    can_manage: bool,
}

impl ListPage {
    fn percent(&self, bp: &u32) -> String {
        VatRate::from_basis_points(i64::from(*bp))
            .map(|r| r.to_string())
            .unwrap_or_default()
    }
}

async fn list(
    state: &AppState,
    ctx: &Ctx,
    kind: ItemKind,
    flash: Option<&str>,
) -> Result<Response, PageError> {
    let s = screen(kind);
    let items = catalogue::list(state, ctx, kind).await.or_page(ctx)?;
    Ok(render_status(
        StatusCode::OK,
        &ListPage {
            tr: Tr(ctx.lang),
            nav: Nav::new(ctx, s.base, flash),
            title: s.title,
            new_label: s.new_label,
            help: s.help,
            base: s.base,
            items,
            can_manage: ctx.can(Permission::ManageCatalogue),
        },
    ))
}

#[derive(Template)]
#[template(path = "item_form.html")]
struct FormPage {
    tr: Tr,
    nav: Nav,
    title: &'static str,
    base: &'static str,
    form: ItemInput,
    errors: FieldErrors,
    vat_rates: Vec<StoredVatRate>,
    pictograms: &'static [&'static str],
    item: Option<Item>,
    picture_errors: FieldErrors,
}

impl FormPage {
    fn picto_label(&self, p: &&str) -> &'static str {
        match *p {
            "adult" => "picto-adult",
            "child" => "picto-child",
            "senior" => "picto-senior",
            "student" => "picto-student",
            "family" => "picto-family",
            "group" => "picto-group",
            "baby" => "picto-baby",
            "disabled" => "picto-disabled",
            "audio-guide" => "picto-audio-guide",
            _ => "picto-equipment",
        }
    }
}

async fn form_page(
    state: &AppState,
    ctx: &Ctx,
    kind: ItemKind,
    item: Option<Item>,
    form: ItemInput,
    errors: FieldErrors,
    picture_errors: FieldErrors,
) -> Result<Response, PageError> {
    ctx.require(Permission::ManageCatalogue).or_page(ctx)?;
    let s = screen(kind);
    let vat_rates = guichet_app::vat_rates::vat_rates(state, ctx)
        .await
        .or_page(ctx)?
        .into_iter()
        .filter(|r| !r.archived)
        .collect();
    let status = if errors.is_empty() && picture_errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render_status(
        status,
        &FormPage {
            tr: Tr(ctx.lang),
            nav: Nav::new(ctx, s.base, None),
            title: if item.is_some() {
                s.edit_title
            } else {
                s.new_label
            },
            base: s.base,
            form,
            errors,
            vat_rates,
            pictograms: &PICTOGRAMS,
            item,
            picture_errors,
        },
    ))
}

fn form_of(i: &Item) -> ItemInput {
    let text = |o: &Option<String>| o.clone().unwrap_or_default();
    let num = |o: Option<i64>| o.map(|n| n.to_string()).unwrap_or_default();
    ItemInput {
        name: i.name.clone(),
        name_nl: text(&i.name_nl),
        name_en: text(&i.name_en),
        description: text(&i.description),
        description_nl: text(&i.description_nl),
        description_en: text(&i.description_en),
        vat_rate_id: i.vat_rate_id.to_string(),
        sale_pos: i.sale_pos,
        sale_online: i.sale_online,
        daily_stock: i.daily_stock.to_string(),
        capacity: num(i.capacity),
        minimum_age: num(i.minimum_age),
        pictogram: text(&i.pictogram),
    }
}

async fn new_form(state: &AppState, ctx: &Ctx, kind: ItemKind) -> Result<Response, PageError> {
    // Admissions to a cave are often VAT-exempt; the lowest active rate is the likely one.
    let rates = guichet_app::vat_rates::vat_rates(state, ctx)
        .await
        .or_page(ctx)?;
    let vat = rates
        .iter()
        .filter(|r| !r.archived)
        .min_by_key(|r| r.rate_basis_points)
        .map(|r| r.id.to_string())
        .unwrap_or_default();
    let form = ItemInput {
        vat_rate_id: vat,
        sale_pos: true,
        sale_online: true,
        daily_stock: "999".into(),
        ..Default::default()
    };
    form_page(
        state,
        ctx,
        kind,
        None,
        form,
        FieldErrors::new(),
        FieldErrors::new(),
    )
    .await
}

async fn create(
    state: &AppState,
    ctx: &Ctx,
    kind: ItemKind,
    form: ItemInput,
) -> Result<Response, PageError> {
    match catalogue::create(state, ctx, kind, &form).await {
        Ok(_) => Ok(done(screen(kind).base, "saved")),
        Err(e) => {
            let errors = form_errors(e, ctx)?;
            form_page(state, ctx, kind, None, form, errors, FieldErrors::new()).await
        }
    }
}

async fn edit(
    state: &AppState,
    ctx: &Ctx,
    kind: ItemKind,
    raw: &str,
) -> Result<Response, PageError> {
    let item = catalogue::get(state, ctx, kind, parse_id::<ItemId>(raw, ctx)?)
        .await
        .or_page(ctx)?;
    let form = form_of(&item);
    form_page(
        state,
        ctx,
        kind,
        Some(item),
        form,
        FieldErrors::new(),
        FieldErrors::new(),
    )
    .await
}

async fn update(
    state: &AppState,
    ctx: &Ctx,
    kind: ItemKind,
    raw: &str,
    form: ItemInput,
) -> Result<Response, PageError> {
    let id: ItemId = parse_id(raw, ctx)?;
    match catalogue::update(state, ctx, kind, id, &form).await {
        Ok(_) => Ok(done(screen(kind).base, "saved")),
        Err(e) => {
            let errors = form_errors(e, ctx)?;
            let item = catalogue::get(state, ctx, kind, id).await.or_page(ctx)?;
            form_page(
                state,
                ctx,
                kind,
                Some(item),
                form,
                errors,
                FieldErrors::new(),
            )
            .await
        }
    }
}

async fn archive(
    state: &AppState,
    ctx: &Ctx,
    kind: ItemKind,
    raw: &str,
    archived: bool,
) -> Result<Response, PageError> {
    let id: ItemId = parse_id(raw, ctx)?;
    match catalogue::archive(state, ctx, kind, id, archived).await {
        Ok(_) => Ok(done(
            screen(kind).base,
            if archived { "archived" } else { "restored" },
        )),
        Err(e) => {
            let errors = form_errors(e, ctx)?;
            let item = catalogue::get(state, ctx, kind, id).await.or_page(ctx)?;
            let form = form_of(&item);
            form_page(
                state,
                ctx,
                kind,
                Some(item),
                form,
                errors,
                FieldErrors::new(),
            )
            .await
        }
    }
}

async fn set_picture(
    state: &AppState,
    ctx: &Ctx,
    kind: ItemKind,
    raw: &str,
    multipart: Option<axum::extract::Multipart>,
) -> Result<Response, PageError> {
    let id: ItemId = parse_id(raw, ctx)?;
    let result = match multipart {
        Some(m) => match Upload::read(m, Kind::Image).await {
            Ok(upload) => catalogue::set_picture(state, ctx, kind, id, Some(upload.file)).await,
            Err(e) => Err(e),
        },
        None => catalogue::set_picture(state, ctx, kind, id, None).await,
    };
    match result {
        Ok(i) => Ok(done(&format!("{}/{}", screen(kind).base, i.id), "saved")),
        Err(e) => {
            let picture_errors = form_errors(e, ctx)?;
            let item = catalogue::get(state, ctx, kind, id).await.or_page(ctx)?;
            let form = form_of(&item);
            form_page(
                state,
                ctx,
                kind,
                Some(item),
                form,
                FieldErrors::new(),
                picture_errors,
            )
            .await
        }
    }
}

macro_rules! item_pages {
    ($kind:expr, $list:ident, $new:ident, $create:ident, $edit:ident, $update:ident, $archive:ident, $picture:ident, $remove_picture:ident) => {
        pub async fn $picture(
            State(state): State<AppState>,
            PageCtx(ctx): PageCtx,
            Path(id): Path<String>,
            multipart: axum::extract::Multipart,
        ) -> Result<Response, PageError> {
            set_picture(&state, &ctx, $kind, &id, Some(multipart)).await
        }
        pub async fn $remove_picture(
            State(state): State<AppState>,
            PageCtx(ctx): PageCtx,
            Path(id): Path<String>,
        ) -> Result<Response, PageError> {
            set_picture(&state, &ctx, $kind, &id, None).await
        }
        pub async fn $list(
            State(state): State<AppState>,
            PageCtx(ctx): PageCtx,
            Query(flash): Query<Flash>,
        ) -> Result<Response, PageError> {
            list(&state, &ctx, $kind, flash.key()).await
        }
        pub async fn $new(
            State(state): State<AppState>,
            PageCtx(ctx): PageCtx,
        ) -> Result<Response, PageError> {
            new_form(&state, &ctx, $kind).await
        }
        pub async fn $create(
            State(state): State<AppState>,
            PageCtx(ctx): PageCtx,
            Form(form): Form<ItemInput>,
        ) -> Result<Response, PageError> {
            create(&state, &ctx, $kind, form).await
        }
        pub async fn $edit(
            State(state): State<AppState>,
            PageCtx(ctx): PageCtx,
            Path(id): Path<String>,
        ) -> Result<Response, PageError> {
            edit(&state, &ctx, $kind, &id).await
        }
        pub async fn $update(
            State(state): State<AppState>,
            PageCtx(ctx): PageCtx,
            Path(id): Path<String>,
            Form(form): Form<ItemInput>,
        ) -> Result<Response, PageError> {
            update(&state, &ctx, $kind, &id, form).await
        }
        pub async fn $archive(
            State(state): State<AppState>,
            PageCtx(ctx): PageCtx,
            Path(id): Path<String>,
            Form(form): Form<ArchiveForm>,
        ) -> Result<Response, PageError> {
            archive(&state, &ctx, $kind, &id, form.archived()).await
        }
    };
}

item_pages!(
    ItemKind::TicketType,
    ticket_types,
    new_ticket_type,
    create_ticket_type,
    edit_ticket_type,
    update_ticket_type,
    archive_ticket_type,
    ticket_type_picture,
    remove_ticket_type_picture
);
item_pages!(
    ItemKind::Extra,
    extras,
    new_extra,
    create_extra,
    edit_extra,
    update_extra,
    archive_extra,
    extra_picture,
    remove_extra_picture
);
