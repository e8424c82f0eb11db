//! Registers (tills) per site: create, edit, archive.

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
use guichet_app::organization::Site;
use guichet_app::registers::Register;
use guichet_domain::order::PaymentMethod;
use guichet_domain::org::{AddressInput, RegisterInput, RegisterKind};
use guichet_domain::{FieldErrors, Permission, RegisterId};

/// The routes of these pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/distribution/registers", get(list))
        .route("/distribution/registers/new", get(new).post(create))
        .route("/distribution/registers/{id}", get(edit).post(update))
        .route("/distribution/registers/{id}/archive", post(archive))
        .route("/distribution/payment-methods", post(set_methods))
}

#[derive(Template)]
#[template(path = "registers.html")]
struct RegistersPage {
    tr: Tr,
    nav: Nav,
    registers: Vec<Register>,
    activity: std::collections::HashMap<guichet_domain::RegisterId, guichet_app::closing::Activity>,
    tz: String,
    /// Every method with whether the organization offers it; `None` when the user may not
    /// change them.
    methods: Option<Vec<(PaymentMethod, bool)>>,
}

impl RegistersPage {
    fn kind_label(&self, kind: &RegisterKind) -> &'static str {
        kind_label(*kind)
    }

    fn last_opened(&self, r: &Register) -> String {
        let at = self.activity.get(&r.id).and_then(|a| a.last_opened);
        self.tr.maybe_instant(&at, &self.tz)
    }

    fn last_z(&self, r: &Register) -> String {
        let at = self.activity.get(&r.id).and_then(|a| a.last_z);
        self.tr.maybe_instant(&at, &self.tz)
    }

    /// "open", or "open for N days" for a register left open since an earlier day.
    fn open_badge(&self, r: &Register) -> Option<(bool, String)> {
        match self.activity.get(&r.id).and_then(|a| a.open_days)? {
            0 => Some((false, self.tr.t("registers-open-now"))),
            days => Some((true, self.tr.t1("registers-open-days", "days", days))),
        }
    }
}

fn kind_label(kind: RegisterKind) -> &'static str {
    match kind {
        RegisterKind::Counter => "register-kind-counter",
        RegisterKind::Phone => "register-kind-phone",
    }
}

pub async fn list(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(flash): Query<Flash>,
) -> Result<Response, PageError> {
    let registers = guichet_app::registers::registers(&state, &ctx)
        .await
        .or_page(&ctx)?;
    let activity = guichet_app::closing::activity(&state, &ctx)
        .await
        .or_page(&ctx)?;
    let tz = guichet_app::organization::time_zone(&state, ctx.tenant)
        .await
        .or_page(&ctx)?;
    let methods = if ctx.can(Permission::ManagePaymentMethods) {
        let on = guichet_app::orders::enabled_methods(&state, &ctx)
            .await
            .or_page(&ctx)?;
        Some(
            PaymentMethod::ALL
                .iter()
                .map(|m| (*m, on.contains(m)))
                .collect(),
        )
    } else {
        None
    };
    Ok(render_status(
        StatusCode::OK,
        &RegistersPage {
            tr: Tr(ctx.lang),
            nav: Nav::new(&ctx, "/distribution/registers", flash.key()),
            registers,
            activity,
            tz,
            methods,
        },
    ))
}

/// The payment methods form: checked boxes arrive as repeated `method` keys.
pub async fn set_methods(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let on: Vec<&str> = pairs
        .iter()
        .filter(|(k, _)| k == "method")
        .map(|(_, v)| v.as_str())
        .collect();
    guichet_app::orders::set_methods(&state, &ctx, &on)
        .await
        .or_page(&ctx)?;
    Ok(done("/distribution/registers", "saved"))
}

#[derive(Template)]
#[template(path = "register_form.html")]
struct RegisterPage {
    tr: Tr,
    nav: Nav,
    title: &'static str,
    form: RegisterInput,
    errors: FieldErrors,
    sites: Vec<Site>,
    register_id: Option<RegisterId>,
    archived: bool,
}

async fn register_page(
    state: &AppState,
    ctx: &Ctx,
    register: Option<&Register>,
    form: RegisterInput,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let sites = guichet_app::organization::active_sites(state, ctx)
        .await
        .or_page(ctx)?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render_status(
        status,
        &RegisterPage {
            tr: Tr(ctx.lang),
            nav: Nav::new(ctx, "/distribution/registers", None),
            title: if register.is_some() {
                "registers-edit"
            } else {
                "action-new-register"
            },
            form,
            errors,
            sites,
            register_id: register.map(|r| r.id),
            archived: register.is_some_and(|r| r.archived),
        },
    ))
}

fn form_of(r: &Register) -> RegisterInput {
    RegisterInput {
        name: r.name.clone(),
        kind: r.kind.as_str().to_owned(),
        site_id: r.site_id.to_string(),
        address: AddressInput::from_address(&r.address),
    }
}

pub async fn new(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
) -> Result<Response, PageError> {
    ctx.require(Permission::ManageRegisters).or_page(&ctx)?;
    let form = RegisterInput {
        kind: "counter".into(),
        ..Default::default()
    };
    register_page(&state, &ctx, None, form, FieldErrors::new()).await
}

pub async fn create(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Form(form): Form<RegisterInput>,
) -> Result<Response, PageError> {
    match guichet_app::registers::create_register(&state, &ctx, &form).await {
        Ok(_) => Ok(done("/distribution/registers", "register-saved")),
        Err(e) => {
            let errors = form_errors(e, &ctx)?;
            register_page(&state, &ctx, None, form, errors).await
        }
    }
}

pub async fn edit(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let register = guichet_app::registers::register(&state, &ctx, parse_id(&id, &ctx)?)
        .await
        .or_page(&ctx)?;
    let form = form_of(&register);
    register_page(&state, &ctx, Some(&register), form, FieldErrors::new()).await
}

pub async fn update(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<String>,
    Form(form): Form<RegisterInput>,
) -> Result<Response, PageError> {
    let id: RegisterId = parse_id(&id, &ctx)?;
    match guichet_app::registers::update_register(&state, &ctx, id, &form).await {
        Ok(_) => Ok(done("/distribution/registers", "register-saved")),
        Err(e) => {
            let errors = form_errors(e, &ctx)?;
            let register = guichet_app::registers::register(&state, &ctx, id)
                .await
                .or_page(&ctx)?;
            register_page(&state, &ctx, Some(&register), form, errors).await
        }
    }
}

pub async fn archive(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<String>,
    Form(form): Form<ArchiveForm>,
) -> Result<Response, PageError> {
    let id: RegisterId = parse_id(&id, &ctx)?;
    let archived = form.archived();
    match guichet_app::registers::archive_register(&state, &ctx, id, archived).await {
        Ok(_) => Ok(done(
            "/distribution/registers",
            if archived { "archived" } else { "restored" },
        )),
        Err(e) => {
            let errors = form_errors(e, &ctx)?;
            let register = guichet_app::registers::register(&state, &ctx, id)
                .await
                .or_page(&ctx)?;
            let f = form_of(&register);
            register_page(&state, &ctx, Some(&register), f, errors).await
        }
    }
}
