//! The accountant's exports (issue 18 §4): the settings (the country's chart of accounts,
//! the accounts changed, the journal code, the SIREN, the accountant's address and weekly
//! mail), the journal of a period per day or per month, the generic CSV for Belgian packages
//! and the French FEC, and the weekly mail with last week's files. The rules of the journal
//! are in `guichet_domain::accounting`; what a day's figures are, in
//! `guichet_store::accounting`.

use crate::{Actor, App, AppError};
use guichet_domain::Permission;
use guichet_domain::accounting::{
    self as rules, AccountKind, AccountPlan, Country, Entry, Labels, PeriodFigures, RateRevenue,
};
use guichet_domain::org::{Email, Language};
use guichet_domain::validation::FieldErrors;
use guichet_store::Tenant;
use guichet_store::accounting as db;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The settings as shown and as the API gives them.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AccountingSettings {
    /// `BE` (Belgian PCMN, generic CSV) or `FR` (French PCG, FEC).
    pub country: String,
    /// The journal's code (`VE` unless set).
    pub journal_code: String,
    /// 9 digits; the FEC's file name needs it.
    pub siren: Option<String>,
    pub accountant_email: Option<String>,
    /// Every Monday, last week's exports to the accountant.
    pub weekly_mail: bool,
    /// Every account by its key (`revenue`, `vat`, `cash`, `card_terminal`, …): the number
    /// set, or the country's default.
    pub accounts: BTreeMap<String, String>,
    /// The Monday of the last week mailed (YYYY-MM-DD).
    pub last_week_mailed: Option<String>,
}

/// What the admin sends: an account left out or blank takes the country's default.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct AccountingSettingsInput {
    pub country: String,
    pub journal_code: String,
    pub siren: String,
    pub accountant_email: String,
    pub weekly_mail: bool,
    pub accounts: BTreeMap<String, String>,
}

/// The country and plan of stored settings (none: Belgian defaults).
fn plan_of(s: Option<&db::Settings>) -> (Country, AccountPlan) {
    let Some(s) = s else {
        return (Country::Be, AccountPlan::default());
    };
    let country = Country::parse(&s.country).unwrap_or_default();
    let mut plan = country.plan();
    let overrides: BTreeMap<String, String> = serde_json::from_str(&s.accounts).unwrap_or_default();
    for (key, kind) in AccountKind::SETTABLE {
        if let Some(n) = overrides.get(key) {
            // Checked when saved; a number that no longer parses keeps the default.
            let _ = plan.set(kind, n);
        }
    }
    let _ = plan.set_journal_code(&s.journal_code);
    (country, plan)
}

fn view(s: Option<db::Settings>) -> AccountingSettings {
    let (country, plan) = plan_of(s.as_ref());
    let s = s.unwrap_or_default();
    AccountingSettings {
        country: country.as_str().to_owned(),
        journal_code: plan.journal_code().to_owned(),
        siren: s.siren,
        accountant_email: s.accountant_email,
        weekly_mail: s.weekly_mail,
        accounts: AccountKind::SETTABLE
            .iter()
            .map(|(k, kind)| ((*k).to_owned(), plan.account(*kind).to_owned()))
            .collect(),
        last_week_mailed: s.last_week_mailed,
    }
}

async fn stored(state: &App, tenant: Tenant) -> Result<Option<db::Settings>, AppError> {
    Ok(state
        .store
        .read(|tx| Box::pin(async move { db::settings(tx, tenant).await }))
        .await?)
}

/// The settings (Gestion des ventes › Comptabilité): whoever reads the exports.
pub async fn settings(state: &App, actor: &Actor) -> Result<AccountingSettings, AppError> {
    actor.require(Permission::ViewClosings)?;
    Ok(view(stored(state, actor.tenant).await?))
}

/// Saves the settings (an admin: they decide where the money is booked). Field errors:
/// `country` unknown_value, `journal_code` invalid_journal_code, `account_<key>`
/// invalid_account_number, `accounts` unknown_value (a key that is no account), `siren`
/// invalid_siren, `accountant_email` invalid_email, or required with the weekly mail on.
pub async fn save_settings(
    state: &App,
    actor: &Actor,
    input: &AccountingSettingsInput,
) -> Result<AccountingSettings, AppError> {
    actor.require(Permission::EditOrganization)?;
    let mut e = FieldErrors::new();
    let country = match input.country.trim() {
        "" => Country::Be,
        c => Country::parse(c).unwrap_or_else(|| {
            e.add("country", "unknown_value");
            Country::Be
        }),
    };
    let mut plan = country.plan();
    let defaults = country.plan();
    let journal_code = match input.journal_code.trim() {
        "" => defaults.journal_code().to_owned(),
        code => {
            e.check("journal_code", plan.set_journal_code(code));
            code.to_owned()
        }
    };
    if input
        .accounts
        .keys()
        .any(|k| !AccountKind::SETTABLE.iter().any(|(s, _)| s == k))
    {
        e.add("accounts", "unknown_value");
    }
    let mut overrides = BTreeMap::new();
    for (key, kind) in AccountKind::SETTABLE {
        let Some(raw) = input.accounts.get(key).map(|s| s.trim()) else {
            continue;
        };
        if raw.is_empty() {
            continue;
        }
        if e.check(&format!("account_{key}"), plan.set(kind, raw))
            .is_some()
            && plan.account(kind) != defaults.account(kind)
        {
            overrides.insert(key.to_owned(), plan.account(kind).to_owned());
        }
    }
    let siren = match input.siren.trim() {
        "" => None,
        s => rules::parse_siren(s).or_else(|| {
            e.add("siren", "invalid_siren");
            None
        }),
    };
    let email = match input.accountant_email.trim() {
        "" => {
            if input.weekly_mail {
                e.add("accountant_email", "required");
            }
            None
        }
        s => e
            .check("accountant_email", Email::parse(s))
            .map(|m| m.as_str().to_owned()),
    };
    e.into_result()?;
    let settings = db::Settings {
        country: country.as_str().to_owned(),
        accounts: serde_json::to_string(&overrides)
            .map_err(|e| AppError::Internal(e.to_string()))?,
        journal_code,
        siren,
        accountant_email: email,
        weekly_mail: input.weekly_mail,
        last_week_mailed: None,
    };
    let (tenant, by) = (actor.tenant, actor.user_id());
    let saved = state
        .store
        .write(|tx| {
            let s = settings.clone();
            Box::pin(async move {
                db::save(tx, tenant, &s, by).await?;
                db::settings(tx, tenant).await
            })
        })
        .await?;
    tracing::info!(organization = %tenant.id().0, "accounting settings saved");
    Ok(view(saved))
}

/// One entry per day, or per month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Per {
    Day,
    Month,
}

impl Per {
    /// `day` (the default) or `month`.
    pub fn parse(raw: Option<&str>) -> Result<Per, AppError> {
        match raw.map(str::trim).unwrap_or("") {
            "" | "day" => Ok(Per::Day),
            "month" => Ok(Per::Month),
            _ => Err(AppError::field("per", "unknown_value")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Per::Day => "day",
            Per::Month => "month",
        }
    }
}

/// A period's journal: its lines, numbered per journal, and their totals.
#[derive(Debug, Clone)]
pub struct Journal {
    pub from: Date,
    pub to: Date,
    pub per: Per,
    pub country: Country,
    pub siren: Option<String>,
    pub entries: Vec<Entry>,
    pub debit_cents: i64,
    pub credit_cents: i64,
}

impl Journal {
    pub fn balanced(&self) -> bool {
        rules::balanced(&self.entries)
    }
}

/// The days asked for: `from` (default: the first of this month) to `to` (default: today),
/// a year at most. Fields: `from`/`to` invalid_date, `to` before_from, range_too_long.
fn period(today: Date, from: Option<&str>, to: Option<&str>) -> Result<(Date, Date), AppError> {
    let mut e = FieldErrors::new();
    let parse = |e: &mut FieldErrors, field: &str, raw: Option<&str>| -> Option<Date> {
        let s = raw.map(str::trim).filter(|s| !s.is_empty())?;
        s.parse::<Date>()
            .map_err(|_| e.add(field, "invalid_date"))
            .ok()
    };
    let to_day = parse(&mut e, "to", to).unwrap_or(today);
    let from_day = parse(&mut e, "from", from).unwrap_or_else(|| to_day.first_of_month());
    if from_day > to_day {
        e.add("to", "before_from");
    } else if to_day > from_day.saturating_add(jiff::Span::new().years(1)) {
        e.add("to", "range_too_long");
    }
    e.into_result()?;
    Ok((from_day, to_day))
}

/// Adds `f`'s figures into `into` (a month's).
fn add(into: &mut PeriodFigures, f: PeriodFigures) {
    for r in f.revenue {
        match into
            .revenue
            .iter_mut()
            .find(|x| x.vat_rate_bp == r.vat_rate_bp)
        {
            Some(x) => {
                x.gross_cents = x.gross_cents.saturating_add(r.gross_cents);
                x.vat_cents = x.vat_cents.saturating_add(r.vat_cents);
            }
            None => into.revenue.push(RateRevenue { ..r }),
        }
    }
    for (m, c) in f.payments {
        match into.payments.iter_mut().find(|(x, _)| *x == m) {
            Some(p) => p.1 = p.1.saturating_add(c),
            None => into.payments.push((m, c)),
        }
    }
    into.cash_difference_cents = into
        .cash_difference_cents
        .saturating_add(f.cash_difference_cents);
    into.provider_fees_cents = into
        .provider_fees_cents
        .saturating_add(f.provider_fees_cents);
    into.payouts_cents = into.payouts_cents.saturating_add(f.payouts_cents);
}

/// Days as they are, or added up by month (dated the month's last day).
fn by_period(days: Vec<PeriodFigures>, per: Per) -> Vec<PeriodFigures> {
    if per == Per::Day {
        return days;
    }
    let mut months: Vec<PeriodFigures> = Vec::new();
    for d in days {
        let last = d.date.last_of_month();
        match months.last_mut() {
            Some(m) if m.date == last => add(m, d),
            _ => {
                let mut m = PeriodFigures {
                    date: last,
                    revenue: vec![],
                    payments: vec![],
                    cash_difference_cents: 0,
                    provider_fees_cents: 0,
                    payouts_cents: 0,
                };
                add(&mut m, d);
                months.push(m);
            }
        }
    }
    months
}

/// `VE-2021-03-16` for a day, `VE-2021-03` for a month.
fn piece(code: &str, date: Date, per: Per) -> String {
    match per {
        Per::Day => format!("{code}-{date}"),
        Per::Month => format!("{code}-{:04}-{:02}", date.year(), date.month()),
    }
}

async fn journal_of(
    state: &App,
    tenant: Tenant,
    lang: Language,
    from: Date,
    to: Date,
    per: Per,
) -> Result<Journal, AppError> {
    let s = stored(state, tenant).await?;
    let (country, plan) = plan_of(s.as_ref());
    let tz = crate::organization::zone_of(&crate::organization::time_zone(state, tenant).await?)?;
    let days = state
        .store
        .read(|tx| {
            let tz = tz.clone();
            Box::pin(async move { db::day_figures(tx, tenant, from, to, &tz).await })
        })
        .await?;
    let labels = Labels::for_language(lang);
    let mut entries: Vec<Entry> = by_period(days, per)
        .iter()
        .flat_map(|f| rules::journal(f, &plan, &piece(plan.journal_code(), f.date, per), &labels))
        .collect();
    rules::number_entries(&mut entries);
    let sum = |f: fn(&Entry) -> i64| entries.iter().fold(0i64, |acc, e| acc.saturating_add(f(e)));
    Ok(Journal {
        from,
        to,
        per,
        country,
        siren: s.and_then(|s| s.siren),
        debit_cents: sum(|e| e.debit_cents),
        credit_cents: sum(|e| e.credit_cents),
        entries,
    })
}

/// The journal of days `from..=to` (dates YYYY-MM-DD, see [`period`]), one entry per day or
/// per month (`per`: `day` or `month`).
pub async fn journal(
    state: &App,
    actor: &Actor,
    from: Option<&str>,
    to: Option<&str>,
    per: Option<&str>,
) -> Result<Journal, AppError> {
    actor.require(Permission::ViewClosings)?;
    let per = Per::parse(per);
    let today = jiff::Timestamp::now()
        .to_zoned(crate::organization::zone(state, actor).await?)
        .date();
    let dates = period(today, from, to);
    let (per, (from, to)) = match (per, dates) {
        (Ok(p), Ok(d)) => (p, d),
        (Err(AppError::Invalid(mut a)), Err(AppError::Invalid(b))) => {
            a.0.extend(b.0);
            return Err(AppError::Invalid(a));
        }
        (Err(e), _) | (_, Err(e)) => return Err(e),
    };
    journal_of(state, actor.tenant, actor.lang, from, to, per).await
}

/// The generic CSV (`;`, UTF-8 with a byte-order mark, decimal comma): its file name and
/// bytes.
pub fn generic_csv(j: &Journal, lang: Language) -> Result<(String, Vec<u8>), AppError> {
    let mut rows: Vec<Vec<String>> = vec![
        rules::generic_headers(lang)
            .iter()
            .map(|h| (*h).to_owned())
            .collect(),
    ];
    rows.extend(rules::generic_rows(&j.entries));
    let bytes = guichet_integrations::exports::csv_lines(&rows, true)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((format!("journal-{}-{}.csv", j.from, j.to), bytes))
}

/// The FEC (tab-separated, the 18 legal columns), named `{SIREN}FEC{closing}.txt` with the
/// closing date of the calendar year of `to`. Without a SIREN: `siren` required.
pub fn fec(j: &Journal) -> Result<(String, Vec<u8>), AppError> {
    let Some(siren) = j.siren.as_deref() else {
        return Err(AppError::field("siren", "required"));
    };
    let closing = Date::new(j.to.year(), 12, 31).unwrap_or(j.to);
    Ok((
        rules::fec_file_name(siren, closing),
        rules::fec_text_file(&j.entries).into_bytes(),
    ))
}

/// Mails last week's exports to the accountant of each organization that asked for it, once
/// per week (the week is claimed in the transaction that queues the mail). Run it often: the
/// first run from Monday on sends.
pub async fn send_weekly(state: &App) -> Result<usize, AppError> {
    let tenants = state
        .store
        .read(|tx| Box::pin(async move { db::weekly_tenants(tx).await }))
        .await?;
    let mut sent = 0;
    for tenant in tenants {
        match send_week(state, tenant).await {
            Ok(true) => sent += 1,
            Ok(false) => {}
            Err(e) => {
                tracing::warn!(organization = %tenant.id().0, error = %e, "weekly accounting mail failed")
            }
        }
    }
    Ok(sent)
}

async fn send_week(state: &App, tenant: Tenant) -> Result<bool, AppError> {
    let Some(s) = stored(state, tenant).await? else {
        return Ok(false);
    };
    let Some(to_address) = s.accountant_email.clone().filter(|_| s.weekly_mail) else {
        return Ok(false);
    };
    let tz = crate::organization::zone_of(&crate::organization::time_zone(state, tenant).await?)?;
    let today = jiff::Timestamp::now().to_zoned(tz).date();
    let this_monday = today
        .checked_sub(jiff::Span::new().days(i64::from(today.weekday().to_monday_zero_offset())))
        .unwrap_or(today);
    let monday = this_monday
        .checked_sub(jiff::Span::new().days(7))
        .unwrap_or(this_monday);
    let sunday = this_monday.yesterday().unwrap_or(this_monday);
    let week = monday.to_string();
    if s.last_week_mailed.as_deref() >= Some(week.as_str()) {
        return Ok(false);
    }
    let (country, _) = plan_of(Some(&s));
    // The seed's accountants, Belgian and French alike, read French.
    let lang = Language::Fr;
    let j = journal_of(state, tenant, lang, monday, sunday, Per::Day).await?;
    let (csv_name, csv) = generic_csv(&j, lang)?;
    let mut attachments = vec![guichet_domain::mail::Attachment {
        filename: csv_name,
        content_type: "text/csv; charset=utf-8".into(),
        bytes: csv,
        inline_id: None,
    }];
    if country == Country::Fr
        && let Ok((name, bytes)) = fec(&j)
    {
        attachments.push(guichet_domain::mail::Attachment {
            filename: name,
            content_type: "text/plain; charset=utf-8".into(),
            bytes,
            inline_id: None,
        });
    }
    let organization = crate::organization::organization_name(state, tenant).await?;
    let t = |key: &str| {
        guichet_integrations::i18n::t_args(
            lang,
            key,
            &[
                ("organization", organization.clone()),
                ("date", monday.strftime("%d/%m/%Y").to_string()),
            ],
        )
    };
    let message = guichet_domain::mail::Outgoing {
        subject: t("accounting-mail-subject"),
        text: t("accounting-mail-body"),
        html: None,
        attachments,
    };
    let claimed = state
        .store
        .write(|tx| {
            let (week, to_address, message) = (week.clone(), to_address.clone(), message.clone());
            Box::pin(async move {
                if !db::claim_week(tx, tenant, &week).await? {
                    return Ok(false);
                }
                guichet_store::outbox::enqueue_message(tx, tenant, None, &to_address, &message)
                    .await?;
                Ok(true)
            })
        })
        .await?;
    Ok(claimed)
}
