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

#[test]
fn dates_read_day_first_and_say_when_in_doubt() {
    assert_eq!(
        read_date("1985-04-03", 2026),
        Some(("1985-04-03".into(), false))
    );
    assert_eq!(
        read_date("23/04/1985", 2026),
        Some(("1985-04-23".into(), false))
    );
    // Could be 3 April or 4 March.
    assert_eq!(
        read_date("03/04/1985", 2026),
        Some(("1985-04-03".into(), true))
    );
    assert_eq!(
        read_date("04.04.1985", 2026),
        Some(("1985-04-04".into(), false))
    );
    assert_eq!(read_date("3-4-85", 2026), Some(("1985-04-03".into(), true)));
    assert_eq!(read_date("1-2-03", 2026), Some(("2003-02-01".into(), true)));
    // Month first.
    assert_eq!(
        read_date("04/23/1985", 2026),
        Some(("1985-04-23".into(), true))
    );
    assert_eq!(read_date("31/31/1985", 2026), None);
    assert_eq!(read_date("soon", 2026), None);
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
    assert_eq!(
        codes,
        vec![(Some(3), "doubtful_date"), (Some(1), "missing_name")]
    );
    let row = headers(&["A", "B", "", "later", "perhaps", "Museums", ""]);
    let (errors, _) = fill_row(&mut CustomerInput::default(), &row, &mapping, &types, 2026);
    let codes: Vec<_> = errors.iter().map(|w| (w.column, w.code.as_str())).collect();
    assert_eq!(
        codes,
        vec![
            (Some(3), "invalid_date"),
            (Some(4), "unknown_value"),
            (Some(5), "unknown_customer_type")
        ]
    );
}
