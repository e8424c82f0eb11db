//! The register screen on a 1024 x 768 tablet (issue 19 §1): everything needed to take the
//! money stays in view, the keypad pays, nothing is recorded without the cashier saying so,
//! started sessions are not offered (but late entry is), a refused line does not zero the cart
//! and too many tickets for the places left are refused as they are typed.

use crate::browser::{browser, click, sign_in, text_of_contains};
use crate::browser_modules::screenshot;
use crate::harness::{TestApp, api_get, api_key, api_post, org, spawn, vat_rate_id};
use fantoccini::{Client, Locator};
use serde_json::{Value, json};
use std::time::Duration;

/// A ticket type, an offer with sessions every 5 minutes all day (so that today's next
/// session exists whenever the test runs) of `capacity` places and `late` minutes of late
/// entry, and a product; answers (offer id, product barcode).
pub(crate) async fn catalogue(
    app: &TestApp,
    key: &str,
    capacity: &str,
    late: &str,
) -> (String, String) {
    let adult = api_post(
        app,
        key,
        "/api/v1/ticket-types",
        json!({"name": "Ticket adulte", "vat_rate_id": vat_rate_id(app, key, 0).await, "sale_pos": true}),
        201,
    )
    .await;
    let offer = api_post(app, key, "/api/v1/offers", json!({
        "fr": {"name": "Visite guidée"}, "kind": "activity", "sale_pos": true, "capacity": capacity,
        "late_entry_minutes": late,
        "prices": [{"item_id": adult["id"], "price": "8,50"}],
        "rules": [{"from": "2026-01-01", "to": "2035-12-31", "kind": "every", "every_minutes": "5", "first": "00:00", "last": "23:55"}]
    }), 201).await;
    let product = api_post(
        app,
        key,
        "/api/v1/products",
        json!({"name": "Peluche loup", "price": "12,80", "vat_rate_id": vat_rate_id(app, key, 2100).await, "sale_pos": true}),
        201,
    )
    .await;
    (
        offer["id"].as_str().unwrap().to_owned(),
        product["barcode"].as_str().unwrap().to_owned(),
    )
}

/// Sizes the window so that the page itself gets `w` x `h` (a tablet's screen), whatever room
/// the browser's own frame takes.
pub(crate) async fn viewport(b: &Client, w: u32, h: u32) {
    b.set_window_size(w, h).await.unwrap();
    let inner = b
        .execute("return [window.innerWidth, window.innerHeight];", vec![])
        .await
        .unwrap();
    let (iw, ih) = (
        inner[0].as_u64().unwrap() as u32,
        inner[1].as_u64().unwrap() as u32,
    );
    b.set_window_size(w + (w - iw.min(w)), h + (h - ih.min(h)))
        .await
        .unwrap();
}

/// True when the element is wholly inside the window.
pub(crate) async fn in_view(b: &Client, css: &str) -> bool {
    b.execute(
        "const r = document.querySelector(arguments[0]).getBoundingClientRect(); \
         return r.width > 0 && r.top >= 0 && r.left >= 0 && r.bottom <= window.innerHeight && r.right <= window.innerWidth;",
        vec![json!(css)],
    )
    .await
    .unwrap()
        == Value::Bool(true)
}

/// Waits until a script answers true (5 s at most).
pub(crate) async fn until(b: &Client, script: &str) {
    for _ in 0..50 {
        if b.execute(script, vec![]).await.unwrap() == Value::Bool(true) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("never true: {script}");
}

/// Opens the offer and picks today's first session at least `margin_s` seconds away (a
/// session starting while the test runs would close under it). None in the day's last
/// minutes, when there is no such session.
pub(crate) async fn pick_session(b: &Client, offer: &str, margin_s: i64) -> bool {
    click(b, &format!("#offers .offer[data-offer='{offer}']")).await;
    until(
        b,
        "return document.querySelectorAll('#sessions .session').length > 0",
    )
    .await;
    b.execute(
        "const soon = (Date.now() + arguments[0] * 1000) * 1000; \
         const s = [...document.querySelectorAll('#sessions .session:not([disabled])')].find(x => Number(x.dataset.start) > soon); \
         if (!s) return false; s.scrollIntoView({block: 'center'}); s.click(); return true;",
        vec![json!(margin_s)],
    )
    .await
    .unwrap()
        == Value::Bool(true)
}

async fn orders(app: &TestApp, key: &str) -> Vec<Value> {
    let day = crate::harness::today();
    let list = api_get(app, key, &format!("/api/v1/orders?from={day}&to={day}")).await["items"]
        .as_array()
        .unwrap()
        .clone();
    let mut out = Vec::new();
    for o in list {
        out.push(
            api_get(
                app,
                key,
                &format!("/api/v1/orders/{}", o["id"].as_str().unwrap()),
            )
            .await,
        );
    }
    out
}

#[tokio::test]
async fn a_cash_sale_on_a_tablet_with_the_keypad_and_nothing_recorded_silently() {
    let Some((_driver, _profile, b)) = browser().await else {
        return;
    };
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let key = api_key(&app, &a, "manager").await;
    let (offer, barcode) = catalogue(&app, &key, "40", "0").await;
    b.goto(&app.url("/login")).await.unwrap();
    viewport(&b, 1024, 768).await;
    sign_in(&b, &a.seller).await;
    b.goto(&app.url("/register")).await.unwrap();
    b.wait()
        .for_element(Locator::Css("#offers .offer"))
        .await
        .unwrap();
    if !pick_session(&b, &offer, 120).await {
        eprintln!("skipped: no session left today at this hour");
        app.stop().await;
        return;
    }
    // Two adults with the large steppers, then into the cart.
    click(&b, "#quantities button[aria-label='+']").await;
    click(&b, "#quantities button[aria-label='+']").await;
    click(&b, "#add-tickets").await;
    text_of_contains(&b, "#total", "17,00 €").await;
    // On a 1024 x 768 tablet the page does not scroll, and what takes the money is in view.
    let scrolls = b
        .execute(
            "return document.scrollingElement.scrollHeight > window.innerHeight || document.scrollingElement.scrollWidth > window.innerWidth",
            vec![],
        )
        .await
        .unwrap();
    screenshot(&b, "register-1024-cart").await;
    assert_eq!(
        scrolls,
        Value::Bool(false),
        "the register page scrolls at 1024 x 768"
    );
    for css in [
        "#total",
        "#due",
        "#methods",
        "#keypad",
        "#validate",
        "#scan",
    ] {
        assert!(in_view(&b, css).await, "{css} is not in view at 1024 x 768");
    }

    // F9 with no tender chosen asks how the customer pays; going back records nothing.
    b.find(Locator::Id("scan"))
        .await
        .unwrap()
        .send_keys("\u{E039}")
        .await
        .unwrap();
    until(&b, "return document.getElementById('confirm').open").await;
    let question = b
        .find(Locator::Id("confirm-text"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(question.contains("17,00 €"), "{question}");
    assert!(
        b.find(Locator::Css("#confirm-methods button[data-method='cash']"))
            .await
            .is_ok(),
        "the question offers the tenders"
    );
    screenshot(&b, "register-1024-ask-method").await;
    click(&b, "#confirm-no").await;
    until(&b, "return !document.getElementById('confirm').open").await;
    assert!(orders(&app, &key).await.is_empty(), "nothing recorded");

    // Cash, 20 € handed over with the quick amount: the change shows in large type.
    click(&b, "#methods button[data-method='cash']").await;
    click(&b, "#keypad button[data-quick='2000']").await;
    click(&b, "#validate").await;
    let change = text_of_contains(&b, "#result-change", "3,00 €").await;
    assert!(change.contains("3,00 €"), "{change}");
    screenshot(&b, "register-1024-change").await;
    // The next customer starts clean: no tender chosen, empty cart, empty scan field.
    until(
        &b,
        "return !document.querySelector('#methods button.active')",
    )
    .await;
    assert_eq!(
        text_of_contains(&b, "#total", "0,00 €").await.trim(),
        "0,00 €"
    );

    // A product, 10 € typed on the keypad: less than due, so it asks before taking a deposit.
    b.find(Locator::Id("scan"))
        .await
        .unwrap()
        .send_keys(&format!("{barcode}\u{E007}"))
        .await
        .unwrap();
    text_of_contains(&b, "#total", "12,80 €").await;
    assert!(
        !b.find(Locator::Id("result"))
            .await
            .unwrap()
            .is_displayed()
            .await
            .unwrap(),
        "the last sale's message goes with the next sale"
    );
    click(&b, "#methods button[data-method='cash']").await;
    click(&b, "#keypad button[data-key='1']").await;
    click(&b, "#keypad button[data-key='0']").await;
    let typed = b
        .find(Locator::Id("pay-amount"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(typed.as_deref(), Some("10"));
    click(&b, "#validate").await;
    until(&b, "return document.getElementById('confirm').open").await;
    let question = b
        .find(Locator::Id("confirm-text"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        question.contains("2,80 €") && question.contains("12,80 €"),
        "{question}"
    );
    click(&b, "#confirm-yes").await;
    text_of_contains(&b, "#result-number", "P").await;

    let mut found = orders(&app, &key).await;
    found.sort_by_key(|o| o["number"].as_str().unwrap_or_default().to_owned());
    assert_eq!(found.len(), 2);
    let paid = |o: &Value| -> i64 {
        o["payments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["amount_cents"].as_i64().unwrap())
            .sum()
    };
    assert_eq!(found[0]["total_cents"], 1700);
    assert_eq!(found[0]["payments"][0]["method"], "cash");
    assert_eq!(paid(&found[0]), 1700);
    assert_eq!(found[1]["total_cents"], 1280);
    assert_eq!(
        paid(&found[1]),
        1000,
        "a deposit of 10 €, 2,80 € left to pay"
    );

    // A laptop and a desktop screen: the same, with room to spare.
    b.find(Locator::Id("scan"))
        .await
        .unwrap()
        .send_keys(&format!("{barcode}\u{E007}"))
        .await
        .unwrap();
    text_of_contains(&b, "#total", "12,80 €").await;
    for (w, h) in [(1280, 800), (1920, 1080)] {
        viewport(&b, w, h).await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        screenshot(&b, &format!("register-{w}")).await;
        for css in [
            "#total",
            "#due",
            "#methods",
            "#keypad",
            "#validate",
            "#scan",
        ] {
            assert!(in_view(&b, css).await, "{css} is not in view at {w} x {h}");
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn started_sessions_late_entry_places_as_typed_and_a_refused_line() {
    let Some((_driver, _profile, b)) = browser().await else {
        return;
    };
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let key = api_key(&app, &a, "manager").await;
    // Sessions of one place, sold 30 minutes after their start.
    let (offer, barcode) = catalogue(&app, &key, "1", "30").await;
    b.goto(&app.url("/login")).await.unwrap();
    viewport(&b, 1024, 768).await;
    sign_in(&b, &a.seller).await;
    b.goto(&app.url("/register")).await.unwrap();
    b.wait()
        .for_element(Locator::Css("#offers .offer"))
        .await
        .unwrap();
    if !pick_session(&b, &offer, 120).await {
        eprintln!("skipped: no session left today at this hour");
        app.stop().await;
        return;
    }
    // Sessions that started more than 30 minutes ago are not offered; those within the late
    // entry are, and say until when.
    let check = b
        .execute(
            "const now = Date.now() * 1000; const bad = []; let late = 0; \
             for (const s of document.querySelectorAll('#sessions .session')) { \
               const start = Number(s.dataset.start); \
               if (start < now - 31 * 60e6 && !s.disabled) bad.push(s.textContent); \
               if (start <= now && start > now - 29 * 60e6 && !s.disabled) late++; } \
             return [bad, late];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(check[0], json!([]), "started sessions offered");
    let minutes = jiff::Zoned::now()
        .with_time_zone(jiff::tz::TimeZone::get("Europe/Brussels").unwrap())
        .time();
    if minutes.hour() > 0 || minutes.minute() >= 30 {
        assert!(check[1].as_i64().unwrap() >= 5, "late entry: {check:?}");
        let text =
            text_of_contains(&b, "#sessions .session.started:not([disabled])", "jusqu'à").await;
        assert!(text.contains("jusqu'à"), "{text}");
    }

    // One place: typing 2 is refused at once, not at validation.
    let qty = b.find(Locator::Css("#quantities input.qty")).await.unwrap();
    qty.clear().await.unwrap();
    qty.send_keys("2").await.unwrap();
    let note = text_of_contains(&b, "#session-note", "Plus que 1 place").await;
    assert!(note.contains("Plus que 1 place"), "{note}");
    assert!(
        !b.find(Locator::Id("add-tickets"))
            .await
            .unwrap()
            .is_enabled()
            .await
            .unwrap()
    );
    qty.clear().await.unwrap();
    qty.send_keys("1").await.unwrap();
    until(
        &b,
        "return !document.getElementById('add-tickets').disabled",
    )
    .await;
    click(&b, "#add-tickets").await;
    text_of_contains(&b, "#total", "8,50 €").await;

    // Meanwhile the manager closes that session from the planning; the product scanned next is
    // still priced and the ticket line is marked, not the whole cart zeroed.
    let start = b
        .execute("return Number(document.querySelector('#sessions .session[aria-selected=true]').dataset.start);", vec![])
        .await
        .unwrap()
        .as_i64()
        .unwrap();
    let closed = crate::harness::plain_client()
        .put(app.url(&format!("/api/v1/offers/{offer}/sessions/{start}")))
        .bearer_auth(&key)
        .json(&json!({"closed": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(closed.status(), 204);
    b.find(Locator::Id("scan"))
        .await
        .unwrap()
        .send_keys(&format!("{barcode}\u{E007}"))
        .await
        .unwrap();
    text_of_contains(&b, "#total", "12,80 €").await;
    let refused = text_of_contains(&b, "#cart tbody tr.invalid", "refusée").await;
    assert!(refused.contains("Ticket adulte"), "{refused}");
    screenshot(&b, "register-1024-refused-line").await;
    // Validating is refused while the line is there; removing it sells the rest.
    click(&b, "#validate").await;
    text_of_contains(&b, "#messages", "refusée").await;
    click(&b, "#cart tbody tr.invalid .actions button.danger").await;
    until(
        &b,
        "return !document.querySelector('#cart tbody tr.invalid')",
    )
    .await;
    click(&b, "#methods button[data-method='bancontact']").await;
    click(&b, "#validate").await;
    text_of_contains(&b, "#result-number", "P").await;
    app.stop().await;
}

/// True when the page is not scrolled and does not scroll: what is on screen is all there is.
async fn unscrolled(b: &Client) -> bool {
    b.execute(
        "const s = document.scrollingElement; \
         return window.scrollX === 0 && window.scrollY === 0 \
           && s.scrollHeight <= window.innerHeight && s.scrollWidth <= window.innerWidth;",
        vec![],
    )
    .await
    .unwrap()
        == Value::Bool(true)
}

/// Issue 19 §5's whole day on a 1024 x 768 tablet: the cashier opens the register with a float
/// counted by denomination from the register screen, sells tickets and a product paid in cash
/// on the keypad with the total and "Valider la vente" in view without scrolling, sees the
/// change, then closes from the register screen: counts the drawer by denomination, sees the
/// difference on the confirmation page and gets the Z.
#[tokio::test]
async fn a_day_at_1024_by_768_open_sell_with_the_keypad_and_close_to_the_z() {
    let Some((_driver, _profile, b)) = browser().await else {
        return;
    };
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let key = api_key(&app, &a, "manager").await;
    let (offer, barcode) = catalogue(&app, &key, "40", "0").await;
    // The fixture's register starts open: close it (an empty Z 1) so the day starts closed.
    let register = api_get(&app, &key, "/api/v1/registers").await["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let session = api_get(&app, &key, &format!("/api/v1/registers/{register}/session")).await;
    api_post(
        &app,
        &key,
        &format!(
            "/api/v1/register-sessions/{}/close",
            session["id"].as_str().unwrap()
        ),
        json!({"counted_cash": "0"}),
        200,
    )
    .await;

    b.goto(&app.url("/login")).await.unwrap();
    viewport(&b, 1024, 768).await;
    sign_in(&b, &a.seller).await;
    assert_eq!(
        b.execute("return [window.innerWidth, window.innerHeight];", vec![])
            .await
            .unwrap(),
        json!([1024, 768])
    );

    // Opening: the register screen says the register is closed and leads to the drawer, where
    // 5 notes of 20 € make a 100,00 € float.
    b.goto(&app.url("/register")).await.unwrap();
    text_of_contains(&b, "#drawer-link", "fermée").await;
    click(&b, "#drawer-link").await;
    b.wait()
        .for_element(Locator::Id("open-form"))
        .await
        .unwrap();
    b.find(Locator::Id("n2000"))
        .await
        .unwrap()
        .send_keys("5")
        .await
        .unwrap();
    text_of_contains(&b, "#open-total", "100,00 €").await;
    click(&b, "#open-register-button").await;
    text_of_contains(&b, "#session-facts", "100,00 €").await;

    // Back to the register screen by the drawer's own link.
    click(&b, &format!("a[href='/register?register={register}']")).await;
    text_of_contains(&b, "#drawer-link", "ouverte").await;
    b.wait()
        .for_element(Locator::Css("#offers .offer"))
        .await
        .unwrap();
    if !pick_session(&b, &offer, 120).await {
        eprintln!("skipped: no session left today at this hour");
        app.stop().await;
        return;
    }
    // Two adults with the steppers, and a scanned product.
    click(&b, "#quantities button[aria-label='+']").await;
    click(&b, "#quantities button[aria-label='+']").await;
    click(&b, "#add-tickets").await;
    text_of_contains(&b, "#total", "17,00 €").await;
    b.find(Locator::Id("scan"))
        .await
        .unwrap()
        .send_keys(&format!("{barcode}\u{E007}"))
        .await
        .unwrap();
    text_of_contains(&b, "#total", "29,80 €").await;
    // Cash, 50 € typed on the keypad.
    click(&b, "#methods button[data-method='cash']").await;
    for k in ["5", "0"] {
        click(&b, &format!("#keypad button[data-key='{k}']")).await;
    }
    let typed = b
        .find(Locator::Id("pay-amount"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(typed.as_deref(), Some("50"));
    // The total and the validate button are on screen, and nothing was scrolled to get there
    // (`click` scrolls an element into view only when the page scrolls).
    screenshot(&b, "day-1024-register").await;
    assert!(unscrolled(&b).await, "the register scrolls at 1024 x 768");
    for css in ["#total", "#due", "#keypad", "#validate"] {
        assert!(in_view(&b, css).await, "{css} is not in view at 1024 x 768");
    }
    assert_eq!(
        b.find(Locator::Id("validate"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "Valider la vente"
    );
    b.find(Locator::Id("validate"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    text_of_contains(&b, "#result-change", "20,20 €").await;
    text_of_contains(&b, "#result-number", "P").await;
    screenshot(&b, "day-1024-change").await;
    assert!(unscrolled(&b).await, "the register scrolls after the sale");

    // Closing, from the register screen: 129,80 € expected; 129,50 € counted by denomination.
    click(&b, "#drawer-link").await;
    text_of_contains(&b, "#x-expected", "129,80 €").await;
    for (id, count) in [
        ("c5000", "2"),
        ("c1000", "2"),
        ("c500", "1"),
        ("c200", "2"),
        ("c50", "1"),
    ] {
        let e = b.find(Locator::Id(id)).await.unwrap();
        e.clear().await.unwrap();
        e.send_keys(count).await.unwrap();
    }
    text_of_contains(&b, "#close-total", "129,50 €").await;
    crate::browser_a11y::no_serious_violation(&b, "drawer-closing").await;
    b.execute(
        "document.getElementById('close-register').scrollIntoView({block: 'end'});",
        vec![],
    )
    .await
    .unwrap();
    screenshot(&b, "day-1024-closing").await;
    assert!(in_view(&b, "#close-register-button").await);
    click(&b, "#close-register-button").await;
    // The confirmation page shows the difference before the Z, its button within reach.
    text_of_contains(&b, "#confirm-differences", "-0,30 €").await;
    text_of_contains(&b, "#confirm-differences", "129,80 €").await;
    b.execute(
        "document.getElementById('confirmed-close').scrollIntoView({block: 'center'});",
        vec![],
    )
    .await
    .unwrap();
    screenshot(&b, "day-1024-closing-confirm").await;
    crate::browser_a11y::no_serious_violation(&b, "closing-confirm").await;
    assert!(in_view(&b, "#confirmed-close").await);
    click(&b, "#confirmed-close").await;
    text_of_contains(&b, "#report-title", "Z 2").await;
    text_of_contains(&b, "#z-revenue", "29,80 €").await;
    text_of_contains(&b, "#z-expected", "129,80 €").await;
    text_of_contains(&b, "#z-counted", "129,50 €").await;
    text_of_contains(&b, "#z-difference", "-0,30 €").await;
    screenshot(&b, "day-1024-z").await;
    // The register screen says closed again.
    b.goto(&app.url(&format!("/register?register={register}")))
        .await
        .unwrap();
    text_of_contains(&b, "#drawer-link", "fermée").await;
    app.stop().await;
}
