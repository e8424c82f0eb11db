//! Pricing a cart: the sale-time rules, without IO.
//!
//! [`price_cart`] prices a [`Cart`] from a [`SaleContext`] — everything the use case read
//! from the store in one read transaction, in domain types — on a sales [`Channel`], at an
//! instant. It checks every rule that can be checked before the sale's transaction (channels,
//! publication window, cut-offs, unknown and stopped sessions, the phone's future-only rule,
//! minimum and maximum quantities, price changes, promotions and the promo code, the
//! customer's terms, deposits deducted, payments) and reports every bad field at once, with
//! the same field names and codes the pages and the API have always used.
//!
//! What the store still checks in the sale's transaction (places and stock left, a promo
//! code's last use taken by a concurrent sale, a deposit deducted meanwhile) is not here.
//!
//! One rule a file below; they share this module's imports (`use super::*`), and the public
//! types are re-exported here: `guichet_domain::sale::{price_cart, Cart, SaleContext, …}`.

use crate::catalogue::ItemKind;
use crate::customer::{Origin, TaxTreatment, apply_terms, effective_terms};
use crate::money::percent_text;
use crate::order::{self, PaymentMethod, Totals, line_amount, tender};
use crate::org::RegisterKind;
use crate::promotion::{
    CodeTarget, DateRange, DiscountLine, PromoCode, Promotion, apply_reductions, normalize_code,
};
use crate::reservation::consumed;
use crate::schedule::SessionSource;
use crate::shop::parse_price_cents;
use crate::validation::{ErrorCode, FieldErrors};
use crate::{CustomerId, ItemId, OfferId, ProductId, PromoCodeId};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use std::collections::HashSet;
use uuid::Uuid;

/// Every field the cart gets wrong, with its stable code (`lines[3].quantity`:
/// `invalid_quantity`).
pub type SaleErrors = FieldErrors;

/// Most units of one line.
pub const MAX_LINE_QUANTITY: i64 = 10_000;

/// Longest reason or comment kept (longer ones are cut).
const MAX_REASON_CHARS: usize = 2000;

mod cart;
mod channel;
mod context;
mod customer;
mod deposits;
mod lines;
mod payments;
mod priced;
mod reductions;

pub use cart::*;
pub use channel::*;
pub use context::*;
pub use customer::terms_reason;
pub use lines::{sales_deadline, session_refusal};
pub use payments::take_payments;
pub use priced::*;

use cart::code_text;
use customer::{customer_terms, origin};
use deposits::deposit_deductions;
use lines::price_lines;
use reductions::reductions;

/// Prices `cart` from `ctx` on `channel` at `now`; every bad field is reported at once.
pub fn price_cart(
    ctx: &SaleContext,
    cart: &Cart,
    channel: Channel,
    now: Timestamp,
) -> Result<PricedCart, SaleErrors> {
    let mut e = FieldErrors::new();
    let today = now.to_zoned(ctx.time_zone.clone()).date();
    let may_change_price = ctx.may_change_price && channel != Channel::Online;
    let customer = match cart.customer {
        CustomerRef::None => None,
        CustomerRef::Invalid => {
            e.add("customer_id", "unknown_customer");
            None
        }
        CustomerRef::Id(id) => {
            let found = ctx.customer.as_ref().filter(|c| c.id == id);
            if found.is_none() {
                e.add("customer_id", "unknown_customer");
            }
            found
        }
    };
    let mut lines = price_lines(ctx, cart, channel, now, today, may_change_price, &mut e);
    let visit_start = lines.iter().filter_map(|l| l.session_start).min();
    let visit_date = lines.iter().filter_map(|l| l.visit_date).min();
    let promo_code = reductions(ctx, today, &mut lines, cart.promo_code.as_deref(), &mut e);
    if let Some(c) = customer {
        if cart.skip_customer_terms && !may_change_price {
            e.add("skip_customer_terms", "price_change_not_allowed");
        } else if !cart.skip_customer_terms {
            customer_terms(c, &ctx.labels, &mut lines);
        }
    }
    let origin = origin(cart, customer, &lines, &mut e);
    let deposits_used = match customer {
        Some(_) if !cart.quote => deposit_deductions(&ctx.set_aside, &mut lines, &mut e),
        _ => Vec::new(),
    };
    let totals = order::totals(&amounts(&lines));
    for (l, vat) in lines.iter_mut().zip(&totals.line_vat_cents) {
        l.vat_cents = *vat;
    }
    let payments = if cart.quote {
        if !cart.payments.is_empty() {
            e.add("payments", "quote_not_payable");
        }
        Vec::new()
    } else {
        take_payments(
            &cart.payments,
            totals.gross_cents,
            &ctx.enabled_methods,
            channel,
            &mut e,
        )
    };
    e.into_result()?;
    Ok(PricedCart {
        day: today,
        lines,
        totals,
        visit_date,
        visit_start,
        payments,
        promo_code,
        deposits_used,
        origin,
        customer: customer.map(|c| c.id),
    })
}

fn amounts(lines: &[PricedLine]) -> Vec<(i64, u32)> {
    lines
        .iter()
        .map(|l| (l.total_cents, l.vat_rate_bp))
        .collect()
}

fn line_field(i: usize, f: &str) -> String {
    format!("lines[{i}].{f}")
}

#[cfg(test)]
mod tests;
