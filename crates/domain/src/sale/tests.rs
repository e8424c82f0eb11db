use super::*;
use crate::money::{VatRate, vat_included};
use crate::order::Reduction;
use crate::promotion::PromotionModel;
use crate::schedule::{Pattern, Rule, Schedule};
use jiff::civil::{date, time};
use proptest::prelude::*;
use std::collections::BTreeSet;

// ---------------------------------------------------------------- fixture

const ZONE: &str = "Europe/Brussels";

fn tz() -> TimeZone {
    TimeZone::get(ZONE).expect("bundled zone")
}

/// Sunday 10 May 2026, 09:00 in Brussels.
fn today() -> Date {
    date(2026, 5, 10)
}

fn now() -> Timestamp {
    at(today(), 9, 0)
}

fn at(d: Date, h: i8, m: i8) -> Timestamp {
    d.to_datetime(time(h, m, 0, 0))
        .to_zoned(tz())
        .expect("valid local time")
        .timestamp()
}

/// A session of the tour: 10:00 or 14:00 any day of 2026.
fn session(d: Date, h: i8) -> i64 {
    at(d, h, 0).as_microsecond()
}

struct Ids {
    tour: OfferId,
    adult: ItemId,
    child: ItemId,
    audio: ItemId,
    group: ItemId,
    book: ProductId,
    gift: ProductId,
    customer: CustomerId,
}

fn ids() -> Ids {
    let u = |n: u128| Uuid::from_u128(n);
    Ids {
        tour: OfferId(u(1)),
        adult: ItemId(u(2)),
        child: ItemId(u(3)),
        audio: ItemId(u(4)),
        group: ItemId(u(5)),
        book: ProductId(u(6)),
        gift: ProductId(u(7)),
        customer: CustomerId(u(8)),
    }
}

fn price(item: ItemId, kind: ItemKind, name: &str, cents: i64, vat: u32) -> SalePrice {
    SalePrice {
        item_id: item,
        item_kind: kind,
        item_name: name.into(),
        price_cents: cents,
        vat_rate_bp: vat,
        min_quantity: 0,
        max_quantity: None,
    }
}

fn item(id: ItemId, pos: bool, online: bool) -> SaleItem {
    SaleItem {
        id,
        archived: false,
        sale_pos: pos,
        sale_online: online,
        daily_stock: 999,
        capacity: Some(20),
    }
}

fn tour_schedule() -> Schedule {
    Schedule {
        rules: vec![Rule {
            from: date(2026, 1, 1),
            to: date(2026, 12, 31),
            weekdays: [true; 7],
            pattern: Pattern::Fixed(vec![time(10, 0, 0, 0), time(14, 0, 0, 0)]),
        }],
        closed: BTreeSet::from([date(2026, 5, 20)]),
    }
}

fn labels() -> Labels {
    Labels {
        customer_discount: "Remise client".into(),
        vat_exempt: "Exonéré de TVA".into(),
        vat: "TVA".into(),
    }
}

fn ctx() -> SaleContext {
    let i = ids();
    let mut group = price(i.group, ItemKind::TicketType, "Groupe", 500, 0);
    group.min_quantity = 10;
    group.max_quantity = Some(30);
    SaleContext {
        time_zone: tz(),
        may_change_price: false,
        offers: vec![SaleOffer {
            id: i.tour,
            name: "Visite guidée".into(),
            archived: false,
            sale_pos: true,
            sale_online: true,
            capacity: 40,
            online_cutoff_hours: 0,
            pos_cutoff_hours: 0,
            late_entry_minutes: 0,
            published_from: None,
            published_to: None,
            prices: vec![
                price(i.adult, ItemKind::TicketType, "Adulte", 850, 0),
                price(i.child, ItemKind::TicketType, "Enfant", 500, 0),
                price(i.audio, ItemKind::Extra, "Audioguide", 300, 2100),
                group,
            ],
            sessions: SessionSource::Own(tour_schedule()),
        }],
        items: vec![
            item(i.adult, true, true),
            item(i.child, true, false),
            item(i.audio, true, true),
            item(i.group, true, true),
        ],
        products: vec![
            SaleProduct {
                id: i.book,
                name: "Le Petit Prince".into(),
                barcode: "9782070612758".into(),
                archived: false,
                sale_pos: true,
                sale_online: false,
                price_cents: 3000,
                vat_rate_bp: 600,
                discountable: true,
            },
            SaleProduct {
                id: i.gift,
                name: "Carte cadeau".into(),
                barcode: "2000000000015".into(),
                archived: false,
                sale_pos: true,
                sale_online: true,
                price_cents: 2500,
                vat_rate_bp: 0,
                discountable: false,
            },
        ],
        promotions: Vec::new(),
        promo_code: None,
        customer: None,
        set_aside: Vec::new(),
        enabled_methods: PaymentMethod::ALL.to_vec(),
        stopped: HashSet::new(),
        labels: labels(),
    }
}

fn visit(item: ItemId, start: i64, quantity: i64) -> CartLine {
    CartLine {
        target: LineTarget::Visit {
            offer: Some(ids().tour),
            session_start: Some(start),
            item: Some(item),
        },
        quantity,
        unit_price: None,
        price_reason: None,
        free: false,
        free_reason: None,
    }
}

fn product(id: ProductId, quantity: i64) -> CartLine {
    CartLine {
        target: LineTarget::Product(ProductRef::Id(id)),
        ..visit(ids().adult, 0, quantity)
    }
}

fn cart(lines: Vec<CartLine>) -> Cart {
    Cart {
        lines,
        ..Cart::default()
    }
}

fn pay(method: &str, amount: &str) -> PaymentInput {
    PaymentInput {
        method: method.into(),
        amount: amount.into(),
    }
}

fn tomorrow() -> Date {
    date(2026, 5, 11)
}

fn err(r: Result<PricedCart, SaleErrors>) -> SaleErrors {
    r.expect_err("the cart is refused")
}

fn ok(r: Result<PricedCart, SaleErrors>) -> PricedCart {
    match r {
        Ok(c) => c,
        Err(e) => panic!("refused: {:?}", e.0),
    }
}

/// The code on `field` when the cart is refused.
fn code<'a>(r: &'a Result<PricedCart, SaleErrors>, field: &str) -> Option<&'a str> {
    r.as_ref().err().and_then(|e| e.get(field))
}

fn promo_code(code: &str, reduction: Reduction) -> PromoCode {
    PromoCode {
        id: PromoCodeId(Uuid::from_u128(99)),
        name: code.into(),
        code: code.into(),
        description: None,
        reduction,
        max_uses: None,
        uses: 0,
        valid_from: None,
        valid_to: None,
        published_from: None,
        published_to: None,
        offer_ids: Vec::new(),
        item_ids: Vec::new(),
        product_ids: Vec::new(),
        archived: false,
    }
}

fn customer(discount_bp: u32, vat_exempt: bool, kind: Option<SaleCustomerType>) -> SaleCustomer {
    SaleCustomer {
        id: ids().customer,
        discount_bp,
        vat_exempt,
        origin: Origin {
            country: "BE".into(),
            postal_code: Some("5000".into()),
            province: Some("Namur".into()),
        },
        customer_type: kind,
    }
}

// ---------------------------------------------------------------- a plain sale

#[test]
fn a_counter_sale_is_priced_from_the_catalogue() {
    let i = ids();
    let c = cart(vec![
        visit(i.adult, session(tomorrow(), 14), 2),
        visit(i.audio, session(tomorrow(), 10), 1),
        product(i.book, 1),
    ]);
    let p = ok(price_cart(&ctx(), &c, Channel::Counter, now()));
    assert_eq!(p.day, today());
    assert_eq!(p.lines.len(), 3);
    let adult = &p.lines[0];
    assert_eq!(adult.kind, LineKind::TicketType);
    assert_eq!(adult.label, "Adulte");
    assert_eq!(adult.total_cents, 1700);
    assert_eq!(adult.session_capacity, Some(40));
    assert_eq!(adult.item_capacity, None);
    assert_eq!(adult.daily_stock, Some(999));
    assert_eq!(adult.offer_name.as_deref(), Some("Visite guidée"));
    assert_eq!(adult.visit_date, Some(tomorrow()));
    let audio = &p.lines[1];
    assert_eq!(audio.kind, LineKind::Extra);
    assert_eq!(audio.session_capacity, None);
    assert_eq!(audio.item_capacity, Some(20));
    assert_eq!(p.lines[2].kind, LineKind::Product);
    assert_eq!(p.totals.gross_cents, 1700 + 300 + 3000);
    // 3,00 at 21 % → 0,52; 30,00 at 6 % → 1,70.
    assert_eq!(p.totals.vat_cents, 52 + 170);
    assert_eq!(
        p.lines.iter().map(|l| l.vat_cents).collect::<Vec<_>>(),
        vec![0, 52, 170]
    );
    assert_eq!(p.visit_date, Some(tomorrow()));
    assert_eq!(p.visit_start, Some(session(tomorrow(), 10)));
    assert_eq!(p.origin, None, "no origin asked, none known");
    assert!(p.payments.is_empty() && p.promo_code.is_none() && p.deposits_used.is_empty());
}

#[test]
fn an_empty_cart_and_bad_quantities_are_refused() {
    let e = err(price_cart(&ctx(), &cart(vec![]), Channel::Counter, now()));
    assert_eq!(e.get("lines"), Some("empty_cart"));
    let i = ids();
    let c = cart(vec![product(i.book, 0), product(i.book, 10_001)]);
    let e = err(price_cart(&ctx(), &c, Channel::Counter, now()));
    assert_eq!(e.get("lines[0].quantity"), Some("invalid_quantity"));
    assert_eq!(e.get("lines[1].quantity"), Some("invalid_quantity"));
}

#[test]
fn a_line_too_large_is_refused_on_its_quantity() {
    let i = ids();
    let mut x = ctx();
    x.products[0].price_cents = 100_000_000;
    let e = err(price_cart(
        &x,
        &cart(vec![product(i.book, 11)]),
        Channel::Counter,
        now(),
    ));
    assert_eq!(e.get("lines[0].quantity"), Some("amount_too_large"));
}

// ---------------------------------------------------------------- offers and sessions

#[test]
fn unknown_offers_items_and_sessions() {
    let i = ids();
    let start = session(tomorrow(), 10);
    let mut bad_offer = visit(i.adult, start, 1);
    bad_offer.target = LineTarget::parse(Some("nope"), Some(start), Some("x"), None, None);
    let mut missing_offer = visit(i.adult, start, 1);
    missing_offer.target = LineTarget::Visit {
        offer: Some(OfferId(Uuid::from_u128(404))),
        session_start: Some(start),
        item: Some(i.adult),
    };
    let not_priced = visit(ItemId(Uuid::from_u128(405)), start, 1);
    let off_schedule = visit(i.adult, session(tomorrow(), 11), 1);
    let closed_day = visit(i.adult, session(date(2026, 5, 20), 10), 1);
    let mut no_start = visit(i.adult, start, 1);
    no_start.target = LineTarget::Visit {
        offer: Some(i.tour),
        session_start: None,
        item: Some(i.adult),
    };
    let out_of_range = visit(i.adult, i64::MAX, 1);
    let c = cart(vec![
        bad_offer,
        missing_offer,
        not_priced,
        off_schedule,
        closed_day,
        no_start,
        out_of_range,
    ]);
    let e = err(price_cart(&ctx(), &c, Channel::Counter, now()));
    assert_eq!(e.get("lines[0].offer_id"), Some("unknown_offer"));
    assert_eq!(e.get("lines[1].offer_id"), Some("unknown_offer"));
    assert_eq!(e.get("lines[2].item_id"), Some("not_offered"));
    for n in 3..=6 {
        assert_eq!(
            e.get(&format!("lines[{n}].session_start")),
            Some("unknown_session"),
            "line {n}"
        );
    }
    assert_eq!(e.0.len(), 7);
}

#[test]
fn sessions_can_follow_the_opening_hours() {
    let i = ids();
    let mut x = ctx();
    x.offers[0].sessions = SessionSource::OpeningHours(crate::calendar::Calendar {
        periods: vec![crate::calendar::Period {
            from: date(2026, 1, 1),
            to: date(2026, 12, 31),
            weekdays: [true; 7],
            open: time(9, 30, 0, 0),
            close: time(17, 0, 0, 0),
        }],
        closed: BTreeSet::new(),
    });
    let opening = at(tomorrow(), 9, 30).as_microsecond();
    ok(price_cart(
        &x,
        &cart(vec![visit(i.adult, opening, 1)]),
        Channel::Counter,
        now(),
    ));
    let e = err(price_cart(
        &x,
        &cart(vec![visit(i.adult, session(tomorrow(), 10), 1)]),
        Channel::Counter,
        now(),
    ));
    assert_eq!(e.get("lines[0].session_start"), Some("unknown_session"));
}

#[test]
fn archived_or_unsold_offers_and_items_are_refused_per_channel() {
    let i = ids();
    let start = session(tomorrow(), 10);
    let child = cart(vec![visit(i.child, start, 1)]);
    // The child ticket is sold at the registers, not online.
    ok(price_cart(&ctx(), &child, Channel::Counter, now()));
    ok(price_cart(&ctx(), &child, Channel::Phone, now()));
    let e = err(price_cart(&ctx(), &child, Channel::Online, now()));
    assert_eq!(e.get("lines[0].item_id"), Some("not_sold_online"));

    let mut x = ctx();
    x.offers[0].sale_pos = false;
    let adult = cart(vec![visit(i.adult, start, 1)]);
    let e = err(price_cart(&x, &adult, Channel::Counter, now()));
    assert_eq!(e.get("lines[0].offer_id"), Some("not_sold_at_register"));
    ok(price_cart(&x, &adult, Channel::Online, now()));

    let mut x = ctx();
    x.offers[0].archived = true;
    for ch in Channel::ALL {
        let e = err(price_cart(&x, &adult, ch, now()));
        assert_eq!(e.get("lines[0].offer_id"), Some(ch.not_sold_code()));
    }
    let mut x = ctx();
    x.items[0].archived = true;
    let e = err(price_cart(&x, &adult, Channel::Counter, now()));
    assert_eq!(e.get("lines[0].item_id"), Some("not_sold_at_register"));
}

#[test]
fn the_phone_sells_future_days_only() {
    let i = ids();
    let later_today = cart(vec![visit(i.adult, session(today(), 14), 1)]);
    ok(price_cart(&ctx(), &later_today, Channel::Counter, now()));
    ok(price_cart(&ctx(), &later_today, Channel::Online, now()));
    let e = err(price_cart(&ctx(), &later_today, Channel::Phone, now()));
    assert_eq!(e.get("lines[0].session_start"), Some("phone_future_only"));
    let c = cart(vec![visit(i.adult, session(tomorrow(), 10), 1)]);
    ok(price_cart(&ctx(), &c, Channel::Phone, now()));
}

#[test]
fn the_cutoff_closes_sales_before_a_session() {
    let i = ids();
    let mut x = ctx();
    x.offers[0].pos_cutoff_hours = 1;
    x.offers[0].online_cutoff_hours = 24;
    let ten = cart(vec![visit(i.adult, session(today(), 10), 1)]);
    // At 9:00, one hour before: the counter still sells (closing is strictly after).
    ok(price_cart(&x, &ten, Channel::Counter, now()));
    let e = err(price_cart(&x, &ten, Channel::Counter, at(today(), 9, 1)));
    assert_eq!(e.get("lines[0].session_start"), Some("sales_closed"));
    let e = err(price_cart(&x, &ten, Channel::Online, now()));
    assert_eq!(e.get("lines[0].session_start"), Some("sales_closed"));
    // Online sells tomorrow at 10:00 until today 10:00.
    let c = cart(vec![visit(i.adult, session(tomorrow(), 10), 1)]);
    ok(price_cart(&x, &c, Channel::Online, now()));
    let e = err(price_cart(&x, &c, Channel::Online, at(today(), 10, 1)));
    assert_eq!(e.get("lines[0].session_start"), Some("sales_closed"));
    // A past session is closed at the counter.
    let past = cart(vec![visit(i.adult, session(date(2026, 5, 9), 14), 1)]);
    let e = err(price_cart(&ctx(), &past, Channel::Counter, now()));
    assert_eq!(e.get("lines[0].session_start"), Some("sales_closed"));
}

#[test]
fn late_entry_lets_the_register_sell_a_started_session() {
    let i = ids();
    let mut x = ctx();
    x.offers[0].late_entry_minutes = 15;
    let ten = cart(vec![visit(i.adult, session(today(), 10), 1)]);
    // 10:10 and 10:15: within the tolerance at the counter (the deadline itself still sells).
    ok(price_cart(&x, &ten, Channel::Counter, at(today(), 10, 10)));
    ok(price_cart(&x, &ten, Channel::Counter, at(today(), 10, 15)));
    let e = err(price_cart(&x, &ten, Channel::Counter, at(today(), 10, 16)));
    assert_eq!(e.get("lines[0].session_start"), Some("sales_closed"));
    // Online never sells a started session, late entry or not.
    let e = err(price_cart(&x, &ten, Channel::Online, at(today(), 10, 10)));
    assert_eq!(e.get("lines[0].session_start"), Some("sales_closed"));
    // Without late entry, a started session is closed at the counter.
    let e = err(price_cart(
        &ctx(),
        &ten,
        Channel::Counter,
        at(today(), 10, 1),
    ));
    assert_eq!(e.get("lines[0].session_start"), Some("sales_closed"));
}

#[test]
fn online_sells_within_the_publication_window_only() {
    let i = ids();
    let mut x = ctx();
    x.offers[0].published_from = Some(date(2026, 6, 1));
    x.offers[0].published_to = Some(date(2026, 6, 30));
    for (d, sold) in [
        (date(2026, 5, 31), false),
        (date(2026, 6, 1), true),
        (date(2026, 6, 30), true),
        (date(2026, 7, 1), false),
    ] {
        let c = cart(vec![visit(i.adult, session(d, 10), 1)]);
        let r = price_cart(&x, &c, Channel::Online, now());
        if sold {
            ok(r);
        } else {
            assert_eq!(err(r).get("lines[0].session_start"), Some("not_published"));
        }
        // The registers are not bound by it.
        ok(price_cart(&x, &c, Channel::Counter, now()));
    }
}

#[test]
fn stopped_sales_are_refused() {
    let i = ids();
    let start = session(tomorrow(), 10);
    let c = cart(vec![visit(i.adult, start, 1), visit(i.audio, start, 1)]);
    let mut x = ctx();
    x.stopped
        .insert((StopTarget::TicketType(i.adult), tomorrow()));
    let e = err(price_cart(&x, &c, Channel::Counter, now()));
    assert_eq!(e.get("lines[0].session_start"), Some("sales_stopped"));
    assert_eq!(e.0.len(), 1, "an extra is not a ticket type");
    let mut x = ctx();
    x.stopped.insert((StopTarget::Offer(i.tour), tomorrow()));
    let e = err(price_cart(&x, &c, Channel::Counter, now()));
    assert_eq!(e.get("lines[0].session_start"), Some("sales_stopped"));
    assert_eq!(e.get("lines[1].session_start"), Some("sales_stopped"));
    // Another day is not stopped.
    let other = cart(vec![visit(i.adult, session(date(2026, 5, 12), 10), 1)]);
    ok(price_cart(&x, &other, Channel::Counter, now()));
}

#[test]
fn minimum_and_maximum_count_every_line_of_a_ticket_type() {
    let i = ids();
    let s = session(tomorrow(), 10);
    let c = cart(vec![visit(i.adult, s, 1), visit(i.group, s, 4)]);
    let e = err(price_cart(&ctx(), &c, Channel::Counter, now()));
    assert_eq!(e.get("lines[1].quantity"), Some("below_minimum"));
    let c = cart(vec![
        visit(i.group, s, 4),
        visit(i.group, session(tomorrow(), 14), 6),
    ]);
    ok(price_cart(&ctx(), &c, Channel::Counter, now()));
    let c = cart(vec![visit(i.group, s, 20), visit(i.group, s, 11)]);
    let e = err(price_cart(&ctx(), &c, Channel::Counter, now()));
    assert_eq!(e.get("lines[0].quantity"), Some("above_maximum"));
    assert_eq!(e.0.len(), 1);
}

// ---------------------------------------------------------------- products

#[test]
fn products_by_id_or_barcode() {
    let i = ids();
    let line = |t: LineTarget| CartLine {
        target: t,
        ..product(i.book, 1)
    };
    let c = cart(vec![
        line(LineTarget::parse(
            None,
            None,
            None,
            Some(""),
            Some(" 9782070612758 "),
        )),
        line(LineTarget::parse(None, None, None, Some("bad"), None)),
        line(LineTarget::parse(None, None, None, None, Some("123"))),
        line(LineTarget::parse(None, None, None, Some(" "), Some(""))),
        line(LineTarget::Product(ProductRef::Id(ProductId(
            Uuid::from_u128(404),
        )))),
    ]);
    let e = err(price_cart(&ctx(), &c, Channel::Counter, now()));
    assert_eq!(e.get("lines[0].product_id"), None);
    assert_eq!(e.get("lines[1].product_id"), Some("unknown_product"));
    assert_eq!(e.get("lines[2].product_id"), Some("unknown_product"));
    assert_eq!(e.get("lines[3].product_id"), Some("required"));
    assert_eq!(e.get("lines[4].product_id"), Some("unknown_product"));
    // The book is not sold online; an archived product nowhere.
    let book = cart(vec![product(i.book, 1)]);
    let e = err(price_cart(&ctx(), &book, Channel::Online, now()));
    assert_eq!(e.get("lines[0].product_id"), Some("not_sold_online"));
    let mut x = ctx();
    x.products[0].archived = true;
    let e = err(price_cart(&x, &book, Channel::Counter, now()));
    assert_eq!(e.get("lines[0].product_id"), Some("not_sold_at_register"));
}

// ---------------------------------------------------------------- price changes, free lines

#[test]
fn a_changed_price_needs_the_right_and_a_reason() {
    let i = ids();
    let mut l = product(i.book, 2);
    l.unit_price = Some("25,00".into());
    let c = cart(vec![l.clone()]);
    let e = err(price_cart(&ctx(), &c, Channel::Counter, now()));
    assert_eq!(
        e.get("lines[0].unit_price"),
        Some("price_change_not_allowed")
    );
    let mut x = ctx();
    x.may_change_price = true;
    let e = err(price_cart(&x, &c, Channel::Counter, now()));
    assert_eq!(e.get("lines[0].price_reason"), Some("required"));
    l.price_reason = Some("  abîmé  ".into());
    let p = ok(price_cart(
        &x,
        &cart(vec![l.clone()]),
        Channel::Counter,
        now(),
    ));
    assert_eq!(p.lines[0].unit_price_cents, 2500);
    assert_eq!(p.lines[0].list_price_cents, 3000);
    assert_eq!(p.lines[0].price_reason.as_deref(), Some("abîmé"));
    assert_eq!(p.lines[0].total_cents, 5000);
    // Never online, whoever is logged in.
    let mut on = ctx();
    on.may_change_price = true;
    on.products[0].sale_online = true;
    let e = err(price_cart(
        &on,
        &cart(vec![l.clone()]),
        Channel::Online,
        now(),
    ));
    assert_eq!(
        e.get("lines[0].unit_price"),
        Some("price_change_not_allowed")
    );
    // The list price again, or blank: no change, no right needed.
    l.unit_price = Some("30,00".into());
    ok(price_cart(
        &ctx(),
        &cart(vec![l.clone()]),
        Channel::Counter,
        now(),
    ));
    l.unit_price = Some("abc".into());
    let e = err(price_cart(&ctx(), &cart(vec![l]), Channel::Counter, now()));
    assert_eq!(e.get("lines[0].unit_price"), Some("not_a_number"));
}

#[test]
fn a_free_line_needs_a_reason() {
    let i = ids();
    let mut l = visit(i.adult, session(tomorrow(), 10), 3);
    l.free = true;
    let e = err(price_cart(
        &ctx(),
        &cart(vec![l.clone()]),
        Channel::Counter,
        now(),
    ));
    assert_eq!(e.get("lines[0].free_reason"), Some("required"));
    l.free_reason = Some("Guide".into());
    let p = ok(price_cart(
        &ctx(),
        &cart(vec![l.clone()]),
        Channel::Counter,
        now(),
    ));
    assert_eq!(
        (p.lines[0].discount_cents, p.lines[0].total_cents),
        (2550, 0)
    );
    assert_eq!(p.lines[0].discount_reason.as_deref(), Some("Guide"));
    let e = err(price_cart(&ctx(), &cart(vec![l]), Channel::Online, now()));
    assert_eq!(e.get("lines[0].free"), Some("price_change_not_allowed"));
}

// ---------------------------------------------------------------- reductions

#[test]
fn promo_codes() {
    let i = ids();
    let c = |code: &str| Cart {
        promo_code: Some(code.into()),
        ..cart(vec![
            visit(i.adult, session(tomorrow(), 10), 2),
            product(i.gift, 1),
        ])
    };
    let e = err(price_cart(
        &ctx(),
        &c("museumpass"),
        Channel::Counter,
        now(),
    ));
    assert_eq!(e.get("promo_code"), Some("unknown_promo_code"));
    let mut x = ctx();
    x.promo_code = Some(promo_code("MUSEUMPASS", Reduction::PercentBp(5000)));
    let p = ok(price_cart(&x, &c(" museumPass "), Channel::Counter, now()));
    assert_eq!(p.promo_code, Some(PromoCodeId(Uuid::from_u128(99))));
    assert_eq!(p.lines[0].discount_cents, 850);
    assert_eq!(
        p.lines[0].discount_reason.as_deref(),
        Some("Code MUSEUMPASS")
    );
    assert_eq!(
        p.lines[1].discount_cents, 0,
        "a gift card takes no reduction"
    );
    assert_eq!(p.totals.gross_cents, 850 + 2500);
    // A code found for another text is not this one.
    let e = err(price_cart(&x, &c("OTHER"), Channel::Counter, now()));
    assert_eq!(e.get("promo_code"), Some("unknown_promo_code"));
    let mut y = x.clone();
    if let Some(code) = y.promo_code.as_mut() {
        code.max_uses = Some(3);
        code.uses = 3;
    }
    let e = err(price_cart(&y, &c("MUSEUMPASS"), Channel::Counter, now()));
    assert_eq!(e.get("promo_code"), Some("promo_code_exhausted"));
    let mut z = x.clone();
    if let Some(code) = z.promo_code.as_mut() {
        code.product_ids = vec![i.book];
    }
    let e = err(price_cart(&z, &c("MUSEUMPASS"), Channel::Counter, now()));
    assert_eq!(e.get("promo_code"), Some("promo_code_not_applicable"));
    // No code, blank code: nothing to report.
    ok(price_cart(&x, &c("  "), Channel::Counter, now()));
}

#[test]
fn promotions_apply_without_a_code_and_after_a_free_reason() {
    let i = ids();
    let mut x = ctx();
    x.promotions = vec![Promotion {
        id: crate::PromotionId(Uuid::from_u128(50)),
        name: "Dernière minute".into(),
        description: None,
        reduction: Reduction::AmountCents(100),
        model: PromotionModel::LastMinute { days: 2 },
        valid_from: None,
        valid_to: None,
        published_from: None,
        published_to: None,
        weekdays: Vec::new(),
        offer_ids: Vec::new(),
        archived: false,
    }];
    x.promo_code = Some(promo_code("MUSEUMPASS", Reduction::AmountCents(300)));
    let s = session(tomorrow(), 10);
    let mut free = visit(i.child, s, 1);
    free.free = true;
    free.free_reason = Some("Anniversaire".into());
    let c = Cart {
        promo_code: Some("MUSEUMPASS".into()),
        ..cart(vec![visit(i.adult, s, 2), free])
    };
    let p = ok(price_cart(&x, &c, Channel::Counter, now()));
    // 2 × 8,50 − 2 × 1,00 (last minute, per unit) − 3,00 (the code) = 12,00.
    assert_eq!(p.lines[0].discount_cents, 500);
    assert_eq!(p.lines[0].total_cents, 1200);
    assert_eq!(
        p.lines[0].discount_reason.as_deref(),
        Some("Dernière minute + Code MUSEUMPASS")
    );
    assert_eq!(
        p.lines[1].discount_reason.as_deref(),
        Some("Anniversaire"),
        "a free line has nothing left to take off"
    );
    // Without the code, the promotion alone.
    let p = ok(price_cart(
        &x,
        &cart(vec![visit(i.adult, s, 1)]),
        Channel::Online,
        now(),
    ));
    assert_eq!(p.lines[0].total_cents, 750);
}

// ---------------------------------------------------------------- customers

#[test]
fn a_customers_terms_say_why_word_for_word() {
    let i = ids();
    let mut x = ctx();
    x.customer = Some(customer(
        1000,
        false,
        Some(SaleCustomerType {
            name: "Écoles".into(),
            discount_bp: 2000,
            tax: TaxTreatment::Rate(600),
        }),
    ));
    let mut c = cart(vec![
        visit(i.audio, session(tomorrow(), 10), 1),
        product(i.gift, 1),
    ]);
    c.customer = CustomerRef::Id(i.customer);
    let p = ok(price_cart(&x, &c, Channel::Counter, now()));
    let why = "Remise client 10 % + TVA 6 % + Écoles";
    assert_eq!(p.lines[0].discount_reason.as_deref(), Some(why));
    assert_eq!(p.lines[0].discount_cents, 30);
    assert_eq!(p.lines[0].total_cents, 270);
    assert_eq!(p.lines[0].vat_rate_bp, 600);
    // The gift card keeps its price; its rate changes.
    assert_eq!(p.lines[1].discount_cents, 0);
    assert_eq!(p.lines[1].vat_rate_bp, 600);
    assert_eq!(p.lines[1].discount_reason.as_deref(), Some(why));
    assert_eq!(p.customer, Some(i.customer));
    assert_eq!(p.origin.map(|o| o.postal_code), Some(Some("5000".into())));

    // VAT exempt: the price loses its VAT, after a promo code's reason.
    let mut x = ctx();
    x.customer = Some(customer(0, true, None));
    x.promo_code = Some(promo_code("HALF", Reduction::PercentBp(5000)));
    c.promo_code = Some("half".into());
    let p = ok(price_cart(&x, &c, Channel::Counter, now()));
    // 3,00 − 1,50 = 1,50 incl. 21 % VAT (0,26) → 1,24.
    assert_eq!(p.lines[0].total_cents, 124);
    assert_eq!(p.lines[0].discount_cents, 176);
    assert_eq!(p.lines[0].vat_rate_bp, 0);
    assert_eq!(
        p.lines[0].discount_reason.as_deref(),
        Some("Code HALF + Exonéré de TVA")
    );
    assert_eq!(
        p.lines[1].discount_reason, None,
        "a line at 0 % is not changed"
    );
}

#[test]
fn customer_errors() {
    let i = ids();
    let mut c = cart(vec![product(i.book, 1)]);
    c.customer = CustomerRef::parse(Some("not-an-id"));
    let e = err(price_cart(&ctx(), &c, Channel::Counter, now()));
    assert_eq!(e.get("customer_id"), Some("unknown_customer"));
    c.customer = CustomerRef::Id(i.customer);
    let e = err(price_cart(&ctx(), &c, Channel::Counter, now()));
    assert_eq!(e.get("customer_id"), Some("unknown_customer"));
    let mut x = ctx();
    x.customer = Some(customer(1000, false, None));
    c.skip_customer_terms = true;
    let e = err(price_cart(&x, &c, Channel::Counter, now()));
    assert_eq!(
        e.get("skip_customer_terms"),
        Some("price_change_not_allowed")
    );
    x.may_change_price = true;
    let p = ok(price_cart(&x, &c, Channel::Counter, now()));
    assert_eq!(p.lines[0].total_cents, 3000);
}

#[test]
fn the_origin_is_asked_for_visits() {
    let i = ids();
    let mut x = ctx();
    x.customer = Some(customer(0, false, None));
    let mut c = cart(vec![product(i.gift, 1)]);
    c.customer = CustomerRef::Id(i.customer);
    c.origin = Some(OriginInput {
        country: "XX1".into(),
        ..OriginInput::default()
    });
    assert_eq!(ok(price_cart(&x, &c, Channel::Counter, now())).origin, None);
    c.lines.push(visit(i.adult, session(tomorrow(), 10), 1));
    let e = err(price_cart(&x, &c, Channel::Counter, now()));
    assert_eq!(e.get("origin.country"), Some("invalid_country"));
    c.origin = Some(OriginInput {
        country: "be".into(),
        postal_code: "99999".into(),
        province: String::new(),
    });
    let e = err(price_cart(&x, &c, Channel::Counter, now()));
    assert_eq!(e.get("origin.postal_code"), Some("invalid_postal_code"));
    c.origin = Some(OriginInput {
        country: "FR".into(),
        ..OriginInput::default()
    });
    let p = ok(price_cart(&x, &c, Channel::Counter, now()));
    assert_eq!(p.origin.map(|o| o.country), Some("FR".into()));
    c.origin = Some(OriginInput::default());
    let p = ok(price_cart(&x, &c, Channel::Counter, now()));
    assert_eq!(
        p.origin.map(|o| o.country),
        Some("BE".into()),
        "the customer's"
    );
}

// ---------------------------------------------------------------- deposits

fn set_aside(n: u128, quantity: i64, deposit: i64) -> SetAside {
    SetAside {
        id: Uuid::from_u128(n),
        product_id: ids().book,
        quantity,
        open_deposit: (deposit > 0).then(|| OpenDeposit {
            cents: deposit,
            vat_rate_bp: 600,
            deducted_label: format!("Acompte déduit (Le Petit Prince, P26050{n})"),
        }),
    }
}

#[test]
fn deposits_of_reservations_taken_whole_are_deducted() {
    let i = ids();
    let mut x = ctx();
    x.customer = Some(customer(0, false, None));
    x.set_aside = vec![set_aside(1, 1, 1000), set_aside(2, 2, 500)];
    let mut c = cart(vec![product(i.book, 2)]);
    c.customer = CustomerRef::Id(i.customer);
    let p = ok(price_cart(&x, &c, Channel::Counter, now()));
    // The first is taken whole, the second in part (it keeps its deposit).
    assert_eq!(p.lines.len(), 2);
    let d = &p.lines[1];
    assert_eq!(d.kind, LineKind::Deposit);
    assert_eq!(d.label, "Acompte déduit (Le Petit Prince, P260501)");
    assert_eq!(
        (d.total_cents, d.vat_rate_bp, d.vat_cents),
        (-1000, 600, -57)
    );
    assert_eq!(p.totals.gross_cents, 5000);
    assert_eq!(
        p.deposits_used,
        vec![DepositUsed {
            reservation_id: Uuid::from_u128(1),
            cents: 1000
        }]
    );
    // A quote deducts nothing; a sale without the customer neither.
    c.quote = true;
    assert!(
        ok(price_cart(&x, &c, Channel::Counter, now()))
            .deposits_used
            .is_empty()
    );
    // A deduction larger than the goods of its rate is refused.
    let mut y = x.clone();
    y.set_aside = vec![set_aside(3, 1, 4000)];
    let mut c = cart(vec![product(i.book, 1)]);
    c.customer = CustomerRef::Id(i.customer);
    let e = err(price_cart(&y, &c, Channel::Counter, now()));
    assert_eq!(e.get("lines"), Some("deposit_exceeds_sale"));
}

// ---------------------------------------------------------------- payments

#[test]
fn payments_are_checked_against_what_is_due() {
    let i = ids();
    let mut c = cart(vec![product(i.book, 1)]);
    c.payments = vec![pay("cash", "50,00")];
    let p = ok(price_cart(&ctx(), &c, Channel::Counter, now()));
    assert_eq!(
        p.payments,
        vec![SalePayment {
            method: PaymentMethod::Cash,
            amount_cents: 3000,
            tendered_cents: 5000,
            change_cents: 2000
        }]
    );
    let mut x = ctx();
    x.enabled_methods = vec![PaymentMethod::Cash, PaymentMethod::CardTerminal];
    c.payments = vec![
        pay("gift_card", "1,00"),
        pay("bitcoin", "1,00"),
        pay("card_terminal", "0"),
        pay("card_terminal", "abc"),
        pay("card_terminal", "20,00"),
        pay("card_terminal", "20,00"),
    ];
    let e = err(price_cart(&x, &c, Channel::Counter, now()));
    assert_eq!(e.get("payments[0].method"), Some("method_disabled"));
    assert_eq!(e.get("payments[1].method"), Some("unknown_method"));
    assert_eq!(e.get("payments[2].amount"), Some("amount_zero"));
    assert_eq!(e.get("payments[3].amount"), Some("not_a_number"));
    assert_eq!(e.get("payments[4].amount"), None);
    assert_eq!(e.get("payments[5].amount"), Some("more_than_due"));
    c.payments = vec![pay("cash", "10,00"), pay("bank_transfer", "10,00")];
    let e = err(price_cart(&ctx(), &c, Channel::Phone, now()));
    assert_eq!(e.get("payments[0].method"), Some("method_not_on_phone"));
    assert_eq!(e.0.len(), 1);
    let mut on = ctx();
    on.products[0].sale_online = true;
    let e = err(price_cart(&on, &c, Channel::Online, now()));
    assert_eq!(e.get("payments[0].method"), Some("method_not_online"));
    c.quote = true;
    let e = err(price_cart(&ctx(), &c, Channel::Counter, now()));
    assert_eq!(e.get("payments"), Some("quote_not_payable"));
}

#[test]
fn every_bad_field_is_reported_at_once_in_order() {
    let i = ids();
    let mut c = cart(vec![product(i.book, 0), visit(i.child, 0, 1)]);
    c.customer = CustomerRef::Invalid;
    c.promo_code = Some("NOPE".into());
    c.payments = vec![pay("nope", "1")];
    let e = err(price_cart(&ctx(), &c, Channel::Counter, now()));
    let fields: Vec<&str> = e.0.iter().map(|x| x.field.as_str()).collect();
    assert_eq!(
        fields,
        vec![
            "customer_id",
            "lines[0].quantity",
            "lines[1].session_start",
            "promo_code",
            "payments[0].method"
        ]
    );
}

// ---------------------------------------------------------------- parsing and keys

#[test]
fn raw_fields_parse_as_the_forms_send_them() {
    let i = ids();
    let tour = i.tour.to_string();
    assert_eq!(
        LineTarget::parse(Some(""), None, None, Some("x"), None),
        LineTarget::Visit {
            offer: None,
            session_start: None,
            item: None
        },
        "any offer id makes a visit line"
    );
    assert_eq!(
        LineTarget::parse(
            Some(&format!(" {tour} ")),
            Some(5),
            Some(&i.adult.to_string()),
            None,
            None
        ),
        LineTarget::Visit {
            offer: Some(i.tour),
            session_start: Some(5),
            item: Some(i.adult)
        }
    );
    assert_eq!(
        LineTarget::parse(None, None, None, Some(&i.book.to_string()), Some("123")),
        LineTarget::Product(ProductRef::Id(i.book))
    );
    assert_eq!(CustomerRef::parse(Some("  ")), CustomerRef::None);
    assert_eq!(
        CustomerRef::parse(Some(&i.customer.to_string())),
        CustomerRef::Id(i.customer)
    );
    assert_eq!(Channel::from(RegisterKind::Phone), Channel::Phone);
    assert_eq!(Channel::from(RegisterKind::Counter), Channel::Counter);
    for ch in Channel::ALL {
        assert_eq!(Channel::parse(ch.as_str()), Some(ch));
    }
    assert_eq!(
        clean(Some(&"é".repeat(3000))).map(|s| s.chars().count()),
        Some(2000)
    );
}

#[test]
fn a_cart_says_what_to_read() {
    let i = ids();
    let s = session(tomorrow(), 10);
    let mut barcode = product(i.book, 1);
    barcode.target = LineTarget::Product(ProductRef::Barcode("123".into()));
    let mut c = cart(vec![
        visit(i.adult, s, 1),
        visit(i.audio, s, 1),
        visit(i.adult, session(today(), 14), 1),
        product(i.book, 1),
        product(i.book, 2),
        barcode,
    ]);
    c.promo_code = Some(" pass ".into());
    c.customer = CustomerRef::Id(i.customer);
    let k = c.wants(&tz());
    assert_eq!(k.offers, vec![i.tour]);
    assert_eq!(k.items, vec![i.adult, i.audio]);
    assert_eq!(k.products, vec![i.book]);
    assert_eq!(k.barcodes, vec!["123".to_owned()]);
    assert_eq!(k.days, vec![tomorrow(), today()]);
    assert_eq!(k.promo_code.as_deref(), Some("pass"));
    assert_eq!(k.customer, Some(i.customer));
}

// ---------------------------------------------------------------- properties

#[derive(Debug, Clone)]
struct LineSpec {
    product: bool,
    unit: i64,
    vat: u32,
    quantity: i64,
    free: bool,
    discountable: bool,
}

fn line_spec() -> impl Strategy<Value = LineSpec> {
    (
        any::<bool>(),
        0i64..20_000,
        prop::sample::select(vec![0u32, 550, 600, 1200, 2100]),
        1i64..50,
        prop::bool::weighted(0.15),
        prop::bool::weighted(0.8),
    )
        .prop_map(
            |(product, unit, vat, quantity, free, discountable)| LineSpec {
                product,
                unit,
                vat,
                quantity,
                free,
                discountable,
            },
        )
}

fn reduction() -> impl Strategy<Value = Option<Reduction>> {
    prop_oneof![
        Just(None),
        (1u32..=10_000).prop_map(|bp| Some(Reduction::PercentBp(bp))),
        (1i64..100_000).prop_map(|c| Some(Reduction::AmountCents(c))),
    ]
}

fn tax() -> impl Strategy<Value = TaxTreatment> {
    prop_oneof![
        Just(TaxTreatment::Standard),
        Just(TaxTreatment::Exempt),
        prop::sample::select(vec![0u32, 600, 2100]).prop_map(TaxTreatment::Rate),
    ]
}

/// A context and cart built from line specs: each line its own product or ticket type.
fn generated(
    specs: &[LineSpec],
    code: Option<Reduction>,
    promo: Option<Reduction>,
    terms: Option<(u32, TaxTreatment)>,
) -> (SaleContext, Cart) {
    let mut x = ctx();
    x.offers[0].prices.clear();
    x.items.clear();
    x.products.clear();
    let start = session(tomorrow(), 10);
    let mut lines = Vec::new();
    for (n, s) in specs.iter().enumerate() {
        let id = Uuid::from_u128(1000 + n as u128);
        if s.product {
            x.products.push(SaleProduct {
                id: ProductId(id),
                name: format!("p{n}"),
                barcode: format!("{n}"),
                archived: false,
                sale_pos: true,
                sale_online: true,
                price_cents: s.unit,
                vat_rate_bp: s.vat,
                discountable: s.discountable,
            });
            lines.push(product(ProductId(id), s.quantity));
        } else {
            x.offers[0].prices.push(price(
                ItemId(id),
                ItemKind::TicketType,
                &format!("t{n}"),
                s.unit,
                s.vat,
            ));
            x.items.push(item(ItemId(id), true, true));
            lines.push(visit(ItemId(id), start, s.quantity));
        }
        if s.free {
            let l = lines.last_mut().expect("just pushed");
            l.free = true;
            l.free_reason = Some("free".into());
        }
    }
    let mut c = cart(lines);
    if let Some(r) = code {
        x.promo_code = Some(promo_code("CODE", r));
        c.promo_code = Some("code".into());
    }
    if let Some(r) = promo {
        x.promotions = vec![Promotion {
            id: crate::PromotionId(Uuid::from_u128(50)),
            name: "Promo".into(),
            description: None,
            reduction: r,
            model: PromotionModel::Classic,
            valid_from: None,
            valid_to: None,
            published_from: None,
            published_to: None,
            weekdays: Vec::new(),
            offer_ids: Vec::new(),
            archived: false,
        }];
    }
    if let Some((bp, tax)) = terms {
        x.customer = Some(customer(bp, false, None).with_tax(tax));
        c.customer = CustomerRef::Id(ids().customer);
    }
    (x, c)
}

impl SaleCustomer {
    fn with_tax(mut self, tax: TaxTreatment) -> Self {
        self.customer_type = Some(SaleCustomerType {
            name: "Type".into(),
            discount_bp: 0,
            tax,
        });
        self
    }
}

fn arb_channel() -> impl Strategy<Value = Channel> {
    prop::sample::select(Channel::ALL.to_vec())
}

proptest! {
    #[test]
    fn no_cent_is_lost_or_invented(
        specs in prop::collection::vec(line_spec(), 1..8),
        code in reduction(),
        promo in reduction(),
        terms in prop::option::of((0u32..=10_000, tax())),
    ) {
        let (x, c) = generated(&specs, code, promo, terms);
        let r = price_cart(&x, &c, Channel::Counter, now());
        // A code that covers nothing is refused; everything else prices.
        let p = match r {
            Ok(p) => p,
            Err(e) => {
                prop_assert_eq!(e.0.len(), 1);
                prop_assert_eq!(e.get("promo_code"), Some("promo_code_not_applicable"));
                return Ok(());
            }
        };
        prop_assert_eq!(p.lines.len(), specs.len());
        let sum: i64 = p.lines.iter().map(|l| l.total_cents).sum();
        prop_assert_eq!(p.totals.gross_cents, sum);
        let gross: i64 = specs.iter().map(|s| s.unit * s.quantity).sum();
        let discounts: i64 = p.lines.iter().map(|l| l.discount_cents).sum();
        prop_assert_eq!(gross - discounts, p.totals.gross_cents);
        for (l, s) in p.lines.iter().zip(&specs) {
            prop_assert_eq!(l.gross_cents(), s.unit * s.quantity);
            prop_assert_eq!(l.unit_price_cents * l.quantity, l.gross_cents());
            prop_assert!(l.discount_cents >= 0);
            prop_assert!(l.discount_cents <= l.gross_cents());
            prop_assert!(l.total_cents >= 0);
            if !s.discountable && s.product && !s.free {
                // Only the VAT exemption may lower a gift card.
                let exempt = terms.is_some_and(|(_, t)| t == TaxTreatment::Exempt);
                prop_assert!(l.discount_cents == 0 || exempt);
            }
        }
        // VAT per rate, half-up on the rate's total; lines share it exactly.
        let mut rates: Vec<u32> = p.lines.iter().map(|l| l.vat_rate_bp).collect();
        rates.sort_unstable();
        rates.dedup();
        prop_assert_eq!(p.totals.by_rate.len(), rates.len());
        for (rt, bp) in p.totals.by_rate.iter().zip(&rates) {
            let g: i64 = p.lines.iter().filter(|l| l.vat_rate_bp == *bp).map(|l| l.total_cents).sum();
            let rate = VatRate::from_basis_points(i64::from(*bp)).expect("valid rate");
            prop_assert_eq!(rt.vat_rate_basis_points, *bp);
            prop_assert_eq!(rt.gross_cents, g);
            prop_assert_eq!(rt.vat_cents, vat_included(g, rate));
            let shared: i64 = p.lines.iter().filter(|l| l.vat_rate_bp == *bp).map(|l| l.vat_cents).sum();
            prop_assert_eq!(shared, rt.vat_cents);
        }
        prop_assert_eq!(p.totals.vat_cents, p.totals.by_rate.iter().map(|r| r.vat_cents).sum::<i64>());
        prop_assert_eq!(p.totals.net_cents, p.totals.gross_cents - p.totals.vat_cents);
    }

    #[test]
    fn an_item_is_refused_exactly_where_it_is_not_sold(
        pos in any::<bool>(),
        online in any::<bool>(),
        on_item in any::<bool>(),
        channel in arb_channel(),
    ) {
        let i = ids();
        let mut x = ctx();
        if on_item {
            x.items[0].sale_pos = pos;
            x.items[0].sale_online = online;
        } else {
            x.offers[0].sale_pos = pos;
            x.offers[0].sale_online = online;
        }
        let c = cart(vec![visit(i.adult, session(tomorrow(), 14), 1)]);
        let sold = match channel {
            Channel::Counter | Channel::Phone => pos,
            Channel::Online => online,
        };
        let r = price_cart(&x, &c, channel, now());
        if sold {
            prop_assert!(r.is_ok());
        } else {
            let e = r.expect_err("refused");
            let field = if on_item { "lines[0].item_id" } else { "lines[0].offer_id" };
            let code = if channel == Channel::Online { "not_sold_online" } else { "not_sold_at_register" };
            prop_assert_eq!(e.get(field), Some(code));
        }
        // The same for a product.
        let mut y = ctx();
        y.products[1].sale_pos = pos;
        y.products[1].sale_online = online;
        let r = price_cart(&y, &cart(vec![product(i.gift, 1)]), channel, now());
        prop_assert_eq!(r.is_ok(), sold);
    }

    #[test]
    fn a_stopped_session_is_refused_on_every_channel(
        channel in arb_channel(),
        days in 1i64..200,
        whole_offer in any::<bool>(),
    ) {
        let i = ids();
        let day = today().checked_add(jiff::Span::new().days(days)).expect("in range");
        prop_assume!(day != date(2026, 5, 20) && day.year() == 2026);
        let mut x = ctx();
        let c = cart(vec![visit(i.adult, session(day, 10), 1)]);
        prop_assert!(price_cart(&x, &c, channel, now()).is_ok());
        let target = if whole_offer { StopTarget::Offer(i.tour) } else { StopTarget::TicketType(i.adult) };
        x.stopped.insert((target, day));
        let e = price_cart(&x, &c, channel, now()).expect_err("stopped");
        prop_assert_eq!(e.get("lines[0].session_start"), Some("sales_stopped"));
    }

    #[test]
    fn minimum_and_maximum_hold(
        quantities in prop::collection::vec(1i64..20, 1..5),
        min in 0i64..40,
        extra in prop::option::of(0i64..40),
    ) {
        let i = ids();
        let mut x = ctx();
        let max = extra.map(|e| (min + e).max(1));
        x.offers[0].prices[0].min_quantity = min;
        x.offers[0].prices[0].max_quantity = max;
        let s = session(tomorrow(), 10);
        let c = cart(quantities.iter().map(|q| visit(i.adult, s, *q)).collect());
        let total: i64 = quantities.iter().sum();
        let r = price_cart(&x, &c, Channel::Counter, now());
        if total < min {
            prop_assert_eq!(code(&r, "lines[0].quantity"), Some("below_minimum"));
        } else if max.is_some_and(|m| total > m) {
            prop_assert_eq!(code(&r, "lines[0].quantity"), Some("above_maximum"));
        } else {
            let p = r.expect("within");
            prop_assert_eq!(p.lines.iter().map(|l| l.quantity).sum::<i64>(), total);
        }
    }

    #[test]
    fn the_phone_refuses_today_and_the_past(offset in -60i64..60, hour in prop::sample::select(vec![10i8, 14])) {
        let i = ids();
        let day = today().checked_add(jiff::Span::new().days(offset)).expect("in range");
        prop_assume!(day != date(2026, 5, 20));
        let c = cart(vec![visit(i.adult, session(day, hour), 1)]);
        let r = price_cart(&ctx(), &c, Channel::Phone, now());
        if offset <= 0 {
            prop_assert_eq!(code(&r, "lines[0].session_start"), Some("phone_future_only"));
        } else {
            prop_assert!(r.is_ok());
        }
    }

    #[test]
    fn online_keeps_to_the_window_and_the_cutoff(
        offset in 0i64..60,
        from in prop::option::of(-10i64..60),
        length in prop::option::of(0i64..40),
        cutoff in 0i64..24 * 40,
    ) {
        let i = ids();
        let plus = |n: i64| today().checked_add(jiff::Span::new().days(n)).expect("in range");
        let day = plus(offset);
        prop_assume!(day != date(2026, 5, 20));
        let mut x = ctx();
        x.offers[0].published_from = from.map(plus);
        x.offers[0].published_to = length.map(|l| plus(from.unwrap_or(0) + l));
        x.offers[0].online_cutoff_hours = cutoff;
        let start = at(day, 14, 0);
        let c = cart(vec![visit(i.adult, start.as_microsecond(), 1)]);
        let r = price_cart(&x, &c, Channel::Online, now());
        let published = x.offers[0].published_from.is_none_or(|f| day >= f)
            && x.offers[0].published_to.is_none_or(|t| day <= t);
        let open = now() <= start - jiff::SignedDuration::from_hours(cutoff);
        match (published, open) {
            (false, _) => prop_assert_eq!(code(&r, "lines[0].session_start"), Some("not_published")),
            (true, false) => prop_assert_eq!(code(&r, "lines[0].session_start"), Some("sales_closed")),
            (true, true) => prop_assert!(r.is_ok()),
        }
        // The counter keeps its own cut-off (none here) and no window.
        prop_assert!(price_cart(&x, &c, Channel::Counter, now()).is_ok());
    }
}

// ---------------------------------------------------------------- VAT exemption per order

/// A product at `cents` and `vat_bp`, sold to an exempt customer without a discount, in lines
/// of the quantities given: the priced cart.
fn sold_exempt(cents: i64, vat_bp: u32, quantities: &[i64]) -> PricedCart {
    let i = ids();
    let mut x = ctx();
    x.products[0].price_cents = cents;
    x.products[0].vat_rate_bp = vat_bp;
    x.customer = Some(customer(0, true, None));
    let mut c = cart(quantities.iter().map(|q| product(i.book, *q)).collect());
    c.customer = CustomerRef::Id(i.customer);
    ok(price_cart(&x, &c, Channel::Counter, now()))
}

#[test]
fn an_exempt_customer_pays_the_same_however_the_lines_are_split() {
    // 2 × 0,14 at 12 %: 0,28 holds 0,03 of VAT (0,028… rounded), so 0,25 without it, whether
    // the two items are one line or two (each line's 0,015 would round to 0,02: 0,24).
    let one = sold_exempt(14, 1200, &[2]);
    let two = sold_exempt(14, 1200, &[1, 1]);
    assert_eq!(one.totals.gross_cents, 25);
    assert_eq!(two.totals.gross_cents, 25);
    // The 0,03 taken off is shared among the lines, and each says so.
    let off: Vec<i64> = two.lines.iter().map(|l| l.discount_cents).collect();
    assert_eq!(off.iter().sum::<i64>(), 3);
    assert!(
        two.lines
            .iter()
            .all(|l| l.vat_rate_bp == 0 && l.total_cents + l.discount_cents == 14)
    );
    assert!(
        two.lines
            .iter()
            .all(|l| l.discount_reason.as_deref() == Some("Exonéré de TVA"))
    );
}

proptest! {
    /// Splitting a cart's lines differently never changes what an exempt customer pays: the
    /// VAT taken off is the order's, per rate, whatever the lines.
    #[test]
    fn splitting_lines_never_changes_an_exempt_customers_total(
        cents in 1i64..5_000,
        vat in prop::sample::select(vec![0u32, 550, 600, 1200, 2100]),
        parts in prop::collection::vec(1i64..6, 1..8),
        audio in 0i64..4,
    ) {
        let quantity: i64 = parts.iter().sum();
        let whole = sold_exempt(cents, vat, &[quantity]);
        let split = sold_exempt(cents, vat, &parts);
        prop_assert_eq!(whole.totals.gross_cents, split.totals.gross_cents);
        // What the exemption takes off is exactly the VAT the order would have carried.
        let rate = VatRate::from_basis_points(i64::from(vat)).expect("valid rate");
        let gross = cents * quantity;
        prop_assert_eq!(split.totals.gross_cents, gross - vat_included(gross, rate));
        prop_assert_eq!(split.totals.vat_cents, 0);
        // Audio-guides (21 %) beside them: still the VAT of each rate's total.
        if audio > 0 {
            let i = ids();
            let mut x = ctx();
            x.products[0].price_cents = cents;
            x.products[0].vat_rate_bp = vat;
            x.customer = Some(customer(0, true, None));
            let s = session(tomorrow(), 10);
            let mut lines: Vec<CartLine> = parts.iter().map(|q| product(i.book, *q)).collect();
            lines.extend((0..audio).map(|_| visit(i.audio, s, 1)));
            let mut c = cart(lines);
            c.customer = CustomerRef::Id(i.customer);
            let p = ok(price_cart(&x, &c, Channel::Counter, now()));
            // Per rate: at 21 % the books and the audio-guides are one total.
            let net = |g: i64, bp: u32| {
                g - vat_included(g, VatRate::from_basis_points(i64::from(bp)).expect("valid rate"))
            };
            let audio_gross = 300 * audio;
            let expected = if vat == 2100 {
                net(gross + audio_gross, 2100)
            } else {
                net(gross, vat) + net(audio_gross, 2100)
            };
            prop_assert_eq!(p.totals.gross_cents, expected);
        }
    }
}
