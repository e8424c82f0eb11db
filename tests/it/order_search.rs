//! The orders search (issue 18 §1): number (whatever the period), customer without accents,
//! ticket type, channel, state, payment status; keyset pages; the totals of the whole
//! result; the same search on the page (detailed view included), in the API and in the
//! attendance export. The seeds' dossiers of 16/03/2021 (features.md §4.2), built through the
//! API. On SQLite, and on PostgreSQL with `GUICHET_TEST_DATABASE_URL`.

use crate::harness::{Api, NeptuneTour, field_errors, login, org, spawn, today};
use serde_json::{Value, json};

fn numbers(page: &Value) -> Vec<String> {
    let mut n: Vec<String> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["number"].as_str().unwrap_or_default().to_owned())
        .collect();
    n.sort();
    n
}

#[tokio::test]
async fn the_orders_search_filters_pages_and_totals_the_whole_result() {
    let app = spawn().await;
    let a = org(&app, "Grottes de Neptune", "a").await;
    let api = Api::new(&app, &a, "manager").await;
    let NeptuneTour {
        offer,
        adult,
        child,
        senior,
        register,
        start,
        ..
    } = NeptuneTour::new(&api).await;
    let line = |item: &str, n: i64| json!({"offer_id": offer, "session_start": start, "item_id": item, "quantity": n});
    let eloise = api
        .created(
            "/api/v1/customers",
            json!({"first_name": "Éloïse", "last_name": "Dubois", "email": "eloise@example.be"}),
        )
        .await;
    let marc = api
        .created(
            "/api/v1/customers",
            json!({"first_name": "Marc", "last_name": "Lambert", "email": "marc@example.be"}),
        )
        .await;
    let sell = |customer: Option<&Value>, lines: Vec<Value>, payments: Vec<Value>| {
        let body = json!({"register_id": register, "customer_id": customer.map(|c| c["id"].clone()),
                          "lines": lines, "payments": payments});
        async {
            let (status, o) = api.post("/api/v1/orders", body).await;
            assert_eq!(status, 201, "{o}");
            o["number"].as_str().unwrap().to_owned()
        }
    };
    // P…0795: Ticket adulte, 8,50, unpaid, for Éloïse.
    let unpaid = sell(Some(&eloise), vec![line(&adult, 1)], vec![]).await;
    // P…0788: Ticket adulte x2, 17,00 paid.
    let paid = sell(
        None,
        vec![line(&adult, 2)],
        vec![json!({"method": "cash", "amount": "17"})],
    )
    .await;
    // P…0685: Ticket adulte x2, Ticket enfant, Ticket senior x2: 37,00, 10,00 paid, for Marc.
    let family = sell(
        Some(&marc),
        vec![line(&adult, 2), line(&child, 1), line(&senior, 2)],
        vec![json!({"method": "cash", "amount": "10"})],
    )
    .await;
    let t = today();
    let list = |q: String| {
        let api = &api;
        async move { api.ok(&format!("/api/v1/orders?from={t}&to={t}&{q}")).await }
    };

    // Each criterion alone.
    assert_eq!(numbers(&list(String::new()).await).len(), 3);
    assert_eq!(
        numbers(&list("customer=eloise".into()).await),
        [unpaid.as_str()]
    );
    assert_eq!(
        numbers(&list("customer=DUBOIS%20elo".into()).await),
        [unpaid.as_str()]
    );
    assert_eq!(
        numbers(&list("customer=lambert".into()).await),
        [family.as_str()]
    );
    assert_eq!(
        numbers(&list("payment=unpaid".into()).await),
        [unpaid.as_str()]
    );
    assert_eq!(numbers(&list("payment=paid".into()).await), [paid.as_str()]);
    assert_eq!(
        numbers(&list("payment=partly_paid".into()).await),
        [family.as_str()]
    );
    assert!(numbers(&list("payment=over_collected".into()).await).is_empty());
    let mut due = vec![unpaid.clone(), family.clone()];
    due.sort();
    assert_eq!(numbers(&list("payment=due".into()).await), due);
    assert_eq!(numbers(&list("payment=mismatch".into()).await), due);
    assert_eq!(
        numbers(&list(format!("item={child}")).await),
        [family.as_str()]
    );
    assert_eq!(numbers(&list(format!("offer={offer}")).await).len(), 3);
    assert_eq!(
        numbers(&list(format!("channel=register:{register}")).await).len(),
        3
    );
    assert_eq!(numbers(&list("channel=registers".into()).await).len(), 3);
    assert!(numbers(&list("channel=online".into()).await).is_empty());
    assert_eq!(
        numbers(&list("state=awaiting_payment".into()).await).len(),
        2
    );
    assert_eq!(
        numbers(&list("state=confirmed".into()).await),
        [paid.as_str()]
    );
    // Criteria together.
    assert_eq!(
        numbers(&list(format!("payment=unpaid&item={adult}&customer=dubois")).await),
        [unpaid.as_str()]
    );
    assert!(numbers(&list(format!("payment=unpaid&item={child}")).await).is_empty());
    // A number finds its order whatever the period.
    let (status, far) = api
        .get(&format!(
            "/api/v1/orders?from=2001-01-01&to=2001-01-31&number={family}"
        ))
        .await;
    assert_eq!(status, 200, "{far}");
    assert_eq!(numbers(&far), [family.as_str()]);
    let prefix = &unpaid[..7];
    assert_eq!(
        numbers(
            &api.ok(&format!(
                "/api/v1/orders?from=2001-01-01&to=2001-01-01&number={}",
                prefix.to_lowercase()
            ))
            .await
        )
        .len(),
        3
    );
    // The detailed view's lines come with each order.
    let fam = list(format!("number={family}")).await;
    let lines = fam["items"][0]["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[2]["label"], "Ticket senior");
    assert_eq!(
        (
            lines[2]["quantity"].as_i64(),
            lines[2]["total_cents"].as_i64()
        ),
        (Some(2), Some(1500))
    );

    // Keyset pages: two, then the last one, no order twice.
    let first = list("limit=2".into()).await;
    assert_eq!(first["items"].as_array().unwrap().len(), 2);
    let next = first["next"].as_str().unwrap();
    let second = list(format!("limit=2&after={next}")).await;
    assert!(second["next"].is_null());
    let mut all = numbers(&first);
    all.extend(numbers(&second));
    all.sort();
    let mut expected = vec![unpaid.clone(), paid.clone(), family.clone()];
    expected.sort();
    assert_eq!(all, expected);

    // The totals of the whole result, not of a page.
    let totals = api
        .ok(&format!("/api/v1/orders/totals?from={t}&to={t}"))
        .await;
    assert_eq!(totals["orders"], 3);
    assert_eq!(totals["live_orders"], 3);
    assert_eq!(totals["total_cents"], 850 + 1700 + 3700);
    assert_eq!(totals["collected_cents"], 1700 + 1000);
    assert_eq!(totals["to_collect_cents"], 850 + 2700);
    assert_eq!(totals["over_collected_cents"], 0);
    let unpaid_totals = api
        .ok(&format!(
            "/api/v1/orders/totals?from={t}&to={t}&payment=unpaid"
        ))
        .await;
    assert_eq!(unpaid_totals["total_cents"], 850);

    // Bad criteria are field errors, not an empty result.
    for (q, field) in [
        ("state=lost", "state"),
        ("payment=maybe", "payment"),
        ("channel=shop", "channel"),
        ("channel=register:xyz", "channel"),
        ("item=12", "item"),
        ("seller=me", "seller"),
    ] {
        let (status, p) = api
            .get(&format!("/api/v1/orders?from={t}&to={t}&{q}"))
            .await;
        assert_eq!(status, 422, "{q}: {p}");
        assert_eq!(
            field_errors(&p),
            [(field.to_owned(), "invalid".to_owned())],
            "{q}"
        );
    }

    // The page: the same search, its totals on top, the detailed view one row per line.
    let manager = login(&app, &a.manager).await;
    let page = |q: String| {
        let manager = manager.clone();
        let url = app.url(&format!("/orders?from={t}&to={t}&{q}"));
        async move {
            let r = manager.get(url).send().await.unwrap();
            let status = r.status().as_u16();
            (status, r.text().await.unwrap())
        }
    };
    let (status, html) = page("customer=%C3%A9lo%C3%AFse".into()).await;
    assert_eq!(status, 200);
    assert!(html.contains(&unpaid) && !html.contains(&paid) && !html.contains(&family));
    assert!(html.contains("id=\"total-total\">8,50"), "totals on top");
    let (_, html) = page("payment=partly_paid&view=lines".into()).await;
    assert_eq!(html.matches("<tr class=\"line").count(), 3, "{html}");
    assert!(html.contains("id=\"total-to-collect\">27,00"));
    let (status, html) = page("state=lost".into()).await;
    assert_eq!(status, 422);
    assert!(html.contains("class=\"error\""));

    // The export is of the search.
    let r = manager
        .get(app.url(&format!(
            "/orders/export?from={t}&to={t}&detail=orders&format=csv&payment=unpaid"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let csv = r.text().await.unwrap();
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    assert_eq!(rows.len(), 1, "{csv}");
    assert!(rows[0].starts_with(&unpaid));
}
