//! Online booking modules (issue 16 §1): what the attraction embeds in its own website — a
//! booking engine, a button for one offer, or a calendar — and how each one is set up:
//! offers shown, language, return address, which booking fields are required, colours, a
//! web-analytics id, and the sites allowed to frame the flow.

use crate::OfferId;
use crate::text;
use crate::validation::{ErrorCode, FieldErrors};
use serde::{Deserialize, Serialize};

/// What a module shows first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
#[schema(as = BookingModuleKind)]
pub enum ModuleKind {
    /// Date first, then the offers of that date.
    Engine,
    /// One offer: opens at its first available date; the visitor may pick another.
    Button,
    /// Open days and availability; a day leads to the engine.
    Calendar,
}

impl ModuleKind {
    pub const ALL: [ModuleKind; 3] = [ModuleKind::Engine, ModuleKind::Button, ModuleKind::Calendar];

    pub fn as_str(self) -> &'static str {
        match self {
            ModuleKind::Engine => "engine",
            ModuleKind::Button => "button",
            ModuleKind::Calendar => "calendar",
        }
    }

    pub fn parse(s: &str) -> Result<ModuleKind, UnknownKind> {
        match s.trim() {
            "engine" => Ok(ModuleKind::Engine),
            "button" => Ok(ModuleKind::Button),
            "calendar" => Ok(ModuleKind::Calendar),
            _ => Err(UnknownKind),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("unknown value")]
pub struct UnknownKind;

impl ErrorCode for UnknownKind {
    fn code(&self) -> &'static str {
        "unknown_value"
    }
}

/// The language of a module's pages: one fixed language, or the visitor's browser's
/// (`Accept-Language`, among French, Dutch and English).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
#[schema(as = BookingModuleLanguage)]
pub enum ModuleLanguage {
    Fr,
    Nl,
    En,
    Browser,
}

impl ModuleLanguage {
    pub const ALL: [ModuleLanguage; 4] = [
        ModuleLanguage::Browser,
        ModuleLanguage::Fr,
        ModuleLanguage::Nl,
        ModuleLanguage::En,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ModuleLanguage::Fr => "fr",
            ModuleLanguage::Nl => "nl",
            ModuleLanguage::En => "en",
            ModuleLanguage::Browser => "browser",
        }
    }

    pub fn parse(s: &str) -> Result<ModuleLanguage, UnknownKind> {
        match s.trim().to_ascii_lowercase().as_str() {
            "fr" => Ok(ModuleLanguage::Fr),
            "nl" => Ok(ModuleLanguage::Nl),
            "en" => Ok(ModuleLanguage::En),
            "browser" => Ok(ModuleLanguage::Browser),
            _ => Err(UnknownKind),
        }
    }

    /// The fixed language; `None` when the visitor's browser decides.
    pub fn fixed(self) -> Option<crate::org::Language> {
        match self {
            ModuleLanguage::Fr => Some(crate::org::Language::Fr),
            ModuleLanguage::Nl => Some(crate::org::Language::Nl),
            ModuleLanguage::En => Some(crate::org::Language::En),
            ModuleLanguage::Browser => None,
        }
    }
}

/// A field the visitor fills in to book.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BookingField {
    LastName,
    FirstName,
    Email,
    Phone,
    City,
    PostalCode,
}

impl BookingField {
    pub const ALL: [BookingField; 6] = [
        BookingField::LastName,
        BookingField::FirstName,
        BookingField::Email,
        BookingField::Phone,
        BookingField::City,
        BookingField::PostalCode,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            BookingField::LastName => "last_name",
            BookingField::FirstName => "first_name",
            BookingField::Email => "email",
            BookingField::Phone => "phone",
            BookingField::City => "city",
            BookingField::PostalCode => "postal_code",
        }
    }

    pub fn parse(s: &str) -> Option<BookingField> {
        BookingField::ALL
            .into_iter()
            .find(|f| f.as_str() == s.trim())
    }
}

/// Whether the visitor must fill a booking field in.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema, Default,
)]
#[serde(rename_all = "lowercase")]
#[schema(as = BookingFieldRequirement)]
pub enum Requirement {
    #[default]
    Required,
    Optional,
}

impl Requirement {
    pub fn as_str(self) -> &'static str {
        match self {
            Requirement::Required => "required",
            Requirement::Optional => "optional",
        }
    }

    /// Empty means the default, required.
    pub fn parse(s: &str) -> Result<Requirement, UnknownKind> {
        match s.trim() {
            "" | "required" => Ok(Requirement::Required),
            "optional" => Ok(Requirement::Optional),
            _ => Err(UnknownKind),
        }
    }
}

/// The requirement of each booking field (all required by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = BookingModuleFields)]
pub struct BookingFields {
    pub last_name: Requirement,
    pub first_name: Requirement,
    pub email: Requirement,
    pub phone: Requirement,
    pub city: Requirement,
    pub postal_code: Requirement,
}

impl BookingFields {
    pub fn get(&self, field: BookingField) -> Requirement {
        match field {
            BookingField::LastName => self.last_name,
            BookingField::FirstName => self.first_name,
            BookingField::Email => self.email,
            BookingField::Phone => self.phone,
            BookingField::City => self.city,
            BookingField::PostalCode => self.postal_code,
        }
    }

    pub fn set(&mut self, field: BookingField, r: Requirement) {
        match field {
            BookingField::LastName => self.last_name = r,
            BookingField::FirstName => self.first_name = r,
            BookingField::Email => self.email = r,
            BookingField::Phone => self.phone = r,
            BookingField::City => self.city = r,
            BookingField::PostalCode => self.postal_code = r,
        }
    }

    /// The required fields, in form order.
    pub fn required(&self) -> Vec<BookingField> {
        BookingField::ALL
            .into_iter()
            .filter(|f| self.get(*f) == Requirement::Required)
            .collect()
    }

    /// The stored form: the required fields' names, comma-separated (`last_name,email`).
    pub fn to_stored(&self) -> String {
        self.required()
            .iter()
            .map(|f| f.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Reads [`BookingFields::to_stored`]'s form back; unknown names are ignored.
    pub fn from_stored(s: &str) -> BookingFields {
        let mut fields = BookingFields::default();
        for f in BookingField::ALL {
            fields.set(f, Requirement::Optional);
        }
        for name in s.split(',') {
            if let Some(f) = BookingField::parse(name) {
                fields.set(f, Requirement::Required);
            }
        }
        fields
    }
}

/// The booking fields as a form or JSON body sends them: `required` or `optional` each;
/// absent or empty means required.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
#[schema(as = BookingModuleFieldsInput)]
pub struct BookingFieldsInput {
    pub last_name: String,
    pub first_name: String,
    pub email: String,
    pub phone: String,
    pub city: String,
    pub postal_code: String,
}

impl BookingFieldsInput {
    fn raw(&self, field: BookingField) -> &str {
        match field {
            BookingField::LastName => &self.last_name,
            BookingField::FirstName => &self.first_name,
            BookingField::Email => &self.email,
            BookingField::Phone => &self.phone,
            BookingField::City => &self.city,
            BookingField::PostalCode => &self.postal_code,
        }
    }

    pub fn parse(&self, errors: &mut FieldErrors) -> BookingFields {
        let mut fields = BookingFields::default();
        for f in BookingField::ALL {
            let name = format!("fields.{}", f.as_str());
            if let Some(r) = errors.check(&name, Requirement::parse(self.raw(f))) {
                fields.set(f, r);
            }
        }
        fields
    }

    pub fn from_fields(f: &BookingFields) -> BookingFieldsInput {
        BookingFieldsInput {
            last_name: f.last_name.as_str().to_owned(),
            first_name: f.first_name.as_str().to_owned(),
            email: f.email.as_str().to_owned(),
            phone: f.phone.as_str().to_owned(),
            city: f.city.as_str().to_owned(),
            postal_code: f.postal_code.as_str().to_owned(),
        }
    }
}

/// The module's colours, each `#rrggbb` (lower case).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = BookingModuleColors)]
pub struct ModuleColors {
    /// Buttons and links.
    pub primary: String,
    pub background: String,
    pub text: String,
}

impl Default for ModuleColors {
    fn default() -> Self {
        ModuleColors {
            primary: DEFAULT_PRIMARY.to_owned(),
            background: DEFAULT_BACKGROUND.to_owned(),
            text: DEFAULT_TEXT.to_owned(),
        }
    }
}

pub const DEFAULT_PRIMARY: &str = "#1f5fbf";
pub const DEFAULT_BACKGROUND: &str = "#ffffff";
pub const DEFAULT_TEXT: &str = "#1c2430";

/// The error codes of this module's fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ModuleError {
    #[error("required")]
    Required,
    #[error("invalid colour")]
    Color,
    #[error("invalid analytics id")]
    AnalyticsId,
    #[error("invalid URL")]
    Url,
    #[error("https required")]
    HttpsRequired,
    #[error("invalid domain")]
    Domain,
    #[error("too many")]
    TooMany,
}

impl ErrorCode for ModuleError {
    fn code(&self) -> &'static str {
        match self {
            ModuleError::Required => "required",
            ModuleError::Color => "invalid_color",
            ModuleError::AnalyticsId => "invalid_analytics_id",
            ModuleError::Url => "invalid_url",
            ModuleError::HttpsRequired => "https_required",
            ModuleError::Domain => "invalid_domain",
            ModuleError::TooMany => "too_many",
        }
    }
}

pub use crate::slug::{
    SLUG_MAX, SlugError, from_name as slugify, parse as parse_slug, with_suffix as slug_with_suffix,
};

/// A colour `#rrggbb` (`#RGB` short forms are not accepted: the colour inputs send six
/// digits), lower-cased.
pub fn parse_color(input: &str) -> Result<String, ModuleError> {
    let s = input.trim().to_ascii_lowercase();
    let hex = s.strip_prefix('#').ok_or(ModuleError::Color)?;
    if hex.len() == 6 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
        Ok(s)
    } else {
        Err(ModuleError::Color)
    }
}

/// A web-analytics measurement id (`G-XXXXXXX`, `UA-12345-1`): letters, digits and dashes,
/// at most 32, so that it can be written into a page without escaping.
pub fn parse_analytics_id(input: &str) -> Result<String, ModuleError> {
    let s = input.trim();
    if !s.is_empty()
        && s.len() <= 32
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && s.chars().any(|c| c.is_ascii_alphanumeric())
    {
        Ok(s.to_owned())
    } else {
        Err(ModuleError::AnalyticsId)
    }
}

/// A host name: dot-separated labels of letters, digits and inner dashes (lower-cased).
fn is_host_name(host: &str) -> bool {
    host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        })
}

fn is_local(host: &str) -> bool {
    host == "localhost" || host == "127.0.0.1" || host == "[::1]"
}

/// The address the visitor goes back to after a purchase: an absolute `https://` URL
/// (`http://` only for `localhost`, to try a site out), at most 500 characters.
pub fn parse_return_url(input: &str) -> Result<String, ModuleError> {
    let s = input.trim();
    if s.len() > 500 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(ModuleError::Url);
    }
    let lower = s.to_ascii_lowercase();
    let (https, rest) = if let Some(rest) = lower.strip_prefix("https://") {
        (true, rest)
    } else if let Some(rest) = lower.strip_prefix("http://") {
        (false, rest)
    } else {
        return Err(ModuleError::Url);
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err(ModuleError::Url);
    }
    let host = match authority.rsplit_once(':') {
        Some((host, port))
            if !host.is_empty() && !port.is_empty() && port.chars().all(|c| c.is_ascii_digit()) =>
        {
            host
        }
        Some(_) if authority != "[::1]" => return Err(ModuleError::Url),
        _ => authority,
    };
    if !(is_host_name(host) && host.contains('.') || is_local(host)) {
        return Err(ModuleError::Url);
    }
    if !https && !is_local(host) {
        return Err(ModuleError::HttpsRequired);
    }
    Ok(s.to_owned())
}

/// Most domains one module may list.
pub const MAX_FRAME_DOMAINS: usize = 20;

/// One site allowed to frame the flow: a host name (`www.grottes.be`), a wildcard over its
/// sub-domains (`*.grottes.be`), or `localhost`; no scheme, port or path.
pub fn parse_frame_domain(input: &str) -> Result<String, ModuleError> {
    let s = input.trim().to_ascii_lowercase();
    if s == "localhost" {
        return Ok(s);
    }
    let host = s.strip_prefix("*.").unwrap_or(&s);
    if is_host_name(host) && host.contains('.') {
        Ok(s)
    } else {
        Err(ModuleError::Domain)
    }
}

/// The list of framing domains as typed: separated by spaces, commas or line breaks;
/// duplicates dropped, order kept.
pub fn parse_frame_domains(input: &str) -> Result<Vec<String>, ModuleError> {
    let mut out: Vec<String> = Vec::new();
    for raw in input.split(|c: char| c.is_whitespace() || c == ',' || c == ';') {
        if raw.is_empty() {
            continue;
        }
        let d = parse_frame_domain(raw)?;
        if !out.contains(&d) {
            out.push(d);
        }
    }
    if out.len() > MAX_FRAME_DOMAINS {
        return Err(ModuleError::TooMany);
    }
    Ok(out)
}

/// The value of the `Content-Security-Policy` header of the booking flow's pages for a
/// module: `frame-ancestors` lists Guichet itself and each allowed domain over HTTPS
/// (`localhost` over HTTP or HTTPS, any port). With no domain listed, only Guichet may frame
/// the flow: every other site gets a refusal, as `'none'` would give it.
pub fn frame_ancestors(domains: &[String]) -> String {
    let mut v = String::from("frame-ancestors 'self'");
    for d in domains {
        // Only validated domains reach here; anything else is skipped rather than written
        // into a header.
        let Ok(d) = parse_frame_domain(d) else {
            continue;
        };
        if d == "localhost" {
            v.push_str(" http://localhost:* https://localhost:*");
        } else {
            v.push_str(" https://");
            v.push_str(&d);
        }
    }
    v
}

/// A module's settings once valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleDetails {
    pub name: String,
    /// `None`: derived from the name when creating, kept when updating.
    pub slug: Option<String>,
    pub kind: ModuleKind,
    /// `None`: every offer sold online.
    pub offer: Option<OfferId>,
    pub language: ModuleLanguage,
    pub return_url: Option<String>,
    pub fields: BookingFields,
    pub colors: ModuleColors,
    pub analytics_id: Option<String>,
    pub frame_domains: Vec<String>,
}

/// Raw module fields as a form or JSON body sends them.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
#[schema(as = BookingModuleInput)]
pub struct ModuleInput {
    /// Internal name, unique in the organization.
    pub name: String,
    /// The module's part of its public address (`/book/{organization}/{slug}`): lower-case
    /// letters, digits and dashes. Empty: derived from the name (creating) or unchanged
    /// (updating).
    pub slug: String,
    /// `engine`, `button` or `calendar`.
    pub kind: String,
    /// The one offer shown; empty for all offers (a button needs one).
    pub offer_id: String,
    /// `fr`, `nl`, `en`, or `browser` (the visitor's browser's language).
    pub language: String,
    /// Where the visitor goes after the purchase: an absolute `https://` URL; empty: the
    /// flow's own confirmation page.
    pub return_url: String,
    /// `required` or `optional` per booking field (absent: required).
    pub fields: BookingFieldsInput,
    /// `#rrggbb`; empty: the default.
    pub primary_color: String,
    pub background_color: String,
    pub text_color: String,
    /// Web-analytics measurement id (`G-XXXXXXX`); empty: no analytics loaded.
    pub analytics_id: String,
    /// Host names allowed to frame the flow (`www.grottes.be`, `*.grottes.be`), separated by
    /// spaces, commas or line breaks.
    pub frame_domains: String,
}

impl ModuleInput {
    pub fn parse(&self) -> Result<ModuleDetails, FieldErrors> {
        let mut e = FieldErrors::new();
        let name = e.check("name", text::required(&self.name, 80));
        let slug = if self.slug.trim().is_empty() {
            Some(None)
        } else {
            e.check("slug", parse_slug(&self.slug)).map(Some)
        };
        let kind = e.check("kind", ModuleKind::parse(&self.kind));
        let offer = if self.offer_id.trim().is_empty() {
            if kind == Some(ModuleKind::Button) {
                e.add("offer_id", "required");
            }
            None
        } else {
            match self.offer_id.trim().parse::<OfferId>() {
                Ok(id) => Some(id),
                Err(_) => {
                    e.add("offer_id", "unknown_offer");
                    None
                }
            }
        };
        let language = e.check("language", ModuleLanguage::parse(&self.language));
        let return_url = if self.return_url.trim().is_empty() {
            Some(None)
        } else {
            e.check("return_url", parse_return_url(&self.return_url))
                .map(Some)
        };
        let fields = self.fields.parse(&mut e);
        let color = |e: &mut FieldErrors, field: &str, raw: &str, default: &str| {
            if raw.trim().is_empty() {
                default.to_owned()
            } else {
                e.check(field, parse_color(raw)).unwrap_or_default()
            }
        };
        let colors = ModuleColors {
            primary: color(
                &mut e,
                "primary_color",
                &self.primary_color,
                DEFAULT_PRIMARY,
            ),
            background: color(
                &mut e,
                "background_color",
                &self.background_color,
                DEFAULT_BACKGROUND,
            ),
            text: color(&mut e, "text_color", &self.text_color, DEFAULT_TEXT),
        };
        let analytics_id = if self.analytics_id.trim().is_empty() {
            Some(None)
        } else {
            e.check("analytics_id", parse_analytics_id(&self.analytics_id))
                .map(Some)
        };
        let frame_domains = e.check("frame_domains", parse_frame_domains(&self.frame_domains));
        match (
            name,
            slug,
            kind,
            language,
            return_url,
            analytics_id,
            frame_domains,
        ) {
            (
                Some(name),
                Some(slug),
                Some(kind),
                Some(language),
                Some(return_url),
                Some(analytics_id),
                Some(frame_domains),
            ) if e.is_empty() => Ok(ModuleDetails {
                name,
                slug,
                kind,
                offer,
                language,
                return_url,
                fields,
                colors,
                analytics_id,
                frame_domains,
            }),
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn input() -> ModuleInput {
        ModuleInput {
            name: "Site web".into(),
            kind: "engine".into(),
            language: "browser".into(),
            ..Default::default()
        }
    }

    #[test]
    fn defaults_require_every_field_and_show_all_offers() {
        let d = input().parse().unwrap();
        assert_eq!(d.offer, None);
        assert_eq!(d.slug, None);
        assert_eq!(d.fields.required(), BookingField::ALL.to_vec());
        assert_eq!(d.colors, ModuleColors::default());
        assert_eq!(d.return_url, None);
        assert!(d.frame_domains.is_empty());
    }

    #[test]
    fn a_button_needs_one_offer() {
        let mut i = input();
        i.kind = "button".into();
        assert_eq!(i.parse().unwrap_err().get("offer_id"), Some("required"));
        i.offer_id = "nope".into();
        assert_eq!(
            i.parse().unwrap_err().get("offer_id"),
            Some("unknown_offer")
        );
        i.offer_id = OfferId::new().to_string();
        assert!(i.parse().unwrap().offer.is_some());
    }

    #[test]
    fn every_bad_field_is_listed() {
        let i = ModuleInput {
            name: " ".into(),
            slug: "Grottes".into(),
            kind: "widget".into(),
            language: "de".into(),
            return_url: "http://grottes.be/merci".into(),
            fields: BookingFieldsInput {
                phone: "maybe".into(),
                ..Default::default()
            },
            primary_color: "red".into(),
            analytics_id: "<script>".into(),
            frame_domains: "https://grottes.be/".into(),
            ..Default::default()
        };
        let e = i.parse().unwrap_err();
        assert_eq!(e.get("name"), Some("required"));
        assert_eq!(e.get("slug"), Some("invalid_slug"));
        assert_eq!(e.get("kind"), Some("unknown_value"));
        assert_eq!(e.get("language"), Some("unknown_value"));
        assert_eq!(e.get("return_url"), Some("https_required"));
        assert_eq!(e.get("fields.phone"), Some("unknown_value"));
        assert_eq!(e.get("primary_color"), Some("invalid_color"));
        assert_eq!(e.get("analytics_id"), Some("invalid_analytics_id"));
        assert_eq!(e.get("frame_domains"), Some("invalid_domain"));
    }

    #[test]
    fn fields_round_trip_through_storage() {
        let mut f = BookingFields::default();
        assert_eq!(
            f.to_stored(),
            "last_name,first_name,email,phone,city,postal_code"
        );
        f.set(BookingField::Phone, Requirement::Optional);
        f.set(BookingField::City, Requirement::Optional);
        assert_eq!(f.to_stored(), "last_name,first_name,email,postal_code");
        assert_eq!(BookingFields::from_stored(&f.to_stored()), f);
        assert!(BookingFields::from_stored("").required().is_empty());
    }

    #[test]
    fn slugs() {
        assert_eq!(
            slugify("Grottes de Han — Été 2026 !").as_deref(),
            Some("grottes-de-han-ete-2026")
        );
        assert_eq!(slugify("Œuvre d'Ärt").as_deref(), Some("oeuvre-d-art"));
        assert_eq!(slugify("***"), None);
        assert_eq!(parse_slug("grottes-de-han"), Ok("grottes-de-han".into()));
        for bad in [
            "",
            "Grottes",
            "a--b",
            "-a",
            "a-",
            "a b",
            "é",
            &"a".repeat(61),
        ] {
            assert_eq!(parse_slug(bad), Err(SlugError), "{bad}");
        }
        assert_eq!(slug_with_suffix("grottes", 2), "grottes-2");
        let long = "a".repeat(SLUG_MAX);
        assert_eq!(slug_with_suffix(&long, 12).len(), SLUG_MAX);
    }

    #[test]
    fn colors_and_analytics_ids() {
        assert_eq!(parse_color(" #A0b1C2 "), Ok("#a0b1c2".into()));
        for bad in ["#abc", "a0b1c2", "#a0b1cg", "#a0b1c2f"] {
            assert_eq!(parse_color(bad), Err(ModuleError::Color), "{bad}");
        }
        assert_eq!(parse_analytics_id("G-AB12CD34"), Ok("G-AB12CD34".into()));
        assert_eq!(parse_analytics_id("UA-1234-1"), Ok("UA-1234-1".into()));
        for bad in ["", "G-<x>", "G AB", "---", &"G".repeat(33), "G-'x'"] {
            assert!(parse_analytics_id(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn return_urls() {
        for good in [
            "https://grottes.be/merci",
            "https://www.grottes.be:8443/merci?x=1#a",
            "http://localhost:3000/merci",
            "http://127.0.0.1/merci",
            "HTTPS://Grottes.be",
        ] {
            assert!(parse_return_url(good).is_ok(), "{good}");
        }
        assert_eq!(
            parse_return_url("http://grottes.be"),
            Err(ModuleError::HttpsRequired)
        );
        for bad in [
            "grottes.be",
            "/merci",
            "javascript:alert(1)",
            "https://",
            "https://grottes",
            "https://user@grottes.be",
            "https://grottes.be:x/",
            "https://grottes .be",
            "ftp://grottes.be",
        ] {
            assert_eq!(parse_return_url(bad), Err(ModuleError::Url), "{bad}");
        }
    }

    #[test]
    fn frame_domains_and_their_policy() {
        assert_eq!(
            parse_frame_domains("www.grottes.be, *.grottes.be\nWWW.grottes.be localhost"),
            Ok(vec![
                "www.grottes.be".to_owned(),
                "*.grottes.be".to_owned(),
                "localhost".to_owned()
            ])
        );
        for bad in [
            "https://grottes.be",
            "grottes.be/x",
            "grottes.be:443",
            "grottes",
            "*.be.",
            "*grottes.be",
            "gr*ttes.be",
            "*.*.be",
            "-a.be",
        ] {
            assert_eq!(parse_frame_domains(bad), Err(ModuleError::Domain), "{bad}");
        }
        let many: Vec<String> = (0..21).map(|i| format!("s{i}.grottes.be")).collect();
        assert_eq!(
            parse_frame_domains(&many.join(" ")),
            Err(ModuleError::TooMany)
        );
        assert_eq!(frame_ancestors(&[]), "frame-ancestors 'self'");
        assert_eq!(
            frame_ancestors(&[
                "www.grottes.be".into(),
                "*.han.be".into(),
                "localhost".into(),
                "evil.be; script-src *".into()
            ]),
            "frame-ancestors 'self' https://www.grottes.be https://*.han.be http://localhost:* https://localhost:*"
        );
    }

    proptest! {
        #[test]
        fn a_slugified_name_is_a_valid_slug(name in "\\PC{0,100}") {
            if let Some(slug) = slugify(&name) {
                prop_assert_eq!(parse_slug(&slug), Ok(slug.clone()));
                for n in [2u32, 99, 100_000] {
                    let s = slug_with_suffix(&slug, n);
                    prop_assert_eq!(parse_slug(&s), Ok(s.clone()));
                }
            }
        }

        #[test]
        fn the_policy_never_carries_a_separator(raw in "[ -~]{0,40}") {
            let domains = vec![raw];
            let v = frame_ancestors(&domains);
            prop_assert!(!v.contains(';') && !v.contains(',') && !v.contains('\n'));
        }

        #[test]
        fn parsing_never_panics(name in "\\PC{0,30}", url in "\\PC{0,30}", domains in "\\PC{0,30}", color in "\\PC{0,10}") {
            let i = ModuleInput {
                name, return_url: url, frame_domains: domains, primary_color: color,
                kind: "engine".into(), language: "fr".into(), ..Default::default()
            };
            let _ = i.parse();
        }
    }
}

/// What a visitor types in to book (the module's fields, their origin, their consent).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct VisitorInput {
    pub last_name: String,
    pub first_name: String,
    pub email: String,
    pub phone: String,
    pub city: String,
    pub postal_code: String,
    /// ISO 3166 two-letter code; Belgium when empty.
    pub country: String,
    /// Consent to e-mails from the attraction: an unticked box the visitor may tick.
    pub consent_email: bool,
    /// The terms and the cancellation policy were shown and accepted.
    pub accept_terms: bool,
}

impl VisitorInput {
    pub fn value(&self, field: BookingField) -> &str {
        match field {
            BookingField::LastName => &self.last_name,
            BookingField::FirstName => &self.first_name,
            BookingField::Email => &self.email,
            BookingField::Phone => &self.phone,
            BookingField::City => &self.city,
            BookingField::PostalCode => &self.postal_code,
        }
    }

    /// The module's required fields filled in and the terms accepted; the formats (e-mail,
    /// phone, postal code) are the customer file's rules, checked by the caller.
    pub fn check(&self, required: &[BookingField], e: &mut crate::validation::FieldErrors) {
        for f in required {
            if self.value(*f).trim().is_empty() {
                e.add(f.as_str(), "required");
            }
        }
        if !self.accept_terms {
            e.add("accept_terms", "required");
        }
    }
}

#[cfg(test)]
mod visitor_tests {
    use super::*;

    #[test]
    fn required_fields_and_terms_are_checked() {
        let mut e = crate::validation::FieldErrors::new();
        let v = VisitorInput {
            last_name: "Dupont".into(),
            email: "  ".into(),
            ..Default::default()
        };
        v.check(&[BookingField::LastName, BookingField::Email], &mut e);
        assert_eq!(e.get("email"), Some("required"));
        assert_eq!(e.get("last_name"), None);
        assert_eq!(e.get("accept_terms"), Some("required"));
    }
}
