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

/// The tabs of the orders list (the seeds' "À confirmer", "Devis", "Caisses", "Arrivées du
/// jour", "Arrivées de la semaine", issue 19 §2) are presets of the search: the quotes still
/// to confirm, every quote whatever became of it (a `D…` number), the register sales of
/// the day, and the arrivals that count (not the quotes, not the cancelled) of today and of
/// this week. The same criteria in the API (`quoted=yes`, `state=live`).
#[tokio::test]
async fn the_orders_tabs_are_presets_of_the_search() {
    let app = spawn().await;
    let a = org(&app, "Grottes de Neptune", "a").await;
    let api = Api::new(&app, &a, "manager").await;
    let NeptuneTour {
        offer,
        adult,
        register,
        start,
        ..
    } = NeptuneTour::new(&api).await;
    let sale = |quote: bool, paid: bool| {
        let mut body = json!({"register_id": register, "quote": quote,
            "lines": [{"offer_id": offer, "session_start": start, "item_id": adult, "quantity": 1}]});
        if paid {
            body["payments"] = json!([{"method": "cash", "amount": "8,50"}]);
        }
        let api = &api;
        async move { api.created("/api/v1/orders", body).await }
    };
    let number = |o: &Value| {
        o["number"]
            .as_str()
            .or(o["quote_number"].as_str())
            .unwrap()
            .to_owned()
    };
    let paid = sale(false, true).await;
    let unpaid = sale(false, false).await;
    let open_quote = sale(true, false).await;
    let confirmed_quote = sale(true, false).await;
    let (status, confirmed_quote) = api
        .post(
            &format!(
                "/api/v1/orders/{}/confirm",
                confirmed_quote["id"].as_str().unwrap()
            ),
            json!({"register_id": register}),
        )
        .await;
    assert_eq!(status, 200, "{confirmed_quote}");
    let cancelled = sale(false, true).await;
    let (status, body) = api
        .post(
            &format!(
                "/api/v1/orders/{}/cancel",
                cancelled["id"].as_str().unwrap()
            ),
            json!({"reason": "Client parti", "refund": {"method": "cash", "amount": "8,50"}}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (paid, unpaid, open_quote, confirmed_quote, cancelled) = (
        number(&paid),
        number(&unpaid),
        number(&open_quote),
        number(&confirmed_quote),
        number(&cancelled),
    );
    assert!(open_quote.starts_with('D') && confirmed_quote.starts_with('P'));
    // The visits moved to today and to another day of this week (the tour's sessions are
    // a week ahead, and today's may be over when the test runs), in the database.
    let t = today();
    let monday = t
        .checked_sub(jiff::Span::new().days(t.weekday().to_monday_zero_offset()))
        .unwrap();
    let sunday = monday.checked_add(jiff::Span::new().days(6)).unwrap();
    let other_day = if t == monday { sunday } else { monday };
    for (n, day) in [
        (&paid, t),
        (&unpaid, other_day),
        (&open_quote, t),
        (&cancelled, t),
    ] {
        let (n, day) = (n.clone(), day.to_string());
        app.store
            .write(|tx| {
                let (n, day) = (n.clone(), day.clone());
                Box::pin(async move {
                    guichet_store::on_tx!(tx, c => sqlx::query(
                        "UPDATE orders SET visit_date = $1 WHERE number = $2 OR quote_number = $2")
                        .bind(day).bind(n).execute(c).await?.rows_affected());
                    Ok(())
                })
            })
            .await
            .unwrap();
    }

    // The page's tabs, each a link to its preset, the one shown marked.
    let manager = login(&app, &a.manager).await;
    let get = |path: String| {
        let manager = manager.clone();
        let url = app.url(&path);
        async move {
            let r = manager.get(url).send().await.unwrap();
            assert_eq!(r.status(), 200, "{path}");
            r.text().await.unwrap()
        }
    };
    let page = get("/orders".into()).await;
    let href_of = |id: &str| {
        let at = page
            .find(&format!(r#"id="tab-{id}""#))
            .unwrap_or_else(|| panic!("no tab {id}"));
        let before = &page[..at];
        let start = before.rfind(r#"href=""#).unwrap() + 6;
        page[start..at]
            .split('"')
            .next()
            .unwrap()
            .replace("&#38;", "&")
            .replace("&amp;", "&")
    };
    let year_ago = t.checked_sub(jiff::Span::new().years(1)).unwrap();
    let tabs = [
        ("all", "/orders".to_owned()),
        (
            "to-confirm",
            format!("/orders?from={year_ago}&to={t}&state=quote"),
        ),
        (
            "quotes",
            format!("/orders?from={year_ago}&to={t}&quoted=yes"),
        ),
        (
            "registers",
            format!("/orders?from={t}&to={t}&channel=registers"),
        ),
        (
            "arrivals-today",
            format!("/orders?from={t}&to={t}&by=visit&state=live"),
        ),
        (
            "arrivals-week",
            format!("/orders?from={monday}&to={sunday}&by=visit&state=live"),
        ),
    ];
    for (id, href) in &tabs {
        assert_eq!(&href_of(id), href, "{id}");
    }
    let everything = [&paid, &unpaid, &open_quote, &confirmed_quote, &cancelled];
    for (id, shown) in [
        ("all", everything.to_vec()),
        ("to-confirm", vec![&open_quote]),
        ("quotes", vec![&open_quote, &confirmed_quote]),
        ("registers", everything.to_vec()),
        ("arrivals-today", vec![&paid]),
        ("arrivals-week", vec![&paid, &unpaid]),
    ] {
        let href = &tabs.iter().find(|t| t.0 == id).unwrap().1;
        let html = get(href.clone()).await;
        let table = &html[html.find(r#"<table id="orders">"#).unwrap()..];
        for n in everything {
            assert_eq!(table.contains(n.as_str()), shown.contains(&n), "{id}: {n}");
        }
        assert!(
            html.contains(&format!(
                r#"id="tab-{id}" class="active" aria-current="page""#
            )),
            "{id} is marked"
        );
        assert_eq!(
            html.matches(r#"class="active" aria-current="page""#)
                .count(),
            1
        );
    }
    // Another search is none of the tabs.
    let html = get(format!("/orders?from={t}&to={t}&payment=unpaid")).await;
    assert_eq!(
        html.matches(r#"class="active" aria-current="page""#)
            .count(),
        0
    );

    // The API reads the same criteria; a bad one is a field error.
    let list = |q: &str| {
        let api = &api;
        let path = format!("/api/v1/orders?from={year_ago}&to={t}&{q}");
        async move {
            let mut n: Vec<String> = api.ok(&path).await["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(number)
                .collect();
            n.sort();
            n
        }
    };
    let sorted = |mut v: Vec<&String>| {
        v.sort();
        v.into_iter().cloned().collect::<Vec<_>>()
    };
    assert_eq!(
        list("quoted=yes").await,
        sorted(vec![&open_quote, &confirmed_quote])
    );
    assert_eq!(
        list("state=live").await,
        sorted(vec![&paid, &unpaid, &confirmed_quote])
    );
    assert_eq!(
        list("state=live&quoted=yes").await,
        std::slice::from_ref(&confirmed_quote)
    );
    let (status, p) = api
        .get(&format!("/api/v1/orders?from={t}&to={t}&quoted=maybe"))
        .await;
    assert_eq!(status, 422, "{p}");
    assert_eq!(
        field_errors(&p),
        [("quoted".to_owned(), "invalid".to_owned())]
    );
    let totals = api
        .ok(&format!(
            "/api/v1/orders/totals?from={year_ago}&to={t}&quoted=yes"
        ))
        .await;
    assert_eq!(totals["orders"], 2);
    assert_eq!(totals["live_orders"], 1);
    app.stop().await;
}
