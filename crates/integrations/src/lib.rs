//! Adapters to the outside world: translation catalogues, spreadsheet exports, barcode
//! pictures.

pub mod exports;
pub mod i18n;
pub mod images;
pub mod labels;
