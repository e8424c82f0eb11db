//! Selling through the API: create an order (or quote) with lines and payments, pay, confirm a
//! quote, cancel; the orders and payments lists.

use super::{ApiJson, ApiResult, id};
use crate::AppState;
use crate::auth::ApiCtx;
use crate::error::{ApiError, Problem};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use guichet_app::customers::CustomerFile;
use guichet_app::customers::CustomerType;
use guichet_app::customers::{Customer, Listed};
use guichet_app::orders::{self, CancelInput, OrderInput, PayInput, Preview};
use guichet_app::orders::{Order, OrderSummary, PaymentLine};
use guichet_domain::customer::{CustomerInput, CustomerTypeInput};
use guichet_domain::order::PaymentMethod;
use guichet_domain::{CustomerId, OrderId};
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Deserialize, IntoParams)]
pub struct ListQuery {
    /// First day, YYYY-MM-DD.
    from: String,
    /// Last day, YYYY-MM-DD (at most 366 days after `from`).
    to: String,
    /// `visit` to filter on the visit date instead of the creation date.
    #[serde(default)]
    by: Option<String>,
}

#[derive(Deserialize, IntoParams)]
pub struct RangeQuery {
    from: String,
    to: String,
}

/// Creates an order from a cart, priced from the catalogue, with its payments (none: pay
/// later; less than the total: a deposit), or a quote. Send an `Idempotency-Key` header: the
/// same key again returns the first order instead of selling twice.
#[utoipa::path(post, path = "/api/v1/orders", tag = "orders", request_body = OrderInput,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = Order), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    headers: HeaderMap,
    ApiJson(input): ApiJson<OrderInput>,
) -> Result<(StatusCode, Json<Order>), ApiError> {
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty());
    Ok((
        StatusCode::CREATED,
        Json(orders::create(&state, &ctx, &input, key).await?),
    ))
}

/// Prices a cart without recording it: lines, VAT per rate, totals, change and what is left
/// due. The same checks as creating the order, except places and stock (taken at creation).
#[utoipa::path(post, path = "/api/v1/orders/preview", tag = "orders", request_body = OrderInput,
    responses((status = 200, body = Preview), (status = 422, body = Problem)))]
pub async fn preview(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(input): ApiJson<OrderInput>,
) -> ApiResult<Preview> {
    Ok(Json(orders::preview(&state, &ctx, &input).await?))
}

#[utoipa::path(get, path = "/api/v1/orders", tag = "orders", params(ListQuery),
    responses((status = 200, body = [OrderSummary]), (status = 422, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Query(q): Query<ListQuery>,
) -> ApiResult<Vec<OrderSummary>> {
    let by_visit = q.by.as_deref() == Some("visit");
    Ok(Json(
        orders::list(&state, &ctx, &q.from, &q.to, by_visit).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/orders/{id}", tag = "orders", params(("id" = String, Path)),
    responses((status = 200, body = Order), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
) -> ApiResult<Order> {
    Ok(Json(orders::get(&state, &ctx, id::<OrderId>(&raw)?).await?))
}

/// Takes payments on an order: the balance after a deposit, or a "pay later" order.
#[utoipa::path(post, path = "/api/v1/orders/{id}/payments", tag = "orders", params(("id" = String, Path)), request_body = PayInput,
    responses((status = 200, body = Order), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn pay(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
    ApiJson(input): ApiJson<PayInput>,
) -> ApiResult<Order> {
    Ok(Json(
        orders::pay(&state, &ctx, id::<OrderId>(&raw)?, &input).await?,
    ))
}

/// Turns a quote into an order (places and stock are taken now), with optional payments.
#[utoipa::path(post, path = "/api/v1/orders/{id}/confirm", tag = "orders", params(("id" = String, Path)), request_body = PayInput,
    responses((status = 200, body = Order), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn confirm(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
    ApiJson(input): ApiJson<PayInput>,
) -> ApiResult<Order> {
    Ok(Json(
        orders::confirm_quote(&state, &ctx, id::<OrderId>(&raw)?, &input).await?,
    ))
}

/// Cancels an order (managers and admins): the reason is required; places and stock come
/// back; an optional refund is recorded as a negative payment.
#[utoipa::path(post, path = "/api/v1/orders/{id}/cancel", tag = "orders", params(("id" = String, Path)), request_body = CancelInput,
    responses((status = 200, body = Order), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn cancel(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
    ApiJson(input): ApiJson<CancelInput>,
) -> ApiResult<Order> {
    Ok(Json(
        orders::cancel(&state, &ctx, id::<OrderId>(&raw)?, &input).await?,
    ))
}

/// Payments taken between two days, one row per order line they paid (`P2103160760_1`).
#[utoipa::path(get, path = "/api/v1/payments", tag = "orders", params(RangeQuery),
    responses((status = 200, body = [PaymentLine]), (status = 422, body = Problem)))]
pub async fn payments(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Query(q): Query<RangeQuery>,
) -> ApiResult<Vec<PaymentLine>> {
    Ok(Json(
        orders::payment_lines(&state, &ctx, &q.from, &q.to).await?,
    ))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct MethodSetting {
    pub method: PaymentMethod,
    pub enabled: bool,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct MethodsInput {
    /// The methods offered; every other one is switched off. At least one.
    pub enabled: Vec<String>,
}

/// Every payment method and whether the organization offers it.
#[utoipa::path(get, path = "/api/v1/payment-methods", tag = "orders",
    responses((status = 200, body = [MethodSetting])))]
pub async fn payment_methods(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
) -> ApiResult<Vec<MethodSetting>> {
    let on = orders::enabled_methods(&state, &ctx).await?;
    Ok(Json(
        PaymentMethod::ALL
            .iter()
            .map(|m| MethodSetting {
                method: *m,
                enabled: on.contains(m),
            })
            .collect(),
    ))
}

/// Chooses the payment methods the organization offers (admins).
#[utoipa::path(put, path = "/api/v1/payment-methods", tag = "orders", request_body = MethodsInput,
    responses((status = 200, body = [MethodSetting]), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn set_payment_methods(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(input): ApiJson<MethodsInput>,
) -> ApiResult<Vec<MethodSetting>> {
    let on: Vec<&str> = input.enabled.iter().map(String::as_str).collect();
    orders::set_methods(&state, &ctx, &on).await?;
    payment_methods(State(state), ApiCtx(ctx)).await
}

#[derive(Deserialize, IntoParams)]
pub struct CustomerQuery {
    /// Words to find in names, company, e-mail, phone or tags (accents and case ignored).
    #[serde(default)]
    q: String,
    /// `customer` or `prospect`; all when empty.
    #[serde(default)]
    status: String,
    /// Skip this many (pages of 50).
    #[serde(default)]
    offset: i64,
}

/// Customers, newest first, 50 at a time, with their last booking and revenue; the register
/// searches them as the cashier types.
#[utoipa::path(get, path = "/api/v1/customers", tag = "customers", params(CustomerQuery),
    responses((status = 200, body = [Listed]), (status = 422, body = Problem)))]
pub async fn search_customers(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Query(q): Query<CustomerQuery>,
) -> ApiResult<Vec<Listed>> {
    Ok(Json(
        guichet_app::customers::list(&state, &ctx, &q.status, &q.q, q.offset).await?,
    ))
}

/// A customer's file: details, orders, revenue and spending this month, last month, this year
/// and last year.
#[utoipa::path(get, path = "/api/v1/customers/{id}", tag = "customers", params(("id" = String, Path)),
    responses((status = 200, body = CustomerFile), (status = 404, body = Problem)))]
pub async fn get_customer(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
) -> ApiResult<CustomerFile> {
    Ok(Json(
        guichet_app::customers::file(&state, &ctx, id::<CustomerId>(&raw)?).await?,
    ))
}

/// Replaces a customer's details (the same fields as creating one).
#[utoipa::path(put, path = "/api/v1/customers/{id}", tag = "customers", params(("id" = String, Path)),
    request_body = CustomerInput,
    responses((status = 200, body = Customer), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_customer(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
    ApiJson(input): ApiJson<CustomerInput>,
) -> ApiResult<Customer> {
    Ok(Json(
        guichet_app::customers::update(&state, &ctx, id::<CustomerId>(&raw)?, &input).await?,
    ))
}

/// Creates a customer (a name is required; the phone is stored in international form; the
/// province comes from the postal code for Belgium and France).
#[utoipa::path(post, path = "/api/v1/customers", tag = "customers", request_body = CustomerInput,
    responses((status = 201, body = Customer), (status = 422, body = Problem)))]
pub async fn create_customer(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(input): ApiJson<CustomerInput>,
) -> Result<(StatusCode, Json<Customer>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(guichet_app::customers::create(&state, &ctx, &input).await?),
    ))
}

/// The organization's customer types.
#[utoipa::path(get, path = "/api/v1/customer-types", tag = "customers",
    responses((status = 200, body = [CustomerType])))]
pub async fn list_customer_types(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
) -> ApiResult<Vec<CustomerType>> {
    Ok(Json(guichet_app::customers::types(&state, &ctx).await?))
}

/// Creates a customer type: a discount and a tax treatment (`standard`, `exempt`, or `rate`
/// with `tax_rate_percent`) that sales apply to its customers (managers and admins).
#[utoipa::path(post, path = "/api/v1/customer-types", tag = "customers", request_body = CustomerTypeInput,
    responses((status = 201, body = CustomerType), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_customer_type(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(input): ApiJson<CustomerTypeInput>,
) -> Result<(StatusCode, Json<CustomerType>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(guichet_app::customers::save_type(&state, &ctx, None, &input).await?),
    ))
}

#[utoipa::path(put, path = "/api/v1/customer-types/{id}", tag = "customers", params(("id" = String, Path)),
    request_body = CustomerTypeInput,
    responses((status = 200, body = CustomerType), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_customer_type(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
    ApiJson(input): ApiJson<CustomerTypeInput>,
) -> ApiResult<CustomerType> {
    let id = id::<guichet_domain::CustomerTypeId>(&raw)?;
    Ok(Json(
        guichet_app::customers::save_type(&state, &ctx, Some(id), &input).await?,
    ))
}

/// Everything kept about one customer (their access request): the file and their orders.
#[utoipa::path(get, path = "/api/v1/customers/{id}/data", tag = "customers", params(("id" = String, Path)),
    responses((status = 200, body = CustomerFile), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn customer_data(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
) -> ApiResult<CustomerFile> {
    Ok(Json(
        guichet_app::customers::data_of(&state, &ctx, id::<CustomerId>(&raw)?).await?,
    ))
}

/// Erases a customer on request: personal data removed, orders and accounting kept, the sales
/// journal still verifies. `409 already_erased` the second time.
#[utoipa::path(post, path = "/api/v1/customers/{id}/erase", tag = "customers", params(("id" = String, Path)),
    responses((status = 200, body = Customer), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn erase_customer(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
) -> ApiResult<Customer> {
    Ok(Json(
        guichet_app::customers::erase(&state, &ctx, id::<CustomerId>(&raw)?).await?,
    ))
}

/// Likely duplicates: same e-mail, same phone, or similar names in the same postal code, with
/// a score, best first (at most 200).
#[utoipa::path(get, path = "/api/v1/customers/duplicates", tag = "customers",
    responses((status = 200, body = [guichet_app::customers::Duplicate]), (status = 403, body = Problem)))]
pub async fn customer_duplicates(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
) -> ApiResult<Vec<guichet_app::customers::Duplicate>> {
    Ok(Json(
        guichet_app::customers::duplicates(&state, &ctx).await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct MergeInput {
    /// The duplicate to fold into this customer (it is removed).
    absorbed_id: String,
}

/// Merges a duplicate into this customer: its orders move over, missing details, tags and
/// consents are taken from it, and the merge is logged.
#[utoipa::path(post, path = "/api/v1/customers/{id}/merge", tag = "customers", params(("id" = String, Path)),
    request_body = MergeInput,
    responses((status = 200, body = Customer), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn merge_customer(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
    ApiJson(input): ApiJson<MergeInput>,
) -> ApiResult<Customer> {
    Ok(Json(
        guichet_app::customers::merge(&state, &ctx, id::<CustomerId>(&raw)?, &input.absorbed_id)
            .await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct NoteInput {
    note: String,
}

/// Adds a comment to the customer's notes (as the cashier does during a sale).
#[utoipa::path(post, path = "/api/v1/customers/{id}/notes", tag = "customers", params(("id" = String, Path)),
    request_body = NoteInput,
    responses((status = 200, body = Customer), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn add_customer_note(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
    ApiJson(input): ApiJson<NoteInput>,
) -> ApiResult<Customer> {
    Ok(Json(
        guichet_app::customers::add_note(&state, &ctx, id::<CustomerId>(&raw)?, &input.note)
            .await?,
    ))
}

/// The fields the organization added to its customer file.
#[utoipa::path(get, path = "/api/v1/customer-fields", tag = "customers",
    responses((status = 200, body = [guichet_app::customers::CustomerField])))]
pub async fn list_customer_fields(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
) -> ApiResult<Vec<guichet_app::customers::CustomerField>> {
    Ok(Json(guichet_app::customers::fields(&state, &ctx).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct FieldInput {
    name: String,
    /// `text`, `number`, `date` or `yes_no`.
    kind: String,
}

/// Adds a field to the customer file (managers and admins); customers then carry its value in
/// `custom` (field id → value), checked against its kind.
#[utoipa::path(post, path = "/api/v1/customer-fields", tag = "customers", request_body = FieldInput,
    responses((status = 201, body = guichet_app::customers::CustomerField), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_customer_field(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiJson(input): ApiJson<FieldInput>,
) -> Result<(StatusCode, Json<guichet_app::customers::CustomerField>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(guichet_app::customers::add_field(&state, &ctx, &input.name, &input.kind).await?),
    ))
}
