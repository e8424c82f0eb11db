//! Marketing › Customers › Import (seed 003): upload a spreadsheet, see its columns mapped
//! and every row checked, fix the mapping, download the file with an errors column, import
//! — or "continue anyway" past warnings. While the server reads a large file the page shows
//! how far it got (`/marketing/customers/import/progress/{key}`).

use super::support::{OrPage, form_errors, parse_id};
use crate::auth::{Ctx, PageCtx};
use crate::download::attachment;
use crate::error::PageError;
use crate::state::AppState;
use crate::upload::{Kind, Upload};
use crate::view::{Nav, Tr, render_status};
use askama::Template;
use axum::Json;
use axum::Router;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use guichet_app::customer_imports::{self as service, CustomerImport, ImportColumn, RowNote};
use guichet_app::customers::CustomerField;
use guichet_domain::customer_import::{Column, Target};
use guichet_domain::{FieldErrors, Permission};
use uuid::Uuid;

/// The routes of these pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/marketing/customers/import",
            get(upload_form)
                .post(upload)
                .layer(axum::extract::DefaultBodyLimit::max(
                    guichet_integrations::imports::MAX_BYTES + 64 * 1024,
                )),
        )
        .route("/marketing/customers/import/progress/{key}", get(progress))
        .route("/marketing/customers/import/{id}", get(show))
        .route("/marketing/customers/import/{id}/mapping", post(remap))
        .route("/marketing/customers/import/{id}/commit", post(commit))
        .route("/marketing/customers/import/{id}/errors", get(errors_file))
}

const IMPORT: &str = "/marketing/customers/import";
/// Errors and warnings listed on the page; the errors file has them all.
const SHOWN: usize = 200;

/// The progress key of a page, scoped to its organization so nobody reads another's.
fn scoped(ctx: &Ctx, key: &str) -> String {
    if guichet_app::progress::valid_key(key) && key.len() <= 32 {
        format!("{}-{key}", ctx.tenant.id().0.simple())
    } else {
        String::new()
    }
}

fn fresh_key() -> String {
    Uuid::now_v7().simple().to_string()
}

#[derive(Template)]
#[template(path = "customer_import_upload.html")]
struct UploadPage {
    tr: Tr,
    nav: Nav,
    errors: FieldErrors,
    progress_key: String,
}

pub async fn upload_form(PageCtx(ctx): PageCtx) -> Result<Response, PageError> {
    ctx.require(Permission::ManageCustomers).or_page(&ctx)?;
    Ok(upload_page(&ctx, FieldErrors::new(), StatusCode::OK))
}

fn upload_page(ctx: &Ctx, errors: FieldErrors, status: StatusCode) -> Response {
    render_status(
        status,
        &UploadPage {
            tr: Tr(ctx.lang),
            nav: Nav::new(ctx, "/marketing/customers", None),
            errors,
            progress_key: fresh_key(),
        },
    )
}

/// The upload: `file`, `update_existing`, `progress`.
pub async fn upload(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    multipart: Multipart,
) -> Result<Response, PageError> {
    ctx.require(Permission::ManageCustomers).or_page(&ctx)?;
    let upload = match Upload::read(multipart, Kind::Import).await {
        Ok(u) => u,
        Err(e) => {
            let errors = form_errors(e, &ctx)?;
            return Ok(upload_page(&ctx, errors, StatusCode::UNPROCESSABLE_ENTITY));
        }
    };
    let bytes = match upload.required_file() {
        Ok(b) => b,
        Err(e) => {
            let errors = form_errors(e, &ctx)?;
            return Ok(upload_page(&ctx, errors, StatusCode::UNPROCESSABLE_ENTITY));
        }
    };
    let update_existing = upload.has("update_existing");
    let key = scoped(&ctx, upload.text("progress"));
    match service::upload(
        &state,
        &ctx,
        &upload.file_name,
        bytes,
        update_existing,
        &key,
    )
    .await
    {
        Ok(i) => Ok(Redirect::to(&format!("{IMPORT}/{}", i.id)).into_response()),
        Err(e) => {
            let errors = form_errors(e, &ctx)?;
            Ok(upload_page(&ctx, errors, StatusCode::UNPROCESSABLE_ENTITY))
        }
    }
}

#[derive(Template)]
#[template(path = "customer_import.html")]
struct ReportPage {
    tr: Tr,
    nav: Nav,
    tz: String,
    import: CustomerImport,
    fields: Vec<CustomerField>,
    errors: FieldErrors,
    progress_key: String,
}

impl ReportPage {
    fn columns(&self) -> &[ImportColumn] {
        &self.import.report.columns
    }
    fn computed(&self, c: &ImportColumn) -> bool {
        c.target == Target::Computed
    }
    /// The mapping select's options: (key, label, chosen).
    fn options(&self, c: &ImportColumn) -> Vec<(String, String, bool)> {
        let mut out = vec![(
            String::new(),
            self.tr.t("import-not-imported"),
            c.target == Target::Ignored,
        )];
        for col in Column::ALL {
            let t = Target::Field(col);
            out.push((
                service::key_of_target(&t),
                self.tr.t(service::label_key(col)),
                c.target == t,
            ));
        }
        for f in &self.fields {
            let t = Target::Custom(f.id.to_string());
            out.push((service::key_of_target(&t), f.name.clone(), c.target == t));
        }
        out
    }
    fn shown_errors(&self) -> &[RowNote] {
        let e = &self.import.report.errors;
        &e[..e.len().min(SHOWN)]
    }
    fn shown_warnings(&self) -> &[RowNote] {
        let w = &self.import.report.warnings;
        &w[..w.len().min(SHOWN)]
    }
    fn more_errors(&self) -> usize {
        self.import.report.errors.len().saturating_sub(SHOWN)
    }
    fn more_warnings(&self) -> usize {
        self.import.report.warnings.len().saturating_sub(SHOWN)
    }
    fn has_errors(&self) -> bool {
        !self.import.report.errors.is_empty()
    }
    fn has_warnings(&self) -> bool {
        !self.import.report.warnings.is_empty()
    }
    fn imported(&self) -> bool {
        self.import.imported_at.is_some()
    }
    fn purged(&self) -> bool {
        self.import.purged_at.is_some()
    }
    fn done_text(&self) -> String {
        self.tr.t1_2(
            "import-done",
            ("created", self.import.created_count.to_string()),
            ("updated", self.import.updated_count.to_string()),
        )
    }
    fn column_of(&self, n: &RowNote) -> String {
        n.column
            .clone()
            .unwrap_or_else(|| self.tr.t("import-whole-row"))
    }
}

async fn report_page(
    state: &AppState,
    ctx: &Ctx,
    id: Uuid,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let import = service::get(state, ctx, id).await.or_page(ctx)?;
    let fields = guichet_app::customers::fields(state, ctx)
        .await
        .or_page(ctx)?;
    let tz = guichet_app::organization::time_zone(state, ctx.tenant)
        .await
        .or_page(ctx)?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render_status(
        status,
        &ReportPage {
            tr: Tr(ctx.lang),
            nav: Nav::new(ctx, "/marketing/customers", None),
            tz,
            import,
            fields,
            errors,
            progress_key: fresh_key(),
        },
    ))
}

pub async fn show(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id: Uuid = parse_id(&id, &ctx)?;
    report_page(&state, &ctx, id, FieldErrors::new()).await
}

/// The mapping form: `map` once per file column, in order; `update_existing`; `progress`.
pub async fn remap(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<String>,
    axum_extra::extract::Form(pairs): axum_extra::extract::Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id: Uuid = parse_id(&id, &ctx)?;
    let keys: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k == "map")
        .map(|(_, v)| v.clone())
        .collect();
    let update_existing = pairs.iter().any(|(k, _)| k == "update_existing");
    let key = pairs
        .iter()
        .find(|(k, _)| k == "progress")
        .map_or(String::new(), |(_, v)| scoped(&ctx, v));
    match service::remap(&state, &ctx, id, &keys, update_existing, &key).await {
        Ok(_) => Ok(Redirect::to(&format!("{IMPORT}/{id}")).into_response()),
        Err(e) => {
            let errors = form_errors(e, &ctx)?;
            report_page(&state, &ctx, id, errors).await
        }
    }
}

#[derive(serde::Deserialize)]
pub struct CommitForm {
    #[serde(default)]
    accept_warnings: Option<String>,
    #[serde(default)]
    progress: String,
}

pub async fn commit(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<CommitForm>,
) -> Result<Response, PageError> {
    let id: Uuid = parse_id(&id, &ctx)?;
    let key = scoped(&ctx, &form.progress);
    let accept = form.accept_warnings.is_some();
    match service::commit(&state, &ctx, id, accept, &key).await {
        Ok(_) => Ok(Redirect::to(&format!("{IMPORT}/{id}")).into_response()),
        Err(e) => {
            let errors = form_errors(e, &ctx)?;
            report_page(&state, &ctx, id, errors).await
        }
    }
}

/// The uploaded file with its errors column.
pub async fn errors_file(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id: Uuid = parse_id(&id, &ctx)?;
    let (bytes, mime, name) = service::errors_file(&state, &ctx, id).await.or_page(&ctx)?;
    Ok(attachment(mime, &name, bytes))
}

/// How far the request under `key` got: `{"phase", "done", "total"}`, or 404.
pub async fn progress(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(key): Path<String>,
) -> Response {
    match state.progress.get(&scoped(&ctx, &key)) {
        Some(step) => Json(step).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
