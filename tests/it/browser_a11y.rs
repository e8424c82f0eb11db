//! Accessibility in a real browser (issue 19 §5): axe-core, vendored in `tests/it/vendor`
//! (see its README), runs in Chromium on the register, the orders list, a customer's page and
//! the sign-in page, in French at 1024 × 768; none of them may have a serious or critical
//! violation. `GUICHET_SCREENSHOTS=dir` keeps a picture of each page checked.

use crate::browser::{browser, click, sign_in, text_of_contains};
use crate::browser_modules::screenshot;
use crate::browser_register::{catalogue, pick_session, viewport};
use crate::harness::{api_key, api_post, org, spawn};
use fantoccini::{Client, Locator};
use serde_json::{Value, json};

/// axe-core's browser build, as published on npm (version and origin in vendor/README.md).
const AXE: &str = include_str!("vendor/axe.min.js");

/// The violations axe-core finds in the page as it is now, each as (impact, text to print).
async fn violations(b: &Client) -> Vec<(String, String)> {
    // The script defines `window.axe`; WebDriver's scripts are not subject to the page's CSP.
    let loaded = b
        .execute(&format!("{AXE}\n;return typeof window.axe;"), vec![])
        .await
        .unwrap();
    assert_eq!(loaded, json!("object"), "axe-core did not load");
    let found = b
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, {resultTypes: ['violations']})
               .then(r => done(r.violations.map(v => ({
                   id: v.id, impact: v.impact, help: v.help,
                   nodes: v.nodes.map(n => n.target.join(' ') + ' — ' + (n.failureSummary || '').replace(/\\s+/g, ' '))
               }))))
               .catch(e => done({error: String(e)}));",
            vec![],
        )
        .await
        .unwrap();
    let Value::Array(list) = found else {
        panic!("axe-core failed: {found}");
    };
    list.iter()
        .map(|v| {
            let nodes: Vec<&str> = v["nodes"]
                .as_array()
                .map(|n| n.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            (
                v["impact"].as_str().unwrap_or("").to_owned(),
                format!(
                    "[{}] {}: {}\n    {}",
                    v["impact"].as_str().unwrap_or("?"),
                    v["id"].as_str().unwrap_or("?"),
                    v["help"].as_str().unwrap_or(""),
                    nodes.join("\n    ")
                ),
            )
        })
        .collect()
}

/// Runs axe-core on the page the browser shows; fails on any serious or critical violation,
/// listing each with its rule, its help and the elements at fault (lesser ones are printed).
pub(crate) async fn no_serious_violation(b: &Client, page: &str) {
    screenshot(b, &format!("a11y-{page}")).await;
    let all = violations(b).await;
    let (serious, minor): (Vec<_>, Vec<_>) = all
        .into_iter()
        .partition(|(impact, _)| impact == "serious" || impact == "critical");
    for (_, text) in &minor {
        eprintln!("{page}: {text}");
    }
    assert!(
        serious.is_empty(),
        "{page}: {} serious or critical accessibility violation(s):\n{}",
        serious.len(),
        serious
            .iter()
            .map(|(_, t)| t.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[tokio::test]
async fn the_register_orders_customer_and_sign_in_pages_have_no_serious_violation() {
    let Some((_driver, _profile, b)) = browser().await else {
        return;
    };
    let app = spawn().await;
    let a = org(&app, "Grottes A", "a").await;
    let key = api_key(&app, &a, "manager").await;
    let (offer, barcode) = catalogue(&app, &key, "40", "0").await;
    let customer = api_post(
        &app,
        &key,
        "/api/v1/customers",
        json!({"first_name": "Samantha", "last_name": "Rega", "email": "samantha.rega@example.be",
               "phone": "+32 470 12 34 56", "postal_code": "5580"}),
        201,
    )
    .await;

    // The sign-in page, in French, before anyone is signed in.
    b.goto(&app.url("/login")).await.unwrap();
    viewport(&b, 1024, 768).await;
    text_of_contains(&b, "h1", "Connexion").await;
    no_serious_violation(&b, "login").await;
    sign_in(&b, &a.manager).await;

    // The register with an offer chosen, its sessions and ticket tiles shown, and a cart.
    b.goto(&app.url("/register")).await.unwrap();
    b.wait()
        .for_element(Locator::Css("#offers .offer"))
        .await
        .unwrap();
    if !pick_session(&b, &offer, 120).await {
        // In the day's last minutes there is no session left: the offer's tiles still show.
        click(&b, &format!("#offers .offer[data-offer='{offer}']")).await;
    }
    b.find(Locator::Id("scan"))
        .await
        .unwrap()
        .send_keys(&format!("{barcode}\u{E007}"))
        .await
        .unwrap();
    text_of_contains(&b, "#total", "12,80 €").await;
    no_serious_violation(&b, "register").await;
    // Paid, so that the orders list has a row.
    click(&b, "#methods button[data-method='cash']").await;
    click(&b, "#keypad button[data-quick='2000']").await;
    click(&b, "#validate").await;
    text_of_contains(&b, "#result-change", "7,20 €").await;
    no_serious_violation(&b, "register-sold").await;

    b.goto(&app.url("/orders")).await.unwrap();
    text_of_contains(&b, "#orders tbody", "Peluche loup").await;
    no_serious_violation(&b, "orders").await;

    b.goto(&app.url(&format!(
        "/marketing/customers/{}",
        customer["id"].as_str().unwrap()
    )))
    .await
    .unwrap();
    text_of_contains(&b, "#customer-title", "Samantha").await;
    no_serious_violation(&b, "customer").await;

    // The check itself finds what it is there for: a button without a name is critical.
    b.execute(
        "const x = document.createElement('button'); x.id = 'nameless'; document.querySelector('main').appendChild(x);",
        vec![],
    )
    .await
    .unwrap();
    let found = violations(&b).await;
    assert!(
        found.iter().any(|(impact, text)| impact == "critical"
            && text.contains("button-name")
            && text.contains("#nameless")),
        "{found:?}"
    );
    app.stop().await;
}
