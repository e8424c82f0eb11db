//! The sale use cases: price a cart by the domain's one pricing (`guichet_domain::sale`, the
//! same for the register, the phone and online), then hand the priced order to the store, which
//! takes places and stock in the same transaction; payments, quotes confirmed, cancellations.
//! Pages and API call the same functions.

pub mod attendance;
mod cashier;
mod lists;
pub(crate) mod pricing;
pub mod search;

pub use cashier::*;
pub use guichet_store::orders::{Order, OrderSummary, Payment, PaymentLine};
pub use guichet_store::orders::{OrderSummaryLine, PaymentStatus, SearchTotals};
pub use lists::*;
pub(crate) use pricing::{customer_type_of, new_payment, payments};
pub use search::{OrderSearch, SearchCriteria};

use crate::Actor;
use crate::App;
use crate::AppError;
use guichet_domain::order::{self, PaymentMethod};
use guichet_domain::refund::{self, Paid, RefundError, Refundable};
use guichet_domain::shop::parse_price_cents;
use guichet_domain::validation::{ErrorCode, FieldErrors};
use guichet_domain::{OrderId, Permission, RegisterId};
use guichet_store::orders::{self, NewOrder, NewPayment};
use guichet_store::registers::Register;
use guichet_store::{StoreError, Tx};
use serde::{Deserialize, Serialize};

/// One line of a cart: a ticket type or extra of an offer's session, or a shop product (by id
/// or barcode).
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct LineInput {
    pub offer_id: Option<String>,
    /// The session's start instant in microseconds, as the availability lists it.
    pub session_start: Option<i64>,
    /// A ticket type or extra the offer sells.
    pub item_id: Option<String>,
    pub product_id: Option<String>,
    pub barcode: Option<String>,
    pub quantity: i64,
    /// A changed unit price ("12,00"); managers and admins only, with `price_reason`.
    pub unit_price: Option<String>,
    pub price_reason: Option<String>,
    /// Make the line free ("gratuité"), with `free_reason`.
    pub free: bool,
    pub free_reason: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct PaymentInput {
    /// cash, card_terminal, virtual_terminal, bank_transfer, ancv_paper, ancv_electronic,
    /// gift_voucher, gift_card, bancontact, other.
    pub method: String,
    /// Amount handed over ("20,00"); with cash, what exceeds the amount due is change.
    pub amount: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct OrderInput {
    pub register_id: String,
    /// Save as a quote: nothing is taken or paid until it is confirmed.
    pub quote: bool,
    pub lines: Vec<LineInput>,
    /// Empty: pay later. Less than the total: a deposit.
    pub payments: Vec<PaymentInput>,
    pub customer_comment: Option<String>,
    pub internal_comment: Option<String>,
    /// The customer to attach (see `/api/v1/customers`).
    pub customer_id: Option<String>,
    /// One promo code per cart, in any case (partner passes such as MuseumPass are codes).
    pub promo_code: Option<String>,
    /// Leave out the attached customer's discount and VAT exemption this once (managers and
    /// admins).
    pub skip_customer_terms: bool,
    /// Where the visitors come from (asked for visits, not for shop-only sales); the attached
    /// customer's when not given.
    pub origin: Option<OriginInput>,
    /// A cart whose held places this sale takes (`PUT /api/v1/carts/{cart}/holds`); refused
    /// with `hold_expired` once its holds have run out.
    pub cart: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct OriginInput {
    /// ISO 3166 two-letter code; Belgium when empty.
    pub country: String,
    pub postal_code: String,
    /// For the Netherlands, instead of the postal code.
    pub province: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CancelInput {
    /// Required: kept in the internal comment.
    pub reason: String,
    /// A refund in one method (the first shape of this request; `refunds` takes several, and
    /// both may be given). Checked as each of `refunds`; its errors are on `refund.method` and
    /// `refund.amount`.
    pub refund: Option<PaymentInput>,
    /// Refunds, recorded as negative payments: each in a method the order was paid with at
    /// a register (`not_paid_with`; paid online: `refunded_online`, see `online_refund`), at
    /// most what that method brought net of earlier refunds (`more_than_paid_with`), each
    /// method once (`duplicate_method`). A customer's order may also be refunded in
    /// `store_credit` (no money goes out), as far as what was paid and the other refunds
    /// leave (`store_credit_needs_customer` without a customer). An empty or zero amount refunds nothing. Paid 20,00 €
    /// in cash and 30,00 € by card: `[{"method": "card_terminal", "amount": "30,00"},
    /// {"method": "cash", "amount": "20,00"}]` gives all back. Each refund is counted on the
    /// register that took that method's last payment.
    pub refunds: Vec<PaymentInput>,
    /// For an order paid online through Stripe: the amount to refund there ("8,50");
    /// absent: all that was paid online; empty or 0: nothing ([`crate::stripe::cancel`]).
    pub online_refund: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct PayInput {
    pub register_id: String,
    pub payments: Vec<PaymentInput>,
}

fn clean(s: &Option<String>) -> Option<String> {
    guichet_domain::sale::clean(s.as_deref())
}

use crate::organization::{zone, zone_of};

pub(crate) async fn zone_in(tx: &mut Tx, actor: &Actor) -> Result<jiff::tz::TimeZone, AppError> {
    zone_of(
        &guichet_store::organizations::get(tx, actor.tenant)
            .await?
            .time_zone,
    )
}

pub(crate) async fn register(state: &App, actor: &Actor, raw: &str) -> Result<Register, AppError> {
    let mut tx = state.store.begin_read().await?;
    let r = register_in(&mut tx, actor, raw).await;
    tx.commit().await?;
    r
}

pub(crate) async fn register_in(
    tx: &mut Tx,
    actor: &Actor,
    raw: &str,
) -> Result<Register, AppError> {
    let id = register_id(raw)?;
    match guichet_store::registers::get(tx, actor.tenant, id).await {
        Ok(r) => selling(Some(r)),
        Err(StoreError::NotFound) => selling(None),
        Err(e) => Err(e.into()),
    }
}

/// The register id a sale names; one that does not parse is an unknown register.
pub(crate) fn register_id(raw: &str) -> Result<RegisterId, AppError> {
    raw.trim()
        .parse()
        .map_err(|_| AppError::field("register_id", "unknown_register"))
}

/// The register read for a sale, if it sells: it exists and is not archived.
pub(crate) fn selling(register: Option<Register>) -> Result<Register, AppError> {
    register
        .filter(|r| !r.archived)
        .ok_or_else(|| AppError::field("register_id", "unknown_register"))
}

/// The registers one can sell on (active ones).
pub async fn selling_registers(state: &App, actor: &Actor) -> Result<Vec<Register>, AppError> {
    actor.require(Permission::Sell)?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .read(|tx| Box::pin(async move { guichet_store::registers::list(tx, tenant).await }))
        .await?
        .into_iter()
        .filter(|r| !r.archived)
        .collect())
}

/// The payment methods this organization offers, in display order.
pub async fn enabled_methods(state: &App, actor: &Actor) -> Result<Vec<PaymentMethod>, AppError> {
    let mut tx = state.store.begin_read().await?;
    let methods = enabled_methods_in(&mut tx, actor).await;
    tx.commit().await?;
    methods
}

pub(crate) async fn enabled_methods_in(
    tx: &mut Tx,
    actor: &Actor,
) -> Result<Vec<PaymentMethod>, AppError> {
    let off = orders::disabled_methods(tx, actor.tenant).await?;
    Ok(enabled_but(&off))
}

/// Every payment method but those turned `off`.
pub(crate) fn enabled_but(off: &[PaymentMethod]) -> Vec<PaymentMethod> {
    PaymentMethod::ALL
        .into_iter()
        .filter(|m| !off.contains(m))
        .collect()
}

pub async fn set_method_enabled(
    state: &App,
    actor: &Actor,
    method: &str,
    enabled: bool,
) -> Result<(), AppError> {
    actor.require(Permission::ManagePaymentMethods)?;
    let m =
        PaymentMethod::parse(method).ok_or_else(|| AppError::field("method", "unknown_method"))?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .write(|tx| {
            Box::pin(async move { orders::set_method_enabled(tx, tenant, m, enabled).await })
        })
        .await?)
}

/// Sets which methods the organization offers: those listed, and no other. At least one must
/// stay on, or nothing could be sold.
pub async fn set_methods(state: &App, actor: &Actor, on: &[&str]) -> Result<(), AppError> {
    actor.require(Permission::ManagePaymentMethods)?;
    let mut chosen = Vec::new();
    for code in on {
        chosen.push(
            PaymentMethod::parse(code)
                .ok_or_else(|| AppError::field("method", "unknown_method"))?,
        );
    }
    if chosen.is_empty() {
        return Err(AppError::field("method", "no_method"));
    }
    let tenant = actor.tenant;
    let chosen = std::sync::Arc::new(chosen);
    Ok(state
        .store
        .write(|tx| {
            let chosen = chosen.clone();
            Box::pin(async move {
                for m in PaymentMethod::ALL {
                    orders::set_method_enabled(tx, tenant, m, chosen.contains(&m)).await?;
                }
                Ok(())
            })
        })
        .await?)
}

/// An offer as the one pricing sees it (its sessions, cut-offs, publication window), read
/// in one transaction.
pub(crate) async fn sale_offer_of(
    state: &App,
    actor: &Actor,
    offer: guichet_store::offers::Offer,
) -> Result<guichet_domain::sale::SaleOffer, AppError> {
    let mut tx = state.store.begin_read().await?;
    let o = pricing::sale_offer(&mut tx, actor, offer).await;
    tx.commit().await?;
    o
}

/// A priced cart line, for the cashier screen.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PreviewLine {
    pub label: String,
    pub quantity: i64,
    pub unit_price_cents: i64,
    pub discount_cents: i64,
    /// Free line, promotion, promo code.
    pub discount_reason: Option<String>,
    pub total_cents: i64,
    pub vat_rate_basis_points: u32,
    pub vat_cents: i64,
}

impl PreviewLine {
    pub(crate) fn of(l: &guichet_domain::sale::PricedLine) -> PreviewLine {
        PreviewLine {
            label: l.label.clone(),
            quantity: l.quantity,
            unit_price_cents: l.unit_price_cents,
            discount_cents: l.discount_cents,
            discount_reason: l.discount_reason.clone(),
            total_cents: l.total_cents,
            vat_rate_basis_points: l.vat_rate_bp,
            vat_cents: l.vat_cents,
        }
    }
}

/// What the cart would come to: lines, VAT per rate, totals, and what the payments leave due.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Preview {
    pub lines: Vec<PreviewLine>,
    pub totals: order::Totals,
    pub paid_cents: i64,
    pub change_cents: i64,
    pub due_cents: i64,
}

/// Prices a cart without recording anything (the cashier screen's live totals).
pub async fn preview(state: &App, actor: &Actor, input: &OrderInput) -> Result<Preview, AppError> {
    actor.require(Permission::Sell)?;
    let cart = pricing::price(state, actor, input).await?.priced;
    check_places(state, actor, &cart.lines).await?;
    let paid: i64 = cart.payments.iter().map(|p| p.amount_cents).sum();
    Ok(Preview {
        lines: cart.lines.iter().map(PreviewLine::of).collect(),
        paid_cents: paid,
        change_cents: cart.payments.iter().map(|p| p.change_cents).sum(),
        due_cents: cart.totals.gross_cents - paid,
        totals: cart.totals,
    })
}

/// The cart's visits against what their sessions have now: a session closed, or filled by
/// another register or the website, since the cashier chose it shows on the preview, line by
/// line (`lines[i].session_start`: `session_closed`, `sold_out`), so that the screen marks
/// that line and keeps the others priced. The sale's write checks again under its lock.
async fn check_places(
    state: &App,
    actor: &Actor,
    lines: &[guichet_domain::sale::PricedLine],
) -> Result<(), AppError> {
    use guichet_domain::sale::LineKind;
    let mut days: Vec<(guichet_domain::OfferId, jiff::civil::Date)> = lines
        .iter()
        .filter_map(|l| Some((l.offer_id?, l.visit_date?)))
        .collect();
    days.sort_by_key(|(o, d)| (o.0, *d));
    days.dedup();
    let mut e = FieldErrors::new();
    for (offer, day) in days {
        let day = day.to_string();
        let sessions = crate::planning::availability(state, actor, offer, &day, &day)
            .await?
            .sessions;
        let of = |start: i64| sessions.iter().find(|s| s.start == start);
        let asked = |start: i64| -> i64 {
            lines
                .iter()
                .filter(|l| {
                    l.kind == LineKind::TicketType
                        && l.offer_id == Some(offer)
                        && l.session_start == Some(start)
                })
                .map(|l| l.quantity)
                .sum()
        };
        for (i, l) in lines.iter().enumerate() {
            let (Some(start), true) = (l.session_start, l.offer_id == Some(offer)) else {
                continue;
            };
            let field = format!("lines[{i}].session_start");
            match of(start) {
                Some(s) if s.closed => e.add(&field, "session_closed"),
                Some(s) if l.kind == LineKind::TicketType && asked(start) > s.remaining => {
                    e.add(&field, "sold_out")
                }
                _ => {}
            }
        }
    }
    e.into_result().map_err(AppError::Invalid)
}

/// The order a cart would make, priced and checked, not yet recorded (the sale's first half;
/// imports and benchmarks batch these into one transaction).
pub async fn priced_order(
    state: &App,
    actor: &Actor,
    input: &OrderInput,
    idempotency_key: Option<String>,
) -> Result<NewOrder, AppError> {
    let pricing::Sale {
        register,
        customer,
        priced,
    } = pricing::price(state, actor, input).await?;
    let mut order = new_order(
        priced,
        input,
        actor,
        Some(&register),
        customer.as_ref(),
        idempotency_key,
    );
    // A stopped clock's moment (its payments are taken then too); none on the system's.
    order.at = state.config.clock.recorded_at();
    Ok(order)
}

/// The order to record for a priced cart, sold at `register` or, without one, online.
pub(crate) fn new_order(
    priced: guichet_domain::sale::PricedCart,
    input: &OrderInput,
    actor: &Actor,
    register: Option<&Register>,
    customer: Option<&guichet_store::customers::Customer>,
    idempotency_key: Option<String>,
) -> NewOrder {
    NewOrder {
        register_id: register.map(|r| r.id),
        register_kind: register.map(|r| r.kind),
        quote: input.quote,
        lines: priced.lines,
        total_cents: priced.totals.gross_cents,
        vat_cents: priced.totals.vat_cents,
        visit_date: priced.visit_date.map(|d| d.to_string()),
        visit_start: priced.visit_start,
        customer_comment: clean(&input.customer_comment),
        internal_comment: clean(&input.internal_comment),
        created_by: actor.user_id(),
        idempotency_key,
        names: orders::Names {
            register: register.map(|r| r.name.clone()),
            customer: customer.map(|c| {
                guichet_store::customers::display_name(
                    c.first_name.as_deref(),
                    c.last_name.as_deref(),
                )
            }),
            created_by: actor.user.as_ref().map(|u| u.name.clone()),
        },
        customer_id: customer.map(|c| c.id),
        origin: priced.origin,
        promo_code_id: priced.promo_code,
        day: priced.day,
        // Taken in the sale's transaction, once its number is.
        at: None,
        online: None,
        hold_cart: input.cart.clone(),
        payments: priced.payments.into_iter().map(new_payment).collect(),
        deposits_used: priced
            .deposits_used
            .into_iter()
            .map(|d| (d.reservation_id, d.cents))
            .collect(),
    }
}

/// Validates and prices a cart, then records the order (or quote) with its payments in one
/// transaction. The same idempotency key again returns the first order.
pub async fn create(
    state: &App,
    actor: &Actor,
    input: &OrderInput,
    idempotency_key: Option<String>,
) -> Result<Order, AppError> {
    actor.require(Permission::Sell)?;
    let tenant = actor.tenant;
    if let Some(key) = idempotency_key.clone() {
        if key.len() > 200 {
            return Err(AppError::field("idempotency_key", "too_long"));
        }
        let found = state
            .store
            .read(|tx| {
                let key = key.clone();
                Box::pin(async move { orders::find_by_idempotency_key(tx, tenant, &key).await })
            })
            .await?;
        if let Some(o) = found {
            return Ok(o);
        }
    }
    let new =
        std::sync::Arc::new(priced_order(state, actor, input, idempotency_key.clone()).await?);
    let result = state
        .store
        .write(|tx| {
            let new = new.clone();
            Box::pin(async move { orders::create(tx, tenant, &new).await })
        })
        .await;
    match (result, idempotency_key) {
        // The same key raced us and won: answer with its order.
        (Err(StoreError::Duplicate("idempotency_key")), Some(key)) => state
            .store
            .read(|tx| {
                let key = key.clone();
                Box::pin(async move { orders::find_by_idempotency_key(tx, tenant, &key).await })
            })
            .await?
            .ok_or(AppError::Conflict("idempotency_conflict")),
        (r, _) => Ok(r?),
    }
}

pub async fn get(state: &App, actor: &Actor, id: OrderId) -> Result<Order, AppError> {
    actor.require(Permission::Sell)?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .read(|tx| Box::pin(async move { orders::get(tx, tenant, id).await }))
        .await?)
}

/// Takes more payments on an order (the balance of a deposit, a "pay later" order).
pub async fn pay(
    state: &App,
    actor: &Actor,
    id: OrderId,
    input: &PayInput,
) -> Result<Order, AppError> {
    actor.require(Permission::Sell)?;
    let order = get(state, actor, id).await?;
    let register = register(state, actor, &input.register_id).await?;
    let enabled = enabled_methods(state, actor).await?;
    let mut e = FieldErrors::new();
    if input.payments.is_empty() {
        e.add("payments", "required");
    }
    let mut pays = payments(
        &input.payments,
        order.total_cents - order.collected_cents,
        &enabled,
        &register,
        &mut e,
    );
    e.into_result()?;
    for p in &mut pays {
        p.at = state.config.clock.recorded_at();
    }
    let (tenant, by, reg) = (actor.tenant, actor.user_id(), register.id);
    let pays = std::sync::Arc::new(pays);
    Ok(state
        .store
        .write(|tx| {
            let pays = pays.clone();
            Box::pin(
                async move { orders::add_payments(tx, tenant, id, Some(reg), &pays, by).await },
            )
        })
        .await?)
}

/// A quote becomes an order: places and stock are taken now, with any payments.
pub async fn confirm_quote(
    state: &App,
    actor: &Actor,
    id: OrderId,
    input: &PayInput,
) -> Result<Order, AppError> {
    actor.require(Permission::Sell)?;
    let order = get(state, actor, id).await?;
    let register = register(state, actor, &input.register_id).await?;
    let enabled = enabled_methods(state, actor).await?;
    let mut e = FieldErrors::new();
    let pays = payments(
        &input.payments,
        order.total_cents,
        &enabled,
        &register,
        &mut e,
    );
    e.into_result()?;
    let day = jiff::Timestamp::now()
        .to_zoned(zone(state, actor).await?)
        .date();
    let (tenant, by, reg) = (actor.tenant, actor.user_id(), register.id);
    let pays = std::sync::Arc::new(pays);
    Ok(state
        .store
        .write(|tx| {
            let pays = pays.clone();
            Box::pin(async move {
                orders::confirm_quote(tx, tenant, id, Some(reg), day, &pays, by).await
            })
        })
        .await?)
}

/// What each method an order was paid with at a register may still give back, the method
/// paid last first (`guichet_domain::refund`): what its cancellation offers to refund.
pub fn refundable(order: &Order) -> Vec<Refundable> {
    let paid: Vec<Paid> = order
        .payments
        .iter()
        .map(|p| Paid {
            method: p.method,
            cents: p.amount_cents,
            register: p.register_id,
        })
        .collect();
    refund::refundable(&paid)
}

/// A cancellation checked and not done yet: what a confirmation shows, then
/// [`cancel_planned`] does.
#[derive(Debug, Clone)]
pub struct CancelPlan {
    pub order: Order,
    pub reason: String,
    /// Each refund with the register it is counted on.
    pub refunds: Vec<Refundable>,
}

impl CancelPlan {
    pub fn refunded_cents(&self) -> i64 {
        self.refunds.iter().map(|r| r.cents).sum()
    }
}

/// Checks a cancellation (managers and admins) without doing it: a reason is required, and
/// each refund goes back in a method the order was paid with, at most what it brought
/// ([`CancelInput::refunds`]).
pub async fn plan_cancel(
    state: &App,
    actor: &Actor,
    id: OrderId,
    input: &CancelInput,
) -> Result<CancelPlan, AppError> {
    actor.require(Permission::CancelOrder)?;
    let order = get(state, actor, id).await?;
    if order.state == order::OrderState::Cancelled {
        return Err(AppError::Conflict("already_cancelled"));
    }
    let mut e = FieldErrors::new();
    let reason = input.reason.trim().to_owned();
    if reason.is_empty() {
        e.add("reason", "required");
    }
    let fields: Vec<(String, &PaymentInput)> = input
        .refund
        .iter()
        .map(|r| ("refund".to_owned(), r))
        .chain(
            input
                .refunds
                .iter()
                .enumerate()
                .map(|(i, r)| (format!("refunds[{i}]"), r)),
        )
        .collect();
    let mut asked = Vec::new();
    let mut asked_fields = Vec::new();
    for (field, r) in &fields {
        if r.amount.trim().is_empty() {
            continue;
        }
        let method = PaymentMethod::parse(&r.method);
        if method.is_none() {
            e.add(&format!("{field}.method"), "unknown_method");
        }
        let amount = e.check(&format!("{field}.amount"), parse_price_cents(&r.amount));
        if let (Some(m), Some(a)) = (method, amount)
            && a > 0
        {
            asked.push((m, a));
            asked_fields.push(field.as_str());
        }
    }
    let customer = order.customer_id.is_some();
    let refunds = match refund::check(&asked, &refundable(&order), customer) {
        Ok(r) => r,
        Err(errors) => {
            for (i, err) in errors {
                let part = match err {
                    RefundError::MoreThanPaidWith => "amount",
                    _ => "method",
                };
                e.add(&format!("{}.{part}", asked_fields[i]), err.code());
            }
            Vec::new()
        }
    };
    e.into_result()?;
    Ok(CancelPlan {
        order,
        reason,
        refunds,
    })
}

/// Cancels an order (managers and admins): a reason is required; places and stock come back;
/// refunds go back in the methods the order was paid with ([`plan_cancel`]).
pub async fn cancel(
    state: &App,
    actor: &Actor,
    id: OrderId,
    input: &CancelInput,
) -> Result<Order, AppError> {
    let plan = plan_cancel(state, actor, id, input).await?;
    cancel_planned(state, actor, &plan).await
}

/// Does a cancellation [`plan_cancel`] checked. The store refuses it (`already_cancelled`)
/// if the order was cancelled meanwhile, and a refund larger than what is left to give back.
pub async fn cancel_planned(
    state: &App,
    actor: &Actor,
    plan: &CancelPlan,
) -> Result<Order, AppError> {
    actor.require(Permission::CancelOrder)?;
    let refunds: Vec<(Option<RegisterId>, NewPayment)> = plan
        .refunds
        .iter()
        .map(|r| {
            let mut refund = NewPayment::refund(r.method, r.cents);
            refund.at = state.config.clock.recorded_at();
            (r.register, refund)
        })
        .collect();
    let refunds = std::sync::Arc::new(refunds);
    let (tenant, by, id) = (actor.tenant, actor.user_id(), plan.order.id);
    // A stopped clock's moment; none on the system's (the store's now).
    let at = state.config.clock.recorded_at();
    Ok(state
        .store
        .write(|tx| {
            let (reason, refunds) = (plan.reason.clone(), refunds.clone());
            Box::pin(
                async move { orders::cancel_at(tx, tenant, id, &reason, &refunds, by, at).await },
            )
        })
        .await?)
}

/// The order with this number (`P2103160795`), if any: the top bar's search jumps to it.
pub async fn find_by_number(
    state: &App,
    actor: &Actor,
    number: &str,
) -> Result<Option<OrderId>, AppError> {
    actor.require(Permission::Sell)?;
    let (tenant, n) = (actor.tenant, number.to_owned());
    Ok(state
        .store
        .read(|tx| {
            let n = n.clone();
            Box::pin(async move { orders::find_by_number(tx, tenant, &n).await })
        })
        .await?)
}
