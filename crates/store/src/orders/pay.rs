//! Payments and refunds on an order: allocated to its lines, written, journaled; and which
//! payment methods the organization has switched off.

use super::read::get;
use super::{NewPayment, Order, OrderLine, ROWS_PER_INSERT, journal_chain, session_for_sale};
use crate::batch::{Arg, Batch};
use crate::journal::{
    self,
    records::{self, PaymentFacts},
};
use crate::{Result, StoreError, Tenant, Tx, now_micros, on_tx};
use guichet_domain::order::{OrderState, PaymentMethod, allocate};
use guichet_domain::{OrderId, PaymentId, RegisterId, RegisterSessionId, UserId};
use uuid::Uuid;

/// Takes payments (or, negative, refunds) on a finalized order: allocated to the lines in
/// order (refunds from the last line back), journaled, and the order's state follows.
pub async fn add_payments(
    tx: &mut Tx,
    tenant: Tenant,
    id: OrderId,
    register: Option<RegisterId>,
    payments: &[NewPayment],
    by: Option<UserId>,
) -> Result<Order> {
    lock(tx, tenant, id).await?;
    let mut order = get(tx, tenant, id).await?;
    let register = register.or(order.register_id);
    let session = session_for_sale(tx, tenant, register).await?;
    pay(tx, tenant, &mut order, (register, session), payments, by).await?;
    get(tx, tenant, id).await
}

/// Takes the order's row lock before the order is read, so that concurrent payments on one
/// order queue up and each reads what the one before it collected and allocated (PostgreSQL;
/// SQLite writes one transaction at a time anyway). Without it, two payments read the same
/// `collected_cents` and the second overwrote the first's.
async fn lock(tx: &mut Tx, tenant: Tenant, id: OrderId) -> Result<()> {
    on_tx!(tx, c => sqlx::query(
        "UPDATE orders SET payment_lines = payment_lines WHERE organization_id = $1 AND id = $2")
        .bind(tenant.id().0).bind(id.0)
        .execute(c).await?.rows_affected());
    Ok(())
}

/// A payment with its share of each line, in the lines' order.
pub(super) struct Allocated<'p> {
    pub(super) payment: &'p NewPayment,
    pub(super) shares: Vec<i64>,
    /// When it is taken: its own time, else the transaction's ([`number_payment_lines`]).
    pub(super) at: i64,
    /// The payment line number of each share that is not zero, in the lines' order.
    pub(super) numbers: Vec<i32>,
}

impl Allocated<'_> {
    /// (line position, amount) of each payment line, with its number.
    pub(super) fn payment_lines<'a>(
        &'a self,
        lines: &'a [OrderLine],
    ) -> impl Iterator<Item = (&'a OrderLine, i64, i32)> + 'a {
        lines
            .iter()
            .zip(&self.shares)
            .filter(|(_, s)| **s != 0)
            .zip(&self.numbers)
            .map(|((l, s), n)| (l, *s, *n))
    }
}

/// How many payment lines (shares that are not zero) the payments make.
pub(super) fn payment_line_count(paid: &[Allocated<'_>]) -> i32 {
    let n = paid
        .iter()
        .map(|a| a.shares.iter().filter(|s| **s != 0).count())
        .sum::<usize>();
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// Numbers the payment lines from `first` on, payment after payment and line after line
/// (every one its own number, refunds included), and times the payments that have no time of
/// their own at `now`.
pub(super) fn number_payment_lines(paid: &mut [Allocated<'_>], first: i32, now: i64) {
    let mut next = first;
    for a in paid {
        a.at = a.payment.at.unwrap_or(now);
        let n = payment_line_count(std::slice::from_ref(a));
        a.numbers = (next..next + n).collect();
        next += n;
    }
}

/// Allocates payments one after the other to what each line still has due (a refund to what
/// it has been paid, from the last line back), moving the lines' paid amounts on.
pub(super) fn allocate_payments<'p>(
    state: OrderState,
    lines: &mut [OrderLine],
    payments: &'p [NewPayment],
) -> Result<Vec<Allocated<'p>>> {
    let mut out = Vec::with_capacity(payments.len());
    for p in payments {
        if state == OrderState::Quote {
            return Err(StoreError::Refused("quote_not_payable"));
        }
        if state == OrderState::Cancelled && p.amount_cents >= 0 {
            return Err(StoreError::Refused("order_cancelled"));
        }
        if p.amount_cents == 0 {
            return Err(StoreError::Invalid("amount".into(), "amount_zero"));
        }
        let room: Vec<i64> = if p.amount_cents > 0 {
            let amounts: Vec<(i64, u32)> = lines
                .iter()
                .map(|l| (l.total_cents, l.vat_rate_basis_points))
                .collect();
            guichet_domain::order::payable(&amounts)
                .iter()
                .zip(lines.iter())
                .map(|(payable, l)| payable - l.paid_cents)
                .collect()
        } else {
            lines.iter().map(|l| l.paid_cents).collect()
        };
        let Some(shares) = allocate(p.amount_cents, &room) else {
            return Err(StoreError::Invalid(
                "amount".into(),
                if p.amount_cents > 0 {
                    "more_than_due"
                } else {
                    "more_than_paid"
                },
            ));
        };
        for (line, share) in lines.iter_mut().zip(&shares) {
            line.paid_cents += share;
        }
        out.push(Allocated {
            payment: p,
            shares,
            at: 0,
            numbers: Vec::new(),
        });
    }
    Ok(out)
}

/// Pushes allocated and numbered payments into `batch` (one INSERT for the payments, one for
/// their allocations) and returns their ids and journal entries, and whether one is paid with
/// store credit (then [`crate::accounts::check_credit`] must pass once the batch has run).
#[allow(clippy::too_many_arguments)]
pub(super) fn push_payments(
    batch: &mut Batch,
    tenant: Tenant,
    order: OrderId,
    number: Option<&str>,
    (register, session): (Option<RegisterId>, Option<RegisterSessionId>),
    lines: &[OrderLine],
    paid: &[Allocated<'_>],
    by: Option<UserId>,
) -> (Vec<PaymentId>, Vec<journal::Entry>, bool) {
    if paid.is_empty() {
        return (Vec::new(), Vec::new(), false);
    }
    let org = tenant.id().0;
    let ids: Vec<Uuid> = paid.iter().map(|_| Uuid::now_v7()).collect();
    for chunk in ids
        .iter()
        .zip(paid)
        .collect::<Vec<_>>()
        .chunks(ROWS_PER_INSERT)
    {
        let mut sql = String::from(
            "INSERT INTO payments (id, organization_id, order_id, register_id, method, amount_cents, tendered_cents,
             change_cents, taken_at, taken_by, session_id) VALUES ",
        );
        crate::push_placeholders(&mut sql, chunk.len(), 11);
        let mut args: Vec<Arg> = Vec::with_capacity(chunk.len() * 11);
        for (pid, a) in chunk {
            let p = a.payment;
            args.extend([
                Arg::from(**pid),
                org.into(),
                order.0.into(),
                register.map(|r| r.0).into(),
                p.method.as_str().into(),
                p.amount_cents.into(),
                p.tendered_cents.into(),
                p.change_cents.into(),
                a.at.into(),
                by.map(|u| u.0).into(),
                session.map(|x| x.0).into(),
            ]);
        }
        batch.push(sql, args);
    }
    let allocations: Vec<(Uuid, Uuid, i64, i32)> = ids
        .iter()
        .zip(paid)
        .flat_map(|(pid, a)| a.payment_lines(lines).map(|(l, s, n)| (*pid, l.id.0, s, n)))
        .collect();
    let store_credit = paid
        .iter()
        .any(|a| a.payment.method == PaymentMethod::StoreCredit);
    for chunk in allocations.chunks(ROWS_PER_INSERT) {
        let mut sql = String::from(
            "INSERT INTO payment_allocations (payment_id, line_id, organization_id, amount_cents, order_id, number) VALUES ",
        );
        crate::push_placeholders(&mut sql, chunk.len(), 6);
        let mut args: Vec<Arg> = Vec::with_capacity(chunk.len() * 6);
        for (pid, line, amount, number) in chunk {
            args.extend([
                Arg::from(*pid),
                (*line).into(),
                org.into(),
                (*amount).into(),
                order.0.into(),
                (*number).into(),
            ]);
        }
        batch.push(sql, args);
    }
    let entries = ids
        .iter()
        .zip(paid)
        .map(|(pid, a)| {
            let p = a.payment;
            let allocations: Vec<(i32, i64, i32)> = a
                .payment_lines(lines)
                .map(|(l, share, n)| (l.position, share, n))
                .collect();
            journal::Entry {
                kind: records::payment_kind(p.amount_cents),
                order_id: Some(order.0),
                payment_id: Some(*pid),
                sales_delta_cents: 0,
                payments_delta_cents: p.amount_cents,
                record: records::payment(&PaymentFacts {
                    number,
                    at: a.at,
                    method: p.method.as_str(),
                    amount_cents: p.amount_cents,
                    tendered_cents: p.tendered_cents,
                    change_cents: p.change_cents,
                    allocations: &allocations,
                }),
            }
        })
        .collect();
    (
        ids.into_iter().map(PaymentId).collect(),
        entries,
        store_credit,
    )
}

/// Records payments against `order` as loaded in this transaction, and brings the loaded order
/// up to date (paid per line, collected, state).
pub(super) async fn pay(
    tx: &mut Tx,
    tenant: Tenant,
    order: &mut Order,
    (register, session): (Option<RegisterId>, Option<RegisterSessionId>),
    payments: &[NewPayment],
    by: Option<UserId>,
) -> Result<()> {
    if payments.is_empty() {
        return Ok(());
    }
    let mut paid = allocate_payments(order.state, &mut order.lines, payments)?;
    let collected = order.collected_cents + payments.iter().map(|p| p.amount_cents).sum::<i64>();
    let state = if order.state == OrderState::Cancelled {
        OrderState::Cancelled
    } else {
        OrderState::after_payment(order.total_cents, collected)
    };
    // The order's row is the counter of its payment lines: incrementing it takes the row's
    // lock, so concurrent payments on one order never share a number.
    let count = payment_line_count(&paid);
    let last: i32 = on_tx!(tx, c => sqlx::query_scalar(
        "UPDATE orders SET collected_cents = $3, state = $4, payment_lines = payment_lines + $5
         WHERE organization_id = $1 AND id = $2 RETURNING payment_lines")
        .bind(tenant.id().0).bind(order.id.0).bind(collected).bind(state.as_str()).bind(count)
        .fetch_one(c).await?);
    number_payment_lines(&mut paid, last - count + 1, now_micros());
    let mut batch = Batch::default();
    let (_, entries, store_credit) = push_payments(
        &mut batch,
        tenant,
        order.id,
        order.number.as_deref(),
        (register, session),
        &order.lines,
        &paid,
        by,
    );
    batch.run(tx).await?;
    if store_credit {
        crate::accounts::check_credit(tx, tenant, order.id.0).await?;
    }
    journal::append_all(tx, tenant, &journal_chain(register), entries).await?;
    order.collected_cents = collected;
    order.state = state;
    Ok(())
}

/// Payment methods the organization has switched off.
pub async fn disabled_methods(tx: &mut Tx, tenant: Tenant) -> Result<Vec<PaymentMethod>> {
    let rows: Vec<String> = on_tx!(tx, c => sqlx::query_scalar(DISABLED)
        .bind(tenant.id().0).fetch_all(c).await?);
    Ok(methods_of(rows))
}

const DISABLED: &str =
    "SELECT method FROM payment_method_settings WHERE organization_id = $1 AND NOT enabled";

/// [`disabled_methods`] pushed into a batch of reads (`orders::sale_reads`).
pub(crate) fn push_disabled_methods(batch: &mut Batch, tenant: Tenant) -> usize {
    batch.push_rows(DISABLED, vec![tenant.id().0.into()])
}

pub(crate) fn got_disabled_methods(
    ran: &crate::batch::Ran,
    i: usize,
) -> Result<Vec<PaymentMethod>> {
    let rows: Vec<(String,)> = ran.rows(i)?;
    Ok(methods_of(rows.into_iter().map(|(m,)| m).collect()))
}

fn methods_of(rows: Vec<String>) -> Vec<PaymentMethod> {
    rows.iter()
        .filter_map(|m| PaymentMethod::parse(m))
        .collect()
}

pub async fn set_method_enabled(
    tx: &mut Tx,
    tenant: Tenant,
    method: PaymentMethod,
    enabled: bool,
) -> Result<()> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO payment_method_settings (organization_id, method, enabled) VALUES ($1, $2, $3)
         ON CONFLICT (organization_id, method) DO UPDATE SET enabled = excluded.enabled")
        .bind(tenant.id().0).bind(method.as_str()).bind(enabled).execute(c).await?.rows_affected());
    Ok(())
}
