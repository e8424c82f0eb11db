//! What the benchmarks share: the databases they run on, the organization they set up and the
//! admin context they act as. (Each bench includes this with `mod common;` and uses part of it.)
#![allow(dead_code)]

use guichet_app::{Actor, App, AppConfig, Store};
use guichet_domain::org::{OrganizationDetails, OrganizationInput};

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
