//! A cart as typed, ids parsed.

use super::*;

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
    pub(super) fn is_blank(&self) -> bool {
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

pub(super) fn code_text(raw: Option<&str>) -> Option<&str> {
    raw.map(str::trim).filter(|c| !c.is_empty())
}

/// A reason or comment: trimmed, blank is none, cut at 2000 characters.
pub fn clean(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.chars().take(MAX_REASON_CHARS).collect())
}
