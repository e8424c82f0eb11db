//! Dates, weekdays and amounts as the reader's language writes them (issue 19 §3): on the
//! demo's data, the main pages of the back office, the printed documents and the public
//! booking pages show no ISO date (`2026-12-06`), no English weekday or month on a French or
//! Dutch page, no `-0,00` and no amount without its two decimals (`20 €`). Only the text a
//! person reads is checked: tags, attribute values (an `<input type="date">` keeps ISO),
//! scripts and styles are left out.

use crate::harness::{TestApp, client, spawn};

/// The demo as it stands at 15:30 with three closed days behind (the closed days' Zs, today's
/// sales and open registers), whatever the hour the test runs: at 00:30 the real demo has no
/// sale today yet.
async fn demo() -> TestApp {
    let app = spawn().await;
    crate::demo::afternoon_demo(&app.store, 3).await;
    app
}

/// Signs a demo login in (the demo's own passwords, not the fixtures').
async fn sign_in(app: &TestApp, email: &str, password: &str) -> reqwest::Client {
    let c = client();
    let r = c
        .post(app.url("/login"))
        .form(&[("email", email), ("password", password), ("next", "/")])
        .send()
        .await
        .expect("login request");
    assert_eq!(r.status(), 303, "login of {email}");
    c
}

async fn page(c: &reqwest::Client, app: &TestApp, path: &str) -> String {
    let r = c.get(app.url(path)).send().await.expect("request");
    assert_eq!(r.status(), 200, "GET {path}");
    r.text().await.expect("body")
}

/// The distinct `href`s starting with `prefix` (`/orders/`), in page order.
fn links(html: &str, prefix: &str) -> Vec<String> {
    let needle = format!("href=\"{prefix}");
    let mut out: Vec<String> = Vec::new();
    for (i, _) in html.match_indices(&needle) {
        let start = i + "href=\"".len();
        let end = html[start..].find('"').map_or(html.len(), |e| start + e);
        let link = html[start..end].replace("&amp;", "&");
        if !out.contains(&link) {
            out.push(link);
        }
    }
    out
}

/// The links to one thing each (`/orders/<id>`): the prefix followed by an id only.
fn items(html: &str, prefix: &str) -> Vec<String> {
    links(html, prefix)
        .into_iter()
        .filter(|l| {
            let rest = &l[prefix.len()..];
            rest.len() == 36 && rest.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
        })
        .collect()
}

fn first_item(html: &str, prefix: &str) -> Option<String> {
    items(html, prefix).into_iter().next()
}

/// The text a reader sees: every tag (attributes with it) becomes a line break; comments,
/// scripts, styles and text areas go; the common entities are decoded.
pub fn visible_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let lower = html.to_ascii_lowercase();
    let mut i = 0;
    while i < html.len() {
        let rest = &html[i..];
        if rest.starts_with("<!--") {
            i += rest.find("-->").map_or(rest.len(), |e| e + 3);
            continue;
        }
        if rest.starts_with('<') {
            let skipped = ["script", "style", "textarea", "template"]
                .into_iter()
                .find(|t| {
                    lower[i + 1..].starts_with(t)
                        && lower[i + 1 + t.len()..].starts_with(['>', ' ', '\n', '\t', '/'])
                });
            if let Some(t) = skipped {
                let close = format!("</{t}");
                i += lower[i..].find(&close).unwrap_or(rest.len());
            }
            let rest = &html[i..];
            i += rest.find('>').map_or(rest.len(), |e| e + 1);
            out.push('\n');
            continue;
        }
        let next = rest.find('<').unwrap_or(rest.len());
        out.push_str(&rest[..next]);
        i += next;
    }
    out.replace("&nbsp;", "\u{a0}")
        .replace("&#160;", "\u{a0}")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
}

const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const WEEKDAYS_SHORT: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS: [&str; 12] = [
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

fn is_space(c: char) -> bool {
    c == ' ' || c == '\u{a0}' || c == '\u{202f}'
}

/// What is wrong in a page's visible `text` for a reader of `lang` (`fr`, `nl`): each with
/// the line it is on.
pub fn problems(text: &str, lang: &str) -> Vec<String> {
    let mut found = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let chars: Vec<char> = line.chars().collect();
        let digit = |i: usize| chars.get(i).is_some_and(char::is_ascii_digit);
        // An ISO date: 2026-12-06.
        for i in 0..chars.len() {
            if (0..4).all(|k| digit(i + k))
                && chars.get(i + 4) == Some(&'-')
                && digit(i + 5)
                && digit(i + 6)
                && chars.get(i + 7) == Some(&'-')
                && digit(i + 8)
                && digit(i + 9)
                // Inside a code (an accounting piece `VE-2026-12-07`) it is not a date shown.
                && (i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '-'))
            {
                found.push(format!("ISO date: {line}"));
                break;
            }
            // A month or a quarter as a summary sorts it: 2026-12, 2026-Q4.
            if (0..4).all(|k| digit(i + k))
                && chars.get(i + 4) == Some(&'-')
                && ((digit(i + 5) && digit(i + 6))
                    || (chars.get(i + 5) == Some(&'Q') && digit(i + 6)))
                // A word of its own: not the start of a code (a Z's fingerprint `5927-39E4-3FEC`).
                && chars
                    .get(i + 7)
                    .is_none_or(|c| !(c.is_alphanumeric() || *c == '-'))
                && (i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '-'))
            {
                found.push(format!("ISO month or quarter: {line}"));
                break;
            }
        }
        // English weekdays and months, as whole words (a short weekday when a date follows:
        // "Sun 06/12"; French writes "Mon compte").
        let mut words: Vec<(usize, &str)> = Vec::new();
        let mut start = None;
        for (i, c) in line.char_indices().chain([(line.len(), ' ')]) {
            if c.is_alphabetic() {
                start.get_or_insert(i);
            } else if let Some(s) = start.take() {
                words.push((s, &line[s..i]));
            }
        }
        for (at, w) in &words {
            // Dutch writes these months as English does (capitalised at the start of a title).
            let dutch_too = ["April", "September", "November", "December"];
            let english_long = WEEKDAYS.contains(w)
                || (MONTHS.contains(w) && !(lang == "nl" && dutch_too.contains(w)));
            let english_short = WEEKDAYS_SHORT.contains(w) && {
                let after = line[at + w.len()..].trim_start_matches(is_space);
                after.starts_with(|c: char| c.is_ascii_digit())
            };
            if english_long || english_short {
                found.push(format!("English \"{w}\": {line}"));
            }
        }
        // A zero with a minus sign.
        for minus in ["-", "−"] {
            for (i, _) in line.match_indices(&format!("{minus}0,00")) {
                let before = line[..i].chars().next_back();
                let after = line[i + minus.len() + 4..].chars().next();
                if !before.is_some_and(|c| c.is_ascii_digit())
                    && !after.is_some_and(|c| c.is_ascii_digit())
                {
                    found.push(format!("minus zero: {line}"));
                }
            }
        }
        // An amount without its two decimals: "20 €" or "€ 20".
        for (i, _) in line.match_indices('€') {
            let before: String = line[..i]
                .trim_end_matches(is_space)
                .chars()
                .rev()
                .take_while(|c| c.is_ascii_digit() || *c == ',' || *c == '.')
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            let after: String = line[i + '€'.len_utf8()..]
                .trim_start_matches(is_space)
                .trim_start_matches(['-', '−'])
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == ',' || *c == '.')
                .collect();
            for number in [before, after] {
                let number = number.trim_end_matches(['.', ',']);
                if number.starts_with(|c: char| c.is_ascii_digit()) && !two_decimals(number) {
                    found.push(format!("amount without two decimals: {line}"));
                }
            }
        }
    }
    found
}

/// `20,00`, `1.234,50`: a comma and exactly two digits at the end.
fn two_decimals(number: &str) -> bool {
    number
        .rsplit_once(',')
        .is_some_and(|(_, d)| d.len() == 2 && d.chars().all(|c| c.is_ascii_digit()))
}

/// The pages a manager opens in a day, found by following the links of the lists.
async fn main_pages(c: &reqwest::Client, app: &TestApp) -> Vec<String> {
    let mut paths: Vec<String> = [
        "/",
        "/planning",
        "/orders",
        "/orders/payments",
        "/registers-follow-up",
        "/registers-follow-up?period=monthly",
        "/registers-follow-up?period=quarterly",
        "/registers-follow-up?period=annual",
        "/marketing/customers",
        "/marketing/customer-orders",
        "/statistics",
        "/activity/offers",
        "/activity/shop",
        "/activity/calendar",
        "/sales/accounting",
        "/register",
        "/register/drawer",
        "/activity/promotions",
        "/activity/promo-codes",
        "/activity/ticket-types",
        "/distribution/registers",
        "/account/users",
        "/account/api-keys",
    ]
    .map(String::from)
    .to_vec();
    let orders = page(c, app, "/orders").await;
    let order = first_item(&orders, "/orders/").expect("an order in the list");
    paths.extend([
        order.clone(),
        format!("{order}/receipt"),
        format!("{order}/tickets"),
    ]);
    let follow_up = page(c, app, "/registers-follow-up").await;
    // Every session of the follow-up: the open afternoon's X and the closed morning's Z.
    let sessions = items(&follow_up, "/registers-follow-up/");
    assert!(sessions.len() >= 2, "the morning's Z and the afternoon's X");
    paths.extend(sessions);
    let customers = page(c, app, "/marketing/customers").await;
    paths.push(first_item(&customers, "/marketing/customers/").expect("a customer"));
    let offers = page(c, app, "/activity/offers").await;
    // An offer's form, with the preview of its next sessions.
    paths.extend(first_item(&offers, "/activity/offers/"));
    let shop = page(c, app, "/activity/shop").await;
    paths.extend(first_item(&shop, "/activity/shop/"));
    let planning = page(c, app, "/planning").await;
    paths.extend(links(&planning, "/planning/session?").into_iter().take(1));
    paths
}

/// The public booking pages of the demo's module: its calendar, a day and a session.
async fn booking_pages(
    visitor: &reqwest::Client,
    app: &TestApp,
    signed_in: &reqwest::Client,
) -> Vec<String> {
    let modules = page(signed_in, app, "/distribution/modules").await;
    let base = links(&modules, "/book/")
        .into_iter()
        .next()
        .expect("the demo's module");
    let mut paths = vec![base.clone()];
    let calendar = page(visitor, app, &base).await;
    let query = format!("{base}?");
    if let Some(day) = links(&calendar, &query)
        .into_iter()
        .find(|l| l.contains("date="))
    {
        let day_page = page(visitor, app, &day).await;
        paths.push(day);
        paths.extend(
            links(&day_page, &query)
                .into_iter()
                .filter(|l| l.contains("start="))
                .take(1),
        );
    }
    paths
}

async fn check_language(app: &TestApp, lang: &str) -> Vec<String> {
    let admin = sign_in(app, "admin@grottes-neptune.demo", "neptune-admin").await;
    let r = admin
        .post(app.url("/me"))
        .form(&[("name", "Anne Admin"), ("language", lang)])
        .send()
        .await
        .expect("profile");
    assert_eq!(r.status(), 303);
    let mut found = Vec::new();
    let paths = main_pages(&admin, app).await;
    for path in &paths {
        let html = page(&admin, app, path).await;
        assert!(
            html.contains(&format!("<html lang=\"{lang}\"")),
            "{path} is not in {lang}"
        );
        for p in problems(&visible_text(&html), lang) {
            found.push(format!("{lang} {path}: {p}"));
        }
    }
    let visitor = crate::harness::client_builder()
        .default_headers(
            [(
                reqwest::header::ACCEPT_LANGUAGE,
                reqwest::header::HeaderValue::from_str(lang).expect("header"),
            )]
            .into_iter()
            .collect(),
        )
        .build()
        .expect("client");
    for path in booking_pages(&visitor, app, &admin).await {
        let html = page(&visitor, app, &path).await;
        for p in problems(&visible_text(&html), lang) {
            found.push(format!("{lang} {path}: {p}"));
        }
    }
    found
}

#[tokio::test]
async fn languages_pages_show_dates_and_amounts_as_the_reader_writes_them() {
    let app = demo().await;
    let mut found = check_language(&app, "fr").await;
    found.extend(check_language(&app, "nl").await);
    assert!(found.is_empty(), "{}", found.join("\n"));
    app.stop().await;
}

/// The checks themselves catch what they are for, and leave the rest alone.
#[test]
fn languages_checks_catch_iso_dates_english_names_and_bad_amounts() {
    let html = r#"<html><head><style>a{}</style><script>var d = "2026-12-06";</script></head>
        <body><p>Journée : 2026-12-06</p><th>Sun 06/12</th><input type="date" value="2026-12-06">
        <a href="/orders?from=2026-12-06">x</a><td>-0,00 €</td><td>€ −0,00</td><td>20 €</td>
        <td>€ 20</td><td>2</td><td>€ 8,50</td><p>Mon compte</p><p>dim. 06/12</p>
        <p>Sunday 6 December 2026</p><td>10,00 €</td><td>€ 1.234,50</td><td>10-0,00</td><td>VE-2026-12-07</td><td>5927-39E4-3FEC</td><td>2026-12</td><td>2026-Q4</td></body></html>"#;
    let text = visible_text(html);
    assert!(!text.contains("var d") && !text.contains("a{}"), "{text}");
    let fr = problems(&text, "fr");
    let expect = [
        "ISO date: Journée : 2026-12-06",
        "English \"Sun\": Sun 06/12",
        "minus zero: -0,00 €",
        "minus zero: € −0,00",
        "amount without two decimals: 20 €",
        "amount without two decimals: € 20",
        "English \"Sunday\": Sunday 6 December 2026",
        "English \"December\": Sunday 6 December 2026",
        "ISO month or quarter: 2026-12",
        "ISO month or quarter: 2026-Q4",
    ];
    assert_eq!(fr, expect, "{fr:#?}");
    // "December" is Dutch too.
    let nl = problems("december 2026\nDecember 2026\nzondag 6 december 2026", "nl");
    assert!(nl.is_empty(), "{nl:?}");
}

/// The receipt and the tickets print in the customer's language when their file has one
/// (texts, offer names, amounts), whatever the staff's; without a customer, in the staff's.
#[tokio::test]
async fn languages_receipt_and_tickets_print_in_the_customers_language() {
    use crate::harness::{Api, id_of, login, org};
    use serde_json::json;
    let app = spawn().await;
    let a = org(&app, "Grottes", "g").await;
    let api = Api::new(&app, &a, "admin").await;
    let adult = api.ticket_type("Ticket adulte", 0).await;
    let offer = id_of(
        &api.created(
            "/api/v1/offers",
            json!({
                "fr": {"name": "Visite guidée"}, "nl": {"name": "Rondleiding"},
                "kind": "activity", "sale_pos": true, "capacity": "40",
                "prices": [{"item_id": adult, "price": "8,50"}],
                "rules": [{"from": "2026-01-01", "to": "2030-12-31", "kind": "every",
                           "every_minutes": "30", "first": "10:00", "last": "16:30"}]
            }),
        )
        .await,
    );
    let register = api.first_register().await;
    let day = crate::harness::today()
        .checked_add(jiff::Span::new().days(7))
        .unwrap()
        .to_string();
    let start = api.availability(&offer, &day).await["sessions"][0]["start"]
        .as_i64()
        .expect("a session");
    let daan = api
        .created(
            "/api/v1/customers",
            json!({"first_name": "Daan", "last_name": "de Vries", "language": "nl"}),
        )
        .await;
    let line = json!({"offer_id": offer, "session_start": start, "item_id": adult, "quantity": 2});
    let sold_to_daan = api
        .created(
            "/api/v1/orders",
            json!({"register_id": register, "customer_id": daan["id"], "lines": [line],
                   "payments": [{"method": "cash", "amount": "20,00"}]}),
        )
        .await;
    let anonymous = api.sell(&register, vec![line], vec![]).await;

    // The seller works in French.
    let seller = login(&app, &a.seller).await;
    let receipt = page(
        &seller,
        &app,
        &format!("/orders/{}/receipt", id_of(&sold_to_daan)),
    )
    .await;
    assert!(receipt.contains(r#"<html lang="nl">"#), "{receipt}");
    for dutch in [
        "Kassaticket",
        "Bedankt voor uw bezoek!",
        "Totaal incl. btw",
        "Rondleiding",
        "€ 17,00",
        "Wisselgeld",
    ] {
        assert!(receipt.contains(dutch), "{dutch} missing: {receipt}");
    }
    for french in [
        "Merci de votre visite",
        "Total TTC",
        "Visite guidée",
        "17,00 €",
    ] {
        assert!(
            !receipt.contains(french),
            "{french} on a Dutch receipt: {receipt}"
        );
    }
    // Printed again: a duplicate, in Dutch.
    let again = page(
        &seller,
        &app,
        &format!("/orders/{}/receipt", id_of(&sold_to_daan)),
    )
    .await;
    assert!(
        again.contains("DUPLICAAT 1") && !again.contains("DUPLICATA"),
        "{again}"
    );
    let tickets = page(
        &seller,
        &app,
        &format!("/orders/{}/tickets", id_of(&sold_to_daan)),
    )
    .await;
    assert!(tickets.contains(r#"<html lang="nl">"#), "{tickets}");
    assert!(
        tickets.contains("Rondleiding") && !tickets.contains("Visite guidée"),
        "{tickets}"
    );
    let text = visible_text(&receipt);
    assert!(
        problems(&text, "nl").is_empty(),
        "{:?}",
        problems(&text, "nl")
    );

    // No customer: the staff's language.
    let receipt = page(
        &seller,
        &app,
        &format!("/orders/{}/receipt", id_of(&anonymous)),
    )
    .await;
    assert!(receipt.contains(r#"<html lang="fr">"#), "{receipt}");
    assert!(
        receipt.contains("Merci de votre visite") && receipt.contains("Visite guidée"),
        "{receipt}"
    );
    assert!(receipt.contains("17,00 €"), "{receipt}");
    app.stop().await;
}

/// In a real browser, what the scripts write too (the register's tiles, cart and totals):
/// the planning, the register and the morning's Z of the demo read in French, then in Dutch,
/// as `problems` wants them. Screenshots go to `$GUICHET_SCREENSHOTS` when set.
#[tokio::test]
async fn browser_languages_planning_register_and_closing_read_as_the_reader_writes() {
    use fantoccini::Locator;
    use std::time::Duration;
    let Some((_driver, _profile, b)) = crate::browser::browser().await else {
        return;
    };
    let app = demo().await;
    let http = sign_in(&app, "admin@grottes-neptune.demo", "neptune-admin").await;
    let follow_up = page(&http, &app, "/registers-follow-up").await;
    // The closed morning's Z (the afternoon's X is open).
    let mut z = None;
    for path in items(&follow_up, "/registers-follow-up/") {
        if page(&http, &app, &path).await.contains("id=\"z-counted\"") {
            z = Some(path);
        }
    }
    let z = z.expect("the morning's Z");

    b.goto(&app.url("/login")).await.unwrap();
    for (id, value) in [
        ("f-email", "admin@grottes-neptune.demo"),
        ("f-password", "neptune-admin"),
    ] {
        b.find(Locator::Id(id))
            .await
            .unwrap()
            .send_keys(value)
            .await
            .unwrap();
    }
    b.find(Locator::Id("login-submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.wait().for_element(Locator::Css("main h1")).await.unwrap();
    let mut found = Vec::new();
    for lang in ["fr", "nl"] {
        b.goto(&app.url("/me")).await.unwrap();
        b.find(Locator::Css(&format!(
            "#profile-form select[name=language] option[value={lang}]"
        )))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
        b.find(Locator::Css("#profile-form button[type=submit]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        b.wait().for_element(Locator::Css("p.flash")).await.unwrap();
        for (name, path) in [
            ("planning", "/planning"),
            ("closing", z.as_str()),
            ("register", "/register"),
        ] {
            b.goto(&app.url(path)).await.unwrap();
            b.wait()
                .for_element(Locator::Css("h1, #cashier"))
                .await
                .unwrap();
            if name == "register" {
                // The script has drawn the catalogue's tiles and the (empty) cart's total.
                b.wait()
                    .at_most(Duration::from_secs(10))
                    .for_element(Locator::Css("#offers button"))
                    .await
                    .ok();
            }
            let text = b
                .execute("return document.body.innerText;", vec![])
                .await
                .unwrap();
            let text = text.as_str().unwrap_or_default().to_owned();
            let html_lang = b
                .execute("return document.documentElement.lang;", vec![])
                .await
                .unwrap();
            assert_eq!(html_lang.as_str(), Some(lang), "{path}");
            for p in problems(&text, lang) {
                found.push(format!("{lang} {path}: {p}"));
            }
            if let Ok(dir) = std::env::var("GUICHET_SCREENSHOTS") {
                let png = b.screenshot().await.unwrap();
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(format!("{dir}/languages-{lang}-{name}.png"), png).unwrap();
            }
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
    b.close().await.ok();
    app.stop().await;
}
