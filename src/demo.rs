//! `guichet serve --demo`: on an empty database, an organization modelled on the seeds —
//! the attraction "Grottes de Neptune" in Han-sur-Lesse — with its registers, one user per
//! role, its catalogue, shop, customers and a day of sales. Everything goes through the use
//! cases of `guichet_app`, as the back office and the register would: the sales are priced and
//! checked by `orders::create` like any sale at the register, and the counter's morning is
//! closed with its Z by `closing::close`.

use guichet_app::operator::{self, NewAccount};
use guichet_app::{Actor, App, AppConfig, Store};
use guichet_domain::Role;
use guichet_domain::org::{
    AddressInput, Email, Language, NewPassword, OrganizationInput, RegisterKind, SiteInput,
    vat_preset,
};

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
    let app = App::new(store.clone(), AppConfig::default());
    if operator::organization_count(&app).await? > 0 {
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
        slug: String::new(),
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
    let tenant =
        guichet_app::organization::create_organization(&app, &org, Some(&site), Some(preset))
            .await?;
    let operator = Actor::operator(tenant);
    // One actor per demo login, for what each of them does in the demo.
    let mut people = Vec::new();
    for (email, name, role, password) in DEMO_USERS {
        let account = NewAccount {
            email: Email::parse(email).map_err(|_| anyhow::anyhow!("demo e-mail {email}"))?,
            name: name.to_owned(),
            language: Language::Fr,
            password: Some(
                NewPassword::parse(password)
                    .map_err(|_| anyhow::anyhow!("demo password of {email}"))?,
            ),
        };
        let user = operator::add_member(&app, tenant, &account, role).await?;
        people.push(Actor::person(user, tenant, role));
    }
    let by_role = |role: Role| {
        people
            .iter()
            .find(|a| a.role == role)
            .cloned()
            .unwrap_or_else(|| operator.clone())
    };
    let (admin, manager, seller) = (
        by_role(Role::Admin),
        by_role(Role::Manager),
        by_role(Role::Seller),
    );
    let site_id = guichet_app::organization::sites(&app, &admin)
        .await?
        .first()
        .map(|s| s.id.to_string())
        .ok_or_else(|| anyhow::anyhow!("the demo site is missing"))?;
    for (name, kind) in [
        ("Accueil", "counter"),
        ("Réservation par téléphone", "phone"),
    ] {
        let input = guichet_domain::org::RegisterInput {
            name: name.into(),
            kind: kind.into(),
            site_id: site_id.clone(),
            address: Default::default(),
        };
        guichet_app::registers::create_register(&app, &admin, &input).await?;
    }
    seed_shop(&app, &manager).await?;
    seed_catalogue(&app, &manager).await?;
    seed_modules(&app, &manager).await?;
    seed_customers(&app, &manager).await?;
    let sold = seed_sales(&app, &seller, &manager).await?;
    println!(
        "Demo: created \"Grottes de Neptune\" (Han-sur-Lesse) with registers Accueil and Réservation par téléphone, its catalogue and shop, and {sold} orders made today (a closed morning at Accueil with its Z, an open afternoon, phone bookings for the coming days)."
    );
    print_logins();
    Ok(())
}

/// A booking engine for the attraction's website, every offer, in the visitor's language
/// (`/book/grottes-de-neptune/site-web`).
async fn seed_modules(app: &App, actor: &Actor) -> anyhow::Result<()> {
    let input = guichet_domain::booking_module::ModuleInput {
        name: "Site web".into(),
        kind: "engine".into(),
        language: "browser".into(),
        return_url: "https://www.grottes-de-neptune.be/merci".into(),
        frame_domains: "www.grottes-de-neptune.be".into(),
        ..Default::default()
    };
    guichet_app::booking_modules::create(app, actor, &input).await?;
    Ok(())
}

/// The VAT rate of the demo's organization with this rate, as the forms give it.
async fn vat_rate_id(app: &App, actor: &Actor, basis_points: u32) -> anyhow::Result<String> {
    guichet_app::vat_rates::vat_rates(app, actor)
        .await?
        .iter()
        .find(|r| r.rate_basis_points == basis_points && !r.archived)
        .map(|r| r.id.to_string())
        .ok_or_else(|| anyhow::anyhow!("no {basis_points} bp VAT rate"))
}

/// The catalogue of seed 001: ticket types, the audio-guide extra and three offers.
async fn seed_catalogue(app: &App, actor: &Actor) -> anyhow::Result<()> {
    use guichet_app::groups::GroupKind;
    use guichet_domain::catalogue::{ItemInput, ItemKind};
    use guichet_domain::offer::{OfferInput, OfferTexts, PriceInput};
    use guichet_domain::schedule::RuleInput;
    let vat0 = vat_rate_id(app, actor, 0).await?;
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
        let input = ItemInput {
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
            vat_rate_id: vat0.clone(),
            ..Default::default()
        };
        ids.push(
            guichet_app::catalogue::create(app, actor, kind, &input)
                .await?
                .id
                .to_string(),
        );
    }
    let group = guichet_app::groups::create(app, actor, GroupKind::Offer, "Visites")
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
        // Booked online, paid at the cave's desk; free cancellation until the day before.
        cancel_free_hours: "24".into(),
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
        // The long tour asks a 30 % deposit online; cancellable until two days before.
        collection_mode: "deposit".into(),
        deposit_percent: "30".into(),
        cancel_free_hours: "48".into(),
        ..Default::default()
    };
    for o in [tour, abbey, three_hours] {
        guichet_app::offers::save(app, actor, None, &o).await?;
    }
    Ok(())
}

/// The shop of seed 001 ("Vos produits boutique"), with its initial stock.
async fn seed_shop(app: &App, actor: &Actor) -> anyhow::Result<()> {
    use guichet_app::groups::GroupKind;
    use guichet_domain::shop::{ProductInput, format_cents};
    let fromage = guichet_app::groups::create(app, actor, GroupKind::Product, "Fromage")
        .await?
        .id
        .to_string();
    let peluche = guichet_app::groups::create(app, actor, GroupKind::Product, "Peluche")
        .await?
        .id
        .to_string();
    // (group, name, price in cents, VAT in basis points, initial stock)
    let products = [
        (Some(&fromage), "Fromage de Targnon", 1, 0, 5339),
        (Some(&fromage), "Panier du Terroir", 2500, 0, 15),
        (Some(&peluche), "Peluche loup", 1280, 2100, 15),
        (Some(&peluche), "Peluche mouton 10 cm", 500, 600, 36),
        (Some(&peluche), "Heaume", 1150, 0, 69),
        (None, "Casquette Truck", 1000, 2100, 20),
    ];
    for (group, name, price_cents, bp, stock) in products {
        let input = ProductInput {
            name: name.to_owned(),
            price: format_cents(price_cents),
            vat_rate_id: vat_rate_id(app, actor, bp).await?,
            group_id: group.cloned().unwrap_or_default(),
            sale_pos: true,
            alert_stock: "5".into(),
            stock_managed: true,
            initial_stock: stock.to_string(),
            ..Default::default()
        };
        guichet_app::shop::create_product(app, actor, &input).await?;
    }
    Ok(())
}

/// Today's sales, each through `orders::create` exactly as the register makes them (priced from
/// the catalogue, sessions' places and the shop's stock taken, numbered and journalled): at
/// "Accueil" the seller opens with a 150 € float, sells visits for the coming sessions and now
/// and then a shop product (cash or Bancontact), closes the morning with its Z (now and then
/// 2 € short), and opens again for the afternoon, left open; the manager takes phone bookings
/// for the coming days (bank transfer, or to be paid on arrival). The sale use case sells at
/// the present instant and refuses sessions already started, so the demo holds no sales on past
/// days. The mix is pseudo-random but the same on every run.
async fn seed_sales(app: &App, seller: &Actor, manager: &Actor) -> anyhow::Result<usize> {
    use guichet_app::closing::{CloseInput, OpenInput};
    let registers = guichet_app::orders::selling_registers(app, seller).await?;
    let register = |kind: RegisterKind| {
        registers
            .iter()
            .find(|r| r.kind == kind)
            .map(|r| r.id.to_string())
    };
    let (Some(counter), Some(phone)) = (
        register(RegisterKind::Counter),
        register(RegisterKind::Phone),
    ) else {
        return Ok(0);
    };
    let offers = guichet_app::offers::list(app, seller).await?;
    let Some(tour) = offers
        .iter()
        .find(|o| o.texts.fr.name.starts_with("Visite guidée"))
    else {
        return Ok(0);
    };
    let products = guichet_app::shop::products(app, manager, Default::default()).await?;
    let tz = guichet_app::organization::zone(app, seller).await?;
    let now = jiff::Zoned::now().with_time_zone(tz.clone());
    // The tour's sessions not yet started (a minute's margin), today and over the coming week.
    let soon = now.timestamp().as_microsecond() + 60_000_000;
    let mut upcoming = Vec::new();
    for offset in 0..7i64 {
        let day = now.date().checked_add(jiff::Span::new().days(offset))?;
        for s in tour.schedule.schedule().sessions_on(day, &tz) {
            if s.start_micros > soon {
                upcoming.push((day, s.start_micros));
            }
        }
    }
    let counter_sessions: Vec<i64> = upcoming.iter().take(6).map(|(_, s)| *s).collect();
    let phone_sessions: Vec<i64> = upcoming
        .iter()
        .filter(|(day, _)| *day > now.date())
        .map(|(_, s)| *s)
        .collect();
    let mut seed: u64 = 20210316;
    let mut next = move |n: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        if n == 0 { 0 } else { (seed >> 33) % n }
    };
    let pick = |list: &[i64], i: u64| usize::try_from(i).ok().and_then(|i| list.get(i)).copied();
    let mut count = 0;
    // The counter: a closed morning and an open afternoon.
    for (shift, sales) in [(0, 7 + next(3)), (1, 3 + next(3))] {
        let opened = guichet_app::closing::open(
            app,
            seller,
            &counter,
            &OpenInput {
                opening_float: "150,00".into(),
                counts: Vec::new(),
            },
        )
        .await?;
        for _ in 0..sales {
            let mut lines = Vec::new();
            if let Some(start) = pick(&counter_sessions, next(counter_sessions.len() as u64)) {
                lines = visit_lines(tour, start, &mut next);
            }
            if lines.is_empty() || next(3) == 0 {
                let i = usize::try_from(next(products.len() as u64)).unwrap_or(0);
                if let Some(p) = products.get(i) {
                    lines.push(guichet_app::orders::LineInput {
                        product_id: Some(p.id.to_string()),
                        quantity: 1,
                        ..Default::default()
                    });
                }
            }
            let method = if next(3) == 0 { "cash" } else { "bancontact" };
            if sell(app, seller, &counter, lines, Some(method)).await? {
                count += 1;
            }
        }
        if shift == 0 {
            let x = guichet_app::closing::report(app, seller, opened.id).await?;
            let short = if next(3) == 0 { 200 } else { 0 };
            let close = CloseInput {
                counted_cash: guichet_domain::shop::format_cents(x.cash.expected_cents - short),
                ..Default::default()
            };
            guichet_app::closing::close(app, seller, opened.id, &close).await?;
        }
    }
    // The phone: bookings for the coming days.
    // The first two are to be paid on arrival, the others mostly by bank transfer.
    for i in 0..(4 + next(3)) {
        let Some(start) = pick(&phone_sessions, next(phone_sessions.len() as u64)) else {
            break;
        };
        let lines = visit_lines(tour, start, &mut next);
        let method = (i >= 2 && next(3) != 0).then_some("bank_transfer");
        if sell(app, manager, &phone, lines, method).await? {
            count += 1;
        }
    }
    Ok(count)
}

/// A family's tickets for one session of the tour: one to three adults, maybe children and
/// seniors, maybe an audio guide.
fn visit_lines(
    tour: &guichet_app::offers::Offer,
    start: i64,
    next: &mut impl FnMut(u64) -> u64,
) -> Vec<guichet_app::orders::LineInput> {
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
        lines.push(guichet_app::orders::LineInput {
            offer_id: Some(tour.id.to_string()),
            session_start: Some(start),
            item_id: Some(p.item_id.to_string()),
            quantity: i64::try_from(q).unwrap_or(1),
            ..Default::default()
        });
    }
    lines
}

/// One sale through the register's use case: the cart priced first (the cashier's live total),
/// then paid in full with `method` (cash rounded up to the next 5 €, the change given back), or
/// left to pay with none. A refusal (a session full meanwhile) just means this visitor went
/// elsewhere: `false`.
async fn sell(
    app: &App,
    actor: &Actor,
    register: &str,
    lines: Vec<guichet_app::orders::LineInput>,
    method: Option<&str>,
) -> anyhow::Result<bool> {
    use guichet_app::AppError;
    use guichet_app::orders::{OrderInput, OriginInput, PaymentInput};
    let mut input = OrderInput {
        register_id: register.to_owned(),
        lines,
        origin: Some(OriginInput {
            country: "BE".into(),
            postal_code: "5580".into(),
            province: String::new(),
        }),
        ..Default::default()
    };
    if let Some(method) = method {
        let due = match guichet_app::orders::preview(app, actor, &input).await {
            Ok(p) => p.due_cents,
            Err(AppError::Invalid(_) | AppError::Conflict(_)) => return Ok(false),
            Err(e) => return Err(e.into()),
        };
        let tendered = if method == "cash" {
            (due + 499) / 500 * 500
        } else {
            due
        };
        if tendered > 0 {
            input.payments = vec![PaymentInput {
                method: method.to_owned(),
                amount: guichet_domain::shop::format_cents(tendered),
            }];
        }
    }
    match guichet_app::orders::create(app, actor, &input, None).await {
        Ok(_) => Ok(true),
        Err(AppError::Invalid(_) | AppError::Conflict(_)) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// A customer type for schools and a few customers: a school, an individual with consents, a
/// Dutch visitor (country from the phone) and a prospect.
async fn seed_customers(app: &App, actor: &Actor) -> anyhow::Result<()> {
    use guichet_domain::customer::{CustomerInput, CustomerTypeInput};
    let schools = CustomerTypeInput {
        name: "Écoles".into(),
        discount_percent: "10".into(),
        tax: "standard".into(),
        ..Default::default()
    };
    let schools = guichet_app::customers::save_type(app, actor, None, &schools).await?;
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
        guichet_app::customers::create(app, actor, &p).await?;
    }
    Ok(())
}

fn print_logins() {
    println!("Demo logins (e-mail / password):");
    for (email, _, role, password) in DEMO_USERS {
        println!("  {role:<8} {email} / {password}");
    }
}
