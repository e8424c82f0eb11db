//! Guichet's pure rules: no IO, no async, no SQL.
//!
//! Types here *parse* their input (`Email`, `VatRate`, `TimeZoneName`, …) so that a value
//! that reached the store is already valid. A newcomer looking for "what makes a VAT number
//! valid" or "who may manage users" finds it in this crate.

pub mod accounting;
pub mod barcode;
pub mod booking_module;
pub mod calendar;
pub mod catalogue;
pub mod closing;
pub mod customer;
pub mod customer_import;
pub mod duplicates;
pub mod erasure;
pub mod ids;
pub mod journal;
pub mod journal_archive;
pub mod mail;
pub mod money;
pub mod offer;
pub mod order;
pub mod org;
pub mod promotion;
pub mod refund;
pub mod reservation;
pub mod role;
pub mod sale;
pub mod schedule;
pub mod shop;
pub mod signin;
pub mod slug;
pub mod stripe;
pub mod text;
pub mod ticket;
pub mod validation;

pub use ids::*;
pub use money::VatRate;
pub use role::{Permission, Role};
pub use validation::{FieldError, FieldErrors};
