//! The receipt (80 mm for receipt printers, A4) and the tickets with their QR codes, as print
//! views of the browser: no extra software at the desk. A second print says DUPLICATA.

use super::support::{OrPage, parse_id};
use crate::auth::PageCtx;
use crate::error::PageError;
use crate::state::AppState;
use crate::view::{Tr, render};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use guichet_app::documents::{self, Ticket};
use guichet_app::orders::Order;
use guichet_app::organization::Organization;
use guichet_domain::OrderId;
use serde::Deserialize;

/// The routes of these pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/orders/{id}/receipt", get(receipt))
        .route("/orders/{id}/tickets", get(tickets))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PrintQuery {
    /// `a4`; 80 mm otherwise (the receipt printer at the desk).
    format: String,
}

#[derive(Template)]
#[template(path = "receipt.html")]
struct ReceiptPage {
    tr: Tr,
    o: Order,
    org: Organization,
    copy: i64,
    tz: String,
    narrow: bool,
}

impl ReceiptPage {
    fn version(&self) -> &'static str {
        env!("CARGO_PKG_VERSION")
    }
    fn due(&self) -> String {
        self.tr
            .money(&(self.o.total_cents - self.o.collected_cents))
    }
}

pub async fn receipt(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<String>,
    Query(q): Query<PrintQuery>,
) -> Result<Response, PageError> {
    let id: OrderId = parse_id(&id, &ctx)?;
    let printed = documents::receipt(&state, &ctx, id).await.or_page(&ctx)?;
    let (o, org) = printed.doc;
    Ok(render(&ReceiptPage {
        // In the customer's language when known, else the staff's.
        tr: Tr(printed.language.unwrap_or(ctx.lang)),
        tz: org.time_zone.clone(),
        o,
        org,
        copy: printed.copy,
        narrow: q.format != "a4",
    }))
}

/// A ticket ready to print, with its QR code drawn.
struct PrintedTicket {
    t: Ticket,
    qr: String,
}

#[derive(Template)]
#[template(path = "tickets.html")]
struct TicketsPage {
    tr: Tr,
    o: Order,
    tickets: Vec<PrintedTicket>,
    copy: i64,
    tz: String,
    organization: String,
    narrow: bool,
}

pub async fn tickets(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Path(id): Path<String>,
    Query(q): Query<PrintQuery>,
) -> Result<Response, PageError> {
    let id: OrderId = parse_id(&id, &ctx)?;
    let printed = documents::tickets(&state, &ctx, id, true)
        .await
        .or_page(&ctx)?;
    let language = printed.language;
    let (o, list) = printed.doc;
    let tz = guichet_app::organization::time_zone(&state, ctx.tenant)
        .await
        .or_page(&ctx)?;
    let organization = guichet_app::organization::organization_name(&state, ctx.tenant)
        .await
        .or_page(&ctx)?;
    let tickets = list
        .into_iter()
        .map(|t| {
            // A code that cannot be drawn still prints as text under the empty square.
            let qr = guichet_integrations::labels::qr_svg(&t.code).unwrap_or_default();
            PrintedTicket { t, qr }
        })
        .collect();
    Ok(render(&TicketsPage {
        // In the customer's language when known, else the staff's.
        tr: Tr(language.unwrap_or(ctx.lang)),
        o,
        tickets,
        copy: printed.copy,
        tz,
        organization,
        narrow: q.format != "a4",
    }))
}
