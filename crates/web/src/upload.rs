//! Multipart uploads, read the same way for every page and endpoint that takes a file
//! (offer photos, product photos, ticket type and extra pictures, customer imports): the
//! `file` field's name and bytes, and the other fields as text. A body cut short or over the
//! route's size limit is an error on `file` with the upload's own code (`image_too_large`,
//! `import_too_large`); a missing file is `file` `required` where the file is required.

use crate::error::AppError;
use axum::extract::Multipart;

/// What is uploaded, for the code of an upload too large to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A photo or picture (JPEG, PNG or WebP, at most 5 MB).
    Image,
    /// A customer spreadsheet (`guichet_integrations::imports::MAX_BYTES`).
    Import,
}

impl Kind {
    fn too_large(self) -> &'static str {
        match self {
            Kind::Image => "image_too_large",
            Kind::Import => "import_too_large",
        }
    }
}

/// A multipart body read whole.
#[derive(Debug, Default)]
pub struct Upload {
    /// The `file` field's file name as the browser sent it (empty when none).
    pub file_name: String,
    /// The `file` field's bytes (empty when no file was sent).
    pub file: Vec<u8>,
    /// The other named fields in order; `None` for a field whose text could not be read.
    texts: Vec<(String, Option<String>)>,
}

impl Upload {
    /// Reads every field. A field sent twice keeps its last value, as a form would.
    pub async fn read(mut multipart: Multipart, kind: Kind) -> Result<Upload, AppError> {
        let too_large = || AppError::field("file", kind.too_large());
        let mut upload = Upload::default();
        while let Some(field) = multipart.next_field().await.map_err(|_| too_large())? {
            match field.name().map(str::to_owned) {
                Some(name) if name == "file" => {
                    upload.file_name = field.file_name().unwrap_or_default().to_owned();
                    upload.file = field.bytes().await.map_err(|_| too_large())?.to_vec();
                }
                Some(name) => {
                    let text = field.text().await.ok();
                    upload.texts.push((name, text));
                }
                None => {}
            }
        }
        Ok(upload)
    }

    /// Whether the form sent the field at all (a ticked checkbox).
    pub fn has(&self, name: &str) -> bool {
        self.texts.iter().any(|(n, _)| n == name)
    }

    /// A text field, empty when absent or unreadable.
    pub fn text(&self, name: &str) -> &str {
        self.last(name).and_then(|t| t.as_deref()).unwrap_or("")
    }

    /// A text field that must be readable when sent: an unreadable one is `name` `invalid`;
    /// an absent one is empty.
    pub fn readable_text(&self, name: &str) -> Result<&str, AppError> {
        match self.last(name) {
            None => Ok(""),
            Some(Some(t)) => Ok(t),
            Some(None) => Err(AppError::field(name, "invalid")),
        }
    }

    /// The file, which must be there: `file` `required` when none or an empty one was sent.
    pub fn required_file(&self) -> Result<&[u8], AppError> {
        if self.file.is_empty() {
            return Err(AppError::field("file", "required"));
        }
        Ok(&self.file)
    }

    fn last(&self, name: &str) -> Option<&Option<String>> {
        self.texts
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, t)| t)
    }
}
