//! The accountant's exports (issue 18 §4): an organization's accounting settings, and each
//! day's figures read straight from the sales, payments, Zs and Stripe's records (nothing is
//! aggregated ahead). The journal itself is `guichet_domain::accounting`.
//!
//! When a sale's revenue is recognised, as the Zs count it so that a register day's revenue
//! equals its Zs' to the cent:
//! - a register sale on its session's day (the Z's day), or, not yet claimed by a Z, on the
//!   local day it was finalized; its cancellation, negative, on its cancelling session's day
//!   (or the local day it was cancelled);
//! - an online order (`booking_module_id`) on its visit date; its cancellation on the later
//!   of the visit date and the day it was cancelled (cancelled before the visit, it never
//!   counts);
//! - any other sale (the API's, no register) on the local day it was finalized.
//!
//! Payments count on their session's day when a Z took them, else on the local day taken;
//! the cash differences on their Z's day; Stripe's fees on their payment's local day; its
//! paid payouts on their arrival date.

use crate::{Result, Tenant, Tx, now_micros, on_tx};
use guichet_domain::UserId;
use guichet_domain::accounting::{PeriodFigures, RateRevenue};
use guichet_domain::order::PaymentMethod;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use std::collections::BTreeMap;
use uuid::Uuid;

/// The settings as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct Settings {
    /// `BE` or `FR`.
    pub country: String,
    /// JSON object: settings key → account number, the overrides only.
    pub accounts: String,
    pub journal_code: String,
    pub siren: Option<String>,
    pub accountant_email: Option<String>,
    pub weekly_mail: bool,
    pub last_week_mailed: Option<String>,
}

pub async fn settings(tx: &mut Tx, tenant: Tenant) -> Result<Option<Settings>> {
    Ok(on_tx!(tx, c => sqlx::query_as(
        "SELECT country, accounts, journal_code, siren, accountant_email, weekly_mail,
         last_week_mailed FROM accounting_settings WHERE organization_id = $1")
        .bind(tenant.id().0)
        .fetch_optional(c).await?))
}

/// Writes the settings, creating them the first time; the week last mailed is kept.
pub async fn save(tx: &mut Tx, tenant: Tenant, s: &Settings, by: Option<UserId>) -> Result<()> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO accounting_settings (organization_id, country, accounts, journal_code, siren,
         accountant_email, weekly_mail, updated_at, updated_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (organization_id) DO UPDATE SET country = excluded.country,
         accounts = excluded.accounts, journal_code = excluded.journal_code, siren = excluded.siren,
         accountant_email = excluded.accountant_email, weekly_mail = excluded.weekly_mail,
         updated_at = excluded.updated_at, updated_by = excluded.updated_by")
        .bind(tenant.id().0).bind(&s.country).bind(&s.accounts).bind(&s.journal_code)
        .bind(&s.siren).bind(&s.accountant_email).bind(s.weekly_mail).bind(now_micros())
        .bind(by.map(|u| u.0))
        .execute(c).await?.rows_affected());
    Ok(())
}

/// The organizations whose accountant gets the weekly mail.
pub async fn weekly_tenants(tx: &mut Tx) -> Result<Vec<Tenant>> {
    let ids: Vec<Uuid> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT organization_id FROM accounting_settings
         WHERE weekly_mail = TRUE AND accountant_email IS NOT NULL ORDER BY organization_id")
        .fetch_all(c).await?);
    Ok(ids
        .into_iter()
        .map(|i| Tenant(guichet_domain::OrganizationId(i)))
        .collect())
}

/// Marks the week starting `monday` as mailed; false when it already was (another server,
/// or a run that came back), so that each week is mailed once.
pub async fn claim_week(tx: &mut Tx, tenant: Tenant, monday: &str) -> Result<bool> {
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE accounting_settings SET last_week_mailed = $2
         WHERE organization_id = $1 AND (last_week_mailed IS NULL OR last_week_mailed < $2)")
        .bind(tenant.id().0).bind(monday)
        .execute(c).await?.rows_affected());
    Ok(n > 0)
}

/// Microseconds of `d`'s midnight UTC, shifted by `days`: a window wide enough for any time
/// zone, the exact local day being computed afterwards.
fn utc_micros(d: Date, days: i64) -> i64 {
    d.checked_add(jiff::Span::new().days(days))
        .unwrap_or(d)
        .to_zoned(TimeZone::UTC)
        .map(|z| z.timestamp().as_microsecond())
        .unwrap_or(0)
}

fn local_day(micros: i64, tz: &TimeZone) -> Option<Date> {
    jiff::Timestamp::from_microsecond(micros)
        .ok()
        .map(|t| t.to_zoned(tz.clone()).date())
}

fn day_of(s: Option<&str>) -> Option<Date> {
    s.and_then(|s| s.parse().ok())
}

/// One day's sums as they are added up.
#[derive(Default)]
struct Day {
    revenue: BTreeMap<u32, (i64, i64)>,
    payments: BTreeMap<&'static str, (PaymentMethod, i64)>,
    cash_difference: i64,
    fees: i64,
    payouts: i64,
}

/// Per order and VAT rate: online module, visit date, session day, finalized at, cancelling
/// session's day, cancelled at, rate, gross, VAT.
type RevenueRow = (
    Option<Uuid>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<i64>,
    i32,
    i64,
    i64,
);

/// The figures of each day of `from..=to` (local days of `tz`) that has any, in date order.
pub async fn day_figures(
    tx: &mut Tx,
    tenant: Tenant,
    from: Date,
    to: Date,
    tz: &TimeZone,
) -> Result<Vec<PeriodFigures>> {
    let org = tenant.id().0;
    let (start, end) = (utc_micros(from, -1), utc_micros(to, 2));
    let (first, last) = (from.to_string(), to.to_string());
    let mut days: BTreeMap<Date, Day> = BTreeMap::new();
    let in_range = |d: &Date| *d >= from && *d <= to;

    let rows: Vec<RevenueRow> = on_tx!(tx, c => sqlx::query_as(
        "SELECT o.booking_module_id, o.visit_date, s.day, o.finalized_at, cs.day, o.cancelled_at,
         l.vat_rate_bp, CAST(SUM(l.total_cents) AS BIGINT), CAST(SUM(l.vat_cents) AS BIGINT)
         FROM order_lines l JOIN orders o ON o.id = l.order_id
         LEFT JOIN register_sessions s ON s.id = o.session_id
         LEFT JOIN register_sessions cs ON cs.id = o.cancel_session_id
         WHERE o.organization_id = $1 AND o.finalized_at IS NOT NULL
         AND ((o.finalized_at >= $2 AND o.finalized_at < $3)
              OR (o.cancelled_at >= $2 AND o.cancelled_at < $3)
              OR (o.visit_date >= $4 AND o.visit_date <= $5)
              OR (s.day >= $4 AND s.day <= $5) OR (cs.day >= $4 AND cs.day <= $5))
         GROUP BY o.id, o.booking_module_id, o.visit_date, s.day, o.finalized_at, cs.day,
         o.cancelled_at, l.vat_rate_bp")
        .bind(org).bind(start).bind(end).bind(&first).bind(&last)
        .fetch_all(c).await?);
    for (module, visit, session_day, finalized, cancel_day, cancelled, bp, gross, vat) in rows {
        let online = module.is_some();
        let sold = if online {
            day_of(visit.as_deref()).or_else(|| finalized.and_then(|f| local_day(f, tz)))
        } else {
            day_of(session_day.as_deref()).or_else(|| finalized.and_then(|f| local_day(f, tz)))
        };
        let unsold = match (day_of(cancel_day.as_deref()), cancelled) {
            (Some(d), _) => Some(d),
            (None, Some(at)) => local_day(at, tz),
            (None, None) => None,
        };
        let unsold = match (online, unsold, sold) {
            (true, Some(u), Some(s)) => Some(u.max(s)),
            (_, u, _) => u,
        };
        let rate = u32::try_from(bp).unwrap_or(0);
        for (day, sign) in [(sold, 1i64), (unsold, -1)] {
            if let Some(d) = day.filter(in_range) {
                let r = days.entry(d).or_default().revenue.entry(rate).or_default();
                r.0 = r.0.saturating_add(sign.saturating_mul(gross));
                r.1 = r.1.saturating_add(sign.saturating_mul(vat));
            }
        }
    }

    let pays: Vec<(String, Option<String>, i64, i64)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT p.method, s.day, p.taken_at, p.amount_cents FROM payments p
         LEFT JOIN register_sessions s ON s.id = p.session_id
         WHERE p.organization_id = $1
         AND ((p.taken_at >= $2 AND p.taken_at < $3) OR (s.day >= $4 AND s.day <= $5))")
        .bind(org).bind(start).bind(end).bind(&first).bind(&last)
        .fetch_all(c).await?);
    for (method, session_day, taken_at, amount) in pays {
        let Some(method) = PaymentMethod::parse(&method) else {
            continue;
        };
        let day = day_of(session_day.as_deref()).or_else(|| local_day(taken_at, tz));
        if let Some(d) = day.filter(in_range) {
            let p = days
                .entry(d)
                .or_default()
                .payments
                .entry(method.as_str())
                .or_insert((method, 0));
            p.1 = p.1.saturating_add(amount);
        }
    }

    let zs: Vec<(String, Option<String>)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT day, z_report FROM register_sessions WHERE organization_id = $1
         AND closed_at IS NOT NULL AND day >= $2 AND day <= $3")
        .bind(org).bind(&first).bind(&last)
        .fetch_all(c).await?);
    for (day, z) in zs {
        let difference = z
            .as_deref()
            .and_then(|z| serde_json::from_str::<crate::register_sessions::ZReport>(z).ok())
            .and_then(|z| z.cash.difference_cents)
            .unwrap_or(0);
        if let Some(d) = day_of(Some(&day)).filter(in_range)
            && difference != 0
        {
            let e = &mut days.entry(d).or_default().cash_difference;
            *e = e.saturating_add(difference);
        }
    }

    let fees: Vec<(i64, i64)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT taken_at, fee_cents FROM stripe_payments WHERE organization_id = $1
         AND fee_cents IS NOT NULL AND taken_at >= $2 AND taken_at < $3")
        .bind(org).bind(start).bind(end)
        .fetch_all(c).await?);
    for (at, fee) in fees {
        if let Some(d) = local_day(at, tz).filter(in_range) {
            let e = &mut days.entry(d).or_default().fees;
            *e = e.saturating_add(fee);
        }
    }

    let payouts: Vec<(Option<String>, i64, i64)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT arrival_date, created_at, amount_cents FROM stripe_payouts
         WHERE organization_id = $1 AND status = 'paid'
         AND ((arrival_date >= $4 AND arrival_date <= $5)
              OR (arrival_date IS NULL AND created_at >= $2 AND created_at < $3))")
        .bind(org).bind(start).bind(end).bind(&first).bind(&last)
        .fetch_all(c).await?);
    for (arrival, created, amount) in payouts {
        let day = day_of(arrival.as_deref()).or_else(|| local_day(created, tz));
        if let Some(d) = day.filter(in_range) {
            let e = &mut days.entry(d).or_default().payouts;
            *e = e.saturating_add(amount);
        }
    }

    Ok(days
        .into_iter()
        .map(|(date, d)| PeriodFigures {
            date,
            revenue: d
                .revenue
                .into_iter()
                .map(|(vat_rate_bp, (gross_cents, vat_cents))| RateRevenue {
                    vat_rate_bp,
                    gross_cents,
                    vat_cents,
                })
                .collect(),
            payments: d.payments.into_values().collect(),
            cash_difference_cents: d.cash_difference,
            provider_fees_cents: d.fees,
            payouts_cents: d.payouts,
        })
        .collect())
}
