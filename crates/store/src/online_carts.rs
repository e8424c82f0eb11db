//! A visitor's cart between the steps of the online booking flow (issue 16 §2): what they
//! chose, their details once given, and the order it became. The cart's token is in the
//! flow's addresses; its places are held by [`crate::holds`] under the same token.

use crate::{Result, StoreError, Tenant, Tx, now_micros, on_tx};
use guichet_domain::{BookingModuleId, OrderId};
use uuid::Uuid;

/// Where a cart is in the flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CartState {
    /// The visitor is choosing and filling in their details.
    Open,
    /// Handed to the payment provider for `due_now_cents`.
    Paying,
    /// It became an order.
    Booked,
}

impl CartState {
    pub fn as_str(self) -> &'static str {
        match self {
            CartState::Open => "open",
            CartState::Paying => "paying",
            CartState::Booked => "booked",
        }
    }

    fn parse(s: &str) -> CartState {
        match s {
            "paying" => CartState::Paying,
            "booked" => CartState::Booked,
            _ => CartState::Open,
        }
    }
}

#[derive(Debug, Clone)]
pub struct OnlineCart {
    pub id: Uuid,
    pub module_id: BookingModuleId,
    pub cart: String,
    pub language: String,
    /// The cart's lines as the app layer serialized them.
    pub lines_json: String,
    pub promo_code: Option<String>,
    /// The visitor's details as the app layer serialized them; cleared once booked (the
    /// order and the customer file keep what is needed).
    pub visitor_json: Option<String>,
    pub state: CartState,
    pub due_now_cents: i64,
    pub order_id: Option<OrderId>,
    pub provider_ref: Option<String>,
    pub updated_at: i64,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    booking_module_id: Uuid,
    cart: String,
    language: String,
    lines_json: String,
    promo_code: Option<String>,
    visitor_json: Option<String>,
    state: String,
    due_now_cents: i64,
    order_id: Option<Uuid>,
    provider_ref: Option<String>,
    updated_at: i64,
}

impl From<Row> for OnlineCart {
    fn from(r: Row) -> Self {
        OnlineCart {
            id: r.id,
            module_id: BookingModuleId(r.booking_module_id),
            cart: r.cart,
            language: r.language,
            lines_json: r.lines_json,
            promo_code: r.promo_code,
            visitor_json: r.visitor_json,
            state: CartState::parse(&r.state),
            due_now_cents: r.due_now_cents,
            order_id: r.order_id.map(OrderId),
            provider_ref: r.provider_ref,
            updated_at: r.updated_at,
        }
    }
}

/// The cart with this token in this module; `NotFound` for another module's or an unknown
/// token alike.
pub async fn get(
    tx: &mut Tx,
    tenant: Tenant,
    module: BookingModuleId,
    cart: &str,
) -> Result<OnlineCart> {
    let row: Option<Row> = on_tx!(tx, c => sqlx::query_as(
        "SELECT id, booking_module_id, cart, language, lines_json, promo_code, visitor_json, state,
         due_now_cents, order_id, provider_ref, updated_at
         FROM online_carts WHERE organization_id = $1 AND booking_module_id = $2 AND cart = $3")
        .bind(tenant.id().0).bind(module.0).bind(cart)
        .fetch_optional(c).await?);
    row.map(OnlineCart::from).ok_or(StoreError::NotFound)
}

/// Starts a cart, or replaces the lines and language of an open one. A cart handed to the
/// payment provider or booked is not changed: `cart_closed`.
pub async fn save_lines(
    tx: &mut Tx,
    tenant: Tenant,
    module: BookingModuleId,
    cart: &str,
    language: &str,
    lines_json: &str,
) -> Result<()> {
    let now = now_micros();
    let changed = on_tx!(tx, c => sqlx::query(
        "UPDATE online_carts SET lines_json = $4, language = $5, updated_at = $6
         WHERE organization_id = $1 AND booking_module_id = $2 AND cart = $3 AND state = 'open'")
        .bind(tenant.id().0).bind(module.0).bind(cart).bind(lines_json).bind(language).bind(now)
        .execute(c).await?.rows_affected());
    if changed > 0 {
        return Ok(());
    }
    if get(tx, tenant, module, cart).await.is_ok() {
        return Err(StoreError::Refused("cart_closed"));
    }
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO online_carts (id, organization_id, booking_module_id, cart, language, lines_json,
         state, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $7)")
        .bind(Uuid::now_v7()).bind(tenant.id().0).bind(module.0).bind(cart).bind(language)
        .bind(lines_json).bind(now)
        .execute(c).await
        .map_err(|e| StoreError::on_constraint(e, "cart"))?
        .rows_affected());
    Ok(())
}

/// Sets the promo code of an open cart (`None` removes it).
pub async fn set_promo_code(
    tx: &mut Tx,
    tenant: Tenant,
    module: BookingModuleId,
    cart: &str,
    code: Option<&str>,
) -> Result<()> {
    changed_or_closed(on_tx!(tx, c => sqlx::query(
            "UPDATE online_carts SET promo_code = $4, updated_at = $5
             WHERE organization_id = $1 AND booking_module_id = $2 AND cart = $3 AND state = 'open'")
            .bind(tenant.id().0).bind(module.0).bind(cart).bind(code).bind(now_micros())
            .execute(c).await?.rows_affected()))
}

/// Hands an open cart to the payment provider: the visitor's details and what is due now
/// are kept for the payment's confirmation, which makes the order.
pub async fn start_payment(
    tx: &mut Tx,
    tenant: Tenant,
    module: BookingModuleId,
    cart: &str,
    visitor_json: &str,
    visitor_email: &str,
    due_now_cents: i64,
) -> Result<()> {
    let email = visitor_email.trim().to_lowercase();
    changed_or_closed(on_tx!(tx, c => sqlx::query(
            "UPDATE online_carts SET state = 'paying', visitor_json = $4, due_now_cents = $5, updated_at = $6,
             visitor_email = $7
             WHERE organization_id = $1 AND booking_module_id = $2 AND cart = $3 AND state = 'open'")
            .bind(tenant.id().0).bind(module.0).bind(cart).bind(visitor_json).bind(due_now_cents)
            .bind(now_micros()).bind((!email.is_empty()).then_some(email))
            .execute(c).await?.rows_affected()))
}

/// The visitor came back from the payment provider without paying: the cart is open again
/// (its holds still run their countdown) and forgets the details, which the visitor types
/// again to book.
pub async fn abandon_payment(
    tx: &mut Tx,
    tenant: Tenant,
    module: BookingModuleId,
    cart: &str,
) -> Result<()> {
    on_tx!(tx, c => sqlx::query(
        "UPDATE online_carts SET state = 'open', visitor_json = NULL, visitor_email = NULL, updated_at = $4
         WHERE organization_id = $1 AND booking_module_id = $2 AND cart = $3 AND state = 'paying'")
        .bind(tenant.id().0).bind(module.0).bind(cart).bind(now_micros())
        .execute(c).await?.rows_affected());
    Ok(())
}

/// The cart became `order`: closed for good, the visitor's details forgotten (the order and
/// the customer file keep them). Refused with `cart_closed` when another request booked it
/// first, so one cart never makes two orders.
pub async fn mark_booked(
    tx: &mut Tx,
    tenant: Tenant,
    module: BookingModuleId,
    cart: &str,
    order: OrderId,
    provider_ref: Option<&str>,
) -> Result<()> {
    changed_or_closed(on_tx!(tx, c => sqlx::query(
            "UPDATE online_carts SET state = 'booked', order_id = $4, provider_ref = $5, visitor_json = NULL,
             visitor_email = NULL, updated_at = $6
             WHERE organization_id = $1 AND booking_module_id = $2 AND cart = $3 AND state <> 'booked'")
            .bind(tenant.id().0).bind(module.0).bind(cart).bind(order.0).bind(provider_ref)
            .bind(now_micros())
            .execute(c).await?.rows_affected()))
}

fn changed_or_closed(changed: u64) -> Result<()> {
    if changed == 0 {
        Err(StoreError::Refused("cart_closed"))
    } else {
        Ok(())
    }
}

/// Forgets carts left unbooked since `before` (the visitor's details with them), in every
/// organization; how many went.
pub async fn sweep(tx: &mut Tx, before: i64) -> Result<u64> {
    Ok(on_tx!(tx, c => sqlx::query(
        "DELETE FROM online_carts WHERE state <> 'booked' AND updated_at < $1")
        .bind(before).execute(c).await?.rows_affected()))
}

/// Erasure: a cart at the payment provider with the person's e-mail goes, with the details it
/// kept (its holds run out by themselves).
pub async fn forget_email(tx: &mut Tx, tenant: Tenant, email: &str) -> Result<u64> {
    let email = email.trim().to_lowercase();
    if email.is_empty() {
        return Ok(0);
    }
    Ok(on_tx!(tx, c => sqlx::query(
        "DELETE FROM online_carts WHERE organization_id = $1 AND visitor_email = $2 AND state <> 'booked'")
        .bind(tenant.id().0).bind(email).execute(c).await?.rows_affected()))
}

/// The Stripe Checkout Session a paying cart was handed to.
pub async fn set_checkout(
    tx: &mut Tx,
    tenant: Tenant,
    module: BookingModuleId,
    cart: &str,
    session: &str,
) -> Result<()> {
    changed_or_closed(on_tx!(tx, c => sqlx::query(
            "UPDATE online_carts SET checkout_session = $4, updated_at = $5
             WHERE organization_id = $1 AND booking_module_id = $2 AND cart = $3 AND state = 'paying'")
            .bind(tenant.id().0).bind(module.0).bind(cart).bind(session).bind(now_micros())
            .execute(c).await?.rows_affected()))
}

/// The cart (its module and token) handed to this Checkout Session.
pub async fn by_checkout(
    tx: &mut Tx,
    tenant: Tenant,
    session: &str,
) -> Result<Option<(BookingModuleId, String)>> {
    let row: Option<(Uuid, String)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT booking_module_id, cart FROM online_carts
         WHERE organization_id = $1 AND checkout_session = $2")
        .bind(tenant.id().0).bind(session)
        .fetch_optional(c).await?);
    Ok(row.map(|(m, c)| (BookingModuleId(m), c)))
}

/// Carts still at Stripe, handed over before `before` (the sync asks Stripe about them, in
/// case a webhook never came): (module, cart, Checkout Session).
pub async fn paying_at_checkout(
    tx: &mut Tx,
    tenant: Tenant,
    before: i64,
    limit: i64,
) -> Result<Vec<(BookingModuleId, String, String)>> {
    let rows: Vec<(Uuid, String, String)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT booking_module_id, cart, checkout_session FROM online_carts
         WHERE organization_id = $1 AND state = 'paying' AND checkout_session IS NOT NULL
         AND updated_at < $2 ORDER BY updated_at LIMIT $3")
        .bind(tenant.id().0).bind(before).bind(limit)
        .fetch_all(c).await?);
    Ok(rows
        .into_iter()
        .map(|(m, c, s)| (BookingModuleId(m), c, s))
        .collect())
}
