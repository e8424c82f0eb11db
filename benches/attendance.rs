//! Benchmark: the attendance export (issue 18 §2). 1,000,000 order lines of one day (sales of
//! 6 lines written through the store's sale transaction), exported as the detailed CSV through
//! the use case's stream, consumed as a download would be: rows per second (target ≥ 500,000)
//! and the growth of the process's resident memory while exporting (target ≤ 64 MB).
//! SQLite always; PostgreSQL too when `GUICHET_BENCH_DATABASE_URL` points at an empty
//! database. Run with `cargo bench --bench attendance` (`GUICHET_BENCH_LINES` for another size).

mod common;

use guichet_app::orders::attendance::{self, AttendanceQuery};
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
    let day = jiff::civil::date(2026, 7, 14);
    let seeding = Instant::now();
    let written = common::seed_product_sales(&state, &ctx, lines, day, 1).await;
    println!(
        "{name}: {written} order lines written in {:.1} s",
        seeding.elapsed().as_secs_f64()
    );
    let tenant = ctx.tenant;

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
