//! An e-mail as a value: what the outbox keeps (`store`) and the SMTP sender sends
//! (`integrations::mail`). It lives here, below both, because neither of those crates may
//! depend on the other; it has no rules and no IO.

/// One e-mail: a plain-text part always (every client can read it), an HTML part and files
/// when there are some.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outgoing {
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
    pub attachments: Vec<Attachment>,
}

/// A file sent with an e-mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// The name a mail client shows and saves it under (`visit.ics`).
    pub filename: String,
    /// The MIME type (`image/png`, `text/calendar; charset=utf-8`).
    pub content_type: String,
    pub bytes: Vec<u8>,
    /// The Content-ID the HTML part shows it by (`<img src="cid:…">`): an inline picture
    /// rather than a file to open.
    pub inline_id: Option<String>,
}

impl Outgoing {
    /// A plain-text e-mail, as every e-mail was before HTML and files.
    pub fn text(subject: impl Into<String>, text: impl Into<String>) -> Outgoing {
        Outgoing {
            subject: subject.into(),
            text: text.into(),
            html: None,
            attachments: Vec::new(),
        }
    }
}
