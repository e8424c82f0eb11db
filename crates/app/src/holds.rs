//! Holds: the places a visitor's cart keeps while they book online, for
//! [`AppConfig::hold_duration`](crate::AppConfig) (15 minutes by default). Choosing the
//! sessions holds their places — every channel, the register's included, then sees them as
//! taken; the cart's sale turns them into sold places (`OrderInput::cart`); a cart left
//! alone gives them back within [`AppConfig::hold_sweep_interval`](crate::AppConfig) of
//! its expiry, by the sweep of [`crate::jobs`], with no request coming in.

use crate::orders::{OrderInput, pricing};
use crate::{Actor, App, AppError};
use guichet_domain::sale::LineKind;
use guichet_domain::{OfferId, Permission};
use guichet_store::holds::{self, Hold, Wanted};
use serde::Serialize;
use std::collections::BTreeMap;

/// What a cart holds and until when.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CartHolds {
    pub cart: String,
    pub holds: Vec<HeldSession>,
    /// When the places go back unless the cart's sale takes them (microseconds since the
    /// Unix epoch, UTC); `null` when the cart holds nothing.
    pub expires_at: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HeldSession {
    pub offer_id: OfferId,
    /// Microseconds since the Unix epoch, UTC.
    pub session_start: i64,
    pub quantity: i64,
}

impl CartHolds {
    fn of(cart: &str, holds: Vec<Hold>) -> CartHolds {
        CartHolds {
            cart: cart.to_owned(),
            expires_at: holds.iter().map(|h| h.expires_at).min(),
            holds: holds
                .into_iter()
                .map(|h| HeldSession {
                    offer_id: OfferId(h.offer_id),
                    session_start: h.session_start,
                    quantity: h.quantity,
                })
                .collect(),
        }
    }
}

/// A cart's token: 16 to 64 letters, digits, `-` or `_` (the booking flow draws a random
/// one; an API client may too). Anything else is the field error `cart`/`invalid_cart`.
fn checked(cart: &str) -> Result<&str, AppError> {
    let ok = (16..=64).contains(&cart.len())
        && cart
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(cart)
    } else {
        Err(AppError::field("cart", "invalid_cart"))
    }
}

/// Makes the cart hold exactly the places its ticket lines take, session by session, and
/// starts its countdown again. The lines are priced on the online channel first, so a
/// session that is not bookable online (not published, past its cut-off, stopped, closed)
/// or quantities out of bounds are refused as the booking itself would be; places another
/// cart or a register took first are refused with `sold_out`, and then the cart keeps what
/// it held before.
pub async fn hold(
    state: &App,
    actor: &Actor,
    cart: &str,
    input: &OrderInput,
) -> Result<CartHolds, AppError> {
    actor.require(Permission::Sell)?;
    let cart = checked(cart)?.to_owned();
    let priced = pricing::price_online(state, actor, input).await?;
    let mut wanted: BTreeMap<(OfferId, i64), Wanted> = BTreeMap::new();
    for l in priced
        .lines
        .iter()
        .filter(|l| l.kind == LineKind::TicketType)
    {
        let (Some(offer), Some(start)) = (l.offer_id, l.session_start) else {
            continue;
        };
        let w = wanted.entry((offer, start)).or_insert(Wanted {
            offer,
            start,
            quantity: 0,
            capacity: l.session_capacity.unwrap_or(0),
        });
        w.quantity += l.quantity;
    }
    let tenant = actor.tenant;
    let duration = i64::try_from(state.config.hold_duration.as_micros()).unwrap_or(i64::MAX);
    let wanted: Vec<Wanted> = wanted.into_values().collect();
    let holds = state
        .store
        .write(|tx| {
            let (cart, wanted) = (cart.clone(), wanted.clone());
            Box::pin(async move {
                let now = guichet_store::now_micros();
                // Sessions the cart no longer wants go first, so their places are free for
                // the ones it wants now.
                for h in holds::of_cart(tx, tenant, &cart).await? {
                    let offer = OfferId(h.offer_id);
                    if !wanted
                        .iter()
                        .any(|w| w.offer == offer && w.start == h.session_start)
                    {
                        let gone = Wanted {
                            offer,
                            start: h.session_start,
                            quantity: 0,
                            capacity: 0,
                        };
                        holds::set(tx, tenant, &cart, gone, now + duration, now).await?;
                    }
                }
                for w in wanted {
                    holds::set(tx, tenant, &cart, w, now.saturating_add(duration), now).await?;
                }
                holds::of_cart(tx, tenant, &cart).await
            })
        })
        .await?;
    Ok(CartHolds::of(&cart, holds))
}

/// What the cart holds.
pub async fn of_cart(state: &App, actor: &Actor, cart: &str) -> Result<CartHolds, AppError> {
    actor.require(Permission::Sell)?;
    let cart = checked(cart)?.to_owned();
    let tenant = actor.tenant;
    let holds = state
        .store
        .read(|tx| {
            let cart = cart.clone();
            Box::pin(async move { holds::of_cart(tx, tenant, &cart).await })
        })
        .await?;
    Ok(CartHolds::of(&cart, holds))
}

/// Lets go of everything the cart holds (the visitor left, or emptied the cart).
pub async fn release(state: &App, actor: &Actor, cart: &str) -> Result<(), AppError> {
    actor.require(Permission::Sell)?;
    let cart = checked(cart)?.to_owned();
    let tenant = actor.tenant;
    state
        .store
        .write(|tx| {
            let cart = cart.clone();
            Box::pin(async move { holds::release(tx, tenant, &cart).await })
        })
        .await?;
    Ok(())
}

/// Gives back the places of the holds expired by now, in every organization (the
/// background sweep); how many holds went.
pub async fn sweep(state: &App) -> Result<u64, AppError> {
    Ok(state
        .store
        .write(|tx| Box::pin(async move { holds::sweep(tx, guichet_store::now_micros()).await }))
        .await?)
}
