//! Lines priced from the catalogue; the channel's, session's and quantity rules.

use super::*;

/// The cart's lines priced from the catalogue, each checked; a refused line is left out.
pub(super) fn price_lines(
    ctx: &SaleContext,
    cart: &Cart,
    channel: Channel,
    now: Timestamp,
    today: Date,
    may_change_price: bool,
    e: &mut FieldErrors,
) -> Vec<PricedLine> {
    let mut lines: Vec<(usize, PricedLine)> = Vec::new();
    if cart.lines.is_empty() {
        e.add("lines", "empty_cart");
    }
    for (i, l) in cart.lines.iter().enumerate() {
        let field = |f: &str| line_field(i, f);
        if l.quantity < 1 || l.quantity > MAX_LINE_QUANTITY {
            e.add(&field("quantity"), "invalid_quantity");
            continue;
        }
        let line = match &l.target {
            LineTarget::Visit {
                offer,
                session_start,
                item,
            } => offer_line(
                ctx,
                channel,
                VisitRef {
                    offer: *offer,
                    session_start: *session_start,
                    item: *item,
                    quantity: l.quantity,
                },
                now,
                today,
                i,
                e,
            ),
            LineTarget::Product(p) => product_line(ctx, channel, p, l.quantity, i, e),
        };
        let Some(mut line) = line else { continue };
        // A changed price: managers and admins, with a reason.
        if let Some(raw) = l.unit_price.as_deref().filter(|s| !s.trim().is_empty()) {
            match parse_price_cents(raw) {
                Ok(p) if p != line.list_price_cents => {
                    let reason = clean(l.price_reason.as_deref());
                    if !may_change_price {
                        e.add(&field("unit_price"), "price_change_not_allowed");
                    } else if reason.is_none() {
                        e.add(&field("price_reason"), "required");
                    } else {
                        line.unit_price_cents = p;
                        line.price_reason = reason;
                    }
                }
                Ok(_) => {}
                Err(err) => e.add(&field("unit_price"), err.code()),
            }
        }
        match line_amount(line.unit_price_cents, line.quantity, 0) {
            Ok(gross) => {
                if l.free {
                    let reason = clean(l.free_reason.as_deref());
                    if channel == Channel::Online {
                        e.add(&field("free"), "price_change_not_allowed");
                    } else if reason.is_none() {
                        e.add(&field("free_reason"), "required");
                    }
                    line.discount_cents = gross;
                    line.discount_reason = reason;
                }
                line.total_cents = gross - line.discount_cents;
            }
            Err(err) => {
                e.add(&field("quantity"), err.code());
                continue;
            }
        }
        lines.push((i, line));
    }
    check_quantities(&ctx.offers, &lines, e);
    lines.into_iter().map(|(_, l)| l).collect()
}

/// Minimum and maximum quantities per order, per offer and ticket type or extra, over the
/// lines accepted; reported on the first line of each pair.
fn check_quantities(offers: &[SaleOffer], lines: &[(usize, PricedLine)], e: &mut FieldErrors) {
    let mut seen: Vec<(OfferId, ItemId)> = Vec::new();
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
        let price = offers
            .iter()
            .find(|x| x.id == o)
            .and_then(|x| x.prices.iter().find(|p| p.item_id == item));
        if let Some(p) = price {
            if total < p.min_quantity {
                e.add(&line_field(*i, "quantity"), "below_minimum");
            } else if p.max_quantity.is_some_and(|m| total > m) {
                e.add(&line_field(*i, "quantity"), "above_maximum");
            }
        }
    }
}

struct VisitRef {
    offer: Option<OfferId>,
    session_start: Option<i64>,
    item: Option<ItemId>,
    quantity: i64,
}

/// Why a session cannot be sold on a channel at `now`, as the code reported on
/// `session_start`; `None` when it can. `start` must be one of the offer's sessions.
pub fn session_refusal(
    offer: &SaleOffer,
    channel: Channel,
    start: Timestamp,
    day: Date,
    now: Timestamp,
    today: Date,
) -> Option<&'static str> {
    if channel == Channel::Phone && day <= today {
        return Some("phone_future_only");
    }
    if channel == Channel::Online {
        let window = DateRange {
            from: offer.published_from,
            to: offer.published_to,
        };
        if !window.contains(day) {
            return Some("not_published");
        }
    }
    (now > sales_deadline(offer, channel, start)).then_some("sales_closed")
}

/// The last moment a session is sold on a channel: its start less the channel's cut-off, and
/// at the register plus the offer's late entry (a visitor arriving just after the start).
pub fn sales_deadline(offer: &SaleOffer, channel: Channel, start: Timestamp) -> Timestamp {
    let (hours, late_minutes) = match channel {
        Channel::Counter => (offer.pos_cutoff_hours, offer.late_entry_minutes),
        Channel::Phone => (offer.pos_cutoff_hours, 0),
        Channel::Online => (offer.online_cutoff_hours, 0),
    };
    let shift = SignedDuration::from_mins(late_minutes) - SignedDuration::from_hours(hours);
    start.checked_add(shift).unwrap_or(start)
}

fn offer_line(
    ctx: &SaleContext,
    channel: Channel,
    l: VisitRef,
    now: Timestamp,
    today: Date,
    i: usize,
    e: &mut FieldErrors,
) -> Option<PricedLine> {
    let field = |f: &str| line_field(i, f);
    let Some(offer) = l
        .offer
        .and_then(|id| ctx.offers.iter().find(|o| o.id == id))
    else {
        e.add(&field("offer_id"), "unknown_offer");
        return None;
    };
    if offer.archived || !channel.sells(offer.sale_pos, offer.sale_online) {
        e.add(&field("offer_id"), channel.not_sold_code());
        return None;
    }
    let price = l
        .item
        .and_then(|id| offer.prices.iter().find(|p| p.item_id == id));
    let item = price.and_then(|p| ctx.items.iter().find(|i| i.id == p.item_id));
    let (Some(price), Some(item)) = (price, item) else {
        e.add(&field("item_id"), "not_offered");
        return None;
    };
    if item.archived || !channel.sells(item.sale_pos, item.sale_online) {
        e.add(&field("item_id"), channel.not_sold_code());
        return None;
    }
    let tz = &ctx.time_zone;
    let session = l.session_start.and_then(|start| {
        let ts = Timestamp::from_microsecond(start).ok()?;
        let day = ts.to_zoned(tz.clone()).date();
        let exists = offer
            .sessions
            .sessions_on(day, tz)
            .iter()
            .any(|s| s.start_micros == start);
        exists.then_some((start, ts, day))
    });
    let Some((start, start_ts, day)) = session else {
        e.add(&field("session_start"), "unknown_session");
        return None;
    };
    if let Some(code) = session_refusal(offer, channel, start_ts, day, now, today) {
        e.add(&field("session_start"), code);
        return None;
    }
    let is_ticket = price.item_kind == ItemKind::TicketType;
    if ctx.stopped.contains(&(StopTarget::Offer(offer.id), day))
        || (is_ticket
            && ctx
                .stopped
                .contains(&(StopTarget::TicketType(price.item_id), day)))
    {
        e.add(&field("session_start"), "sales_stopped");
        return None;
    }
    Some(PricedLine {
        kind: if is_ticket {
            LineKind::TicketType
        } else {
            LineKind::Extra
        },
        offer_id: Some(offer.id),
        session_start: Some(start),
        visit_date: Some(day),
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
        vat_rate_bp: price.vat_rate_bp,
        vat_cents: 0,
        session_capacity: is_ticket.then_some(offer.capacity),
        daily_stock: Some(item.daily_stock),
        item_capacity: if is_ticket { None } else { item.capacity },
        offer_name: Some(offer.name.clone()),
        discountable: true,
    })
}

fn product_line(
    ctx: &SaleContext,
    channel: Channel,
    r: &ProductRef,
    quantity: i64,
    i: usize,
    e: &mut FieldErrors,
) -> Option<PricedLine> {
    let field = line_field(i, "product_id");
    let found = match r {
        ProductRef::Id(id) => ctx.products.iter().find(|p| p.id == *id),
        ProductRef::Barcode(code) => ctx.products.iter().find(|p| p.barcode == code.trim()),
        ProductRef::InvalidId => None,
        ProductRef::Missing => {
            e.add(&field, "required");
            return None;
        }
    };
    let Some(p) = found else {
        e.add(&field, "unknown_product");
        return None;
    };
    if p.archived || !channel.sells(p.sale_pos, p.sale_online) {
        e.add(&field, channel.not_sold_code());
        return None;
    }
    Some(PricedLine {
        kind: LineKind::Product,
        offer_id: None,
        session_start: None,
        visit_date: None,
        item_id: None,
        product_id: Some(p.id),
        label: p.name.clone(),
        quantity,
        unit_price_cents: p.price_cents,
        list_price_cents: p.price_cents,
        price_reason: None,
        discount_cents: 0,
        discount_reason: None,
        total_cents: 0,
        vat_rate_bp: p.vat_rate_bp,
        vat_cents: 0,
        session_capacity: None,
        daily_stock: None,
        item_capacity: None,
        offer_name: None,
        discountable: p.discountable,
    })
}
