//! Importing customers from a spreadsheet (seed 003). The file is kept with its column
//! mapping; a dry run checks every row against the customer file's rules and reports errors
//! (line, column, reason) and warnings; with errors nothing is imported and the same file
//! comes back with an errors column; with warnings only the import needs "continue anyway".
//! The import itself is one transaction: every row or none. A row updates an existing
//! customer when its `id` column names one, or — when asked — when its e-mail is known.

use crate::Actor;
use crate::App;
use crate::AppError;
use guichet_domain::customer::{CustomerDetails, CustomerInput};
use guichet_domain::customer_import::{self as ci, Column, Target};
use guichet_domain::{CustomerId, Permission};
use guichet_integrations::imports::{self, Sheet};
use guichet_store::customer_imports as records;
use guichet_store::customers::{self, Customer};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use uuid::Uuid;

mod check;
pub(crate) mod files;

use check::check;

/// One column of the file and where it goes.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ImportColumn {
    pub header: String,
    pub target: Target,
    /// The column's first value, to help whoever adjusts the mapping.
    pub sample: String,
}

/// An error or a warning on a row.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RowNote {
    /// The row number a spreadsheet shows for the row (blank rows and cells over several
    /// lines counted as a spreadsheet counts them).
    pub line: u64,
    /// The column's header; none for the row as a whole.
    pub column: Option<String>,
    /// Stable code: `invalid_email`, `doubtful_date`, `missing_name`…
    pub code: String,
    /// What Guichet read, when that helps (the date a doubtful one was read as).
    pub detail: Option<String>,
    /// The reason in the reader's language.
    #[serde(default)]
    pub message: String,
}

/// A dry run's findings.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ImportReport {
    /// Rows under the header (blank ones skipped).
    pub rows: u64,
    pub columns: Vec<ImportColumn>,
    pub to_create: u64,
    pub to_update: u64,
    pub errors: Vec<RowNote>,
    pub warnings: Vec<RowNote>,
}

/// An import, as pages and the API show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CustomerImport {
    pub id: Uuid,
    pub filename: String,
    pub created_at: i64,
    /// Rows whose e-mail is a known customer's update that customer.
    pub update_existing: bool,
    pub imported_at: Option<i64>,
    pub created_count: i64,
    pub updated_count: i64,
    /// When the file was removed: kept `import_retention_days`, or a customer in it was
    /// erased. The report is gone with it; the import can no longer be checked or confirmed.
    pub purged_at: Option<i64>,
    pub report: ImportReport,
}

/// What a checked row will do.
#[derive(Debug, Clone)]
enum Planned {
    Create(CustomerDetails),
    Update(CustomerId, CustomerDetails),
}

/// Dry runs kept in memory for their confirmation, so a 100,000-row file is not checked
/// twice when nothing it depends on changed in between (see [`commit`]). At most
/// [`PLANS_KEPT`], the oldest dropped first.
#[derive(Clone, Default)]
pub struct Plans(Arc<std::sync::Mutex<Vec<CachedPlan>>>);

const PLANS_KEPT: usize = 4;

struct CachedPlan {
    id: Uuid,
    tenant: Uuid,
    /// When the check started: a customer written since may change the plan.
    checked_at: i64,
    mapping: Vec<Target>,
    update_existing: bool,
    fields: Vec<(Uuid, String)>,
    types: Vec<(String, String)>,
    report: ImportReport,
    planned: Arc<Vec<Planned>>,
}

impl Plans {
    fn keep(&self, plan: CachedPlan) {
        let mut plans = self.0.lock().unwrap_or_else(|p| p.into_inner());
        plans.retain(|p| p.id != plan.id);
        if plans.len() >= PLANS_KEPT {
            plans.remove(0);
        }
        plans.push(plan);
    }

    /// Drops an organization's plans (a customer was erased: a plan may hold their row).
    pub(crate) fn forget(&self, tenant: Uuid) {
        let mut plans = self.0.lock().unwrap_or_else(|p| p.into_inner());
        plans.retain(|p| p.tenant != tenant);
    }

    fn take(&self, id: Uuid, tenant: Uuid) -> Option<CachedPlan> {
        let mut plans = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let at = plans
            .iter()
            .position(|p| p.id == id && p.tenant == tenant)?;
        Some(plans.remove(at))
    }
}

/// Every how many rows the progress is told.
const STEP: usize = 2_000;

/// An import creating at least this many customers refreshes the database's statistics.
const STATISTICS_AFTER: usize = 10_000;

/// Reads an uploaded file, maps its columns from their headers, keeps it, and runs the dry
/// run. `progress` is the key the page polls (may be empty).
pub async fn upload(
    state: &App,
    actor: &Actor,
    filename: &str,
    bytes: &[u8],
    update_existing: bool,
    progress: &str,
) -> Result<CustomerImport, AppError> {
    actor.require(Permission::ManageCustomers)?;
    state.progress.set(progress, "reading", 0, 0);
    let sheet = Arc::new(read_sheet(filename, bytes)?);
    let fields = super::customers::fields(state, actor).await?;
    let named: Vec<(String, String)> = fields
        .iter()
        .map(|f| (f.id.to_string(), f.name.clone()))
        .collect();
    let mapping = ci::auto_mapping(&sheet.headers, &named, &own_headers());
    let filename: String = filename.trim().chars().take(200).collect();
    let (tenant, by) = (actor.tenant, actor.user_id());
    let mapping_json = serde_json::to_string(&mapping).map_err(internal)?;
    let content: Arc<[u8]> = Arc::from(bytes);
    let id = state
        .store
        .write(|tx| {
            let (f, m, c) = (filename.clone(), mapping_json.clone(), content.clone());
            Box::pin(
                async move { records::create(tx, tenant, by, &f, &c, &m, update_existing).await },
            )
        })
        .await?;
    checked(state, actor, id, sheet, &mapping, update_existing, progress).await?;
    get(state, actor, id).await
}

/// The translation key of a field's label: the customer form's and the export's headers.
pub fn label_key(c: Column) -> &'static str {
    match c {
        Column::Id => "import-field-id",
        Column::FirstName => "label-first-name",
        Column::LastName => "label-last-name",
        Column::Company => "customers-company",
        Column::Email => "label-email",
        Column::Phone => "label-phone",
        Column::Street => "label-street",
        Column::PostalCode => "label-postal-code",
        Column::City => "label-city",
        Column::Province => "label-province",
        Column::Country => "label-country",
        Column::Language => "label-language",
        Column::BirthDate => "customers-birth-date",
        Column::Status => "label-status",
        Column::CustomerType => "customers-type",
        Column::DiscountPercent => "customers-discount",
        Column::VatExempt => "customers-vat-exempt",
        Column::Institutional => "customers-institutional",
        Column::Iban => "customers-iban",
        Column::Bic => "customers-bic",
        Column::BalanceLimit => "customers-balance-limit",
        Column::Loyalty => "customers-loyalty",
        Column::Tags => "customers-tags",
        Column::Notes => "customers-notes",
        Column::ConsentEmail => "customers-consent-email",
        Column::ConsentSms => "customers-consent-sms",
        Column::ConsentPost => "customers-consent-post",
    }
}

/// The headers Guichet writes in every language (the customer export's, the form's), so
/// that an exported file maps back by itself.
fn own_headers() -> Vec<(String, Target)> {
    use guichet_domain::org::Language;
    let computed = [
        "customers-created",
        "customers-last-booking",
        "customers-revenue",
    ];
    let mut out = Vec::new();
    for lang in Language::ALL {
        let t = |k: &str| guichet_integrations::i18n::t(lang, k);
        out.extend(
            Column::ALL
                .into_iter()
                .map(|c| (t(label_key(c)), Target::Field(c))),
        );
        out.extend(computed.iter().map(|k| (t(k), Target::Computed)));
    }
    out
}

/// The dry run, its report saved and its plan kept for the confirmation.
async fn checked(
    state: &App,
    actor: &Actor,
    id: Uuid,
    sheet: Arc<Sheet>,
    mapping: &[Target],
    update_existing: bool,
    progress: &str,
) -> Result<(ImportReport, Arc<Vec<Planned>>), AppError> {
    let checked_at = guichet_store::now_micros();
    let (fields, types) = dependencies(state, actor).await?;
    let (report, planned) = check(state, actor, sheet, mapping, update_existing, progress).await?;
    save_report(state, actor, id, mapping, update_existing, &report).await?;
    let planned = Arc::new(planned);
    state.import_plans.keep(CachedPlan {
        id,
        tenant: actor.tenant.id().0,
        checked_at,
        mapping: mapping.to_vec(),
        update_existing,
        fields,
        types,
        report: report.clone(),
        planned: planned.clone(),
    });
    Ok((report, planned))
}

/// What a plan depends on besides the customers: the organization's fields and types.
async fn dependencies(
    state: &App,
    actor: &Actor,
) -> Result<(Vec<(Uuid, String)>, Vec<(String, String)>), AppError> {
    let fields = super::customers::fields(state, actor)
        .await?
        .into_iter()
        .map(|f| (f.id, f.name))
        .collect();
    let types = super::customers::types(state, actor)
        .await?
        .into_iter()
        .map(|t| {
            (
                t.id.to_string(),
                format!("{} {} {:?}", t.name, t.discount_bp, t.tax),
            )
        })
        .collect();
    Ok((fields, types))
}

/// The plan of the last dry run, if nothing it depends on changed since.
async fn fresh_plan(
    state: &App,
    actor: &Actor,
    id: Uuid,
    mapping: &[Target],
    update_existing: bool,
) -> Result<Option<(ImportReport, Arc<Vec<Planned>>)>, AppError> {
    let Some(plan) = state.import_plans.take(id, actor.tenant.id().0) else {
        return Ok(None);
    };
    if plan.mapping != mapping || plan.update_existing != update_existing {
        return Ok(None);
    }
    if dependencies(state, actor).await? != (plan.fields.clone(), plan.types.clone()) {
        return Ok(None);
    }
    let (tenant, at) = (actor.tenant, plan.checked_at);
    let changed = state
        .store
        .read(|tx| Box::pin(async move { customers::changed_since(tx, tenant, at).await }))
        .await?;
    Ok((!changed).then_some((plan.report, plan.planned)))
}

fn read_sheet(filename: &str, bytes: &[u8]) -> Result<Sheet, AppError> {
    imports::read(filename, bytes).map_err(|e| AppError::field("file", e.code()))
}

fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(e.to_string())
}

pub async fn get(state: &App, actor: &Actor, id: Uuid) -> Result<CustomerImport, AppError> {
    actor.require(Permission::ManageCustomers)?;
    let r = load(state, actor, id).await?;
    Ok(view(actor, r))
}

async fn load(state: &App, actor: &Actor, id: Uuid) -> Result<records::CustomerImport, AppError> {
    let tenant = actor.tenant;
    Ok(state
        .store
        .read(|tx| Box::pin(async move { records::get(tx, tenant, id).await }))
        .await?)
}

/// The import, if its file is still kept (`import_purged` otherwise).
fn kept(r: records::CustomerImport) -> Result<records::CustomerImport, AppError> {
    match r.purged_at {
        Some(_) => Err(AppError::Conflict("import_purged")),
        None => Ok(r),
    }
}

fn view(actor: &Actor, r: records::CustomerImport) -> CustomerImport {
    let mut report: ImportReport = r
        .report
        .as_deref()
        .and_then(|j| serde_json::from_str(j).ok())
        .unwrap_or_default();
    let tr = guichet_integrations::i18n::Tr(actor.lang);
    for n in report.errors.iter_mut().chain(report.warnings.iter_mut()) {
        n.message = note_text(&tr, n);
    }
    CustomerImport {
        id: r.id,
        filename: r.filename,
        created_at: r.created_at,
        update_existing: r.update_existing,
        imported_at: r.imported_at,
        created_count: r.created_count,
        updated_count: r.updated_count,
        purged_at: r.purged_at,
        report,
    }
}

/// "Invalid e-mail address", or "Date read as 1985-04-03 — check day and month".
fn note_text(tr: &guichet_integrations::i18n::Tr, n: &RowNote) -> String {
    let reason = tr.error(&n.code);
    match &n.detail {
        Some(d) => format!("{reason} ({d})"),
        None => reason,
    }
}

async fn save_report(
    state: &App,
    actor: &Actor,
    id: Uuid,
    mapping: &[Target],
    update_existing: bool,
    report: &ImportReport,
) -> Result<(), AppError> {
    let tenant = actor.tenant;
    let m = serde_json::to_string(mapping).map_err(internal)?;
    let r = serde_json::to_string(report).map_err(internal)?;
    state
        .store
        .write(|tx| {
            let (m, r) = (m.clone(), r.clone());
            Box::pin(
                async move { records::set_report(tx, tenant, id, &m, update_existing, &r).await },
            )
        })
        .await?;
    Ok(())
}

/// A target as forms and the API name it: empty (not imported), a field's key
/// (`first_name`), or `custom.<field id>`.
pub fn target_of_key(key: &str) -> Option<Target> {
    let key = key.trim();
    if key.is_empty() || key == "ignored" {
        return Some(Target::Ignored);
    }
    if let Some(id) = key.strip_prefix("custom.") {
        return Some(Target::Custom(id.to_owned()));
    }
    Column::from_key(key).map(Target::Field)
}

pub fn key_of_target(t: &Target) -> String {
    match t {
        Target::Field(c) => c.key().to_owned(),
        Target::Custom(id) => format!("custom.{id}"),
        Target::Ignored | Target::Computed => String::new(),
    }
}

/// Changes where the columns go (one key per file column, see [`target_of_key`]) and runs
/// the dry run again. Computed columns stay refused; a field takes one column at most.
pub async fn remap(
    state: &App,
    actor: &Actor,
    id: Uuid,
    keys: &[String],
    update_existing: bool,
    progress: &str,
) -> Result<CustomerImport, AppError> {
    actor.require(Permission::ManageCustomers)?;
    let r = kept(load(state, actor, id).await?)?;
    if r.imported_at.is_some() {
        return Err(AppError::Conflict("import_done"));
    }
    let sheet = Arc::new(read_sheet(&r.filename, &r.content)?);
    let old: Vec<Target> = serde_json::from_str(&r.mapping).unwrap_or_default();
    if keys.len() != sheet.headers.len() {
        return Err(AppError::field("mapping", "invalid_mapping"));
    }
    let fields = super::customers::fields(state, actor).await?;
    let mut mapping = Vec::with_capacity(keys.len());
    for (i, key) in keys.iter().enumerate() {
        let name = format!("mapping.{i}");
        let target = if old.get(i) == Some(&Target::Computed) {
            Target::Computed
        } else {
            target_of_key(key).ok_or_else(|| AppError::field(&name, "unknown_value"))?
        };
        if let Target::Custom(f) = &target
            && !fields.iter().any(|x| x.id.to_string() == *f)
        {
            return Err(AppError::field(&name, "unknown_value"));
        }
        if matches!(target, Target::Field(_) | Target::Custom(_)) && mapping.contains(&target) {
            return Err(AppError::field(&name, "duplicate_target"));
        }
        mapping.push(target);
    }
    checked(state, actor, id, sheet, &mapping, update_existing, progress).await?;
    get(state, actor, id).await
}

/// Imports the file: the dry run again (customers may have changed since), then every row
/// in one transaction. Refused with errors (`import_has_errors`), or with warnings unless
/// `accept_warnings` ("continue anyway": `import_has_warnings`).
pub async fn commit(
    state: &App,
    actor: &Actor,
    id: Uuid,
    accept_warnings: bool,
    progress: &str,
) -> Result<CustomerImport, AppError> {
    actor.require(Permission::ManageCustomers)?;
    let r = kept(load(state, actor, id).await?)?;
    if r.imported_at.is_some() {
        return Err(AppError::Conflict("import_done"));
    }
    let mapping: Vec<Target> = serde_json::from_str(&r.mapping).map_err(internal)?;
    // The dry run again, unless its plan is still good (no customer, field or type changed).
    let (report, planned) = match fresh_plan(state, actor, id, &mapping, r.update_existing).await? {
        Some(plan) => plan,
        None => {
            let sheet = Arc::new(read_sheet(&r.filename, &r.content)?);
            checked(
                state,
                actor,
                id,
                sheet,
                &mapping,
                r.update_existing,
                progress,
            )
            .await?
        }
    };
    if !report.errors.is_empty() {
        return Err(AppError::Conflict("import_has_errors"));
    }
    if !report.warnings.is_empty() && !accept_warnings {
        return Err(AppError::Conflict("import_has_warnings"));
    }
    let (tenant, by) = (actor.tenant, actor.user_id());
    let total = planned.len() as u64;
    let progress_map = state.progress.clone();
    let key = progress.to_owned();
    state
        .store
        .write(|tx| {
            let (planned, progress_map, key) = (planned.clone(), progress_map.clone(), key.clone());
            Box::pin(async move {
                let creates: Vec<&CustomerDetails> = planned
                    .iter()
                    .filter_map(|p| match p {
                        Planned::Create(d) => Some(d),
                        Planned::Update(..) => None,
                    })
                    .collect();
                let (mut created, mut updated) = (0i64, 0i64);
                for chunk in creates.chunks(STEP) {
                    customers::insert_many(tx, tenant, chunk, by).await?;
                    created += chunk.len() as i64;
                    progress_map.set(&key, "writing", created as u64, total);
                }
                customers::index_marked(tx, tenant).await?;
                if creates.len() >= STATISTICS_AFTER {
                    customers::refresh_statistics(tx).await?;
                }
                for p in planned.iter() {
                    if let Planned::Update(id, d) = p {
                        customers::update(tx, tenant, *id, d).await?;
                        updated += 1;
                        if (updated as usize).is_multiple_of(STEP) {
                            progress_map.set(&key, "writing", (created + updated) as u64, total);
                        }
                    }
                }
                records::mark_imported(tx, tenant, id, created, updated).await
            })
        })
        .await?;
    state.progress.set(progress, "done", total, total);
    get(state, actor, id).await
}

/// The uploaded file with one more column saying what is wrong with each row (errors, then
/// warnings): bytes, MIME type and file name.
pub async fn errors_file(
    state: &App,
    actor: &Actor,
    id: Uuid,
) -> Result<(Vec<u8>, &'static str, String), AppError> {
    actor.require(Permission::ManageCustomers)?;
    let r = kept(load(state, actor, id).await?)?;
    let sheet = read_sheet(&r.filename, &r.content)?;
    let filename = r.filename.clone();
    let import = view(actor, r);
    let mut notes = vec![String::new(); sheet.rows.len()];
    let rows_of = |n: &RowNote| sheet.row_at(n.line);
    let report = &import.report;
    for n in report.errors.iter().chain(report.warnings.iter()) {
        let Some(note) = rows_of(n).and_then(|i| notes.get_mut(i)) else {
            continue;
        };
        if !note.is_empty() {
            note.push_str("; ");
        }
        if let Some(c) = &n.column {
            note.push_str(c);
            note.push_str(": ");
        }
        note.push_str(&n.message);
    }
    let header = guichet_integrations::i18n::Tr(actor.lang).t("import-errors-column");
    let (bytes, mime, ext) = imports::with_column(&sheet, &header, &notes).map_err(internal)?;
    let stem = filename
        .rsplit_once('.')
        .map_or(filename.as_str(), |(s, _)| s)
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | ' '))
        .collect::<String>();
    Ok((bytes, mime, format!("{stem}-errors.{ext}")))
}

// ---------------------------------------------------------------- keeping files

/// The retention sweep: removes the import files uploaded more than `days` days ago (the
/// `import_retention_days` setting); returns how many.
pub async fn purge_expired(state: &App, days: u32) -> Result<u64, AppError> {
    let age = i64::from(days).saturating_mul(86_400_000_000);
    let before = guichet_store::now_micros().saturating_sub(age);
    Ok(state
        .store
        .write(|tx| Box::pin(async move { records::purge_before(tx, before).await }))
        .await?)
}
