//! Public slugs, the names in public addresses (`/book/{organization}/{module}`): lower-case
//! letters, digits and single dashes. Organizations and booking modules both have one.

use crate::text;
use crate::validation::ErrorCode;

/// Not a slug: the field error `invalid_slug`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("invalid slug")]
pub struct SlugError;

impl ErrorCode for SlugError {
    fn code(&self) -> &'static str {
        "invalid_slug"
    }
}

/// Longest public slug (of an organization or a module).
pub const SLUG_MAX: usize = 60;

/// A public slug as typed: lower-case letters, digits and single dashes between them
/// (`grottes-de-han`), at most [`SLUG_MAX`] characters.
pub fn parse(input: &str) -> Result<String, SlugError> {
    let s = input.trim();
    let valid = !s.is_empty()
        && s.len() <= SLUG_MAX
        && s.split('-').all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        });
    if valid {
        Ok(s.to_owned())
    } else {
        Err(SlugError)
    }
}

/// The slug a name gives: accents removed, lower case, every run of other characters one
/// dash, cut to [`SLUG_MAX`]; `None` when nothing is left (a name of punctuation only).
pub fn from_name(name: &str) -> Option<String> {
    let folded = text::search_key(name)
        .replace('œ', "oe")
        .replace('æ', "ae")
        .replace('ß', "ss");
    let mut slug = String::new();
    for c in folded.chars() {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.truncate(SLUG_MAX);
    let slug = slug.trim_end_matches('-').to_owned();
    (!slug.is_empty()).then_some(slug)
}

/// The slug with a number appended to tell it from taken ones (`grottes-2`), cut so that
/// the whole stays within [`SLUG_MAX`].
pub fn with_suffix(slug: &str, n: u32) -> String {
    let suffix = format!("-{n}");
    let mut base = slug.to_owned();
    base.truncate(SLUG_MAX - suffix.len());
    format!("{}{suffix}", base.trim_end_matches('-'))
}
