//! Shop products and their stock ledger. Stock is never a stored number: it is the sum of
//! movements, so the stock at any past date is the sum of the movements up to that date.

use crate::barcode::Barcode;
use crate::text;
use crate::validation::{ErrorCode, FieldErrors};
use serde::{Deserialize, Serialize};

/// Why the stock of a product changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MovementKind {
    /// The stock counted when the product was first entered.
    Initial,
    /// Goods received (réassort).
    Restock,
    /// Goods taken out of the shop (breakage, internal use).
    Withdrawal,
    /// Sold at the register or online.
    Sale,
    /// A sold article brought back.
    Return,
    /// Difference found by a stock count (inventory).
    CountAdjustment,
    /// Held for a customer (reservation).
    SetAside,
    /// A set-aside unit back in the stock: the reservation archived, or sold (the sale then
    /// takes it like any other).
    Released,
}

impl MovementKind {
    pub const ALL: [MovementKind; 8] = [
        MovementKind::Initial,
        MovementKind::Restock,
        MovementKind::Withdrawal,
        MovementKind::Sale,
        MovementKind::Return,
        MovementKind::CountAdjustment,
        MovementKind::SetAside,
        MovementKind::Released,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MovementKind::Initial => "initial",
            MovementKind::Restock => "restock",
            MovementKind::Withdrawal => "withdrawal",
            MovementKind::Sale => "sale",
            MovementKind::Return => "return",
            MovementKind::CountAdjustment => "count_adjustment",
            MovementKind::SetAside => "set_aside",
            MovementKind::Released => "released",
        }
    }

    pub fn parse(s: &str) -> Option<MovementKind> {
        MovementKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s.trim())
    }

    /// The sign of the stock change: people enter quantities as positive numbers, the kind
    /// says whether they come in or go out. A count adjustment carries its own sign.
    pub fn signed(self, quantity: i64) -> i64 {
        match self {
            MovementKind::Initial
            | MovementKind::Restock
            | MovementKind::Return
            | MovementKind::Released => quantity.abs(),
            MovementKind::Withdrawal | MovementKind::Sale | MovementKind::SetAside => {
                -quantity.abs()
            }
            MovementKind::CountAdjustment => quantity,
        }
    }

    /// Kinds a person enters by hand on the stock page (sales and set-asides come from
    /// orders and reservations; counts from the inventory screen).
    pub fn manual(self) -> bool {
        matches!(
            self,
            MovementKind::Restock | MovementKind::Withdrawal | MovementKind::Return
        )
    }
}

/// A price entered VAT included, as people type it: `12,80`, `12.80`, `0,01`, `25`.
pub fn parse_price_cents(input: &str) -> Result<i64, PriceError> {
    let s = input.trim().trim_end_matches('€').trim().replace(',', ".");
    if s.is_empty() {
        return Err(PriceError::Required);
    }
    if s.starts_with('-') {
        return Err(PriceError::Negative);
    }
    let (whole, fraction) = s.split_once('.').unwrap_or((s.as_str(), ""));
    let digits = |t: &str| t.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(fraction) {
        return Err(PriceError::NotANumber);
    }
    if fraction.len() > 2 {
        return Err(PriceError::TooPrecise);
    }
    let whole: i64 = whole.parse().map_err(|_| PriceError::TooLarge)?;
    let cents: i64 = format!("{fraction:0<2}")
        .parse()
        .map_err(|_| PriceError::NotANumber)?;
    whole
        .checked_mul(100)
        .and_then(|w| w.checked_add(cents))
        .filter(|c| *c <= MAX_PRICE_CENTS)
        .ok_or(PriceError::TooLarge)
}

/// One million euros: a typo guard, far above anything a shop sells.
pub const MAX_PRICE_CENTS: i64 = 100_000_000;

/// Cents shown the French way: `12,80`.
pub fn format_cents(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    format!("{sign}{},{:02}", c / 100, c % 100)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PriceError {
    #[error("required")]
    Required,
    #[error("negative")]
    Negative,
    #[error("not a number")]
    NotANumber,
    #[error("at most two decimals")]
    TooPrecise,
    #[error("too large")]
    TooLarge,
}

impl ErrorCode for PriceError {
    fn code(&self) -> &'static str {
        match self {
            PriceError::Required => "required",
            PriceError::Negative => "negative_price",
            PriceError::NotANumber => "not_a_number",
            PriceError::TooPrecise => "too_precise",
            PriceError::TooLarge => "out_of_range",
        }
    }
}

/// A whole quantity of articles, as typed.
pub fn parse_quantity(input: &str, allow_negative: bool) -> Result<i64, QuantityError> {
    let s = input.trim();
    let n: i64 = s.parse().map_err(|_| QuantityError::NotAWholeNumber)?;
    if !allow_negative && n < 0 {
        return Err(QuantityError::Negative);
    }
    // `unsigned_abs`: `abs` of i64::MIN overflows (found by the fuzzer: a panic in a debug
    // build, and i64::MIN let through in a release one).
    if n.unsigned_abs() > 10_000_000 {
        return Err(QuantityError::TooLarge);
    }
    Ok(n)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum QuantityError {
    #[error("not a whole number")]
    NotAWholeNumber,
    #[error("negative")]
    Negative,
    #[error("too large")]
    TooLarge,
}

impl ErrorCode for QuantityError {
    fn code(&self) -> &'static str {
        match self {
            QuantityError::NotAWholeNumber => "not_a_whole_number",
            QuantityError::Negative => "negative_quantity",
            QuantityError::TooLarge => "out_of_range",
        }
    }
}

/// A product's settings after parsing. The VAT rate and group are ids checked by the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductDetails {
    pub name: String,
    pub reference: Option<String>,
    /// `None`: Guichet generates an internal EAN-13.
    pub barcode: Option<Barcode>,
    pub price_cents: i64,
    pub sale_pos: bool,
    pub sale_online: bool,
    pub alert_stock: Option<i64>,
    pub stock_managed: bool,
    /// False for gift cards and vouchers: never discounted.
    pub discountable: bool,
}

/// Raw product fields as a form or JSON body sends them.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ProductInput {
    pub name: String,
    pub reference: String,
    /// EAN-13, EAN-8, UPC-A or any Code 128 text; empty to generate an internal EAN-13.
    pub barcode: String,
    /// VAT-included price as typed, e.g. `12,80`.
    pub price: String,
    pub vat_rate_id: String,
    /// Empty for no group.
    pub group_id: String,
    pub sale_pos: bool,
    pub sale_online: bool,
    /// Empty for no alert.
    pub alert_stock: String,
    pub stock_managed: bool,
    /// Gift cards, vouchers: no promotion, promo code or customer discount applies.
    pub non_discountable: bool,
    /// Only when creating: the stock counted at entry.
    pub initial_stock: String,
}

impl ProductInput {
    pub fn parse(&self) -> Result<(ProductDetails, Option<i64>), FieldErrors> {
        let mut e = FieldErrors::new();
        let name = e.check("name", text::required(&self.name, 120));
        let reference = e.check("reference", text::optional(&self.reference, 60));
        let barcode = if self.barcode.trim().is_empty() {
            Some(None)
        } else {
            e.check("barcode", Barcode::parse(&self.barcode)).map(Some)
        };
        let price_cents = e.check("price", parse_price_cents(&self.price));
        let alert_stock = if self.alert_stock.trim().is_empty() {
            Some(None)
        } else {
            e.check("alert_stock", parse_quantity(&self.alert_stock, false))
                .map(Some)
        };
        let initial = if self.initial_stock.trim().is_empty() {
            Some(None)
        } else {
            e.check("initial_stock", parse_quantity(&self.initial_stock, false))
                .map(Some)
        };
        match (name, reference, barcode, price_cents, alert_stock, initial) {
            (
                Some(name),
                Some(reference),
                Some(barcode),
                Some(price_cents),
                Some(alert_stock),
                Some(initial),
            ) if e.is_empty() => Ok((
                ProductDetails {
                    name,
                    reference,
                    barcode,
                    price_cents,
                    sale_pos: self.sale_pos,
                    sale_online: self.sale_online,
                    alert_stock,
                    stock_managed: self.stock_managed,
                    discountable: !self.non_discountable,
                },
                initial,
            )),
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn prices_from_the_seeds() {
        assert_eq!(parse_price_cents("0,01"), Ok(1));
        assert_eq!(parse_price_cents("25,00"), Ok(2500));
        assert_eq!(parse_price_cents("12,80 €"), Ok(1280));
        assert_eq!(parse_price_cents("5"), Ok(500));
        assert_eq!(parse_price_cents("11.5"), Ok(1150));
        assert_eq!(parse_price_cents("0"), Ok(0));
        assert_eq!(parse_price_cents("-1"), Err(PriceError::Negative));
        assert_eq!(parse_price_cents("1,234"), Err(PriceError::TooPrecise));
        assert_eq!(parse_price_cents("douze"), Err(PriceError::NotANumber));
        assert_eq!(
            parse_price_cents("99999999999999999999"),
            Err(PriceError::TooLarge)
        );
        assert_eq!(format_cents(1280), "12,80");
        assert_eq!(format_cents(1), "0,01");
    }

    #[test]
    fn the_smallest_integer_is_out_of_range_not_a_panic() {
        assert_eq!(
            parse_quantity("-9223372036854775808", true),
            Err(QuantityError::TooLarge)
        );
        assert_eq!(parse_quantity("-10000000", true), Ok(-10_000_000));
    }

    #[test]
    fn movement_signs() {
        assert_eq!(MovementKind::Restock.signed(5), 5);
        assert_eq!(MovementKind::Withdrawal.signed(5), -5);
        assert_eq!(MovementKind::Sale.signed(-2), -2);
        assert_eq!(MovementKind::CountAdjustment.signed(-3), -3);
        for k in MovementKind::ALL {
            assert_eq!(MovementKind::parse(k.as_str()), Some(k));
        }
    }

    #[test]
    fn product_form_lists_every_problem() {
        let input = ProductInput {
            name: "".into(),
            barcode: "5410188031073".into(),
            price: "-2".into(),
            alert_stock: "beaucoup".into(),
            initial_stock: "-4".into(),
            ..Default::default()
        };
        let e = input.parse().unwrap_err();
        assert_eq!(e.get("name"), Some("required"));
        assert_eq!(e.get("barcode"), Some("barcode_check_digit"));
        assert_eq!(e.get("price"), Some("negative_price"));
        assert_eq!(e.get("alert_stock"), Some("not_a_whole_number"));
        assert_eq!(e.get("initial_stock"), Some("negative_quantity"));
    }

    proptest! {
        #[test]
        fn price_round_trips(c in 0i64..MAX_PRICE_CENTS) {
            prop_assert_eq!(parse_price_cents(&format_cents(c)), Ok(c));
        }
    }
}
