//! `guichet serve --demo` at any hour: whatever the time it is started, the register has a
//! session still on sale today; the past days are closed with a Z on both registers, in
//! sequence; Vincent (`vinc`) is a customer with orders and revenue; the receipts carry the
//! organization's VAT number; and the journal of all that history verifies.

use crate::harness::*;
use guichet::demo::{DemoOptions, seed_with};
use guichet_app::orders::{LineInput, OrderInput};
use guichet_app::{Actor, App, AppConfig, Clock};
use guichet_store::on_tx;
use uuid::Uuid;

fn zone() -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::get("Europe/Brussels").expect("zone")
}

/// Today at `hh:mm` in the demo's time zone.
fn today_at(hour: i8, minute: i8) -> jiff::Timestamp {
    today()
        .at(hour, minute, 0, 0)
        .to_zoned(zone())
        .expect("a local time of today")
        .timestamp()
}

/// The offers' sessions of today that the counter register sells at `now`: each tried as a
/// one-ticket cart priced by the register's own use case (`orders::preview`, which sells a
/// session up to its `sale::sales_deadline` included). Names with the session's local start.
async fn on_sale_today(app: &App, actor: &Actor, now: jiff::Timestamp) -> Vec<String> {
    let registers = guichet_app::orders::selling_registers(app, actor)
        .await
        .unwrap();
    let counter = registers
        .iter()
        .find(|r| r.kind == guichet_domain::org::RegisterKind::Counter)
        .expect("the demo's counter register");
    let offers = guichet_app::offers::list(app, actor).await.unwrap();
    let today = now.to_zoned(zone()).date();
    let mut found = Vec::new();
    for o in offers.iter().filter(|o| o.sale_pos && !o.archived) {
        for s in o.schedule.schedule().sessions_on(today, &zone()) {
            let deadline = s.start_micros + o.late_entry_minutes * 60_000_000
                - o.pos_cutoff_hours * 3_600_000_000;
            // A ticket (an extra is priced with the tickets it goes with).
            let price = o
                .prices
                .iter()
                .filter(|p| p.item_kind != guichet_domain::catalogue::ItemKind::Extra)
                .max_by_key(|p| p.min_quantity)
                .unwrap();
            let input = OrderInput {
                register_id: counter.id.to_string(),
                lines: vec![LineInput {
                    offer_id: Some(o.id.to_string()),
                    session_start: Some(s.start_micros),
                    item_id: Some(price.item_id.to_string()),
                    quantity: price.min_quantity.max(1),
                    ..Default::default()
                }],
                ..Default::default()
            };
            let priced = guichet_app::orders::preview(app, actor, &input).await;
            // The register's rule and the deadline it is documented to follow agree.
            assert_eq!(
                priced.is_ok(),
                deadline >= now.as_microsecond(),
                "{} at {}: {priced:?}",
                o.texts.fr.name,
                s.local
            );
            if priced.is_ok() {
                found.push(format!("{} {}", o.texts.fr.name, s.local));
            }
        }
    }
    found
}

/// The demo as a test that needs its sales wants it, whatever the hour the test runs: at 15:30
/// today (today's registers open, their last entries sales), `past_days` closed days behind.
pub async fn afternoon_demo(store: &guichet_app::Store, past_days: u32) {
    let options = DemoOptions {
        now: today_at(15, 30),
        past_days,
    };
    seed_with(store, &options)
        .await
        .unwrap()
        .expect("an empty database gets the demo");
}

/// The closed sessions: (register, day, Z number).
async fn zs(app: &TestApp) -> Vec<(Uuid, String, i64)> {
    app.store
        .read(|tx| {
            Box::pin(async move {
                Ok(on_tx!(tx, c => sqlx::query_as(
                    "SELECT register_id, day, z_number FROM register_sessions
                     WHERE closed_at IS NOT NULL ORDER BY register_id, z_number")
                    .fetch_all(c).await?))
            })
        })
        .await
        .unwrap()
}

/// Builds the demo at `now` with `past_days` closed days and checks it; the server of the
/// test serves it.
async fn check_demo_at(now: jiff::Timestamp, past_days: u32) -> TestApp {
    let app = spawn().await;
    let demo = seed_with(&app.store, &DemoOptions { now, past_days })
        .await
        .unwrap()
        .expect("an empty database gets the demo");
    let clocked = App::new(
        app.store.clone(),
        AppConfig {
            clock: Clock::stopped_at(now),
            ..AppConfig::default()
        },
    );
    let manager = Actor::operator(demo.tenant);
    let at = now.to_zoned(zone());

    // Something to sell today, at this hour.
    let selling = on_sale_today(&clocked, &manager, now).await;
    assert!(
        !selling.is_empty(),
        "at {at}, the register has no session on sale today"
    );

    // Each past day closed on both registers: Zs 1…past_days, one per day, in order.
    let zs = zs(&app).await;
    let registers: std::collections::BTreeSet<Uuid> = zs.iter().map(|z| z.0).collect();
    assert_eq!(registers.len(), 2, "Zs on both registers: {zs:?}");
    let today = at.date();
    for r in &registers {
        let mine: Vec<&(Uuid, String, i64)> = zs.iter().filter(|z| z.0 == *r).collect();
        assert_eq!(mine.len(), past_days as usize, "{mine:?}");
        for (i, z) in mine.iter().enumerate() {
            let back = i64::from(past_days) - i as i64;
            let day = today.checked_sub(jiff::Span::new().days(back)).unwrap();
            assert_eq!(
                (z.1.as_str(), z.2),
                (day.to_string().as_str(), i as i64 + 1)
            );
        }
    }
    assert_eq!(demo.zs, 2 * past_days as usize);
    assert!(
        demo.orders >= 10 * past_days as usize,
        "{} orders over {past_days} days",
        demo.orders
    );

    // Vincent, found as the cashier types "vinc", has bought, and his page shows it.
    let found = guichet_app::customers::search(
        &clocked,
        &manager,
        &guichet_app::customers::CustomerListQuery {
            q: "vinc".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let vincent = found
        .items
        .iter()
        .find(|l| l.customer.first_name.as_deref() == Some("Vincent"))
        .expect("vinc finds Vincent");
    assert!(vincent.revenue_cents > 0, "{vincent:?}");
    let file = guichet_app::customers::file(&clocked, &manager, vincent.customer.id)
        .await
        .unwrap();
    assert!(file.revenue_cents > 0);
    assert!(file.orders.len() >= 2, "{:?}", file.orders);
    assert!(!file.favourites.is_empty());

    // A receipt of his, as the register prints it, with the organization's VAT number.
    let order = file
        .orders
        .iter()
        .find(|o| o.finalized && !o.cancelled)
        .expect("a finalized order of Vincent's");
    let admin = client();
    let r = admin
        .post(app.url("/login"))
        .form(&[
            ("email", "admin@grottes-neptune.demo"),
            ("password", "neptune-admin"),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let receipt = admin
        .get(app.url(&format!("/orders/{}/receipt", order.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(receipt.status(), 200);
    let html = receipt.text().await.unwrap();
    assert!(html.contains("BE0456789034"), "{html}");

    // The whole history is journalled, and verifies.
    let v = app
        .store
        .read(|tx| Box::pin(async move { guichet_store::journal::verify_all(tx).await }))
        .await
        .unwrap();
    assert!(v.ok(), "{:?}", v.findings);
    assert_eq!(v.zs.len(), 2 * past_days as usize);
    assert!(v.zs.iter().all(|z| z.signature_valid));
    app
}

/// At any hour of the day (a week of closed days behind, to keep the test short).
#[tokio::test]
async fn the_demo_has_something_to_sell_at_any_hour() {
    for (hour, minute) in [(0, 5), (8, 0), (17, 59), (23, 10), (23, 55)] {
        let app = check_demo_at(today_at(hour, minute), 4).await;
        app.stop().await;
    }
}

/// The real demo: a month of closed days, and today's register still open after 9:00.
#[tokio::test]
async fn the_demo_holds_a_month_of_zs() {
    let now = today_at(15, 30);
    let app = check_demo_at(now, 30).await;
    let open: i64 = app
        .store
        .read(|tx| {
            Box::pin(async move {
                Ok(on_tx!(tx, c => sqlx::query_scalar(
                    "SELECT COUNT(*) FROM register_sessions WHERE closed_at IS NULL")
                    .fetch_one(c).await?))
            })
        })
        .await
        .unwrap();
    assert_eq!(open, 2, "today's sessions are open at 15:30");
    app.stop().await;
}
