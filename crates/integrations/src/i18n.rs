//! Every UI text goes through the Fluent catalogues in `locales/{fr,nl,en}/*.ftl`, embedded in
//! the binary. French is the default and the fallback. Amounts, dates and weekday names are
//! written the way each language writes them (`money_text`, `long_date`, `weekday_name`).

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, langid};
use guichet_domain::FieldErrors;
use guichet_domain::org::Language;
use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "fr",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static FR: LanguageIdentifier = langid!("fr");
static EN: LanguageIdentifier = langid!("en");
static NL: LanguageIdentifier = langid!("nl");

fn id(lang: Language) -> &'static LanguageIdentifier {
    match lang {
        Language::Fr => &FR,
        Language::En => &EN,
        Language::Nl => &NL,
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

fn catalogue_text(lang: Language) -> &'static str {
    match lang {
        Language::Fr => include_str!("../locales/fr/main.ftl"),
        Language::En => include_str!("../locales/en/main.ftl"),
        Language::Nl => include_str!("../locales/nl/main.ftl"),
    }
}

/// The message keys defined by a catalogue file (`locales/{fr,nl,en}/main.ftl`), in file
/// order, for the completeness test.
pub fn catalogue_keys(lang: Language) -> Vec<String> {
    catalogue_messages(lang)
        .into_iter()
        .map(|(k, _)| k)
        .collect()
}

/// Each message of a catalogue file with the names of the variables it uses (`{ $count }` →
/// `count`), for the completeness test: a translation must use the same variables.
pub fn catalogue_messages(lang: Language) -> Vec<(String, BTreeSet<String>)> {
    let mut messages: Vec<(String, BTreeSet<String>)> = Vec::new();
    for line in catalogue_text(lang).lines() {
        if line.chars().next().is_some_and(|c| c.is_ascii_lowercase()) {
            if let Some((key, value)) = line.split_once('=') {
                messages.push((key.trim().to_owned(), variables(value)));
            }
        } else if line.starts_with(' ')
            && let Some((_, vars)) = messages.last_mut()
        {
            // A continuation line of a multi-line message.
            vars.extend(variables(line));
        }
    }
    messages
}

/// The `$name`s in a piece of Fluent text.
fn variables(text: &str) -> BTreeSet<String> {
    text.split('$')
        .skip(1)
        .map(|rest| {
            rest.chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                .collect::<String>()
        })
        .filter(|name| !name.is_empty())
        .collect()
}

/// An amount in euros as people read it in `lang`: `8,50 €` in French (and, for now, in
/// English), `€ 8,50` in Dutch (with dots between thousands: `€ 1.234,50`).
pub fn money_text(lang: Language, cents: i64) -> String {
    match lang {
        Language::Fr | Language::En => format!("{} €", guichet_domain::shop::format_cents(cents)),
        Language::Nl => {
            let sign = if cents < 0 { "-" } else { "" };
            let c = cents.unsigned_abs();
            format!("€ {sign}{},{:02}", thousands(c / 100, '.'), c % 100)
        }
    }
}

/// `1234567` → `1.234.567` with `sep` = `.`.
fn thousands(n: u64, sep: char) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(d);
    }
    out
}

const MONTHS_FR: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];
const MONTHS_NL: [&str; 12] = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const WEEKDAYS_FR: [&str; 7] = [
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
];
const WEEKDAYS_NL: [&str; 7] = [
    "maandag",
    "dinsdag",
    "woensdag",
    "donderdag",
    "vrijdag",
    "zaterdag",
    "zondag",
];
const WEEKDAYS_EN: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const WEEKDAYS_SHORT_FR: [&str; 7] = ["lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."];
const WEEKDAYS_SHORT_NL: [&str; 7] = ["ma", "di", "wo", "do", "vr", "za", "zo"];
const WEEKDAYS_SHORT_EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// A month's name (1 = January) in `lang`, as written inside a date: `mars`, `maart`, `March`.
pub fn month_name(lang: Language, month: i8) -> &'static str {
    let names = match lang {
        Language::Fr => &MONTHS_FR,
        Language::Nl => &MONTHS_NL,
        Language::En => &MONTHS_EN,
    };
    names[(month.clamp(1, 12) - 1) as usize]
}

/// A weekday's name in `lang`: `lundi`, `maandag`, `Monday`.
pub fn weekday_name(lang: Language, day: jiff::civil::Weekday) -> &'static str {
    let names = match lang {
        Language::Fr => &WEEKDAYS_FR,
        Language::Nl => &WEEKDAYS_NL,
        Language::En => &WEEKDAYS_EN,
    };
    names[day.to_monday_zero_offset() as usize]
}

/// A weekday's short name in `lang`: `lun.`, `ma`, `Mon`.
pub fn weekday_short(lang: Language, day: jiff::civil::Weekday) -> &'static str {
    let names = match lang {
        Language::Fr => &WEEKDAYS_SHORT_FR,
        Language::Nl => &WEEKDAYS_SHORT_NL,
        Language::En => &WEEKDAYS_SHORT_EN,
    };
    names[day.to_monday_zero_offset() as usize]
}

/// A date written out in `lang`: `16 mars 2021` (`1er mars 2021`), `16 maart 2021`,
/// `16 March 2021`.
pub fn long_date(lang: Language, date: jiff::civil::Date) -> String {
    let day = match (lang, date.day()) {
        (Language::Fr, 1) => "1er".to_owned(),
        (_, d) => d.to_string(),
    };
    format!("{day} {} {}", month_name(lang, date.month()), date.year())
}

/// A day written out with its weekday in `lang`: `dimanche 6 décembre 2026`,
/// `zondag 6 december 2026`, `Sunday 6 December 2026`.
pub fn full_date(lang: Language, date: jiff::civil::Date) -> String {
    format!(
        "{} {}",
        weekday_name(lang, date.weekday()),
        long_date(lang, date)
    )
}

/// A day as a table writes it: `06/12/2026` (the same in the three languages).
pub fn short_date(date: jiff::civil::Date) -> String {
    date.strftime("%d/%m/%Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// The three catalogues define the same keys, once each, and each message uses the same
    /// variables in the three languages (a translation that drops `{ $count }` fails).
    #[test]
    fn the_three_catalogues_define_the_same_messages() {
        let fr: BTreeMap<String, BTreeSet<String>> =
            catalogue_messages(Language::Fr).into_iter().collect();
        for lang in Language::ALL {
            let messages = catalogue_messages(lang);
            let keys: BTreeSet<&String> = messages.iter().map(|(k, _)| k).collect();
            assert_eq!(
                keys.len(),
                messages.len(),
                "{lang:?}: a key is defined twice"
            );
            let missing: Vec<_> = fr.keys().filter(|k| !keys.contains(k)).collect();
            let extra: Vec<_> = keys.iter().filter(|k| !fr.contains_key(**k)).collect();
            assert!(
                missing.is_empty() && extra.is_empty(),
                "{lang:?}: missing {missing:?}; not in French: {extra:?}"
            );
            let different: Vec<_> = messages
                .iter()
                .filter(|(k, vars)| fr.get(k) != Some(vars))
                .map(|(k, vars)| format!("{k}: {vars:?} (French: {:?})", fr.get(k)))
                .collect();
            assert!(
                different.is_empty(),
                "{lang:?}: variables differ: {different:?}"
            );
        }
        assert!(
            fr.len() > 900,
            "the catalogue parser found only {} keys",
            fr.len()
        );
        assert_eq!(
            fr["import-done"],
            BTreeSet::from(["created".to_owned(), "updated".to_owned()])
        );
        assert_eq!(
            fr["email-reset-body"],
            BTreeSet::from(["email".to_owned(), "link".to_owned()])
        );
    }

    #[test]
    fn reads_variables() {
        assert_eq!(
            variables("{ $count } à créer, { $count-2 } ou {$x}"),
            BTreeSet::from(["count".to_owned(), "count-2".to_owned(), "x".to_owned()])
        );
        assert!(variables("8,50 €").is_empty());
    }

    /// A message Fluent cannot parse (a stray `{`) is silently missing at run time. (Messages
    /// with `{ $variables }` need their arguments and are looked up with them.)
    #[test]
    fn every_message_parses() {
        for lang in Language::ALL {
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
                            ("date", "x".into()),
                            ("time", "x".into()),
                            ("index", "1".into()),
                            ("url", "x".into()),
                            ("percent", "30".into()),
                            ("amount", "x".into()),
                            ("hours", "48".into()),
                            ("min", "1".into()),
                            ("max", "4".into()),
                            ("when", "x".into()),
                            ("account", "x".into()),
                            ("payouts", "1".into()),
                            ("fees", "1".into()),
                            ("payout", "x".into()),
                            ("from", "1".into()),
                            ("to", "7".into()),
                            ("visitors", "3".into()),
                            ("method", "x".into()),
                            ("difference", "x".into()),
                            ("absorbed", "x".into()),
                            ("kept", "x".into()),
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
    fn looks_up_in_the_three_languages() {
        assert_eq!(t(Language::Fr, "nav-dashboard"), "Tableau de bord");
        assert_eq!(t(Language::En, "nav-dashboard"), "Dashboard");
        assert_eq!(t(Language::Nl, "nav-orders"), "Bestellingen");
        assert_eq!(
            t_args(Language::Nl, "import-rows", &[("count", "3".into())]),
            "3 rijen"
        );
        assert_eq!(Tr(Language::Nl).lang(), "nl");
    }

    #[test]
    fn amounts_in_each_language() {
        assert_eq!(money_text(Language::Fr, 850), "8,50 €");
        assert_eq!(money_text(Language::Nl, 850), "€ 8,50");
        assert_eq!(money_text(Language::En, 850), "8,50 €");
        assert_eq!(money_text(Language::Nl, 123_450), "€ 1.234,50");
        assert_eq!(money_text(Language::Nl, 123_456_789), "€ 1.234.567,89");
        assert_eq!(money_text(Language::Nl, 100_000), "€ 1.000,00");
        assert_eq!(money_text(Language::Nl, 99_999), "€ 999,99");
        assert_eq!(money_text(Language::Nl, 5), "€ 0,05");
        assert_eq!(money_text(Language::Nl, -850), "€ -8,50");
        assert_eq!(money_text(Language::Fr, -850), "-8,50 €");
        assert_eq!(Tr(Language::Nl).money(&850), "€ 8,50");
        assert_eq!(Tr(Language::Fr).money(&850), "8,50 €");
    }

    #[test]
    fn zero_and_round_amounts_keep_two_decimals_and_no_sign() {
        for lang in Language::ALL {
            let zero = money_text(lang, 0);
            assert!(zero == "0,00 €" || zero == "€ 0,00", "{lang:?}: {zero}");
        }
        assert_eq!(money_text(Language::Fr, 2000), "20,00 €");
        assert_eq!(money_text(Language::Nl, 2000), "€ 20,00");
        assert_eq!(money_text(Language::Fr, -1), "-0,01 €");
        assert_eq!(money_text(Language::Nl, -1), "€ -0,01");
        assert_eq!(
            money_text(Language::Nl, i64::MIN),
            "€ -92.233.720.368.547.758,08"
        );
    }

    proptest::proptest! {
        /// Whatever the amount: exactly two decimals after the one comma, a minus sign only
        /// below zero, the digits of the amount itself.
        #[test]
        fn every_amount_has_two_decimals_and_a_sign_only_below_zero(cents in proptest::num::i64::ANY, lang in 0usize..3) {
            let lang = Language::ALL[lang];
            let text = money_text(lang, cents);
            let (whole, decimals) = text.trim_end_matches(" €").rsplit_once(',').expect("a comma");
            proptest::prop_assert_eq!(decimals.len(), 2, "{}", text);
            proptest::prop_assert!(decimals.chars().all(|c| c.is_ascii_digit()), "{}", text);
            proptest::prop_assert_eq!(text.contains('-'), cents < 0, "{}", text);
            proptest::prop_assert!(!text.contains("-0,00"), "{}", text);
            let digits: String = whole.chars().filter(char::is_ascii_digit).collect();
            let (shown, amount) = (format!("{digits}{decimals}"), cents.unsigned_abs().to_string());
            proptest::prop_assert_eq!(shown.trim_start_matches('0'), amount.trim_start_matches('0'));
        }
    }

    #[test]
    fn dates_in_each_language() {
        let d = jiff::civil::date(2021, 3, 16);
        assert_eq!(long_date(Language::Fr, d), "16 mars 2021");
        assert_eq!(long_date(Language::Nl, d), "16 maart 2021");
        assert_eq!(long_date(Language::En, d), "16 March 2021");
        let first = jiff::civil::date(2021, 8, 1);
        assert_eq!(long_date(Language::Fr, first), "1er août 2021");
        assert_eq!(long_date(Language::Nl, first), "1 augustus 2021");
        assert_eq!(long_date(Language::En, first), "1 August 2021");
        assert_eq!(
            long_date(Language::Nl, jiff::civil::date(2021, 5, 12)),
            "12 mei 2021"
        );
        // 16 March 2021 was a Tuesday.
        assert_eq!(weekday_name(Language::Fr, d.weekday()), "mardi");
        assert_eq!(weekday_name(Language::Nl, d.weekday()), "dinsdag");
        assert_eq!(weekday_name(Language::En, d.weekday()), "Tuesday");
        assert_eq!(weekday_short(Language::Nl, d.weekday()), "di");
        let sunday = jiff::civil::date(2021, 3, 21).weekday();
        assert_eq!(weekday_name(Language::Nl, sunday), "zondag");
        assert_eq!(weekday_short(Language::Fr, sunday), "dim.");
        assert_eq!(weekday_short(Language::En, sunday), "Sun");
        let names: Vec<_> = (1..=12).map(|m| month_name(Language::Nl, m)).collect();
        assert_eq!(names[0], "januari");
        assert_eq!(names[11], "december");
        assert_eq!(Tr(Language::Nl).long_day("2021-03-16"), "16 maart 2021");
        assert_eq!(Tr(Language::Nl).long_day("not a date"), "not a date");
        let sunday = jiff::civil::date(2026, 12, 6);
        assert_eq!(full_date(Language::Fr, sunday), "dimanche 6 décembre 2026");
        assert_eq!(full_date(Language::Nl, sunday), "zondag 6 december 2026");
        assert_eq!(full_date(Language::En, sunday), "Sunday 6 December 2026");
        assert_eq!(
            Tr(Language::Fr).full_day("2026-12-01"),
            "mardi 1er décembre 2026"
        );
        assert_eq!(Tr(Language::Nl).short_day("2026-12-06"), "06/12/2026");
        assert_eq!(Tr(Language::Nl).short_day("—"), "—");
        assert_eq!(Tr(Language::Fr).period("2021-03-16"), "16/03/2021");
        assert_eq!(Tr(Language::Fr).period("2021-03"), "mars 2021");
        assert_eq!(Tr(Language::Nl).period("2021-03"), "maart 2021");
        assert_eq!(Tr(Language::Fr).period("2021-Q1"), "T1 2021");
        assert_eq!(Tr(Language::Nl).period("2021-Q4"), "K4 2021");
        assert_eq!(Tr(Language::En).period("2021-Q2"), "Q2 2021");
        assert_eq!(Tr(Language::Nl).period("2021"), "2021");
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

    /// A colon after a label, with the space French puts before it: `Client : `, `Klant: `,
    /// `Customer: ` (the template writes the space after).
    pub fn colon(&self) -> &'static str {
        match self.0 {
            Language::Fr => " :",
            Language::Nl | Language::En => ":",
        }
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

    /// An amount in euros as people read it in this language: `8,50 €`, `€ 8,50`.
    pub fn money(&self, cents: &i64) -> String {
        money_text(self.0, *cents)
    }

    /// A YYYY-MM-DD day written out in this language: `16 maart 2021` (the text unchanged if
    /// it is not a date).
    pub fn long_day(&self, day: &str) -> String {
        day.parse::<jiff::civil::Date>()
            .map(|d| long_date(self.0, d))
            .unwrap_or_else(|_| day.to_owned())
    }

    /// A YYYY-MM-DD day with its weekday, written out in this language: `dimanche 6 décembre
    /// 2026` (the text unchanged if it is not a date).
    pub fn full_day(&self, day: &str) -> String {
        day.parse::<jiff::civil::Date>()
            .map(|d| full_date(self.0, d))
            .unwrap_or_else(|_| day.to_owned())
    }

    /// A YYYY-MM-DD day as DD/MM/YYYY, for tables (the text unchanged if it is not a date).
    pub fn short_day(&self, day: &str) -> String {
        day.parse::<jiff::civil::Date>()
            .map(short_date)
            .unwrap_or_else(|_| day.to_owned())
    }

    /// A period's label as a summary sorts it (`2021-03-16`, `2021-03`, `2021-Q1`, `2021`)
    /// written for a reader: `16/03/2021`, `mars 2021`, `T1 2021`, `2021`.
    pub fn period(&self, label: &str) -> String {
        if let Ok(d) = label.parse::<jiff::civil::Date>() {
            return short_date(d);
        }
        match label.split_once('-') {
            Some((year, q)) if q.starts_with('Q') => self.t1_2(
                "period-quarter",
                ("index", q[1..].to_owned()),
                ("date", year.to_owned()),
            ),
            Some((year, month)) => match month.parse::<i8>() {
                Ok(m @ 1..=12) => format!("{} {year}", month_name(self.0, m)),
                _ => label.to_owned(),
            },
            None => label.to_owned(),
        }
    }

    /// A weekday's short name in this language (`ma`, `lun.`, `Mon`).
    pub fn weekday_short(&self, day: jiff::civil::Weekday) -> &'static str {
        weekday_short(self.0, day)
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
