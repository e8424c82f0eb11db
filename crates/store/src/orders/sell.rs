//! A sale (or a quote saved): the order, its lines, what it takes, its payments and its
//! journal entries, in the caller's transaction.

use super::pay::{
    Allocated, allocate_payments, number_payment_lines, payment_line_count, push_payments,
};
use super::read::{by_idempotency_key, get};
use super::stock::{LimitRow, Refusal, Takes, consume_reserved, push_takes, take_products};
use super::{
    LineKind, NewLine, NewOrder, Order, OrderLine, Payment, ROWS_PER_INSERT, flagged, journal_chain,
};
use crate::batch::{Arg, Batch};
use crate::counters::Counter;
use crate::hot::Hot;
use crate::journal::{
    self,
    records::{self, LineFacts, OrderFacts},
};
use crate::{Result, StoreError, Tenant, Tx, now_micros};
use guichet_domain::order::OrderState;
use guichet_domain::{OrderId, OrderLineId, RegisterId, RegisterSessionId};
use uuid::Uuid;

/// Creates an order (or a quote) with its payments, in one transaction, and returns it as
/// [`get`] would read it, built from what was written rather than read again. With an
/// idempotency key already used, returns the existing order and writes nothing.
///
/// A sale is a dozen statements whatever its size: the number, the order row with its final
/// state, the lines in one INSERT, one conditional statement per session, daily stock,
/// equipment and product taken, the payments and their allocations in one INSERT each, and the
/// journal's. Payments are allocated in memory first, so nothing is written twice. On SQLite
/// they are three calls to the database (the register's session with the number; the order,
/// what it takes and its payments with the journal's head; the journal's entries): see
/// `crate::batch`.
pub async fn create(tx: &mut Tx, tenant: Tenant, o: &NewOrder) -> Result<Order> {
    if let Some(key) = &o.idempotency_key
        && let Some(id) = by_idempotency_key(tx, tenant, key).await?
    {
        return get(tx, tenant, id).await;
    }
    let id = OrderId(Uuid::now_v7());
    let mut lines = new_lines(&o.lines);
    if o.quote {
        let quote = crate::counters::quote_number(tx, tenant, o.day).await?;
        let head = Head {
            number: None,
            quote_number: Some(quote),
            state: OrderState::Quote,
            collected_cents: 0,
            created_at: o.at.unwrap_or_else(now_micros),
            finalized_at: None,
            session: None,
            payment_lines: 0,
        };
        let mut batch = Batch::default();
        push_order(&mut batch, tenant, id, o, &head);
        push_lines(&mut batch, tenant, id, &o.lines, &lines);
        batch.run(tx).await?;
        return Ok(as_created(id, o, head, lines, Vec::new()));
    }
    if let Some(hot) = tx.hot().cloned()
        && let Some(order) = create_remembered(tx, tenant, o, &hot).await?
    {
        return Ok(order);
    }
    // The register's session and the number: one call on SQLite.
    let mut first = Batch::default();
    let touch = o
        .register_id
        .map(|r| crate::register_sessions::push_touch(&mut first, tenant, r));
    let counter = crate::counters::push_next(&mut first, tenant, Counter::Order(o.day));
    let ran = first.run(tx).await?;
    let session = match (o.register_id, touch) {
        (Some(register), Some(i)) => {
            let touched: Option<(Uuid,)> = ran.row(i)?;
            crate::register_sessions::after_touch(
                tx,
                tenant,
                register,
                o.register_kind,
                touched.map(|(s,)| RegisterSessionId(s)),
            )
            .await?
        }
        _ => None,
    };
    let (seq,): (i64,) = ran
        .row(counter)?
        .ok_or_else(|| StoreError::Other("the order counter returned no row".into()))?;
    if let Some(hot) = tx.hot() {
        let org = tenant.id().0;
        hot.set_counter(org, &Counter::Order(o.day).key(), seq);
        if let Some(r) = o.register_id {
            hot.set_session(org, r.0, session.map(|s| s.0));
        }
    }
    let number = guichet_domain::order::order_number(o.day, seq);
    // The cart's held places, after the number: every sale locks the counter row before the
    // session rows, so two sales never wait on each other in opposite orders (an online
    // booking taking its holds first deadlocked with register sales on PostgreSQL).
    if let Some(cart) = &o.hold_cart {
        crate::holds::take_for_sale(tx, tenant, cart, now_micros()).await?;
    }
    // Now that the number is taken (its counter row stays locked until this transaction ends),
    // the time: a later number never carries an earlier time.
    let at = o.at.unwrap_or_else(now_micros);
    let (head, paid) = sale_head(o, &number, at, session, &mut lines)?;
    // The order, its lines, what it takes and its payments are one batch (one call on
    // SQLite, see `crate::batch`), in this order; what needs a statement's answer runs alone.
    let mut batch = Batch::default();
    push_order(&mut batch, tenant, id, o, &head);
    push_lines(&mut batch, tenant, id, &o.lines, &lines);
    let takes = limit_rows(o);
    let sells_products = takes.iter().any(|l| l.product_id.is_some());
    if o.customer_id.is_some() && sells_products {
        // What was set aside for the customer is consumed first; it refers to the order's row.
        batch.run(tx).await?;
        batch = Batch::default();
        consume_reserved(tx, tenant, &takes, o.created_by, (id, o.customer_id)).await?;
    }
    let Pushed {
        refusals,
        entries,
        payment_ids,
        store_credit,
    } = push_sale(
        &mut batch,
        tenant,
        id,
        o,
        (&head, &number),
        &takes,
        (&lines, &paid),
    );
    let chain = journal_chain(o.register_id);
    // The journal's head goes last in the batch, unless the sale still has rows to lock after
    // it (product stock, reservations): the head is always the last row a sale locks, so no two
    // transactions wait on each other in opposite orders (a cancellation gives stock back, then
    // journals).
    let journal_head = if sells_products || !o.deposits_used.is_empty() {
        None
    } else {
        Some(journal::push_head(&mut batch, tenant, &chain, &entries)?)
    };
    let ran = batch.run(tx).await?;
    if let Some(refused) = refusals.refused(&ran) {
        return Err(refused.error(tx, tenant).await);
    }
    if sells_products {
        take_products(tx, tenant, &takes, &number, at, o.created_by).await?;
    }
    crate::reservations::use_deposits(
        tx,
        tenant,
        id,
        &o.deposits_used,
        o.customer_id.is_some() && sells_products,
    )
    .await?;
    if store_credit {
        crate::accounts::check_credit(tx, tenant, id.0).await?;
    }
    if let Some(customer) = o.customer_id {
        crate::accounts::check_limit(tx, tenant, customer).await?;
    }
    match journal_head {
        Some(i) => journal::append_after_head(tx, tenant, &chain, entries, &ran, i).await?,
        None => journal::append_all(tx, tenant, &chain, entries).await?,
    };
    let payments = created_payments(o, &lines, payment_ids, &paid);
    Ok(as_created(id, o, head, lines, payments))
}

/// What the order's lines take, with the limits the pricing read.
fn limit_rows(o: &NewOrder) -> Vec<LimitRow> {
    o.lines
        .iter()
        .zip(1..)
        .map(|(l, position)| LimitRow {
            position,
            kind: l.kind.as_str().to_owned(),
            offer_id: l.offer_id.map(|x| x.0),
            session_start: l.session_start,
            visit_date: l.visit_date.map(|d| d.to_string()),
            item_id: l.item_id.map(|x| x.0),
            product_id: l.product_id.map(|x| x.0),
            quantity: l.quantity,
            capacity: l.session_capacity,
            daily_stock: l.daily_stock,
            item_capacity: l.item_capacity,
        })
        .collect()
}

/// [`create`] in one call to SQLite, for a sale that only takes places, daily stock and
/// equipment (no product stock, reservation, deposit, customer or online hold: those run the
/// general way). The number, the register's session and the journal's head are the ones the
/// writer remembers (`crate::hot`), each checked by the statement that moves it on; the whole
/// sale goes in one batch. `None` when nothing is remembered yet. When what was remembered is
/// stale, it is forgotten and the sale fails with [`StoreError::Stale`]: its transaction (or
/// its savepoint in the shared one) is rolled back and `Store::write` runs it again, the
/// general way.
async fn create_remembered(
    tx: &mut Tx,
    tenant: Tenant,
    o: &NewOrder,
    hot: &Hot,
) -> Result<Option<Order>> {
    let general = o.hold_cart.is_some()
        || !o.deposits_used.is_empty()
        || o.customer_id.is_some()
        || o.lines.iter().any(|l| l.product_id.is_some());
    if general {
        return Ok(None);
    }
    let org = tenant.id().0;
    let key = Counter::Order(o.day).key();
    let chain = journal_chain(o.register_id);
    let (Some(last), Some(before)) = (hot.counter(org, &key), hot.head(org, &chain)) else {
        return Ok(None);
    };
    let session = match o.register_id.map(|r| hot.session(org, r.0)) {
        None => None,
        Some(None) => return Ok(None),
        Some(Some(Some(s))) => Some(RegisterSessionId(s)),
        // No open session: only a register that sells while closed sells (the general way
        // refuses the others, `register_closed`).
        Some(Some(None)) if o.register_kind.is_some_and(|k| !k.needs_open_session()) => None,
        Some(Some(None)) => return Ok(None),
    };
    let id = OrderId(Uuid::now_v7());
    let seq = last + 1;
    let number = guichet_domain::order::order_number(o.day, seq);
    let at = o.at.unwrap_or_else(now_micros);
    let mut lines = new_lines(&o.lines);
    let (head, paid) = sale_head(o, &number, at, session, &mut lines)?;
    let mut batch = Batch::default();
    // The statements that check what was remembered: a mismatch is not a refusal.
    let mut checks = vec![crate::counters::push_after(
        &mut batch,
        tenant,
        Counter::Order(o.day),
        last,
    )];
    if let Some(register) = o.register_id {
        checks.push(crate::register_sessions::push_touch_remembered(
            &mut batch, tenant, register, session,
        ));
    }
    push_order(&mut batch, tenant, id, o, &head);
    push_lines(&mut batch, tenant, id, &o.lines, &lines);
    let Pushed {
        refusals,
        mut entries,
        payment_ids,
        store_credit,
    } = push_sale(
        &mut batch,
        tenant,
        id,
        o,
        (&head, &number),
        &limit_rows(o),
        (&lines, &paid),
    );
    let (moved, after) = journal::push_after(&mut batch, tenant, &chain, &mut entries, &before);
    checks.push(moved);
    let ran = match batch.run(tx).await {
        Ok(ran) if !ran.refused.is_some_and(|i| checks.contains(&i)) => ran,
        // A stale value can also fail a statement (a journal sequence already used): either
        // way the general way runs, and answers any error that is not about what was
        // remembered.
        _ => {
            hot.forget(org);
            return Err(StoreError::Stale);
        }
    };
    if let Some(refused) = refusals.refused(&ran) {
        return Err(refused.error(tx, tenant).await);
    }
    if store_credit {
        crate::accounts::check_credit(tx, tenant, id.0).await?;
    }
    hot.set_counter(org, &key, seq);
    hot.set_head(org, &chain, after);
    let payments = created_payments(o, &lines, payment_ids, &paid);
    Ok(Some(as_created(id, o, head, lines, payments)))
}

/// The order row of a sale numbered `number` at `at`, with its payments allocated to `lines`.
fn sale_head<'p>(
    o: &'p NewOrder,
    number: &str,
    at: i64,
    session: Option<RegisterSessionId>,
    lines: &mut [OrderLine],
) -> Result<(Head, Vec<Allocated<'p>>)> {
    let mut paid = allocate_payments(OrderState::AwaitingPayment, lines, &o.payments)?;
    let payment_lines = payment_line_count(&paid);
    number_payment_lines(&mut paid, 1, at);
    let collected: i64 = o.payments.iter().map(|p| p.amount_cents).sum();
    let head = Head {
        number: Some(number.to_owned()),
        quote_number: None,
        state: OrderState::after_payment(o.total_cents, collected),
        collected_cents: collected,
        created_at: at,
        finalized_at: Some(at),
        session,
        payment_lines,
    };
    Ok((head, paid))
}

/// What [`push_sale`] pushed: the conditional statements that refuse the sale, the journal's
/// entries, the payments' ids and whether store credit pays (then
/// [`crate::accounts::check_credit`] must pass once the batch has run).
struct Pushed {
    refusals: Takes,
    entries: Vec<journal::Entry>,
    payment_ids: Vec<guichet_domain::PaymentId>,
    store_credit: bool,
}

/// Pushes what a sale writes after its order and lines: the promo code's use (counted once per
/// order, in its transaction: a used-up code refuses the sale), the places and stock it takes
/// (but product stock, taken after), its payments.
fn push_sale(
    batch: &mut Batch,
    tenant: Tenant,
    id: OrderId,
    o: &NewOrder,
    (head, number): (&Head, &str),
    takes: &[LimitRow],
    (lines, paid): (&[OrderLine], &[Allocated<'_>]),
) -> Pushed {
    let mut refusals = Takes::default();
    if let Some(code) = o.promo_code_id {
        let i = crate::promotions::push_redeem(batch, tenant, code);
        refusals.push(
            batch.expect_one(i),
            Refusal::Field("promo_code", "promo_code_exhausted"),
        );
    }
    refusals.extend(push_takes(batch, tenant, takes));
    let mut entries = vec![order_entry(
        id,
        number,
        o.register_id,
        head.created_at,
        o.total_cents,
        o.vat_cents,
        lines,
    )];
    let (payment_ids, payment_entries, store_credit) = push_payments(
        batch,
        tenant,
        id,
        Some(number),
        (o.register_id, head.session),
        lines,
        paid,
        o.created_by,
    );
    entries.extend(payment_entries);
    Pushed {
        refusals,
        entries,
        payment_ids,
        store_credit,
    }
}

/// The payments just written, as [`get`] reads them.
fn created_payments(
    o: &NewOrder,
    lines: &[OrderLine],
    ids: Vec<guichet_domain::PaymentId>,
    paid: &[Allocated<'_>],
) -> Vec<Payment> {
    ids.into_iter()
        .zip(paid)
        .map(|(pid, a)| Payment {
            id: pid,
            method: a.payment.method,
            amount_cents: a.payment.amount_cents,
            tendered_cents: a.payment.tendered_cents,
            change_cents: a.payment.change_cents,
            taken_at: a.at,
            register_id: o.register_id,
            taken_by_name: o.names.created_by.clone(),
            allocations: a
                .payment_lines(lines)
                .map(|(l, s, _)| (l.position, s))
                .collect(),
            numbers: a.payment_lines(lines).map(|(_, _, n)| n).collect(),
        })
        .collect()
}

/// The order just written, as [`get`] reads it.
fn as_created(
    id: OrderId,
    o: &NewOrder,
    head: Head,
    lines: Vec<OrderLine>,
    payments: Vec<Payment>,
) -> Order {
    let amounts: Vec<(i64, u32)> = lines
        .iter()
        .map(|l| (l.total_cents, l.vat_rate_basis_points))
        .collect();
    Order {
        id,
        number: head.number,
        quote_number: head.quote_number,
        register_id: o.register_id,
        register_name: o.names.register.clone(),
        customer_id: o.customer_id,
        customer_name: o.customer_id.and(o.names.customer.clone()),
        origin: o.origin.clone(),
        flagged: flagged(head.state, head.collected_cents, o.total_cents),
        state: head.state,
        total_cents: o.total_cents,
        vat_cents: o.vat_cents,
        collected_cents: head.collected_cents,
        vat_by_rate: guichet_domain::order::totals(&amounts).by_rate,
        visit_date: o.visit_date.clone(),
        visit_start: o.visit_start,
        customer_comment: o.customer_comment.clone(),
        internal_comment: o.internal_comment.clone(),
        created_by_name: o.created_by.and(o.names.created_by.clone()),
        created_at: head.created_at,
        finalized_at: head.finalized_at,
        cancelled_at: None,
        // Its module's name is not at hand here: the online booking reads the order again.
        online: None,
        lines,
        payments,
    }
}

/// The order row's state as it is written.
struct Head {
    number: Option<String>,
    quote_number: Option<String>,
    state: OrderState,
    collected_cents: i64,
    created_at: i64,
    finalized_at: Option<i64>,
    /// The register session the order is finalized in (`guichet_domain::closing`).
    session: Option<RegisterSessionId>,
    /// Its payment lines so far (the last `_N` given).
    payment_lines: i32,
}

fn push_order(batch: &mut Batch, tenant: Tenant, id: OrderId, o: &NewOrder, h: &Head) {
    let i = batch.push(
        "INSERT INTO orders (id, organization_id, number, quote_number, register_id, state, total_cents, vat_cents,
         collected_cents, visit_date, visit_start, customer_comment, internal_comment, created_by, created_at,
         idempotency_key, customer_id, visitor_country, visitor_postal_code, visitor_province, promo_code_id, finalized_at,
         session_id, payment_lines, booking_module_id, booking_language)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26)",
        vec![
            id.0.into(),
            tenant.id().0.into(),
            h.number.clone().into(),
            h.quote_number.clone().into(),
            o.register_id.map(|r| r.0).into(),
            h.state.as_str().into(),
            o.total_cents.into(),
            o.vat_cents.into(),
            h.collected_cents.into(),
            o.visit_date.clone().into(),
            o.visit_start.into(),
            o.customer_comment.clone().into(),
            o.internal_comment.clone().into(),
            o.created_by.map(|u| u.0).into(),
            h.created_at.into(),
            o.idempotency_key.clone().into(),
            o.customer_id.map(|c| c.0).into(),
            o.origin.as_ref().map(|x| x.country.clone()).into(),
            o.origin.as_ref().and_then(|x| x.postal_code.clone()).into(),
            o.origin.as_ref().and_then(|x| x.province.clone()).into(),
            o.promo_code_id.map(|p| p.0).into(),
            h.finalized_at.into(),
            h.session.map(|x| x.0).into(),
            h.payment_lines.into(),
            o.online.as_ref().map(|(m, _)| m.0).into(),
            o.online.as_ref().map(|(_, l)| l.clone()).into(),
        ],
    );
    batch.unique(i, "idempotency_key");
}

/// The lines of a new order as they will be stored: fresh ids, positions from 1, nothing paid.
fn new_lines(new: &[NewLine]) -> Vec<OrderLine> {
    new.iter()
        .zip(1..)
        .map(|(l, position)| OrderLine {
            id: OrderLineId(Uuid::now_v7()),
            position,
            kind: l.kind,
            offer_id: l.offer_id,
            offer_name: l.offer_id.and(l.offer_name.clone()),
            session_start: l.session_start,
            visit_date: l.visit_date.map(|d| d.to_string()),
            item_id: l.item_id,
            product_id: l.product_id,
            label: l.label.clone(),
            quantity: l.quantity,
            unit_price_cents: l.unit_price_cents,
            list_price_cents: l.list_price_cents,
            price_reason: l.price_reason.clone(),
            discount_cents: l.discount_cents,
            discount_reason: l.discount_reason.clone(),
            total_cents: l.total_cents,
            vat_rate_basis_points: l.vat_rate_bp,
            vat_cents: l.vat_cents,
            paid_cents: 0,
        })
        .collect()
}

fn push_lines(
    batch: &mut Batch,
    tenant: Tenant,
    order: OrderId,
    new: &[NewLine],
    lines: &[OrderLine],
) {
    let rows: Vec<(&NewLine, &OrderLine)> = new.iter().zip(lines).collect();
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let mut sql = String::from(
            "INSERT INTO order_lines (id, organization_id, order_id, position, kind, offer_id, session_start, visit_date,
             ticket_type_id, extra_id, product_id, label, quantity, unit_price_cents, list_price_cents, price_reason,
             discount_cents, discount_reason, total_cents, vat_rate_bp, vat_cents) VALUES ",
        );
        crate::push_placeholders(&mut sql, chunk.len(), 21);
        let mut args: Vec<Arg> = Vec::with_capacity(chunk.len() * 21);
        for (l, stored) in chunk {
            let (ticket, extra) = match l.kind {
                LineKind::TicketType => (l.item_id.map(|i| i.0), None),
                LineKind::Extra => (None, l.item_id.map(|i| i.0)),
                LineKind::Product | LineKind::Deposit => (None, None),
            };
            args.extend([
                Arg::from(stored.id.0),
                tenant.id().0.into(),
                order.0.into(),
                stored.position.into(),
                l.kind.as_str().into(),
                l.offer_id.map(|o| o.0).into(),
                l.session_start.into(),
                l.visit_date.map(|d| d.to_string()).into(),
                ticket.into(),
                extra.into(),
                l.product_id.map(|p| p.0).into(),
                l.label.as_str().into(),
                l.quantity.into(),
                l.unit_price_cents.into(),
                l.list_price_cents.into(),
                l.price_reason.as_deref().into(),
                l.discount_cents.into(),
                l.discount_reason.as_deref().into(),
                l.total_cents.into(),
                i32::try_from(l.vat_rate_bp).unwrap_or(0).into(),
                l.vat_cents.into(),
            ]);
        }
        batch.push(sql, args);
    }
}

/// The journal entry of a finalized order (no personal data: no customer, no comments).
pub(super) fn order_entry(
    id: OrderId,
    number: &str,
    register: Option<RegisterId>,
    at: i64,
    total_cents: i64,
    vat_cents: i64,
    lines: &[OrderLine],
) -> journal::Entry {
    let lines: Vec<LineFacts> = lines.iter().map(LineFacts::from).collect();
    journal::Entry {
        kind: "order",
        order_id: Some(id.0),
        payment_id: None,
        sales_delta_cents: total_cents,
        payments_delta_cents: 0,
        record: records::order(&OrderFacts {
            number,
            register: &journal_chain(register),
            at,
            total_cents,
            vat_cents,
            lines: &lines,
        }),
    }
}
