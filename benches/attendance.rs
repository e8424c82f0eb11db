//! Benchmark: the attendance export (issue 18 §2). 1,000,000 order lines of one day (sales of
//! 6 lines written through the store's sale transaction), exported as the detailed CSV through
//! the use case's stream, consumed as a download would be: rows per second (target ≥ 500,000)
//! and the growth of the process's resident memory while exporting (target ≤ 64 MB).
//! SQLite always; PostgreSQL too when `GUICHET_BENCH_DATABASE_URL` points at an empty
//! database. Run with `cargo bench --bench attendance` (`GUICHET_BENCH_LINES` for another size).

mod common;

use guichet_app::orders::attendance::{self, AttendanceQuery};
use guichet_app::orders::{LineInput, OrderInput, PaymentInput};
use guichet_domain::org::{RegisterInput, SiteInput};
use guichet_store::register_sessions::{self, Opening};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

#[tokio::main]
async fn main() {
    let lines: usize = std::env::var("GUICHET_BENCH_LINES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, url) in common::targets(&dir, "attendance.db") {
        run(name, &url, lines).await;
    }
}

/// The resident memory of this process, in kB.
fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

async fn run(name: &str, url: &str, lines: usize) {
    let (state, ctx) = common::belgian_organization(url).await;
    let rate = guichet_app::vat_rates::vat_rates(&state, &ctx)
        .await
        .expect("rates")
        .into_iter()
        .find(|r| r.rate_basis_points == 2100)
        .expect("21 %");
    let mut products = Vec::new();
    for (name, price) in [
        ("Carte postale", "1,50"),
        ("Livre", "18,50"),
        ("Peluche", "12,80"),
    ] {
        let p = guichet_app::shop::create_product(
            &state,
            &ctx,
            &guichet_domain::shop::ProductInput {
                name: name.into(),
                price: price.into(),
                vat_rate_id: rate.id.to_string(),
                sale_pos: true,
                ..Default::default()
            },
        )
        .await
        .expect("product");
        products.push(p.id.to_string());
    }
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
    let register = guichet_app::registers::create_register(
        &state,
        &ctx,
        &RegisterInput {
            name: "Accueil".into(),
            kind: "counter".into(),
            site_id: site.id.to_string(),
            ..Default::default()
        },
    )
    .await
    .expect("register")
    .id;
    let input = OrderInput {
        register_id: register.to_string(),
        lines: products
            .iter()
            .chain(products.iter())
            .map(|p| LineInput {
                product_id: Some(p.clone()),
                quantity: 1,
                ..Default::default()
            })
            .collect(),
        payments: vec![PaymentInput {
            method: "cash".into(),
            amount: "65,60".into(),
        }],
        ..Default::default()
    };
    let mut sale = guichet_app::orders::priced_order(&state, &ctx, &input, None)
        .await
        .expect("priced sale");
    let day = jiff::civil::date(2026, 7, 14);
    let at = day
        .at(9, 0, 0, 0)
        .to_zoned(jiff::tz::TimeZone::get("Europe/Brussels").expect("zone"))
        .expect("day")
        .timestamp()
        .as_microsecond();
    let tenant = ctx.tenant;
    let opening = Arc::new(Opening {
        day,
        float_cents: 0,
        counts: None,
        at,
    });
    state
        .store
        .write(|tx| {
            let opening = opening.clone();
            Box::pin(
                async move { register_sessions::open(tx, tenant, register, &opening, None).await },
            )
        })
        .await
        .expect("open");
    sale.register_id = Some(register);
    sale.day = day;
    sale.at = Some(at + 3_600_000_000);
    for p in &mut sale.payments {
        p.at = sale.at;
    }
    let per_sale = sale.lines.len();
    let seeding = Instant::now();
    let mut left = lines.div_ceil(per_sale);
    // The sales spread over the day, as at a busy register.
    let step = 80_000_000_000 / (left as i64).max(1);
    let mut at = at - 8 * 3_600_000_000;
    while left > 0 {
        let n = left.min(500);
        left -= n;
        let batch: Arc<Vec<_>> = Arc::new(
            (0..n)
                .map(|_| {
                    at += step;
                    let mut s = sale.clone();
                    s.at = Some(at);
                    for p in &mut s.payments {
                        p.at = s.at;
                    }
                    s
                })
                .collect(),
        );
        state
            .store
            .write(|tx| {
                let batch = batch.clone();
                Box::pin(async move {
                    for s in batch.iter() {
                        guichet_store::orders::create(tx, tenant, s).await?;
                    }
                    Ok(())
                })
            })
            .await
            .expect("sales");
    }
    println!(
        "{name}: {} order lines written in {:.1} s",
        lines.div_ceil(per_sale) * per_sale,
        seeding.elapsed().as_secs_f64()
    );

    // The store's reads alone, for the profile: how much of the export is the database's.
    let (from, until) = (
        day.to_zoned(jiff::tz::TimeZone::get("Europe/Brussels").expect("zone"))
            .expect("day")
            .timestamp()
            .as_microsecond(),
        i64::MAX,
    );
    let started = Instant::now();
    let (mut after, mut read) = (None, 0usize);
    loop {
        let page = state
            .store
            .read(|tx| {
                Box::pin(async move {
                    guichet_store::orders::attendance_lines(
                        tx,
                        tenant,
                        &guichet_store::orders::OrderFilter::period(
                            guichet_store::orders::DateFilter::Created(from, until),
                        ),
                        after,
                        2_000,
                    )
                    .await
                })
            })
            .await
            .expect("page");
        read += page.len();
        match page.last() {
            Some(l) => after = Some(guichet_store::orders::AttendanceKey::of(l)),
            None => break,
        }
    }
    println!(
        "{name}: the store reads the {read} lines in {:.2} s: {:.0} rows/s",
        started.elapsed().as_secs_f64(),
        read as f64 / started.elapsed().as_secs_f64()
    );

    // The export, read as a download: memory sampled every 5 ms meanwhile.
    let baseline = rss_kb();
    let peak = Arc::new(AtomicU64::new(baseline));
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (peak, done) = (peak.clone(), done.clone());
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                peak.fetch_max(rss_kb(), Ordering::Relaxed);
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
        })
    };
    let query = AttendanceQuery {
        search: guichet_app::orders::OrderSearch {
            from: day.to_string(),
            to: day.to_string(),
            ..Default::default()
        },
        detailed: true,
        privacy: false,
    };
    let started = Instant::now();
    let stream = attendance::export_csv(&state, &ctx, &query)
        .await
        .expect("export");
    let mut stream = std::pin::pin!(stream);
    let (mut bytes, mut rows, mut first) = (0usize, 0usize, None);
    while let Some(chunk) = futures_util::StreamExt::next(&mut stream).await {
        let chunk = chunk.expect("chunk");
        first.get_or_insert_with(|| started.elapsed());
        bytes += chunk.len();
        rows += chunk.iter().filter(|b| **b == b'\n').count();
    }
    let elapsed = started.elapsed();
    done.store(true, Ordering::Relaxed);
    sampler.join().expect("sampler");
    let rows = rows.saturating_sub(1);
    println!(
        "{name}: detailed CSV of {rows} rows, {:.1} MB, in {:.2} s: {:.0} rows/s (target ≥ 500,000); \
         first bytes after {:.0} ms; peak RSS growth {:.1} MB (target ≤ 64 MB)",
        bytes as f64 / 1e6,
        elapsed.as_secs_f64(),
        rows as f64 / elapsed.as_secs_f64(),
        first.unwrap_or_default().as_secs_f64() * 1000.0,
        (peak.load(Ordering::Relaxed).saturating_sub(baseline)) as f64 / 1024.0,
    );
}
