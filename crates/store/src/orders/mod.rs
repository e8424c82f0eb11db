//! Orders, their lines and payments. A sale is one transaction: the order and its lines, the
//! places and stock it takes (each check and decrement one conditional UPDATE, so nothing is
//! ever oversold), its number from its gapless counter ([`crate::counters`]), its payments
//! allocated to lines, and its journal entries. Cancelling gives places and stock back in one
//! transaction too.
//!
//! One file per feature: [`sell`] (a sale or a quote saved), [`quote`] (a quote confirmed),
//! [`pay`] (payments and refunds on an order), [`cancel`], [`read`] (get, list, find),
//! [`reports`] (payment lines); [`stock`] holds the places and stock a sale takes and a
//! cancellation gives back. Their public functions are re-exported here, so callers keep
//! writing `orders::create`, `orders::get`, …

mod attendance;
mod cancel;
mod pay;
mod quote;
mod read;
mod reports;
mod sale_reads;
pub(crate) mod search;
mod sell;
mod stock;

pub use attendance::{AttendanceKey, AttendanceLine, attendance_lines};
pub use cancel::{cancel, cancel_at, set_refund_due};
pub use pay::{add_payments, disabled_methods, set_method_enabled};
pub use quote::confirm_quote;
pub use read::{
    DateFilter, OrderKey, OrderSummary, OrderSummaryLine, find_by_idempotency_key, find_by_number,
    get, list,
};
pub use reports::{PaymentLine, PaymentLineKey, payment_lines};
pub use sale_reads::{SaleReadKeys, SaleReads, sale_reads};
pub use search::{Channel, OrderFilter, PaymentStatus, SearchTotals, totals};
pub use sell::create;

use crate::register_sessions;
use crate::{Result, Tenant, Tx};
use guichet_domain::customer::Origin;
use guichet_domain::order::{OrderState, PaymentMethod, RateTotal};
use guichet_domain::{
    BookingModuleId, CustomerId, ItemId, OfferId, OrderId, OrderLineId, PaymentId, ProductId,
    PromoCodeId, RegisterId, RegisterSessionId, UserId,
};
use serde::Serialize;
use uuid::Uuid;

/// What a line sells (the domain's kinds: ticket type, extra, product, deposit).
pub use guichet_domain::sale::LineKind;

/// A priced line, ready to be written: the domain's priced line as `price_cart` made it;
/// limits (places, daily stock, equipment, product stock) are checked and taken in the
/// transaction.
pub use guichet_domain::sale::PricedLine as NewLine;

#[derive(Debug, Clone)]
pub struct NewPayment {
    /// When it was taken (microseconds), when importing or seeding history. `None`: now, as
    /// the transaction numbers its payment lines (with a sale: the sale's time).
    pub at: Option<i64>,
    pub method: PaymentMethod,
    /// Kept by the seller: tendered minus change. Negative for a refund.
    pub amount_cents: i64,
    pub tendered_cents: i64,
    pub change_cents: i64,
}

impl NewPayment {
    /// `cents` given back now (a negative payment).
    pub fn refund(method: PaymentMethod, cents: i64) -> Self {
        NewPayment {
            at: None,
            method,
            amount_cents: -cents,
            tendered_cents: -cents,
            change_cents: 0,
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewOrder {
    pub register_id: Option<RegisterId>,
    /// The register's kind as the sale was priced with it, if known: whether it sells while
    /// closed is then not read again.
    pub register_kind: Option<guichet_domain::org::RegisterKind>,
    /// Saved as a quote: takes nothing, gets a quote number, no journal entry.
    pub quote: bool,
    pub lines: Vec<NewLine>,
    pub total_cents: i64,
    pub vat_cents: i64,
    pub visit_date: Option<String>,
    pub visit_start: Option<i64>,
    pub customer_comment: Option<String>,
    pub internal_comment: Option<String>,
    pub created_by: Option<UserId>,
    pub idempotency_key: Option<String>,
    pub customer_id: Option<CustomerId>,
    /// Where the visitors come from (visit orders).
    pub origin: Option<Origin>,
    /// Redeemed in the sale's transaction (when the order is finalized).
    pub promo_code_id: Option<PromoCodeId>,
    /// The organization's local day, for the number.
    pub day: jiff::civil::Date,
    /// When it was made (microseconds), when importing or seeding history. `None`: now, taken
    /// in the sale's transaction once its number is, so that a later number never carries an
    /// earlier time.
    pub at: Option<i64>,
    pub payments: Vec<NewPayment>,
    /// The reservations whose deposit a deposit line deducts, with that deposit: each must be
    /// sold whole by this sale ([`crate::reservations`]).
    pub deposits_used: Vec<(Uuid, i64)>,
    /// Names the created order is answered with (display only: the rows store the ids).
    pub names: Names,
    /// The cart whose held places this sale takes (online booking): the sale is refused with
    /// `hold_expired` unless the cart's holds still run ([`crate::holds::take_for_sale`]).
    pub hold_cart: Option<String>,
    /// Booked online through this module, in this language (`fr`, `nl`, `en`).
    pub online: Option<(BookingModuleId, String)>,
}

/// The register's, customer's and seller's names as [`Order`] shows them.
#[derive(Debug, Clone, Default)]
pub struct Names {
    pub register: Option<String>,
    pub customer: Option<String>,
    pub created_by: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OrderLine {
    pub id: OrderLineId,
    /// 1-based; payments list as `number_N`.
    pub position: i32,
    pub kind: LineKind,
    pub offer_id: Option<OfferId>,
    pub offer_name: Option<String>,
    pub session_start: Option<i64>,
    pub visit_date: Option<String>,
    pub item_id: Option<ItemId>,
    pub product_id: Option<ProductId>,
    pub label: String,
    pub quantity: i64,
    pub unit_price_cents: i64,
    pub list_price_cents: i64,
    pub price_reason: Option<String>,
    pub discount_cents: i64,
    pub discount_reason: Option<String>,
    pub total_cents: i64,
    pub vat_rate_basis_points: u32,
    pub vat_cents: i64,
    /// Paid so far on this line, net of refunds.
    pub paid_cents: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Payment {
    pub id: PaymentId,
    pub method: PaymentMethod,
    pub amount_cents: i64,
    pub tendered_cents: i64,
    pub change_cents: i64,
    pub taken_at: i64,
    pub register_id: Option<RegisterId>,
    pub taken_by_name: Option<String>,
    /// (line position, amount).
    pub allocations: Vec<(i32, i64)>,
    /// Each allocation's payment line number in the order (the `N` of `P2103160760_N`), in
    /// the order of `allocations`: every payment line has its own, refunds included.
    pub numbers: Vec<i32>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Order {
    pub id: OrderId,
    pub number: Option<String>,
    pub quote_number: Option<String>,
    pub register_id: Option<RegisterId>,
    pub register_name: Option<String>,
    pub customer_id: Option<CustomerId>,
    pub customer_name: Option<String>,
    pub origin: Option<Origin>,
    pub state: OrderState,
    pub total_cents: i64,
    pub vat_cents: i64,
    pub collected_cents: i64,
    /// Finalized, not cancelled, and collected differs from the total.
    pub flagged: bool,
    pub vat_by_rate: Vec<RateTotal>,
    pub visit_date: Option<String>,
    pub visit_start: Option<i64>,
    pub customer_comment: Option<String>,
    pub internal_comment: Option<String>,
    pub created_by_name: Option<String>,
    pub created_at: i64,
    pub finalized_at: Option<i64>,
    pub cancelled_at: Option<i64>,
    /// Booked online: the module (its channel), the visitor's language, what to refund.
    pub online: Option<Online>,
    pub lines: Vec<OrderLine>,
    pub payments: Vec<Payment>,
}

/// Where an order booked online came from.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Online {
    pub module_id: BookingModuleId,
    pub module_name: String,
    /// The visitor's language (`fr`, `nl`, `en`): the e-mails about the order speak it.
    pub language: String,
    /// Paid online and to be refunded through the payment provider after the visitor
    /// cancelled.
    pub refund_due_cents: i64,
}

fn journal_chain(register: Option<RegisterId>) -> String {
    crate::journal::chain_of(register.map(|r| r.0))
}

/// Finalized, not cancelled, and collected differs from the total.
fn flagged(state: OrderState, collected: i64, total: i64) -> bool {
    matches!(state, OrderState::AwaitingPayment | OrderState::Confirmed) && collected != total
}

/// Rows per multi-row INSERT: far under both backends' limits on bound parameters.
const ROWS_PER_INSERT: usize = 400;

fn line_field(position: i32) -> String {
    format!("lines[{}]", position - 1)
}

/// The register session a sale or payment on `register` counts in; refused on a closed
/// register whose kind needs an open session (see [`register_sessions::for_sale`]).
async fn session_for_sale(
    tx: &mut Tx,
    tenant: Tenant,
    register: Option<RegisterId>,
) -> Result<Option<RegisterSessionId>> {
    match register {
        Some(r) => register_sessions::for_sale(tx, tenant, r).await,
        None => Ok(None),
    }
}
