//! Distribution › Modules: the online booking modules the attraction embeds in its own
//! website (issue 16 §1) — list, create, edit, archive, and the snippet to copy.

use super::support::{ArchiveForm, Flash, OrPage, done, form_errors, parse_id};
use crate::auth::{Ctx, PageCtx};
use crate::error::PageError;
use crate::state::AppState;
use crate::view::{Nav, Tr, render_status};
use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use guichet_app::booking_modules::BookingModule;
use guichet_domain::booking_module::{
    BookingField, BookingFieldsInput, ModuleInput, ModuleKind, ModuleLanguage,
};
use guichet_domain::{BookingModuleId, FieldErrors, Permission};
use serde::Deserialize;

/// The routes of these pages, and the embed script the snippets load.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/distribution/modules", get(list))
        .route("/distribution/modules/new", get(new).post(create))
        .route("/distribution/modules/{id}", get(edit).post(update))
        .route("/distribution/modules/{id}/archive", post(archive))
        .route("/embed/v1.js", get(embed_script))
}

/// The script of the snippet (`<script src=".../embed/v1.js">`): no session, no cookie,
/// cached a day by browsers and proxies (v1 is the protocol between the script and the
/// booking pages; fixes within v1 reach sites within a day).
async fn embed_script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        include_str!("../../assets/embed.js"),
    )
        .into_response()
}

/// The base of public addresses: the configured public URL, else the origin the admin's
/// browser reached us at (only shown to the admin, never used for a decision).
fn public_base(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(url) = &state.web.public_url {
        return url.clone();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        })
        .unwrap_or("localhost");
    let scheme = if state.web.cookie_secure {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}

fn kind_label(kind: ModuleKind) -> &'static str {
    match kind {
        ModuleKind::Engine => "module-kind-engine",
        ModuleKind::Button => "module-kind-button",
        ModuleKind::Calendar => "module-kind-calendar",
    }
}

fn language_label(language: ModuleLanguage) -> &'static str {
    match language {
        ModuleLanguage::Fr => "module-language-fr",
        ModuleLanguage::Nl => "module-language-nl",
        ModuleLanguage::En => "module-language-en",
        ModuleLanguage::Browser => "module-language-browser",
    }
}

fn field_label(field: BookingField) -> &'static str {
    match field {
        BookingField::LastName => "label-last-name",
        BookingField::FirstName => "label-first-name",
        BookingField::Email => "label-email",
        BookingField::Phone => "label-phone",
        BookingField::City => "label-city",
        BookingField::PostalCode => "label-postal-code",
    }
}

struct Row {
    module: BookingModule,
    offers: String,
    public_url: String,
    /// The address without the server, short enough for the table.
    public_path: String,
}

#[derive(Template)]
#[template(path = "booking_modules.html")]
struct ModulesPage {
    tr: Tr,
    nav: Nav,
    rows: Vec<Row>,
}

impl ModulesPage {
    fn kind_label(&self, kind: &ModuleKind) -> &'static str {
        kind_label(*kind)
    }

    fn language_label(&self, language: &ModuleLanguage) -> &'static str {
        language_label(*language)
    }
}

pub async fn list(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    headers: HeaderMap,
    Query(flash): Query<Flash>,
) -> Result<Response, PageError> {
    let modules = guichet_app::booking_modules::list(&state, &ctx)
        .await
        .or_page(&ctx)?;
    let offers = guichet_app::offers::list(&state, &ctx)
        .await
        .or_page(&ctx)?;
    let org = guichet_app::booking_modules::organization_slug(&state, &ctx)
        .await
        .or_page(&ctx)?;
    let base = public_base(&state, &headers);
    let tr = Tr(ctx.lang);
    let rows = modules
        .into_iter()
        .map(|m| Row {
            offers: match m.offer_id {
                None => tr.t("module-all-offers"),
                Some(id) => offers
                    .iter()
                    .find(|o| o.id == id)
                    .map(|o| o.texts.pick(ctx.lang, |t| &t.name))
                    .unwrap_or_default(),
            },
            public_url: format!("{base}/book/{org}/{}", m.slug),
            public_path: format!("/book/{org}/{}", m.slug),
            module: m,
        })
        .collect();
    Ok(render_status(
        StatusCode::OK,
        &ModulesPage {
            tr,
            nav: Nav::new(&ctx, "/distribution/modules", flash.key()),
            rows,
        },
    ))
}

/// The form as the page posts it: the booking fields flat (`field_last_name`, …), the
/// rest as [`ModuleInput`].
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ModuleForm {
    name: String,
    slug: String,
    kind: String,
    offer_id: String,
    language: String,
    return_url: String,
    field_last_name: String,
    field_first_name: String,
    field_email: String,
    field_phone: String,
    field_city: String,
    field_postal_code: String,
    primary_color: String,
    background_color: String,
    text_color: String,
    analytics_id: String,
    frame_domains: String,
}

impl ModuleForm {
    fn input(&self) -> ModuleInput {
        ModuleInput {
            name: self.name.clone(),
            slug: self.slug.clone(),
            kind: self.kind.clone(),
            offer_id: self.offer_id.clone(),
            language: self.language.clone(),
            return_url: self.return_url.clone(),
            fields: BookingFieldsInput {
                last_name: self.field_last_name.clone(),
                first_name: self.field_first_name.clone(),
                email: self.field_email.clone(),
                phone: self.field_phone.clone(),
                city: self.field_city.clone(),
                postal_code: self.field_postal_code.clone(),
            },
            primary_color: self.primary_color.clone(),
            background_color: self.background_color.clone(),
            text_color: self.text_color.clone(),
            analytics_id: self.analytics_id.clone(),
            frame_domains: self.frame_domains.clone(),
        }
    }

    fn of(m: &BookingModule) -> ModuleForm {
        let f = BookingFieldsInput::from_fields(&m.fields);
        ModuleForm {
            name: m.name.clone(),
            slug: m.slug.clone(),
            kind: m.kind.as_str().to_owned(),
            offer_id: m.offer_id.map(|o| o.to_string()).unwrap_or_default(),
            language: m.language.as_str().to_owned(),
            return_url: m.return_url.clone().unwrap_or_default(),
            field_last_name: f.last_name,
            field_first_name: f.first_name,
            field_email: f.email,
            field_phone: f.phone,
            field_city: f.city,
            field_postal_code: f.postal_code,
            primary_color: m.colors.primary.clone(),
            background_color: m.colors.background.clone(),
            text_color: m.colors.text.clone(),
            analytics_id: m.analytics_id.clone().unwrap_or_default(),
            frame_domains: m.frame_domains.join("\n"),
        }
    }

    /// The requirement chosen for a booking field (`required` when none).
    fn requirement(&self, field: BookingField) -> &str {
        let v = match field {
            BookingField::LastName => &self.field_last_name,
            BookingField::FirstName => &self.field_first_name,
            BookingField::Email => &self.field_email,
            BookingField::Phone => &self.field_phone,
            BookingField::City => &self.field_city,
            BookingField::PostalCode => &self.field_postal_code,
        };
        if v == "optional" {
            "optional"
        } else {
            "required"
        }
    }
}

/// What the edit page gives to copy.
struct Snippet {
    code: String,
    overlay: String,
    public_url: String,
}

#[derive(Template)]
#[template(path = "booking_module_form.html")]
struct ModulePage {
    tr: Tr,
    nav: Nav,
    title: &'static str,
    form: ModuleForm,
    errors: FieldErrors,
    /// (id, name) of the offers that can be chosen.
    offers: Vec<(String, String)>,
    module_id: Option<BookingModuleId>,
    archived: bool,
    snippet: Option<Snippet>,
}

impl ModulePage {
    fn kinds(&self) -> Vec<(&'static str, &'static str)> {
        ModuleKind::ALL
            .iter()
            .map(|k| (k.as_str(), kind_label(*k)))
            .collect()
    }

    fn languages(&self) -> Vec<(&'static str, &'static str)> {
        ModuleLanguage::ALL
            .iter()
            .map(|l| (l.as_str(), language_label(*l)))
            .collect()
    }

    /// (form name, label key, current requirement) of each booking field.
    fn booking_fields(&self) -> Vec<(String, &'static str, &str)> {
        BookingField::ALL
            .iter()
            .map(|f| {
                (
                    format!("field_{}", f.as_str()),
                    field_label(*f),
                    self.form.requirement(*f),
                )
            })
            .collect()
    }

    /// The error on a booking field (reported as `fields.{name}`).
    fn booking_field_error(&self, form_name: &str) -> Option<String> {
        let field = form_name.strip_prefix("field_")?;
        self.tr
            .field_error(&self.errors, &format!("fields.{field}"))
    }
}

/// Which module the form shows (none: a new one) and the confirmation to show above it.
#[derive(Default, Clone, Copy)]
struct Page<'a> {
    module: Option<&'a BookingModule>,
    flash: Option<&'a str>,
}

async fn module_page(
    state: &AppState,
    ctx: &Ctx,
    headers: &HeaderMap,
    page: Page<'_>,
    form: ModuleForm,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let module = page.module;
    let offers = guichet_app::offers::list(state, ctx)
        .await
        .or_page(ctx)?
        .into_iter()
        .filter(|o| !o.archived || module.is_some_and(|m| m.offer_id == Some(o.id)))
        .map(|o| (o.id.to_string(), o.texts.pick(ctx.lang, |t| &t.name)))
        .collect();
    let snippet = match module {
        Some(m) => {
            let org = guichet_app::booking_modules::organization_slug(state, ctx)
                .await
                .or_page(ctx)?;
            let base = public_base(state, headers);
            let tag = |mode: &str| {
                format!(
                    "<script src=\"{base}/embed/v1.js\" async></script>\n<div data-guichet-module=\"{org}/{}\" data-mode=\"{mode}\"></div>",
                    m.slug
                )
            };
            Some(Snippet {
                code: tag("inline"),
                overlay: tag("overlay"),
                public_url: format!("{base}/book/{org}/{}", m.slug),
            })
        }
        None => None,
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render_status(
        status,
        &ModulePage {
            tr: Tr(ctx.lang),
            nav: Nav::new(ctx, "/distribution/modules", page.flash),
            title: if module.is_some() {
                "modules-edit"
            } else {
                "action-new-module"
            },
            form,
            errors,
            offers,
            module_id: module.map(|m| m.id),
            archived: module.is_some_and(|m| m.archived),
            snippet,
        },
    ))
}

pub async fn new(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    ctx.require(Permission::ManageDistribution).or_page(&ctx)?;
    let defaults = guichet_domain::booking_module::ModuleColors::default();
    let form = ModuleForm {
        kind: "engine".into(),
        language: "browser".into(),
        primary_color: defaults.primary,
        background_color: defaults.background,
        text_color: defaults.text,
        ..Default::default()
    };
    module_page(
        &state,
        &ctx,
        &headers,
        Page::default(),
        form,
        FieldErrors::new(),
    )
    .await
}

pub async fn create(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    headers: HeaderMap,
    Form(form): Form<ModuleForm>,
) -> Result<Response, PageError> {
    match guichet_app::booking_modules::create(&state, &ctx, &form.input()).await {
        // To the new module's page: its snippet is what the admin came for.
        Ok(m) => Ok(done(
            &format!("/distribution/modules/{}", m.id),
            "module-saved",
        )),
        Err(e) => {
            let errors = form_errors(e, &ctx)?;
            module_page(&state, &ctx, &headers, Page::default(), form, errors).await
        }
    }
}

pub async fn edit(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(flash): Query<Flash>,
) -> Result<Response, PageError> {
    let module = guichet_app::booking_modules::get(&state, &ctx, parse_id(&id, &ctx)?)
        .await
        .or_page(&ctx)?;
    let form = ModuleForm::of(&module);
    let page = Page {
        module: Some(&module),
        flash: flash.key(),
    };
    module_page(&state, &ctx, &headers, page, form, FieldErrors::new()).await
}

pub async fn update(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<ModuleForm>,
) -> Result<Response, PageError> {
    let id: BookingModuleId = parse_id(&id, &ctx)?;
    match guichet_app::booking_modules::update(&state, &ctx, id, &form.input()).await {
        Ok(_) => Ok(done("/distribution/modules", "module-saved")),
        Err(e) => {
            let errors = form_errors(e, &ctx)?;
            let module = guichet_app::booking_modules::get(&state, &ctx, id)
                .await
                .or_page(&ctx)?;
            let page = Page {
                module: Some(&module),
                flash: None,
            };
            module_page(&state, &ctx, &headers, page, form, errors).await
        }
    }
}

pub async fn archive(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<String>,
    Form(form): Form<ArchiveForm>,
) -> Result<Response, PageError> {
    let id: BookingModuleId = parse_id(&id, &ctx)?;
    let archived = form.archived();
    guichet_app::booking_modules::archive(&state, &ctx, id, archived)
        .await
        .or_page(&ctx)?;
    Ok(done(
        "/distribution/modules",
        if archived { "archived" } else { "restored" },
    ))
}
