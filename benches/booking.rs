//! Benchmark for the public online booking (issue 16 §5), on SQLite, and on PostgreSQL when
//! `GUICHET_BENCH_DATABASE_URL` points at an empty database. Run with
//! `cargo bench --bench booking`.
//!
//! - The public calendar of one offer over 90 days (20 sessions a day), through a module, as
//!   the booking page asks it: median and p99 of 50 runs (target ≤ 20 ms).
//! - Visitors racing for one session of exactly 1,000 places, 1, 8 and 32 at once: each
//!   visitor takes a fresh cart, chooses 1 to 3 tickets (the places are held) and books with
//!   their details (the order is made at once: the offer is paid on site). A visitor refused
//!   (places taken first) looks at what is left and tries again with at most that, until
//!   nothing is left. Prints bookings (orders) per second, p50/p99 of a booking (choose +
//!   book), the refusals, and checks that exactly 1,000 places were sold: no oversell, no
//!   place left held.
//! - The embeddable widget script (`crates/web/assets/embed.js`) gzip-compressed (target
//!   ≤ 30 KB).

mod common;

use guichet_app::Actor as Ctx;
use guichet_app::App as AppState;
use guichet_app::AppError;
use guichet_app::booking;
use guichet_app::booking_modules::PublicModule;
use guichet_domain::booking_module::{ModuleInput, VisitorInput};
use guichet_domain::offer::{OfferInput, OfferTexts, PriceInput};
use guichet_domain::org::Language;
use guichet_domain::schedule::RuleInput;
use guichet_domain::{ItemId, OfferId};
use std::collections::BTreeMap;
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

const PLACES: i64 = 1_000;

#[tokio::main]
async fn main() {
    widget_size();
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, url) in common::targets(&dir, "bench.db") {
        run(name, &url).await;
    }
}

/// The widget script gzip-compressed (best compression, as a server or CDN would send it).
fn widget_size() {
    for file in ["embed.js", "embed-child.js"] {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/crates/web/assets/").to_owned() + file;
        let raw = std::fs::read(&path).expect("widget script");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&raw).expect("gzip");
        let compressed = gz.finish().expect("gzip");
        println!(
            "widget script {file}: {} bytes, {} bytes gzip-compressed ({:.1} KB; target <= 30 KB)",
            raw.len(),
            compressed.len(),
            compressed.len() as f64 / 1024.0
        );
    }
}

struct Setup {
    state: AppState,
    ctx: Ctx,
    module: PublicModule,
    /// 20 sessions a day for the calendar.
    daily: OfferId,
    /// One session a day at 20:00 with 1,000 places, for the races.
    concert: OfferId,
    /// Adult and child tickets of the concert.
    tickets: [ItemId; 2],
    today: jiff::civil::Date,
}

fn day_after(d: jiff::civil::Date, days: i64) -> jiff::civil::Date {
    d.checked_add(jiff::Span::new().days(days)).expect("date")
}

async fn setup(url: &str) -> Setup {
    let (state, ctx) = common::belgian_organization(url).await;
    let vat = guichet_app::vat_rates::vat_rates(&state, &ctx)
        .await
        .expect("rates")
        .iter()
        .find(|r| r.rate_basis_points == 600)
        .expect("6 %")
        .id
        .to_string();
    let mut items = Vec::new();
    for name in ["Adulte", "Enfant", "Senior"] {
        let input = guichet_domain::catalogue::ItemInput {
            name: name.into(),
            vat_rate_id: vat.clone(),
            sale_pos: true,
            sale_online: true,
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
        items.push(item.id);
    }
    let prices = |n: usize| -> Vec<PriceInput> {
        items
            .iter()
            .take(n)
            .zip(["12,50", "8,00", "10,00"])
            .map(|(id, price)| PriceInput {
                item_id: id.to_string(),
                price: price.into(),
                ..Default::default()
            })
            .collect()
    };
    let tz = jiff::tz::TimeZone::get("Europe/Brussels").expect("zone");
    let today = jiff::Timestamp::now().to_zoned(tz).date();
    let until = day_after(today, 120).to_string();
    // 20 sessions a day: every 30 minutes from 07:00 to 16:30, sold online, paid on site.
    let daily = OfferInput {
        fr: OfferTexts {
            name: "Visite des grottes".into(),
            ..Default::default()
        },
        kind: "activity".into(),
        sale_pos: true,
        sale_online: true,
        capacity: "40".into(),
        prices: prices(3),
        rules: vec![RuleInput {
            from: today.to_string(),
            to: until.clone(),
            kind: "every".into(),
            every_minutes: "30".into(),
            first: "07:00".into(),
            last: "16:30".into(),
            ..Default::default()
        }],
        ..Default::default()
    };
    let daily = guichet_app::offers::save(&state, &ctx, None, &daily)
        .await
        .expect("daily offer");
    let concert = OfferInput {
        fr: OfferTexts {
            name: "Concert".into(),
            ..Default::default()
        },
        kind: "event".into(),
        sale_pos: true,
        sale_online: true,
        capacity: PLACES.to_string(),
        prices: prices(2),
        rules: vec![RuleInput {
            from: today.to_string(),
            to: until,
            kind: "fixed".into(),
            times: "20:00".into(),
            ..Default::default()
        }],
        ..Default::default()
    };
    let concert = guichet_app::offers::save(&state, &ctx, None, &concert)
        .await
        .expect("concert offer");
    guichet_app::booking_modules::create(
        &state,
        &ctx,
        &ModuleInput {
            name: "Billetterie".into(),
            slug: "billetterie".into(),
            kind: "engine".into(),
            language: "fr".into(),
            ..Default::default()
        },
    )
    .await
    .expect("module");
    let org = guichet_app::booking_modules::organization_slug(&state, &ctx)
        .await
        .expect("org slug");
    let module = guichet_app::booking_modules::public_module(&state, &org, "billetterie")
        .await
        .expect("public module");
    Setup {
        state,
        ctx,
        module,
        daily: daily.id,
        concert: concert.id,
        tickets: [items[0], items[1]],
        today,
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

async fn calendar(name: &str, s: &Setup) {
    let mut times = Vec::new();
    for _ in 0..50 {
        let t = Instant::now();
        let days = booking::calendar(&s.state, &s.module, Some(s.daily), s.today, 90)
            .await
            .expect("calendar");
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(days.len(), 90);
        assert!(days.iter().skip(1).all(|d| d.status.bookable()));
    }
    times.sort_by(f64::total_cmp);
    println!(
        "{name}: public calendar of one offer, 90 days x 20 sessions (3 ticket types), 50 runs: median {:.1} ms, p99 {:.1} ms (min {:.1}; target <= 20 ms)",
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        times[0],
    );
}

/// The concert session of `day`, as the planning sees it: (capacity, sold, held, remaining).
async fn session(s: &Setup, day: jiff::civil::Date) -> (i64, i64, i64, i64) {
    let d = day.to_string();
    let a = guichet_app::planning::availability(&s.state, &s.ctx, s.concert, &d, &d)
        .await
        .expect("availability");
    assert_eq!(a.sessions.len(), 1);
    let x = &a.sessions[0];
    (x.capacity, x.sold, x.held, x.remaining)
}

fn code(e: &AppError) -> String {
    match e {
        AppError::Conflict(c) => (*c).to_owned(),
        AppError::Invalid(f) => {
            f.0.iter()
                .map(|e| format!("{}:{}", e.field, e.code))
                .collect::<Vec<_>>()
                .join(",")
        }
        other => format!("{other:?}"),
    }
}

fn visitor(n: usize) -> VisitorInput {
    VisitorInput {
        last_name: "Peeters".into(),
        first_name: format!("Visiteur{n}"),
        email: format!("visiteur{n}@example.be"),
        phone: format!("+32 475 {:02} {:02} {:02}", n % 100, (n / 100) % 100, 42),
        city: "Namur".into(),
        postal_code: "5000".into(),
        country: "BE".into(),
        consent_email: false,
        accept_terms: true,
    }
}

#[derive(Default)]
struct Outcome {
    /// Latency of each booking made (choose + book), ms.
    booked: Vec<f64>,
    tickets: i64,
    refusals: BTreeMap<String, usize>,
    /// Bookings whose `book` failed after the places were held.
    failed_books: BTreeMap<String, usize>,
}

/// `n` visitors at once booking the concert of `day` until it is sold out.
async fn race(name: &str, s: &Arc<Setup>, n: usize, day: jiff::civil::Date) {
    let (capacity, sold, held, _) = session(s, day).await;
    assert_eq!((capacity, sold, held), (PLACES, 0, 0));
    let d = day.to_string();
    let starts = guichet_app::planning::availability(&s.state, &s.ctx, s.concert, &d, &d)
        .await
        .expect("availability")
        .sessions[0]
        .start;
    let visitors = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for r in 0..n {
        let (s, visitors) = (s.clone(), visitors.clone());
        tasks.push(tokio::spawn(async move {
            let mut out = Outcome::default();
            let mut k = 0usize;
            'visitors: loop {
                let v = visitors.fetch_add(1, Ordering::Relaxed) + n * 1_000_000;
                // 1, 2 or 3 tickets, adults and sometimes a child.
                let mut want = 1 + ((r * 7 + k * 5) % 3) as i64;
                k += 1;
                loop {
                    let children = if want > 1 { (k % 2) as i64 } else { 0 };
                    let quantities = [(s.tickets[0], want - children), (s.tickets[1], children)];
                    let cart = booking::new_cart_token();
                    let t = Instant::now();
                    let chosen = booking::choose(
                        &s.state,
                        &s.module,
                        Language::Fr,
                        &cart,
                        s.concert,
                        starts,
                        &quantities,
                    )
                    .await;
                    if let Err(e) = chosen {
                        *out.refusals.entry(code(&e)).or_default() += 1;
                        let (_, _, _, remaining) = session(&s, day).await;
                        if remaining <= 0 {
                            break 'visitors;
                        }
                        want = want.min(remaining);
                        continue;
                    }
                    match booking::book(&s.state, &s.module, Language::Fr, &cart, &visitor(v)).await
                    {
                        Ok(booking::Booking::Booked(order)) => {
                            out.booked.push(t.elapsed().as_secs_f64() * 1000.0);
                            out.tickets += order.lines.iter().map(|l| l.quantity).sum::<i64>();
                        }
                        Ok(booking::Booking::Pay { .. }) => panic!("the offer is paid on site"),
                        Err(e) => *out.failed_books.entry(code(&e)).or_default() += 1,
                    }
                    break;
                }
            }
            out
        }));
    }
    let mut all = Outcome::default();
    for t in tasks {
        let o = t.await.expect("visitor task");
        all.booked.extend(o.booked);
        all.tickets += o.tickets;
        for (c, k) in o.refusals {
            *all.refusals.entry(c).or_default() += k;
        }
        for (c, k) in o.failed_books {
            *all.failed_books.entry(c).or_default() += k;
        }
    }
    let secs = started.elapsed().as_secs_f64();
    all.booked.sort_by(f64::total_cmp);
    let (capacity, sold, held, remaining) = session(s, day).await;
    let refused: usize = all.refusals.values().sum();
    println!(
        "{name}: {n:>2} visitors racing for {PLACES} places: {} orders in {:.2} s = {:.0} orders/s, p50 {:.1} ms, p99 {:.1} ms per booking (choose + book); {refused} refusals {:?}; failed books {:?}; sold {sold} of {capacity} (tickets in the orders {}), held {held}, remaining {remaining}",
        all.booked.len(),
        secs,
        all.booked.len() as f64 / secs,
        percentile(&all.booked, 0.5),
        percentile(&all.booked, 0.99),
        all.refusals,
        all.failed_books,
        all.tickets,
    );
    assert_eq!(sold, PLACES, "exactly {PLACES} places sold");
    assert_eq!(
        all.tickets, PLACES,
        "the orders hold exactly {PLACES} tickets"
    );
    assert_eq!((held, remaining), (0, 0));
    assert!(all.failed_books.is_empty(), "no booking failed once held");
}

async fn run(name: &str, url: &str) {
    let s = Arc::new(setup(url).await);
    calendar(name, &s).await;
    for (i, n) in [1usize, 8, 32].into_iter().enumerate() {
        // A different evening's concert for each round, a week ahead and later.
        race(name, &s, n, day_after(s.today, 7 + i as i64)).await;
    }
    // The calendar again, now that the database holds the races' orders and customers.
    calendar(name, &s).await;
    s.state.store.close().await;
}
