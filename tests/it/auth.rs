//! Sign-in, sessions, CSRF and throttling.

use crate::harness::{PASSWORD, client, location, login, org, spawn, spawn_with};
use guichet_app::AppConfig;
use std::time::Duration;

fn session_cookie(r: &reqwest::Response) -> Option<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("guichet_session="))
        .map(str::to_owned)
}

fn token_of(set_cookie: &str) -> String {
    set_cookie
        .trim_start_matches("guichet_session=")
        .split(';')
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn login_issues_a_new_secure_session_and_logout_ends_it() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    // An attacker-chosen cookie before sign-in is not adopted.
    let c = client();
    let r = c
        .post(app.url("/login"))
        .header("cookie", "guichet_session=attacker-chosen")
        .form(&[
            ("email", a.admin.as_str()),
            ("password", PASSWORD),
            ("next", "/account/taxes"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(
        location(&r),
        "/account/taxes",
        "goes back to the page asked for"
    );
    let cookie = session_cookie(&r).expect("session cookie");
    let token = token_of(&cookie);
    assert_ne!(token, "attacker-chosen");
    assert!(token.len() >= 64, "256-bit token");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(cookie.contains("Path=/"), "{cookie}");

    // A second sign-in of the same person gets another id; both sessions live side by side.
    let r2 = client()
        .post(app.url("/login"))
        .form(&[
            ("email", a.admin.as_str()),
            ("password", PASSWORD),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    let token2 = token_of(&session_cookie(&r2).unwrap());
    assert_ne!(token, token2);
    let anon = client();
    for t in [&token, &token2] {
        let r = anon
            .get(app.url("/"))
            .header("cookie", format!("guichet_session={t}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }

    // Logout ends the session on the server: the old cookie no longer works.
    let r = anon
        .post(app.url("/logout"))
        .header("cookie", format!("guichet_session={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let r = anon
        .get(app.url("/"))
        .header("cookie", format!("guichet_session={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert!(location(&r).starts_with("/login"));
    let r = anon
        .get(app.url("/"))
        .header("cookie", format!("guichet_session={token2}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "the other browser stays signed in");
    app.stop().await;
}

#[tokio::test]
async fn several_users_of_one_organization_work_at_once() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let admin = login(&app, &a.admin).await;
    let seller = login(&app, &a.seller).await;
    let manager = login(&app, &a.manager).await;
    for c in [&admin, &seller, &manager, &admin] {
        assert_eq!(c.get(app.url("/")).send().await.unwrap().status(), 200);
    }
    app.stop().await;
}

#[tokio::test]
async fn wrong_password_and_unknown_email_get_the_same_answer_then_throttling() {
    // A long wait after the free failures, so that the answers below do not depend on time.
    let app = spawn_with(AppConfig {
        login_limits: guichet_domain::signin::Backoff {
            free_per_address: 20,
            base_delay_micros: 60_000_000,
            max_delay_micros: 60_000_000,
            ..Default::default()
        },
        ..Default::default()
    })
    .await;
    let a = org(&app, "Grottes A", "a").await;
    let c = client();
    let wrong = c
        .post(app.url("/login"))
        .form(&[("email", a.admin.as_str()), ("password", "nope nope nope")])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let wrong_body = wrong.text().await.unwrap();
    let unknown = c
        .post(app.url("/login"))
        .form(&[("email", "nobody@a.test"), ("password", "nope nope nope")])
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 401);
    let unknown_body = unknown.text().await.unwrap();
    assert!(wrong_body.contains("Adresse e-mail ou mot de passe incorrect"));
    assert_eq!(
        wrong_body.replace(a.admin.as_str(), ""),
        unknown_body.replace("nobody@a.test", "")
    );

    for _ in 0..4 {
        c.post(app.url("/login"))
            .form(&[("email", a.admin.as_str()), ("password", "still wrong!")])
            .send()
            .await
            .unwrap();
    }
    // Beyond the free failures, even the right password waits (from a device the account
    // never signed in from), with the same answer for an address that does not exist.
    let r = c
        .post(app.url("/login"))
        .form(&[("email", a.admin.as_str()), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    assert!(r.text().await.unwrap().contains("Trop de tentatives"));
    for _ in 0..5 {
        c.post(app.url("/login"))
            .form(&[("email", "ghost@a.test"), ("password", "whatever!!")])
            .send()
            .await
            .unwrap();
    }
    let r = c
        .post(app.url("/login"))
        .form(&[("email", "ghost@a.test"), ("password", "whatever!!")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    // Another account is not blocked by someone hammering the first one.
    let r = c
        .post(app.url("/login"))
        .form(&[("email", a.seller.as_str()), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    app.stop().await;
}

#[tokio::test]
async fn cross_site_posts_are_refused() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let admin = login(&app, &a.admin).await;
    let attempts = [
        vec![
            ("origin", "http://evil.example"),
            ("sec-fetch-site", "cross-site"),
        ],
        vec![("origin", "http://evil.example")],
        vec![("sec-fetch-site", "cross-site")],
    ];
    for headers in attempts {
        let mut req = admin
            .post(app.url("/account/taxes"))
            .form(&[("label", "Evil"), ("rate", "7")]);
        for (k, v) in &headers {
            req = req.header(*k, *v);
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), 403, "{headers:?}");
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["code"], "cross_origin_request");
    }
    // API calls made with the cookie from another site are refused too.
    let r = admin
        .post(app.url("/api/v1/vat-rates"))
        .header("origin", "http://evil.example")
        .json(&serde_json::json!({"label": "Evil", "rate_basis_points": 700}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let page = admin
        .get(app.url("/account/taxes"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains("Evil"), "nothing was written");

    // The same post from the page itself goes through.
    let host = app.base.trim_start_matches("http://").to_owned();
    let r = admin
        .post(app.url("/account/taxes"))
        .header("origin", format!("http://{host}"))
        .header("sec-fetch-site", "same-origin")
        .form(&[("label", "Taux réduit 7"), ("rate", "7")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    app.stop().await;
}

#[tokio::test]
async fn idle_sessions_end() {
    let app = spawn_with(AppConfig {
        session_idle_timeout: Duration::from_secs(1),
        ..AppConfig::default()
    })
    .await;
    let a = org(&app, "Grottes A", "a").await;
    let admin = login(&app, &a.admin).await;
    assert_eq!(admin.get(app.url("/")).send().await.unwrap().status(), 200);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let r = admin.get(app.url("/account/taxes")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), "/login?next=/account/taxes");
    app.stop().await;
}

#[tokio::test]
async fn disabling_a_user_ends_their_sessions_at_once() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let seller = login(&app, &a.seller).await;
    assert_eq!(seller.get(app.url("/")).send().await.unwrap().status(), 200);
    let admin = login(&app, &a.admin).await;
    let r = admin
        .post(app.url(&format!("/account/users/{}/disable", a.seller_id)))
        .form(&[("disabled", "true")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let r = seller.get(app.url("/")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert!(location(&r).starts_with("/login"));
    // And they cannot sign back in to this organization.
    let c = client();
    let r = c
        .post(app.url("/login"))
        .form(&[("email", a.seller.as_str()), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let r = c.get(app.url("/")).send().await.unwrap();
    assert_eq!(location(&r), "/no-organization");
    assert_eq!(
        c.get(app.url("/no-organization"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    // Re-enabled, they are back.
    let r = admin
        .post(app.url(&format!("/account/users/{}/disable", a.seller_id)))
        .form(&[("disabled", "false")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(c.get(app.url("/")).send().await.unwrap().status(), 200);
    app.stop().await;
}

#[tokio::test]
async fn changing_password_ends_other_sessions() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let here = login(&app, &a.manager).await;
    let elsewhere = login(&app, &a.manager).await;
    let r = here
        .post(app.url("/me/password"))
        .form(&[
            ("current_password", "wrong one!!"),
            ("new_password", "a new long password"),
            ("confirm_password", "a new long password"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Mot de passe incorrect"));
    let r = here
        .post(app.url("/me/password"))
        .form(&[
            ("current_password", PASSWORD),
            ("new_password", "short"),
            ("confirm_password", "short"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let r = here
        .post(app.url("/me/password"))
        .form(&[
            ("current_password", PASSWORD),
            ("new_password", "a new long password"),
            ("confirm_password", "a new long password"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(
        here.get(app.url("/")).send().await.unwrap().status(),
        200,
        "this session stays"
    );
    assert_eq!(
        elsewhere.get(app.url("/")).send().await.unwrap().status(),
        303,
        "the other one ends"
    );
    let c = client();
    let r = c
        .post(app.url("/login"))
        .form(&[
            ("email", a.manager.as_str()),
            ("password", "a new long password"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    app.stop().await;
}

#[tokio::test]
async fn invitation_link_creates_the_account_and_signs_in() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let admin = login(&app, &a.admin).await;
    let r = admin
        .post(app.url("/account/invitations"))
        .form(&[("email", "new.guide@a.test"), ("role", "manager")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
    let start = page.find("/invitation/").expect("link shown");
    let token: String = page[start + "/invitation/".len()..]
        .chars()
        .take_while(|c| c.is_ascii_hexdigit())
        .collect();
    assert_eq!(token.len(), 64);

    let visitor = client();
    let r = visitor
        .get(app.url(&format!("/invitation/{token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("Grottes A"));
    let r = visitor
        .post(app.url(&format!("/invitation/{token}")))
        .form(&[
            ("name", "Nouveau Guide"),
            ("language", "en"),
            ("password", "short"),
            ("confirm_password", "short"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let r = visitor
        .post(app.url(&format!("/invitation/{token}")))
        .form(&[
            ("name", "Nouveau Guide"),
            ("language", "en"),
            ("password", "guide password!"),
            ("confirm_password", "guide password!"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let home = visitor
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(home.contains("Hello Nouveau Guide"), "English, as chosen");
    assert_eq!(
        visitor
            .get(app.url("/distribution/registers"))
            .send()
            .await
            .unwrap()
            .status(),
        200,
        "manager role"
    );
    // The link works once.
    assert_eq!(
        client()
            .get(app.url(&format!("/invitation/{token}")))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    app.stop().await;
}

#[tokio::test]
async fn invitation_for_an_existing_account_needs_its_password() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let b = org(&app, "Abbaye B", "b").await;
    let admin_b = login(&app, &b.admin).await;
    let r = admin_b
        .post(app.url("/api/v1/invitations"))
        .json(&serde_json::json!({"email": a.seller, "role": "seller"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let token = r.json::<serde_json::Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let stranger = client();
    // The same form as for a new account (whoever holds the link cannot tell the two apart);
    // the existing account's own password is what lets them in.
    let page = stranger
        .get(app.url(&format!("/invitation/{token}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("f-name") && page.contains("f-confirm_password"));
    let form = |password: &'static str| {
        [
            ("name", "Whoever"),
            ("language", "fr"),
            ("password", password),
            ("confirm_password", password),
        ]
    };
    let r = stranger
        .post(app.url(&format!("/invitation/{token}")))
        .form(&form("guessing it!!"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Mot de passe incorrect"));
    let r = stranger
        .post(app.url(&format!("/invitation/{token}")))
        .form(&form(PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let orgs: serde_json::Value = stranger
        .get(app.url("/api/v1/organizations"))
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap()["items"]
        .clone();
    assert_eq!(orgs.as_array().unwrap().len(), 2, "now a member of both");
    app.stop().await;
}
