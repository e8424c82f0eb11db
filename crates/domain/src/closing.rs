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
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    #[test]
    fn average_ticket_rounds_half_up() {
        // The seed's day of 16/03/2021.
        assert_eq!(average_ticket(27_462, 9), 3_051);
        assert_eq!(average_ticket(11_462, 8), 1_433); // 14,3275
        assert_eq!(average_ticket(16_000, 1), 16_000);
        assert_eq!(average_ticket(5, 2), 3); // 2,5 cents up
        assert_eq!(average_ticket(-5, 2), -3);
        assert_eq!(average_ticket(0, 0), 0);
        assert_eq!(average_ticket(100, 0), 0);
    }

    #[test]
    fn the_seeds_global_line_of_16_march_2021() {
        let day = date(2021, 3, 16);
        let zs = [
            ZFigures {
                day,
                revenue_cents: 16_000,
                vat_cents: 694,
                tickets: 1,
                by_rate: vec![(0, 3_739, 0), (600, 12_261, 694)],
            },
            ZFigures {
                day,
                revenue_cents: 11_462,
                vat_cents: 579,
                tickets: 8,
                by_rate: vec![(0, 8_126, 0), (2100, 3_336, 579)],
            },
        ];
        let lines = summarize(&zs, Period::Day, 5_000);
        assert_eq!(lines.len(), 1);
        let g = &lines[0];
        assert_eq!(
            (
                g.revenue_cents,
                g.vat_cents,
                g.revenue_excl_cents,
                g.tickets,
                g.average_ticket_cents
            ),
            (27_462, 1_273, 26_189, 9, 3_051)
        );
        assert_eq!(g.grand_total_cents, 32_462);
        assert_eq!(g.by_rate.len(), 3);
    }

    #[test]
    fn periods_label_and_sort() {
        let d = date(2021, 11, 3);
        assert_eq!(Period::Day.label(d), "2021-11-03");
        assert_eq!(Period::Month.label(d), "2021-11");
        assert_eq!(Period::Quarter.label(d), "2021-Q4");
        assert_eq!(Period::Quarter.label(date(2021, 3, 31)), "2021-Q1");
        assert_eq!(Period::Year.label(d), "2021");
    }

    #[test]
    fn counts_by_denomination() {
        let c = Counts::parse(&[(5_000, 2), (200, 3), (1, 0)]).unwrap();
        assert_eq!(c.total_cents(), 10_600);
        assert_eq!(c.0.len(), 2);
        assert_eq!(
            Counts::parse(&[(300, 1)]),
            Err(CountError::UnknownDenomination)
        );
        assert_eq!(Counts::parse(&[(100, -1)]), Err(CountError::Negative));
    }

    #[test]
    fn cash_difference() {
        let c = Cash::new(10_000, 4_530, 2_000, 500).counted(16_000);
        assert_eq!(c.expected_cents, 16_030);
        assert_eq!(c.difference_cents, Some(-30));
    }

    proptest! {
        /// Summaries never lose a cent: every period adds up to the sum of its Zs, the last
        /// grand total is everything, and each period's grand total grows by its revenue.
        #[test]
        fn summaries_add_up(zs in proptest::collection::vec((0i16..800, -50_000i64..500_000, 0i64..40_000, 0i64..500), 0..60)) {
            let zs: Vec<ZFigures> = zs.into_iter().map(|(d, r, v, t)| ZFigures {
                day: date(2020, 1, 1).checked_add(jiff::Span::new().days(i64::from(d))).unwrap(),
                revenue_cents: r, vat_cents: v, tickets: t, by_rate: vec![(2100, r, v)],
            }).collect();
            for period in [Period::Day, Period::Month, Period::Quarter, Period::Year] {
                let lines = summarize(&zs, period, 123);
                let total: i64 = lines.iter().map(|l| l.revenue_cents).sum();
                prop_assert_eq!(total, zs.iter().map(|z| z.revenue_cents).sum::<i64>());
                prop_assert_eq!(lines.iter().map(|l| l.z_count).sum::<i64>(), zs.len() as i64);
                let mut grand = 123;
                for l in &lines {
                    grand += l.revenue_cents;
                    prop_assert_eq!(l.grand_total_cents, grand);
                    prop_assert_eq!(l.revenue_excl_cents, l.revenue_cents - l.vat_cents);
                }
            }
        }

        #[test]
        fn average_ticket_is_the_nearest_cent(r in -10_000_000i64..10_000_000, t in 1i64..10_000) {
            let a = average_ticket(r, t);
            // |a·t − r| ≤ t/2: no other cent is nearer.
            prop_assert!((a * t - r).abs() * 2 <= t);
        }
    }
}
