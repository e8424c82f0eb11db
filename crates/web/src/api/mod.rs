//! REST API `/api/v1`: the same use cases and permissions as the pages, JSON in and out,
//! errors as `application/problem+json` with a stable `code`. Authentication by
//! `Authorization: Bearer <API key>` or by the session cookie. The OpenAPI document is
//! generated from these handlers (`/api/v1/openapi.json`, viewer at `/api/docs`).
//!
//! One module per feature, each with its handlers and its own [`router`](account::router);
//! this module only assembles them and holds the document's header.

mod account;
mod accounting;
mod api_keys;
mod booking_modules;
mod catalogue;
mod closing;
mod customer_imports;
mod customers;
mod documents;
mod extract;
mod holds;
mod offers;
mod orders;
mod planning;
mod promotions;
mod registers;
mod reservations;
mod shop;
mod sites;
mod stripe;
mod users;
mod vat_rates;

use crate::error::{Problem, problem_response};
use crate::state::AppState;
use axum::Router;
use axum::http::StatusCode;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

#[derive(OpenApi)]
#[openapi(
    info(title = "Guichet API", version = "1", description = "Point of sale, ticketing and customer management. Amounts are integer cents, rates are basis points, instants are microseconds since the Unix epoch (UTC)."),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    components(schemas(Problem))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("An API key created by an admin (Account › API keys)."))
                    .build(),
            ),
        );
    }
}
/// Each feature's routes with its part of the document.
fn parts() -> Vec<OpenApiRouter<AppState>> {
    vec![
        account::router(),
        sites::router(),
        users::router(),
        vat_rates::router(),
        registers::router(),
        booking_modules::router(),
        api_keys::router(),
        catalogue::router(),
        offers::router(),
        orders::router(),
        holds::router(),
        documents::router(),
        customers::router(),
        customer_imports::router(),
        reservations::router(),
        stripe::router(),
        promotions::router(),
        planning::router(),
        shop::router(),
        closing::router(),
        accounting::router(),
    ]
}

fn api_router() -> OpenApiRouter<AppState> {
    parts().into_iter().fold(
        OpenApiRouter::with_openapi(ApiDoc::openapi()),
        |all, part| all.merge(part),
    )
}

/// Schema names that two features give to different schemas. Merging the features' documents
/// keeps one schema per name, so a clash silently describes one feature's body with the
/// other's (the drawer's `CountInput` was shadowed by the shop's this way); the test of the
/// document wants this empty.
pub fn schema_name_clashes() -> Vec<String> {
    let mut seen: std::collections::BTreeMap<String, serde_json::Value> = Default::default();
    let mut clashes = Vec::new();
    for part in parts() {
        let spec = part.split_for_parts().1;
        let Some(components) = spec.components else {
            continue;
        };
        for (name, schema) in components.schemas {
            let schema = serde_json::to_value(&schema).unwrap_or_default();
            match seen.get(&name) {
                Some(other) if *other != schema => clashes.push(name),
                Some(_) => {}
                None => {
                    seen.insert(name, schema);
                }
            }
        }
    }
    clashes
}

/// The generated OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api_router().split_for_parts().1
}

pub fn router() -> Router<AppState> {
    let (router, spec) = api_router().split_for_parts();
    let spec_json = spec.to_pretty_json().unwrap_or_else(|_| "{}".to_owned());
    router
        .route(
            "/api/v1/openapi.json",
            axum::routing::get(move || {
                let body = spec_json.clone();
                async move {
                    (
                        [(axum::http::header::CONTENT_TYPE, "application/json")],
                        body,
                    )
                }
            }),
        )
        .fallback(|| async { problem_response(StatusCode::NOT_FOUND, "not_found", None, vec![]) })
}
