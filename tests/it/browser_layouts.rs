//! The back office on a tablet (issue 19 §2), in a real browser at 1024 × 768 and at
//! 1366 × 900: at 1024 px the menu folds behind the topbar's button (opened and closed with
//! the keyboard too), and every list keeps its key columns without sideways scrolling —
//! the orders list its number, customer, state, total and collected — with no pill or cell
//! wrapped or cut; at 1366 px the menu stays. The customer page, the sign-in page and the
//! 404 page are looked at too. Screenshots of each go to `$GUICHET_SCREENSHOTS` when set.

use crate::browser::{browser, click, sign_in};
use crate::browser_modules::screenshot;
use crate::harness::{Api, NeptuneTour, org, spawn};
use fantoccini::{Client, Locator, key::Key};
use serde_json::{Value, json};

/// What does not fit, on the page shown: the page wider than the window, a card (a list's
/// box) scrolling sideways, a pill or a tab on two lines, a cell whose text is cut.
const MISFITS: &str = r#"
const out = [];
const root = document.documentElement;
if (root.scrollWidth > window.innerWidth) { out.push('page ' + root.scrollWidth + ' > ' + window.innerWidth); }
document.querySelectorAll('main .card').forEach(function (c, i) {
  if (c.scrollWidth > c.clientWidth + 1) { out.push('card ' + i + ' (' + (c.id || c.className) + ') ' + c.scrollWidth + ' > ' + c.clientWidth); }
});
document.querySelectorAll('main .badge').forEach(function (b) {
  if (b.offsetParent === null) { return; }
  if (b.getClientRects().length > 1 || b.offsetHeight > 2.2 * parseFloat(getComputedStyle(b).fontSize) + 4) { out.push('pill on two lines: ' + b.textContent); }
});
document.querySelectorAll('main nav.tabs').forEach(function (nav) {
  const tabs = Array.from(nav.querySelectorAll('a'));
  tabs.forEach(function (t) {
    if (t.offsetTop !== tabs[0].offsetTop) { out.push('tab on a second row: ' + t.textContent); }
  });
});
document.querySelectorAll('main td, main th').forEach(function (c) {
  if (c.offsetParent !== null && c.scrollWidth > c.clientWidth + 1) { out.push('cell cut: ' + c.textContent.trim()); }
});
return out;
"#;

/// Fails with what does not fit.
fn check(found: Vec<String>, what: &str) {
    assert!(found.is_empty(), "{what}: {found:?}");
}

async fn misfits(b: &Client) -> Vec<String> {
    let found = b.execute(MISFITS, vec![]).await.unwrap();
    serde_json::from_value(found).unwrap()
}

/// Whether the element is shown (laid out with a width).
async fn shown(b: &Client, css: &str) -> bool {
    b.execute(
        "const e = document.querySelector(arguments[0]); return !!e && e.offsetWidth > 0 && e.checkVisibility({contentVisibilityAuto: true, visibilityProperty: true});",
        vec![json!(css)],
    )
    .await
    .unwrap()
        == Value::Bool(true)
}

/// The labels of the orders list's columns shown.
async fn shown_columns(b: &Client) -> Vec<String> {
    let found = b
        .execute(
            "return Array.from(document.querySelectorAll('#orders thead th')).filter(function (th) { return th.offsetWidth > 0; }).map(function (th) { return th.textContent.trim(); });",
            vec![],
        )
        .await
        .unwrap();
    serde_json::from_value(found).unwrap()
}

/// A screenshot with the page's list scrolled to the top of the window.
async fn table_shot(b: &Client, name: &str) {
    b.execute(
        "const t = document.querySelector('main table'); if (t) { window.scrollTo(0, t.getBoundingClientRect().top + window.scrollY - 80); }",
        vec![],
    )
    .await
    .unwrap();
    screenshot(b, name).await;
    b.execute("window.scrollTo(0, 0);", vec![]).await.unwrap();
}

/// Sizes the window so that the page itself gets `width` × `height` (the window's frame
/// taken out).
async fn viewport(b: &Client, width: u32, height: u32) {
    b.set_window_size(width, height).await.unwrap();
    let frame = b
        .execute(
            "return [window.outerWidth - window.innerWidth, window.outerHeight - window.innerHeight];",
            vec![],
        )
        .await
        .unwrap();
    let (dw, dh) = (
        frame[0].as_u64().unwrap_or(0),
        frame[1].as_u64().unwrap_or(0),
    );
    if dw > 0 || dh > 0 {
        b.set_window_size(width + dw as u32, height + dh as u32)
            .await
            .unwrap();
    }
}

async fn focused_id(b: &Client) -> String {
    b.execute(
        "return document.activeElement ? (document.activeElement.id || document.activeElement.getAttribute('href') || '') : '';",
        vec![],
    )
    .await
    .unwrap()
    .as_str()
    .unwrap_or_default()
    .to_owned()
}

#[tokio::test]
async fn the_back_office_fits_a_tablet_and_a_laptop() {
    let Some((_driver, _profile, b)) = browser().await else {
        return;
    };
    let app = spawn().await;
    let a = org(&app, "Grottes de Neptune", "a").await;
    let api = Api::new(&app, &a, "manager").await;
    let NeptuneTour {
        offer,
        adult,
        child,
        senior,
        register,
        start,
        ..
    } = NeptuneTour::new(&api).await;
    let line = |item: &str, n: i64| json!({"offer_id": offer, "session_start": start, "item_id": item, "quantity": n});
    api.product(
        "Guide des grottes (édition illustrée)",
        "12,50",
        600,
        Some(20),
    )
    .await;
    let mut customers = Vec::new();
    for (first, last) in [
        ("Éloïse", "Dubois-Vanderhaegen"),
        ("Marc", "Lambert"),
        ("Anne-Catherine", "de Wergifosse"),
    ] {
        customers.push(
            api.created(
                "/api/v1/customers",
                json!({"first_name": first, "last_name": last, "email": format!("{}@example.be", first.to_lowercase()),
                       "city": "Couvin", "country": "BE"}),
            )
            .await["id"]
                .clone(),
        );
    }
    // Orders in every state, long names and pills: awaiting payment, paid, over-collected
    // (flagged), a quote, a cancelled one.
    let mut sell = Vec::new();
    sell.push(json!({"register_id": register, "customer_id": customers[0], "lines": [line(&adult, 2), line(&child, 1), line(&senior, 2)],
        "payments": [{"method": "cash", "amount": "10"}]}));
    sell.push(
        json!({"register_id": register, "customer_id": customers[1], "lines": [line(&adult, 2)],
        "payments": [{"method": "cash", "amount": "17"}]}),
    );
    sell.push(
        json!({"register_id": register, "customer_id": customers[2], "lines": [line(&adult, 1)],
        "payments": [{"method": "cash", "amount": "20"}]}),
    );
    sell.push(json!({"register_id": register, "quote": true, "customer_id": customers[2], "lines": [line(&child, 3)]}));
    for body in sell {
        api.created("/api/v1/orders", body).await;
    }
    let cancelled = api
        .created(
            "/api/v1/orders",
            json!({"register_id": register, "lines": [line(&adult, 1)], "payments": [{"method": "cash", "amount": "8,50"}]}),
        )
        .await;
    let (status, body) = api
        .post(
            &format!(
                "/api/v1/orders/{}/cancel",
                cancelled["id"].as_str().unwrap()
            ),
            json!({"reason": "Client parti", "refund": {"method": "cash", "amount": "8,50"}}),
        )
        .await;
    assert_eq!(status, 200, "{body}");

    let lists = [
        ("orders", "/orders"),
        ("customers", "/marketing/customers"),
        ("offers", "/activity/offers"),
        ("payments", "/orders/payments"),
        ("products", "/activity/shop"),
    ];
    b.goto(&app.url("/login")).await.unwrap();
    viewport(&b, 1024, 768).await;
    screenshot(&b, "1024-sign-in").await;
    assert!(
        shown(&b, "#forgot-password").await,
        "a forgotten password link"
    );
    sign_in(&b, &a.manager).await;

    // The menu folds behind the button; the keyboard opens it (focus in the menu) and
    // Escape closes it (focus back on the button).
    assert!(!shown(&b, "#sidebar").await && shown(&b, ".menu-toggle").await);
    b.execute("document.querySelector('.menu-toggle').focus();", vec![])
        .await
        .unwrap();
    b.active_element()
        .await
        .unwrap()
        .send_keys(&Key::Enter.to_string())
        .await
        .unwrap();
    assert!(shown(&b, "#sidebar").await);
    assert_eq!(
        b.find(Locator::Css(".menu-toggle"))
            .await
            .unwrap()
            .attr("aria-expanded")
            .await
            .unwrap()
            .as_deref(),
        Some("true")
    );
    assert_eq!(
        focused_id(&b).await,
        "/",
        "focus on the menu's current entry"
    );
    screenshot(&b, "1024-menu-open").await;
    b.active_element()
        .await
        .unwrap()
        .send_keys(&Key::Escape.to_string())
        .await
        .unwrap();
    assert!(!shown(&b, "#sidebar").await);
    assert_eq!(focused_id(&b).await, "menu-toggle");
    // A menu entry opened from the folded menu.
    click(&b, ".menu-toggle").await;
    click(&b, "#sidebar a[href='/marketing/customers']").await;
    b.wait()
        .for_element(Locator::Css("table#customers"))
        .await
        .unwrap();

    for (name, path) in lists {
        b.goto(&app.url(path)).await.unwrap();
        b.wait().for_element(Locator::Css("main h1")).await.unwrap();
        screenshot(&b, &format!("1024-{name}")).await;
        table_shot(&b, &format!("1024-{name}-table")).await;
        check(misfits(&b).await, &format!("1024: {path}"));
    }
    b.goto(&app.url("/orders")).await.unwrap();
    let columns = shown_columns(&b).await;
    for key in [
        "Numéro",
        "Client",
        "Produits",
        "Statut",
        "Total TTC",
        "Encaissé",
    ] {
        assert!(
            columns.iter().any(|c| c == key),
            "1024: {key} in {columns:?}"
        );
    }
    // The tabs: each a preset, and they fit on one row.
    for tab in ["to-confirm", "quotes", "arrivals-week"] {
        click(&b, &format!("#tab-{tab}")).await;
        b.wait()
            .for_element(Locator::Css(&format!("#tab-{tab}.active")))
            .await
            .unwrap();
        screenshot(&b, &format!("1024-orders-{tab}")).await;
        check(misfits(&b).await, &format!("1024: tab {tab}"));
    }
    b.goto(&app.url(&format!(
        "/marketing/customers/{}",
        customers[0].as_str().unwrap()
    )))
    .await
    .unwrap();
    b.wait()
        .for_element(Locator::Id("customer-form"))
        .await
        .unwrap();
    screenshot(&b, "1024-customer").await;
    check(misfits(&b).await, "1024: customer");
    assert!(!shown(&b, "#erase-customer").await, "behind a second click");
    click(&b, "#erase summary").await;
    assert!(shown(&b, "#erase-customer").await);
    screenshot(&b, "1024-customer-danger-zone").await;
    b.goto(&app.url("/nowhere")).await.unwrap();
    b.wait()
        .for_element(Locator::Id("not-found"))
        .await
        .unwrap();
    screenshot(&b, "1024-not-found").await;
    check(misfits(&b).await, "1024: 404");

    // In Dutch and in English (longer words, other pills), the lists fit as well; then
    // back to French.
    for lang in ["nl", "en", "fr"] {
        b.goto(&app.url("/me")).await.unwrap();
        b.find(Locator::Css(&format!(
            "#profile-form select[name=language] option[value={lang}]"
        )))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
        click(&b, "#profile-form button[type=submit]").await;
        b.wait().for_element(Locator::Css("p.flash")).await.unwrap();
        for (name, path) in lists {
            b.goto(&app.url(path)).await.unwrap();
            b.wait().for_element(Locator::Css("main h1")).await.unwrap();
            table_shot(&b, &format!("1024-{lang}-{name}-table")).await;
            check(misfits(&b).await, &format!("1024 {lang}: {path}"));
        }
        b.goto(&app.url("/orders")).await.unwrap();
        screenshot(&b, &format!("1024-{lang}-orders")).await;
    }

    // A laptop: the menu stays, the lists still fit.
    viewport(&b, 1366, 900).await;
    for (name, path) in lists {
        b.goto(&app.url(path)).await.unwrap();
        b.wait().for_element(Locator::Css("main h1")).await.unwrap();
        assert!(shown(&b, "#sidebar").await && !shown(&b, ".menu-toggle").await);
        screenshot(&b, &format!("1366-{name}")).await;
        table_shot(&b, &format!("1366-{name}-table")).await;
        check(misfits(&b).await, &format!("1366: {path}"));
    }
    b.goto(&app.url("/orders")).await.unwrap();
    let columns = shown_columns(&b).await;
    for key in [
        "Numéro",
        "Client",
        "Produits",
        "Statut",
        "Total TTC",
        "Encaissé",
    ] {
        assert!(
            columns.iter().any(|c| c == key),
            "1366: {key} in {columns:?}"
        );
    }
    b.goto(&app.url(&format!(
        "/marketing/customers/{}",
        customers[0].as_str().unwrap()
    )))
    .await
    .unwrap();
    b.wait()
        .for_element(Locator::Id("customer-form"))
        .await
        .unwrap();
    screenshot(&b, "1366-customer").await;
    b.goto(&app.url("/nowhere")).await.unwrap();
    b.wait()
        .for_element(Locator::Id("not-found"))
        .await
        .unwrap();
    screenshot(&b, "1366-not-found").await;
    b.close().await.unwrap();
    app.stop().await;
}

/// The sign-in page's "forgotten password" link leads to the page that sends the link.
#[tokio::test]
async fn the_sign_in_page_links_to_the_forgotten_password_page() {
    let Some((_driver, _profile, b)) = browser().await else {
        return;
    };
    let app = spawn().await;
    b.set_window_size(1024, 768).await.unwrap();
    b.goto(&app.url("/login")).await.unwrap();
    click(&b, "#forgot-password").await;
    b.wait()
        .for_element(Locator::Id("forgot-submit"))
        .await
        .unwrap();
    b.find(Locator::Id("f-email"))
        .await
        .unwrap()
        .send_keys("someone@example.be")
        .await
        .unwrap();
    click(&b, "#forgot-submit").await;
    b.wait()
        .for_element(Locator::Id("forgot-sent"))
        .await
        .unwrap();
    screenshot(&b, "1024-forgot-password-sent").await;
    b.close().await.unwrap();
    app.stop().await;
}
