//! Offers and offer groups endpoints.

use super::extract::{
    ApiJson, ApiQuery, ApiResult, ArchiveInput, PageQuery, id, page_schema, paged,
};
use super::shop::{GroupInput, MoveInput};
use crate::auth::ApiCtx;
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use crate::upload::{Kind, Upload};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use guichet_app::groups;
use guichet_app::groups::GroupKind;
use guichet_app::groups::{Group, GroupId};
use guichet_app::offers::{self, SessionSlot};
use guichet_app::offers::{Offer, OfferId};
use guichet_domain::offer::OfferInput;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_groups, create_group))
        .routes(routes!(rename_group, delete_group))
        .routes(routes!(move_group))
        .routes(routes!(list_offers, create_offer))
        .routes(routes!(get_offer, update_offer))
        .routes(routes!(archive_offer))
        .routes(routes!(sessions))
        .routes(routes!(get_calendar, put_calendar))
        .routes(routes!(list_photos, add_photo))
        .routes(routes!(delete_photo))
}

page_schema!(GroupPage, Group);
page_schema!(OfferPage, Offer);
page_schema!(SessionSlotPage, SessionSlot);
page_schema!(PhotoPage, guichet_app::offers::Photo);

/// The offer groups, in creation order (each with its `position` in the manual order), a page
/// at a time.
#[utoipa::path(get, path = "/api/v1/offer-groups", tag = "offers", params(PageQuery),
    responses((status = 200, body = GroupPage), (status = 400, body = Problem), (status = 422, body = Problem)))]
pub async fn list_groups(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> ApiResult<GroupPage> {
    let rows = groups::list(&state, &ctx, GroupKind::Offer).await?;
    paged(rows, |g| g.id.0, &page)
}

#[utoipa::path(post, path = "/api/v1/offer-groups", tag = "offers", request_body = GroupInput,
    responses((status = 201, body = Group), (status = 422, body = Problem)))]
pub async fn create_group(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(input): ApiJson<GroupInput>,
) -> Result<(StatusCode, Json<Group>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(groups::create(&state, &ctx, GroupKind::Offer, &input.name).await?),
    ))
}

#[utoipa::path(put, path = "/api/v1/offer-groups/{id}", tag = "offers", params(("id" = String, Path)), request_body = GroupInput,
    responses((status = 200, body = Group), (status = 404, body = Problem)))]
pub async fn rename_group(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
    ApiJson(input): ApiJson<GroupInput>,
) -> ApiResult<Group> {
    Ok(Json(
        groups::rename(
            &state,
            &ctx,
            GroupKind::Offer,
            id::<GroupId>(&raw)?,
            &input.name,
        )
        .await?,
    ))
}

#[utoipa::path(delete, path = "/api/v1/offer-groups/{id}", tag = "offers", params(("id" = String, Path)),
    responses((status = 204), (status = 409, body = Problem)))]
pub async fn delete_group(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
) -> Result<StatusCode, ApiError> {
    groups::delete(&state, &ctx, GroupKind::Offer, id::<GroupId>(&raw)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/offer-groups/{id}/move", tag = "offers", params(("id" = String, Path)), request_body = MoveInput,
    responses((status = 200, body = [Group])))]
pub async fn move_group(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
    ApiJson(input): ApiJson<MoveInput>,
) -> ApiResult<Vec<Group>> {
    Ok(Json(
        groups::move_by(
            &state,
            &ctx,
            GroupKind::Offer,
            id::<GroupId>(&raw)?,
            input.delta,
        )
        .await?,
    ))
}

/// The offers, in creation order, a page at a time.
#[utoipa::path(get, path = "/api/v1/offers", tag = "offers", params(PageQuery),
    responses((status = 200, body = OfferPage), (status = 400, body = Problem), (status = 422, body = Problem)))]
pub async fn list_offers(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> ApiResult<OfferPage> {
    let rows = offers::list(&state, &ctx).await?;
    paged(rows, |o| o.id.0, &page)
}

/// Creates an offer with its prices (ticket types and extras by id) and schedule.
#[utoipa::path(post, path = "/api/v1/offers", tag = "offers", request_body = OfferInput,
    responses((status = 201, body = Offer), (status = 422, body = Problem)))]
pub async fn create_offer(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(input): ApiJson<OfferInput>,
) -> Result<(StatusCode, Json<Offer>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(offers::save(&state, &ctx, None, &input).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/offers/{id}", tag = "offers", params(("id" = String, Path)),
    responses((status = 200, body = Offer), (status = 404, body = Problem)))]
pub async fn get_offer(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
) -> ApiResult<Offer> {
    Ok(Json(offers::get(&state, &ctx, id::<OfferId>(&raw)?).await?))
}

/// Replaces an offer, prices and schedule included.
#[utoipa::path(put, path = "/api/v1/offers/{id}", tag = "offers", params(("id" = String, Path)), request_body = OfferInput,
    responses((status = 200, body = Offer), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_offer(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
    ApiJson(input): ApiJson<OfferInput>,
) -> ApiResult<Offer> {
    Ok(Json(
        offers::save(&state, &ctx, Some(id::<OfferId>(&raw)?), &input).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/offers/{id}/archive", tag = "offers", params(("id" = String, Path)), request_body = ArchiveInput,
    responses((status = 200, body = Offer), (status = 404, body = Problem)))]
pub async fn archive_offer(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
    ApiJson(input): ApiJson<ArchiveInput>,
) -> ApiResult<Offer> {
    Ok(Json(
        offers::archive(&state, &ctx, id::<OfferId>(&raw)?, input.archived).await?,
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SessionQuery {
    /// First day, YYYY-MM-DD.
    from: String,
    /// Last day, YYYY-MM-DD (at most 366 days after `from`).
    to: String,
    /// The page after this cursor (`next` of the previous page).
    after: Option<String>,
    /// Sessions per page, 1 to 1000 (default 100).
    limit: Option<u32>,
}

/// The sessions the offer's schedule gives between two dates, DST-exact, with the capacity of
/// each, in time order, a page at a time.
#[utoipa::path(get, path = "/api/v1/offers/{id}/sessions", tag = "offers", params(("id" = String, Path), SessionQuery),
    responses((status = 200, body = SessionSlotPage), (status = 400, body = Problem), (status = 422, body = Problem)))]
pub async fn sessions(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
    ApiQuery(q): ApiQuery<SessionQuery>,
) -> ApiResult<SessionSlotPage> {
    let slots = offers::sessions(&state, &ctx, id::<OfferId>(&raw)?, &q.from, &q.to).await?;
    let page = PageQuery {
        after: q.after,
        limit: q.limit,
    };
    paged(slots, |s| s.start, &page)
}

fn audience(raw: &str) -> Result<guichet_domain::calendar::Audience, ApiError> {
    guichet_domain::calendar::Audience::parse(raw).ok_or(ApiError(crate::error::AppError::NotFound))
}

/// The site's opening hours for `individuals` or `groups`.
#[utoipa::path(get, path = "/api/v1/calendars/{audience}", tag = "calendar", params(("audience" = String, Path)),
    responses((status = 200, body = guichet_domain::calendar::CalendarInput), (status = 404, body = Problem)))]
pub async fn get_calendar(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
) -> ApiResult<guichet_domain::calendar::CalendarInput> {
    Ok(Json(
        offers::calendar_input(&state, &ctx, audience(&raw)?).await?,
    ))
}

/// Replaces the opening hours of an audience: periods over weekdays, and closed dates.
#[utoipa::path(put, path = "/api/v1/calendars/{audience}", tag = "calendar", params(("audience" = String, Path)),
    request_body = guichet_domain::calendar::CalendarInput,
    responses((status = 200, body = guichet_domain::calendar::CalendarInput), (status = 422, body = Problem)))]
pub async fn put_calendar(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
    ApiJson(input): ApiJson<guichet_domain::calendar::CalendarInput>,
) -> ApiResult<guichet_domain::calendar::CalendarInput> {
    Ok(Json(
        offers::set_calendar(&state, &ctx, audience(&raw)?, &input)
            .await?
            .to_input(),
    ))
}

/// The offer's photos, in the order they were added, a page at a time.
#[utoipa::path(get, path = "/api/v1/offers/{id}/photos", tag = "offers", params(("id" = String, Path), PageQuery),
    responses((status = 200, body = PhotoPage), (status = 404, body = Problem), (status = 400, body = Problem), (status = 422, body = Problem)))]
pub async fn list_photos(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> ApiResult<PhotoPage> {
    let rows = offers::photos(&state, &ctx, id::<OfferId>(&raw)?).await?;
    paged(rows, |p| p.id, &page)
}

/// Adds a photo (multipart: `file` JPEG/PNG/WebP up to 5 MB, `caption` required).
#[utoipa::path(post, path = "/api/v1/offers/{id}/photos", tag = "offers", params(("id" = String, Path)),
    request_body(content_type = "multipart/form-data", description = "Fields `file` and `caption`."),
    responses((status = 201, body = guichet_app::offers::Photo), (status = 422, body = Problem)))]
pub async fn add_photo(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
    multipart: axum::extract::Multipart,
) -> Result<(StatusCode, Json<guichet_app::offers::Photo>), ApiError> {
    let offer = id::<OfferId>(&raw)?;
    let upload = Upload::read(multipart, Kind::Image).await?;
    let caption = upload.readable_text("caption")?.to_owned();
    Ok((
        StatusCode::CREATED,
        Json(offers::add_photo(&state, &ctx, offer, &caption, upload.file).await?),
    ))
}

#[utoipa::path(delete, path = "/api/v1/offers/{id}/photos/{photo}", tag = "offers", params(("id" = String, Path), ("photo" = String, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn delete_photo(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path((raw, photo)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    offers::delete_photo(
        &state,
        &ctx,
        id::<OfferId>(&raw)?,
        id::<uuid::Uuid>(&photo)?,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
