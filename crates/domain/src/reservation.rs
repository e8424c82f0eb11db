//! Reservations and special orders (seed 004): a shop product reserved for a customer is set
//! aside when in stock, or waits for the supplier order that brings it. A reservation open
//! for more than [`OLD_RESERVATION_DAYS`] is flagged. The message that tells a customer
//! their items are ready is a template with `[first_name]`, `[items]` and `[organization]`,
//! sent by the user's mail client (`mailto:`) or phone (`sms:`).

use serde::{Deserialize, Serialize};

/// Seed 004 (Abelujo's `OLD_RESERVATION_DAYS`): a reservation older than this is flagged.
pub const OLD_RESERVATION_DAYS: i64 = 14;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReservationState {
    /// Not in stock: on the order list, or on a supplier order not yet received.
    Waiting,
    /// Held in the shop for the customer, out of the stock others can buy.
    SetAside,
    /// Sold to the customer.
    Sold,
    /// Cancelled; a set-aside item went back to stock.
    Archived,
}

impl ReservationState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::SetAside => "set_aside",
            Self::Sold => "sold",
            Self::Archived => "archived",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Waiting, Self::SetAside, Self::Sold, Self::Archived]
            .into_iter()
            .find(|x| x.as_str() == s)
    }

    pub fn is_open(self) -> bool {
        matches!(self, Self::Waiting | Self::SetAside)
    }
}

/// Whether a reservation made at `created_at` is old at `now` (both microseconds).
pub fn is_old(created_at: i64, now: i64) -> bool {
    now.saturating_sub(created_at) > OLD_RESERVATION_DAYS * 86_400 * 1_000_000
}

/// How a sale of `quantity` of a product consumes the customer's set-aside reservations of
/// it (their quantities, oldest first): each takes what is left of the sale, up to its own
/// quantity. A reservation taken whole is sold; one taken in part keeps the rest, and its
/// deposit with it.
pub fn consumed(held: &[i64], mut quantity: i64) -> Vec<i64> {
    held.iter()
        .map(|r| {
            let taken = quantity.clamp(0, (*r).max(0));
            quantity -= taken;
            taken
        })
        .collect()
}

/// Why a deposit cannot be taken on a reservation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DepositError {
    #[error("a deposit must be more than zero")]
    NotPositive,
    #[error("a deposit cannot be more than the goods' price")]
    MoreThanPrice,
}

impl crate::validation::ErrorCode for DepositError {
    fn code(&self) -> &'static str {
        match self {
            Self::NotPositive => "amount_not_positive",
            Self::MoreThanPrice => "deposit_more_than_price",
        }
    }
}

/// A deposit on `quantity` items at `unit_price_cents`: more than zero, at most their price.
pub fn check_deposit(
    deposit: i64,
    unit_price_cents: i64,
    quantity: i64,
) -> Result<i64, DepositError> {
    if deposit <= 0 {
        return Err(DepositError::NotPositive);
    }
    if i128::from(deposit) > i128::from(unit_price_cents) * i128::from(quantity) {
        return Err(DepositError::MoreThanPrice);
    }
    Ok(deposit)
}

/// How many to order for a product under its minimum stock: back up to the minimum, at
/// least one.
pub fn to_reorder(stock: i64, minimum: i64) -> i64 {
    (minimum - stock).max(1)
}

/// A message from a template: `[first_name]` (or the full name when there is none),
/// `[items]` (one line per item: "- 2 × Le Petit Prince"), `[organization]`.
pub fn render(
    template: &str,
    first_name: &str,
    organization: &str,
    items: &[(i64, String)],
) -> String {
    let lines: Vec<String> = items
        .iter()
        .map(|(q, name)| format!("- {q} × {name}"))
        .collect();
    template
        .replace("[first_name]", first_name)
        .replace("[organization]", organization)
        .replace("[items]", &lines.join("\n"))
}

/// Characters kept as they are in a `mailto:` or `sms:` link: RFC 3986's unreserved ones.
const LINK: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

fn encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, LINK).to_string()
}

/// A link that opens the user's mail client with the message written (RFC 6068).
pub fn mailto(to: &str, subject: &str, body: &str) -> String {
    format!(
        "mailto:{}?subject={}&body={}",
        encode(to).replace("%40", "@"),
        encode(subject),
        encode(body)
    )
}

/// A link that opens the phone's messages with the text written (RFC 5724).
pub fn sms(phone: &str, body: &str) -> String {
    format!("sms:{}?body={}", phone.replace(' ', ""), encode(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fourteen_days_make_a_reservation_old() {
        let day = 86_400 * 1_000_000;
        assert!(!is_old(0, 14 * day));
        assert!(is_old(0, 14 * day + 1));
    }

    #[test]
    fn a_sale_consumes_the_oldest_reservations_first() {
        assert_eq!(consumed(&[1, 2, 1], 2), vec![1, 1, 0]);
        assert_eq!(consumed(&[1, 2], 5), vec![1, 2]);
        assert_eq!(consumed(&[3], 0), vec![0]);
    }

    #[test]
    fn deposits_are_within_the_price() {
        assert_eq!(check_deposit(1000, 3000, 1), Ok(1000));
        assert_eq!(check_deposit(6000, 3000, 2), Ok(6000));
        assert_eq!(check_deposit(0, 3000, 1), Err(DepositError::NotPositive));
        assert_eq!(
            check_deposit(3001, 3000, 1),
            Err(DepositError::MoreThanPrice)
        );
    }

    #[test]
    fn reorder_back_to_the_minimum() {
        assert_eq!(to_reorder(0, 1), 1);
        assert_eq!(to_reorder(1, 5), 4);
        assert_eq!(to_reorder(3, 3), 1);
    }

    #[test]
    fn messages_and_links() {
        let m = render(
            "Bonjour [first_name],\n[items]\n[organization]",
            "Élise",
            "Librairie du Pont",
            &[(1, "Le Petit Prince".into()), (2, "Tintin".into())],
        );
        assert_eq!(
            m,
            "Bonjour Élise,\n- 1 × Le Petit Prince\n- 2 × Tintin\nLibrairie du Pont"
        );
        assert_eq!(
            mailto("elise@example.be", "Prêt", "a b\nc&d"),
            "mailto:elise@example.be?subject=Pr%C3%AAt&body=a%20b%0Ac%26d"
        );
        assert_eq!(sms("+32475 123456", "a b"), "sms:+32475123456?body=a%20b");
    }
}
