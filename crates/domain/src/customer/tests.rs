use super::*;

#[test]
fn provinces_come_from_postal_codes() {
    assert_eq!(be_province("5580"), Some("Namur"));
    assert_eq!(be_province("4800"), Some("Liège"));
    assert_eq!(be_province("1050"), Some("Bruxelles-Capitale"));
    assert_eq!(be_province("6700"), Some("Luxembourg"));
    assert_eq!(be_province("999"), None);
    assert_eq!(fr_departement("75011").as_deref(), Some("75"));
    assert_eq!(fr_departement("20090").as_deref(), Some("2A"));
    assert_eq!(fr_departement("20200").as_deref(), Some("2B"));
    assert_eq!(fr_departement("97400").as_deref(), Some("974"));
    let nl = Origin::parse("nl", "", "noord-holland").unwrap();
    assert_eq!(nl.province.as_deref(), Some("Noord-Holland"));
    assert!(Origin::parse("NL", "", "Bavaria").is_err());
    assert_eq!(Origin::parse("", "5580", "").unwrap().country, "BE");
    assert!(Origin::parse("BE", "55800", "").is_err());
}

#[test]
fn phones_become_international() {
    assert_eq!(
        phone_e164("0475 12 34 56", "BE").as_deref(),
        Ok("+32475123456")
    );
    assert_eq!(
        phone_e164("+33 6 12 34 56 78", "BE").as_deref(),
        Ok("+33612345678")
    );
    assert!(phone_e164("12", "BE").is_err());
    assert_eq!(phone_search_forms("+32475123456"), "32475123456 0475123456");
}

#[test]
fn custom_field_values_are_checked_and_kept_in_one_form() {
    assert_eq!(FieldKind::Number.value("12,5"), Ok(Some("12.5".into())));
    assert_eq!(FieldKind::Number.value("douze"), Err("not_a_number"));
    assert_eq!(FieldKind::Date.value("2026-02-30"), Err("invalid_date"));
    assert_eq!(
        FieldKind::Date.value("2026-02-28"),
        Ok(Some("2026-02-28".into()))
    );
    assert_eq!(FieldKind::YesNo.value("Oui"), Ok(Some("yes".into())));
    assert_eq!(FieldKind::YesNo.value("peut-être"), Err("unknown_value"));
    assert_eq!(
        FieldKind::Text.value("  M-0042 "),
        Ok(Some("M-0042".into()))
    );
    assert_eq!(FieldKind::Text.value(" "), Ok(None));
}

#[test]
fn customer_terms_discount_then_take_vat_off() {
    let (std, exempt) = (TaxTreatment::Standard, TaxTreatment::Exempt);
    let one =
        |d: u32, tax: TaxTreatment, amount: i64, bp: u32| apply_terms(tax, &[(d, amount, bp)])[0];
    // 9 % of 25,00 = 2,25; 22,75 left at 21 %.
    assert_eq!(one(900, std, 2_500, 2100), (225, 0, 2_275, 2100));
    // Exempt: 22,75 incl. 21 % holds 3,95 of VAT → 18,80 at 0 %.
    assert_eq!(one(900, exempt, 2_500, 2100), (225, 395, 1_880, 0));
    assert_eq!(one(0, exempt, 850, 0), (0, 0, 850, 0));
    assert_eq!(one(0, std, 0, 600), (0, 0, 0, 600));
    assert_eq!(
        one(0, TaxTreatment::Rate(600), 2_500, 2100),
        (0, 0, 2_500, 600)
    );
}

#[test]
fn the_exemption_takes_off_the_orders_vat_per_rate_whatever_the_lines() {
    let exempt = TaxTreatment::Exempt;
    // Two 0,14 at 12 %: the order's 0,28 holds 0,03 of VAT, shared 0,02 + 0,01 (not 0,02 each,
    // as each line's 0,015 alone would round).
    assert_eq!(
        apply_terms(exempt, &[(0, 14, 1200), (0, 14, 1200)]),
        vec![(0, 2, 12, 0), (0, 1, 13, 0)]
    );
    assert_eq!(apply_terms(exempt, &[(0, 28, 1200)]), vec![(0, 3, 25, 0)]);
    // Rates apart: 3,00 at 21 % holds 0,52; 30,00 at 6 % holds 1,70; 8,50 at 0 % nothing.
    assert_eq!(
        apply_terms(exempt, &[(0, 300, 2100), (0, 3_000, 600), (0, 850, 0)]),
        vec![(0, 52, 248, 0), (0, 170, 2_830, 0), (0, 0, 850, 0)]
    );
}

#[test]
fn effective_terms_and_tax_treatments() {
    // The personal discount wins over the type's; the exempt flag over the type's rate.
    let school = Some((1_000, TaxTreatment::Rate(600)));
    assert_eq!(
        effective_terms(0, false, school),
        (1_000, TaxTreatment::Rate(600))
    );
    assert_eq!(
        effective_terms(500, true, school),
        (500, TaxTreatment::Exempt)
    );
    assert_eq!(effective_terms(0, false, None), (0, TaxTreatment::Standard));
    assert_eq!(
        TaxTreatment::parse("rate", "6"),
        Ok(TaxTreatment::Rate(600))
    );
    assert!(TaxTreatment::parse("rate", "abc").is_err());
    assert!(TaxTreatment::parse("other", "").is_err());
}

proptest::proptest! {
    #[test]
    fn terms_never_make_a_line_dearer_or_negative(
        lines in proptest::collection::vec(
            (0u32..=10_000, 0i64..10_000_000, proptest::sample::select(vec![0u32, 600, 1200, 2100])),
            1..8,
        ),
        exempt: bool,
    ) {
        let tax = if exempt { TaxTreatment::Exempt } else { TaxTreatment::Standard };
        let out = apply_terms(tax, &lines);
        proptest::prop_assert_eq!(out.len(), lines.len());
        for ((_, amount, _), (discount, vat, after, rate)) in lines.iter().zip(&out) {
            proptest::prop_assert!(*after >= 0 && after <= amount);
            proptest::prop_assert_eq!(discount + vat + after, *amount, "no cent lost");
            proptest::prop_assert!(!exempt || *rate == 0);
        }
    }

    /// Exempt, the VAT taken off a rate's lines is the VAT of their total, however the total
    /// is split into lines.
    #[test]
    fn the_exemption_does_not_depend_on_the_split(
        parts in proptest::collection::vec(0i64..100_000, 1..8),
        bp in proptest::sample::select(vec![0u32, 550, 600, 1200, 2100]),
    ) {
        let total: i64 = parts.iter().sum();
        let lines: Vec<(u32, i64, u32)> = parts.iter().map(|a| (0, *a, bp)).collect();
        let split: i64 = apply_terms(TaxTreatment::Exempt, &lines).iter().map(|l| l.2).sum();
        let whole = apply_terms(TaxTreatment::Exempt, &[(0, total, bp)])[0].2;
        proptest::prop_assert_eq!(split, whole);
        let rate = crate::money::VatRate::from_basis_points(i64::from(bp)).expect("valid rate");
        proptest::prop_assert_eq!(whole, total - crate::money::vat_included(total, rate));
    }
}

#[test]
fn the_full_record_checks_bank_details_discounts_and_dates() {
    let ok = CustomerInput {
        last_name: "Athénée royal".into(),
        status: "prospect".into(),
        institutional: true,
        iban: "be68 5390 0754 7034".into(),
        bic: "gkcc bebb".into(),
        tags: "école, Namur , école,".into(),
        phone: "+31 20 794 3500".into(),
        birth_date: "1990-02-28".into(),
        ..Default::default()
    }
    .parse()
    .unwrap();
    assert_eq!(ok.iban.as_deref(), Some("BE68539007547034"));
    assert_eq!(ok.bic.as_deref(), Some("GKCCBEBB"));
    assert_eq!(ok.discount_bp, INSTITUTIONAL_DISCOUNT_BP, "9 % by default");
    assert_eq!(ok.tags, vec!["école", "Namur"]);
    assert_eq!(ok.origin.country, "NL", "from the phone's +31");
    assert_eq!(ok.status, CustomerStatus::Prospect);
    let e = CustomerInput {
        last_name: "X".into(),
        iban: "BE68 5390 0754 7035".into(),
        bic: "GKCC".into(),
        discount_percent: "120".into(),
        birth_date: "28/02/1990".into(),
        language: "xx".into(),
        status: "vip".into(),
        balance_limit: "-5".into(),
        ..Default::default()
    }
    .parse()
    .unwrap_err();
    let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
    for f in [
        "iban",
        "bic",
        "discount_percent",
        "birth_date",
        "language",
        "status",
        "balance_limit",
    ] {
        assert!(fields.contains(&f), "{f}: {fields:?}");
    }
}

#[test]
fn a_name_is_required_and_errors_are_named() {
    let e = CustomerInput {
        email: "nope".into(),
        phone: "12".into(),
        ..Default::default()
    }
    .parse()
    .unwrap_err();
    let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, vec!["last_name", "email", "phone"]);
    let ok = CustomerInput {
        first_name: "Samantha".into(),
        last_name: "Rega".into(),
        phone: "0475123456".into(),
        postal_code: "5580".into(),
        ..Default::default()
    }
    .parse()
    .unwrap();
    assert_eq!(ok.origin.province.as_deref(), Some("Namur"));
    assert_eq!(ok.phone.as_deref(), Some("+32475123456"));
}

#[test]
fn a_birth_date_after_today_is_refused_and_a_note_keeps_its_lines() {
    let today = jiff::civil::date(2026, 12, 6);
    let input = |birth: &str| CustomerInput {
        last_name: "Dubois".into(),
        birth_date: birth.into(),
        notes: "Allergique aux noix.\r\nPréfère le matin.".into(),
        ..Default::default()
    };
    let e = input("2999-01-01").parse_on(today).unwrap_err();
    assert_eq!(e.0[0].field, "birth_date");
    assert_eq!(e.0[0].code, "future_date");
    assert!(input("2026-12-07").parse_on(today).is_err());
    let ok = input("2026-12-06").parse_on(today).unwrap();
    assert_eq!(
        ok.notes.as_deref(),
        Some("Allergique aux noix.\nPréfère le matin.")
    );
}
