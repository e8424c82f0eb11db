//! Benchmark: the customer file at 1,000,000 customers. The search as the cashier and the
//! back office use it (target p95 under 20 ms), a 100,000-row spreadsheet import checked and
//! written (target under 10 s), and the full export streamed as CSV with flat memory (peak
//! RSS reported), and as XLSX (written in constant memory). SQLite always; PostgreSQL too when `GUICHET_BENCH_DATABASE_URL` points at an
//! empty database. `GUICHET_BENCH_CUSTOMERS` changes the count (default 1,000,000).
//! Run with `cargo bench --bench customers`.

mod common;

use guichet_app::Actor as Ctx;
use guichet_app::App as AppState;
use guichet_domain::customer::{CustomerDetails, CustomerStatus, Origin};
use std::io::Read;
use std::time::Instant;

const FIRST: [&str; 24] = [
    "Élise", "Elise", "Mélissa", "Jan", "Marie", "Lucas", "Emma", "Louis", "Chloé", "Noah", "Léa",
    "Arthur", "Julie", "Vincent", "Sofie", "Pieter", "Anaïs", "Hugo", "Inès", "Maxime", "Zoë",
    "Thomas", "Camille", "Bram",
];
const LAST: [&str; 30] = [
    "Dubois",
    "Lambert",
    "Peeters",
    "Janssens",
    "Maes",
    "Jacobs",
    "Martin",
    "Dupont",
    "Claes",
    "Goossens",
    "Wouters",
    "Lefèvre",
    "Mertens",
    "Willems",
    "Dumont",
    "Leroy",
    "Renard",
    "Simon",
    "Laurent",
    "Hermans",
    "Michel",
    "Desmet",
    "Lemaire",
    "Vincent",
    "Fontaine",
    "Denis",
    "Legrand",
    "Stevens",
    "Verhaegen",
    "Van Damme",
];
const POSTAL: [&str; 8] = [
    "1000", "1348", "2000", "4000", "5000", "5500", "6000", "9000",
];

#[tokio::main]
async fn main() {
    let n: usize = std::env::var("GUICHET_BENCH_CUSTOMERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, url) in common::targets(&dir, "customers.db") {
        run(name, &url, n).await;
    }
}

/// The `i`th customer: names from the lists, a unique e-mail, a Belgian mobile number.
fn customer(i: usize) -> CustomerDetails {
    let first = FIRST[i % FIRST.len()];
    let last = LAST[(i / FIRST.len()) % LAST.len()];
    let postal = POSTAL[i % POSTAL.len()];
    CustomerDetails {
        first_name: Some(first.to_owned()),
        last_name: Some(format!(
            "{last}{}",
            if i.is_multiple_of(7) { "-Remy" } else { "" }
        )),
        email: Some(format!(
            "{}.{}.{i}@example.org",
            guichet_domain::text::search_key(first),
            guichet_domain::text::search_key(last).replace(' ', "")
        )),
        phone: Some(format!("+32475{:06}", i % 1_000_000)),
        origin: Origin {
            country: "BE".into(),
            postal_code: Some(postal.into()),
            province: guichet_domain::customer::be_province(postal).map(str::to_owned),
        },
        status: if i.is_multiple_of(5) {
            CustomerStatus::Prospect
        } else {
            CustomerStatus::Customer
        },
        city: Some("Namur".into()),
        tags: if i.is_multiple_of(10) {
            vec!["fidèle".into()]
        } else {
            vec![]
        },
        ..Default::default()
    }
}

async fn seed(state: &AppState, ctx: &Ctx, n: usize) {
    let tenant = ctx.tenant;
    let started = Instant::now();
    let batch = 10_000;
    for start in (0..n).step_by(batch) {
        let rows: Vec<CustomerDetails> = (start..(start + batch).min(n)).map(customer).collect();
        state
            .store
            .write(|tx| {
                let rows = rows.clone();
                Box::pin(async move {
                    let rows: Vec<&CustomerDetails> = rows.iter().collect();
                    guichet_store::customers::insert_many(tx, tenant, &rows, None).await?;
                    guichet_store::customers::index_marked(tx, tenant).await
                })
            })
            .await
            .expect("seed");
    }
    // As autovacuum would have by then in a database that grew to this size.
    state
        .store
        .write(|tx| Box::pin(async move { guichet_store::customers::refresh_statistics(tx).await }))
        .await
        .expect("statistics");
    println!(
        "  seeded {n} customers in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Peak resident memory of this process so far, in MiB (Linux `VmHWM`).
fn peak_rss_mib() -> f64 {
    rss_field("VmHWM:")
}

fn rss_mib() -> f64 {
    rss_field("VmRSS:")
}

fn rss_field(field: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1).map(str::to_owned))
        })
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Resets `VmHWM` to the current RSS, so the next peak is the export's own.
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

async fn run(name: &str, url: &str, n: usize) {
    println!("{name}:");
    let (state, ctx) = common::belgian_organization(url).await;
    seed(&state, &ctx, n).await;

    // Search: what cashiers and managers type, common and rare, accents or not.
    let queries = [
        "élis",
        "dubois",
        "mar",
        "jan peeters",
        "0475 12",
        "fidele",
        "vinc",
        "lambert-remy",
        "zoe maes",
        "nobody-at-all",
        "chloe.claes",
        "hugo 5000",
    ];
    let mut all = Vec::new();
    let mut worst = (0.0f64, "");
    let mut by_query: Vec<(&str, f64)> = Vec::new();
    for q in queries {
        let mut mine = Vec::new();
        for _ in 0..10 {
            let t = Instant::now();
            let found = guichet_app::customers::list(&state, &ctx, "", q, 0)
                .await
                .expect("search");
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            std::hint::black_box(found);
            all.push(ms);
            mine.push(ms);
            if ms > worst.0 {
                worst = (ms, q);
            }
        }
        mine.sort_by(f64::total_cmp);
        by_query.push((q, percentile(&mine, 0.5)));
    }
    all.sort_by(f64::total_cmp);
    by_query.sort_by(|a, b| b.1.total_cmp(&a.1));
    println!(
        "  slowest searches (median of 10): {}",
        by_query
            .iter()
            .take(4)
            .map(|(q, ms)| format!("'{q}' {ms:.1} ms"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "  search over {n}: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms ('{}'), {} searches",
        percentile(&all, 0.5),
        percentile(&all, 0.95),
        worst.0,
        worst.1,
        all.len()
    );

    // Import: 100,000 new customers in a semicolon CSV, checked then written.
    let rows = 100_000;
    let mut csv = String::from("Prénom;Nom;E-mail;Téléphone;Code postal;Pays;Date de naissance\n");
    for i in 0..rows {
        let first = FIRST[i % FIRST.len()];
        let last = LAST[(i * 7) % LAST.len()];
        csv.push_str(&format!(
            "{first};{last};import.{i}@example.net;+32 476 {:02} {:02} {:02};{};BE;{:02}/{:02}/19{:02}\n",
            (i / 10_000) % 100,
            (i / 100) % 100,
            i % 100,
            POSTAL[i % POSTAL.len()],
            13 + i % 15,
            1 + i % 12,
            40 + i % 60
        ));
    }
    let t = Instant::now();
    let import =
        guichet_app::customer_imports::upload(&state, &ctx, "bench.csv", csv.as_bytes(), true, "")
            .await
            .expect("upload");
    let checked = t.elapsed().as_secs_f64();
    assert!(
        import.report.errors.is_empty(),
        "{:?}",
        &import.report.errors[..3]
    );
    let t = Instant::now();
    let done = guichet_app::customer_imports::commit(&state, &ctx, import.id, true, "")
        .await
        .expect("commit");
    let written = t.elapsed().as_secs_f64();
    println!(
        "  import of {rows} rows ({:.1} MB): dry run {checked:.2} s, import (checked again and written) {written:.2} s, total {:.2} s; {} created",
        csv.len() as f64 / 1e6,
        checked + written,
        done.created_count
    );

    // Export: every customer, streamed as CSV.
    drop(csv);
    reset_peak();
    let before = rss_mib();
    let t = Instant::now();
    let stream = guichet_app::customers::export_csv(&state, &ctx, Default::default())
        .await
        .expect("export");
    let mut stream = std::pin::pin!(stream);
    let (mut bytes, mut lines) = (0usize, 0usize);
    while let Some(chunk) = futures_util::StreamExt::next(&mut stream).await {
        let chunk = chunk.expect("page");
        bytes += chunk.len();
        lines += chunk.iter().filter(|b| **b == b'\n').count();
    }
    println!(
        "  full CSV export: {lines} lines, {:.0} MB in {:.1} s; RSS {before:.0} MiB before, peak {:.0} MiB during",
        bytes as f64 / 1e6,
        t.elapsed().as_secs_f64(),
        peak_rss_mib()
    );

    // Export as XLSX: a sheet holds 1,048,576 rows, so the customers (not the prospects),
    // written a page at a time in constant memory, then read from its file as the page
    // streams it.
    reset_peak();
    let before = rss_mib();
    let t = Instant::now();
    let filter = guichet_app::customers::ExportFilter {
        status: "customer".into(),
        ..Default::default()
    };
    let mut file = guichet_app::customers::export_xlsx(&state, &ctx, &filter)
        .await
        .expect("xlsx export");
    let mut sink = Vec::with_capacity(64 * 1024);
    let mut bytes = 0usize;
    loop {
        sink.clear();
        let n = std::io::Read::by_ref(&mut file)
            .take(64 * 1024)
            .read_to_end(&mut sink)
            .expect("read");
        if n == 0 {
            break;
        }
        bytes += n;
    }
    println!(
        "  XLSX export of the customers (status customer): {:.0} MB in {:.1} s; RSS {before:.0} MiB before, peak {:.0} MiB during",
        bytes as f64 / 1e6,
        t.elapsed().as_secs_f64(),
        peak_rss_mib()
    );
}
