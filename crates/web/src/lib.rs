//! The web layer: back-office pages (server-rendered HTML), the REST API under `/api/v1`,
//! health and static assets. HTTP only: handlers build the [`guichet_app::Actor`] from the
//! request ([`auth`]), parse the form or JSON, call a use case of `guichet_app` and render its
//! answer; no rule and no store call lives here.

pub mod api;
pub mod auth;
pub mod client_address;
mod download;
pub mod error;
#[cfg(test)]
mod message_keys;
pub mod pages;
pub mod public_limits;
mod state;
mod upload;
pub mod view;

pub use state::{AppState, WebConfig};

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// Every response's policy: scripts, styles, pictures and fetches from Guichet itself only (no
/// inline script or style, no `eval`), pictures also as `data:` URLs (Swagger UI's icons), no
/// plugin, no `<base>`, forms posted to Guichet only, and never framed (the back office's
/// buttons must not be clickjacked). `cashier.html`'s `application/json` data block is not a
/// script and needs no exception.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
    object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The policy of the public booking flow's pages, which the sites a module lists may frame:
/// [`CONTENT_SECURITY_POLICY`] with its `frame-ancestors` replaced by the module's
/// (`guichet_app::booking_modules::PublicModule::frame_ancestors`). Browsers ignore the
/// `X-Frame-Options: DENY` every response carries when `frame-ancestors` is present.
pub fn framed_content_security_policy(frame_ancestors: &str) -> String {
    CONTENT_SECURITY_POLICY.replace("frame-ancestors 'none'", frame_ancestors)
}

/// The whole application: pages, API, health, assets, with CSRF protection on every
/// state-changing request.
pub fn app(state: AppState) -> Result<Router, String> {
    let mut csrf =
        tower_http::csrf::CsrfLayer::new().with_rejection_response(error::csrf_rejection);
    for origin in &state.web.trusted_origins {
        csrf = csrf
            .add_trusted_origin(origin)
            .map_err(|e| format!("invalid trusted origin {origin}: {e:?}"))?;
    }
    let hsts = state.web.cookie_secure;
    let router = Router::new()
        .merge(pages::router())
        .merge(api::router())
        .route("/healthz", get(healthz))
        .route("/assets/{*file}", get(asset))
        .route("/favicon.ico", get(favicon))
        .route("/media/photos/{id}", get(photo))
        .route("/media/photos/{id}/thumbnail", get(photo_thumbnail))
        .route("/media/products/{id}", get(product_photo))
        .route(
            "/media/products/{id}/thumbnail",
            get(product_photo_thumbnail),
        )
        .route("/media/items/{id}", get(item_picture))
        .route("/media/items/{id}/thumbnail", get(item_picture_thumbnail))
        .fallback(pages::not_found)
        .with_state(state)
        // Photo uploads are up to 5 MB; everything else is far smaller.
        .layer(axum::extract::DefaultBodyLimit::max(
            guichet_integrations::images::MAX_BYTES + 512 * 1024,
        ))
        .layer(csrf)
        .layer(
            tower_http::set_header::SetResponseHeaderLayer::if_not_present(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        )
        .layer(
            tower_http::set_header::SetResponseHeaderLayer::if_not_present(
                header::X_FRAME_OPTIONS,
                HeaderValue::from_static("DENY"),
            ),
        )
        .layer(
            tower_http::set_header::SetResponseHeaderLayer::if_not_present(
                header::REFERRER_POLICY,
                HeaderValue::from_static("same-origin"),
            ),
        )
        .layer(
            tower_http::set_header::SetResponseHeaderLayer::if_not_present(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(CONTENT_SECURITY_POLICY),
            ),
        );
    // HSTS only when cookies are `Secure`, i.e. the operator said Guichet is served over
    // HTTPS: sent over plain HTTP it would lock browsers out of a test installation.
    let router = if hsts {
        router.layer(
            tower_http::set_header::SetResponseHeaderLayer::if_not_present(
                header::STRICT_TRANSPORT_SECURITY,
                HeaderValue::from_static("max-age=31536000"),
            ),
        )
    } else {
        router
    };
    Ok(router.layer(tower_http::trace::TraceLayer::new_for_http()))
}

/// 200 only when the database answers.
async fn healthz(axum::extract::State(state): axum::extract::State<AppState>) -> Response {
    match state.app.ping().await {
        Ok(()) => (StatusCode::OK, "ok").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

/// Offer photos, public like the booking pages that show them (ids are random UUIDv7).
async fn photo(
    state: axum::extract::State<AppState>,
    path: axum::extract::Path<String>,
) -> Response {
    serve_photo(state, path, false).await
}

async fn photo_thumbnail(
    state: axum::extract::State<AppState>,
    path: axum::extract::Path<String>,
) -> Response {
    serve_photo(state, path, true).await
}

use guichet_app::media::Picture;

async fn item_picture(
    state: axum::extract::State<AppState>,
    path: axum::extract::Path<String>,
) -> Response {
    serve_picture(state, path, Picture::Item, false).await
}

async fn item_picture_thumbnail(
    state: axum::extract::State<AppState>,
    path: axum::extract::Path<String>,
) -> Response {
    serve_picture(state, path, Picture::Item, true).await
}

async fn product_photo(
    state: axum::extract::State<AppState>,
    path: axum::extract::Path<String>,
) -> Response {
    serve_picture(state, path, Picture::Product, false).await
}

async fn product_photo_thumbnail(
    state: axum::extract::State<AppState>,
    path: axum::extract::Path<String>,
) -> Response {
    serve_picture(state, path, Picture::Product, true).await
}

async fn serve_photo(
    state: axum::extract::State<AppState>,
    path: axum::extract::Path<String>,
    thumbnail: bool,
) -> Response {
    serve_picture(state, path, Picture::Offer, thumbnail).await
}

async fn serve_picture(
    axum::extract::State(state): axum::extract::State<AppState>,
    axum::extract::Path(id): axum::extract::Path<String>,
    kind: Picture,
    thumbnail: bool,
) -> Response {
    let Ok(id) = id.parse::<uuid::Uuid>() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let found = guichet_app::media::picture(&state, kind, id, thumbnail).await;
    match found {
        Ok((mime, bytes)) => (
            [
                (header::CONTENT_TYPE, mime),
                (header::CACHE_CONTROL, "public, max-age=86400".to_owned()),
            ],
            bytes,
        )
            .into_response(),
        Err(guichet_app::AppError::NotFound) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => {
            tracing::error!(error = %e, "picture");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// Browsers ask `/favicon.ico` of pages that name no icon (a JSON answer, a PDF): the one
/// icon, which every layout links as `/assets/favicon.svg`.
async fn favicon() -> Response {
    axum::response::Redirect::permanent("/assets/favicon.svg").into_response()
}

/// Static assets embedded in the binary.
async fn asset(axum::extract::Path(file): axum::extract::Path<String>) -> Response {
    let (body, mime): (&'static [u8], &str) = match file.as_str() {
        "style.css" => (
            include_bytes!("../assets/style.css"),
            "text/css; charset=utf-8",
        ),
        "favicon.svg" => (include_bytes!("../assets/favicon.svg"), "image/svg+xml"),
        "app.js" => (
            include_bytes!("../assets/app.js"),
            "text/javascript; charset=utf-8",
        ),
        "cashier.js" => (
            include_bytes!("../assets/cashier.js"),
            "text/javascript; charset=utf-8",
        ),
        "register.css" => (
            include_bytes!("../assets/register.css"),
            "text/css; charset=utf-8",
        ),
        "drawer.js" => (
            include_bytes!("../assets/drawer.js"),
            "text/javascript; charset=utf-8",
        ),
        "swagger-ui.css" => (
            include_bytes!("../assets/vendor/swagger-ui.css"),
            "text/css; charset=utf-8",
        ),
        "swagger-ui-bundle.js" => (
            include_bytes!("../assets/vendor/swagger-ui-bundle.js"),
            "text/javascript; charset=utf-8",
        ),
        "embed-child.js" => (
            include_bytes!("../assets/embed-child.js"),
            "text/javascript; charset=utf-8",
        ),
        "book.js" => (
            include_bytes!("../assets/book.js"),
            "text/javascript; charset=utf-8",
        ),
        "analytics.js" => (
            include_bytes!("../assets/analytics.js"),
            "text/javascript; charset=utf-8",
        ),
        "api-docs.js" => (
            include_bytes!("../assets/api-docs.js"),
            "text/javascript; charset=utf-8",
        ),
        "print/tickets.css" => (
            include_bytes!("../assets/print/tickets.css"),
            "text/css; charset=utf-8",
        ),
        "print/tickets-80mm.css" => (
            include_bytes!("../assets/print/tickets-80mm.css"),
            "text/css; charset=utf-8",
        ),
        "print/tickets-a4.css" => (
            include_bytes!("../assets/print/tickets-a4.css"),
            "text/css; charset=utf-8",
        ),
        "print/receipt.css" => (
            include_bytes!("../assets/print/receipt.css"),
            "text/css; charset=utf-8",
        ),
        "print/receipt-80mm.css" => (
            include_bytes!("../assets/print/receipt-80mm.css"),
            "text/css; charset=utf-8",
        ),
        "print/receipt-a4.css" => (
            include_bytes!("../assets/print/receipt-a4.css"),
            "text/css; charset=utf-8",
        ),
        "print/z-report.css" => (
            include_bytes!("../assets/print/z-report.css"),
            "text/css; charset=utf-8",
        ),
        "print/z-report-80mm.css" => (
            include_bytes!("../assets/print/z-report-80mm.css"),
            "text/css; charset=utf-8",
        ),
        "print/z-report-a4.css" => (
            include_bytes!("../assets/print/z-report-a4.css"),
            "text/css; charset=utf-8",
        ),
        "print/labels.css" => (
            include_bytes!("../assets/print/labels.css"),
            "text/css; charset=utf-8",
        ),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    (
        [
            (header::CONTENT_TYPE, mime),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_booking_flow_policy_lets_the_listed_sites_frame_it() {
        let framed = super::framed_content_security_policy(
            &guichet_domain::booking_module::frame_ancestors(&["www.grottes.be".into()]),
        );
        assert!(framed.ends_with("frame-ancestors 'self' https://www.grottes.be"));
        assert!(framed.starts_with("default-src 'self'; script-src 'self';"));
        assert!(
            !framed.contains("'none'; frame") && framed.matches("frame-ancestors").count() == 1
        );
    }
}
