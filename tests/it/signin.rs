//! Sign-in without lock-out (growing waits, known devices, trusted proxies), adding an
//! existing account by invitation without learning anything about it, and the forgotten
//! password link (issue 15 §5).

use crate::harness::{PASSWORD, TestApp, client, location, login, org, spawn_server, spawn_with};
use guichet::ServerConfig;
use guichet_app::AppConfig;
use guichet_domain::signin::Backoff;
use serde_json::{Value, json};
use std::time::Duration;

fn backoff(free_per_account: i64, free_per_address: i64, base_secs: i64, max_secs: i64) -> Backoff {
    Backoff {
        free_per_account,
        free_per_address,
        base_delay_micros: base_secs * 1_000_000,
        max_delay_micros: max_secs * 1_000_000,
        ..Default::default()
    }
}

/// A server whose use cases slow sign-in down with `limits`, behind `proxies`.
async fn spawn_signin(limits: Backoff, proxies: &[&str]) -> TestApp {
    let mut config = ServerConfig {
        app: AppConfig {
            login_limits: limits,
            ..Default::default()
        },
        ..Default::default()
    };
    config.web.trusted_proxies = proxies.iter().map(|p| p.parse().unwrap()).collect();
    spawn_server(config).await
}

/// A server that queues e-mails (its SMTP server is never reached: tests read the outbox).
async fn spawn_mailing() -> TestApp {
    spawn_with(AppConfig {
        mail: Some(guichet_integrations::mail::MailConfig {
            url: "smtp://127.0.0.1:1".into(),
            from: "Guichet <guichet@example.be>".into(),
        }),
        public_url: "https://guichet.example.be".into(),
        ..Default::default()
    })
    .await
}

async fn attempt(
    c: &reqwest::Client,
    app: &TestApp,
    email: &str,
    password: &str,
    forwarded_for: Option<&str>,
) -> reqwest::Response {
    let mut r = c
        .post(app.url("/login"))
        .form(&[("email", email), ("password", password)]);
    if let Some(ip) = forwarded_for {
        r = r.header("x-forwarded-for", ip);
    }
    r.send().await.unwrap()
}

fn retry_after(r: &reqwest::Response) -> Option<i64> {
    r.headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
}

/// The e-mails queued for an address: (subject, body).
async fn emails_to(app: &TestApp, to: &str) -> Vec<(String, String)> {
    let to = to.to_owned();
    app.store
        .read(|tx| {
            let to = to.clone();
            Box::pin(async move {
                Ok(guichet_store::on_tx!(tx, c => sqlx::query_as::<_, (String, String)>(
                    "SELECT subject, body FROM outbox_emails WHERE to_address = $1 ORDER BY created_at")
                    .bind(&to).fetch_all(c).await?))
            })
        })
        .await
        .unwrap()
}

/// The token of the last link to `path_prefix` e-mailed to `to`.
async fn link_token(app: &TestApp, to: &str, path_prefix: &str) -> String {
    let mails = emails_to(app, to).await;
    let (_, body) = mails.last().expect("an e-mail was queued");
    let marker = format!("https://guichet.example.be{path_prefix}");
    let start = body.find(&marker).expect("link in the e-mail") + marker.len();
    body[start..]
        .chars()
        .take_while(|c| c.is_ascii_hexdigit())
        .collect()
}

#[tokio::test]
async fn the_right_password_from_a_known_device_is_never_refused() {
    // A long wait after three free failures, so that the answers do not depend on time.
    let app = spawn_signin(backoff(3, 10, 10, 30), &[]).await;
    let a = org(&app, "Grottes A", "a").await;
    // The cashier's browser has signed in before: it is a known device.
    let cashier = login(&app, &a.seller).await;
    cashier.post(app.url("/logout")).send().await.unwrap();
    // Someone hammers the account, from the same address (the shop's own network).
    let attacker = client();
    let mut throttled = 0;
    for _ in 0..50 {
        let r = attempt(&attacker, &app, &a.seller, "guessing wrong", None).await;
        assert!(matches!(r.status().as_u16(), 401 | 429), "{}", r.status());
        throttled += usize::from(r.status() == 429);
    }
    assert!(
        throttled > 40,
        "the attacker is slowed down: {throttled} waits"
    );
    // From a device never seen, even the right password waits (it is not refused for
    // good: the answer says when to try again).
    let r = attempt(&client(), &app, &a.seller, PASSWORD, None).await;
    assert_eq!(r.status(), 429);
    assert!(retry_after(&r).is_some_and(|s| (1..=30).contains(&s)));
    // A device token the server never issued is no pass.
    let forged = crate::harness::client_builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = forged
        .post(app.url("/login"))
        .header("cookie", format!("guichet_device={}", "ab".repeat(32)))
        .form(&[("email", a.seller.as_str()), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    // The right password from the known device goes straight in.
    let r = attempt(&cashier, &app, &a.seller, PASSWORD, None).await;
    assert_eq!(r.status(), 303);
    app.stop().await;
}

/// A known device is judged by its own failures: a stolen device cookie guesses no faster
/// than anyone, and its waits are its own (another device of the account is not slowed).
#[tokio::test]
async fn a_known_device_that_guesses_waits_like_anyone() {
    let app = spawn_signin(backoff(3, 10, 10, 30), &[]).await;
    let a = org(&app, "Grottes A", "a").await;
    let stolen = login(&app, &a.seller).await;
    stolen.post(app.url("/logout")).send().await.unwrap();
    let cashier = login(&app, &a.seller).await;
    cashier.post(app.url("/logout")).send().await.unwrap();
    let mut answers = Vec::new();
    for _ in 0..6 {
        let r = attempt(&stolen, &app, &a.seller, "guessing wrong", None).await;
        answers.push(r.status().as_u16());
    }
    // Its free failures are checked; beyond them it waits like any client.
    assert_eq!(&answers[..3], &[401, 401, 401], "{answers:?}");
    assert!(answers[4..].iter().all(|s| *s == 429), "{answers:?}");
    // The other known device of the account is not slowed by them.
    let r = attempt(&cashier, &app, &a.seller, PASSWORD, None).await;
    assert_eq!(r.status(), 303);
    app.stop().await;
}

#[tokio::test]
async fn each_failure_beyond_the_free_ones_doubles_the_wait_up_to_the_cap() {
    let app = spawn_signin(backoff(1, 100, 1, 2), &[]).await;
    let a = org(&app, "Grottes A", "a").await;
    let c = client();
    for unknown in [false, true] {
        // The same waits for an address with no account: nothing tells them apart.
        let email = if unknown {
            "nobody@a.test"
        } else {
            a.admin.as_str()
        };
        let mut waits = Vec::new();
        assert_eq!(
            attempt(&c, &app, email, "wrong one!", None).await.status(),
            401
        );
        for _ in 0..3 {
            assert_eq!(
                attempt(&c, &app, email, "wrong one!", None).await.status(),
                401
            );
            let r = attempt(&c, &app, email, PASSWORD, None).await;
            assert_eq!(r.status(), 429);
            let body = r.headers().get("retry-after").cloned();
            let secs = retry_after(&r).expect("Retry-After");
            let text = r.text().await.unwrap();
            assert!(text.contains("Trop de tentatives"), "{text}");
            assert!(text.contains(&format!("{secs} s")), "{text} {body:?}");
            waits.push(secs);
            tokio::time::sleep(Duration::from_millis(
                u64::try_from(secs).unwrap() * 1000 + 100,
            ))
            .await;
        }
        assert_eq!(waits, vec![1, 2, 2], "unknown e-mail: {unknown}");
    }
    // The wait over, the right password from a new device signs in.
    assert_eq!(
        attempt(&c, &app, &a.admin, PASSWORD, None).await.status(),
        303
    );
    app.stop().await;
}

#[tokio::test]
async fn a_forwarded_for_header_counts_only_from_a_trusted_proxy() {
    // Nobody is trusted: the header a client sends is its own invention.
    let app = spawn_signin(backoff(100, 3, 60, 60), &[]).await;
    let c = client();
    let mut statuses = Vec::new();
    for i in 0..5 {
        let ip = format!("203.0.113.{i}");
        let email = format!("user{i}@a.test");
        statuses.push(
            attempt(&c, &app, &email, "wrong!", Some(&ip))
                .await
                .status()
                .as_u16(),
        );
    }
    // Three free failures, a fourth attempt at once, then the wait.
    assert_eq!(
        statuses,
        vec![401, 401, 401, 401, 429],
        "one address: the peer's"
    );
    app.stop().await;

    // Behind a trusted proxy (the test client's own address), each client counts apart.
    let app = spawn_signin(backoff(100, 3, 60, 60), &["127.0.0.0/8"]).await;
    let a = org(&app, "Grottes A", "a").await;
    let mut statuses = Vec::new();
    for i in 0..5 {
        // The leftmost entry is the client's own claim; the proxy appended the real one.
        let ip = format!("10.9.9.9, 203.0.113.{i}");
        let email = format!("user{i}@a.test");
        statuses.push(
            attempt(&c, &app, &email, "wrong!", Some(&ip))
                .await
                .status()
                .as_u16(),
        );
    }
    assert_eq!(statuses, vec![401; 5]);
    for _ in 0..4 {
        attempt(&c, &app, "x@a.test", "wrong!", Some("198.51.100.1")).await;
    }
    let r = attempt(&c, &app, "y@a.test", "wrong!", Some("198.51.100.1")).await;
    assert_eq!(r.status(), 429, "that client's own failures slow it down");
    let r = attempt(&client(), &app, &a.admin, PASSWORD, Some("198.51.100.2")).await;
    assert_eq!(
        r.status(),
        303,
        "its neighbour behind the same proxy is not"
    );
    app.stop().await;
}

#[tokio::test]
async fn adding_another_organizations_user_sends_an_invitation_and_tells_nothing() {
    let app = spawn_mailing().await;
    let a = org(&app, "Grottes A", "a").await;
    let b = org(&app, "Abbaye B", "b").await;
    let admin_b = login(&app, &b.admin).await;
    let add = |email: &str, name: &str, password: &str| json!({"email": email, "name": name, "role": "seller", "password": password});
    // Missing fields: the same errors for an existing account and a new address.
    for email in [a.seller.as_str(), "new.person@b.test"] {
        let r = admin_b
            .post(app.url("/api/v1/users"))
            .json(&json!({"email": email, "role": "seller"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        let p: Value = r.json().await.unwrap();
        let fields: Vec<&str> = p["errors"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["field"].as_str())
            .collect();
        assert_eq!(fields, vec!["name", "password"], "{email}");
    }
    let mut answers = Vec::new();
    for email in [a.seller.as_str(), "new.person@b.test"] {
        let r = admin_b
            .post(app.url("/api/v1/users"))
            .json(&add(email, "Typed Name", "a long password"))
            .send()
            .await
            .unwrap();
        let status = r.status();
        let body = r.text().await.unwrap().replace(email, "EMAIL");
        answers.push((status, body));
    }
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[0].0, 202);
    // The page answers alike too.
    let mut pages = Vec::new();
    for email in [a.manager.as_str(), "other.new@b.test"] {
        let r = admin_b
            .post(app.url("/account/users"))
            .form(&[
                ("email", email),
                ("name", "Typed Name"),
                ("role", "seller"),
                ("language", "fr"),
                ("password", "a long password"),
            ])
            .send()
            .await
            .unwrap();
        pages.push((r.status(), location(&r)));
    }
    assert_eq!(pages[0], pages[1]);
    // A's seller is not a member of B yet, and B never sees their name.
    let members = admin_b
        .get(app.url("/account/users"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !members.contains("of Grottes A"),
        "the existing accounts' names are not shown"
    );
    let list: Value = admin_b
        .get(app.url("/api/v1/users"))
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap()["items"]
        .clone();
    let emails: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["email"].as_str())
        .collect();
    assert!(!emails.contains(&a.seller.as_str()));
    assert!(emails.contains(&"new.person@b.test"));
    // The owner got an invitation e-mail and accepts it with their own password.
    let mails = emails_to(&app, &a.seller).await;
    assert_eq!(mails.len(), 1);
    assert!(mails[0].0.contains("Abbaye B"), "{:?}", mails[0]);
    let token = link_token(&app, &a.seller, "/invitation/").await;
    assert_eq!(token.len(), 64);
    let owner = client();
    let r = owner
        .post(app.url(&format!("/invitation/{token}")))
        .form(&[
            ("name", "Any"),
            ("language", "fr"),
            ("password", PASSWORD),
            ("confirm_password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let list: Value = admin_b
        .get(app.url("/api/v1/users"))
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap()["items"]
        .clone();
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .any(|m| m["email"] == a.seller.as_str()),
        "a member once they accepted"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_reset_link_sets_a_new_password_once_and_ends_the_sessions() {
    let app = spawn_mailing().await;
    let a = org(&app, "Grottes A", "a").await;
    let elsewhere = login(&app, &a.manager).await;
    let visitor = client();
    // The same answer whether the address has an account or not.
    let mut pages = Vec::new();
    for email in [a.manager.as_str(), "nobody@a.test"] {
        let r = visitor
            .post(app.url("/forgot-password"))
            .form(&[("email", email)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        pages.push(r.text().await.unwrap());
    }
    assert_eq!(pages[0], pages[1]);
    assert!(pages[0].contains("forgot-sent"));
    assert!(emails_to(&app, "nobody@a.test").await.is_empty());
    let token = link_token(&app, &a.manager, "/reset-password/").await;
    assert_eq!(token.len(), 64);
    // Asking again at once sends no second e-mail (no flood).
    visitor
        .post(app.url("/forgot-password"))
        .form(&[("email", a.manager.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(emails_to(&app, &a.manager).await.len(), 1);

    let link = app.url(&format!("/reset-password/{token}"));
    assert_eq!(visitor.get(&link).send().await.unwrap().status(), 200);
    let r = visitor
        .post(&link)
        .form(&[("new_password", "short"), ("confirm_password", "short")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let r = visitor
        .post(&link)
        .form(&[
            ("new_password", "a brand new password"),
            ("confirm_password", "a brand new password"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(
        visitor.get(app.url("/")).send().await.unwrap().status(),
        200
    );
    // Single use; the other sessions are over; only the new password works.
    assert_eq!(client().get(&link).send().await.unwrap().status(), 404);
    let r = client()
        .post(&link)
        .form(&[
            ("new_password", "yet another password"),
            ("confirm_password", "yet another password"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = elsewhere.get(app.url("/")).send().await.unwrap();
    assert!(location(&r).starts_with("/login"));
    let c = client();
    assert_eq!(
        attempt(&c, &app, &a.manager, PASSWORD, None).await.status(),
        401
    );
    let r = attempt(&c, &app, &a.manager, "a brand new password", None).await;
    assert_eq!(r.status(), 303);
    app.stop().await;
}

#[tokio::test]
async fn a_reset_link_expires() {
    let app = spawn_mailing().await;
    let a = org(&app, "Grottes A", "a").await;
    client()
        .post(app.url("/forgot-password"))
        .form(&[("email", a.seller.as_str())])
        .send()
        .await
        .unwrap();
    let token = link_token(&app, &a.seller, "/reset-password/").await;
    let link = app.url(&format!("/reset-password/{token}"));
    assert_eq!(client().get(&link).send().await.unwrap().status(), 200);
    // Thirty minutes later (moved back in the database rather than waited for).
    app.store
        .write(|tx| {
            Box::pin(async move {
                guichet_store::on_tx!(tx, c => sqlx::query(
                    "UPDATE password_resets SET expires_at = expires_at - 1800000001")
                    .execute(c).await?.rows_affected());
                Ok(())
            })
        })
        .await
        .unwrap();
    assert_eq!(client().get(&link).send().await.unwrap().status(), 404);
    let r = client()
        .post(&link)
        .form(&[
            ("new_password", "a brand new password"),
            ("confirm_password", "a brand new password"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let c = client();
    assert_eq!(
        attempt(&c, &app, &a.seller, PASSWORD, None).await.status(),
        303
    );
    app.stop().await;
}

#[tokio::test]
async fn the_sign_in_pages_speak_french_and_english() {
    let app = spawn_signin(Backoff::default(), &[]).await;
    for (lang, login_link, title, sent) in [
        (
            "fr",
            "Mot de passe oublié ?",
            "Mot de passe oublié",
            "Si cette adresse a un compte",
        ),
        (
            "en",
            "Forgotten password?",
            "Forgotten password",
            "If this address has a Guichet account",
        ),
    ] {
        let get = |path: &str| {
            client()
                .get(app.url(path))
                .header("accept-language", lang)
                .send()
        };
        let page = get("/login").await.unwrap().text().await.unwrap();
        assert!(page.contains(login_link), "{lang}: {page}");
        let r = get("/forgot-password").await.unwrap();
        assert_eq!(r.status(), 200);
        assert!(r.text().await.unwrap().contains(title));
        let r = client()
            .post(app.url("/forgot-password"))
            .header("accept-language", lang)
            .form(&[("email", "someone@a.test")])
            .send()
            .await
            .unwrap();
        assert!(r.text().await.unwrap().contains(sent), "{lang}");
        let r = client()
            .post(app.url("/forgot-password"))
            .header("accept-language", lang)
            .form(&[("email", "not an address")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        let r = get(&format!("/reset-password/{}", "0".repeat(64)))
            .await
            .unwrap();
        assert_eq!(r.status(), 404);
    }
    app.stop().await;
}
