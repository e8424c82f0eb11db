use super::*;

fn headers(h: &[&str]) -> Vec<String> {
    h.iter().map(|s| s.to_string()).collect()
}

#[test]
fn common_headers_map_in_four_languages() {
    let custom = vec![("f1".to_owned(), "Member number".to_owned())];
    let m = auto_mapping(
        &headers(&[
            "first_name",
            "Last Name",
            "Prénom",
            "Voornaam",
            "E-mail",
            "Téléphone",
            "Code postal",
            "YTD Balance",
            "Loyalty Points",
            "Member Number",
            "Erreurs",
            "Something else",
        ]),
        &custom,
        &[(
            "Pays (code ISO, ex. BE)".to_owned(),
            Target::Field(Column::Country),
        )],
    );
    assert_eq!(
        m,
        vec![
            Target::Field(Column::FirstName),
            Target::Field(Column::LastName),
            // One column per field: the second first-name column is not imported.
            Target::Ignored,
            Target::Ignored,
            Target::Field(Column::Email),
            Target::Field(Column::Phone),
            Target::Field(Column::PostalCode),
            Target::Computed,
            Target::Computed,
            Target::Custom("f1".into()),
            Target::Ignored,
            Target::Ignored,
        ]
    );
    assert_eq!(
        auto_target("Voornaam", &[], &[]),
        Target::Field(Column::FirstName)
    );
    assert_eq!(
        auto_target("Prénom", &[], &[]),
        Target::Field(Column::FirstName)
    );
    let labels = [(
        "Pays (code ISO, ex. BE)".to_owned(),
        Target::Field(Column::Country),
    )];
    assert_eq!(
        auto_target("pays (code iso, ex. be)", &[], &labels),
        Target::Field(Column::Country)
    );
}

/// Belgian and French files write the day first: `12/04/1980` is the 12th of April, read
/// without a warning, as is the ISO form.
#[test]
fn dates_read_day_first_without_a_warning() {
    let ok = |raw: &str, iso: &str| {
        assert_eq!(read_date(raw, 2026), Ok((iso.to_owned(), false)), "{raw}")
    };
    ok("12/04/1980", "1980-04-12");
    ok("1980-04-12", "1980-04-12");
    ok("23/04/1985", "1985-04-23");
    // Day and month both 12 or less: still day first, no doubt.
    ok("03/04/1985", "1985-04-03");
    ok("3/4/1985", "1985-04-03");
    ok("04.04.1985", "1985-04-04");
    ok("12-04-1980", "1980-04-12");
    ok(" 01/12/2001 ", "2001-12-01");
    ok("29/02/2000", "2000-02-29");
    ok("1980/04/12", "1980-04-12");
}

/// A two-digit year is read (the century guessed: a birth date is in the past) but said to
/// be doubtful.
#[test]
fn a_two_digit_year_is_read_with_a_doubt() {
    assert_eq!(read_date("3-4-85", 2026), Ok(("1985-04-03".into(), true)));
    assert_eq!(read_date("1-2-03", 2026), Ok(("2003-02-01".into(), true)));
    assert_eq!(read_date("12/04/26", 2026), Ok(("2026-04-12".into(), true)));
    assert_eq!(read_date("12/04/27", 2026), Ok(("1927-04-12".into(), true)));
}

/// What cannot be read day first is refused with a reason, never guessed.
#[test]
fn ambiguous_and_invalid_dates_are_refused_with_a_reason() {
    // Only readable month first: an American file, whose other dates (05/04/1985) would be
    // read wrong without a word.
    assert_eq!(read_date("04/23/1985", 2026), Err("month_first_date"));
    assert_eq!(read_date("12/31/1999", 2026), Err("month_first_date"));
    // No such day, either way round.
    assert_eq!(read_date("31/31/1985", 2026), Err("impossible_date"));
    assert_eq!(read_date("31/02/1985", 2026), Err("impossible_date"));
    assert_eq!(read_date("29/02/1985", 2026), Err("impossible_date"));
    assert_eq!(read_date("00/04/1985", 2026), Err("impossible_date"));
    assert_eq!(read_date("1980/02/30", 2026), Err("impossible_date"));
    // Not a date.
    for raw in [
        "soon",
        "12/04",
        "12/04/1980/1",
        "1980-13-45x",
        "12/04/198",
        "12/04/19800",
        "a/b/c",
        "",
    ] {
        assert_eq!(read_date(raw, 2026), Err("unreadable_date"), "{raw}");
    }
}

#[test]
fn a_row_fills_the_customer_file() {
    let mapping = auto_mapping(
        &headers(&[
            "Prénom",
            "Nom",
            "Pays",
            "Date de naissance",
            "Newsletter",
            "Type",
            "Langue",
        ]),
        &[],
        &[],
    );
    let types = vec![("t1".to_owned(), "Écoles".to_owned())];
    let mut input = CustomerInput::default();
    let row = headers(&[
        "Élise",
        "",
        "Belgique",
        "03/04/1985",
        "oui",
        "ecoles",
        "Néerlandais",
    ]);
    let (errors, warnings) = fill_row(&mut input, &row, &mapping, &types, 2026);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(input.first_name, "Élise");
    assert_eq!(input.country, "BE");
    assert_eq!(input.birth_date, "1985-04-03");
    assert!(input.consent_email);
    assert_eq!(input.customer_type_id, "t1");
    assert_eq!(input.language, "nl");
    let codes: Vec<_> = warnings
        .iter()
        .map(|w| (w.column, w.code.as_str()))
        .collect();
    // 03/04/1985 is the 3rd of April: no warning for the date.
    assert_eq!(codes, vec![(Some(1), "missing_name")]);
    let row = headers(&["Élise", "", "", "3/4/85", "", "", ""]);
    let (_, warnings) = fill_row(&mut CustomerInput::default(), &row, &mapping, &types, 2026);
    assert_eq!(warnings[0].code, "doubtful_date");
    assert_eq!(warnings[0].detail.as_deref(), Some("03/04/1985"));
    let row = headers(&["A", "B", "", "later", "perhaps", "Museums", ""]);
    let (errors, _) = fill_row(&mut CustomerInput::default(), &row, &mapping, &types, 2026);
    let codes: Vec<_> = errors.iter().map(|w| (w.column, w.code.as_str())).collect();
    assert_eq!(
        codes,
        vec![
            (Some(3), "unreadable_date"),
            (Some(4), "unknown_value"),
            (Some(5), "unknown_customer_type")
        ]
    );
    let row = headers(&["A", "B", "", "04/23/1985", "", "", ""]);
    let (errors, _) = fill_row(&mut CustomerInput::default(), &row, &mapping, &types, 2026);
    assert_eq!(errors[0].code, "month_first_date");
}
