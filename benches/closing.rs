//! Benchmark: closing registers. The X and the Z of a session with 5,000 sales (target under
//! 50 ms), and the daily, monthly, quarterly and annual summaries over a year of Zs holding
//! 1,000,000 order lines (target under 200 ms). Sales are written through the store's sale
//! transaction (lines, payments, journal) into register sessions opened and closed day by day.
//! SQLite always; PostgreSQL too when `GUICHET_BENCH_DATABASE_URL` points at an empty database.
//! Run with `cargo bench --bench closing`.

mod common;

use guichet_app::Actor as Ctx;
use guichet_app::App as AppState;
use guichet_app::orders::{LineInput, OrderInput, PaymentInput};
use guichet_domain::org::{RegisterInput, SiteInput};
use guichet_store::Tenant;
use guichet_store::orders::NewOrder;
use guichet_store::register_sessions::{self, Closing, Opening};
use std::sync::Arc;
use std::time::Instant;

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, url) in common::targets(&dir, "closing.db") {
        run(name, &url).await;
    }
}

struct Setup {
    state: AppState,
    ctx: Ctx,
    registers: Vec<guichet_domain::RegisterId>,
    /// A priced sale of 6 lines (3 products at 0 %, 6 % and 21 %, twice) with 2 payments.
    sale: NewOrder,
}

async fn setup(url: &str) -> Setup {
    let (state, ctx) = common::belgian_organization(url).await;
    let rates = guichet_app::vat_rates::vat_rates(&state, &ctx)
        .await
        .expect("rates");
    let mut products = Vec::new();
    for (name, price, bp) in [
        ("Entrée", "9,00", 0),
        ("Livre", "18,50", 600),
        ("Peluche", "12,80", 2100),
    ] {
        let rate = rates
            .iter()
            .find(|r| r.rate_basis_points == bp)
            .expect("rate");
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
    let mut registers = Vec::new();
    for name in ["Accueil", "Boutique"] {
        let r = guichet_app::registers::create_register(
            &state,
            &ctx,
            &RegisterInput {
                name: name.into(),
                kind: "counter".into(),
                site_id: site.id.to_string(),
                ..Default::default()
            },
        )
        .await
        .expect("register");
        registers.push(r.id);
    }
    // 2 × (9,00 + 18,50 + 12,80) = 80,60 €, paid 50,00 cash and 30,60 by card.
    let input = OrderInput {
        register_id: registers[0].to_string(),
        lines: products
            .iter()
            .chain(products.iter())
            .map(|p| LineInput {
                product_id: Some(p.clone()),
                quantity: 1,
                ..Default::default()
            })
            .collect(),
        payments: vec![
            PaymentInput {
                method: "cash".into(),
                amount: "50,00".into(),
            },
            PaymentInput {
                method: "bancontact".into(),
                amount: "30,60".into(),
            },
        ],
        ..Default::default()
    };
    let sale = guichet_app::orders::priced_order(&state, &ctx, &input, None)
        .await
        .expect("priced sale");
    assert_eq!(sale.lines.len(), 6);
    Setup {
        state,
        ctx,
        registers,
        sale,
    }
}

/// Opens a session on `register` for `day`, sells `sales` sales in it (500 per transaction)
/// and returns it, still open.
async fn session_with_sales(
    s: &Setup,
    register: guichet_domain::RegisterId,
    day: jiff::civil::Date,
    sales: usize,
) -> guichet_domain::RegisterSessionId {
    let tenant = s.ctx.tenant;
    let at = day
        .at(9, 0, 0, 0)
        .to_zoned(jiff::tz::TimeZone::get("Europe/Brussels").expect("zone"))
        .expect("day")
        .timestamp()
        .as_microsecond();
    let opening = Arc::new(Opening {
        day,
        float_cents: 15_000,
        counts: None,
        at,
    });
    let session = s
        .state
        .store
        .write(|tx| {
            let opening = opening.clone();
            Box::pin(
                async move { register_sessions::open(tx, tenant, register, &opening, None).await },
            )
        })
        .await
        .expect("open");
    let mut sale = s.sale.clone();
    sale.register_id = Some(register);
    sale.day = day;
    sale.at = Some(at + 3_600_000_000);
    for p in &mut sale.payments {
        p.at = sale.at;
    }
    let sale = Arc::new(sale);
    let mut left = sales;
    while left > 0 {
        let n = left.min(500);
        left -= n;
        s.state
            .store
            .write(|tx| {
                let sale = sale.clone();
                Box::pin(async move {
                    for _ in 0..n {
                        guichet_store::orders::create(tx, tenant, &sale).await?;
                    }
                    Ok(())
                })
            })
            .await
            .expect("sales");
    }
    session.id
}

/// Closes with `counted` cash in the drawer.
async fn close(
    s: &Setup,
    session: guichet_domain::RegisterSessionId,
    counted: i64,
) -> register_sessions::ZReport {
    let tenant: Tenant = s.ctx.tenant;
    let closing = Arc::new(Closing {
        counted_cash_cents: counted,
        counts: None,
        counted: Vec::new(),
        at: guichet_store::now_micros(),
        key_seed: [7; 32],
    });
    s.state
        .store
        .write(|tx| {
            let closing = closing.clone();
            Box::pin(
                async move { register_sessions::close(tx, tenant, session, &closing, None).await },
            )
        })
        .await
        .expect("close")
}

fn median(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    (v[v.len() / 2], v[0], v[v.len() - 1])
}

async fn run(name: &str, url: &str) {
    let s = setup(url).await;
    // The Z of a session with 5,000 sales, on a day of its own.
    let day = jiff::civil::date(2027, 6, 1);
    let session = session_with_sales(&s, s.registers[0], day, 5_000).await;
    let mut xs = Vec::new();
    let mut expected = 0;
    for _ in 0..20 {
        let t = Instant::now();
        let x = guichet_app::closing::report(&s.state, &s.ctx, session)
            .await
            .expect("X");
        xs.push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(x.tickets, 5_000);
        expected = x.cash.expected_cents;
    }
    let t = Instant::now();
    let z = close(&s, session, expected).await;
    let close_ms = t.elapsed().as_secs_f64() * 1000.0;
    assert_eq!(z.revenue_cents, 5_000 * 8_060);
    let (med, min, max) = median(xs);
    println!(
        "{name}: X of a session with 5,000 sales (30,000 lines, 10,000 payments): median {med:.1} ms (min {min:.1}, max {max:.1}); closing it with its Z: {close_ms:.1} ms (target < 50 ms)"
    );

    // A year of Zs over 1,000,000 order lines: 2 registers × 365 days × 229 sales × 6 lines.
    let loaded = Instant::now();
    let first = jiff::civil::date(2026, 1, 1);
    let mut lines = 0usize;
    for d in 0..365 {
        let day = first.checked_add(jiff::Span::new().days(d)).expect("day");
        for r in &s.registers {
            let session = session_with_sales(&s, *r, day, 229).await;
            close(&s, session, 15_000 + 229 * 5_000).await;
            lines += 229 * 6;
        }
    }
    println!(
        "{name}: loaded {lines} order lines in 730 closed sessions in {:.1} s",
        loaded.elapsed().as_secs_f64()
    );
    for period in ["annual", "quarterly", "monthly", "daily"] {
        let mut times = Vec::new();
        for _ in 0..20 {
            let t = Instant::now();
            let lines = guichet_app::closing::summary(
                &s.state,
                &s.ctx,
                period,
                Some("2026-01-01"),
                Some("2026-12-31"),
            )
            .await
            .expect("summary");
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            assert!(!lines.is_empty());
        }
        let (med, min, max) = median(times);
        println!(
            "{name}: {period} summary of 2026 (730 Zs, {lines} lines): median {med:.1} ms (min {min:.1}, max {max:.1}; target < 200 ms)"
        );
    }
    // The whole year's journal verified against the sales and the Zs, as `guichet journal
    // verify` does: it must pass on a clean database.
    let t = Instant::now();
    let v = guichet_app::operator::verify_journal(&s.state)
        .await
        .expect("verify");
    assert!(v.ok(), "{:?}", v.findings.first());
    println!(
        "{name}: journal verify of the year ({} chains, {} orders, {} signed Zs): {:.1} s, clean",
        v.chains.len(),
        v.orders,
        v.zs.len(),
        t.elapsed().as_secs_f64()
    );
    s.state.store.close().await;
}
