//! Sending e-mail through the organization's SMTP server, by `lettre`. The server is named by
//! a URL: `smtp://user:password@host:587?tls=required` (STARTTLS), `smtps://…:465` (TLS from
//! the start), `smtp://host:25` (plain, for a relay on the same network).

use lettre::message::{Mailbox, header::ContentType};
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
    let from: Mailbox = config
        .from
        .parse()
        .map_err(|e: lettre::address::AddressError| MailError::Address(e.to_string()))?;
    let to: Mailbox = to
        .parse()
        .map_err(|e: lettre::address::AddressError| MailError::Address(e.to_string()))?;
    let message = Message::builder()
        .from(from)
        .to(to)
        .subject(subject)
        .header(ContentType::TEXT_PLAIN)
        .body(body.to_owned())
        .map_err(|e| MailError::Address(e.to_string()))?;
    let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&config.url)
        .map_err(|e| MailError::Url(e.to_string()))?
        .build();
    transport
        .send(message)
        .await
        .map(|_| ())
        .map_err(|e| MailError::Smtp(e.to_string()))
}
