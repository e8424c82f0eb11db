//! In a real browser: the main pages, the printable ones and the API viewer run under the
//! Content-Security-Policy without a single violation (no inline script, handler or style
//! left), and the print buttons still work from the served script.

use crate::browser::{browser, sign_in};
use crate::harness::{Api, Catalogue, id_of, org, spawn};
use serde_json::{Value, json};

/// The Content-Security-Policy violations the current page has reported since it loaded
/// (a `ReportingObserver` with `buffered` also receives those queued before it existed).
async fn violations(b: &fantoccini::Client) -> Vec<Value> {
    let script = r#"
        const done = arguments[arguments.length - 1];
        const seen = [];
        const observer = new ReportingObserver(function (reports) {
            reports.forEach(function (r) { seen.push(r.body.toJSON ? r.body.toJSON() : String(r.body)); });
        }, { types: ["csp-violation"], buffered: true });
        observer.observe();
        setTimeout(function () {
            observer.takeRecords().forEach(function (r) { seen.push(r.body.toJSON()); });
            observer.disconnect();
            done(seen);
        }, 300);
    "#;
    match b.execute_async(script, vec![]).await.unwrap() {
        Value::Array(v) => v,
        other => panic!("unexpected answer {other}"),
    }
}

#[tokio::test]
async fn main_pages_report_no_content_security_policy_violation() {
    let Some((_driver, _profile, b)) = browser().await else {
        return;
    };
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let manager = Api::new(&app, &a, "manager").await;
    let s = Catalogue::belgian(&manager).await;
    let order = id_of(
        &manager
            .sell(
                &s.register,
                s.tickets(1, 0),
                vec![json!({"method": "cash", "amount": "8,50"})],
            )
            .await,
    );
    let customer = id_of(
        &manager
            .created(
                "/api/v1/customers",
                json!({"first_name": "Samantha", "last_name": "Régà"}),
            )
            .await,
    );
    let supplier_order = id_of(
        &manager
            .created(
                "/api/v1/supplier-orders",
                json!({"supplier": "Dilicom", "lines": [{"product_id": s.panier, "quantity": "1"}]}),
            )
            .await,
    );

    b.goto(&app.url("/login")).await.unwrap();
    assert_eq!(violations(&b).await, Vec::<Value>::new(), "/login");
    sign_in(&b, &a.admin).await;
    let pages = [
        "/".to_owned(),
        "/register".to_owned(),
        format!("/orders/{order}"),
        format!("/orders/{order}/receipt"),
        format!("/orders/{order}/receipt?format=80mm"),
        format!("/orders/{order}/tickets"),
        format!("/marketing/customers/{customer}"),
        format!("/activity/shop/supplier-orders/{supplier_order}"),
        "/activity/shop".to_owned(),
        "/marketing/customers".to_owned(),
        "/api/docs".to_owned(),
    ];
    for page in &pages {
        b.goto(&app.url(page)).await.unwrap();
        assert_eq!(violations(&b).await, Vec::<Value>::new(), "{page}");
    }
    // Swagger UI still renders from its served files.
    b.goto(&app.url("/api/docs")).await.unwrap();
    b.wait()
        .for_element(fantoccini::Locator::Css(".swagger-ui .info"))
        .await
        .unwrap();

    // The print button works through the served script: stub the dialog, click, see it called.
    b.goto(&app.url(&format!("/orders/{order}/receipt")))
        .await
        .unwrap();
    b.execute(
        "window.__printed = 0; window.print = function () { window.__printed += 1; };",
        vec![],
    )
    .await
    .unwrap();
    b.find(fantoccini::Locator::Css("button[data-print]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let printed = b.execute("return window.__printed;", vec![]).await.unwrap();
    assert_eq!(printed, json!(1), "the print button calls window.print");

    // The detector itself sees a violation: an inline script is refused and reported.
    b.execute(
        "const s = document.createElement('script'); s.textContent = 'window.__ran = 1'; \
         document.body.appendChild(s);",
        vec![],
    )
    .await
    .unwrap();
    let seen = violations(&b).await;
    assert!(!seen.is_empty(), "an inline script is reported");
    assert_eq!(
        b.execute("return window.__ran === undefined;", vec![])
            .await
            .unwrap(),
        json!(true),
        "and not run"
    );
    app.stop().await;
}
