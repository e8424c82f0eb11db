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

#[tokio::test]
async fn sign_in_switch_language_and_create_a_vat_rate() {
    if !std::path::Path::new(CHROMIUM).exists() || !std::path::Path::new(CHROMEDRIVER).exists() {
        return skip(
            "Chromium or chromedriver is not installed (Debian packages chromium, chromium-driver)",
        );
    }
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let port = free_port();
    let _driver = Driver(
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
