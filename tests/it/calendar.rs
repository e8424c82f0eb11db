//! The site's calendar and offers that follow its opening hours.

use crate::harness::{api_key, client, login, org, spawn};
use serde_json::{Value, json};

#[tokio::test]
async fn opening_hours_and_offers_that_follow_them() {
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let key = api_key(&app, &a, "manager").await;
    let c = client();
    let empty: Value = c
        .get(app.url("/api/v1/calendars/individuals"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(empty["periods"].as_array().unwrap().len(), 0);
    let bad = json!({"periods": [{"from": "2026-01-01", "to": "2026-12-31", "open": "17:00", "close": "10:00"}], "closed_dates": "21/07"});
    let r = c
        .put(app.url("/api/v1/calendars/individuals"))
        .bearer_auth(&key)
        .json(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let p: Value = r.json().await.unwrap();
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["periods.0.close", "closed_dates"]);
    let calendar = json!({
        "periods": [
            {"from": "2026-01-01", "to": "2026-12-31", "weekdays": "sat,sun", "open": "11:00", "close": "16:00"},
            {"from": "2026-07-01", "to": "2026-08-31", "open": "10:00", "close": "17:30"}
        ],
        "closed_dates": "2026-07-21"
    });
    let r = c
        .put(app.url("/api/v1/calendars/individuals"))
        .bearer_auth(&key)
        .json(&calendar)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        c.get(app.url("/api/v1/calendars/nobody"))
            .bearer_auth(&key)
            .send()
            .await
            .unwrap()
            .status(),
        404
    );

    let rates: Value = c
        .get(app.url("/api/v1/vat-rates"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap()["items"]
        .clone();
    let vat = rates[0]["id"].as_str().unwrap().to_owned();
    let ticket: Value = c
        .post(app.url("/api/v1/ticket-types"))
        .bearer_auth(&key)
        .json(&json!({"name": "Entrée", "vat_rate_id": vat, "sale_pos": true}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let offer: Value = c
        .post(app.url("/api/v1/offers"))
        .bearer_auth(&key)
        .json(&json!({"fr": {"name": "Visite libre"}, "kind": "activity", "sale_pos": true, "capacity": "300", "follows": "individuals",
                      "prices": [{"item_id": ticket["id"], "price": "6"}]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(offer["follows_calendar"], "individuals");
    let id = offer["id"].as_str().unwrap();
    // Wed 4 March closed, Sat 7 March 11:00, Wed 8 July 10:00, Tue 21 July closed.
    let av: Value = c
        .get(app.url(&format!(
            "/api/v1/offers/{id}/availability?from=2026-03-04&to=2026-03-07"
        )))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let got: Vec<(String, String)> = av["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["date"].as_str().unwrap().to_owned(),
                s["time"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(got, vec![("2026-03-07".to_owned(), "11:00".to_owned())]);
    let av: Value = c
        .get(app.url(&format!(
            "/api/v1/offers/{id}/availability?from=2026-07-20&to=2026-07-22"
        )))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let days: Vec<&str> = av["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["date"].as_str().unwrap())
        .collect();
    assert_eq!(days, vec!["2026-07-20", "2026-07-22"]);
    assert_eq!(av["sessions"][0]["time"], "10:00");
    assert_eq!(av["sessions"][0]["capacity"], 300);

    // The calendar page, with an error on one period.
    let m = login(&app, &a.manager).await;
    let page = m
        .get(app.url("/activity/calendar"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("17:30") && page.contains("2026-07-21"));
    let r = m
        .post(app.url("/activity/calendar/groups"))
        .form(&[
            ("periods.0.from", "2026-01-01"),
            ("periods.0.to", "2026-12-31"),
            ("periods.0.weekdays", "lundi"),
            ("periods.0.open", "09:00"),
            ("periods.0.close", "12:00"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Jour inconnu"));
    let r = m
        .post(app.url("/activity/calendar/groups"))
        .form(&[
            ("periods.0.from", "2026-01-01"),
            ("periods.0.to", "2026-12-31"),
            ("periods.0.weekdays", "mon,tue"),
            ("periods.0.open", "09:00"),
            ("periods.0.close", "12:00"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let groups: Value = c
        .get(app.url("/api/v1/calendars/groups"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(groups["periods"][0]["weekdays"], "mon,tue");
    // Sellers read the calendar, cannot change it.
    let seller = api_key(&app, &a, "seller").await;
    assert_eq!(
        c.get(app.url("/api/v1/calendars/groups"))
            .bearer_auth(&seller)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        c.put(app.url("/api/v1/calendars/groups"))
            .bearer_auth(&seller)
            .json(&calendar)
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    app.stop().await;
}
