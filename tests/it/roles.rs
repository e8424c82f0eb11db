//! The role matrix, for every page and endpoint of the foundation, for each role and for
//! an anonymous caller.

use crate::harness::{client, location, login, org, spawn};
use guichet_domain::Role;

/// (path, least role that may open it)
const PAGES: &[(&str, Role)] = &[
    ("/", Role::Seller),
    ("/me", Role::Seller),
    ("/planning", Role::Seller),
    ("/activity/offers", Role::Seller),
    ("/account/details", Role::Manager),
    ("/account/taxes", Role::Manager),
    ("/distribution/registers", Role::Manager),
    ("/distribution/registers/new", Role::Manager),
    ("/account/users", Role::Admin),
    ("/account/api-keys", Role::Admin),
    ("/account/sites/new", Role::Admin),
];

const API_GETS: &[(&str, Role)] = &[
    ("/api/v1/me", Role::Seller),
    ("/api/v1/organizations", Role::Seller),
    ("/api/v1/organization", Role::Manager),
    ("/api/v1/sites", Role::Manager),
    ("/api/v1/vat-rates", Role::Manager),
    ("/api/v1/registers", Role::Manager),
    ("/api/v1/users", Role::Admin),
    ("/api/v1/api-keys", Role::Admin),
];

/// (path, form fields, least role that may post it)
type FormPost = (&'static str, Vec<(&'static str, &'static str)>, Role);

fn allowed(role: Role, least: Role) -> bool {
    role >= least
}

#[tokio::test]
async fn pages_follow_the_role_matrix() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let anon = client();
    for (path, _) in PAGES {
        let r = anon.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 303, "anonymous {path}");
        assert!(location(&r).starts_with("/login"), "anonymous {path}");
    }
    for role in Role::ALL {
        let c = login(&app, a.email(role)).await;
        for (path, least) in PAGES {
            let status = c.get(app.url(path)).send().await.unwrap().status();
            let expected = if allowed(role, *least) { 200 } else { 403 };
            assert_eq!(status, expected, "{role} GET {path}");
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn page_forms_follow_the_role_matrix() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    // (path, form, least role)
    let posts: Vec<FormPost> = vec![
        (
            "/account/taxes",
            vec![("label", "Taux 9"), ("rate", "9")],
            Role::Admin,
        ),
        (
            "/account/taxes/preset",
            vec![("country", "FR")],
            Role::Admin,
        ),
        (
            "/account/users",
            vec![
                ("email", "x@a.test"),
                ("name", "X"),
                ("role", "seller"),
                ("language", "fr"),
                ("password", "long enough password"),
            ],
            Role::Admin,
        ),
        (
            "/account/invitations",
            vec![("email", "y@a.test"), ("role", "seller")],
            Role::Admin,
        ),
        (
            "/account/api-keys",
            vec![("name", "Shop site"), ("role", "seller")],
            Role::Admin,
        ),
        (
            "/account/details",
            vec![
                ("name", "Grottes A bis"),
                ("currency", "EUR"),
                ("time_zone", "Europe/Brussels"),
                ("default_language", "fr"),
            ],
            Role::Admin,
        ),
        (
            "/account/sites/new",
            vec![("name", "Second site")],
            Role::Admin,
        ),
    ];
    for role in [Role::Seller, Role::Manager, Role::Admin] {
        let c = login(&app, a.email(role)).await;
        for (path, form, least) in &posts {
            let status = c
                .post(app.url(path))
                .form(form)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16();
            if allowed(role, *least) {
                assert!(
                    status == 303 || status == 200,
                    "{role} POST {path}: {status}"
                );
            } else {
                assert_eq!(status, 403, "{role} POST {path}");
            }
        }
        // Registers: managers may set them up, sellers may not.
        let sites: serde_json::Value = login(&app, &a.admin)
            .await
            .get(app.url("/api/v1/sites"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let site = sites[0]["id"].as_str().unwrap().to_owned();
        let name = format!("Caisse {role}");
        let status = c
            .post(app.url("/distribution/registers/new"))
            .form(&[
                ("name", name.as_str()),
                ("kind", "counter"),
                ("site_id", site.as_str()),
            ])
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(
            status,
            if role >= Role::Manager { 303 } else { 403 },
            "{role} creates a register"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn api_follows_the_role_matrix_with_cookies_and_keys() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let anon = client();
    for (path, _) in API_GETS {
        let r = anon.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 401, "anonymous {path}");
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["code"], "unauthorized");
    }
    let r = anon
        .get(app.url("/api/v1/me"))
        .header("authorization", "Bearer gch_not_a_key")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    for role in Role::ALL {
        let cookie_client = login(&app, a.email(role)).await;
        let key = crate::harness::api_key(&app, &a, role.as_str()).await;
        for (path, least) in API_GETS {
            let expected = if allowed(role, *least) { 200 } else { 403 };
            let by_cookie = cookie_client
                .get(app.url(path))
                .send()
                .await
                .unwrap()
                .status();
            assert_eq!(by_cookie, expected, "{role} cookie GET {path}");
            let r = client()
                .get(app.url(path))
                .bearer_auth(&key)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), expected, "{role} key GET {path}");
            if expected == 403 {
                let body: serde_json::Value = r.json().await.unwrap();
                assert_eq!(body["code"], "forbidden");
            }
        }
        // Writes.
        let vat = client().post(app.url("/api/v1/vat-rates")).bearer_auth(&key).json(&serde_json::json!({"label": format!("T {role}"), "rate_basis_points": 300 + role as i64})).send().await.unwrap();
        assert_eq!(
            vat.status(),
            if role == Role::Admin { 201 } else { 403 },
            "{role} creates a VAT rate"
        );
        let user = client().post(app.url("/api/v1/users")).bearer_auth(&key).json(&serde_json::json!({"email": format!("new-{role}@a.test"), "name": "New", "role": "seller", "password": "long enough password"})).send().await.unwrap();
        assert_eq!(
            user.status(),
            if role == Role::Admin { 201 } else { 403 },
            "{role} creates a user"
        );
        let k = client()
            .post(app.url("/api/v1/api-keys"))
            .bearer_auth(&key)
            .json(&serde_json::json!({"name": "k", "role": "seller"}))
            .send()
            .await
            .unwrap();
        assert_eq!(
            k.status(),
            if role == Role::Admin { 201 } else { 403 },
            "{role} creates a key"
        );
        let org_put = client().put(app.url("/api/v1/organization")).bearer_auth(&key).json(&serde_json::json!({"name": "Grottes A", "currency": "EUR", "time_zone": "Europe/Brussels", "default_language": "fr"})).send().await.unwrap();
        assert_eq!(
            org_put.status(),
            if role == Role::Admin { 200 } else { 403 },
            "{role} edits the organization"
        );
    }
    app.stop().await;
}
