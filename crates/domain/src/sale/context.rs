//! What pricing reads from the store, in domain types.

use super::*;

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
    /// The register still sells a session this many minutes after its start.
    pub late_entry_minutes: i64,
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
