//! Organizations, sites, users and registers: the value types their forms parse into.

use crate::text::{self, TextError};
use crate::validation::{ErrorCode, FieldErrors};
use serde::{Deserialize, Serialize};

/// Languages of the back office (`fr`, `en`) and of public pages (`fr`, `en`, `nl`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    Fr,
    En,
    Nl,
}

impl Language {
    /// The languages Guichet is translated into, back office and public pages alike.
    pub const ALL: [Language; 3] = [Language::Fr, Language::En, Language::Nl];

    pub fn as_str(self) -> &'static str {
        match self {
            Language::Fr => "fr",
            Language::En => "en",
            Language::Nl => "nl",
        }
    }

    pub fn parse(s: &str) -> Result<Language, UnknownValue> {
        match s.trim().to_ascii_lowercase().as_str() {
            "fr" => Ok(Language::Fr),
            "en" => Ok(Language::En),
            "nl" => Ok(Language::Nl),
            _ => Err(UnknownValue),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("unknown value")]
pub struct UnknownValue;

impl ErrorCode for UnknownValue {
    fn code(&self) -> &'static str {
        "unknown_value"
    }
}

/// A register is a till at the counter, or the phone register that only takes future
/// bookings and never cash (PRODUCT.md glossary).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RegisterKind {
    Counter,
    Phone,
}

impl RegisterKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RegisterKind::Counter => "counter",
            RegisterKind::Phone => "phone",
        }
    }

    pub fn parse(s: &str) -> Result<RegisterKind, UnknownValue> {
        match s.trim() {
            "counter" => Ok(RegisterKind::Counter),
            "phone" => Ok(RegisterKind::Phone),
            _ => Err(UnknownValue),
        }
    }

    /// Whether a sale or a payment on this register needs an open session. A counter register
    /// has a drawer, so what it takes must land in a Z that is being counted: closed, it
    /// cannot sell (`register_closed`). The phone register takes no money in hand; a booking
    /// made while it is closed counts in its next session.
    pub fn needs_open_session(self) -> bool {
        match self {
            RegisterKind::Counter => true,
            RegisterKind::Phone => false,
        }
    }

    /// Whether the register has a cash drawer: a float counted at opening, the cash counted at
    /// closing. The phone register never takes cash ([`crate::order::PaymentMethod::allowed_on_phone`]):
    /// it opens with no float and closes with no cash to count.
    pub fn has_drawer(self) -> bool {
        match self {
            RegisterKind::Counter => true,
            RegisterKind::Phone => false,
        }
    }
}

/// An e-mail address used as a login: trimmed and lower-cased, one `@`, a dot in the domain.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("required")]
    Required,
    #[error("invalid e-mail address")]
    Invalid,
}

impl ErrorCode for EmailError {
    fn code(&self) -> &'static str {
        match self {
            EmailError::Required => "required",
            EmailError::Invalid => "invalid_email",
        }
    }
}

impl Email {
    pub fn parse(input: &str) -> Result<Email, EmailError> {
        let s = input.trim().to_lowercase();
        if s.is_empty() {
            return Err(EmailError::Required);
        }
        let (local, domain) = s.split_once('@').ok_or(EmailError::Invalid)?;
        let valid = !local.is_empty()
            && s.len() <= 254
            && local.len() <= 64
            && !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && !s.chars().any(|c| c.is_whitespace() || c.is_control());
        if valid {
            Ok(Email(s))
        } else {
            Err(EmailError::Invalid)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A password chosen by a user: at least 10 characters, at most 200 (argon2 handles any
/// length, the bound keeps hashing cheap for an attacker's megabyte-long input).
#[derive(Clone)]
pub struct NewPassword(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("too short")]
    TooShort,
    #[error("too long")]
    TooLong,
}

impl ErrorCode for PasswordError {
    fn code(&self) -> &'static str {
        match self {
            PasswordError::TooShort => "password_too_short",
            PasswordError::TooLong => "too_long",
        }
    }
}

impl NewPassword {
    pub const MIN_CHARS: usize = 10;
    pub const MAX_CHARS: usize = 200;

    pub fn parse(input: &str) -> Result<NewPassword, PasswordError> {
        let n = input.chars().count();
        if n < Self::MIN_CHARS {
            Err(PasswordError::TooShort)
        } else if n > Self::MAX_CHARS {
            Err(PasswordError::TooLong)
        } else {
            Ok(NewPassword(input.to_owned()))
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(***)")
    }
}

/// An IANA time zone name that the bundled tz database knows (`Europe/Brussels`).
pub fn parse_time_zone(input: &str) -> Result<String, UnknownValue> {
    let name = input.trim();
    if name.is_empty() {
        return Err(UnknownValue);
    }
    jiff::tz::TimeZone::get(name)
        .map(|_| name.to_owned())
        .map_err(|_| UnknownValue)
}

/// Currencies Guichet can account in (ISO 4217). Amounts are always in minor units (cents).
pub const CURRENCIES: [&str; 3] = ["EUR", "CHF", "GBP"];

pub fn parse_currency(input: &str) -> Result<String, UnknownValue> {
    let code = input.trim().to_ascii_uppercase();
    if CURRENCIES.contains(&code.as_str()) {
        Ok(code)
    } else {
        Err(UnknownValue)
    }
}

/// ISO 3166-1 alpha-2 country code, upper-cased.
pub fn parse_country(input: &str) -> Result<String, UnknownValue> {
    let code = input.trim().to_ascii_uppercase();
    if code.len() == 2 && code.chars().all(|c| c.is_ascii_uppercase()) {
        Ok(code)
    } else {
        Err(UnknownValue)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum VatNumberError {
    #[error("invalid VAT number")]
    Invalid,
    #[error("wrong check digits")]
    CheckDigits,
}

impl ErrorCode for VatNumberError {
    fn code(&self) -> &'static str {
        match self {
            VatNumberError::Invalid => "invalid_vat_number",
            VatNumberError::CheckDigits => "vat_number_check_digits",
        }
    }
}

/// An EU VAT number, normalized without spaces or dots (`BE0123456749`). Belgian numbers
/// have their mod-97 check digits verified; other countries are checked for shape only.
pub fn parse_vat_number(input: &str) -> Result<String, VatNumberError> {
    let s: String = input
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-'))
        .collect::<String>()
        .to_ascii_uppercase();
    let (country, rest) = s.split_at_checked(2).ok_or(VatNumberError::Invalid)?;
    if !country.chars().all(|c| c.is_ascii_uppercase())
        || rest.len() < 2
        || rest.len() > 12
        || !rest.chars().all(|c| c.is_ascii_alphanumeric())
    {
        return Err(VatNumberError::Invalid);
    }
    if country == "BE" {
        check_belgian_vat(rest)?;
    }
    Ok(s)
}

/// Belgian enterprise numbers: 10 digits starting with 0 or 1; the last two digits are
/// 97 minus the first eight modulo 97.
fn check_belgian_vat(digits: &str) -> Result<(), VatNumberError> {
    if digits.len() != 10
        || !digits.chars().all(|c| c.is_ascii_digit())
        || !(digits.starts_with('0') || digits.starts_with('1'))
    {
        return Err(VatNumberError::Invalid);
    }
    let base: u64 = digits[..8].parse().map_err(|_| VatNumberError::Invalid)?;
    let check: u64 = digits[8..].parse().map_err(|_| VatNumberError::Invalid)?;
    if 97 - base % 97 == check {
        Ok(())
    } else {
        Err(VatNumberError::CheckDigits)
    }
}

/// A postal address. Every part is optional except where a form says otherwise.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Address {
    pub street: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
    /// ISO 3166-1 alpha-2, e.g. `BE`.
    pub country: Option<String>,
}

impl Address {
    /// The address on one line, as a ticket or a calendar entry shows it:
    /// `Rue de la Grotte 1, 5660 Couvin` (missing parts left out).
    pub fn one_line(&self) -> String {
        let part = |s: &Option<String>| s.as_deref().unwrap_or_default().trim().to_owned();
        let town = format!("{} {}", part(&self.postal_code), part(&self.city));
        [part(&self.street), town.trim().to_owned()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Raw address fields as a form or JSON body sends them.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct AddressInput {
    pub street: String,
    pub postal_code: String,
    pub city: String,
    pub country: String,
}

impl AddressInput {
    pub fn parse(&self, errors: &mut FieldErrors) -> Address {
        Address {
            street: errors
                .check("street", text::optional(&self.street, 200))
                .flatten(),
            postal_code: errors
                .check("postal_code", text::optional(&self.postal_code, 20))
                .flatten(),
            city: errors
                .check("city", text::optional(&self.city, 100))
                .flatten(),
            country: if self.country.trim().is_empty() {
                None
            } else {
                errors.check("country", parse_country(&self.country))
            },
        }
    }

    pub fn from_address(a: &Address) -> AddressInput {
        AddressInput {
            street: a.street.clone().unwrap_or_default(),
            postal_code: a.postal_code.clone().unwrap_or_default(),
            city: a.city.clone().unwrap_or_default(),
            country: a.country.clone().unwrap_or_default(),
        }
    }
}

/// An organization's details (the seeds' "Compte / établissement").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganizationDetails {
    pub name: String,
    /// The organization's part of public addresses (`/book/{slug}/…`). `None`: derived from
    /// the name when creating, kept when updating.
    pub slug: Option<String>,
    pub legal_name: Option<String>,
    pub vat_number: Option<String>,
    pub address: Address,
    pub currency: String,
    pub time_zone: String,
    pub default_language: Language,
}

/// Raw organization fields as a form or JSON body sends them.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct OrganizationInput {
    pub name: String,
    /// Public slug (`grottes-de-han`): lower-case letters, digits and dashes. Empty: derived
    /// from the name (creating) or unchanged (updating).
    pub slug: String,
    pub legal_name: String,
    pub vat_number: String,
    #[serde(flatten)]
    pub address: AddressInput,
    pub currency: String,
    pub time_zone: String,
    pub default_language: String,
}

impl OrganizationInput {
    pub fn parse(&self) -> Result<OrganizationDetails, FieldErrors> {
        let mut e = FieldErrors::new();
        let name = e.check("name", text::required(&self.name, 120));
        let slug = if self.slug.trim().is_empty() {
            Some(None)
        } else {
            e.check("slug", crate::slug::parse(&self.slug)).map(Some)
        };
        let legal_name = e.check("legal_name", text::optional(&self.legal_name, 200));
        let vat_number = if self.vat_number.trim().is_empty() {
            Some(None)
        } else {
            e.check("vat_number", parse_vat_number(&self.vat_number))
                .map(Some)
        };
        let address = self.address.parse(&mut e);
        let currency = e.check("currency", parse_currency(&self.currency));
        let time_zone = e.check("time_zone", parse_time_zone(&self.time_zone));
        let default_language = e.check("default_language", Language::parse(&self.default_language));
        match (
            name,
            slug,
            legal_name,
            vat_number,
            currency,
            time_zone,
            default_language,
        ) {
            (
                Some(name),
                Some(slug),
                Some(legal_name),
                Some(vat_number),
                Some(currency),
                Some(time_zone),
                Some(default_language),
            ) if e.is_empty() => Ok(OrganizationDetails {
                name,
                slug,
                legal_name,
                vat_number,
                address,
                currency,
                time_zone,
                default_language,
            }),
            _ => Err(e),
        }
    }

    pub fn from_details(d: &OrganizationDetails) -> OrganizationInput {
        OrganizationInput {
            name: d.name.clone(),
            slug: d.slug.clone().unwrap_or_default(),
            legal_name: d.legal_name.clone().unwrap_or_default(),
            vat_number: d.vat_number.clone().unwrap_or_default(),
            address: AddressInput::from_address(&d.address),
            currency: d.currency.clone(),
            time_zone: d.time_zone.clone(),
            default_language: d.default_language.as_str().to_owned(),
        }
    }
}

/// A site (the seeds' "Adresse de caisse"): a physical location of an organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteDetails {
    pub name: String,
    pub address: Address,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct SiteInput {
    pub name: String,
    #[serde(flatten)]
    pub address: AddressInput,
}

impl SiteInput {
    pub fn parse(&self) -> Result<SiteDetails, FieldErrors> {
        let mut e = FieldErrors::new();
        let name = e.check("name", text::required(&self.name, 120));
        let address = self.address.parse(&mut e);
        match name {
            Some(name) if e.is_empty() => Ok(SiteDetails { name, address }),
            _ => Err(e),
        }
    }
}

/// A register's settings. The address is only needed when it differs from the site's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterDetails {
    pub name: String,
    pub kind: RegisterKind,
    pub address: Address,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct RegisterInput {
    pub name: String,
    /// `counter` or `phone`.
    pub kind: String,
    /// The site the register stands on.
    pub site_id: String,
    #[serde(flatten)]
    pub address: AddressInput,
}

impl RegisterInput {
    pub fn parse(&self) -> Result<RegisterDetails, FieldErrors> {
        let mut e = FieldErrors::new();
        let name = e.check("name", text::required(&self.name, 80));
        let kind = e.check("kind", RegisterKind::parse(&self.kind));
        let address = self.address.parse(&mut e);
        match (name, kind) {
            (Some(name), Some(kind)) if e.is_empty() => Ok(RegisterDetails {
                name,
                kind,
                address,
            }),
            _ => Err(e),
        }
    }
}

/// A person's display name.
pub fn parse_person_name(input: &str) -> Result<String, TextError> {
    text::required(input, 120)
}

/// VAT rate presets an admin can load in one click.
pub struct VatPreset {
    pub country: &'static str,
    /// (label, basis points)
    pub rates: &'static [(&'static str, u32)],
}

pub const VAT_PRESETS: [VatPreset; 2] = [
    VatPreset {
        country: "BE",
        rates: &[
            ("TVA 0 %", 0),
            ("TVA 6 %", 600),
            ("TVA 12 %", 1200),
            ("TVA 21 %", 2100),
        ],
    },
    VatPreset {
        country: "FR",
        rates: &[("TVA 5,5 %", 550), ("TVA 10 %", 1000), ("TVA 20 %", 2000)],
    },
];

pub fn vat_preset(country: &str) -> Option<&'static VatPreset> {
    VAT_PRESETS
        .iter()
        .find(|p| p.country.eq_ignore_ascii_case(country))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_counter_register_needs_an_open_session_to_sell() {
        assert!(RegisterKind::Counter.needs_open_session());
        assert!(!RegisterKind::Phone.needs_open_session());
        assert!(RegisterKind::Counter.has_drawer());
        assert!(!RegisterKind::Phone.has_drawer());
    }

    #[test]
    fn emails() {
        assert_eq!(
            Email::parse(" Admin@Grottes.BE ").unwrap().as_str(),
            "admin@grottes.be"
        );
        assert_eq!(Email::parse(""), Err(EmailError::Required));
        for bad in [
            "a", "a@b", "@b.be", "a@.be", "a@b.", "a b@c.be", "a@b..be", "a@b@c.be",
        ] {
            assert_eq!(Email::parse(bad), Err(EmailError::Invalid), "{bad}");
        }
    }

    #[test]
    fn belgian_vat_numbers_are_checked() {
        assert_eq!(
            parse_vat_number("BE 0417.497.106"),
            Ok("BE0417497106".to_owned())
        );
        assert_eq!(
            parse_vat_number("BE0417497107"),
            Err(VatNumberError::CheckDigits)
        );
        assert_eq!(
            parse_vat_number("BE417497106"),
            Err(VatNumberError::Invalid)
        );
        assert_eq!(
            parse_vat_number("FR40303265045"),
            Ok("FR40303265045".to_owned())
        );
        assert_eq!(parse_vat_number("12"), Err(VatNumberError::Invalid));
        assert_eq!(parse_vat_number("é"), Err(VatNumberError::Invalid));
    }

    #[test]
    fn time_zones_come_from_the_tz_database() {
        assert_eq!(
            parse_time_zone("Europe/Brussels"),
            Ok("Europe/Brussels".to_owned())
        );
        assert_eq!(parse_time_zone("Mars/Olympus"), Err(UnknownValue));
        assert_eq!(parse_time_zone(""), Err(UnknownValue));
    }

    #[test]
    fn organization_form_lists_every_bad_field() {
        let input = OrganizationInput {
            name: " ".into(),
            vat_number: "BE0417497107".into(),
            currency: "XXX".into(),
            time_zone: "Nowhere".into(),
            default_language: "de".into(),
            ..Default::default()
        };
        let errors = input.parse().unwrap_err();
        assert_eq!(errors.get("name"), Some("required"));
        assert_eq!(errors.get("vat_number"), Some("vat_number_check_digits"));
        assert_eq!(errors.get("currency"), Some("unknown_value"));
        assert_eq!(errors.get("time_zone"), Some("unknown_value"));
        assert_eq!(errors.get("default_language"), Some("unknown_value"));
    }

    #[test]
    fn passwords() {
        assert!(NewPassword::parse("short").is_err());
        assert!(NewPassword::parse("long enough pass").is_ok());
        assert_eq!(
            format!("{:?}", NewPassword::parse("long enough pass").unwrap()),
            "NewPassword(***)"
        );
    }
}
