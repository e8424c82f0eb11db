//! Product barcodes: EAN-13, EAN-8 and UPC-A with their check digit, or Code 128 for any
//! other printable code. Products without a code get an internal EAN-13 in the "in-store"
//! range (prefix 20, GS1 restricted circulation), so that every article can be scanned.

use crate::validation::ErrorCode;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Symbology {
    Ean13,
    Ean8,
    UpcA,
    Code128,
}

/// A validated barcode.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Barcode {
    code: String,
    symbology: Symbology,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BarcodeError {
    #[error("empty")]
    Empty,
    #[error("wrong check digit")]
    CheckDigit,
    #[error("characters a scanner cannot encode")]
    InvalidCharacters,
    #[error("too long")]
    TooLong,
}

impl ErrorCode for BarcodeError {
    fn code(&self) -> &'static str {
        match self {
            BarcodeError::Empty => "required",
            BarcodeError::CheckDigit => "barcode_check_digit",
            BarcodeError::InvalidCharacters => "barcode_characters",
            BarcodeError::TooLong => "too_long",
        }
    }
}

/// The GS1 check digit of `digits` (the code without its last digit): weights 3 and 1
/// alternate from the right, so one function serves EAN-13, EAN-8 and UPC-A.
pub fn gs1_check_digit(digits: &[u8]) -> u8 {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| u32::from(*d) * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

impl Barcode {
    /// Longest Code 128 we accept: what fits on a shelf label and a scanner reads reliably.
    pub const MAX_CODE128: usize = 48;

    /// Parses a code as typed or scanned. All-digit codes of 8, 12 or 13 digits must carry
    /// a correct check digit (a typo would otherwise sell the wrong article).
    pub fn parse(input: &str) -> Result<Barcode, BarcodeError> {
        let code = input.trim();
        if code.is_empty() {
            return Err(BarcodeError::Empty);
        }
        if code.chars().all(|c| c.is_ascii_digit()) {
            let symbology = match code.len() {
                13 => Some(Symbology::Ean13),
                12 => Some(Symbology::UpcA),
                8 => Some(Symbology::Ean8),
                _ => None,
            };
            if let Some(symbology) = symbology {
                let digits: Vec<u8> = code.bytes().map(|b| b - b'0').collect();
                let (body, check) = digits.split_at(digits.len() - 1);
                if gs1_check_digit(body) != check[0] {
                    return Err(BarcodeError::CheckDigit);
                }
                return Ok(Barcode {
                    code: code.to_owned(),
                    symbology,
                });
            }
        }
        if !code.chars().all(|c| (' '..='~').contains(&c)) {
            return Err(BarcodeError::InvalidCharacters);
        }
        if code.len() > Self::MAX_CODE128 {
            return Err(BarcodeError::TooLong);
        }
        Ok(Barcode {
            code: code.to_owned(),
            symbology: Symbology::Code128,
        })
    }

    /// The internal EAN-13 number `n` of an organization: `20`, ten digits of `n`, check digit.
    pub fn internal_ean13(n: u64) -> Barcode {
        let body = format!("20{:010}", n % 10_000_000_000);
        let digits: Vec<u8> = body.bytes().map(|b| b - b'0').collect();
        let check = gs1_check_digit(&digits);
        Barcode {
            code: format!("{body}{check}"),
            symbology: Symbology::Ean13,
        }
    }

    pub fn as_str(&self) -> &str {
        &self.code
    }

    pub fn symbology(&self) -> Symbology {
        self.symbology
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn real_codes() {
        // Printed on real packaging.
        assert_eq!(
            Barcode::parse("5410188031072").unwrap().symbology(),
            Symbology::Ean13
        );
        assert_eq!(
            Barcode::parse("4006381333931").unwrap().symbology(),
            Symbology::Ean13
        );
        assert_eq!(
            Barcode::parse("96385074").unwrap().symbology(),
            Symbology::Ean8
        );
        assert_eq!(
            Barcode::parse("036000291452").unwrap().symbology(),
            Symbology::UpcA
        );
        assert_eq!(
            Barcode::parse(" PEL-LOUP-01 ").unwrap().as_str(),
            "PEL-LOUP-01"
        );
        assert_eq!(
            Barcode::parse("PEL-LOUP-01").unwrap().symbology(),
            Symbology::Code128
        );
        assert_eq!(
            Barcode::parse("12345").unwrap().symbology(),
            Symbology::Code128
        );
    }

    #[test]
    fn wrong_codes() {
        assert_eq!(
            Barcode::parse("5410188031073"),
            Err(BarcodeError::CheckDigit)
        );
        assert_eq!(Barcode::parse("96385075"), Err(BarcodeError::CheckDigit));
        assert_eq!(
            Barcode::parse("036000291453"),
            Err(BarcodeError::CheckDigit)
        );
        assert_eq!(Barcode::parse(""), Err(BarcodeError::Empty));
        assert_eq!(
            Barcode::parse("peluche é"),
            Err(BarcodeError::InvalidCharacters)
        );
        assert_eq!(Barcode::parse(&"X".repeat(49)), Err(BarcodeError::TooLong));
    }

    #[test]
    fn internal_codes_are_valid_in_store_ean13() {
        let b = Barcode::internal_ean13(1);
        assert_eq!(b.as_str().len(), 13);
        assert!(b.as_str().starts_with("20"));
        assert_eq!(Barcode::parse(b.as_str()), Ok(b));
    }

    proptest! {
        #[test]
        fn every_internal_code_parses(n in 0u64..10_000_000_000) {
            let b = Barcode::internal_ean13(n);
            prop_assert_eq!(Barcode::parse(b.as_str()), Ok(b));
        }

        #[test]
        fn a_changed_digit_is_caught(n in 0u64..10_000_000_000, pos in 0usize..13, delta in 1u8..10) {
            let b = Barcode::internal_ean13(n);
            let mut bytes = b.as_str().as_bytes().to_vec();
            bytes[pos] = b'0' + (bytes[pos] - b'0' + delta) % 10;
            let changed = String::from_utf8(bytes).unwrap();
            prop_assert_eq!(Barcode::parse(&changed), Err(BarcodeError::CheckDigit));
        }
    }
}
