//! The public online booking (issue 16 §2–4), through its pages as a visitor's browser uses
//! them: calendar, session, cart with holds and a promo code, details, the development
//! payment, the confirmation e-mail, the visitor's booking page and its cancellation; bad
//! input and forged forms; rate limits; 200 visitors and two registers racing for the last
//! ten places. On SQLite, and on PostgreSQL with `GUICHET_TEST_DATABASE_URL`.

use crate::harness::{Api, OrgFixture, TestApp, id_of, location, org, spawn_server, today};
use guichet_app::AppConfig;
use guichet_app::booking::OnlinePayments;
use guichet_web::public_limits::PublicRates;
use serde_json::{Value, json};
use std::time::Duration;

pub(crate) fn config(app: AppConfig, rates: PublicRates) -> guichet::ServerConfig {
    guichet::ServerConfig {
        app: AppConfig {
            online_payments: OnlinePayments::Development,
            ..app
        },
        web: guichet_web::WebConfig {
            public_rates: rates,
            ..Default::default()
        },
        ..Default::default()
    }
}

pub(crate) fn generous() -> PublicRates {
    PublicRates {
        per_address: 100_000,
        per_module: 100_000,
    }
}

/// An attraction selling a guided tour online: Adulte 10,00 €, Enfant 6,00 € (at most 4 per
/// booking), sessions every 30 minutes with `capacity` places, `mode` as its collection
/// ("deposit" 30 %, "on_site"), free cancellation until 48 h before; a promo code ETE
/// (10 %); an engine module in French.
pub(crate) struct Attraction {
    pub offer: String,
    pub adult: String,
    pub child: String,
    pub module: String,
    /// `/book/{org}/{module}`.
    pub book: String,
    /// The first session a week from now, and its day.
    pub start: i64,
    pub day: String,
    pub register: String,
}

impl Attraction {
    pub async fn new(api: &Api<'_>, capacity: i64, mode: &str) -> Attraction {
        let vat = api.vat_rate_id(0).await;
        let item = |name: &str| json!({"name": name, "vat_rate_id": vat, "sale_pos": true, "sale_online": true});
        let mut adult = item("Adulte");
        adult["name_nl"] = json!("Volwassene");
        let adult = id_of(&api.created("/api/v1/ticket-types", adult).await);
        let child = id_of(&api.created("/api/v1/ticket-types", item("Enfant")).await);
        let offer = id_of(&api.created("/api/v1/offers", json!({
            "fr": {"name": "Visite guidée", "description": "Une heure sous terre.", "cancellation_policy": "Au-delà, contactez-nous."},
            "nl": {"name": "Rondleiding"},
            "kind": "activity", "sale_pos": true, "sale_online": true, "duration_minutes": "60",
            "capacity": capacity.to_string(),
            "prices": [{"item_id": adult, "price": "10"}, {"item_id": child, "price": "6", "max_quantity": "4"}],
            "rules": [{"from": "2026-01-01", "to": "2030-12-31", "kind": "every", "every_minutes": "30", "first": "10:00", "last": "16:30"}],
            "collection_mode": mode, "deposit_percent": if mode == "deposit" { "30" } else { "" },
            "cancel_free_hours": "48"
        })).await);
        let (status, p) = api
            .post(
                "/api/v1/promo-codes",
                json!({"name": "Été", "code": "ETE", "discount_kind": "percent", "discount": "10",
                    "offer_ids": [offer], "valid_from": "2026-01-01", "valid_to": "2030-12-31"}),
            )
            .await;
        assert_eq!(status, 201, "{p}");
        let m = api
            .created(
                "/api/v1/booking-modules",
                json!({"name": "Site web", "kind": "engine", "language": "fr"}),
            )
            .await;
        let slug = api.ok("/api/v1/organization").await["slug"]
            .as_str()
            .unwrap()
            .to_owned();
        let day = today()
            .checked_add(jiff::Span::new().days(7))
            .unwrap()
            .to_string();
        let start = api.availability(&offer, &day).await["sessions"][0]["start"]
            .as_i64()
            .unwrap();
        Attraction {
            book: format!("/book/{slug}/{}", m["slug"].as_str().unwrap()),
            module: id_of(&m),
            offer,
            adult,
            child,
            start,
            day,
            register: api.first_register().await,
        }
    }

    /// (sold, held) of the session.
    pub async fn places(&self, api: &Api<'_>) -> (i64, i64) {
        let a = api.availability(&self.offer, &self.day).await;
        let s = a["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["start"] == self.start)
            .unwrap()
            .clone();
        (s["sold"].as_i64().unwrap(), s["held"].as_i64().unwrap())
    }
}

/// A visitor's browser: no cookie, no redirect followed, forms posted from the page's origin.
pub(crate) struct Browser<'a> {
    app: &'a TestApp,
    c: reqwest::Client,
}

pub(crate) struct Page {
    pub status: u16,
    pub body: String,
    pub location: String,
    pub headers: reqwest::header::HeaderMap,
}

impl<'a> Browser<'a> {
    pub(crate) fn new(app: &'a TestApp) -> Browser<'a> {
        Browser {
            app,
            c: crate::harness::client(),
        }
    }

    async fn page(r: reqwest::Response) -> Page {
        let (status, location, headers) = (r.status().as_u16(), location(&r), r.headers().clone());
        Page {
            status,
            location,
            headers,
            body: r.text().await.unwrap(),
        }
    }

    pub(crate) async fn get(&self, path: &str) -> Page {
        Self::page(self.c.get(self.app.url(path)).send().await.unwrap()).await
    }

    pub(crate) async fn post(&self, path: &str, form: &[(&str, &str)]) -> Page {
        let r = self
            .c
            .post(self.app.url(path))
            .header("origin", &self.app.base)
            .form(form)
            .send()
            .await
            .unwrap();
        Self::page(r).await
    }

    /// Chooses quantities of the attraction's session; the cart's address.
    pub(crate) async fn choose(
        &self,
        s: &Attraction,
        cart: &str,
        adults: i64,
        children: i64,
    ) -> Page {
        let (a, c) = (adults.to_string(), children.to_string());
        let (qa, qc) = (format!("q_{}", s.adult), format!("q_{}", s.child));
        let start = s.start.to_string();
        self.post(
            &format!("{}/choose", s.book),
            &[
                ("cart", cart),
                ("offer", s.offer.as_str()),
                ("start", start.as_str()),
                (qa.as_str(), a.as_str()),
                (qc.as_str(), c.as_str()),
            ],
        )
        .await
    }

    pub(crate) async fn book(&self, cart_path: &str, email: &str) -> Page {
        self.post(
            &format!("{cart_path}/book"),
            &[
                ("last_name", "Dupont"),
                ("first_name", "Marie"),
                ("email", email),
                ("phone", "0471 23 45 67"),
                ("city", "Namur"),
                ("postal_code", "5000"),
                ("country", "BE"),
                ("accept_terms", "1"),
            ],
        )
        .await
    }
}

/// The text of the first element with this id.
pub(crate) fn by_id(body: &str, id: &str) -> String {
    let Some(at) = body.find(&format!("id=\"{id}\"")) else {
        return String::new();
    };
    let rest = &body[at..];
    let Some(open) = rest.find('>') else {
        return String::new();
    };
    let rest = &rest[open + 1..];
    rest[..rest.find('<').unwrap_or(rest.len())]
        .trim()
        .to_owned()
}

pub(crate) fn cart_token() -> String {
    guichet_app::booking::new_cart_token()
}

pub(crate) async fn journal_verifies(app: &TestApp) {
    let v = app
        .store
        .read(|tx| Box::pin(async move { guichet_store::journal::verify_all(tx).await }))
        .await
        .unwrap();
    assert!(v.ok(), "the journal verifies: {v:?}");
}

pub(crate) async fn setup(app: &TestApp, capacity: i64, mode: &str) -> (OrgFixture, Attraction) {
    let a = org(app, "Grottes de Han", "a").await;
    let api = Api::new(app, &a, "manager").await;
    let s = Attraction::new(&api, capacity, mode).await;
    (a, s)
}

#[tokio::test]
async fn a_visitor_books_with_a_promo_code_pays_a_deposit_gets_the_email_and_cancels() {
    let (port, mails) = crate::reservations::smtp_sink().await;
    let app = spawn_server(config(
        AppConfig {
            mail: Some(guichet_integrations::mail::MailConfig {
                url: format!("smtp://127.0.0.1:{port}"),
                from: "Grottes <noreply@grottes.example>".into(),
            }),
            public_url: "https://guichet.example".into(),
            ..AppConfig::default()
        },
        generous(),
    ))
    .await;
    let (a, s) = setup(&app, 20, "deposit").await;
    let api = Api::new(&app, &a, "manager").await;
    let v = Browser::new(&app);

    // The calendar, then the day, then the session.
    let p = v.get(&s.book).await;
    assert_eq!(p.status, 200);
    assert!(p.body.contains("Choisissez une date"));
    let csp = p.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'self'"), "{csp}");
    let p = v.get(&format!("{}?date={}", s.book, s.day)).await;
    assert_eq!(p.status, 200);
    assert!(p.body.contains("Visite guidée"), "{}", p.body);
    assert!(p.body.contains(&format!("start={}", s.start)));
    let p = v
        .get(&format!("{}?offer={}&start={}", s.book, s.offer, s.start))
        .await;
    assert_eq!(p.status, 200);
    assert!(
        p.body.contains("10,00 €") && p.body.contains("6,00 €"),
        "{}",
        p.body
    );
    assert!(p.body.contains("Acompte de 30 %"), "{}", p.body);

    // 2 adults and 1 child: held for every channel.
    let cart = cart_token();
    let p = v.choose(&s, &cart, 2, 1).await;
    assert_eq!(p.status, 303, "{}", p.body);
    let cart_path = format!("{}/cart/{cart}", s.book);
    assert_eq!(p.location, cart_path);
    assert_eq!(s.places(&api).await, (0, 3));
    let p = v.get(&cart_path).await;
    assert_eq!(by_id(&p.body, "book-total"), "26,00 €");
    assert!(p.body.contains("data-expires-ms"));

    // The promo code, in any case, priced as at the register: 10 % off.
    let p = v
        .post(&format!("{cart_path}/promo"), &[("promo_code", "xyz")])
        .await;
    assert_eq!(p.status, 422);
    assert!(by_id(&p.body, "book-promo-error").len() > 3, "{}", p.body);
    let p = v
        .post(&format!("{cart_path}/promo"), &[("promo_code", "ete")])
        .await;
    assert_eq!(p.status, 303);
    let p = v.get(&cart_path).await;
    assert_eq!(by_id(&p.body, "book-total"), "23,40 €");
    // 30 % of 23,40 € now, the rest on site.
    assert_eq!(by_id(&p.body, "book-submit"), "Payer 7,02 €");
    assert!(by_id(&p.body, "book-due-later").contains("16,38 €"));
    assert!(p.body.contains("48 heures avant la visite"), "{}", p.body);

    // The module's required fields and the terms.
    let p = v
        .post(&format!("{cart_path}/book"), &[("last_name", "Dupont")])
        .await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("id=\"e-email\""), "{}", p.body);
    assert!(p.body.contains("Ce champ est obligatoire."));

    // Booked: to the payment provider, paid, confirmed.
    let p = v.book(&cart_path, "marie.dupont@example.be").await;
    assert_eq!(
        (p.status, p.location.as_str()),
        (303, format!("{cart_path}/pay").as_str()),
        "{}",
        p.body
    );
    let p = v.get(&format!("{cart_path}/pay")).await;
    assert_eq!(by_id(&p.body, "book-pay-amount"), "7,02 €");
    let p = v
        .post(&format!("{cart_path}/pay"), &[("outcome", "paid")])
        .await;
    assert_eq!(p.location, format!("{cart_path}/done"));
    // The same confirmation again changes nothing.
    let again = v
        .post(&format!("{cart_path}/pay"), &[("outcome", "paid")])
        .await;
    assert_eq!(again.status, 303);
    let p = v.get(&format!("{cart_path}/done")).await;
    assert_eq!(p.status, 200);
    let number = by_id(&p.body, "book-done-number").replace("Réservation ", "");
    let expected = format!("P{}", crate::harness::today().strftime("%y%m%d"));
    assert!(
        number.starts_with(&expected) && number.len() == 11,
        "{number}"
    );
    let page_start = p.body.find("href=\"/booking/").unwrap() + 6;
    let booking_page =
        p.body[page_start..page_start + p.body[page_start..].find('"').unwrap()].to_owned();
    assert_eq!(s.places(&api).await, (3, 0));

    // The order: numbered, its channel the module, paid the deposit online, in the list,
    // its buyer in the customer file.
    let list = api
        .ok(&format!("/api/v1/orders?from={0}&to={0}&limit=50", today()))
        .await;
    let row = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["number"] == number.as_str())
        .expect("in the orders list")
        .clone();
    let order = api
        .ok(&format!("/api/v1/orders/{}", row["id"].as_str().unwrap()))
        .await;
    assert_eq!(order["online"]["module_id"], s.module.as_str(), "{order}");
    assert_eq!(order["online"]["language"], "fr");
    assert!(order["register_id"].is_null());
    assert_eq!(order["total_cents"], 2340);
    assert_eq!(order["collected_cents"], 702);
    assert_eq!(order["state"], "awaiting_payment");
    assert_eq!(order["payments"][0]["method"], "virtual_terminal");
    let customer = order["customer_id"].as_str().unwrap().to_owned();
    let c = api.ok(&format!("/api/v1/customers/{customer}")).await;
    assert_eq!(c["customer"]["email"], "marie.dupont@example.be", "{c}");
    assert_eq!(
        c["customer"]["consent_email_at"],
        Value::Null,
        "consent is an unticked box"
    );
    journal_verifies(&app).await;

    // The e-mail: through the outbox to the SMTP server, with the booking page's link.
    let mut message = None;
    for _ in 0..100 {
        if let Some(m) = mails.lock().await.iter().find(|m| m.contains(&number)) {
            message = Some(m.clone());
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let message = message.expect("the confirmation reached the SMTP server");
    let unfolded = message.replace("=\n", "");
    assert!(
        unfolded.contains(&format!("https://guichet.example{booking_page}")),
        "{message}"
    );

    // The same buyer again is the same customer.
    let cart2 = cart_token();
    assert_eq!(v.choose(&s, &cart2, 1, 0).await.status, 303);
    let p = v
        .post(
            &format!("{}/cart/{cart2}/book", s.book),
            &[
                ("last_name", "Dupont"),
                ("first_name", "Marie"),
                ("email", "Marie.Dupont@Example.be"),
                ("phone", "0471 23 45 67"),
                ("city", "Namur"),
                ("postal_code", "5000"),
                ("country", "BE"),
                ("accept_terms", "1"),
                ("consent_email", "1"),
            ],
        )
        .await;
    assert_eq!(p.status, 303);
    let p = v
        .post(
            &format!("{}/cart/{cart2}/pay", s.book),
            &[("outcome", "paid")],
        )
        .await;
    assert_eq!(p.status, 303);
    let file = api.ok(&format!("/api/v1/customers/{customer}")).await;
    assert_eq!(file["orders"].as_array().unwrap().len(), 2, "{file}");
    assert!(
        file["customer"]["consent_email_at"].is_i64(),
        "the ticked box is the consent: {file}"
    );

    // The visitor's page: the order, a ticket per visitor with a genuine code, the calendar
    // file; nothing for a wrong token or another organization.
    let p = v.get(&booking_page).await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert_eq!(by_id(&p.body, "booking-number"), number);
    assert_eq!(p.body.matches("class=\"ticket\"").count(), 3);
    assert!(p.body.contains("<svg"));
    let code_at = p.body.find("class=\"code\">").unwrap() + 13;
    let code = &p.body[code_at..code_at + p.body[code_at..].find('<').unwrap()];
    let (status, claim) = api
        .post("/api/v1/tickets/verify", json!({"code": code}))
        .await;
    assert_eq!(status, 200, "{claim}");
    assert_eq!(p.headers["referrer-policy"], "no-referrer");
    let ics = v.get(&format!("{booking_page}/visit.ics")).await;
    assert_eq!(ics.status, 200);
    assert!(ics.body.contains("BEGIN:VEVENT") && ics.body.contains("DTSTART"));
    let mut forged = booking_page.clone();
    forged.replace_range(forged.len() - 3.., "AAA");
    assert_eq!(v.get(&forged).await.status, 404);
    let b = org(&app, "Abbaye", "b").await;
    let b_slug = Api::new(&app, &b, "admin")
        .await
        .ok("/api/v1/organization")
        .await["slug"]
        .as_str()
        .unwrap()
        .to_owned();
    let elsewhere =
        booking_page.replacen(&s.book.split('/').nth(2).unwrap().to_owned(), &b_slug, 1);
    assert_eq!(v.get(&elsewhere).await.status, 404);

    // Staff see the module on the order and can send the e-mail again.
    let (status, _) = api
        .post(
            &format!(
                "/api/v1/orders/{}/confirmation-email",
                order["id"].as_str().unwrap()
            ),
            json!({}),
        )
        .await;
    assert_eq!(status, 202);
    let (status, p) = api
        .post(&format!("/api/v1/orders/{}/confirmation-email", id_of(&api.post("/api/v1/orders", json!({
            "register_id": s.register, "lines": [{"offer_id": s.offer, "session_start": s.start, "item_id": s.adult, "quantity": 1}],
            "payments": [{"method": "cash", "amount": "10"}]})).await.1)), json!({}))
        .await;
    assert_eq!(
        (status, p["code"].as_str()),
        (409, Some("not_booked_online")),
        "{p}"
    );

    // Cancelled by the visitor, within the policy: places back, the deposit to refund.
    let p = v.post(&format!("{booking_page}/cancel"), &[]).await;
    assert_eq!(p.status, 303, "{}", p.body);
    let p = v.get(&booking_page).await;
    assert_eq!(by_id(&p.body, "booking-state"), "Annulée");
    assert!(by_id(&p.body, "booking-refund").contains("7,02 €"));
    assert_eq!(
        s.places(&api).await,
        (2, 0),
        "1 online + 1 at the register left"
    );
    let order = api
        .ok(&format!("/api/v1/orders/{}", order["id"].as_str().unwrap()))
        .await;
    assert_eq!(order["state"], "cancelled");
    assert_eq!(order["online"]["refund_due_cents"], 702);
    let p = v.post(&format!("{booking_page}/cancel"), &[]).await;
    assert_eq!(p.status, 409);
    journal_verifies(&app).await;
    app.stop().await;
}

#[tokio::test]
async fn the_server_refuses_what_a_page_would_not_send() {
    let app = spawn_server(config(
        AppConfig {
            hold_duration: Duration::from_secs(2),
            hold_sweep_interval: Duration::from_millis(500),
            ..AppConfig::default()
        },
        generous(),
    ))
    .await;
    let (a, s) = setup(&app, 20, "on_site").await;
    let api = Api::new(&app, &a, "manager").await;
    let v = Browser::new(&app);

    // Beyond the ticket type's maximum, negative, not a number: refused, nothing held.
    for (adults, children) in [(1, 5), (-1, 0), (0, 0)] {
        let p = v.choose(&s, &cart_token(), adults, children).await;
        assert_eq!(p.status, 422, "{adults}/{children}: {}", p.body);
        assert!(p.body.contains("id=\"book-errors\""));
    }
    let p = v
        .post(
            &format!("{}/choose", s.book),
            &[
                ("cart", &cart_token()),
                ("offer", &s.offer),
                ("start", &s.start.to_string()),
                (&format!("q_{}", s.adult), "deux"),
            ],
        )
        .await;
    assert_eq!(p.status, 422);
    assert_eq!(s.places(&api).await, (0, 0));
    // A session that is not one, an unknown offer, a bad cart token.
    let p = v
        .post(
            &format!("{}/choose", s.book),
            &[
                ("cart", &cart_token()),
                ("offer", &s.offer),
                ("start", &(s.start + 60_000_000).to_string()),
                (&format!("q_{}", s.adult), "1"),
            ],
        )
        .await;
    assert_eq!(p.status, 404, "{}", p.body);
    assert!(p.body.contains("plus réservable en ligne"), "{}", p.body);
    let p = v
        .post(
            &format!("{}/choose", s.book),
            &[
                ("cart", "short"),
                ("offer", &s.offer),
                ("start", &s.start.to_string()),
                (&format!("q_{}", s.adult), "1"),
            ],
        )
        .await;
    assert_eq!(p.status, 422);
    assert_eq!(v.get("/book/nobody/nothing").await.status, 404);
    assert_eq!(
        v.get(&format!("{}/cart/{}", s.book, cart_token()))
            .await
            .status,
        404
    );

    // A forged price is not a field the flow reads: the order is priced by the server.
    let cart = cart_token();
    let p = v
        .post(
            &format!("{}/choose", s.book),
            &[
                ("cart", &cart),
                ("offer", &s.offer),
                ("start", &s.start.to_string()),
                (&format!("q_{}", s.adult), "1"),
                ("unit_price", "0,01"),
                ("free", "true"),
            ],
        )
        .await;
    assert_eq!(p.status, 303);
    let cart_path = format!("{}/cart/{cart}", s.book);
    assert_eq!(
        by_id(&v.get(&cart_path).await.body, "book-total"),
        "10,00 €"
    );

    // The hold runs out: the booking is refused and the places are back without a request.
    tokio::time::sleep(Duration::from_millis(3_500)).await;
    assert_eq!(
        s.places(&api).await,
        (0, 0),
        "the sweep gave the places back"
    );
    let p = v.book(&cart_path, "jan@example.be").await;
    assert_eq!(p.status, 409, "{}", p.body);
    assert!(
        p.body
            .contains("Le temps pour réserver ces places est écoulé"),
        "{}",
        p.body
    );

    // A closed session cannot be chosen.
    let (status, _) = api
        .put(
            &format!("/api/v1/offers/{}/sessions/{}", s.offer, s.start),
            json!({"closed": true}),
        )
        .await;
    assert_eq!(status, 204);
    let p = v.choose(&s, &cart_token(), 1, 0).await;
    assert_eq!(p.status, 404, "{}", p.body);
    assert!(p.body.contains("plus réservable en ligne"), "{}", p.body);
    let p = v
        .get(&format!("{}?offer={}&start={}", s.book, s.offer, s.start))
        .await;
    assert_eq!(p.status, 404);

    // Without a payment provider an offer paid online is not shown, and a forged choice of
    // it is refused.
    let off = spawn_server(guichet::ServerConfig {
        web: guichet_web::WebConfig {
            public_rates: generous(),
            ..Default::default()
        },
        ..Default::default()
    })
    .await;
    let (org_b, full) = setup(&off, 20, "deposit").await;
    let w = Browser::new(&off);
    let p = w.get(&format!("{}?date={}", full.book, full.day)).await;
    assert!(!p.body.contains("Visite guidée"), "{}", p.body);
    let p = w.choose(&full, &cart_token(), 1, 0).await;
    assert_eq!(p.status, 404, "{}", p.body);
    assert_eq!(
        full.places(&Api::new(&off, &org_b, "manager").await).await,
        (0, 0)
    );
    off.stop().await;
    app.stop().await;
}

#[tokio::test]
async fn public_pages_are_rate_limited_per_address() {
    let app = spawn_server(config(
        AppConfig::default(),
        PublicRates {
            per_address: 5,
            per_module: 1_000,
        },
    ))
    .await;
    let (_, s) = setup(&app, 20, "on_site").await;
    let v = Browser::new(&app);
    for _ in 0..5 {
        assert_eq!(v.get(&s.book).await.status, 200);
    }
    let p = v.get(&s.book).await;
    assert_eq!(p.status, 429);
    assert!(p.headers.contains_key("retry-after"));
    assert!(p.body.contains("Trop de demandes"));
    app.stop().await;
}

/// 200 visitors race online for the last 10 places while two registers sell the same
/// session: exactly 10 are sold, whoever gets them.
#[tokio::test]
async fn two_hundred_visitors_and_two_registers_race_for_the_last_ten_places() {
    let _ = tracing_subscriber::fmt().with_test_writer().try_init();
    let app = spawn_server(config(AppConfig::default(), generous())).await;
    let (a, s) = setup(&app, 10, "on_site").await;
    let api = Api::new(&app, &a, "seller").await;
    let s = std::sync::Arc::new(s);
    let mut visitors = Vec::new();
    for i in 0..200 {
        let (s, base) = (s.clone(), app.base.clone());
        visitors.push(tokio::spawn(async move {
            let c = crate::harness::client();
            let cart = guichet_app::booking::new_cart_token();
            let r = c
                .post(format!("{base}{}/choose", s.book))
                .header("origin", &base)
                .form(&[
                    ("cart", cart.as_str()),
                    ("offer", s.offer.as_str()),
                    ("start", s.start.to_string().as_str()),
                    (format!("q_{}", s.adult).as_str(), "1"),
                ])
                .send()
                .await
                .unwrap();
            match r.status().as_u16() {
                303 => {}
                422 => return 0,
                other => panic!(
                    "choose answered {other}: {}",
                    r.text().await.unwrap_or_default()
                ),
            }
            let email = format!("visitor{i}@example.be");
            let r = c
                .post(format!("{base}{}/cart/{cart}/book", s.book))
                .header("origin", &base)
                .form(&[
                    ("last_name", "Visiteur"),
                    ("first_name", "Jan"),
                    ("email", email.as_str()),
                    ("phone", "0471 23 45 67"),
                    ("city", "Namur"),
                    ("postal_code", "5000"),
                    ("accept_terms", "1"),
                ])
                .send()
                .await
                .unwrap();
            match r.status().as_u16() {
                303 => 1,
                409 | 422 => 0,
                other => panic!(
                    "book answered {other}: {}",
                    r.text().await.unwrap_or_default()
                ),
            }
        }));
    }
    let mut registers = Vec::new();
    for _ in 0..2 {
        let (s, register) = (s.clone(), s.register.clone());
        let api = Api::new(&app, &a, "seller").await;
        registers.push(async move {
            let mut sold = 0;
            for _ in 0..30 {
                let (status, _) = api
                    .post(
                        "/api/v1/orders",
                        json!({"register_id": register, "lines": [{"offer_id": s.offer, "session_start": s.start, "item_id": s.adult, "quantity": 1}],
                            "payments": [{"method": "cash", "amount": "10"}]}),
                    )
                    .await;
                if status == 201 {
                    sold += 1;
                }
            }
            sold
        });
    }
    let (r1, r2) = tokio::join!(registers.pop().unwrap(), registers.pop().unwrap());
    drop(registers);
    let mut online = 0;
    for v in visitors {
        online += v.await.unwrap();
    }
    assert_eq!(
        online + r1 + r2,
        10,
        "online {online}, registers {r1} + {r2}"
    );
    // Holds of the carts that lost are given back by the sweep or their own refusal; the
    // sold places are exactly the ten.
    let (sold, _) = s.places(&api).await;
    assert_eq!(sold, 10);
    journal_verifies(&app).await;
    app.stop().await;
}

/// A payment confirmed after the cart's hold ran out still books while the places are free.
#[tokio::test]
async fn a_payment_after_the_hold_ran_out_books_while_the_places_are_free() {
    let app = spawn_server(config(
        AppConfig {
            hold_duration: Duration::from_secs(1),
            hold_sweep_interval: Duration::from_millis(300),
            ..AppConfig::default()
        },
        generous(),
    ))
    .await;
    let (a, s) = setup(&app, 20, "deposit").await;
    let api = Api::new(&app, &a, "manager").await;
    let v = Browser::new(&app);
    let cart = cart_token();
    assert_eq!(v.choose(&s, &cart, 2, 0).await.status, 303);
    let cart_path = format!("{}/cart/{cart}", s.book);
    let p = v.book(&cart_path, "late@example.be").await;
    assert_eq!(p.location, format!("{cart_path}/pay"));
    tokio::time::sleep(Duration::from_millis(1_800)).await;
    assert_eq!(s.places(&api).await, (0, 0), "the hold ran out");
    let p = v
        .post(&format!("{cart_path}/pay"), &[("outcome", "paid")])
        .await;
    assert_eq!(p.location, format!("{cart_path}/done"), "{}", p.body);
    assert_eq!(s.places(&api).await, (2, 0));
    journal_verifies(&app).await;
    app.stop().await;
}

/// Erasing a customer also removes a booking cart of theirs still at the payment provider,
/// with the details it kept.
#[tokio::test]
async fn erasing_a_customer_removes_their_cart_at_the_payment_provider() {
    let app = spawn_server(config(AppConfig::default(), generous())).await;
    let (a, s) = setup(&app, 20, "deposit").await;
    let api = Api::new(&app, &a, "manager").await;
    let v = Browser::new(&app);
    let first = cart_token();
    assert_eq!(v.choose(&s, &first, 1, 0).await.status, 303);
    let first_path = format!("{}/cart/{first}", s.book);
    assert_eq!(v.book(&first_path, "erase.me@example.be").await.status, 303);
    let p = v
        .post(&format!("{first_path}/pay"), &[("outcome", "paid")])
        .await;
    assert_eq!(p.location, format!("{first_path}/done"));
    let second = cart_token();
    assert_eq!(v.choose(&s, &second, 1, 0).await.status, 303);
    let second_path = format!("{}/cart/{second}", s.book);
    let p = v.book(&second_path, "Erase.Me@example.be").await;
    assert_eq!(p.location, format!("{second_path}/pay"));
    let orders = api
        .ok(&format!("/api/v1/orders?from={0}&to={0}", today()))
        .await;
    let order = api
        .ok(&format!(
            "/api/v1/orders/{}",
            orders["items"][0]["id"].as_str().unwrap()
        ))
        .await;
    let customer = order["customer_id"].as_str().unwrap().to_owned();
    let (status, body) = api
        .post(&format!("/api/v1/customers/{customer}/erase"), json!({}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(v.get(&format!("{second_path}/pay")).await.status, 404);
    assert_eq!(
        v.get(&first_path).await.status,
        303,
        "a booked cart stays (no details)"
    );
    app.stop().await;
}

/// A Dutch visitor reads the offer and its ticket types in Dutch, on the session page and in
/// the cart, and in French where the catalogue has no Dutch name.
#[tokio::test]
async fn a_dutch_visitor_reads_the_ticket_types_in_dutch_and_french_where_there_is_none() {
    let app = spawn_server(config(AppConfig::default(), generous())).await;
    let (a, s) = setup(&app, 20, "on_site").await;
    let api = Api::new(&app, &a, "manager").await;
    let m = api
        .created(
            "/api/v1/booking-modules",
            json!({"name": "Website", "kind": "engine", "language": "nl"}),
        )
        .await;
    let book = format!(
        "{}/{}",
        s.book.rsplit_once('/').unwrap().0,
        m["slug"].as_str().unwrap()
    );
    let v = Browser::new(&app);
    let p = v
        .get(&format!("{book}?offer={}&start={}", s.offer, s.start))
        .await;
    assert_eq!(p.status, 200);
    assert!(p.body.contains("Rondleiding"), "{}", p.body);
    assert!(p.body.contains("Volwassene"), "{}", p.body);
    assert!(p.body.contains("Enfant"), "no Dutch name: French");
    let cart = cart_token();
    let (qa, qc, start) = (
        format!("q_{}", s.adult),
        format!("q_{}", s.child),
        s.start.to_string(),
    );
    let p = v
        .post(
            &format!("{book}/choose"),
            &[
                ("cart", cart.as_str()),
                ("offer", s.offer.as_str()),
                ("start", start.as_str()),
                (qa.as_str(), "2"),
                (qc.as_str(), "1"),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let p = v.get(&p.location).await;
    assert!(p.body.contains("2 × Volwassene"), "{}", p.body);
    assert!(p.body.contains("1 × Enfant"), "{}", p.body);
    app.stop().await;
}
