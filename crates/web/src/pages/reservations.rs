//! Reservations and special orders (seed 004): reserving from the customer's page, the
//! customer orders page (Marketing › Customer orders: open reservations per customer, one
//! message for all their ready items, by e-mail or SMS, the message template, archiving),
//! the order list and supplier orders (Activity › Shop: printed, exported, e-mailed,
//! received — receiving lists the customers to notify).

use super::support::{Flash, OrPage, done, form_errors, parse_id};
use crate::auth::{Ctx, PageCtx};
use crate::error::PageError;
use crate::state::AppState;
use crate::view::{Nav, Tr, render_status};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use guichet_app::reservations::{
    self as service, ArchiveInput, CustomerOrders, DepositInput, ReservationInput,
    SupplierLineInput, SupplierOrderInput,
};
use guichet_app::reservations::{SupplierOrder, ToOrder};
use guichet_domain::{CustomerId, FieldErrors, Permission};
use uuid::Uuid;

/// The routes of these pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/marketing/customers/{id}/reservations", post(reserve))
        .route(
            "/marketing/customers/{id}/reservations/{reservation}/deposit",
            post(deposit),
        )
        .route("/marketing/customer-orders", get(customer_orders))
        .route("/marketing/customer-orders/template", post(save_template))
        .route("/marketing/customer-orders/{id}/notified", post(notified))
        .route("/marketing/customer-orders/{id}/email", post(send_email))
        .route(
            "/marketing/customer-orders/reservations/{id}/archive",
            post(archive),
        )
        .route("/activity/shop/order-list", get(order_list))
        .route(
            "/activity/shop/supplier-orders",
            post(create_supplier_order),
        )
        .route("/activity/shop/supplier-orders/{id}", get(supplier_order))
        .route(
            "/activity/shop/supplier-orders/{id}/csv",
            get(supplier_order_csv),
        )
        .route("/activity/shop/supplier-orders/{id}/sent", post(mark_sent))
        .route("/activity/shop/supplier-orders/{id}/receive", post(receive))
}

const ORDERS: &str = "/marketing/customer-orders";
const ORDER_LIST: &str = "/activity/shop/order-list";
const SUPPLIER: &str = "/activity/shop/supplier-orders";

fn status_of(errors: &FieldErrors) -> StatusCode {
    if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

/// From the customer's page: `product` (barcode, reference or name), `quantity`, `note`.
pub async fn reserve(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<String>,
    axum::Form(mut form): axum::Form<ReservationInput>,
) -> Result<Response, PageError> {
    let id: CustomerId = parse_id(&id, &ctx)?;
    form.customer_id = id.to_string();
    let to = format!("/marketing/customers/{id}");
    match service::reserve(&state, &ctx, &form).await {
        Ok(r) if r.state == guichet_domain::reservation::ReservationState::SetAside => {
            Ok(done(&to, "reservation-set-aside"))
        }
        Ok(_) => Ok(done(&to, "reservation-on-order-list")),
        Err(e) => {
            let errors = form_errors(e, &ctx)?;
            super::customers::page_with_reservation_errors(&state, &ctx, id, errors).await
        }
    }
}

/// From the customer's page: a deposit on one of their reservations (`amount`, `method`,
/// `register_id`). Errors show on that reservation's row.
pub async fn deposit(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path((customer, id)): Path<(String, String)>,
    axum::Form(form): axum::Form<DepositInput>,
) -> Result<Response, PageError> {
    let customer: CustomerId = parse_id(&customer, &ctx)?;
    let id: Uuid = parse_id(&id, &ctx)?;
    match service::take_deposit(&state, &ctx, id, &form).await {
        Ok(_) => Ok(done(
            &format!("/marketing/customers/{customer}"),
            "reservation-deposit",
        )),
        Err(e) => {
            let mut errors = FieldErrors::new();
            if let Some(first) = form_errors(e, &ctx)?.0.first() {
                errors.add(&format!("deposit.{id}"), &first.code);
            }
            super::customers::page_with_reservation_errors(&state, &ctx, customer, errors).await
        }
    }
}

#[derive(Template)]
#[template(path = "customer_orders.html")]
struct OrdersPage {
    tr: Tr,
    nav: Nav,
    tz: String,
    groups: Vec<CustomerOrders>,
    subject: String,
    body: String,
    errors: FieldErrors,
    can_edit_template: bool,
    /// An SMTP server is configured: e-mails can be sent from here.
    can_send: bool,
    /// E-mails queued and not sent yet.
    pending_emails: i64,
    /// How each unused deposit can be given back when its reservation is archived (store
    /// credit first, then the methods that paid it), for those who may cancel its order.
    refund_methods: std::collections::HashMap<Uuid, Vec<guichet_domain::order::PaymentMethod>>,
}

impl OrdersPage {
    fn state(&self, s: &guichet_domain::reservation::ReservationState) -> String {
        super::customers::state_label(&self.tr, *s)
    }
    /// The ways reservation `id`'s deposit can be given back (none: a manager must archive it).
    fn refund_methods_of(&self, id: &Uuid) -> &[guichet_domain::order::PaymentMethod] {
        self.refund_methods.get(id).map_or(&[], Vec::as_slice)
    }
    fn is_old(&self, created_at: &i64) -> bool {
        guichet_domain::reservation::is_old(*created_at, jiff::Timestamp::now().as_microsecond())
    }
}

async fn orders_page(
    state: &AppState,
    ctx: &Ctx,
    flash: Option<&str>,
    errors: FieldErrors,
    template: Option<(String, String)>,
) -> Result<Response, PageError> {
    let groups = service::customer_orders(state, ctx).await.or_page(ctx)?;
    let (subject, body) = match template {
        Some(t) => t,
        None => service::template(state, ctx).await.or_page(ctx)?,
    };
    let tz = guichet_app::organization::time_zone(state, ctx.tenant)
        .await
        .or_page(ctx)?;
    let mut refund_methods = std::collections::HashMap::new();
    if ctx.can(Permission::CancelOrder) {
        for r in groups.iter().flat_map(|g| &g.reservations) {
            let methods = service::deposit_refund_methods(state, ctx, r)
                .await
                .or_page(ctx)?;
            refund_methods.insert(r.id, methods);
        }
    }
    Ok(render_status(
        status_of(&errors),
        &OrdersPage {
            tr: Tr(ctx.lang),
            nav: Nav::new(ctx, ORDERS, flash),
            tz,
            groups,
            subject,
            body,
            errors,
            can_edit_template: ctx.can(Permission::ManageCustomers),
            can_send: state.config.mail.is_some(),
            pending_emails: guichet_app::reservations::pending_emails(state, ctx)
                .await
                .or_page(ctx)?,
            refund_methods,
        },
    ))
}

pub async fn customer_orders(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(flash): Query<Flash>,
) -> Result<Response, PageError> {
    orders_page(&state, &ctx, flash.key(), FieldErrors::new(), None).await
}

/// Archives a reservation; with an unused deposit, `refund_method` says how it is given back.
pub async fn archive(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<ArchiveInput>,
) -> Result<Response, PageError> {
    let id: Uuid = parse_id(&id, &ctx)?;
    match service::archive(&state, &ctx, id, &form).await {
        Ok(_) => Ok(done(ORDERS, "reservation-archived")),
        Err(e) => {
            let errors = form_errors(e, &ctx)?;
            orders_page(&state, &ctx, None, errors, None).await
        }
    }
}

pub async fn send_email(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id: CustomerId = parse_id(&id, &ctx)?;
    match service::send_ready_email(&state, &ctx, id).await {
        Ok(()) => Ok(done(ORDERS, "reservation-emailed")),
        Err(e) => {
            let errors = form_errors(e, &ctx)?;
            orders_page(&state, &ctx, None, errors, None).await
        }
    }
}

pub async fn notified(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id: CustomerId = parse_id(&id, &ctx)?;
    service::mark_notified(&state, &ctx, id)
        .await
        .or_page(&ctx)?;
    Ok(done(ORDERS, "reservation-notified"))
}

#[derive(serde::Deserialize)]
pub struct TemplateForm {
    #[serde(default)]
    subject: String,
    #[serde(default)]
    body: String,
}

pub async fn save_template(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    axum::Form(form): axum::Form<TemplateForm>,
) -> Result<Response, PageError> {
    match service::set_template(&state, &ctx, &form.subject, &form.body).await {
        Ok(()) => Ok(done(ORDERS, "template-saved")),
        Err(e) => {
            let errors = form_errors(e, &ctx)?;
            orders_page(&state, &ctx, None, errors, Some((form.subject, form.body))).await
        }
    }
}

// ---------------------------------------------------------------- order list and supplier orders

#[derive(Template)]
#[template(path = "order_list.html")]
struct OrderListPage {
    tr: Tr,
    nav: Nav,
    tz: String,
    items: Vec<ToOrder>,
    orders: Vec<SupplierOrder>,
    errors: FieldErrors,
    supplier: String,
    supplier_email: String,
}

async fn order_list_page(
    state: &AppState,
    ctx: &Ctx,
    flash: Option<&str>,
    errors: FieldErrors,
    form: Option<&SupplierOrderInput>,
) -> Result<Response, PageError> {
    let items = service::order_list(state, ctx).await.or_page(ctx)?;
    let orders = service::supplier_orders(state, ctx).await.or_page(ctx)?;
    let tz = guichet_app::organization::time_zone(state, ctx.tenant)
        .await
        .or_page(ctx)?;
    Ok(render_status(
        status_of(&errors),
        &OrderListPage {
            tr: Tr(ctx.lang),
            nav: Nav::new(ctx, ORDER_LIST, flash),
            tz,
            items,
            orders,
            errors,
            supplier: form.map(|f| f.supplier.clone()).unwrap_or_default(),
            supplier_email: form.map(|f| f.supplier_email.clone()).unwrap_or_default(),
        },
    ))
}

pub async fn order_list(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(flash): Query<Flash>,
) -> Result<Response, PageError> {
    order_list_page(&state, &ctx, flash.key(), FieldErrors::new(), None).await
}

/// The order list's form: `supplier`, `supplier_email`, `note`, then `product` and
/// `quantity` once per line (a line with quantity 0 is left out).
pub async fn create_supplier_order(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    axum_extra::extract::Form(pairs): axum_extra::extract::Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let value = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map_or(String::new(), |(_, v)| v.clone())
    };
    let all = |k: &str| -> Vec<String> {
        pairs
            .iter()
            .filter(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .collect()
    };
    let input = SupplierOrderInput {
        supplier: value("supplier"),
        supplier_email: value("supplier_email"),
        note: value("note"),
        lines: all("product")
            .into_iter()
            .zip(all("quantity"))
            .map(|(product_id, quantity)| SupplierLineInput {
                product_id,
                quantity,
            })
            .collect(),
    };
    match service::create_supplier_order(&state, &ctx, &input).await {
        Ok(o) => Ok(done(
            &format!("{SUPPLIER}/{}", o.id),
            "supplier-order-created",
        )),
        Err(e) => {
            let errors = form_errors(e, &ctx)?;
            order_list_page(&state, &ctx, None, errors, Some(&input)).await
        }
    }
}

#[derive(Template)]
#[template(path = "supplier_order.html")]
struct SupplierOrderPage {
    tr: Tr,
    nav: Nav,
    tz: String,
    order: SupplierOrder,
    message_subject: String,
    message_body: String,
    mailto: Option<String>,
    /// After receiving: the customers whose items arrived.
    arrived: Vec<CustomerOrders>,
    errors: FieldErrors,
}

async fn supplier_page(
    state: &AppState,
    ctx: &Ctx,
    id: Uuid,
    flash: Option<&str>,
    arrived: Vec<CustomerOrders>,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let order = service::supplier_order(state, ctx, id).await.or_page(ctx)?;
    let org = guichet_app::organization::organization_name(state, ctx.tenant)
        .await
        .or_page(ctx)?;
    let tr = Tr(ctx.lang);
    let (message_subject, message_body, mailto) = service::supplier_message(&tr, &org, &order);
    let tz = guichet_app::organization::time_zone(state, ctx.tenant)
        .await
        .or_page(ctx)?;
    Ok(render_status(
        status_of(&errors),
        &SupplierOrderPage {
            tr,
            nav: Nav::new(ctx, ORDER_LIST, flash),
            tz,
            order,
            message_subject,
            message_body,
            mailto,
            arrived,
            errors,
        },
    ))
}

pub async fn supplier_order(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<String>,
    Query(flash): Query<Flash>,
) -> Result<Response, PageError> {
    let id: Uuid = parse_id(&id, &ctx)?;
    supplier_page(
        &state,
        &ctx,
        id,
        flash.key(),
        Vec::new(),
        FieldErrors::new(),
    )
    .await
}

/// The order as CSV (`;`, BOM): reference, barcode, product, quantity.
pub async fn supplier_order_csv(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id: Uuid = parse_id(&id, &ctx)?;
    let file = service::supplier_order_file(&state, &ctx, id)
        .await
        .or_page(&ctx)?;
    Ok(crate::download::file(file))
}

pub async fn mark_sent(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id: Uuid = parse_id(&id, &ctx)?;
    service::mark_sent(&state, &ctx, id).await.or_page(&ctx)?;
    Ok(done(&format!("{SUPPLIER}/{id}"), "supplier-order-sent"))
}

/// The receiving form: `received.<line id>` = quantity, for each line.
pub async fn receive(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<String>,
    axum_extra::extract::Form(pairs): axum_extra::extract::Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id: Uuid = parse_id(&id, &ctx)?;
    let received: Vec<(String, String)> = pairs
        .into_iter()
        .filter_map(|(k, v)| k.strip_prefix("received.").map(|l| (l.to_owned(), v)))
        .collect();
    match service::receive(&state, &ctx, id, &received).await {
        Ok(arrived) => {
            supplier_page(
                &state,
                &ctx,
                id,
                Some("supplier-order-received"),
                arrived,
                FieldErrors::new(),
            )
            .await
        }
        Err(e) => {
            let errors = form_errors(e, &ctx)?;
            supplier_page(&state, &ctx, id, None, Vec::new(), errors).await
        }
    }
}
