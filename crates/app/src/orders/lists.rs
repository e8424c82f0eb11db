//! Orders and payments between two days.

use super::search::OrderSearch;
use super::*;
use crate::organization::zone;
use crate::paging::{self, Page};
use guichet_store::orders::{OrderKey, PaymentLineKey};
use jiff::civil::Date;

/// Which orders, and which page of them.
#[derive(Debug, Clone, Default)]
pub struct OrderListQuery {
    pub search: OrderSearch,
    /// The cursor of the page (`next` of the previous one).
    pub after: Option<String>,
    pub limit: Option<u32>,
}

/// A page of the orders a search finds, newest first.
pub async fn list(
    state: &App,
    actor: &Actor,
    query: &OrderListQuery,
) -> Result<Page<OrderSummary>, AppError> {
    actor.require(Permission::Sell)?;
    let limit = paging::limit(query.limit)?;
    let after = query.after.as_deref().map(parse_cursor).transpose()?;
    let filter = super::search::filter(state, actor, &query.search).await?;
    let tenant = actor.tenant;
    let fetch = limit as i64 + 1;
    let rows = state
        .store
        .read(|tx| Box::pin(async move { orders::list(tx, tenant, &filter, after, fetch).await }))
        .await?;
    Ok(paging::page(rows, limit, |o| cursor(OrderKey::of(o))))
}

/// `created_at.id`, e.g. `1765013400000000.0193…`.
fn cursor(key: OrderKey) -> String {
    format!("{}.{}", key.created_at, key.id.simple())
}

fn parse_cursor(raw: &str) -> Result<OrderKey, AppError> {
    let (at, id) = raw.split_once('.').ok_or_else(paging::bad_cursor)?;
    Ok(OrderKey {
        created_at: at.parse().map_err(|_| paging::bad_cursor())?,
        id: id.parse().map_err(|_| paging::bad_cursor())?,
    })
}

/// Which payments, and which page of them.
#[derive(Debug, Clone, Default)]
pub struct PaymentListQuery {
    /// First and last day, YYYY-MM-DD.
    pub from: String,
    pub to: String,
    /// The cursor of the page (`next` of the previous one).
    pub after: Option<String>,
    pub limit: Option<u32>,
}

/// A page of the payments taken between two days, one row per line they paid, newest first.
pub async fn list_payments(
    state: &App,
    actor: &Actor,
    query: &PaymentListQuery,
) -> Result<Page<PaymentLine>, AppError> {
    actor.require(Permission::Sell)?;
    let limit = paging::limit(query.limit)?;
    let after = query
        .after
        .as_deref()
        .map(parse_payment_cursor)
        .transpose()?;
    read_payments(state, actor, &query.from, &query.to, after, limit).await
}

/// Every payment taken between two days, one row per line they paid (the back office's list
/// and the accountant's export): read a thousand rows at a time, page after page, with no cap.
pub async fn payment_lines(
    state: &App,
    actor: &Actor,
    from: &str,
    to: &str,
) -> Result<Vec<PaymentLine>, AppError> {
    actor.require(Permission::Sell)?;
    let mut all = Vec::new();
    let mut after = None;
    loop {
        let page = read_payments(state, actor, from, to, after, paging::MAX_LIMIT as usize).await?;
        after = page.items.last().map(PaymentLineKey::of);
        all.extend(page.items);
        if page.next.is_none() {
            return Ok(all);
        }
    }
}

async fn read_payments(
    state: &App,
    actor: &Actor,
    from: &str,
    to: &str,
    after: Option<PaymentLineKey>,
    limit: usize,
) -> Result<Page<PaymentLine>, AppError> {
    let (from, to) = crate::planning::date_range(from, to)?;
    let (a, b) = instants(from, to, &zone(state, actor).await?)?;
    let tenant = actor.tenant;
    let fetch = limit as i64 + 1;
    let rows = state
        .store
        .read(|tx| {
            Box::pin(async move { orders::payment_lines(tx, tenant, a, b, after, fetch).await })
        })
        .await?;
    Ok(paging::page(rows, limit, |p| {
        payment_cursor(PaymentLineKey::of(p))
    }))
}

/// `taken_at.payment_id.number`, e.g. `1765013400000000.0193….2`.
fn payment_cursor(key: PaymentLineKey) -> String {
    format!(
        "{}.{}.{}",
        key.taken_at,
        key.payment_id.simple(),
        key.number
    )
}

fn parse_payment_cursor(raw: &str) -> Result<PaymentLineKey, AppError> {
    let mut parts = raw.split('.');
    let (Some(at), Some(id), Some(number), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(paging::bad_cursor());
    };
    Ok(PaymentLineKey {
        taken_at: at.parse().map_err(|_| paging::bad_cursor())?,
        payment_id: id.parse().map_err(|_| paging::bad_cursor())?,
        number: number.parse().map_err(|_| paging::bad_cursor())?,
    })
}

/// `[start of from, start of the day after to)` in the zone, as microseconds.
pub(crate) fn instants(
    from: Date,
    to: Date,
    tz: &jiff::tz::TimeZone,
) -> Result<(i64, i64), AppError> {
    let start = |d: Date| {
        d.to_zoned(tz.clone())
            .map(|z| z.timestamp().as_microsecond())
            .map_err(|_| AppError::field("to", "out_of_range"))
    };
    let next = to
        .tomorrow()
        .map_err(|_| AppError::field("to", "out_of_range"))?;
    Ok((start(from)?, start(next)?))
}

/// The payments taken between two days as a spreadsheet for the accountant's reconciliation
/// (the seeds' "Fichier csv pour une réconciliation comptable"): one row per line they paid.
pub async fn export_payments(
    state: &App,
    actor: &Actor,
    from: &str,
    to: &str,
    format: crate::files::Format,
) -> Result<crate::files::File, AppError> {
    use guichet_integrations::exports::{Cell, Table};
    let rows = payment_lines(state, actor, from, to).await?;
    let zone = crate::organization::zone(state, actor).await?;
    let tr = guichet_integrations::i18n::Tr(actor.lang);
    let table = Table {
        headers: [
            "collections-number",
            "label-date",
            "order-collected",
            "label-vat",
            "payment-fees",
            "payment-method",
            "order-total",
            "order-offer",
            "collections-item",
            "order-customer",
            "payment-invoice-number",
            "payment-seller",
        ]
        .iter()
        .map(|k| tr.t(k))
        .collect(),
        rows: rows
            .into_iter()
            .map(|r| {
                vec![
                    Cell::Text(r.reference),
                    Cell::instant(Some(r.taken_at), &zone),
                    Cell::Money(r.amount_cents),
                    Cell::Money(r.vat_cents),
                    Cell::Money(r.fees_cents),
                    Cell::Text(tr.method(&r.method)),
                    Cell::Money(r.line_total_cents),
                    Cell::Text(r.offer_name.unwrap_or_default()),
                    Cell::Text(r.label),
                    Cell::Text(r.customer_name.unwrap_or_default()),
                    // Guichet issues no invoices yet: the seed's column, empty.
                    Cell::Text(String::new()),
                    Cell::Text(r.seller_name.unwrap_or_default()),
                ]
            })
            .collect(),
    };
    crate::files::table_file(
        &table,
        format,
        actor.lang,
        "Encaissements",
        &format!("encaissements-{from}-{to}"),
    )
}
