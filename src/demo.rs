//! `guichet serve --demo`: on an empty database, an organization modelled on the seeds —
//! the attraction "Grottes de Neptune" in Han-sur-Lesse — with its registers, one user per
//! role, its catalogue, shop, customers and a month of sales. Everything goes through the use
//! cases of `guichet_app`, as the back office and the register would: each sale is priced and
//! checked by `orders::create` like any sale at the register, each day's registers are opened
//! with `closing::open` and closed with their Z by `closing::close`. The past month is replayed
//! on a stopped application clock ([`guichet_app::Clock`]) moved from one sale to the next, so
//! every order, payment, cancellation, opening and Z carries its real past instant and the
//! journal chains them in that order.

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

/// What the demo is built for: the instant it is created at (its "now", the clock's) and how
/// many closed days come before today.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub now: jiff::Timestamp,
    pub past_days: u32,
}

impl Default for DemoOptions {
    /// Now, with a month of closed days behind it.
    fn default() -> Self {
        DemoOptions {
            now: jiff::Timestamp::now(),
            past_days: 30,
        }
    }
}

/// What the demo created.
#[derive(Debug, Clone)]
pub struct Demo {
    pub tenant: guichet_app::Tenant,
    /// Orders made (cancelled ones included).
    pub orders: usize,
    pub cancellations: usize,
    /// Zs made (both registers, every closed day).
    pub zs: usize,
}

/// The organization's VAT number (a valid Belgian enterprise number), printed on its receipts.
pub const DEMO_VAT_NUMBER: &str = "BE 0456.789.034";

/// The demo as `serve --demo` makes it: now, a month of closed days.
pub async fn seed_if_empty(store: &Store) -> anyhow::Result<()> {
    seed_with(store, &DemoOptions::default()).await.map(|_| ())
}

/// The demo at `options.now` with `options.past_days` closed days before it, on an empty
/// database; `None` when it holds data already (nothing is added).
pub async fn seed_with(store: &Store, options: &DemoOptions) -> anyhow::Result<Option<Demo>> {
    let started = std::time::Instant::now();
    let clock = guichet_app::Clock::stopped_at(options.now);
    let app = App::new(
        store.clone(),
        AppConfig {
            clock: clock.clone(),
            ..AppConfig::default()
        },
    );
    if operator::organization_count(&app).await? > 0 {
        println!("Demo: the database already holds data; nothing added.");
        print_logins();
        return Ok(None);
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
        vat_number: DEMO_VAT_NUMBER.into(),
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
    let tz = guichet_app::organization::zone(&app, &admin).await?;
    seed_shop(&app, &manager).await?;
    seed_catalogue(&app, &manager, options.now.to_zoned(tz.clone()).year()).await?;
    seed_modules(&app, &manager).await?;
    let customers = seed_customers(&app, &manager).await?;
    let people = Staff {
        seller,
        manager,
        clock,
        tz,
    };
    let made = seed_sales(&app, &people, &customers, options).await?;
    println!(
        "Demo: created \"Grottes de Neptune\" (Han-sur-Lesse) in {:.1} s: registers Accueil and Réservation par téléphone, its catalogue and shop, {} customers, {} orders ({} cancelled) over {} closed days with {} Zs, and today's sales so far.",
        started.elapsed().as_secs_f64(),
        customers.len(),
        made.orders,
        made.cancellations,
        options.past_days,
        made.zs,
    );
    print_logins();
    Ok(Some(Demo {
        tenant,
        orders: made.orders,
        cancellations: made.cancellations,
        zs: made.zs,
    }))
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

/// The catalogue of seed 001: ticket types, the audio-guide extra and three offers; and two of
/// the demo's own so that the register has sessions to sell at any hour: the evening lantern
/// walk (every half hour from 18:00 to 23:30, sold until half an hour after its start) and
/// the wildlife park's day ticket (one session at midnight, sold all day long).
async fn seed_catalogue(app: &App, actor: &Actor, year: i16) -> anyhow::Result<()> {
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
    // From the year before: the demo's past month may begin in December.
    let season = |kind: &str| RuleInput {
        from: format!("{}-01-01", year - 1),
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
        group_id: group.clone(),
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
    let lanterns = OfferInput {
        fr: text("Balade aux lanternes"),
        en: text("Lantern walk"),
        nl: text("Lantaarnwandeling"),
        kind: "activity".into(),
        group_id: group.clone(),
        sale_pos: true,
        sale_online: true,
        duration_minutes: "60".into(),
        capacity: "25".into(),
        late_entry_minutes: "30".into(),
        prices: vec![price(0, "12,00"), price(1, "8,00"), price(2, "10,00")],
        rules: vec![RuleInput {
            every_minutes: "30".into(),
            first: "18:00".into(),
            last: "23:30".into(),
            ..season("every")
        }],
        ..Default::default()
    };
    let park = OfferInput {
        fr: text("Parc animalier — billet journée"),
        en: text("Wildlife park — day ticket"),
        nl: text("Dierenpark — dagticket"),
        kind: "activity".into(),
        group_id: group,
        sale_pos: true,
        sale_online: true,
        capacity: "400".into(),
        // Valid the whole day: the register sells it until midnight.
        late_entry_minutes: "1440".into(),
        prices: vec![price(0, "9,50"), price(1, "6,50"), price(2, "8,00")],
        rules: vec![RuleInput {
            times: "00:00".into(),
            ..season("fixed")
        }],
        ..Default::default()
    };
    for o in [tour, abbey, three_hours, lanterns, park] {
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
    // (group, name, price in cents, VAT in basis points, initial stock): the seed's, with
    // enough for the demo's month of sales (a few end near their alert level).
    let products = [
        (Some(&fromage), "Fromage de Targnon", 1, 0, 5339),
        (Some(&fromage), "Panier du Terroir", 2500, 0, 45),
        (Some(&peluche), "Peluche loup", 1280, 2100, 60),
        (Some(&peluche), "Peluche mouton 10 cm", 500, 600, 90),
        (Some(&peluche), "Heaume", 1150, 0, 100),
        (None, "Casquette Truck", 1000, 2100, 50),
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

/// Who makes the sales, and the clock they are made on.
struct Staff {
    seller: Actor,
    manager: Actor,
    clock: guichet_app::Clock,
    tz: jiff::tz::TimeZone,
}

/// What the sales made.
#[derive(Debug, Default)]
struct Made {
    orders: usize,
    cancellations: usize,
    zs: usize,
}

/// A pseudo-random sequence, the same on every run.
struct Dice(u64);

impl Dice {
    /// A number below `n` (0 for 0).
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        if n == 0 { 0 } else { (self.0 >> 33) % n }
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn pick<'a, T>(&mut self, list: &'a [T]) -> Option<&'a T> {
        let i = usize::try_from(self.below(list.len() as u64)).ok()?;
        list.get(i)
    }
}

/// The demo's offers, and the shop products a visitor takes home.
struct Offers {
    tour: guichet_app::offers::Offer,
    abbey: guichet_app::offers::Offer,
    three_hours: guichet_app::offers::Offer,
    lanterns: guichet_app::offers::Offer,
    park: guichet_app::offers::Offer,
    products: Vec<String>,
}

/// What happens at the desk in a day, each at its instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    OpenCounter,
    OpenPhone,
    /// A sale at the counter; `true`: Vincent's.
    CounterSale(bool),
    /// A phone booking for the coming days; `true`: Vincent's.
    PhoneBooking(bool),
    /// The manager cancels the counter's last sale and refunds it.
    Cancel,
    CloseCounter,
    ClosePhone,
}

/// The registers' open sessions, and the counter's last sale.
#[derive(Default)]
struct Desk {
    counter: Option<guichet_domain::RegisterSessionId>,
    phone: Option<guichet_domain::RegisterSessionId>,
    last_counter_sale: Option<guichet_domain::OrderId>,
}

/// A month of days at the desk, then today up to now, each sale at its instant on the stopped
/// clock through the register's use cases. Each closed day: "Accueil" opens at 9:00 with a
/// 150 € float, sells visits of the day (the guided tour, the group visit of the abbey for a
/// school, the weekend's 3-hour tour, the lantern walk, the park's day ticket) and now and then
/// a shop product, in cash, Bancontact or by card, some to known customers; a sale is now and
/// then cancelled and refunded by the manager; it closes at 18:30 with the counted drawer (now
/// and then a little off) and the card slips: its Z. The phone register opens with no float,
/// takes bookings for the coming week (bank transfer or virtual terminal), and closes at 17:30
/// with its Z. Today's day runs up to now, its registers left open; before 9:00 today has no
/// sales yet. The mix is pseudo-random but the same on every run.
async fn seed_sales(
    app: &App,
    staff: &Staff,
    customers: &[DemoCustomer],
    options: &DemoOptions,
) -> anyhow::Result<Made> {
    let registers = guichet_app::orders::selling_registers(app, &staff.seller).await?;
    let register = |kind: RegisterKind| {
        registers
            .iter()
            .find(|r| r.kind == kind)
            .map(|r| r.id.to_string())
            .ok_or_else(|| anyhow::anyhow!("the demo's {kind:?} register is missing"))
    };
    let registers = (
        register(RegisterKind::Counter)?,
        register(RegisterKind::Phone)?,
    );
    let offers = guichet_app::offers::list(app, &staff.seller).await?;
    let offer = |prefix: &str| {
        offers
            .iter()
            .find(|o| o.texts.fr.name.starts_with(prefix))
            .cloned()
            .ok_or_else(|| anyhow::anyhow!("the demo offer {prefix} is missing"))
    };
    let products = guichet_app::shop::products(app, &staff.manager, Default::default())
        .await?
        .into_iter()
        // Not the cheese sold by the gram.
        .filter(|p| p.price_cents >= 100)
        .map(|p| p.id.to_string())
        .collect();
    let offers = Offers {
        tour: offer("Visite guidée")?,
        abbey: offer("Visite de l'Abbaye")?,
        three_hours: offer("Visite de 3h")?,
        lanterns: offer("Balade aux lanternes")?,
        park: offer("Parc animalier")?,
        products,
    };
    let today = options.now.to_zoned(staff.tz.clone()).date();
    let mut dice = Dice(20210316);
    let mut made = Made::default();
    for back in (0..=i64::from(options.past_days)).rev() {
        let day = today.checked_sub(jiff::Span::new().days(back))?;
        let until = (back == 0).then_some(options.now);
        let vincent_day = back % 5 == 2;
        let steps = day_steps(day, until, vincent_day, staff, &mut dice)?;
        let mut desk = Desk::default();
        for (at, step) in steps {
            staff.clock.set(at);
            let ctx = Ctx {
                app,
                staff,
                customers,
                offers: &offers,
                registers: &registers,
                day,
                today: back == 0,
                at,
            };
            ctx.run(step, &mut desk, &mut dice, &mut made).await?;
        }
    }
    staff.clock.set(options.now);
    Ok(made)
}

/// The day's steps in time order: the registers opened, the sales and bookings at random
/// instants, maybe a cancellation, the closings. With `until` (today): only what came before
/// it, and no closing.
fn day_steps(
    day: jiff::civil::Date,
    until: Option<jiff::Timestamp>,
    vincent_day: bool,
    staff: &Staff,
    dice: &mut Dice,
) -> anyhow::Result<Vec<(jiff::Timestamp, Step)>> {
    let at = |minutes: u64| -> anyhow::Result<jiff::Timestamp> {
        let minutes = i64::try_from(minutes)?;
        Ok(day
            .to_datetime(jiff::civil::Time::midnight())
            .checked_add(jiff::Span::new().minutes(minutes))?
            .to_zoned(staff.tz.clone())?
            .timestamp())
    };
    let weekend = matches!(
        day.weekday(),
        jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday
    );
    let mut steps = vec![
        (at(9 * 60)?, Step::OpenCounter),
        (at(9 * 60 + 2)?, Step::OpenPhone),
        (at(17 * 60 + 30)?, Step::ClosePhone),
        (at(18 * 60 + 30)?, Step::CloseCounter),
    ];
    let sales = if weekend {
        18 + dice.below(10)
    } else {
        9 + dice.below(8)
    };
    // From 9:15 to 18:00.
    let counter_minute = |dice: &mut Dice| 9 * 60 + 15 + dice.below(8 * 60 + 45);
    for _ in 0..sales {
        let m = counter_minute(dice);
        steps.push((at(m)?, Step::CounterSale(false)));
    }
    if vincent_day {
        let m = counter_minute(dice);
        steps.push((at(m)?, Step::CounterSale(true)));
    }
    if dice.chance(30) {
        // A while after a sale: the manager cancels the counter's last one.
        let m = counter_minute(dice);
        steps.push((at(m + 1)?, Step::Cancel));
    }
    // From 9:30 to 16:30.
    for i in 0..(2 + dice.below(4)) {
        let m = 9 * 60 + 30 + dice.below(7 * 60);
        steps.push((at(m)?, Step::PhoneBooking(vincent_day && i == 0)));
    }
    steps.sort();
    if let Some(until) = until {
        steps.retain(|(t, s)| *t < until && !matches!(s, Step::CloseCounter | Step::ClosePhone));
    }
    Ok(steps)
}

/// One step's surroundings.
struct Ctx<'a> {
    app: &'a App,
    staff: &'a Staff,
    customers: &'a [DemoCustomer],
    offers: &'a Offers,
    /// Counter, phone.
    registers: &'a (String, String),
    day: jiff::civil::Date,
    /// Today (still open), not a closed day.
    today: bool,
    at: jiff::Timestamp,
}

impl Ctx<'_> {
    async fn run(
        &self,
        step: Step,
        desk: &mut Desk,
        dice: &mut Dice,
        made: &mut Made,
    ) -> anyhow::Result<()> {
        use guichet_app::closing::{self, OpenInput};
        let (app, seller, manager) = (self.app, &self.staff.seller, &self.staff.manager);
        let (counter, phone) = self.registers;
        match step {
            Step::OpenCounter => {
                let input = OpenInput {
                    opening_float: "150,00".into(),
                    counts: Vec::new(),
                };
                desk.counter = Some(closing::open(app, seller, counter, &input).await?.id);
            }
            Step::OpenPhone => {
                let input = OpenInput::default();
                desk.phone = Some(closing::open(app, manager, phone, &input).await?.id);
            }
            Step::CounterSale(vincent) => {
                let (lines, customer) = self.counter_cart(vincent, dice);
                let r = dice.below(100);
                let method = if r < 35 {
                    "cash"
                } else if r < 80 {
                    "bancontact"
                } else {
                    "card_terminal"
                };
                if let Some(order) =
                    sell(app, seller, counter, lines, customer, Some(method), dice).await?
                {
                    made.orders += 1;
                    desk.last_counter_sale = Some(order);
                }
            }
            Step::PhoneBooking(vincent) => {
                let Some((lines, customer)) = self.phone_cart(vincent, dice)? else {
                    return Ok(());
                };
                // Paid at the booking, but today now and then to be paid on arrival.
                let method = if self.today && dice.chance(40) {
                    None
                } else if dice.chance(60) {
                    Some("bank_transfer")
                } else {
                    Some("virtual_terminal")
                };
                if sell(app, manager, phone, lines, customer, method, dice)
                    .await?
                    .is_some()
                {
                    made.orders += 1;
                }
            }
            Step::Cancel => {
                if let Some(id) = desk.last_counter_sale.take()
                    && cancel(app, manager, id, dice).await?
                {
                    made.cancellations += 1;
                }
            }
            Step::CloseCounter => {
                if let Some(id) = desk.counter.take() {
                    close(app, seller, id, true, dice).await?;
                    made.zs += 1;
                }
            }
            Step::ClosePhone => {
                if let Some(id) = desk.phone.take() {
                    close(app, manager, id, false, dice).await?;
                    made.zs += 1;
                }
            }
        }
        Ok(())
    }

    /// The sessions of `offer` on `day` the register still sells at this instant (its start
    /// plus the offer's late entry still to come, a minute's margin).
    fn open_sessions(
        &self,
        offer: &guichet_app::offers::Offer,
        day: jiff::civil::Date,
        late_minutes: i64,
    ) -> Vec<i64> {
        let now = self.at.as_microsecond() + 60_000_000;
        offer
            .schedule
            .schedule()
            .sessions_on(day, &self.staff.tz)
            .into_iter()
            .map(|s| s.start_micros)
            .filter(|start| start + late_minutes * 60_000_000 > now)
            .collect()
    }

    /// What a visitor at the counter buys, and who they are when the cashier knows them.
    fn counter_cart(
        &self,
        vincent: bool,
        dice: &mut Dice,
    ) -> (Vec<guichet_app::orders::LineInput>, Option<&DemoCustomer>) {
        let o = self.offers;
        let weekend = matches!(
            self.day.weekday(),
            jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday
        );
        let individuals: Vec<&DemoCustomer> = self.customers.iter().filter(|c| !c.school).collect();
        let mut customer = if vincent {
            self.customers.iter().find(|c| c.vincent)
        } else if dice.chance(20) {
            dice.pick(&individuals).copied()
        } else {
            None
        };
        let r = if vincent {
            dice.below(70)
        } else {
            dice.below(100)
        };
        let mut lines = Vec::new();
        let pick_next = |dice: &mut Dice, sessions: &[i64]| {
            let soon = &sessions[..sessions.len().min(3)];
            dice.pick(soon).copied()
        };
        if r < 45 {
            let sessions = self.open_sessions(&o.tour, self.day, 0);
            if let Some(start) = pick_next(dice, &sessions) {
                lines = family(&o.tour, start, dice);
            }
        } else if r < 55 {
            let sessions = self.open_sessions(&o.lanterns, self.day, 30);
            if let Some(start) = pick_next(dice, &sessions) {
                lines = family(&o.lanterns, start, dice);
            }
        } else if r < 70 {
            let sessions = self.open_sessions(&o.park, self.day, 24 * 60);
            if let Some(start) = sessions.first() {
                lines = family(&o.park, *start, dice);
            }
        } else if r < 78 && weekend {
            let sessions = self.open_sessions(&o.three_hours, self.day, 0);
            if let Some(start) = sessions.first() {
                lines = family(&o.three_hours, *start, dice);
            }
        } else if r < 85 && !weekend {
            // A school's group visit of the abbey.
            let sessions = self.open_sessions(&o.abbey, self.day, 0);
            if let Some(start) = sessions.first() {
                lines = group(&o.abbey, *start, dice);
                customer = self.customers.iter().find(|c| c.school);
            }
        }
        if (lines.is_empty() || dice.chance(25))
            && let Some(p) = dice.pick(&o.products)
        {
            lines.push(guichet_app::orders::LineInput {
                product_id: Some(p.clone()),
                quantity: 1,
                ..Default::default()
            });
        }
        (lines, customer)
    }

    /// A booking by phone for one of the coming week's sessions, by a known customer.
    fn phone_cart(
        &self,
        vincent: bool,
        dice: &mut Dice,
    ) -> anyhow::Result<Option<(Vec<guichet_app::orders::LineInput>, Option<&DemoCustomer>)>> {
        let o = self.offers;
        let individuals: Vec<&DemoCustomer> = self.customers.iter().filter(|c| !c.school).collect();
        let customer = if vincent {
            self.customers.iter().find(|c| c.vincent)
        } else {
            dice.pick(&individuals).copied()
        };
        let day = self
            .day
            .checked_add(jiff::Span::new().days(i64::try_from(1 + dice.below(7))?))?;
        let r = dice.below(100);
        let offer = if r < 60 {
            &o.tour
        } else if r < 75 {
            &o.three_hours
        } else {
            &o.lanterns
        };
        let sessions = self.open_sessions(offer, day, 0);
        let Some(start) = dice.pick(&sessions) else {
            return Ok(None);
        };
        Ok(Some((family(offer, *start, dice), customer)))
    }
}

/// A family's tickets for one session: one to three of the first price (adults), maybe some
/// of the others (children, seniors), maybe one extra (the audio guide).
fn family(
    offer: &guichet_app::offers::Offer,
    start: i64,
    dice: &mut Dice,
) -> Vec<guichet_app::orders::LineInput> {
    use guichet_domain::catalogue::ItemKind;
    let mut lines = Vec::new();
    for (i, p) in offer.prices.iter().enumerate() {
        let q = if i == 0 {
            1 + dice.below(3)
        } else if p.item_kind == ItemKind::Extra {
            dice.below(2)
        } else {
            dice.below(3) / 2 + dice.below(2)
        };
        if q == 0 {
            continue;
        }
        lines.push(guichet_app::orders::LineInput {
            offer_id: Some(offer.id.to_string()),
            session_start: Some(start),
            item_id: Some(p.item_id.to_string()),
            quantity: i64::try_from(q).unwrap_or(1),
            ..Default::default()
        });
    }
    lines
}

/// A school class: fifteen to twenty-eight children and two or three teachers.
fn group(
    offer: &guichet_app::offers::Offer,
    start: i64,
    dice: &mut Dice,
) -> Vec<guichet_app::orders::LineInput> {
    let counts = [15 + dice.below(14), 2 + dice.below(2)];
    offer
        .prices
        .iter()
        .zip(counts)
        .map(|(p, q)| guichet_app::orders::LineInput {
            offer_id: Some(offer.id.to_string()),
            session_start: Some(start),
            item_id: Some(p.item_id.to_string()),
            quantity: i64::try_from(q).unwrap_or(1),
            ..Default::default()
        })
        .collect()
}

/// One sale through the register's use case: the cart priced first (the cashier's live total),
/// then paid in full with `method` (cash rounded up to the next 5 €, the change given back), or
/// left to pay with none. A product out of stock is left out of the cart; another refusal (a
/// session full meanwhile) just means this visitor went elsewhere: `None`.
async fn sell(
    app: &App,
    actor: &Actor,
    register: &str,
    lines: Vec<guichet_app::orders::LineInput>,
    customer: Option<&DemoCustomer>,
    method: Option<&str>,
    dice: &mut Dice,
) -> anyhow::Result<Option<guichet_domain::OrderId>> {
    use guichet_app::AppError;
    use guichet_app::orders::{OrderInput, OriginInput, PaymentInput};
    if lines.is_empty() {
        return Ok(None);
    }
    let origin = match customer {
        Some(_) => None,
        None => {
            const FROM: [(&str, &str, &str); 12] = [
                ("BE", "5580", ""),
                ("BE", "5580", ""),
                ("BE", "5000", ""),
                ("BE", "1000", ""),
                ("BE", "4000", ""),
                ("BE", "6000", ""),
                ("BE", "9000", ""),
                ("BE", "2000", ""),
                ("BE", "1300", ""),
                ("NL", "", "Noord-Brabant"),
                ("FR", "59000", ""),
                ("BE", "6900", ""),
            ];
            let (country, postal_code, province) = dice.pick(&FROM).copied().unwrap_or(FROM[0]);
            Some(OriginInput {
                country: country.into(),
                postal_code: postal_code.into(),
                province: province.into(),
            })
        }
    };
    let mut input = OrderInput {
        register_id: register.to_owned(),
        lines,
        customer_id: customer.map(|c| c.id.clone()),
        origin,
        ..Default::default()
    };
    for attempt in 0..2 {
        input.payments.clear();
        if let Some(method) = method {
            let due = match guichet_app::orders::preview(app, actor, &input).await {
                Ok(p) => p.due_cents,
                Err(AppError::Invalid(_) | AppError::Conflict(_)) => 0,
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
            Ok(order) => return Ok(Some(order.id)),
            Err(AppError::Invalid(_) | AppError::Conflict(_)) if attempt == 0 => {
                // Sold out in the shop: the visit alone.
                input.lines.retain(|l| l.product_id.is_none());
                if input.lines.is_empty() {
                    return Ok(None);
                }
            }
            Err(AppError::Invalid(_) | AppError::Conflict(_)) => return Ok(None),
            Err(e) => return Err(e.into()),
        }
    }
    Ok(None)
}

/// The manager cancels an order and gives back what it was paid, in the methods it was paid
/// with; `false` if it cannot be (cancelled already).
async fn cancel(
    app: &App,
    manager: &Actor,
    id: guichet_domain::OrderId,
    dice: &mut Dice,
) -> anyhow::Result<bool> {
    use guichet_app::AppError;
    use guichet_app::orders::{CancelInput, PaymentInput};
    let order = guichet_app::orders::get(app, manager, id).await?;
    let refunds = guichet_app::orders::refundable(&order)
        .into_iter()
        .map(|r| PaymentInput {
            method: r.method.as_str().to_owned(),
            amount: guichet_domain::shop::format_cents(r.cents),
        })
        .collect();
    const REASONS: [&str; 3] = [
        "Erreur de caisse : mauvaise séance",
        "Visiteurs partis avant la visite",
        "Doublon",
    ];
    let input = CancelInput {
        reason: dice.pick(&REASONS).copied().unwrap_or("Erreur").to_owned(),
        refunds,
        ..Default::default()
    };
    match guichet_app::orders::cancel(app, manager, id, &input).await {
        Ok(_) => Ok(true),
        Err(AppError::Invalid(_) | AppError::Conflict(_)) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Closes a session with its Z: the drawer counted (now and then a little off) and the card
/// terminal's slips; the phone register has no drawer to count.
async fn close(
    app: &App,
    actor: &Actor,
    id: guichet_domain::RegisterSessionId,
    drawer: bool,
    dice: &mut Dice,
) -> anyhow::Result<()> {
    use guichet_app::closing::{CloseInput, CountedInput};
    let x = guichet_app::closing::report(app, actor, id).await?;
    let off = match dice.below(10) {
        0 => -200,
        1 => 50,
        _ => 0,
    };
    let counted = x
        .payments
        .iter()
        .filter(|m| m.method.counted_at_closing() && m.amount_cents != 0)
        .map(|m| CountedInput {
            method: m.method.as_str().to_owned(),
            amount: guichet_domain::shop::format_cents(m.amount_cents),
        })
        .collect();
    let close = CloseInput {
        counted_cash: if drawer {
            guichet_domain::shop::format_cents(x.cash.expected_cents + off)
        } else {
            String::new()
        },
        counted,
        ..Default::default()
    };
    guichet_app::closing::close(app, actor, id, &close).await?;
    Ok(())
}

/// A customer of the demo, as its sales use them.
struct DemoCustomer {
    id: String,
    /// The school that books group visits.
    school: bool,
    /// Vincent Lemaire, a regular (`?vinc`).
    vincent: bool,
}

/// A customer type for schools and a dozen customers from Belgium, France, the Netherlands and
/// England: a school, regulars with consents and loyalty (Vincent Lemaire among them),
/// Dutch-speaking visitors, an English one and a prospect.
async fn seed_customers(app: &App, actor: &Actor) -> anyhow::Result<Vec<DemoCustomer>> {
    use guichet_domain::customer::{CustomerInput, CustomerTypeInput};
    let schools = CustomerTypeInput {
        name: "Écoles".into(),
        discount_percent: "10".into(),
        tax: "standard".into(),
        ..Default::default()
    };
    let schools = guichet_app::customers::save_type(app, actor, None, &schools).await?;
    let person = |first: &str, last: &str, email: &str, phone: &str, town: (&str, &str, &str)| {
        CustomerInput {
            first_name: first.into(),
            last_name: last.into(),
            email: email.into(),
            phone: phone.into(),
            country: town.0.into(),
            postal_code: town.1.into(),
            city: town.2.into(),
            ..Default::default()
        }
    };
    let school = CustomerInput {
        last_name: "Athénée royal de Dinant".into(),
        company: "Athénée royal de Dinant".into(),
        email: "secretariat@ar-dinant.example".into(),
        postal_code: "5500".into(),
        city: "Dinant".into(),
        institutional: true,
        customer_type_id: schools.id.to_string(),
        tags: "école, groupe".into(),
        ..Default::default()
    };
    let people = [
        CustomerInput {
            street: "Rue de Fer 27".into(),
            language: "fr".into(),
            consent_email: true,
            loyalty: true,
            tags: "habitué".into(),
            ..person(
                "Vincent",
                "Lemaire",
                "vincent.lemaire@example.be",
                "0478 23 45 67",
                ("BE", "5000", "Namur"),
            )
        },
        CustomerInput {
            language: "fr".into(),
            consent_email: true,
            loyalty: true,
            ..person(
                "Élise",
                "Lambert",
                "elise.lambert@example.be",
                "0475 12 34 56",
                ("BE", "5580", "Han-sur-Lesse"),
            )
        },
        CustomerInput {
            language: "fr".into(),
            ..person(
                "Jean-François",
                "Dubois",
                "jf.dubois@example.be",
                "0496 55 21 09",
                ("BE", "1050", "Ixelles"),
            )
        },
        CustomerInput {
            language: "fr".into(),
            consent_email: true,
            ..person(
                "Marie-Hélène",
                "Renard",
                "mh.renard@example.be",
                "084 31 22 10",
                ("BE", "6900", "Marche-en-Famenne"),
            )
        },
        CustomerInput {
            language: "fr".into(),
            ..person(
                "Françoise",
                "Noël",
                "francoise.noel@example.be",
                "04 223 45 67",
                ("BE", "4000", "Liège"),
            )
        },
        CustomerInput {
            language: "fr".into(),
            consent_email: true,
            ..person(
                "Chloé",
                "Lefèvre",
                "chloe.lefevre@example.fr",
                "+33 6 12 34 56 78",
                ("FR", "59000", "Lille"),
            )
        },
        CustomerInput {
            language: "nl".into(),
            consent_email: true,
            ..person(
                "Sofie",
                "Peeters",
                "sofie.peeters@example.be",
                "0472 98 76 54",
                ("BE", "9000", "Gent"),
            )
        },
        CustomerInput {
            language: "nl".into(),
            ..person(
                "Thomas",
                "Janssens",
                "thomas.janssens@example.be",
                "03 233 44 55",
                ("BE", "2000", "Antwerpen"),
            )
        },
        CustomerInput {
            language: "nl".into(),
            loyalty: true,
            ..person(
                "Emma",
                "Wouters",
                "emma.wouters@example.be",
                "016 22 33 44",
                ("BE", "3000", "Leuven"),
            )
        },
        CustomerInput {
            first_name: "Daan".into(),
            last_name: "de Vries".into(),
            phone: "+31 20 794 3500".into(),
            country: "NL".into(),
            province: "Noord-Holland".into(),
            city: "Amsterdam".into(),
            language: "nl".into(),
            ..Default::default()
        },
        CustomerInput {
            language: "en".into(),
            ..person(
                "James",
                "Whitfield",
                "james.whitfield@example.co.uk",
                "+44 20 7946 0321",
                ("GB", "SW1A 1AA", "London"),
            )
        },
    ];
    let mut out = Vec::new();
    let c = guichet_app::customers::create(app, actor, &school).await?;
    out.push(DemoCustomer {
        id: c.id.to_string(),
        school: true,
        vincent: false,
    });
    for (i, p) in people.iter().enumerate() {
        let c = guichet_app::customers::create(app, actor, p).await?;
        out.push(DemoCustomer {
            id: c.id.to_string(),
            school: false,
            vincent: i == 0,
        });
    }
    // A prospect: no sales yet.
    let prospect = CustomerInput {
        last_name: "Office du tourisme de Rochefort".into(),
        company: "Office du tourisme de Rochefort".into(),
        status: "prospect".into(),
        postal_code: "5580".into(),
        city: "Rochefort".into(),
        ..Default::default()
    };
    guichet_app::customers::create(app, actor, &prospect).await?;
    Ok(out)
}

fn print_logins() {
    println!("Demo logins (e-mail / password):");
    for (email, _, role, password) in DEMO_USERS {
        println!("  {role:<8} {email} / {password}");
    }
}
