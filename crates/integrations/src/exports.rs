//! Spreadsheet exports. CSV uses `;` and a UTF-8 byte-order mark, which is what Excel
//! expects on French and Belgian machines; XLSX keeps numbers as numbers.

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

pub fn csv(table: &Table) -> Result<Vec<u8>, ExportError> {
    let mut out = Vec::from(&b"\xEF\xBB\xBF"[..]);
    {
        let mut w = csv::WriterBuilder::new()
            .delimiter(b';')
            .from_writer(&mut out);
        w.write_record(&table.headers)?;
        for row in &table.rows {
            w.write_record(row.iter().map(Cell::as_text))?;
        }
        w.flush()?;
    }
    Ok(out)
}

/// Rows as CSV lines (`;`), with the byte-order mark first when `bom`: the pieces of a CSV
/// written a page at a time.
pub fn csv_lines(rows: &[Vec<String>], bom: bool) -> Result<Vec<u8>, ExportError> {
    let mut out = if bom {
        Vec::from(&b"\xEF\xBB\xBF"[..])
    } else {
        Vec::new()
    };
    {
        let mut w = csv::WriterBuilder::new()
            .delimiter(b';')
            .from_writer(&mut out);
        for row in rows {
            w.write_record(row)?;
        }
        w.flush()?;
    }
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
    fn xlsx_is_a_zip() {
        let bytes = xlsx(&table(), "Stock").unwrap();
        assert_eq!(&bytes[..2], b"PK");
    }
}
