//! Benchmark: the orders search, the statistics and the dashboard over a year (issue 18 §5).
//! 1,000,000 order lines (register sales of 6 shop products, spread evenly over the 365 days
//! before today) written through the store's sale transaction; then, through the use cases
//! as the pages call them, the median and 95th percentile of:
//! - the orders search: today's first page with the totals of the whole result, a month's
//!   first page with its totals, a number, a payment status over a month (target p95 ≤ 50 ms);
//! - the statistics page's figures over the year, per month and per day (target ≤ 200 ms);
//! - the dashboard's figures (target ≤ 200 ms).
//!
//! SQLite always; PostgreSQL too when `GUICHET_BENCH_DATABASE_URL` points at an empty database.
//! Run with `cargo bench --bench reports` (`GUICHET_BENCH_LINES` for another size).

mod common;

use guichet_app::orders::{OrderListQuery, OrderSearch, SearchCriteria};
use guichet_app::statistics::StatsQuery;
use std::future::Future;
use std::time::Instant;

#[tokio::main]
async fn main() {
    let lines: usize = std::env::var("GUICHET_BENCH_LINES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, url) in common::targets(&dir, "reports.db") {
        run(name, &url, lines).await;
    }
}

/// Runs `f` `n` times; prints and answers (median, p95) in milliseconds.
async fn timed<F, Fut>(label: &str, n: usize, mut f: F) -> (f64, f64)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = ()>,
{
    let mut ms = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        f().await;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| ms[((ms.len() - 1) as f64 * q).round() as usize];
    println!(
        "  {label}: p50 {:.1} ms, p95 {:.1} ms ({n} runs)",
        at(0.5),
        at(0.95)
    );
    (at(0.5), at(0.95))
}

async fn run(name: &str, url: &str, lines: usize) {
    let (state, ctx) = common::belgian_organization(url).await;
    let zone = jiff::tz::TimeZone::get("Europe/Brussels").expect("zone");
    let today = jiff::Timestamp::now().to_zoned(zone).date();
    let first = today
        .checked_sub(jiff::Span::new().days(364))
        .expect("a year ago");
    let seeding = Instant::now();
    let written = common::seed_product_sales(&state, &ctx, lines, first, 365).await;
    println!(
        "{name}: {written} order lines over 365 days written in {:.1} s",
        seeding.elapsed().as_secs_f64()
    );
    let month_ago = today
        .checked_sub(jiff::Span::new().days(30))
        .expect("a month ago")
        .to_string();
    let search = |from: String, criteria: SearchCriteria| OrderListQuery {
        search: OrderSearch {
            from,
            to: today.to_string(),
            by_visit: false,
            criteria,
        },
        after: None,
        limit: Some(100),
    };
    let page = |q: OrderListQuery| {
        let (state, ctx) = (&state, &ctx);
        async move {
            let p = guichet_app::orders::list(state, ctx, &q)
                .await
                .expect("page");
            let t = guichet_app::orders::search::totals(state, ctx, &q.search)
                .await
                .expect("totals");
            assert!(p.items.len() <= 100 && t.orders >= p.items.len() as i64);
        }
    };
    let number = guichet_app::orders::list(
        &state,
        &ctx,
        &search(today.to_string(), SearchCriteria::default()),
    )
    .await
    .expect("today")
    .items
    .first()
    .and_then(|o| o.number.clone())
    .expect("an order today");
    println!("{name}: the orders search (first page of 100 and the totals of the whole result)");
    timed("today", 30, || {
        page(search(today.to_string(), SearchCriteria::default()))
    })
    .await;
    timed("the last 30 days", 30, || {
        page(search(month_ago.clone(), SearchCriteria::default()))
    })
    .await;
    timed("a number", 30, || {
        page(search(
            today.to_string(),
            SearchCriteria {
                number: number.clone(),
                ..Default::default()
            },
        ))
    })
    .await;
    timed("unpaid, last 30 days", 30, || {
        page(search(
            month_ago.clone(),
            SearchCriteria {
                payment: "unpaid".into(),
                ..Default::default()
            },
        ))
    })
    .await;

    println!("{name}: the statistics page over the year");
    for (grain, dimension) in [("month", "offer"), ("day", "item"), ("week", "channel")] {
        let q = StatsQuery {
            from: first.to_string(),
            to: today.to_string(),
            by_visit: false,
            dimension: dimension.into(),
            grain: grain.into(),
        };
        timed(&format!("per {grain}, by {dimension}"), 5, || {
            let (state, ctx, q) = (&state, &ctx, q.clone());
            async move {
                let s = guichet_app::statistics::statistics(state, ctx, &q)
                    .await
                    .expect("statistics");
                assert!(s.breakdown.total.revenue_cents > 0);
            }
        })
        .await;
    }
    println!("{name}: the dashboard");
    timed(
        "sales today/week/month/year and last year, arrivals, to check",
        10,
        || {
            let (state, ctx) = (&state, &ctx);
            async move {
                guichet_app::statistics::dashboard(state, ctx)
                    .await
                    .expect("dashboard");
            }
        },
    )
    .await;
}
