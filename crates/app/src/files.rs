//! Files a use case hands back to download: a table as CSV (`;` and a BOM, what Excel expects
//! on French and Belgian machines) or XLSX. The channel only sends them.

use crate::AppError;
use guichet_integrations::exports::{self, Table};

/// The spreadsheet format asked for: XLSX, or CSV for anything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    pub fn parse(s: &str) -> Format {
        if s.trim().eq_ignore_ascii_case("xlsx") {
            Format::Xlsx
        } else {
            Format::Csv
        }
    }
}

/// A file ready to send: its name (with its extension), MIME type and bytes.
#[derive(Debug)]
pub struct File {
    pub name: String,
    pub mime: &'static str,
    pub bytes: Vec<u8>,
}

/// `table` as a file named `name` (one sheet named `sheet` in XLSX, its amounts formatted
/// as `lang` writes them).
pub(crate) fn table_file(
    table: &Table,
    format: Format,
    lang: guichet_domain::org::Language,
    sheet: &str,
    name: &str,
) -> Result<File, AppError> {
    let (bytes, mime, ext) = match format {
        Format::Xlsx => (
            exports::xlsx(table, sheet, lang),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
        Format::Csv => (exports::csv(table), "text/csv; charset=utf-8", "csv"),
    };
    Ok(File {
        name: format!("{name}.{ext}"),
        mime,
        bytes: bytes.map_err(|e| AppError::Internal(e.to_string()))?,
    })
}

/// A finished sheet saved to a temporary file, answered open with its name already removed
/// (the open handle keeps the content), for the caller to stream: the zipping is blocking
/// work, done off the async threads.
pub(crate) async fn xlsx_file(
    sheet: exports::XlsxSheet,
) -> Result<std::fs::File, exports::ExportError> {
    tokio::task::spawn_blocking(move || {
        let file = tempfile::NamedTempFile::new()?;
        sheet.save(file.path())?;
        Ok(file.reopen()?)
    })
    .await
    .map_err(|e| exports::ExportError::Io(std::io::Error::other(e)))?
}
