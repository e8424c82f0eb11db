//! `/api/v1/customers`, `/api/v1/customer-types`, `/api/v1/customer-fields`: the customer
//! file (search, create, update, notes, privacy, duplicates) and its types and custom fields.

use super::extract::{ApiJson, ApiQuery, ApiResult, PageQuery, id, page_schema, paged};
use crate::auth::ApiCtx;
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use guichet_app::customers::CustomerFile;
use guichet_app::customers::CustomerType;
use guichet_app::customers::{Customer, Listed};
use guichet_domain::CustomerId;
use guichet_domain::customer::{CustomerInput, CustomerTypeInput};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(search_customers, create_customer))
        .routes(routes!(get_customer, update_customer))
        .routes(routes!(list_customer_types, create_customer_type))
        .routes(routes!(update_customer_type))
        .routes(routes!(customer_data))
        .routes(routes!(erase_customer))
        .routes(routes!(customer_duplicates))
        .routes(routes!(merge_customer))
        .routes(routes!(add_customer_note))
        .routes(routes!(list_customer_fields, create_customer_field))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CustomerQuery {
    /// Words to find in names, company, e-mail, phone or tags (accents and case ignored).
    #[serde(default)]
    q: String,
    /// `customer` or `prospect`; all when empty.
    #[serde(default)]
    status: String,
    /// The page after this cursor (`next` of the previous page).
    #[serde(default)]
    after: Option<String>,
    /// Customers per page, 1 to 1000 (default 100).
    #[serde(default)]
    limit: Option<u32>,
}

page_schema!(CustomerPage, Listed);

/// Customers, newest first, a page at a time, with their last booking and revenue; the
/// register searches them as the cashier types.
#[utoipa::path(get, path = "/api/v1/customers", tag = "customers", params(CustomerQuery),
    responses((status = 200, body = CustomerPage), (status = 400, body = Problem), (status = 422, body = Problem)))]
pub async fn search_customers(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiQuery(q): ApiQuery<CustomerQuery>,
) -> ApiResult<CustomerPage> {
    let query = guichet_app::customers::CustomerListQuery {
        status: q.status,
        q: q.q,
        after: q.after,
        limit: q.limit,
    };
    Ok(Json(
        guichet_app::customers::search(&state, &ctx, &query)
            .await?
            .into(),
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

page_schema!(CustomerTypePage, CustomerType);
page_schema!(DuplicatePage, guichet_app::customers::Duplicate);
page_schema!(CustomerFieldPage, guichet_app::customers::CustomerField);

/// The organization's customer types, in creation order, a page at a time.
#[utoipa::path(get, path = "/api/v1/customer-types", tag = "customers", params(PageQuery),
    responses((status = 200, body = CustomerTypePage), (status = 400, body = Problem), (status = 422, body = Problem)))]
pub async fn list_customer_types(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> ApiResult<CustomerTypePage> {
    let rows = guichet_app::customers::types(&state, &ctx).await?;
    paged(rows, |t| t.id.0, &page)
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
/// a score, best first, a page at a time.
#[utoipa::path(get, path = "/api/v1/customers/duplicates", tag = "customers", params(PageQuery),
    responses((status = 200, body = DuplicatePage), (status = 403, body = Problem), (status = 400, body = Problem), (status = 422, body = Problem)))]
pub async fn customer_duplicates(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> ApiResult<DuplicatePage> {
    let found =
        guichet_app::customers::duplicates_page(&state, &ctx, page.after.as_deref(), page.limit)
            .await?;
    Ok(Json(found.into()))
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

/// The fields the organization added to its customer file, in creation order, a page at a
/// time.
#[utoipa::path(get, path = "/api/v1/customer-fields", tag = "customers", params(PageQuery),
    responses((status = 200, body = CustomerFieldPage), (status = 400, body = Problem), (status = 422, body = Problem)))]
pub async fn list_customer_fields(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> ApiResult<CustomerFieldPage> {
    let rows = guichet_app::customers::fields(&state, &ctx).await?;
    paged(rows, |f| f.id, &page)
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
