//! Adapters to the outside world. For now: the translation catalogues.

pub mod i18n;
