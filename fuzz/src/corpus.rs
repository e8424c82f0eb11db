//! The seed inputs of each target: valid inputs of the shapes people bring, and the
//! crafted files of issue 15.

use std::io::{Cursor, Write};
use std::sync::OnceLock;

fn bytes(items: &[&str]) -> Vec<Vec<u8>> {
    items.iter().map(|s| s.as_bytes().to_vec()).collect()
}

pub fn csv() -> Vec<Vec<u8>> {
    let mut seeds = bytes(&[
        "Prénom;Nom;E-mail;Téléphone;Code postal;Date de naissance;Notes\n\
         Élise;Dubois;elise@example.be;+32 475 12 34 56;5000;03/04/1985;\"Deux\nlignes\"\n\
         Jan;Peeters;;0475123456;9000;1985-04-03;\n",
        "first_name,last_name,email,birth_date,vat_exempt,tags\n\
         \"Lili, dite\",Martin,l@x.fr,2999-01-01,oui,\"a, b\"\n\n;\n",
        "Voornaam\tAchternaam\tLand\nAnn\tJanssens\tBelgië\n",
        "=HYPERLINK(\"http://x\";\"y\");+SUM(1);@SUM(1);-1+1\n'=1;'-2;x;y\n",
    ]);
    seeds.push(b"Pr\xE9nom;Nom\r\n\xC9lise;Dubois\r\n".to_vec());
    let mut utf16 = vec![0xFF, 0xFE];
    for u in "Prénom\tNom\nÉlise\tDubois\n".encode_utf16() {
        utf16.extend(u.to_le_bytes());
    }
    seeds.push(utf16);
    seeds
}

/// A minimal XLSX (inline strings) holding `sheet_xml` as its only sheet.
pub fn xlsx_with_sheet(sheet_xml: &str) -> Vec<u8> {
    let parts = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
        ),
        ("xl/worksheets/sheet1.xml", sheet_xml),
    ];
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, text) in parts {
        if zip.start_file(name, options).is_err() || zip.write_all(text.as_bytes()).is_err() {
            return Vec::new();
        }
    }
    zip.finish().map(|c| c.into_inner()).unwrap_or_default()
}

fn sheet(dimension: &str, cells: &[(&str, &str)]) -> String {
    let rows: String = cells
        .iter()
        .map(|(at, text)| {
            format!(r#"<row><c r="{at}" t="inlineStr"><is><t>{text}</t></is></c></row>"#)
        })
        .collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="{dimension}"/><sheetData>{rows}</sheetData></worksheet>"#
    )
}

pub fn xlsx() -> Vec<Vec<u8>> {
    let mut seeds = vec![
        // Issue 15: 512 GiB asked by two cells; 1 GB by A1 + ALL30000.
        xlsx_with_sheet(&sheet(
            "A1:XFD1048576",
            &[("A1", "Nom"), ("XFD1048576", "x")],
        )),
        xlsx_with_sheet(&sheet("A1:ALL30000", &[("A1", "Nom"), ("ALL30000", "x")])),
        xlsx_with_sheet(&sheet("A1:B2", &[("A1", "Nom"), ("B2", "Dubois")])),
    ];
    // As Excel writes one: shared strings, styles, numbers and dates.
    let mut book = rust_xlsxwriter::Workbook::new();
    let s = book.add_worksheet();
    let date = rust_xlsxwriter::ExcelDateTime::from_ymd(1985, 4, 3);
    let fmt = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy");
    let written = s
        .write_string(0, 0, "Prénom")
        .and_then(|s| s.write_string(0, 1, "Téléphone"))
        .and_then(|s| s.write_string(0, 2, "Date de naissance"))
        .and_then(|s| s.write_string(1, 0, "Élise"))
        .and_then(|s| s.write_number(1, 1, 32475123456.0))
        .and_then(|s| match &date {
            Ok(d) => s.write_datetime_with_format(1, 2, d, &fmt),
            Err(_) => Ok(s),
        });
    if written.is_ok()
        && let Ok(b) = book.save_to_buffer()
    {
        seeds.push(b);
    }
    seeds
}

pub fn xls() -> Vec<Vec<u8>> {
    vec![include_bytes!("../../tests/fixtures/customers.xls").to_vec()]
}

pub fn amounts() -> Vec<Vec<u8>> {
    bytes(&[
        "12,50",
        "12.50",
        "-3,5",
        "1 234,56",
        "0",
        "€ 5",
        "5 €",
        "99999999999999",
        "12,345",
        "21",
        "6 %",
        "0,5",
        "-0",
        "+7",
        "1e3",
    ])
}

/// A code signed with a fixed key, and that key's public half.
pub fn ticket_key() -> &'static (String, [u8; 32]) {
    static KEY: OnceLock<(String, [u8; 32])> = OnceLock::new();
    KEY.get_or_init(|| {
        let secret = [7u8; 32];
        let claim = guichet_domain::ticket::TicketClaim {
            key_id: String::new(),
            order_id: uuid::Uuid::from_u128(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef),
            line: 1,
            index: 1,
            count: 2,
            session_start: Some(1_800_000_000),
            item_id: None,
        };
        (
            guichet_domain::ticket::sign(&claim, &secret),
            guichet_domain::ticket::public_key(&secret),
        )
    })
}

pub fn tickets() -> Vec<Vec<u8>> {
    let genuine = ticket_key().0.clone();
    vec![
        genuine.clone().into_bytes(),
        format!(" {genuine}\n").into_bytes(),
        b"GT1.AAAA.AAAA".to_vec(),
        b"GT1..".to_vec(),
    ]
}

pub fn barcodes() -> Vec<Vec<u8>> {
    bytes(&[
        "5410000000000",
        "96385074",
        "036000291452",
        "ABC-123",
        "2000000000015",
        " 5 4 1 ",
        "éé",
        "0000000000000",
    ])
}

pub fn cells() -> Vec<Vec<u8>> {
    bytes(&[
        "=HYPERLINK(\"http://x\";\"clic\")",
        "+SUM(1)",
        "@SUM(1)",
        "-1+1",
        "\t=1+1",
        "\r=1+1",
        "-3,50",
        "+32 475 12 34 56",
        "Dubois",
        "'t Hooft",
        "a;b\"c\nd",
        "",
    ])
}
