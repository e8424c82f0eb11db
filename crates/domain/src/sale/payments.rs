//! Payments taken with a sale.

use super::*;

/// Turns payment inputs into payments against `due`: method offered by the organization
/// and allowed on the channel, amount positive, cash beyond what is due given back as
/// change, anything else beyond it refused. Errors are on `payments[i].method` and
/// `payments[i].amount`.
pub fn take_payments(
    inputs: &[PaymentInput],
    mut due: i64,
    enabled: &[PaymentMethod],
    channel: Channel,
    e: &mut FieldErrors,
) -> Vec<SalePayment> {
    let mut out = Vec::new();
    for (i, p) in inputs.iter().enumerate() {
        let field = |f: &str| format!("payments[{i}].{f}");
        let method = match PaymentMethod::parse(&p.method) {
            Some(m) if !enabled.contains(&m) => {
                e.add(&field("method"), "method_disabled");
                continue;
            }
            Some(m) if channel == Channel::Phone && !m.allowed_on_phone() => {
                e.add(&field("method"), "method_not_on_phone");
                continue;
            }
            // Online, as on the phone, no money changes hands at a desk.
            Some(m) if channel == Channel::Online && !m.allowed_on_phone() => {
                e.add(&field("method"), "method_not_online");
                continue;
            }
            Some(m) => m,
            None => {
                e.add(&field("method"), "unknown_method");
                continue;
            }
        };
        let Some(tendered) = e.check(&field("amount"), parse_price_cents(&p.amount)) else {
            continue;
        };
        if tendered == 0 {
            e.add(&field("amount"), "amount_zero");
            continue;
        }
        match tender(method, tendered, due) {
            Some((amount, change)) if amount > 0 => {
                due -= amount;
                out.push(SalePayment {
                    method,
                    amount_cents: amount,
                    tendered_cents: tendered,
                    change_cents: change,
                });
            }
            Some(_) | None => e.add(&field("amount"), "more_than_due"),
        }
    }
    out
}
