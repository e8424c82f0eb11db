//! In a real browser (headless Chromium through chromedriver): sign in, switch the
//! language, create a VAT rate and see it in the list.

use crate::harness::{PASSWORD, org, skip, spawn};
use fantoccini::{ClientBuilder, Locator};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
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
async fn browser() -> Option<(Driver, tempfile::TempDir, fantoccini::Client)> {
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
    b.find(Locator::Id("f-email"))
        .await
        .unwrap()
        .send_keys(&a.admin)
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
    b.wait().for_element(Locator::Css("main h1")).await.unwrap();
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
async fn flash_containing(b: &fantoccini::Client, text: &str) {
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
    let rates: serde_json::Value = reqwest::Client::new()
        .get(app.url("/api/v1/vat-rates"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let vat0 = rates
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rate_basis_points"] == 0)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    reqwest::Client::new()
        .post(app.url("/api/v1/ticket-types"))
        .bearer_auth(&key)
        .json(&serde_json::json!({"name": "Ticket adulte", "vat_rate_id": vat0, "sale_pos": true}))
        .send()
        .await
        .unwrap();

    b.goto(&app.url("/login")).await.unwrap();
    b.find(Locator::Id("f-email"))
        .await
        .unwrap()
        .send_keys(&a.manager)
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
    b.wait().for_element(Locator::Css("main h1")).await.unwrap();

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
