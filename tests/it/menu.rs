//! No dead ends in the back office (issue 19 §2): every entry of every role's menu opens a
//! real page of the application, what is not built is not in the menu, and an address
//! nothing answers is a 404 page of the application (in the reader's language, with a way
//! back) or, under `/api/`, a problem with the code `not_found`.

use crate::harness::{TestApp, client, login, org, spawn};

/// The addresses of the menu (the sidebar) of a page.
fn menu_of(page: &str) -> Vec<String> {
    let start = page.find(r#"<aside id="sidebar""#).expect("a sidebar");
    let end = start + page[start..].find("</aside>").expect("the sidebar's end");
    page[start..end]
        .split(r#"href=""#)
        .skip(1)
        .filter_map(|s| s.split_once('"').map(|(href, _)| href.to_owned()))
        .collect()
}

/// A page of the application: an HTML page with a title of its own, not the 404 page, not
/// an error page (the bare frame) and not a "not available yet" placeholder.
fn assert_real_page(path: &str, body: &str) {
    let title = body
        .split_once("<title>")
        .and_then(|(_, t)| t.split_once("</title>"))
        .map(|(t, _)| t.split(" · ").next().unwrap_or_default().trim().to_owned())
        .unwrap_or_default();
    assert!(
        body.starts_with("<!doctype html>") && !title.is_empty(),
        "{path}: not a page of the application:\n{body}"
    );
    assert!(
        !body.contains(r#"id="not-found""#)
            && !body.contains(r#"class="bare""#)
            && !body.contains("pas encore disponible"),
        "{path}: a dead end"
    );
}

async fn menu_as(app: &TestApp, email: &str) -> (reqwest::Client, Vec<String>) {
    let c = login(app, email).await;
    let r = c.get(app.url("/")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let menu = menu_of(&r.text().await.unwrap());
    (c, menu)
}

#[tokio::test]
async fn every_entry_of_every_roles_menu_opens_a_page() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let mut sizes = Vec::new();
    for (role, email) in [
        ("admin", &a.admin),
        ("manager", &a.manager),
        ("seller", &a.seller),
    ] {
        let (c, menu) = menu_as(&app, email).await;
        assert!(menu.contains(&"/".to_owned()), "{role}: {menu:?}");
        for href in &menu {
            let r = c.get(app.url(href)).send().await.unwrap();
            assert_eq!(r.status(), 200, "{role}: GET {href}");
            assert_real_page(&format!("{role}: {href}"), &r.text().await.unwrap());
        }
        // Nothing that is not built yet.
        for later in [
            "/arrivals",
            "/click-and-collect",
            "/activity/description",
            "/activity/gift-vouchers",
            "/activity/gift-cards",
            "/distribution/sales-channels",
            "/marketing/emails",
        ] {
            assert!(!menu.iter().any(|h| h == later), "{role}: {later}");
        }
        sizes.push((role, menu));
    }
    // Each role sees what it may use: the seller sells and searches, the manager sets up
    // the catalogue too, only the admin manages users and API keys.
    let has = |role: &str, href: &str| {
        sizes
            .iter()
            .any(|(r, menu)| *r == role && menu.iter().any(|h| h == href))
    };
    assert!(has("seller", "/register") && has("seller", "/orders"));
    assert!(!has("seller", "/activity/shop") && has("manager", "/activity/shop"));
    assert!(!has("manager", "/account/users") && has("admin", "/account/users"));
    assert!(has("admin", "/account/virtual-terminal") && has("admin", "/account/api-keys"));
    app.stop().await;
}

#[tokio::test]
async fn an_unknown_page_is_a_page_of_the_application_and_an_unknown_api_path_a_problem() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    // Signed in: the 404 page has the menu and a way back, in the user's language (French
    // for the fixture's users, whatever the browser says).
    let admin = login(&app, &a.admin).await;
    for path in [
        "/nowhere",
        "/arrivals",
        "/activity/gift-cards",
        "/distribution/sales-channels",
        "/marketing/emails",
        "/orders/export/extra",
    ] {
        let r = admin
            .get(app.url(path))
            .header("accept-language", "en")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{path}");
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        let body = r.text().await.unwrap();
        assert!(
            body.contains(r#"id="not-found""#)
                && body.contains("Page introuvable")
                && body.contains(r#"<aside id="sidebar""#)
                && body.contains(r#"href="/" id="not-found-home""#),
            "{path}: {body}"
        );
    }
    // The user's own language once changed.
    let r = admin
        .post(app.url("/me"))
        .form(&[("name", "Admin"), ("language", "nl")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let body = admin
        .get(app.url("/nowhere"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        body.contains("Pagina niet gevonden") && body.contains(r#"lang="nl""#),
        "{body}"
    );

    // Not signed in: the bare page in the browser's language, a link home (to sign in).
    for (lang, title) in [
        ("fr-BE", "Page introuvable"),
        ("nl-BE", "Pagina niet gevonden"),
        ("en", "Page not found"),
    ] {
        let r = client()
            .get(app.url("/nowhere"))
            .header("accept-language", lang)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);
        let body = r.text().await.unwrap();
        assert!(
            body.contains(title) && body.contains(r#"<a href="/">"#),
            "{lang}: {body}"
        );
    }

    // Under /api/: a problem with a stable code, signed in or not.
    for c in [client(), admin] {
        for path in ["/api/v1/nowhere", "/api/nowhere", "/api/v1/orders/x/y/z"] {
            let r = c.get(app.url(path)).send().await.unwrap();
            assert_eq!(r.status(), 404, "{path}");
            assert_eq!(r.headers()["content-type"], "application/problem+json");
            let p: serde_json::Value = r.json().await.unwrap();
            assert_eq!(
                (p["code"].as_str(), p["status"].as_i64()),
                (Some("not_found"), Some(404))
            );
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn every_layout_names_the_icon_guichet_serves() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let link = r#"<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">"#;
    let anonymous = client();
    for path in ["/login", "/forgot-password", "/nowhere"] {
        let body = anonymous
            .get(app.url(path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(body.contains(link), "{path}");
    }
    let admin = login(&app, &a.admin).await;
    for path in ["/", "/orders", "/api/docs"] {
        let body = admin
            .get(app.url(path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(body.contains(link), "{path}");
    }
    let r = anonymous
        .get(app.url("/assets/favicon.svg"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/svg+xml");
    assert!(r.text().await.unwrap().starts_with("<svg"));
    // Browsers ask /favicon.ico of what names no icon (a JSON answer, a PDF).
    let r = anonymous.get(app.url("/favicon.ico")).send().await.unwrap();
    assert_eq!(r.status(), 308);
    assert_eq!(r.headers()["location"], "/assets/favicon.svg");
    app.stop().await;
}
