//! Refunds of an order at the register: money goes back the way it came. An order can be
//! refunded only in the methods it was paid with, in each at most what that method brought
//! net of earlier refunds, and a refund spread over several methods when it was paid with
//! several (paid 20 € cash + 30 € card: 30 € back on the card, 20 € in cash). Payments made
//! online go back through the payment provider, never at a register. The one exception is
//! the customer's store credit: no money goes out, so a customer's order may be refunded in
//! credit whatever paid it (a layaway's deposit kept), up to what all its methods brought.

use crate::RegisterId;
use crate::order::PaymentMethod;
use crate::validation::ErrorCode;

/// One payment (or refund, negative) of an order, as the refund rules read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paid {
    pub method: PaymentMethod,
    /// Kept by the seller (change excluded); negative for a refund.
    pub cents: i64,
    /// The register that took it.
    pub register: Option<RegisterId>,
}

/// What may still be refunded in one method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refundable {
    pub method: PaymentMethod,
    pub cents: i64,
    /// The register that took this method's last payment: the refund goes out of its drawer
    /// (cash taken at the counter for a phone booking goes back at the counter, not on the
    /// phone register, which never holds cash).
    pub register: Option<RegisterId>,
}

/// What each method the order was paid with may still give back (net of refunds), the method
/// paid last first; online methods and methods with nothing left are not offered.
pub fn refundable(paid: &[Paid]) -> Vec<Refundable> {
    let mut out: Vec<Refundable> = Vec::new();
    for p in paid.iter().filter(|p| !p.method.is_online()) {
        match out.iter_mut().find(|r| r.method == p.method) {
            Some(r) => {
                r.cents += p.cents;
                if p.cents > 0 {
                    r.register = p.register.or(r.register);
                }
            }
            None => out.push(Refundable {
                method: p.method,
                cents: p.cents,
                register: p.register,
            }),
        }
    }
    // The method paid last first: the order the page lists them in.
    let last_paid = |m: PaymentMethod| paid.iter().rposition(|p| p.method == m && p.cents > 0);
    out.sort_by_key(|r| std::cmp::Reverse(last_paid(r.method)));
    out.retain(|r| r.cents > 0);
    out
}

/// Why an asked refund is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefundError {
    /// The order was not paid with this method (or it has nothing left to give back).
    NotPaidWith,
    /// Paid online: refunded through the payment provider.
    PaidOnline,
    /// More than this method brought, net of earlier refunds.
    MoreThanPaidWith,
    /// The same method asked twice.
    Duplicate,
    /// Store credit is a customer's: an order without one cannot be refunded in it.
    CreditNeedsCustomer,
}

impl ErrorCode for RefundError {
    fn code(&self) -> &'static str {
        match self {
            Self::NotPaidWith => "not_paid_with",
            Self::PaidOnline => "refunded_online",
            Self::MoreThanPaidWith => "more_than_paid_with",
            Self::Duplicate => "duplicate_method",
            Self::CreditNeedsCustomer => "store_credit_needs_customer",
        }
    }
}

/// Checks refunds asked (method, cents > 0) against what each method may give back: `Ok`
/// with each refund's register, or the errors by position in `asked`. `customer`: the order
/// has one, so it may be refunded in store credit ([`PaymentMethod::StoreCredit`]) as far as
/// what all its methods brought and the other refunds leave.
pub fn check(
    asked: &[(PaymentMethod, i64)],
    refundable: &[Refundable],
    customer: bool,
) -> Result<Vec<Refundable>, Vec<(usize, RefundError)>> {
    let mut errors = Vec::new();
    let mut out = Vec::with_capacity(asked.len());
    let all: i64 = refundable.iter().map(|r| r.cents).sum();
    let others: i64 = asked
        .iter()
        .filter(|(m, _)| *m != PaymentMethod::StoreCredit)
        .map(|(_, c)| c)
        .sum();
    for (i, &(method, cents)) in asked.iter().enumerate() {
        if asked[..i].iter().any(|(m, _)| *m == method) {
            errors.push((i, RefundError::Duplicate));
            continue;
        }
        match refundable.iter().find(|r| r.method == method) {
            _ if method == PaymentMethod::StoreCredit && !customer => {
                errors.push((i, RefundError::CreditNeedsCustomer))
            }
            _ if method == PaymentMethod::StoreCredit && cents > all - others => {
                errors.push((i, RefundError::MoreThanPaidWith))
            }
            _ if method == PaymentMethod::StoreCredit => out.push(Refundable {
                method,
                cents,
                register: refundable
                    .iter()
                    .find(|r| r.method == method)
                    .and_then(|r| r.register),
            }),
            None if method.is_online() => errors.push((i, RefundError::PaidOnline)),
            None => errors.push((i, RefundError::NotPaidWith)),
            Some(r) if cents > r.cents => errors.push((i, RefundError::MoreThanPaidWith)),
            Some(r) => out.push(Refundable { cents, ..*r }),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PaymentMethod::*;

    fn paid(method: PaymentMethod, cents: i64) -> Paid {
        Paid {
            method,
            cents,
            register: None,
        }
    }

    #[test]
    fn each_method_gives_back_what_it_brought_the_last_paid_first() {
        let r = refundable(&[paid(Cash, 2_000), paid(CardTerminal, 3_000)]);
        let split: Vec<(PaymentMethod, i64)> = r.iter().map(|r| (r.method, r.cents)).collect();
        assert_eq!(split, [(CardTerminal, 3_000), (Cash, 2_000)]);
    }

    #[test]
    fn earlier_refunds_count_and_online_payments_are_not_offered() {
        let r = refundable(&[
            paid(OnlineCard, 1_000),
            paid(Cash, 2_000),
            paid(Cash, -500),
            paid(BankTransfer, 700),
            paid(BankTransfer, -700),
        ]);
        assert_eq!(r.len(), 1);
        assert_eq!((r[0].method, r[0].cents), (Cash, 1_500));
    }

    #[test]
    fn a_refund_goes_back_through_the_register_that_took_the_method() {
        let counter = RegisterId(uuid::Uuid::from_u128(1));
        let phone = RegisterId(uuid::Uuid::from_u128(2));
        let r = refundable(&[
            Paid {
                method: BankTransfer,
                cents: 1_000,
                register: Some(phone),
            },
            Paid {
                method: Cash,
                cents: 2_000,
                register: Some(counter),
            },
        ]);
        assert_eq!(r[0].register, Some(counter));
        assert_eq!(r[1].register, Some(phone));
    }

    #[test]
    fn asked_refunds_are_checked_per_method() {
        let r = refundable(&[paid(Cash, 2_000), paid(CardTerminal, 3_000)]);
        assert!(check(&[(CardTerminal, 3_000), (Cash, 2_000)], &r, false).is_ok());
        assert_eq!(
            check(&[(CardTerminal, 1_000), (Cash, 2_500)], &r, false),
            Err(vec![(1, RefundError::MoreThanPaidWith)])
        );
        assert_eq!(
            check(&[(BankTransfer, 100), (OnlineCard, 100)], &r, false),
            Err(vec![
                (0, RefundError::NotPaidWith),
                (1, RefundError::PaidOnline)
            ])
        );
        assert_eq!(
            check(&[(Cash, 100), (Cash, 100)], &r, false),
            Err(vec![(1, RefundError::Duplicate)])
        );
    }

    #[test]
    fn a_customers_order_may_be_refunded_in_store_credit_up_to_what_was_paid() {
        let r = refundable(&[paid(Cash, 2_000), paid(CardTerminal, 3_000)]);
        assert_eq!(
            check(&[(StoreCredit, 5_000)], &r, true).map(|r| r[0].cents),
            Ok(5_000)
        );
        assert_eq!(
            check(&[(CardTerminal, 3_000), (StoreCredit, 2_500)], &r, true),
            Err(vec![(1, RefundError::MoreThanPaidWith)])
        );
        assert_eq!(
            check(&[(StoreCredit, 100)], &r, false),
            Err(vec![(0, RefundError::CreditNeedsCustomer)])
        );
    }
}
