//! What a use case can answer instead of a result. Each error has a stable code; how it is
//! shown (an HTTP status, a page, a line on the terminal) is the channel's business.

use guichet_domain::FieldErrors;
use guichet_store::StoreError;

#[derive(Debug)]
pub enum AppError {
    /// Not signed in, or the API key is unknown or revoked.
    Unauthorized,
    /// Signed in, but the role does not allow it.
    Forbidden,
    NotFound,
    /// Input that does not parse; every bad field is listed.
    Invalid(FieldErrors),
    /// A rule refused the operation (stable code, e.g. `last_admin`).
    Conflict(&'static str),
    /// Too many failed sign-ins.
    TooManyAttempts,
    Internal(String),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Duplicate(field) => {
                let mut errors = FieldErrors::new();
                errors.add(field, "already_exists");
                AppError::Invalid(errors)
            }
            StoreError::InUse => AppError::Conflict("in_use"),
            StoreError::Invalid(field, code) => AppError::field(&field, code),
            StoreError::Refused(code) => AppError::Conflict(code),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<FieldErrors> for AppError {
    fn from(e: FieldErrors) -> Self {
        AppError::Invalid(e)
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AppError::Invalid(e) => {
                write!(f, "{}:", self.code())?;
                for fe in &e.0 {
                    write!(f, " {} {}", fe.field, fe.code)?;
                }
                Ok(())
            }
            AppError::Internal(detail) => write!(f, "internal error: {detail}"),
            other => f.write_str(other.code()),
        }
    }
}

impl std::error::Error for AppError {}

impl AppError {
    /// The stable code (the API problem's `code`).
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Unauthorized => "unauthorized",
            AppError::Forbidden => "forbidden",
            AppError::NotFound => "not_found",
            AppError::Invalid(_) => "validation_failed",
            AppError::Conflict(code) => code,
            AppError::TooManyAttempts => "too_many_attempts",
            AppError::Internal(_) => "internal_error",
        }
    }

    /// A one-field validation error.
    pub fn field(field: &str, code: &str) -> AppError {
        let mut e = FieldErrors::new();
        e.add(field, code);
        AppError::Invalid(e)
    }
}
