//! Benchmark: stock at a date for 5,000 products over 1,000,000 movements (target under
//! 500 ms), on SQLite, and on PostgreSQL when `GUICHET_BENCH_DATABASE_URL` points at an
//! empty database. Run with `cargo bench --bench stock`.

mod common;

use guichet_domain::org::SiteInput;
use guichet_domain::shop::ProductDetails;
use guichet_store::{Store, Tx, migrate, organizations, shop, sites};
use std::time::Instant;

const PRODUCTS: usize = 5_000;
const MOVEMENTS: usize = 1_000_000;
const DAY: i64 = 86_400_000_000;

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, url) in common::targets(&dir, "bench.db") {
        run(name, &url).await;
    }
}

async fn run(name: &str, url: &str) {
    let store = Store::connect(url).await.expect("connect");
    migrate::run(&store).await.expect("migrate");
    let org = common::organization();
    let site = SiteInput {
        name: "Bench".into(),
        ..Default::default()
    }
    .parse()
    .expect("site");
    let load = Instant::now();
    let (tenant, product_ids) = store
        .write(|tx| {
            let (org, site) = (org.clone(), site.clone());
            Box::pin(async move {
                let tenant = organizations::create(tx, &org).await?;
                sites::create(tx, tenant, &site).await?;
                let rate = guichet_domain::VatRate::from_basis_points(2100).expect("rate");
                let vat = guichet_store::vat_rates::create(tx, tenant, "TVA 21 %", rate)
                    .await?
                    .id;
                let mut ids = Vec::with_capacity(PRODUCTS);
                for i in 0..PRODUCTS {
                    let d = ProductDetails {
                        name: format!("Article {i}"),
                        reference: None,
                        barcode: None,
                        price_cents: 100 + i as i64,
                        sale_pos: true,
                        sale_online: false,
                        alert_stock: Some(3),
                        stock_managed: true,
                        discountable: true,
                    };
                    ids.push(
                        shop::create_product(tx, tenant, &d, vat, None, Some(100), None)
                            .await?
                            .id,
                    );
                }
                Ok((tenant, ids))
            })
        })
        .await
        .expect("products");
    // Movements spread over two years, loaded in bulk (the benchmark times the report, not
    // the loading).
    let start = 1_700_000_000_000_000i64;
    let kinds = ["restock", "sale", "sale", "sale", "withdrawal", "return"];
    let mut written = PRODUCTS; // the initial movements
    while written < MOVEMENTS {
        let batch = 10_000.min(MOVEMENTS - written);
        let offset = written;
        let ids = product_ids.clone();
        store
            .write(|tx| {
                let ids = ids.clone();
                Box::pin(async move {
                    bulk_insert(tx, tenant.id().0, &ids, offset, batch, start, &kinds).await?;
                    Ok(())
                })
            })
            .await
            .expect("movements");
        written += batch;
    }
    println!(
        "{name}: loaded {PRODUCTS} products and {MOVEMENTS} movements in {:.1} s",
        load.elapsed().as_secs_f64()
    );

    let mut times = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let lines = store
            .read(|tx| {
                Box::pin(async move {
                    shop::stock_report(tx, tenant, start + 365 * DAY, start + 500 * DAY).await
                })
            })
            .await
            .expect("report");
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(lines.len(), PRODUCTS);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "{name}: stock at a date, {PRODUCTS} products / {MOVEMENTS} movements: median {:.0} ms (min {:.0}, max {:.0}; target < 500 ms)",
        times[times.len() / 2],
        times[0],
        times[times.len() - 1]
    );
    store.close().await;
}

/// Inserts `batch` movements with multi-row statements (backend-neutral SQL).
async fn bulk_insert(
    tx: &mut Tx,
    org: uuid::Uuid,
    ids: &[shop::ProductId],
    offset: usize,
    batch: usize,
    start: i64,
    kinds: &[&str],
) -> Result<(), guichet_store::StoreError> {
    const ROWS: usize = 500;
    let mut done = 0;
    while done < batch {
        let n = ROWS.min(batch - done);
        let mut sql = String::from(
            "INSERT INTO stock_movements (id, organization_id, product_id, kind, quantity, occurred_at) VALUES ",
        );
        for r in 0..n {
            let p = r * 6;
            if r > 0 {
                sql.push(',');
            }
            sql.push_str(&format!(
                "(${}, ${}, ${}, ${}, ${}, ${})",
                p + 1,
                p + 2,
                p + 3,
                p + 4,
                p + 5,
                p + 6
            ));
        }
        let rows: Vec<(uuid::Uuid, uuid::Uuid, &str, i64, i64)> = (0..n)
            .map(|r| {
                let i = offset + done + r;
                let kind = kinds[i % kinds.len()];
                let q = match kind {
                    "restock" => 12,
                    "return" => 1,
                    _ => -1,
                };
                let at = start + (i as i64 % 730) * DAY + (i as i64 % 86_400) * 1_000_000;
                (uuid::Uuid::now_v7(), ids[i % ids.len()].0, kind, q, at)
            })
            .collect();
        guichet_store::on_tx!(tx, c => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
            for (id, product, kind, qty, at) in &rows {
                q = q.bind(*id).bind(org).bind(*product).bind(*kind).bind(*qty).bind(*at);
            }
            q.execute(c).await?.rows_affected()
        });
        done += n;
    }
    Ok(())
}
