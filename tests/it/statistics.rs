//! Statistics and the dashboard (issue 18 §3), from the orders themselves: every breakdown
//! (offer, ticket type, product group, channel, seller) adds up to the orders' own totals to
//! the cent; visitors are the places sold; the observatory's table counts visitors by origin;
//! revenue by payment date beside revenue by visit date; what is sold and not visited yet;
//! the dashboard's sales and arrivals. The seeds' prices (features.md §4.2). On SQLite, and on
//! PostgreSQL with `GUICHET_TEST_DATABASE_URL`.

use crate::harness::{Api, login, org, spawn, today};
use serde_json::json;

/// Cents from "8,50".
fn cents(s: &str) -> i64 {
    let s = s.replace([' ', '\u{a0}', '\u{202f}', '€'], "");
    let (units, dec) = s.split_once(',').unwrap_or((&s, "00"));
    let sign = if units.starts_with('-') { -1 } else { 1 };
    sign * (units.trim_start_matches('-').parse::<i64>().unwrap() * 100
        + dec.parse::<i64>().unwrap())
}

#[tokio::test]
async fn statistics_add_up_to_the_orders_totals_in_every_breakdown() {
    let app = spawn().await;
    let a = org(&app, "Grottes de Neptune", "a").await;
    let api = Api::new(&app, &a, "manager").await;
    let adult = api.ticket_type("Ticket adulte", 0).await;
    let child = api.ticket_type("Ticket enfant", 0).await;
    let offer = api
        .offer(
            "Visite guidée des Grottes de Neptune",
            40,
            &[(&adult, "8,50"), (&child, "5,00")],
        )
        .await;
    let cap = api.product("Casquette Truck", "12,00", 2100, None).await;
    let register = api.first_register().await;
    let visit = today().checked_add(jiff::Span::new().days(7)).unwrap();
    let day = visit.to_string();
    let start = api.availability(&offer, &day).await["sessions"][0]["start"]
        .as_i64()
        .unwrap();
    let line = |item: &str, n: i64| json!({"offer_id": offer, "session_start": start, "item_id": item, "quantity": n});
    let sell = |body: serde_json::Value| {
        let api = &api;
        async move {
            let (status, o) = api.post("/api/v1/orders", body).await;
            assert_eq!(status, 201, "{o}");
            o
        }
    };
    // 17,00 + 12,00: two adults from Namur and a cap, paid.
    sell(json!({"register_id": register, "lines": [line(&adult, 2), {"product_id": cap, "quantity": 1}],
        "payments": [{"method": "cash", "amount": "29"}], "origin": {"country": "BE", "postal_code": "5000"}})).await;
    // 13,50: an adult and a child from Zuid-Holland, unpaid (visit to come).
    sell(
        json!({"register_id": register, "lines": [line(&adult, 1), line(&child, 1)], "payments": [],
        "origin": {"country": "NL", "province": "Zuid-Holland"}}),
    )
    .await;
    // 24,00: two caps, paid by card.
    sell(
        json!({"register_id": register, "lines": [{"product_id": cap, "quantity": 2}],
        "payments": [{"method": "card_terminal", "amount": "24"}]}),
    )
    .await;
    // Cancelled: counts nowhere.
    let gone =
        sell(json!({"register_id": register, "lines": [line(&child, 3)], "payments": []})).await;
    let (status, p) = api
        .post(
            &format!("/api/v1/orders/{}/cancel", gone["id"].as_str().unwrap()),
            json!({"reason": "Annulé par téléphone"}),
        )
        .await;
    assert_eq!(status, 200, "{p}");

    let t = today();
    let totals = api
        .ok(&format!("/api/v1/orders/totals?from={t}&to={t}"))
        .await;
    let revenue = totals["total_cents"].as_i64().unwrap();
    assert_eq!(revenue, 1700 + 1200 + 1350 + 2400);

    let manager = login(&app, &a.manager).await;
    let get = |path: String| {
        let manager = manager.clone();
        let url = app.url(&path);
        async move {
            let r = manager.get(url).send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    // Each breakdown's CSV: its revenue column sums to the orders' totals; visitors are the
    // places sold (2 + 2, the cancelled 3 left out).
    for dimension in ["offer", "item", "product_group", "channel", "seller"] {
        for grain in ["day", "week", "month", "year"] {
            let (status, csv) = get(format!(
                "/statistics/export?from={t}&to={t}&dimension={dimension}&grain={grain}&table=breakdown&format=csv"
            ))
            .await;
            assert_eq!(status, 200, "{dimension} {grain}: {csv}");
            let csv = csv.strip_prefix('\u{feff}').expect("a BOM");
            let mut lines = csv.lines();
            assert_eq!(
                lines.next(),
                Some("Période;Groupe;Visiteurs;Chiffre d'affaires TTC")
            );
            let rows: Vec<Vec<&str>> = lines.map(|l| l.split(';').collect()).collect();
            assert_eq!(
                rows.iter().map(|r| cents(r[3])).sum::<i64>(),
                revenue,
                "{dimension} {grain}: {csv}"
            );
            assert_eq!(
                rows.iter()
                    .map(|r| r[2].parse::<i64>().unwrap())
                    .sum::<i64>(),
                4,
                "{dimension}"
            );
        }
    }
    let (_, csv) = get(format!(
        "/statistics/export?from={t}&to={t}&dimension=item&table=breakdown&format=csv"
    ))
    .await;
    assert!(csv.contains(";Casquette Truck;0;36,00"), "{csv}");
    assert!(csv.contains(";Ticket adulte;3;25,50"), "{csv}");

    // By visit date: the tickets fall on the visit day, the caps on their sale day.
    let (_, csv) = get(format!(
        "/statistics/export?from={t}&to={day}&by=visit&dimension=offer&grain=day&table=breakdown&format=csv"
    ))
    .await;
    let on_visit = visit.strftime("%d/%m/%Y").to_string();
    let visit_rows: i64 = csv
        .lines()
        .filter(|l| l.starts_with(&on_visit))
        .map(|l| cents(l.split(';').nth(3).unwrap()))
        .sum();
    assert_eq!(visit_rows, 1700 + 1350, "{csv}");

    // The observatory's table: visitors by origin × ticket type × channel.
    let (_, csv) = get(format!(
        "/statistics/export?from={t}&to={t}&table=origins&format=csv"
    ))
    .await;
    assert!(
        csv.contains(";BE;Namur;Ticket adulte;Grottes de Neptune Accueil;2"),
        "{csv}"
    );
    assert!(csv.contains(";NL;Zuid-Holland;Ticket enfant;"), "{csv}");

    // The page: totals, the chart, payments beside visits, what is still to be visited.
    let (status, html) = get(format!(
        "/statistics?from={t}&to={t}&dimension=channel&grain=day"
    ))
    .await;
    assert_eq!(status, 200);
    assert!(html.contains("id=\"stats-revenue\">66,50"), "{html}");
    assert!(html.contains("<svg id=\"stats-chart\""));
    assert!(
        html.contains("id=\"stats-deferred\">30,50"),
        "next week's visits: {html}"
    );
    assert!(html.contains("17,00"), "of which collected");
    assert!(html.contains(">53,00"), "the day's payments, 29,00 + 24,00");
    let (status, html) = get(format!("/statistics?from={t}&to={t}&grain=fortnight")).await;
    assert_eq!(status, 422);
    assert!(html.contains("class=\"error\""));
    let (status, _) = get(format!(
        "/statistics/export?from={t}&to={t}&table=everything"
    ))
    .await;
    assert_eq!(status, 422);

    // The dashboard: today's sales, next week's arrivals, the orders to look at.
    let (status, html) = get("/".into()).await;
    assert_eq!(status, 200);
    assert!(html.contains("id=\"sales-day\""), "{html}");
    assert!(html.contains("66,50"), "{html}");
    assert!(html.contains("id=\"dashboard-arrivals\""));

    // A seller cannot read the statistics.
    let seller = login(&app, &a.seller).await;
    let r = seller.get(app.url("/statistics")).send().await.unwrap();
    assert_eq!(r.status(), 403);
}
