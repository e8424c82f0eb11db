//! `/api/v1/reservations`, `/api/v1/order-list`, `/api/v1/supplier-orders`: reservations and
//! special orders as the pages do them.

use super::extract::{ApiJson, ApiQuery, ApiResult, PageQuery, id, page_schema, paged};
use crate::auth::ApiCtx;
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use guichet_app::reservations::{
    self as service, ArchiveInput, CustomerOrders, DepositInput, ReservationInput,
    SupplierOrderInput,
};
use guichet_app::reservations::{Reservation, SupplierOrder, ToOrder};
use guichet_domain::CustomerId;
use serde::Deserialize;
use std::collections::BTreeMap;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create, list))
        .routes(routes!(archive))
        .routes(routes!(deposit))
        .routes(routes!(notify))
        .routes(routes!(order_list))
        .routes(routes!(create_supplier_order, supplier_orders))
        .routes(routes!(supplier_order))
        .routes(routes!(mark_sent))
        .routes(routes!(receive))
}

/// Reserves a stock-managed product for a customer: `set_aside` when in stock, else
/// `waiting` on the order list.
#[utoipa::path(post, path = "/api/v1/reservations", tag = "customers", request_body = ReservationInput,
    responses((status = 201, body = Reservation), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(input): ApiJson<ReservationInput>,
) -> Result<(StatusCode, Json<Reservation>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(service::reserve(&state, &ctx, &input).await?),
    ))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct OpenQuery {
    /// One customer's only.
    pub customer_id: Option<String>,
    /// The page after this cursor (`next` of the previous page).
    pub after: Option<String>,
    /// Customers per page, 1 to 1000 (default 100).
    pub limit: Option<u32>,
}

page_schema!(CustomerOrdersPage, CustomerOrders);

/// Open reservations grouped by customer (by customer id), with the message for their ready
/// items, a page of customers at a time.
#[utoipa::path(get, path = "/api/v1/reservations", tag = "customers", params(OpenQuery),
    responses((status = 200, body = CustomerOrdersPage), (status = 400, body = Problem), (status = 422, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiQuery(q): ApiQuery<OpenQuery>,
) -> ApiResult<CustomerOrdersPage> {
    let customer = match q.customer_id {
        Some(raw) => Some(id::<CustomerId>(&raw)?),
        None => None,
    };
    Ok(Json(
        service::customer_orders_page(&state, &ctx, customer, q.after.as_deref(), q.limit)
            .await?
            .into(),
    ))
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct NotifyInput {
    pub customer_id: String,
}

/// E-mails the customer the message for their ready items through the SMTP server (queued,
/// sent in the background) and marks them notified: `409 mail_not_configured`,
/// `no_email_consent`, `nothing_ready`.
#[utoipa::path(post, path = "/api/v1/reservations/notify", tag = "customers", request_body = NotifyInput,
    responses((status = 204), (status = 409, body = Problem)))]
pub async fn notify(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(input): ApiJson<NotifyInput>,
) -> Result<StatusCode, ApiError> {
    let customer = id::<CustomerId>(&input.customer_id)?;
    service::send_ready_email(&state, &ctx, customer).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Archives a reservation; a set-aside item goes back to stock. With an unused deposit,
/// `refund_method` says what becomes of it: `store_credit` keeps it as the customer's credit,
/// a method the deposit was paid with refunds it, any other is refused with `not_paid_with`
/// (its order is cancelled: managers and admins).
#[utoipa::path(post, path = "/api/v1/reservations/{id}/archive", tag = "customers",
    params(("id" = String, Path), ("refund_method" = Option<String>, Query)),
    responses((status = 200, body = Reservation), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
pub async fn archive(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
    ApiQuery(input): ApiQuery<ArchiveInput>,
) -> ApiResult<Reservation> {
    Ok(Json(
        service::archive(&state, &ctx, id::<Uuid>(&raw)?, &input).await?,
    ))
}

/// Takes a deposit on an open reservation (a special order): an order of its own with one
/// `deposit` line at the goods' VAT rate, paid now at the register named. The sale that
/// takes the reserved goods deducts it. `409 deposit_taken`, `reservation_closed`.
#[utoipa::path(post, path = "/api/v1/reservations/{id}/deposit", tag = "customers", params(("id" = String, Path)),
    request_body = DepositInput,
    responses((status = 201, body = Reservation), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
pub async fn deposit(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
    ApiJson(input): ApiJson<DepositInput>,
) -> Result<(StatusCode, Json<Reservation>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(service::take_deposit(&state, &ctx, id::<Uuid>(&raw)?, &input).await?),
    ))
}

page_schema!(ToOrderPage, ToOrder);
page_schema!(SupplierOrderPage, SupplierOrder);

/// What to order: reserved products not in stock, products at or under their minimum; one
/// line per product, in the products' creation order, a page at a time.
#[utoipa::path(get, path = "/api/v1/order-list", tag = "shop", params(PageQuery),
    responses((status = 200, body = ToOrderPage), (status = 400, body = Problem), (status = 422, body = Problem)))]
pub async fn order_list(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> ApiResult<ToOrderPage> {
    let rows = service::order_list(&state, &ctx).await?;
    paged(rows, |l| l.product_id.0, &page)
}

#[utoipa::path(post, path = "/api/v1/supplier-orders", tag = "shop", request_body = SupplierOrderInput,
    responses((status = 201, body = SupplierOrder), (status = 422, body = Problem)))]
pub async fn create_supplier_order(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(input): ApiJson<SupplierOrderInput>,
) -> Result<(StatusCode, Json<SupplierOrder>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(service::create_supplier_order(&state, &ctx, &input).await?),
    ))
}

/// The supplier orders, in creation order, a page at a time.
#[utoipa::path(get, path = "/api/v1/supplier-orders", tag = "shop", params(PageQuery),
    responses((status = 200, body = SupplierOrderPage), (status = 400, body = Problem), (status = 422, body = Problem)))]
pub async fn supplier_orders(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> ApiResult<SupplierOrderPage> {
    let rows = service::supplier_orders(&state, &ctx).await?;
    paged(rows, |o| o.id, &page)
}

#[utoipa::path(get, path = "/api/v1/supplier-orders/{id}", tag = "shop", params(("id" = String, Path)),
    responses((status = 200, body = SupplierOrder), (status = 404, body = Problem)))]
pub async fn supplier_order(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
) -> ApiResult<SupplierOrder> {
    Ok(Json(
        service::supplier_order(&state, &ctx, id::<Uuid>(&raw)?).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/supplier-orders/{id}/sent", tag = "shop", params(("id" = String, Path)),
    responses((status = 200, body = SupplierOrder), (status = 404, body = Problem)))]
pub async fn mark_sent(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
) -> ApiResult<SupplierOrder> {
    Ok(Json(
        service::mark_sent(&state, &ctx, id::<Uuid>(&raw)?).await?,
    ))
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ReceiveInput {
    /// Line id → quantity received; a line left out arrived in full.
    pub received: BTreeMap<String, String>,
}

/// Receives the order (restock); answers the customers whose reserved items arrived, with
/// their messages.
#[utoipa::path(post, path = "/api/v1/supplier-orders/{id}/receive", tag = "shop", params(("id" = String, Path)),
    request_body = ReceiveInput,
    responses((status = 200, body = Vec<CustomerOrders>), (status = 409, body = Problem)))]
pub async fn receive(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
    ApiJson(input): ApiJson<ReceiveInput>,
) -> ApiResult<Vec<CustomerOrders>> {
    let received: Vec<(String, String)> = input.received.into_iter().collect();
    Ok(Json(
        service::receive(&state, &ctx, id::<Uuid>(&raw)?, &received).await?,
    ))
}
