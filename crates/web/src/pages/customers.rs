//! Marketing › Customers: the list with the seed's columns (status, created, name, country,
//! city, last booking, revenue) and its filters, a new customer, and the customer's page —
//! details, purchase history, spending by period — with its form.

use super::{Flash, OrPage, done, form_errors, parse_id};
use crate::AppState;
use crate::auth::{Ctx, PageCtx};
use crate::error::PageError;
use crate::services::customers::{self as service, CustomerFile, PAGE};
use crate::view::{Nav, Tr, render_status};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use guichet_domain::customer::{CUSTOMER_LANGUAGES, CustomerInput, NL_PROVINCES};
use guichet_domain::{CustomerId, FieldErrors, Permission};
use guichet_store::customers::Listed;
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    /// `customer`, `prospect`, or all.
    status: String,
    q: String,
    offset: i64,
    done: Option<String>,
}

#[derive(Template)]
#[template(path = "customers.html")]
struct ListPage {
    tr: Tr,
    nav: Nav,
    tz: String,
    status: String,
    q: String,
    offset: i64,
    customers: Vec<Listed>,
    errors: FieldErrors,
}

impl ListPage {
    fn tab(&self, s: &str) -> bool {
        self.status == s
    }
    fn more(&self) -> bool {
        i64::try_from(self.customers.len()).unwrap_or(0) >= PAGE
    }
    fn next_offset(&self) -> i64 {
        self.offset + PAGE
    }
    fn status_label(&self, s: &guichet_domain::customer::CustomerStatus) -> String {
        self.tr.t(&format!("customer-status-{}", s.as_str()))
    }
}

pub async fn list(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    ctx.require(Permission::Sell).or_page(&ctx)?;
    let tz = crate::services::time_zone(&state, ctx.tenant)
        .await
        .or_page(&ctx)?;
    let (customers, errors) = match service::list(&state, &ctx, &q.status, &q.q, q.offset).await {
        Ok(c) => (c, FieldErrors::new()),
        Err(e) => (Vec::new(), form_errors(e, &ctx)?),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render_status(
        status,
        &ListPage {
            tr: Tr(ctx.lang),
            nav: Nav::new(&ctx, "/marketing/customers", q.done.as_deref()),
            tz,
            status: q.status.clone(),
            q: q.q.clone(),
            offset: q.offset.max(0),
            customers,
            errors,
        },
    ))
}

#[derive(Template)]
#[template(path = "customer.html")]
struct CustomerPage {
    tr: Tr,
    nav: Nav,
    tz: String,
    /// None: a new customer.
    file: Option<CustomerFile>,
    form: CustomerInput,
    errors: FieldErrors,
    languages: &'static [&'static str],
    nl_provinces: &'static [&'static str],
}

impl CustomerPage {
    fn is_language(&self, l: &str) -> bool {
        self.form.language == l
    }
    fn is_province(&self, p: &str) -> bool {
        self.form.province == p
    }
    fn state_label(&self, s: &str) -> String {
        self.tr.t(&format!("order-state-{s}"))
    }
}

async fn customer_page(
    state: &AppState,
    ctx: &Ctx,
    id: Option<CustomerId>,
    flash: Option<&str>,
    form: Option<CustomerInput>,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    ctx.require(Permission::Sell).or_page(ctx)?;
    let tz = crate::services::time_zone(state, ctx.tenant)
        .await
        .or_page(ctx)?;
    let file = match id {
        Some(id) => Some(service::file(state, ctx, id).await.or_page(ctx)?),
        None => None,
    };
    let form = form.unwrap_or_else(|| {
        file.as_ref()
            .map(|f| service::input_of(&f.customer))
            .unwrap_or_else(|| CustomerInput {
                country: "BE".into(),
                ..Default::default()
            })
    });
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render_status(
        status,
        &CustomerPage {
            tr: Tr(ctx.lang),
            nav: Nav::new(ctx, "/marketing/customers", flash),
            tz,
            file,
            form,
            errors,
            languages: &CUSTOMER_LANGUAGES,
            nl_provinces: &NL_PROVINCES,
        },
    ))
}

pub async fn new(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
) -> Result<Response, PageError> {
    customer_page(&state, &ctx, None, None, None, FieldErrors::new()).await
}

pub async fn create(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Form(form): Form<CustomerInput>,
) -> Result<Response, PageError> {
    match service::create(&state, &ctx, &form).await {
        Ok(c) => Ok(done(
            &format!("/marketing/customers/{}", c.id),
            "customer-saved",
        )),
        Err(e) => {
            let errors = form_errors(e, &ctx)?;
            customer_page(&state, &ctx, None, None, Some(form), errors).await
        }
    }
}

pub async fn show(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<String>,
    Query(flash): Query<Flash>,
) -> Result<Response, PageError> {
    let id: CustomerId = parse_id(&id, &ctx)?;
    customer_page(
        &state,
        &ctx,
        Some(id),
        flash.key(),
        None,
        FieldErrors::new(),
    )
    .await
}

pub async fn update(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<String>,
    Form(form): Form<CustomerInput>,
) -> Result<Response, PageError> {
    let id: CustomerId = parse_id(&id, &ctx)?;
    match service::update(&state, &ctx, id, &form).await {
        Ok(_) => Ok(done(
            &format!("/marketing/customers/{id}"),
            "customer-saved",
        )),
        Err(e) => {
            let errors = form_errors(e, &ctx)?;
            customer_page(&state, &ctx, Some(id), None, Some(form), errors).await
        }
    }
}
