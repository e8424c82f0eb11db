//! Orders: states, payment methods, numbering, line amounts, discounts, VAT and the allocation
//! of payments to lines. Every amount is integer cents; every price is VAT-included.
//!
//! **The VAT rule** (one place): an order's VAT is computed per VAT rate, on the sum of the
//! VAT-included amounts of that rate's lines, as `gross × rate / (1 + rate)` rounded half-up
//! at the cent ([`crate::money::vat_included`]). The amount excluding VAT is the
//! VAT-included total minus that VAT. For display, each rate's VAT is then shared among its
//! lines in proportion to their amounts (largest remainder), so the lines add up exactly to
//! the order's VAT: no cent is lost or invented.

use crate::money::{VatRate, vat_included};
use serde::{Deserialize, Serialize};

/// Where an order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrderState {
    /// A quote: holds nothing, can become an order later.
    Quote,
    /// Finalized, places and stock taken, not (fully) paid: "pay later" or a deposit.
    AwaitingPayment,
    /// Finalized and paid in full.
    Confirmed,
    Cancelled,
}

impl OrderState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Quote => "quote",
            Self::AwaitingPayment => "awaiting_payment",
            Self::Confirmed => "confirmed",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Quote,
            Self::AwaitingPayment,
            Self::Confirmed,
            Self::Cancelled,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }

    /// The state of a finalized order once `collected` of `total` is paid.
    pub fn after_payment(total: i64, collected: i64) -> Self {
        if collected >= total {
            Self::Confirmed
        } else {
            Self::AwaitingPayment
        }
    }
}

/// How a payment is taken. Which ones an organization offers is its own setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    Cash,
    /// The site's own card terminal.
    CardTerminal,
    VirtualTerminal,
    BankTransfer,
    /// ANCV holiday vouchers, paper.
    AncvPaper,
    /// ANCV holiday vouchers, electronic.
    AncvElectronic,
    GiftVoucher,
    GiftCard,
    Bancontact,
    Other,
    /// The customer's store credit (a layaway's deposit kept, a refund in credit): taking it
    /// uses the credit, refunding in it gives credit.
    StoreCredit,
    /// Paid by card online, through Stripe.
    OnlineCard,
    /// Paid with Bancontact online, through Stripe.
    BancontactOnline,
    /// Paid with iDEAL online, through Stripe.
    IdealOnline,
}

impl PaymentMethod {
    pub const ALL: [Self; 11] = [
        Self::Cash,
        Self::CardTerminal,
        Self::VirtualTerminal,
        Self::BankTransfer,
        Self::AncvPaper,
        Self::AncvElectronic,
        Self::GiftVoucher,
        Self::GiftCard,
        Self::Bancontact,
        Self::Other,
        Self::StoreCredit,
    ];

    /// The methods a new organization starts with switched off: Guichet issues no gift
    /// voucher or gift card yet, so a register offering them would take tenders nothing can
    /// check. An organization switches them on itself (and older ones keep their settings).
    pub const OFF_AT_START: [Self; 2] = [Self::GiftVoucher, Self::GiftCard];

    /// The methods of the online payment provider: never a register's tender.
    pub const ONLINE: [Self; 3] = [Self::OnlineCard, Self::BancontactOnline, Self::IdealOnline];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::OnlineCard => "online_card",
            Self::BancontactOnline => "bancontact_online",
            Self::IdealOnline => "ideal_online",
            Self::Cash => "cash",
            Self::CardTerminal => "card_terminal",
            Self::VirtualTerminal => "virtual_terminal",
            Self::BankTransfer => "bank_transfer",
            Self::AncvPaper => "ancv_paper",
            Self::AncvElectronic => "ancv_electronic",
            Self::GiftVoucher => "gift_voucher",
            Self::GiftCard => "gift_card",
            Self::Bancontact => "bancontact",
            Self::Other => "other",
            Self::StoreCredit => "store_credit",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .chain(Self::ONLINE)
            .find(|k| k.as_str() == s.trim())
    }

    /// Paid online through the payment provider (refunded there too).
    pub fn is_online(self) -> bool {
        Self::ONLINE.contains(&self)
    }

    /// The online method of a Stripe payment method type (`card`, `bancontact`, `ideal`).
    pub fn of_stripe(kind: &str) -> Self {
        match kind {
            "bancontact" => Self::BancontactOnline,
            "ideal" => Self::IdealOnline,
            _ => Self::OnlineCard,
        }
    }

    /// The phone register takes no money in hand: no cash, card terminal or Bancontact.
    pub fn allowed_on_phone(self) -> bool {
        !matches!(self, Self::Cash | Self::CardTerminal | Self::Bancontact)
    }

    /// Only cash gives change back.
    pub fn gives_change(self) -> bool {
        self == Self::Cash
    }

    /// Counted at closing besides cash (card slips, vouchers): not store credit, which is
    /// nothing in hand.
    pub fn counted_at_closing(self) -> bool {
        !matches!(self, Self::Cash | Self::StoreCredit)
    }
}

/// The human order number: `P` + YYMMDD + a 4-digit sequence per organization and day
/// (the seeds' `P2103160795`). Past 9999 orders a day the sequence simply grows a digit.
pub fn order_number(day: jiff::civil::Date, seq: i64) -> String {
    day_number('P', day, seq)
}

/// An order's lines as the seeds list them: "Ticket adulte x2, Ticket enfant" (a quantity
/// shown when more than one).
pub fn products_text<'a>(lines: impl Iterator<Item = (&'a str, i64)>) -> String {
    lines
        .map(|(label, quantity)| {
            if quantity > 1 {
                format!("{label} x{quantity}")
            } else {
                label.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A quote's number: as an order's, with `D` (devis) instead of `P`, from its own daily
/// sequence.
pub fn quote_number(day: jiff::civil::Date, seq: i64) -> String {
    day_number('D', day, seq)
}

fn day_number(prefix: char, day: jiff::civil::Date, seq: i64) -> String {
    format!(
        "{prefix}{:02}{:02}{:02}{seq:04}",
        day.year().rem_euclid(100),
        day.month(),
        day.day()
    )
}

/// A reduction: a percentage (basis points) or an amount in cents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Reduction {
    PercentBp(u32),
    AmountCents(i64),
}

impl Reduction {
    /// The discount on `base` cents: a percentage rounds half-up at the cent; never more than
    /// the base, never negative.
    pub fn discount_on(self, base: i64) -> i64 {
        if base <= 0 {
            return 0;
        }
        let d = match self {
            Self::PercentBp(bp) => {
                let n = i128::from(base) * i128::from(bp.min(10_000));
                i64::try_from((n + 5_000) / 10_000).unwrap_or(base)
            }
            Self::AmountCents(c) => c.max(0),
        };
        d.min(base)
    }
}

/// Why a line amount cannot be computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LineError {
    #[error("quantity must be at least 1")]
    Quantity,
    #[error("price must not be negative")]
    NegativePrice,
    #[error("discount must be between 0 and the line amount")]
    Discount,
    #[error("amount too large")]
    Overflow,
}

impl crate::validation::ErrorCode for LineError {
    fn code(&self) -> &'static str {
        match self {
            Self::Quantity => "invalid_quantity",
            Self::NegativePrice => "negative_price",
            Self::Discount => "invalid_discount",
            Self::Overflow => "amount_too_large",
        }
    }
}

/// Largest accepted line amount (10 million euros): keeps every sum far from overflow.
pub const MAX_LINE_CENTS: i64 = 1_000_000_000;

/// A line's VAT-included amount: quantity × unit price − discount.
pub fn line_amount(unit_cents: i64, quantity: i64, discount_cents: i64) -> Result<i64, LineError> {
    if quantity < 1 {
        return Err(LineError::Quantity);
    }
    if unit_cents < 0 {
        return Err(LineError::NegativePrice);
    }
    let gross = unit_cents
        .checked_mul(quantity)
        .filter(|g| *g <= MAX_LINE_CENTS)
        .ok_or(LineError::Overflow)?;
    if discount_cents < 0 || discount_cents > gross {
        return Err(LineError::Discount);
    }
    Ok(gross - discount_cents)
}

/// One rate's share of an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RateTotal {
    pub vat_rate_basis_points: u32,
    /// VAT included.
    pub gross_cents: i64,
    pub vat_cents: i64,
    /// VAT excluded.
    pub net_cents: i64,
}

/// An order's totals.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Totals {
    pub gross_cents: i64,
    pub vat_cents: i64,
    pub net_cents: i64,
    /// Per VAT rate, lowest rate first.
    pub by_rate: Vec<RateTotal>,
    /// Each line's share of its rate's VAT, in line order.
    pub line_vat_cents: Vec<i64>,
}

/// Totals of lines given as (VAT-included amount, VAT rate in basis points). See the module
/// documentation for the rule.
pub fn totals(lines: &[(i64, u32)]) -> Totals {
    let mut rates: Vec<u32> = lines.iter().map(|l| l.1).collect();
    rates.sort_unstable();
    rates.dedup();
    let mut line_vat = vec![0; lines.len()];
    let mut by_rate = Vec::new();
    for bp in rates {
        let idx: Vec<usize> = (0..lines.len()).filter(|i| lines[*i].1 == bp).collect();
        let gross: i64 = idx.iter().map(|i| lines[*i].0).sum();
        let vat = VatRate::from_basis_points(i64::from(bp))
            .map(|r| vat_included(gross, r))
            .unwrap_or(0);
        let amounts: Vec<i64> = idx.iter().map(|i| lines[*i].0).collect();
        for (i, share) in idx.iter().zip(share_out(vat, &amounts)) {
            line_vat[*i] = share;
        }
        by_rate.push(RateTotal {
            vat_rate_basis_points: bp,
            gross_cents: gross,
            vat_cents: vat,
            net_cents: gross - vat,
        });
    }
    let gross_cents = by_rate.iter().map(|r| r.gross_cents).sum();
    let vat_cents = by_rate.iter().map(|r| r.vat_cents).sum();
    Totals {
        gross_cents,
        vat_cents,
        net_cents: gross_cents - vat_cents,
        by_rate,
        line_vat_cents: line_vat,
    }
}

/// Shares `total` among parts in proportion to `weights` (largest remainder, ties to the
/// earlier part): the shares always add up to `total` exactly. A negative weight (a deposit
/// deducted at the sale) takes a negative share, as long as the weights add up to more
/// than zero; otherwise the first part takes it all.
pub fn share_out(total: i64, weights: &[i64]) -> Vec<i64> {
    let sum: i128 = weights.iter().map(|w| i128::from(*w)).sum();
    if weights.is_empty() {
        return Vec::new();
    }
    if sum <= 0 {
        let mut out = vec![0; weights.len()];
        out[0] = total;
        return out;
    }
    let t = i128::from(total);
    let mut shares: Vec<(usize, i128, i128)> = weights
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let n = t * i128::from(*w);
            (i, n.div_euclid(sum), n.rem_euclid(sum))
        })
        .collect();
    let given: i128 = shares.iter().map(|s| s.1).sum();
    let mut left = t - given;
    let mut order: Vec<usize> = (0..shares.len()).collect();
    order.sort_by(|a, b| shares[*b].2.cmp(&shares[*a].2).then(a.cmp(b)));
    for i in order {
        if left <= 0 {
            break;
        }
        shares[i].1 += 1;
        left -= 1;
    }
    shares
        .into_iter()
        .map(|s| i64::try_from(s.1).unwrap_or(0))
        .collect()
}

/// What each line can be paid, for lines given as (VAT-included amount, VAT rate in basis
/// points). A negative line — a deposit, already paid on its own order, deducted from the
/// goods it was paid for — is paid nothing; it lowers what the lines of its VAT rate can be
/// paid, from the last one back. The result adds up to the order's total whenever no rate
/// comes to less than zero (which the sale refuses: `deposit_exceeds_sale`).
pub fn payable(lines: &[(i64, u32)]) -> Vec<i64> {
    let mut out: Vec<i64> = lines.iter().map(|l| l.0.max(0)).collect();
    for (i, (amount, rate)) in lines.iter().enumerate() {
        let mut left = (-amount).max(0);
        for j in (0..lines.len()).rev() {
            if left == 0 {
                break;
            }
            if j != i && lines[j].1 == *rate {
                let take = left.min(out[j]);
                out[j] -= take;
                left -= take;
            }
        }
    }
    out
}

/// Whether every VAT rate of the lines still comes to zero or more: a deposit deducted
/// cannot be more than the goods of its rate in the sale.
pub fn deductions_fit(lines: &[(i64, u32)]) -> bool {
    totals(lines).by_rate.iter().all(|r| r.gross_cents >= 0)
}

/// Allocates a payment to the order's lines in line order, each line taking what it still
/// owes (`outstanding`, per line). A refund (negative amount) comes back from the last lines
/// first, each giving back at most what it was paid (`outstanding` is then what each line has
/// been paid). Returns `None` when the amount is more than the lines can take.
pub fn allocate(amount: i64, outstanding: &[i64]) -> Option<Vec<i64>> {
    let mut out = vec![0; outstanding.len()];
    let mut left = amount.abs();
    let order: Vec<usize> = if amount >= 0 {
        (0..outstanding.len()).collect()
    } else {
        (0..outstanding.len()).rev().collect()
    };
    for i in order {
        let take = left.min(outstanding[i].max(0));
        out[i] = if amount >= 0 { take } else { -take };
        left -= take;
    }
    (left == 0).then_some(out)
}

/// Cash handed over beyond what is due becomes change given back; with any other method
/// collecting more than is due is refused (`None`). Returns (amount collected, change).
pub fn tender(method: PaymentMethod, tendered: i64, due: i64) -> Option<(i64, i64)> {
    if tendered <= due {
        Some((tendered, 0))
    } else if method.gives_change() {
        Some((due, tendered - due))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn numbers_look_like_the_seeds() {
        let d = jiff::civil::date(2021, 3, 16);
        assert_eq!(order_number(d, 795), "P2103160795");
        assert_eq!(order_number(d, 12_345), "P21031612345");
        assert_eq!(quote_number(d, 3), "D2103160003");
    }

    #[test]
    fn seed_vat_figures_come_out_to_the_cent() {
        // The seeds' payments list: Panier du Terroir 25,00 € at 21 % → 4,34 €; Fromage de
        // Targnon 0,10 € → 0,02 €; Peluche mouton 5,00 € at 6 % → 0,28 €.
        assert_eq!(totals(&[(2500, 2100)]).vat_cents, 434);
        assert_eq!(totals(&[(10, 2100)]).vat_cents, 2);
        assert_eq!(totals(&[(500, 600)]).vat_cents, 28);
        // Tickets at 0 %: 2 adults + 1 child + 2 seniors = 37,00 €, no VAT.
        let t = totals(&[(1700, 0), (500, 0), (1500, 0)]);
        assert_eq!((t.gross_cents, t.vat_cents), (3700, 0));
    }

    #[test]
    fn vat_is_per_rate_not_per_line() {
        // Three lines at 0,10 € and 21 %: per line 0,02 each (0,06) but per rate 0,30 → 0,05.
        let t = totals(&[(10, 2100), (10, 2100), (10, 2100)]);
        assert_eq!(t.vat_cents, 5);
        assert_eq!(t.line_vat_cents.iter().sum::<i64>(), 5);
        assert_eq!(t.net_cents, 25);
    }

    #[test]
    fn a_deposit_and_its_deduction_come_to_the_goods_vat() {
        // A book at 30,00 € and 6 %: 10,00 € deposit when ordered (VAT 0,57), then the sale
        // of the book with the deposit deducted: 30,00 − 10,00 = 20,00 € (VAT 1,13). Together
        // 1,70 €, the VAT of 30,00 €.
        assert_eq!(totals(&[(1000, 600)]).vat_cents, 57);
        let sale = totals(&[(3000, 600), (-1000, 600)]);
        assert_eq!((sale.gross_cents, sale.vat_cents), (2000, 113));
        assert_eq!(sale.line_vat_cents, vec![170, -57]);
        assert_eq!(totals(&[(3000, 600)]).vat_cents, 57 + 113);
        // The deduction is paid nothing; the book is paid what the sale still asks.
        assert_eq!(
            payable(&[(500, 2100), (3000, 600), (-1000, 600)]),
            vec![500, 2000, 0]
        );
        assert!(deductions_fit(&[(3000, 600), (-1000, 600)]));
        assert!(!deductions_fit(&[(3000, 2100), (-1000, 600)]));
    }

    #[test]
    fn cash_gives_change_other_methods_refuse_overpayment() {
        assert_eq!(tender(PaymentMethod::Cash, 2000, 1350), Some((1350, 650)));
        assert_eq!(tender(PaymentMethod::Bancontact, 2000, 1350), None);
        assert_eq!(
            tender(PaymentMethod::Bancontact, 1000, 1350),
            Some((1000, 0))
        );
    }

    #[test]
    fn reductions_round_half_up_and_never_exceed_the_base() {
        assert_eq!(Reduction::PercentBp(1000).discount_on(850), 85);
        assert_eq!(Reduction::PercentBp(1500).discount_on(850), 128); // 127,5 → 128
        assert_eq!(Reduction::AmountCents(2000).discount_on(850), 850);
        assert_eq!(Reduction::PercentBp(20_000).discount_on(850), 850);
    }

    #[test]
    fn lines_refuse_bad_amounts() {
        assert_eq!(line_amount(850, 2, 0), Ok(1700));
        assert_eq!(line_amount(850, 0, 0), Err(LineError::Quantity));
        assert_eq!(line_amount(-1, 1, 0), Err(LineError::NegativePrice));
        assert_eq!(line_amount(850, 1, 900), Err(LineError::Discount));
        assert_eq!(line_amount(i64::MAX, 2, 0), Err(LineError::Overflow));
        assert_eq!(line_amount(0, 3, 0), Ok(0));
    }

    proptest! {
        #[test]
        fn lines_add_up_to_the_totals(lines in proptest::collection::vec((0i64..1_000_000, prop_oneof![Just(0u32), Just(600), Just(1200), Just(2100), Just(550)]), 1..30)) {
            let t = totals(&lines);
            prop_assert_eq!(t.gross_cents, lines.iter().map(|l| l.0).sum::<i64>());
            prop_assert_eq!(t.line_vat_cents.iter().sum::<i64>(), t.vat_cents);
            prop_assert_eq!(t.by_rate.iter().map(|r| r.vat_cents).sum::<i64>(), t.vat_cents);
            prop_assert_eq!(t.net_cents + t.vat_cents, t.gross_cents);
            for (vat, (gross, _)) in t.line_vat_cents.iter().zip(&lines) {
                prop_assert!(*vat >= 0 && vat <= gross);
            }
        }

        #[test]
        fn payable_adds_up_to_the_total(goods in proptest::collection::vec((0i64..100_000, prop_oneof![Just(600u32), Just(2100)]), 1..10), cut in 0.0f64..1.0) {
            // A deduction of a share of the 6 % goods, as a sale with a deposit has.
            let six: i64 = goods.iter().filter(|g| g.1 == 600).map(|g| g.0).sum();
            let mut lines = goods.clone();
            lines.push((-((six as f64 * cut) as i64), 600));
            let p = payable(&lines);
            prop_assert_eq!(p.iter().sum::<i64>(), totals(&lines).gross_cents);
            prop_assert!(p.iter().all(|x| *x >= 0));
            let t = totals(&lines);
            prop_assert_eq!(t.line_vat_cents.iter().sum::<i64>(), t.vat_cents);
        }

        #[test]
        fn shares_are_exact(total in -1_000_000i64..1_000_000, weights in proptest::collection::vec(0i64..100_000, 1..20)) {
            let s = share_out(total, &weights);
            prop_assert_eq!(s.iter().sum::<i64>(), total);
        }

        #[test]
        fn allocation_loses_no_cent(owed in proptest::collection::vec(0i64..100_000, 1..10), pick in 0.0f64..1.0) {
            let sum: i64 = owed.iter().sum();
            let amount = (sum as f64 * pick) as i64;
            let a = allocate(amount, &owed).expect("within what is owed");
            prop_assert_eq!(a.iter().sum::<i64>(), amount);
            for (x, o) in a.iter().zip(&owed) {
                prop_assert!(*x >= 0 && x <= o);
            }
            prop_assert!(allocate(sum + 1, &owed).is_none());
            let back = allocate(-amount, &owed).expect("refund within what was paid");
            prop_assert_eq!(back.iter().sum::<i64>(), -amount);
        }

        #[test]
        fn discounts_stay_within_the_base(base in 0i64..10_000_000, bp in 0u32..20_000, cents in 0i64..20_000_000) {
            for r in [Reduction::PercentBp(bp), Reduction::AmountCents(cents)] {
                let d = r.discount_on(base);
                prop_assert!(d >= 0 && d <= base);
            }
        }
    }
}
