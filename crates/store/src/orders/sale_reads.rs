//! What pricing a sale reads before anything else, as one batch of reads: its register, the
//! organization (its time zone), its offers with their prices, the ticket types and extras it
//! names, the promotions, the payment methods turned off and its days' stop-sales. On SQLite
//! that is one call to the reading connection's thread where it was nine, each a thread hop
//! and most of a one-client sale's time; on PostgreSQL the same statements, one after the other
//! (see `crate::batch`). What only some sales need (a customer, products, a promo code, an
//! offer's opening calendar) is read after, as before.

use super::pay::{got_disabled_methods, push_disabled_methods};
use crate::batch::Batch;
use crate::items::{self, Item, ItemId};
use crate::offers::{self, Offer, OfferId};
use crate::organizations::{self, Organization};
use crate::planning::{self, StopTarget};
use crate::registers::{self, Register};
use crate::{Result, Tenant, Tx, promotions};
use guichet_domain::RegisterId;
use guichet_domain::catalogue::ItemKind;
use guichet_domain::order::PaymentMethod;
use guichet_domain::promotion::Promotion;
use std::collections::HashSet;

/// What a cart names, for [`sale_reads`].
#[derive(Debug, Default)]
pub struct SaleReadKeys<'a> {
    pub register: Option<RegisterId>,
    pub offers: &'a [OfferId],
    /// Ticket types or extras: each id is looked for among both.
    pub items: &'a [ItemId],
    /// The first and last day of the cart's sessions, `YYYY-MM-DD`. A day more on either side
    /// does no harm: stop-sales are looked up by their day.
    pub days: Option<(String, String)>,
}

/// What [`sale_reads`] read.
#[derive(Debug)]
pub struct SaleReads {
    /// `None` when the organization has no such register.
    pub register: Option<Register>,
    pub organization: Organization,
    /// The offers that exist, in the keys' order.
    pub offers: Vec<Offer>,
    /// The ticket types and extras that exist.
    pub items: Vec<(ItemKind, Item)>,
    /// The promotions not archived (the pricing checks their dates and offers).
    pub promotions: Vec<Promotion>,
    pub disabled_methods: Vec<PaymentMethod>,
    pub stopped: HashSet<(StopTarget, String)>,
}

/// Reads everything [`SaleReadKeys`] names in one batch (see the module's documentation).
pub async fn sale_reads(tx: &mut Tx, tenant: Tenant, keys: &SaleReadKeys<'_>) -> Result<SaleReads> {
    let mut b = Batch::default();
    let register = keys
        .register
        .map(|r| registers::push_get(&mut b, tenant, r));
    let organization = organizations::push_get(&mut b, tenant);
    let offers: Vec<_> = keys
        .offers
        .iter()
        .map(|o| offers::push_get(&mut b, tenant, *o))
        .collect();
    let items = (!keys.items.is_empty()).then(|| items::push_get_any(&mut b, tenant, keys.items));
    let promotions = promotions::push_active(&mut b, tenant);
    let methods = push_disabled_methods(&mut b, tenant);
    let stopped = keys
        .days
        .as_ref()
        .map(|(from, to)| planning::push_stopped(&mut b, tenant, from, to));
    let ran = b.run(tx).await?;
    let mut found_offers = Vec::with_capacity(offers.len());
    for o in offers {
        found_offers.extend(offers::got(&ran, o)?);
    }
    Ok(SaleReads {
        register: match register {
            Some(i) => registers::got(&ran, i)?,
            None => None,
        },
        organization: organizations::got(&ran, organization)?,
        offers: found_offers,
        items: match items {
            Some(i) => items::got_any(&ran, i)?,
            None => Vec::new(),
        },
        promotions: promotions::got_active(&ran, promotions)?,
        disabled_methods: got_disabled_methods(&ran, methods)?,
        stopped: match stopped {
            Some(i) => planning::got_stopped(&ran, i)?,
            None => HashSet::new(),
        },
    })
}
