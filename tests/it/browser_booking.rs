//! The online booking in a real browser (issue 16 §5): on a phone (390 × 844) a visitor
//! books 2 adults and 1 child for a session next week with a promo code, pays the deposit
//! with the development provider, receives the e-mail (a local SMTP sink), opens their
//! booking page from it and cancels; and the snippet, on a page of another origin, frames the
//! real flow, which books and sends the visitor back to the site. Screenshots go to
//! `$GUICHET_SCREENSHOTS` when set.

use crate::booking::{Attraction, config, generous, setup};
use crate::browser::browser;
use crate::harness::{Api, spawn_server};
use fantoccini::{Client, Locator};
use guichet_app::AppConfig;
use serde_json::json;
use std::time::Duration;

async fn screenshot(b: &Client, name: &str) {
    let Ok(dir) = std::env::var("GUICHET_SCREENSHOTS") else {
        return;
    };
    let png = b.screenshot().await.unwrap();
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(format!("{dir}/{name}.png"), png).unwrap();
}

async fn click(b: &Client, css: &str) {
    b.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap();
}

async fn fill(b: &Client, css: &str, text: &str) {
    let e = b.find(Locator::Css(css)).await.unwrap();
    e.clear().await.unwrap();
    e.send_keys(text).await.unwrap();
}

async fn text(b: &Client, css: &str) -> String {
    b.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .text()
        .await
        .unwrap()
}

/// The page fits the phone's width: nothing scrolls sideways.
async fn fits(b: &Client) {
    let wide = b
        .execute(
            "return document.documentElement.scrollWidth <= window.innerWidth + 1;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        wide,
        serde_json::Value::Bool(true),
        "the page is wider than the phone"
    );
}

/// Fills the session's quantities and the cart's details, from the session page on.
async fn book_from_session(b: &Client, s: &Attraction, adults: &str, children: &str) {
    fill(b, &format!("#q-{}", s.adult.replace('-', "")), adults).await;
    fill(b, &format!("#q-{}", s.child.replace('-', "")), children).await;
    click(b, "#book-choose").await;
    text(b, "#book-total").await;
}

async fn details(b: &Client, email: &str) {
    fill(b, "#f-last_name", "Dupont").await;
    fill(b, "#f-first_name", "Marie").await;
    fill(b, "#f-email", email).await;
    fill(b, "#f-phone", "0471 23 45 67").await;
    fill(b, "#f-city", "Namur").await;
    fill(b, "#f-postal_code", "5000").await;
    click(b, "#f-accept_terms").await;
}

#[tokio::test]
async fn on_a_phone_a_visitor_books_pays_gets_the_email_and_cancels() {
    let Some((_driver, _profile, b)) = browser().await else {
        return;
    };
    let (port, mails) = crate::reservations::smtp_sink().await;
    let app = spawn_server(config(
        AppConfig {
            mail: Some(guichet_integrations::mail::MailConfig {
                url: format!("smtp://127.0.0.1:{port}"),
                from: "Grottes <noreply@grottes.example>".into(),
            }),
            ..AppConfig::default()
        },
        generous(),
    ))
    .await;
    let (_, s) = setup(&app, 20, "deposit").await;
    b.set_window_size(390, 844).await.unwrap();

    b.goto(&app.url(&s.book)).await.unwrap();
    screenshot(&b, "book-1-calendar").await;
    fits(&b).await;
    // The day next week: its cell is open, and it may be next month.
    let cell = format!("td[data-date='{}'] a", s.day);
    if b.find(Locator::Css(&cell)).await.is_err() {
        click(&b, "#book-month-next").await;
    }
    click(&b, &cell).await;
    assert!(text(&b, "#book-day-title").await.len() > 5);
    screenshot(&b, "book-2-day").await;
    fits(&b).await;
    click(&b, &format!("a.session[href*='start={}']", s.start)).await;
    screenshot(&b, "book-3-session").await;
    fits(&b).await;
    book_from_session(&b, &s, "2", "1").await;
    assert_eq!(text(&b, "#book-total").await, "26,00 €");
    assert!(text(&b, "#book-countdown").await.contains("1"));
    fill(&b, "#book-promo-code", "ete").await;
    click(&b, "#book-promo-apply").await;
    b.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath("//*[@id='book-total' and text()='23,40 €']"))
        .await
        .unwrap();
    screenshot(&b, "book-4-cart").await;
    fits(&b).await;
    details(&b, "marie.dupont@example.be").await;
    assert_eq!(text(&b, "#book-submit").await, "Payer 7,02 €");
    click(&b, "#book-submit").await;
    assert_eq!(text(&b, "#book-pay-amount").await, "7,02 €");
    screenshot(&b, "book-5-pay").await;
    click(&b, "#book-pay").await;
    let number = text(&b, "#book-done-number")
        .await
        .replace("Réservation ", "");
    assert!(number.starts_with('P'), "{number}");
    screenshot(&b, "book-6-done").await;
    fits(&b).await;

    // The e-mail, then the booking page from its link.
    let mut link = None;
    for _ in 0..100 {
        let got = mails.lock().await.clone();
        if let Some(m) = got.iter().find(|m| m.contains(&number)) {
            let unfolded = m.replace("=\n", "").replace("=3D", "=");
            // The link is on the configured public address; its path is the page.
            let at = unfolded
                .find("http://localhost:8080/booking/")
                .expect("the link")
                + 21;
            let end = unfolded[at..]
                .find(|c: char| c.is_whitespace() || c == '"' || c == '<')
                .unwrap();
            link = Some(app.url(&unfolded[at..at + end]));
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let link = link.expect("the confirmation e-mail came through SMTP");
    b.goto(&link).await.unwrap();
    assert_eq!(text(&b, "#booking-number").await, number);
    assert_eq!(
        b.find_all(Locator::Css(".ticket svg")).await.unwrap().len(),
        3
    );
    screenshot(&b, "book-7-booking-page").await;
    fits(&b).await;
    click(&b, "#booking-cancel").await;
    b.accept_alert().await.unwrap();
    b.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath(
            "//*[@id='booking-state' and text()='Annulée']",
        ))
        .await
        .unwrap();
    assert!(text(&b, "#booking-refund").await.contains("7,02 €"));
    screenshot(&b, "book-8-cancelled").await;
    b.close().await.unwrap();
    app.stop().await;
}

/// A site of another origin (`localhost`) with the snippet of a module of Guichet
/// (`127.0.0.1`): the real flow runs in the frame, books, and its "back to the site" link
/// takes the whole page to the module's return address.
#[tokio::test]
async fn the_snippet_on_another_origin_frames_the_real_flow_and_returns_to_the_site() {
    let Some((_driver, _profile, b)) = browser().await else {
        return;
    };
    let app = spawn_server(config(AppConfig::default(), generous())).await;
    let (a, s) = setup(&app, 20, "on_site").await;
    let api = Api::new(&app, &a, "manager").await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let site = listener.local_addr().unwrap().port();
    let m = api
        .created(
            "/api/v1/booking-modules",
            json!({"name": "Site de test", "kind": "engine", "language": "fr", "frame_domains": "localhost",
                   "return_url": format!("http://localhost:{site}/merci")}),
        )
        .await;
    let org_slug = s.book.split('/').nth(2).unwrap().to_owned();
    let module = format!("{org_slug}/{}", m["slug"].as_str().unwrap());
    let guichet = app.base.clone();
    let host = format!(
        "<!doctype html><html lang=\"fr\"><body><h1>Grottes de Han</h1>\
         <div id=\"booking\" data-guichet-module=\"{module}\"></div>\
         <script src=\"{guichet}/embed/v1.js\" async></script></body></html>"
    );
    let router = axum::Router::new()
        .route(
            "/",
            axum::routing::get(move || async move { axum::response::Html(host) }),
        )
        .route(
            "/merci",
            axum::routing::get(|| async { axum::response::Html("<p id=\"merci\">Merci</p>") }),
        );
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    b.set_window_size(1024, 768).await.unwrap();
    b.goto(&format!("http://localhost:{site}/")).await.unwrap();
    let frame = b
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#booking iframe"))
        .await
        .unwrap();
    frame.clone().enter_frame().await.unwrap();
    // The calendar of the real flow, inside the frame.
    let cell = format!("td[data-date='{}'] a", s.day);
    text(&b, "#book-month-title").await;
    if b.find(Locator::Css(&cell)).await.is_err() {
        click(&b, "#book-month-next").await;
    }
    click(&b, &cell).await;
    click(&b, &format!("a.session[href*='start={}']", s.start)).await;
    book_from_session(&b, &s, "1", "0").await;
    details(&b, "jan@example.be").await;
    click(&b, "#book-submit").await;
    assert!(text(&b, "#book-done-number").await.contains('P'));
    b.enter_parent_frame().await.unwrap();
    // The frame follows the flow's height, down too (the confirmation is shorter than the
    // cart), and the confirmation is in view.
    let mut fitted = serde_json::Value::Null;
    for _ in 0..50 {
        fitted = b
            .execute(
                "var r = document.querySelector('#booking iframe').getBoundingClientRect(); return r.height > 250 && r.height < 700 && r.top >= 0;",
                vec![],
            )
            .await
            .unwrap();
        if fitted == serde_json::Value::Bool(true) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(fitted, serde_json::Value::Bool(true));
    screenshot(&b, "book-embedded-done").await;
    frame.enter_frame().await.unwrap();
    click(&b, "#book-return").await;
    b.enter_parent_frame().await.ok();
    b.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Id("merci"))
        .await
        .unwrap();
    assert_eq!(
        b.current_url().await.unwrap().as_str(),
        format!("http://localhost:{site}/merci")
    );
    assert_eq!(s.places(&api).await.0, 1);
    server.abort();
    b.close().await.unwrap();
    app.stop().await;
}

/// On a phone, a visitor pays the whole booking on (the fake) Stripe's page: the flow hands
/// them over, Stripe's webhook books, and Stripe's return address shows the confirmation.
/// Then the manager finds the payment, its fee and a refund on the order and the Stripe
/// page, at tablet size.
#[tokio::test]
async fn on_a_phone_a_visitor_pays_at_stripe_and_is_booked_by_the_webhook() {
    let Some((_driver, _profile, b)) = browser().await else {
        return;
    };
    let fake = crate::fake_stripe::FakeStripe::start().await;
    let app = crate::harness::spawn_server_at_its_url(|url| {
        crate::stripe::stripe_config(
            &fake,
            AppConfig {
                public_url: url.to_owned(),
                ..AppConfig::default()
            },
        )
    })
    .await;
    let (a, s) = setup(&app, 20, "full").await;
    crate::stripe::connect(&app, &a, &fake).await;
    b.set_window_size(390, 844).await.unwrap();
    b.goto(&app.url(&format!("{}?offer={}&start={}", s.book, s.offer, s.start)))
        .await
        .unwrap();
    book_from_session(&b, &s, "2", "0").await;
    assert_eq!(text(&b, "#book-total").await, "20,00 €");
    details(&b, "marie.dupont@example.be").await;
    assert_eq!(text(&b, "#book-submit").await, "Payer 20,00 €");
    click(&b, "#book-submit").await;
    // Stripe's page: card or Bancontact, for what is due.
    assert_eq!(text(&b, "#fake-amount").await, "20.00 EUR");
    screenshot(&b, "stripe-1-checkout").await;
    click(&b, "#pay-bancontact").await;
    let number = text(&b, "#book-done-number")
        .await
        .replace("Réservation ", "");
    assert!(number.starts_with('P'), "{number}");
    screenshot(&b, "stripe-2-done").await;
    fits(&b).await;

    // The manager, on a tablet: the order's payment with Stripe's fee, a partial refund.
    b.set_window_size(1024, 768).await.unwrap();
    b.goto(&app.url("/login")).await.unwrap();
    crate::browser::sign_in(&b, &a.manager).await;
    let api = Api::new(&app, &a, "manager").await;
    let orders = api
        .ok(&format!(
            "/api/v1/orders?from={0}&to={0}",
            crate::harness::today()
        ))
        .await;
    let id = orders["items"][0]["id"].as_str().unwrap().to_owned();
    b.goto(&app.url(&format!("/orders/{id}"))).await.unwrap();
    assert!(
        text(&b, "#order-payments")
            .await
            .contains("Bancontact en ligne")
    );
    assert!(text(&b, "#order-payments").await.contains("0,60 €"));
    fill(&b, "#f-stripe-refund", "5").await;
    click(&b, "#stripe-refund").await;
    assert!(text(&b, "#order-stripe-refunds").await.contains("En cours"));
    screenshot(&b, "stripe-3-order").await;
    fits(&b).await;
    b.goto(&app.url("/sales/stripe")).await.unwrap();
    assert!(text(&b, "#stripe-fees").await.contains("19,40 €"));
    screenshot(&b, "stripe-4-page").await;
    fits(&b).await;
    b.delete_all_cookies().await.unwrap();
    b.goto(&app.url("/login")).await.unwrap();
    crate::browser::sign_in(&b, &a.admin).await;
    b.goto(&app.url("/account/virtual-terminal")).await.unwrap();
    assert_eq!(text(&b, "#stripe-configured").await, "Configuré");
    screenshot(&b, "stripe-5-settings").await;
    fits(&b).await;
    b.close().await.unwrap();
    app.stop().await;
}
