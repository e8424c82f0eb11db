//! E-mails to send through SMTP, kept in the database until sent: queued in the transaction
//! of what caused them, taken by the background sender, retried with a growing delay.

use crate::{Result, Tenant, Tx, now_micros, on_tx};
use guichet_domain::CustomerId;
use guichet_domain::mail::{Attachment, Outgoing};
use uuid::Uuid;

/// After this many failures an e-mail is left alone (its error stays to read).
pub const MAX_ATTEMPTS: i64 = 8;

/// An e-mail due, with all the sender needs to send it whole.
#[derive(Debug, Clone)]
pub struct Email {
    pub id: Uuid,
    pub to_address: String,
    pub message: Outgoing,
    pub attempts: i64,
}

#[derive(sqlx::FromRow)]
struct EmailRow {
    id: Uuid,
    to_address: String,
    subject: String,
    body: String,
    html: Option<String>,
    attempts: i64,
}

#[derive(sqlx::FromRow)]
struct AttachmentRow {
    filename: String,
    content_type: String,
    inline_id: Option<String>,
    bytes: Vec<u8>,
}

pub async fn enqueue(
    tx: &mut Tx,
    tenant: Tenant,
    to: &str,
    subject: &str,
    body: &str,
) -> Result<Uuid> {
    insert(tx, tenant, None, to, &Outgoing::text(subject, body)).await
}

/// An e-mail to a customer: it names them, so their erasure finds it whatever their address
/// is by then (see [`forget_customer`]).
pub async fn enqueue_for_customer(
    tx: &mut Tx,
    tenant: Tenant,
    customer: CustomerId,
    to: &str,
    subject: &str,
    body: &str,
) -> Result<Uuid> {
    insert(
        tx,
        tenant,
        Some(customer),
        to,
        &Outgoing::text(subject, body),
    )
    .await
}

/// An e-mail with an HTML part and files. With `customer`, it names them (see
/// [`enqueue_for_customer`]): pass it whenever the e-mail is written to a customer.
pub async fn enqueue_message(
    tx: &mut Tx,
    tenant: Tenant,
    customer: Option<CustomerId>,
    to: &str,
    message: &Outgoing,
) -> Result<Uuid> {
    insert(tx, tenant, customer, to, message).await
}

async fn insert(
    tx: &mut Tx,
    tenant: Tenant,
    customer: Option<CustomerId>,
    to: &str,
    m: &Outgoing,
) -> Result<Uuid> {
    let id = Uuid::now_v7();
    let now = now_micros();
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO outbox_emails (id, organization_id, customer_id, to_address, subject, body, html, created_at,
         next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)")
        .bind(id).bind(tenant.id().0).bind(customer.map(|c| c.0)).bind(to).bind(&m.subject).bind(&m.text)
        .bind(&m.html).bind(now)
        .execute(c).await?.rows_affected());
    for (position, a) in (0i64..).zip(&m.attachments) {
        on_tx!(tx, c => sqlx::query(
            "INSERT INTO outbox_attachments (id, email_id, position, filename, content_type, inline_id, bytes)
             VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(Uuid::now_v7()).bind(id).bind(position).bind(&a.filename).bind(&a.content_type)
            .bind(&a.inline_id).bind(&a.bytes)
            .execute(c).await?.rows_affected());
    }
    Ok(id)
}

/// Erasure: every e-mail written to the customer, or to their address, goes — sent or not.
/// A sent one is history nobody reads (the reservation keeps when its customer was told);
/// one not sent yet must not reach a person who asked to be forgotten. Its files go with it
/// (`ON DELETE CASCADE`).
pub async fn forget_customer(
    tx: &mut Tx,
    tenant: Tenant,
    customer: CustomerId,
    email: Option<&str>,
) -> Result<u64> {
    Ok(on_tx!(tx, c => sqlx::query(
        "DELETE FROM outbox_emails WHERE organization_id = $1
         AND (customer_id = $2 OR ($3 <> '' AND LOWER(to_address) = LOWER($3)))")
        .bind(tenant.id().0).bind(customer.0).bind(email.unwrap_or_default().trim())
        .execute(c).await?.rows_affected()))
}

/// A merge: the absorbed customer's e-mails now name the one kept.
pub async fn move_customer(
    tx: &mut Tx,
    tenant: Tenant,
    from: CustomerId,
    to: CustomerId,
) -> Result<()> {
    on_tx!(tx, c => sqlx::query(
        "UPDATE outbox_emails SET customer_id = $3 WHERE organization_id = $1 AND customer_id = $2")
        .bind(tenant.id().0).bind(from.0).bind(to.0).execute(c).await?.rows_affected());
    Ok(())
}

/// E-mails due now, oldest first (every organization's: the sender serves them all), each
/// with its files.
pub async fn due(tx: &mut Tx, limit: i64) -> Result<Vec<Email>> {
    let rows: Vec<EmailRow> = on_tx!(tx, c => sqlx::query_as(
        "SELECT id, to_address, subject, body, html, attempts FROM outbox_emails
         WHERE sent_at IS NULL AND attempts < $1 AND next_attempt_at <= $2 ORDER BY next_attempt_at, id LIMIT $3")
        .bind(MAX_ATTEMPTS).bind(now_micros()).bind(limit).fetch_all(c).await?);
    let mut emails: Vec<Email> = rows
        .into_iter()
        .map(|r| Email {
            id: r.id,
            to_address: r.to_address,
            message: Outgoing {
                subject: r.subject,
                text: r.body,
                html: r.html,
                attachments: Vec::new(),
            },
            attempts: r.attempts,
        })
        .collect();
    // At most `limit` small queries, and only when e-mails are due.
    for email in &mut emails {
        let id = email.id;
        let files: Vec<AttachmentRow> = on_tx!(tx, c => sqlx::query_as(
            "SELECT filename, content_type, inline_id, bytes FROM outbox_attachments
             WHERE email_id = $1 ORDER BY position")
            .bind(id).fetch_all(c).await?);
        email.message.attachments = files
            .into_iter()
            .map(|f| Attachment {
                filename: f.filename,
                content_type: f.content_type,
                bytes: f.bytes,
                inline_id: f.inline_id,
            })
            .collect();
    }
    Ok(emails)
}

pub async fn mark_sent(tx: &mut Tx, id: Uuid) -> Result<()> {
    on_tx!(tx, c => sqlx::query("UPDATE outbox_emails SET sent_at = $2, last_error = NULL WHERE id = $1")
        .bind(id).bind(now_micros()).execute(c).await?.rows_affected());
    Ok(())
}

/// A failed attempt: tried again after 30 s, 1 min, 2 min… (doubling).
pub async fn mark_failed(tx: &mut Tx, id: Uuid, attempts: i64, error: &str) -> Result<()> {
    let delay = 30_000_000i64.saturating_mul(1 << attempts.clamp(0, 20));
    on_tx!(tx, c => sqlx::query(
        "UPDATE outbox_emails SET attempts = attempts + 1, last_error = $2, next_attempt_at = $3 WHERE id = $1")
        .bind(id).bind(error.chars().take(500).collect::<String>()).bind(now_micros().saturating_add(delay))
        .execute(c).await?.rows_affected());
    Ok(())
}

/// The organization's e-mails not sent yet (queued or failing), for its pages.
pub async fn pending(tx: &mut Tx, tenant: Tenant) -> Result<i64> {
    Ok(on_tx!(tx, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM outbox_emails WHERE organization_id = $1 AND sent_at IS NULL")
        .bind(tenant.id().0).fetch_one(c).await?))
}
