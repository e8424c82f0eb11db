//! Online booking modules, configuration side (issue 16 §1): the API (validation, paging,
//! roles, tenancy), the public lookup the booking flow calls, the organization's slug, the
//! back-office pages and the embed script.

use crate::harness::{Api, TestApp, id_of, location, login, org, spawn};
use guichet_app::AppError;
use guichet_app::booking_modules::public_module;
use guichet_domain::booking_module::{BookingField, ModuleKind, ModuleLanguage};
use serde_json::{Value, json};

fn codes(body: &Value) -> Vec<(String, String)> {
    crate::harness::field_errors(body)
}

/// The use cases over the test server's database, for the public lookup (no HTTP route of
/// its own yet: the booking flow calls it).
fn app_of(app: &TestApp) -> guichet_app::App {
    guichet_app::App::new(app.store.clone(), guichet_app::AppConfig::default())
}

#[tokio::test]
async fn modules_through_the_api_with_validation_paging_roles_and_tenancy() {
    let app = spawn().await;
    let a = org(&app, "Grottes de Han", "a").await;
    let b = org(&app, "Abbaye de Villers", "b").await;
    let api = Api::new(&app, &a, "manager").await;
    let seller = Api::new(&app, &a, "seller").await;
    let other = Api::new(&app, &b, "admin").await;
    let ticket = api.ticket_type("Ticket adulte", 0).await;
    let offer = api
        .offer("Visite guidée", 40, &[(ticket.as_str(), "8,50")])
        .await;
    let other_ticket = other.ticket_type("Entrée", 0).await;
    let other_offer = other
        .offer("Visite", 40, &[(other_ticket.as_str(), "5")])
        .await;

    // The organizations got slugs from their names.
    assert_eq!(
        api.ok("/api/v1/organization").await["slug"],
        "grottes-de-han"
    );
    assert_eq!(
        other.ok("/api/v1/organization").await["slug"],
        "abbaye-de-villers"
    );

    // Every bad field at once, with stable codes.
    let (status, body) = api
        .post(
            "/api/v1/booking-modules",
            json!({"name": " ", "kind": "button", "language": "de", "return_url": "http://grottes.be/merci",
                   "fields": {"phone": "sometimes"}, "primary_color": "red", "analytics_id": "<script>",
                   "frame_domains": "https://grottes.be/", "slug": "Site Web"}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["code"], "validation_failed");
    let errors = codes(&body);
    for (field, code) in [
        ("name", "required"),
        ("offer_id", "required"),
        ("language", "unknown_value"),
        ("return_url", "https_required"),
        ("fields.phone", "unknown_value"),
        ("primary_color", "invalid_color"),
        ("analytics_id", "invalid_analytics_id"),
        ("frame_domains", "invalid_domain"),
        ("slug", "invalid_slug"),
    ] {
        assert!(
            errors.contains(&(field.to_owned(), code.to_owned())),
            "{field} {code} in {errors:?}"
        );
    }
    // Another organization's offer is unknown here.
    let (status, body) = api
        .post(
            "/api/v1/booking-modules",
            json!({"name": "Bouton", "kind": "button", "language": "fr", "offer_id": other_offer}),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        codes(&body),
        vec![("offer_id".to_owned(), "unknown_offer".to_owned())]
    );

    // An engine with the defaults: every offer, every field required, slug from the name.
    let (status, engine) = api
        .post(
            "/api/v1/booking-modules",
            json!({"name": "Site web été", "kind": "engine", "language": "browser"}),
        )
        .await;
    assert_eq!(status, 201, "{engine}");
    assert_eq!(engine["slug"], "site-web-ete");
    assert_eq!(engine["offer_id"], Value::Null);
    assert_eq!(engine["fields"]["phone"], "required");
    assert_eq!(engine["colors"]["primary"], "#1f5fbf");
    assert_eq!(engine["frame_domains"], json!([]));
    assert_eq!(engine["archived"], false);
    // Names are unique whatever their case; a same-slug name gets a numbered slug.
    let (status, body) = api
        .post(
            "/api/v1/booking-modules",
            json!({"name": "SITE WEB ÉTÉ", "kind": "engine", "language": "fr"}),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        codes(&body),
        vec![("name".to_owned(), "already_exists".to_owned())]
    );
    let (status, twin) = api
        .post(
            "/api/v1/booking-modules",
            json!({"name": "Site-web  ete", "kind": "calendar", "language": "nl"}),
        )
        .await;
    assert_eq!(status, 201, "{twin}");
    assert_eq!(twin["slug"], "site-web-ete-2");
    // A taken slug given by hand is refused.
    let (status, body) = api
        .post(
            "/api/v1/booking-modules",
            json!({"name": "Autre", "slug": "site-web-ete", "kind": "engine", "language": "fr"}),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        codes(&body),
        vec![("slug".to_owned(), "already_exists".to_owned())]
    );
    // A button for one offer, the phone and city optional, framed by two sites.
    let (status, button) = api
        .post(
            "/api/v1/booking-modules",
            json!({"name": "Bouton visite", "slug": "bouton", "kind": "button", "language": "en", "offer_id": offer,
                   "return_url": "https://www.grottes.be/merci", "fields": {"phone": "optional", "city": "optional"},
                   "primary_color": "#AA0000", "analytics_id": "G-ABC123",
                   "frame_domains": "www.grottes.be\n*.han.be, www.grottes.be"}),
        )
        .await;
    assert_eq!(status, 201, "{button}");
    assert_eq!(button["offer_id"], offer.as_str());
    assert_eq!(button["fields"]["phone"], "optional");
    assert_eq!(button["fields"]["email"], "required");
    assert_eq!(button["colors"]["primary"], "#aa0000");
    assert_eq!(
        button["frame_domains"],
        json!(["www.grottes.be", "*.han.be"])
    );
    let button_id = id_of(&button);

    // Paging: every module once, in creation order, whatever the page size.
    let all = api.all_pages("/api/v1/booking-modules", 2).await;
    let names: Vec<&str> = all.iter().filter_map(|m| m["name"].as_str()).collect();
    assert_eq!(names, ["Site web été", "Site-web  ete", "Bouton visite"]);
    assert_eq!(api.all_pages("/api/v1/booking-modules", 1).await, all);
    let (status, body) = api.get("/api/v1/booking-modules?after=nope").await;
    assert_eq!(status, 422);
    assert_eq!(
        codes(&body),
        vec![("after".to_owned(), "invalid_cursor".to_owned())]
    );
    let (status, _) = api.get("/api/v1/booking-modules?limit=0").await;
    assert_eq!(status, 422);
    let (status, body) = api.get("/api/v1/booking-modules?limit=x").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("invalid_query"))
    );

    // Read and replace; an empty slug keeps the current one.
    let path = format!("/api/v1/booking-modules/{button_id}");
    assert_eq!(api.ok(&path).await["name"], "Bouton visite");
    let (status, updated) = api
        .put(
            &path,
            json!({"name": "Bouton", "kind": "button", "language": "browser", "offer_id": offer}),
        )
        .await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["slug"], "bouton");
    assert_eq!(updated["fields"]["phone"], "required");
    assert_eq!(updated["frame_domains"], json!([]));
    let (status, _) = api
        .put(
            &path,
            json!({"name": "Bouton", "kind": "button", "language": "fr", "offer_id": offer,
                   "fields": {"city": "optional"}, "frame_domains": "www.grottes.be"}),
        )
        .await;
    assert_eq!(status, 200);

    // Sellers may not; another organization does not see it.
    for (status, body) in [
        seller.get("/api/v1/booking-modules").await,
        seller.get(&path).await,
        seller
            .post(
                "/api/v1/booking-modules",
                json!({"name": "X", "kind": "engine", "language": "fr"}),
            )
            .await,
    ] {
        assert_eq!((status, body["code"].as_str()), (403, Some("forbidden")));
    }
    assert_eq!(other.get(&path).await.0, 404);
    assert_eq!(
        other
            .put(
                &path,
                json!({"name": "X", "kind": "engine", "language": "fr"})
            )
            .await
            .0,
        404
    );
    assert_eq!(
        other
            .post(&format!("{path}/archive"), json!({"archived": true}))
            .await
            .0,
        404
    );
    assert!(
        other
            .all_pages("/api/v1/booking-modules", 10)
            .await
            .is_empty()
    );
    assert_eq!(api.get("/api/v1/booking-modules/nope").await.0, 404);

    // The public lookup the booking flow calls.
    let state = app_of(&app);
    let m = public_module(&state, "grottes-de-han", "bouton")
        .await
        .unwrap();
    assert_eq!(m.organization_id, a.id);
    assert_eq!(m.organization_name, "Grottes de Han");
    assert_eq!(m.time_zone, "Europe/Brussels");
    assert_eq!(m.kind, ModuleKind::Button);
    assert_eq!(m.language, ModuleLanguage::Fr);
    assert_eq!(m.offer_id.map(|o| o.to_string()), Some(offer.clone()));
    assert_eq!(
        m.required_fields,
        vec![
            BookingField::LastName,
            BookingField::FirstName,
            BookingField::Email,
            BookingField::Phone,
            BookingField::PostalCode
        ]
    );
    assert_eq!(
        m.frame_ancestors(),
        "frame-ancestors 'self' https://www.grottes.be"
    );
    for (org_slug, module_slug) in [
        ("grottes-de-han", "nope"),
        ("abbaye-de-villers", "bouton"),
        ("nope", "bouton"),
    ] {
        assert!(matches!(
            public_module(&state, org_slug, module_slug).await,
            Err(AppError::NotFound)
        ));
    }
    // Archived: not found; restored: found again.
    let (status, archived) = api
        .post(&format!("{path}/archive"), json!({"archived": true}))
        .await;
    assert_eq!((status, archived["archived"].as_bool()), (200, Some(true)));
    assert!(matches!(
        public_module(&state, "grottes-de-han", "bouton").await,
        Err(AppError::NotFound)
    ));
    api.post(&format!("{path}/archive"), json!({"archived": false}))
        .await;
    assert!(
        public_module(&state, "grottes-de-han", "bouton")
            .await
            .is_ok()
    );
    app.stop().await;
}

#[tokio::test]
async fn the_organization_slug_is_shown_editable_and_unique() {
    let app = spawn().await;
    let a = org(&app, "Grottes de Han", "a").await;
    let _b = org(&app, "Abbaye de Villers", "b").await;
    // Same name, another slug.
    let c = org(&app, "Grottes de Han", "c").await;
    let api = Api::new(&app, &a, "admin").await;
    let api_c = Api::new(&app, &c, "admin").await;
    assert_eq!(
        api_c.ok("/api/v1/organization").await["slug"],
        "grottes-de-han-2"
    );
    let body = |slug: &str| json!({"name": "Grottes de Han", "slug": slug, "currency": "EUR", "time_zone": "Europe/Brussels", "default_language": "fr"});
    let (status, e) = api
        .put("/api/v1/organization", body("abbaye-de-villers"))
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        codes(&e),
        vec![("slug".to_owned(), "already_exists".to_owned())]
    );
    let (status, e) = api.put("/api/v1/organization", body("Grottes!")).await;
    assert_eq!(status, 422);
    assert_eq!(
        codes(&e),
        vec![("slug".to_owned(), "invalid_slug".to_owned())]
    );
    let (status, o) = api.put("/api/v1/organization", body("han")).await;
    assert_eq!((status, o["slug"].as_str()), (200, Some("han")));
    // Left out, it stays.
    let (status, o) = api.put("/api/v1/organization", body("")).await;
    assert_eq!((status, o["slug"].as_str()), (200, Some("han")));
    // The details page shows it and takes it.
    let admin = login(&app, &a.admin).await;
    let page = admin
        .get(app.url("/account/details"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(r#"name="slug" type="text" value="han""#),
        "{page}"
    );
    app.stop().await;
}

#[tokio::test]
async fn modules_pages_create_with_errors_then_edit_and_give_the_snippet() {
    let app = spawn().await;
    let a = org(&app, "Grottes de Han", "a").await;
    let manager = login(&app, &a.manager).await;
    let page = manager
        .get(app.url("/distribution/modules/new"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(page.contains(r#"name="field_phone""#) && page.contains(r#"type="color""#));
    // Errors are shown next to the fields, what was typed kept.
    let r = manager
        .post(app.url("/distribution/modules/new"))
        .form(&[
            ("name", "Bouton"),
            ("kind", "button"),
            ("language", "fr"),
            ("return_url", "http://grottes.be"),
            ("frame_domains", "https://grottes.be"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let page = r.text().await.unwrap();
    assert!(page.contains("doit commencer par https://"), "{page}");
    assert!(page.contains("sans https:// ni chemin"));
    assert!(page.contains(r#"value="http://grottes.be""#));
    // Valid: to the new module's page with its snippet.
    let r = manager
        .post(app.url("/distribution/modules/new"))
        .form(&[
            ("name", "Site web"),
            ("kind", "engine"),
            ("language", "browser"),
            ("offer_id", ""),
            ("return_url", "https://www.grottes.be/merci"),
            ("field_last_name", "required"),
            ("field_phone", "optional"),
            ("primary_color", "#112233"),
            ("background_color", "#ffffff"),
            ("text_color", "#000000"),
            ("frame_domains", "www.grottes.be"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let to = location(&r);
    assert!(
        to.starts_with("/distribution/modules/") && to.ends_with("?done=module-saved"),
        "{to}"
    );
    let page = manager.get(app.url(&to)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(page.contains("Module enregistré."));
    assert!(
        page.contains(&format!("{}/embed/v1.js", app.base)),
        "{page}"
    );
    assert!(
        page.contains("data-guichet-module=&#34;grottes-de-han/site-web&#34;"),
        "{page}"
    );
    assert!(page.contains(&format!("{}/book/grottes-de-han/site-web", app.base)));
    assert!(page.contains(r#"<option value="optional" selected>"#));
    // Edit: rename.
    let edit = to.split('?').next().unwrap_or_default().to_owned();
    let r = manager
        .post(app.url(&edit))
        .form(&[
            ("name", "Site web principal"),
            ("slug", "site-web"),
            ("kind", "calendar"),
            ("language", "nl"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), "/distribution/modules?done=module-saved");
    let list = manager
        .get(app.url("/distribution/modules"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        list.contains("Site web principal")
            && list.contains("Calendrier")
            && list.contains("Néerlandais")
    );
    assert!(list.contains("Toutes les offres"));
    assert!(
        list.contains(r#"href="/distribution/modules""#),
        "menu entry"
    );
    // Archive from the form.
    let r = manager
        .post(app.url(&format!("{edit}/archive")))
        .form(&[("archived", "true")])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&r), "/distribution/modules?done=archived");
    // A seller may not open them.
    let seller = login(&app, &a.seller).await;
    for path in ["/distribution/modules", "/distribution/modules/new", &edit] {
        assert_eq!(
            seller.get(app.url(path)).send().await.unwrap().status(),
            403
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn the_embed_scripts_are_served_without_a_session() {
    let app = spawn().await;
    let r = crate::harness::client()
        .get(app.url("/embed/v1.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["content-type"],
        "text/javascript; charset=utf-8"
    );
    assert!(
        r.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("max-age=86400")
    );
    let body = r.text().await.unwrap();
    assert!(body.contains("data-guichet-module") && body.len() < 30_000);
    assert!(!body.contains("http://") || !body.contains("cdn"), "no CDN");
    let r = crate::harness::client()
        .get(app.url("/assets/embed-child.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("ResizeObserver"));
    app.stop().await;
}
