//! Money is `i64` cents; rates are basis points (21 % = 2100 bp).

use std::fmt;

/// A VAT rate in basis points, from 0 % to 100 %.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct VatRate(u32);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VatRateError {
    #[error("not a number")]
    NotANumber,
    #[error("at most two decimals")]
    TooPrecise,
    #[error("between 0 and 100")]
    OutOfRange,
}

impl VatRate {
    pub const MAX_BASIS_POINTS: u32 = 10_000;

    pub fn from_basis_points(bp: i64) -> Result<Self, VatRateError> {
        u32::try_from(bp)
            .ok()
            .filter(|bp| *bp <= Self::MAX_BASIS_POINTS)
            .map(Self)
            .ok_or(VatRateError::OutOfRange)
    }

    pub fn basis_points(self) -> u32 {
        self.0
    }

    /// Parses a percentage as people type it: `21`, `5,5`, `5.5`, `12 %`, `0.00`.
    pub fn parse_percent(input: &str) -> Result<Self, VatRateError> {
        let cleaned: String = input.trim().trim_end_matches('%').trim().replace(',', ".");
        if cleaned.is_empty() {
            return Err(VatRateError::NotANumber);
        }
        let (whole, fraction) = match cleaned.split_once('.') {
            Some((w, f)) => (w, f),
            None => (cleaned.as_str(), ""),
        };
        let all_digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
        if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) {
            return Err(VatRateError::NotANumber);
        }
        if fraction.len() > 2 {
            return Err(VatRateError::TooPrecise);
        }
        let whole: u32 = whole.parse().map_err(|_| VatRateError::OutOfRange)?;
        let fraction_bp: u32 = format!("{fraction:0<2}")
            .parse()
            .map_err(|_| VatRateError::NotANumber)?;
        let bp = whole
            .checked_mul(100)
            .and_then(|w| w.checked_add(fraction_bp))
            .ok_or(VatRateError::OutOfRange)?;
        Self::from_basis_points(i64::from(bp))
    }
}

/// Shown the French way the seeds write it: `21 %`, `5,5 %`, `12,25 %`.
/// A rate in basis points as people read it (`21 %`, `5,5 %`); empty for an impossible one.
pub fn percent_text(bp: u32) -> String {
    VatRate::from_basis_points(i64::from(bp))
        .map(|r| r.to_string())
        .unwrap_or_default()
}

impl fmt::Display for VatRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whole = self.0 / 100;
        let fraction = self.0 % 100;
        match fraction {
            0 => write!(f, "{whole} %"),
            n if n % 10 == 0 => write!(f, "{whole},{} %", n / 10),
            n => write!(f, "{whole},{n:02} %"),
        }
    }
}

/// The VAT included in a VAT-included price, rounded half-up at the cent:
/// `vat = price × rate / (1 + rate)`. Orders apply it to each VAT rate's
/// VAT-included total; product lists show it per article.
pub fn vat_included(price_cents: i64, rate: VatRate) -> i64 {
    let bp = i128::from(rate.basis_points());
    let gross = i128::from(price_cents);
    let numerator = gross * bp * 2;
    let denominator = (10_000 + bp) * 2;
    // Half-up on the absolute value.
    let vat = (numerator.abs() + denominator / 2) / denominator;
    let vat = if gross < 0 { -vat } else { vat };
    i64::try_from(vat).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_the_way_people_type_rates() {
        assert_eq!(VatRate::parse_percent("21").unwrap().basis_points(), 2100);
        assert_eq!(VatRate::parse_percent("5,5").unwrap().basis_points(), 550);
        assert_eq!(
            VatRate::parse_percent(" 5.5 % ").unwrap().basis_points(),
            550
        );
        assert_eq!(VatRate::parse_percent("0").unwrap().basis_points(), 0);
        assert_eq!(
            VatRate::parse_percent("100").unwrap().basis_points(),
            10_000
        );
        assert_eq!(
            VatRate::parse_percent("12.25").unwrap().basis_points(),
            1225
        );
    }

    #[test]
    fn refuses_what_is_not_a_rate() {
        assert_eq!(VatRate::parse_percent(""), Err(VatRateError::NotANumber));
        assert_eq!(VatRate::parse_percent("-1"), Err(VatRateError::NotANumber));
        assert_eq!(VatRate::parse_percent("abc"), Err(VatRateError::NotANumber));
        assert_eq!(
            VatRate::parse_percent("1.234"),
            Err(VatRateError::TooPrecise)
        );
        assert_eq!(
            VatRate::parse_percent("100.01"),
            Err(VatRateError::OutOfRange)
        );
        assert_eq!(
            VatRate::parse_percent("99999999999"),
            Err(VatRateError::OutOfRange)
        );
        assert_eq!(VatRate::parse_percent(".5"), Err(VatRateError::NotANumber));
    }

    #[test]
    fn displays_in_french() {
        assert_eq!(VatRate::parse_percent("21").unwrap().to_string(), "21 %");
        assert_eq!(VatRate::parse_percent("5.5").unwrap().to_string(), "5,5 %");
        assert_eq!(
            VatRate::parse_percent("12.25").unwrap().to_string(),
            "12,25 %"
        );
    }

    #[test]
    fn vat_included_in_seed_prices() {
        let r21 = VatRate::from_basis_points(2100).unwrap();
        let r6 = VatRate::from_basis_points(600).unwrap();
        // Peluche loup 12,80 € at 21 %: 12,80 / 1,21 = 10,578… → VAT 2,22.
        assert_eq!(vat_included(1280, r21), 222);
        // Peluche mouton 5,00 € at 6 %: 5 / 1,06 = 4,716… → VAT 0,28.
        assert_eq!(vat_included(500, r6), 28);
        assert_eq!(vat_included(1000, r21), 174);
        assert_eq!(vat_included(1, VatRate::from_basis_points(0).unwrap()), 0);
    }

    proptest! {
        #[test]
        fn included_vat_is_exact_to_half_a_cent(c in 0i64..100_000_000i64, bp in 0i64..=10_000) {
            let rate = VatRate::from_basis_points(bp).unwrap();
            let vat = vat_included(c, rate);
            prop_assert!(vat >= 0 && vat <= c);
            // The VAT is within half a cent of the exact value.
            let exact = c as f64 * bp as f64 / (10_000.0 + bp as f64);
            prop_assert!((vat as f64 - exact).abs() <= 0.5 + 1e-9);
        }

        #[test]
        fn display_then_parse_round_trips(bp in 0u32..=10_000) {
            let rate = VatRate::from_basis_points(i64::from(bp)).unwrap();
            prop_assert_eq!(VatRate::parse_percent(&rate.to_string()).unwrap(), rate);
        }
    }
}
