//! Checking every row of a file as the customer form would, and what the check reports.

use super::*;

/// The dry run: every row filled and checked as the customer form would be, matched to the
/// customer it updates. Answers the report and, row by row, what the import will write.
pub(super) async fn check(
    state: &App,
    actor: &Actor,
    sheet: Arc<Sheet>,
    mapping: &[Target],
    update_existing: bool,
    progress: &str,
) -> Result<(ImportReport, Vec<Planned>), AppError> {
    let fields = crate::customers::fields(state, actor).await?;
    let types: Vec<(String, String)> = crate::customers::types(state, actor)
        .await?
        .into_iter()
        .map(|t| (t.id.to_string(), t.name))
        .collect();
    let today = jiff::Timestamp::now()
        .to_zoned(crate::organization::zone(state, actor).await?)
        .date();
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
        today,
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
                line: sheet.line(i),
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
pub(super) struct RowRules {
    sheet: Arc<Sheet>,
    mapping: Vec<Target>,
    fields: Vec<guichet_store::customer_fields::CustomerField>,
    types: Vec<(String, String)>,
    today: jiff::civil::Date,
    existing: Known,
    by_email: HashMap<String, CustomerId>,
    update_existing: bool,
    id_col: Option<usize>,
    email_col: Option<usize>,
}

/// One row checked: the customer it updates, its notes, and the details to write.
#[derive(Default)]
pub(super) struct Outcome {
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
        // The row number a spreadsheet shows, blank rows and multi-line cells counted.
        let line = self.sheet.line(i);
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
        let mut input: CustomerInput = target.map(crate::customers::input_of).unwrap_or_default();
        let (cell_errors, cell_warnings) = ci::fill_row(
            &mut input,
            row,
            &self.mapping,
            &self.types,
            self.today.year(),
        );
        out.errors = cell_errors
            .iter()
            .map(|n| note(n.column, &n.code, n.detail.clone()))
            .collect();
        out.warnings = cell_warnings
            .iter()
            .map(|n| note(n.column, &n.code, n.detail.clone()))
            .collect();
        match crate::customers::check_details(&input, &self.fields, self.today) {
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
pub(super) fn column_of_field(mapping: &[Target], field: &str) -> Option<usize> {
    let target = match field.strip_prefix("custom.") {
        Some(id) => Target::Custom(id.to_owned()),
        None => Target::Field(Column::from_key(field)?),
    };
    mapping.iter().position(|t| *t == target)
}

pub(super) fn columns(sheet: &Sheet, mapping: &[Target]) -> Vec<ImportColumn> {
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
pub(super) async fn existing(
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
