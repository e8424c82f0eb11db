//! Closing a register: what a Z (and an interim X) counts, the cash the drawer should hold,
//! counts by denomination, and the daily, monthly, quarterly and annual summaries with their
//! perpetual grand total.
//!
//! The rules, in one place:
//! - A session's Z counts the orders **finalized** in it, whatever their visit date, and the
//!   payments **taken** in it, by method, including payments on older orders. An order or a
//!   payment made on a register while no session was open on it (the phone register) counts in
//!   that register's next session.
//! - A cancellation counts in the session it was made in: its order's total comes off the
//!   revenue and each VAT rate (the order's own Z is immutable and keeps it); a refund is a
//!   negative payment of its method.
//! - Revenue incl. VAT = orders finalized − orders cancelled; VAT per rate likewise; revenue
//!   excl. VAT = revenue − VAT. Tickets = orders finalized in the session.
//! - Average ticket = revenue incl. VAT / tickets, rounded half-up at the cent (0 with no ticket).
//! - Expected cash = opening float + cash payments (net of refunds and of change given) + cash
//!   put in − cash taken out; difference = counted − expected.
//! - A Z keeps the day on which its session was opened, even when it is closed after midnight.
//! - The global Z of a day adds up that day's Zs of every register; a month, a quarter and a
//!   year add up their days. Each carries the perpetual grand total: every Z's revenue from the
//!   first one up to the end of the period.

use crate::order::PaymentMethod;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Revenue over tickets, rounded half-up at the cent (half away from zero for a negative day).
pub fn average_ticket(revenue_cents: i64, tickets: i64) -> i64 {
    if tickets <= 0 {
        return 0;
    }
    let (r, t) = (i128::from(revenue_cents), i128::from(tickets));
    let q = (2 * r.abs() + t) / (2 * t);
    let q = if r < 0 { -q } else { q };
    i64::try_from(q).unwrap_or(0)
}

/// One session's figures on a follow-up line, from what its Z recorded (a session still
/// open has none yet: zeros).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionLine {
    pub revenue_cents: i64,
    pub vat_cents: i64,
    pub revenue_excl_cents: i64,
    pub tickets: i64,
    pub average_ticket_cents: i64,
}

/// A session's follow-up line: revenue excl. VAT is revenue minus VAT, the average ticket
/// as [`average_ticket`].
pub fn session_line(
    revenue_cents: Option<i64>,
    vat_cents: Option<i64>,
    tickets: Option<i64>,
) -> SessionLine {
    let (revenue, vat, tickets) = (
        revenue_cents.unwrap_or(0),
        vat_cents.unwrap_or(0),
        tickets.unwrap_or(0),
    );
    SessionLine {
        revenue_cents: revenue,
        vat_cents: vat,
        revenue_excl_cents: revenue - vat,
        tickets,
        average_ticket_cents: average_ticket(revenue, tickets),
    }
}

/// Euro notes and coins, in cents, largest first: the denominations a drawer is counted in.
pub const EURO_DENOMINATIONS: [i64; 15] = [
    50_000, 20_000, 10_000, 5_000, 2_000, 1_000, 500, 200, 100, 50, 20, 10, 5, 2, 1,
];

/// Why a count by denomination is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountError {
    UnknownDenomination,
    Negative,
    TooLarge,
}

impl CountError {
    pub fn code(self) -> &'static str {
        match self {
            Self::UnknownDenomination => "unknown_denomination",
            Self::Negative => "negative_count",
            Self::TooLarge => "too_large",
        }
    }
}

impl crate::validation::ErrorCode for CountError {
    fn code(&self) -> &'static str {
        CountError::code(*self)
    }
}

/// A drawer counted by denomination: cents → number of notes or coins.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Counts(pub BTreeMap<i64, i64>);

impl Counts {
    /// Checks every denomination and count; drops zero counts.
    pub fn parse(pairs: &[(i64, i64)]) -> Result<Counts, CountError> {
        let mut map = BTreeMap::new();
        for &(denomination, count) in pairs {
            if !EURO_DENOMINATIONS.contains(&denomination) {
                return Err(CountError::UnknownDenomination);
            }
            if count < 0 {
                return Err(CountError::Negative);
            }
            if count > 1_000_000 {
                return Err(CountError::TooLarge);
            }
            if count > 0 {
                *map.entry(denomination).or_insert(0) += count;
            }
        }
        Ok(Counts(map))
    }

    /// The amount counted, in cents.
    pub fn total_cents(&self) -> i64 {
        self.0.iter().map(|(d, n)| d * n).sum()
    }
}

/// The cash a drawer should hold at closing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Cash {
    pub opening_float_cents: i64,
    /// Cash kept from payments, net of refunds (change given is never kept).
    pub payments_cents: i64,
    pub cash_in_cents: i64,
    pub cash_out_cents: i64,
    pub expected_cents: i64,
    /// At closing; none on an X.
    pub counted_cents: Option<i64>,
    pub difference_cents: Option<i64>,
}

impl Cash {
    pub fn new(float: i64, payments: i64, cash_in: i64, cash_out: i64) -> Cash {
        Cash {
            opening_float_cents: float,
            payments_cents: payments,
            cash_in_cents: cash_in,
            cash_out_cents: cash_out,
            expected_cents: float + payments + cash_in - cash_out,
            counted_cents: None,
            difference_cents: None,
        }
    }

    pub fn counted(mut self, counted: i64) -> Cash {
        self.counted_cents = Some(counted);
        self.difference_cents = Some(counted - self.expected_cents);
        self
    }
}

/// One VAT rate's sums over the lines of some orders, as the store reads them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RateSums {
    pub rate_bp: u32,
    pub gross_cents: i64,
    pub vat_cents: i64,
    pub discount_cents: i64,
}

/// A session's orders on one side, as the store reads them: those finalized in it (sold) or
/// those cancelled in it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderSums {
    pub count: i64,
    /// The orders' totals added up.
    pub total_cents: i64,
    pub by_rate: Vec<RateSums>,
}

/// One payment method's payments counted in a session, as the store reads them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MethodSums {
    /// As stored. A method this version does not know gets no line of its own, but its
    /// refunds still count (nothing read is silently dropped from the refund totals).
    pub method: String,
    /// Payments and refunds.
    pub count: i64,
    /// Net of refunds.
    pub amount_cents: i64,
    pub refunds: i64,
    /// The refunds added up: zero or negative, as stored.
    pub refunds_cents: i64,
}

/// Everything a session's X or Z is derived from: sums the store reads, nothing decided yet.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionSums {
    pub sold: OrderSums,
    pub cancelled: OrderSums,
    pub payments: Vec<MethodSums>,
    pub opening_float_cents: i64,
    pub cash_in_cents: i64,
    pub cash_out_cents: i64,
    /// The grand total of the register's last Z; none before its first one.
    pub previous_grand_total_cents: Option<i64>,
}

/// One payment method's line of a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MethodTotal {
    pub method: PaymentMethod,
    /// Payments and refunds taken.
    pub count: i64,
    /// Net of refunds.
    pub amount_cents: i64,
    /// Counted at closing where the cashier counted it (cash, card terminal slips, vouchers).
    pub counted_cents: Option<i64>,
    pub difference_cents: Option<i64>,
}

/// A session's figures as the rules of this module derive them from its [`SessionSums`]: an
/// X as it stands, or a Z before the drawer is counted ([`SessionTotals::counted`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionTotals {
    pub revenue_cents: i64,
    pub vat_cents: i64,
    pub revenue_excl_cents: i64,
    pub tickets: i64,
    pub average_ticket_cents: i64,
    pub by_rate: Vec<RateLine>,
    /// Orders finalized in the session, before cancellations.
    pub sales_cents: i64,
    pub discounts_cents: i64,
    pub cancellations: i64,
    pub cancelled_cents: i64,
    pub refunds: i64,
    /// Refunds given, as a positive amount.
    pub refunded_cents: i64,
    pub payments: Vec<MethodTotal>,
    pub payments_cents: i64,
    pub cash: Cash,
    pub previous_grand_total_cents: i64,
    pub grand_total_cents: i64,
}

/// Revenue and VAT per rate: what was sold in the session minus what was cancelled in it. A
/// rate only cancelled (an older order's) gives a negative line; rates come in ascending order.
pub fn net_by_rate(sold: &[RateSums], cancelled: &[RateSums]) -> Vec<RateLine> {
    let mut rates: BTreeMap<u32, (i64, i64)> = BTreeMap::new();
    for r in sold {
        let e = rates.entry(r.rate_bp).or_default();
        e.0 += r.gross_cents;
        e.1 += r.vat_cents;
    }
    for r in cancelled {
        let e = rates.entry(r.rate_bp).or_default();
        e.0 -= r.gross_cents;
        e.1 -= r.vat_cents;
    }
    rates
        .into_iter()
        .map(|(bp, (gross, vat))| RateLine {
            vat_rate_basis_points: bp,
            gross_cents: gross,
            vat_cents: vat,
            net_cents: gross - vat,
        })
        .collect()
}

/// The payment lines of a report, in the order of [`PaymentMethod::ALL`], nothing counted yet.
/// A method this version does not know is left out (its refunds still count, see
/// [`session_totals`]).
pub fn method_totals(rows: &[MethodSums]) -> Vec<MethodTotal> {
    let mut out: Vec<MethodTotal> = rows
        .iter()
        .filter_map(|r| {
            Some(MethodTotal {
                method: PaymentMethod::parse(&r.method)?,
                count: r.count,
                amount_cents: r.amount_cents,
                counted_cents: None,
                difference_cents: None,
            })
        })
        .collect();
    out.sort_by_key(|p| PaymentMethod::ALL.iter().position(|m| *m == p.method));
    out
}

/// The cash kept from payments: the cash line, net of refunds (change given is never kept).
pub fn cash_taken(payments: &[MethodTotal]) -> i64 {
    payments
        .iter()
        .find(|p| p.method == PaymentMethod::Cash)
        .map_or(0, |p| p.amount_cents)
}

/// The perpetual grand total carried over: the register's last Z's (0 before its first) and
/// that plus this session's revenue.
pub fn grand_total(previous: Option<i64>, revenue_cents: i64) -> (i64, i64) {
    let previous = previous.unwrap_or(0);
    (previous, previous + revenue_cents)
}

/// Derives a session's figures from its sums (the rules in this module's header).
pub fn session_totals(s: &SessionSums) -> SessionTotals {
    let by_rate = net_by_rate(&s.sold.by_rate, &s.cancelled.by_rate);
    let revenue = s.sold.total_cents - s.cancelled.total_cents;
    let vat: i64 = by_rate.iter().map(|r| r.vat_cents).sum();
    let discounts = |o: &OrderSums| o.by_rate.iter().map(|r| r.discount_cents).sum::<i64>();
    let payments = method_totals(&s.payments);
    let cash = Cash::new(
        s.opening_float_cents,
        cash_taken(&payments),
        s.cash_in_cents,
        s.cash_out_cents,
    );
    let (previous, grand) = grand_total(s.previous_grand_total_cents, revenue);
    SessionTotals {
        revenue_cents: revenue,
        vat_cents: vat,
        revenue_excl_cents: revenue - vat,
        tickets: s.sold.count,
        average_ticket_cents: average_ticket(revenue, s.sold.count),
        by_rate,
        sales_cents: s.sold.total_cents,
        discounts_cents: discounts(&s.sold) - discounts(&s.cancelled),
        cancellations: s.cancelled.count,
        cancelled_cents: s.cancelled.total_cents,
        refunds: s.payments.iter().map(|p| p.refunds).sum(),
        refunded_cents: -s.payments.iter().map(|p| p.refunds_cents).sum::<i64>(),
        payments_cents: payments.iter().map(|p| p.amount_cents).sum(),
        payments,
        cash,
        previous_grand_total_cents: previous,
        grand_total_cents: grand,
    }
}

/// Sets what the cashier counted at closing on the payment lines: the cash line gets the
/// drawer's count and the drawer's difference (the cash counted against the expected cash,
/// float and movements included); another counted method gets its count against what it took.
/// A counted method that took nothing gets a line of its own, its whole count a difference.
/// Cash in `counted` is ignored: the drawer's count is `cash`.
pub fn count_methods(
    payments: &mut Vec<MethodTotal>,
    cash: &Cash,
    counted: &[(PaymentMethod, i64)],
) {
    for p in payments.iter_mut() {
        if p.method == PaymentMethod::Cash {
            p.counted_cents = cash.counted_cents;
            p.difference_cents = cash.difference_cents;
        } else if let Some((_, c)) = counted.iter().find(|(m, _)| *m == p.method) {
            p.counted_cents = Some(*c);
            p.difference_cents = Some(c - p.amount_cents);
        }
    }
    for (m, c) in counted {
        if *m != PaymentMethod::Cash && !payments.iter().any(|p| p.method == *m) {
            payments.push(MethodTotal {
                method: *m,
                count: 0,
                amount_cents: 0,
                counted_cents: Some(*c),
                difference_cents: Some(*c),
            });
        }
    }
}

impl SessionTotals {
    /// The Z's figures once the drawer (`cash_cents`) and the other methods are counted.
    pub fn counted(mut self, cash_cents: i64, counted: &[(PaymentMethod, i64)]) -> SessionTotals {
        self.cash = self.cash.counted(cash_cents);
        count_methods(&mut self.payments, &self.cash, counted);
        self
    }
}

/// What the summaries add up: one closed Z.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZFigures {
    /// The day its session was opened.
    pub day: jiff::civil::Date,
    pub revenue_cents: i64,
    pub vat_cents: i64,
    pub tickets: i64,
    /// VAT-included revenue and VAT per rate (basis points).
    pub by_rate: Vec<(u32, i64, i64)>,
}

/// A summary's period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Day,
    Month,
    Quarter,
    Year,
}

impl Period {
    pub fn parse(s: &str) -> Option<Period> {
        match s {
            "daily" | "day" => Some(Period::Day),
            "monthly" | "month" => Some(Period::Month),
            "quarterly" | "quarter" => Some(Period::Quarter),
            "annual" | "year" | "yearly" => Some(Period::Year),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Period::Day => "daily",
            Period::Month => "monthly",
            Period::Quarter => "quarterly",
            Period::Year => "annual",
        }
    }

    /// The period a day falls in, as a label that also sorts: `2021-03-16`, `2021-03`,
    /// `2021-Q1`, `2021`.
    pub fn label(self, day: jiff::civil::Date) -> String {
        match self {
            Period::Day => day.to_string(),
            Period::Month => format!("{:04}-{:02}", day.year(), day.month()),
            Period::Quarter => format!("{:04}-Q{}", day.year(), (day.month() - 1) / 3 + 1),
            Period::Year => format!("{:04}", day.year()),
        }
    }
}

/// One rate's share of a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RateLine {
    pub vat_rate_basis_points: u32,
    pub gross_cents: i64,
    pub vat_cents: i64,
    pub net_cents: i64,
}

/// A period's line of a summary (the seeds' "Global" rows for a day).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SummaryLine {
    pub period: String,
    pub first_day: String,
    pub last_day: String,
    /// Zs added up.
    pub z_count: i64,
    pub revenue_cents: i64,
    pub vat_cents: i64,
    pub revenue_excl_cents: i64,
    pub tickets: i64,
    pub average_ticket_cents: i64,
    pub by_rate: Vec<RateLine>,
    /// Every Z's revenue from the very first up to the end of this period.
    pub grand_total_cents: i64,
}

/// Adds Zs up by period, in period order. `before_cents` is the revenue of every Z before the
/// first one given (so a summary of one year still carries the perpetual grand total).
pub fn summarize(zs: &[ZFigures], period: Period, before_cents: i64) -> Vec<SummaryLine> {
    let mut groups: BTreeMap<String, Vec<&ZFigures>> = BTreeMap::new();
    for z in zs {
        groups.entry(period.label(z.day)).or_default().push(z);
    }
    let mut grand = before_cents;
    groups
        .into_iter()
        .map(|(label, zs)| {
            let revenue: i64 = zs.iter().map(|z| z.revenue_cents).sum();
            let vat: i64 = zs.iter().map(|z| z.vat_cents).sum();
            let tickets: i64 = zs.iter().map(|z| z.tickets).sum();
            let mut rates: BTreeMap<u32, (i64, i64)> = BTreeMap::new();
            for (bp, gross, v) in zs.iter().flat_map(|z| z.by_rate.iter()) {
                let e = rates.entry(*bp).or_insert((0, 0));
                e.0 += gross;
                e.1 += v;
            }
            grand += revenue;
            let days = zs.iter().map(|z| z.day);
            SummaryLine {
                period: label,
                first_day: days
                    .clone()
                    .min()
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                last_day: days.max().map(|d| d.to_string()).unwrap_or_default(),
                z_count: i64::try_from(zs.len()).unwrap_or(i64::MAX),
                revenue_cents: revenue,
                vat_cents: vat,
                revenue_excl_cents: revenue - vat,
                tickets,
                average_ticket_cents: average_ticket(revenue, tickets),
                by_rate: rates
                    .into_iter()
                    .map(|(bp, (gross, v))| RateLine {
                        vat_rate_basis_points: bp,
                        gross_cents: gross,
                        vat_cents: v,
                        net_cents: gross - v,
                    })
                    .collect(),
                grand_total_cents: grand,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests;
