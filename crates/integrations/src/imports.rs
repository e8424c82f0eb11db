//! Reading the spreadsheets people bring (seed 003: only .csv, .xlsx and .xls): CSV with
//! `,`, `;` or tabs, in UTF-8 with or without a byte-order mark, UTF-16 (Excel's "Unicode
//! text") or Windows-1252 (Excel's "CSV" on a French or Belgian machine); XLSX and XLS by
//! `calamine`. And writing the same file back with one more column (the errors file).

use std::io::Cursor;

/// The largest file read (a 100,000-customer CSV is about 15 MB).
pub const MAX_BYTES: usize = 64 * 1024 * 1024;
/// The most rows one file may have.
pub const MAX_ROWS: usize = 500_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
    Xls,
}

/// A sheet as read: its first row as headers, then every non-empty row, cells as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sheet {
    pub format: Format,
    /// For CSV: the delimiter found.
    pub delimiter: u8,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("only .csv, .xlsx and .xls files can be imported")]
    Format,
    #[error("the file is too large")]
    TooLarge,
    #[error("the file has too many rows")]
    TooManyRows,
    #[error("the file has no header row")]
    Empty,
    #[error("the file cannot be read: {0}")]
    Unreadable(String),
}

impl ImportError {
    /// The stable code pages and the API report.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Format => "import_format",
            Self::TooLarge => "import_too_large",
            Self::TooManyRows => "import_too_many_rows",
            Self::Empty => "import_empty",
            Self::Unreadable(_) => "import_unreadable",
        }
    }
}

/// The file's kind, from its content first (a renamed file still reads), then its name.
pub fn format_of(filename: &str, bytes: &[u8]) -> Result<Format, ImportError> {
    if bytes.starts_with(b"PK\x03\x04") {
        return Ok(Format::Xlsx);
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Ok(Format::Xls);
    }
    let lower = filename.to_ascii_lowercase();
    if lower.ends_with(".csv") || lower.ends_with(".txt") || lower.ends_with(".tsv") {
        return Ok(Format::Csv);
    }
    Err(ImportError::Format)
}

pub fn read(filename: &str, bytes: &[u8]) -> Result<Sheet, ImportError> {
    if bytes.len() > MAX_BYTES {
        return Err(ImportError::TooLarge);
    }
    let sheet = match format_of(filename, bytes)? {
        Format::Csv => read_csv(bytes)?,
        f => read_workbook(f, bytes)?,
    };
    if sheet.headers.iter().all(|h| h.trim().is_empty()) {
        return Err(ImportError::Empty);
    }
    Ok(sheet)
}

/// The text of a CSV file: UTF-8 (its byte-order mark dropped), UTF-16 with a byte-order
/// mark, else Windows-1252 — what a file that is not valid UTF-8 almost always is here
/// (ISO-8859-1 is a subset of it for letters).
pub fn decode(bytes: &[u8]) -> String {
    if let Some((enc, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        return enc
            .decode_without_bom_handling(&bytes[bom..])
            .0
            .into_owned();
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => encoding_rs::WINDOWS_1252.decode(bytes).0.into_owned(),
    }
}

/// The delimiter of the header line: whichever of `;`, `,` and tab appears most outside
/// quotes (`;` on a tie: Excel's choice where the decimal mark is a comma).
fn sniff_delimiter(text: &str) -> u8 {
    let first = text.lines().next().unwrap_or_default();
    let (mut counts, mut quoted) = ([0usize; 3], false);
    for c in first.chars() {
        match c {
            '"' => quoted = !quoted,
            ';' if !quoted => counts[0] += 1,
            ',' if !quoted => counts[1] += 1,
            '\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let [semi, comma, tab] = counts;
    if tab > semi && tab > comma {
        b'\t'
    } else if comma > semi {
        b','
    } else {
        b';'
    }
}

fn read_csv(bytes: &[u8]) -> Result<Sheet, ImportError> {
    let text = decode(bytes);
    let delimiter = sniff_delimiter(&text);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let headers = match records.next() {
        Some(r) => r
            .map_err(|e| ImportError::Unreadable(e.to_string()))?
            .iter()
            .map(|s| s.trim().to_owned())
            .collect(),
        None => return Err(ImportError::Empty),
    };
    let mut rows = Vec::new();
    for r in records {
        let r = r.map_err(|e| ImportError::Unreadable(e.to_string()))?;
        let row: Vec<String> = r.iter().map(str::to_owned).collect();
        push_row(&mut rows, row)?;
    }
    Ok(Sheet {
        format: Format::Csv,
        delimiter,
        headers,
        rows,
    })
}

/// Keeps rows that have something in them: spreadsheets often end with blank lines.
fn push_row(rows: &mut Vec<Vec<String>>, row: Vec<String>) -> Result<(), ImportError> {
    if row.iter().any(|c| !c.trim().is_empty()) {
        if rows.len() >= MAX_ROWS {
            return Err(ImportError::TooManyRows);
        }
        rows.push(row);
    }
    Ok(())
}

fn read_workbook(format: Format, bytes: &[u8]) -> Result<Sheet, ImportError> {
    use calamine::Reader;
    let unreadable = |e: calamine::Error| ImportError::Unreadable(e.to_string());
    let cursor = Cursor::new(bytes.to_vec());
    let mut book = calamine::open_workbook_auto_from_rs(cursor).map_err(unreadable)?;
    let range = match book.worksheet_range_at(0) {
        Some(r) => r.map_err(unreadable)?,
        None => return Err(ImportError::Empty),
    };
    let mut lines = range.rows();
    let headers = match lines.next() {
        Some(h) => h.iter().map(|c| cell_text(c).trim().to_owned()).collect(),
        None => return Err(ImportError::Empty),
    };
    let mut rows = Vec::new();
    for line in lines {
        push_row(&mut rows, line.iter().map(cell_text).collect())?;
    }
    Ok(Sheet {
        format,
        delimiter: b';',
        headers,
        rows,
    })
}

/// A spreadsheet cell as the text a person would have typed: whole numbers without `.0`
/// (phone numbers and postal codes are often stored as numbers), dates as YYYY-MM-DD.
fn cell_text(cell: &calamine::Data) -> String {
    use calamine::Data;
    match cell {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(n) => n.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => if *b { "yes" } else { "no" }.to_owned(),
        Data::DateTime(d) if d.is_datetime() => {
            let (y, m, day, ..) = d.to_ymd_hms_milli();
            format!("{y:04}-{m:02}-{day:02}")
        }
        Data::DateTime(d) => d.as_f64().to_string(),
        Data::DateTimeIso(s) => s.chars().take(10).collect(),
        Data::DurationIso(s) => s.clone(),
    }
}

/// The same sheet with one more column, `header`, holding `notes[i]` on row `i`: CSV (with
/// the file's delimiter, UTF-8 with a byte-order mark so accents open right) for a CSV,
/// else XLSX (nothing writes XLS any more). Answers the bytes, the MIME type and the
/// extension.
pub fn with_column(
    sheet: &Sheet,
    header: &str,
    notes: &[String],
) -> Result<(Vec<u8>, &'static str, &'static str), crate::exports::ExportError> {
    let width = sheet
        .rows
        .iter()
        .map(Vec::len)
        .chain([sheet.headers.len()])
        .max()
        .unwrap_or(0);
    let pad = |cells: &[String], extra: &str| -> Vec<String> {
        let mut out: Vec<String> = cells.to_vec();
        out.resize(width, String::new());
        out.push(extra.to_owned());
        out
    };
    let headers = pad(&sheet.headers, header);
    let rows: Vec<Vec<String>> = sheet
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| pad(r, notes.get(i).map_or("", String::as_str)))
        .collect();
    if sheet.format == Format::Csv {
        let mut out = Vec::from(&b"\xEF\xBB\xBF"[..]);
        {
            let mut w = csv::WriterBuilder::new()
                .delimiter(sheet.delimiter)
                .from_writer(&mut out);
            w.write_record(&headers)?;
            for r in &rows {
                w.write_record(r)?;
            }
            w.flush()?;
        }
        return Ok((out, "text/csv; charset=utf-8", "csv"));
    }
    let table = crate::exports::Table {
        headers,
        rows: rows
            .into_iter()
            .map(|r| r.into_iter().map(crate::exports::Cell::Text).collect())
            .collect(),
    };
    Ok((
        crate::exports::xlsx(&table, "Sheet1")?,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_in_the_encodings_excel_writes() {
        let utf8_bom = b"\xEF\xBB\xBFPr\xC3\xA9nom;Nom\n\xC3\x89lise;Dubois\n\n";
        let cp1252 = b"Pr\xE9nom;Nom\r\n\xC9lise;Dubois\r\n";
        let comma = "Prénom,Nom\n\"Élise, dite Lili\",Dubois\n".as_bytes();
        let mut utf16: Vec<u8> = vec![0xFF, 0xFE];
        for u in "Prénom\tNom\nÉlise\tDubois\n".encode_utf16() {
            utf16.extend(u.to_le_bytes());
        }
        for bytes in [&utf8_bom[..], &cp1252[..], comma, &utf16[..]] {
            let s = read("clients.csv", bytes).unwrap();
            assert_eq!(s.headers, vec!["Prénom", "Nom"]);
            assert_eq!(s.rows.len(), 1);
            assert!(s.rows[0][0].starts_with("Élise"), "{:?}", s.rows);
            assert_eq!(s.rows[0][1], "Dubois");
        }
        assert_eq!(read("clients.csv", comma).unwrap().delimiter, b',');
        assert_eq!(
            read("clients.csv", comma).unwrap().rows[0][0],
            "Élise, dite Lili"
        );
    }

    #[test]
    fn other_files_are_refused() {
        assert_eq!(read("photo.png", b"\x89PNG"), Err(ImportError::Format));
        assert_eq!(read("c.csv", b""), Err(ImportError::Empty));
        assert!(matches!(
            read("c.xlsx", b"PK\x03\x04nonsense"),
            Err(ImportError::Unreadable(_))
        ));
    }

    #[test]
    fn xlsx_reads_back_with_numbers_and_dates_as_typed() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "Voornaam").unwrap();
        sheet.write_string(0, 1, "Telefoon").unwrap();
        sheet.write_string(0, 2, "Geboortedatum").unwrap();
        sheet.write_string(1, 0, "Jan").unwrap();
        sheet.write_number(1, 1, 32475123456.0).unwrap();
        let date = rust_xlsxwriter::ExcelDateTime::from_ymd(1985, 4, 3).unwrap();
        let fmt = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy");
        sheet.write_datetime_with_format(1, 2, &date, &fmt).unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let s = read("klanten.xlsx", &bytes).unwrap();
        assert_eq!(s.format, Format::Xlsx);
        assert_eq!(s.headers, vec!["Voornaam", "Telefoon", "Geboortedatum"]);
        assert_eq!(s.rows, vec![vec!["Jan", "32475123456", "1985-04-03"]]);
        let (back, _, ext) = with_column(&s, "Fouten", &["bad".into()]).unwrap();
        assert_eq!(ext, "xlsx");
        let again = read("klanten.xlsx", &back).unwrap();
        assert_eq!(again.headers[3], "Fouten");
        assert_eq!(again.rows[0][3], "bad");
    }

    #[test]
    fn xls_from_old_excel_reads() {
        // Written by xlwt (BIFF8), as Excel 97–2003 saves.
        let bytes = include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/fixtures/customers.xls"
        ));
        let s = read("clients.xls", bytes).unwrap();
        assert_eq!(s.format, Format::Xls);
        assert_eq!(s.headers[0], "Prénom");
        assert_eq!(s.rows.len(), 2);
        assert_eq!(s.rows[0][0], "Mélissa");
        assert_eq!(s.rows[0][4], "5000");
        assert_eq!(s.rows[0][6], "1990-07-14");
    }

    #[test]
    fn the_errors_file_keeps_the_csv_delimiter() {
        let s = read("c.csv", b"a,b\n1,2\n3\n").unwrap();
        let (bytes, _, ext) = with_column(&s, "errors", &["".into(), "line 3".into()]).unwrap();
        assert_eq!(ext, "csv");
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            "\u{feff}a,b,errors\n1,2,\n3,,line 3\n"
        );
    }
}
