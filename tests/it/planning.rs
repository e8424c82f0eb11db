//! Availability and planning: session capacity and closing, stop-sales and reopening.

use crate::harness::{TestApp, api_key, client, login, org, spawn};
use serde_json::{Value, json};

async fn post(app: &TestApp, key: &str, path: &str, body: Value) -> reqwest::Response {
    client()
        .post(app.url(path))
        .bearer_auth(key)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn setup(app: &TestApp, key: &str) -> (String, String) {
    let rates: Value = client()
        .get(app.url("/api/v1/vat-rates"))
        .bearer_auth(key)
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap()["items"]
        .clone();
    let vat0 = rates
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rate_basis_points"] == 0)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let adult: Value = post(app, key, "/api/v1/ticket-types", json!({"name": "Ticket adulte", "vat_rate_id": vat0, "sale_pos": true, "daily_stock": "500"})).await.json().await.unwrap();
    let adult = adult["id"].as_str().unwrap().to_owned();
    let offer: Value = post(
        app,
        key,
        "/api/v1/offers",
        json!({
            "fr": {"name": "Visite guidée"}, "kind": "activity", "sale_pos": true, "capacity": "40",
            "prices": [{"item_id": adult, "price": "8,50"}],
            "rules": [{"from": "2026-01-01", "to": "2027-12-31", "kind": "every", "every_minutes": "30", "first": "10:00", "last": "16:30"}]
        }),
    )
    .await
    .json()
    .await
    .unwrap();
    (offer["id"].as_str().unwrap().to_owned(), adult)
}

async fn availability(app: &TestApp, key: &str, offer: &str, from: &str, to: &str) -> Value {
    client()
        .get(app.url(&format!(
            "/api/v1/offers/{offer}/availability?from={from}&to={to}"
        )))
        .bearer_auth(key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// The guided tour of [`setup`] for organization A, by its manager, with the starts of the
/// first two sessions of 14 July 2026.
struct Plan<'a> {
    app: &'a TestApp,
    a: crate::harness::OrgFixture,
    key: String,
    offer: String,
    adult: String,
    start: i64,
    second: i64,
}

async fn plan(app: &TestApp) -> Plan<'_> {
    let a = org(app, "Grottes A", "a").await;
    let key = api_key(app, &a, "manager").await;
    let (offer, adult) = setup(app, &key).await;
    let av = availability(app, &key, &offer, "2026-07-14", "2026-07-14").await;
    let start = av["sessions"][0]["start"].as_i64().unwrap();
    let second = av["sessions"][1]["start"].as_i64().unwrap();
    Plan {
        app,
        a,
        key,
        offer,
        adult,
        start,
        second,
    }
}

impl Plan<'_> {
    /// Changes the session starting at `start`: the response.
    async fn session(&self, start: i64, body: Value) -> reqwest::Response {
        client()
            .put(
                self.app
                    .url(&format!("/api/v1/offers/{}/sessions/{start}", self.offer)),
            )
            .bearer_auth(&self.key)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// The first session's capacity lowered to 25.
    async fn lower_first(&self) {
        let r = self.session(self.start, json!({"capacity": "25"})).await;
        assert_eq!(r.status(), 204);
    }

    /// The second session closed.
    async fn close_second(&self) {
        let r = self.session(self.second, json!({"closed": true})).await;
        assert_eq!(r.status(), 204);
    }

    /// 22 places sold and 3 held in the first session, as the sale will count them.
    async fn sell_first(&self) {
        let offer_uuid: uuid::Uuid = self.offer.parse().unwrap();
        let org_id = self.a.id.0;
        let start = self.start;
        self.app.store
            .write(|tx| {
                Box::pin(async move {
                    guichet_store::on_tx!(tx, c => sqlx::query(
                        "INSERT INTO session_counts (organization_id, offer_id, session_start, sold, held) VALUES ($1, $2, $3, 22, 3)")
                        .bind(org_id).bind(offer_uuid).bind(start).execute(c).await?.rows_affected());
                    Ok(())
                })
            })
            .await
            .unwrap();
    }

    async fn availability(&self, from: &str, to: &str) -> Value {
        availability(self.app, &self.key, &self.offer, from, to).await
    }

    /// The offer and the adult ticket on 14 and 15 July.
    fn two_days(&self) -> Value {
        json!({"offer_ids": [self.offer], "ticket_type_ids": [self.adult], "from": "2026-07-14", "to": "2026-07-15"})
    }

    /// The planning page of 14 and 15 July, as the manager sees it.
    async fn page(&self, m: &reqwest::Client) -> String {
        m.get(self.app.url(&format!(
            "/planning?offer={}&from=2026-07-14&days=2",
            self.offer
        )))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
    }
}

#[tokio::test]
async fn sessions_open_at_the_offers_capacity_and_tickets_at_their_daily_stock() {
    let app = spawn().await;
    let p = plan(&app).await;
    let av = p.availability("2026-07-14", "2026-07-15").await;
    let sessions = av["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 28);
    assert_eq!(
        (
            sessions[0]["capacity"].as_i64(),
            sessions[0]["remaining"].as_i64(),
            sessions[0]["sold"].as_i64()
        ),
        (Some(40), Some(40), Some(0))
    );
    assert_eq!(av["items"][0]["days"][0]["left"], 500);
    app.stop().await;
}

#[tokio::test]
async fn a_sessions_capacity_can_be_lowered_and_a_session_closed() {
    let app = spawn().await;
    let p = plan(&app).await;
    p.lower_first().await;
    p.close_second().await;
    let av = p.availability("2026-07-14", "2026-07-14").await;
    assert_eq!(
        (
            av["sessions"][0]["capacity"].as_i64(),
            av["sessions"][0]["remaining"].as_i64()
        ),
        (Some(25), Some(25))
    );
    assert_eq!(
        (
            av["sessions"][1]["closed"].as_bool(),
            av["sessions"][1]["remaining"].as_i64()
        ),
        (Some(true), Some(0))
    );
    app.stop().await;
}

#[tokio::test]
async fn a_session_the_offer_does_not_have_is_not_found() {
    let app = spawn().await;
    let p = plan(&app).await;
    let r = p
        .session(p.start + 60_000_000, json!({"capacity": "25"}))
        .await;
    assert_eq!(r.status(), 404);
    app.stop().await;
}

#[tokio::test]
async fn a_negative_capacity_is_refused() {
    let app = spawn().await;
    let p = plan(&app).await;
    let r = p.session(p.start, json!({"capacity": "-3"})).await;
    assert_eq!(r.status(), 422);
    app.stop().await;
}

#[tokio::test]
async fn sold_and_held_places_fill_a_session_and_bound_its_capacity_from_below() {
    let app = spawn().await;
    let p = plan(&app).await;
    // Lowered to 25, then 22 sold and 3 held: full.
    p.lower_first().await;
    p.sell_first().await;
    let av = p.availability("2026-07-14", "2026-07-14").await;
    assert_eq!(
        (
            av["sessions"][0]["sold"].as_i64(),
            av["sessions"][0]["held"].as_i64(),
            av["sessions"][0]["remaining"].as_i64(),
            av["sessions"][0]["fill_percent"].as_i64()
        ),
        (Some(22), Some(3), Some(0), Some(100))
    );
    let r = p.session(p.start, json!({"capacity": "24"})).await;
    let problem: Value = r.json().await.unwrap();
    assert_eq!(problem["errors"][0]["code"], "capacity_below_sold");
    app.stop().await;
}

#[tokio::test]
async fn one_action_stops_the_sales_of_an_offer_and_a_ticket_type_over_several_days() {
    let app = spawn().await;
    let p = plan(&app).await;
    let r = post(&app, &p.key, "/api/v1/stop-sales", p.two_days()).await;
    assert_eq!(r.json::<Value>().await.unwrap()["changed"], 4);
    let av = p.availability("2026-07-13", "2026-07-15").await;
    let stopped: Vec<bool> = av["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["time"] == "15:00")
        .map(|s| s["stopped"].as_bool().unwrap())
        .collect();
    assert_eq!(stopped, vec![false, true, true]);
    assert!(
        av["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["stopped"] == true)
            .all(|s| s["remaining"] == 0)
    );
    assert_eq!(av["items"][0]["days"][1]["stopped"], true);
    app.stop().await;
}

#[tokio::test]
async fn one_action_reopens_the_stopped_sales() {
    let app = spawn().await;
    let p = plan(&app).await;
    let r = post(&app, &p.key, "/api/v1/stop-sales", p.two_days()).await;
    assert_eq!(r.status(), 200);
    let r = post(&app, &p.key, "/api/v1/reopen-sales", p.two_days()).await;
    assert_eq!(r.json::<Value>().await.unwrap()["changed"], 4);
    let av = p.availability("2026-07-14", "2026-07-15").await;
    assert!(
        av["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["stopped"] == false)
    );
    app.stop().await;
}

#[tokio::test]
async fn a_stop_of_sales_needs_something_to_stop_and_days_in_order() {
    let app = spawn().await;
    let p = plan(&app).await;
    let r = post(
        &app,
        &p.key,
        "/api/v1/stop-sales",
        json!({"from": "2026-07-14", "to": "2026-07-15"}),
    )
    .await;
    assert_eq!(r.status(), 422);
    let r = post(
        &app,
        &p.key,
        "/api/v1/stop-sales",
        json!({"offer_ids": [p.offer], "from": "2026-07-15", "to": "2026-07-14"}),
    )
    .await;
    assert_eq!(r.status(), 422);
    app.stop().await;
}

#[tokio::test]
async fn sellers_see_the_planning_but_cannot_change_it() {
    let app = spawn().await;
    let p = plan(&app).await;
    let offer = &p.offer;
    let seller = api_key(&app, &p.a, "seller").await;
    assert_eq!(
        client()
            .get(app.url(&format!(
                "/api/v1/offers/{offer}/availability?from=2026-07-14&to=2026-07-14"
            )))
            .bearer_auth(&seller)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        post(
            &app,
            &seller,
            "/api/v1/stop-sales",
            json!({"offer_ids": [offer], "from": "2026-07-14", "to": "2026-07-14"})
        )
        .await
        .status(),
        403
    );
    app.stop().await;
}

#[tokio::test]
async fn the_planning_grid_shows_full_closed_and_open_sessions() {
    let app = spawn().await;
    let p = plan(&app).await;
    // The first session lowered to 25 and full, the second closed.
    p.lower_first().await;
    p.close_second().await;
    p.sell_first().await;
    let m = login(&app, &p.a.manager).await;
    let page = p.page(&m).await;
    assert!(
        page.contains("0/25") && page.contains("Fermée") && page.contains("40/40"),
        "grid cells"
    );
    app.stop().await;
}

#[tokio::test]
async fn sales_stopped_by_page_show_on_the_planning() {
    let app = spawn().await;
    let p = plan(&app).await;
    let offer = p.offer.as_str();
    let m = login(&app, &p.a.manager).await;
    let r = m
        .post(app.url("/planning/stop-sales"))
        .form(&[
            ("offer_ids", offer),
            ("from", "2026-07-14"),
            ("to", "2026-07-14"),
            ("action", "stop"),
            ("return_offer", offer),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let page = p.page(&m).await;
    assert_eq!(page.matches("Ventes arrêtées</span>").count(), 1);
    app.stop().await;
}

#[tokio::test]
async fn a_sessions_capacity_is_changed_on_its_page() {
    let app = spawn().await;
    let p = plan(&app).await;
    let (offer, second) = (&p.offer, p.second);
    let m = login(&app, &p.a.manager).await;
    let r = m
        .post(app.url(&format!("/planning/session?offer={offer}&start={second}")))
        .form(&[("capacity", "35")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let page = m
        .get(app.url(&format!("/planning/session?offer={offer}&start={second}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("35"));
    app.stop().await;
}

#[tokio::test]
async fn planning_per_ticket_type_spans_every_offer_selling_it() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let key = api_key(&app, &a, "manager").await;
    let (offer, adult) = setup(&app, &key).await;
    // A second offer sells the same ticket type at two fixed times; a third does not sell it.
    let night: Value = post(
        &app,
        &key,
        "/api/v1/offers",
        json!({
            "fr": {"name": "Visite nocturne"}, "kind": "event", "sale_pos": true, "capacity": "15",
            "prices": [{"item_id": adult, "price": "12,00"}],
            "rules": [{"from": "2026-07-01", "to": "2026-07-31", "kind": "fixed", "times": "20:00 21:30"}]
        }),
    )
    .await
    .json()
    .await
    .unwrap();
    let night = night["id"].as_str().expect("night offer").to_owned();
    let vat = client()
        .get(app.url(&format!("/api/v1/ticket-types/{adult}")))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["vat_rate_id"]
        .clone();
    let child: Value = post(
        &app,
        &key,
        "/api/v1/ticket-types",
        json!({"name": "Ticket enfant", "vat_rate_id": vat, "sale_pos": true}),
    )
    .await
    .json()
    .await
    .unwrap();
    let r = post(
        &app,
        &key,
        "/api/v1/offers",
        json!({
            "fr": {"name": "Atelier"}, "kind": "activity", "sale_pos": true, "capacity": "10",
            "prices": [{"item_id": child["id"], "price": "4,00"}],
            "rules": [{"from": "2026-07-01", "to": "2026-07-31", "kind": "fixed", "times": "14:00"}]
        }),
    )
    .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap_or_default());
    let r = post(
        &app,
        &key,
        "/api/v1/stop-sales",
        json!({"ticket_type_ids": [adult], "from": "2026-07-15", "to": "2026-07-15"}),
    )
    .await;
    assert!(r.status().is_success());

    let av: Value = client()
        .get(app.url(&format!(
            "/api/v1/ticket-types/{adult}/availability?from=2026-07-14&to=2026-07-15"
        )))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(av["ticket_type"]["name"], "Ticket adulte");
    let days = av["ticket_type"]["days"].as_array().unwrap();
    assert_eq!(
        (
            days[0]["left"].as_i64(),
            days[0]["stopped"].as_bool(),
            days[1]["stopped"].as_bool()
        ),
        (Some(500), Some(false), Some(true))
    );
    let offers = av["offers"].as_array().unwrap();
    let names: Vec<&str> = offers.iter().map(|o| o["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["Visite guidée", "Visite nocturne"]);
    assert_eq!(offers[0]["offer_id"], offer.as_str());
    assert_eq!(offers[0]["sessions"].as_array().unwrap().len(), 28);
    assert_eq!(offers[1]["offer_id"], night.as_str());
    assert_eq!(offers[1]["sessions"].as_array().unwrap().len(), 4);
    assert_eq!(offers[1]["sessions"][0]["capacity"], 15);

    // Unknown id, another kind's id, a bad range: clear answers.
    let r = client()
        .get(app.url(&format!(
            "/api/v1/ticket-types/{offer}/availability?from=2026-07-14&to=2026-07-15"
        )))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = client()
        .get(app.url(&format!(
            "/api/v1/ticket-types/{adult}/availability?from=2026-07-15&to=2026-07-14"
        )))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);

    // The page: one grid with both offers' sessions, each cell naming its offer and linking
    // to that offer's session.
    let m = login(&app, &a.manager).await;
    let page = m
        .get(app.url(&format!(
            "/planning?ticket_type={adult}&from=2026-07-14&days=2"
        )))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(&format!("/planning/session?offer={night}&amp;start="))
            || page.contains(&format!("/planning/session?offer={night}&start="))
    );
    assert!(
        page.contains(&format!("/planning/session?offer={offer}&amp;start="))
            || page.contains(&format!("/planning/session?offer={offer}&start="))
    );
    assert!(
        page.contains("Visite nocturne</span>") && page.contains("15/15") && page.contains("40/40")
    );
    assert!(!page.contains("Atelier</span>"));
    assert!(
        page.contains("Ventes arrêtées"),
        "the stopped day shows in the stock line"
    );
    app.stop().await;
}
