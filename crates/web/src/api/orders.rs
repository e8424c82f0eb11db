//! Selling through the API: create an order (or quote) with lines and payments, pay, confirm a
//! quote, cancel; the orders and payments lists.

use super::extract::{ApiJson, ApiQuery, ApiResult, id, page_schema};
use crate::auth::ApiCtx;
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use guichet_app::orders::{self, CancelInput, OrderInput, PayInput, Preview};
use guichet_app::orders::{Order, OrderSummary, PaymentLine};
use guichet_domain::OrderId;
use guichet_domain::order::PaymentMethod;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create, list))
        .routes(routes!(preview))
        .routes(routes!(get))
        .routes(routes!(pay))
        .routes(routes!(confirm))
        .routes(routes!(cancel))
        .routes(routes!(resend_confirmation))
        .routes(routes!(payments))
        .routes(routes!(export))
        .routes(routes!(totals))
        .routes(routes!(payment_methods, set_payment_methods))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// First day, YYYY-MM-DD.
    from: String,
    /// Last day, YYYY-MM-DD (at most 366 days after `from`).
    to: String,
    /// `visit` to filter on the visit date instead of the creation date.
    #[serde(default)]
    by: Option<String>,
    /// The page after this cursor (`next` of the previous page).
    #[serde(default)]
    after: Option<String>,
    /// Orders per page, 1 to 1000 (default 100).
    #[serde(default)]
    limit: Option<u32>,
}

/// The search's criteria besides the period; each is left out when empty.
#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct Criteria {
    /// The start of an order or quote number (`P2103160698`, `P210316`); when given, the
    /// period is not applied.
    number: String,
    /// Words of the customer's names, e-mail or phone (accents and case ignored).
    customer: String,
    /// An offer's id.
    offer: String,
    /// A ticket type's, an extra's or a product's id.
    item: String,
    /// `registers`, `online`, `other`, `register:{id}` or `module:{id}`.
    channel: String,
    /// `quote`, `awaiting_payment`, `confirmed` or `cancelled`; or `live` for the orders that
    /// count (awaiting payment or confirmed).
    state: String,
    /// `yes`: only the orders that were first a quote (a `D…` number).
    quoted: String,
    /// `paid`, `unpaid`, `partly_paid` or `over_collected`.
    payment: String,
    /// The seller's user id.
    seller: String,
}

impl Criteria {
    fn search(self, from: String, to: String, by: Option<&str>) -> orders::OrderSearch {
        orders::OrderSearch {
            from,
            to,
            by_visit: by == Some("visit"),
            criteria: orders::SearchCriteria {
                number: self.number,
                customer: self.customer,
                offer: self.offer,
                item: self.item,
                channel: self.channel,
                state: self.state,
                quoted: self.quoted,
                payment: self.payment,
                seller: self.seller,
            },
        }
    }
}

page_schema!(OrderPage, OrderSummary);

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// First day, YYYY-MM-DD.
    from: String,
    /// Last day, YYYY-MM-DD (at most 366 days after `from`).
    to: String,
    /// `visit` to filter on the visit date instead of the creation date.
    #[serde(default)]
    by: Option<String>,
}

/// The totals of everything a search finds (the list's pages show a part of it): how many
/// orders and quotes, and the total, collected, left to collect and over-collected amounts of
/// the orders that count (awaiting payment or confirmed).
#[utoipa::path(get, path = "/api/v1/orders/totals", tag = "orders", params(PeriodQuery, Criteria),
    responses((status = 200, body = orders::SearchTotals), (status = 422, body = Problem)))]
pub async fn totals(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiQuery(q): ApiQuery<PeriodQuery>,
    ApiQuery(criteria): ApiQuery<Criteria>,
) -> ApiResult<orders::SearchTotals> {
    let search = criteria.search(q.from, q.to, q.by.as_deref());
    Ok(Json(orders::search::totals(&state, &ctx, &search).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PaymentsQuery {
    /// First day, YYYY-MM-DD.
    from: String,
    /// Last day, YYYY-MM-DD (at most 366 days after `from`).
    to: String,
    /// The page after this cursor (`next` of the previous page).
    #[serde(default)]
    after: Option<String>,
    /// Payment lines per page, 1 to 1000 (default 100).
    #[serde(default)]
    limit: Option<u32>,
}

page_schema!(PaymentLinePage, PaymentLine);

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

#[utoipa::path(get, path = "/api/v1/orders", tag = "orders", params(ListQuery, Criteria),
    responses((status = 200, body = OrderPage), (status = 400, body = Problem), (status = 422, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiQuery(q): ApiQuery<ListQuery>,
    ApiQuery(criteria): ApiQuery<Criteria>,
) -> ApiResult<OrderPage> {
    let query = orders::OrderListQuery {
        search: criteria.search(q.from, q.to, q.by.as_deref()),
        after: q.after,
        limit: q.limit,
    };
    Ok(Json(orders::list(&state, &ctx, &query).await?.into()))
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
        guichet_app::stripe::cancel(&state, &ctx, id::<OrderId>(&raw)?, &input).await?,
    ))
}

/// Sends an online booking's confirmation e-mail again (tickets, calendar file, the
/// visitor's page), to the buyer's address as the customer file has it now, in the
/// visitor's language. 409 `not_booked_online` for other orders, `no_email` when the buyer
/// has no address.
#[utoipa::path(post, path = "/api/v1/orders/{id}/confirmation-email", tag = "orders", params(("id" = String, Path)),
    responses((status = 202), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn resend_confirmation(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(raw): Path<String>,
) -> Result<StatusCode, ApiError> {
    guichet_app::booking::resend_confirmation(&state, &ctx, id::<OrderId>(&raw)?).await?;
    Ok(StatusCode::ACCEPTED)
}

/// Payments taken between two days, one row per order line they paid (`P2103160760_1`),
/// newest first, a page at a time.
#[utoipa::path(get, path = "/api/v1/payments", tag = "orders", params(PaymentsQuery),
    responses((status = 200, body = PaymentLinePage), (status = 400, body = Problem), (status = 422, body = Problem)))]
pub async fn payments(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiQuery(q): ApiQuery<PaymentsQuery>,
) -> ApiResult<PaymentLinePage> {
    let query = orders::PaymentListQuery {
        from: q.from,
        to: q.to,
        after: q.after,
        limit: q.limit,
    };
    Ok(Json(
        orders::list_payments(&state, &ctx, &query).await?.into(),
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
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// First day, YYYY-MM-DD.
    from: String,
    /// Last day, YYYY-MM-DD.
    to: String,
    /// `visit` for the orders visiting in the period instead of those created in it.
    #[serde(default)]
    by: Option<String>,
    /// `lines`: one row per order line; `orders` (default): one row per order, with the three
    /// computed columns.
    #[serde(default)]
    detail: Option<String>,
    /// `1` leaves out first name, name, e-mail, phone and contact id.
    #[serde(default)]
    privacy: Option<String>,
    /// `csv` (default: `;`, UTF-8 with BOM, decimal comma) or `xlsx`.
    #[serde(default)]
    format: Option<String>,
}

/// The attendance export of the orders of a period: the seeds' 27 columns (and, one row per
/// order, Jours avant venue, Encaissé vs Total, Montant encaissé net), headers in the
/// caller's language, streamed with no row limit. `X-Guichet-Columns` names the column set
/// (`attendance-1`): the columns change only with its version.
#[utoipa::path(get, path = "/api/v1/orders/export", tag = "orders", params(ExportQuery, Criteria),
    responses((status = 200, description = "The file (text/csv or XLSX), header X-Guichet-Columns: attendance-1", content_type = "text/csv"),
        (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn export(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    ApiQuery(q): ApiQuery<ExportQuery>,
    ApiQuery(criteria): ApiQuery<Criteria>,
) -> Result<axum::response::Response, ApiError> {
    use guichet_app::orders::attendance::{self, AttendanceQuery, COLUMNS_VERSION};
    let name = format!("orders-{}-{}", q.from, q.to);
    let query = AttendanceQuery {
        search: criteria.search(q.from, q.to, q.by.as_deref()),
        detailed: q.detail.as_deref() == Some("lines"),
        privacy: q.privacy.as_deref() == Some("1"),
    };
    let mut r = if q.format.as_deref() == Some("xlsx") {
        let file = attendance::export_xlsx(&state, &ctx, &query).await?;
        crate::download::file_attachment(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            &format!("{name}.xlsx"),
            file,
        )
    } else {
        let stream = attendance::export_csv(&state, &ctx, &query).await?;
        crate::download::stream_attachment(
            "text/csv; charset=utf-8",
            &format!("{name}.csv"),
            stream,
        )
    };
    if let Ok(v) = axum::http::HeaderValue::from_str(&format!("attendance-{COLUMNS_VERSION}")) {
        r.headers_mut().insert("x-guichet-columns", v);
    }
    Ok(r)
}
