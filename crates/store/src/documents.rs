//! What is printed from an order: how many times each document (the receipt, the tickets) was
//! printed — every print after the first is a DUPLICATA, and a journal entry — and the
//! organization's ticket signing key.

use crate::journal;
use crate::{Result, StoreError, Tenant, Tx, now_micros, on_tx};
use guichet_domain::OrderId;
use serde_json::json;
use uuid::Uuid;

/// A printed document of an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Document {
    Receipt,
    Tickets,
}

impl Document {
    pub fn as_str(self) -> &'static str {
        match self {
            Document::Receipt => "receipt",
            Document::Tickets => "tickets",
        }
    }
}

/// Counts one more print of `document` and returns its copy number: 0 for the original, n for
/// DUPLICATA n (journaled on the order's chain, with who and when left out of the hash).
pub async fn record_print(
    tx: &mut Tx,
    tenant: Tenant,
    order: OrderId,
    document: Document,
) -> Result<i64> {
    let head: Option<(Option<String>, Option<Uuid>)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT number, register_id FROM orders WHERE organization_id = $1 AND id = $2")
        .bind(tenant.id().0)
        .bind(order.0)
        .fetch_optional(c)
        .await?);
    let Some((number, register)) = head else {
        return Err(StoreError::NotFound);
    };
    let count: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO prints (organization_id, order_id, document, count) VALUES ($1, $2, $3, 1)
         ON CONFLICT (organization_id, order_id, document) DO UPDATE SET count = prints.count + 1
         RETURNING count")
        .bind(tenant.id().0)
        .bind(order.0)
        .bind(document.as_str())
        .fetch_one(c)
        .await?);
    let copy = count - 1;
    if copy > 0 {
        let chain = journal::chain_of(register);
        journal::append_all(
            tx,
            tenant,
            &chain,
            vec![journal::Entry {
                kind: "duplicate",
                order_id: Some(order.0),
                payment_id: None,
                sales_delta_cents: 0,
                payments_delta_cents: 0,
                record: json!({"number": number, "document": document.as_str(), "copy": copy, "at": now_micros()}),
            }],
        )
        .await?;
    }
    Ok(copy)
}

/// The organization's ticket signing key (secret, public), made from `fresh` on first use.
pub async fn ticket_key(
    tx: &mut Tx,
    tenant: Tenant,
    fresh: [u8; 32],
) -> Result<([u8; 32], [u8; 32])> {
    if let Some(k) = existing_ticket_key(tx, tenant).await? {
        return Ok(k);
    }
    let public = guichet_domain::ticket::public_key(&fresh);
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO ticket_keys (organization_id, secret_key, public_key, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (organization_id) DO NOTHING")
        .bind(tenant.id().0)
        .bind(fresh.as_slice())
        .bind(public.as_slice())
        .bind(now_micros())
        .execute(c)
        .await?
        .rows_affected());
    existing_ticket_key(tx, tenant)
        .await?
        .ok_or_else(|| StoreError::Other("the ticket key was not kept".into()))
}

/// The key, if it was made already (a read transaction can ask).
pub async fn existing_ticket_key(
    tx: &mut Tx,
    tenant: Tenant,
) -> Result<Option<([u8; 32], [u8; 32])>> {
    let row: Option<(Vec<u8>, Vec<u8>)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT secret_key, public_key FROM ticket_keys WHERE organization_id = $1")
        .bind(tenant.id().0)
        .fetch_optional(c)
        .await?);
    match row {
        None => Ok(None),
        Some((s, p)) => {
            let s: [u8; 32] = s
                .try_into()
                .map_err(|_| StoreError::Other("bad ticket key".into()))?;
            let p: [u8; 32] = p
                .try_into()
                .map_err(|_| StoreError::Other("bad ticket key".into()))?;
            Ok(Some((s, p)))
        }
    }
}
