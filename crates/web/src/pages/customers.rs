//! Marketing › Customers: the list with the seed's columns (status, created, name, country,
//! city, last booking, revenue) and its filters, a new customer, and the customer's page —
//! details, purchase history, spending by period — with its form.

use super::confirm::{ConfirmPage, Step};
use super::support::{Flash, OrPage, done, form_errors, parse_id};
use crate::auth::{Ctx, PageCtx};
use crate::error::PageError;
use crate::state::AppState;
use crate::view::{Nav, Tr, render_status};
use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use guichet_app::customers::Listed;
use guichet_app::customers::{self as service, CustomerFile, PAGE};
use guichet_domain::customer::{CUSTOMER_LANGUAGES, CustomerInput, NL_PROVINCES};
use guichet_domain::{CustomerId, FieldErrors, Permission};
use serde::Deserialize;

/// The routes of these pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/search", get(search))
        .route("/marketing/customers", get(list))
        .route("/marketing/customers/export", get(export))
        .route("/marketing/customers/duplicates", get(duplicates))
        .route("/marketing/customers/{id}/merge", post(merge))
        .route("/marketing/customers/{id}/data", get(data))
        .route("/marketing/customers/{id}/erase", post(erase))
        .route("/marketing/customer-types", get(types).post(create_type))
        .route("/marketing/customer-types/{id}", post(update_type))
        .route("/marketing/customer-fields", post(add_field))
        .route("/marketing/customers/new", get(new).post(create))
        .route("/marketing/customers/{id}", get(show).post(update))
}

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
    can_export: bool,
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
    let tz = guichet_app::organization::time_zone(&state, ctx.tenant)
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
            can_export: ctx.can(Permission::ManageCustomers),
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
    types: Vec<guichet_app::customers::CustomerType>,
    can_manage: bool,
    fields: Vec<guichet_app::customers::CustomerField>,
    /// For a deposit on a reservation: where and how it is paid.
    registers: Vec<guichet_app::registers::Register>,
    methods: Vec<guichet_domain::order::PaymentMethod>,
}

impl CustomerPage {
    fn reservation_state(&self, s: &guichet_domain::reservation::ReservationState) -> String {
        state_label(&self.tr, *s)
    }
    fn custom_value(&self, f: &guichet_app::customers::CustomerField) -> String {
        self.form
            .custom
            .get(&f.id.to_string())
            .cloned()
            .unwrap_or_default()
    }
    fn custom_error(&self, f: &guichet_app::customers::CustomerField) -> Option<String> {
        self.tr
            .field_error(&self.errors, &format!("custom.{}", f.id))
    }
    fn input_type(&self, f: &guichet_app::customers::CustomerField) -> &'static str {
        match f.kind {
            guichet_domain::customer::FieldKind::Date => "date",
            _ => "text",
        }
    }
    fn is_type(&self, t: &guichet_app::customers::CustomerType) -> bool {
        self.form.customer_type_id == t.id.to_string()
    }
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
    let tz = guichet_app::organization::time_zone(state, ctx.tenant)
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
            types: service::types(state, ctx).await.or_page(ctx)?,
            can_manage: ctx.can(Permission::ManageCustomers),
            fields: service::fields(state, ctx).await.or_page(ctx)?,
            registers: guichet_app::orders::selling_registers(state, ctx)
                .await
                .or_page(ctx)?,
            methods: guichet_app::orders::enabled_methods(state, ctx)
                .await
                .or_page(ctx)?
                .into_iter()
                .filter(|m| *m != guichet_domain::order::PaymentMethod::StoreCredit)
                .collect(),
        },
    ))
}

/// The customer's page again, with the errors of its reservation form.
pub(super) async fn page_with_reservation_errors(
    state: &AppState,
    ctx: &Ctx,
    id: CustomerId,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    customer_page(state, ctx, Some(id), None, None, errors).await
}

pub async fn new(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
) -> Result<Response, PageError> {
    customer_page(&state, &ctx, None, None, None, FieldErrors::new()).await
}

/// The customer form: its named fields, and the organization's own as `custom_<field id>`.
fn customer_form(body: &[u8], ctx: &Ctx) -> Result<CustomerInput, PageError> {
    let bad = |_| {
        PageError(
            crate::error::AppError::field("_form", "invalid_body"),
            ctx.lang,
        )
    };
    let mut input: CustomerInput = serde_urlencoded::from_bytes(body).map_err(bad)?;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).map_err(bad)?;
    for (k, v) in pairs {
        if let Some(id) = k.strip_prefix("custom_") {
            input.custom.insert(id.to_owned(), v);
        }
    }
    Ok(input)
}

pub async fn create(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    let form = customer_form(&body, &ctx)?;
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
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    let id: CustomerId = parse_id(&id, &ctx)?;
    let form = customer_form(&body, &ctx)?;
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

// ---------------------------------------------------------------- customer types

#[derive(Template)]
#[template(path = "customer_types.html")]
struct TypesPage {
    tr: Tr,
    nav: Nav,
    types: Vec<guichet_app::customers::CustomerType>,
    fields: Vec<guichet_app::customers::CustomerField>,
    can_manage_fields: bool,
    can_edit: bool,
    /// The form that failed ("new" or a type's id), what it held and its errors.
    failed: String,
    form: guichet_domain::customer::CustomerTypeInput,
    errors: FieldErrors,
}

impl TypesPage {
    fn percent(&self, bp: &u32) -> String {
        if *bp == 0 {
            return String::new();
        }
        guichet_domain::VatRate::from_basis_points(i64::from(*bp))
            .map(|r| r.to_string().trim_end_matches('%').trim().to_owned())
            .unwrap_or_default()
    }
    fn tax_rate(&self, t: &guichet_domain::customer::TaxTreatment) -> String {
        t.rate_bp().map(|bp| self.percent(&bp)).unwrap_or_default()
    }
    /// One form per type, then the new type's (when one may edit); the form that failed
    /// shows what was typed.
    fn forms(&self) -> Vec<TypeForm> {
        let mut out: Vec<TypeForm> = self
            .types
            .iter()
            .map(|t| {
                let id = t.id.to_string();
                if self.failed == id {
                    self.typed(format!("/marketing/customer-types/{id}"), id)
                } else {
                    TypeForm {
                        action: format!("/marketing/customer-types/{id}"),
                        name: t.name.clone(),
                        discount: self.percent(&t.discount_bp),
                        tax: t.tax.kind().to_owned(),
                        rate: self.tax_rate(&t.tax),
                        id,
                        failed: false,
                    }
                }
            })
            .collect();
        if self.can_edit {
            out.push(if self.failed == "new" {
                self.typed("/marketing/customer-types".into(), "new".into())
            } else {
                TypeForm {
                    action: "/marketing/customer-types".into(),
                    id: "new".into(),
                    name: String::new(),
                    discount: String::new(),
                    tax: "standard".into(),
                    rate: String::new(),
                    failed: false,
                }
            });
        }
        out
    }
    fn typed(&self, action: String, id: String) -> TypeForm {
        TypeForm {
            action,
            id,
            name: self.form.name.clone(),
            discount: self.form.discount_percent.clone(),
            tax: self.form.tax.clone(),
            rate: self.form.tax_rate_percent.clone(),
            failed: true,
        }
    }
    fn kind_label(&self, k: &guichet_domain::customer::FieldKind) -> String {
        self.tr.t(&format!("field-kind-{}", k.as_str()))
    }
    fn error(&self, f: &TypeForm, field: &str) -> Option<String> {
        if f.failed {
            self.tr.field_error(&self.errors, field)
        } else {
            None
        }
    }
}

struct TypeForm {
    action: String,
    id: String,
    name: String,
    discount: String,
    tax: String,
    rate: String,
    failed: bool,
}

async fn types_page(
    state: &AppState,
    ctx: &Ctx,
    flash: Option<&str>,
    failed: String,
    form: guichet_domain::customer::CustomerTypeInput,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let types = service::types(state, ctx).await.or_page(ctx)?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render_status(
        status,
        &TypesPage {
            tr: Tr(ctx.lang),
            nav: Nav::new(ctx, "/marketing/customers", flash),
            types,
            fields: service::fields(state, ctx).await.or_page(ctx)?,
            can_manage_fields: ctx.can(Permission::ManageCustomers),
            can_edit: ctx.can(Permission::ChangePrice),
            failed,
            form,
            errors,
        },
    ))
}

pub async fn types(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(flash): Query<Flash>,
) -> Result<Response, PageError> {
    types_page(
        &state,
        &ctx,
        flash.key(),
        String::new(),
        Default::default(),
        FieldErrors::new(),
    )
    .await
}

async fn save_type(
    state: &AppState,
    ctx: &Ctx,
    id: Option<guichet_domain::CustomerTypeId>,
    form: guichet_domain::customer::CustomerTypeInput,
) -> Result<Response, PageError> {
    match service::save_type(state, ctx, id, &form).await {
        Ok(_) => Ok(done("/marketing/customer-types", "saved")),
        Err(e) => {
            let errors = form_errors(e, ctx)?;
            let failed = id.map_or_else(|| "new".to_owned(), |i| i.to_string());
            types_page(state, ctx, None, failed, form, errors).await
        }
    }
}

pub async fn create_type(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Form(form): Form<guichet_domain::customer::CustomerTypeInput>,
) -> Result<Response, PageError> {
    save_type(&state, &ctx, None, form).await
}

pub async fn update_type(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<String>,
    Form(form): Form<guichet_domain::customer::CustomerTypeInput>,
) -> Result<Response, PageError> {
    let id = parse_id(&id, &ctx)?;
    save_type(&state, &ctx, Some(id), form).await
}

// ---------------------------------------------------------------- export and privacy

/// The export's query: the list's filter, the ticked customers (`id`, repeated), the format
/// and whether to anonymise. Repeated keys need the pairs.
pub async fn export(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let value = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map_or("", |(_, v)| v.as_str())
    };
    let selection: Vec<CustomerId> = pairs
        .iter()
        .filter(|(k, _)| k == "id")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let filter = service::ExportFilter {
        status: value("status").to_owned(),
        query: value("q").to_owned(),
        selection,
        anonymised: value("anonymised") == "1",
    };
    let name = if filter.anonymised {
        "clients-anonymises"
    } else {
        "clients"
    };
    if value("format") == "xlsx" {
        let file = service::export_xlsx(&state, &ctx, &filter)
            .await
            .or_page(&ctx)?;
        return Ok(crate::download::file_attachment(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            &format!("{name}.xlsx"),
            file,
        ));
    }
    // CSV is streamed: the whole customer file, page by page, in flat memory.
    let stream = service::export_csv(&state, &ctx, filter)
        .await
        .or_page(&ctx)?;
    Ok(crate::download::stream_attachment(
        "text/csv; charset=utf-8",
        &format!("{name}.csv"),
        stream,
    ))
}

/// One customer's data as JSON (their access request).
pub async fn data(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id: CustomerId = parse_id(&id, &ctx)?;
    let file = service::data_of(&state, &ctx, id).await.or_page(&ctx)?;
    let body = serde_json::to_vec_pretty(&file)
        .map_err(|e| PageError(crate::error::AppError::Internal(e.to_string()), ctx.lang))?;
    Ok(crate::download::attachment(
        "application/json",
        &format!("client-{id}.json"),
        body,
    ))
}

/// The confirmation step's field, on forms that post nothing else.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ConfirmForm {
    confirm: String,
}

/// Erasing a customer cannot be undone: the button first shows whom and what it erases, and
/// erases only once that is confirmed.
pub async fn erase(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<String>,
    Form(form): Form<ConfirmForm>,
) -> Result<Response, PageError> {
    let id: CustomerId = parse_id(&id, &ctx)?;
    let result = match Step::of(&form.confirm) {
        Step::Back => return Ok(done_none(&format!("/marketing/customers/{id}"))),
        Step::Ask => match service::plan_erase(&state, &ctx, id).await {
            Ok(file) => return Ok(erase_confirmation(&ctx, &file).render()),
            Err(e) => Err(e),
        },
        Step::Confirmed => service::erase(&state, &ctx, id).await.map(|_| ()),
    };
    match result {
        Ok(()) => Ok(done(
            &format!("/marketing/customers/{id}"),
            "customer-erased",
        )),
        Err(e) => {
            let errors = form_errors(e, &ctx)?;
            customer_page(&state, &ctx, Some(id), None, None, errors).await
        }
    }
}

/// Name, e-mail, phone and how many orders: whom the confirmation is about.
fn customer_facts(tr: &Tr, f: &CustomerFile) -> Vec<(String, String)> {
    let c = &f.customer;
    let mut facts = vec![(tr.t("label-name"), c.display_name.clone())];
    if let Some(e) = &c.email {
        facts.push((tr.t("label-email"), e.clone()));
    }
    if let Some(p) = &c.phone {
        facts.push((tr.t("label-phone"), p.clone()));
    }
    facts.push((tr.t("customers-confirm-orders"), f.orders.len().to_string()));
    facts
}

fn erase_confirmation(ctx: &Ctx, f: &CustomerFile) -> ConfirmPage {
    let tr = Tr(ctx.lang);
    ConfirmPage {
        title: tr.t1("customers-confirm-erase", "name", &f.customer.display_name),
        lead: tr.t("customers-confirm-erase-lead"),
        facts: customer_facts(&tr, f),
        differences: Vec::new(),
        action: format!("/marketing/customers/{}/erase", f.customer.id),
        hidden: Vec::new(),
        confirm_label: tr.t("customers-confirm-erase-button"),
        button_id: "confirmed-erase",
        nav: Nav::new(ctx, "/marketing/customers", None),
        tr,
    }
}

// ---------------------------------------------------------------- duplicates

#[derive(Template)]
#[template(path = "customer_duplicates.html")]
struct DuplicatesPage {
    tr: Tr,
    nav: Nav,
    pairs: Vec<service::Duplicate>,
    errors: FieldErrors,
}

impl DuplicatesPage {
    fn reason(&self, r: &guichet_domain::duplicates::Reason) -> String {
        let key = match r {
            guichet_domain::duplicates::Reason::SameEmail => "duplicates-same-email",
            guichet_domain::duplicates::Reason::SamePhone => "duplicates-same-phone",
            guichet_domain::duplicates::Reason::SimilarName => "duplicates-similar-name",
        };
        self.tr.t(key)
    }
}

async fn duplicates_page(
    state: &AppState,
    ctx: &Ctx,
    flash: Option<&str>,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let pairs = service::duplicates(state, ctx).await.or_page(ctx)?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render_status(
        status,
        &DuplicatesPage {
            tr: Tr(ctx.lang),
            nav: Nav::new(ctx, "/marketing/customers", flash),
            pairs,
            errors,
        },
    ))
}

pub async fn duplicates(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(flash): Query<Flash>,
) -> Result<Response, PageError> {
    duplicates_page(&state, &ctx, flash.key(), FieldErrors::new()).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MergeForm {
    absorbed_id: String,
    confirm: String,
}

/// Merging two customers cannot be undone: the button first shows both files and which one
/// is kept, and merges only once that is confirmed.
pub async fn merge(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<String>,
    Form(form): Form<MergeForm>,
) -> Result<Response, PageError> {
    let id: CustomerId = parse_id(&id, &ctx)?;
    let result = match Step::of(&form.confirm) {
        Step::Back => return Ok(done_none("/marketing/customers/duplicates")),
        Step::Ask => match service::plan_merge(&state, &ctx, id, &form.absorbed_id).await {
            Ok((kept, absorbed)) => {
                return Ok(merge_confirmation(&ctx, &kept, &absorbed).render());
            }
            Err(e) => Err(e),
        },
        Step::Confirmed => service::merge(&state, &ctx, id, &form.absorbed_id)
            .await
            .map(|_| ()),
    };
    match result {
        Ok(()) => Ok(done("/marketing/customers/duplicates", "customers-merged")),
        Err(e) => {
            let errors = form_errors(e, &ctx)?;
            duplicates_page(&state, &ctx, None, errors).await
        }
    }
}

/// Back to a page, with no message.
fn done_none(to: &str) -> Response {
    axum::response::Redirect::to(to).into_response()
}

fn merge_confirmation(ctx: &Ctx, kept: &CustomerFile, absorbed: &CustomerFile) -> ConfirmPage {
    let tr = Tr(ctx.lang);
    let mut facts = Vec::new();
    for (heading, f) in [
        ("customers-confirm-kept", kept),
        ("customers-confirm-absorbed", absorbed),
    ] {
        for (label, value) in customer_facts(&tr, f) {
            facts.push((format!("{} — {label}", tr.t(heading)), value));
        }
    }
    ConfirmPage {
        title: tr.t1_2(
            "customers-confirm-merge",
            ("absorbed", absorbed.customer.display_name.clone()),
            ("kept", kept.customer.display_name.clone()),
        ),
        lead: tr.t("customers-confirm-merge-lead"),
        facts,
        differences: Vec::new(),
        action: format!("/marketing/customers/{}/merge", kept.customer.id),
        hidden: vec![("absorbed_id".into(), absorbed.customer.id.to_string())],
        confirm_label: tr.t("customers-confirm-merge-button"),
        button_id: "confirmed-merge",
        nav: Nav::new(ctx, "/marketing/customers", None),
        tr,
    }
}

// ---------------------------------------------------------------- the search bar

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SearchQuery {
    q: String,
}

/// The top bar's search: `?vinc` looks for customers (at least 3 letters, as in the seeds);
/// an order number opens that order; anything else is looked for among customers too.
pub async fn search(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(q): Query<SearchQuery>,
) -> Result<Response, PageError> {
    use axum::response::{IntoResponse, Redirect};
    ctx.require(Permission::Sell).or_page(&ctx)?;
    let q = q.q.trim();
    let customers_of = |text: &str| {
        let query = serde_urlencoded::to_string([("q", text)]).unwrap_or_default();
        Redirect::to(&format!("/marketing/customers?{query}")).into_response()
    };
    if let Some(rest) = q.strip_prefix('?') {
        if rest.trim().chars().count() < 3 {
            return Ok(done("/marketing/customers", "search-too-short"));
        }
        return Ok(customers_of(rest.trim()));
    }
    let upper = q.to_ascii_uppercase();
    if upper.len() > 1
        && (upper.starts_with('P') || upper.starts_with('D'))
        && upper[1..].chars().all(|c| c.is_ascii_digit())
    {
        let found = guichet_app::orders::find_by_number(&state, &ctx, &upper)
            .await
            .map_err(|e| PageError(e, ctx.lang))?;
        if let Some(id) = found {
            return Ok(Redirect::to(&format!("/orders/{id}")).into_response());
        }
    }
    Ok(customers_of(q))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FieldForm {
    name: String,
    kind: String,
}

/// Adds a field to the customer file, from the customer types page.
pub async fn add_field(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Form(form): Form<FieldForm>,
) -> Result<Response, PageError> {
    match service::add_field(&state, &ctx, &form.name, &form.kind).await {
        Ok(_) => Ok(done("/marketing/customer-types", "saved")),
        Err(e) => {
            let errors = form_errors(e, &ctx)?;
            let form = guichet_domain::customer::CustomerTypeInput::default();
            types_page(&state, &ctx, None, "field".into(), form, errors).await
        }
    }
}

/// A reservation's state as lists show it (on the customer's page and in the customer orders).
pub(super) fn state_label(tr: &Tr, s: guichet_domain::reservation::ReservationState) -> String {
    tr.t(&format!("reservation-state-{}", s.as_str()))
}
