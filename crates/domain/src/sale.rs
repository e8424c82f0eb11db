//! Pricing a cart: the sale-time rules, without IO.
//!
//! [`price_cart`] prices a [`Cart`] from a [`SaleContext`] — everything the use case read
//! from the store in one read transaction, in domain types — on a sales [`Channel`], at an
//! instant. It checks every rule that can be checked before the sale's transaction (channels,
//! publication window, cut-offs, unknown and stopped sessions, the phone's future-only rule,
//! minimum and maximum quantities, price changes, promotions and the promo code, the
//! customer's terms, deposits deducted, payments) and reports every bad field at once, with
//! the same field names and codes the pages and the API have always used.
//!
//! What the store still checks in the sale's transaction (places and stock left, a promo
//! code's last use taken by a concurrent sale, a deposit deducted meanwhile) is not here.

use crate::catalogue::ItemKind;
use crate::customer::{Origin, TaxTreatment, apply_terms, effective_terms};
use crate::money::percent_text;
use crate::order::{self, PaymentMethod, Totals, line_amount, tender};
use crate::org::RegisterKind;
use crate::promotion::{
    CodeTarget, DateRange, DiscountLine, PromoCode, Promotion, apply_reductions, normalize_code,
};
use crate::reservation::consumed;
use crate::schedule::SessionSource;
use crate::shop::parse_price_cents;
use crate::validation::{ErrorCode, FieldErrors};
use crate::{CustomerId, ItemId, OfferId, ProductId, PromoCodeId};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use std::collections::HashSet;
use uuid::Uuid;

/// Every field the cart gets wrong, with its stable code (`lines[3].quantity`:
/// `invalid_quantity`).
pub type SaleErrors = FieldErrors;

/// Most units of one line.
pub const MAX_LINE_QUANTITY: i64 = 10_000;

/// Longest reason or comment kept (longer ones are cut).
const MAX_REASON_CHARS: usize = 2000;

// ---------------------------------------------------------------- channel

/// Where a sale is made: at a counter register, at the phone register, or online by the
/// visitor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    Counter,
    Phone,
    Online,
}

impl Channel {
    pub const ALL: [Channel; 3] = [Channel::Counter, Channel::Phone, Channel::Online];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Counter => "counter",
            Channel::Phone => "phone",
            Channel::Online => "online",
        }
    }

    pub fn parse(s: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == s.trim())
    }

    /// Whether something sold at registers (`sale_pos`) and/or online (`sale_online`) is
    /// sold on this channel. Both registers, counter and phone, sell what registers sell.
    pub fn sells(self, sale_pos: bool, sale_online: bool) -> bool {
        match self {
            Channel::Counter | Channel::Phone => sale_pos,
            Channel::Online => sale_online,
        }
    }

    /// The code for something this channel does not sell.
    pub fn not_sold_code(self) -> &'static str {
        match self {
            Channel::Counter | Channel::Phone => "not_sold_at_register",
            Channel::Online => "not_sold_online",
        }
    }
}

impl From<RegisterKind> for Channel {
    fn from(kind: RegisterKind) -> Channel {
        match kind {
            RegisterKind::Counter => Channel::Counter,
            RegisterKind::Phone => Channel::Phone,
        }
    }
}

// ---------------------------------------------------------------- the cart

/// A cart as the seller or the visitor made it, ids parsed, amounts and reasons still as
/// typed (they are checked against the catalogue).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cart {
    pub lines: Vec<CartLine>,
    /// One promo code per cart, as typed (any case).
    pub promo_code: Option<String>,
    pub customer: CustomerRef,
    /// Leave out the attached customer's discount and VAT exemption this once (needs the
    /// right to change prices).
    pub skip_customer_terms: bool,
    /// Where the visitors come from, as typed; the attached customer's when absent or blank.
    pub origin: Option<OriginInput>,
    /// Empty: pay later. Less than the total: a deposit.
    pub payments: Vec<PaymentInput>,
    /// Save as a quote: nothing is paid, no deposit is deducted.
    pub quote: bool,
}

/// One line of a cart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CartLine {
    pub target: LineTarget,
    pub quantity: i64,
    /// A changed unit price as typed ("12,00"), with `price_reason`.
    pub unit_price: Option<String>,
    pub price_reason: Option<String>,
    /// Make the line free, with `free_reason`.
    pub free: bool,
    pub free_reason: Option<String>,
}

/// What a cart line sells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineTarget {
    /// A ticket type or extra of an offer's session. `offer` is `None` when the text given
    /// is not an id (`unknown_offer`), `item` when absent or not an id (`not_offered`).
    Visit {
        offer: Option<OfferId>,
        session_start: Option<i64>,
        item: Option<ItemId>,
    },
    /// A shop product.
    Product(ProductRef),
}

/// How a product line names its product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProductRef {
    Id(ProductId),
    /// Scanned (trimmed, not empty).
    Barcode(String),
    /// A product id that is not an id (`unknown_product`).
    InvalidId,
    /// Neither id nor barcode (`required`).
    Missing,
}

impl LineTarget {
    /// From the raw fields of a line: any `offer_id` given (even blank) makes a visit line;
    /// otherwise a non-blank `product_id` wins over a non-blank `barcode`.
    pub fn parse(
        offer_id: Option<&str>,
        session_start: Option<i64>,
        item_id: Option<&str>,
        product_id: Option<&str>,
        barcode: Option<&str>,
    ) -> LineTarget {
        if let Some(offer) = offer_id {
            return LineTarget::Visit {
                offer: offer.trim().parse().ok(),
                session_start,
                item: item_id.and_then(|s| s.trim().parse().ok()),
            };
        }
        let product_id = product_id.map(str::trim).filter(|s| !s.is_empty());
        let barcode = barcode.map(str::trim).filter(|s| !s.is_empty());
        LineTarget::Product(match (product_id, barcode) {
            (Some(id), _) => id.parse().map_or(ProductRef::InvalidId, ProductRef::Id),
            (None, Some(code)) => ProductRef::Barcode(code.to_owned()),
            (None, None) => ProductRef::Missing,
        })
    }
}

/// The customer a cart names.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CustomerRef {
    #[default]
    None,
    /// Not an id (`unknown_customer`).
    Invalid,
    Id(CustomerId),
}

impl CustomerRef {
    /// Blank or absent: none.
    pub fn parse(raw: Option<&str>) -> CustomerRef {
        match raw.map(str::trim).filter(|s| !s.is_empty()) {
            None => CustomerRef::None,
            Some(s) => s.parse().map_or(CustomerRef::Invalid, CustomerRef::Id),
        }
    }
}

/// Where visitors come from, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OriginInput {
    /// ISO 3166 two-letter code; Belgium when empty.
    pub country: String,
    pub postal_code: String,
    /// For the Netherlands, instead of the postal code.
    pub province: String,
}

impl OriginInput {
    fn is_blank(&self) -> bool {
        self.country.trim().is_empty()
            && self.postal_code.trim().is_empty()
            && self.province.trim().is_empty()
    }
}

/// A payment as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PaymentInput {
    /// A [`PaymentMethod`] code (`cash`, `card_terminal`, …).
    pub method: String,
    /// Amount handed over ("20,00"); with cash, what exceeds the amount due is change.
    pub amount: String,
}

/// What the store must read to price a cart (see [`Cart::wants`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CartKeys {
    pub offers: Vec<OfferId>,
    /// Ticket types and extras the lines name (load those the offers price).
    pub items: Vec<ItemId>,
    pub products: Vec<ProductId>,
    pub barcodes: Vec<String>,
    /// The organization's days of the sessions named, for the stop-sales.
    pub days: Vec<Date>,
    pub promo_code: Option<String>,
    pub customer: Option<CustomerId>,
}

impl Cart {
    /// The ids, barcodes, days, code and customer the cart names, without duplicates: what
    /// the use case reads before calling [`price_cart`].
    pub fn wants(&self, tz: &TimeZone) -> CartKeys {
        fn push<T: PartialEq>(v: &mut Vec<T>, x: T) {
            if !v.contains(&x) {
                v.push(x);
            }
        }
        let mut k = CartKeys::default();
        for l in &self.lines {
            match &l.target {
                LineTarget::Visit {
                    offer,
                    session_start,
                    item,
                } => {
                    if let Some(o) = offer {
                        push(&mut k.offers, *o);
                    }
                    if let Some(i) = item {
                        push(&mut k.items, *i);
                    }
                    if let Some(day) = session_start.and_then(|s| session_day(s, tz)) {
                        push(&mut k.days, day);
                    }
                }
                LineTarget::Product(ProductRef::Id(p)) => push(&mut k.products, *p),
                LineTarget::Product(ProductRef::Barcode(b)) => push(&mut k.barcodes, b.clone()),
                LineTarget::Product(_) => {}
            }
        }
        k.promo_code = code_text(self.promo_code.as_deref()).map(str::to_owned);
        if let CustomerRef::Id(c) = self.customer {
            k.customer = Some(c);
        }
        k
    }
}

fn session_day(start_micros: i64, tz: &TimeZone) -> Option<Date> {
    Timestamp::from_microsecond(start_micros)
        .ok()
        .map(|t| t.to_zoned(tz.clone()).date())
}

fn code_text(raw: Option<&str>) -> Option<&str> {
    raw.map(str::trim).filter(|c| !c.is_empty())
}

/// A reason or comment: trimmed, blank is none, cut at 2000 characters.
pub fn clean(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.chars().take(MAX_REASON_CHARS).collect())
}

// ---------------------------------------------------------------- the context

/// Everything [`price_cart`] reads, as the store had it in one read transaction.
#[derive(Debug, Clone)]
pub struct SaleContext {
    /// The organization's time zone: its days, session days, cut-offs.
    pub time_zone: TimeZone,
    /// The seller may change prices and leave out a customer's terms
    /// (`Permission::ChangePrice`). Never used online.
    pub may_change_price: bool,
    /// The offers the cart names (archived ones included: they are refused, not unknown).
    pub offers: Vec<SaleOffer>,
    /// The ticket types and extras those offers price.
    pub items: Vec<SaleItem>,
    /// The products the cart names by id or barcode (archived ones included).
    pub products: Vec<SaleProduct>,
    /// The promotions not archived.
    pub promotions: Vec<Promotion>,
    /// The promo code found for the cart's code, if any.
    pub promo_code: Option<PromoCode>,
    /// The attached customer, when found.
    pub customer: Option<SaleCustomer>,
    /// The customer's reservations set aside, oldest first.
    pub set_aside: Vec<SetAside>,
    /// The payment methods the organization offers.
    pub enabled_methods: Vec<PaymentMethod>,
    /// Sales stopped on a day, for an offer or a ticket type.
    pub stopped: HashSet<(StopTarget, Date)>,
    /// Translated words the lines' reasons are made of.
    pub labels: Labels,
}

/// What sales are stopped for, on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StopTarget {
    Offer(OfferId),
    TicketType(ItemId),
}

/// An offer, as sold.
#[derive(Debug, Clone)]
pub struct SaleOffer {
    pub id: OfferId,
    /// The name lists show (the French one).
    pub name: String,
    pub archived: bool,
    pub sale_pos: bool,
    pub sale_online: bool,
    /// Most visitors per session.
    pub capacity: i64,
    /// Sales close this many hours before a session online / at the registers.
    pub online_cutoff_hours: i64,
    pub pos_cutoff_hours: i64,
    /// Visit dates bookable online (inclusive, open ends unbounded).
    pub published_from: Option<Date>,
    pub published_to: Option<Date>,
    pub prices: Vec<SalePrice>,
    /// Where its sessions come from: its schedule or the site's opening hours.
    pub sessions: SessionSource,
}

/// A price line of an offer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SalePrice {
    pub item_id: ItemId,
    pub item_kind: ItemKind,
    pub item_name: String,
    /// VAT included.
    pub price_cents: i64,
    pub vat_rate_bp: u32,
    pub min_quantity: i64,
    pub max_quantity: Option<i64>,
}

/// A ticket type or extra.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaleItem {
    pub id: ItemId,
    pub archived: bool,
    pub sale_pos: bool,
    pub sale_online: bool,
    pub daily_stock: i64,
    /// An extra's units per session.
    pub capacity: Option<i64>,
}

/// A shop product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaleProduct {
    pub id: ProductId,
    pub name: String,
    pub barcode: String,
    pub archived: bool,
    pub sale_pos: bool,
    pub sale_online: bool,
    /// VAT included.
    pub price_cents: i64,
    pub vat_rate_bp: u32,
    /// False for gift cards and vouchers: never discounted.
    pub discountable: bool,
}

/// The attached customer's terms and origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaleCustomer {
    pub id: CustomerId,
    pub discount_bp: u32,
    pub vat_exempt: bool,
    pub origin: Origin,
    pub customer_type: Option<SaleCustomerType>,
}

/// A customer type's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaleCustomerType {
    pub name: String,
    pub discount_bp: u32,
    pub tax: TaxTreatment,
}

/// A reservation set aside for the customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetAside {
    pub id: Uuid,
    pub product_id: ProductId,
    pub quantity: i64,
    /// A deposit paid and not yet deducted from a sale.
    pub open_deposit: Option<OpenDeposit>,
}

/// A deposit paid on a reservation's own order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenDeposit {
    pub cents: i64,
    /// The rate it was paid at (the goods').
    pub vat_rate_bp: u32,
    /// The deduction's line label, translated ("order-deposit-deducted" with the product's
    /// name and the deposit order's number).
    pub deducted_label: String,
}

/// Translated words (the domain has no translations).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Labels {
    /// "order-customer-discount"
    pub customer_discount: String,
    /// "customers-vat-exempt"
    pub vat_exempt: String,
    /// "label-vat"
    pub vat: String,
}

// ---------------------------------------------------------------- the priced cart

/// What a line sells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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

// ---------------------------------------------------------------- pricing

/// Prices `cart` from `ctx` on `channel` at `now`; every bad field is reported at once.
pub fn price_cart(
    ctx: &SaleContext,
    cart: &Cart,
    channel: Channel,
    now: Timestamp,
) -> Result<PricedCart, SaleErrors> {
    let mut e = FieldErrors::new();
    let today = now.to_zoned(ctx.time_zone.clone()).date();
    let may_change_price = ctx.may_change_price && channel != Channel::Online;
    let customer = match cart.customer {
        CustomerRef::None => None,
        CustomerRef::Invalid => {
            e.add("customer_id", "unknown_customer");
            None
        }
        CustomerRef::Id(id) => {
            let found = ctx.customer.as_ref().filter(|c| c.id == id);
            if found.is_none() {
                e.add("customer_id", "unknown_customer");
            }
            found
        }
    };
    let mut lines = price_lines(ctx, cart, channel, now, today, may_change_price, &mut e);
    let visit_start = lines.iter().filter_map(|l| l.session_start).min();
    let visit_date = lines.iter().filter_map(|l| l.visit_date).min();
    let promo_code = reductions(ctx, today, &mut lines, cart.promo_code.as_deref(), &mut e);
    if let Some(c) = customer {
        if cart.skip_customer_terms && !may_change_price {
            e.add("skip_customer_terms", "price_change_not_allowed");
        } else if !cart.skip_customer_terms {
            customer_terms(c, &ctx.labels, &mut lines);
        }
    }
    let origin = origin(cart, customer, &lines, &mut e);
    let deposits_used = match customer {
        Some(_) if !cart.quote => deposit_deductions(&ctx.set_aside, &mut lines, &mut e),
        _ => Vec::new(),
    };
    let totals = order::totals(&amounts(&lines));
    for (l, vat) in lines.iter_mut().zip(&totals.line_vat_cents) {
        l.vat_cents = *vat;
    }
    let payments = if cart.quote {
        if !cart.payments.is_empty() {
            e.add("payments", "quote_not_payable");
        }
        Vec::new()
    } else {
        take_payments(
            &cart.payments,
            totals.gross_cents,
            &ctx.enabled_methods,
            channel,
            &mut e,
        )
    };
    e.into_result()?;
    Ok(PricedCart {
        day: today,
        lines,
        totals,
        visit_date,
        visit_start,
        payments,
        promo_code,
        deposits_used,
        origin,
        customer: customer.map(|c| c.id),
    })
}

fn amounts(lines: &[PricedLine]) -> Vec<(i64, u32)> {
    lines
        .iter()
        .map(|l| (l.total_cents, l.vat_rate_bp))
        .collect()
}

fn line_field(i: usize, f: &str) -> String {
    format!("lines[{i}].{f}")
}

/// The cart's lines priced from the catalogue, each checked; a refused line is left out.
fn price_lines(
    ctx: &SaleContext,
    cart: &Cart,
    channel: Channel,
    now: Timestamp,
    today: Date,
    may_change_price: bool,
    e: &mut FieldErrors,
) -> Vec<PricedLine> {
    let mut lines: Vec<(usize, PricedLine)> = Vec::new();
    if cart.lines.is_empty() {
        e.add("lines", "empty_cart");
    }
    for (i, l) in cart.lines.iter().enumerate() {
        let field = |f: &str| line_field(i, f);
        if l.quantity < 1 || l.quantity > MAX_LINE_QUANTITY {
            e.add(&field("quantity"), "invalid_quantity");
            continue;
        }
        let line = match &l.target {
            LineTarget::Visit {
                offer,
                session_start,
                item,
            } => offer_line(
                ctx,
                channel,
                VisitRef {
                    offer: *offer,
                    session_start: *session_start,
                    item: *item,
                    quantity: l.quantity,
                },
                now,
                today,
                i,
                e,
            ),
            LineTarget::Product(p) => product_line(ctx, channel, p, l.quantity, i, e),
        };
        let Some(mut line) = line else { continue };
        // A changed price: managers and admins, with a reason.
        if let Some(raw) = l.unit_price.as_deref().filter(|s| !s.trim().is_empty()) {
            match parse_price_cents(raw) {
                Ok(p) if p != line.list_price_cents => {
                    let reason = clean(l.price_reason.as_deref());
                    if !may_change_price {
                        e.add(&field("unit_price"), "price_change_not_allowed");
                    } else if reason.is_none() {
                        e.add(&field("price_reason"), "required");
                    } else {
                        line.unit_price_cents = p;
                        line.price_reason = reason;
                    }
                }
                Ok(_) => {}
                Err(err) => e.add(&field("unit_price"), err.code()),
            }
        }
        match line_amount(line.unit_price_cents, line.quantity, 0) {
            Ok(gross) => {
                if l.free {
                    let reason = clean(l.free_reason.as_deref());
                    if channel == Channel::Online {
                        e.add(&field("free"), "price_change_not_allowed");
                    } else if reason.is_none() {
                        e.add(&field("free_reason"), "required");
                    }
                    line.discount_cents = gross;
                    line.discount_reason = reason;
                }
                line.total_cents = gross - line.discount_cents;
            }
            Err(err) => {
                e.add(&field("quantity"), err.code());
                continue;
            }
        }
        lines.push((i, line));
    }
    check_quantities(&ctx.offers, &lines, e);
    lines.into_iter().map(|(_, l)| l).collect()
}

/// Minimum and maximum quantities per order, per offer and ticket type or extra, over the
/// lines accepted; reported on the first line of each pair.
fn check_quantities(offers: &[SaleOffer], lines: &[(usize, PricedLine)], e: &mut FieldErrors) {
    let mut seen: Vec<(OfferId, ItemId)> = Vec::new();
    for (i, l) in lines {
        let (Some(o), Some(item)) = (l.offer_id, l.item_id) else {
            continue;
        };
        if seen.contains(&(o, item)) {
            continue;
        }
        seen.push((o, item));
        let total: i64 = lines
            .iter()
            .filter(|(_, x)| x.offer_id == Some(o) && x.item_id == Some(item))
            .map(|(_, x)| x.quantity)
            .sum();
        let price = offers
            .iter()
            .find(|x| x.id == o)
            .and_then(|x| x.prices.iter().find(|p| p.item_id == item));
        if let Some(p) = price {
            if total < p.min_quantity {
                e.add(&line_field(*i, "quantity"), "below_minimum");
            } else if p.max_quantity.is_some_and(|m| total > m) {
                e.add(&line_field(*i, "quantity"), "above_maximum");
            }
        }
    }
}

struct VisitRef {
    offer: Option<OfferId>,
    session_start: Option<i64>,
    item: Option<ItemId>,
    quantity: i64,
}

/// Why a session cannot be sold on a channel at `now`, as the code reported on
/// `session_start`; `None` when it can. `start` must be one of the offer's sessions.
pub fn session_refusal(
    offer: &SaleOffer,
    channel: Channel,
    start: Timestamp,
    day: Date,
    now: Timestamp,
    today: Date,
) -> Option<&'static str> {
    if channel == Channel::Phone && day <= today {
        return Some("phone_future_only");
    }
    if channel == Channel::Online {
        let window = DateRange {
            from: offer.published_from,
            to: offer.published_to,
        };
        if !window.contains(day) {
            return Some("not_published");
        }
    }
    let hours = match channel {
        Channel::Counter | Channel::Phone => offer.pos_cutoff_hours,
        Channel::Online => offer.online_cutoff_hours,
    };
    let cutoff = SignedDuration::try_from_hours(hours)
        .and_then(|d| start.checked_sub(d).ok())
        .unwrap_or(start);
    (now > cutoff).then_some("sales_closed")
}

#[allow(clippy::too_many_arguments)]
fn offer_line(
    ctx: &SaleContext,
    channel: Channel,
    l: VisitRef,
    now: Timestamp,
    today: Date,
    i: usize,
    e: &mut FieldErrors,
) -> Option<PricedLine> {
    let field = |f: &str| line_field(i, f);
    let Some(offer) = l
        .offer
        .and_then(|id| ctx.offers.iter().find(|o| o.id == id))
    else {
        e.add(&field("offer_id"), "unknown_offer");
        return None;
    };
    if offer.archived || !channel.sells(offer.sale_pos, offer.sale_online) {
        e.add(&field("offer_id"), channel.not_sold_code());
        return None;
    }
    let price = l
        .item
        .and_then(|id| offer.prices.iter().find(|p| p.item_id == id));
    let item = price.and_then(|p| ctx.items.iter().find(|i| i.id == p.item_id));
    let (Some(price), Some(item)) = (price, item) else {
        e.add(&field("item_id"), "not_offered");
        return None;
    };
    if item.archived || !channel.sells(item.sale_pos, item.sale_online) {
        e.add(&field("item_id"), channel.not_sold_code());
        return None;
    }
    let tz = &ctx.time_zone;
    let session = l.session_start.and_then(|start| {
        let ts = Timestamp::from_microsecond(start).ok()?;
        let day = ts.to_zoned(tz.clone()).date();
        let exists = offer
            .sessions
            .sessions_on(day, tz)
            .iter()
            .any(|s| s.start_micros == start);
        exists.then_some((start, ts, day))
    });
    let Some((start, start_ts, day)) = session else {
        e.add(&field("session_start"), "unknown_session");
        return None;
    };
    if let Some(code) = session_refusal(offer, channel, start_ts, day, now, today) {
        e.add(&field("session_start"), code);
        return None;
    }
    let is_ticket = price.item_kind == ItemKind::TicketType;
    if ctx.stopped.contains(&(StopTarget::Offer(offer.id), day))
        || (is_ticket
            && ctx
                .stopped
                .contains(&(StopTarget::TicketType(price.item_id), day)))
    {
        e.add(&field("session_start"), "sales_stopped");
        return None;
    }
    Some(PricedLine {
        kind: if is_ticket {
            LineKind::TicketType
        } else {
            LineKind::Extra
        },
        offer_id: Some(offer.id),
        session_start: Some(start),
        visit_date: Some(day),
        item_id: Some(price.item_id),
        product_id: None,
        label: price.item_name.clone(),
        quantity: l.quantity,
        unit_price_cents: price.price_cents,
        list_price_cents: price.price_cents,
        price_reason: None,
        discount_cents: 0,
        discount_reason: None,
        total_cents: 0,
        vat_rate_bp: price.vat_rate_bp,
        vat_cents: 0,
        session_capacity: is_ticket.then_some(offer.capacity),
        daily_stock: Some(item.daily_stock),
        item_capacity: if is_ticket { None } else { item.capacity },
        offer_name: Some(offer.name.clone()),
        discountable: true,
    })
}

fn product_line(
    ctx: &SaleContext,
    channel: Channel,
    r: &ProductRef,
    quantity: i64,
    i: usize,
    e: &mut FieldErrors,
) -> Option<PricedLine> {
    let field = line_field(i, "product_id");
    let found = match r {
        ProductRef::Id(id) => ctx.products.iter().find(|p| p.id == *id),
        ProductRef::Barcode(code) => ctx.products.iter().find(|p| p.barcode == code.trim()),
        ProductRef::InvalidId => None,
        ProductRef::Missing => {
            e.add(&field, "required");
            return None;
        }
    };
    let Some(p) = found else {
        e.add(&field, "unknown_product");
        return None;
    };
    if p.archived || !channel.sells(p.sale_pos, p.sale_online) {
        e.add(&field, channel.not_sold_code());
        return None;
    }
    Some(PricedLine {
        kind: LineKind::Product,
        offer_id: None,
        session_start: None,
        visit_date: None,
        item_id: None,
        product_id: Some(p.id),
        label: p.name.clone(),
        quantity,
        unit_price_cents: p.price_cents,
        list_price_cents: p.price_cents,
        price_reason: None,
        discount_cents: 0,
        discount_reason: None,
        total_cents: 0,
        vat_rate_bp: p.vat_rate_bp,
        vat_cents: 0,
        session_capacity: None,
        daily_stock: None,
        item_capacity: None,
        offer_name: None,
        discountable: p.discountable,
    })
}

/// Applies the automatic promotions and the cart's promo code to the discountable lines
/// (the rule is [`apply_reductions`]); returns the code to redeem with the sale.
fn reductions(
    ctx: &SaleContext,
    today: Date,
    lines: &mut [PricedLine],
    code: Option<&str>,
    e: &mut FieldErrors,
) -> Option<PromoCodeId> {
    let code = match code_text(code) {
        None => None,
        // The store finds codes by their normalized form, archived ones left out.
        Some(text) => match normalize_code(text).ok().and_then(|c| {
            ctx.promo_code
                .as_ref()
                .filter(|p| p.code == c && !p.archived)
        }) {
            None => {
                e.add("promo_code", "unknown_promo_code");
                None
            }
            Some(c) if c.exhausted() => {
                e.add("promo_code", "promo_code_exhausted");
                None
            }
            Some(c) => Some(c),
        },
    };
    let covered = apply_to_lines(lines, &ctx.promotions, code, today);
    if code.is_some() && !covered {
        e.add("promo_code", "promo_code_not_applicable");
    }
    code.filter(|_| covered).map(|c| c.id)
}

/// [`apply_reductions`] on the discountable lines; a line it lowers says why after any
/// reason it had (a free line's).
fn apply_to_lines(
    lines: &mut [PricedLine],
    promotions: &[Promotion],
    code: Option<&PromoCode>,
    today: Date,
) -> bool {
    let mut discount_lines: Vec<DiscountLine> = lines
        .iter()
        .filter(|l| l.discountable)
        .map(|l| DiscountLine {
            target: match (l.offer_id, l.item_id, l.product_id) {
                (Some(offer), Some(item), _) => CodeTarget::Offer { offer, item },
                (_, _, Some(product)) => CodeTarget::Product { product },
                _ => CodeTarget::Product {
                    product: ProductId(Uuid::nil()),
                },
            },
            visit_date: l.visit_date,
            quantity: l.quantity,
            gross_cents: l.gross_cents(),
            discount_cents: l.discount_cents,
            reasons: Vec::new(),
        })
        .collect();
    let covered = apply_reductions(&mut discount_lines, promotions, code, today);
    for (l, d) in lines
        .iter_mut()
        .filter(|l| l.discountable)
        .zip(discount_lines)
    {
        if d.discount_cents != l.discount_cents {
            let mut reasons: Vec<String> = l.discount_reason.iter().cloned().collect();
            reasons.extend(d.reasons);
            l.discount_reason = Some(reasons.join(" + "));
            l.total_cents = d.gross_cents - d.discount_cents;
            l.discount_cents = d.discount_cents;
        }
    }
    covered
}

/// Why a customer's terms change a line: "Remise client 10 % + TVA 6 % + Écoles". `None`
/// when the terms change nothing.
pub fn terms_reason(
    labels: &Labels,
    discount_bp: u32,
    tax: TaxTreatment,
    type_name: Option<&str>,
) -> Option<String> {
    if discount_bp == 0 && tax == TaxTreatment::Standard {
        return None;
    }
    let mut why = Vec::new();
    if discount_bp > 0 {
        why.push(format!(
            "{} {}",
            labels.customer_discount,
            percent_text(discount_bp)
        ));
    }
    match tax {
        TaxTreatment::Exempt => why.push(labels.vat_exempt.clone()),
        TaxTreatment::Rate(r) => why.push(format!("{} {}", labels.vat, percent_text(r))),
        TaxTreatment::Standard => {}
    }
    if let Some(t) = type_name {
        why.push(t.to_owned());
    }
    Some(why.join(" + "))
}

/// The customer's discount and tax treatment (theirs, else their type's: the rules are
/// [`effective_terms`] and [`apply_terms`]) on every line; the line says why.
fn customer_terms(c: &SaleCustomer, labels: &Labels, lines: &mut [PricedLine]) {
    let kind = c.customer_type.as_ref();
    let (bp, tax) = effective_terms(
        c.discount_bp,
        c.vat_exempt,
        kind.map(|t| (t.discount_bp, t.tax)),
    );
    let Some(why) = terms_reason(labels, bp, tax, kind.map(|t| t.name.as_str())) else {
        return;
    };
    for l in lines.iter_mut() {
        // A gift card keeps its price: the tax treatment applies, the discount does not.
        let line_bp = if l.discountable { bp } else { 0 };
        let (discount, vat_off, after, rate) =
            apply_terms(line_bp, tax, (l.total_cents, l.vat_rate_bp));
        if discount + vat_off == 0 && rate == l.vat_rate_bp {
            continue;
        }
        l.discount_cents += discount + vat_off;
        l.total_cents = after;
        l.vat_rate_bp = rate;
        l.discount_reason = Some(match l.discount_reason.take() {
            Some(r) => format!("{r} + {why}"),
            None => why.clone(),
        });
    }
}

/// The visitors' origin: asked for visits only; the attached customer's by default.
fn origin(
    cart: &Cart,
    customer: Option<&SaleCustomer>,
    lines: &[PricedLine],
    e: &mut FieldErrors,
) -> Option<Origin> {
    if !lines.iter().any(|l| l.offer_id.is_some()) {
        return None;
    }
    match (&cart.origin, customer) {
        (Some(o), _) if !o.is_blank() => {
            match Origin::parse(&o.country, &o.postal_code, &o.province) {
                Ok(o) => Some(o),
                Err((field, err)) => {
                    e.add(&format!("origin.{field}"), err.code());
                    None
                }
            }
        }
        (_, Some(c)) => Some(c.origin.clone()),
        _ => None,
    }
}

/// A sale to a customer consumes their set-aside reservations of the products it sells
/// ([`consumed`]); each reservation it takes whole that has an open deposit gets it
/// deducted: a negative deposit line at the rate it was paid at, so the goods' VAT comes
/// out right over the two orders. A deduction cannot be more than the goods of its rate
/// (`deposit_exceeds_sale`).
fn deposit_deductions(
    held: &[SetAside],
    lines: &mut Vec<PricedLine>,
    e: &mut FieldErrors,
) -> Vec<DepositUsed> {
    let mut used = Vec::new();
    let mut products: Vec<ProductId> = Vec::new();
    for r in held {
        if !products.contains(&r.product_id) {
            products.push(r.product_id);
        }
    }
    for product in products {
        let sold: i64 = lines
            .iter()
            .filter(|l| l.product_id == Some(product))
            .map(|l| l.quantity)
            .sum();
        let mine: Vec<&SetAside> = held.iter().filter(|r| r.product_id == product).collect();
        let quantities: Vec<i64> = mine.iter().map(|r| r.quantity).collect();
        let taken = consumed(&quantities, sold);
        for (r, taken) in mine.into_iter().zip(taken) {
            let Some(d) = r.open_deposit.as_ref().filter(|d| d.cents > 0) else {
                continue;
            };
            if taken < r.quantity {
                continue;
            }
            lines.push(PricedLine::deposit(
                d.deducted_label.clone(),
                -d.cents,
                d.vat_rate_bp,
            ));
            used.push(DepositUsed {
                reservation_id: r.id,
                cents: d.cents,
            });
        }
    }
    if !order::deductions_fit(&amounts(lines)) {
        e.add("lines", "deposit_exceeds_sale");
    }
    used
}

/// Turns payment inputs into payments against `due`: method offered by the organization
/// and allowed on the channel, amount positive, cash beyond what is due given back as
/// change, anything else beyond it refused. Errors are on `payments[i].method` and
/// `payments[i].amount`.
pub fn take_payments(
    inputs: &[PaymentInput],
    mut due: i64,
    enabled: &[PaymentMethod],
    channel: Channel,
    e: &mut FieldErrors,
) -> Vec<SalePayment> {
    let mut out = Vec::new();
    for (i, p) in inputs.iter().enumerate() {
        let field = |f: &str| format!("payments[{i}].{f}");
        let method = match PaymentMethod::parse(&p.method) {
            Some(m) if !enabled.contains(&m) => {
                e.add(&field("method"), "method_disabled");
                continue;
            }
            Some(m) if channel == Channel::Phone && !m.allowed_on_phone() => {
                e.add(&field("method"), "method_not_on_phone");
                continue;
            }
            // Online, as on the phone, no money changes hands at a desk.
            Some(m) if channel == Channel::Online && !m.allowed_on_phone() => {
                e.add(&field("method"), "method_not_online");
                continue;
            }
            Some(m) => m,
            None => {
                e.add(&field("method"), "unknown_method");
                continue;
            }
        };
        let Some(tendered) = e.check(&field("amount"), parse_price_cents(&p.amount)) else {
            continue;
        };
        if tendered == 0 {
            e.add(&field("amount"), "amount_zero");
            continue;
        }
        match tender(method, tendered, due) {
            Some((amount, change)) if amount > 0 => {
                due -= amount;
                out.push(SalePayment {
                    method,
                    amount_cents: amount,
                    tendered_cents: tendered,
                    change_cents: change,
                });
            }
            Some(_) | None => e.add(&field("amount"), "more_than_due"),
        }
    }
    out
}

#[cfg(test)]
mod tests;
