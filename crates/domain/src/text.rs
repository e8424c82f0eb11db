//! Free text fields: trimmed, required or optional, bounded in length.

use crate::validation::ErrorCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("required")]
    Required,
    #[error("too long")]
    TooLong,
    #[error("control characters")]
    ControlCharacters,
}

impl ErrorCode for TextError {
    fn code(&self) -> &'static str {
        match self {
            TextError::Required => "required",
            TextError::TooLong => "too_long",
            TextError::ControlCharacters => "invalid_characters",
        }
    }
}

/// A required single-line text of at most `max` characters, trimmed.
pub fn required(input: &str, max: usize) -> Result<String, TextError> {
    match optional(input, max)? {
        Some(s) => Ok(s),
        None => Err(TextError::Required),
    }
}

/// An optional single-line text: empty or blank becomes `None`.
pub fn optional(input: &str, max: usize) -> Result<Option<String>, TextError> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    if trimmed.chars().count() > max {
        return Err(TextError::TooLong);
    }
    if trimmed.chars().any(char::is_control) {
        return Err(TextError::ControlCharacters);
    }
    Ok(Some(trimmed.to_owned()))
}

/// An optional text of several lines (a note): like [`optional`], but line breaks and
/// tabs are kept, every line break written `\n` (a note typed on Windows or imported from a
/// spreadsheet cell of several lines reads the same).
pub fn optional_multiline(input: &str, max: usize) -> Result<Option<String>, TextError> {
    let text = input.trim().replace("\r\n", "\n").replace('\r', "\n");
    if text.is_empty() {
        return Ok(None);
    }
    if text.chars().count() > max {
        return Err(TextError::TooLong);
    }
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(TextError::ControlCharacters);
    }
    Ok(Some(text))
}

/// Two names are the same for people when they differ only by case or surrounding
/// blanks (`Réservation` = `RÉSERVATION `); used to refuse confusing duplicates.
pub fn same_text(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// The search form of a text: lower case, accents removed (NFKD, combining marks dropped),
/// blanks collapsed. Stored beside names so that "peluche" finds "Peluché" on every backend.
pub fn search_key(input: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let folded: String = input
        .nfkd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .collect::<String>()
        .to_lowercase();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_bounds() {
        assert_eq!(required("  Han  ", 10), Ok("Han".to_owned()));
        assert_eq!(required("   ", 10), Err(TextError::Required));
        assert_eq!(optional("", 10), Ok(None));
        assert_eq!(optional("abcdefghijk", 10), Err(TextError::TooLong));
        assert_eq!(optional("a\u{0}b", 10), Err(TextError::ControlCharacters));
        assert_eq!(optional("a\nb", 10), Err(TextError::ControlCharacters));
        assert_eq!(
            optional_multiline(" a\r\nb\rc\n\td ", 10),
            Ok(Some("a\nb\nc\n\td".to_owned()))
        );
        assert_eq!(
            optional_multiline("a\u{0}b", 10),
            Err(TextError::ControlCharacters)
        );
        assert_eq!(required("éèàçüö", 6), Ok("éèàçüö".to_owned()));
        assert!(same_text(
            "Réservation par téléphone",
            " RÉSERVATION PAR TÉLÉPHONE"
        ));
        assert!(!same_text("Accueil", "Accueil 2"));
        assert_eq!(
            search_key("  Fromage de  Targnon  É "),
            "fromage de targnon e"
        );
        assert_eq!(search_key("Œuvre Ça"), "œuvre ca");
    }
}
