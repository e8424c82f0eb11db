//! Benchmark: availability of one offer over 365 days × 20 sessions a day (target under
//! 50 ms), on SQLite, and on PostgreSQL when `GUICHET_BENCH_DATABASE_URL` points at an empty
//! database. Run with `cargo bench --bench availability`. (The register-sale issue re-runs
//! it with 100,000 orders.)

mod common;

use guichet_domain::offer::{OfferInput, OfferTexts, PriceInput};
use guichet_domain::schedule::RuleInput;
use std::time::Instant;

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, url) in common::targets(&dir, "bench.db") {
        run(name, &url).await;
    }
}

async fn run(name: &str, url: &str) {
    let (state, ctx) = common::belgian_organization(url).await;
    let vat = guichet_app::vat_rates::vat_rates(&state, &ctx)
        .await
        .expect("rates")[0]
        .id
        .to_string();
    let mut prices = Vec::new();
    for name in ["Ticket adulte", "Ticket enfant", "Ticket senior"] {
        let input = guichet_domain::catalogue::ItemInput {
            name: name.into(),
            vat_rate_id: vat.clone(),
            sale_pos: true,
            ..Default::default()
        };
        let item = guichet_app::catalogue::create(
            &state,
            &ctx,
            guichet_domain::catalogue::ItemKind::TicketType,
            &input,
        )
        .await
        .expect("item");
        prices.push(PriceInput {
            item_id: item.id.to_string(),
            price: "8,50".into(),
            ..Default::default()
        });
    }
    // 20 sessions a day: every 30 minutes from 07:00 to 16:30.
    let offer = OfferInput {
        fr: OfferTexts {
            name: "Visite".into(),
            ..Default::default()
        },
        kind: "activity".into(),
        sale_pos: true,
        capacity: "40".into(),
        prices,
        rules: vec![RuleInput {
            from: "2026-01-01".into(),
            to: "2027-12-31".into(),
            kind: "every".into(),
            every_minutes: "30".into(),
            first: "07:00".into(),
            last: "16:30".into(),
            ..Default::default()
        }],
        ..Default::default()
    };
    let offer = guichet_app::offers::save(&state, &ctx, None, &offer)
        .await
        .expect("offer");
    let mut times = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        let a =
            guichet_app::planning::availability(&state, &ctx, offer.id, "2026-01-01", "2026-12-31")
                .await
                .expect("availability");
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(a.sessions.len(), 365 * 20);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "{name}: availability of one offer, 365 days x 20 sessions (7,300 sessions, 3 ticket types): median {:.1} ms (min {:.1}, max {:.1}; target < 50 ms)",
        times[times.len() / 2],
        times[0],
        times[times.len() - 1]
    );
    state.store.close().await;
}
