//! Benchmark: register sales under concurrency, and availability with 100,000 orders in place.
//!
//! N registers (1, 8, 32) each complete sales of 3 lines (2 ticket types of a session and a shop
//! product) with 2 payments (cash and Bancontact) through the same use case as the cashier screen
//! and the API (pricing, rules, the order's transaction with places, stock, numbering and the
//! journal). Prints sales per second and p50/p99 latency: first in a closed loop (each register
//! starts its next sale the moment the last one is answered, so the figures are the machine's
//! saturation: latency there is the number of registers over the throughput), then with 8
//! registers each starting a sale every 20 ms, out of step with each other. Then loads 100,000 orders over a year
//! and times the availability of the offer over 365 days × 20 sessions (target under 50 ms).
//! SQLite always; PostgreSQL too when `GUICHET_BENCH_DATABASE_URL` points at an empty database.
//! Run with `cargo bench --bench sales`.

mod common;

use guichet_app::Actor as Ctx;
use guichet_app::App as AppState;
use guichet_app::orders::{LineInput, OrderInput, PaymentInput};
use guichet_domain::offer::{OfferInput, OfferTexts, PriceInput};
use guichet_domain::org::{RegisterInput, SiteInput};
use guichet_domain::schedule::RuleInput;
use std::sync::Arc;
use std::time::Instant;

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, url) in common::targets(&dir, "bench.db") {
        run(name, &url).await;
    }
}

struct Setup {
    state: AppState,
    ctx: Ctx,
    offer: guichet_domain::OfferId,
    items: Vec<String>,
    product: String,
    registers: Vec<String>,
    /// Session starts in 2027, to sell into.
    starts: Vec<i64>,
}

async fn setup(url: &str) -> Setup {
    let (state, ctx) = common::belgian_organization(url).await;
    let rates = guichet_app::vat_rates::vat_rates(&state, &ctx)
        .await
        .expect("rates");
    let rate = |bp: u32| {
        rates
            .iter()
            .find(|r| r.rate_basis_points == bp)
            .expect("rate")
            .id
            .to_string()
    };
    let mut prices = Vec::new();
    let mut items = Vec::new();
    for (name, price) in [
        ("Ticket adulte", "8,50"),
        ("Ticket enfant", "5,00"),
        ("Ticket senior", "7,50"),
    ] {
        let input = guichet_domain::catalogue::ItemInput {
            name: name.into(),
            vat_rate_id: rate(0),
            sale_pos: true,
            daily_stock: "1000000".into(),
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
        items.push(item.id.to_string());
        prices.push(PriceInput {
            item_id: item.id.to_string(),
            price: price.into(),
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
        capacity: "100000".into(),
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
    let product = guichet_app::shop::create_product(
        &state,
        &ctx,
        &guichet_domain::shop::ProductInput {
            name: "Peluche loup".into(),
            price: "12,80".into(),
            vat_rate_id: rate(2100),
            sale_pos: true,
            stock_managed: true,
            initial_stock: "10000000".into(),
            ..Default::default()
        },
    )
    .await
    .expect("product");
    let site = guichet_app::organization::create_site(
        &state,
        &ctx,
        &SiteInput {
            name: "Site".into(),
            ..Default::default()
        },
    )
    .await
    .expect("site");
    let mut registers = Vec::new();
    for i in 0..32 {
        let r = guichet_app::registers::create_register(
            &state,
            &ctx,
            &RegisterInput {
                name: format!("Caisse {i}"),
                kind: "counter".into(),
                site_id: site.id.to_string(),
                ..Default::default()
            },
        )
        .await
        .expect("register");
        // Open for the day: a counter register sells only while open.
        guichet_app::closing::open(
            &state,
            &ctx,
            &r.id.to_string(),
            &guichet_app::closing::OpenInput {
                opening_float: "150,00".into(),
                counts: vec![],
            },
        )
        .await
        .expect("open register");
        registers.push(r.id.to_string());
    }
    let a = guichet_app::planning::availability(&state, &ctx, offer.id, "2027-01-01", "2027-12-31")
        .await
        .expect("sessions");
    Setup {
        state,
        ctx,
        offer: offer.id,
        items,
        product: product.id.to_string(),
        registers,
        starts: a.sessions.iter().map(|s| s.start).collect(),
    }
}

fn sale(s: &Setup, register: &str, start: i64) -> OrderInput {
    let ticket = |item: &str, quantity| LineInput {
        offer_id: Some(s.offer.to_string()),
        session_start: Some(start),
        item_id: Some(item.to_owned()),
        quantity,
        ..Default::default()
    };
    OrderInput {
        register_id: register.to_owned(),
        lines: vec![
            ticket(&s.items[0], 2),
            ticket(&s.items[1], 1),
            LineInput {
                product_id: Some(s.product.clone()),
                quantity: 1,
                ..Default::default()
            },
        ],
        // 2 × 8,50 + 5,00 + 12,80 = 34,80
        payments: vec![
            PaymentInput {
                method: "cash".into(),
                amount: "20,00".into(),
            },
            PaymentInput {
                method: "bancontact".into(),
                amount: "14,80".into(),
            },
        ],
        ..Default::default()
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

const SALES: usize = 1_600;

/// `n` registers selling `SALES` sales in all: back to back (`pace` None, a closed loop), or
/// each starting a sale every `pace`, out of step with each other. Prints sales/s, p50, p99.
async fn round(name: &str, s: &Arc<Setup>, n: usize, pace: Option<std::time::Duration>) {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for r in 0..n {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            // Register r starts r/n of a period later, as at a real front desk.
            let mut tick = pace.map(|every| {
                let offset = every * u32::try_from(r).unwrap_or(0) / u32::try_from(n).unwrap_or(1);
                let mut t = tokio::time::interval_at(tokio::time::Instant::now() + offset, every);
                t.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                t
            });
            for k in 0..SALES / n {
                if let Some(t) = tick.as_mut() {
                    t.tick().await;
                }
                let start = s.starts[(r * 97 + k * 13) % s.starts.len()];
                let input = sale(&s, &s.registers[r], start);
                let t = Instant::now();
                guichet_app::orders::create(&s.state, &s.ctx, &input, None)
                    .await
                    .expect("sale");
                lat.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            lat
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.expect("task"));
    }
    let secs = started.elapsed().as_secs_f64();
    all.sort_by(f64::total_cmp);
    let how = match pace {
        None => String::new(),
        Some(p) => format!(" paced at a sale every {} ms each", p.as_millis()),
    };
    println!(
        "{name}: {n:>2} registers{how}, {} sales of 3 lines + 2 payments: {:.0} sales/s, p50 {:.1} ms, p99 {:.1} ms",
        all.len(),
        all.len() as f64 / secs,
        percentile(&all, 0.5),
        percentile(&all, 0.99)
    );
}

async fn run(name: &str, url: &str) {
    let s = Arc::new(setup(url).await);
    for n in [1usize, 8, 32] {
        round(name, &s, n, None).await;
    }
    // The same 8 registers at a pace: each starts a sale every 20 ms (400 sales a second in all,
    // far beyond a real front desk, where a register completes a sale every half minute or so).
    round(name, &s, 8, Some(std::time::Duration::from_millis(20))).await;
    // Up to 100,000 orders, spread over the year's sessions, in batches of 500 per transaction.
    let have = 1_600 * 4; // from the four concurrency rounds
    let loaded = Instant::now();
    let tenant = s.ctx.tenant;
    let mut made = have;
    let template = guichet_app::orders::priced_order(
        &s.state,
        &s.ctx,
        &sale(&s, &s.registers[0], s.starts[0]),
        None,
    )
    .await
    .expect("price");
    let tz = jiff::tz::TimeZone::get("Europe/Brussels").expect("zone");
    while made < 100_000 {
        let batch: Vec<guichet_store::orders::NewOrder> = (made..(made + 500).min(100_000))
            .map(|k| {
                let start = s.starts[k % s.starts.len()];
                let day = jiff::Timestamp::from_microsecond(start)
                    .expect("start")
                    .to_zoned(tz.clone())
                    .date();
                let mut o = template.clone();
                o.register_id = s.registers[k % 32].parse().ok();
                o.visit_start = Some(start);
                o.visit_date = Some(day.to_string());
                o.day = day;
                for l in o.lines.iter_mut().filter(|l| l.session_start.is_some()) {
                    l.session_start = Some(start);
                    l.visit_date = Some(day);
                }
                o
            })
            .collect();
        made += batch.len();
        let batch = Arc::new(batch);
        s.state
            .store
            .write(|tx| {
                let batch = batch.clone();
                Box::pin(async move {
                    for o in batch.iter() {
                        guichet_store::orders::create(tx, tenant, o).await?;
                    }
                    Ok(())
                })
            })
            .await
            .expect("batch");
    }
    println!(
        "{name}: loaded {} more orders in {:.1} s",
        made - have,
        loaded.elapsed().as_secs_f64()
    );
    let mut times = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        let a = guichet_app::planning::availability(
            &s.state,
            &s.ctx,
            s.offer,
            "2027-01-01",
            "2027-12-31",
        )
        .await
        .expect("availability");
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(a.sessions.len(), 365 * 20);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "{name}: availability of one offer over 365 days x 20 sessions with 100,000 orders: median {:.1} ms (min {:.1}, max {:.1}; target < 50 ms)",
        times[times.len() / 2],
        times[0],
        times[times.len() - 1]
    );
    s.state.store.close().await;
}
