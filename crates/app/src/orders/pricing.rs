//! Pricing a sale: read everything the cart needs in one read transaction (the
//! [`SaleContext`]), then let the domain's one pricing decide (`guichet_domain::sale::price_cart`,
//! the same for every channel). No rule lives here: only what to read and how to hand it over.

use super::{OrderInput, PaymentInput};
use crate::{Actor, App, AppError};
use guichet_domain::Permission;
use guichet_domain::RegisterId;
use guichet_domain::order::PaymentMethod;
use guichet_domain::sale::{
    self, Cart, CartLine, Channel, CustomerRef, Labels, LineTarget, OpenDeposit, PricedCart,
    SaleContext, SaleCustomer, SaleCustomerType, SaleItem, SaleOffer, SalePayment, SalePrice,
    SaleProduct, SetAside, StopTarget,
};
use guichet_domain::schedule::SessionSource;
use guichet_domain::validation::FieldErrors;
use guichet_integrations::i18n::Tr;
use guichet_store::customers::Customer;
use guichet_store::orders::{NewPayment, SaleReadKeys};
use guichet_store::registers::Register;
use guichet_store::{StoreError, Tx};

/// A cart priced and checked, with what the order records besides.
pub(crate) struct Sale {
    pub register: Register,
    pub customer: Option<Customer>,
    pub priced: PricedCart,
}

/// The domain's cart for what the page or the API sent.
fn cart_of(input: &OrderInput) -> Cart {
    Cart {
        lines: input
            .lines
            .iter()
            .map(|l| CartLine {
                target: LineTarget::parse(
                    l.offer_id.as_deref(),
                    l.session_start,
                    l.item_id.as_deref(),
                    l.product_id.as_deref(),
                    l.barcode.as_deref(),
                ),
                quantity: l.quantity,
                unit_price: l.unit_price.clone(),
                price_reason: l.price_reason.clone(),
                free: l.free,
                free_reason: l.free_reason.clone(),
            })
            .collect(),
        promo_code: input.promo_code.clone(),
        customer: CustomerRef::parse(input.customer_id.as_deref()),
        skip_customer_terms: input.skip_customer_terms,
        origin: input.origin.as_ref().map(|o| sale::OriginInput {
            country: o.country.clone(),
            postal_code: o.postal_code.clone(),
            province: o.province.clone(),
        }),
        payments: payment_inputs(&input.payments),
        quote: input.quote,
    }
}

pub(crate) fn payment_inputs(inputs: &[PaymentInput]) -> Vec<sale::PaymentInput> {
    inputs
        .iter()
        .map(|p| sale::PaymentInput {
            method: p.method.clone(),
            amount: p.amount.clone(),
        })
        .collect()
}

/// Payments taken against `due` at a register (the balance of an order, a quote confirmed, a
/// deposit), by the domain's rule for the register's channel.
pub(crate) fn payments(
    inputs: &[PaymentInput],
    due: i64,
    enabled: &[PaymentMethod],
    register: &Register,
    e: &mut FieldErrors,
) -> Vec<NewPayment> {
    let channel = Channel::from(register.kind);
    sale::take_payments(&payment_inputs(inputs), due, enabled, channel, e)
        .into_iter()
        .map(new_payment)
        .collect()
}

pub(crate) fn new_payment(p: SalePayment) -> NewPayment {
    NewPayment {
        // Taken when the sale's (or the payment's) transaction numbers it.
        at: None,
        method: p.method,
        amount_cents: p.amount_cents,
        tendered_cents: p.tendered_cents,
        change_cents: p.change_cents,
    }
}

/// Prices the cart at a register: the catalogue read on one connection, then the domain's
/// pricing on the register's channel. No read transaction: what must still hold when the sale
/// is written (places, stock, a code's uses, the register's session) is checked again in the
/// sale's own transaction, and a price changed between two of these reads is as if the cart
/// had been priced a moment earlier or later.
pub(crate) async fn price(
    state: &App,
    actor: &Actor,
    input: &OrderInput,
) -> Result<Sale, AppError> {
    let mut tx = state.store.reader().await?;
    let sale = price_in(&mut tx, actor, input, state.config.clock.now()).await;
    tx.commit().await?;
    sale
}

async fn price_in(
    tx: &mut Tx,
    actor: &Actor,
    input: &OrderInput,
    now: jiff::Timestamp,
) -> Result<Sale, AppError> {
    let register_id = super::register_id(&input.register_id)?;
    let cart = cart_of(input);
    let (ctx, customer, register) = context_in(tx, actor, &cart, Some(register_id)).await?;
    let register = super::selling(register)?;
    let priced = sale::price_cart(&ctx, &cart, Channel::from(register.kind), now)?;
    Ok(Sale {
        register,
        customer,
        priced,
    })
}

/// Prices the cart on the online channel (no register): what the visitor's booking and its
/// holds are checked against — published online, within the publication window, before the
/// online cut-off, not stopped, quantities within their bounds.
pub(crate) async fn price_online(
    state: &App,
    actor: &Actor,
    input: &OrderInput,
) -> Result<PricedCart, AppError> {
    let mut tx = state.store.reader().await?;
    let cart = cart_of(input);
    let priced = match context_in(&mut tx, actor, &cart, None).await {
        Ok((ctx, _, _)) => sale::price_cart(&ctx, &cart, Channel::Online, jiff::Timestamp::now())
            .map_err(AppError::from),
        Err(e) => Err(e),
    };
    tx.commit().await?;
    priced
}

/// Everything the cart needs, read once: its register (when sold at one), its offers with their
/// sessions, items and prices, its products, the promotions and the promo code, the customer
/// with their type and set-aside items, the enabled payment methods, the days' stop-sales; and
/// the texts the pricing writes on lines, in the actor's language. What every sale needs is
/// one batch of reads (`orders::sale_reads`); the rest only when the cart names it.
async fn context_in(
    tx: &mut Tx,
    actor: &Actor,
    cart: &Cart,
    register: Option<RegisterId>,
) -> Result<(SaleContext, Option<Customer>, Option<Register>), AppError> {
    let tenant = actor.tenant;
    // The time zone is among what the batch reads, so the days are first taken in UTC and
    // widened by a day on each side: every zone's days are among them.
    let wide = cart.wants(&jiff::tz::TimeZone::UTC);
    let days = match (wide.days.iter().min(), wide.days.iter().max()) {
        (Some(first), Some(last)) => Some((
            first.yesterday().unwrap_or(*first).to_string(),
            last.tomorrow().unwrap_or(*last).to_string(),
        )),
        _ => None,
    };
    let reads = guichet_store::orders::sale_reads(
        tx,
        tenant,
        &SaleReadKeys {
            register,
            offers: &wide.offers,
            items: &wide.items,
            days,
        },
    )
    .await?;
    let time_zone = crate::organization::zone_of(&reads.organization.time_zone)?;
    let keys = cart.wants(&time_zone);
    let mut offers = Vec::new();
    let mut items = Vec::new();
    for offer in reads.offers {
        for p in offer
            .prices
            .iter()
            .filter(|p| keys.items.contains(&p.item_id))
        {
            if items.iter().any(|i: &SaleItem| i.id == p.item_id) {
                continue;
            }
            let i = reads
                .items
                .iter()
                .find(|(kind, i)| *kind == p.item_kind && i.id == p.item_id)
                .map(|(_, i)| i)
                .ok_or(StoreError::NotFound)?;
            items.push(SaleItem {
                id: i.id,
                archived: i.archived,
                sale_pos: i.sale_pos,
                sale_online: i.sale_online,
                daily_stock: i.daily_stock,
                capacity: i.capacity,
            });
        }
        offers.push(sale_offer(tx, actor, offer).await?);
    }
    let mut products = Vec::new();
    for id in &keys.products {
        match guichet_store::shop::product(tx, tenant, *id).await {
            Ok(p) => products.push(sale_product(p)),
            Err(StoreError::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
    }
    for code in &keys.barcodes {
        if let Some(p) = guichet_store::shop::find_by_barcode(tx, tenant, code).await? {
            products.push(sale_product(p));
        }
    }
    let promotions = reads.promotions;
    let promo_code = match &keys.promo_code {
        Some(c) => guichet_store::promotions::find_code(tx, tenant, c).await?,
        None => None,
    };
    let customer = match keys.customer {
        Some(id) => match guichet_store::customers::get(tx, tenant, id).await {
            Ok(c) => Some(c),
            Err(StoreError::NotFound) => None,
            Err(e) => return Err(e.into()),
        },
        None => None,
    };
    let tr = Tr(actor.lang);
    let (sale_customer, set_aside) = match &customer {
        Some(c) => {
            let kind = customer_type_of(tx, actor, c).await?;
            let set_aside = if cart.quote {
                Vec::new()
            } else {
                set_aside_of(tx, actor, c, &tr).await?
            };
            (
                Some(SaleCustomer {
                    id: c.id,
                    discount_bp: c.discount_bp,
                    vat_exempt: c.vat_exempt,
                    origin: c.origin.clone(),
                    customer_type: kind.map(|t| SaleCustomerType {
                        name: t.name,
                        discount_bp: t.discount_bp,
                        tax: t.tax,
                    }),
                }),
                set_aside,
            )
        }
        None => (None, Vec::new()),
    };
    let stopped = reads
        .stopped
        .into_iter()
        .filter_map(|(target, day)| {
            let day = day.parse().ok()?;
            Some(match target {
                guichet_store::planning::StopTarget::Offer(o) => (StopTarget::Offer(o), day),
                guichet_store::planning::StopTarget::TicketType(i) => {
                    (StopTarget::TicketType(i), day)
                }
            })
        })
        .collect();
    let ctx = SaleContext {
        time_zone,
        may_change_price: actor.can(Permission::ChangePrice),
        offers,
        items,
        products,
        promotions,
        promo_code,
        customer: sale_customer,
        set_aside,
        enabled_methods: super::enabled_but(&reads.disabled_methods),
        stopped,
        labels: Labels {
            customer_discount: tr.t("order-customer-discount"),
            vat_exempt: tr.t("customers-vat-exempt"),
            vat: tr.t("label-vat"),
        },
    };
    Ok((ctx, customer, reads.register))
}

pub(crate) async fn sale_offer(
    tx: &mut Tx,
    actor: &Actor,
    offer: guichet_store::offers::Offer,
) -> Result<SaleOffer, AppError> {
    let sessions = match offer.follows_calendar {
        None => SessionSource::Own(offer.schedule.schedule()),
        Some(audience) => SessionSource::OpeningHours(
            guichet_store::organizations::calendar(tx, actor.tenant, audience)
                .await?
                .parse()
                .map_err(|e| AppError::Internal(format!("stored calendar invalid: {e:?}")))?,
        ),
    };
    Ok(SaleOffer {
        id: offer.id,
        name: offer.texts.fr.name.clone(),
        archived: offer.archived,
        sale_pos: offer.sale_pos,
        sale_online: offer.sale_online,
        capacity: offer.capacity,
        online_cutoff_hours: offer.online_cutoff_hours,
        pos_cutoff_hours: offer.pos_cutoff_hours,
        late_entry_minutes: offer.late_entry_minutes,
        published_from: offer.published_from.as_deref().and_then(|d| d.parse().ok()),
        published_to: offer.published_to.as_deref().and_then(|d| d.parse().ok()),
        prices: offer
            .prices
            .iter()
            .map(|p| SalePrice {
                item_id: p.item_id,
                item_kind: p.item_kind,
                item_name: p.item_name.clone(),
                price_cents: p.price_cents,
                vat_rate_bp: p.vat_rate_basis_points,
                min_quantity: p.min_quantity,
                max_quantity: p.max_quantity,
            })
            .collect(),
        sessions,
    })
}

fn sale_product(p: guichet_store::shop::Product) -> SaleProduct {
    SaleProduct {
        id: p.id,
        name: p.name,
        barcode: p.barcode,
        archived: p.archived,
        sale_pos: p.sale_pos,
        sale_online: p.sale_online,
        price_cents: p.price_cents,
        vat_rate_bp: p.vat_rate_basis_points,
        discountable: p.discountable,
    }
}

/// The customer's set-aside items, oldest first, each with its unused deposit and the label
/// its deduction will bear.
async fn set_aside_of(
    tx: &mut Tx,
    actor: &Actor,
    c: &Customer,
    tr: &Tr,
) -> Result<Vec<SetAside>, AppError> {
    Ok(
        guichet_store::reservations::open(tx, actor.tenant, Some(c.id))
            .await?
            .into_iter()
            .filter(|r| r.state == guichet_domain::reservation::ReservationState::SetAside)
            .map(|r| SetAside {
                id: r.id,
                product_id: r.product_id,
                quantity: r.quantity,
                open_deposit: r.deposit_open().then(|| OpenDeposit {
                    cents: r.deposit_cents,
                    vat_rate_bp: r.deposit_vat_rate_bp,
                    deducted_label: tr.t1_2(
                        "order-deposit-deducted",
                        ("product", r.product_name.clone()),
                        ("number", r.deposit_order_number.clone().unwrap_or_default()),
                    ),
                }),
            })
            .collect(),
    )
}

/// The customer's type, whose discount and tax treatment their sales take.
pub(crate) async fn customer_type_of(
    tx: &mut Tx,
    actor: &Actor,
    c: &Customer,
) -> Result<Option<guichet_store::customer_types::CustomerType>, AppError> {
    Ok(match c.customer_type_id {
        Some(t) => Some(guichet_store::customer_types::get(tx, actor.tenant, t).await?),
        None => None,
    })
}
