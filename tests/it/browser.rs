//! In a real browser (headless Chromium through chromedriver): sign in, switch the
//! language, create a VAT rate and see it in the list.

use crate::harness::{PASSWORD, org, skip, spawn};
use fantoccini::{ClientBuilder, Locator};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Chromedriver, started as the leader of its own process group: the Chromium it starts (and
/// Chromium's own helpers) are in that group, and go with it when the test ends, even when the
/// test panics before closing its session. Killing only chromedriver left every Chromium
/// running, hundreds of them after a few runs.
pub(crate) struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        // `kill -9 -PGID` (procps and util-linux both take a negative id for a group).
        let group = format!("-{}", self.0.id());
        let _ = Command::new("kill")
            .args(["-9", "--", &group])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// A headless Chromium driven through chromedriver; `None` (after a notice) when either is
/// missing. Keep the returned guards alive for the test's duration.
pub(crate) async fn browser() -> Option<(Driver, tempfile::TempDir, fantoccini::Client)> {
    if !std::path::Path::new(CHROMIUM).exists() || !std::path::Path::new(CHROMEDRIVER).exists() {
        skip(
            "Chromium or chromedriver is not installed (Debian packages chromium, chromium-driver)",
        );
        return None;
    }
    let port = free_port();
    let driver = Driver(
        Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .process_group(0)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver"),
    );
    let profile = tempfile::tempdir().unwrap();
    let caps: serde_json::Map<String, serde_json::Value> = serde_json::from_value(serde_json::json!({
        "goog:chromeOptions": {
            "binary": CHROMIUM,
            "prefs": {"intl.accept_languages": "fr-BE,fr"},
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--window-size=1280,900", "--lang=fr-BE",
                     format!("--user-data-dir={}", profile.path().display())]
        }
    }))
    .unwrap();
    let mut connected = None;
    for _ in 0..50 {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector)
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(c) => {
                connected = Some(c);
                break;
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
    let b = connected.expect("connect to chromedriver");
    Some((driver, profile, b))
}

#[tokio::test]
async fn sign_in_switch_language_and_create_a_vat_rate() {
    let Some((_driver, _profile, b)) = browser().await else {
        return;
    };
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;

    b.goto(&app.url("/login")).await.unwrap();
    assert_eq!(
        b.find(Locator::Css("h1"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "Connexion"
    );
    sign_in(&b, &a.admin).await;
    assert_eq!(
        b.find(Locator::Css("main h1"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "Tableau de bord"
    );

    // Switch to English in the profile.
    b.find(Locator::Id("profile-link"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.wait()
        .for_element(Locator::Id("profile-form"))
        .await
        .unwrap();
    b.find(Locator::Css(
        "#profile-form select[name=language] option[value=en]",
    ))
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
    assert_eq!(
        b.find(Locator::Css("main h1"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "My profile"
    );
    assert_eq!(
        b.find(Locator::Css("p.flash"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "Profile saved."
    );

    // Create a VAT rate from the Taxes page; a bad rate first.
    b.find(Locator::LinkText("Taxes"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.wait().for_element(Locator::Id("vat-form")).await.unwrap();
    b.find(Locator::Css("#vat-form input[name=label]"))
        .await
        .unwrap()
        .send_keys("Reduced rate")
        .await
        .unwrap();
    b.find(Locator::Css("#vat-form input[name=rate]"))
        .await
        .unwrap()
        .send_keys("abc")
        .await
        .unwrap();
    b.find(Locator::Id("vat-submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.wait()
        .for_element(Locator::Css("#vat-form .error"))
        .await
        .unwrap();
    assert!(
        b.find(Locator::Css("#vat-form .error"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
            .contains("Enter a number")
    );
    let rate = b
        .find(Locator::Css("#vat-form input[name=rate]"))
        .await
        .unwrap();
    rate.clear().await.unwrap();
    rate.send_keys("5,5").await.unwrap();
    b.find(Locator::Id("vat-submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.wait().for_element(Locator::Css("p.flash")).await.unwrap();
    let table = b
        .find(Locator::Id("vat-rates"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        table.contains("Reduced rate") && table.contains("5,5 %"),
        "{table}"
    );

    b.close().await.unwrap();
    app.stop().await;
}

/// Waits (up to 10 s) for the page after a post to show a confirmation with `text`; the page
/// before it may still be there, with another confirmation.
pub(crate) async fn flash_containing(b: &fantoccini::Client, text: &str) {
    for _ in 0..100 {
        if let Ok(el) = b.find(Locator::Css("p.flash")).await
            && let Ok(t) = el.text().await
            && t.contains(text)
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no confirmation containing {text:?}");
}

/// Seed 001's flow: a manager creates an offer with sessions, then stops its sales on the
/// planning page and reopens them.
#[tokio::test]
async fn create_an_offer_then_stop_and_reopen_its_sales() {
    let Some((_driver, _profile, b)) = browser().await else {
        return;
    };
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let key = crate::harness::api_key(&app, &a, "manager").await;
    let rates: serde_json::Value = crate::harness::plain_client()
        .get(app.url("/api/v1/vat-rates"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap()["items"]
        .clone();
    let vat0 = rates
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rate_basis_points"] == 0)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    crate::harness::plain_client()
        .post(app.url("/api/v1/ticket-types"))
        .bearer_auth(&key)
        .json(&serde_json::json!({"name": "Ticket adulte", "vat_rate_id": vat0, "sale_pos": true}))
        .send()
        .await
        .unwrap();

    b.goto(&app.url("/login")).await.unwrap();
    sign_in(&b, &a.manager).await;

    // The offer, from the page.
    b.goto(&app.url("/activity/offers/new")).await.unwrap();
    b.wait()
        .for_element(Locator::Id("offer-form"))
        .await
        .unwrap();
    let today = jiff::Zoned::now()
        .with_time_zone(jiff::tz::TimeZone::get("Europe/Brussels").unwrap())
        .date();
    let end = today.checked_add(jiff::Span::new().days(60)).unwrap();
    let fill = |name: &'static str, value: String| {
        let b = b.clone();
        async move {
            let el = b
                .find(Locator::Css(&format!("[name='{name}']")))
                .await
                .unwrap();
            el.clear().await.ok();
            el.send_keys(&value).await.unwrap();
        }
    };
    fill("fr.name", "Visite guidée".into()).await;
    fill("capacity", "40".into()).await;
    fill("prices.0.price", "8,50".into()).await;
    // Date inputs take keystrokes in the browser's locale; set them through the DOM.
    for (name, value) in [
        ("rules.0.from", today.to_string()),
        ("rules.0.to", end.to_string()),
    ] {
        b.execute(
            &format!("document.querySelector(\"[name='{name}']\").value = '{value}';"),
            vec![],
        )
        .await
        .unwrap();
    }
    fill("rules.0.every_minutes", "30".into()).await;
    fill("rules.0.first", "10:00".into()).await;
    fill("rules.0.last", "16:30".into()).await;
    b.find(Locator::Id("offer-submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.wait()
        .for_element(Locator::Id("sessions-preview"))
        .await
        .unwrap();
    assert!(
        b.find(Locator::Id("sessions-preview"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
            .contains("10:00, 10:30")
    );

    // The planning shows it; stop its sales today, then reopen them.
    b.goto(&app.url("/planning")).await.unwrap();
    b.wait()
        .for_element(Locator::Id("planning-grid"))
        .await
        .unwrap();
    assert!(
        b.find(Locator::Id("planning-grid"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
            .contains("40/40")
    );
    b.find(Locator::Css("#stop-form input[name=offer_ids]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.execute(
        &format!("document.getElementById('f-stop-to').value = '{today}';"),
        vec![],
    )
    .await
    .unwrap();
    b.find(Locator::Id("stop-sales"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    flash_containing(&b, "Ventes arrêtées").await;
    let grid = b
        .find(Locator::Id("planning-grid"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(grid.matches("Ventes arrêtées").count(), 1, "{grid}");
    b.find(Locator::Css("#stop-form input[name=offer_ids]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.execute(
        &format!("document.getElementById('f-stop-to').value = '{today}';"),
        vec![],
    )
    .await
    .unwrap();
    b.find(Locator::Id("reopen-sales"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    flash_containing(&b, "rouvertes").await;
    assert!(
        !b.find(Locator::Id("planning-grid"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
            .contains("Ventes arrêtées")
    );
    b.close().await.unwrap();
    app.stop().await;
}

/// Signs in on the login page the browser shows, and waits for the page behind it.
pub(crate) async fn sign_in(b: &fantoccini::Client, email: &str) {
    b.find(Locator::Id("f-email"))
        .await
        .unwrap()
        .send_keys(email)
        .await
        .unwrap();
    b.find(Locator::Id("f-password"))
        .await
        .unwrap()
        .send_keys(PASSWORD)
        .await
        .unwrap();
    b.find(Locator::Id("login-submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // Until the browser has left the login page: its own elements would go stale under us.
    for _ in 0..100 {
        if b.current_url().await.is_ok_and(|u| u.path() != "/login") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    b.wait().for_element(Locator::Css("main h1")).await.unwrap();
}

/// Clicks an element after scrolling it to the middle of the window (the sticky top bar would
/// otherwise cover elements scrolled to the top).
pub(crate) async fn click(b: &fantoccini::Client, css: &str) {
    let e = b.find(Locator::Css(css)).await.unwrap();
    b.execute(
        "arguments[0].scrollIntoView({block: 'center'});",
        vec![serde_json::to_value(&e).unwrap()],
    )
    .await
    .unwrap();
    e.click().await.unwrap();
}

/// Waits until the element's text contains `text`.
pub(crate) async fn text_of_contains(b: &fantoccini::Client, css: &str, text: &str) -> String {
    let mut last = String::new();
    for _ in 0..100 {
        if let Ok(el) = b.find(Locator::Css(css)).await
            && let Ok(t) = el.text().await
        {
            if t.contains(text) {
                return t;
            }
            last = t;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{css} never contained {text:?} (last: {last:?})");
}

/// The register issue's flow: a seller sells 2 adult tickets for today's next session plus a
/// scanned product, paid half cash, half Bancontact, and finds the order in the list.
#[tokio::test]
async fn sell_tickets_and_a_scanned_product_paid_half_cash_half_bancontact() {
    let Some((_driver, _profile, b)) = browser().await else {
        return;
    };
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let key = crate::harness::api_key(&app, &a, "manager").await;
    let c = crate::harness::plain_client();
    let rates: serde_json::Value = c
        .get(app.url("/api/v1/vat-rates"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap()["items"]
        .clone();
    let rate = |bp: i64| {
        rates
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["rate_basis_points"] == bp)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let adult: serde_json::Value = c
        .post(app.url("/api/v1/ticket-types"))
        .bearer_auth(&key)
        .json(
            &serde_json::json!({"name": "Ticket adulte", "vat_rate_id": rate(0), "sale_pos": true}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // Sessions every 5 minutes all day, so "today's next session" exists whenever the test runs
    // (in the day's last minutes the screen is moved to tomorrow, as a cashier would).
    let offer: serde_json::Value = c.post(app.url("/api/v1/offers")).bearer_auth(&key)
        .json(&serde_json::json!({
            "fr": {"name": "Visite guidée des Grottes de Neptune"}, "kind": "activity", "sale_pos": true, "capacity": "40",
            "prices": [{"item_id": adult["id"], "price": "8,50"}],
            "rules": [{"from": "2026-01-01", "to": "2035-12-31", "kind": "every", "every_minutes": "5", "first": "00:00", "last": "23:55"}]
        }))
        .send().await.unwrap().json().await.unwrap();
    let peluche: serde_json::Value = c.post(app.url("/api/v1/products")).bearer_auth(&key)
        .json(&serde_json::json!({"name": "Peluche loup", "price": "12,80", "vat_rate_id": rate(2100), "sale_pos": true}))
        .send().await.unwrap().json().await.unwrap();
    let barcode = peluche["barcode"].as_str().unwrap().to_owned();

    b.goto(&app.url("/login")).await.unwrap();
    sign_in(&b, &a.seller).await;
    b.goto(&app.url("/register")).await.unwrap();
    b.wait()
        .for_element(Locator::Css("#offers .offer"))
        .await
        .unwrap();
    let brussels = jiff::tz::TimeZone::get("Europe/Brussels").unwrap();
    let now = jiff::Zoned::now().with_time_zone(brussels);
    if now.hour() == 23 && now.minute() >= 50 {
        let tomorrow = now.date().tomorrow().unwrap().to_string();
        b.execute(
            "const d = document.getElementById('visit-date'); d.value = arguments[0]; d.dispatchEvent(new Event('change'));",
            vec![serde_json::json!(tomorrow)],
        )
        .await
        .unwrap();
    }
    b.find(Locator::Css(&format!(
        "#offers .offer[data-offer='{}']",
        offer["id"].as_str().unwrap()
    )))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    b.wait()
        .for_element(Locator::Css("#sessions .session[aria-selected='true']"))
        .await
        .unwrap();
    // Today's next session that starts at least a minute from now: one starting within the
    // seconds the test takes could close to sales under it.
    b.execute(
        "const soon = (Date.now() + 60000) * 1000; \
         const s = [...document.querySelectorAll('#sessions .session:not([disabled])')] \
           .find(x => Number(x.dataset.start) > soon); \
         s.scrollIntoView({block: 'center'}); s.click();",
        vec![],
    )
    .await
    .unwrap();
    let qty = b.find(Locator::Css("#quantities input.qty")).await.unwrap();
    qty.clear().await.unwrap();
    qty.send_keys("2").await.unwrap();
    b.find(Locator::Id("add-tickets"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    text_of_contains(&b, "#total", "17,00").await;
    // The scanner types the code and presses Enter.
    b.find(Locator::Id("scan"))
        .await
        .unwrap()
        .send_keys(&format!("{barcode}\u{E007}"))
        .await
        .unwrap();
    text_of_contains(&b, "#total", "29,80 €").await;
    text_of_contains(&b, "#total-vat", "2,22 €").await;
    // A new customer, created without leaving the sale; the visitors come from Han-sur-Lesse.
    // The cashier types the name; nobody has it, so the screen offers to add it.
    click(&b, "#customer-open").await;
    b.find(Locator::Id("customer-search"))
        .await
        .unwrap()
        .send_keys("Samantha Rega")
        .await
        .unwrap();
    text_of_contains(&b, "#customer-add-typed", "Samantha Rega").await;
    click(&b, "#customer-add-typed").await;
    let last = b
        .find(Locator::Id("c-last_name"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(last.as_deref(), Some("Rega"));
    b.find(Locator::Id("o-postal"))
        .await
        .unwrap()
        .send_keys("5580")
        .await
        .unwrap();
    click(&b, "#customer-create").await;
    text_of_contains(&b, "#customer-name", "Samantha REGA").await;
    // Half cash, half Bancontact.
    b.find(Locator::Css("#methods button[data-method='cash']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let amount = b.find(Locator::Id("pay-amount")).await.unwrap();
    amount.clear().await.unwrap();
    amount.send_keys("14,90").await.unwrap();
    b.find(Locator::Id("add-payment"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    text_of_contains(&b, "#due", "14,90 €").await;
    b.find(Locator::Css("#methods button[data-method='bancontact']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.find(Locator::Id("validate"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let sold = text_of_contains(&b, "#result-number", "P").await;
    let number = sold.split_whitespace().last().unwrap().to_owned();
    assert!(
        number.starts_with('P') && number.ends_with("0001"),
        "{sold}"
    );

    // The order is in the list, collected in full.
    b.goto(&app.url("/orders")).await.unwrap();
    let row = text_of_contains(&b, "#orders tbody", &number).await;
    assert!(
        row.contains("Ticket adulte x2, Peluche loup") && row.contains("29,80 €"),
        "{row}"
    );
    let orders: serde_json::Value = c
        .get(app.url(&format!("/api/v1/orders?from={0}&to={0}", now.date())))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = orders["items"][0]["id"].as_str().unwrap();
    let o: serde_json::Value = c
        .get(app.url(&format!("/api/v1/orders/{id}")))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let methods: Vec<(&str, i64)> = o["payments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["method"].as_str().unwrap(),
                p["amount_cents"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(methods, vec![("cash", 1490), ("bancontact", 1490)]);
    assert_eq!(o["state"], "confirmed");
    assert_eq!(o["customer_name"], "Samantha REGA");
    assert_eq!(o["origin"]["province"], "Namur");
    app.stop().await;
}

/// The closing issue's flow: a seller opens the register with a float counted by denomination,
/// sells, prints the X, closes with 0,80 € missing from the drawer and reads the Z.
#[tokio::test]
async fn open_the_register_sell_print_the_x_and_close_with_a_difference() {
    let Some((_driver, _profile, b)) = browser().await else {
        return;
    };
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let key = crate::harness::api_key(&app, &a, "manager").await;
    let c = crate::harness::plain_client();
    let get = |path: String| {
        let (c, key, url) = (c.clone(), key.clone(), app.url(&path));
        async move {
            c.get(url)
                .bearer_auth(key)
                .send()
                .await
                .unwrap()
                .json::<serde_json::Value>()
                .await
                .unwrap()
        }
    };
    let rates = get("/api/v1/vat-rates".into()).await["items"].clone();
    let vat21 = rates
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rate_basis_points"] == 2100)
        .unwrap()["id"]
        .clone();
    let peluche: serde_json::Value = c.post(app.url("/api/v1/products")).bearer_auth(&key)
        .json(&serde_json::json!({"name": "Peluche loup", "price": "12,80", "vat_rate_id": vat21, "sale_pos": true}))
        .send().await.unwrap().json().await.unwrap();
    let barcode = peluche["barcode"].as_str().unwrap().to_owned();
    // The fixture's register starts open: close it (an empty Z 1) so the day starts closed.
    let register = get("/api/v1/registers".into()).await["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let session = get(format!("/api/v1/registers/{register}/session")).await;
    let r = c
        .post(app.url(&format!(
            "/api/v1/register-sessions/{}/close",
            session["id"].as_str().unwrap()
        )))
        .bearer_auth(&key)
        .json(&serde_json::json!({"counted_cash": "0"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    b.goto(&app.url("/login")).await.unwrap();
    sign_in(&b, &a.seller).await;
    // The cashier screen says the register is closed and leads to the drawer.
    b.goto(&app.url("/register")).await.unwrap();
    text_of_contains(&b, "#drawer-link", "fermée").await;
    click(&b, "#drawer-link").await;
    b.wait()
        .for_element(Locator::Id("open-form"))
        .await
        .unwrap();
    // 5 notes of 20 €: a 100,00 € float.
    b.find(Locator::Id("n2000"))
        .await
        .unwrap()
        .send_keys("5")
        .await
        .unwrap();
    click(&b, "#open-register-button").await;
    text_of_contains(&b, "#session-facts", "100,00 €").await;
    // Sell the peluche, paid 20,00 € in cash: 7,20 € change.
    b.goto(&app.url(&format!("/register?register={register}")))
        .await
        .unwrap();
    text_of_contains(&b, "#drawer-link", "ouverte").await;
    b.find(Locator::Id("scan"))
        .await
        .unwrap()
        .send_keys(&format!("{barcode}\u{E007}"))
        .await
        .unwrap();
    text_of_contains(&b, "#total", "12,80 €").await;
    click(&b, "#methods button[data-method='cash']").await;
    let amount = b.find(Locator::Id("pay-amount")).await.unwrap();
    amount.clear().await.unwrap();
    amount.send_keys("20,00").await.unwrap();
    click(&b, "#add-payment").await;
    click(&b, "#validate").await;
    text_of_contains(&b, "#result", "7,20 €").await;
    // The X: 12,80 € over 1 ticket, 112,80 € expected in the drawer; closes nothing.
    b.goto(&app.url(&format!("/register/drawer?register={register}")))
        .await
        .unwrap();
    text_of_contains(&b, "#x-expected", "112,80 €").await;
    let x = b
        .find(Locator::Id("print-x"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    b.goto(&app.url(&x)).await.unwrap();
    text_of_contains(&b, "#report-title", "X").await;
    text_of_contains(&b, "#z-revenue", "12,80 €").await;
    text_of_contains(&b, "#z-tickets", "1").await;
    // Close with 112,00 € counted: 0,80 € short, and read the Z.
    b.goto(&app.url(&format!("/register/drawer?register={register}")))
        .await
        .unwrap();
    b.find(Locator::Id("f-counted_cash"))
        .await
        .unwrap()
        .send_keys("112,00")
        .await
        .unwrap();
    click(&b, "#close-register-button").await;
    // The Z cannot be undone: the difference is shown before it is made.
    text_of_contains(&b, "#confirm-differences", "-0,80 €").await;
    click(&b, "#confirmed-close").await;
    text_of_contains(&b, "#report-title", "Z 2").await;
    text_of_contains(&b, "#z-revenue", "12,80 €").await;
    text_of_contains(&b, "#z-vat", "2,22 €").await;
    text_of_contains(&b, "#z-expected", "112,80 €").await;
    text_of_contains(&b, "#z-counted", "112,00 €").await;
    text_of_contains(&b, "#z-difference", "-0,80 €").await;
    text_of_contains(&b, "#z-grand-total", "12,80 €").await;
    // Closed again: the drawer offers to open.
    b.goto(&app.url(&format!("/register/drawer?register={register}")))
        .await
        .unwrap();
    b.wait()
        .for_element(Locator::Id("open-form"))
        .await
        .unwrap();
    app.stop().await;
}
