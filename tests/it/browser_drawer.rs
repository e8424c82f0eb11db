//! The drawer and the cancel form in a real browser at 1024 × 768 (issue 19): the count by
//! denomination keeps a running total as each count is typed and fills the amount, the grid
//! and its button fit the screen, the closing shows its difference before the Z, the phone
//! register asks no float, and an order's refund is offered on the methods it was paid with.
//! `GUICHET_SCREENSHOTS=dir` keeps a picture of each screen.

use crate::browser::{browser, click, sign_in, text_of_contains};
use crate::browser_modules::screenshot;
use crate::harness::{Api, Catalogue, id_of, org, spawn};
use fantoccini::{Client, Locator};
use serde_json::json;

async fn type_into(b: &Client, id: &str, text: &str) {
    let e = b.find(Locator::Id(id)).await.unwrap();
    e.clear().await.unwrap();
    e.send_keys(text).await.unwrap();
}

async fn value_of(b: &Client, id: &str) -> String {
    b.find(Locator::Id(id))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default()
}

/// Sizes the window so that the page itself sees `width` × `height` (a tablet's screen; the
/// headless window's frame takes some of its size).
async fn viewport(b: &Client, width: u32, height: u32) {
    b.set_window_size(width, height).await.unwrap();
    let frame = b
        .execute(
            "return [window.outerWidth - window.innerWidth, window.outerHeight - window.innerHeight];",
            vec![],
        )
        .await
        .unwrap();
    let extra = |i: usize| u32::try_from(frame[i].as_u64().unwrap_or(0)).unwrap_or(0);
    b.set_window_size(width + extra(0), height + extra(1))
        .await
        .unwrap();
}

/// Whether the element's box lies within the window, as the page is scrolled now.
async fn on_screen(b: &Client, css: &str) -> bool {
    let js = format!(
        "const r = document.querySelector({css:?}).getBoundingClientRect();
         return r.top >= 0 && r.bottom <= window.innerHeight && r.right <= window.innerWidth;"
    );
    b.execute(&js, vec![]).await.unwrap() == serde_json::Value::Bool(true)
}

#[tokio::test]
async fn the_drawer_keeps_a_running_total_and_shows_the_difference_before_the_z() {
    let Some((_driver, _profile, b)) = browser().await else {
        return;
    };
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let api = Api::new(&app, &a, "manager").await;
    let s = Catalogue::belgian(&api).await;
    // The fixture's register starts open: close it, so the day starts with the float.
    let session = api
        .ok(&format!("/api/v1/registers/{}/session", s.register))
        .await;
    let (status, _) = api
        .post(
            &format!("/api/v1/register-sessions/{}/close", id_of(&session)),
            json!({"counted_cash": "0"}),
        )
        .await;
    assert_eq!(status, 200);
    b.goto(&app.url("/login")).await.unwrap();
    viewport(&b, 1024, 768).await;
    sign_in(&b, &a.seller).await;
    b.goto(&app.url(&format!("/register/drawer?register={}", s.register)))
        .await
        .unwrap();
    // The total follows each count as it is typed, and fills the float.
    text_of_contains(&b, "#open-total", "0,00 €").await;
    type_into(&b, "n2000", "5").await;
    text_of_contains(&b, "#open-total", "100,00 €").await;
    type_into(&b, "n100", "10").await;
    type_into(&b, "n5", "3").await;
    text_of_contains(&b, "#open-total", "110,15 €").await;
    assert_eq!(value_of(&b, "f-opening_float").await, "110,15");
    // A count that is not a number is marked, and counts nothing.
    type_into(&b, "n50", "x").await;
    text_of_contains(&b, "#open-total", "110,15 €").await;
    assert!(
        b.find(Locator::Css(".denomination.typo #n50"))
            .await
            .is_ok()
    );
    type_into(&b, "n50", "").await;
    // The whole form, grid and button, on the screen without scrolling.
    screenshot(&b, "drawer-open").await;
    assert!(on_screen(&b, "#open-denominations").await);
    assert!(on_screen(&b, "#open-register-button").await);
    click(&b, "#open-register-button").await;
    text_of_contains(&b, "#session-facts", "110,15 €").await;

    // 17,00 € taken in cash: 127,15 € expected; 127,00 € counted.
    api.sell(
        &s.register,
        s.tickets(2, 0),
        vec![json!({"method": "cash", "amount": "17,00"})],
    )
    .await;
    b.refresh().await.unwrap();
    text_of_contains(&b, "#x-expected", "127,15 €").await;
    for (id, count) in [("c5000", "2"), ("c1000", "2"), ("c500", "1"), ("c200", "1")] {
        type_into(&b, id, count).await;
    }
    text_of_contains(&b, "#close-total", "127,00 €").await;
    assert_eq!(value_of(&b, "f-counted_cash").await, "127,00");
    // The closing card, its grid and its button, fits under the top bar.
    let fits = b
        .execute(
            "const card = document.getElementById('close-register');
             const bar = document.querySelector('.topbar').offsetHeight;
             window.scrollTo(0, card.getBoundingClientRect().top + window.scrollY - bar);
             return card.getBoundingClientRect().height <= window.innerHeight - bar;",
            vec![],
        )
        .await
        .unwrap();
    screenshot(&b, "drawer-close").await;
    assert_eq!(
        fits,
        serde_json::Value::Bool(true),
        "the closing form fits 1024 × 768"
    );
    click(&b, "#close-register-button").await;
    text_of_contains(&b, "#confirm-differences", "127,15 €").await;
    text_of_contains(&b, "#confirm-differences", "-0,15 €").await;
    assert!(on_screen(&b, "#confirmed-close").await);
    screenshot(&b, "drawer-close-confirm").await;
    // Back to the count as typed, then closed for good.
    click(&b, "#confirm-back").await;
    text_of_contains(&b, "#close-total", "127,00 €").await;
    click(&b, "#close-register-button").await;
    // The confirmation is a new page: wait for it before confirming.
    text_of_contains(&b, "#confirm-differences", "-0,15 €").await;
    click(&b, "#confirmed-close").await;
    text_of_contains(&b, "#z-difference", "-0,15 €").await;

    // The phone register: no float to count, nothing to count in a drawer.
    b.goto(&app.url(&format!("/register/drawer?register={}", s.phone)))
        .await
        .unwrap();
    text_of_contains(&b, "#phone-no-float", "espèces").await;
    assert!(b.find(Locator::Id("f-opening_float")).await.is_err());
    screenshot(&b, "drawer-phone").await;
    click(&b, "#open-register-button").await;
    text_of_contains(&b, "#phone-no-count", "espèces").await;
    screenshot(&b, "drawer-phone-open").await;
    app.stop().await;
}

#[tokio::test]
async fn an_order_is_refunded_the_way_it_was_paid_once_the_cancellation_is_confirmed() {
    let Some((_driver, _profile, b)) = browser().await else {
        return;
    };
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let api = Api::new(&app, &a, "manager").await;
    let s = Catalogue::belgian(&api).await;
    let o = api
        .sell(
            &s.register,
            s.tickets(2, 1),
            vec![
                json!({"method": "cash", "amount": "10,00"}),
                json!({"method": "card_terminal", "amount": "12,00"}),
            ],
        )
        .await;
    let id = id_of(&o);
    b.goto(&app.url("/login")).await.unwrap();
    viewport(&b, 1024, 768).await;
    sign_in(&b, &a.manager).await;
    b.goto(&app.url(&format!("/orders/{id}"))).await.unwrap();
    assert_eq!(value_of(&b, "f-refund_card_terminal").await, "12,00");
    assert_eq!(value_of(&b, "f-refund_cash").await, "10,00");
    type_into(&b, "f-reason", "Grotte fermée").await;
    type_into(&b, "f-refund_card_terminal", "2,00").await;
    b.execute(
        "document.getElementById('cancel-form').scrollIntoView({block: 'center'});",
        vec![],
    )
    .await
    .unwrap();
    screenshot(&b, "order-cancel").await;
    click(&b, "#cancel-order").await;
    text_of_contains(&b, "#confirm-step", "Remboursement (Terminal de paiement)").await;
    screenshot(&b, "order-cancel-confirm").await;
    click(&b, "#confirmed-cancel").await;
    text_of_contains(&b, "#order-state", "Annulée").await;
    let c = api.ok(&format!("/api/v1/orders/{id}")).await;
    assert_eq!(c["collected_cents"], 2_200 - 1_200);
    app.stop().await;
}
