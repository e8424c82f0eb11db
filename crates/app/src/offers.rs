//! Offers and offer groups use cases, and the sessions an offer's schedule gives.

pub use guichet_store::offers::{Offer, OfferId, Photo};

use crate::Actor;
use crate::App;
use crate::AppError;
use guichet_domain::Permission;
use guichet_domain::calendar::{Audience, Calendar, CalendarInput};
use guichet_domain::offer::OfferInput;
use guichet_domain::schedule::SessionSource;
use guichet_domain::validation::FieldErrors;
use guichet_store::offers;
use serde::Serialize;

pub async fn list(state: &App, actor: &Actor) -> Result<Vec<Offer>, AppError> {
    actor.require(Permission::UseBackOffice)?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .read(|tx| Box::pin(async move { offers::list(tx, tenant).await }))
        .await?)
}

pub async fn get(state: &App, actor: &Actor, id: OfferId) -> Result<Offer, AppError> {
    actor.require(Permission::UseBackOffice)?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .read(|tx| Box::pin(async move { offers::get(tx, tenant, id).await }))
        .await?)
}

/// Creates (`id` = None) or replaces an offer, prices and schedule included, atomically.
pub async fn save(
    state: &App,
    actor: &Actor,
    id: Option<OfferId>,
    input: &OfferInput,
) -> Result<Offer, AppError> {
    actor.require(Permission::ManageCatalogue)?;
    let d = input.parse()?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .write(|tx| {
            let d = d.clone();
            Box::pin(async move { offers::save(tx, tenant, id, &d).await })
        })
        .await?)
}

pub async fn archive(
    state: &App,
    actor: &Actor,
    id: OfferId,
    archived: bool,
) -> Result<Offer, AppError> {
    actor.require(Permission::ManageCatalogue)?;
    let tenant = actor.tenant;
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
    state: &App,
    actor: &Actor,
    id: OfferId,
    from: &str,
    to: &str,
) -> Result<Vec<SessionSlot>, AppError> {
    let offer = get(state, actor, id).await?;
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
    let tz_name = crate::organization::time_zone(state, actor.tenant).await?;
    let tz = jiff::tz::TimeZone::get(&tz_name).map_err(|e| AppError::Internal(e.to_string()))?;
    let source = session_source(state, actor, &offer).await?;
    let mut out = Vec::new();
    let mut day = from;
    while day <= to {
        for s in source.sessions_on(day, &tz) {
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

/// Where the offer's sessions come from: its own schedule or the site's opening hours.
pub async fn session_source(
    state: &App,
    actor: &Actor,
    offer: &Offer,
) -> Result<SessionSource, AppError> {
    match offer.follows_calendar {
        None => Ok(SessionSource::Own(offer.schedule.schedule())),
        Some(audience) => Ok(SessionSource::OpeningHours(
            calendar(state, actor, audience).await?,
        )),
    }
}

/// The site's calendar for an audience, as stored (every role reads it).
pub async fn calendar_input(
    state: &App,
    actor: &Actor,
    audience: Audience,
) -> Result<CalendarInput, AppError> {
    actor.require(Permission::UseBackOffice)?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .read(|tx| {
            Box::pin(
                async move { guichet_store::organizations::calendar(tx, tenant, audience).await },
            )
        })
        .await?)
}

pub async fn calendar(
    state: &App,
    actor: &Actor,
    audience: Audience,
) -> Result<Calendar, AppError> {
    calendar_input(state, actor, audience)
        .await?
        .parse()
        .map_err(|e| AppError::Internal(format!("stored calendar invalid: {e:?}")))
}

pub async fn set_calendar(
    state: &App,
    actor: &Actor,
    audience: Audience,
    input: &CalendarInput,
) -> Result<Calendar, AppError> {
    actor.require(Permission::ManageCatalogue)?;
    let calendar = input.parse()?;
    let tenant = actor.tenant;
    state
        .store
        .write(|tx| {
            let c = calendar.clone();
            Box::pin(async move {
                guichet_store::organizations::set_calendar(tx, tenant, audience, &c).await
            })
        })
        .await?;
    Ok(calendar)
}

pub async fn photos(state: &App, actor: &Actor, id: OfferId) -> Result<Vec<Photo>, AppError> {
    actor.require(Permission::UseBackOffice)?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .read(|tx| Box::pin(async move { offers::photos(tx, tenant, id).await }))
        .await?)
}

/// Adds a photo: the caption is required, the file must be a JPEG, PNG or WebP picture of at
/// most 5 MB; a thumbnail is made on the blocking pool.
pub async fn add_photo(
    state: &App,
    actor: &Actor,
    id: OfferId,
    caption: &str,
    bytes: Vec<u8>,
) -> Result<Photo, AppError> {
    actor.require(Permission::ManageCatalogue)?;
    let mut e = FieldErrors::new();
    let caption = e.check("caption", guichet_domain::text::required(caption, 200));
    let picture = match crate::pictures::process_picture(bytes).await? {
        Ok(p) => Some(p),
        Err(err) => {
            e.add("file", err.code());
            None
        }
    };
    e.into_result()?;
    let (Some(caption), Some(picture)) = (caption, picture) else {
        return Err(AppError::Internal("validated input missing".into()));
    };
    let tenant = actor.tenant;
    let picture = std::sync::Arc::new(picture);
    Ok(state
        .store
        .write(|tx| {
            let (caption, picture) = (caption.clone(), picture.clone());
            Box::pin(async move {
                let new = offers::NewPhoto {
                    caption: &caption,
                    mime: picture.mime,
                    width: picture.width,
                    height: picture.height,
                    data: &picture.data,
                    thumbnail: &picture.thumbnail,
                };
                offers::add_photo(tx, tenant, id, &new).await
            })
        })
        .await?)
}

pub async fn delete_photo(
    state: &App,
    actor: &Actor,
    id: OfferId,
    photo: uuid::Uuid,
) -> Result<(), AppError> {
    actor.require(Permission::ManageCatalogue)?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .write(|tx| Box::pin(async move { offers::delete_photo(tx, tenant, id, photo).await }))
        .await?)
}
