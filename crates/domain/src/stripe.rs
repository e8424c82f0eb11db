//! The rules of online payment through Stripe (issue 17) that need no network: the fee rule
//! Stripe's figures are checked against, a payout's expected arrival and its reconciliation,
//! the statement descriptor, and the signature of Stripe's webhooks.

use hmac::{KeyInit, Mac};
use jiff::civil::{Date, Weekday};
use sha2::Sha256;

/// The fee rule of seed 001 ("STRIPE (3 %)"), in basis points.
pub const DEFAULT_FEE_BASIS_POINTS: i64 = 300;

/// How old a webhook's signature may be (Stripe's own libraries: 300 s).
pub const SIGNATURE_TOLERANCE_SECONDS: i64 = 300;

/// The accounts of the accounting lines until the admin sets their own (seed 000: revenue
/// 700000, Stripe and Bancontact fees 650000; fund transfers 580000).
pub const DEFAULT_REVENUE_ACCOUNT: &str = "700000";
pub const DEFAULT_FEES_ACCOUNT: &str = "650000";
pub const DEFAULT_BANK_ACCOUNT: &str = "580000";

/// Business days after which a payment found in no payout is flagged.
pub const PAYOUT_WAIT_BUSINESS_DAYS: i64 = 10;

/// The fee the rule expects on `amount_cents`: `amount × rate`, rounded half-even at the
/// cent — the only rounding that gives all 13 of the seed's pairs (3,50 → 0,10; 31,50 →
/// 0,94; 22,50 → 0,68). A refund (negative amount) has the opposite fee.
pub fn expected_fee_cents(amount_cents: i64, basis_points: i64) -> i64 {
    let product = i128::from(amount_cents) * i128::from(basis_points);
    let (q, r) = (product / 10_000, product % 10_000);
    let rounded = match (r.abs() * 2).cmp(&10_000) {
        std::cmp::Ordering::Less => q,
        std::cmp::Ordering::Greater => q + product.signum(),
        std::cmp::Ordering::Equal if q % 2 == 0 => q,
        std::cmp::Ordering::Equal => q + product.signum(),
    };
    i64::try_from(rounded).unwrap_or(0)
}

/// The day a payout is expected on the bank account: Stripe's own date when it gives one;
/// otherwise the payout's date + 5 calendar days, a Sunday moved to the Monday (seed:
/// 09/03/2021 → 15/03/2021, 13/03/2021 → 18/03/2021).
pub fn expected_arrival(payout_date: Date, stripe_says: Option<Date>) -> Date {
    if let Some(d) = stripe_says {
        return d;
    }
    let d = payout_date.saturating_add(jiff::Span::new().days(5));
    if d.weekday() == Weekday::Sunday {
        d.saturating_add(jiff::Span::new().days(1))
    } else {
        d
    }
}

/// `n` business days (Monday to Friday) after `from`.
pub fn business_days_after(from: Date, n: i64) -> Date {
    let mut d = from;
    let mut left = n;
    while left > 0 {
        d = d.saturating_add(jiff::Span::new().days(1));
        if !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday) {
            left -= 1;
        }
    }
    d
}

/// A payout batch checked against the payments and refunds it carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PayoutCheck {
    pub gross_cents: i64,
    pub fee_cents: i64,
    /// What Stripe says it transferred.
    pub net_cents: i64,
    /// `net − (gross − fees)`: zero when the batch adds up.
    pub difference_cents: i64,
}

impl PayoutCheck {
    /// Checks Σ gross − Σ fees = net over `(gross, fee)` of each of the batch's transactions
    /// (seed 001's batch of 09/03/2021: 50,00 − 1,50 shown as 49,50, one euro off).
    pub fn of(net_cents: i64, transactions: &[(i64, i64)]) -> PayoutCheck {
        let gross_cents: i64 = transactions.iter().map(|t| t.0).sum();
        let fee_cents: i64 = transactions.iter().map(|t| t.1).sum();
        PayoutCheck {
            gross_cents,
            fee_cents,
            net_cents,
            difference_cents: net_cents - (gross_cents - fee_cents),
        }
    }

    pub fn adds_up(&self) -> bool {
        self.difference_cents == 0
    }
}

/// A payout's state as Stripe reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayoutStatus {
    Paid,
    Pending,
    Failed,
    Unknown,
}

impl PayoutStatus {
    /// Stripe's `status` (`in_transit` counts as pending; `canceled` as failed).
    pub fn from_stripe(s: &str) -> PayoutStatus {
        match s {
            "paid" => PayoutStatus::Paid,
            "pending" | "in_transit" => PayoutStatus::Pending,
            "failed" | "canceled" => PayoutStatus::Failed,
            _ => PayoutStatus::Unknown,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PayoutStatus::Paid => "paid",
            PayoutStatus::Pending => "pending",
            PayoutStatus::Failed => "failed",
            PayoutStatus::Unknown => "unknown",
        }
    }

    pub fn parse(s: &str) -> PayoutStatus {
        match s {
            "paid" => PayoutStatus::Paid,
            "pending" => PayoutStatus::Pending,
            "failed" => PayoutStatus::Failed,
            _ => PayoutStatus::Unknown,
        }
    }
}

/// Why a statement descriptor is refused (Stripe's rules).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DescriptorError {
    Length,
    Characters,
    NoLetter,
}

impl DescriptorError {
    pub fn code(self) -> &'static str {
        match self {
            DescriptorError::Length => "descriptor_length",
            DescriptorError::Characters => "descriptor_characters",
            DescriptorError::NoLetter => "descriptor_no_letter",
        }
    }
}

/// Characters Stripe refuses in a statement descriptor.
const FORBIDDEN: &[char] = &['<', '>', '\\', '\'', '"', '*'];

/// What a bank statement shows: 5–22 Latin characters, at least one letter, none of
/// `< > \ ' " *`.
pub fn check_descriptor(s: &str) -> Result<String, DescriptorError> {
    let s = s.trim();
    let n = s.chars().count();
    if !(5..=22).contains(&n) {
        return Err(DescriptorError::Length);
    }
    if s.chars()
        .any(|c| !c.is_ascii() || c.is_ascii_control() || FORBIDDEN.contains(&c))
    {
        return Err(DescriptorError::Characters);
    }
    if !s.chars().any(|c| c.is_ascii_alphabetic()) {
        return Err(DescriptorError::NoLetter);
    }
    Ok(s.to_owned())
}

/// The default descriptor: the organization's name without accents or refused characters,
/// cut to 22 characters (and padded when shorter than 5, which Stripe refuses).
pub fn default_descriptor(org_name: &str) -> String {
    let folded = crate::text::search_key(org_name);
    let mut s: String = folded
        .chars()
        .map(|c| {
            if c.is_ascii() && !c.is_ascii_control() && !FORBIDDEN.contains(&c) {
                c
            } else {
                ' '
            }
        })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_uppercase();
    s = s.chars().take(22).collect::<String>().trim_end().to_owned();
    if !s.chars().any(|c| c.is_ascii_alphabetic()) {
        s = format!("GUICHET {s}").trim_end().chars().take(22).collect();
    }
    while s.chars().count() < 5 {
        s.push('.');
    }
    s
}

/// Why a webhook's signature is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureError {
    /// No `t=` or no `v1=` in the header.
    Malformed,
    /// Signed more than the tolerance ago (or in the future by as much): a replay.
    Stale,
    /// No `v1` signature matches.
    Mismatch,
}

/// The `v1` signature Stripe puts on `body` sent at `timestamp`: HMAC-SHA256 with the
/// endpoint's secret over `"{timestamp}.{body}"`, in lowercase hex.
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let Ok(mut mac) = hmac::Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// The `Stripe-Signature` header Stripe sends with `body`.
pub fn signature_header(secret: &str, timestamp: i64, body: &[u8]) -> String {
    format!("t={timestamp},v1={}", signature(secret, timestamp, body))
}

/// Checks a `Stripe-Signature` header (`t=…,v1=…[,v1=…]`) against the raw body, as
/// Stripe's libraries do: any `v1` may match (secrets being rolled), compared in constant
/// time, and the timestamp within `tolerance` seconds of `now`.
pub fn verify_signature(
    secret: &str,
    header: &str,
    body: &[u8],
    now: i64,
    tolerance: i64,
) -> Result<(), SignatureError> {
    let mut timestamp: Option<i64> = None;
    let mut candidates: Vec<&str> = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => timestamp = v.parse().ok(),
            Some(("v1", v)) => candidates.push(v),
            _ => {}
        }
    }
    let Some(t) = timestamp else {
        return Err(SignatureError::Malformed);
    };
    if candidates.is_empty() {
        return Err(SignatureError::Malformed);
    }
    let expected = signature(secret, t, body);
    let matches = candidates.iter().any(|c| {
        use subtle::ConstantTimeEq;
        c.len() == expected.len() && bool::from(c.as_bytes().ct_eq(expected.as_bytes()))
    });
    if !matches {
        return Err(SignatureError::Mismatch);
    }
    if (now - t).abs() > tolerance {
        return Err(SignatureError::Stale);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    /// The 13 pairs of features.md §4.5 (seed 000 and 001).
    const SEED_FEES: [(i64, i64); 13] = [
        (800, 24),
        (100, 3),
        (600, 18),
        (400, 12),
        (1200, 36),
        (350, 10),
        (2400, 72),
        (3900, 117),
        (2600, 78),
        (2500, 75),
        (3150, 94),
        (2250, 68),
        (2100, 63),
    ];

    #[test]
    fn the_seed_fees_come_out_to_the_cent() {
        for (amount, fee) in SEED_FEES {
            assert_eq!(expected_fee_cents(amount, 300), fee, "fee of {amount}");
        }
        // Nets of seed 000.
        for (amount, net) in [(800, 776), (100, 97), (600, 582), (350, 340)] {
            assert_eq!(amount - expected_fee_cents(amount, 300), net);
        }
    }

    #[test]
    fn expected_arrival_is_five_days_later_and_never_a_sunday() {
        assert_eq!(expected_arrival(date(2021, 3, 9), None), date(2021, 3, 15));
        assert_eq!(expected_arrival(date(2021, 3, 13), None), date(2021, 3, 18));
        assert_eq!(expected_arrival(date(2021, 3, 12), None), date(2021, 3, 17));
        assert_eq!(expected_arrival(date(2021, 1, 16), None), date(2021, 1, 21));
        assert_eq!(
            expected_arrival(date(2021, 3, 9), Some(date(2021, 3, 11))),
            date(2021, 3, 11)
        );
    }

    #[test]
    fn the_seed_batches_reconcile_or_are_flagged() {
        let batch_13_03 = [
            (2400, 72),
            (3900, 117),
            (2600, 78),
            (2500, 75),
            (3150, 94),
            (2400, 72),
            (2250, 68),
        ];
        let c = PayoutCheck::of(18624, &batch_13_03);
        assert_eq!((c.gross_cents, c.fee_cents), (19200, 576));
        assert!(c.adds_up());
        let anomaly = PayoutCheck::of(4950, &[(1250, 37), (1250, 38), (1250, 37), (1250, 38)]);
        assert_eq!((anomaly.gross_cents, anomaly.fee_cents), (5000, 150));
        assert_eq!(anomaly.difference_cents, 100);
        assert!(!anomaly.adds_up());
    }

    #[test]
    fn business_days_skip_weekends() {
        // Friday 12/03/2021 + 1 business day = Monday 15/03.
        assert_eq!(business_days_after(date(2021, 3, 12), 1), date(2021, 3, 15));
        assert_eq!(business_days_after(date(2021, 3, 1), 10), date(2021, 3, 15));
    }

    #[test]
    fn descriptors_follow_stripes_rules() {
        assert_eq!(
            check_descriptor("Grottes de Neptune").as_deref(),
            Ok("Grottes de Neptune")
        );
        assert_eq!(check_descriptor("Abc"), Err(DescriptorError::Length));
        assert_eq!(
            check_descriptor("Les 'Grottes'"),
            Err(DescriptorError::Characters)
        );
        assert_eq!(check_descriptor("123456"), Err(DescriptorError::NoLetter));
        assert_eq!(
            default_descriptor("Les Grottes de Neptune à Han-sur-Lesse"),
            "LES GROTTES DE NEPTUNE"
        );
        assert!(check_descriptor(&default_descriptor("Zé")).is_ok());
        assert!(check_descriptor(&default_descriptor("1234")).is_ok());
    }

    #[test]
    fn signatures_are_checked_as_stripe_documents() {
        let body = br#"{"id":"evt_1","type":"checkout.session.completed"}"#;
        let header = signature_header("whsec_test", 1_700_000_000, body);
        assert_eq!(
            verify_signature("whsec_test", &header, body, 1_700_000_100, 300),
            Ok(())
        );
        // Another v1 first (a secret being rolled) still passes.
        let rolled = format!("t=1700000000,v1={},{}", "0".repeat(64), &header[13..]);
        assert_eq!(
            verify_signature("whsec_test", &rolled, body, 1_700_000_000, 300),
            Ok(())
        );
        assert_eq!(
            verify_signature("whsec_other", &header, body, 1_700_000_000, 300),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_signature("whsec_test", &header, b"{}", 1_700_000_000, 300),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_signature("whsec_test", &header, body, 1_700_000_301, 300),
            Err(SignatureError::Stale)
        );
        assert_eq!(
            verify_signature("whsec_test", "v1=abc", body, 1_700_000_000, 300),
            Err(SignatureError::Malformed)
        );
    }

    proptest! {
        #[test]
        fn the_fee_is_within_half_a_cent_of_the_rate(amount in -10_000_000i64..10_000_000, bp in 0i64..10_000) {
            let fee = expected_fee_cents(amount, bp);
            let exact = amount as f64 * bp as f64 / 10_000.0;
            prop_assert!((fee as f64 - exact).abs() <= 0.5 + 1e-9);
            prop_assert_eq!(expected_fee_cents(-amount, bp), -fee);
        }

        #[test]
        fn a_signature_verifies_only_its_own_body(body in proptest::collection::vec(any::<u8>(), 0..200), t in 0i64..4_000_000_000) {
            let h = signature_header("whsec_x", t, &body);
            prop_assert_eq!(verify_signature("whsec_x", &h, &body, t, 300), Ok(()));
            let mut other = body.clone();
            other.push(b'!');
            prop_assert_eq!(verify_signature("whsec_x", &h, &other, t, 300), Err(SignatureError::Mismatch));
        }
    }
}
