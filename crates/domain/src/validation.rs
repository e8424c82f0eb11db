//! Field-level validation errors, shown next to form fields and listed in API problems.

use serde::Serialize;

/// A message key from the translation catalogue (`error-…`), so that pages can show it in
/// the user's language while the API returns a stable code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    /// Stable code, e.g. `required`, `invalid_email`, `too_long`.
    pub code: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: &str, code: &str) {
        self.0.push(FieldError {
            field: field.to_owned(),
            code: code.to_owned(),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The first error code on a field, if any.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.code.as_str())
    }

    /// Runs a parser and records its error under `field`, returning the value when valid.
    pub fn check<T, E: ErrorCode>(&mut self, field: &str, result: Result<T, E>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.add(field, e.code());
                None
            }
        }
    }

    /// `Ok(())` when there is nothing to report.
    pub fn into_result(self) -> Result<(), FieldErrors> {
        if self.is_empty() { Ok(()) } else { Err(self) }
    }
}

/// Errors that can be reported against a field have a stable code.
pub trait ErrorCode {
    fn code(&self) -> &'static str;
}

impl ErrorCode for crate::money::VatRateError {
    fn code(&self) -> &'static str {
        match self {
            Self::NotANumber => "not_a_number",
            Self::TooPrecise => "too_precise",
            Self::OutOfRange => "out_of_range",
        }
    }
}
