//! Reservations and special orders (seed 004): reserving a shop product for a customer, the
//! customer orders (open reservations per customer, with one message for all their ready
//! items), the order list, supplier orders sent and received, and the message template.

pub use guichet_store::reservations::{Reservation, SupplierOrder, ToOrder};

use crate::Actor;
use crate::App;
use crate::AppError;
use guichet_domain::reservation::{self as rules, ReservationState};
use guichet_domain::validation::ErrorCode;
use guichet_domain::{CustomerId, OrderId, Permission, ProductId};
use guichet_store::reservations::{self as store};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The one template kind so far: "your reservation is ready".
const READY: &str = "reservation_ready";

#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ReservationInput {
    pub customer_id: String,
    /// The product's id, barcode, reference or exact name.
    pub product: String,
    /// Whole number, at least 1 (default 1).
    pub quantity: String,
    pub note: String,
}

/// A product as people designate it: its id, barcode, reference or exact name (accents and
/// case ignored); `product` on the form when none or several match.
async fn resolve_product(state: &App, actor: &Actor, raw: &str) -> Result<ProductId, AppError> {
    let raw = raw.trim().to_owned();
    if raw.is_empty() {
        return Err(AppError::field("product", "required"));
    }
    if let Ok(id) = raw.parse::<Uuid>() {
        return Ok(ProductId(id));
    }
    let tenant = actor.tenant;
    let found = state
        .store
        .read(|tx| {
            let raw = raw.clone();
            Box::pin(async move {
                if let Some(p) = guichet_store::shop::find_by_barcode(tx, tenant, &raw).await? {
                    return Ok(vec![p]);
                }
                let filter = guichet_store::shop::ProductFilter {
                    search: Some(raw.clone()),
                    ..Default::default()
                };
                let all = guichet_store::shop::products(tx, tenant, &filter).await?;
                let key = guichet_domain::text::search_key(&raw);
                let exact: Vec<_> = all
                    .iter()
                    .filter(|p| {
                        guichet_domain::text::search_key(&p.name) == key
                            || p.reference
                                .as_deref()
                                .is_some_and(|r| guichet_domain::text::search_key(r) == key)
                    })
                    .cloned()
                    .collect();
                Ok(if exact.is_empty() { all } else { exact })
            })
        })
        .await?;
    match found.as_slice() {
        [p] => Ok(p.id),
        [] => Err(AppError::field("product", "unknown_product")),
        _ => Err(AppError::field("product", "several_products")),
    }
}

/// Reserves a product for a customer (sellers too: it happens at the counter).
pub async fn reserve(
    state: &App,
    actor: &Actor,
    input: &ReservationInput,
) -> Result<Reservation, AppError> {
    actor.require(Permission::Sell)?;
    let mut e = guichet_domain::FieldErrors::new();
    let customer = input
        .customer_id
        .trim()
        .parse::<Uuid>()
        .ok()
        .map(CustomerId);
    if customer.is_none() {
        e.add("customer_id", "unknown_customer");
    }
    let quantity = match input.quantity.trim() {
        "" => Some(1),
        q => match q.parse::<i64>() {
            Ok(n) if (1..=10_000).contains(&n) => Some(n),
            _ => {
                e.add("quantity", "not_a_whole_number");
                None
            }
        },
    };
    let note = e
        .check("note", guichet_domain::text::optional(&input.note, 500))
        .flatten();
    let product = match resolve_product(state, actor, &input.product).await {
        Ok(p) => Some(p),
        Err(AppError::Invalid(pe)) => {
            e.0.extend(pe.0);
            None
        }
        Err(other) => return Err(other),
    };
    e.into_result()?;
    let (Some(customer), Some(product), Some(quantity)) = (customer, product, quantity) else {
        return Err(AppError::field("product", "required"));
    };
    let (tenant, by) = (actor.tenant, actor.user_id());
    let result = state
        .store
        .write(|tx| {
            let note = note.clone();
            Box::pin(async move {
                store::create(tx, tenant, customer, product, quantity, note.as_deref(), by).await
            })
        })
        .await;
    match result {
        // The customer or product named does not exist here: a field error, not a 404.
        Err(guichet_store::StoreError::NotFound) => {
            Err(AppError::field("customer_id", "unknown_customer"))
        }
        other => Ok(other?),
    }
}

/// A deposit on a reservation (a special order): paid now, at the register, on an order of
/// its own.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct DepositInput {
    /// The register that takes the money (its session must be open).
    pub register_id: String,
    /// The deposit ("10,00"): more than zero, at most the goods' price.
    pub amount: String,
    /// cash, card_terminal, bancontact, bank_transfer… (see the order's payments).
    pub method: String,
    /// Cash handed over, when more than the deposit: the rest is change.
    pub tendered: Option<String>,
}

/// Takes a deposit on an open reservation: an order with one deposit line at the goods' VAT
/// rate (their VAT is due when a deposit is paid), paid in full, the customer attached. The
/// sale that later takes the reserved goods deducts it (`services::orders`). One deposit per
/// reservation.
pub async fn take_deposit(
    state: &App,
    actor: &Actor,
    id: Uuid,
    input: &DepositInput,
) -> Result<Reservation, AppError> {
    actor.require(Permission::Sell)?;
    let tenant = actor.tenant;
    let mut tx = state.store.begin_read().await?;
    let priced = deposit_order(&mut tx, actor, id, input).await;
    tx.commit().await?;
    let (order, rate) = priced?;
    let (deposit, order) = (order.total_cents, std::sync::Arc::new(order));
    Ok(state
        .store
        .write(|tx| {
            let order = order.clone();
            Box::pin(async move {
                let o = guichet_store::orders::create(tx, tenant, &order).await?;
                store::record_deposit(tx, tenant, id, o.id, deposit, rate).await
            })
        })
        .await?)
}

/// The deposit's order, checked and priced, with the VAT rate it is paid at.
async fn deposit_order(
    tx: &mut guichet_store::Tx,
    actor: &Actor,
    id: Uuid,
    input: &DepositInput,
) -> Result<(guichet_store::orders::NewOrder, u32), AppError> {
    use super::orders::{enabled_methods_in, payments, register_in, zone_in};
    let tenant = actor.tenant;
    let r = store::get(tx, tenant, id).await?;
    if !r.state.is_open() {
        return Err(AppError::Conflict("reservation_closed"));
    }
    if r.deposit_order_id.is_some() {
        return Err(AppError::Conflict("deposit_taken"));
    }
    let product = guichet_store::shop::product(tx, tenant, r.product_id).await?;
    let customer = guichet_store::customers::get(tx, tenant, r.customer_id).await?;
    let mut e = guichet_domain::FieldErrors::new();
    let deposit = e
        .check(
            "amount",
            guichet_domain::shop::parse_price_cents(&input.amount),
        )
        .and_then(|a| {
            e.check(
                "amount",
                rules::check_deposit(a, product.price_cents, r.quantity),
            )
        });
    let register = match register_in(tx, actor, &input.register_id).await {
        Ok(reg) => Some(reg),
        Err(AppError::Invalid(re)) => {
            e.0.extend(re.0);
            None
        }
        Err(other) => return Err(other),
    };
    let enabled = enabled_methods_in(tx, actor).await?;
    let (Some(deposit), Some(register)) = (deposit, register) else {
        return Err(AppError::Invalid(e));
    };
    let handed = input
        .tendered
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .unwrap_or(&input.amount);
    let mut pe = guichet_domain::FieldErrors::new();
    let paid = payments(
        &[super::orders::PaymentInput {
            method: input.method.clone(),
            amount: handed.to_owned(),
        }],
        deposit,
        &enabled,
        &register,
        &mut pe,
    );
    // One payment: its fields are the form's own.
    for fe in pe.0 {
        let field = fe.field.trim_start_matches("payments[0].");
        e.add(if field == "amount" { "tendered" } else { field }, &fe.code);
    }
    if paid.iter().map(|p| p.amount_cents).sum::<i64>() != deposit {
        e.add("tendered", "less_than_due");
    }
    e.into_result()?;
    // The deposit bears the VAT the goods will: a VAT-exempt customer's none.
    let kind = super::orders::customer_type_of(tx, actor, &customer).await?;
    let (_, tax) = guichet_domain::customer::effective_terms(
        customer.discount_bp,
        customer.vat_exempt,
        kind.map(|t| (t.discount_bp, t.tax)),
    );
    let rate = tax.rate_for(product.vat_rate_basis_points);
    let tr = guichet_integrations::i18n::Tr(actor.lang);
    let label = tr.t1_2(
        "order-deposit-on",
        ("product", product.name.clone()),
        ("quantity", r.quantity.to_string()),
    );
    let mut line = guichet_domain::sale::PricedLine::deposit(label, deposit, rate);
    let totals = guichet_domain::order::totals(&[(deposit, rate)]);
    line.vat_cents = totals.vat_cents;
    let tz = zone_in(tx, actor).await?;
    Ok((
        guichet_store::orders::NewOrder {
            register_id: Some(register.id),
            register_kind: Some(register.kind),
            quote: false,
            lines: vec![line],
            total_cents: deposit,
            vat_cents: totals.vat_cents,
            visit_date: None,
            visit_start: None,
            customer_comment: None,
            internal_comment: None,
            created_by: actor.user_id(),
            idempotency_key: None,
            customer_id: Some(r.customer_id),
            origin: None,
            promo_code_id: None,
            day: jiff::Timestamp::now().to_zoned(tz).date(),
            // Taken in the sale's transaction, once its number is.
            at: None,
            payments: paid,
            deposits_used: Vec::new(),
            names: guichet_store::orders::Names {
                register: Some(register.name.clone()),
                customer: Some(r.customer_name.clone()),
                created_by: actor.user.as_ref().map(|u| u.name.clone()),
            },
            online: None,
            hold_cart: None,
        },
        rate,
    ))
}

/// What becomes of an unused deposit when its reservation is archived.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ArchiveInput {
    /// With a deposit paid: `store_credit` keeps it as the customer's credit; a method the
    /// deposit was paid with (cash, card_terminal…) refunds it that way, any other is refused
    /// (`not_paid_with`). Its order is cancelled either way.
    pub refund_method: Option<String>,
}

/// How an unused deposit can be given back when its reservation is archived: as the
/// customer's store credit first, then each method its order was paid with that can give the
/// whole deposit back ([`archive`] refuses the others). Empty without a deposit to give back.
pub async fn deposit_refund_methods(
    state: &App,
    actor: &Actor,
    r: &Reservation,
) -> Result<Vec<guichet_domain::order::PaymentMethod>, AppError> {
    use guichet_domain::order::PaymentMethod;
    let Some(order) = r.deposit_order_id.filter(|_| r.deposit_open()) else {
        return Ok(Vec::new());
    };
    let enabled = super::orders::enabled_methods(state, actor).await?;
    let deposit = super::orders::get(state, actor, OrderId(order)).await?;
    let paid = super::orders::refundable(&deposit)
        .into_iter()
        .filter(|m| m.cents >= r.deposit_cents && m.method != PaymentMethod::StoreCredit)
        .map(|m| m.method);
    Ok(std::iter::once(PaymentMethod::StoreCredit)
        .chain(paid)
        .filter(|m| enabled.contains(m))
        .collect())
}

/// Archives a reservation; a set-aside item goes back to stock. An unused deposit is given
/// back — refunded or kept as store credit — by cancelling its order (managers and admins,
/// as any cancellation), all in one transaction.
pub async fn archive(
    state: &App,
    actor: &Actor,
    id: Uuid,
    input: &ArchiveInput,
) -> Result<Reservation, AppError> {
    actor.require(Permission::Sell)?;
    let (tenant, by) = (actor.tenant, actor.user_id());
    let r = state
        .store
        .read(|tx| Box::pin(async move { store::get(tx, tenant, id).await }))
        .await?;
    let refund = match (r.deposit_open(), r.deposit_order_id) {
        (true, Some(order)) => {
            actor.require(Permission::CancelOrder)?;
            let enabled = super::orders::enabled_methods(state, actor).await?;
            let method = input
                .refund_method
                .as_deref()
                .map(str::trim)
                .filter(|m| !m.is_empty())
                .ok_or_else(|| AppError::field("refund_method", "required"))?;
            let method = guichet_domain::order::PaymentMethod::parse(method)
                .filter(|m| enabled.contains(m))
                .ok_or_else(|| AppError::field("refund_method", "unknown_method"))?;
            // The same rule as any cancellation: back in a method the deposit was paid with
            // (at most what it brought), or as the customer's store credit.
            let deposit = super::orders::get(state, actor, OrderId(order)).await?;
            let refundable = super::orders::refundable(&deposit);
            let asked = [(method, r.deposit_cents)];
            let refund = guichet_domain::refund::check(&asked, &refundable, true)
                .map_err(|errors| {
                    let code = errors.first().map_or("not_paid_with", |(_, e)| e.code());
                    AppError::field("refund_method", code)
                })?
                .into_iter()
                .next()
                .ok_or_else(|| AppError::field("refund_method", "not_paid_with"))?;
            let reason =
                guichet_integrations::i18n::Tr(actor.lang).t("reservations-archived-reason");
            Some((order, refund, reason))
        }
        _ => None,
    };
    Ok(state
        .store
        .write(|tx| {
            let refund = refund.clone();
            Box::pin(async move {
                if let Some((order, refund, reason)) = refund {
                    let payment =
                        guichet_store::orders::NewPayment::refund(refund.method, refund.cents);
                    guichet_store::orders::cancel(
                        tx,
                        tenant,
                        OrderId(order),
                        &reason,
                        &[(refund.register, payment)],
                        by,
                    )
                    .await?;
                }
                store::archive(tx, tenant, id, by).await
            })
        })
        .await?)
}

/// Open reservations: every customer's, or one's.
pub async fn open(
    state: &App,
    actor: &Actor,
    customer: Option<CustomerId>,
) -> Result<Vec<Reservation>, AppError> {
    actor.require(Permission::Sell)?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .read(|tx| Box::pin(async move { store::open(tx, tenant, customer).await }))
        .await?)
}

/// One customer's open reservations with the message that tells them what is ready.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CustomerOrders {
    pub customer_id: CustomerId,
    pub customer_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub reservations: Vec<Reservation>,
    /// Some reservation is older than 14 days.
    pub old: bool,
    /// Set-aside items not yet notified.
    pub to_notify: bool,
    /// The message for the set-aside items (empty when none is ready).
    pub subject: String,
    pub message: String,
    /// `mailto:` with the message written, when the customer has an e-mail address and
    /// agreed to e-mails.
    pub mailto: Option<String>,
    /// `sms:` likewise, with a phone number and SMS consent.
    pub sms: Option<String>,
}

/// The customer orders page: open reservations grouped by customer, oldest first.
/// A page of the customers with open reservations (the API's list), by customer id, after the
/// customer `after` (the cursor is that id); one customer's only when `customer` is given. The
/// open reservations are read whole, as the back office's page does, and the groups paged.
pub async fn customer_orders_page(
    state: &App,
    actor: &Actor,
    customer: Option<CustomerId>,
    after: Option<&str>,
    limit: Option<u32>,
) -> Result<crate::paging::Page<CustomerOrders>, AppError> {
    use crate::paging;
    let limit = paging::limit(limit)?;
    let after: Option<uuid::Uuid> = after
        .map(|a| a.parse().map_err(|_| paging::bad_cursor()))
        .transpose()?;
    let all = open(state, actor, customer).await?;
    let mut groups = group(state, actor, all).await?;
    groups.sort_by_key(|g| g.customer_id.0);
    groups.retain(|g| after.is_none_or(|a| g.customer_id.0 > a));
    groups.truncate(limit + 1);
    Ok(paging::page(groups, limit, |g| {
        g.customer_id.0.simple().to_string()
    }))
}

pub async fn customer_orders(state: &App, actor: &Actor) -> Result<Vec<CustomerOrders>, AppError> {
    let all = open(state, actor, None).await?;
    group(state, actor, all).await
}

async fn group(
    state: &App,
    actor: &Actor,
    reservations: Vec<Reservation>,
) -> Result<Vec<CustomerOrders>, AppError> {
    let (subject, body) = template(state, actor).await?;
    let org = crate::organization::organization_name(state, actor.tenant).await?;
    let now = guichet_store::now_micros();
    let mut out: Vec<CustomerOrders> = Vec::new();
    for r in reservations {
        let old = rules::is_old(r.created_at, now);
        match out.iter_mut().find(|g| g.customer_id == r.customer_id) {
            Some(g) => {
                g.old |= old;
                g.reservations.push(r);
            }
            None => out.push(CustomerOrders {
                customer_id: r.customer_id,
                customer_name: r.customer_name.clone(),
                email: r.customer_email.clone(),
                phone: r.customer_phone.clone(),
                old,
                to_notify: false,
                subject: String::new(),
                message: String::new(),
                mailto: None,
                sms: None,
                reservations: vec![r],
            }),
        }
    }
    for g in &mut out {
        let ready: Vec<(i64, String)> = g
            .reservations
            .iter()
            .filter(|r| r.state == ReservationState::SetAside)
            .map(|r| (r.quantity, r.product_name.clone()))
            .collect();
        g.to_notify = g
            .reservations
            .iter()
            .any(|r| r.state == ReservationState::SetAside && r.notified_at.is_none());
        if ready.is_empty() {
            continue;
        }
        let first = g.reservations[0]
            .customer_first_name
            .clone()
            .unwrap_or_else(|| g.customer_name.clone());
        g.subject = subject.clone();
        g.message = rules::render(&body, &first, &org, &ready);
        let (email_ok, sms_ok) = (
            g.reservations[0].consent_email,
            g.reservations[0].consent_sms,
        );
        g.mailto = g
            .email
            .as_deref()
            .filter(|_| email_ok)
            .map(|e| rules::mailto(e, &g.subject, &g.message));
        g.sms = g
            .phone
            .as_deref()
            .filter(|_| sms_ok)
            .map(|p| rules::sms(p, &g.message));
    }
    Ok(out)
}

/// Sends a customer the message for their ready items through the organization's SMTP
/// server (queued in the outbox with the reservations marked notified, in one transaction):
/// only with an e-mail address and their consent to e-mails.
pub async fn send_ready_email(
    state: &App,
    actor: &Actor,
    customer: CustomerId,
) -> Result<(), AppError> {
    actor.require(Permission::Sell)?;
    if state.config.mail.is_none() {
        return Err(AppError::Conflict("mail_not_configured"));
    }
    let mine = open(state, actor, Some(customer)).await?;
    let Some(g) = group(state, actor, mine).await?.into_iter().next() else {
        return Err(AppError::Conflict("nothing_ready"));
    };
    if g.message.is_empty() {
        return Err(AppError::Conflict("nothing_ready"));
    }
    // `mailto` is there only with an address and the customer's consent to e-mails.
    let (Some(_), Some(to)) = (g.mailto.as_ref(), g.email.clone()) else {
        return Err(AppError::Conflict("no_email_consent"));
    };
    let tenant = actor.tenant;
    state
        .store
        .write(|tx| {
            let (to, subject, body) = (to.clone(), g.subject.clone(), g.message.clone());
            Box::pin(async move {
                guichet_store::outbox::enqueue_for_customer(
                    tx, tenant, customer, &to, &subject, &body,
                )
                .await?;
                store::mark_notified(tx, tenant, customer).await
            })
        })
        .await?;
    Ok(())
}

/// Records that a customer was told (after the e-mail or SMS was sent).
pub async fn mark_notified(
    state: &App,
    actor: &Actor,
    customer: CustomerId,
) -> Result<u64, AppError> {
    actor.require(Permission::Sell)?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .write(|tx| Box::pin(async move { store::mark_notified(tx, tenant, customer).await }))
        .await?)
}

/// The "your reservation is ready" message: the organization's, or the default in the
/// user's language.
pub async fn template(state: &App, actor: &Actor) -> Result<(String, String), AppError> {
    let tenant = actor.tenant;
    let stored = state
        .store
        .read(|tx| Box::pin(async move { store::template(tx, tenant, READY).await }))
        .await?;
    let tr = guichet_integrations::i18n::Tr(actor.lang);
    Ok(stored.unwrap_or_else(|| {
        (
            tr.t("reservation-template-subject"),
            tr.t("reservation-template-body"),
        )
    }))
}

pub async fn set_template(
    state: &App,
    actor: &Actor,
    subject: &str,
    body: &str,
) -> Result<(), AppError> {
    actor.require(Permission::ManageCustomers)?;
    let mut e = guichet_domain::FieldErrors::new();
    let subject = e.check("subject", guichet_domain::text::required(subject, 200));
    let body = e.check("body", guichet_domain::text::required(body, 5_000));
    e.into_result()?;
    let (Some(subject), Some(body)) = (subject, body) else {
        return Err(AppError::field("body", "required"));
    };
    let tenant = actor.tenant;
    state
        .store
        .write(|tx| {
            let (s, b) = (subject.clone(), body.clone());
            Box::pin(async move { store::set_template(tx, tenant, READY, &s, &b).await })
        })
        .await?;
    Ok(())
}

// ---------------------------------------------------------------- order list, supplier orders

pub async fn order_list(state: &App, actor: &Actor) -> Result<Vec<ToOrder>, AppError> {
    actor.require(Permission::ManageCatalogue)?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .read(|tx| Box::pin(async move { store::order_list(tx, tenant).await }))
        .await?)
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct SupplierOrderInput {
    pub supplier: String,
    pub supplier_email: String,
    pub note: String,
    pub lines: Vec<SupplierLineInput>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct SupplierLineInput {
    pub product_id: String,
    pub quantity: String,
}

pub async fn create_supplier_order(
    state: &App,
    actor: &Actor,
    input: &SupplierOrderInput,
) -> Result<SupplierOrder, AppError> {
    actor.require(Permission::ManageCatalogue)?;
    let mut e = guichet_domain::FieldErrors::new();
    let supplier = e.check(
        "supplier",
        guichet_domain::text::required(&input.supplier, 200),
    );
    let email = match input.supplier_email.trim() {
        "" => None,
        raw => e
            .check("supplier_email", guichet_domain::org::Email::parse(raw))
            .map(|m| m.as_str().to_owned()),
    };
    let note = e
        .check("note", guichet_domain::text::optional(&input.note, 2_000))
        .flatten();
    let mut lines = Vec::new();
    for (i, l) in input.lines.iter().enumerate() {
        let product = l.product_id.trim().parse::<Uuid>().ok().map(ProductId);
        let quantity = l
            .quantity
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|q| (0..=100_000).contains(q));
        match (product, quantity) {
            (_, Some(0)) => {}
            (Some(p), Some(q)) => lines.push((p, q)),
            (None, _) => e.add(&format!("lines[{i}].product_id"), "unknown_product"),
            (_, None) => e.add(&format!("lines[{i}].quantity"), "not_a_whole_number"),
        }
    }
    if lines.is_empty() && e.is_empty() {
        e.add("lines", "required");
    }
    e.into_result()?;
    let Some(supplier) = supplier else {
        return Err(AppError::field("supplier", "required"));
    };
    let (tenant, by) = (actor.tenant, actor.user_id());
    Ok(state
        .store
        .write(|tx| {
            let (s, m, n, lines) = (supplier.clone(), email.clone(), note.clone(), lines.clone());
            Box::pin(async move {
                store::create_supplier_order(tx, tenant, &s, m.as_deref(), n.as_deref(), &lines, by)
                    .await
            })
        })
        .await?)
}

pub async fn supplier_orders(state: &App, actor: &Actor) -> Result<Vec<SupplierOrder>, AppError> {
    actor.require(Permission::ManageCatalogue)?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .read(|tx| Box::pin(async move { store::supplier_orders(tx, tenant).await }))
        .await?)
}

pub async fn supplier_order(
    state: &App,
    actor: &Actor,
    id: Uuid,
) -> Result<SupplierOrder, AppError> {
    actor.require(Permission::ManageCatalogue)?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .read(|tx| Box::pin(async move { store::supplier_order(tx, tenant, id).await }))
        .await?)
}

pub async fn mark_sent(state: &App, actor: &Actor, id: Uuid) -> Result<SupplierOrder, AppError> {
    actor.require(Permission::ManageCatalogue)?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .write(|tx| Box::pin(async move { store::mark_sent(tx, tenant, id).await }))
        .await?)
}

/// The order as a message for the supplier: subject, body (one line per product), and a
/// `mailto:` link when the supplier has an address.
pub fn supplier_message(
    tr: &guichet_integrations::i18n::Tr,
    org: &str,
    o: &SupplierOrder,
) -> (String, String, Option<String>) {
    let subject = format!("{} {} — {org}", tr.t("supplier-order"), o.number);
    let mut body = format!("{}\n\n", tr.t("supplier-order-greeting"));
    for l in &o.lines {
        let code = l.reference.clone().unwrap_or_else(|| l.barcode.clone());
        body.push_str(&format!("- {} × {} ({code})\n", l.quantity, l.product_name));
    }
    body.push_str(&format!("\n{org}"));
    let link = o
        .supplier_email
        .as_deref()
        .map(|e| rules::mailto(e, &subject, &body));
    (subject, body, link)
}

/// Receives a supplier order; answers the customer orders whose items just arrived, with
/// their messages ready to send.
pub async fn receive(
    state: &App,
    actor: &Actor,
    id: Uuid,
    received: &[(String, String)],
) -> Result<Vec<CustomerOrders>, AppError> {
    actor.require(Permission::ManageCatalogue)?;
    let mut lines = Vec::new();
    for (line, q) in received {
        let line: Uuid = line
            .parse()
            .map_err(|_| AppError::field("received", "unknown_value"))?;
        let q: i64 = q
            .trim()
            .parse()
            .ok()
            .filter(|q| (0..=1_000_000).contains(q))
            .ok_or_else(|| AppError::field(&format!("received.{line}"), "not_a_whole_number"))?;
        lines.push((line, q));
    }
    let (tenant, by) = (actor.tenant, actor.user_id());
    let arrived = state
        .store
        .write(|tx| {
            let lines = lines.clone();
            Box::pin(async move { store::receive(tx, tenant, id, &lines, by).await })
        })
        .await?;
    // Everything those customers have open, so one message covers all their ready items.
    let customers: Vec<CustomerId> = arrived.iter().map(|r| r.customer_id).collect();
    let all = open(state, actor, None).await?;
    let theirs = all
        .into_iter()
        .filter(|r| customers.contains(&r.customer_id))
        .collect();
    group(state, actor, theirs).await
}

/// E-mails queued and not sent yet (the customer orders page shows them).
pub async fn pending_emails(state: &App, actor: &Actor) -> Result<i64, AppError> {
    actor.require(Permission::Sell)?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .read(|tx| Box::pin(async move { guichet_store::outbox::pending(tx, tenant).await }))
        .await?)
}

/// A supplier order as CSV (`;`, BOM) to send the supplier: reference, barcode, product,
/// quantity.
pub async fn supplier_order_file(
    state: &App,
    actor: &Actor,
    id: Uuid,
) -> Result<crate::files::File, AppError> {
    use guichet_integrations::exports::{Cell, Table};
    let o = supplier_order(state, actor, id).await?;
    let tr = guichet_integrations::i18n::Tr(actor.lang);
    let table = Table {
        headers: vec![
            tr.t("label-reference"),
            tr.t("label-barcode"),
            tr.t("label-product"),
            tr.t("label-quantity"),
        ],
        rows: o
            .lines
            .iter()
            .map(|l| {
                vec![
                    Cell::Text(l.reference.clone().unwrap_or_default()),
                    Cell::Text(l.barcode.clone()),
                    Cell::Text(l.product_name.clone()),
                    Cell::Int(l.quantity),
                ]
            })
            .collect(),
    };
    crate::files::table_file(
        &table,
        crate::files::Format::Csv,
        actor.lang,
        "Commande",
        &o.number,
    )
}
