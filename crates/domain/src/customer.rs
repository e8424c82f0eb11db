//! Customers as the register knows them (the full customer file comes with the customers
//! issue): names, e-mail, phone in international form, country, postal code and province, and
//! the visitor's origin recorded on visit orders.

use crate::org::Email;
use crate::validation::{ErrorCode, FieldErrors};
use serde::{Deserialize, Serialize};

/// The Netherlands' twelve provinces: the register asks for one instead of a postal code.
pub const NL_PROVINCES: [&str; 12] = [
    "Drenthe",
    "Flevoland",
    "Friesland",
    "Gelderland",
    "Groningen",
    "Limburg",
    "Noord-Brabant",
    "Noord-Holland",
    "Overijssel",
    "Utrecht",
    "Zeeland",
    "Zuid-Holland",
];

/// The Belgian province of a 4-digit postal code (bpost ranges).
pub fn be_province(postal_code: &str) -> Option<&'static str> {
    let n: u32 = postal_code.trim().parse().ok()?;
    Some(match n {
        1000..=1299 => "Bruxelles-Capitale",
        1300..=1499 => "Brabant wallon",
        1500..=1999 | 3000..=3499 => "Brabant flamand",
        2000..=2999 => "Anvers",
        3500..=3999 => "Limbourg",
        4000..=4999 => "Liège",
        5000..=5999 => "Namur",
        6000..=6599 | 7000..=7999 => "Hainaut",
        6600..=6999 => "Luxembourg",
        8000..=8999 => "Flandre-Occidentale",
        9000..=9999 => "Flandre-Orientale",
        _ => return None,
    })
}

/// The French département of a 5-digit postal code ("2A"/"2B" for Corsica, "971"… overseas).
pub fn fr_departement(postal_code: &str) -> Option<String> {
    let p = postal_code.trim();
    if p.len() != 5 || !p.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    Some(match &p[..2] {
        "20" => if p < "20200" { "2A" } else { "2B" }.to_owned(),
        "97" | "98" => p[..3].to_owned(),
        d => d.to_owned(),
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OriginError {
    #[error("invalid country")]
    Country,
    #[error("invalid postal code")]
    PostalCode,
    #[error("unknown province")]
    Province,
}

impl ErrorCode for OriginError {
    fn code(&self) -> &'static str {
        match self {
            Self::Country => "invalid_country",
            Self::PostalCode => "invalid_postal_code",
            Self::Province => "unknown_province",
        }
    }
}

/// Where a visitor comes from: a country, and a postal code — or, for the Netherlands, a
/// province. The province is derived for Belgium and France.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Origin {
    /// ISO 3166 two-letter code.
    pub country: String,
    pub postal_code: Option<String>,
    pub province: Option<String>,
}

impl Origin {
    /// Parses a country (default `BE`), a postal code and, for the Netherlands, a province.
    pub fn parse(
        country: &str,
        postal_code: &str,
        province: &str,
    ) -> Result<Origin, (&'static str, OriginError)> {
        let country = match country.trim() {
            "" => "BE".to_owned(),
            c if c.len() == 2 && c.chars().all(|x| x.is_ascii_alphabetic()) => {
                c.to_ascii_uppercase()
            }
            _ => return Err(("country", OriginError::Country)),
        };
        let postal = postal_code.trim();
        let postal = (!postal.is_empty()).then(|| postal.to_ascii_uppercase());
        if postal.as_ref().is_some_and(|p| p.len() > 12) {
            return Err(("postal_code", OriginError::PostalCode));
        }
        let province = match country.as_str() {
            "BE" => match &postal {
                Some(p) => Some(
                    be_province(p)
                        .ok_or(("postal_code", OriginError::PostalCode))?
                        .to_owned(),
                ),
                None => None,
            },
            "FR" => match &postal {
                Some(p) => Some(fr_departement(p).ok_or(("postal_code", OriginError::PostalCode))?),
                None => None,
            },
            "NL" => match province.trim() {
                "" => None,
                p => Some(
                    NL_PROVINCES
                        .iter()
                        .find(|x| crate::text::same_text(x, p))
                        .ok_or(("province", OriginError::Province))?
                        .to_string(),
                ),
            },
            _ => None,
        };
        Ok(Origin {
            country,
            postal_code: postal,
            province,
        })
    }
}

/// A phone number in international (E.164) form; a number without its country code is read
/// in `country`'s numbering plan.
pub fn phone_e164(raw: &str, country: &str) -> Result<String, PhoneError> {
    let id = country.parse::<phonenumber::country::Id>().ok();
    let n = phonenumber::parse(id, raw.trim()).map_err(|_| PhoneError)?;
    if !n.is_valid() {
        return Err(PhoneError);
    }
    Ok(n.format().mode(phonenumber::Mode::E164).to_string())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("invalid phone number")]
pub struct PhoneError;

impl ErrorCode for PhoneError {
    fn code(&self) -> &'static str {
        "invalid_phone"
    }
}

/// A customer quick-created at the register.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CustomerInput {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: String,
    /// ISO 3166 two-letter code; Belgium when empty.
    pub country: String,
    pub postal_code: String,
    /// For the Netherlands, instead of the postal code.
    pub province: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerDetails {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub origin: Origin,
}

impl CustomerInput {
    pub fn parse(&self) -> Result<CustomerDetails, FieldErrors> {
        let mut e = FieldErrors::new();
        let first_name = e
            .check("first_name", crate::text::optional(&self.first_name, 100))
            .flatten();
        let last_name = e
            .check("last_name", crate::text::optional(&self.last_name, 100))
            .flatten();
        if first_name.is_none() && last_name.is_none() && e.is_empty() {
            e.add("last_name", "required");
        }
        let email = match self.email.trim() {
            "" => None,
            raw => e
                .check("email", Email::parse(raw))
                .map(|m| m.as_str().to_owned()),
        };
        let origin = match Origin::parse(&self.country, &self.postal_code, &self.province) {
            Ok(o) => Some(o),
            Err((field, err)) => {
                e.add(field, err.code());
                None
            }
        };
        let phone = match self.phone.trim() {
            "" => None,
            raw => e.check(
                "phone",
                phone_e164(raw, origin.as_ref().map_or("BE", |o| o.country.as_str())),
            ),
        };
        e.into_result()?;
        Ok(CustomerDetails {
            first_name,
            last_name,
            email,
            phone,
            origin: origin.unwrap_or_default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provinces_come_from_postal_codes() {
        assert_eq!(be_province("5580"), Some("Namur"));
        assert_eq!(be_province("4800"), Some("Liège"));
        assert_eq!(be_province("1050"), Some("Bruxelles-Capitale"));
        assert_eq!(be_province("6700"), Some("Luxembourg"));
        assert_eq!(be_province("999"), None);
        assert_eq!(fr_departement("75011").as_deref(), Some("75"));
        assert_eq!(fr_departement("20090").as_deref(), Some("2A"));
        assert_eq!(fr_departement("20200").as_deref(), Some("2B"));
        assert_eq!(fr_departement("97400").as_deref(), Some("974"));
        let nl = Origin::parse("nl", "", "noord-holland").unwrap();
        assert_eq!(nl.province.as_deref(), Some("Noord-Holland"));
        assert!(Origin::parse("NL", "", "Bavaria").is_err());
        assert_eq!(Origin::parse("", "5580", "").unwrap().country, "BE");
        assert!(Origin::parse("BE", "55800", "").is_err());
    }

    #[test]
    fn phones_become_international() {
        assert_eq!(
            phone_e164("0475 12 34 56", "BE").as_deref(),
            Ok("+32475123456")
        );
        assert_eq!(
            phone_e164("+33 6 12 34 56 78", "BE").as_deref(),
            Ok("+33612345678")
        );
        assert!(phone_e164("12", "BE").is_err());
    }

    #[test]
    fn a_name_is_required_and_errors_are_named() {
        let e = CustomerInput {
            email: "nope".into(),
            phone: "12".into(),
            ..Default::default()
        }
        .parse()
        .unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, vec!["last_name", "email", "phone"]);
        let ok = CustomerInput {
            first_name: "Samantha".into(),
            last_name: "Rega".into(),
            phone: "0475123456".into(),
            postal_code: "5580".into(),
            ..Default::default()
        }
        .parse()
        .unwrap();
        assert_eq!(ok.origin.province.as_deref(), Some("Namur"));
        assert_eq!(ok.phone.as_deref(), Some("+32475123456"));
    }
}
