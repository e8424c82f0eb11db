//! Shop endpoints: product groups, products, stock movements, counts and the stock report.

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
use guichet_app::groups;
use guichet_app::groups::GroupKind;
use guichet_app::shop::{self, MovementInput};
use guichet_app::shop::{
    Movement, Product, ProductFilter, ProductGroup, ProductGroupId, ProductId, StockLine,
};
use guichet_domain::shop::ProductInput;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_groups, create_group))
        .routes(routes!(rename_group, delete_group))
        .routes(routes!(move_group))
        .routes(routes!(list_products, create_product))
        .routes(routes!(get_product, update_product))
        .routes(routes!(archive_product))
        .routes(routes!(set_photo, remove_photo))
        .routes(routes!(product_by_barcode))
        .routes(routes!(list_movements, add_movement))
        .routes(routes!(apply_count))
        .routes(routes!(stock_report))
}

#[derive(Deserialize, ToSchema)]
pub struct GroupInput {
    pub name: String,
}

page_schema!(ProductGroupPage, ProductGroup);
page_schema!(ProductPage, Product);
page_schema!(MovementPage, Movement);
page_schema!(StockLinePage, StockLine);

/// The product groups, in creation order (each with its `position` in the manual order), a
/// page at a time.
#[utoipa::path(get, path = "/api/v1/product-groups", tag = "shop", params(PageQuery),
    responses((status = 200, body = ProductGroupPage), (status = 403, body = Problem), (status = 400, body = Problem), (status = 422, body = Problem)))]
pub async fn list_groups(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> ApiResult<ProductGroupPage> {
    let rows = groups::list(&state, &ctx, GroupKind::Product).await?;
    paged(rows, |g| g.id.0, &page)
}

/// Creates a group at the end of the manual order.
#[utoipa::path(post, path = "/api/v1/product-groups", tag = "shop", request_body = GroupInput,
    responses((status = 201, body = ProductGroup), (status = 422, body = Problem)))]
pub async fn create_group(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(input): ApiJson<GroupInput>,
) -> Result<(StatusCode, Json<ProductGroup>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(groups::create(&state, &ctx, GroupKind::Product, &input.name).await?),
    ))
}

#[utoipa::path(put, path = "/api/v1/product-groups/{id}", tag = "shop", params(("id" = String, Path)), request_body = GroupInput,
    responses((status = 200, body = ProductGroup), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn rename_group(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
    ApiJson(input): ApiJson<GroupInput>,
) -> ApiResult<ProductGroup> {
    Ok(Json(
        groups::rename(
            &state,
            &ctx,
            GroupKind::Product,
            id::<ProductGroupId>(&raw)?,
            &input.name,
        )
        .await?,
    ))
}

/// Deletes an empty group (`409 group_not_empty` otherwise).
#[utoipa::path(delete, path = "/api/v1/product-groups/{id}", tag = "shop", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn delete_group(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
) -> Result<StatusCode, ApiError> {
    groups::delete(
        &state,
        &ctx,
        GroupKind::Product,
        id::<ProductGroupId>(&raw)?,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct MoveInput {
    /// `-1` moves the group up one place, `1` down one place.
    pub delta: i32,
}

#[utoipa::path(post, path = "/api/v1/product-groups/{id}/move", tag = "shop", params(("id" = String, Path)), request_body = MoveInput,
    responses((status = 200, body = [ProductGroup]), (status = 404, body = Problem)))]
pub async fn move_group(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
    ApiJson(input): ApiJson<MoveInput>,
) -> ApiResult<Vec<ProductGroup>> {
    Ok(Json(
        groups::move_by(
            &state,
            &ctx,
            GroupKind::Product,
            id::<ProductGroupId>(&raw)?,
            input.delta,
        )
        .await?,
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProductQuery {
    /// Words to find in the name, reference or barcode (accents and case ignored).
    q: Option<String>,
    /// A group id.
    group: Option<String>,
    /// Include archived products.
    #[serde(default)]
    include_archived: bool,
    /// Only products at or below their alert stock.
    #[serde(default)]
    low: bool,
    /// The page after this cursor (`next` of the previous page).
    after: Option<String>,
    /// Products per page, 1 to 1000 (default 100).
    limit: Option<u32>,
}

/// Products with their current stock, in creation order, a page at a time.
#[utoipa::path(get, path = "/api/v1/products", tag = "shop", params(ProductQuery),
    responses((status = 200, body = ProductPage), (status = 403, body = Problem), (status = 400, body = Problem), (status = 422, body = Problem)))]
pub async fn list_products(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiQuery(q): ApiQuery<ProductQuery>,
) -> ApiResult<ProductPage> {
    let group = match q.group.as_deref().filter(|g| !g.is_empty()) {
        Some(g) => Some(id::<ProductGroupId>(g)?),
        None => None,
    };
    let filter = ProductFilter {
        search: q.q,
        group,
        include_archived: q.include_archived,
    };
    let mut list = shop::products(&state, &ctx, filter).await?;
    if q.low {
        list.retain(Product::is_low);
    }
    let page = PageQuery {
        after: q.after,
        limit: q.limit,
    };
    paged(list, |p| p.id.0, &page)
}

/// Creates a product; an empty barcode gets an internal EAN-13, `initial_stock` opens its ledger.
#[utoipa::path(post, path = "/api/v1/products", tag = "shop", request_body = ProductInput,
    responses((status = 201, body = Product), (status = 422, body = Problem)))]
pub async fn create_product(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(input): ApiJson<ProductInput>,
) -> Result<(StatusCode, Json<Product>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(shop::create_product(&state, &ctx, &input).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/products/{id}", tag = "shop", params(("id" = String, Path)),
    responses((status = 200, body = Product), (status = 404, body = Problem)))]
pub async fn get_product(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
) -> ApiResult<Product> {
    Ok(Json(
        shop::product(&state, &ctx, id::<ProductId>(&raw)?).await?,
    ))
}

/// Replaces a product's settings (an empty barcode keeps the current one; `initial_stock` is ignored).
#[utoipa::path(put, path = "/api/v1/products/{id}", tag = "shop", params(("id" = String, Path)), request_body = ProductInput,
    responses((status = 200, body = Product), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_product(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
    ApiJson(input): ApiJson<ProductInput>,
) -> ApiResult<Product> {
    Ok(Json(
        shop::update_product(&state, &ctx, id::<ProductId>(&raw)?, &input).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/products/{id}/archive", tag = "shop", params(("id" = String, Path)), request_body = ArchiveInput,
    responses((status = 200, body = Product), (status = 404, body = Problem)))]
pub async fn archive_product(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
    ApiJson(input): ApiJson<ArchiveInput>,
) -> ApiResult<Product> {
    Ok(Json(
        shop::archive_product(&state, &ctx, id::<ProductId>(&raw)?, input.archived).await?,
    ))
}

/// The product with this barcode (what a scanner typed).
#[utoipa::path(get, path = "/api/v1/products/by-barcode/{code}", tag = "shop", params(("code" = String, Path)),
    responses((status = 200, body = Product), (status = 404, body = Problem)))]
pub async fn product_by_barcode(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(code): Path<String>,
) -> ApiResult<Product> {
    Ok(Json(shop::product_by_barcode(&state, &ctx, &code).await?))
}

/// The product's stock movements, newest first, a page at a time.
#[utoipa::path(get, path = "/api/v1/products/{id}/movements", tag = "shop", params(("id" = String, Path), PageQuery),
    responses((status = 200, body = MovementPage), (status = 404, body = Problem), (status = 400, body = Problem), (status = 422, body = Problem)))]
pub async fn list_movements(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> ApiResult<MovementPage> {
    let pid = id::<ProductId>(&raw)?;
    let found = shop::movements_page(&state, &ctx, pid, page.after.as_deref(), page.limit).await?;
    Ok(Json(found.into()))
}

/// Records a restock, withdrawal or return; answers with the product and its new stock.
#[utoipa::path(post, path = "/api/v1/products/{id}/movements", tag = "shop", params(("id" = String, Path)), request_body = MovementInput,
    responses((status = 201, body = Product), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn add_movement(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
    ApiJson(input): ApiJson<MovementInput>,
) -> Result<(StatusCode, Json<Product>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(shop::add_movement(&state, &ctx, id::<ProductId>(&raw)?, &input).await?),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct CountLine {
    product_id: String,
    /// The quantity found on the shelf.
    counted: i64,
}

#[derive(Deserialize, ToSchema)]
pub struct CountInput {
    lines: Vec<CountLine>,
}

#[derive(Serialize, ToSchema)]
pub struct CountResult {
    /// How many products got a count adjustment.
    adjusted: usize,
}

/// Applies a stock count (inventory): each difference becomes a count-adjustment movement, all or nothing.
#[utoipa::path(post, path = "/api/v1/stock-counts", tag = "shop", request_body = CountInput,
    responses((status = 200, body = CountResult), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn apply_count(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(input): ApiJson<CountInput>,
) -> ApiResult<CountResult> {
    let lines: Vec<(String, String)> = input
        .lines
        .into_iter()
        .map(|l| (l.product_id, l.counted.to_string()))
        .collect();
    Ok(Json(CountResult {
        adjusted: shop::apply_count(&state, &ctx, &lines).await?,
    }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StockQuery {
    /// The stock at the end of this day (YYYY-MM-DD), in the organization's time zone.
    date: String,
    /// Restocks and sales are counted from the start of this day (default: 1 January of `date`'s year).
    from: Option<String>,
    /// The page after this cursor (`next` of the previous page).
    after: Option<String>,
    /// Lines per page, 1 to 1000 (default 100).
    limit: Option<u32>,
}

/// Stock at a past date, with initial stock, restocks and sales over a period: one line per
/// stock-managed product, in the products' creation order, a page at a time.
#[utoipa::path(get, path = "/api/v1/stock", tag = "shop", params(StockQuery),
    responses((status = 200, body = StockLinePage), (status = 400, body = Problem), (status = 422, body = Problem)))]
pub async fn stock_report(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiQuery(q): ApiQuery<StockQuery>,
) -> ApiResult<StockLinePage> {
    let from = q
        .from
        .unwrap_or_else(|| format!("{}-01-01", q.date.get(..4).unwrap_or("2000")));
    let lines = shop::stock_report(&state, &ctx, &from, &q.date).await?.2;
    let page = PageQuery {
        after: q.after,
        limit: q.limit,
    };
    paged(lines, |l| l.product_id.0, &page)
}

/// Sets the product's photo (multipart field `file`: JPEG, PNG or WebP, at most 5 MB).
#[utoipa::path(put, path = "/api/v1/products/{id}/photo", tag = "shop", params(("id" = String, Path)),
    request_body(content_type = "multipart/form-data", description = "Field `file`."),
    responses((status = 200, body = Product), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn set_photo(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
    multipart: axum::extract::Multipart,
) -> ApiResult<Product> {
    let pid = id::<ProductId>(&raw)?;
    let bytes = Upload::read(multipart, Kind::Image).await?.file;
    Ok(Json(shop::set_photo(&state, &ctx, pid, bytes).await?))
}

#[utoipa::path(delete, path = "/api/v1/products/{id}/photo", tag = "shop", params(("id" = String, Path)),
    responses((status = 200, body = Product), (status = 404, body = Problem)))]
pub async fn remove_photo(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
) -> ApiResult<Product> {
    Ok(Json(
        shop::remove_photo(&state, &ctx, id::<ProductId>(&raw)?).await?,
    ))
}
