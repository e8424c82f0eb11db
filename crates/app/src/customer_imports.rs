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
    /// The line in the file (the header is line 1).
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
    for lang in Language::BACK_OFFICE {
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
    let r = load(state, actor, id).await?;
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
    let r = load(state, actor, id).await?;
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
    let r = load(state, actor, id).await?;
    let sheet = read_sheet(&r.filename, &r.content)?;
    let filename = r.filename.clone();
    let import = view(actor, r);
    let mut notes = vec![String::new(); sheet.rows.len()];
    let rows_of = |n: &RowNote| usize::try_from(n.line).ok().and_then(|l| l.checked_sub(2));
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

/// The dry run: every row filled and checked as the customer form would be, matched to the
/// customer it updates. Answers the report and, row by row, what the import will write.
async fn check(
    state: &App,
    actor: &Actor,
    sheet: Arc<Sheet>,
    mapping: &[Target],
    update_existing: bool,
    progress: &str,
) -> Result<(ImportReport, Vec<Planned>), AppError> {
    let fields = super::customers::fields(state, actor).await?;
    let types: Vec<(String, String)> = super::customers::types(state, actor)
        .await?
        .into_iter()
        .map(|t| (t.id.to_string(), t.name))
        .collect();
    let this_year = jiff::Timestamp::now()
        .to_zoned(crate::organization::zone(state, actor).await?)
        .year();
    let column_of = |c: Column| mapping.iter().position(|t| *t == Target::Field(c));
    let (id_col, email_col) = (column_of(Column::Id), column_of(Column::Email));
    let (existing, by_email) = existing(
        state,
        actor,
        &sheet,
        id_col,
        email_col.filter(|_| update_existing),
    )
    .await?;
    let rules = Arc::new(RowRules {
        sheet: sheet.clone(),
        mapping: mapping.to_vec(),
        fields,
        types,
        this_year,
        existing,
        by_email,
        update_existing,
        id_col,
        email_col,
    });
    // The rows are checked on blocking threads, one per core: phone numbers and the rest
    // are CPU work that must not hold the server's async workers.
    let total = sheet.rows.len();
    let done = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let (progress_map, key) = (state.progress.clone(), progress.to_owned());
    let outcomes = tokio::task::spawn_blocking(move || {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let chunk = total.div_ceil(threads).max(1);
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..total)
                .step_by(chunk)
                .map(|start| {
                    let (rules, done, progress_map, key) = (&rules, &done, &progress_map, &key);
                    scope.spawn(move || {
                        (start..(start + chunk).min(total))
                            .map(|i| {
                                let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                                if n % STEP == 0 {
                                    progress_map.set(key, "checking", n as u64, total as u64);
                                }
                                rules.check_row(i)
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap_or_default())
                .collect::<Vec<Outcome>>()
        })
    })
    .await
    .map_err(internal)?;
    if outcomes.len() != total {
        return Err(AppError::Internal("a row check stopped".into()));
    }
    let mut report = ImportReport {
        rows: total as u64,
        columns: columns(&sheet, mapping),
        ..Default::default()
    };
    let mut planned = Vec::with_capacity(total);
    let mut new_emails: HashSet<String> = HashSet::new();
    for (i, o) in outcomes.into_iter().enumerate() {
        report.warnings.extend(o.warnings);
        if o.target.is_none() && !o.email.is_empty() && !new_emails.insert(o.email) {
            report.warnings.push(RowNote {
                line: i as u64 + 2,
                column: email_col.and_then(|c| sheet.headers.get(c)).cloned(),
                code: "same_email_in_file".into(),
                detail: None,
                message: String::new(),
            });
        }
        match o.details {
            Some(d) if o.errors.is_empty() => planned.push(match o.target {
                Some(id) => {
                    report.to_update += 1;
                    Planned::Update(id, d)
                }
                None => {
                    report.to_create += 1;
                    Planned::Create(d)
                }
            }),
            _ => report.errors.extend(o.errors),
        }
    }
    state
        .progress
        .set(progress, "checked", total as u64, total as u64);
    Ok((report, planned))
}

/// What checking a row needs, shared by the threads that check.
struct RowRules {
    sheet: Arc<Sheet>,
    mapping: Vec<Target>,
    fields: Vec<guichet_store::customer_fields::CustomerField>,
    types: Vec<(String, String)>,
    this_year: i16,
    existing: Known,
    by_email: HashMap<String, CustomerId>,
    update_existing: bool,
    id_col: Option<usize>,
    email_col: Option<usize>,
}

/// One row checked: the customer it updates, its notes, and the details to write.
#[derive(Default)]
struct Outcome {
    target: Option<CustomerId>,
    email: String,
    errors: Vec<RowNote>,
    warnings: Vec<RowNote>,
    details: Option<CustomerDetails>,
}

impl RowRules {
    fn cell(&self, row: &[String], c: Option<usize>) -> String {
        c.and_then(|i| row.get(i))
            .map(|s| s.trim().to_owned())
            .unwrap_or_default()
    }

    /// Row `i` filled and checked as the customer form would be.
    fn check_row(&self, i: usize) -> Outcome {
        let Some(row) = self.sheet.rows.get(i) else {
            return Outcome::default();
        };
        let line = i as u64 + 2;
        let note = |column: Option<usize>, code: &str, detail: Option<String>| RowNote {
            line,
            column: column.and_then(|c| self.sheet.headers.get(c)).cloned(),
            code: code.to_owned(),
            detail,
            message: String::new(),
        };
        let mut out = Outcome {
            email: self.cell(row, self.email_col).to_lowercase(),
            ..Default::default()
        };
        // The customer this row updates, if any.
        let raw_id = self.cell(row, self.id_col);
        let target: Option<&Customer> = if !raw_id.is_empty() {
            match raw_id
                .parse::<Uuid>()
                .ok()
                .and_then(|u| self.existing.get(&CustomerId(u)))
            {
                Some(c) => Some(c),
                None => {
                    out.errors.push(note(self.id_col, "unknown_customer", None));
                    return out;
                }
            }
        } else if self.update_existing && !out.email.is_empty() {
            self.by_email
                .get(&out.email)
                .and_then(|id| self.existing.get(id))
        } else {
            None
        };
        if target.is_some_and(|c| c.erased_at.is_some()) {
            out.errors.push(note(self.id_col, "customer_erased", None));
            return out;
        }
        out.target = target.map(|c| c.id);
        let mut input: CustomerInput = target.map(super::customers::input_of).unwrap_or_default();
        let (cell_errors, cell_warnings) =
            ci::fill_row(&mut input, row, &self.mapping, &self.types, self.this_year);
        out.errors = cell_errors
            .iter()
            .map(|n| note(n.column, &n.code, n.detail.clone()))
            .collect();
        out.warnings = cell_warnings
            .iter()
            .map(|n| note(n.column, &n.code, n.detail.clone()))
            .collect();
        match super::customers::check_details(&input, &self.fields) {
            Ok(d) => out.details = Some(d),
            Err(fe) => {
                for e in &fe.0 {
                    let column = column_of_field(&self.mapping, &e.field);
                    // A cell already reported (an unreadable date) is not reported twice.
                    if column.is_some() && cell_errors.iter().any(|n| n.column == column) {
                        continue;
                    }
                    out.errors.push(note(column, &e.code, None));
                }
            }
        }
        out
    }
}

/// The file column an error on a customer form field comes from.
fn column_of_field(mapping: &[Target], field: &str) -> Option<usize> {
    let target = match field.strip_prefix("custom.") {
        Some(id) => Target::Custom(id.to_owned()),
        None => Target::Field(Column::from_key(field)?),
    };
    mapping.iter().position(|t| *t == target)
}

fn columns(sheet: &Sheet, mapping: &[Target]) -> Vec<ImportColumn> {
    sheet
        .headers
        .iter()
        .enumerate()
        .map(|(i, h)| ImportColumn {
            header: h.clone(),
            target: mapping.get(i).cloned().unwrap_or(Target::Ignored),
            sample: sheet
                .rows
                .iter()
                .filter_map(|r| r.get(i))
                .find(|v| !v.trim().is_empty())
                .map(|v| v.chars().take(60).collect())
                .unwrap_or_default(),
        })
        .collect()
}

/// The customers by id.
type Known = HashMap<CustomerId, Customer>;

/// The customers the file's rows may update: named by id, or (`email_col`) known by e-mail
/// (e-mail → id).
async fn existing(
    state: &App,
    actor: &Actor,
    sheet: &Sheet,
    id_col: Option<usize>,
    email_col: Option<usize>,
) -> Result<(Known, HashMap<String, CustomerId>), AppError> {
    let pick = |c: Option<usize>| -> Vec<String> {
        c.map(|c| {
            sheet
                .rows
                .iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.trim().to_lowercase())
                .filter(|s| !s.is_empty())
                .collect::<HashSet<_>>()
                .into_iter()
                .collect()
        })
        .unwrap_or_default()
    };
    let ids: Vec<CustomerId> = pick(id_col)
        .iter()
        .filter_map(|s| s.parse().ok())
        .map(CustomerId)
        .collect();
    let emails = pick(email_col);
    if ids.is_empty() && emails.is_empty() {
        return Ok(Default::default());
    }
    let tenant = actor.tenant;
    Ok(state
        .store
        .read(|tx| {
            Box::pin(async move {
                let by_email = customers::ids_by_email(tx, tenant, &emails).await?;
                let mut wanted = ids;
                wanted.extend(by_email.values().copied());
                let mut out = HashMap::new();
                for id in wanted {
                    match customers::get(tx, tenant, id).await {
                        Ok(c) => {
                            out.insert(id, c);
                        }
                        Err(guichet_store::StoreError::NotFound) => {}
                        Err(e) => return Err(e),
                    }
                }
                Ok((out, by_email))
            })
        })
        .await?)
}
