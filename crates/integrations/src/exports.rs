//! Spreadsheet exports. CSV uses `;` and a UTF-8 byte-order mark, which is what Excel
//! expects on French and Belgian machines; XLSX keeps numbers as numbers: amounts are
//! numbers with a euro format and two decimals, days and instants are date cells, so that an
//! accountant can add them up (issue 19). Every export describes its cells once ([`Cell`]) and
//! both writers take them from there.
//!
//! Every CSV Guichet writes goes through [`CsvWriter`], which neutralises formula
//! injection (issue 15): a customer named `=HYPERLINK(…)` must not become a live formula in
//! the spreadsheet of whoever opens the export. XLSX text cells are written as strings, which
//! spreadsheets never evaluate (checked by a test below).

use guichet_domain::org::Language;
use std::borrow::Cow;

/// A table to export: a header row and rows of cells.
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// One cell of an export, by what it holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    /// An amount in cents: `-17,00` in CSV, the number -17 shown `-17,00 €` in XLSX.
    Money(i64),
    /// A day: `06/12/2026` in CSV, a date cell in XLSX.
    Date(jiff::civil::Date),
    /// A date and time of day (in the organization's zone): `06/12/2026 14:30` in CSV, a
    /// date-time cell in XLSX.
    DateTime(jiff::civil::DateTime),
}

impl Cell {
    /// An amount, or an empty cell.
    pub fn money_or_empty(cents: Option<i64>) -> Cell {
        cents.map_or_else(|| Cell::Text(String::new()), Cell::Money)
    }

    /// A whole number, or an empty cell.
    pub fn int_or_empty(n: Option<i64>) -> Cell {
        n.map_or_else(|| Cell::Text(String::new()), Cell::Int)
    }

    /// A `YYYY-MM-DD` day as a date; anything else (nothing, a month) as text.
    pub fn day(day: Option<&str>) -> Cell {
        let day = day.unwrap_or_default();
        day.parse()
            .map_or_else(|_| Cell::Text(day.to_owned()), Cell::Date)
    }

    /// An instant (microseconds since the epoch) in `zone`, or an empty cell.
    pub fn instant(micros: Option<i64>, zone: &jiff::tz::TimeZone) -> Cell {
        micros
            .and_then(|m| jiff::Timestamp::from_microsecond(m).ok())
            .map_or_else(
                || Cell::Text(String::new()),
                |t| Cell::DateTime(t.to_zoned(zone.clone()).datetime()),
            )
    }

    /// The cell as a CSV writes it: amounts with a decimal comma, days day first.
    pub fn as_text(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Money(c) => guichet_domain::shop::format_cents(*c),
            Cell::Date(d) => d.strftime("%d/%m/%Y").to_string(),
            Cell::DateTime(d) => d.strftime("%d/%m/%Y %H:%M").to_string(),
        }
    }
}

/// The number formats of an XLSX export, made once per workbook.
struct Formats {
    money: rust_xlsxwriter::Format,
    date: rust_xlsxwriter::Format,
    datetime: rust_xlsxwriter::Format,
}

impl Formats {
    /// Amounts as the language writes them (`1 234,50 €`, `€ 1.234,50`: the spreadsheet puts
    /// its own separators), always two decimals; days day first.
    fn new(lang: Language) -> Formats {
        let money = match lang {
            Language::Nl => r#""€" #,##0.00;"€" -#,##0.00"#,
            Language::Fr | Language::En => r#"#,##0.00 "€";-#,##0.00 "€""#,
        };
        Formats {
            money: rust_xlsxwriter::Format::new().set_num_format(money),
            date: rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy"),
            datetime: rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy hh:mm"),
        }
    }
}

/// Writes `cell` at (`row`, `col`) of `sheet`: text as a string (never a formula), numbers,
/// amounts and dates as numbers with their format. A date Excel cannot hold (before 1900)
/// is written as its text.
fn write_cell(
    sheet: &mut rust_xlsxwriter::Worksheet,
    (row, col): (u32, u16),
    cell: &Cell,
    formats: &Formats,
) -> Result<(), ExportError> {
    match cell {
        Cell::Text(s) => sheet.write_string(row, col, s)?,
        // Counts and quantities are far below 2^53: exact as spreadsheet numbers.
        Cell::Int(n) => sheet.write_number(row, col, *n as f64)?,
        // Cents below 2^53 are exact; the division gives the nearest double to the amount,
        // which the spreadsheet shows and adds up to the cent.
        Cell::Money(c) => {
            sheet.write_number_with_format(row, col, *c as f64 / 100.0, &formats.money)?
        }
        Cell::Date(d) => match excel_date(*d) {
            Some(x) => sheet.write_datetime_with_format(row, col, x, &formats.date)?,
            None => sheet.write_string(row, col, cell.as_text())?,
        },
        Cell::DateTime(d) => match excel_date(d.date()).and_then(|x| {
            x.and_hms(
                u16::try_from(d.hour()).unwrap_or(0),
                u8::try_from(d.minute()).unwrap_or(0),
                u8::try_from(d.second()).unwrap_or(0),
            )
            .ok()
        }) {
            Some(x) => sheet.write_datetime_with_format(row, col, x, &formats.datetime)?,
            None => sheet.write_string(row, col, cell.as_text())?,
        },
    };
    Ok(())
}

/// The day as Excel counts days (1900 to 9999 only).
fn excel_date(d: jiff::civil::Date) -> Option<rust_xlsxwriter::ExcelDateTime> {
    let year = u16::try_from(d.year()).ok().filter(|y| *y >= 1900)?;
    let month = u8::try_from(d.month()).ok()?;
    let day = u8::try_from(d.day()).ok()?;
    rust_xlsxwriter::ExcelDateTime::from_ymd(year, month, day).ok()
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("XLSX: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("CSV: {0}")]
    Io(#[from] std::io::Error),
    /// A worksheet holds 1,048,576 rows: more must go to CSV.
    #[error("too many rows for one XLSX sheet")]
    TooManyRows,
}

/// Rows in an XLSX worksheet, its header included (Excel's limit).
pub const XLSX_MAX_ROWS: u32 = 1_048_576;

/// An XLSX sheet written a page of rows at a time, in rust_xlsxwriter's constant-memory mode:
/// each row goes to a temporary file as it comes (strings inline, no shared table), so a
/// sheet of a million rows takes the memory of one page. Rows only go forward.
pub struct XlsxSheet {
    book: rust_xlsxwriter::Workbook,
    formats: Formats,
    next_row: u32,
}

impl XlsxSheet {
    /// A sheet with its header row, amounts formatted as `lang` writes them.
    pub fn new(sheet_name: &str, headers: &[String], lang: Language) -> Result<Self, ExportError> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let bold = rust_xlsxwriter::Format::new().set_bold();
        let sheet = book.add_worksheet_with_constant_memory()?;
        sheet.set_name(sheet_name)?;
        for (c, h) in headers.iter().enumerate() {
            let col = u16::try_from(c).unwrap_or(u16::MAX);
            sheet.set_column_width(col, if c == 0 { 16 } else { 18 })?;
            sheet.write_string_with_format(0, col, h, &bold)?;
        }
        Ok(Self {
            book,
            formats: Formats::new(lang),
            next_row: 1,
        })
    }

    /// Appends rows after those already written.
    pub fn push(&mut self, rows: &[Vec<Cell>]) -> Result<(), ExportError> {
        let sheet = self.book.worksheet_from_index(0)?;
        for row in rows {
            if self.next_row >= XLSX_MAX_ROWS {
                return Err(ExportError::TooManyRows);
            }
            for (c, cell) in row.iter().enumerate() {
                let col = u16::try_from(c).unwrap_or(u16::MAX);
                write_cell(sheet, (self.next_row, col), cell, &self.formats)?;
            }
            self.next_row += 1;
        }
        Ok(())
    }

    /// Writes the finished file to `path` (blocking: it zips the sheet).
    pub fn save(mut self, path: &std::path::Path) -> Result<(), ExportError> {
        Ok(self.book.save(path)?)
    }
}

/// The characters that make a spreadsheet read a cell as a formula (or, for tab and
/// carriage return, that it drops before reading the rest): OWASP's list.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A cell as a CSV export writes it. The rule (OWASP's "CSV injection"): a cell that starts
/// with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, so that Excel and
/// LibreOffice show it as text — unless it is a plain number (a sign, then digits, spaces,
/// `.` and `,`: `-3,50`, `+32 475 12 34 56`), which no spreadsheet can run anything from.
/// So amounts Guichet writes (refunds, differences) stay usable numbers, and a user's text
/// is neutralised wherever it appears (`-1+1` is not a plain number).
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(FORMULA_STARTS) && !plain_number(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// `-3,50`, `+32 475 12 34 56`, `-1 234.5`: an optional sign, then a digit, then digits,
/// spaces and decimal or group marks only.
fn plain_number(cell: &str) -> bool {
    let unsigned = cell.strip_prefix(['-', '+']).unwrap_or(cell);
    unsigned.starts_with(|c: char| c.is_ascii_digit())
        && unsigned
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '.' | ',' | '\u{a0}' | '\u{202f}'))
}

/// What a CSV import reads back from an export: the `'` that [`neutralise`] put before a
/// formula-looking cell taken off, so that an errors file corrected and imported again
/// holds what the person typed.
pub fn unneutralise(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_STARTS) && !plain_number(rest) => rest,
        _ => cell,
    }
}

/// The one CSV writer of every export: `csv`'s writer (quoting `;`, quotes and line breaks)
/// with every cell [`neutralise`]d.
pub struct CsvWriter<W: std::io::Write> {
    inner: csv::Writer<W>,
}

impl<W: std::io::Write> CsvWriter<W> {
    pub fn new(out: W, delimiter: u8) -> Self {
        CsvWriter {
            inner: csv::WriterBuilder::new()
                .delimiter(delimiter)
                .from_writer(out),
        }
    }

    pub fn row<I, S>(&mut self, cells: I) -> Result<(), ExportError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let cells: Vec<S> = cells.into_iter().collect();
        Ok(self
            .inner
            .write_record(cells.iter().map(|c| neutralise(c.as_ref()).into_owned()))?)
    }

    pub fn finish(mut self) -> Result<(), ExportError> {
        Ok(self.inner.flush()?)
    }
}

/// The byte-order mark that makes Excel read a CSV as UTF-8.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

pub fn csv(table: &Table) -> Result<Vec<u8>, ExportError> {
    let mut out = Vec::from(BOM);
    let mut w = CsvWriter::new(&mut out, b';');
    w.row(&table.headers)?;
    for row in &table.rows {
        w.row(row.iter().map(Cell::as_text))?;
    }
    w.finish()?;
    Ok(out)
}

/// Rows as CSV lines (`;`), with the byte-order mark first when `bom`: the pieces of a CSV
/// written a page at a time.
pub fn csv_lines(rows: &[Vec<String>], bom: bool) -> Result<Vec<u8>, ExportError> {
    let mut out = if bom { Vec::from(BOM) } else { Vec::new() };
    let mut w = CsvWriter::new(&mut out, b';');
    for row in rows {
        w.row(row)?;
    }
    w.finish()?;
    Ok(out)
}

/// Rows of cells as CSV lines, as [`csv_lines`] writes them.
pub fn csv_cells(rows: &[Vec<Cell>], bom: bool) -> Result<Vec<u8>, ExportError> {
    let mut out = if bom { Vec::from(BOM) } else { Vec::new() };
    let mut w = CsvWriter::new(&mut out, b';');
    for row in rows {
        w.row(row.iter().map(Cell::as_text))?;
    }
    w.finish()?;
    Ok(out)
}

/// `table` as an XLSX workbook of one sheet, amounts formatted as `lang` writes them.
pub fn xlsx(table: &Table, sheet_name: &str, lang: Language) -> Result<Vec<u8>, ExportError> {
    let formats = Formats::new(lang);
    let mut book = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let sheet = book.add_worksheet();
    sheet.set_name(sheet_name)?;
    for (c, h) in table.headers.iter().enumerate() {
        let col = u16::try_from(c).unwrap_or(u16::MAX);
        sheet.write_string_with_format(0, col, h, &bold)?;
        sheet.set_column_width(col, if c == 0 { 36 } else { 16 })?;
    }
    for (r, row) in table.rows.iter().enumerate() {
        let line = u32::try_from(r + 1).unwrap_or(u32::MAX);
        for (c, cell) in row.iter().enumerate() {
            let col = u16::try_from(c).unwrap_or(u16::MAX);
            write_cell(sheet, (line, col), cell, &formats)?;
        }
    }
    Ok(book.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Table {
        Table {
            headers: vec!["Produit".into(), "Stock".into()],
            rows: vec![
                vec![Cell::Text("Fromage de Targnon".into()), Cell::Int(5339)],
                vec![Cell::Text("Peluche \"loup\"; grande".into()), Cell::Int(-2)],
            ],
        }
    }

    #[test]
    fn csv_for_excel() {
        let bytes = csv(&table()).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.starts_with('\u{feff}'));
        assert_eq!(
            text.trim_start_matches('\u{feff}'),
            "Produit;Stock\nFromage de Targnon;5339\n\"Peluche \"\"loup\"\"; grande\";-2\n"
        );
    }

    #[test]
    fn a_sheet_written_page_by_page_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("clients.xlsx");
        let mut sheet =
            XlsxSheet::new("Clients", &["Nom".into(), "Ville".into()], Language::Fr).unwrap();
        let text = |a: &str, b: &str| vec![Cell::Text(a.into()), Cell::Text(b.into())];
        sheet.push(&[text("Élise", "Namur")]).unwrap();
        sheet.push(&[text("Jan", "Gent")]).unwrap();
        sheet.save(&path).unwrap();
        use calamine::Reader;
        let mut book: calamine::Xlsx<_> = calamine::open_workbook(&path).unwrap();
        let range = book.worksheet_range("Clients").unwrap();
        let rows: Vec<Vec<String>> = range
            .rows()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect();
        assert_eq!(
            rows,
            vec![
                vec!["Nom", "Ville"],
                vec!["Élise", "Namur"],
                vec!["Jan", "Gent"]
            ]
        );
    }

    #[test]
    fn formula_looking_cells_are_neutralised_and_numbers_kept() {
        let rows: Vec<Vec<String>> = [
            ["=HYPERLINK(\"http://x\";\"clic\")", "-3,50"],
            ["+SUM(1)", "+32 475 12 34 56"],
            ["@SUM(1)", "-1 234.5"],
            ["-1+1", "12"],
            ["\t=1+1", "-"],
            ["\r=1+1", "Dubois"],
        ]
        .iter()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
        let text = String::from_utf8(csv_lines(&rows, false).unwrap()).unwrap();
        assert_eq!(
            text,
            "\"'=HYPERLINK(\"\"http://x\"\";\"\"clic\"\")\";-3,50\n\
             '+SUM(1);+32 475 12 34 56\n\
             '@SUM(1);-1 234.5\n\
             '-1+1;12\n\
             '\t=1+1;'-\n\
             \"'\r=1+1\";Dubois\n"
        );
        // Read back by an import, the cells are what was typed.
        for (row, line) in rows.iter().zip(text.lines()) {
            let first = line.split(';').next().unwrap().trim_matches('"');
            if !first.starts_with("'\r") && !first.contains("HYPERLINK") {
                assert_eq!(unneutralise(first), row[0]);
            }
        }
        assert_eq!(unneutralise("'t Hooft"), "'t Hooft");
        // The table writer goes through the same rule; whole numbers stay numbers.
        let t = Table {
            headers: vec!["Produit".into(), "Stock".into()],
            rows: vec![vec![Cell::Text("=1+1".into()), Cell::Int(-2)]],
        };
        let text = String::from_utf8(csv(&t).unwrap()).unwrap();
        assert!(text.ends_with("'=1+1;-2\n"), "{text}");
    }

    #[test]
    fn xlsx_text_cells_are_strings_never_formulas() {
        use calamine::Reader;
        let t = Table {
            headers: vec!["Nom".into()],
            rows: vec![vec![Cell::Text("=1+1".into())]],
        };
        let bytes = xlsx(&t, "Clients", Language::Fr).unwrap();
        let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let formulas = book.worksheet_formula("Clients").unwrap();
        assert!(formulas.used_cells().next().is_none());
        let range = book.worksheet_range("Clients").unwrap();
        assert_eq!(
            range.get_value((1, 0)),
            Some(&calamine::Data::String("=1+1".into()))
        );
    }

    #[test]
    fn xlsx_is_a_zip() {
        let bytes = xlsx(&table(), "Stock", Language::Nl).unwrap();
        assert_eq!(&bytes[..2], b"PK");
    }

    /// Amounts with their cents, a refund, a day and an instant, as both writers write them.
    fn typed_rows() -> Vec<Vec<Cell>> {
        let at = jiff::civil::date(2026, 12, 6).at(14, 30, 0, 0);
        [1780, -1700, 33, 10_000_001]
            .iter()
            .map(|c| {
                vec![
                    Cell::Text("P0001".into()),
                    Cell::Money(*c),
                    Cell::Date(jiff::civil::date(2026, 12, 6)),
                    Cell::DateTime(at),
                    Cell::Int(2),
                ]
            })
            .collect()
    }

    /// An accountant adds up an XLSX export: amounts are numbers (with the euro and two
    /// decimals as their format), days and instants are dates, and the sum is right to the
    /// cent — in the one-shot writer and the page-by-page one alike.
    #[test]
    fn xlsx_amounts_are_numbers_and_days_are_dates() {
        use calamine::{Data, Reader};
        let headers: Vec<String> = ["N°", "Montant", "Jour", "Créée", "Qté"]
            .iter()
            .map(|h| h.to_string())
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("paged.xlsx");
        let mut paged = XlsxSheet::new("Ventes", &headers, Language::Nl).unwrap();
        paged.push(&typed_rows()).unwrap();
        paged.save(&path).unwrap();
        let whole = xlsx(
            &Table {
                headers: headers.clone(),
                rows: typed_rows(),
            },
            "Ventes",
            Language::Fr,
        )
        .unwrap();
        let books: [calamine::Xlsx<_>; 2] = [
            calamine::Xlsx::new(std::io::Cursor::new(std::fs::read(&path).unwrap())).unwrap(),
            calamine::Xlsx::new(std::io::Cursor::new(whole)).unwrap(),
        ];
        for mut book in books {
            let range = book.worksheet_range("Ventes").unwrap();
            let mut sum = 0.0;
            for row in 1..=4u32 {
                let Some(Data::Float(amount)) = range.get_value((row, 1)) else {
                    panic!("an amount is a number: {:?}", range.get_value((row, 1)));
                };
                sum += amount;
                let Some(Data::DateTime(day)) = range.get_value((row, 2)) else {
                    panic!("a day is a date: {:?}", range.get_value((row, 2)));
                };
                assert!(day.is_datetime());
                assert_eq!(day.to_ymd_hms_milli(), (2026, 12, 6, 0, 0, 0, 0));
                let Some(Data::DateTime(at)) = range.get_value((row, 3)) else {
                    panic!("an instant is a date: {:?}", range.get_value((row, 3)));
                };
                assert_eq!(at.to_ymd_hms_milli(), (2026, 12, 6, 14, 30, 0, 0));
                assert_eq!(range.get_value((row, 4)), Some(&Data::Float(2.0)));
            }
            // 17,80 - 17,00 + 0,33 + 100 000,01 = 100 001,14
            assert_eq!((sum * 100.0).round() as i64, 10_000_114);
            assert!((sum - 100_001.14).abs() < 0.001, "{sum}");
        }
        // The formats: the euro and two decimals, day first.
        let styles = unzip_text(&std::fs::read(&path).unwrap(), "xl/styles.xml");
        assert!(styles.contains("&quot;€&quot; #,##0.00"), "{styles}");
        assert!(styles.contains("dd/mm/yyyy"), "{styles}");
    }

    /// One file of a zip, as text.
    fn unzip_text(bytes: &[u8], name: &str) -> String {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut text = String::new();
        std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut text).unwrap();
        text
    }

    /// The CSV of the same cells: amounts with a decimal comma (a refund stays a plain
    /// number, not neutralised), days day first.
    #[test]
    fn csv_cells_are_written_as_people_read_them() {
        let text = String::from_utf8(csv_cells(&typed_rows()[..2], false).unwrap()).unwrap();
        assert_eq!(
            text,
            "P0001;17,80;06/12/2026;06/12/2026 14:30;2\nP0001;-17,00;06/12/2026;06/12/2026 14:30;2\n"
        );
        assert_eq!(Cell::day(Some("2026-12")), Cell::Text("2026-12".into()));
        assert_eq!(Cell::day(None), Cell::Text(String::new()));
        assert_eq!(Cell::money_or_empty(None).as_text(), "");
    }
}
