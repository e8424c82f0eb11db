//! Adapters to the outside world: translation catalogues, spreadsheet exports and imports, barcode
//! pictures.

pub mod exports;
pub mod i18n;
pub mod ics;
pub mod images;
mod import_limits;
pub mod imports;
pub mod labels;
pub mod mail;
pub mod qr;
pub mod sealed;
pub mod stripe;
mod xls;
