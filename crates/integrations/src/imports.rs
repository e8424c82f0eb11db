//! Reading the spreadsheets people bring (seed 003: only .csv, .xlsx and .xls): CSV with
//! `,`, `;` or tabs, in UTF-8 with or without a byte-order mark, UTF-16 (Excel's "Unicode
//! text") or Windows-1252 (Excel's "CSV" on a French or Belgian machine); XLSX and XLS by
//! `calamine`. And writing the same file back with one more column (the errors file).
//!
//! Memory stays bounded whatever the file (issue 15): the sheet is never held as a dense
//! rectangle of its declared or real dimensions (calamine's `Range` is one, and two cells at
//! `A1` and `XFD1048576` make it 512 GiB). XLSX cells are read one at a time and kept only
//! when they hold something; the zip's parts are measured as they unpack before calamine
//! opens them; an XLS is checked record by record (see `xls`) before calamine parses it.
//! Rows, columns and cells have limits, each refused with its own code.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};

use crate::import_limits::within_limits;
pub use crate::import_limits::{
    ImportError, MAX_BYTES, MAX_CELLS, MAX_COLUMNS, MAX_ROWS, MAX_SHARED_STRINGS, MAX_UNZIPPED,
    MAX_UNZIPPED_PART,
};

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
    /// The number a spreadsheet shows for each of `rows` (blank rows skipped in `rows` still
    /// count; a CSV record with a line break in a quoted cell is one row).
    pub lines: Vec<u64>,
}

impl Sheet {
    /// The row number a spreadsheet shows for `rows[i]`.
    pub fn line(&self, i: usize) -> u64 {
        self.lines.get(i).copied().unwrap_or(i as u64 + 2)
    }

    /// The index in `rows` of the row a spreadsheet numbers `line`.
    pub fn row_at(&self, line: u64) -> Option<usize> {
        self.lines.binary_search(&line).ok()
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
    let format = format_of(filename, bytes)?;
    // A parser that panics on a crafted file (calamine, zip, cfb are third-party) answers
    // "unreadable" like any other bad file rather than failing the request.
    std::panic::catch_unwind(|| match format {
        Format::Csv => read_csv(bytes),
        Format::Xlsx => read_xlsx(bytes),
        Format::Xls => read_xls(bytes),
    })
    .unwrap_or_else(|_| Err(ImportError::Unreadable("the parser stopped".into())))
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

/// Line breaks as a spreadsheet counts them: `\n`, `\r\n` or a lone `\r`.
fn breaks(bytes: &[u8]) -> u64 {
    let mut n = 0;
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'\n' || (*b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
            n += 1;
        }
    }
    n
}

/// CSV read a record at a time by `csv_core`, which allocates nothing itself: the fields of a
/// record go to one buffer this function grows (bounded by the file) and their ends to
/// another it refuses to grow past `MAX_COLUMNS` (a line of 60 million `;` is refused
/// before it costs anything). Each record's row number is the number of line breaks before
/// it, less those inside quoted cells: what a spreadsheet shows, blank lines included.
fn read_csv(bytes: &[u8]) -> Result<Sheet, ImportError> {
    use csv_core::ReadRecordResult as R;
    let text = decode(bytes);
    let delimiter = sniff_delimiter(&text);
    let input = text.as_bytes();
    let mut core = csv_core::ReaderBuilder::new().delimiter(delimiter).build();
    let mut sheet = Rows::new(Format::Csv, delimiter);
    let (mut out, mut ends) = (vec![0u8; 4096], vec![0usize; 64]);
    let (mut pos, mut counted, mut lines, mut embedded) = (0, 0, 0u64, 0u64);
    loop {
        // Blank lines are skipped here (csv_core would too) so that `pos` is where the
        // record starts.
        while matches!(input.get(pos), Some(b'\r' | b'\n')) {
            pos += 1;
        }
        lines += breaks(&input[counted..pos]);
        counted = pos;
        let line = 1 + lines.saturating_sub(embedded);
        let (mut nout, mut nend) = (0, 0);
        loop {
            let rest = input.get(pos..).unwrap_or_default();
            let (res, nin, o, e) = core.read_record(rest, &mut out[nout..], &mut ends[nend..]);
            (pos, nout, nend) = (pos + nin, nout + o, nend + e);
            match res {
                // Input is all there: the next call, with nothing, says the end.
                R::InputEmpty => {}
                R::OutputFull => out.resize(out.len() * 2, 0),
                R::OutputEndsFull if ends.len() > MAX_COLUMNS => {
                    return Err(ImportError::TooManyColumns);
                }
                R::OutputEndsFull => ends.resize(ends.len() * 2, 0),
                R::Record => break,
                R::End => return sheet.finish(),
            }
        }
        let (mut row, mut start) = (Vec::with_capacity(nend), 0);
        for &end in &ends[..nend] {
            let field = out.get(start..end).unwrap_or_default();
            embedded += breaks(field);
            let cell = String::from_utf8_lossy(field);
            // A cell one of Guichet's CSV exports neutralised (`'=…`) reads as typed.
            row.push(crate::exports::unneutralise(&cell).to_owned());
            start = end;
        }
        sheet.push(line, row)?;
    }
}

/// A sheet's rows as they are read, each limit checked as it comes: the first row with
/// something in it is the header; blank rows are left out (spreadsheets often end with
/// some) but keep their number; empty cells at the end of a row are dropped.
struct Rows {
    format: Format,
    delimiter: u8,
    headers: Option<Vec<String>>,
    rows: Vec<Vec<String>>,
    lines: Vec<u64>,
    width: usize,
}

impl Rows {
    fn new(format: Format, delimiter: u8) -> Self {
        Rows {
            format,
            delimiter,
            headers: None,
            rows: Vec::new(),
            lines: Vec::new(),
            width: 0,
        }
    }

    fn push(&mut self, line: u64, mut row: Vec<String>) -> Result<(), ImportError> {
        while row.last().is_some_and(String::is_empty) {
            row.pop();
        }
        if row.iter().all(|c| c.trim().is_empty()) {
            return Ok(());
        }
        if row.len() > MAX_COLUMNS {
            return Err(ImportError::TooManyColumns);
        }
        self.width = self.width.max(row.len());
        let held = self.rows.len() + 1;
        if self.headers.is_some() && held > MAX_ROWS {
            return Err(ImportError::TooManyRows);
        }
        // Padded to the widest row, as the errors file and the checks see them.
        if held.saturating_mul(self.width) > MAX_CELLS {
            return Err(ImportError::TooManyCells);
        }
        if self.headers.is_none() {
            self.headers = Some(row.into_iter().map(|h| h.trim().to_owned()).collect());
        } else {
            self.rows.push(row);
            self.lines.push(line);
        }
        Ok(())
    }

    fn finish(self) -> Result<Sheet, ImportError> {
        Ok(Sheet {
            format: self.format,
            delimiter: self.delimiter,
            headers: self.headers.ok_or(ImportError::Empty)?,
            rows: self.rows,
            lines: self.lines,
        })
    }
}

/// The cells of a workbook sheet that hold something, by row then column, gathered in any
/// order: only these are held, never the rectangle they span.
#[derive(Default)]
struct Cells {
    by_row: BTreeMap<u32, Vec<(u32, String)>>,
    count: usize,
}

impl Cells {
    /// Keeps a cell at 0-based `(row, col)`, refusing one past the limits before anything
    /// is allocated for it.
    fn put(&mut self, (row, col): (u32, u32), text: String) -> Result<(), ImportError> {
        if text.is_empty() {
            return Ok(());
        }
        within_limits((row, col))?;
        self.count += 1;
        if self.count > MAX_CELLS {
            return Err(ImportError::TooManyCells);
        }
        self.by_row.entry(row).or_default().push((col, text));
        Ok(())
    }

    fn into_sheet(self, format: Format) -> Result<Sheet, ImportError> {
        let mut rows = Rows::new(format, b';');
        for (r, mut cells) in self.by_row {
            cells.sort_by_key(|(c, _)| *c);
            let width = cells.last().map_or(0, |(c, _)| *c as usize + 1);
            let mut row = vec![String::new(); width];
            for (c, text) in cells {
                row[c as usize] = text;
            }
            rows.push(u64::from(r) + 1, row)?;
        }
        rows.finish()
    }
}

fn unreadable(e: impl std::fmt::Display) -> ImportError {
    ImportError::Unreadable(e.to_string())
}

/// The first sheet of an XLSX, a cell at a time from calamine's streaming reader. The
/// zip's parts are unpacked once first, to a sink, to know their real sizes (a zip can say
/// anything about them): calamine holds the shared strings whole.
fn read_xlsx(bytes: &[u8]) -> Result<Sheet, ImportError> {
    use calamine::Reader;
    check_unzipped(bytes)?;
    let mut book = calamine::Xlsx::new(Cursor::new(bytes)).map_err(unreadable)?;
    let name = book
        .sheet_names()
        .first()
        .cloned()
        .ok_or(ImportError::Empty)?;
    let mut reader = book.worksheet_cells_reader(&name).map_err(unreadable)?;
    // The sheet's declared size (`<dimension ref="A1:XFD1048576"/>`) first, then each cell.
    within_limits(reader.dimensions().end)?;
    let mut cells = Cells::default();
    while let Some(cell) = reader.next_cell().map_err(unreadable)? {
        let data = calamine::Data::from(cell.get_value().clone());
        cells.put(cell.get_position(), cell_text(&data))?;
    }
    cells.into_sheet(Format::Xlsx)
}

/// Every part of the zip unpacked to a sink, refused past `MAX_UNZIPPED_PART` each,
/// `MAX_SHARED_STRINGS` for the shared strings and `MAX_UNZIPPED` in all.
fn check_unzipped(bytes: &[u8]) -> Result<(), ImportError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(unreadable)?;
    let mut total = 0u64;
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).map_err(unreadable)?;
        let limit = if part
            .name()
            .unwrap_or_default()
            .to_ascii_lowercase()
            .contains("sharedstrings")
        {
            MAX_SHARED_STRINGS
        } else {
            MAX_UNZIPPED_PART
        };
        // Counted as it unpacks: a part that fails (a bad checksum after gigabytes) is
        // refused too, rather than counted as nothing.
        let mut counted = Counter(0);
        std::io::copy(&mut (&mut part).take(limit + 1), &mut counted).map_err(unreadable)?;
        let size = counted.0;
        total += size;
        if size > limit || total > MAX_UNZIPPED {
            return Err(ImportError::TooLarge);
        }
    }
    Ok(())
}

/// A sink that counts the bytes written to it.
struct Counter(u64);

impl std::io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The first sheet of an XLS. Calamine parses a whole XLS when it opens it, sizing its
/// ranges from the records, so the records are checked first (`xls::check`).
fn read_xls(bytes: &[u8]) -> Result<Sheet, ImportError> {
    use calamine::Reader;
    let checked = crate::xls::check(bytes)?;
    let mut book = calamine::Xls::new(Cursor::new(checked)).map_err(unreadable)?;
    let range = match book.worksheet_range_at(0) {
        Some(r) => r.map_err(unreadable)?,
        None => return Err(ImportError::Empty),
    };
    let (top, left) = range.start().unwrap_or_default();
    let mut cells = Cells::default();
    for (r, c, data) in range.used_cells() {
        let (r, c) = (u32::try_from(r), u32::try_from(c));
        let (Ok(r), Ok(c)) = (r, c) else {
            return Err(ImportError::TooManyCells);
        };
        cells.put((top + r, left + c), cell_text(data))?;
    }
    cells.into_sheet(Format::Xls)
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
        let mut out = Vec::from(crate::exports::BOM);
        let mut w = crate::exports::CsvWriter::new(&mut out, sheet.delimiter);
        w.row(&headers)?;
        for r in &rows {
            w.row(r)?;
        }
        w.finish()?;
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
        // Text cells only, as read: no amount for the language to format.
        crate::exports::xlsx(&table, "Sheet1", guichet_domain::org::Language::Fr)?,
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

    /// A minimal XLSX whose only sheet is `sheet_xml` (inline strings, no styles).
    pub(crate) fn xlsx_with_sheet(sheet_xml: &str) -> Vec<u8> {
        use std::io::Write;
        let parts = [
            (
                "[Content_Types].xml",
                r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
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
            zip.start_file(name, options).unwrap();
            zip.write_all(text.as_bytes()).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    fn sheet_xml(dimension: &str, cells: &[(&str, &str)]) -> String {
        let mut rows = String::new();
        for (at, text) in cells {
            rows.push_str(&format!(
                r#"<row><c r="{at}" t="inlineStr"><is><t>{text}</t></is></c></row>"#
            ));
        }
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="{dimension}"/><sheetData>{rows}</sheetData></worksheet>"#
        )
    }

    #[test]
    fn a_tiny_xlsx_spanning_the_whole_grid_is_refused_before_anything_is_allocated() {
        // Issue 15: A1 and XFD1048576 made calamine's range 512 GiB.
        let bomb = xlsx_with_sheet(&sheet_xml(
            "A1:XFD1048576",
            &[("A1", "Nom"), ("XFD1048576", "x")],
        ));
        assert!(bomb.len() < 2_000, "{} bytes", bomb.len());
        assert_eq!(read("c.xlsx", &bomb), Err(ImportError::TooManyRows));
        // The same cells under an honest small dimension: the cells are checked too.
        let real = xlsx_with_sheet(&sheet_xml("A1", &[("A1", "Nom"), ("XFD2", "x")]));
        assert_eq!(read("c.xlsx", &real), Err(ImportError::TooManyColumns));
        let deep = xlsx_with_sheet(&sheet_xml("A1", &[("A1", "Nom"), ("A600000", "x")]));
        assert_eq!(read("c.xlsx", &deep), Err(ImportError::TooManyRows));
        // Only the declared dimension is huge.
        let declared = xlsx_with_sheet(&sheet_xml("A1:XFD1048576", &[("A1", "Nom")]));
        assert_eq!(read("c.xlsx", &declared), Err(ImportError::TooManyRows));
    }

    #[test]
    fn far_apart_cells_within_the_limits_hold_only_what_they_contain() {
        // A1 + ALL30000 took the server to 1 GB: now one row of 1,000 cells.
        let file = xlsx_with_sheet(&sheet_xml(
            "A1:ALL30000",
            &[("A1", "Nom"), ("ALL30000", "x")],
        ));
        let s = read("c.xlsx", &file).unwrap();
        assert_eq!(s.headers, vec!["Nom"]);
        assert_eq!(s.rows.len(), 1);
        assert_eq!(s.rows[0].len(), 1_000);
        assert_eq!(s.rows[0][999], "x");
        assert_eq!(s.lines, vec![30_000]);
    }

    #[test]
    fn an_xlsx_that_unpacks_to_too_much_is_refused() {
        let huge = "x".repeat(MAX_UNZIPPED_PART as usize + 10);
        let file = xlsx_with_sheet(&huge);
        assert!(file.len() < 2_000_000, "{} bytes", file.len());
        assert_eq!(read("c.xlsx", &file), Err(ImportError::TooLarge));
    }

    #[test]
    fn a_csv_too_wide_or_too_big_is_refused() {
        let wide = format!("{}\n", "a;".repeat(MAX_COLUMNS + 5));
        assert_eq!(
            read("c.csv", wide.as_bytes()),
            Err(ImportError::TooManyColumns)
        );
        // 1,000 columns of header, then many rows of one cell: padded, too many cells.
        let mut big = format!("{}\n", vec!["h"; 1_000].join(";"));
        big.push_str(&"x\n".repeat(MAX_CELLS / 1_000 + 1));
        assert_eq!(
            read("c.csv", big.as_bytes()),
            Err(ImportError::TooManyCells)
        );
        // Empty cells at the end of a line cost nothing and are dropped.
        let trailing = format!("a{}\n", ";".repeat(MAX_COLUMNS + 5));
        assert_eq!(
            read("c.csv", trailing.as_bytes()).unwrap().headers,
            vec!["a"]
        );
    }

    #[test]
    fn csv_rows_carry_the_numbers_a_spreadsheet_shows() {
        // A blank line, a row of empty cells and a note over two lines all count.
        let text = "Nom;Note\nA;1\n\n;\nB;\"two\nlines\"\r\nC;3\n";
        let s = read("c.csv", text.as_bytes()).unwrap();
        assert_eq!(s.rows.len(), 3);
        assert_eq!(s.rows[1], vec!["B", "two\nlines"]);
        assert_eq!(s.lines, vec![2, 5, 6]);
        assert_eq!(s.row_at(5), Some(1));
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
    fn an_xls_with_a_far_cell_or_a_huge_declared_size_is_refused() {
        let good = include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/fixtures/customers.xls"
        ));
        let find = |pattern: &[u8]| {
            good.windows(pattern.len())
                .position(|w| w == pattern)
                .unwrap()
        };
        // A LABELSST cell (type 0x00FD, 10 bytes) moved to row 65,535: calamine's range
        // would span 65,536 rows × the columns.
        let mut far = good.to_vec();
        let at = find(&[0xFD, 0x00, 0x0A, 0x00]) + 4;
        far[at..at + 4].copy_from_slice(&[0xFF, 0xFF, 0xFF, 0x00]);
        assert_eq!(read("c.xls", &far), Err(ImportError::TooManyCells));
        // DIMENSIONS (0x0200, 14 bytes) declaring 4 billion rows.
        let mut declared = good.to_vec();
        let at = find(&[0x00, 0x02, 0x0E, 0x00]) + 4;
        declared[at + 4..at + 8].copy_from_slice(&[0xFF, 0xFF, 0xFF, 0xFF]);
        assert_eq!(read("c.xls", &declared), Err(ImportError::TooManyRows));
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
