//! The message-key test (issue 19 §3): every key the Rust code, the templates and the
//! scripts' text tables name is in the three catalogues, so that no page, e-mail or export
//! ever reads `Unknown localization key: "…"`.
//!
//! What it reads, and how:
//! - Rust (every crate's `src`, tests left out): each string literal shaped like a key
//!   (`closing-day`: lowercase words joined by `-`) whose first word starts some catalogue key,
//!   and any literal handed straight to a translation call (`t`, `try_t`, `t_args`, `t1`…);
//!   `done(…, "saved")` and `?done=saved` name the flash message `flash-saved`.
//! - Keys built with `format!("order-state-{}", …)` inside a translation call: the prefix
//!   must be listed in [`built_keys`], with every value it can take.
//! - Templates: the same, inside `{{ … }}` and `{% … %}` only (outside is HTML).
//! - The register's script: each `T["…"]` it reads must be in the table the page hands it
//!   (`pages::register::TEXTS`).

use guichet_domain::org::Language;
use guichet_integrations::i18n::catalogue_keys;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The functions whose string arguments are message keys.
const TRANSLATE: [&str; 6] = ["t", "try_t", "t_args", "t1", "t1_2", "lookup"];

/// Strings shaped like keys, with a catalogue key's first word, that are no message.
const NOT_MESSAGES: [&str; 3] = [
    // HTTP header names and values.
    "no-store",
    "no-referrer",
    "stripe-signature",
];

fn root() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    root.canonicalize().unwrap_or(root)
}

/// The keys of the three catalogues, and the first words keys start with.
struct Catalogues {
    keys: Vec<(Language, BTreeSet<String>)>,
    first_words: BTreeSet<String>,
}

impl Catalogues {
    fn read() -> Catalogues {
        let keys: Vec<(Language, BTreeSet<String>)> = Language::ALL
            .into_iter()
            .map(|l| (l, catalogue_keys(l).into_iter().collect()))
            .collect();
        let first_words = keys
            .iter()
            .flat_map(|(_, k)| k.iter())
            .filter_map(|k| k.split_once('-').map(|(w, _)| w.to_owned()))
            .collect();
        Catalogues { keys, first_words }
    }

    /// Every catalogue has `key`.
    fn has(&self, key: &str) -> bool {
        self.keys.iter().all(|(_, k)| k.contains(key))
    }

    /// The catalogues that lack `key`, for the failure message.
    fn lacking(&self, key: &str) -> Vec<Language> {
        self.keys
            .iter()
            .filter(|(_, k)| !k.contains(key))
            .map(|(l, _)| *l)
            .collect()
    }
}

/// `closing-day`, `error-invalid_date`: lowercase words joined by `-`, at least two.
fn key_shaped(s: &str) -> bool {
    let mut words = s.split('-');
    let first_ok = words
        .next()
        .is_some_and(|w| w.starts_with(|c: char| c.is_ascii_lowercase()));
    let rest: Vec<&str> = words.collect();
    first_ok
        && !rest.is_empty()
        && s.split('-').all(|w| {
            !w.is_empty()
                && w.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        })
}

/// What the test found lacking, with where it was named.
#[derive(Default)]
struct Report {
    lacking: BTreeSet<String>,
    keys_seen: usize,
    built_prefixes: BTreeSet<String>,
}

impl Report {
    fn need(&mut self, c: &Catalogues, key: &str, place: &str) {
        self.keys_seen += 1;
        if !c.has(key) {
            self.lacking
                .insert(format!("{place}: {key} (missing in {:?})", c.lacking(key)));
        }
    }

    /// A literal seen in code: a key if it looks like one (or is handed to a translation
    /// call), possibly the name of a flash message.
    fn literal(&mut self, c: &Catalogues, s: &str, translated: bool, place: &str) {
        if !key_shaped(s) || NOT_MESSAGES.contains(&s) {
            return;
        }
        let first = s.split('-').next().unwrap_or_default();
        if !(translated || c.first_words.contains(first)) {
            return;
        }
        if c.has(s) || c.has(&format!("flash-{s}")) {
            self.keys_seen += 1;
            return;
        }
        self.need(c, s, place);
    }
}

// ---------------------------------------------------------------- reading Rust

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Str(String),
    Ident(String),
    Punct(char),
}

/// The tokens of Rust source that matter here: string literals (raw and byte strings too),
/// identifiers and punctuation, with their line; comments, numbers and character literals
/// left out.
fn lex(src: &str) -> Vec<(Tok, usize)> {
    let chars: Vec<char> = src.chars().collect();
    let (mut out, mut i, mut line) = (Vec::new(), 0, 1);
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c == '/' && at(i + 1) == '/' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            loop {
                if i >= chars.len() {
                    break;
                } else if chars[i] == '/' && at(i + 1) == '*' {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    line += usize::from(chars[i] == '\n');
                    i += 1;
                }
            }
        } else if c == '"' {
            let start = line;
            let mut s = String::new();
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    s.push(chars[i]);
                    i += 1;
                }
                line += usize::from(at(i) == '\n');
                s.push(at(i));
                i += 1;
            }
            i += 1;
            out.push((Tok::Str(s), start));
        } else if c == '\'' {
            // A character literal ('a', '\n', '{'), else a lifetime ('a).
            if at(i + 1) == '\\' {
                i += 2;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if at(i + 2) == '\'' {
                i += 3;
            } else {
                i += 1;
            }
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            if matches!(word.as_str(), "r" | "br" | "cr") && matches!(at(i), '"' | '#') {
                // A raw string: r"…", r#"…"#.
                let hashes = chars[i..].iter().take_while(|c| **c == '#').count();
                if at(i + hashes) != '"' {
                    out.push((Tok::Ident(word), line));
                    continue;
                }
                let (start_line, mut s) = (line, String::new());
                i += hashes + 1;
                let close: String = std::iter::once('"')
                    .chain(std::iter::repeat_n('#', hashes))
                    .collect();
                while i < chars.len() && !chars[i..].iter().collect::<String>().starts_with(&close)
                {
                    line += usize::from(chars[i] == '\n');
                    s.push(chars[i]);
                    i += 1;
                }
                i += close.chars().count();
                out.push((Tok::Str(s), start_line));
            } else if matches!(word.as_str(), "b" | "c") && at(i) == '"' {
                // A byte string: the next turn reads it as a string.
            } else {
                out.push((Tok::Ident(word), line));
            }
        } else if c.is_ascii_digit() {
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
        } else {
            if !c.is_whitespace() {
                out.push((Tok::Punct(c), line));
            }
            i += 1;
        }
    }
    out
}

/// The tokens without the items marked `#[cfg(test)]` (a test module's strings are no
/// page's).
fn without_tests(toks: Vec<(Tok, usize)>) -> Vec<(Tok, usize)> {
    let attr = [
        Tok::Punct('#'),
        Tok::Punct('['),
        Tok::Ident("cfg".into()),
        Tok::Punct('('),
        Tok::Ident("test".into()),
        Tok::Punct(')'),
        Tok::Punct(']'),
    ];
    let mut out = Vec::with_capacity(toks.len());
    let mut i = 0;
    while i < toks.len() {
        let starts = toks[i..]
            .iter()
            .map(|(t, _)| t)
            .take(attr.len())
            .eq(attr.iter());
        if !starts {
            out.push(toks[i].clone());
            i += 1;
            continue;
        }
        // Skip the item: up to a `;` before any block, or to the end of its first block.
        i += attr.len();
        let mut depth = 0;
        while i < toks.len() {
            match toks[i].0 {
                Tok::Punct(';') if depth == 0 => {
                    i += 1;
                    break;
                }
                Tok::Punct('{') => depth += 1,
                Tok::Punct('}') => {
                    depth -= 1;
                    if depth == 0 {
                        i += 1;
                        break;
                    }
                }
                _ => {}
            }
            i += 1;
        }
    }
    out
}

/// `format!("order-state-{}", …)` → `order-state-`: the fixed start of a key built in code.
fn built_prefix(literal: &str) -> Option<&str> {
    let (prefix, _) = literal.split_once('{')?;
    (prefix.ends_with('-') && key_shaped(&format!("{prefix}x"))).then_some(prefix)
}

/// The flash message a `?done=` in a literal names.
fn done_in(literal: &str) -> Option<&str> {
    let (_, rest) = literal.split_once("done=")?;
    let name = rest
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .next()
        .unwrap_or_default();
    (!name.is_empty()).then_some(name)
}

/// Reads one Rust file's keys into `report`.
fn check_rust(c: &Catalogues, report: &mut Report, path: &Path, src: &str) {
    let toks = without_tests(lex(src));
    // For each open parenthesis, the name called (`t` in `tr.t(`), `format!` or nothing.
    let mut calls: Vec<Option<String>> = Vec::new();
    // The depths of the `done(` calls open.
    let mut done_calls: Vec<usize> = Vec::new();
    let place = |line: usize| format!("{}:{line}", path.display());
    for (i, (tok, line)) in toks.iter().enumerate() {
        let before = |n: usize| i.checked_sub(n).map(|j| &toks[j].0);
        match tok {
            Tok::Punct('(') => {
                let name = match (before(2), before(1)) {
                    (Some(Tok::Ident(f)), Some(Tok::Punct('!'))) => Some(format!("{f}!")),
                    (_, Some(Tok::Ident(f))) => Some(f.clone()),
                    _ => None,
                };
                if name.as_deref() == Some("done") {
                    done_calls.push(calls.len() + 1);
                }
                calls.push(name);
            }
            Tok::Punct(')') => {
                if done_calls.last() == Some(&calls.len()) {
                    done_calls.pop();
                    // `done(to, "saved")`: its last argument, when written out, names the
                    // flash message `flash-saved`.
                    let last = match before(1) {
                        Some(Tok::Punct(',')) => before(2),
                        other => other,
                    };
                    if let Some(Tok::Str(flash)) = last {
                        report.need(c, &format!("flash-{flash}"), &place(*line));
                    }
                }
                calls.pop();
            }
            Tok::Str(s) => {
                let inner = calls.last().cloned().flatten();
                let translated = inner.as_deref().is_some_and(|f| TRANSLATE.contains(&f));
                if let Some(flash) = done_in(s)
                    && !flash.contains('{')
                    && key_shaped(&format!("flash-{flash}"))
                {
                    report.need(c, &format!("flash-{flash}"), &place(*line));
                }
                let outer = calls.len().checked_sub(2).and_then(|j| calls[j].clone());
                if inner.as_deref() == Some("format!")
                    && outer.as_deref().is_some_and(|f| TRANSLATE.contains(&f))
                    && let Some(prefix) = built_prefix(s)
                {
                    report.built_prefixes.insert(prefix.to_owned());
                } else if inner.as_deref() != Some("done") {
                    report.literal(c, s, translated, &place(*line));
                }
            }
            _ => {}
        }
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if path.is_dir() {
            if name != "tests" {
                rust_files(&path, out);
            }
        } else if name.ends_with(".rs") && name != "tests.rs" && !name.ends_with("_tests.rs") {
            out.push(path);
        }
    }
}

// ---------------------------------------------------------------- reading templates

/// The pieces of a template Askama evaluates: `{{ … }}` and `{% … %}`, with their line.
fn template_code(text: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    let mut rest = text;
    let mut line = 1;
    while let Some(open) = rest.find(['{']) {
        let after = &rest[open..];
        let close = match after.get(..2) {
            Some("{{") => "}}",
            Some("{%") => "%}",
            _ => {
                line += rest[..open + 1].matches('\n').count();
                rest = &rest[open + 1..];
                continue;
            }
        };
        line += rest[..open].matches('\n').count();
        let Some(end) = after[2..].find(close) else {
            break;
        };
        let code = &after[2..2 + end];
        out.push((code.to_owned(), line));
        line += code.matches('\n').count();
        rest = &after[2 + end + 2..];
    }
    out
}

fn check_template(c: &Catalogues, report: &mut Report, path: &Path, text: &str) {
    for (code, line) in template_code(text) {
        let place = format!("{}:{line}", path.display());
        // Askama expressions are Rust expressions: the same reading.
        let toks = lex(&code);
        let mut calls: Vec<Option<String>> = Vec::new();
        for (i, (tok, _)) in toks.iter().enumerate() {
            let before = |n: usize| i.checked_sub(n).map(|j| &toks[j].0);
            match tok {
                Tok::Punct('(') => calls.push(match (before(2), before(1)) {
                    (Some(Tok::Ident(f)), Some(Tok::Punct('!'))) => Some(format!("{f}!")),
                    (_, Some(Tok::Ident(f))) => Some(f.clone()),
                    _ => None,
                }),
                Tok::Punct(')') => {
                    calls.pop();
                }
                Tok::Str(s) => {
                    let inner = calls.last().cloned().flatten();
                    if inner.as_deref() == Some("format!")
                        && let Some(prefix) = built_prefix(s)
                    {
                        report.built_prefixes.insert(prefix.to_owned());
                        continue;
                    }
                    let translated = inner.as_deref().is_some_and(|f| TRANSLATE.contains(&f));
                    report.literal(c, s, translated, &place);
                }
                _ => {}
            }
        }
    }
}

// ---------------------------------------------------------------- keys built in code

/// Each value of an enum, by its `as_str`; the `match` stops compiling when a value is
/// added to the enum and not to the list.
macro_rules! every {
    ($e:ident: $($v:ident),+) => {{
        let _every_value_listed = |e: $e| match e { $($e::$v)|+ => () };
        [$($e::$v),+].into_iter().map(|e| e.as_str().to_owned()).collect::<Vec<String>>()
    }};
}

/// The keys code builds with `format!`, by prefix: every value the rest can take. `None`:
/// the rest is checked where it is chosen (`flash-`: the `done(…)` calls) or the lookup falls
/// back to a general message (`error-`, `problem-`).
fn built_keys() -> BTreeMap<&'static str, Option<Vec<String>>> {
    use guichet_app::orders::PaymentStatus;
    use guichet_app::statistics::Grain;
    use guichet_domain::accounting::AccountKind;
    use guichet_domain::customer::{CustomerStatus, FieldKind};
    use guichet_domain::offer::DayStatus;
    use guichet_domain::order::{OrderState, PaymentMethod};
    use guichet_domain::reservation::ReservationState;
    use guichet_domain::stripe::PayoutStatus;
    let strs = |s: &[&str]| Some(s.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>());
    let states = every!(OrderState: Quote, AwaitingPayment, Confirmed, Cancelled);
    BTreeMap::from([
        ("flash-", None),
        ("error-", None),
        ("problem-", None),
        (
            "method-",
            Some(
                PaymentMethod::ALL
                    .iter()
                    .map(|m| m.as_str().to_owned())
                    .collect(),
            ),
        ),
        (
            "role-",
            Some(
                guichet_domain::Role::ALL
                    .iter()
                    .map(|r| r.as_str().to_owned())
                    .collect(),
            ),
        ),
        (
            "payout-",
            Some(every!(PayoutStatus: Paid, Pending, Failed, Unknown)),
        ),
        (
            "weekday-",
            Some(
                guichet_domain::promotion::Day::ALL
                    .iter()
                    .map(|d| d.as_str().to_owned())
                    .collect(),
            ),
        ),
        (
            "customer-status-",
            Some(every!(CustomerStatus: Customer, Prospect)),
        ),
        ("order-state-", Some(states.clone())),
        ("book-state-", Some(states)),
        (
            "accounting-account-",
            Some(
                AccountKind::SETTABLE
                    .iter()
                    .map(|(k, _)| (*k).to_owned())
                    .collect(),
            ),
        ),
        (
            "book-day-",
            Some(every!(DayStatus: Open, Few, SoldOut, Closed)),
        ),
        (
            "field-kind-",
            Some(every!(FieldKind: Text, Number, Date, YesNo)),
        ),
        (
            "reservation-state-",
            Some(every!(ReservationState: Waiting, SetAside, Sold, Archived)),
        ),
        (
            "dashboard-sales-",
            Some(Grain::ALL.iter().map(|g| g.as_str().to_owned()).collect()),
        ),
        (
            "orders-payment-",
            Some(
                PaymentStatus::ALL
                    .iter()
                    .map(|p| p.as_str().to_owned())
                    .collect(),
            ),
        ),
        // A payout line's kind (pages::stripe::PayoutPage::kind).
        ("stripe-kind-", strs(&["charge", "refund", "other"])),
        // The states a refund row takes (guichet_app::stripe::refunds).
        ("stripe-refund-", strs(&["pending", "succeeded", "failed"])),
        // The booking form's countries (book_cart.html).
        (
            "country-",
            strs(&["BE", "NL", "FR", "LU", "DE", "GB", "other"]),
        ),
        // guichet_store::customers::history::Favourite::kind.
        ("customers-favourite-", strs(&["offer", "product_group"])),
    ])
}

// ---------------------------------------------------------------- the tests

/// Every key named in the Rust code and the templates, and every key code builds, is in
/// the three catalogues.
#[test]
fn every_key_the_code_and_the_templates_name_is_translated() {
    let c = Catalogues::read();
    let mut report = Report::default();
    let mut files = Vec::new();
    for dir in ["src", "crates"] {
        rust_files(&root().join(dir), &mut files);
    }
    // The fuzzer shows no text; this file names keys that do not exist, on purpose.
    files.retain(|p| {
        !p.components().any(|c| c.as_os_str() == "fuzz") && !p.ends_with("web/src/message_keys.rs")
    });
    assert!(files.len() > 100, "the sources were found: {}", files.len());
    for path in &files {
        let src = std::fs::read_to_string(path).unwrap();
        check_rust(&c, &mut report, path, &src);
    }
    let rust_keys = report.keys_seen;
    assert!(rust_keys > 400, "the Rust code was read: {rust_keys} keys");
    let templates = root().join("crates/web/templates");
    for entry in std::fs::read_dir(&templates).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        check_template(&c, &mut report, &path, &text);
    }
    assert!(
        report.keys_seen - rust_keys > 1000,
        "the templates were read: {} keys",
        report.keys_seen - rust_keys
    );
    let built = built_keys();
    let unknown: Vec<&String> = report
        .built_prefixes
        .iter()
        .filter(|p| !built.contains_key(p.as_str()))
        .collect();
    assert!(
        unknown.is_empty(),
        "keys built in code with a prefix built_keys() does not list (add it, with every \
         value the rest can take): {unknown:?}"
    );
    for (prefix, rests) in &built {
        assert!(
            report.built_prefixes.contains(*prefix),
            "built_keys() lists {prefix}, which no code builds any more"
        );
        for rest in rests.iter().flatten() {
            report.need(&c, &format!("{prefix}{rest}"), "built_keys()");
        }
    }
    assert!(
        report.lacking.is_empty(),
        "keys missing from a catalogue:\n{}",
        report
            .lacking
            .iter()
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// The register's script reads its texts from the table the page hands it: each `T["…"]`
/// of cashier.js is in that table (else it shows `undefined`), and each is in the catalogues.
#[test]
fn every_text_the_register_script_reads_is_handed_to_it() {
    let c = Catalogues::read();
    let script = std::fs::read_to_string(root().join("crates/web/assets/cashier.js")).unwrap();
    let table: BTreeSet<&str> = crate::pages::REGISTER_TEXTS.iter().copied().collect();
    let read: BTreeSet<&str> = script
        .split("T[\"")
        .skip(1)
        .filter_map(|rest| rest.split_once("\"]").map(|(k, _)| k))
        .collect();
    assert!(read.len() > 20, "the script was read: {read:?}");
    let not_handed: Vec<&&str> = read.iter().filter(|k| !table.contains(**k)).collect();
    assert!(
        not_handed.is_empty(),
        "cashier.js reads texts pages::register::TEXTS does not hand it: {not_handed:?}"
    );
    let lacking: Vec<&&str> = table.iter().filter(|k| !c.has(k)).collect();
    assert!(lacking.is_empty(), "not in every catalogue: {lacking:?}");
}

#[test]
fn reads_rust_as_the_compiler_does() {
    let src = r##"
        // tr.t("in-a-comment")
        /* "in /* a nested */ block" */
        let a = tr.t("closing-day"); let c = '"'; let l: &'a str = r#"raw "x" here"#;
        done(&to, "customer-saved");
        #[cfg(test)]
        mod tests { fn f() { t("only-in-tests"); } }
        let b = b"bytes";
    "##;
    let strs: Vec<String> = without_tests(lex(src))
        .into_iter()
        .filter_map(|(t, _)| match t {
            Tok::Str(s) => Some(s),
            _ => None,
        })
        .collect();
    assert_eq!(
        strs,
        vec!["closing-day", "raw \"x\" here", "customer-saved", "bytes"]
    );
    assert!(key_shaped("error-invalid_date") && key_shaped("closing-day"));
    assert!(!key_shaped("closing") && !key_shaped("Closing-day") && !key_shaped("a--b"));
    assert_eq!(built_prefix("order-state-{}"), Some("order-state-"));
    assert_eq!(built_prefix("z-{}-{n}"), Some("z-"));
    assert_eq!(built_prefix("{to}?done={key}"), None);
    assert_eq!(
        done_in("/orders/{id}?done=stripe-refund-asked"),
        Some("stripe-refund-asked")
    );
    // A key a template names and no catalogue has is reported, with where.
    let c = Catalogues::read();
    let mut report = Report::default();
    check_template(
        &c,
        &mut report,
        Path::new("x.html"),
        "<p>\n{{ tr.t(\"action-export-csv-typo\") }} {{ tr.t(\"closing-day\") }}</p>",
    );
    assert_eq!(report.lacking.len(), 1, "{:?}", report.lacking);
    assert!(
        report
            .lacking
            .iter()
            .all(|l| l.starts_with("x.html:2: action-export-csv-typo"))
    );
    let mut report = Report::default();
    check_rust(
        &c,
        &mut report,
        Path::new("x.rs"),
        "fn f() { done(&to, \"no-such-flash\"); t(lang, \"brand-new-key\"); }",
    );
    assert_eq!(
        report
            .lacking
            .iter()
            .map(|l| l.split(' ').nth(1).unwrap())
            .collect::<Vec<_>>(),
        vec!["brand-new-key", "flash-no-such-flash"]
    );
}
