//! The sale use cases: price a cart from the catalogue, enforce the catalogue's sale-time rules
//! (channels, register cut-off, closed and stopped sessions, min/max quantities, the phone
//! register's rules), then hand the priced order to the store, which takes places and stock in
//! the same transaction. Pages and API call the same functions.

pub use guichet_store::orders::{Order, OrderSummary, PaymentLine};

use crate::Actor;
use crate::App;
use crate::AppError;
use guichet_domain::catalogue::ItemKind;
use guichet_domain::order::{self, PaymentMethod, line_amount, tender};
use guichet_domain::org::RegisterKind;
use guichet_domain::schedule::SessionSource;
use guichet_domain::shop::parse_price_cents;
use guichet_domain::validation::FieldErrors;
use guichet_domain::{OfferId, OrderId, Permission, ProductId, RegisterId};
use guichet_store::offers::Offer;
use guichet_store::orders::{self, DateFilter, LineKind, NewLine, NewOrder, NewPayment};
use guichet_store::planning::StopTarget;
use guichet_store::registers::Register;
use guichet_store::{StoreError, Tx};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

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
    /// An optional refund, recorded as a negative payment.
    pub refund: Option<PaymentInput>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct PayInput {
    pub register_id: String,
    pub payments: Vec<PaymentInput>,
}

fn clean(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.chars().take(2000).collect())
}

use crate::organization::zone;

pub(crate) async fn zone_in(tx: &mut Tx, actor: &Actor) -> Result<jiff::tz::TimeZone, AppError> {
    let name = guichet_store::organizations::get(tx, actor.tenant)
        .await?
        .time_zone;
    jiff::tz::TimeZone::get(&name).map_err(|e| AppError::Internal(e.to_string()))
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
    let Ok(id) = raw.trim().parse::<RegisterId>() else {
        return Err(AppError::field("register_id", "unknown_register"));
    };
    let r = guichet_store::registers::get(tx, actor.tenant, id).await;
    match r {
        Ok(r) if !r.archived => Ok(r),
        Ok(_) | Err(StoreError::NotFound) => {
            Err(AppError::field("register_id", "unknown_register"))
        }
        Err(e) => Err(e.into()),
    }
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
    Ok(PaymentMethod::ALL
        .into_iter()
        .filter(|m| !off.contains(m))
        .collect())
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

/// Turns payment inputs into payments against `due`: method enabled and allowed on this
/// register, amount positive, cash beyond what is due given back as change, anything else
/// beyond it refused.
pub(crate) fn payments(
    inputs: &[PaymentInput],
    mut due: i64,
    enabled: &[PaymentMethod],
    register: &Register,
    e: &mut FieldErrors,
) -> Vec<NewPayment> {
    let mut out = Vec::new();
    for (i, p) in inputs.iter().enumerate() {
        let field = |f: &str| format!("payments[{i}].{f}");
        let method = match PaymentMethod::parse(&p.method) {
            Some(m) if !enabled.contains(&m) => {
                e.add(&field("method"), "method_disabled");
                continue;
            }
            Some(m) if register.kind == RegisterKind::Phone && !m.allowed_on_phone() => {
                e.add(&field("method"), "method_not_on_phone");
                continue;
            }
            Some(m) => m,
            None => {
                e.add(&field("method"), "unknown_method");
                continue;
            }
        };
        let Some(tendered) = e.check(&field("amount"), parse_price_cents(&p.amount)) else {
            continue;
        };
        if tendered == 0 {
            e.add(&field("amount"), "amount_zero");
            continue;
        }
        match tender(method, tendered, due) {
            Some((amount, change)) if amount > 0 => {
                due -= amount;
                out.push(NewPayment {
                    at: guichet_store::now_micros(),
                    method,
                    amount_cents: amount,
                    tendered_cents: tendered,
                    change_cents: change,
                });
            }
            Some(_) | None => e.add(&field("amount"), "more_than_due"),
        }
    }
    out
}

/// A cart's lines priced from the catalogue, with every sale-time rule checked.
struct Priced {
    lines: Vec<NewLine>,
    visit_date: Option<String>,
    visit_start: Option<i64>,
}

async fn price_lines(
    tx: &mut Tx,
    actor: &Actor,
    tz: &jiff::tz::TimeZone,
    register: &Register,
    input: &[LineInput],
    e: &mut FieldErrors,
) -> Result<Priced, AppError> {
    let now = jiff::Timestamp::now();
    let today = now.to_zoned(tz.clone()).date();
    let mut lines = Vec::new();
    let mut seen = Lookups::default();
    if input.is_empty() {
        e.add("lines", "empty_cart");
    }
    for (i, l) in input.iter().enumerate() {
        let field = |f: &str| format!("lines[{i}].{f}");
        if l.quantity < 1 || l.quantity > 10_000 {
            e.add(&field("quantity"), "invalid_quantity");
            continue;
        }
        let line = if l.offer_id.is_some() {
            offer_line(tx, actor, register, l, tz, now, today, &field, e, &mut seen).await?
        } else {
            product_line(tx, actor, l, &field, e).await?
        };
        let Some(mut line) = line else { continue };
        // A changed price: managers and admins, with a reason.
        if let Some(raw) = l.unit_price.as_deref().filter(|s| !s.trim().is_empty()) {
            match parse_price_cents(raw) {
                Ok(p) if p != line.list_price_cents => {
                    if !actor.can(Permission::ChangePrice) {
                        e.add(&field("unit_price"), "price_change_not_allowed");
                    } else if clean(&l.price_reason).is_none() {
                        e.add(&field("price_reason"), "required");
                    } else {
                        line.unit_price_cents = p;
                        line.price_reason = clean(&l.price_reason);
                    }
                }
                Ok(_) => {}
                Err(err) => {
                    e.check::<(), _>(&field("unit_price"), Err(err));
                }
            }
        }
        match line_amount(line.unit_price_cents, line.quantity, 0) {
            Ok(gross) => {
                if l.free {
                    if clean(&l.free_reason).is_none() {
                        e.add(&field("free_reason"), "required");
                    }
                    line.discount_cents = gross;
                    line.discount_reason = clean(&l.free_reason);
                }
                line.total_cents = gross - line.discount_cents;
            }
            Err(err) => {
                e.check::<(), _>(&field("quantity"), Err(err));
                continue;
            }
        }
        lines.push((i, line));
    }
    check_quantities(&seen.offers, &lines, e);
    let visit_start = lines.iter().filter_map(|(_, l)| l.session_start).min();
    let visit_date = lines.iter().filter_map(|(_, l)| l.visit_date.clone()).min();
    Ok(Priced {
        lines: lines.into_iter().map(|(_, l)| l).collect(),
        visit_date,
        visit_start,
    })
}

/// Minimum and maximum quantities per order, per offer and ticket type or extra.
fn check_quantities(
    offers: &HashMap<OfferId, Offer>,
    lines: &[(usize, NewLine)],
    e: &mut FieldErrors,
) {
    let mut seen: Vec<(OfferId, guichet_domain::ItemId)> = Vec::new();
    for (i, l) in lines {
        let (Some(o), Some(item)) = (l.offer_id, l.item_id) else {
            continue;
        };
        if seen.contains(&(o, item)) {
            continue;
        }
        seen.push((o, item));
        let total: i64 = lines
            .iter()
            .filter(|(_, x)| x.offer_id == Some(o) && x.item_id == Some(item))
            .map(|(_, x)| x.quantity)
            .sum();
        let Some(offer) = offers.get(&o) else {
            continue;
        };
        if let Some(p) = offer.prices.iter().find(|p| p.item_id == item) {
            if total < p.min_quantity {
                e.add(&format!("lines[{i}].quantity"), "below_minimum");
            } else if p.max_quantity.is_some_and(|m| total > m) {
                e.add(&format!("lines[{i}].quantity"), "above_maximum");
            }
        }
    }
}

/// What a cart has looked up already: a cart of ten lines for one day and offer reads the offer,
/// each item and the day's stop-sales once.
#[derive(Default)]
struct Lookups {
    offers: HashMap<OfferId, Offer>,
    items: HashMap<guichet_domain::ItemId, guichet_store::items::Item>,
    stopped: HashMap<String, std::collections::HashSet<(StopTarget, String)>>,
}

#[allow(clippy::too_many_arguments)]
async fn offer_line(
    tx: &mut Tx,
    actor: &Actor,
    register: &Register,
    l: &LineInput,
    tz: &jiff::tz::TimeZone,
    now: jiff::Timestamp,
    today: Date,
    field: &(dyn Fn(&str) -> String + Sync),
    e: &mut FieldErrors,
    seen: &mut Lookups,
) -> Result<Option<NewLine>, AppError> {
    let Some(offer_id) = l
        .offer_id
        .as_deref()
        .and_then(|s| s.trim().parse::<OfferId>().ok())
    else {
        e.add(&field("offer_id"), "unknown_offer");
        return Ok(None);
    };
    // One load per offer per cart.
    let loaded = match seen.offers.get(&offer_id) {
        Some(o) => Ok(o.clone()),
        None => guichet_store::offers::get(tx, actor.tenant, offer_id).await,
    };
    if let Ok(o) = &loaded {
        seen.offers.entry(offer_id).or_insert_with(|| o.clone());
    }
    let offer = match loaded {
        Ok(o) if !o.archived && o.sale_pos => o,
        Ok(_) => {
            e.add(&field("offer_id"), "not_sold_at_register");
            return Ok(None);
        }
        Err(StoreError::NotFound) => {
            e.add(&field("offer_id"), "unknown_offer");
            return Ok(None);
        }
        Err(err) => return Err(err.into()),
    };
    let Some(price) = l
        .item_id
        .as_deref()
        .and_then(|s| s.trim().parse::<guichet_domain::ItemId>().ok())
        .and_then(|id| offer.prices.iter().find(|p| p.item_id == id))
        .cloned()
    else {
        e.add(&field("item_id"), "not_offered");
        return Ok(None);
    };
    let item = match seen.items.get(&price.item_id) {
        Some(i) => i.clone(),
        None => {
            let i =
                guichet_store::items::get(tx, actor.tenant, price.item_kind, price.item_id).await?;
            seen.items.insert(price.item_id, i.clone());
            i
        }
    };
    if item.archived || !item.sale_pos {
        e.add(&field("item_id"), "not_sold_at_register");
        return Ok(None);
    }
    let Some(start) = l.session_start else {
        e.add(&field("session_start"), "unknown_session");
        return Ok(None);
    };
    let Ok(start_ts) = jiff::Timestamp::from_microsecond(start) else {
        e.add(&field("session_start"), "unknown_session");
        return Ok(None);
    };
    let day = start_ts.to_zoned(tz.clone()).date();
    if !session_exists(tx, actor, &offer, day, tz, start).await? {
        e.add(&field("session_start"), "unknown_session");
        return Ok(None);
    }
    if register.kind == RegisterKind::Phone && day <= today {
        e.add(&field("session_start"), "phone_future_only");
        return Ok(None);
    }
    let cutoff = start_ts
        .checked_sub(jiff::SignedDuration::from_hours(offer.pos_cutoff_hours))
        .unwrap_or(start_ts);
    if now > cutoff {
        e.add(&field("session_start"), "sales_closed");
        return Ok(None);
    }
    let day_s = day.to_string();
    let stopped = match seen.stopped.entry(day_s.clone()) {
        std::collections::hash_map::Entry::Occupied(o) => o.into_mut(),
        std::collections::hash_map::Entry::Vacant(v) => {
            v.insert(guichet_store::planning::stopped(tx, actor.tenant, &day_s, &day_s).await?)
        }
    };
    if stopped.contains(&(StopTarget::Offer(offer.id), day_s.clone()))
        || (price.item_kind == ItemKind::TicketType
            && stopped.contains(&(StopTarget::TicketType(price.item_id), day_s.clone())))
    {
        e.add(&field("session_start"), "sales_stopped");
        return Ok(None);
    }
    let is_ticket = price.item_kind == ItemKind::TicketType;
    Ok(Some(NewLine {
        kind: if is_ticket {
            LineKind::TicketType
        } else {
            LineKind::Extra
        },
        offer_id: Some(offer.id),
        session_start: Some(start),
        visit_date: Some(day_s),
        item_id: Some(price.item_id),
        product_id: None,
        label: price.item_name.clone(),
        quantity: l.quantity,
        unit_price_cents: price.price_cents,
        list_price_cents: price.price_cents,
        price_reason: None,
        discount_cents: 0,
        discount_reason: None,
        total_cents: 0,
        vat_rate_bp: price.vat_rate_basis_points,
        vat_cents: 0,
        session_capacity: is_ticket.then_some(offer.capacity),
        daily_stock: Some(item.daily_stock),
        item_capacity: if is_ticket { None } else { item.capacity },
        offer_name: Some(offer.texts.fr.name.clone()),
        discountable: true,
    }))
}

async fn session_exists(
    tx: &mut Tx,
    actor: &Actor,
    offer: &Offer,
    day: Date,
    tz: &jiff::tz::TimeZone,
    start: i64,
) -> Result<bool, AppError> {
    let source = match offer.follows_calendar {
        None => SessionSource::Own(offer.schedule.schedule()),
        Some(audience) => SessionSource::OpeningHours(
            guichet_store::organizations::calendar(tx, actor.tenant, audience)
                .await?
                .parse()
                .map_err(|e| AppError::Internal(format!("stored calendar invalid: {e:?}")))?,
        ),
    };
    Ok(source
        .sessions_on(day, tz)
        .iter()
        .any(|s| s.start_micros == start))
}

async fn product_line(
    tx: &mut Tx,
    actor: &Actor,
    l: &LineInput,
    field: &(dyn Fn(&str) -> String + Sync),
    e: &mut FieldErrors,
) -> Result<Option<NewLine>, AppError> {
    let tenant = actor.tenant;
    let found = if let Some(id) = l.product_id.as_deref().filter(|s| !s.trim().is_empty()) {
        let Ok(id) = id.trim().parse::<ProductId>() else {
            e.add(&field("product_id"), "unknown_product");
            return Ok(None);
        };
        guichet_store::shop::product(tx, tenant, id).await
    } else if let Some(code) = l.barcode.as_deref().filter(|s| !s.trim().is_empty()) {
        guichet_store::shop::find_by_barcode(tx, tenant, code.trim())
            .await
            .and_then(|p| p.ok_or(StoreError::NotFound))
    } else {
        e.add(&field("product_id"), "required");
        return Ok(None);
    };
    let p = match found {
        Ok(p) if !p.archived && p.sale_pos => p,
        Ok(_) => {
            e.add(&field("product_id"), "not_sold_at_register");
            return Ok(None);
        }
        Err(StoreError::NotFound) => {
            e.add(&field("product_id"), "unknown_product");
            return Ok(None);
        }
        Err(err) => return Err(err.into()),
    };
    Ok(Some(NewLine {
        kind: LineKind::Product,
        offer_id: None,
        session_start: None,
        visit_date: None,
        item_id: None,
        product_id: Some(p.id),
        label: p.name,
        quantity: l.quantity,
        unit_price_cents: p.price_cents,
        list_price_cents: p.price_cents,
        price_reason: None,
        discount_cents: 0,
        discount_reason: None,
        total_cents: 0,
        vat_rate_bp: p.vat_rate_basis_points,
        vat_cents: 0,
        session_capacity: None,
        daily_stock: None,
        item_capacity: None,
        offer_name: None,
        discountable: p.discountable,
    }))
}

/// Applies the automatic promotions and the cart's promo code to the priced lines (the rule is
/// `guichet_domain::promotion::apply_reductions`); returns the code to redeem with the sale.
async fn reductions(
    tx: &mut Tx,
    actor: &Actor,
    today: Date,
    lines: &mut [NewLine],
    code: Option<&str>,
    e: &mut FieldErrors,
) -> Result<Option<guichet_domain::PromoCodeId>, AppError> {
    use guichet_domain::promotion::{CodeTarget, DiscountLine, apply_reductions};
    let tenant = actor.tenant;
    let code = code
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned);
    let promotions = guichet_store::promotions::active_promotions(tx, tenant).await?;
    let found = match &code {
        Some(c) => guichet_store::promotions::find_code(tx, tenant, c).await?,
        None => None,
    };
    let code = match (code, found) {
        (None, _) => None,
        (Some(_), None) => {
            e.add("promo_code", "unknown_promo_code");
            None
        }
        (Some(_), Some(c)) if c.exhausted() => {
            e.add("promo_code", "promo_code_exhausted");
            None
        }
        (Some(_), Some(c)) => Some(c),
    };
    // Gift cards and vouchers take no reduction: they are left out of what the rules see.
    let mut discount_lines: Vec<DiscountLine> = lines
        .iter()
        .filter(|l| l.discountable)
        .map(|l| DiscountLine {
            target: match (l.offer_id, l.item_id, l.product_id) {
                (Some(offer), Some(item), _) => CodeTarget::Offer { offer, item },
                (_, _, Some(product)) => CodeTarget::Product { product },
                _ => CodeTarget::Product {
                    product: guichet_domain::ProductId(uuid::Uuid::nil()),
                },
            },
            visit_date: l.visit_date.as_deref().and_then(|d| d.parse().ok()),
            quantity: l.quantity,
            gross_cents: l.total_cents + l.discount_cents,
            discount_cents: l.discount_cents,
            reasons: Vec::new(),
        })
        .collect();
    let covered = apply_reductions(&mut discount_lines, &promotions, code.as_ref(), today);
    if code.is_some() && !covered {
        e.add("promo_code", "promo_code_not_applicable");
    }
    for (l, d) in lines
        .iter_mut()
        .filter(|l| l.discountable)
        .zip(discount_lines)
    {
        if d.discount_cents != l.discount_cents {
            let mut reasons: Vec<String> = l.discount_reason.iter().cloned().collect();
            reasons.extend(d.reasons);
            l.discount_reason = Some(reasons.join(" + "));
            l.total_cents = d.gross_cents - d.discount_cents;
            l.discount_cents = d.discount_cents;
        }
    }
    Ok(code.filter(|_| covered).map(|c| c.id))
}

/// The attached customer's discount and tax treatment (theirs, else their type's) on every
/// line (the rules are `guichet_domain::customer::effective_terms` and `apply_terms`); the line
/// says why.
/// The customer's type, whose discount and tax treatment their sales take.
pub(crate) async fn customer_type_of(
    tx: &mut Tx,
    actor: &Actor,
    c: &guichet_store::customers::Customer,
) -> Result<Option<guichet_store::customer_types::CustomerType>, AppError> {
    Ok(match c.customer_type_id {
        Some(t) => Some(guichet_store::customer_types::get(tx, actor.tenant, t).await?),
        None => None,
    })
}

fn customer_terms(
    c: &guichet_store::customers::Customer,
    kind: Option<&guichet_store::customer_types::CustomerType>,
    lines: &mut [NewLine],
    lang: guichet_domain::org::Language,
) {
    use guichet_domain::customer::{TaxTreatment, apply_terms, effective_terms};
    let (bp, tax) = effective_terms(
        c.discount_bp,
        c.vat_exempt,
        kind.map(|t| (t.discount_bp, t.tax)),
    );
    if bp == 0 && tax == TaxTreatment::Standard {
        return;
    }
    let tr = guichet_integrations::i18n::Tr(lang);
    let percent = guichet_domain::money::percent_text;
    let mut why = Vec::new();
    if bp > 0 {
        why.push(format!(
            "{} {}",
            tr.t("order-customer-discount"),
            percent(bp)
        ));
    }
    match tax {
        TaxTreatment::Exempt => why.push(tr.t("customers-vat-exempt")),
        TaxTreatment::Rate(r) => why.push(format!("{} {}", tr.t("label-vat"), percent(r))),
        TaxTreatment::Standard => {}
    }
    if let Some(t) = kind {
        why.push(t.name.clone());
    }
    let why = why.join(" + ");
    for l in lines.iter_mut() {
        // A gift card keeps its price: the tax treatment applies, the discount does not.
        let line_bp = if l.discountable { bp } else { 0 };
        let (discount, vat_off, after, rate) =
            apply_terms(line_bp, tax, (l.total_cents, l.vat_rate_bp));
        if discount + vat_off == 0 && rate == l.vat_rate_bp {
            continue;
        }
        l.discount_cents += discount + vat_off;
        l.total_cents = after;
        l.vat_rate_bp = rate;
        l.discount_reason = Some(match l.discount_reason.take() {
            Some(r) => format!("{r} + {why}"),
            None => why.clone(),
        });
    }
}

/// A cart priced and checked, not yet recorded.
struct Cart {
    /// The organization's day at pricing time: the order's number is of that day.
    day: Date,
    promo_code: Option<guichet_domain::PromoCodeId>,
    customer: Option<guichet_store::customers::Customer>,
    origin: Option<guichet_domain::customer::Origin>,
    register: Register,
    lines: Vec<NewLine>,
    totals: order::Totals,
    visit_date: Option<String>,
    visit_start: Option<i64>,
    payments: Vec<NewPayment>,
    /// Reservations whose deposit the sale deducts.
    deposits_used: Vec<(uuid::Uuid, i64)>,
}

/// Prices the cart from the catalogue, checks every rule that can be checked before the
/// transaction, and shares VAT among the lines; every bad field is reported at once. Everything
/// is read in one read transaction: one consistent snapshot of the catalogue, and a sale pays
/// for one BEGIN/COMMIT instead of one per lookup.
async fn price_cart(state: &App, actor: &Actor, input: &OrderInput) -> Result<Cart, AppError> {
    let mut tx = state.store.begin_read().await?;
    let cart = price_cart_in(&mut tx, actor, input).await;
    tx.commit().await?;
    cart
}

async fn price_cart_in(tx: &mut Tx, actor: &Actor, input: &OrderInput) -> Result<Cart, AppError> {
    let mut e = FieldErrors::new();
    let register = register_in(tx, actor, &input.register_id).await?;
    let tz = zone_in(tx, actor).await?;
    let today = jiff::Timestamp::now().to_zoned(tz.clone()).date();
    let customer = match input
        .customer_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(raw) => match raw.parse::<guichet_domain::CustomerId>() {
            Ok(id) => match guichet_store::customers::get(tx, actor.tenant, id).await {
                Ok(c) => Some(c),
                Err(StoreError::NotFound) => {
                    e.add("customer_id", "unknown_customer");
                    None
                }
                Err(err) => return Err(err.into()),
            },
            Err(_) => {
                e.add("customer_id", "unknown_customer");
                None
            }
        },
    };
    let mut priced = price_lines(tx, actor, &tz, &register, &input.lines, &mut e).await?;
    let promo_code = reductions(
        tx,
        actor,
        today,
        &mut priced.lines,
        input.promo_code.as_deref(),
        &mut e,
    )
    .await?;
    if let Some(c) = &customer {
        if input.skip_customer_terms && !actor.can(Permission::ChangePrice) {
            e.add("skip_customer_terms", "price_change_not_allowed");
        } else if !input.skip_customer_terms {
            let kind = customer_type_of(tx, actor, c).await?;
            customer_terms(c, kind.as_ref(), &mut priced.lines, actor.lang);
        }
    }
    // The visitors' origin: asked for visits only; the attached customer's by default.
    let has_visit = priced.lines.iter().any(|l| l.offer_id.is_some());
    let origin = match (&input.origin, &customer) {
        _ if !has_visit => None,
        (Some(o), _)
            if !(o.country.trim().is_empty()
                && o.postal_code.trim().is_empty()
                && o.province.trim().is_empty()) =>
        {
            match guichet_domain::customer::Origin::parse(&o.country, &o.postal_code, &o.province) {
                Ok(o) => Some(o),
                Err((field, err)) => {
                    e.add(
                        &format!("origin.{field}"),
                        guichet_domain::validation::ErrorCode::code(&err),
                    );
                    None
                }
            }
        }
        (_, Some(c)) => Some(c.origin.clone()),
        _ => None,
    };
    let mut lines = priced.lines;
    let deposits_used = match &customer {
        Some(c) if !input.quote => deposit_deductions(tx, actor, c.id, &mut lines, &mut e).await?,
        _ => Vec::new(),
    };
    let amounts: Vec<(i64, u32)> = lines
        .iter()
        .map(|l| (l.total_cents, l.vat_rate_bp))
        .collect();
    let totals = order::totals(&amounts);
    for (l, vat) in lines.iter_mut().zip(&totals.line_vat_cents) {
        l.vat_cents = *vat;
    }
    let enabled = enabled_methods_in(tx, actor).await?;
    let payments = if input.quote {
        if !input.payments.is_empty() {
            e.add("payments", "quote_not_payable");
        }
        Vec::new()
    } else {
        payments(
            &input.payments,
            totals.gross_cents,
            &enabled,
            &register,
            &mut e,
        )
    };
    e.into_result()?;
    Ok(Cart {
        day: today,
        promo_code,
        customer,
        origin,
        register,
        lines,
        totals,
        visit_date: priced.visit_date,
        visit_start: priced.visit_start,
        payments,
        deposits_used,
    })
}

/// A sale to a customer consumes their set-aside reservations of the products it sells
/// (`guichet_domain::reservation::consumed`); each reservation it takes whole that has a
/// deposit gets the deposit deducted: a negative deposit line at the VAT rate it was paid at,
/// so the goods' VAT comes out right over the two orders. Returns the deposits used, for the
/// sale's transaction to check and record.
async fn deposit_deductions(
    tx: &mut Tx,
    actor: &Actor,
    customer: guichet_domain::CustomerId,
    lines: &mut Vec<NewLine>,
    e: &mut FieldErrors,
) -> Result<Vec<(uuid::Uuid, i64)>, AppError> {
    let held: Vec<_> = guichet_store::reservations::open(tx, actor.tenant, Some(customer))
        .await?
        .into_iter()
        .filter(|r| r.state == guichet_domain::reservation::ReservationState::SetAside)
        .collect();
    let mut used = Vec::new();
    let mut products: Vec<ProductId> = Vec::new();
    for r in &held {
        if !products.contains(&r.product_id) {
            products.push(r.product_id);
        }
    }
    let tr = guichet_integrations::i18n::Tr(actor.lang);
    for product in products {
        let sold: i64 = lines
            .iter()
            .filter(|l| l.product_id == Some(product))
            .map(|l| l.quantity)
            .sum();
        let mine: Vec<_> = held.iter().filter(|r| r.product_id == product).collect();
        let quantities: Vec<i64> = mine.iter().map(|r| r.quantity).collect();
        let taken = guichet_domain::reservation::consumed(&quantities, sold);
        for (r, taken) in mine.into_iter().zip(taken) {
            if taken < r.quantity || !r.deposit_open() {
                continue;
            }
            let label = tr.t1_2(
                "order-deposit-deducted",
                ("product", r.product_name.clone()),
                ("number", r.deposit_order_number.clone().unwrap_or_default()),
            );
            lines.push(deposit_line(label, -r.deposit_cents, r.deposit_vat_rate_bp));
            used.push((r.id, r.deposit_cents));
        }
    }
    let amounts: Vec<(i64, u32)> = lines
        .iter()
        .map(|l| (l.total_cents, l.vat_rate_bp))
        .collect();
    if !order::deductions_fit(&amounts) {
        e.add("lines", "deposit_exceeds_sale");
    }
    Ok(used)
}

/// A deposit line: paid on its own order (positive), or deducted from the sale of the goods
/// (negative). It takes no stock and no discount.
pub(crate) fn deposit_line(label: String, cents: i64, vat_rate_bp: u32) -> NewLine {
    NewLine {
        kind: LineKind::Deposit,
        offer_id: None,
        session_start: None,
        visit_date: None,
        item_id: None,
        product_id: None,
        label,
        quantity: 1,
        unit_price_cents: cents,
        list_price_cents: cents,
        price_reason: None,
        discount_cents: 0,
        discount_reason: None,
        total_cents: cents,
        vat_rate_bp,
        vat_cents: 0,
        session_capacity: None,
        daily_stock: None,
        item_capacity: None,
        offer_name: None,
        discountable: false,
    }
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
    let cart = price_cart(state, actor, input).await?;
    let paid: i64 = cart.payments.iter().map(|p| p.amount_cents).sum();
    Ok(Preview {
        lines: cart
            .lines
            .iter()
            .map(|l| PreviewLine {
                label: l.label.clone(),
                quantity: l.quantity,
                unit_price_cents: l.unit_price_cents,
                discount_cents: l.discount_cents,
                discount_reason: l.discount_reason.clone(),
                total_cents: l.total_cents,
                vat_rate_basis_points: l.vat_rate_bp,
                vat_cents: l.vat_cents,
            })
            .collect(),
        paid_cents: paid,
        change_cents: cart.payments.iter().map(|p| p.change_cents).sum(),
        due_cents: cart.totals.gross_cents - paid,
        totals: cart.totals,
    })
}

/// The order a cart would make, priced and checked, not yet recorded (the sale's first half;
/// imports and benchmarks batch these into one transaction).
pub async fn priced_order(
    state: &App,
    actor: &Actor,
    input: &OrderInput,
    idempotency_key: Option<String>,
) -> Result<NewOrder, AppError> {
    let Cart {
        day,
        promo_code,
        customer,
        origin,
        register,
        lines,
        totals,
        visit_date,
        visit_start,
        payments,
        deposits_used,
    } = price_cart(state, actor, input).await?;
    Ok(NewOrder {
        register_id: Some(register.id),
        quote: input.quote,
        lines,
        total_cents: totals.gross_cents,
        vat_cents: totals.vat_cents,
        visit_date,
        visit_start,
        customer_comment: clean(&input.customer_comment),
        internal_comment: clean(&input.internal_comment),
        created_by: actor.user_id(),
        idempotency_key,
        names: orders::Names {
            register: Some(register.name.clone()),
            customer: customer.as_ref().map(|c| {
                guichet_store::customers::display_name(
                    c.first_name.as_deref(),
                    c.last_name.as_deref(),
                )
            }),
            created_by: actor.user.as_ref().map(|u| u.name.clone()),
        },
        customer_id: customer.map(|c| c.id),
        origin,
        promo_code_id: promo_code,
        day,
        at: guichet_store::now_micros(),
        payments,
        deposits_used,
    })
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
    let pays = payments(
        &input.payments,
        order.total_cents - order.collected_cents,
        &enabled,
        &register,
        &mut e,
    );
    e.into_result()?;
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

/// Cancels an order (managers and admins): a reason is required; places and stock come back;
/// a refund, if any, is a negative payment of at most what was collected.
pub async fn cancel(
    state: &App,
    actor: &Actor,
    id: OrderId,
    input: &CancelInput,
) -> Result<Order, AppError> {
    actor.require(Permission::CancelOrder)?;
    let order = get(state, actor, id).await?;
    let mut e = FieldErrors::new();
    let reason = input.reason.trim().to_owned();
    if reason.is_empty() {
        e.add("reason", "required");
    }
    let enabled = enabled_methods(state, actor).await?;
    let refund = match &input.refund {
        Some(r) if !r.amount.trim().is_empty() => {
            let method = PaymentMethod::parse(&r.method);
            if method.is_none_or(|m| !enabled.contains(&m)) {
                e.add("refund.method", "unknown_method");
            }
            let amount = e.check("refund.amount", parse_price_cents(&r.amount));
            match (method, amount) {
                (Some(m), Some(a)) if a > 0 && a <= order.collected_cents => {
                    Some(NewPayment::refund(m, a))
                }
                (_, Some(_)) => {
                    e.add("refund.amount", "more_than_paid");
                    None
                }
                _ => None,
            }
        }
        _ => None,
    };
    e.into_result()?;
    let (tenant, by, reg) = (actor.tenant, actor.user_id(), order.register_id);
    Ok(state
        .store
        .write(|tx| {
            let (reason, refund) = (reason.clone(), refund.clone());
            Box::pin(async move {
                orders::cancel(tx, tenant, id, &reason, refund.as_ref(), reg, by).await
            })
        })
        .await?)
}

/// Orders created (or visiting) between two days of the organization's calendar.
pub async fn list(
    state: &App,
    actor: &Actor,
    from: &str,
    to: &str,
    by_visit: bool,
) -> Result<Vec<OrderSummary>, AppError> {
    actor.require(Permission::Sell)?;
    let (from, to) = super::planning::date_range(from, to)?;
    let tz = zone(state, actor).await?;
    let filter = if by_visit {
        DateFilter::Visit(from, to)
    } else {
        let (a, b) = instants(from, to, &tz)?;
        DateFilter::Created(a, b)
    };
    let tenant = actor.tenant;
    Ok(state
        .store
        .read(|tx| Box::pin(async move { orders::list(tx, tenant, filter, 5000).await }))
        .await?)
}

/// Payments taken between two days, one row per line they paid.
pub async fn payment_lines(
    state: &App,
    actor: &Actor,
    from: &str,
    to: &str,
) -> Result<Vec<PaymentLine>, AppError> {
    actor.require(Permission::Sell)?;
    let (from, to) = super::planning::date_range(from, to)?;
    let (a, b) = instants(from, to, &zone(state, actor).await?)?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .read(|tx| Box::pin(async move { orders::payment_lines(tx, tenant, a, b, 10_000).await }))
        .await?)
}

/// `[start of from, start of the day after to)` in the zone, as microseconds.
fn instants(from: Date, to: Date, tz: &jiff::tz::TimeZone) -> Result<(i64, i64), AppError> {
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

/// What the cashier screen needs from the catalogue, embedded in the page as JSON.
#[derive(Debug, Clone, Serialize)]
pub struct CashierCatalogue {
    pub groups: Vec<CashierGroup>,
    pub offers: Vec<CashierOffer>,
    pub products: Vec<CashierProduct>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CashierGroup {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CashierOffer {
    pub id: String,
    pub name: String,
    pub group_id: Option<String>,
    pub prices: Vec<CashierPrice>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CashierPrice {
    pub item_id: String,
    pub extra: bool,
    pub name: String,
    pub price_cents: i64,
    pub min_quantity: i64,
    pub max_quantity: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CashierProduct {
    pub id: String,
    pub name: String,
    pub barcode: String,
    pub reference: Option<String>,
    pub group: Option<String>,
    pub price_cents: i64,
    pub stock: Option<i64>,
    /// Accent- and case-folded name, reference and barcode for the search box.
    pub search: String,
}

/// The offers, offer groups and shop products sold at the register.
pub async fn cashier_catalogue(state: &App, actor: &Actor) -> Result<CashierCatalogue, AppError> {
    actor.require(Permission::Sell)?;
    let tenant = actor.tenant;
    let (groups, offers, products) = state
        .store
        .read(|tx| {
            Box::pin(async move {
                let groups = guichet_store::groups::list(
                    tx,
                    tenant,
                    guichet_store::groups::GroupKind::Offer,
                )
                .await?;
                let offers = guichet_store::offers::list(tx, tenant).await?;
                let products = guichet_store::shop::products(
                    tx,
                    tenant,
                    &guichet_store::shop::ProductFilter::default(),
                )
                .await?;
                Ok((groups, offers, products))
            })
        })
        .await?;
    Ok(CashierCatalogue {
        groups: groups
            .into_iter()
            .map(|g| CashierGroup {
                id: g.id.to_string(),
                name: g.name,
            })
            .collect(),
        offers: offers
            .into_iter()
            .filter(|o| !o.archived && o.sale_pos && !o.prices.is_empty())
            .map(|o| CashierOffer {
                id: o.id.to_string(),
                name: o.texts.fr.name.clone(),
                group_id: o.group_id.map(|g| g.to_string()),
                prices: o
                    .prices
                    .iter()
                    .map(|p| CashierPrice {
                        item_id: p.item_id.to_string(),
                        extra: p.item_kind == ItemKind::Extra,
                        name: p.item_name.clone(),
                        price_cents: p.price_cents,
                        min_quantity: p.min_quantity,
                        max_quantity: p.max_quantity,
                    })
                    .collect(),
            })
            .collect(),
        products: products
            .into_iter()
            .filter(|p| !p.archived && p.sale_pos)
            .map(|p| CashierProduct {
                search: guichet_domain::text::search_key(&format!(
                    "{} {} {}",
                    p.name,
                    p.reference.clone().unwrap_or_default(),
                    p.barcode
                )),
                id: p.id.to_string(),
                name: p.name,
                barcode: p.barcode,
                reference: p.reference,
                group: p.group_name,
                price_cents: p.price_cents,
                stock: p.stock_managed.then_some(p.stock),
            })
            .collect(),
    })
}

/// Quick-creates a customer at the register: a name, and optionally e-mail, phone, country and
/// postal code (or province for the Netherlands).
pub async fn create_customer(
    state: &App,
    actor: &Actor,
    input: &guichet_domain::customer::CustomerInput,
) -> Result<guichet_store::customers::Customer, AppError> {
    actor.require(Permission::Sell)?;
    let d = super::customers::details_of(state, actor, input).await?;
    let (tenant, by) = (actor.tenant, actor.user_id());
    Ok(state
        .store
        .write(|tx| {
            let d = d.clone();
            Box::pin(async move { guichet_store::customers::create(tx, tenant, &d, by).await })
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
