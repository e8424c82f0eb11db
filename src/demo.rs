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
            guichet_app::password::hash(password.to_owned())
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))?,
        );
    }
    let tenant = store
        .write(|tx| {
            let (org, site, hashes) = (org.clone(), site.clone(), hashes.clone());
            Box::pin(async move {
                let tenant = organizations::create(tx, &org).await?;
                let site = sites::create(tx, tenant, &site).await?;
                guichet_app::vat_rates::add_preset(tx, tenant, preset).await?;
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
                seed_catalogue(tx, tenant).await?;
                seed_customers(tx, tenant).await?;
                Ok(tenant)
            })
        })
        .await?;
    let sold = seed_sales(store, tenant).await?;
    println!(
        "Demo: created \"Grottes de Neptune\" (Han-sur-Lesse) with registers Accueil and Réservation par téléphone, its catalogue and shop, and {sold} orders over the last days."
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
            discountable: true,
        };
        shop::create_product(tx, tenant, &d, rate(bp)?, group, Some(stock), by).await?;
    }
    Ok(())
}

/// A few days of realistic sales: visits and shop purchases at "Accueil" (cash and Bancontact),
/// and phone bookings for the coming days (bank transfer, or to be paid on arrival). They go
/// through the same store transaction as real sales, so places, stock, numbers and the journal
/// all agree. The mix is pseudo-random but the same on every run.
async fn seed_sales(store: &Store, tenant: guichet_store::Tenant) -> anyhow::Result<usize> {
    use guichet_domain::order::{PaymentMethod, totals};
    use guichet_store::orders::{LineKind, NewLine, NewOrder, NewPayment};
    let (regs, offers, products, sellers) = store
        .read(|tx| {
            Box::pin(async move {
                let regs = registers::list(tx, tenant).await?;
                let offers = guichet_store::offers::list(tx, tenant).await?;
                let products =
                    guichet_store::shop::products(tx, tenant, &Default::default()).await?;
                let sellers = users::list_members(tx, tenant).await?;
                Ok((regs, offers, products, sellers))
            })
        })
        .await?;
    let counter = regs
        .iter()
        .find(|r| r.kind == RegisterKind::Counter)
        .map(|r| r.id);
    let phone = regs
        .iter()
        .find(|r| r.kind == RegisterKind::Phone)
        .map(|r| r.id);
    let Some(tour) = offers
        .iter()
        .find(|o| o.texts.fr.name.starts_with("Visite guidée"))
    else {
        return Ok(0);
    };
    let seller = sellers
        .iter()
        .find(|m| m.role == Role::Seller)
        .map(|m| m.id);
    let tz = jiff::tz::TimeZone::get("Europe/Brussels")?;
    let now = jiff::Zoned::now().with_time_zone(tz.clone());
    let mut seed: u64 = 20210316;
    let mut next = move |n: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % n
    };
    let mut count = 0;
    for day_offset in -3i64..=3 {
        let day = now.date().checked_add(jiff::Span::new().days(day_offset))?;
        let sessions = tour.schedule.schedule().sessions_on(day, &tz);
        if sessions.is_empty() {
            continue;
        }
        // Sales made that day at the counter (past days and today, up to now), phone bookings
        // made today for the coming days.
        let (register, made_on, sales) = if day_offset <= 0 {
            (counter, day, 8 + next(6))
        } else {
            (phone, now.date(), 2 + next(2))
        };
        // The counter opens at 9:00 with a 150 € float on each day it sells; past days are
        // closed at 18:00 with their Z, today's session stays open.
        let counter_session = match (day_offset <= 0, counter) {
            (true, Some(reg)) => Some((
                reg,
                open_counter(store, tenant, reg, day, &tz, seller).await?,
            )),
            _ => None,
        };
        for _ in 0..sales {
            let session = &sessions[usize::try_from(next(sessions.len() as u64)).unwrap_or(0)];
            let at = if day_offset < 0 {
                session.start_micros - 600_000_000
            } else {
                now.timestamp().as_microsecond()
                    - i64::try_from(next(3_600)).unwrap_or(0) * 1_000_000
            };
            let mut lines = Vec::new();
            for (i, p) in tour.prices.iter().enumerate() {
                let q = match i {
                    0 => 1 + next(3),
                    3 => next(2),
                    _ => next(3),
                };
                if q == 0 {
                    continue;
                }
                let extra = p.item_kind == guichet_domain::catalogue::ItemKind::Extra;
                lines.push(NewLine {
                    kind: if extra {
                        LineKind::Extra
                    } else {
                        LineKind::TicketType
                    },
                    offer_id: Some(tour.id),
                    session_start: Some(session.start_micros),
                    visit_date: Some(day.to_string()),
                    item_id: Some(p.item_id),
                    product_id: None,
                    label: p.item_name.clone(),
                    quantity: i64::try_from(q).unwrap_or(1),
                    unit_price_cents: p.price_cents,
                    list_price_cents: p.price_cents,
                    price_reason: None,
                    discount_cents: 0,
                    discount_reason: None,
                    total_cents: p.price_cents * i64::try_from(q).unwrap_or(1),
                    vat_rate_bp: p.vat_rate_basis_points,
                    vat_cents: 0,
                    session_capacity: (!extra).then_some(tour.capacity),
                    daily_stock: Some(999),
                    item_capacity: extra.then_some(40),
                    offer_name: Some(tour.texts.fr.name.clone()),
                    discountable: true,
                });
            }
            if day_offset <= 0 && next(3) == 0 {
                let p = &products[usize::try_from(next(products.len() as u64)).unwrap_or(0)];
                lines.push(NewLine {
                    kind: LineKind::Product,
                    offer_id: None,
                    session_start: None,
                    visit_date: None,
                    item_id: None,
                    product_id: Some(p.id),
                    label: p.name.clone(),
                    quantity: 1,
                    unit_price_cents: p.price_cents,
                    list_price_cents: p.price_cents,
                    price_reason: None,
                    discount_cents: 0,
                    discount_reason: None,
                    total_cents: p.price_cents,
                    vat_rate_bp: p.vat_rate_basis_points,
                    vat_cents: 0,
                    session_capacity: None,
                    daily_stock: None,
                    item_capacity: None,
                    offer_name: None,
                    discountable: p.discountable,
                });
            }
            let t = totals(
                &lines
                    .iter()
                    .map(|l| (l.total_cents, l.vat_rate_bp))
                    .collect::<Vec<_>>(),
            );
            for (l, v) in lines.iter_mut().zip(&t.line_vat_cents) {
                l.vat_cents = *v;
            }
            let method = match (day_offset > 0, next(3)) {
                (true, 0) => None,
                (true, _) => Some(PaymentMethod::BankTransfer),
                (false, 0) => Some(PaymentMethod::Cash),
                (false, _) => Some(PaymentMethod::Bancontact),
            };
            let order = NewOrder {
                register_id: register,
                quote: false,
                total_cents: t.gross_cents,
                vat_cents: t.vat_cents,
                visit_date: Some(day.to_string()),
                visit_start: Some(session.start_micros),
                customer_comment: None,
                internal_comment: None,
                created_by: seller,
                idempotency_key: None,
                customer_id: None,
                promo_code_id: None,
                origin: Some(guichet_domain::customer::Origin {
                    country: "BE".into(),
                    postal_code: Some("5580".into()),
                    province: Some("Namur".into()),
                }),
                day: made_on,
                at,
                payments: method
                    .map(|m| NewPayment {
                        at,
                        method: m,
                        amount_cents: t.gross_cents,
                        tendered_cents: t.gross_cents,
                        change_cents: 0,
                    })
                    .into_iter()
                    .collect(),
                deposits_used: Vec::new(),
                lines,
                names: Default::default(),
            };
            let order = std::sync::Arc::new(order);
            let made = store
                .write(|tx| {
                    let order = order.clone();
                    Box::pin(async move { guichet_store::orders::create(tx, tenant, &order).await })
                })
                .await;
            // A full session simply means this demo customer went elsewhere.
            if made.is_ok() {
                count += 1;
            }
        }
        if let Some((_, session)) = counter_session
            && day_offset < 0
        {
            close_counter(store, tenant, session, day, &tz, seller, next(3) == 0).await?;
        }
    }
    Ok(count)
}

fn at_hour(day: jiff::civil::Date, hour: i8, tz: &jiff::tz::TimeZone) -> anyhow::Result<i64> {
    Ok(day
        .at(hour, 0, 0, 0)
        .to_zoned(tz.clone())?
        .timestamp()
        .as_microsecond())
}

async fn open_counter(
    store: &Store,
    tenant: guichet_store::Tenant,
    register: guichet_domain::RegisterId,
    day: jiff::civil::Date,
    tz: &jiff::tz::TimeZone,
    seller: Option<guichet_domain::UserId>,
) -> anyhow::Result<guichet_domain::RegisterSessionId> {
    use guichet_store::register_sessions::{self, Opening};
    let opening = std::sync::Arc::new(Opening {
        day,
        float_cents: 15_000,
        counts: None,
        at: at_hour(day, 9, tz)?,
    });
    let session = store
        .write(|tx| {
            let opening = opening.clone();
            Box::pin(async move {
                register_sessions::open(tx, tenant, register, &opening, seller).await
            })
        })
        .await?;
    Ok(session.id)
}

/// Closes a past day's session with the cash counted, now and then 2 € short.
async fn close_counter(
    store: &Store,
    tenant: guichet_store::Tenant,
    session: guichet_domain::RegisterSessionId,
    day: jiff::civil::Date,
    tz: &jiff::tz::TimeZone,
    seller: Option<guichet_domain::UserId>,
    short: bool,
) -> anyhow::Result<()> {
    use guichet_store::register_sessions::{self, Closing};
    let at = at_hour(day, 18, tz)?;
    store
        .write(|tx| {
            Box::pin(async move {
                let x = register_sessions::report(tx, tenant, session).await?;
                let counted = x.cash.expected_cents - if short { 200 } else { 0 };
                let closing = Closing {
                    counted_cash_cents: counted,
                    counts: None,
                    counted: Vec::new(),
                    at,
                };
                register_sessions::close(tx, tenant, session, &closing, seller).await
            })
        })
        .await?;
    Ok(())
}

/// A customer type for schools and a few customers: a school, an individual with consents, a
/// Dutch visitor (country from the phone) and a prospect.
async fn seed_customers(
    tx: &mut guichet_store::Tx,
    tenant: guichet_store::Tenant,
) -> Result<(), StoreError> {
    use guichet_domain::customer::{CustomerInput, CustomerTypeInput};
    let parse_err =
        |e: guichet_domain::FieldErrors| StoreError::Other(format!("demo customer: {e:?}"));
    let schools = CustomerTypeInput {
        name: "Écoles".into(),
        discount_percent: "10".into(),
        tax: "standard".into(),
        ..Default::default()
    }
    .parse()
    .map_err(parse_err)?;
    let schools = guichet_store::customer_types::create(tx, tenant, &schools).await?;
    let people = [
        CustomerInput {
            last_name: "Athénée royal de Dinant".into(),
            company: "Athénée royal de Dinant".into(),
            email: "secretariat@ar-dinant.example".into(),
            postal_code: "5500".into(),
            city: "Dinant".into(),
            institutional: true,
            customer_type_id: schools.id.to_string(),
            tags: "école, groupe".into(),
            ..Default::default()
        },
        CustomerInput {
            first_name: "Élise".into(),
            last_name: "Lambert".into(),
            email: "elise.lambert@example.be".into(),
            phone: "0475 12 34 56".into(),
            postal_code: "5580".into(),
            city: "Han-sur-Lesse".into(),
            language: "fr".into(),
            consent_email: true,
            loyalty: true,
            ..Default::default()
        },
        CustomerInput {
            first_name: "Daan".into(),
            last_name: "de Vries".into(),
            phone: "+31 20 794 3500".into(),
            province: "Noord-Holland".into(),
            language: "nl".into(),
            ..Default::default()
        },
        CustomerInput {
            last_name: "Office du tourisme de Rochefort".into(),
            status: "prospect".into(),
            postal_code: "5580".into(),
            ..Default::default()
        },
    ];
    for p in people {
        let d = p.parse().map_err(parse_err)?;
        guichet_store::customers::create(tx, tenant, &d, None).await?;
    }
    Ok(())
}

fn print_logins() {
    println!("Demo logins (e-mail / password):");
    for (email, _, role, password) in DEMO_USERS {
        println!("  {role:<8} {email} / {password}");
    }
}
