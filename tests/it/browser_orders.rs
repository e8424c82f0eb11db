//! The orders search, statistics and dashboard in a real browser (issue 18 §5): a manager
//! searches a customer without accents, shows the detailed view of the partly paid orders,
//! downloads the summary and detailed CSVs of that search and reads them as a spreadsheet
//! would (`;`, UTF-8 with a BOM); then looks at the statistics and the dashboard.
//! Screenshots at 1024×768 go to `$GUICHET_SCREENSHOTS` when set.

use crate::browser::{browser, click, sign_in, text_of_contains};
use crate::browser_modules::screenshot;
use crate::harness::{Api, NeptuneTour, org, spawn};
use fantoccini::{Client, Locator};
use serde_json::json;

/// The rows of a CSV file as a spreadsheet reads it.
fn spreadsheet(bytes: &[u8]) -> Vec<Vec<String>> {
    let text = std::str::from_utf8(bytes).expect("UTF-8");
    let text = text.strip_prefix('\u{feff}').expect("a byte-order mark");
    csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

/// The file the export form would download, fetched with the browser's session.
async fn download(b: &Client, detail: &str) -> Vec<u8> {
    let query = b
        .execute(
            "const f = new FormData(document.getElementById('orders-export'));
             f.set('detail', arguments[0]); f.set('format', 'csv');
             return new URLSearchParams(f).toString();",
            vec![json!(detail)],
        )
        .await
        .unwrap();
    let base = b.current_url().await.unwrap();
    let url = base
        .join(&format!("/orders/export?{}", query.as_str().unwrap()))
        .unwrap();
    let cookie = b
        .get_all_cookies()
        .await
        .unwrap()
        .iter()
        .map(|c| format!("{}={}", c.name(), c.value()))
        .collect::<Vec<_>>()
        .join("; ");
    let r = crate::harness::plain_client()
        .get(url.as_str())
        .header(reqwest::header::COOKIE, cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.bytes().await.unwrap().to_vec()
}

#[tokio::test]
async fn search_the_orders_toggle_the_detailed_view_and_download_both_csvs() {
    let Some((_driver, _profile, b)) = browser().await else {
        return;
    };
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
    let sell = |body: serde_json::Value| {
        let api = &api;
        async move {
            let (status, o) = api.post("/api/v1/orders", body).await;
            assert_eq!(status, 201, "{o}");
            o["number"].as_str().unwrap().to_owned()
        }
    };
    let unpaid = sell(json!({"register_id": register, "customer_id": eloise["id"], "lines": [line(&adult, 1)], "payments": []})).await;
    let paid = sell(json!({"register_id": register, "lines": [line(&adult, 2)], "payments": [{"method": "cash", "amount": "17"}]})).await;
    let family = sell(json!({"register_id": register, "lines": [line(&adult, 2), line(&child, 1), line(&senior, 2)],
        "payments": [{"method": "cash", "amount": "10"}]})).await;

    b.set_window_size(1024, 768).await.unwrap();
    b.goto(&app.url("/login")).await.unwrap();
    sign_in(&b, &a.manager).await;
    b.goto(&app.url("/orders")).await.unwrap();
    text_of_contains(&b, "#orders tbody", &paid).await;
    screenshot(&b, "orders").await;

    // A customer typed without accents.
    b.find(Locator::Id("f-customer"))
        .await
        .unwrap()
        .send_keys("eloise")
        .await
        .unwrap();
    click(&b, "#orders-search").await;
    let shown = text_of_contains(&b, "#orders tbody", &unpaid).await;
    assert!(
        !shown.contains(&paid) && !shown.contains(&family),
        "{shown}"
    );
    text_of_contains(&b, "#total-total", "8,50").await;

    // The partly paid orders, one row per line.
    b.find(Locator::Id("f-customer"))
        .await
        .unwrap()
        .clear()
        .await
        .unwrap();
    // "More filters" is open when a criterion besides the period is set (the customer was).
    let open = b
        .execute(
            "return document.getElementById('more-filters').open;",
            vec![],
        )
        .await
        .unwrap();
    if open != json!(true) {
        click(&b, "#more-filters summary").await;
    }
    b.find(Locator::Id("f-payment"))
        .await
        .unwrap()
        .select_by_value("partly_paid")
        .await
        .unwrap();
    click(&b, "#f-view").await;
    click(&b, "#orders-search").await;
    text_of_contains(&b, "#orders tbody", "Ticket senior").await;
    let lines = b
        .find_all(Locator::Css("#orders tbody tr.line"))
        .await
        .unwrap();
    assert_eq!(lines.len(), 3);
    text_of_contains(&b, "#total-to-collect", "27,00").await;
    b.execute(
        "document.getElementById('orders').scrollIntoView();",
        vec![],
    )
    .await
    .unwrap();
    screenshot(&b, "orders-detailed").await;

    // Both files of this search, read as a spreadsheet reads them.
    let summary = spreadsheet(&download(&b, "orders").await);
    assert_eq!(
        summary.len(),
        2,
        "a header and the one partly paid order: {summary:?}"
    );
    assert_eq!(summary[0].len(), 30);
    assert_eq!(summary[0][0], "Numéro ticket");
    assert_eq!(summary[1][0], family);
    assert_eq!(
        (summary[1][22].as_str(), summary[1][23].as_str()),
        ("37,00", "10,00")
    );
    let detailed = spreadsheet(&download(&b, "lines").await);
    assert_eq!(detailed.len(), 4, "a header and three lines: {detailed:?}");
    assert_eq!(detailed[0].len(), 27);
    assert_eq!(
        detailed[1..]
            .iter()
            .map(|r| r[12].as_str())
            .collect::<Vec<_>>(),
        ["Ticket adulte", "Ticket enfant", "Ticket senior"]
    );

    // The statistics of today's sales, and the dashboard.
    b.goto(&app.url("/statistics?grain=day&dimension=item"))
        .await
        .unwrap();
    text_of_contains(&b, "#stats-groups", "Ticket adulte").await;
    assert!(b.find(Locator::Css("#stats-chart rect")).await.is_ok());
    screenshot(&b, "statistics").await;
    b.execute(
        "document.getElementById('stats-breakdown').scrollIntoView();",
        vec![],
    )
    .await
    .unwrap();
    screenshot(&b, "statistics-chart").await;
    b.goto(&app.url("/")).await.unwrap();
    text_of_contains(&b, "#sales-day", "3").await;
    text_of_contains(&b, "#dashboard-arrivals", "Aujourd'hui").await;
    screenshot(&b, "dashboard").await;
    b.close().await.unwrap();
    app.stop().await;
}
