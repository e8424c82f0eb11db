//! A priced cart: what the store writes.

use super::*;

/// What a line sells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    TicketType,
    Extra,
    Product,
    /// A deposit: paid on its own order, or deducted (negative) from the goods' sale.
    Deposit,
}

impl LineKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LineKind::TicketType => "ticket_type",
            LineKind::Extra => "extra",
            LineKind::Product => "product",
            LineKind::Deposit => "deposit",
        }
    }

    /// The kind a stored line names (`product` for anything unknown).
    pub fn parse(s: &str) -> LineKind {
        match s {
            "ticket_type" => LineKind::TicketType,
            "extra" => LineKind::Extra,
            "deposit" => LineKind::Deposit,
            _ => LineKind::Product,
        }
    }
}

/// A priced line: everything the store writes, and what it checks places and stock with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricedLine {
    pub kind: LineKind,
    pub offer_id: Option<OfferId>,
    pub session_start: Option<i64>,
    /// The session's day in the organization's zone.
    pub visit_date: Option<Date>,
    pub item_id: Option<ItemId>,
    pub product_id: Option<ProductId>,
    pub label: String,
    pub quantity: i64,
    pub unit_price_cents: i64,
    pub list_price_cents: i64,
    pub price_reason: Option<String>,
    pub discount_cents: i64,
    pub discount_reason: Option<String>,
    /// quantity × unit price − discount, VAT included.
    pub total_cents: i64,
    pub vat_rate_bp: u32,
    /// The line's share of its rate's VAT.
    pub vat_cents: i64,
    /// The offer's capacity per session, for ticket lines.
    pub session_capacity: Option<i64>,
    /// The ticket type's or extra's daily stock.
    pub daily_stock: Option<i64>,
    /// An extra's units per session.
    pub item_capacity: Option<i64>,
    pub offer_name: Option<String>,
    /// False for gift cards, vouchers and deposits.
    pub discountable: bool,
}

impl PricedLine {
    /// A deposit line: paid on its own order (positive), or deducted from the sale of the
    /// goods (negative). It takes no stock and no discount.
    pub fn deposit(label: String, cents: i64, vat_rate_bp: u32) -> PricedLine {
        PricedLine {
            kind: LineKind::Deposit,
            offer_id: None,
            session_start: None,
            visit_date: None,
            item_id: None,
            product_id: None,
            label,
            quantity: 1,
            unit_price_cents: cents,
            list_price_cents: cents,
            price_reason: None,
            discount_cents: 0,
            discount_reason: None,
            total_cents: cents,
            vat_rate_bp,
            vat_cents: 0,
            session_capacity: None,
            daily_stock: None,
            item_capacity: None,
            offer_name: None,
            discountable: false,
        }
    }

    /// Quantity × unit price, before discounts.
    pub fn gross_cents(&self) -> i64 {
        self.total_cents + self.discount_cents
    }
}

/// A payment taken with the sale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SalePayment {
    pub method: PaymentMethod,
    /// Kept: tendered minus change.
    pub amount_cents: i64,
    pub tendered_cents: i64,
    pub change_cents: i64,
}

/// A deposit the sale deducts, for the sale's transaction to check and record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DepositUsed {
    pub reservation_id: Uuid,
    pub cents: i64,
}

/// A cart priced and checked, not yet recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricedCart {
    /// The organization's day at `now`: the order's number is of that day.
    pub day: Date,
    pub lines: Vec<PricedLine>,
    pub totals: Totals,
    /// The earliest session's day and start.
    pub visit_date: Option<Date>,
    pub visit_start: Option<i64>,
    pub payments: Vec<SalePayment>,
    /// The promo code to redeem with the sale.
    pub promo_code: Option<PromoCodeId>,
    pub deposits_used: Vec<DepositUsed>,
    /// Asked for visits only; the attached customer's by default.
    pub origin: Option<Origin>,
    pub customer: Option<CustomerId>,
}
