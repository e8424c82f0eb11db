use super::*;
use jiff::civil::date;
use proptest::prelude::*;

fn promo(model: PromotionModel) -> Promotion {
    Promotion {
        id: PromotionId::new(),
        name: "1er dimanche".into(),
        description: None,
        reduction: Reduction::PercentBp(10_000),
        model,
        valid_from: None,
        valid_to: None,
        published_from: None,
        published_to: None,
        weekdays: vec![],
        offer_ids: vec![],
        archived: false,
    }
}

fn code() -> PromoCode {
    PromoCode {
        id: PromoCodeId::new(),
        name: "MuseumPass".into(),
        code: "MUSEUMPASS".into(),
        description: None,
        reduction: Reduction::PercentBp(10_000),
        max_uses: None,
        uses: 0,
        valid_from: None,
        valid_to: None,
        published_from: None,
        published_to: None,
        offer_ids: vec![],
        item_ids: vec![],
        product_ids: vec![],
        archived: false,
    }
}

fn visit(offer: OfferId, qty: i64, unit: i64) -> DiscountLine {
    DiscountLine {
        target: CodeTarget::Offer {
            offer,
            item: ItemId::new(),
        },
        visit_date: Some(date(2026, 7, 14)),
        quantity: qty,
        gross_cents: qty * unit,
        discount_cents: 0,
        reasons: vec![],
    }
}

#[test]
fn best_promotion_then_code_on_what_is_left() {
    let offer = OfferId::new();
    let today = date(2026, 7, 1);
    let mut ten = promo(PromotionModel::Classic);
    ten.name = "Été".into();
    ten.reduction = Reduction::PercentBp(1000);
    let mut early = promo(PromotionModel::EarlyBird { days: 7 });
    early.name = "Early bird".into();
    early.reduction = Reduction::AmountCents(200);
    // 2 adults at 8,50: 10 % is 1,70; 2,00 per ticket is 4,00 — the early bird wins.
    let mut lines = vec![visit(offer, 2, 850)];
    let mut c = code();
    c.reduction = Reduction::PercentBp(5000);
    assert!(apply_reductions(&mut lines, &[ten, early], Some(&c), today));
    assert_eq!(lines[0].discount_cents, 400 + 650);
    assert_eq!(
        lines[0].reasons,
        vec!["Early bird".to_owned(), "Code MUSEUMPASS".to_owned()]
    );
}

#[test]
fn an_amount_code_is_shared_once_per_cart() {
    let offer = OfferId::new();
    let mut lines = vec![
        visit(offer, 1, 850),
        visit(offer, 1, 500),
        DiscountLine {
            target: CodeTarget::Product {
                product: ProductId::new(),
            },
            visit_date: None,
            quantity: 1,
            gross_cents: 2500,
            discount_cents: 0,
            reasons: vec![],
        },
    ];
    let mut c = code();
    c.reduction = Reduction::AmountCents(300);
    c.offer_ids = vec![offer];
    assert!(apply_reductions(
        &mut lines,
        &[],
        Some(&c),
        date(2026, 7, 1)
    ));
    let taken: Vec<i64> = lines.iter().map(|l| l.discount_cents).collect();
    assert_eq!(taken, vec![189, 111, 0]);
    let mut other = code();
    other.offer_ids = vec![OfferId::new()];
    let mut lines = vec![visit(offer, 1, 850)];
    assert!(!apply_reductions(
        &mut lines,
        &[],
        Some(&other),
        date(2026, 7, 1)
    ));
}

proptest! {
    #[test]
    fn reductions_never_take_more_than_the_line(
        lines in proptest::collection::vec((1i64..10, 0i64..5_000, 0i64..2), 1..8),
        p in 0u32..12_000, amount in 0i64..50_000, percent_code in any::<bool>()
    ) {
        let offer = OfferId::new();
        let mut ls: Vec<DiscountLine> = lines.iter().map(|(q, u, free)| {
            let mut l = visit(offer, *q, *u);
            if *free == 1 { l.discount_cents = l.gross_cents; }
            l
        }).collect();
        let mut pr = promo(PromotionModel::Classic);
        pr.reduction = Reduction::PercentBp(p.min(10_000));
        let mut c = code();
        c.reduction = if percent_code { Reduction::PercentBp(p.min(10_000)) } else { Reduction::AmountCents(amount) };
        let before: i64 = ls.iter().map(|l| l.gross_cents - l.discount_cents).sum();
        apply_reductions(&mut ls, &[pr], Some(&c), date(2026, 7, 1));
        for l in &ls {
            prop_assert!(l.discount_cents >= 0 && l.discount_cents <= l.gross_cents);
        }
        let after: i64 = ls.iter().map(|l| l.gross_cents - l.discount_cents).sum();
        prop_assert!(after >= 0 && after <= before);
    }
}

#[test]
fn codes_are_normalized() {
    assert_eq!(normalize_code("  museumPass "), Ok("MUSEUMPASS".into()));
    assert_eq!(normalize_code("art-27_b"), Ok("ART-27_B".into()));
    assert_eq!(normalize_code(""), Err(PromoError("required")));
    assert_eq!(normalize_code("ab"), Err(PromoError("too_short")));
    assert_eq!(normalize_code(&"a".repeat(41)), Err(PromoError("too_long")));
    assert_eq!(
        normalize_code("été 2026"),
        Err(PromoError("invalid_code_characters"))
    );
}

#[test]
fn discounts_parse() {
    assert_eq!(
        parse_reduction("percent", "10"),
        Ok(Reduction::PercentBp(1000))
    );
    assert_eq!(
        parse_reduction("percent", "12,5 %"),
        Ok(Reduction::PercentBp(1250))
    );
    assert_eq!(
        parse_reduction("percent", "100"),
        Ok(Reduction::PercentBp(10_000))
    );
    for bad in ["0", "100,01", "-5", "1000"] {
        assert_eq!(
            parse_reduction("percent", bad),
            Err(("discount", PromoError("percent_out_of_range"))),
            "{bad}"
        );
    }
    assert_eq!(
        parse_reduction("amount", "2,50"),
        Ok(Reduction::AmountCents(250))
    );
    assert_eq!(
        parse_reduction("amount", "0"),
        Err(("discount", PromoError("must_be_positive")))
    );
    assert_eq!(
        parse_reduction("amount", "-1"),
        Err(("discount", PromoError("negative_price")))
    );
    assert_eq!(
        parse_reduction("", "1"),
        Err(("discount_kind", PromoError("unknown_value")))
    );
    assert_eq!(
        reduction_parts(Reduction::PercentBp(1250)),
        ("percent", "12,5".into())
    );
    assert_eq!(
        reduction_parts(Reduction::PercentBp(1000)),
        ("percent", "10".into())
    );
    assert_eq!(
        reduction_parts(Reduction::AmountCents(250)),
        ("amount", "2,50".into())
    );
}

#[test]
fn promotion_input_errors() {
    let e = PromotionInput {
        name: "".into(),
        discount_kind: "percent".into(),
        discount: "150".into(),
        model: "last_minute".into(),
        valid_from: "2026-06-10".into(),
        valid_to: "2026-06-01".into(),
        published_from: "hier".into(),
        weekdays: vec!["sun".into(), "dimanche".into()],
        offer_ids: vec!["x".into()],
        ..Default::default()
    }
    .parse()
    .unwrap_err();
    assert_eq!(e.get("name"), Some("required"));
    assert_eq!(e.get("discount"), Some("percent_out_of_range"));
    assert_eq!(e.get("model_days"), Some("required"));
    assert_eq!(e.get("valid_to"), Some("ends_before_start"));
    assert_eq!(e.get("published_from"), Some("invalid_date"));
    assert_eq!(e.get("weekdays"), Some("unknown_weekday"));
    assert_eq!(e.get("offer_ids"), Some("unknown_offer"));
    let ok = PromotionInput {
        name: "Early bird été".into(),
        discount_kind: "amount".into(),
        discount: "2".into(),
        model: "early_bird".into(),
        model_days: "30".into(),
        weekdays: vec!["sun".into(), "sat".into(), "sun".into()],
        ..Default::default()
    }
    .parse()
    .unwrap();
    assert_eq!(ok.model, PromotionModel::EarlyBird { days: 30 });
    assert_eq!(ok.weekdays, vec![Day::Sat, Day::Sun]);
    assert_eq!(ok.reduction, Reduction::AmountCents(200));
}

#[test]
fn promo_code_input_errors() {
    let e = PromoCodeInput {
        name: "Article 27".into(),
        code: "art 27".into(),
        discount_kind: "amount".into(),
        discount: "-3".into(),
        max_uses: "0".into(),
        ..Default::default()
    }
    .parse()
    .unwrap_err();
    assert_eq!(e.get("code"), Some("invalid_code_characters"));
    assert_eq!(e.get("discount"), Some("negative_price"));
    assert_eq!(e.get("max_uses"), Some("out_of_range"));
    let ok = PromoCodeInput {
        name: "Article 27".into(),
        code: " art27 ".into(),
        discount_kind: "percent".into(),
        discount: "100".into(),
        ..Default::default()
    }
    .parse()
    .unwrap();
    assert_eq!((ok.code.as_str(), ok.max_uses), ("ART27", None));
}

#[test]
fn first_sunday_of_the_month() {
    let offer = OfferId::new();
    let mut p = promo(PromotionModel::Classic);
    p.valid_from = Some(date(2026, 3, 1));
    p.valid_to = Some(date(2026, 3, 1));
    p.offer_ids = vec![offer];
    let today = date(2026, 2, 20);
    assert!(p.applies(offer, date(2026, 3, 1), today));
    assert!(!p.applies(offer, date(2026, 3, 2), today));
    assert!(!p.applies(OfferId::new(), date(2026, 3, 1), today));
    p.published_to = Some(date(2026, 2, 19));
    assert!(
        !p.applies(offer, date(2026, 3, 1), today),
        "no longer published"
    );
    p.published_to = None;
    p.weekdays = vec![Day::Sat];
    assert!(!p.applies(offer, date(2026, 3, 1), today), "a Sunday");
    p.weekdays = vec![Day::Sun];
    assert!(p.applies(offer, date(2026, 3, 1), today));
    p.archived = true;
    assert!(!p.applies(offer, date(2026, 3, 1), today));
}

#[test]
fn last_minute_and_early_bird() {
    let o = OfferId::new();
    let today = date(2026, 5, 10);
    let lm = promo(PromotionModel::LastMinute { days: 2 });
    assert!(lm.applies(o, date(2026, 5, 10), today));
    assert!(lm.applies(o, date(2026, 5, 12), today));
    assert!(!lm.applies(o, date(2026, 5, 13), today));
    assert!(!lm.applies(o, date(2026, 5, 9), today), "a past visit");
    let eb = promo(PromotionModel::EarlyBird { days: 30 });
    assert!(eb.applies(o, date(2026, 6, 9), today));
    assert!(!eb.applies(o, date(2026, 6, 8), today));
}

#[test]
fn code_scope() {
    let (o1, o2) = (OfferId::new(), OfferId::new());
    let (adult, child) = (ItemId::new(), ItemId::new());
    let (p1, p2) = (ProductId::new(), ProductId::new());
    let today = date(2026, 5, 10);
    let visit = Some(date(2026, 5, 20));
    let mut c = code();
    assert!(c.applies_to(
        CodeTarget::Offer {
            offer: o1,
            item: adult
        },
        visit,
        today
    ));
    assert!(c.applies_to(CodeTarget::Product { product: p1 }, None, today));
    c.offer_ids = vec![o1];
    assert!(c.applies_to(
        CodeTarget::Offer {
            offer: o1,
            item: child
        },
        visit,
        today
    ));
    assert!(!c.applies_to(
        CodeTarget::Offer {
            offer: o2,
            item: child
        },
        visit,
        today
    ));
    assert!(
        !c.applies_to(CodeTarget::Product { product: p1 }, None, today),
        "restricted to an offer: not the shop"
    );
    c.item_ids = vec![adult];
    assert!(c.applies_to(
        CodeTarget::Offer {
            offer: o1,
            item: adult
        },
        visit,
        today
    ));
    assert!(!c.applies_to(
        CodeTarget::Offer {
            offer: o1,
            item: child
        },
        visit,
        today
    ));
    c.product_ids = vec![p2];
    assert!(c.applies_to(CodeTarget::Product { product: p2 }, None, today));
    assert!(!c.applies_to(CodeTarget::Product { product: p1 }, None, today));
    c.valid_to = Some(date(2026, 5, 15));
    assert!(
        !c.applies_to(
            CodeTarget::Offer {
                offer: o1,
                item: adult
            },
            visit,
            today
        ),
        "visit after the valid dates"
    );
    assert!(
        c.applies_to(CodeTarget::Product { product: p2 }, None, today),
        "products: the day of sale"
    );
    c.published_from = Some(date(2026, 5, 11));
    assert!(!c.applies_to(CodeTarget::Product { product: p2 }, None, today));
    let mut x = code();
    x.max_uses = Some(2);
    x.uses = 2;
    assert!(x.exhausted());
    x.max_uses = None;
    assert!(!x.exhausted());
}

fn any_date() -> impl Strategy<Value = Date> {
    (2020i16..2030, 1i8..=12, 1i8..=28).prop_map(|(y, m, d)| date(y, m, d))
}

proptest! {
    #[test]
    fn last_minute_and_early_bird_split_the_future(visit in any_date(), today in any_date(), days in 0i64..400) {
        let o = OfferId::new();
        let lm = promo(PromotionModel::LastMinute { days }).applies(o, visit, today);
        let eb = promo(PromotionModel::EarlyBird { days: days + 1 }).applies(o, visit, today);
        // Every visit from today on is either last minute (≤ days) or early bird (≥ days + 1).
        prop_assert_eq!(lm || eb, visit >= today);
        prop_assert!(!(lm && eb));
    }

    #[test]
    fn restrictions_only_narrow(visit in any_date(), today in any_date(), from in any_date(), to in any_date(), mask in 0u8..128) {
        let o = OfferId::new();
        let open = promo(PromotionModel::Classic);
        prop_assert!(open.applies(o, visit, today));
        let mut p = open.clone();
        p.valid_from = Some(from);
        p.valid_to = Some(to);
        p.weekdays = Day::ALL.into_iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, d)| d).collect();
        let expected = visit >= from && visit <= to
            && (p.weekdays.is_empty() || p.weekdays.contains(&Day::of(visit)));
        prop_assert_eq!(p.applies(o, visit, today), expected);
    }

    #[test]
    fn codes_normalize_idempotently(s in "[a-zA-Z0-9_-]{3,40}") {
        let n = normalize_code(&s).unwrap();
        prop_assert_eq!(normalize_code(&n.to_lowercase()), Ok(n.clone()));
        prop_assert_eq!(normalize_code(&format!("  {n} ")), Ok(n));
    }

    #[test]
    fn percent_discounts_stay_in_range(p in 0u32..20_000) {
        let typed = format!("{},{:02}", p / 100, p % 100);
        match parse_reduction("percent", &typed) {
            Ok(Reduction::PercentBp(bp)) => prop_assert!(bp == p && bp > 0 && bp <= 10_000),
            Ok(other) => prop_assert!(false, "{other:?}"),
            Err(_) => prop_assert!(p == 0 || p > 10_000),
        }
    }
}
