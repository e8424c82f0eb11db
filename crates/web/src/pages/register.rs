//! The cashier screen: one page, keyboard-first and touch-friendly. The catalogue comes embedded
//! as JSON; live remaining places come from the availability API; the cart is priced by the
//! preview endpoint and the sale recorded by `POST /api/v1/orders` (with an idempotency key),
//! so the page and the API sell through the same code.

use super::support::OrPage;
use crate::auth::PageCtx;
use crate::error::PageError;
use crate::state::AppState;
use crate::view::{Tr, render};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use guichet_app::orders as sale;
use guichet_app::registers::Register;
use guichet_domain::Permission;
use guichet_domain::order::PaymentMethod;
use guichet_domain::org::RegisterKind;
use serde::Deserialize;
use serde_json::json;

/// The routes of these pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/register", get(page))
        .route("/register/catalogue", get(catalogue))
}

/// Error codes the screen may receive, with their messages in the user's language.
const CODES: &[&str] = &[
    "empty_cart",
    "unknown_register",
    "method_disabled",
    "method_not_on_phone",
    "amount_zero",
    "more_than_due",
    "more_than_paid",
    "price_change_not_allowed",
    "invalid_quantity",
    "unknown_offer",
    "not_sold_at_register",
    "not_offered",
    "unknown_session",
    "phone_future_only",
    "sales_closed",
    "sales_stopped",
    "sold_out",
    "daily_stock_exhausted",
    "equipment_exhausted",
    "out_of_stock",
    "session_closed",
    "below_minimum",
    "above_maximum",
    "unknown_method",
    "unknown_product",
    "required",
    "negative_price",
    "not_a_number",
    "too_precise",
    "out_of_range",
    "invalid_discount",
    "amount_too_large",
    "idempotency_conflict",
    "quote_not_payable",
    "register_closed",
];

/// Texts the script shows.
pub(crate) const TEXTS: &[&str] = &[
    "cashier-no-session",
    "cashier-places-left",
    "cashier-full",
    "cashier-unknown-barcode",
    "cashier-free-reason",
    "cashier-new-price",
    "cashier-price-reason",
    "cashier-sold",
    "cashier-change",
    "cashier-quote-saved",
    "cashier-error",
    "action-remove",
    "cashier-free",
    "cashier-price",
    "cashier-started",
    "planning-closed",
    "planning-stopped",
    "cashier-view-order",
    "cashier-register-open",
    "cashier-register-closed",
    "cashier-register-phone",
    "order-print-receipt",
    "order-print-tickets",
    "cashier-add-typed",
    "cashier-note-added",
    "cashier-reservations",
    "cashier-late-entry",
    "cashier-sales-closed",
    "cashier-all-started",
    "cashier-one-started",
    "cashier-none-on-sale",
    "cashier-none-on-sale-one",
    "cashier-places-only",
    "cashier-line-refused",
    "cashier-refused-lines",
    "cashier-choose-method",
    "cashier-pay-later-confirm",
    "cashier-partial",
    "cashier-partial-confirm",
    "cashier-pay-later",
    "cashier-details-with",
    "cashier-other-methods",
    "register-other-offers",
    "register-other-products",
    "register-details",
    "register-fullscreen",
    "cashier-no-customer",
];

#[derive(Template)]
#[template(path = "cashier.html")]
struct CashierPage {
    tr: Tr,
    user_name: String,
    registers: Vec<Register>,
    register_id: String,
    today: String,
    data: String,
    nl_provinces: &'static [&'static str],
}

impl CashierPage {
    fn selected(&self, r: &Register) -> bool {
        self.register_id == r.id.to_string()
    }

    /// The empty cart's totals, written as the reader's language writes amounts.
    fn no_money(&self) -> String {
        self.tr.money(&0)
    }

    /// A quick amount of the keypad ("20,00 €").
    fn money_of(&self, cents: i64) -> String {
        self.tr.money(&cents)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CashierQuery {
    register: String,
}

pub async fn page(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
    Query(q): Query<CashierQuery>,
) -> Result<Response, PageError> {
    ctx.require(Permission::Sell).or_page(&ctx)?;
    let tr = Tr(ctx.lang);
    let registers = sale::selling_registers(&state, &ctx).await.or_page(&ctx)?;
    let register_id = registers
        .iter()
        .find(|r| r.id.to_string() == q.register)
        .or(registers.first())
        .map(|r| r.id.to_string())
        .unwrap_or_default();
    let catalogue = sale::cashier_catalogue(&state, &ctx).await.or_page(&ctx)?;
    let open = guichet_app::closing::open_sessions(&state, &ctx)
        .await
        .or_page(&ctx)?;
    let methods = sale::enabled_methods(&state, &ctx).await.or_page(&ctx)?;
    let tz = guichet_app::organization::time_zone(&state, ctx.tenant)
        .await
        .or_page(&ctx)?;
    let zone = jiff::tz::TimeZone::get(&tz).unwrap_or(jiff::tz::TimeZone::UTC);
    let today = jiff::Timestamp::now().to_zoned(zone).date().to_string();
    let data = json!({
        "catalogue": catalogue,
        "time_zone": tz,
        "today": today,
        "can_change_price": ctx.can(Permission::ChangePrice),
        "registers": registers.iter().map(|r| json!({
            "id": r.id.to_string(),
            "phone": r.kind == RegisterKind::Phone,
            "open": open.iter().any(|o| o.session.register_id == r.id),
        })).collect::<Vec<_>>(),
        "methods": methods.iter().map(|m: &PaymentMethod| json!({
            "code": m.as_str(), "label": tr.method(m), "phone": m.allowed_on_phone(), "change": m.gives_change()
        })).collect::<Vec<_>>(),
        "errors": CODES.iter().map(|c| (c.to_string(), json!(tr.error(c)))).collect::<serde_json::Map<_, _>>(),
        "text": TEXTS.iter().map(|k| (k.to_string(), json!(tr.t(k)))).collect::<serde_json::Map<_, _>>(),
    });
    // Safe inside <script>: no "<" can close the element.
    let data = data.to_string().replace('<', "\\u003c");
    Ok(render(&CashierPage {
        tr,
        user_name: ctx
            .user
            .as_ref()
            .map(|u| u.name.clone())
            .unwrap_or_default(),
        registers,
        register_id,
        today,
        data,
        nl_provinces: &guichet_domain::customer::NL_PROVINCES,
    }))
}

/// The catalogue again, for the screen to show the stock and offers as they are after a sale
/// (other registers sell too).
async fn catalogue(
    State(state): State<AppState>,
    PageCtx(ctx): PageCtx,
) -> Result<Response, PageError> {
    let catalogue = sale::cashier_catalogue(&state, &ctx).await.or_page(&ctx)?;
    Ok(axum::Json(catalogue).into_response())
}
