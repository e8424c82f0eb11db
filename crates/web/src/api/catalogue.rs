//! Ticket types and extras endpoints.

use super::extract::{
    ApiJson, ApiQuery, ApiResult, ArchiveInput, PageQuery, id, page_schema, paged,
};
use crate::auth::ApiCtx;
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use crate::upload::{Kind, Upload};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use guichet_app::catalogue;
use guichet_app::catalogue::{Item, ItemId};
use guichet_domain::catalogue::{ItemInput, ItemKind};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_ticket_types, create_ticket_type))
        .routes(routes!(get_ticket_type, update_ticket_type))
        .routes(routes!(archive_ticket_type))
        .routes(routes!(list_extras, create_extra))
        .routes(routes!(get_extra, update_extra))
        .routes(routes!(archive_extra))
        .routes(routes!(set_ticket_type_picture, remove_ticket_type_picture))
        .routes(routes!(set_extra_picture, remove_extra_picture))
}

page_schema!(ItemPage, Item);

macro_rules! item_endpoints {
    ($kind:expr, $path:literal, $tag:literal, $list:ident, $create:ident, $get:ident, $update:ident, $archive:ident, $picture:ident, $remove_picture:ident) => {
        /// Sets the picture shown for it (multipart field `file`: JPEG, PNG or WebP, at most 5 MB).
        #[utoipa::path(put, path = concat!($path, "/{id}/picture"), tag = $tag, params(("id" = String, Path)),
            request_body(content_type = "multipart/form-data", description = "Field `file`."),
            responses((status = 200, body = Item), (status = 404, body = Problem), (status = 422, body = Problem)))]
        pub async fn $picture(State(state): State<AppState>, ApiCtx(ctx): ApiCtx, Path(raw): Path<String>, multipart: axum::extract::Multipart) -> ApiResult<Item> {
            let item = id::<ItemId>(&raw)?;
            let bytes = Upload::read(multipart, Kind::Image).await?.file;
            Ok(Json(catalogue::set_picture(&state, &ctx, $kind, item, Some(bytes)).await?))
        }

        #[utoipa::path(delete, path = concat!($path, "/{id}/picture"), tag = $tag, params(("id" = String, Path)),
            responses((status = 200, body = Item), (status = 404, body = Problem)))]
        pub async fn $remove_picture(State(state): State<AppState>, ApiCtx(ctx): ApiCtx, Path(raw): Path<String>) -> ApiResult<Item> {
            Ok(Json(catalogue::set_picture(&state, &ctx, $kind, id::<ItemId>(&raw)?, None).await?))
        }

        /// In creation order, a page at a time.
        #[utoipa::path(get, path = $path, tag = $tag, params(PageQuery),
            responses((status = 200, body = ItemPage), (status = 401, body = Problem), (status = 400, body = Problem), (status = 422, body = Problem)))]
        pub async fn $list(State(state): State<AppState>, ApiCtx(ctx): ApiCtx, ApiQuery(page): ApiQuery<PageQuery>) -> ApiResult<ItemPage> {
            paged(catalogue::list(&state, &ctx, $kind).await?, |i| i.id.0, &page)
        }

        #[utoipa::path(post, path = $path, tag = $tag, request_body = ItemInput,
            responses((status = 201, body = Item), (status = 422, body = Problem), (status = 403, body = Problem)))]
        pub async fn $create(State(state): State<AppState>, ApiCtx(ctx): ApiCtx, ApiJson(input): ApiJson<ItemInput>) -> Result<(StatusCode, Json<Item>), ApiError> {
            Ok((StatusCode::CREATED, Json(catalogue::create(&state, &ctx, $kind, &input).await?)))
        }

        #[utoipa::path(get, path = concat!($path, "/{id}"), tag = $tag, params(("id" = String, Path)),
            responses((status = 200, body = Item), (status = 404, body = Problem)))]
        pub async fn $get(State(state): State<AppState>, ApiCtx(ctx): ApiCtx, Path(raw): Path<String>) -> ApiResult<Item> {
            Ok(Json(catalogue::get(&state, &ctx, $kind, id::<ItemId>(&raw)?).await?))
        }

        #[utoipa::path(put, path = concat!($path, "/{id}"), tag = $tag, params(("id" = String, Path)), request_body = ItemInput,
            responses((status = 200, body = Item), (status = 404, body = Problem), (status = 422, body = Problem)))]
        pub async fn $update(State(state): State<AppState>, ApiCtx(ctx): ApiCtx, Path(raw): Path<String>, ApiJson(input): ApiJson<ItemInput>) -> ApiResult<Item> {
            Ok(Json(catalogue::update(&state, &ctx, $kind, id::<ItemId>(&raw)?, &input).await?))
        }

        #[utoipa::path(post, path = concat!($path, "/{id}/archive"), tag = $tag, params(("id" = String, Path)), request_body = ArchiveInput,
            responses((status = 200, body = Item), (status = 404, body = Problem)))]
        pub async fn $archive(State(state): State<AppState>, ApiCtx(ctx): ApiCtx, Path(raw): Path<String>, ApiJson(input): ApiJson<ArchiveInput>) -> ApiResult<Item> {
            Ok(Json(catalogue::archive(&state, &ctx, $kind, id::<ItemId>(&raw)?, input.archived).await?))
        }
    };
}

item_endpoints!(
    ItemKind::TicketType,
    "/api/v1/ticket-types",
    "ticket types",
    list_ticket_types,
    create_ticket_type,
    get_ticket_type,
    update_ticket_type,
    archive_ticket_type,
    set_ticket_type_picture,
    remove_ticket_type_picture
);
item_endpoints!(
    ItemKind::Extra,
    "/api/v1/extras",
    "extras",
    list_extras,
    create_extra,
    get_extra,
    update_extra,
    archive_extra,
    set_extra_picture,
    remove_extra_picture
);
