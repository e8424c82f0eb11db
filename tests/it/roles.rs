//! The role matrix, for every page and endpoint of the foundation, for each role and for
//! an anonymous caller.

use crate::harness::{Api, client, location, login, org, spawn};
use crate::openapi;
use guichet_domain::{Permission, Role};
use reqwest::Method;

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
    ("/distribution/modules", Role::Manager),
    ("/distribution/modules/new", Role::Manager),
    ("/account/users", Role::Admin),
    ("/account/api-keys", Role::Admin),
    ("/account/sites/new", Role::Admin),
    ("/sales/accounting", Role::Manager),
];

const API_GETS: &[(&str, Role)] = &[
    ("/api/v1/me", Role::Seller),
    ("/api/v1/organizations", Role::Seller),
    ("/api/v1/organization", Role::Manager),
    ("/api/v1/sites", Role::Manager),
    ("/api/v1/vat-rates", Role::Manager),
    ("/api/v1/registers", Role::Manager),
    ("/api/v1/booking-modules", Role::Manager),
    ("/api/v1/users", Role::Admin),
    ("/api/v1/api-keys", Role::Admin),
    ("/api/v1/accounting/settings", Role::Manager),
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
            .json::<serde_json::Value>()
            .await
            .unwrap()["items"]
            .clone();
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
            if role == Role::Admin { 202 } else { 403 },
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

/// The permission every mutation of the API needs (crates/domain/src/role.rs holds the
/// matrix; the use cases in crates/app check it). A mutation of the OpenAPI document missing
/// here fails [`every_mutation_of_the_api_follows_the_permission_matrix`].
const MUTATIONS: &[(&str, &str, Permission)] = {
    use Permission::*;
    &[
        ("POST", "/api/v1/api-keys", ManageApiKeys),
        ("PUT", "/api/v1/accounting/settings", EditOrganization),
        ("PUT", "/api/v1/carts/{cart}/holds", Sell),
        ("DELETE", "/api/v1/carts/{cart}/holds", Sell),
        ("POST", "/api/v1/booking-modules", ManageDistribution),
        ("PUT", "/api/v1/booking-modules/{id}", ManageDistribution),
        (
            "POST",
            "/api/v1/booking-modules/{id}/archive",
            ManageDistribution,
        ),
        ("DELETE", "/api/v1/api-keys/{id}", ManageApiKeys),
        ("PUT", "/api/v1/calendars/{audience}", ManageCatalogue),
        ("POST", "/api/v1/customer-fields", ManageCustomers),
        ("POST", "/api/v1/customer-imports", ManageCustomers),
        (
            "POST",
            "/api/v1/customer-imports/{id}/commit",
            ManageCustomers,
        ),
        (
            "PUT",
            "/api/v1/customer-imports/{id}/mapping",
            ManageCustomers,
        ),
        // Customer types carry a discount: changing them is changing prices.
        ("POST", "/api/v1/customer-types", ChangePrice),
        ("PUT", "/api/v1/customer-types/{id}", ChangePrice),
        ("POST", "/api/v1/customers", Sell),
        ("PUT", "/api/v1/customers/{id}", Sell),
        ("POST", "/api/v1/customers/{id}/erase", ManageCustomers),
        ("POST", "/api/v1/customers/{id}/merge", ManageCustomers),
        ("POST", "/api/v1/customers/{id}/notes", Sell),
        ("POST", "/api/v1/extras", ManageCatalogue),
        ("PUT", "/api/v1/extras/{id}", ManageCatalogue),
        ("POST", "/api/v1/extras/{id}/archive", ManageCatalogue),
        ("PUT", "/api/v1/extras/{id}/picture", ManageCatalogue),
        ("DELETE", "/api/v1/extras/{id}/picture", ManageCatalogue),
        ("POST", "/api/v1/invitations", ManageUsers),
        ("DELETE", "/api/v1/invitations/{id}", ManageUsers),
        ("POST", "/api/v1/offer-groups", ManageCatalogue),
        ("PUT", "/api/v1/offer-groups/{id}", ManageCatalogue),
        ("DELETE", "/api/v1/offer-groups/{id}", ManageCatalogue),
        ("POST", "/api/v1/offer-groups/{id}/move", ManageCatalogue),
        ("POST", "/api/v1/offers", ManageCatalogue),
        ("PUT", "/api/v1/offers/{id}", ManageCatalogue),
        ("POST", "/api/v1/offers/{id}/archive", ManageCatalogue),
        ("POST", "/api/v1/offers/{id}/photos", ManageCatalogue),
        (
            "DELETE",
            "/api/v1/offers/{id}/photos/{photo}",
            ManageCatalogue,
        ),
        (
            "PUT",
            "/api/v1/offers/{id}/sessions/{start}",
            ManageCatalogue,
        ),
        ("POST", "/api/v1/orders", Sell),
        ("POST", "/api/v1/orders/preview", Sell),
        ("POST", "/api/v1/orders/{id}/cancel", CancelOrder),
        ("POST", "/api/v1/orders/{id}/stripe-refunds", CancelOrder),
        ("POST", "/api/v1/orders/{id}/confirm", Sell),
        ("POST", "/api/v1/orders/{id}/confirmation-email", Sell),
        ("POST", "/api/v1/orders/{id}/payments", Sell),
        ("POST", "/api/v1/orders/{id}/prints", Sell),
        ("PUT", "/api/v1/organization", EditOrganization),
        ("PUT", "/api/v1/payment-methods", ManagePaymentMethods),
        ("POST", "/api/v1/product-groups", ManageCatalogue),
        ("PUT", "/api/v1/product-groups/{id}", ManageCatalogue),
        ("DELETE", "/api/v1/product-groups/{id}", ManageCatalogue),
        ("POST", "/api/v1/product-groups/{id}/move", ManageCatalogue),
        ("POST", "/api/v1/products", ManageCatalogue),
        ("PUT", "/api/v1/products/{id}", ManageCatalogue),
        ("POST", "/api/v1/products/{id}/archive", ManageCatalogue),
        ("POST", "/api/v1/products/{id}/movements", ManageCatalogue),
        ("PUT", "/api/v1/products/{id}/photo", ManageCatalogue),
        ("DELETE", "/api/v1/products/{id}/photo", ManageCatalogue),
        ("POST", "/api/v1/promo-codes", ManageCatalogue),
        ("PUT", "/api/v1/promo-codes/{id}", ManageCatalogue),
        ("POST", "/api/v1/promo-codes/{id}/archive", ManageCatalogue),
        ("POST", "/api/v1/promotions", ManageCatalogue),
        ("PUT", "/api/v1/promotions/{id}", ManageCatalogue),
        ("POST", "/api/v1/promotions/{id}/archive", ManageCatalogue),
        ("POST", "/api/v1/register-sessions/{id}/close", Sell),
        ("POST", "/api/v1/registers", ManageRegisters),
        ("PUT", "/api/v1/registers/{id}", ManageRegisters),
        ("POST", "/api/v1/registers/{id}/archive", ManageRegisters),
        ("POST", "/api/v1/registers/{id}/cash-movements", Sell),
        ("POST", "/api/v1/registers/{id}/open", Sell),
        ("POST", "/api/v1/reopen-sales", ManageCatalogue),
        ("POST", "/api/v1/stop-sales", ManageCatalogue),
        ("POST", "/api/v1/reservations", Sell),
        ("POST", "/api/v1/reservations/notify", Sell),
        ("POST", "/api/v1/reservations/{id}/archive", Sell),
        ("POST", "/api/v1/reservations/{id}/deposit", Sell),
        ("POST", "/api/v1/sites", EditOrganization),
        ("PUT", "/api/v1/sites/{id}", EditOrganization),
        ("POST", "/api/v1/sites/{id}/archive", EditOrganization),
        ("POST", "/api/v1/stock-counts", ManageCatalogue),
        ("POST", "/api/v1/supplier-orders", ManageCatalogue),
        (
            "POST",
            "/api/v1/supplier-orders/{id}/receive",
            ManageCatalogue,
        ),
        ("POST", "/api/v1/supplier-orders/{id}/sent", ManageCatalogue),
        ("POST", "/api/v1/ticket-types", ManageCatalogue),
        ("PUT", "/api/v1/ticket-types/{id}", ManageCatalogue),
        ("POST", "/api/v1/ticket-types/{id}/archive", ManageCatalogue),
        ("PUT", "/api/v1/ticket-types/{id}/picture", ManageCatalogue),
        (
            "DELETE",
            "/api/v1/ticket-types/{id}/picture",
            ManageCatalogue,
        ),
        ("POST", "/api/v1/tickets/verify", Sell),
        ("POST", "/api/v1/users", ManageUsers),
        ("PATCH", "/api/v1/users/{id}", ManageUsers),
        ("POST", "/api/v1/vat-rates", ManageVatRates),
        ("PUT", "/api/v1/vat-rates/{id}", ManageVatRates),
        ("DELETE", "/api/v1/vat-rates/{id}", ManageVatRates),
        ("POST", "/api/v1/vat-rates/{id}/archive", ManageVatRates),
    ]
};

/// The permission [`MUTATIONS`] gives an operation.
fn needed(op: &openapi::Operation) -> Option<Permission> {
    MUTATIONS
        .iter()
        .find(|(m, t, _)| *m == op.method.as_str() && *t == op.template)
        .map(|(_, _, p)| *p)
}

/// Every POST, PUT, PATCH and DELETE of the OpenAPI document, by a seller's and a manager's
/// key on real objects of their organization: 403 where the role lacks the permission, with
/// nothing changed; otherwise neither 401/403 nor a 5xx.
#[tokio::test]
async fn every_mutation_of_the_api_follows_the_permission_matrix() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let admin = Api::new(&app, &a, "admin").await;
    let ops = openapi::operations(&admin).await;
    let mutations: Vec<&openapi::Operation> =
        ops.iter().filter(|o| o.method != Method::GET).collect();

    // Complete both ways: every mutation has an expectation, every expectation a mutation.
    let missing: Vec<String> = mutations
        .iter()
        .filter(|op| needed(op).is_none())
        .map(|op| op.to_string())
        .collect();
    assert!(
        missing.is_empty(),
        "add the permission these need to MUTATIONS:\n{}",
        missing.join("\n")
    );
    let stale: Vec<String> = MUTATIONS
        .iter()
        .filter(|(m, t, _)| {
            !mutations
                .iter()
                .any(|op| op.method.as_str() == *m && op.template == *t)
        })
        .map(|(m, t, _)| format!("{m} {t}"))
        .collect();
    assert!(stale.is_empty(), "not in the API any more: {stale:?}");

    let objects = openapi::Objects::build(&admin, &a, "a").await;
    let fill = |op: &openapi::Operation| {
        objects.path_of(op).unwrap_or_else(|_| {
            // `{audience}` is not an object: the individuals' calendar; nor is `{cart}`, a token
            // the client draws.
            op.template
                .replace("{audience}", "individuals")
                .replace("{cart}", "roles-cart-0123456789")
        })
    };
    let keys = [
        (Role::Seller, Api::new(&app, &a, "seller").await),
        (Role::Manager, Api::new(&app, &a, "manager").await),
    ];

    // Refused first, on the real objects: 403 and nothing changed.
    let before = openapi::snapshot(&admin, &ops, &objects).await;
    let mut wrong = Vec::new();
    let mut refused = 0;
    for (role, api) in &keys {
        for op in &mutations {
            let permission = needed(op).unwrap();
            if role.allows(permission) {
                continue;
            }
            refused += 1;
            let path = fill(op);
            let (status, body) = openapi::call(api, op, &path, &objects).await;
            if status != 403 || body["code"] != "forbidden" {
                wrong.push(format!(
                    "{role} {} {path} (needs {permission:?}): {status} {body}",
                    op.method
                ));
            }
        }
    }
    let after = openapi::snapshot(&admin, &ops, &objects).await;
    let changed = openapi::changes(&before, &after);
    assert!(
        changed.is_empty(),
        "refused calls changed:\n{}",
        changed.join("\n")
    );

    // Allowed: the permission lets the call through (it may still be refused on its content).
    let mut allowed = 0;
    for (role, api) in keys.iter().rev() {
        for op in &mutations {
            if !role.allows(needed(op).unwrap()) {
                continue;
            }
            allowed += 1;
            let path = fill(op);
            let (status, body) = openapi::call(api, op, &path, &objects).await;
            if status == 401 || status == 403 || status >= 500 {
                wrong.push(format!("{role} {} {path}: {status} {body}", op.method));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "against the permission matrix:\n{}",
        wrong.join("\n")
    );
    assert!(
        refused > 60 && allowed > 40,
        "{refused} refused, {allowed} allowed"
    );
    app.stop().await;
}
