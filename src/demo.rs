//! `guichet serve --demo`: on an empty database, an organization modelled on the seeds —
//! the attraction "Grottes de Neptune" in Han-sur-Lesse — with its registers and one user
//! per role. Later issues add offers, products, customers and sales.

use guichet_domain::Role;
use guichet_domain::org::{
    AddressInput, Email, Language, OrganizationInput, RegisterDetails, RegisterKind, SiteInput,
    vat_preset,
};
use guichet_store::{Store, StoreError, organizations, registers, sites, users};

/// Demo logins: (e-mail, name, role, password). Only ever created on an empty database.
pub const DEMO_USERS: [(&str, &str, Role, &str); 3] = [
    (
        "admin@grottes-neptune.demo",
        "Anne Admin",
        Role::Admin,
        "neptune-admin",
    ),
    (
        "manager@grottes-neptune.demo",
        "Marc Manager",
        Role::Manager,
        "neptune-manager",
    ),
    (
        "seller@grottes-neptune.demo",
        "Sophie Seller",
        Role::Seller,
        "neptune-seller",
    ),
];

pub async fn seed_if_empty(store: &Store) -> anyhow::Result<()> {
    let count = store
        .read(|tx| Box::pin(async move { organizations::count(tx).await }))
        .await?;
    if count > 0 {
        println!("Demo: the database already holds data; nothing added.");
        print_logins();
        return Ok(());
    }
    let address = AddressInput {
        street: "Rue des Grottes 6".into(),
        postal_code: "5580".into(),
        city: "Han-sur-Lesse".into(),
        country: "BE".into(),
    };
    let org = OrganizationInput {
        name: "Grottes de Neptune".into(),
        legal_name: "Grottes de Neptune SRL".into(),
        vat_number: String::new(),
        address: address.clone(),
        currency: "EUR".into(),
        time_zone: "Europe/Brussels".into(),
        default_language: "fr".into(),
    }
    .parse()
    .map_err(|e| anyhow::anyhow!("demo organization invalid: {e:?}"))?;
    let site = SiteInput {
        name: "Grottes de Neptune".into(),
        address,
    }
    .parse()
    .map_err(|e| anyhow::anyhow!("demo site invalid: {e:?}"))?;
    let preset = vat_preset("BE").ok_or_else(|| anyhow::anyhow!("Belgian VAT preset missing"))?;
    let mut hashes = Vec::new();
    for (_, _, _, password) in DEMO_USERS {
        hashes.push(
            guichet_web::password::hash(password.to_owned())
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))?,
        );
    }
    store
        .write(|tx| {
            let (org, site, hashes) = (org.clone(), site.clone(), hashes.clone());
            Box::pin(async move {
                let tenant = organizations::create(tx, &org).await?;
                let site = sites::create(tx, tenant, &site).await?;
                guichet_web::services::add_preset(tx, tenant, preset).await?;
                for (name, kind) in [
                    ("Accueil", RegisterKind::Counter),
                    ("Réservation par téléphone", RegisterKind::Phone),
                ] {
                    let d = RegisterDetails {
                        name: name.into(),
                        kind,
                        address: Default::default(),
                    };
                    registers::create(tx, tenant, site.id, &d).await?;
                }
                let mut admin = None;
                for ((email, name, role, _), hash) in DEMO_USERS.iter().zip(hashes.iter()) {
                    let email =
                        Email::parse(email).map_err(|_| StoreError::Other("demo e-mail".into()))?;
                    let user =
                        users::create_user(tx, &email, name, Language::Fr, Some(hash)).await?;
                    users::add_member(tx, tenant, user.id, *role).await?;
                    admin = admin.or(Some(user.id));
                }
                seed_shop(tx, tenant, admin).await
            })
        })
        .await?;
    println!(
        "Demo: created \"Grottes de Neptune\" (Han-sur-Lesse) with registers Accueil and Réservation par téléphone, and its shop."
    );
    print_logins();
    Ok(())
}

/// The shop of seed 001 ("Vos produits boutique"), with its initial stock.
async fn seed_shop(
    tx: &mut guichet_store::Tx,
    tenant: guichet_store::Tenant,
    by: Option<guichet_domain::UserId>,
) -> Result<(), StoreError> {
    use guichet_domain::shop::ProductDetails;
    use guichet_store::shop;
    let rates = guichet_store::vat_rates::list(tx, tenant).await?;
    let rate = |bp: u32| {
        rates
            .iter()
            .find(|r| r.rate_basis_points == bp)
            .map(|r| r.id)
            .ok_or(StoreError::Other(format!("no {bp} bp VAT rate")))
    };
    let fromage = shop::create_group(tx, tenant, "Fromage").await?.id;
    let peluche = shop::create_group(tx, tenant, "Peluche").await?.id;
    // (group, name, price in cents, VAT in basis points, initial stock)
    let products = [
        (Some(fromage), "Fromage de Targnon", 1, 0, 5339),
        (Some(fromage), "Panier du Terroir", 2500, 0, 15),
        (Some(peluche), "Peluche loup", 1280, 2100, 15),
        (Some(peluche), "Peluche mouton 10 cm", 500, 600, 36),
        (Some(peluche), "Heaume", 1150, 0, 69),
        (None, "Casquette Truck", 1000, 2100, 20),
    ];
    for (group, name, price_cents, bp, stock) in products {
        let d = ProductDetails {
            name: name.to_owned(),
            reference: None,
            barcode: None,
            price_cents,
            sale_pos: true,
            sale_online: false,
            alert_stock: Some(5),
            stock_managed: true,
        };
        shop::create_product(tx, tenant, &d, rate(bp)?, group, Some(stock), by).await?;
    }
    Ok(())
}

fn print_logins() {
    println!("Demo logins (e-mail / password):");
    for (email, _, role, password) in DEMO_USERS {
        println!("  {role:<8} {email} / {password}");
    }
}
