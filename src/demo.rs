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
                seed_shop(tx, tenant, admin).await?;
                seed_catalogue(tx, tenant).await
            })
        })
        .await?;
    println!(
        "Demo: created \"Grottes de Neptune\" (Han-sur-Lesse) with registers Accueil and Réservation par téléphone, and its shop."
    );
    print_logins();
    Ok(())
}

/// The catalogue of seed 001: ticket types, the audio-guide extra and three offers.
async fn seed_catalogue(
    tx: &mut guichet_store::Tx,
    tenant: guichet_store::Tenant,
) -> Result<(), StoreError> {
    use guichet_domain::catalogue::{ItemInput, ItemKind};
    use guichet_domain::offer::{OfferInput, OfferTexts, PriceInput};
    use guichet_domain::schedule::RuleInput;
    use guichet_store::{groups, items, offers};
    let rates = guichet_store::vat_rates::list(tx, tenant).await?;
    let vat0 = rates
        .iter()
        .find(|r| r.rate_basis_points == 0)
        .map(|r| r.id)
        .ok_or(StoreError::Other("no 0 % rate".into()))?;
    let invalid = |e: guichet_domain::FieldErrors| {
        StoreError::Other(format!("demo catalogue invalid: {e:?}"))
    };
    // (kind, name, en, nl, online)
    let defs = [
        (
            ItemKind::TicketType,
            "Ticket adulte",
            "Adult",
            "Volwassene",
            true,
        ),
        (ItemKind::TicketType, "Ticket enfant", "Child", "Kind", true),
        (
            ItemKind::TicketType,
            "Ticket senior",
            "Senior",
            "Senior",
            true,
        ),
        (
            ItemKind::TicketType,
            "Groupe enfants",
            "Children's group",
            "Kindergroep",
            false,
        ),
        (
            ItemKind::TicketType,
            "Groupe adultes",
            "Adults' group",
            "Volwassenengroep",
            false,
        ),
        (
            ItemKind::Extra,
            "Audio-guide",
            "Audio guide",
            "Audiogids",
            true,
        ),
    ];
    let mut ids = Vec::new();
    for (kind, name, en, nl, online) in defs {
        let d = ItemInput {
            name: name.into(),
            name_en: en.into(),
            name_nl: nl.into(),
            sale_pos: true,
            sale_online: online,
            capacity: if kind == ItemKind::Extra {
                "40".into()
            } else {
                String::new()
            },
            ..Default::default()
        }
        .parse()
        .map_err(invalid)?;
        ids.push(
            items::create(tx, tenant, kind, &d, vat0)
                .await?
                .id
                .to_string(),
        );
    }
    let group = groups::create(tx, tenant, groups::GroupKind::Offer, "Visites")
        .await?
        .id
        .to_string();
    let year = jiff::Zoned::now().year();
    let season = |kind: &str| RuleInput {
        from: format!("{year}-01-01"),
        to: format!("{}-12-31", year + 1),
        kind: kind.into(),
        ..Default::default()
    };
    let price = |i: usize, p: &str| PriceInput {
        item_id: ids[i].clone(),
        price: p.into(),
        ..Default::default()
    };
    let text = |name: &str| OfferTexts {
        name: name.into(),
        ..Default::default()
    };
    let tour = OfferInput {
        fr: text("Visite guidée des Grottes de Neptune"),
        en: text("Guided tour of the Neptune Caves"),
        nl: text("Begeleid bezoek aan de Neptunusgrotten"),
        kind: "activity".into(),
        group_id: group.clone(),
        sale_pos: true,
        sale_online: true,
        duration_minutes: "45".into(),
        capacity: "40".into(),
        prices: vec![
            price(0, "8,50"),
            price(1, "5,00"),
            price(2, "7,50"),
            price(5, "3,00"),
        ],
        rules: vec![RuleInput {
            every_minutes: "30".into(),
            first: "10:00".into(),
            last: "16:30".into(),
            ..season("every")
        }],
        ..Default::default()
    };
    // Groups only, at the register only (prices are the demo's own: the seeds give none).
    let abbey = OfferInput {
        fr: text("Visite de l'Abbaye"),
        kind: "activity".into(),
        group_id: group.clone(),
        sale_pos: true,
        capacity: "60".into(),
        prices: vec![price(3, "4,00"), price(4, "6,00")],
        rules: vec![RuleInput {
            times: "10:00, 14:00".into(),
            ..season("fixed")
        }],
        ..Default::default()
    };
    let three_hours = OfferInput {
        fr: text("Visite de 3h"),
        kind: "activity".into(),
        group_id: group,
        sale_pos: true,
        sale_online: true,
        duration_minutes: "180".into(),
        capacity: "15".into(),
        prices: vec![price(0, "25,00"), price(1, "15,00")],
        rules: vec![RuleInput {
            times: "13:00".into(),
            weekdays: "sat,sun".into(),
            ..season("fixed")
        }],
        ..Default::default()
    };
    for o in [tour, abbey, three_hours] {
        let d = o.parse().map_err(invalid)?;
        offers::save(tx, tenant, None, &d).await?;
    }
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
