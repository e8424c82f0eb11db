//! Orders and payments between two days.

use super::*;
use crate::organization::zone;
use guichet_store::orders::DateFilter;
use jiff::civil::Date;

/// Orders created (or visiting) between two days of the organization's calendar.
pub async fn list(
    state: &App,
    actor: &Actor,
    from: &str,
    to: &str,
    by_visit: bool,
) -> Result<Vec<OrderSummary>, AppError> {
    actor.require(Permission::Sell)?;
    let (from, to) = crate::planning::date_range(from, to)?;
    let tz = zone(state, actor).await?;
    let filter = if by_visit {
        DateFilter::Visit(from, to)
    } else {
        let (a, b) = instants(from, to, &tz)?;
        DateFilter::Created(a, b)
    };
    let tenant = actor.tenant;
    Ok(state
        .store
        .read(|tx| Box::pin(async move { orders::list(tx, tenant, filter, 5000).await }))
        .await?)
}

/// Payments taken between two days, one row per line they paid.
pub async fn payment_lines(
    state: &App,
    actor: &Actor,
    from: &str,
    to: &str,
) -> Result<Vec<PaymentLine>, AppError> {
    actor.require(Permission::Sell)?;
    let (from, to) = crate::planning::date_range(from, to)?;
    let (a, b) = instants(from, to, &zone(state, actor).await?)?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .read(|tx| Box::pin(async move { orders::payment_lines(tx, tenant, a, b, 10_000).await }))
        .await?)
}

/// `[start of from, start of the day after to)` in the zone, as microseconds.
fn instants(from: Date, to: Date, tz: &jiff::tz::TimeZone) -> Result<(i64, i64), AppError> {
    let start = |d: Date| {
        d.to_zoned(tz.clone())
            .map(|z| z.timestamp().as_microsecond())
            .map_err(|_| AppError::field("to", "out_of_range"))
    };
    let next = to
        .tomorrow()
        .map_err(|_| AppError::field("to", "out_of_range"))?;
    Ok((start(from)?, start(next)?))
}

/// The payments taken between two days as a spreadsheet for the accountant's reconciliation
/// (the seeds' "Fichier csv pour une réconciliation comptable"): one row per line they paid.
pub async fn export_payments(
    state: &App,
    actor: &Actor,
    from: &str,
    to: &str,
    format: crate::files::Format,
) -> Result<crate::files::File, AppError> {
    use guichet_domain::shop::format_cents;
    use guichet_integrations::exports::{Cell, Table};
    let rows = payment_lines(state, actor, from, to).await?;
    let tz = crate::organization::time_zone(state, actor.tenant).await?;
    let tr = guichet_integrations::i18n::Tr(actor.lang);
    let table = Table {
        headers: [
            "order-number",
            "label-date",
            "order-collected",
            "label-vat",
            "payment-fees",
            "payment-method",
            "order-total",
            "order-offer",
            "payment-item",
            "payment-seller",
        ]
        .iter()
        .map(|k| tr.t(k))
        .collect(),
        rows: rows
            .into_iter()
            .map(|r| {
                vec![
                    Cell::Text(r.reference),
                    Cell::Text(tr.instant(&r.taken_at, &tz)),
                    Cell::Text(format_cents(r.amount_cents)),
                    Cell::Text(format_cents(r.vat_cents)),
                    Cell::Text(format_cents(r.fees_cents)),
                    Cell::Text(tr.method(&r.method)),
                    Cell::Text(format_cents(r.line_total_cents)),
                    Cell::Text(r.offer_name.unwrap_or_default()),
                    Cell::Text(r.label),
                    Cell::Text(r.seller_name.unwrap_or_default()),
                ]
            })
            .collect(),
    };
    crate::files::table_file(
        &table,
        format,
        "Encaissements",
        &format!("encaissements-{from}-{to}"),
    )
}
