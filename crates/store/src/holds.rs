//! Places a visitor's cart holds while they book online. A hold counts in
//! `session_counts.held`, so every channel sees the places as taken; the cart's sale turns
//! them into sold places in its own transaction ([`take_for_sale`]), and the sweep gives back
//! the places of holds that expired ([`sweep`]). Each change of `held` is one conditional
//! statement, like the sale's: two carts racing for the last places cannot both get them.

use crate::{Result, StoreError, Tenant, Tx, on_tx};
use guichet_domain::OfferId;
use uuid::Uuid;

/// One session's places held by a cart.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Hold {
    pub offer_id: Uuid,
    pub session_start: i64,
    pub quantity: i64,
    /// Microseconds since the Unix epoch; the places go back after it.
    pub expires_at: i64,
}

/// The cart's holds, by offer and session.
pub async fn of_cart(tx: &mut Tx, tenant: Tenant, cart: &str) -> Result<Vec<Hold>> {
    Ok(on_tx!(tx, c => sqlx::query_as(
        "SELECT offer_id, session_start, quantity, expires_at FROM holds
         WHERE organization_id = $1 AND cart = $2 ORDER BY offer_id, session_start")
        .bind(tenant.id().0)
        .bind(cart)
        .fetch_all(c)
        .await?))
}

/// The places a cart wants in one session.
#[derive(Debug, Clone, Copy)]
pub struct Wanted {
    pub offer: OfferId,
    pub start: i64,
    /// 0 lets the session's places go.
    pub quantity: i64,
    /// The offer's capacity (a session override replaces it).
    pub capacity: i64,
}

/// Sets the places `cart` holds in one session to what it wants, within the session's
/// capacity, and moves every hold of the cart to expire at `expires_at`: the cart has one
/// countdown. Refused with `sold_out` when the places are not free, `session_closed` when the
/// session is closed.
pub async fn set(
    tx: &mut Tx,
    tenant: Tenant,
    cart: &str,
    wanted: Wanted,
    expires_at: i64,
    now: i64,
) -> Result<()> {
    let Wanted {
        offer,
        start,
        quantity,
        capacity,
    } = wanted;
    let org = tenant.id().0;
    let held: Option<i64> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT quantity FROM holds WHERE organization_id = $1 AND cart = $2 AND offer_id = $3
         AND session_start = $4")
        .bind(org).bind(cart).bind(offer.0).bind(start)
        .fetch_optional(c).await?);
    let delta = quantity - held.unwrap_or(0);
    if delta > 0 {
        hold_places(tx, tenant, offer, start, delta, capacity).await?;
    } else if delta < 0 {
        give_back(tx, tenant, offer.0, start, -delta).await?;
    }
    match (held, quantity) {
        (None, 0) => {}
        (None, q) => {
            on_tx!(tx, c => sqlx::query(
                "INSERT INTO holds (id, organization_id, cart, offer_id, session_start, quantity,
                 expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                .bind(Uuid::now_v7()).bind(org).bind(cart).bind(offer.0).bind(start).bind(q)
                .bind(expires_at).bind(now)
                .execute(c).await?.rows_affected());
        }
        (Some(_), 0) => {
            on_tx!(tx, c => sqlx::query(
                "DELETE FROM holds WHERE organization_id = $1 AND cart = $2 AND offer_id = $3
                 AND session_start = $4")
                .bind(org).bind(cart).bind(offer.0).bind(start)
                .execute(c).await?.rows_affected());
        }
        (Some(_), q) => {
            on_tx!(tx, c => sqlx::query(
                "UPDATE holds SET quantity = $5 WHERE organization_id = $1 AND cart = $2
                 AND offer_id = $3 AND session_start = $4")
                .bind(org).bind(cart).bind(offer.0).bind(start).bind(q)
                .execute(c).await?.rows_affected());
        }
    }
    on_tx!(tx, c => sqlx::query(
        "UPDATE holds SET expires_at = $3 WHERE organization_id = $1 AND cart = $2")
        .bind(org).bind(cart).bind(expires_at)
        .execute(c).await?.rows_affected());
    Ok(())
}

/// Makes the cart's holds that still run last until `until` at least (the visitor is at the
/// payment provider); expired holds stay expired: their places may be someone else's.
pub async fn extend(tx: &mut Tx, tenant: Tenant, cart: &str, now: i64, until: i64) -> Result<()> {
    on_tx!(tx, c => sqlx::query(
        "UPDATE holds SET expires_at = $3 WHERE organization_id = $1 AND cart = $2
         AND expires_at > $4 AND expires_at < $3")
        .bind(tenant.id().0).bind(cart).bind(until).bind(now)
        .execute(c).await?.rows_affected());
    Ok(())
}

/// Lets go of every place the cart holds.
pub async fn release(tx: &mut Tx, tenant: Tenant, cart: &str) -> Result<u64> {
    let holds = of_cart(tx, tenant, cart).await?;
    for h in &holds {
        give_back(tx, tenant, h.offer_id, h.session_start, h.quantity).await?;
    }
    on_tx!(tx, c => sqlx::query("DELETE FROM holds WHERE organization_id = $1 AND cart = $2")
        .bind(tenant.id().0).bind(cart)
        .execute(c).await?.rows_affected());
    Ok(holds.len() as u64)
}

/// For the cart's sale, in its transaction: lets go of the cart's holds so that the sale takes
/// the same places as sold (the sale's own check then finds them free). Refused with
/// `hold_expired` when the cart holds nothing or a hold has expired: its places may be
/// someone else's by now.
pub async fn take_for_sale(tx: &mut Tx, tenant: Tenant, cart: &str, now: i64) -> Result<Vec<Hold>> {
    let holds = of_cart(tx, tenant, cart).await?;
    if holds.is_empty() || holds.iter().any(|h| h.expires_at <= now) {
        return Err(StoreError::Refused("hold_expired"));
    }
    release(tx, tenant, cart).await?;
    Ok(holds)
}

/// Gives back the places of every hold expired at `now`, in every organization; returns how
/// many holds went.
pub async fn sweep(tx: &mut Tx, now: i64) -> Result<u64> {
    #[derive(sqlx::FromRow)]
    struct Expired {
        id: Uuid,
        organization_id: Uuid,
        offer_id: Uuid,
        session_start: i64,
        quantity: i64,
    }
    let expired: Vec<Expired> = on_tx!(tx, c => sqlx::query_as(
        "SELECT id, organization_id, offer_id, session_start, quantity FROM holds
         WHERE expires_at <= $1 ORDER BY expires_at LIMIT 1000")
        .bind(now)
        .fetch_all(c).await?);
    for h in &expired {
        let tenant = Tenant::trusted_operator(guichet_domain::OrganizationId(h.organization_id));
        give_back(tx, tenant, h.offer_id, h.session_start, h.quantity).await?;
        on_tx!(tx, c => sqlx::query("DELETE FROM holds WHERE id = $1")
            .bind(h.id)
            .execute(c).await?.rows_affected());
    }
    Ok(expired.len() as u64)
}

/// Holds `quantity` more places of a session within its capacity (a session override
/// replaces the offer's; a closed session holds nothing): the check and the increment are one
/// statement, as the sale's `take_places`.
async fn hold_places(
    tx: &mut Tx,
    tenant: Tenant,
    offer: OfferId,
    start: i64,
    quantity: i64,
    capacity: i64,
) -> Result<()> {
    let ok = on_tx!(tx, c => sqlx::query(
        "INSERT INTO session_counts (organization_id, offer_id, session_start, sold, held)
         SELECT $1, $2, $3, 0, $4
         WHERE NOT EXISTS (SELECT 1 FROM session_overrides WHERE organization_id = $1 AND offer_id = $2
                           AND session_start = $3 AND closed)
         AND CAST($4 AS BIGINT) <= COALESCE((SELECT capacity FROM session_overrides WHERE organization_id = $1
                           AND offer_id = $2 AND session_start = $3), CAST($5 AS BIGINT))
         ON CONFLICT (organization_id, offer_id, session_start) DO UPDATE SET held = session_counts.held + excluded.held
         WHERE session_counts.sold + session_counts.held + excluded.held <= COALESCE((SELECT capacity FROM session_overrides
                           WHERE organization_id = $1 AND offer_id = $2 AND session_start = $3), CAST($5 AS BIGINT))
           AND NOT EXISTS (SELECT 1 FROM session_overrides WHERE organization_id = $1 AND offer_id = $2
                           AND session_start = $3 AND closed)")
        .bind(tenant.id().0).bind(offer.0).bind(start).bind(quantity).bind(capacity)
        .execute(c).await?.rows_affected());
    if ok == 1 {
        return Ok(());
    }
    let o = crate::planning::overrides(tx, tenant, offer, start, start + 1).await?;
    if o.get(&start).is_some_and(|o| o.closed) {
        return Err(StoreError::Refused("session_closed"));
    }
    Err(StoreError::Refused("sold_out"))
}

async fn give_back(
    tx: &mut Tx,
    tenant: Tenant,
    offer: Uuid,
    start: i64,
    quantity: i64,
) -> Result<()> {
    on_tx!(tx, c => sqlx::query(
        "UPDATE session_counts SET held = held - $4
         WHERE organization_id = $1 AND offer_id = $2 AND session_start = $3")
        .bind(tenant.id().0).bind(offer).bind(start).bind(quantity)
        .execute(c).await?.rows_affected());
    Ok(())
}
