//! Deposits of reservations deducted from the sale of their goods.

use super::*;

/// A sale to a customer consumes their set-aside reservations of the products it sells
/// ([`consumed`]); each reservation it takes whole that has an open deposit gets it
/// deducted: a negative deposit line at the rate it was paid at, so the goods' VAT comes
/// out right over the two orders. A deduction cannot be more than the goods of its rate
/// (`deposit_exceeds_sale`).
pub(super) fn deposit_deductions(
    held: &[SetAside],
    lines: &mut Vec<PricedLine>,
    e: &mut FieldErrors,
) -> Vec<DepositUsed> {
    let mut used = Vec::new();
    let mut products: Vec<ProductId> = Vec::new();
    for r in held {
        if !products.contains(&r.product_id) {
            products.push(r.product_id);
        }
    }
    for product in products {
        let sold: i64 = lines
            .iter()
            .filter(|l| l.product_id == Some(product))
            .map(|l| l.quantity)
            .sum();
        let mine: Vec<&SetAside> = held.iter().filter(|r| r.product_id == product).collect();
        let quantities: Vec<i64> = mine.iter().map(|r| r.quantity).collect();
        let taken = consumed(&quantities, sold);
        for (r, taken) in mine.into_iter().zip(taken) {
            let Some(d) = r.open_deposit.as_ref().filter(|d| d.cents > 0) else {
                continue;
            };
            if taken < r.quantity {
                continue;
            }
            lines.push(PricedLine::deposit(
                d.deducted_label.clone(),
                -d.cents,
                d.vat_rate_bp,
            ));
            used.push(DepositUsed {
                reservation_id: r.id,
                cents: d.cents,
            });
        }
    }
    if !order::deductions_fit(&amounts(lines)) {
        e.add("lines", "deposit_exceeds_sale");
    }
    used
}
