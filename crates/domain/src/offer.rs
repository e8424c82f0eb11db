//! Offers (the seeds' "formules"): what is sold for a visit — ticket types and extras at a
//! price each, a schedule of sessions with a capacity per session, sales cut-offs for the
//! register and online, and a publication window.

use crate::schedule::{RuleInput, Schedule};
use crate::shop::parse_price_cents;
use crate::text;
use crate::validation::{ErrorCode, FieldErrors};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OfferKind {
    Activity,
    EquipmentRental,
    Event,
}

impl OfferKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OfferKind::Activity => "activity",
            OfferKind::EquipmentRental => "equipment_rental",
            OfferKind::Event => "event",
        }
    }

    pub fn parse(s: &str) -> Option<OfferKind> {
        [
            OfferKind::Activity,
            OfferKind::EquipmentRental,
            OfferKind::Event,
        ]
        .into_iter()
        .find(|k| k.as_str() == s.trim())
    }
}

/// A price line of an offer: a ticket type or extra (by id, checked by the store) at a
/// VAT-included price, with the quantities allowed per order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceLine {
    pub item_id: String,
    pub price_cents: i64,
    pub min_quantity: i64,
    pub max_quantity: Option<i64>,
}

/// Texts of an offer in one language.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct OfferTexts {
    pub name: String,
    pub description: String,
    pub included: String,
    pub not_included: String,
    pub to_bring: String,
    pub cancellation_policy: String,
}

/// Raw price line.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct PriceInput {
    pub item_id: String,
    /// VAT-included price as typed; empty means "not offered" (0,00 is a valid price).
    pub price: String,
    pub min_quantity: String,
    pub max_quantity: String,
}

/// Raw offer fields as a form or JSON body sends them.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct OfferInput {
    /// French texts (the name is required).
    pub fr: OfferTexts,
    pub nl: OfferTexts,
    pub en: OfferTexts,
    /// `activity`, `equipment_rental` or `event`.
    pub kind: String,
    pub group_id: String,
    pub sale_pos: bool,
    pub sale_online: bool,
    /// One ticket for the whole order (groups) instead of one per visitor.
    pub one_ticket_per_order: bool,
    pub duration_minutes: String,
    pub difficulty: String,
    pub location: String,
    /// Most visitors per session (jauge).
    pub capacity: String,
    /// Sales close this many hours before a session online / at the register (empty = 0).
    pub online_cutoff_hours: String,
    pub pos_cutoff_hours: String,
    /// Minutes after a session's start during which the register still sells it (empty = 0:
    /// a started session is not sold).
    pub late_entry_minutes: String,
    /// Bookable from / to (YYYY-MM-DD), both optional.
    pub published_from: String,
    pub published_to: String,
    pub prices: Vec<PriceInput>,
    pub rules: Vec<RuleInput>,
    /// Closed dates, YYYY-MM-DD separated by commas or spaces.
    pub closed_dates: String,
    /// Empty: the offer has its own sessions (`rules`). `individuals` or `groups`: it
    /// follows the site's opening hours for that audience (one session a day).
    pub follows: String,
    /// How an online booking is paid: `on_site` (default when empty: confirmed unpaid,
    /// collected at the register on arrival), `deposit` (a deposit online) or `full`.
    pub collection_mode: String,
    /// For `deposit`: a whole percentage of the order's total, 1–99 …
    pub deposit_percent: String,
    /// … or a fixed amount in the offer's currency (`5,00`); exactly one of the two.
    pub deposit_amount: String,
    /// Empty: the visitor cannot cancel online. N (0–8760): free cancellation online until
    /// N hours before the session starts.
    pub cancel_free_hours: String,
}

/// How an online booking is paid, without its amounts (as stored and in the API).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CollectionKind {
    OnSite,
    Deposit,
    Full,
}

impl CollectionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CollectionKind::OnSite => "on_site",
            CollectionKind::Deposit => "deposit",
            CollectionKind::Full => "full",
        }
    }

    pub fn parse(s: &str) -> Option<CollectionKind> {
        [
            CollectionKind::OnSite,
            CollectionKind::Deposit,
            CollectionKind::Full,
        ]
        .into_iter()
        .find(|k| k.as_str() == s.trim())
    }
}

/// The deposit an offer asks online.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deposit {
    /// A share of the order's total, in basis points (1 % = 100), 100–9 900.
    BasisPoints(i64),
    /// A fixed amount in cents, at least 1.
    Cents(i64),
}

/// How an online booking is collected (the seed's "Encaissement").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CollectionMode {
    /// Post-paid: the booking is confirmed unpaid and the register collects it on arrival.
    #[default]
    OnSite,
    /// Pre-paid in part: the deposit online, the rest on site.
    Deposit(Deposit),
    /// Pre-paid: the whole order online.
    Full,
}

impl CollectionMode {
    pub fn kind(self) -> CollectionKind {
        match self {
            CollectionMode::OnSite => CollectionKind::OnSite,
            CollectionMode::Deposit(_) => CollectionKind::Deposit,
            CollectionMode::Full => CollectionKind::Full,
        }
    }

    /// Basis points and cents of the deposit, as stored (both `None` unless `Deposit`).
    pub fn deposit_parts(self) -> (Option<i64>, Option<i64>) {
        match self {
            CollectionMode::Deposit(Deposit::BasisPoints(bp)) => (Some(bp), None),
            CollectionMode::Deposit(Deposit::Cents(c)) => (None, Some(c)),
            _ => (None, None),
        }
    }

    /// Back from stored columns; anything inconsistent reads as `OnSite` (nothing is asked
    /// online rather than a wrong amount).
    pub fn from_parts(kind: &str, basis_points: Option<i64>, cents: Option<i64>) -> Self {
        match (CollectionKind::parse(kind), basis_points, cents) {
            (Some(CollectionKind::Full), _, _) => CollectionMode::Full,
            (Some(CollectionKind::Deposit), Some(bp), None) if (1..10_000).contains(&bp) => {
                CollectionMode::Deposit(Deposit::BasisPoints(bp))
            }
            (Some(CollectionKind::Deposit), None, Some(c)) if c > 0 => {
                CollectionMode::Deposit(Deposit::Cents(c))
            }
            _ => CollectionMode::OnSite,
        }
    }
}

/// What a visitor pays online for an order of `total_cents` (VAT included).
///
/// - `OnSite`: 0.
/// - `Full`: the total.
/// - A percentage: `total × bp / 10 000` rounded half up to the cent (12,345 → 12,35 when
///   half), never more than the total.
/// - A fixed deposit: the amount, capped at the total.
///
/// A negative total (a refund) asks nothing online.
pub fn due_online(mode: CollectionMode, total_cents: i64) -> i64 {
    let total = total_cents.max(0);
    match mode {
        CollectionMode::OnSite => 0,
        CollectionMode::Full => total,
        CollectionMode::Deposit(Deposit::Cents(c)) => c.clamp(0, total),
        CollectionMode::Deposit(Deposit::BasisPoints(bp)) => {
            let share = (i128::from(total) * i128::from(bp.clamp(0, 10_000)) + 5_000) / 10_000;
            i64::try_from(share).unwrap_or(total).clamp(0, total)
        }
    }
}

/// Whether a visitor may still cancel a booking online for free. `free_hours` is the
/// offer's policy (`None`: never online). Allowed strictly before `session_start − N h`;
/// at that instant or after, not.
pub fn cancellable_online(
    free_hours: Option<i64>,
    session_start: jiff::Timestamp,
    now: jiff::Timestamp,
) -> bool {
    let Some(hours) = free_hours else {
        return false;
    };
    let Ok(limit) = session_start.checked_sub(jiff::SignedDuration::from_hours(hours.max(0)))
    else {
        return false;
    };
    now < limit
}

fn collection(input: &OfferInput, e: &mut FieldErrors) -> Option<CollectionMode> {
    let kind = match input.collection_mode.trim() {
        "" => CollectionKind::OnSite,
        k => match CollectionKind::parse(k) {
            Some(k) => k,
            None => {
                e.add("collection_mode", "unknown_value");
                return None;
            }
        },
    };
    match kind {
        CollectionKind::OnSite => Some(CollectionMode::OnSite),
        CollectionKind::Full => Some(CollectionMode::Full),
        CollectionKind::Deposit => {
            let percent = input.deposit_percent.trim();
            let amount = input.deposit_amount.trim();
            match (percent.is_empty(), amount.is_empty()) {
                (true, true) => {
                    e.add("deposit_percent", "deposit_required");
                    None
                }
                (false, false) => {
                    e.add("deposit_percent", "deposit_both");
                    None
                }
                (false, true) => {
                    let p = e.check(
                        "deposit_percent",
                        percent
                            .parse::<i64>()
                            .map_err(|_| OfferError("not_a_whole_number"))
                            .and_then(|p| {
                                if (1..=99).contains(&p) {
                                    Ok(p)
                                } else {
                                    Err(OfferError("deposit_percent_out_of_range"))
                                }
                            }),
                    )?;
                    Some(CollectionMode::Deposit(Deposit::BasisPoints(p * 100)))
                }
                (true, false) => {
                    let c = e.check("deposit_amount", parse_price_cents(amount))?;
                    if c <= 0 {
                        e.add("deposit_amount", "deposit_zero");
                        return None;
                    }
                    Some(CollectionMode::Deposit(Deposit::Cents(c)))
                }
            }
        }
    }
}

/// A parsed offer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferDetails {
    pub fr: OfferTexts,
    pub nl: OfferTexts,
    pub en: OfferTexts,
    pub kind: OfferKind,
    pub group_id: Option<String>,
    pub sale_pos: bool,
    pub sale_online: bool,
    pub one_ticket_per_order: bool,
    pub duration_minutes: Option<i64>,
    pub difficulty: Option<String>,
    pub location: Option<String>,
    pub capacity: i64,
    pub online_cutoff_hours: i64,
    pub pos_cutoff_hours: i64,
    pub late_entry_minutes: i64,
    pub published_from: Option<Date>,
    pub published_to: Option<Date>,
    pub prices: Vec<PriceLine>,
    pub schedule: Schedule,
    pub follows: Option<crate::calendar::Audience>,
    pub collection: CollectionMode,
    /// `None`: no online cancellation; N: free until N hours before the session.
    pub cancel_free_hours: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct OfferError(pub &'static str);

impl ErrorCode for OfferError {
    fn code(&self) -> &'static str {
        self.0
    }
}

fn number(
    input: &str,
    min: i64,
    max: i64,
    default: Option<i64>,
) -> Result<Option<i64>, OfferError> {
    let s = input.trim();
    if s.is_empty() {
        return Ok(default);
    }
    let n: i64 = s.parse().map_err(|_| OfferError("not_a_whole_number"))?;
    if n < min || n > max {
        return Err(OfferError("out_of_range"));
    }
    Ok(Some(n))
}

fn texts(t: &OfferTexts, lang: &str, name_required: bool, e: &mut FieldErrors) -> OfferTexts {
    let mut field = |name: &str, value: &str, max: usize, required: bool| -> String {
        let key = format!("{lang}.{name}");
        let r = if required {
            text::required(value, max)
        } else {
            text::optional(value, max).map(Option::unwrap_or_default)
        };
        e.check(&key, r).unwrap_or_default()
    };
    OfferTexts {
        name: field("name", &t.name, 120, name_required),
        description: field("description", &t.description, 4000, false),
        included: field("included", &t.included, 1000, false),
        not_included: field("not_included", &t.not_included, 1000, false),
        to_bring: field("to_bring", &t.to_bring, 1000, false),
        cancellation_policy: field("cancellation_policy", &t.cancellation_policy, 2000, false),
    }
}

impl OfferInput {
    pub fn parse(&self) -> Result<OfferDetails, FieldErrors> {
        let mut e = FieldErrors::new();
        let fr = texts(&self.fr, "fr", true, &mut e);
        let nl = texts(&self.nl, "nl", false, &mut e);
        let en = texts(&self.en, "en", false, &mut e);
        let kind = OfferKind::parse(&self.kind);
        if kind.is_none() {
            e.add("kind", "unknown_value");
        }
        if !self.sale_pos && !self.sale_online {
            e.add("sale_pos", "no_sale_channel");
        }
        let duration = e.check(
            "duration_minutes",
            number(&self.duration_minutes, 1, 24 * 60 * 7, None),
        );
        let difficulty = e.check("difficulty", text::optional(&self.difficulty, 80));
        let location = e.check("location", text::optional(&self.location, 200));
        let capacity = e.check(
            "capacity",
            number(&self.capacity, 0, 1_000_000, None)
                .and_then(|c| c.ok_or(OfferError("required"))),
        );
        let online_cutoff = e.check(
            "online_cutoff_hours",
            number(&self.online_cutoff_hours, 0, 24 * 365, Some(0)),
        );
        let pos_cutoff = e.check(
            "pos_cutoff_hours",
            number(&self.pos_cutoff_hours, 0, 24 * 365, Some(0)),
        );
        let late_entry = e.check(
            "late_entry_minutes",
            number(&self.late_entry_minutes, 0, 24 * 60, Some(0)),
        );
        let date = |s: &str| -> Result<Option<Date>, OfferError> {
            if s.trim().is_empty() {
                Ok(None)
            } else {
                s.trim()
                    .parse::<Date>()
                    .map(Some)
                    .map_err(|_| OfferError("invalid_date"))
            }
        };
        let published_from = e.check("published_from", date(&self.published_from));
        let published_to = e.check("published_to", date(&self.published_to));
        if let (Some(Some(a)), Some(Some(b))) = (published_from, published_to)
            && b < a
        {
            e.add("published_to", "ends_before_start");
        }
        let mut prices = Vec::new();
        for (i, p) in self.prices.iter().enumerate() {
            if p.price.trim().is_empty() {
                continue; // not offered
            }
            let key = |f: &str| format!("prices.{i}.{f}");
            let price = e.check(&key("price"), parse_price_cents(&p.price));
            let min = e.check(
                &key("min_quantity"),
                number(&p.min_quantity, 0, 10_000, Some(0)),
            );
            let max = e.check(
                &key("max_quantity"),
                number(&p.max_quantity, 1, 10_000, None),
            );
            if let (Some(Some(lo)), Some(Some(hi))) = (min, max)
                && hi < lo
            {
                e.add(&key("max_quantity"), "max_below_min");
            }
            if let (Some(price), Some(Some(min)), Some(max)) = (price, min, max) {
                prices.push(PriceLine {
                    item_id: p.item_id.trim().to_owned(),
                    price_cents: price,
                    min_quantity: min,
                    max_quantity: max,
                });
            }
        }
        if prices.is_empty() && !e.0.iter().any(|x| x.field.starts_with("prices.")) {
            e.add("prices", "no_price");
        }
        let mut schedule = Schedule::default();
        for (i, r) in self.rules.iter().enumerate() {
            let blank = r.from.trim().is_empty()
                && r.to.trim().is_empty()
                && r.times.trim().is_empty()
                && r.first.trim().is_empty();
            if blank {
                continue;
            }
            if let Some(rule) = r.parse(&format!("rules.{i}."), &mut e) {
                schedule.rules.push(rule);
            }
        }
        for part in self
            .closed_dates
            .split([',', ' ', '\n', ';'])
            .filter(|p| !p.trim().is_empty())
        {
            if let Some(d) = e.check(
                "closed_dates",
                part.trim()
                    .parse::<Date>()
                    .map_err(|_| OfferError("invalid_date")),
            ) {
                schedule.closed.insert(d);
            }
        }
        let follows = match self.follows.trim() {
            "" => Some(None),
            f => match crate::calendar::Audience::parse(f) {
                Some(a) => Some(Some(a)),
                None => {
                    e.add("follows", "unknown_value");
                    None
                }
            },
        };
        let collection = collection(self, &mut e);
        let cancel_free_hours = e.check(
            "cancel_free_hours",
            number(&self.cancel_free_hours, 0, 24 * 365, None).map_err(|x| match x.0 {
                "out_of_range" => OfferError("cancel_hours_out_of_range"),
                _ => x,
            }),
        );
        match (
            collection,
            cancel_free_hours,
            kind,
            capacity,
            online_cutoff,
            pos_cutoff,
            late_entry,
            published_from,
            published_to,
            duration,
            difficulty,
            location,
        ) {
            (
                Some(collection),
                Some(cancel_free_hours),
                Some(kind),
                Some(capacity),
                Some(Some(online)),
                Some(Some(pos)),
                Some(Some(late_entry_minutes)),
                Some(pf),
                Some(pt),
                Some(duration),
                Some(difficulty),
                Some(location),
            ) if e.is_empty() => Ok(OfferDetails {
                fr,
                nl,
                en,
                kind,
                group_id: Some(self.group_id.trim().to_owned()).filter(|g| !g.is_empty()),
                sale_pos: self.sale_pos,
                sale_online: self.sale_online,
                one_ticket_per_order: self.one_ticket_per_order,
                duration_minutes: duration,
                difficulty,
                location,
                capacity,
                online_cutoff_hours: online,
                pos_cutoff_hours: pos,
                late_entry_minutes,
                published_from: pf,
                published_to: pt,
                prices,
                schedule,
                follows: follows.flatten(),
                collection,
                cancel_free_hours,
            }),
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed_tour() -> OfferInput {
        OfferInput {
            fr: OfferTexts {
                name: "Visite guidée des Grottes de Neptune".into(),
                ..Default::default()
            },
            kind: "activity".into(),
            sale_pos: true,
            sale_online: true,
            duration_minutes: "45".into(),
            capacity: "40".into(),
            prices: vec![
                PriceInput {
                    item_id: "adult".into(),
                    price: "8,50".into(),
                    ..Default::default()
                },
                PriceInput {
                    item_id: "child".into(),
                    price: "5,00".into(),
                    ..Default::default()
                },
                PriceInput {
                    item_id: "senior".into(),
                    price: "7,50".into(),
                    ..Default::default()
                },
                PriceInput {
                    item_id: "student".into(),
                    price: "".into(),
                    ..Default::default()
                },
            ],
            rules: vec![RuleInput {
                from: "2026-01-01".into(),
                to: "2026-12-31".into(),
                kind: "every".into(),
                every_minutes: "30".into(),
                first: "10:00".into(),
                last: "16:30".into(),
                ..Default::default()
            }],
            ..Default::default()
        }
    }

    #[test]
    fn the_seeds_guided_tour() {
        let o = seed_tour().parse().unwrap();
        assert_eq!(
            o.prices.iter().map(|p| p.price_cents).collect::<Vec<_>>(),
            vec![850, 500, 750],
            "an unpriced type is not offered"
        );
        assert_eq!(o.capacity, 40);
        assert_eq!(o.schedule.rules.len(), 1);
    }

    #[test]
    fn bad_input_is_listed() {
        let mut i = seed_tour();
        i.fr.name = "".into();
        i.capacity = "-1".into();
        i.prices[0].price = "-8".into();
        i.prices[1].min_quantity = "5".into();
        i.prices[1].max_quantity = "2".into();
        i.published_from = "2026-06-01".into();
        i.published_to = "2026-05-01".into();
        i.rules[0].first = "17:00".into();
        let e = i.parse().unwrap_err();
        assert_eq!(e.get("fr.name"), Some("required"));
        assert_eq!(e.get("capacity"), Some("out_of_range"));
        assert_eq!(e.get("prices.0.price"), Some("negative_price"));
        assert_eq!(e.get("prices.1.max_quantity"), Some("max_below_min"));
        assert_eq!(e.get("published_to"), Some("ends_before_start"));
        assert_eq!(e.get("rules.0.last"), Some("ends_before_start"));
    }

    #[test]
    fn zero_is_a_price_and_nothing_priced_is_an_error() {
        let mut i = seed_tour();
        i.prices = vec![PriceInput {
            item_id: "x".into(),
            price: "0,00".into(),
            ..Default::default()
        }];
        assert_eq!(i.parse().unwrap().prices[0].price_cents, 0);
        i.prices[0].price = "".into();
        assert_eq!(i.parse().unwrap_err().get("prices"), Some("no_price"));
    }
}

/// Places a session can still take: capacity minus sold and held, never below zero (a
/// capacity lowered under sales by an older version, or an oversold import, shows 0).
pub fn remaining(capacity: i64, sold: i64, held: i64) -> i64 {
    capacity.saturating_sub(sold.saturating_add(held)).max(0)
}

/// How full a session is, in percent (100 when there is no capacity), for the planning grid.
pub fn fill_percent(capacity: i64, sold: i64, held: i64) -> i64 {
    if capacity <= 0 {
        return 100;
    }
    ((sold.saturating_add(held)).saturating_mul(100) / capacity).clamp(0, 100)
}

/// What a day of the public calendar shows a visitor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DayStatus {
    /// No session bookable online that day (closed, not published, past the cut-off).
    Closed,
    /// Sessions, but not one place left.
    SoldOut,
    /// Places left, at most [`FEW_PLACES_PERCENT`] % of the day's capacity (or at most
    /// [`FEW_PLACES`]): the visitor should hurry.
    Few,
    Open,
}

impl DayStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DayStatus::Closed => "closed",
            DayStatus::SoldOut => "sold_out",
            DayStatus::Few => "few",
            DayStatus::Open => "open",
        }
    }

    /// Whether a visitor can choose the day.
    pub fn bookable(self) -> bool {
        matches!(self, DayStatus::Few | DayStatus::Open)
    }
}

/// A day with this share of its places left or less shows "few places".
pub const FEW_PLACES_PERCENT: i64 = 10;
/// … and so does a day with this many places left or fewer, whatever its capacity.
pub const FEW_PLACES: i64 = 5;

/// The status of a day from its sessions bookable online, as `(remaining, capacity)`.
pub fn day_status(sessions: &[(i64, i64)]) -> DayStatus {
    if sessions.is_empty() {
        return DayStatus::Closed;
    }
    let left: i64 = sessions.iter().map(|(r, _)| (*r).max(0)).sum();
    let capacity: i64 = sessions.iter().map(|(_, c)| (*c).max(0)).sum();
    if left == 0 {
        DayStatus::SoldOut
    } else if left <= FEW_PLACES
        || left.saturating_mul(100) <= capacity.saturating_mul(FEW_PLACES_PERCENT)
    {
        DayStatus::Few
    } else {
        DayStatus::Open
    }
}

#[cfg(test)]
mod day_status_tests {
    use super::*;

    #[test]
    fn a_day_is_closed_sold_out_few_or_open() {
        assert_eq!(day_status(&[]), DayStatus::Closed);
        assert_eq!(day_status(&[(0, 50), (0, 50)]), DayStatus::SoldOut);
        assert_eq!(day_status(&[(5, 500)]), DayStatus::Few);
        assert_eq!(day_status(&[(10, 100)]), DayStatus::Few);
        assert_eq!(day_status(&[(11, 100)]), DayStatus::Open);
        assert_eq!(day_status(&[(3, 10)]), DayStatus::Few);
        assert_eq!(day_status(&[(6, 10)]), DayStatus::Open);
        // A negative remaining (an oversold import) counts as none.
        assert_eq!(day_status(&[(-4, 10), (0, 10)]), DayStatus::SoldOut);
        assert!(!DayStatus::SoldOut.bookable() && DayStatus::Few.bookable());
    }
}

#[cfg(test)]
mod collection_tests {
    use super::*;
    use proptest::prelude::*;

    fn input(mode: &str, percent: &str, amount: &str, cancel: &str) -> OfferInput {
        OfferInput {
            fr: OfferTexts {
                name: "Kayak".into(),
                ..Default::default()
            },
            kind: "activity".into(),
            sale_online: true,
            capacity: "10".into(),
            prices: vec![PriceInput {
                item_id: "adult".into(),
                price: "10".into(),
                ..Default::default()
            }],
            collection_mode: mode.into(),
            deposit_percent: percent.into(),
            deposit_amount: amount.into(),
            cancel_free_hours: cancel.into(),
            ..Default::default()
        }
    }

    #[test]
    fn modes_parse_and_on_site_is_the_default() {
        let o = input("", "", "", "").parse().unwrap();
        assert_eq!(o.collection, CollectionMode::OnSite);
        assert_eq!(o.cancel_free_hours, None);
        assert_eq!(
            input("full", "", "", "48").parse().unwrap().collection,
            CollectionMode::Full
        );
        assert_eq!(
            input("full", "", "", "48")
                .parse()
                .unwrap()
                .cancel_free_hours,
            Some(48)
        );
        assert_eq!(
            input("deposit", "30", "", "0").parse().unwrap().collection,
            CollectionMode::Deposit(Deposit::BasisPoints(3000))
        );
        assert_eq!(
            input("deposit", "", "5,50", "").parse().unwrap().collection,
            CollectionMode::Deposit(Deposit::Cents(550))
        );
        // A leftover deposit is ignored outside the deposit mode.
        assert_eq!(
            input("on_site", "30", "", "").parse().unwrap().collection,
            CollectionMode::OnSite
        );
    }

    #[test]
    fn collection_errors_have_codes() {
        let code = |i: OfferInput, f: &str| i.parse().unwrap_err().get(f).map(str::to_owned);
        let c = |s: &str| Some(s.to_owned());
        assert_eq!(
            code(input("cash", "", "", ""), "collection_mode"),
            c("unknown_value")
        );
        assert_eq!(
            code(input("deposit", "", "", ""), "deposit_percent"),
            c("deposit_required")
        );
        assert_eq!(
            code(input("deposit", "20", "5", ""), "deposit_percent"),
            c("deposit_both")
        );
        assert_eq!(
            code(input("deposit", "100", "", ""), "deposit_percent"),
            c("deposit_percent_out_of_range")
        );
        assert_eq!(
            code(input("deposit", "0", "", ""), "deposit_percent"),
            c("deposit_percent_out_of_range")
        );
        assert_eq!(
            code(input("deposit", "2.5", "", ""), "deposit_percent"),
            c("not_a_whole_number")
        );
        assert_eq!(
            code(input("deposit", "", "0", ""), "deposit_amount"),
            c("deposit_zero")
        );
        assert_eq!(
            code(input("deposit", "", "-3", ""), "deposit_amount"),
            c("negative_price")
        );
        assert_eq!(
            code(input("", "", "", "8761"), "cancel_free_hours"),
            c("cancel_hours_out_of_range")
        );
        assert_eq!(
            code(input("", "", "", "-1"), "cancel_free_hours"),
            c("cancel_hours_out_of_range")
        );
        assert_eq!(
            code(input("", "", "", "two"), "cancel_free_hours"),
            c("not_a_whole_number")
        );
        assert!(input("", "", "", "8760").parse().is_ok());
    }

    #[test]
    fn due_online_rounds_half_up_and_caps() {
        let pct = |p| CollectionMode::Deposit(Deposit::BasisPoints(p));
        assert_eq!(due_online(CollectionMode::OnSite, 4250), 0);
        assert_eq!(due_online(CollectionMode::Full, 4250), 4250);
        assert_eq!(due_online(pct(3000), 4250), 1275);
        // 30 % of 0,05 € = 1,5 cent → 2; 30 % of 0,01 € = 0,3 cent → 0.
        assert_eq!(due_online(pct(3000), 5), 2);
        assert_eq!(due_online(pct(3000), 1), 0);
        assert_eq!(due_online(pct(5000), 1), 1);
        let fixed = |c| CollectionMode::Deposit(Deposit::Cents(c));
        assert_eq!(due_online(fixed(1000), 4250), 1000);
        assert_eq!(due_online(fixed(1000), 600), 600, "capped at the total");
        assert_eq!(due_online(CollectionMode::Full, -500), 0);
    }

    #[test]
    fn stored_parts_round_trip() {
        for m in [
            CollectionMode::OnSite,
            CollectionMode::Full,
            CollectionMode::Deposit(Deposit::BasisPoints(2500)),
            CollectionMode::Deposit(Deposit::Cents(700)),
        ] {
            let (bp, c) = m.deposit_parts();
            assert_eq!(CollectionMode::from_parts(m.kind().as_str(), bp, c), m);
        }
        assert_eq!(
            CollectionMode::from_parts("deposit", None, None),
            CollectionMode::OnSite
        );
    }

    #[test]
    fn cancellation_boundary() {
        let start: jiff::Timestamp = "2026-07-01T10:00:00Z".parse().unwrap();
        let at = |s: &str| s.parse::<jiff::Timestamp>().unwrap();
        assert!(!cancellable_online(None, start, at("2026-01-01T00:00:00Z")));
        assert!(cancellable_online(
            Some(24),
            start,
            at("2026-06-30T09:59:59Z")
        ));
        assert!(
            !cancellable_online(Some(24), start, at("2026-06-30T10:00:00Z")),
            "the boundary itself is too late"
        );
        assert!(!cancellable_online(
            Some(24),
            start,
            at("2026-06-30T12:00:00Z")
        ));
        assert!(cancellable_online(
            Some(0),
            start,
            at("2026-07-01T09:59:59Z")
        ));
        assert!(!cancellable_online(Some(0), start, start));
    }

    proptest! {
        #[test]
        fn due_is_between_zero_and_the_total(total in 0i64..100_000_000, bp in 1i64..10_000, c in 1i64..100_000_000) {
            for m in [
                CollectionMode::OnSite,
                CollectionMode::Full,
                CollectionMode::Deposit(Deposit::BasisPoints(bp)),
                CollectionMode::Deposit(Deposit::Cents(c)),
            ] {
                let d = due_online(m, total);
                prop_assert!((0..=total).contains(&d));
            }
            prop_assert_eq!(due_online(CollectionMode::Full, total), total);
            prop_assert_eq!(due_online(CollectionMode::OnSite, total), 0);
            // Half up: within half a cent of the exact share.
            let exact = total as f64 * bp as f64 / 10_000.0;
            let d = due_online(CollectionMode::Deposit(Deposit::BasisPoints(bp)), total) as f64;
            prop_assert!((d - exact).abs() <= 0.5 + 1e-6);
        }
    }
}

#[cfg(test)]
mod availability_tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn remaining_is_never_negative_nor_above_capacity(c in -10i64..10_000, s in 0i64..20_000, h in 0i64..20_000) {
            let r = remaining(c, s, h);
            prop_assert!(r >= 0);
            prop_assert!(r <= c.max(0));
            if s + h <= c { prop_assert_eq!(r + s + h, c); }
            let f = fill_percent(c, s, h);
            prop_assert!((0..=100).contains(&f));
        }
    }
}
