//! Customers: the customer file (status, names, company, contact details in international form,
//! address with the province derived from the postal code, language, birth date, discount and
//! tax flags, bank details, tags, notes, communication consents), and the visitor's origin
//! recorded on visit orders. The register quick-creates a customer with a few of these fields.

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

/// The ways people type a stored (E.164) number, for the search: `32475123456 0475123456`.
pub fn phone_search_forms(e164: &str) -> String {
    let international: String = e164.chars().filter(char::is_ascii_digit).collect();
    let national = phonenumber::parse(None, e164)
        .map(|n| {
            n.format()
                .mode(phonenumber::Mode::National)
                .to_string()
                .chars()
                .filter(char::is_ascii_digit)
                .collect::<String>()
        })
        .unwrap_or_default();
    format!("{international} {national}")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("invalid phone number")]
pub struct PhoneError;

impl ErrorCode for PhoneError {
    fn code(&self) -> &'static str {
        "invalid_phone"
    }
}

/// A customer as typed: the register's quick-create sends the first fields only.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CustomerInput {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: String,
    /// ISO 3166 two-letter code; taken from the phone number's country code when empty, else
    /// Belgium.
    pub country: String,
    pub postal_code: String,
    /// For the Netherlands, instead of the postal code.
    pub province: String,
    /// `customer` (default) or `prospect`.
    pub status: String,
    pub company: String,
    pub street: String,
    pub city: String,
    /// `fr`, `nl`, `en` or `de`.
    pub language: String,
    /// YYYY-MM-DD.
    pub birth_date: String,
    /// Personal discount in percent (`9`, `12,5`); an institutional customer without one gets
    /// [`INSTITUTIONAL_DISCOUNT_BP`].
    pub discount_percent: String,
    pub vat_exempt: bool,
    pub institutional: bool,
    pub iban: String,
    pub bic: String,
    /// Most the customer may owe (`500,00`); empty: no limit.
    pub balance_limit: String,
    pub loyalty: bool,
    /// Comma-separated.
    pub tags: String,
    pub notes: String,
    pub consent_email: bool,
    pub consent_sms: bool,
    pub consent_post: bool,
    /// The customer type's id; none when empty.
    pub customer_type_id: String,
    /// The organization's own fields: field id → value as typed.
    pub custom: std::collections::BTreeMap<String, String>,
}

/// A customer type (school, association, tour operator…) as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CustomerTypeInput {
    pub name: String,
    /// In percent (`10`, `12,5`); empty: none.
    pub discount_percent: String,
    /// `standard`, `exempt` or `rate`.
    pub tax: String,
    /// With `rate`: the percentage (`6`).
    pub tax_rate_percent: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerTypeDetails {
    pub name: String,
    pub discount_bp: u32,
    pub tax: TaxTreatment,
}

impl CustomerTypeInput {
    pub fn parse(&self) -> Result<CustomerTypeDetails, FieldErrors> {
        let mut e = FieldErrors::new();
        let name = e.check("name", crate::text::required(&self.name, 100));
        let discount_bp = match self.discount_percent.trim() {
            "" => 0,
            raw => match crate::money::VatRate::parse_percent(raw) {
                Ok(r) => r.basis_points(),
                Err(_) => {
                    e.add("discount_percent", "invalid_discount");
                    0
                }
            },
        };
        let tax = match TaxTreatment::parse(&self.tax, &self.tax_rate_percent) {
            Ok(t) => Some(t),
            Err(code) => {
                let field = if code == "unknown_value" {
                    "tax"
                } else {
                    "tax_rate_percent"
                };
                e.add(field, code);
                None
            }
        };
        e.into_result()?;
        match (name, tax) {
            (Some(name), Some(tax)) => Ok(CustomerTypeDetails {
                name,
                discount_bp,
                tax,
            }),
            _ => Err(FieldErrors::new()),
        }
    }
}

/// What an organization-defined customer field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    Text,
    Number,
    Date,
    YesNo,
}

impl FieldKind {
    pub fn parse(s: &str) -> Option<FieldKind> {
        match s.trim() {
            "text" => Some(Self::Text),
            "number" => Some(Self::Number),
            "date" => Some(Self::Date),
            "yes_no" => Some(Self::YesNo),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Number => "number",
            Self::Date => "date",
            Self::YesNo => "yes_no",
        }
    }

    /// A value as typed, checked and kept in one form: text trimmed (200 characters at most),
    /// a number with `.` (`12,5` → `12.5`), a date as YYYY-MM-DD, yes/no as `yes` or `no`.
    /// Empty: no value.
    pub fn value(self, raw: &str) -> Result<Option<String>, &'static str> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Ok(None);
        }
        match self {
            Self::Text if raw.chars().count() > 200 => Err("too_long"),
            Self::Text => Ok(Some(raw.to_owned())),
            Self::Number => {
                let n = raw.replace(',', ".");
                let digits = n.strip_prefix('-').unwrap_or(&n);
                let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
                let ok = !whole.is_empty()
                    && whole.len() <= 15
                    && frac.len() <= 6
                    && whole
                        .chars()
                        .chain(frac.chars())
                        .all(|c| c.is_ascii_digit());
                if ok { Ok(Some(n)) } else { Err("not_a_number") }
            }
            Self::Date => raw
                .parse::<jiff::civil::Date>()
                .map(|d| Some(d.to_string()))
                .map_err(|_| "invalid_date"),
            Self::YesNo => match raw.to_lowercase().as_str() {
                "yes" | "oui" | "ja" | "true" | "1" | "on" => Ok(Some("yes".into())),
                "no" | "non" | "nee" | "false" | "0" | "off" => Ok(Some("no".into())),
                _ => Err("unknown_value"),
            },
        }
    }
}

/// Loyalty points earned per whole euro spent (VAT included, finalized orders not cancelled).
pub const POINTS_PER_EURO: i64 = 1;

/// A loyalty customer's points for what they spent: one per whole euro.
pub fn loyalty_points(spent_cents: i64) -> i64 {
    spent_cents.max(0).div_euclid(100) * POINTS_PER_EURO
}

/// The seed's default discount for institutional customers (schools, associations): 9 %.
pub const INSTITUTIONAL_DISCOUNT_BP: u32 = 900;

/// Customer or prospect (a contact who has not bought yet).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CustomerStatus {
    #[default]
    Customer,
    Prospect,
}

impl CustomerStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Customer => "customer",
            Self::Prospect => "prospect",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "" | "customer" => Some(Self::Customer),
            "prospect" => Some(Self::Prospect),
            _ => None,
        }
    }
}

/// The languages a customer is written to in.
pub const CUSTOMER_LANGUAGES: [&str; 4] = ["fr", "nl", "en", "de"];

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CustomerDetails {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub origin: Origin,
    pub status: CustomerStatus,
    pub company: Option<String>,
    pub street: Option<String>,
    pub city: Option<String>,
    pub language: Option<String>,
    pub birth_date: Option<jiff::civil::Date>,
    pub discount_bp: u32,
    pub vat_exempt: bool,
    pub institutional: bool,
    /// Electronic form: no spaces, upper case.
    pub iban: Option<String>,
    pub bic: Option<String>,
    pub balance_limit_cents: Option<i64>,
    pub loyalty: bool,
    pub tags: Vec<String>,
    pub notes: Option<String>,
    pub consent_email: bool,
    pub consent_sms: bool,
    pub consent_post: bool,
    pub customer_type_id: Option<crate::CustomerTypeId>,
    /// Checked values of the organization's own fields (field id → value); filled by the
    /// caller, which knows the fields (see [`FieldKind::value`]).
    pub custom: std::collections::BTreeMap<String, String>,
}

/// How a customer (or their customer type) is taxed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case", tag = "kind", content = "rate_basis_points")]
pub enum TaxTreatment {
    /// The catalogue's rates.
    #[default]
    Standard,
    /// No VAT: the customer pays the price without the VAT it includes.
    Exempt,
    /// Every line taxed at this rate, prices unchanged (the VAT inside them is read at it).
    Rate(u32),
}

impl TaxTreatment {
    /// The VAT rate a line of the catalogue's rate `catalogue_bp` is taxed at.
    pub fn rate_for(self, catalogue_bp: u32) -> u32 {
        match self {
            Self::Standard => catalogue_bp,
            Self::Exempt => 0,
            Self::Rate(r) => r,
        }
    }

    /// `standard`, `exempt`, or `rate` with a percentage.
    pub fn parse(kind: &str, percent: &str) -> Result<TaxTreatment, &'static str> {
        match kind.trim() {
            "" | "standard" => Ok(Self::Standard),
            "exempt" => Ok(Self::Exempt),
            "rate" => crate::money::VatRate::parse_percent(percent)
                .map(|r| Self::Rate(r.basis_points()))
                .map_err(|_| "invalid_vat_rate"),
            _ => Err("unknown_value"),
        }
    }

    pub fn kind(self) -> &'static str {
        match self {
            Self::Standard => "standard",
            Self::Exempt => "exempt",
            Self::Rate(_) => "rate",
        }
    }

    pub fn rate_bp(self) -> Option<u32> {
        match self {
            Self::Rate(r) => Some(r),
            _ => None,
        }
    }
}

/// The terms a sale applies to an attached customer: their personal discount, or else their
/// type's; exempt when the customer is flagged so, else their type's tax treatment.
pub fn effective_terms(
    personal_bp: u32,
    vat_exempt: bool,
    customer_type: Option<(u32, TaxTreatment)>,
) -> (u32, TaxTreatment) {
    let (type_bp, type_tax) = customer_type.unwrap_or_default();
    let bp = if personal_bp > 0 {
        personal_bp
    } else {
        type_bp
    };
    let tax = if vat_exempt {
        TaxTreatment::Exempt
    } else {
        type_tax
    };
    (bp, tax)
}

/// What an attached customer changes in a sale's lines, in this order:
/// 1. the discount (personal, institutional 9 % by default, or the customer type's) comes off
///    what each line still costs after promotions and promo codes, rounded half-up at the
///    cent;
/// 2. exempt: the customer pays the sale without its VAT. Per VAT rate, the VAT included in
///    what that rate's lines still cost — the order's VAT, by the one VAT rule
///    ([`crate::order::totals`]) — is taken off, shared among those lines in proportion to
///    their amounts, and the lines are at 0 %. The rule is per order and rate: how the cart is
///    split into lines never changes what the customer pays (two items at 0,14 € and 12 % come
///    to 0,25 € as one line or as two). A specific rate: the lines are taxed at it, same price.
///
/// Each line is (discount in basis points, VAT-included amount after earlier reductions, VAT
/// rate in basis points); the answer, line for line, is (discount, VAT taken off, new amount,
/// new rate).
pub fn apply_terms(tax: TaxTreatment, lines: &[(u32, i64, u32)]) -> Vec<(i64, i64, i64, u32)> {
    let discounted: Vec<(i64, i64, u32)> = lines
        .iter()
        .map(|&(discount_bp, amount, bp)| {
            let discount = crate::order::Reduction::PercentBp(discount_bp).discount_on(amount);
            (discount, amount - discount, bp)
        })
        .collect();
    // Exempt: the prices lose the VAT the order would have carried, rate by rate.
    let vat_off = if tax == TaxTreatment::Exempt {
        let amounts: Vec<(i64, u32)> = discounted.iter().map(|l| (l.1, l.2)).collect();
        crate::order::totals(&amounts).line_vat_cents
    } else {
        vec![0; discounted.len()]
    };
    discounted
        .into_iter()
        .zip(vat_off)
        .map(|((discount, after, bp), vat)| (discount, vat, after - vat, tax.rate_for(bp)))
        .collect()
}

/// The country of an international phone number (`+31…` is `NL`), if it has one.
pub fn phone_country(raw: &str) -> Option<String> {
    let raw = raw.trim();
    if !raw.starts_with('+') && !raw.starts_with("00") {
        return None;
    }
    let n = phonenumber::parse(
        None,
        raw.replacen("00", "+", usize::from(raw.starts_with("00"))),
    )
    .ok()?;
    let id = n.country().id()?;
    Some(format!("{id:?}"))
}

/// A BIC: 8 or 11 letters and digits, the 5th and 6th a country code.
fn bic(raw: &str) -> Result<Option<String>, BankError> {
    let b: String = raw
        .split_whitespace()
        .collect::<String>()
        .to_ascii_uppercase();
    if b.is_empty() {
        return Ok(None);
    }
    let ok = matches!(b.len(), 8 | 11)
        && b.chars().all(|c| c.is_ascii_alphanumeric())
        && b[..6].chars().all(|c| c.is_ascii_alphabetic());
    if ok { Ok(Some(b)) } else { Err(BankError::Bic) }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BankError {
    #[error("invalid IBAN")]
    Iban,
    #[error("invalid BIC")]
    Bic,
}

impl ErrorCode for BankError {
    fn code(&self) -> &'static str {
        match self {
            Self::Iban => "invalid_iban",
            Self::Bic => "invalid_bic",
        }
    }
}

/// An IBAN, checked (country length and check digits) by `iban_validate`, in electronic form.
fn iban(raw: &str) -> Result<Option<String>, BankError> {
    use iban::IbanLike;
    if raw.trim().is_empty() {
        return Ok(None);
    }
    // Electronic form first: people type it in groups of four, in any case.
    raw.split_whitespace()
        .collect::<String>()
        .to_ascii_uppercase()
        .parse::<iban::Iban>()
        .map(|i| Some(i.electronic_str().to_owned()))
        .map_err(|_| BankError::Iban)
}

/// Tags as typed, comma-separated: trimmed, empty ones dropped, each kept once.
pub fn parse_tags(raw: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in raw.split(',').map(str::trim).filter(|t| !t.is_empty()) {
        if !out.iter().any(|x| crate::text::same_text(x, t)) {
            out.push(t.chars().take(50).collect());
        }
    }
    out
}

impl CustomerInput {
    /// The details, every field checked; no clock, so any birth date from 1900 passes.
    pub fn parse(&self) -> Result<CustomerDetails, FieldErrors> {
        self.parse_as_of(None)
    }

    /// The same on `today` (the organization's date): a birth date after it is refused
    /// (`future_date`; a birth date in 2999 is a typing error).
    pub fn parse_on(&self, today: jiff::civil::Date) -> Result<CustomerDetails, FieldErrors> {
        self.parse_as_of(Some(today))
    }

    fn parse_as_of(
        &self,
        today: Option<jiff::civil::Date>,
    ) -> Result<CustomerDetails, FieldErrors> {
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
        // A number like +31 6… tells the country when nobody typed it.
        let country = match self.country.trim() {
            "" => phone_country(&self.phone).unwrap_or_default(),
            c => c.to_owned(),
        };
        let origin = match Origin::parse(&country, &self.postal_code, &self.province) {
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
        let status = CustomerStatus::parse(&self.status);
        if status.is_none() {
            e.add("status", "unknown_value");
        }
        let opt = |e: &mut FieldErrors, field: &str, raw: &str, max: usize| {
            e.check(field, crate::text::optional(raw, max)).flatten()
        };
        let company = opt(&mut e, "company", &self.company, 200);
        let street = opt(&mut e, "street", &self.street, 200);
        let city = opt(&mut e, "city", &self.city, 100);
        // A note keeps its line breaks (a spreadsheet cell of several lines, a textarea).
        let notes = e
            .check("notes", crate::text::optional_multiline(&self.notes, 5_000))
            .flatten();
        let language = match self.language.trim().to_ascii_lowercase().as_str() {
            "" => None,
            l if CUSTOMER_LANGUAGES.contains(&l) => Some(l.to_owned()),
            _ => {
                e.add("language", "unknown_value");
                None
            }
        };
        let birth_date = match self.birth_date.trim() {
            "" => None,
            raw => match raw.parse::<jiff::civil::Date>() {
                Ok(d) if today.is_some_and(|t| d > t) => {
                    e.add("birth_date", "future_date");
                    None
                }
                Ok(d) if d.year() >= 1900 => Some(d),
                _ => {
                    e.add("birth_date", "invalid_date");
                    None
                }
            },
        };
        let discount_bp = match self.discount_percent.trim() {
            "" if self.institutional => INSTITUTIONAL_DISCOUNT_BP,
            "" => 0,
            raw => match crate::money::VatRate::parse_percent(raw) {
                Ok(r) => r.basis_points(),
                Err(_) => {
                    e.add("discount_percent", "invalid_discount");
                    0
                }
            },
        };
        let iban = e.check("iban", iban(&self.iban)).flatten();
        let bic = e.check("bic", bic(&self.bic)).flatten();
        let balance_limit_cents = match self.balance_limit.trim() {
            "" => None,
            raw => e.check("balance_limit", crate::shop::parse_price_cents(raw)),
        };
        let customer_type_id = match self.customer_type_id.trim() {
            "" => None,
            raw => match raw.parse::<crate::CustomerTypeId>() {
                Ok(id) => Some(id),
                Err(_) => {
                    e.add("customer_type_id", "unknown_customer_type");
                    None
                }
            },
        };
        e.into_result()?;
        Ok(CustomerDetails {
            custom: Default::default(),
            customer_type_id,
            first_name,
            last_name,
            email,
            phone,
            origin: origin.unwrap_or_default(),
            status: status.unwrap_or_default(),
            company,
            street,
            city,
            language,
            birth_date,
            discount_bp,
            vat_exempt: self.vat_exempt,
            institutional: self.institutional,
            iban,
            bic,
            balance_limit_cents,
            loyalty: self.loyalty,
            tags: parse_tags(&self.tags),
            notes,
            consent_email: self.consent_email,
            consent_sms: self.consent_sms,
            consent_post: self.consent_post,
        })
    }
}

#[cfg(test)]
mod tests;
