//! Holds (issue 16 §2): the places a visitor's cart holds are taken for every channel while
//! they book, the cart's sale sells exactly them, and a cart left alone gives them back by
//! itself.

use crate::harness::{Api, id_of, org, spawn, spawn_with, today};
use guichet_app::AppConfig;
use serde_json::{Value, json};
use std::time::Duration;

/// An offer booked online: one ticket type at 10,00 €, sessions every 30 minutes, `capacity`
/// places each; its first session ten days from now.
struct Online {
    offer: String,
    adult: String,
    start: i64,
    day: String,
    register: String,
}

impl Online {
    async fn new(api: &Api<'_>, capacity: i64) -> Online {
        let vat = api.vat_rate_id(0).await;
        let adult = id_of(
            &api.created(
                "/api/v1/ticket-types",
                json!({"name": "Adulte", "vat_rate_id": vat, "sale_pos": true, "sale_online": true}),
            )
            .await,
        );
        let offer = id_of(&api.created("/api/v1/offers", json!({
            "fr": {"name": "Visite des grottes"}, "kind": "activity", "sale_pos": true, "sale_online": true,
            "capacity": capacity.to_string(), "prices": [{"item_id": adult, "price": "10"}],
            "rules": [{"from": "2026-01-01", "to": "2030-12-31", "kind": "every", "every_minutes": "30", "first": "10:00", "last": "16:30"}]
        })).await);
        let day = today()
            .checked_add(jiff::Span::new().days(10))
            .unwrap()
            .to_string();
        let start = api.availability(&offer, &day).await["sessions"][0]["start"]
            .as_i64()
            .unwrap();
        Online {
            offer,
            adult,
            start,
            day,
            register: api.first_register().await,
        }
    }

    fn lines(&self, quantity: i64) -> Value {
        json!([{"offer_id": self.offer, "session_start": self.start, "item_id": self.adult, "quantity": quantity}])
    }

    async fn hold(&self, api: &Api<'_>, cart: &str, quantity: i64) -> (u16, Value) {
        api.put(
            &format!("/api/v1/carts/{cart}/holds"),
            json!({"lines": self.lines(quantity)}),
        )
        .await
    }

    /// A sale at the register, paid in cash, taking the cart's held places when `cart` is given.
    async fn sell(&self, api: &Api<'_>, quantity: i64, cart: Option<&str>) -> (u16, Value) {
        api.post(
            "/api/v1/orders",
            json!({"register_id": self.register, "lines": self.lines(quantity), "cart": cart,
                "payments": [{"method": "cash", "amount": format!("{}", quantity * 10)}]}),
        )
        .await
    }

    /// (sold, held, remaining) of the session.
    async fn places(&self, api: &Api<'_>) -> (i64, i64, i64) {
        let a = api.availability(&self.offer, &self.day).await;
        let s = a["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["start"] == self.start)
            .unwrap()
            .clone();
        (
            s["sold"].as_i64().unwrap(),
            s["held"].as_i64().unwrap(),
            s["remaining"].as_i64().unwrap(),
        )
    }
}

const CART: &str = "cart-0123456789abcdef";

#[tokio::test]
async fn a_cart_holds_places_for_every_channel_then_its_sale_takes_them() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let api = Api::new(&app, &a, "manager").await;
    let s = Online::new(&api, 10).await;

    let (status, held) = s.hold(&api, CART, 8).await;
    assert_eq!(status, 200, "{held}");
    assert_eq!(held["holds"][0]["quantity"], 8);
    let now = jiff::Timestamp::now().as_microsecond();
    let expires = held["expires_at"].as_i64().unwrap();
    assert!(
        (expires - now - 15 * 60 * 1_000_000).abs() < 60 * 1_000_000,
        "{held}"
    );
    assert_eq!(s.places(&api).await, (0, 8, 2));

    // The register sees the held places as taken.
    let (status, p) = s.sell(&api, 3, None).await;
    assert_eq!(status, 422, "{p}");
    assert_eq!(p["errors"][0]["code"], "sold_out", "{p}");
    // Another cart too.
    let (status, p) = s.hold(&api, "other-cart-0123456789", 3).await;
    assert_eq!((status, p["code"].as_str()), (409, Some("sold_out")), "{p}");
    assert_eq!(
        s.places(&api).await,
        (0, 8, 2),
        "a refused hold takes nothing"
    );
    assert_eq!(s.sell(&api, 2, None).await.0, 201);

    // Holding fewer gives places back; the cart's sale takes exactly what it holds.
    assert_eq!(s.hold(&api, CART, 6).await.0, 200);
    assert_eq!(s.places(&api).await, (2, 6, 2));
    let (status, order) = s.sell(&api, 6, Some(CART)).await;
    assert_eq!(status, 201, "{order}");
    assert_eq!(s.places(&api).await, (8, 0, 2));
    let left = api.ok(&format!("/api/v1/carts/{CART}/holds")).await;
    assert_eq!(left["holds"], json!([]));
    assert!(left["expires_at"].is_null());
    // Its holds are spent: the same cart cannot sell again.
    let (status, p) = s.sell(&api, 1, Some(CART)).await;
    assert_eq!(
        (status, p["code"].as_str()),
        (409, Some("hold_expired")),
        "{p}"
    );
    assert_eq!(
        s.places(&api).await,
        (8, 0, 2),
        "the refused sale took nothing"
    );

    // Letting go of a cart frees its places.
    assert_eq!(s.hold(&api, "third-cart-0123456789", 2).await.0, 200);
    assert_eq!(s.places(&api).await, (8, 2, 0));
    let (status, _) = api
        .delete("/api/v1/carts/third-cart-0123456789/holds")
        .await;
    assert_eq!(status, 204);
    assert_eq!(s.places(&api).await, (8, 0, 2));

    // Bad input: a cart token, a quantity, a session that is not one.
    let (status, p) = s.hold(&api, "short", 1).await;
    assert_eq!(status, 422, "{p}");
    assert_eq!(p["errors"][0]["field"], "cart");
    assert_eq!(p["errors"][0]["code"], "invalid_cart");
    let (status, p) = api
        .put(
            &format!("/api/v1/carts/{CART}/holds"),
            json!({"lines": [{"offer_id": s.offer, "session_start": s.start + 60_000_000, "item_id": s.adult, "quantity": 1}]}),
        )
        .await;
    assert_eq!(status, 422, "not a session: {p}");
    let (status, p) = s.hold(&api, CART, -1).await;
    assert_eq!(status, 422, "{p}");
    assert_eq!(s.places(&api).await, (8, 0, 2));
    app.stop().await;
}

#[tokio::test]
async fn an_offer_not_sold_online_cannot_be_held() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let api = Api::new(&app, &a, "manager").await;
    let c = crate::harness::Catalogue::belgian(&api).await; // sold at the register only
    let (status, p) = api
        .put(
            &format!("/api/v1/carts/{CART}/holds"),
            json!({"lines": c.tickets(2, 0)}),
        )
        .await;
    assert_eq!(status, 422, "{p}");
    let seller = Api::new(&app, &a, "seller").await;
    let s = Online::new(&api, 10).await;
    assert_eq!(s.hold(&seller, CART, 1).await.0, 200, "sellers may hold");
    let b = org(&app, "Abbaye B", "b").await;
    let other = Api::new(&app, &b, "manager").await;
    let (status, p) = s.hold(&other, "cart-of-b-0123456789", 1).await;
    assert_eq!(status, 422, "another organization's offer is unknown: {p}");
    let theirs = other.ok(&format!("/api/v1/carts/{CART}/holds")).await;
    assert_eq!(theirs["holds"], json!([]), "carts are per organization");
    app.stop().await;
}

#[tokio::test]
async fn racing_carts_hold_exactly_the_places_there_are() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let api = Api::new(&app, &a, "manager").await;
    let s = Online::new(&api, 10).await;
    let attempts: Vec<_> = (0..30)
        .map(|i| {
            let (s, api) = (&s, &api);
            async move { s.hold(api, &format!("race-cart-{i:012}"), 1).await.0 }
        })
        .collect();
    let statuses = futures_util::future::join_all(attempts).await;
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        10,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        20,
        "{statuses:?}"
    );
    assert_eq!(s.places(&api).await, (0, 10, 0));
    app.stop().await;
}

#[tokio::test]
async fn an_abandoned_cart_gives_its_places_back_by_itself() {
    let app = spawn_with(AppConfig {
        hold_duration: Duration::from_secs(1),
        hold_sweep_interval: Duration::from_millis(200),
        ..AppConfig::default()
    })
    .await;
    let a = org(&app, "Grottes A", "a").await;
    let api = Api::new(&app, &a, "manager").await;
    let s = Online::new(&api, 10).await;
    assert_eq!(s.hold(&api, CART, 10).await.0, 200);
    assert_eq!(s.places(&api).await, (0, 10, 0));
    // No request touches the cart: the sweep alone gives the places back.
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    assert_eq!(s.places(&api).await, (0, 0, 10));
    let (status, p) = s.sell(&api, 10, Some(CART)).await;
    assert_eq!(
        (status, p["code"].as_str()),
        (409, Some("hold_expired")),
        "{p}"
    );
    assert_eq!(s.places(&api).await, (0, 0, 10));
    app.stop().await;
}
