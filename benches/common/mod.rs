//! What the benchmarks share: the databases they run on, the organization they set up and the
//! admin context they act as. (Each bench includes this with `mod common;` and uses part of it.)
#![allow(dead_code)]

use guichet_app::orders::{LineInput, OrderInput, PaymentInput};
use guichet_app::{Actor, App, AppConfig, Store};
use guichet_domain::org::{OrganizationDetails, OrganizationInput};
use guichet_domain::org::{RegisterInput, SiteInput};
use guichet_store::register_sessions::{self, Opening};

/// SQLite in `dir` always; PostgreSQL too when `GUICHET_BENCH_DATABASE_URL` points at an empty
/// database.
pub fn targets(dir: &tempfile::TempDir, file: &str) -> Vec<(&'static str, String)> {
    let mut targets = vec![(
        "SQLite",
        format!("sqlite://{}/{file}", dir.path().display()),
    )];
    if let Ok(url) = std::env::var("GUICHET_BENCH_DATABASE_URL") {
        targets.push(("PostgreSQL", url));
    }
    targets
}

/// The benchmarks' organization, in Brussels.
pub fn organization() -> OrganizationDetails {
    OrganizationInput {
        name: "Bench".into(),
        currency: "EUR".into(),
        time_zone: "Europe/Brussels".into(),
        default_language: "fr".into(),
        ..Default::default()
    }
    .parse()
    .expect("org")
}

/// A migrated database with the organization and the Belgian VAT rates, and the operator
/// acting as its admin.
pub async fn belgian_organization(url: &str) -> (App, Actor) {
    let store = Store::connect(url).await.expect("connect");
    guichet_app::migrate(&store).await.expect("migrate");
    let app = App::new(store, AppConfig::default());
    let preset = guichet_domain::org::vat_preset("BE");
    let tenant =
        guichet_app::organization::create_organization(&app, &organization(), None, preset)
            .await
            .expect("organization");
    (app, Actor::operator(tenant))
}

/// `lines` order lines of register sales (6 shop products each, paid cash) spread evenly over
/// `days` days from `first`, written through the store's sale transaction 500 at a time;
/// answers how many lines were written.
pub async fn seed_product_sales(
    state: &App,
    ctx: &Actor,
    lines: usize,
    first: jiff::civil::Date,
    days: i64,
) -> usize {
    let rate = guichet_app::vat_rates::vat_rates(state, ctx)
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
            state,
            ctx,
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
        state,
        ctx,
        &SiteInput {
            name: "Site".into(),
            ..Default::default()
        },
    )
    .await
    .expect("site");
    let register = guichet_app::registers::create_register(
        state,
        ctx,
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
    let mut sale = guichet_app::orders::priced_order(state, ctx, &input, None)
        .await
        .expect("priced sale");
    let day = first;
    let at = day
        .at(9, 0, 0, 0)
        .to_zoned(jiff::tz::TimeZone::get("Europe/Brussels").expect("zone"))
        .expect("day")
        .timestamp()
        .as_microsecond();
    let tenant = ctx.tenant;
    let opening = std::sync::Arc::new(Opening {
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
    let mut left = lines.div_ceil(per_sale);
    // The sales spread over the days, as at a busy register (8 a.m. to 10 p.m. on one day).
    let span = if days <= 1 {
        80_000_000_000
    } else {
        days * 86_400_000_000
    };
    let step = span / (left as i64).max(1);
    let mut at = at - 8 * 3_600_000_000;
    while left > 0 {
        let n = left.min(500);
        left -= n;
        let batch: std::sync::Arc<Vec<_>> = std::sync::Arc::new(
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
    lines.div_ceil(per_sale) * per_sale
}
