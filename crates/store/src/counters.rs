//! Gapless numbers: order and quote numbers, Z numbers, internal barcodes, supplier orders,
//! and any later one (invoices, vouchers). Each is a row of `counters`, per organization,
//! incremented in the transaction of what it numbers: a transaction that rolls back gives its
//! number back, and two transactions never get the same one (the increment is one
//! `INSERT … ON CONFLICT DO UPDATE … RETURNING`, which takes the row's lock on PostgreSQL;
//! SQLite has one writer). Never `MAX(number) + 1`, which two concurrent transactions can
//! both read before either writes. An order (or quote) takes its time once its number is, in
//! the same transaction, so that a later number never carries an earlier time. (An order's
//! payment line numbers, `_N`, count on the order's own row instead: `orders.payment_lines`,
//! see `orders::pay`.)

use crate::{Result, Tenant, Tx, on_tx};
use guichet_domain::RegisterId;

/// What a number counts. Its [`key`](Counter::key) names the row, so a key never changes
/// once numbers were given from it (that would restart the numbering).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counter {
    /// Order numbers of one local day (`P2103160795`): the sequence restarts every day.
    Order(jiff::civil::Date),
    /// Quote numbers of one local day (`D2103160003`), a sequence of their own.
    Quote(jiff::civil::Date),
    /// A register's Z numbers, from 1 (migration 0028 carried existing Zs over).
    Z(RegisterId),
    /// Internal EAN-13 barcodes of products that have none.
    InternalBarcode,
    /// Supplier orders (`CF-000001`).
    SupplierOrder,
}

impl Counter {
    /// The `counters.name` of this counter.
    pub fn key(self) -> String {
        match self {
            Counter::Order(day) => format!("order:{}", day.strftime("%Y%m%d")),
            Counter::Quote(day) => format!("quote:{}", day.strftime("%Y%m%d")),
            // The hyphenated lower-case UUID: migration 0028 writes the same text.
            Counter::Z(register) => format!("z:{register}"),
            Counter::InternalBarcode => "internal_barcode".to_owned(),
            Counter::SupplierOrder => "supplier_order".to_owned(),
        }
    }
}

const NEXT: &str = "INSERT INTO counters (organization_id, name, value) VALUES ($1, $2, 1)
     ON CONFLICT (organization_id, name) DO UPDATE SET value = counters.value + 1
     RETURNING value";

/// The next number of `counter`, in the caller's transaction: 1 for a counter never used.
pub async fn next(tx: &mut Tx, tenant: Tenant, counter: Counter) -> Result<i64> {
    let name = counter.key();
    let value = on_tx!(tx, c => sqlx::query_scalar(NEXT)
        .bind(tenant.id().0)
        .bind(&name)
        .fetch_one(c)
        .await?);
    if let Some(hot) = tx.hot() {
        hot.set_counter(tenant.id().0, &name, value);
    }
    Ok(value)
}

/// [`next`] pushed into a batch; its row is `(value,)`.
pub(crate) fn push_next(
    batch: &mut crate::batch::Batch,
    tenant: Tenant,
    counter: Counter,
) -> usize {
    batch.push_returning(NEXT, vec![tenant.id().0.into(), counter.key().into()])
}

/// The number after `last`, the value the one SQLite writer remembers (`crate::hot`), pushed
/// into a batch: a statement expected to change one row, which changes none if `last` is not
/// the counter's value any more.
pub(crate) fn push_after(
    batch: &mut crate::batch::Batch,
    tenant: Tenant,
    counter: Counter,
    last: i64,
) -> usize {
    let i = batch.push(
        "UPDATE counters SET value = $3 WHERE organization_id = $1 AND name = $2 AND value = $4",
        vec![
            tenant.id().0.into(),
            counter.key().into(),
            (last + 1).into(),
            last.into(),
        ],
    );
    batch.expect_one(i)
}

/// The last number `counter` gave, 0 if none (reading takes nothing).
pub async fn current(tx: &mut Tx, tenant: Tenant, counter: Counter) -> Result<i64> {
    let name = counter.key();
    let value: Option<i64> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT value FROM counters WHERE organization_id = $1 AND name = $2")
        .bind(tenant.id().0)
        .bind(&name)
        .fetch_optional(c)
        .await?);
    Ok(value.unwrap_or(0))
}

/// The next order number of the organization's local `day`.
pub async fn order_number(tx: &mut Tx, tenant: Tenant, day: jiff::civil::Date) -> Result<String> {
    let seq = next(tx, tenant, Counter::Order(day)).await?;
    Ok(guichet_domain::order::order_number(day, seq))
}

/// The next quote number of the organization's local `day`.
pub async fn quote_number(tx: &mut Tx, tenant: Tenant, day: jiff::civil::Date) -> Result<String> {
    let seq = next(tx, tenant, Counter::Quote(day)).await?;
    Ok(guichet_domain::order::quote_number(day, seq))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_the_stored_names() {
        let d = jiff::civil::date(2021, 3, 16);
        assert_eq!(Counter::Order(d).key(), "order:20210316");
        assert_eq!(Counter::Quote(d).key(), "quote:20210316");
        let r = RegisterId(uuid::Uuid::from_u128(
            0x0123_4567_89ab_cdef_0123_4567_89ab_cdef,
        ));
        assert_eq!(
            Counter::Z(r).key(),
            "z:01234567-89ab-cdef-0123-456789abcdef"
        );
        assert_eq!(Counter::InternalBarcode.key(), "internal_barcode");
        assert_eq!(Counter::SupplierOrder.key(), "supplier_order");
    }
}
