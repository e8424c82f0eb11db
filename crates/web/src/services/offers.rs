//! Offers and offer groups use cases, and the sessions an offer's schedule gives.

use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use guichet_domain::Permission;
use guichet_domain::offer::OfferInput;
use guichet_domain::validation::FieldErrors;
use guichet_store::offers::{self, Offer, OfferId};
use serde::Serialize;

pub async fn list(state: &AppState, ctx: &Ctx) -> Result<Vec<Offer>, AppError> {
    ctx.require(Permission::UseBackOffice)?;
    let tenant = ctx.tenant;
    Ok(state
        .store
        .read(|tx| Box::pin(async move { offers::list(tx, tenant).await }))
        .await?)
}

pub async fn get(state: &AppState, ctx: &Ctx, id: OfferId) -> Result<Offer, AppError> {
    ctx.require(Permission::UseBackOffice)?;
    let tenant = ctx.tenant;
    Ok(state
        .store
        .read(|tx| Box::pin(async move { offers::get(tx, tenant, id).await }))
        .await?)
}

/// Creates (`id` = None) or replaces an offer, prices and schedule included, atomically.
pub async fn save(
    state: &AppState,
    ctx: &Ctx,
    id: Option<OfferId>,
    input: &OfferInput,
) -> Result<Offer, AppError> {
    ctx.require(Permission::ManageCatalogue)?;
    let d = input.parse()?;
    let tenant = ctx.tenant;
    Ok(state
        .store
        .write(|tx| {
            let d = d.clone();
            Box::pin(async move { offers::save(tx, tenant, id, &d).await })
        })
        .await?)
}

pub async fn archive(
    state: &AppState,
    ctx: &Ctx,
    id: OfferId,
    archived: bool,
) -> Result<Offer, AppError> {
    ctx.require(Permission::ManageCatalogue)?;
    let tenant = ctx.tenant;
    Ok(state
        .store
        .write(|tx| Box::pin(async move { offers::set_archived(tx, tenant, id, archived).await }))
        .await?)
}

/// One session of an offer's schedule.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SessionSlot {
    /// Civil date and time on the site's clock.
    pub date: String,
    pub time: String,
    /// Start instant, microseconds since the Unix epoch (UTC).
    pub start: i64,
    /// Most visitors for this session.
    pub capacity: i64,
}

/// The sessions of an offer between two civil dates (inclusive, at most 366 days), in the
/// organization's time zone.
pub async fn sessions(
    state: &AppState,
    ctx: &Ctx,
    id: OfferId,
    from: &str,
    to: &str,
) -> Result<Vec<SessionSlot>, AppError> {
    let offer = get(state, ctx, id).await?;
    let mut e = FieldErrors::new();
    let parse = |s: &str| {
        s.trim()
            .parse::<jiff::civil::Date>()
            .map_err(|_| super::shop::DateError)
    };
    let from = e.check("from", parse(from));
    let to = e.check("to", parse(to));
    if let (Some(a), Some(b)) = (from, to) {
        if b < a {
            e.add("to", "ends_before_start");
        } else if a.until(b).map(|s| s.get_days()).unwrap_or(i32::MAX) > 366 {
            e.add("to", "range_too_long");
        }
    }
    e.into_result()?;
    let (Some(from), Some(to)) = (from, to) else {
        return Err(AppError::Internal("validated input missing".into()));
    };
    let tz_name = super::time_zone(state, ctx.tenant).await?;
    let tz = jiff::tz::TimeZone::get(&tz_name).map_err(|e| AppError::Internal(e.to_string()))?;
    let schedule = offer.schedule.schedule();
    let mut out = Vec::new();
    let mut day = from;
    while day <= to {
        for s in schedule.sessions_on(day, &tz) {
            out.push(SessionSlot {
                date: day.to_string(),
                time: s.local.strftime("%H:%M").to_string(),
                start: s.start_micros,
                capacity: offer.capacity,
            });
        }
        day = match day.tomorrow() {
            Ok(d) => d,
            Err(_) => break,
        };
    }
    Ok(out)
}
