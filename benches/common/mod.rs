//! What the benchmarks share: the databases they run on, the organization they set up and the
//! admin context they act as. (Each bench includes this with `mod common;` and uses part of it.)
#![allow(dead_code)]

use guichet_domain::Role;
use guichet_domain::org::{Language, OrganizationDetails, OrganizationInput};
use guichet_store::{Store, Tenant, migrate, organizations};
use guichet_web::auth::Ctx;
use guichet_web::{AppState, WebConfig};
use std::sync::Arc;

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

/// Acting as an admin of `tenant`, as the services check.
pub fn admin(tenant: Tenant) -> Ctx {
    Ctx {
        user: None,
        tenant,
        role: Role::Admin,
        memberships: vec![],
        session_token: None,
        api_key: None,
        lang: Language::Fr,
    }
}

/// A migrated database with the organization and the Belgian VAT rates.
pub async fn belgian_organization(url: &str) -> (AppState, Ctx) {
    let store = Store::connect(url).await.expect("connect");
    migrate::run(&store).await.expect("migrate");
    let org = organization();
    let tenant = store
        .write(|tx| {
            let org = org.clone();
            Box::pin(async move {
                let tenant = organizations::create(tx, &org).await?;
                let preset = guichet_domain::org::vat_preset("BE").expect("preset");
                guichet_web::services::add_preset(tx, tenant, preset).await?;
                Ok(tenant)
            })
        })
        .await
        .expect("organization");
    let state = AppState {
        store,
        config: Arc::new(WebConfig::default()),
        progress: Default::default(),
        import_plans: Default::default(),
    };
    (state, admin(tenant))
}
