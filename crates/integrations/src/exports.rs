//! Spreadsheet exports. CSV uses `;` and a UTF-8 byte-order mark, which is what Excel
//! expects on French and Belgian machines; XLSX keeps numbers as numbers.
//!
//! Every CSV Guichet writes goes through [`CsvWriter`], which neutralises formula
//! injection (issue 15): a customer named `=HYPERLINK(…)` must not become a live formula in
//! the spreadsheet of whoever opens the export. XLSX cells are written as strings, which
//! spreadsheets never evaluate (checked by a test below).

use std::borrow::Cow;

/// A table to export: a header row and rows of cells.
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

pub enum Cell {
    Text(String),
    Int(i64),
}

impl Cell {
    fn as_text(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Int(n) => n.to_string(),
        }
    }
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
    next_row: u32,
}

impl XlsxSheet {
    pub fn new(sheet_name: &str, headers: &[String]) -> Result<Self, ExportError> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let bold = rust_xlsxwriter::Format::new().set_bold();
        let sheet = book.add_worksheet_with_constant_memory()?;
        sheet.set_name(sheet_name)?;
        for (c, h) in headers.iter().enumerate() {
            let col = u16::try_from(c).unwrap_or(u16::MAX);
            sheet.set_column_width(col, if c == 0 { 16 } else { 18 })?;
            sheet.write_string_with_format(0, col, h, &bold)?;
        }
        Ok(Self { book, next_row: 1 })
    }

    /// Appends rows of text after those already written.
    pub fn push(&mut self, rows: &[Vec<String>]) -> Result<(), ExportError> {
        let sheet = self.book.worksheet_from_index(0)?;
        for row in rows {
            if self.next_row >= XLSX_MAX_ROWS {
                return Err(ExportError::TooManyRows);
            }
            for (c, cell) in row.iter().enumerate() {
                let col = u16::try_from(c).unwrap_or(u16::MAX);
                sheet.write_string(self.next_row, col, cell)?;
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

pub fn xlsx(table: &Table, sheet_name: &str) -> Result<Vec<u8>, ExportError> {
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
            match cell {
                Cell::Text(s) => sheet.write_string(line, col, s)?,
                // Stock quantities are far below 2^53: exact as spreadsheet numbers.
                Cell::Int(n) => sheet.write_number(line, col, *n as f64)?,
            };
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
        let mut sheet = XlsxSheet::new("Clients", &["Nom".into(), "Ville".into()]).unwrap();
        sheet.push(&[vec!["Élise".into(), "Namur".into()]]).unwrap();
        sheet.push(&[vec!["Jan".into(), "Gent".into()]]).unwrap();
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
        let bytes = xlsx(&t, "Clients").unwrap();
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
        let bytes = xlsx(&table(), "Stock").unwrap();
        assert_eq!(&bytes[..2], b"PK");
    }
}
