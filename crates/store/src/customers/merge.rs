//! Erasure on request, duplicates and their merge, notes.

use super::*;

/// Erases a customer on request: every personal field is emptied and consents withdrawn; the
/// record stays (marked erased) so orders, payments and the journal — which holds no personal
/// data — stay whole and still verify. What else names them goes in the same transaction
/// (see [`forget_traces`]); stored import files are the caller's (they must be read to know).
pub async fn erase(tx: &mut Tx, tenant: Tenant, id: CustomerId) -> Result<Customer> {
    let before = get(tx, tenant, id).await?;
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE customers SET first_name = NULL, last_name = NULL, company = NULL, email = NULL, phone = NULL,
         street = NULL, city = NULL, postal_code = NULL, birth_date = NULL, iban = NULL, bic = NULL, tags = '',
         notes = NULL, consent_email_at = NULL, consent_sms_at = NULL, consent_post_at = NULL, search = '',
         language = NULL, custom_values = '{}', erased_at = $3, updated_at = $3
         WHERE organization_id = $1 AND id = $2 AND erased_at IS NULL")
        .bind(tenant.id().0)
        .bind(id.0)
        .bind(now_micros())
        .execute(c)
        .await?
        .rows_affected());
    if n == 0 {
        return Err(StoreError::Refused("already_erased"));
    }
    forget_traces(tx, tenant, id, before.email.as_deref()).await?;
    get(tx, tenant, id).await
}

/// What names an erased customer outside their record: the free-text comments of their
/// orders (the figures stay: orders, lines, payments and the journal carry no personal
/// data), the notes of their reservations, the names of the duplicates merged into them, the
/// e-mails written to them, and a booking cart of theirs still at the payment provider.
async fn forget_traces(
    tx: &mut Tx,
    tenant: Tenant,
    id: CustomerId,
    email: Option<&str>,
) -> Result<()> {
    let org = tenant.id().0;
    on_tx!(tx, c => sqlx::query(
        "UPDATE orders SET customer_comment = NULL, internal_comment = NULL
         WHERE organization_id = $1 AND customer_id = $2
         AND (customer_comment IS NOT NULL OR internal_comment IS NOT NULL)")
        .bind(org).bind(id.0).execute(c).await?.rows_affected());
    on_tx!(tx, c => sqlx::query(
        "UPDATE reservations SET note = NULL WHERE organization_id = $1 AND customer_id = $2 AND note IS NOT NULL")
        .bind(org).bind(id.0).execute(c).await?.rows_affected());
    on_tx!(tx, c => sqlx::query(
        "UPDATE customer_merges SET merged_name = '' WHERE organization_id = $1 AND kept_id = $2")
        .bind(org).bind(id.0).execute(c).await?.rows_affected());
    crate::outbox::forget_customer(tx, tenant, id, email).await?;
    if let Some(email) = email {
        crate::online_carts::forget_email(tx, tenant, email).await?;
    }
    Ok(())
}

/// id, first name, last name, e-mail, phone, postal code.
type CandidateRow = (
    Uuid,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// What the duplicates search compares, for every customer not erased.
pub async fn candidates(
    tx: &mut Tx,
    tenant: Tenant,
) -> Result<Vec<guichet_domain::duplicates::Candidate<CustomerId>>> {
    let rows: Vec<CandidateRow> = on_tx!(tx, c => sqlx::query_as(
            "SELECT id, first_name, last_name, email, phone, postal_code FROM customers
             WHERE organization_id = $1 AND erased_at IS NULL")
            .bind(tenant.id().0)
            .fetch_all(c)
            .await?);
    Ok(rows
        .into_iter()
        .map(
            |(id, first, last, email, phone, postal_code)| guichet_domain::duplicates::Candidate {
                id: CustomerId(id),
                name: format!("{} {}", first.unwrap_or_default(), last.unwrap_or_default()),
                email,
                phone,
                postal_code,
            },
        )
        .collect())
}

/// Folds `absorbed` into `kept`: its orders move over, what `kept` lacks is taken from it
/// (contact, address, bank details, type…), tags are joined, notes put one after the other,
/// each consent kept with its earliest date; then `absorbed` is removed and the merge logged.
pub async fn merge(
    tx: &mut Tx,
    tenant: Tenant,
    kept: CustomerId,
    absorbed: CustomerId,
    by: Option<UserId>,
) -> Result<Customer> {
    if kept == absorbed {
        return Err(StoreError::Refused("same_customer"));
    }
    let k = get(tx, tenant, kept).await?;
    let a = get(tx, tenant, absorbed).await?;
    if k.erased_at.is_some() || a.erased_at.is_some() {
        return Err(StoreError::Refused("customer_erased"));
    }
    let org = tenant.id().0;
    on_tx!(tx, c => sqlx::query("UPDATE orders SET customer_id = $3 WHERE organization_id = $1 AND customer_id = $2")
        .bind(org).bind(absorbed.0).bind(kept.0).execute(c).await?.rows_affected());
    crate::outbox::move_customer(tx, tenant, absorbed, kept).await?;
    let or = |x: &Option<String>, y: &Option<String>| x.clone().or_else(|| y.clone());
    let earliest = |x: Option<i64>, y: Option<i64>| match (x, y) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    };
    let mut tags = k.tags.clone();
    for t in &a.tags {
        if !tags.iter().any(|x| guichet_domain::text::same_text(x, t)) {
            tags.push(t.clone());
        }
    }
    let notes = match (&k.notes, &a.notes) {
        (Some(x), Some(y)) => Some(format!("{x}\n{y}")),
        (x, y) => x.clone().or_else(|| y.clone()),
    };
    let merged = CustomerDetails {
        first_name: or(&k.first_name, &a.first_name),
        last_name: or(&k.last_name, &a.last_name),
        email: or(&k.email, &a.email),
        phone: or(&k.phone, &a.phone),
        origin: if k.origin.postal_code.is_some() || a.origin.postal_code.is_none() {
            k.origin.clone()
        } else {
            a.origin.clone()
        },
        status: if k.status == CustomerStatus::Customer || a.status == CustomerStatus::Customer {
            CustomerStatus::Customer
        } else {
            CustomerStatus::Prospect
        },
        company: or(&k.company, &a.company),
        street: or(&k.street, &a.street),
        city: or(&k.city, &a.city),
        language: or(&k.language, &a.language),
        birth_date: or(&k.birth_date, &a.birth_date).and_then(|d| d.parse().ok()),
        discount_bp: if k.discount_bp > 0 {
            k.discount_bp
        } else {
            a.discount_bp
        },
        vat_exempt: k.vat_exempt || a.vat_exempt,
        institutional: k.institutional || a.institutional,
        iban: or(&k.iban, &a.iban),
        bic: or(&k.bic, &a.bic),
        balance_limit_cents: k.balance_limit_cents.or(a.balance_limit_cents),
        loyalty: k.loyalty || a.loyalty,
        tags,
        notes,
        consent_email: false,
        consent_sms: false,
        consent_post: false,
        customer_type_id: k.customer_type_id.or(a.customer_type_id),
        custom: {
            let mut m = a.custom.clone();
            m.extend(k.custom.clone());
            m
        },
    };
    update(tx, tenant, kept, &merged).await?;
    // Consents: each kept with the date it was first given by either record.
    on_tx!(tx, c => sqlx::query(
        "UPDATE customers SET consent_email_at = $3, consent_sms_at = $4, consent_post_at = $5
         WHERE organization_id = $1 AND id = $2")
        .bind(org).bind(kept.0)
        .bind(earliest(k.consent_email_at, a.consent_email_at))
        .bind(earliest(k.consent_sms_at, a.consent_sms_at))
        .bind(earliest(k.consent_post_at, a.consent_post_at))
        .execute(c).await?.rows_affected());
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO customer_merges (id, organization_id, kept_id, merged_id, merged_name, merged_by, merged_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(Uuid::now_v7()).bind(org).bind(kept.0).bind(absorbed.0).bind(&a.display_name)
        .bind(by.map(|u| u.0)).bind(now_micros())
        .execute(c).await?.rows_affected());
    on_tx!(tx, c => sqlx::query("DELETE FROM customers WHERE organization_id = $1 AND id = $2")
        .bind(org).bind(absorbed.0).execute(c).await?.rows_affected());
    get(tx, tenant, kept).await
}

/// The merges folded into a customer: (merged name, when).
pub async fn merges_into(
    tx: &mut Tx,
    tenant: Tenant,
    id: CustomerId,
) -> Result<Vec<(String, i64)>> {
    Ok(on_tx!(tx, c => sqlx::query_as(
        "SELECT merged_name, merged_at FROM customer_merges WHERE organization_id = $1 AND kept_id = $2 ORDER BY merged_at")
        .bind(tenant.id().0).bind(id.0).fetch_all(c).await?))
}

/// Adds a line to the customer's notes (a comment made at the register during a sale).
pub async fn add_note(tx: &mut Tx, tenant: Tenant, id: CustomerId, note: &str) -> Result<Customer> {
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE customers SET notes = CASE WHEN notes IS NULL OR notes = '' THEN $3 ELSE notes || $5 || $3 END,
         updated_at = $4 WHERE organization_id = $1 AND id = $2 AND erased_at IS NULL")
        .bind(tenant.id().0)
        .bind(id.0)
        .bind(note)
        .bind(now_micros())
        .bind("\n")
        .execute(c)
        .await?
        .rows_affected());
    if n == 0 {
        get(tx, tenant, id).await?;
        return Err(StoreError::Refused("customer_erased"));
    }
    get(tx, tenant, id).await
}
