//! Groups pages (product groups, offer groups): list in the manual order, create, rename,
//! move up and down, delete when empty.

use super::support::{Flash, OrPage, done, form_errors, parse_id};
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
use guichet_app::groups;
use guichet_app::groups::{Group, GroupKind};
use guichet_domain::{FieldErrors, Permission};
use serde::Deserialize;

/// The routes of these pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/activity/offers/groups",
            get(offer_groups).post(create_offer_group),
        )
        .route("/activity/offers/groups/{id}", post(rename_offer_group))
        .route("/activity/offers/groups/{id}/move", post(move_offer_group))
        .route(
            "/activity/offers/groups/{id}/delete",
            post(delete_offer_group),
        )
        .route(
            "/activity/shop/groups",
            get(product_groups).post(create_product_group),
        )
        .route("/activity/shop/groups/{id}", post(rename_product_group))
        .route("/activity/shop/groups/{id}/move", post(move_product_group))
        .route(
            "/activity/shop/groups/{id}/delete",
            post(delete_product_group),
        )
}

/// Where each kind of group lives on screen.
struct Screen {
    base: &'static str,
    back: &'static str,
    title: &'static str,
    help: &'static str,
}

fn screen(kind: GroupKind) -> Screen {
    match kind {
        GroupKind::Product => Screen {
            base: "/activity/shop/groups",
            back: "/activity/shop",
            title: "shop-groups",
            help: "shop-groups-help",
        },
        GroupKind::Offer => Screen {
            base: "/activity/offers/groups",
            back: "/activity/offers",
            title: "offer-groups",
            help: "offer-groups-help",
        },
    }
}

#[derive(Template)]
#[template(path = "product_groups.html")]
struct GroupsPage {
    tr: Tr,
    nav: Nav,
    groups: Vec<Group>,
    new_name: String,
    errors: FieldErrors,
    base: &'static str,
    back: &'static str,
    title: &'static str,
    help: &'static str,
}

async fn page(
    state: &AppState,
    ctx: &Ctx,
    kind: GroupKind,
    flash: Option<&str>,
    new_name: String,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    ctx.require(Permission::ManageCatalogue).or_page(ctx)?;
    let s = screen(kind);
    let list = groups::list(state, ctx, kind).await.or_page(ctx)?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render_status(
        status,
        &GroupsPage {
            tr: Tr(ctx.lang),
            nav: Nav::new(ctx, s.back, flash),
            groups: list,
            new_name,
            errors,
            base: s.base,
            back: s.back,
            title: s.title,
            help: s.help,
        },
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NameForm {
    name: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MoveForm {
    delta: i32,
}

async fn create(
    state: &AppState,
    ctx: &Ctx,
    kind: GroupKind,
    form: NameForm,
) -> Result<Response, PageError> {
    match groups::create(state, ctx, kind, &form.name).await {
        Ok(_) => Ok(done(screen(kind).base, "saved")),
        Err(e) => {
            let errors = form_errors(e, ctx)?;
            page(state, ctx, kind, None, form.name, errors).await
        }
    }
}

async fn rename(
    state: &AppState,
    ctx: &Ctx,
    kind: GroupKind,
    id: &str,
    form: NameForm,
) -> Result<Response, PageError> {
    match groups::rename(state, ctx, kind, parse_id(id, ctx)?, &form.name).await {
        Ok(_) => Ok(done(screen(kind).base, "saved")),
        Err(e) => {
            let errors = form_errors(e, ctx)?;
            page(state, ctx, kind, None, form.name, errors).await
        }
    }
}

async fn move_by(
    state: &AppState,
    ctx: &Ctx,
    kind: GroupKind,
    id: &str,
    form: MoveForm,
) -> Result<Response, PageError> {
    groups::move_by(state, ctx, kind, parse_id(id, ctx)?, form.delta)
        .await
        .or_page(ctx)?;
    Ok(done(screen(kind).base, "saved"))
}

async fn delete(
    state: &AppState,
    ctx: &Ctx,
    kind: GroupKind,
    id: &str,
) -> Result<Response, PageError> {
    match groups::delete(state, ctx, kind, parse_id(id, ctx)?).await {
        Ok(()) => Ok(done(screen(kind).base, "deleted")),
        Err(e) => {
            let errors = form_errors(e, ctx)?;
            page(state, ctx, kind, None, String::new(), errors).await
        }
    }
}

macro_rules! group_pages {
    ($kind:expr, $list:ident, $create:ident, $rename:ident, $move:ident, $delete:ident) => {
        pub async fn $list(
            State(state): State<AppState>,
            PageCtx(ctx): PageCtx,
            Query(flash): Query<Flash>,
        ) -> Result<Response, PageError> {
            page(
                &state,
                &ctx,
                $kind,
                flash.key(),
                String::new(),
                FieldErrors::new(),
            )
            .await
        }
        pub async fn $create(
            State(state): State<AppState>,
            PageCtx(ctx): PageCtx,
            Form(form): Form<NameForm>,
        ) -> Result<Response, PageError> {
            create(&state, &ctx, $kind, form).await
        }
        pub async fn $rename(
            State(state): State<AppState>,
            PageCtx(ctx): PageCtx,
            Path(id): Path<String>,
            Form(form): Form<NameForm>,
        ) -> Result<Response, PageError> {
            rename(&state, &ctx, $kind, &id, form).await
        }
        pub async fn $move(
            State(state): State<AppState>,
            PageCtx(ctx): PageCtx,
            Path(id): Path<String>,
            Form(form): Form<MoveForm>,
        ) -> Result<Response, PageError> {
            move_by(&state, &ctx, $kind, &id, form).await
        }
        pub async fn $delete(
            State(state): State<AppState>,
            PageCtx(ctx): PageCtx,
            Path(id): Path<String>,
        ) -> Result<Response, PageError> {
            delete(&state, &ctx, $kind, &id).await
        }
    };
}

group_pages!(
    GroupKind::Product,
    product_groups,
    create_product_group,
    rename_product_group,
    move_product_group,
    delete_product_group
);
group_pages!(
    GroupKind::Offer,
    offer_groups,
    create_offer_group,
    rename_offer_group,
    move_offer_group,
    delete_offer_group
);
