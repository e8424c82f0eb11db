//! Sending e-mail through the organization's SMTP server, by `lettre`. The server is named by
//! a URL: `smtp://user:password@host:587?tls=required` (STARTTLS), `smtps://…:465` (TLS from
//! the start), `smtp://host:25` (plain, for a relay on the same network).

pub use guichet_domain::mail::{Attachment, Outgoing};
use lettre::message::{
    Attachment as MailAttachment, Mailbox, MultiPart, SinglePart, header::ContentType,
};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MailConfig {
    /// The SMTP server's URL.
    pub url: String,
    /// The sender: `Librairie du Pont <contact@librairie.example>`.
    pub from: String,
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("bad address: {0}")]
    Address(String),
    #[error("bad SMTP URL: {0}")]
    Url(String),
    #[error("SMTP: {0}")]
    Smtp(String),
    /// A part the message cannot be made of (a bad content type).
    #[error("message: {0}")]
    Content(String),
}

/// Checks the configuration at start-up, so a typo is an error then, not at the first e-mail.
pub fn check(config: &MailConfig) -> Result<(), MailError> {
    config
        .from
        .parse::<Mailbox>()
        .map_err(|e| MailError::Address(e.to_string()))?;
    AsyncSmtpTransport::<Tokio1Executor>::from_url(&config.url)
        .map_err(|e| MailError::Url(e.to_string()))?;
    Ok(())
}

/// Sends one plain-text e-mail.
pub async fn send(
    config: &MailConfig,
    to: &str,
    subject: &str,
    body: &str,
) -> Result<(), MailError> {
    send_message(config, to, &Outgoing::text(subject, body)).await
}

/// Sends one e-mail, with its HTML part, inline pictures and files when it has some.
pub async fn send_message(
    config: &MailConfig,
    to: &str,
    message: &Outgoing,
) -> Result<(), MailError> {
    let message = build(&config.from, to, message)?;
    let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&config.url)
        .map_err(|e| MailError::Url(e.to_string()))?
        .build();
    transport
        .send(message)
        .await
        .map(|_| ())
        .map_err(|e| MailError::Smtp(e.to_string()))
}

/// The MIME message for `m`:
///
/// - text only: one `text/plain` part, as plain e-mails always were;
/// - with HTML: `multipart/alternative` (text, HTML), the HTML part inside a
///   `multipart/related` with the inline pictures its `cid:` links show;
/// - with files: all of that inside `multipart/mixed`, the files after it.
///
/// Inline pictures of an e-mail without HTML go with the files (nothing would show them).
pub fn build(from: &str, to: &str, m: &Outgoing) -> Result<Message, MailError> {
    let from: Mailbox = from
        .parse()
        .map_err(|e: lettre::address::AddressError| MailError::Address(e.to_string()))?;
    let to: Mailbox = to
        .parse()
        .map_err(|e: lettre::address::AddressError| MailError::Address(e.to_string()))?;
    let builder = Message::builder()
        .from(from)
        .to(to)
        .subject(m.subject.as_str());
    let (inline, files): (Vec<&Attachment>, Vec<&Attachment>) = m
        .attachments
        .iter()
        .partition(|a| a.inline_id.is_some() && m.html.is_some());
    if m.html.is_none() && files.is_empty() {
        return builder
            .header(ContentType::TEXT_PLAIN)
            .body(m.text.clone())
            .map_err(|e| MailError::Content(e.to_string()));
    }
    let body = match &m.html {
        None => Body::Single(SinglePart::plain(m.text.clone())),
        Some(html) => {
            let html = if inline.is_empty() {
                Body::Single(SinglePart::html(html.clone()))
            } else {
                let mut related = MultiPart::related().singlepart(SinglePart::html(html.clone()));
                for a in inline {
                    related = related.singlepart(part(a)?);
                }
                Body::Multi(related)
            };
            let alternative =
                MultiPart::alternative().singlepart(SinglePart::plain(m.text.clone()));
            Body::Multi(match html {
                Body::Single(p) => alternative.singlepart(p),
                Body::Multi(p) => alternative.multipart(p),
            })
        }
    };
    let message = if files.is_empty() {
        match body {
            Body::Single(p) => builder.singlepart(p),
            Body::Multi(p) => builder.multipart(p),
        }
    } else {
        let mut mixed = match body {
            Body::Single(p) => MultiPart::mixed().singlepart(p),
            Body::Multi(p) => MultiPart::mixed().multipart(p),
        };
        for a in files {
            mixed = mixed.singlepart(part(a)?);
        }
        builder.multipart(mixed)
    };
    message.map_err(|e| MailError::Content(e.to_string()))
}

enum Body {
    Single(SinglePart),
    Multi(MultiPart),
}

/// One attachment as a MIME part: inline (by its Content-ID, under its file name) or a file.
fn part(a: &Attachment) -> Result<SinglePart, MailError> {
    let content_type = ContentType::parse(&a.content_type)
        .map_err(|e| MailError::Content(format!("{}: {e}", a.content_type)))?;
    let attachment = match (&a.inline_id, a.filename.is_empty()) {
        (Some(id), false) => MailAttachment::new_inline_with_name(id.clone(), a.filename.clone()),
        (Some(id), true) => MailAttachment::new_inline(id.clone()),
        (None, _) => MailAttachment::new(a.filename.clone()),
    };
    Ok(attachment.body(a.bytes.clone(), content_type))
}

/// `text` made safe inside HTML, between tags or in a quoted attribute.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn formatted(m: &Outgoing) -> String {
        let message = build(
            "Grottes <contact@grottes.example>",
            "visiteur@example.be",
            m,
        )
        .unwrap();
        String::from_utf8(message.formatted()).unwrap()
    }

    #[test]
    fn a_plain_email_stays_one_text_part() {
        let out = formatted(&Outgoing::text("Hello", "Just text."));
        assert!(out.contains("Content-Type: text/plain"), "{out}");
        assert!(!out.contains("multipart"), "{out}");
        assert!(out.contains("Just text."), "{out}");
    }

    #[test]
    fn html_inline_pictures_and_files_each_have_their_part() {
        let m = Outgoing {
            subject: "Booking".into(),
            text: "Your tickets.".into(),
            html: Some("<p>Your tickets.</p><img src=\"cid:qr-1\">".into()),
            attachments: vec![
                Attachment {
                    filename: "ticket-1.png".into(),
                    content_type: "image/png".into(),
                    bytes: vec![0x89, b'P', b'N', b'G', 0, 1, 2, 255],
                    inline_id: Some("qr-1".into()),
                },
                Attachment {
                    filename: "visit.ics".into(),
                    content_type: "text/calendar; charset=utf-8".into(),
                    bytes: b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
                        .to_vec(),
                    inline_id: None,
                },
            ],
        };
        let out = formatted(&m);
        for expected in [
            "multipart/mixed",
            "multipart/alternative",
            "multipart/related",
            "Content-Type: text/plain",
            "Content-Type: text/html",
            "Content-Type: image/png",
            "Content-ID: <qr-1>",
            "Content-Disposition: inline",
            "Content-Type: text/calendar",
            "filename=\"visit.ics\"",
            "BEGIN:VEVENT",
        ] {
            assert!(out.contains(expected), "{expected} missing in:\n{out}");
        }
        // The text comes before the HTML: clients show the last alternative they can read.
        assert!(out.find("text/plain") < out.find("text/html"), "{out}");
    }

    #[test]
    fn a_bad_content_type_is_an_error_not_a_panic() {
        let mut m = Outgoing::text("x", "y");
        m.attachments.push(Attachment {
            filename: "a".into(),
            content_type: "not a type".into(),
            bytes: vec![],
            inline_id: None,
        });
        let r = build("a@example.be", "b@example.be", &m);
        assert!(matches!(r, Err(MailError::Content(_))));
    }

    #[test]
    fn html_escaping_covers_tags_quotes_and_ampersands() {
        assert_eq!(
            escape_html(r#"<b>"Tom" & 'Jerry'</b>"#),
            "&lt;b&gt;&quot;Tom&quot; &amp; &#39;Jerry&#39;&lt;/b&gt;"
        );
    }
}
