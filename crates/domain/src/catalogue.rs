//! What a manager sets up before selling a visit: ticket types (the seeds' "ressources":
//! adult, child, senior tickets…) and extras ("options": audio-guide…). Both share the same
//! settings, parsed here once.

use crate::text;
use crate::validation::{ErrorCode, FieldErrors};
use serde::{Deserialize, Serialize};

/// Whether an item is a ticket type or an extra.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    TicketType,
    Extra,
}

/// Pictograms shown on the register's buttons and the booking pages.
pub const PICTOGRAMS: [&str; 10] = [
    "adult",
    "child",
    "senior",
    "student",
    "family",
    "group",
    "baby",
    "disabled",
    "audio-guide",
    "equipment",
];

/// Stock per day when none is given: the seeds' "999", meaning "no practical limit".
pub const DEFAULT_DAILY_STOCK: i64 = 999;

/// Settings of a ticket type or extra after parsing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemDetails {
    pub name: String,
    pub name_nl: Option<String>,
    pub name_en: Option<String>,
    pub description: Option<String>,
    pub description_nl: Option<String>,
    pub description_en: Option<String>,
    pub sale_pos: bool,
    pub sale_online: bool,
    /// Most units sold per day, all sessions together.
    pub daily_stock: i64,
    /// Units that exist (audio-guides, helmets), when the item is equipment.
    pub capacity: Option<i64>,
    pub minimum_age: Option<i64>,
    pub pictogram: Option<String>,
}

/// Raw fields as a form or JSON body sends them.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ItemInput {
    /// Name in French (required) and, for the booking pages, in Dutch and English.
    pub name: String,
    pub name_nl: String,
    pub name_en: String,
    /// E.g. "sur présentation de la carte étudiant".
    pub description: String,
    pub description_nl: String,
    pub description_en: String,
    pub vat_rate_id: String,
    pub sale_pos: bool,
    pub sale_online: bool,
    /// Empty for the default of 999 per day.
    pub daily_stock: String,
    pub capacity: String,
    pub minimum_age: String,
    /// One of [`PICTOGRAMS`], or empty.
    pub pictogram: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NumberError {
    #[error("not a whole number")]
    NotAWholeNumber,
    #[error("out of range")]
    OutOfRange,
}

impl ErrorCode for NumberError {
    fn code(&self) -> &'static str {
        match self {
            NumberError::NotAWholeNumber => "not_a_whole_number",
            NumberError::OutOfRange => "out_of_range",
        }
    }
}

/// An optional whole number within `min..=max`; empty means none.
pub fn optional_number(input: &str, min: i64, max: i64) -> Result<Option<i64>, NumberError> {
    let s = input.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let n: i64 = s.parse().map_err(|_| NumberError::NotAWholeNumber)?;
    if n < min || n > max {
        return Err(NumberError::OutOfRange);
    }
    Ok(Some(n))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("unknown pictogram")]
pub struct UnknownPictogram;

impl ErrorCode for UnknownPictogram {
    fn code(&self) -> &'static str {
        "unknown_value"
    }
}

impl ItemInput {
    pub fn parse(&self) -> Result<ItemDetails, FieldErrors> {
        let mut e = FieldErrors::new();
        let name = e.check("name", text::required(&self.name, 80));
        let name_nl = e.check("name_nl", text::optional(&self.name_nl, 80));
        let name_en = e.check("name_en", text::optional(&self.name_en, 80));
        let description = e.check("description", text::optional(&self.description, 500));
        let description_nl = e.check("description_nl", text::optional(&self.description_nl, 500));
        let description_en = e.check("description_en", text::optional(&self.description_en, 500));
        let daily_stock = e
            .check(
                "daily_stock",
                optional_number(&self.daily_stock, 0, 1_000_000),
            )
            .map(|n| n.unwrap_or(DEFAULT_DAILY_STOCK));
        let capacity = e.check("capacity", optional_number(&self.capacity, 0, 1_000_000));
        let minimum_age = e.check("minimum_age", optional_number(&self.minimum_age, 0, 120));
        let pictogram = match self.pictogram.trim() {
            "" => Some(None),
            p if PICTOGRAMS.contains(&p) => Some(Some(p.to_owned())),
            _ => e.check("pictogram", Err::<Option<String>, _>(UnknownPictogram)),
        };
        if !self.sale_pos && !self.sale_online {
            e.add("sale_pos", "no_sale_channel");
        }
        match (
            name,
            name_nl,
            name_en,
            description,
            description_nl,
            description_en,
            daily_stock,
            capacity,
            minimum_age,
            pictogram,
        ) {
            (
                Some(name),
                Some(name_nl),
                Some(name_en),
                Some(description),
                Some(description_nl),
                Some(description_en),
                Some(daily_stock),
                Some(capacity),
                Some(minimum_age),
                Some(pictogram),
            ) if e.is_empty() => Ok(ItemDetails {
                name,
                name_nl,
                name_en,
                description,
                description_nl,
                description_en,
                sale_pos: self.sale_pos,
                sale_online: self.sale_online,
                daily_stock,
                capacity,
                minimum_age,
                pictogram,
            }),
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_errors() {
        let ok = ItemInput {
            name: "Ticket adulte".into(),
            sale_pos: true,
            ..Default::default()
        }
        .parse()
        .unwrap();
        assert_eq!(ok.daily_stock, 999);
        assert_eq!(ok.capacity, None);
        let e = ItemInput {
            name: "".into(),
            daily_stock: "-1".into(),
            minimum_age: "deux".into(),
            pictogram: "dragon".into(),
            ..Default::default()
        }
        .parse()
        .unwrap_err();
        assert_eq!(e.get("name"), Some("required"));
        assert_eq!(e.get("daily_stock"), Some("out_of_range"));
        assert_eq!(e.get("minimum_age"), Some("not_a_whole_number"));
        assert_eq!(e.get("pictogram"), Some("unknown_value"));
        assert_eq!(e.get("sale_pos"), Some("no_sale_channel"));
    }
}
