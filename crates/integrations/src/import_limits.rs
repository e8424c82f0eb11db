//! What a spreadsheet brought to an import may hold, and the errors that refuse it: shared by
//! the readers of `imports` and the XLS records check of `xls`.

/// The largest file read (a 100,000-customer CSV is about 15 MB).
pub const MAX_BYTES: usize = 64 * 1024 * 1024;
/// The most rows one file may have (and the highest row number a cell may sit on).
pub const MAX_ROWS: usize = 500_000;
/// The most columns one file may have (a customer file has about thirty).
pub const MAX_COLUMNS: usize = 1_024;
/// The most cells a sheet may hold once its rows are padded to its widest one (rows ×
/// columns): 100,000 customers of 50 columns. Bounds the memory of the sheet and of its
/// errors file.
pub const MAX_CELLS: usize = 5_000_000;
/// The most bytes one part of an XLSX (a sheet, the shared strings) may unpack to.
pub const MAX_UNZIPPED_PART: u64 = 256 * 1024 * 1024;
/// The most bytes all parts of an XLSX together may unpack to.
pub const MAX_UNZIPPED: u64 = 512 * 1024 * 1024;
/// The most bytes the shared strings of an XLSX may unpack to: calamine holds them all.
pub const MAX_SHARED_STRINGS: u64 = 64 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("only .csv, .xlsx and .xls files can be imported")]
    Format,
    #[error("the file is too large")]
    TooLarge,
    #[error("the file has too many rows")]
    TooManyRows,
    #[error("the file has too many columns")]
    TooManyColumns,
    #[error("the file has too many cells")]
    TooManyCells,
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
            Self::TooManyColumns => "import_too_many_columns",
            Self::TooManyCells => "import_too_many_cells",
            Self::Empty => "import_empty",
            Self::Unreadable(_) => "import_unreadable",
        }
    }
}

/// A 0-based cell position, or the far corner a sheet declares, within the limits.
pub(crate) fn within_limits((row, col): (u32, u32)) -> Result<(), ImportError> {
    // Row 0 may be the header: MAX_ROWS rows under it.
    if row as usize > MAX_ROWS {
        return Err(ImportError::TooManyRows);
    }
    if col as usize >= MAX_COLUMNS {
        return Err(ImportError::TooManyColumns);
    }
    Ok(())
}
