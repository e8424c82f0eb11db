//! The orders search (issue 18 §1) as every channel asks it — the back office's form, the
//! API's query, the exports — read into the store's one filter, each bad value a field error.

use crate::organization::zone;
use crate::{Actor, App, AppError};
use guichet_domain::order::OrderState;
use guichet_domain::{Permission, text};
use guichet_store::orders::{self, Channel, DateFilter, OrderFilter, PaymentStatus, SearchTotals};
use uuid::Uuid;

/// The search's criteria besides its period, as typed (empty: not asked).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default)]
pub struct SearchCriteria {
    /// The start of an order or quote number; when given, the period is not applied.
    pub number: String,
    /// Words of the customer's name, e-mail or phone, accents and case ignored.
    pub customer: String,
    /// An offer's id.
    pub offer: String,
    /// A ticket type's, an extra's or a product's id.
    pub item: String,
    /// `registers`, `online`, `other`, `register:{id}` or `module:{id}`.
    pub channel: String,
    /// `quote`, `awaiting_payment`, `confirmed` or `cancelled`; or `live`, the orders that
    /// count (awaiting payment or confirmed: the arrivals to expect).
    pub state: String,
    /// `yes`: only the orders that were first a quote (a `D…` number), whatever became of
    /// them.
    pub quoted: String,
    /// `paid`, `unpaid`, `partly_paid` or `over_collected`.
    pub payment: String,
    /// The seller's (the order creator's) user id.
    pub seller: String,
}

impl SearchCriteria {
    /// Whether anything besides the period is asked.
    pub fn is_empty(&self) -> bool {
        *self == SearchCriteria::default()
    }
}

/// A period and its criteria: what the list, its totals and the exports all read.
#[derive(Debug, Clone, Default)]
pub struct OrderSearch {
    /// First and last day, YYYY-MM-DD.
    pub from: String,
    pub to: String,
    /// The period is of the visit, not of the creation.
    pub by_visit: bool,
    pub criteria: SearchCriteria,
}

/// The store's filter for a search, in the organization's time zone.
pub(crate) async fn filter(
    state: &App,
    actor: &Actor,
    search: &OrderSearch,
) -> Result<OrderFilter, AppError> {
    let c = &search.criteria;
    let number = c.number.trim().to_uppercase();
    let dates = if !number.is_empty() {
        DateFilter::Any
    } else {
        let (from, to) = crate::planning::date_range(&search.from, &search.to)?;
        if search.by_visit {
            DateFilter::Visit(from, to)
        } else {
            let tz = zone(state, actor).await?;
            let (a, b) = super::lists::instants(from, to, &tz)?;
            DateFilter::Created(a, b)
        }
    };
    let mut filter = OrderFilter::period(dates);
    filter.number = Some(number).filter(|n| !n.is_empty());
    filter.customer_words = text::search_key(&c.customer)
        .split_whitespace()
        .map(|w| format!("%{}%", w.replace(['%', '_'], "")))
        .take(5)
        .collect();
    filter.offer = id(&c.offer, "offer")?;
    filter.item = id(&c.item, "item")?;
    filter.channel = channel(&c.channel)?;
    filter.states = states(&c.state)?;
    filter.quoted = match c.quoted.trim() {
        "" => false,
        "yes" => true,
        _ => return Err(AppError::field("quoted", "invalid")),
    };
    filter.payment = choice(&c.payment, "payment", PaymentStatus::parse)?;
    filter.seller = id(&c.seller, "seller")?;
    Ok(filter)
}

fn id(raw: &str, field: &'static str) -> Result<Option<Uuid>, AppError> {
    match raw.trim() {
        "" => Ok(None),
        s => s
            .parse()
            .map(Some)
            .map_err(|_| AppError::field(field, "invalid")),
    }
}

fn choice<T>(
    raw: &str,
    field: &'static str,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<Option<T>, AppError> {
    match raw.trim() {
        "" => Ok(None),
        s => parse(s)
            .map(Some)
            .ok_or_else(|| AppError::field(field, "invalid")),
    }
}

/// The states a search's `state` asks for: one, `live` for the two that count, or any.
fn states(raw: &str) -> Result<Vec<OrderState>, AppError> {
    Ok(match raw.trim() {
        "" => Vec::new(),
        "live" => vec![OrderState::AwaitingPayment, OrderState::Confirmed],
        s => vec![OrderState::parse(s).ok_or_else(|| AppError::field("state", "invalid"))?],
    })
}

fn channel(raw: &str) -> Result<Option<Channel>, AppError> {
    let bad = || AppError::field("channel", "invalid");
    Ok(Some(match raw.trim() {
        "" => return Ok(None),
        "registers" => Channel::Registers,
        "online" => Channel::Online,
        "other" => Channel::Other,
        s => match s.split_once(':') {
            Some(("register", id)) => Channel::Register(id.parse().map_err(|_| bad())?),
            Some(("module", id)) => Channel::Module(id.parse().map_err(|_| bad())?),
            _ => return Err(bad()),
        },
    }))
}

/// The totals of everything a search finds (not only the page shown).
pub async fn totals(
    state: &App,
    actor: &Actor,
    search: &OrderSearch,
) -> Result<SearchTotals, AppError> {
    actor.require(Permission::Sell)?;
    let filter = filter(state, actor, search).await?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .read(|tx| Box::pin(async move { orders::totals(tx, tenant, &filter).await }))
        .await?)
}

/// A choice of a search's select: an id (or a channel's value) and its name.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Choice {
    pub value: String,
    pub name: String,
}

/// What the search form offers to choose from: readable by whoever may search the orders,
/// archived entries included (their old orders are still searched).
#[derive(Debug, Clone, Default)]
pub struct SearchChoices {
    pub offers: Vec<Choice>,
    pub ticket_types: Vec<Choice>,
    pub extras: Vec<Choice>,
    pub registers: Vec<Choice>,
    pub modules: Vec<Choice>,
    pub sellers: Vec<Choice>,
}

pub async fn choices(state: &App, actor: &Actor) -> Result<SearchChoices, AppError> {
    use guichet_domain::catalogue::ItemKind;
    use guichet_store::{booking_modules, items, offers, registers, users};
    actor.require(Permission::Sell)?;
    let tenant = actor.tenant;
    let by_name = |mut v: Vec<Choice>| {
        v.sort_by_cached_key(|c| text::search_key(&c.name));
        v
    };
    let choice = |value: Uuid, name: &str| Choice {
        value: value.to_string(),
        name: name.to_owned(),
    };
    let (o, t, e, r, m, s) = state
        .store
        .read(|tx| {
            Box::pin(async move {
                Ok((
                    offers::list(tx, tenant).await?,
                    items::list(tx, tenant, ItemKind::TicketType).await?,
                    items::list(tx, tenant, ItemKind::Extra).await?,
                    registers::list(tx, tenant).await?,
                    booking_modules::list(tx, tenant).await?,
                    users::list_members(tx, tenant).await?,
                ))
            })
        })
        .await?;
    Ok(SearchChoices {
        offers: by_name(
            o.iter()
                .map(|x| choice(x.id.0, &x.texts.pick(actor.lang, |t| &t.name)))
                .collect(),
        ),
        ticket_types: by_name(t.iter().map(|x| choice(x.id.0, &x.name)).collect()),
        extras: by_name(e.iter().map(|x| choice(x.id.0, &x.name)).collect()),
        registers: by_name(
            r.iter()
                .map(|x| Choice {
                    value: format!("register:{}", x.id.0),
                    name: x.name.clone(),
                })
                .collect(),
        ),
        modules: by_name(
            m.iter()
                .map(|x| Choice {
                    value: format!("module:{}", x.id.0),
                    name: x.name.clone(),
                })
                .collect(),
        ),
        sellers: by_name(s.iter().map(|x| choice(x.id.0, &x.name)).collect()),
    })
}
