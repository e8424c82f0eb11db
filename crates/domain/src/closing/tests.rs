//! The closing rules' tests: worked examples (the seed's day) and properties.

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

fn rate(rate_bp: u32, gross_cents: i64, vat_cents: i64, discount_cents: i64) -> RateSums {
    RateSums {
        rate_bp,
        gross_cents,
        vat_cents,
        discount_cents,
    }
}

fn method(method: &str, count: i64, amount_cents: i64, refunds_cents: i64) -> MethodSums {
    MethodSums {
        method: method.to_owned(),
        count,
        amount_cents,
        refunds: i64::from(refunds_cents != 0),
        refunds_cents,
    }
}

#[test]
fn cancellations_come_off_their_rate_and_a_rate_only_cancelled_goes_negative() {
    let lines = net_by_rate(
        &[rate(600, 12_261, 694, 0), rate(2100, 3_336, 579, 0)],
        &[rate(2100, 1_210, 210, 0), rate(0, 500, 0, 0)],
    );
    let got: Vec<(u32, i64, i64, i64)> = lines
        .iter()
        .map(|r| {
            (
                r.vat_rate_basis_points,
                r.gross_cents,
                r.vat_cents,
                r.net_cents,
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (0, -500, 0, -500),
            (600, 12_261, 694, 11_567),
            (2100, 2_126, 369, 1_757)
        ]
    );
}

#[test]
fn a_session_with_a_cancellation_a_refund_and_cash_movements() {
    let s = SessionSums {
        sold: OrderSums {
            count: 3,
            total_cents: 10_000,
            by_rate: vec![rate(600, 6_000, 340, 200), rate(2100, 4_000, 694, 0)],
        },
        // An order of an earlier session, cancelled in this one.
        cancelled: OrderSums {
            count: 1,
            total_cents: 2_000,
            by_rate: vec![rate(600, 2_000, 113, 50)],
        },
        payments: vec![
            method("card_terminal", 2, 6_000, 0),
            method("cash", 3, 2_000, -2_000),
        ],
        opening_float_cents: 15_000,
        cash_in_cents: 1_000,
        cash_out_cents: 500,
        previous_grand_total_cents: Some(100_000),
    };
    let t = session_totals(&s);
    assert_eq!(
        (t.revenue_cents, t.vat_cents, t.revenue_excl_cents),
        (8_000, 921, 7_079)
    );
    assert_eq!((t.tickets, t.average_ticket_cents), (3, 2_667));
    assert_eq!((t.sales_cents, t.discounts_cents), (10_000, 150));
    assert_eq!((t.cancellations, t.cancelled_cents), (1, 2_000));
    assert_eq!((t.refunds, t.refunded_cents), (1, 2_000));
    // Cash first, whatever order the rows came in.
    assert_eq!(
        t.payments.iter().map(|p| p.method).collect::<Vec<_>>(),
        vec![PaymentMethod::Cash, PaymentMethod::CardTerminal]
    );
    assert_eq!(t.payments_cents, 8_000);
    assert_eq!(t.cash.expected_cents, 15_000 + 2_000 + 1_000 - 500);
    assert_eq!(t.cash.counted_cents, None);
    assert_eq!(
        (t.previous_grand_total_cents, t.grand_total_cents),
        (100_000, 108_000)
    );

    let z = t.counted(
        17_400,
        &[
            (PaymentMethod::CardTerminal, 6_100),
            (PaymentMethod::GiftVoucher, 2_500),
            // The drawer's count is the cash count; a cash line here is ignored.
            (PaymentMethod::Cash, 1),
        ],
    );
    assert_eq!(z.cash.difference_cents, Some(-100));
    let lines: Vec<(PaymentMethod, i64, Option<i64>, Option<i64>)> = z
        .payments
        .iter()
        .map(|p| {
            (
                p.method,
                p.amount_cents,
                p.counted_cents,
                p.difference_cents,
            )
        })
        .collect();
    assert_eq!(
        lines,
        vec![
            (PaymentMethod::Cash, 2_000, Some(17_400), Some(-100)),
            (PaymentMethod::CardTerminal, 6_000, Some(6_100), Some(100)),
            (PaymentMethod::GiftVoucher, 0, Some(2_500), Some(2_500)),
        ]
    );
}

#[test]
fn a_first_z_carries_over_nothing() {
    assert_eq!(grand_total(None, 5_000), (0, 5_000));
    assert_eq!(grand_total(Some(5_000), -700), (5_000, 4_300));
    let t = session_totals(&SessionSums::default());
    assert_eq!(
        (t.revenue_cents, t.tickets, t.average_ticket_cents),
        (0, 0, 0)
    );
    assert!(t.by_rate.is_empty() && t.payments.is_empty());
    assert_eq!(t.grand_total_cents, 0);
}

#[test]
fn an_unknown_method_has_no_line_but_its_refunds_count() {
    let s = SessionSums {
        payments: vec![method("cash", 1, 500, 0), method("barter", 2, -300, -300)],
        ..SessionSums::default()
    };
    let t = session_totals(&s);
    assert_eq!(t.payments.len(), 1);
    assert_eq!(t.payments_cents, 500);
    assert_eq!((t.refunds, t.refunded_cents), (1, 300));
    assert_eq!(cash_taken(&t.payments), 500);
}

fn sums() -> impl Strategy<Value = OrderSums> {
    (
        0i64..50,
        proptest::collection::btree_map(
            proptest::sample::select(vec![0u32, 550, 600, 1000, 2000, 2100]),
            (0i64..1_000_000, 0i64..200_000, 0i64..50_000),
            0..4,
        ),
    )
        .prop_map(|(count, rates)| {
            let by_rate: Vec<RateSums> = rates
                .into_iter()
                .map(|(bp, (g, v, d))| rate(bp, g, v, d))
                .collect();
            OrderSums {
                count,
                total_cents: by_rate.iter().map(|r| r.gross_cents).sum(),
                by_rate,
            }
        })
}

proptest! {
    /// Whatever was sold and cancelled, the Z's figures hold together: rate lines add up
    /// to the revenue and the VAT, the grand total carries the previous one over, and the
    /// drawer should hold the float plus the cash taken plus what was put in, minus what
    /// was taken out.
    #[test]
    fn session_totals_hold_together(
        sold in sums(),
        cancelled in sums(),
        cash in -100_000i64..1_000_000,
        card in -100_000i64..1_000_000,
        float in 0i64..100_000,
        cash_in in 0i64..100_000,
        cash_out in 0i64..100_000,
        previous in proptest::option::of(-1_000_000i64..100_000_000),
    ) {
        let s = SessionSums {
            sold: sold.clone(),
            cancelled: cancelled.clone(),
            payments: vec![method("card_terminal", 1, card, 0), method("cash", 1, cash, 0)],
            opening_float_cents: float,
            cash_in_cents: cash_in,
            cash_out_cents: cash_out,
            previous_grand_total_cents: previous,
        };
        let t = session_totals(&s);
        prop_assert_eq!(t.revenue_cents, sold.total_cents - cancelled.total_cents);
        prop_assert_eq!(t.by_rate.iter().map(|r| r.gross_cents).sum::<i64>(), t.revenue_cents);
        prop_assert_eq!(t.by_rate.iter().map(|r| r.vat_cents).sum::<i64>(), t.vat_cents);
        prop_assert_eq!(t.revenue_excl_cents, t.revenue_cents - t.vat_cents);
        prop_assert!(t.by_rate.iter().all(|r| r.net_cents == r.gross_cents - r.vat_cents));
        prop_assert!(t.by_rate.windows(2).all(|w| w[0].vat_rate_basis_points < w[1].vat_rate_basis_points));
        prop_assert_eq!(t.tickets, sold.count);
        prop_assert_eq!(t.grand_total_cents, previous.unwrap_or(0) + t.revenue_cents);
        prop_assert_eq!(t.cash.expected_cents, float + cash + cash_in - cash_out);
        prop_assert_eq!(t.payments_cents, cash + card);
    }

    /// Cancelling in a session everything it sold leaves nothing: no revenue, no VAT at
    /// any rate, and the grand total where it was.
    #[test]
    fn cancelling_everything_sold_nets_to_zero(sold in sums(), previous in 0i64..10_000_000) {
        let s = SessionSums {
            sold: sold.clone(),
            cancelled: sold,
            previous_grand_total_cents: Some(previous),
            ..SessionSums::default()
        };
        let t = session_totals(&s);
        prop_assert_eq!((t.revenue_cents, t.vat_cents, t.discounts_cents), (0, 0, 0));
        prop_assert!(t.by_rate.iter().all(|r| r.gross_cents == 0 && r.vat_cents == 0));
        prop_assert_eq!(t.grand_total_cents, previous);
    }

    /// Counting never changes what was taken: every counted method other than cash has
    /// exactly one line whose difference is its count minus what it took, and cash's
    /// difference is the drawer's.
    #[test]
    fn differences_are_counted_minus_taken(
        taken in proptest::collection::btree_map(0..PaymentMethod::ALL.len(), -50_000i64..500_000, 0..6),
        counted in proptest::collection::btree_map(0..PaymentMethod::ALL.len(), 0i64..500_000, 0..6),
        drawer in 0i64..1_000_000,
    ) {
        let rows: Vec<MethodSums> = taken.iter().map(|(m, a)| method(PaymentMethod::ALL[*m].as_str(), 1, *a, 0)).collect();
        let t = session_totals(&SessionSums { payments: rows, ..SessionSums::default() });
        let counted: Vec<(PaymentMethod, i64)> = counted.into_iter().map(|(m, c)| (PaymentMethod::ALL[m], c)).collect();
        let z = t.clone().counted(drawer, &counted);
        prop_assert_eq!(z.payments_cents, t.payments_cents);
        prop_assert_eq!(z.payments.iter().map(|p| p.amount_cents).sum::<i64>(), t.payments_cents);
        for (m, c) in &counted {
            let lines: Vec<&MethodTotal> = z.payments.iter().filter(|p| p.method == *m).collect();
            if *m == PaymentMethod::Cash {
                prop_assert!(lines.iter().all(|p| p.difference_cents == z.cash.difference_cents));
            } else {
                prop_assert_eq!(lines.len(), 1);
                prop_assert_eq!(lines[0].difference_cents, Some(c - lines[0].amount_cents));
            }
        }
        prop_assert_eq!(z.cash.difference_cents, Some(drawer - z.cash.expected_cents));
    }

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
