//! The orders search (issue 18 §1): a period and any of number, customer, offer, ticket type
//! or product, channel, states, quotes, payment status and seller. One WHERE serves the list's pages,
//! the totals of the whole result and the exports, so the three always agree.

use super::DateFilter;
use crate::{Result, Tenant, Tx, on_tx};
use guichet_domain::order::OrderState;
use uuid::Uuid;

/// What the search asks for; `None` (or empty) leaves a criterion out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderFilter {
    pub dates: DateFilter,
    /// The start of an order or quote number (`P2103160698`, `P210316`).
    pub number: Option<String>,
    /// Words the customer's folded names, e-mail or phone hold (LIKE patterns, accents and
    /// case folded as the customers' `search` text is).
    pub customer_words: Vec<String>,
    pub offer: Option<Uuid>,
    /// A ticket type, an extra or a product sold on one of the order's lines.
    pub item: Option<Uuid>,
    pub channel: Option<Channel>,
    /// In any of these states (none: any state).
    pub states: Vec<OrderState>,
    /// Only orders that were first a quote (a `D…` number): open, confirmed or cancelled.
    pub quoted: bool,
    pub payment: Option<PaymentStatus>,
    /// Who made the sale (the order's creator).
    pub seller: Option<Uuid>,
}

impl OrderFilter {
    /// Every order of a period.
    pub fn period(dates: DateFilter) -> OrderFilter {
        OrderFilter {
            dates,
            number: None,
            customer_words: Vec::new(),
            offer: None,
            item: None,
            channel: None,
            states: Vec::new(),
            quoted: false,
            payment: None,
            seller: None,
        }
    }
}

/// Where an order was sold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// At this register.
    Register(Uuid),
    /// Online, through this booking module.
    Module(Uuid),
    /// At any register.
    Registers,
    /// Online, through any booking module.
    Online,
    /// Neither: entered through the API or the back office.
    Other,
}

/// The length of a whole order number, `P` + YYMMDD + a 4-digit count (`P2103160698`); a
/// shorter one is searched as the start of numbers.
const WHOLE_NUMBER: usize = 11;

/// What has been collected against the order's total.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentStatus {
    /// Collected equals the total.
    Paid,
    /// Nothing collected on a total due.
    Unpaid,
    /// Something, not all.
    PartlyPaid,
    /// More than the total (the seeds' P2103160698).
    OverCollected,
    /// Money to come: less than the total (unpaid or partly paid).
    Due,
    /// Collected differs from the total, either way: to look at.
    Mismatch,
}

impl PaymentStatus {
    pub const ALL: [PaymentStatus; 6] = [
        PaymentStatus::Paid,
        PaymentStatus::Unpaid,
        PaymentStatus::PartlyPaid,
        PaymentStatus::OverCollected,
        PaymentStatus::Due,
        PaymentStatus::Mismatch,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PaymentStatus::Paid => "paid",
            PaymentStatus::Unpaid => "unpaid",
            PaymentStatus::PartlyPaid => "partly_paid",
            PaymentStatus::OverCollected => "over_collected",
            PaymentStatus::Due => "due",
            PaymentStatus::Mismatch => "mismatch",
        }
    }

    pub fn parse(s: &str) -> Option<PaymentStatus> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }

    fn condition(self) -> &'static str {
        match self {
            PaymentStatus::Paid => "o.collected_cents = o.total_cents",
            PaymentStatus::Unpaid => "o.collected_cents = 0 AND o.total_cents > 0",
            PaymentStatus::PartlyPaid => {
                "o.collected_cents > 0 AND o.collected_cents < o.total_cents"
            }
            PaymentStatus::OverCollected => "o.collected_cents > o.total_cents",
            PaymentStatus::Due => "o.collected_cents < o.total_cents",
            PaymentStatus::Mismatch => "o.collected_cents <> o.total_cents",
        }
    }
}

/// A value bound to a numbered parameter of a statement built at run time.
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    Uuid(Uuid),
    Text(String),
    Int(i64),
}

/// Binds `args` in order to a query built with `sqlx::query_as` or `sqlx::query`.
macro_rules! bind_args {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for a in $args {
            q = match a {
                $crate::orders::search::Arg::Uuid(u) => q.bind(*u),
                $crate::orders::search::Arg::Text(t) => q.bind(t.clone()),
                $crate::orders::search::Arg::Int(n) => q.bind(*n),
            };
        }
        q
    }};
}
pub(crate) use bind_args;

/// The filter as conditions on `orders o` (the organization's `$1` not included), its
/// parameters numbered from `$first`, and their values in that order.
pub(crate) fn conditions(filter: &OrderFilter, first: usize) -> (String, Vec<Arg>) {
    let mut sql = String::new();
    let mut args = Vec::new();
    let mut push = |cond: &str, values: Vec<Arg>| {
        // `?` stands for the next parameter in each condition.
        let mut text = String::new();
        let mut n = first + args.len();
        for part in cond.split('?').enumerate() {
            if part.0 > 0 {
                text.push_str(&format!("${n}"));
                n += 1;
            }
            text.push_str(part.1);
        }
        sql.push_str(" AND ");
        sql.push_str(&text);
        args.extend(values);
    };
    match filter.dates {
        DateFilter::Created(from, until) => push(
            "o.created_at >= ? AND o.created_at < ?",
            vec![Arg::Int(from), Arg::Int(until)],
        ),
        DateFilter::Visit(from, to) => push(
            "o.visit_date >= ? AND o.visit_date <= ?",
            vec![Arg::Text(from.to_string()), Arg::Text(to.to_string())],
        ),
        DateFilter::Any => {}
    }
    if let Some(number) = &filter.number {
        if number.len() >= WHOLE_NUMBER {
            // A whole number: found through its unique index (an order's `P…`, a quote's
            // `D…`; one condition, as an OR of both is not served by either index).
            let column = if number.starts_with('D') {
                "o.quote_number = ?"
            } else {
                "o.number = ?"
            };
            push(column, vec![Arg::Text(number.clone())]);
        } else {
            let pattern = format!("{}%", number.replace(['%', '_'], ""));
            push(
                "(o.number LIKE ? OR o.quote_number LIKE ?)",
                vec![Arg::Text(pattern.clone()), Arg::Text(pattern)],
            );
        }
    }
    for word in &filter.customer_words {
        push(
            "EXISTS (SELECT 1 FROM customers cs WHERE cs.id = o.customer_id AND cs.search LIKE ?)",
            vec![Arg::Text(word.clone())],
        );
    }
    if let Some(offer) = filter.offer {
        push(
            "EXISTS (SELECT 1 FROM order_lines ol WHERE ol.order_id = o.id AND ol.offer_id = ?)",
            vec![Arg::Uuid(offer)],
        );
    }
    if let Some(item) = filter.item {
        push(
            "EXISTS (SELECT 1 FROM order_lines ol WHERE ol.order_id = o.id
               AND (ol.ticket_type_id = ? OR ol.extra_id = ? OR ol.product_id = ?))",
            vec![Arg::Uuid(item), Arg::Uuid(item), Arg::Uuid(item)],
        );
    }
    match filter.channel {
        Some(Channel::Register(id)) => push("o.register_id = ?", vec![Arg::Uuid(id)]),
        Some(Channel::Module(id)) => push("o.booking_module_id = ?", vec![Arg::Uuid(id)]),
        Some(Channel::Registers) => push("o.register_id IS NOT NULL", vec![]),
        Some(Channel::Online) => push("o.booking_module_id IS NOT NULL", vec![]),
        Some(Channel::Other) => push(
            "o.register_id IS NULL AND o.booking_module_id IS NULL",
            vec![],
        ),
        None => {}
    }
    if !filter.states.is_empty() {
        let marks = vec!["?"; filter.states.len()].join(", ");
        let values = filter.states.iter();
        push(
            &format!("o.state IN ({marks})"),
            values.map(|s| Arg::Text(s.as_str().to_owned())).collect(),
        );
    }
    if filter.quoted {
        push("o.quote_number IS NOT NULL", vec![]);
    }
    if let Some(payment) = filter.payment {
        push(payment.condition(), vec![]);
    }
    if let Some(seller) = filter.seller {
        push("o.created_by = ?", vec![Arg::Uuid(seller)]);
    }
    (sql, args)
}

/// The whole result of a search, summed: how many orders, and the totals and collected
/// amounts of those that count (finalized, not cancelled: not the quotes).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct SearchTotals {
    /// Every order and quote found.
    pub orders: i64,
    /// Those that count: awaiting payment or confirmed.
    pub live_orders: i64,
    pub total_cents: i64,
    pub collected_cents: i64,
    /// Collected minus total over the orders whose collected amount differs from their total.
    pub over_collected_cents: i64,
    pub to_collect_cents: i64,
}

/// The totals of everything the filter finds, in one pass over the orders.
pub async fn totals(tx: &mut Tx, tenant: Tenant, filter: &OrderFilter) -> Result<SearchTotals> {
    let (cond, args) = conditions(filter, 2);
    let sql = format!(
        "SELECT CAST(COUNT(*) AS BIGINT),
         CAST(COALESCE(SUM(CASE WHEN {LIVE} THEN 1 ELSE 0 END), 0) AS BIGINT),
         CAST(COALESCE(SUM(CASE WHEN {LIVE} THEN o.total_cents ELSE 0 END), 0) AS BIGINT),
         CAST(COALESCE(SUM(CASE WHEN {LIVE} THEN o.collected_cents ELSE 0 END), 0) AS BIGINT),
         CAST(COALESCE(SUM(CASE WHEN {LIVE} AND o.collected_cents > o.total_cents
              THEN o.collected_cents - o.total_cents ELSE 0 END), 0) AS BIGINT),
         CAST(COALESCE(SUM(CASE WHEN {LIVE} AND o.collected_cents < o.total_cents
              THEN o.total_cents - o.collected_cents ELSE 0 END), 0) AS BIGINT)
         FROM orders o WHERE o.organization_id = $1{cond}"
    );
    let row: (i64, i64, i64, i64, i64, i64) = on_tx!(tx, c => {
        let q = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(tenant.id().0);
        bind_args!(q, &args).fetch_one(c).await?
    });
    Ok(SearchTotals {
        orders: row.0,
        live_orders: row.1,
        total_cents: row.2,
        collected_cents: row.3,
        over_collected_cents: row.4,
        to_collect_cents: row.5,
    })
}

/// The states whose orders count in totals.
const LIVE: &str = "o.state IN ('awaiting_payment', 'confirmed')";
