//! Back-office pages. Every form posts to the server and redirects after success (with a
//! short confirmation), or is shown again with the errors next to the fields.

mod account;
mod accounting;
mod book;
mod booking_modules;
mod booking_page;
mod calendar;
mod catalogue;
mod closing;
mod confirm;
mod customer_imports;
mod customers;
mod dashboard;
mod documents;
mod groups;
mod offers;
mod orders;
mod password_reset;
mod planning;
mod promotions;
mod register;
/// The texts the register's script reads, for the message-key test.
#[cfg(test)]
pub(crate) use register::TEXTS as REGISTER_TEXTS;
mod registers;
mod reservations;
mod session;
mod shop;
mod statistics;
mod stripe;
mod support;
mod users;

use crate::state::AppState;
use axum::Router;
use axum::http::{StatusCode, Uri};
use axum::response::Response;

/// Every page: each module brings its own routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(account::router())
        .merge(book::router())
        .merge(booking_page::router())
        .merge(booking_modules::router())
        .merge(calendar::router())
        .merge(catalogue::router())
        .merge(closing::router())
        .merge(customer_imports::router())
        .merge(customers::router())
        .merge(dashboard::router())
        .merge(documents::router())
        .merge(groups::router())
        .merge(offers::router())
        .merge(orders::router())
        .merge(password_reset::router())
        .merge(planning::router())
        .merge(promotions::router())
        .merge(register::router())
        .merge(registers::router())
        .merge(reservations::router())
        .merge(session::router())
        .merge(shop::router())
        .merge(statistics::router())
        .merge(stripe::router())
        .merge(accounting::router())
        .merge(users::router())
}

/// An address no route answers: a problem with the code `not_found` under `/api/`; else a
/// page of the application, in the reader's language, with the menu for those signed in
/// (the bare error page for the others) and a way back.
pub async fn not_found(
    axum::extract::State(state): axum::extract::State<AppState>,
    headers: axum::http::HeaderMap,
    uri: Uri,
) -> Response {
    if uri.path().starts_with("/api/") {
        return crate::error::problem_response(StatusCode::NOT_FOUND, "not_found", None, vec![]);
    }
    match crate::auth::ctx_of(&state, &headers).await {
        Some(ctx) => crate::view::render_status(
            StatusCode::NOT_FOUND,
            &NotFound {
                tr: crate::view::Tr(ctx.lang),
                nav: crate::view::Nav::new(&ctx, "", None),
            },
        ),
        None => crate::view::error_page(
            crate::auth::language_of(&headers),
            StatusCode::NOT_FOUND,
            "not_found",
            None,
        ),
    }
}

#[derive(askama::Template)]
#[template(path = "not_found.html")]
struct NotFound {
    tr: crate::view::Tr,
    nav: crate::view::Nav,
}
