//! Booking modules in a real browser: a manager creates one through the form and reads its
//! snippet; the embed script, on a page of another origin, frames a stub of the booking flow
//! (the real `/book/…` pages come with the booking flow), follows its height, opens and
//! closes the overlay, ignores messages from elsewhere, and goes to the return page when
//! told. Screenshots at 1024×768 go to `$GUICHET_SCREENSHOTS` when set.

use crate::browser::{browser, sign_in};
use crate::harness::{client, org, spawn};
use fantoccini::{Client, Locator};
use std::time::Duration;

pub(crate) async fn screenshot(b: &Client, name: &str) {
    let Ok(dir) = std::env::var("GUICHET_SCREENSHOTS") else {
        return;
    };
    let png = b.screenshot().await.unwrap();
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(format!("{dir}/{name}.png"), png).unwrap();
}

/// Polls a script until it answers `true` (five seconds at most).
async fn until(b: &Client, script: &str) -> bool {
    for _ in 0..50 {
        if b.execute(script, vec![]).await.unwrap() == serde_json::Value::Bool(true) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

#[tokio::test]
async fn create_a_module_and_copy_its_snippet() {
    let Some((_driver, _profile, b)) = browser().await else {
        return;
    };
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    b.set_window_size(1024, 768).await.unwrap();
    b.goto(&app.url("/login")).await.unwrap();
    sign_in(&b, &a.manager).await;
    b.goto(&app.url("/distribution/modules/new")).await.unwrap();
    screenshot(&b, "module-form").await;
    b.execute(
        "document.querySelector('#module-form details').open = true; document.getElementById('booking-fields').scrollIntoView();",
        vec![],
    )
    .await
    .unwrap();
    screenshot(&b, "module-form-fields").await;
    b.execute("window.scrollTo(0, document.body.scrollHeight);", vec![])
        .await
        .unwrap();
    screenshot(&b, "module-form-advanced").await;
    b.execute("window.scrollTo(0, 0);", vec![]).await.unwrap();
    b.find(Locator::Id("f-name"))
        .await
        .unwrap()
        .send_keys("Site web")
        .await
        .unwrap();
    b.find(Locator::Css("#f-field_phone option[value=optional]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.find(Locator::Id("f-return_url"))
        .await
        .unwrap()
        .send_keys("https://www.grottes-a.be/merci")
        .await
        .unwrap();
    b.find(Locator::Css("#module-form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.wait()
        .for_element(Locator::Id("module-snippet"))
        .await
        .unwrap();
    let snippet = b
        .find(Locator::Id("snippet-inline"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert_eq!(
        snippet,
        format!(
            "<script src=\"{}/embed/v1.js\" async></script>\n<div data-guichet-module=\"grottes-a/site-web\" data-mode=\"inline\"></div>",
            app.base
        )
    );
    let url = b
        .find(Locator::Id("public-url"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert_eq!(url, format!("{}/book/grottes-a/site-web", app.base));
    // The copy button selects the snippet (the clipboard itself may be refused headless).
    b.find(Locator::Css("button[data-copy='#snippet-inline']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert!(
        until(
            &b,
            "return document.activeElement && document.activeElement.id === 'snippet-inline';"
        )
        .await
    );
    screenshot(&b, "module-edit").await;
    b.goto(&app.url("/distribution/modules")).await.unwrap();
    let row = b
        .find(Locator::Css("#modules tbody tr"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        row.contains("Site web") && row.contains("Moteur de réservation"),
        "{row}"
    );
    // Nothing wider than the window.
    assert!(
        until(
            &b,
            "return document.documentElement.scrollWidth <= window.innerWidth;"
        )
        .await
    );
    screenshot(&b, "modules-list").await;
    b.close().await.unwrap();
    app.stop().await;
}

/// A stub of the booking flow and a host page, served on one port reached under two names
/// (`localhost` for the host page, `127.0.0.1` for Guichet's side): two origins.
async fn stub(embed_js: String, child_js: String) -> (u16, tokio::task::JoinHandle<()>) {
    use axum::response::Html;
    use axum::routing::get;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let js = |body: String| {
        (
            [(axum::http::header::CONTENT_TYPE, "text/javascript")],
            body,
        )
    };
    let host = format!(
        "<!doctype html><html lang=\"fr\"><body><h1>Host</h1>\
         <div id=\"inline\" data-guichet-module=\"grottes-a/site-web\"></div>\
         <div id=\"overlay\" data-guichet-module=\"grottes-a/site-web\" data-mode=\"overlay\"></div>\
         <script src=\"http://127.0.0.1:{port}/embed/v1.js\" async></script></body></html>"
    );
    let host_done = format!(
        "<!doctype html><html><body><div data-guichet-module=\"grottes-a/paid\"></div>\
         <script src=\"http://127.0.0.1:{port}/embed/v1.js\" async></script></body></html>"
    );
    let paid = "<!doctype html><html><body><p>Paid</p><script src=\"/assets/embed-child.js\"></script>\
         <script src=\"/paid.js\"></script></body></html>";
    let paid_js = format!("GuichetChild.done('http://localhost:{port}/thanks');");
    let router = axum::Router::new()
        .route("/embed/v1.js", get(move || async move { js(embed_js) }))
        .route(
            "/assets/embed-child.js",
            get(move || async move { js(child_js) }),
        )
        .route("/paid.js", get(move || async move { js(paid_js) }))
        .route("/host.html", get(move || async move { Html(host) }))
        .route("/host-done.html", get(move || async move { Html(host_done) }))
        .route(
            "/book/grottes-a/site-web",
            get(|| async {
                Html("<!doctype html><html><body><div id=\"tall\" style=\"height:1234px\">Booking</div>\
                      <script src=\"/assets/embed-child.js\"></script></body></html>")
            }),
        )
        .route("/book/grottes-a/paid", get(move || async move { Html(paid) }))
        .route("/thanks", get(|| async { Html("<p id=\"thanks\">Thanks</p>") }));
    let handle = tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    (port, handle)
}

#[tokio::test]
async fn the_embed_script_frames_the_flow_resizes_it_and_opens_an_overlay() {
    let Some((_driver, _profile, b)) = browser().await else {
        return;
    };
    let app = spawn().await;
    let fetch = |path: &'static str| {
        let url = app.url(path);
        async move {
            client()
                .get(url)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        }
    };
    let (port, server) = stub(
        fetch("/embed/v1.js").await,
        fetch("/assets/embed-child.js").await,
    )
    .await;
    b.goto(&format!("http://localhost:{port}/host.html"))
        .await
        .unwrap();
    // Inline: the frame shows the flow of 127.0.0.1 and takes its height.
    assert!(until(&b, "var f = document.querySelector('#inline iframe'); return !!f && f.src.indexOf('/book/grottes-a/site-web?embed=1') > 0;").await);
    assert!(
        until(
            &b,
            "var f = document.querySelector('#inline iframe'); return f.getBoundingClientRect().height > 1200;"
        )
        .await,
        "the frame follows the flow's height"
    );
    // A message from the host page itself is not the flow's: ignored.
    b.execute(
        "window.postMessage({guichet: 'resize', height: 5}, '*');",
        vec![],
    )
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        until(
            &b,
            "return document.querySelector('#inline iframe').getBoundingClientRect().height > 1200;"
        )
        .await
    );
    // Overlay: a button (in the page's language) that opens the flow over the page; Escape
    // closes it.
    let button = b.find(Locator::Css("#overlay button")).await.unwrap();
    assert_eq!(button.text().await.unwrap(), "Réserver");
    button.click().await.unwrap();
    assert!(until(&b, "var o = document.querySelector('[data-guichet-overlay] iframe'); return !!o && o.getBoundingClientRect().height > 1200;").await);
    b.execute(
        "document.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape'}));",
        vec![],
    )
    .await
    .unwrap();
    assert!(
        until(
            &b,
            "return !document.querySelector('[data-guichet-overlay]');"
        )
        .await
    );
    // Close button too.
    button.click().await.unwrap();
    b.find(Locator::Css("[data-guichet-overlay] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert!(
        until(
            &b,
            "return !document.querySelector('[data-guichet-overlay]');"
        )
        .await
    );
    // Once paid, the flow sends the visitor to the return page.
    b.goto(&format!("http://localhost:{port}/host-done.html"))
        .await
        .unwrap();
    b.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Id("thanks"))
        .await
        .unwrap();
    assert_eq!(
        b.current_url().await.unwrap().as_str(),
        format!("http://localhost:{port}/thanks")
    );
    server.abort();
    b.close().await.unwrap();
    app.stop().await;
}
