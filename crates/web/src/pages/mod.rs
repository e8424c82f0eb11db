//! Back-office pages. Every form posts to the server and redirects after success (with a
//! short confirmation), or is shown again with the errors next to the fields.

mod account;
mod calendar;
mod catalogue;
mod closing;
mod customer_imports;
mod customers;
mod documents;
mod groups;
mod offers;
mod orders;
mod planning;
mod promotions;
mod register;
mod registers;
mod reservations;
mod session;
mod shop;
mod users;

use crate::AppState;
use crate::auth::{Ctx, PageCtx};
use crate::error::{AppError, PageError};
use crate::view::{Nav, Tr, render};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use guichet_domain::{FieldErrors, Permission};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    let mut r = Router::new()
        .route("/", get(dashboard))
        .route("/login", get(session::login_page).post(session::login))
        .route("/logout", post(session::logout))
        .route("/language", post(session::set_language))
        .route(
            "/invitation/{token}",
            get(session::invitation_page).post(session::accept_invitation),
        )
        .route("/no-organization", get(session::no_organization))
        .route("/switch-organization", post(session::switch_organization))
        .route("/me", get(session::profile).post(session::update_profile))
        .route("/me/password", post(session::change_password))
        .route(
            "/account/details",
            get(account::details).post(account::update_details),
        )
        .route(
            "/account/sites/new",
            get(account::new_site).post(account::create_site),
        )
        .route(
            "/account/sites/{id}",
            get(account::edit_site).post(account::update_site),
        )
        .route("/account/sites/{id}/archive", post(account::archive_site))
        .route(
            "/account/taxes",
            get(account::taxes).post(account::create_tax),
        )
        .route("/account/taxes/preset", post(account::tax_preset))
        .route(
            "/account/taxes/{id}",
            get(account::edit_tax).post(account::update_tax),
        )
        .route("/account/taxes/{id}/archive", post(account::archive_tax))
        .route("/account/taxes/{id}/delete", post(account::delete_tax))
        .route(
            "/account/api-keys",
            get(account::api_keys).post(account::create_api_key),
        )
        .route(
            "/account/api-keys/{id}/revoke",
            post(account::revoke_api_key),
        )
        .route("/account/users", get(users::list).post(users::create))
        .route("/account/users/{id}", get(users::edit).post(users::update))
        .route("/account/users/{id}/disable", post(users::disable))
        .route("/account/invitations", post(users::invite))
        .route(
            "/account/invitations/{id}/revoke",
            post(users::revoke_invitation),
        )
        .route("/distribution/registers", get(registers::list))
        .route(
            "/distribution/registers/new",
            get(registers::new).post(registers::create),
        )
        .route(
            "/distribution/registers/{id}",
            get(registers::edit).post(registers::update),
        )
        .route(
            "/distribution/registers/{id}/archive",
            post(registers::archive),
        )
        .route("/activity/ticket-types", get(catalogue::ticket_types))
        .route(
            "/activity/ticket-types/new",
            get(catalogue::new_ticket_type).post(catalogue::create_ticket_type),
        )
        .route(
            "/activity/ticket-types/{id}",
            get(catalogue::edit_ticket_type).post(catalogue::update_ticket_type),
        )
        .route(
            "/activity/ticket-types/{id}/archive",
            post(catalogue::archive_ticket_type),
        )
        .route("/activity/extras", get(catalogue::extras))
        .route(
            "/activity/extras/new",
            get(catalogue::new_extra).post(catalogue::create_extra),
        )
        .route(
            "/activity/extras/{id}",
            get(catalogue::edit_extra).post(catalogue::update_extra),
        )
        .route(
            "/activity/extras/{id}/archive",
            post(catalogue::archive_extra),
        )
        .route(
            "/activity/ticket-types/{id}/picture",
            post(catalogue::ticket_type_picture),
        )
        .route(
            "/activity/ticket-types/{id}/picture/delete",
            post(catalogue::remove_ticket_type_picture),
        )
        .route(
            "/activity/extras/{id}/picture",
            post(catalogue::extra_picture),
        )
        .route(
            "/activity/extras/{id}/picture/delete",
            post(catalogue::remove_extra_picture),
        )
        .route("/activity/offers/{id}/photos", post(offers::add_photo))
        .route(
            "/activity/offers/{id}/photos/{photo}/delete",
            post(offers::delete_photo),
        )
        .route("/activity/shop/{id}/photo", post(shop::set_photo))
        .route("/activity/shop/{id}/photo/delete", post(shop::remove_photo))
        .route("/register", get(register::page))
        .route("/search", get(customers::search))
        .route("/marketing/customers", get(customers::list))
        .route("/marketing/customers/export", get(customers::export))
        .route(
            "/marketing/customers/import",
            get(customer_imports::upload_form)
                .post(customer_imports::upload)
                .layer(axum::extract::DefaultBodyLimit::max(
                    guichet_integrations::imports::MAX_BYTES + 64 * 1024,
                )),
        )
        .route(
            "/marketing/customers/import/progress/{key}",
            get(customer_imports::progress),
        )
        .route(
            "/marketing/customers/import/{id}",
            get(customer_imports::show),
        )
        .route(
            "/marketing/customers/import/{id}/mapping",
            post(customer_imports::remap),
        )
        .route(
            "/marketing/customers/import/{id}/commit",
            post(customer_imports::commit),
        )
        .route(
            "/marketing/customers/import/{id}/errors",
            get(customer_imports::errors_file),
        )
        .route(
            "/marketing/customers/duplicates",
            get(customers::duplicates),
        )
        .route("/marketing/customers/{id}/merge", post(customers::merge))
        .route(
            "/marketing/customers/{id}/reservations",
            post(reservations::reserve),
        )
        .route(
            "/marketing/customers/{id}/reservations/{reservation}/deposit",
            post(reservations::deposit),
        )
        .route(
            "/marketing/customer-orders",
            get(reservations::customer_orders),
        )
        .route(
            "/marketing/customer-orders/template",
            post(reservations::save_template),
        )
        .route(
            "/marketing/customer-orders/{id}/notified",
            post(reservations::notified),
        )
        .route(
            "/marketing/customer-orders/{id}/email",
            post(reservations::send_email),
        )
        .route(
            "/marketing/customer-orders/reservations/{id}/archive",
            post(reservations::archive),
        )
        .route("/activity/shop/order-list", get(reservations::order_list))
        .route(
            "/activity/shop/supplier-orders",
            post(reservations::create_supplier_order),
        )
        .route(
            "/activity/shop/supplier-orders/{id}",
            get(reservations::supplier_order),
        )
        .route(
            "/activity/shop/supplier-orders/{id}/csv",
            get(reservations::supplier_order_csv),
        )
        .route(
            "/activity/shop/supplier-orders/{id}/sent",
            post(reservations::mark_sent),
        )
        .route(
            "/activity/shop/supplier-orders/{id}/receive",
            post(reservations::receive),
        )
        .route("/marketing/customers/{id}/data", get(customers::data))
        .route("/marketing/customers/{id}/erase", post(customers::erase))
        .route(
            "/marketing/customer-types",
            get(customers::types).post(customers::create_type),
        )
        .route(
            "/marketing/customer-types/{id}",
            post(customers::update_type),
        )
        .route("/marketing/customer-fields", post(customers::add_field))
        .route(
            "/marketing/customers/new",
            get(customers::new).post(customers::create),
        )
        .route(
            "/marketing/customers/{id}",
            get(customers::show).post(customers::update),
        )
        .route("/register/drawer", get(closing::drawer))
        .route("/register/drawer/open", post(closing::open))
        .route("/register/drawer/cash", post(closing::cash))
        .route("/register/drawer/close", post(closing::close))
        .route("/registers-follow-up", get(closing::follow_up))
        .route(
            "/registers-follow-up/export",
            get(closing::export_follow_up),
        )
        .route("/registers-follow-up/{id}", get(closing::report))
        .route(
            "/registers-follow-up/{id}/export",
            get(closing::export_report),
        )
        .route(
            "/distribution/payment-methods",
            post(registers::set_methods),
        )
        .route("/orders", get(orders::list))
        .route("/orders/payments", get(orders::payments))
        .route("/orders/payments/export", get(orders::export_payments))
        .route("/orders/{id}", get(orders::show))
        .route("/orders/{id}/pay", post(orders::pay))
        .route("/orders/{id}/receipt", get(documents::receipt))
        .route("/orders/{id}/tickets", get(documents::tickets))
        .route("/orders/{id}/confirm", post(orders::confirm))
        .route("/orders/{id}/cancel", post(orders::cancel))
        .route("/activity/calendar", get(calendar::show))
        .route("/activity/calendar/{audience}", post(calendar::save))
        .route("/planning", get(planning::page))
        .route("/planning/stop-sales", post(planning::stop_sales))
        .route(
            "/planning/session",
            get(planning::session).post(planning::change_session),
        )
        .route("/activity/offers", get(offers::list))
        .route(
            "/activity/offers/new",
            get(offers::new).post(offers::create),
        )
        .route(
            "/activity/offers/groups",
            get(groups::offer_groups).post(groups::create_offer_group),
        )
        .route(
            "/activity/offers/groups/{id}",
            post(groups::rename_offer_group),
        )
        .route(
            "/activity/offers/groups/{id}/move",
            post(groups::move_offer_group),
        )
        .route(
            "/activity/offers/groups/{id}/delete",
            post(groups::delete_offer_group),
        )
        .route(
            "/activity/offers/{id}",
            get(offers::edit).post(offers::update),
        )
        .route("/activity/offers/{id}/archive", post(offers::archive))
        .route("/activity/promotions", get(promotions::list_promotions))
        .route(
            "/activity/promotions/new",
            get(promotions::new_promotion).post(promotions::create_promotion),
        )
        .route(
            "/activity/promotions/{id}",
            get(promotions::edit_promotion).post(promotions::update_promotion),
        )
        .route(
            "/activity/promotions/{id}/archive",
            post(promotions::archive_promotion),
        )
        .route("/activity/promo-codes", get(promotions::list_codes))
        .route(
            "/activity/promo-codes/new",
            get(promotions::new_code).post(promotions::create_code),
        )
        .route(
            "/activity/promo-codes/{id}",
            get(promotions::edit_code).post(promotions::update_code),
        )
        .route(
            "/activity/promo-codes/{id}/archive",
            post(promotions::archive_code),
        )
        .route("/activity/shop", get(shop::list))
        .route("/activity/shop/new", get(shop::new).post(shop::create))
        .route(
            "/activity/shop/groups",
            get(groups::product_groups).post(groups::create_product_group),
        )
        .route(
            "/activity/shop/groups/{id}",
            post(groups::rename_product_group),
        )
        .route(
            "/activity/shop/groups/{id}/move",
            post(groups::move_product_group),
        )
        .route(
            "/activity/shop/groups/{id}/delete",
            post(groups::delete_product_group),
        )
        .route(
            "/activity/shop/count",
            get(shop::count).post(shop::apply_count),
        )
        .route("/activity/shop/export", get(shop::export))
        .route("/activity/shop/labels", get(shop::labels))
        .route("/activity/shop/{id}", get(shop::edit).post(shop::update))
        .route("/activity/shop/{id}/archive", post(shop::archive))
        .route("/activity/shop/{id}/movements", post(shop::add_movement))
        .route("/api/docs", get(api_docs));
    for (href, _) in NOT_YET {
        r = r.route(href, get(not_available));
    }
    r
}

/// Menu entries that later issues build; they show a short "not available yet" page.
pub const NOT_YET: [(&str, &str); 6] = [
    ("/arrivals", "nav-arrivals"),
    ("/click-and-collect", "nav-click-collect"),
    ("/statistics", "nav-statistics"),
    ("/activity/description", "nav-description"),
    ("/activity/gift-vouchers", "nav-gift-vouchers"),
    ("/activity/gift-cards", "nav-gift-cards"),
];

/// `?done=key` after a successful form shows the `flash-key` message.
#[derive(Debug, Default, Deserialize)]
pub struct Flash {
    pub done: Option<String>,
}

impl Flash {
    pub fn key(&self) -> Option<&str> {
        self.done.as_deref()
    }
}

/// Turns an error into a page error in the caller's language.
pub trait OrPage<T> {
    fn or_page(self, ctx: &Ctx) -> Result<T, PageError>;
}

impl<T> OrPage<T> for Result<T, AppError> {
    fn or_page(self, ctx: &Ctx) -> Result<T, PageError> {
        self.map_err(|e| PageError(e, ctx.lang))
    }
}

/// Errors a form shows next to its fields (a refused rule goes in the form's banner);
/// anything else becomes an error page.
pub fn form_errors(e: AppError, ctx: &Ctx) -> Result<FieldErrors, PageError> {
    match e {
        AppError::Invalid(errors) => Ok(errors),
        AppError::Conflict(code) => {
            let mut errors = FieldErrors::new();
            errors.add("_form", code);
            Ok(errors)
        }
        other => Err(PageError(other, ctx.lang)),
    }
}

/// After a successful post: back to `to`, with a confirmation.
pub fn done(to: &str, key: &str) -> Response {
    Redirect::to(&format!("{to}?done={key}")).into_response()
}

/// A file to download: `bytes` of type `mime`, saved as `filename`.
pub fn attachment(mime: &str, filename: &str, bytes: Vec<u8>) -> Response {
    use axum::http::header;
    (
        [
            (header::CONTENT_TYPE, mime.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// A table to download as XLSX (`format` "xlsx", one sheet named `sheet`) or else as CSV (`;`
/// and a BOM), saved as `name` with the format's extension.
/// An open file to download, streamed 64 KiB at a time (a large export written to disk).
pub fn file_attachment(mime: &str, filename: &str, file: std::fs::File) -> Response {
    use axum::http::header;
    let chunks = futures_util::stream::try_unfold(file, |mut file| async move {
        let (file, chunk) = tokio::task::spawn_blocking(move || {
            let mut buf = vec![0u8; 64 * 1024];
            let n = std::io::Read::read(&mut file, &mut buf)?;
            buf.truncate(n);
            Ok::<_, std::io::Error>((file, buf))
        })
        .await
        .map_err(std::io::Error::other)??;
        Ok::<_, std::io::Error>((!chunk.is_empty()).then_some((chunk, file)))
    });
    (
        [
            (header::CONTENT_TYPE, mime.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        axum::body::Body::from_stream(chunks),
    )
        .into_response()
}

pub fn spreadsheet(
    ctx: &Ctx,
    table: &guichet_integrations::exports::Table,
    format: &str,
    sheet: &str,
    name: &str,
) -> Result<Response, PageError> {
    use guichet_integrations::exports;
    let (bytes, mime, ext) = match format {
        "xlsx" => (
            exports::xlsx(table, sheet),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
        _ => (exports::csv(table), "text/csv; charset=utf-8", "csv"),
    };
    let bytes = bytes.map_err(|e| PageError(AppError::Internal(e.to_string()), ctx.lang))?;
    Ok(attachment(mime, &format!("{name}.{ext}"), bytes))
}

/// An id from the URL; anything that is not one is simply not found.
pub fn parse_id<T: std::str::FromStr>(raw: &str, ctx: &Ctx) -> Result<T, PageError> {
    raw.parse()
        .map_err(|_| PageError(AppError::NotFound, ctx.lang))
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct Dashboard {
    tr: Tr,
    nav: Nav,
    role: guichet_domain::Role,
    sites: Option<usize>,
    registers: Option<usize>,
    members: Option<usize>,
    vat_rates: Option<usize>,
    /// Register sessions opened on an earlier day and not closed yet.
    stale: Vec<guichet_app::closing::OpenSession>,
}

impl Dashboard {
    fn stale_line(&self, s: &guichet_app::closing::OpenSession) -> String {
        self.tr.t1_2(
            "dashboard-stale-session",
            ("register", s.session.register_name.clone()),
            ("day", s.session.day.clone()),
        )
    }
}

async fn dashboard(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(flash): Query<Flash>,
) -> Result<Response, PageError> {
    let sites = figure(
        ctx.can(Permission::ViewOrganization),
        guichet_app::organization::sites(&state, &ctx),
        |s| !s.archived,
    );
    let registers = figure(
        ctx.can(Permission::ManageRegisters),
        guichet_app::registers::registers(&state, &ctx),
        |r| !r.archived,
    );
    let members = figure(
        ctx.can(Permission::ManageUsers),
        async {
            guichet_app::users::members(&state, &ctx)
                .await
                .map(|(m, _)| m)
        },
        |m| !m.disabled,
    );
    let vat_rates = figure(
        ctx.can(Permission::ViewVatRates),
        guichet_app::vat_rates::vat_rates(&state, &ctx),
        |r| !r.archived,
    );
    let (sites, registers, members, vat_rates) = (
        sites.await.or_page(&ctx)?,
        registers.await.or_page(&ctx)?,
        members.await.or_page(&ctx)?,
        vat_rates.await.or_page(&ctx)?,
    );
    let stale = if ctx.can(Permission::Sell) {
        guichet_app::closing::open_sessions(&state, &ctx)
            .await
            .or_page(&ctx)?
            .into_iter()
            .filter(|s| s.days_open > 0)
            .collect()
    } else {
        Vec::new()
    };
    Ok(render(&Dashboard {
        tr: Tr(ctx.lang),
        nav: Nav::new(&ctx, "/", flash.key()),
        role: ctx.role,
        sites,
        registers,
        members,
        vat_rates,
        stale,
    }))
}

/// How many active items a list has, for a dashboard tile; `None` (no tile) for roles
/// that may not open the page behind it, without loading the list.
async fn figure<T>(
    allowed: bool,
    list: impl Future<Output = Result<Vec<T>, AppError>>,
    active: fn(&T) -> bool,
) -> Result<Option<usize>, AppError> {
    if !allowed {
        return Ok(None);
    }
    Ok(Some(list.await?.iter().filter(|x| active(x)).count()))
}

#[derive(Template)]
#[template(path = "not_available.html")]
struct NotAvailable {
    tr: Tr,
    nav: Nav,
    label: &'static str,
}

async fn not_available(PageCtx(ctx): PageCtx, uri: Uri) -> Response {
    let (href, label) = NOT_YET
        .iter()
        .find(|(h, _)| *h == uri.path())
        .copied()
        .unwrap_or(("/", "nav-dashboard"));
    render(&NotAvailable {
        tr: Tr(ctx.lang),
        nav: Nav::new(&ctx, href, None),
        label,
    })
}

#[derive(Template)]
#[template(path = "api_docs.html")]
struct ApiDocs;

async fn api_docs() -> Response {
    render(&ApiDocs)
}

pub async fn not_found(headers: axum::http::HeaderMap, uri: Uri) -> Response {
    if uri.path().starts_with("/api/") {
        return crate::error::problem_response(StatusCode::NOT_FOUND, "not_found", None, vec![]);
    }
    crate::view::error_page(
        crate::view::language_of(&headers),
        StatusCode::NOT_FOUND,
        "not_found",
        None,
    )
}
