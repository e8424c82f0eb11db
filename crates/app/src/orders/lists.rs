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
