//! Opening and closing registers, cash in and out, X and Z reports, the registers follow-up
//! and the daily to annual summaries. The rules of what a Z counts are in
//! `guichet_domain::closing`; this checks permissions and input and runs one transaction.

pub use guichet_store::register_sessions::{CashMovement, Session, ZReport};

use crate::Actor;
use crate::App;
use crate::AppError;
use crate::paging::{self, Page};
use guichet_domain::closing::{Counts, Period, SummaryLine, count_methods, summarize};
use guichet_domain::order::PaymentMethod;
use guichet_domain::org::RegisterKind;
use guichet_domain::shop::parse_price_cents;
use guichet_domain::validation::FieldErrors;
use guichet_domain::{Permission, RegisterId, RegisterSessionId};
use guichet_store::register_sessions::{self, CashKind, Closing, Opening, SessionKey};
use serde::Deserialize;

mod exports;

pub use exports::*;

/// A drawer's count of one denomination. Named `DrawerCount` in the OpenAPI document: the
/// shop's stock count is its `CountInput`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = DrawerCount)]
pub struct CountInput {
    /// In cents: 50000 for a 500 € note, 1 for a 1 cent coin.
    pub denomination_cents: i64,
    pub count: i64,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct OpenInput {
    /// The opening float (`150,00`); may be left empty when counted by denomination.
    #[serde(default)]
    pub opening_float: String,
    #[serde(default)]
    pub counts: Vec<CountInput>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct CashInput {
    /// `in` (cash put into the drawer) or `out` (taken out, e.g. to the safe).
    pub kind: String,
    pub amount: String,
    pub reason: String,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct CountedInput {
    pub method: String,
    pub amount: String,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct CloseInput {
    /// The cash counted in the drawer; may be left empty when counted by denomination.
    #[serde(default)]
    pub counted_cash: String,
    #[serde(default)]
    pub counts: Vec<CountInput>,
    /// Other methods counted (card terminal slips, vouchers), compared with what was taken.
    #[serde(default)]
    pub counted: Vec<CountedInput>,
}

/// A cash amount typed as such, or counted by denomination (both given: they must agree).
fn amount_or_counts(
    e: &mut FieldErrors,
    field: &str,
    raw: &str,
    counts: &[CountInput],
) -> Option<(i64, Option<Counts>)> {
    let counts = if counts.is_empty() {
        None
    } else {
        let pairs: Vec<(i64, i64)> = counts
            .iter()
            .map(|c| (c.denomination_cents, c.count))
            .collect();
        Some(e.check("counts", Counts::parse(&pairs))?)
    };
    match (raw.trim().is_empty(), counts) {
        (true, Some(c)) => Some((c.total_cents(), Some(c))),
        (true, None) => {
            e.add(field, "required");
            None
        }
        (false, c) => {
            let amount = e.check(field, parse_price_cents(raw))?;
            if let Some(c) = &c
                && c.total_cents() != amount
            {
                e.add(field, "counts_mismatch");
                return None;
            }
            Some((amount, c))
        }
    }
}

fn register_id(raw: &str) -> Result<RegisterId, AppError> {
    raw.trim()
        .parse()
        .map_err(|_| AppError::field("register_id", "unknown_register"))
}

/// Today in the organization's time zone.
async fn today(state: &App, actor: &Actor) -> Result<jiff::civil::Date, AppError> {
    Ok(state
        .config
        .clock
        .now()
        .to_zoned(crate::organization::zone(state, actor).await?)
        .date())
}

/// No cash typed and none counted.
fn no_cash(raw: &str, counts: &[CountInput]) -> bool {
    raw.trim().is_empty() && counts.iter().all(|c| c.count == 0)
}

/// Opens a register with its float. A session left open (from another day too) must be closed
/// first: `register_already_open`. A register with no drawer (the phone register) opens with
/// no float; one given is refused (`no_cash_on_phone`) but for zero.
pub async fn open(
    state: &App,
    actor: &Actor,
    register: &str,
    input: &OpenInput,
) -> Result<Session, AppError> {
    actor.require(Permission::Sell)?;
    let register = super::orders::register(state, actor, register).await?;
    let mut e = FieldErrors::new();
    let float = if !register.kind.has_drawer() && no_cash(&input.opening_float, &input.counts) {
        Some((0, None))
    } else {
        amount_or_counts(&mut e, "opening_float", &input.opening_float, &input.counts)
    };
    if !register.kind.has_drawer() && float.as_ref().is_some_and(|(f, _)| *f != 0) {
        e.add("opening_float", "no_cash_on_phone");
    }
    e.into_result()?;
    let Some((float, counts)) = float else {
        return Err(AppError::field("opening_float", "required"));
    };
    let day = today(state, actor).await?;
    let at = state.config.clock.now().as_microsecond();
    let (tenant, by, id) = (actor.tenant, actor.user_id(), register.id);
    Ok(state
        .store
        .write(|tx| {
            let opening = Opening {
                day,
                float_cents: float,
                counts: counts.clone(),
                at,
            };
            Box::pin(async move { register_sessions::open(tx, tenant, id, &opening, by).await })
        })
        .await?)
}

/// The register's open session, if any.
pub async fn current(
    state: &App,
    actor: &Actor,
    register: RegisterId,
) -> Result<Option<Session>, AppError> {
    actor.require(Permission::Sell)?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .read(|tx| Box::pin(async move { register_sessions::open_of(tx, tenant, register).await }))
        .await?)
}

pub async fn session(
    state: &App,
    actor: &Actor,
    id: RegisterSessionId,
) -> Result<Session, AppError> {
    actor.require(Permission::Sell)?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .read(|tx| Box::pin(async move { register_sessions::get(tx, tenant, id).await }))
        .await?)
}

/// Cash put in or taken out of an open register, with its reason.
pub async fn cash_movement(
    state: &App,
    actor: &Actor,
    register: &str,
    input: &CashInput,
) -> Result<CashMovement, AppError> {
    actor.require(Permission::Sell)?;
    // Another organization's register is unknown here, not closed.
    let register = super::orders::register(state, actor, register).await?.id;
    let mut e = FieldErrors::new();
    let kind = CashKind::parse(input.kind.trim());
    if kind.is_none() {
        e.add("kind", "unknown_value");
    }
    let amount = e.check("amount", parse_price_cents(&input.amount));
    if amount == Some(0) {
        e.add("amount", "amount_zero");
    }
    let reason = input.reason.trim().to_owned();
    if reason.is_empty() {
        e.add("reason", "required");
    } else if reason.chars().count() > 500 {
        e.add("reason", "too_long");
    }
    e.into_result()?;
    let (Some(kind), Some(amount)) = (kind, amount) else {
        return Err(AppError::field("amount", "required"));
    };
    let (tenant, by) = (actor.tenant, actor.user_id());
    Ok(state
        .store
        .write(|tx| {
            let reason = reason.clone();
            Box::pin(async move {
                register_sessions::add_cash_movement(
                    tx, tenant, register, kind, amount, &reason, by,
                )
                .await
            })
        })
        .await?)
}

/// A session's report: an X while it is open (closes nothing), its Z once closed.
pub async fn report(
    state: &App,
    actor: &Actor,
    id: RegisterSessionId,
) -> Result<ZReport, AppError> {
    actor.require(Permission::Sell)?;
    let tenant = actor.tenant;
    Ok(state
        .store
        .read(|tx| Box::pin(async move { register_sessions::report(tx, tenant, id).await }))
        .await?)
}

/// What the cashier counted at closing, checked.
struct Counted {
    cash_cents: i64,
    counts: Option<Counts>,
    /// Other methods counted (card slips, vouchers).
    methods: Vec<(PaymentMethod, i64)>,
}

/// Checks a closing's counts. A register with no drawer (the phone register) has no cash to
/// count: none given counts 0.
fn counted_of(input: &CloseInput, kind: RegisterKind) -> Result<Counted, AppError> {
    let mut e = FieldErrors::new();
    let cash = if !kind.has_drawer() && no_cash(&input.counted_cash, &input.counts) {
        Some((0, None))
    } else {
        amount_or_counts(&mut e, "counted_cash", &input.counted_cash, &input.counts)
    };
    let mut methods = Vec::new();
    for (i, c) in input.counted.iter().enumerate() {
        if c.amount.trim().is_empty() {
            continue;
        }
        let method = PaymentMethod::parse(c.method.trim());
        match method {
            Some(PaymentMethod::Cash) | None => {
                e.add(&format!("counted[{i}].method"), "unknown_method")
            }
            Some(m) => {
                if let Some(a) = e.check(
                    &format!("counted[{i}].amount"),
                    parse_price_cents(&c.amount),
                ) {
                    methods.push((m, a));
                }
            }
        }
    }
    e.into_result()?;
    let Some((cash_cents, counts)) = cash else {
        return Err(AppError::field("counted_cash", "required"));
    };
    Ok(Counted {
        cash_cents,
        counts,
        methods,
    })
}

/// The kind of the register a session belongs to.
async fn kind_of(
    state: &App,
    actor: &Actor,
    id: RegisterSessionId,
) -> Result<RegisterKind, AppError> {
    let tenant = actor.tenant;
    Ok(state
        .store
        .read(|tx| {
            Box::pin(async move {
                let session = register_sessions::get(tx, tenant, id).await?;
                Ok(
                    guichet_store::registers::get(tx, tenant, session.register_id)
                        .await?
                        .kind,
                )
            })
        })
        .await?)
}

/// What closing with these counts would show, nothing closed yet: the X with the drawer and
/// the other methods counted (expected against counted, each difference). The closing page
/// shows it for confirmation before the Z is made. `409 already_closed` once it is closed.
pub async fn preview_close(
    state: &App,
    actor: &Actor,
    id: RegisterSessionId,
    input: &CloseInput,
) -> Result<ZReport, AppError> {
    actor.require(Permission::Sell)?;
    let counted = counted_of(input, kind_of(state, actor, id).await?)?;
    let mut x = report(state, actor, id).await?;
    if x.closed_at.is_some() {
        return Err(AppError::Conflict("already_closed"));
    }
    x.cash = x.cash.counted(counted.cash_cents);
    count_methods(&mut x.payments, &x.cash, &counted.methods);
    Ok(x)
}

/// Closes a session with the counted cash and makes its Z.
pub async fn close(
    state: &App,
    actor: &Actor,
    id: RegisterSessionId,
    input: &CloseInput,
) -> Result<ZReport, AppError> {
    actor.require(Permission::Sell)?;
    let counted = counted_of(input, kind_of(state, actor, id).await?)?;
    let closing = std::sync::Arc::new(Closing {
        counted_cash_cents: counted.cash_cents,
        counts: counted.counts,
        counted: counted.methods,
        at: state.config.clock.now().as_microsecond(),
        key_seed: rand::random(),
    });
    let (tenant, by) = (actor.tenant, actor.user_id());
    Ok(state
        .store
        .write(|tx| {
            let closing = closing.clone();
            Box::pin(async move { register_sessions::close(tx, tenant, id, &closing, by).await })
        })
        .await?)
}

/// A session still open, with how many days it has been open (0: opened today).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct OpenSession {
    #[serde(flatten)]
    pub session: Session,
    pub days_open: i64,
}

/// Every open session; those opened before today must be closed (the seeds' Zs shift
/// otherwise), and those open for days are shown as such.
pub async fn open_sessions(state: &App, actor: &Actor) -> Result<Vec<OpenSession>, AppError> {
    actor.require(Permission::UseBackOffice)?;
    let today = today(state, actor).await?;
    let tenant = actor.tenant;
    let sessions = state
        .store
        .read(|tx| Box::pin(async move { register_sessions::open_sessions(tx, tenant).await }))
        .await?;
    Ok(sessions
        .into_iter()
        .map(|session| {
            let days_open = session
                .day
                .parse::<jiff::civil::Date>()
                .ok()
                .and_then(|d| d.until(today).ok())
                .map_or(0, |span| i64::from(span.get_days()));
            OpenSession { session, days_open }
        })
        .collect())
}

/// Days `from..=to`, given as ISO dates (defaults: the last 31 days up to today).
async fn days(
    state: &App,
    actor: &Actor,
    from: Option<&str>,
    to: Option<&str>,
    default_days: i64,
) -> Result<(jiff::civil::Date, jiff::civil::Date), AppError> {
    let today = today(state, actor).await?;
    let mut e = FieldErrors::new();
    let parse =
        |e: &mut FieldErrors, field: &str, raw: Option<&str>| -> Option<jiff::civil::Date> {
            match raw.map(str::trim).filter(|s| !s.is_empty()) {
                None => None,
                Some(s) => match s.parse::<jiff::civil::Date>() {
                    Ok(d) => Some(d),
                    Err(_) => {
                        e.add(field, "invalid_date");
                        None
                    }
                },
            }
        };
    let to_day = parse(&mut e, "to", to).unwrap_or(today);
    let from_day = parse(&mut e, "from", from).unwrap_or_else(|| {
        to_day
            .checked_sub(jiff::Span::new().days(default_days))
            .unwrap_or(to_day)
    });
    if from_day > to_day {
        e.add("to", "before_from");
    }
    e.into_result()?;
    Ok((from_day, to_day))
}

/// Which sessions, and which page of them.
#[derive(Debug, Clone, Default)]
pub struct SessionListQuery {
    /// First and last day (defaults: 30 days before `to`, today).
    pub from: Option<String>,
    pub to: Option<String>,
    /// Only this register's sessions.
    pub register: Option<String>,
    /// The cursor of the page (`next` of the previous one).
    pub after: Option<String>,
    pub limit: Option<u32>,
}

/// A page of the sessions (open and closed) of days `from..=to`, newest first (keyset paging
/// on day, opening and id).
pub async fn sessions(
    state: &App,
    actor: &Actor,
    query: &SessionListQuery,
) -> Result<Page<Session>, AppError> {
    actor.require(Permission::ViewClosings)?;
    let limit = paging::limit(query.limit)?;
    let after = query
        .after
        .as_deref()
        .map(parse_session_cursor)
        .transpose()?;
    let (from, to) = days(state, actor, query.from.as_deref(), query.to.as_deref(), 30).await?;
    let register = match query
        .register
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(r) => Some(register_id(r)?),
        None => None,
    };
    let tenant = actor.tenant;
    let fetch = limit as i64 + 1;
    let rows = state
        .store
        .read(|tx| {
            Box::pin(async move {
                register_sessions::list(
                    tx,
                    tenant,
                    &from.to_string(),
                    &to.to_string(),
                    register,
                    after,
                    fetch,
                )
                .await
            })
        })
        .await?;
    Ok(paging::page(rows, limit, |s| {
        let key = SessionKey::of(s);
        format!("{}.{}.{}", key.day, key.opened_at, key.id.simple())
    }))
}

/// Every session (open and closed) of days `from..=to`, newest first: the follow-up page and
/// its export, read a thousand at a time, page after page, with no cap.
pub async fn all_sessions(
    state: &App,
    actor: &Actor,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<Vec<Session>, AppError> {
    let mut query = SessionListQuery {
        from: from.map(str::to_owned),
        to: to.map(str::to_owned),
        limit: Some(paging::MAX_LIMIT),
        ..SessionListQuery::default()
    };
    let mut all = Vec::new();
    loop {
        let page = sessions(state, actor, &query).await?;
        all.extend(page.items);
        match page.next {
            Some(next) => query.after = Some(next),
            None => return Ok(all),
        }
    }
}

/// `day.opened_at.id`, as [`sessions`] writes it.
fn parse_session_cursor(raw: &str) -> Result<SessionKey, AppError> {
    let mut parts = raw.split('.');
    let (Some(day), Some(at), Some(id), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(paging::bad_cursor());
    };
    let day: jiff::civil::Date = day.parse().map_err(|_| paging::bad_cursor())?;
    Ok(SessionKey {
        day: day.to_string(),
        opened_at: at.parse().map_err(|_| paging::bad_cursor())?,
        id: id.parse().map_err(|_| paging::bad_cursor())?,
    })
}

/// The summary of days `from..=to` by period (daily lines are the seeds' "Global" rows),
/// each with the perpetual grand total. Defaults: the current year for monthly, quarterly and
/// annual summaries, the last 31 days for daily ones.
pub async fn summary(
    state: &App,
    actor: &Actor,
    period: &str,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<Vec<SummaryLine>, AppError> {
    actor.require(Permission::ViewClosings)?;
    let Some(period) = Period::parse(period.trim()) else {
        return Err(AppError::field("period", "unknown_value"));
    };
    let (from, to) = match (period, from.filter(|s| !s.trim().is_empty())) {
        (Period::Day, _) | (_, Some(_)) => days(state, actor, from, to, 30).await?,
        _ => {
            let (_, to) = days(state, actor, None, to, 0).await?;
            let start = jiff::civil::date(to.year(), 1, 1);
            let start = if period == Period::Year {
                jiff::civil::date(to.year() - 9, 1, 1)
            } else {
                start
            };
            (start, to)
        }
    };
    let tenant = actor.tenant;
    let (before, zs) = state
        .store
        .read(|tx| {
            Box::pin(async move {
                register_sessions::z_figures(tx, tenant, &from.to_string(), &to.to_string()).await
            })
        })
        .await?;
    Ok(summarize(&zs, period, before))
}

/// A register's last opening and last Z (the seeds' registers list), and whether it is open.
#[derive(Debug, Clone, Default)]
pub struct Activity {
    pub last_opened: Option<i64>,
    pub last_z: Option<i64>,
    /// Open now, for this many days (0: since today).
    pub open_days: Option<i64>,
}

pub async fn activity(
    state: &App,
    actor: &Actor,
) -> Result<std::collections::HashMap<RegisterId, Activity>, AppError> {
    actor.require(Permission::ManageRegisters)?;
    let tenant = actor.tenant;
    let last = state
        .store
        .read(|tx| Box::pin(async move { register_sessions::last_per_register(tx, tenant).await }))
        .await?;
    let open = open_sessions(state, actor).await?;
    Ok(last
        .into_iter()
        .map(|(id, last_opened, last_z)| {
            let open_days = open
                .iter()
                .find(|o| o.session.register_id == id)
                .map(|o| o.days_open);
            (
                id,
                Activity {
                    last_opened,
                    last_z,
                    open_days,
                },
            )
        })
        .collect())
}
