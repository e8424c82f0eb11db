//! Promotions and the promo code on the priced lines.

use super::*;

/// Applies the automatic promotions and the cart's promo code to the discountable lines
/// (the rule is [`apply_reductions`]); returns the code to redeem with the sale.
pub(super) fn reductions(
    ctx: &SaleContext,
    today: Date,
    lines: &mut [PricedLine],
    code: Option<&str>,
    e: &mut FieldErrors,
) -> Option<PromoCodeId> {
    let code = match code_text(code) {
        None => None,
        // The store finds codes by their normalized form, archived ones left out.
        Some(text) => match normalize_code(text).ok().and_then(|c| {
            ctx.promo_code
                .as_ref()
                .filter(|p| p.code == c && !p.archived)
        }) {
            None => {
                e.add("promo_code", "unknown_promo_code");
                None
            }
            Some(c) if c.exhausted() => {
                e.add("promo_code", "promo_code_exhausted");
                None
            }
            Some(c) => Some(c),
        },
    };
    let covered = apply_to_lines(lines, &ctx.promotions, code, today);
    if code.is_some() && !covered {
        e.add("promo_code", "promo_code_not_applicable");
    }
    code.filter(|_| covered).map(|c| c.id)
}

/// [`apply_reductions`] on the discountable lines; a line it lowers says why after any
/// reason it had (a free line's).
fn apply_to_lines(
    lines: &mut [PricedLine],
    promotions: &[Promotion],
    code: Option<&PromoCode>,
    today: Date,
) -> bool {
    let mut discount_lines: Vec<DiscountLine> = lines
        .iter()
        .filter(|l| l.discountable)
        .map(|l| DiscountLine {
            target: match (l.offer_id, l.item_id, l.product_id) {
                (Some(offer), Some(item), _) => CodeTarget::Offer { offer, item },
                (_, _, Some(product)) => CodeTarget::Product { product },
                _ => CodeTarget::Product {
                    product: ProductId(Uuid::nil()),
                },
            },
            visit_date: l.visit_date,
            quantity: l.quantity,
            gross_cents: l.gross_cents(),
            discount_cents: l.discount_cents,
            reasons: Vec::new(),
        })
        .collect();
    let covered = apply_reductions(&mut discount_lines, promotions, code, today);
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
    covered
}
