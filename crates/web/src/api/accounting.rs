//! The accountant's exports through the API (issue 18 §4): the journal of a period as JSON,
//! generic CSV or FEC, and the accounting settings.

use super::extract::{ApiJson, ApiQuery, ApiResult};
use crate::auth::ApiCtx;
use crate::error::{ApiError, AppError, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use guichet_app::accounting::{self, AccountingSettings, AccountingSettingsInput, Journal};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(journal))
        .routes(routes!(settings, save_settings))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct JournalQuery {
    /// First day, YYYY-MM-DD (default: the first of `to`'s month).
    from: Option<String>,
    /// Last day, YYYY-MM-DD (default: today); a year at most after `from`.
    to: Option<String>,
    /// `day` (default: one entry per day) or `month`.
    per: Option<String>,
    /// `json` (default), `csv` (generic, `;`, UTF-8 with BOM, decimal comma) or `fec` (the
    /// French FEC, tab-separated; needs the SIREN in the settings).
    format: Option<String>,
}

/// One journal line: exactly one of debit and credit is nonzero.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AccountingLine {
    /// YYYY-MM-DD: the day, or the month's last day.
    pub date: String,
    pub journal_code: String,
    /// Sequential per journal over the answer.
    pub entry_number: String,
    pub piece: String,
    pub account: String,
    pub account_label: String,
    pub label: String,
    pub debit_cents: i64,
    pub credit_cents: i64,
}

/// A period's journal: its lines and their totals (debits = credits).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AccountingJournal {
    pub from: String,
    pub to: String,
    /// `day` or `month`.
    pub per: String,
    pub debit_cents: i64,
    pub credit_cents: i64,
    pub balanced: bool,
    pub lines: Vec<AccountingLine>,
}

fn body(j: &Journal) -> AccountingJournal {
    AccountingJournal {
        from: j.from.to_string(),
        to: j.to.to_string(),
        per: j.per.as_str().to_owned(),
        debit_cents: j.debit_cents,
        credit_cents: j.credit_cents,
        balanced: j.balanced(),
        lines: j
            .entries
            .iter()
            .map(|e| AccountingLine {
                date: e.date.to_string(),
                journal_code: e.journal_code.clone(),
                entry_number: e.entry_number.clone(),
                piece: e.piece.clone(),
                account: e.account.clone(),
                account_label: e.account_label.clone(),
                label: e.label.clone(),
                debit_cents: e.debit_cents,
                credit_cents: e.credit_cents,
            })
            .collect(),
    }
}

/// The journal of days `from..=to`, one balanced entry per day or per month: revenue by VAT
/// rate (register sales on their day, online orders on their visit date), payments by method,
/// customer advances, the Zs' cash differences, Stripe's fees and payouts. As JSON, or as a
/// file (`format=csv|fec`). 422 with `per`, `format`, `from`, `to` (invalid_date,
/// before_from, range_too_long) or, for the FEC without a SIREN, `siren` required.
#[utoipa::path(get, path = "/api/v1/accounting/journal", tag = "accounting", params(JournalQuery),
    responses((status = 200, body = AccountingJournal, description = "JSON, or the file (text/csv, text/plain for the FEC) with `format`"),
        (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn journal(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiQuery(q): ApiQuery<JournalQuery>,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    let j = accounting::journal(
        &state,
        &ctx,
        q.from.as_deref(),
        q.to.as_deref(),
        q.per.as_deref(),
    )
    .await?;
    Ok(match q.format.as_deref().map(str::trim).unwrap_or("") {
        "" | "json" => Json(body(&j)).into_response(),
        "csv" => {
            let (name, bytes) = accounting::generic_csv(&j, ctx.lang)?;
            crate::download::attachment("text/csv; charset=utf-8", &name, bytes)
        }
        "fec" => {
            let (name, bytes) = accounting::fec(&j)?;
            crate::download::attachment("text/plain; charset=utf-8", &name, bytes)
        }
        _ => return Err(ApiError(AppError::field("format", "unknown_value"))),
    })
}

/// The accounting settings: the country's chart (`BE`, `FR`), every account's number, the
/// journal code, the SIREN, the accountant's address and weekly mail.
#[utoipa::path(get, path = "/api/v1/accounting/settings", tag = "accounting",
    responses((status = 200, body = AccountingSettings), (status = 403, body = Problem)))]
pub async fn settings(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
) -> ApiResult<AccountingSettings> {
    Ok(Json(accounting::settings(&state, &ctx).await?))
}

/// Saves the accounting settings (admins). An account left out or blank takes the country's
/// default. 422 with the fields in error (`account_<key>` for an account).
#[utoipa::path(put, path = "/api/v1/accounting/settings", tag = "accounting",
    request_body = AccountingSettingsInput,
    responses((status = 200, body = AccountingSettings), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn save_settings(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(input): ApiJson<AccountingSettingsInput>,
) -> ApiResult<AccountingSettings> {
    Ok(Json(accounting::save_settings(&state, &ctx, &input).await?))
}
