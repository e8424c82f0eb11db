//! What each journal entry records, built in one place: the sale's transaction builds it from
//! what it writes, and `verify` builds it again from the business tables and compares. A
//! record has figures only, never a name or free text.

use guichet_domain::closing::{MethodSums, OrderSums, RateSums};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// One order line as the journal records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineFacts {
    pub position: i32,
    pub kind: String,
    pub label: String,
    pub quantity: i64,
    pub unit_price_cents: i64,
    pub discount_cents: i64,
    pub total_cents: i64,
    pub vat_rate_bp: u32,
    pub vat_cents: i64,
}

impl From<&crate::orders::OrderLine> for LineFacts {
    fn from(l: &crate::orders::OrderLine) -> Self {
        Self {
            position: l.position,
            kind: l.kind.as_str().to_owned(),
            label: l.label.clone(),
            quantity: l.quantity,
            unit_price_cents: l.unit_price_cents,
            discount_cents: l.discount_cents,
            total_cents: l.total_cents,
            vat_rate_bp: l.vat_rate_basis_points,
            vat_cents: l.vat_cents,
        }
    }
}

/// An order as it is finalized (sold, or a quote confirmed).
pub struct OrderFacts<'a> {
    pub number: &'a str,
    /// The journal chain of its register (`online` without one).
    pub register: &'a str,
    pub at: i64,
    pub total_cents: i64,
    pub vat_cents: i64,
    pub lines: &'a [LineFacts],
}

/// The sums per VAT rate of some lines, added up the way a session's report adds them
/// (`z::order_side`): VAT-included amount, VAT and discounts of the lines, per rate.
fn rate_sums(lines: &[LineFacts]) -> Vec<RateSums> {
    let mut rates: BTreeMap<u32, RateSums> = BTreeMap::new();
    for l in lines {
        let r = rates.entry(l.vat_rate_bp).or_insert(RateSums {
            rate_bp: l.vat_rate_bp,
            ..RateSums::default()
        });
        r.gross_cents += l.total_cents;
        r.vat_cents += l.vat_cents;
        r.discount_cents += l.discount_cents;
    }
    rates.into_values().collect()
}

fn rates_json(lines: &[LineFacts], sign: i64) -> Value {
    Value::Array(
        rate_sums(lines)
            .iter()
            .map(|r| {
                json!({"rate_bp": r.rate_bp, "gross_cents": sign * r.gross_cents,
                    "vat_cents": sign * r.vat_cents, "discount_cents": sign * r.discount_cents})
            })
            .collect(),
    )
}

pub fn order(o: &OrderFacts<'_>) -> Value {
    json!({
        "kind": "order",
        "sales_delta_cents": o.total_cents,
        "payments_delta_cents": 0,
        "number": o.number,
        "register": o.register,
        "at": o.at,
        "total_cents": o.total_cents,
        "vat_cents": o.vat_cents,
        "vat_by_rate": rates_json(o.lines, 1),
        "lines": o.lines.iter().map(|l| json!({
            "position": l.position, "kind": l.kind, "label": l.label, "quantity": l.quantity,
            "unit_price_cents": l.unit_price_cents, "discount_cents": l.discount_cents,
            "total_cents": l.total_cents, "vat_rate_bp": l.vat_rate_bp, "vat_cents": l.vat_cents
        })).collect::<Vec<_>>(),
    })
}

/// A cancellation undoes its order: its amounts are the order's, negated. The reason stays
/// out (free text that may name a person).
pub fn cancellation(
    number: &str,
    at: i64,
    (total_cents, vat_cents): (i64, i64),
    lines: &[LineFacts],
) -> Value {
    json!({
        "kind": "cancellation",
        "sales_delta_cents": -total_cents,
        "payments_delta_cents": 0,
        "number": number,
        "at": at,
        "total_cents": -total_cents,
        "vat_cents": -vat_cents,
        "vat_by_rate": rates_json(lines, -1),
    })
}

/// A payment (positive) or a refund (negative) of an order.
pub struct PaymentFacts<'a> {
    pub number: Option<&'a str>,
    pub at: i64,
    pub method: &'a str,
    pub amount_cents: i64,
    pub tendered_cents: i64,
    pub change_cents: i64,
    /// (line position, amount, payment line number `_N`), in line order.
    pub allocations: &'a [(i32, i64, i32)],
}

pub fn payment_kind(amount_cents: i64) -> &'static str {
    if amount_cents > 0 {
        "payment"
    } else {
        "refund"
    }
}

pub fn payment(p: &PaymentFacts<'_>) -> Value {
    json!({
        "kind": payment_kind(p.amount_cents),
        "sales_delta_cents": 0,
        "payments_delta_cents": p.amount_cents,
        "number": p.number,
        "at": p.at,
        "method": p.method,
        "amount_cents": p.amount_cents,
        "tendered_cents": p.tendered_cents,
        "change_cents": p.change_cents,
        "allocations": p.allocations.iter()
            .map(|(position, amount, number)| json!({"position": position, "amount_cents": amount, "number": number}))
            .collect::<Vec<_>>(),
    })
}

/// The fields of a record that differ from the expected one (top-level keys, sorted), with
/// both values. The chain's running totals are left out: the chain check owns them.
pub fn differences(expected: &Value, recorded: &Value) -> Vec<(String, Value, Value)> {
    let (Value::Object(e), Value::Object(r)) = (expected, recorded) else {
        return vec![("record".into(), expected.clone(), recorded.clone())];
    };
    let mut keys: Vec<&String> = e.keys().chain(r.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| k.as_str() != "grand_totals")
        .filter_map(|k| {
            let (a, b) = (
                e.get(k).cloned().unwrap_or(Value::Null),
                r.get(k).cloned().unwrap_or(Value::Null),
            );
            (a != b).then(|| (k.clone(), a, b))
        })
        .collect()
}

/// A session's sums as its journal entries give them (the entries of its register's chain
/// after the previous Z): the same [`SessionSums`](guichet_domain::closing::SessionSums)
/// fields the report reads from the business tables, so the two can be compared.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JournalSums {
    pub sold: OrderSums,
    pub cancelled: OrderSums,
    /// Sorted by method.
    pub payments: Vec<MethodSums>,
    pub first_number: Option<String>,
    pub last_number: Option<String>,
    pub opening_float_cents: Option<i64>,
    pub cash_in_cents: i64,
    pub cash_out_cents: i64,
}

impl JournalSums {
    /// Adds one entry's record. Records that cannot be read count as nothing: the chain check
    /// reports them.
    pub fn add(&mut self, kind: &str, record: &Value) {
        let num = |k: &str| record.get(k).and_then(Value::as_i64).unwrap_or(0);
        match kind {
            "order" => {
                add_side(&mut self.sold, record, 1);
                if let Some(n) = record.get("number").and_then(Value::as_str) {
                    let n = n.to_owned();
                    if self.first_number.as_ref().is_none_or(|f| n < *f) {
                        self.first_number = Some(n.clone());
                    }
                    if self.last_number.as_ref().is_none_or(|l| n > *l) {
                        self.last_number = Some(n);
                    }
                }
            }
            "cancellation" => add_side(&mut self.cancelled, record, -1),
            "payment" | "refund" => {
                let method = record.get("method").and_then(Value::as_str).unwrap_or("");
                let amount = num("amount_cents");
                let at = match self
                    .payments
                    .binary_search_by(|m| m.method.as_str().cmp(method))
                {
                    Ok(i) => i,
                    Err(i) => {
                        self.payments.insert(
                            i,
                            MethodSums {
                                method: method.to_owned(),
                                ..MethodSums::default()
                            },
                        );
                        i
                    }
                };
                if let Some(m) = self.payments.get_mut(at) {
                    m.count += 1;
                    m.amount_cents += amount;
                    if amount < 0 {
                        m.refunds += 1;
                        m.refunds_cents += amount;
                    }
                }
            }
            "session_opened" => self.opening_float_cents = Some(num("opening_float_cents")),
            "cash_in" => self.cash_in_cents += num("amount_cents"),
            "cash_out" => self.cash_out_cents += num("amount_cents"),
            _ => {}
        }
    }
}

/// Adds an order's (sign 1) or a cancellation's (sign −1, its amounts negated) per-rate sums.
fn add_side(side: &mut OrderSums, record: &Value, sign: i64) {
    side.count += 1;
    side.total_cents += sign
        * record
            .get("total_cents")
            .and_then(Value::as_i64)
            .unwrap_or(0);
    let rates = record.get("vat_by_rate").and_then(Value::as_array);
    for r in rates.into_iter().flatten() {
        let num = |k: &str| sign * r.get(k).and_then(Value::as_i64).unwrap_or(0);
        let bp = r
            .get("rate_bp")
            .and_then(Value::as_u64)
            .and_then(|b| u32::try_from(b).ok())
            .unwrap_or(0);
        let at = match side.by_rate.binary_search_by_key(&bp, |x| x.rate_bp) {
            Ok(i) => i,
            Err(i) => {
                side.by_rate.insert(
                    i,
                    RateSums {
                        rate_bp: bp,
                        ..RateSums::default()
                    },
                );
                i
            }
        };
        if let Some(s) = side.by_rate.get_mut(at) {
            s.gross_cents += num("gross_cents");
            s.vat_cents += num("vat_cents");
            s.discount_cents += num("discount_cents");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(position: i32, total: i64, bp: u32, vat: i64, discount: i64) -> LineFacts {
        LineFacts {
            position,
            kind: "product".into(),
            label: "x".into(),
            quantity: 1,
            unit_price_cents: total + discount,
            discount_cents: discount,
            total_cents: total,
            vat_rate_bp: bp,
            vat_cents: vat,
        }
    }

    #[test]
    fn an_order_and_its_cancellation_add_up_to_nothing_per_rate() {
        let lines = [
            line(1, 1200, 600, 68, 0),
            line(2, 500, 2100, 87, 100),
            line(3, 300, 600, 17, 0),
        ];
        let o = order(&OrderFacts {
            number: "P1",
            register: "r",
            at: 1,
            total_cents: 2000,
            vat_cents: 172,
            lines: &lines,
        });
        let c = cancellation("P1", 2, (2000, 172), &lines);
        let mut sums = JournalSums::default();
        sums.add("order", &o);
        sums.add("cancellation", &c);
        assert_eq!(sums.sold.total_cents, 2000);
        assert_eq!(sums.cancelled.total_cents, 2000);
        assert_eq!(sums.sold.by_rate, sums.cancelled.by_rate);
        assert_eq!(
            sums.sold.by_rate,
            vec![
                RateSums {
                    rate_bp: 600,
                    gross_cents: 1500,
                    vat_cents: 85,
                    discount_cents: 0
                },
                RateSums {
                    rate_bp: 2100,
                    gross_cents: 500,
                    vat_cents: 87,
                    discount_cents: 100
                },
            ]
        );
        assert_eq!(sums.first_number.as_deref(), Some("P1"));
    }

    #[test]
    fn payments_are_summed_per_method_with_refunds_apart() {
        let mut sums = JournalSums::default();
        for (method, amount) in [("cash", 1000), ("card", 500), ("cash", -300)] {
            let p = payment(&PaymentFacts {
                number: Some("P1"),
                at: 1,
                method,
                amount_cents: amount,
                tendered_cents: amount,
                change_cents: 0,
                allocations: &[],
            });
            sums.add(payment_kind(amount), &p);
        }
        let cash = sums.payments.iter().find(|m| m.method == "cash");
        assert_eq!(
            cash.map(|m| (m.count, m.amount_cents, m.refunds, m.refunds_cents)),
            Some((2, 700, 1, -300))
        );
        assert_eq!(
            sums.payments.first().map(|m| m.method.as_str()),
            Some("card")
        );
    }

    #[test]
    fn differences_name_each_changed_field() {
        let a = json!({"total_cents": 100, "at": 1, "grand_totals": 5});
        let b = json!({"total_cents": 101, "at": 1, "grand_totals": 6, "extra": true});
        let d: Vec<String> = differences(&a, &b).into_iter().map(|x| x.0).collect();
        assert_eq!(d, vec!["extra".to_owned(), "total_cents".to_owned()]);
    }
}
