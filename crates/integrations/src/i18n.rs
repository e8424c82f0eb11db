//! Every UI text goes through the Fluent catalogues in `locales/{fr,en}/*.ftl`, embedded in
//! the binary. French is the default and the fallback.

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, langid};
use guichet_domain::FieldErrors;
use guichet_domain::org::Language;
use std::borrow::Cow;
use std::collections::HashMap;

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "fr",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static FR: LanguageIdentifier = langid!("fr");
static EN: LanguageIdentifier = langid!("en");

fn id(lang: Language) -> &'static LanguageIdentifier {
    match lang {
        Language::En => &EN,
        // Back-office pages are translated in French and English; Dutch comes with the
        // public booking pages and falls back to French until then.
        Language::Fr | Language::Nl => &FR,
    }
}

/// The text for `key` in `lang`.
pub fn t(lang: Language, key: &str) -> String {
    LOCALES.lookup(id(lang), key)
}

/// The text for `key` if the catalogue has it.
pub fn try_t(lang: Language, key: &str) -> Option<String> {
    LOCALES.try_lookup(id(lang), key)
}

/// The text for `key` with named arguments (`{ $name }` in the catalogue).
pub fn t_args(lang: Language, key: &str, args: &[(&'static str, String)]) -> String {
    let map: HashMap<Cow<'static, str>, FluentValue> = args
        .iter()
        .map(|(k, v)| (Cow::Borrowed(*k), FluentValue::from(v.clone())))
        .collect();
    LOCALES.lookup_with_args(id(lang), key, &map)
}

/// The message keys defined by a catalogue file, for the completeness test.
pub fn catalogue_keys(lang: Language) -> Vec<String> {
    let text = match lang {
        Language::En => include_str!("../locales/en/main.ftl"),
        Language::Fr | Language::Nl => include_str!("../locales/fr/main.ftl"),
    };
    text.lines()
        .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_lowercase()))
        .filter_map(|l| l.split_once('=').map(|(k, _)| k.trim().to_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_and_english_define_the_same_keys() {
        let mut fr = catalogue_keys(Language::Fr);
        let mut en = catalogue_keys(Language::En);
        fr.sort();
        en.sort();
        let only_fr: Vec<_> = fr.iter().filter(|k| !en.contains(k)).collect();
        let only_en: Vec<_> = en.iter().filter(|k| !fr.contains(k)).collect();
        assert!(
            only_fr.is_empty() && only_en.is_empty(),
            "only fr: {only_fr:?}; only en: {only_en:?}"
        );
        let mut dedup = fr.clone();
        dedup.dedup();
        assert_eq!(dedup.len(), fr.len(), "a key is defined twice");
    }

    /// A message Fluent cannot parse (a stray `{`) is silently missing at run time. (Messages
    /// with `{ $variables }` need their arguments and are looked up with them.)
    #[test]
    fn every_message_parses() {
        for lang in [Language::Fr, Language::En] {
            let missing: Vec<String> = catalogue_keys(lang)
                .into_iter()
                .filter(|k| {
                    let with = t_args(
                        lang,
                        k,
                        &[
                            ("name", "x".into()),
                            ("day", "x".into()),
                            ("days", "2".into()),
                            ("register", "x".into()),
                            ("count", "2".into()),
                            ("organization", "x".into()),
                            ("inviter", "x".into()),
                            ("created", "1".into()),
                            ("updated", "1".into()),
                            ("product", "x".into()),
                            ("number", "x".into()),
                            ("quantity", "1".into()),
                            ("seconds", "2".into()),
                            ("link", "x".into()),
                            ("email", "x".into()),
                        ],
                    );
                    try_t(lang, k).is_none()
                        && (with.starts_with("Unknown localization key") || with.is_empty())
                })
                .collect();
            assert!(missing.is_empty(), "{lang:?}: {missing:?}");
        }
    }

    #[test]
    fn looks_up_in_both_languages() {
        assert_eq!(t(Language::Fr, "nav-dashboard"), "Tableau de bord");
        assert_eq!(t(Language::En, "nav-dashboard"), "Dashboard");
    }
}

/// The translator handed to templates: `{{ tr.t("nav-dashboard") }}`.
#[derive(Debug, Clone, Copy)]
pub struct Tr(pub Language);

impl Tr {
    pub fn t(&self, key: &str) -> String {
        t(self.0, key)
    }

    /// One argument: `{{ tr.t1("users-count", "count", n) }}`.
    pub fn t1(&self, key: &str, name: &'static str, value: impl std::fmt::Display) -> String {
        t_args(self.0, key, &[(name, value.to_string())])
    }

    /// Two arguments.
    pub fn t1_2(&self, key: &str, a: (&'static str, String), b: (&'static str, String)) -> String {
        t_args(self.0, key, &[a, b])
    }

    /// The message for a field error code (`error-required`, …).
    pub fn error(&self, code: &str) -> String {
        try_t(self.0, &format!("error-{code}")).unwrap_or_else(|| t(self.0, "error-invalid"))
    }

    /// The message for the error on `field`, or nothing.
    pub fn field_error(&self, errors: &FieldErrors, field: &str) -> Option<String> {
        errors.get(field).map(|code| self.error(code))
    }

    pub fn lang(&self) -> &'static str {
        self.0.as_str()
    }

    pub fn role(&self, role: &guichet_domain::Role) -> String {
        self.t(&format!("role-{}", role.as_str()))
    }

    /// A payment method's name (`method-cash`, …).
    pub fn method(&self, m: &guichet_domain::order::PaymentMethod) -> String {
        self.t(&format!("method-{}", m.as_str()))
    }

    /// A date and time in the organization's zone, for lists.
    pub fn instant(&self, micros: &i64, tz: &str) -> String {
        let Ok(ts) = jiff::Timestamp::from_microsecond(*micros) else {
            return String::new();
        };
        let zone = jiff::tz::TimeZone::get(tz).unwrap_or(jiff::tz::TimeZone::UTC);
        ts.to_zoned(zone).strftime("%d/%m/%Y %H:%M").to_string()
    }

    /// A VAT rate (or any percentage) in basis points: `21 %`.
    pub fn rate(&self, bp: &u32) -> String {
        guichet_domain::money::percent_text(*bp)
    }

    /// An amount in euros as people read it: `8,50 €`.
    pub fn money(&self, cents: &i64) -> String {
        format!("{} €", guichet_domain::shop::format_cents(*cents))
    }

    /// A session start (or any instant) as a time of day in the zone: `14:30`.
    pub fn time_of(&self, micros: &Option<i64>, tz: &str) -> String {
        let Some(ts) = micros.and_then(|m| jiff::Timestamp::from_microsecond(m).ok()) else {
            return String::new();
        };
        let zone = jiff::tz::TimeZone::get(tz).unwrap_or(jiff::tz::TimeZone::UTC);
        ts.to_zoned(zone).strftime("%H:%M").to_string()
    }

    /// A YYYY-MM-DD day as DD/MM/YYYY.
    pub fn day(&self, day: &Option<String>) -> String {
        day.as_deref()
            .and_then(|d| d.parse::<jiff::civil::Date>().ok())
            .map(|d| d.strftime("%d/%m/%Y").to_string())
            .unwrap_or_default()
    }

    pub fn maybe_instant(&self, micros: &Option<i64>, tz: &str) -> String {
        micros
            .as_ref()
            .map(|m| self.instant(m, tz))
            .unwrap_or_else(|| "—".to_owned())
    }
}
