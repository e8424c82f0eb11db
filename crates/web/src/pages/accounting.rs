//! The accountant's exports (issue 18 §4, Gestion des ventes › Comptabilité): a period's
//! journal previewed with its totals, downloaded as the generic CSV or the FEC, and the
//! accounting settings.

use super::support::{OrPage, done, form_errors};
use crate::auth::{Ctx, PageCtx};
use crate::error::{AppError, PageError};
use crate::state::AppState;
use crate::view::{Nav, Tr, render_status};
use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use guichet_app::accounting::{self, AccountingSettings, AccountingSettingsInput, Journal};
use guichet_domain::FieldErrors;
use guichet_domain::Permission;
use guichet_domain::accounting::{AccountKind, Entry};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sales/accounting", get(overview))
        .route("/sales/accounting/export", get(export))
        .route(
            "/sales/accounting/settings",
            axum::routing::post(save_settings),
        )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PeriodQuery {
    from: String,
    to: String,
    per: String,
    format: String,
    done: Option<String>,
}

#[derive(Template)]
#[template(path = "accounting.html")]
struct AccountingPage {
    tr: Tr,
    nav: Nav,
    from: String,
    to: String,
    per: String,
    errors: FieldErrors,
    lines: Vec<Entry>,
    debit_cents: i64,
    credit_cents: i64,
    balanced: bool,
    s: AccountingSettings,
    form: AccountingSettingsInput,
    settings_errors: FieldErrors,
    can_edit: bool,
}

impl AccountingPage {
    fn day(&self, e: &Entry) -> String {
        e.date.strftime("%d/%m/%Y").to_string()
    }
    fn amount(&self, cents: &i64) -> String {
        if *cents == 0 {
            String::new()
        } else {
            self.tr.money(cents)
        }
    }
    fn account_keys(&self) -> Vec<&'static str> {
        AccountKind::SETTABLE.iter().map(|(k, _)| *k).collect()
    }
    fn account_value(&self, key: &str) -> String {
        self.form.accounts.get(key).cloned().unwrap_or_default()
    }
    fn account_label(&self, key: &str) -> String {
        self.tr.t(&format!("accounting-account-{key}"))
    }
    fn account_error(&self, key: &str) -> Option<String> {
        self.tr
            .field_error(&self.settings_errors, &format!("account_{key}"))
    }
}

fn form_of(s: &AccountingSettings) -> AccountingSettingsInput {
    AccountingSettingsInput {
        country: s.country.clone(),
        journal_code: s.journal_code.clone(),
        siren: s.siren.clone().unwrap_or_default(),
        accountant_email: s.accountant_email.clone().unwrap_or_default(),
        weekly_mail: s.weekly_mail,
        accounts: s.accounts.clone(),
    }
}

fn opt(s: &str) -> Option<&str> {
    Some(s).filter(|s| !s.trim().is_empty())
}

async fn journal_of(
    state: &AppState,
    ctx: &Ctx,
    q: &PeriodQuery,
) -> Result<Result<Journal, FieldErrors>, PageError> {
    match accounting::journal(state, ctx, opt(&q.from), opt(&q.to), opt(&q.per)).await {
        Ok(j) => Ok(Ok(j)),
        Err(AppError::Invalid(e)) => Ok(Err(e)),
        Err(e) => Err(PageError(e, ctx.lang)),
    }
}

/// The page; `errors` are the period's (or the export's), `settings` the form's as typed.
async fn page(
    state: &AppState,
    ctx: &Ctx,
    q: &PeriodQuery,
    mut errors: FieldErrors,
    settings: Option<(AccountingSettingsInput, FieldErrors)>,
) -> Result<Response, PageError> {
    let s = accounting::settings(state, ctx).await.or_page(ctx)?;
    let (journal, from, to) = match journal_of(state, ctx, q).await? {
        Ok(j) => {
            let (f, t) = (j.from.to_string(), j.to.to_string());
            (Some(j), f, t)
        }
        Err(e) => {
            errors.0.extend(e.0);
            (None, q.from.clone(), q.to.clone())
        }
    };
    let (form, settings_errors) = settings.unwrap_or_else(|| (form_of(&s), FieldErrors::new()));
    // A FEC refused for want of a SIREN shows on the settings' field too.
    let mut settings_errors = settings_errors;
    if let Some(code) = errors.get("siren")
        && settings_errors.get("siren").is_none()
    {
        settings_errors.add("siren", code);
    }
    let status = if errors.is_empty() && settings_errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let (lines, debit_cents, credit_cents, balanced) = match journal {
        Some(j) => {
            let b = j.balanced();
            (j.entries, j.debit_cents, j.credit_cents, b)
        }
        None => (Vec::new(), 0, 0, true),
    };
    Ok(render_status(
        status,
        &AccountingPage {
            tr: Tr(ctx.lang),
            nav: Nav::new(ctx, "/sales/accounting", q.done.as_deref()),
            from,
            to,
            per: if q.per == "month" { "month" } else { "day" }.to_owned(),
            errors,
            lines,
            debit_cents,
            credit_cents,
            balanced,
            s,
            form,
            settings_errors,
            can_edit: ctx.can(Permission::EditOrganization),
        },
    ))
}

async fn overview(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, PageError> {
    page(&state, &ctx, &q, FieldErrors::new(), None).await
}

/// The period's journal as a file (`format`: `csv` or `fec`); a refusal shows on the page.
async fn export(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, PageError> {
    let j = match journal_of(&state, &ctx, &q).await? {
        Ok(j) => j,
        Err(_) => return page(&state, &ctx, &q, FieldErrors::new(), None).await,
    };
    let file = match q.format.as_str() {
        "fec" => accounting::fec(&j),
        "csv" | "" => accounting::generic_csv(&j, ctx.lang),
        _ => Err(AppError::field("format", "unknown_value")),
    };
    match file {
        Ok((name, bytes)) => {
            let mime = if name.ends_with(".csv") {
                "text/csv; charset=utf-8"
            } else {
                "text/plain; charset=utf-8"
            };
            Ok(crate::download::attachment(mime, &name, bytes))
        }
        Err(e) => {
            let errors = form_errors(e, &ctx)?;
            page(&state, &ctx, &q, errors, None).await
        }
    }
}

/// The settings form, as pairs: the accounts come as `account_<key>`, a checkbox absent is
/// off.
async fn save_settings(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let mut input = AccountingSettingsInput::default();
    for (name, value) in pairs {
        match name.as_str() {
            "country" => input.country = value,
            "journal_code" => input.journal_code = value,
            "siren" => input.siren = value,
            "accountant_email" => input.accountant_email = value,
            "weekly_mail" => input.weekly_mail = true,
            other => {
                if let Some(key) = other.strip_prefix("account_") {
                    input.accounts.insert(key.to_owned(), value);
                }
            }
        }
    }
    match accounting::save_settings(&state, &ctx, &input).await {
        Ok(_) => Ok(done("/sales/accounting", "saved")),
        Err(e) => {
            let errors = form_errors(e, &ctx)?;
            page(
                &state,
                &ctx,
                &PeriodQuery::default(),
                FieldErrors::new(),
                Some((input, errors)),
            )
            .await
        }
    }
}
