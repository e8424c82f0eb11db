//! Promotions and promo codes (the seeds' "promotions" and "codes promos").
//!
//! A **promotion** lowers the price by itself, with no action at the register or online:
//! "first Sunday of the month free", a last-minute or an early-bird price. A **promo code**
//! is typed by the cashier or the visitor (partner passes such as MuseumPass, 365 or
//! Article 27 are promo codes); one code per cart, with an optional number of uses.
//!
//! This module parses their settings and decides, without IO, whether one applies to a line.

use crate::order::Reduction;
use crate::shop::parse_price_cents;
use crate::text;
use crate::validation::{ErrorCode, FieldErrors};
use crate::{ItemId, OfferId, ProductId, PromoCodeId, PromotionId};
use jiff::civil::Date;
use serde::{Deserialize, Serialize, Serializer};

/// A day of the week, as the API spells it.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Day {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Day {
    pub const ALL: [Day; 7] = [
        Day::Mon,
        Day::Tue,
        Day::Wed,
        Day::Thu,
        Day::Fri,
        Day::Sat,
        Day::Sun,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Day::Mon => "mon",
            Day::Tue => "tue",
            Day::Wed => "wed",
            Day::Thu => "thu",
            Day::Fri => "fri",
            Day::Sat => "sat",
            Day::Sun => "sun",
        }
    }

    pub fn parse(s: &str) -> Option<Day> {
        let s = s.trim().to_ascii_lowercase();
        Day::ALL.into_iter().find(|d| d.as_str() == s)
    }

    pub fn of(date: Date) -> Day {
        let i = usize::try_from(date.weekday().to_monday_zero_offset()).unwrap_or(0);
        Day::ALL[i % 7]
    }

    /// Days stored as `mon,sat` (empty for every day); unknown parts are ignored.
    pub fn list_from_str(s: &str) -> Vec<Day> {
        s.split(',').filter_map(Day::parse).collect()
    }

    pub fn list_to_string(days: &[Day]) -> String {
        days.iter()
            .map(|d| d.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// When a promotion applies relative to the day of the sale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PromotionModel {
    /// On the valid dates, whenever it is bought.
    Classic,
    /// Bought at most `days` days before the visit (0 = the same day).
    LastMinute { days: i64 },
    /// Bought at least `days` days before the visit.
    EarlyBird { days: i64 },
}

impl PromotionModel {
    pub fn as_str(self) -> &'static str {
        match self {
            PromotionModel::Classic => "classic",
            PromotionModel::LastMinute { .. } => "last_minute",
            PromotionModel::EarlyBird { .. } => "early_bird",
        }
    }

    pub fn days(self) -> Option<i64> {
        match self {
            PromotionModel::Classic => None,
            PromotionModel::LastMinute { days } | PromotionModel::EarlyBird { days } => Some(days),
        }
    }

    /// From the stored kind and days; an unknown kind reads as classic.
    pub fn from_parts(kind: &str, days: Option<i64>) -> PromotionModel {
        match (kind, days) {
            ("last_minute", Some(days)) => PromotionModel::LastMinute { days },
            ("early_bird", Some(days)) => PromotionModel::EarlyBird { days },
            _ => PromotionModel::Classic,
        }
    }
}

/// Most days a last-minute or early-bird promotion may count.
pub const MAX_MODEL_DAYS: i64 = 3660;

/// An inclusive range of civil dates; an open end is unbounded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DateRange {
    pub from: Option<Date>,
    pub to: Option<Date>,
}

impl DateRange {
    pub fn contains(&self, d: Date) -> bool {
        self.from.is_none_or(|f| d >= f) && self.to.is_none_or(|t| d <= t)
    }
}

fn opt_date<S: Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_some(&d.to_string()),
        None => s.serialize_none(),
    }
}

/// A promotion, as stored and as the API returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Promotion {
    pub id: PromotionId,
    /// The name shown in statistics and on the receipt.
    pub name: String,
    pub description: Option<String>,
    pub reduction: Reduction,
    pub model: PromotionModel,
    /// Visit dates the promotion is valid for (YYYY-MM-DD, inclusive; absent = open).
    #[serde(serialize_with = "opt_date")]
    #[schema(value_type = Option<String>)]
    pub valid_from: Option<Date>,
    #[serde(serialize_with = "opt_date")]
    #[schema(value_type = Option<String>)]
    pub valid_to: Option<Date>,
    /// Days of sale on which it is shown and applied (at the register and online).
    #[serde(serialize_with = "opt_date")]
    #[schema(value_type = Option<String>)]
    pub published_from: Option<Date>,
    #[serde(serialize_with = "opt_date")]
    #[schema(value_type = Option<String>)]
    pub published_to: Option<Date>,
    /// Weekdays of the visit; empty = every day.
    pub weekdays: Vec<Day>,
    /// Offers it applies to; empty = every offer.
    pub offer_ids: Vec<OfferId>,
    pub archived: bool,
}

impl Promotion {
    pub fn from_details(id: PromotionId, d: PromotionDetails, archived: bool) -> Promotion {
        Promotion {
            id,
            name: d.name,
            description: d.description,
            reduction: d.reduction,
            model: d.model,
            valid_from: d.valid.from,
            valid_to: d.valid.to,
            published_from: d.published.from,
            published_to: d.published.to,
            weekdays: d.weekdays,
            offer_ids: d.offer_ids,
            archived,
        }
    }

    /// Whether the promotion lowers the price of a visit of `offer` on `visit_date`, sold on
    /// `today` (the organization's civil date). Archived promotions never apply.
    pub fn applies(&self, offer: OfferId, visit_date: Date, today: Date) -> bool {
        if self.archived {
            return false;
        }
        if !self.offer_ids.is_empty() && !self.offer_ids.contains(&offer) {
            return false;
        }
        let valid = DateRange {
            from: self.valid_from,
            to: self.valid_to,
        };
        let published = DateRange {
            from: self.published_from,
            to: self.published_to,
        };
        if !valid.contains(visit_date) || !published.contains(today) {
            return false;
        }
        if !self.weekdays.is_empty() && !self.weekdays.contains(&Day::of(visit_date)) {
            return false;
        }
        let ahead = days_between(today, visit_date);
        match self.model {
            PromotionModel::Classic => true,
            PromotionModel::LastMinute { days } => ahead.is_some_and(|a| a >= 0 && a <= days),
            PromotionModel::EarlyBird { days } => ahead.is_some_and(|a| a >= days),
        }
    }
}

/// Whole days from `a` to `b` (negative when `b` is before `a`).
pub fn days_between(a: Date, b: Date) -> Option<i64> {
    a.until(b).ok().map(|s| i64::from(s.get_days()))
}

/// What a promo code is checked against: a visit line (offer and ticket type or extra) or a
/// shop product.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeTarget {
    Offer { offer: OfferId, item: ItemId },
    Product { product: ProductId },
}

/// A promo code, as stored and as the API returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PromoCode {
    pub id: PromoCodeId,
    /// The name shown in statistics.
    pub name: String,
    /// The activation code, normalized (upper case); typed in any case.
    pub code: String,
    pub description: Option<String>,
    pub reduction: Reduction,
    /// Most uses; absent = unlimited.
    pub max_uses: Option<i64>,
    /// Orders that used it so far.
    pub uses: i64,
    /// Visit dates it is valid for (for shop products: the day of sale).
    #[serde(serialize_with = "opt_date")]
    #[schema(value_type = Option<String>)]
    pub valid_from: Option<Date>,
    #[serde(serialize_with = "opt_date")]
    #[schema(value_type = Option<String>)]
    pub valid_to: Option<Date>,
    /// Days of sale on which it is accepted.
    #[serde(serialize_with = "opt_date")]
    #[schema(value_type = Option<String>)]
    pub published_from: Option<Date>,
    #[serde(serialize_with = "opt_date")]
    #[schema(value_type = Option<String>)]
    pub published_to: Option<Date>,
    /// What it applies to. All three empty: everything. Otherwise a visit line needs its
    /// offer in `offer_ids` (or that list empty) and its item in `item_ids` (or that list
    /// empty), with at least one of the two lists set; a product needs to be in `product_ids`.
    pub offer_ids: Vec<OfferId>,
    pub item_ids: Vec<ItemId>,
    pub product_ids: Vec<ProductId>,
    pub archived: bool,
}

impl PromoCode {
    pub fn from_details(
        id: PromoCodeId,
        d: PromoCodeDetails,
        uses: i64,
        archived: bool,
    ) -> PromoCode {
        PromoCode {
            id,
            name: d.name,
            code: d.code,
            description: d.description,
            reduction: d.reduction,
            max_uses: d.max_uses,
            uses,
            valid_from: d.valid.from,
            valid_to: d.valid.to,
            published_from: d.published.from,
            published_to: d.published.to,
            offer_ids: d.offer_ids,
            item_ids: d.item_ids,
            product_ids: d.product_ids,
            archived,
        }
    }

    /// Every use taken (never for an unlimited code).
    pub fn exhausted(&self) -> bool {
        self.max_uses.is_some_and(|m| self.uses >= m)
    }

    /// Whether the code lowers the price of `line`. `visit_date` is the visit's date for a
    /// visit line (today when absent). This does not look at the number of uses: that is
    /// counted by the store when the order is written.
    pub fn applies_to(&self, line: CodeTarget, visit_date: Option<Date>, today: Date) -> bool {
        if self.archived {
            return false;
        }
        let published = DateRange {
            from: self.published_from,
            to: self.published_to,
        };
        if !published.contains(today) {
            return false;
        }
        let valid = DateRange {
            from: self.valid_from,
            to: self.valid_to,
        };
        let everything =
            self.offer_ids.is_empty() && self.item_ids.is_empty() && self.product_ids.is_empty();
        match line {
            CodeTarget::Offer { offer, item } => {
                let scoped = everything
                    || ((!self.offer_ids.is_empty() || !self.item_ids.is_empty())
                        && (self.offer_ids.is_empty() || self.offer_ids.contains(&offer))
                        && (self.item_ids.is_empty() || self.item_ids.contains(&item)));
                scoped && valid.contains(visit_date.unwrap_or(today))
            }
            CodeTarget::Product { product } => {
                (everything || self.product_ids.contains(&product)) && valid.contains(today)
            }
        }
    }
}

// ---------------------------------------------------------------- parsing

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PromoError(pub &'static str);

impl ErrorCode for PromoError {
    fn code(&self) -> &'static str {
        self.0
    }
}

/// An activation code as stored: trimmed, upper case; letters A–Z, digits, `-` and `_`,
/// 3 to 40 characters. Codes are compared in this form, so they are case-insensitive.
pub fn normalize_code(raw: &str) -> Result<String, PromoError> {
    let code = raw.trim().to_uppercase();
    if code.is_empty() {
        return Err(PromoError("required"));
    }
    if !code
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(PromoError("invalid_code_characters"));
    }
    match code.chars().count() {
        0..=2 => Err(PromoError("too_short")),
        3..=40 => Ok(code),
        _ => Err(PromoError("too_long")),
    }
}

/// A discount as typed: `kind` is `percent` (`10`, `10 %`, `12,5`: more than 0, at most
/// 100) or `amount` (`2,50` euros, more than 0).
pub fn parse_reduction(kind: &str, value: &str) -> Result<Reduction, (&'static str, PromoError)> {
    match kind.trim() {
        "percent" => {
            let v = value.trim().trim_end_matches('%').trim();
            match parse_price_cents(v) {
                Ok(bp) if bp > 0 && bp <= 10_000 => u32::try_from(bp)
                    .map(Reduction::PercentBp)
                    .map_err(|_| ("discount", PromoError("percent_out_of_range"))),
                Ok(_) => Err(("discount", PromoError("percent_out_of_range"))),
                Err(crate::shop::PriceError::Negative) | Err(crate::shop::PriceError::TooLarge) => {
                    Err(("discount", PromoError("percent_out_of_range")))
                }
                Err(e) => Err(("discount", PromoError(e.code()))),
            }
        }
        "amount" => match parse_price_cents(value) {
            Ok(0) => Err(("discount", PromoError("must_be_positive"))),
            Ok(c) => Ok(Reduction::AmountCents(c)),
            Err(e) => Err(("discount", PromoError(e.code()))),
        },
        _ => Err(("discount_kind", PromoError("unknown_value"))),
    }
}

/// The discount as a form shows it: (`percent`, `12,5`) or (`amount`, `2,50`).
pub fn reduction_parts(r: Reduction) -> (&'static str, String) {
    match r {
        Reduction::PercentBp(bp) => {
            let s = crate::shop::format_cents(i64::from(bp));
            let s = s.trim_end_matches('0').trim_end_matches(',').to_owned();
            ("percent", s)
        }
        Reduction::AmountCents(c) => ("amount", crate::shop::format_cents(c)),
    }
}

fn date(s: &str) -> Result<Option<Date>, PromoError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    s.parse::<Date>()
        .map(Some)
        .map_err(|_| PromoError("invalid_date"))
}

fn range(e: &mut FieldErrors, from_field: &str, from: &str, to_field: &str, to: &str) -> DateRange {
    let a = e.check(from_field, date(from)).flatten();
    let b = e.check(to_field, date(to)).flatten();
    if let (Some(a), Some(b)) = (a, b)
        && b < a
    {
        e.add(to_field, "ends_before_start");
    }
    DateRange { from: a, to: b }
}

/// Ids as typed or checked; anything that is not an id is reported as `code` on `field`.
fn ids<T: std::str::FromStr + PartialEq>(
    e: &mut FieldErrors,
    field: &str,
    code: &'static str,
    raw: &[String],
) -> Vec<T> {
    let mut out = Vec::new();
    for r in raw.iter().map(|r| r.trim()).filter(|r| !r.is_empty()) {
        match r.parse::<T>() {
            Ok(id) => {
                if !out.contains(&id) {
                    out.push(id);
                }
            }
            Err(_) => {
                if e.get(field).is_none() {
                    e.add(field, code);
                }
            }
        }
    }
    out
}

/// Raw promotion fields as a form or JSON body sends them.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct PromotionInput {
    pub name: String,
    pub description: String,
    /// `percent` or `amount`.
    pub discount_kind: String,
    /// `10` or `10 %` for a percentage, `2,50` for euros.
    pub discount: String,
    /// `classic`, `last_minute` or `early_bird`.
    pub model: String,
    /// Days for `last_minute` (at most N days before the visit) and `early_bird` (at least N).
    pub model_days: String,
    /// Visit dates (YYYY-MM-DD), both optional.
    pub valid_from: String,
    pub valid_to: String,
    /// Days of sale on which it applies (YYYY-MM-DD), both optional.
    pub published_from: String,
    pub published_to: String,
    /// `mon` … `sun`; empty for every day.
    pub weekdays: Vec<String>,
    /// Offer ids; empty for every offer.
    pub offer_ids: Vec<String>,
}

/// A parsed promotion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromotionDetails {
    pub name: String,
    pub description: Option<String>,
    pub reduction: Reduction,
    pub model: PromotionModel,
    pub valid: DateRange,
    pub published: DateRange,
    pub weekdays: Vec<Day>,
    pub offer_ids: Vec<OfferId>,
}

fn reduction(e: &mut FieldErrors, kind: &str, value: &str) -> Option<Reduction> {
    match parse_reduction(kind, value) {
        Ok(r) => Some(r),
        Err((field, err)) => {
            e.add(field, err.code());
            None
        }
    }
}

impl PromotionInput {
    pub fn parse(&self) -> Result<PromotionDetails, FieldErrors> {
        let mut e = FieldErrors::new();
        let name = e.check("name", text::required(&self.name, 120));
        let description = e.check("description", text::optional(&self.description, 2000));
        let reduction = reduction(&mut e, &self.discount_kind, &self.discount);
        let days = || {
            crate::catalogue::optional_number(&self.model_days, 0, MAX_MODEL_DAYS)
                .map_err(|n| PromoError(n.code()))
                .and_then(|d| d.ok_or(PromoError("required")))
        };
        let model = match self.model.trim() {
            "" | "classic" => Some(PromotionModel::Classic),
            "last_minute" => e
                .check("model_days", days())
                .map(|days| PromotionModel::LastMinute { days }),
            "early_bird" => e
                .check("model_days", days())
                .map(|days| PromotionModel::EarlyBird { days }),
            _ => {
                e.add("model", "unknown_value");
                None
            }
        };
        let valid = range(
            &mut e,
            "valid_from",
            &self.valid_from,
            "valid_to",
            &self.valid_to,
        );
        let published = range(
            &mut e,
            "published_from",
            &self.published_from,
            "published_to",
            &self.published_to,
        );
        let mut weekdays = Vec::new();
        for w in self.weekdays.iter().filter(|w| !w.trim().is_empty()) {
            match Day::parse(w) {
                Some(d) if !weekdays.contains(&d) => weekdays.push(d),
                Some(_) => {}
                None => e.add("weekdays", "unknown_weekday"),
            }
        }
        weekdays.sort();
        if weekdays.len() == 7 {
            weekdays.clear();
        }
        let offer_ids = ids(&mut e, "offer_ids", "unknown_offer", &self.offer_ids);
        match (name, description, reduction, model) {
            (Some(name), Some(description), Some(reduction), Some(model)) if e.is_empty() => {
                Ok(PromotionDetails {
                    name,
                    description,
                    reduction,
                    model,
                    valid,
                    published,
                    weekdays,
                    offer_ids,
                })
            }
            _ => Err(e),
        }
    }
}

/// Raw promo code fields as a form or JSON body sends them.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct PromoCodeInput {
    pub name: String,
    /// The activation code, e.g. `MUSEUMPASS` (any case).
    pub code: String,
    pub description: String,
    /// `percent` or `amount`.
    pub discount_kind: String,
    /// `10` or `10 %` for a percentage, `2,50` for euros.
    pub discount: String,
    /// Most uses; empty for unlimited.
    pub max_uses: String,
    pub valid_from: String,
    pub valid_to: String,
    pub published_from: String,
    pub published_to: String,
    /// Offer ids, ticket type or extra ids, product ids; all empty for everything.
    pub offer_ids: Vec<String>,
    pub item_ids: Vec<String>,
    pub product_ids: Vec<String>,
}

/// A parsed promo code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromoCodeDetails {
    pub name: String,
    pub code: String,
    pub description: Option<String>,
    pub reduction: Reduction,
    pub max_uses: Option<i64>,
    pub valid: DateRange,
    pub published: DateRange,
    pub offer_ids: Vec<OfferId>,
    pub item_ids: Vec<ItemId>,
    pub product_ids: Vec<ProductId>,
}

/// Most uses a limited code may have.
pub const MAX_USES: i64 = 100_000_000;

impl PromoCodeInput {
    pub fn parse(&self) -> Result<PromoCodeDetails, FieldErrors> {
        let mut e = FieldErrors::new();
        let name = e.check("name", text::required(&self.name, 120));
        let code = e.check("code", normalize_code(&self.code));
        let description = e.check("description", text::optional(&self.description, 2000));
        let reduction = reduction(&mut e, &self.discount_kind, &self.discount);
        let max_uses = e.check(
            "max_uses",
            crate::catalogue::optional_number(&self.max_uses, 1, MAX_USES),
        );
        let valid = range(
            &mut e,
            "valid_from",
            &self.valid_from,
            "valid_to",
            &self.valid_to,
        );
        let published = range(
            &mut e,
            "published_from",
            &self.published_from,
            "published_to",
            &self.published_to,
        );
        let offer_ids = ids(&mut e, "offer_ids", "unknown_offer", &self.offer_ids);
        let item_ids = ids(&mut e, "item_ids", "unknown_item", &self.item_ids);
        let product_ids = ids(&mut e, "product_ids", "unknown_product", &self.product_ids);
        match (name, code, description, reduction, max_uses) {
            (Some(name), Some(code), Some(description), Some(reduction), Some(max_uses))
                if e.is_empty() =>
            {
                Ok(PromoCodeDetails {
                    name,
                    code,
                    description,
                    reduction,
                    max_uses,
                    valid,
                    published,
                    offer_ids,
                    item_ids,
                    product_ids,
                })
            }
            _ => Err(e),
        }
    }
}

/// A cart line as reductions see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscountLine {
    pub target: CodeTarget,
    pub visit_date: Option<Date>,
    pub quantity: i64,
    /// Quantity × unit price, VAT included.
    pub gross_cents: i64,
    /// Already taken off (a free line is all discount); reductions add to it.
    pub discount_cents: i64,
    /// What took each part off, for the order's line ("Early bird", "Code MUSEUMPASS").
    pub reasons: Vec<String>,
}

impl DiscountLine {
    fn left(&self) -> i64 {
        (self.gross_cents - self.discount_cents).max(0)
    }
}

/// The discount a reduction gives on `left` cents for `quantity` units: a percentage of the
/// amount (half-up at the cent), or an amount per unit; never more than `left`.
fn per_line(r: Reduction, left: i64, quantity: i64) -> i64 {
    match r {
        Reduction::PercentBp(_) => r.discount_on(left),
        Reduction::AmountCents(c) => c.saturating_mul(quantity).clamp(0, left),
    }
}

/// **The reduction rule** (one place). Applied at the register, and online later, without any
/// action from the cashier:
/// 1. Automatic promotions apply to visit lines: each line takes the one promotion that takes
///    the most off (promotions do not add up). A percentage is of the line's amount; an amount
///    in euros is per ticket.
/// 2. Then the cart's promo code (one per cart) applies to the lines it covers, on what is left
///    after promotions: a percentage line by line; an amount in euros once for the cart, shared
///    among those lines in proportion to what is left on them.
///
/// No line ever goes below zero. Returns whether the code covered at least one line.
pub fn apply_reductions(
    lines: &mut [DiscountLine],
    promotions: &[Promotion],
    code: Option<&PromoCode>,
    today: Date,
) -> bool {
    for l in lines.iter_mut() {
        let (CodeTarget::Offer { offer, .. }, Some(day)) = (l.target, l.visit_date) else {
            continue;
        };
        let best = promotions
            .iter()
            .filter(|p| p.applies(offer, day, today))
            .map(|p| (per_line(p.reduction, l.left(), l.quantity), p))
            .filter(|(d, _)| *d > 0)
            .max_by_key(|(d, _)| *d);
        if let Some((d, p)) = best {
            l.discount_cents += d;
            l.reasons.push(p.name.clone());
        }
    }
    let Some(code) = code else {
        return false;
    };
    let covered: Vec<usize> = (0..lines.len())
        .filter(|i| code.applies_to(lines[*i].target, lines[*i].visit_date, today))
        .collect();
    if covered.is_empty() {
        return false;
    }
    let label = format!("Code {}", code.code);
    match code.reduction {
        Reduction::PercentBp(_) => {
            for i in &covered {
                let d = code.reduction.discount_on(lines[*i].left());
                lines[*i].discount_cents += d;
                lines[*i].reasons.push(label.clone());
            }
        }
        Reduction::AmountCents(amount) => {
            let left: Vec<i64> = covered.iter().map(|i| lines[*i].left()).collect();
            let total = amount.clamp(0, left.iter().sum());
            let shares = crate::order::share_out(total, &left);
            for (i, share) in covered.iter().zip(shares) {
                let share = share.min(lines[*i].left());
                lines[*i].discount_cents += share;
                lines[*i].reasons.push(label.clone());
            }
        }
    }
    true
}

#[cfg(test)]
mod tests;
