//! Opening and closing registers, cash in and out, X and Z reports, the registers follow-up
//! and the daily to annual summaries. The rules of what a Z counts are in
//! `guichet_domain::closing`; this checks permissions and input and runs one transaction.

pub use guichet_store::register_sessions::{CashMovement, Session, ZReport};

use crate::Actor;
use crate::App;
use crate::AppError;
use guichet_domain::closing::{Counts, Period, SummaryLine, summarize};
use guichet_domain::order::PaymentMethod;
use guichet_domain::shop::parse_price_cents;
use guichet_domain::validation::FieldErrors;
use guichet_domain::{Permission, RegisterId, RegisterSessionId};
use guichet_store::register_sessions::{self, CashKind, Closing, Opening};
use serde::Deserialize;

/// A drawer's count of one denomination.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
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
    Ok(jiff::Timestamp::now()
        .to_zoned(crate::organization::zone(state, actor).await?)
        .date())
}

/// Opens a register with its float. A session left open (from another day too) must be closed
/// first: `register_already_open`.
pub async fn open(
    state: &App,
    actor: &Actor,
    register: &str,
    input: &OpenInput,
) -> Result<Session, AppError> {
    actor.require(Permission::Sell)?;
    let register = super::orders::register(state, actor, register).await?;
    let mut e = FieldErrors::new();
    let float = amount_or_counts(&mut e, "opening_float", &input.opening_float, &input.counts);
    e.into_result()?;
    let Some((float, counts)) = float else {
        return Err(AppError::field("opening_float", "required"));
    };
    let day = today(state, actor).await?;
    let (tenant, by, id) = (actor.tenant, actor.user_id(), register.id);
    Ok(state
        .store
        .write(|tx| {
            let opening = Opening {
                day,
                float_cents: float,
                counts: counts.clone(),
                at: guichet_store::now_micros(),
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

/// Closes a session with the counted cash and makes its Z.
pub async fn close(
    state: &App,
    actor: &Actor,
    id: RegisterSessionId,
    input: &CloseInput,
) -> Result<ZReport, AppError> {
    actor.require(Permission::Sell)?;
    let mut e = FieldErrors::new();
    let cash = amount_or_counts(&mut e, "counted_cash", &input.counted_cash, &input.counts);
    let mut counted = Vec::new();
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
                    counted.push((m, a));
                }
            }
        }
    }
    e.into_result()?;
    let Some((counted_cash_cents, counts)) = cash else {
        return Err(AppError::field("counted_cash", "required"));
    };
    let closing = std::sync::Arc::new(Closing {
        counted_cash_cents,
        counts,
        counted,
        at: guichet_store::now_micros(),
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

/// The sessions (open and closed) of days `from..=to`, newest first, for the follow-up page.
pub async fn sessions(
    state: &App,
    actor: &Actor,
    from: Option<&str>,
    to: Option<&str>,
    register: Option<&str>,
) -> Result<Vec<Session>, AppError> {
    actor.require(Permission::ViewClosings)?;
    let (from, to) = days(state, actor, from, to, 30).await?;
    let register = match register.map(str::trim).filter(|s| !s.is_empty()) {
        Some(r) => Some(register_id(r)?),
        None => None,
    };
    let tenant = actor.tenant;
    Ok(state
        .store
        .read(|tx| {
            Box::pin(async move {
                register_sessions::list(tx, tenant, &from.to_string(), &to.to_string(), register)
                    .await
            })
        })
        .await?)
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

// ---------------------------------------------------------------- exports

/// One X or Z as CSV (`;`, UTF-8 with a byte-order mark), in the actor's language: a
/// heading, then a line per figure, VAT rate and payment method. Answered with the name to
/// save it as (no extension) and the file as a stream, for the caller to send as it comes.
pub async fn export_report_csv(
    state: &App,
    actor: &Actor,
    id: RegisterSessionId,
) -> Result<
    (
        String,
        impl futures_util::Stream<Item = Result<Vec<u8>, AppError>> + Send + 'static,
    ),
    AppError,
> {
    let z = report(state, actor, id).await?;
    let tz = crate::organization::time_zone(state, actor.tenant).await?;
    let rows = report_rows(&z, &tz, guichet_integrations::i18n::Tr(actor.lang));
    let bytes = guichet_integrations::exports::csv_lines(&rows, true)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let name = match z.z_number {
        Some(n) => format!("z-{}-{n}", z.register_name),
        None => format!("x-{}", z.register_name),
    };
    Ok((
        name.replace(['"', '/', '\\'], "_"),
        futures_util::stream::iter([Ok(bytes)]),
    ))
}

/// The report's lines, headers first. Every line has the same columns: figure, count,
/// amount incl. VAT, VAT, excl. VAT, counted, difference (blank where they do not apply).
fn report_rows(z: &ZReport, tz: &str, tr: guichet_integrations::i18n::Tr) -> Vec<Vec<String>> {
    use guichet_domain::shop::format_cents;
    let cells = |label: String, figures: [Option<i64>; 6], count_is_int: bool| {
        let mut row = vec![label];
        for (i, f) in figures.into_iter().enumerate() {
            row.push(match f {
                None => String::new(),
                Some(n) if i == 0 && count_is_int => n.to_string(),
                Some(n) => format_cents(n),
            });
        }
        row
    };
    let info = |label: String, value: String| {
        let mut row = vec![label, value];
        row.extend((0..5).map(|_| String::new()));
        row
    };
    let amount = |label: String, cents: i64| {
        cells(label, [None, Some(cents), None, None, None, None], false)
    };
    let mut rows = vec![
        [
            "closing-figure",
            "closing-tickets",
            "closing-revenue",
            "label-vat",
            "closing-revenue-excl",
            "closing-counted",
            "closing-difference",
        ]
        .iter()
        .map(|k| tr.t(k))
        .collect(),
        info(tr.t("closing-register"), z.register_name.clone()),
        info("Z".into(), z.z_number.map_or("X".into(), |n| n.to_string())),
        info(tr.t("closing-day"), day_label(&z.day)),
        info(tr.t("closing-opened"), tr.instant(&z.opened_at, tz)),
        info(tr.t("closing-closed"), tr.maybe_instant(&z.closed_at, tz)),
        cells(
            tr.t("closing-revenue"),
            [
                Some(z.tickets),
                Some(z.revenue_cents),
                Some(z.vat_cents),
                Some(z.revenue_excl_cents),
                None,
                None,
            ],
            true,
        ),
        amount(tr.t("closing-average"), z.average_ticket_cents),
        cells(
            tr.t("closing-cancellations"),
            [
                Some(z.cancellations),
                Some(z.cancelled_cents),
                None,
                None,
                None,
                None,
            ],
            true,
        ),
        cells(
            tr.t("closing-refunds"),
            [
                Some(z.refunds),
                Some(z.refunded_cents),
                None,
                None,
                None,
                None,
            ],
            true,
        ),
    ];
    for r in &z.by_rate {
        let label = format!(
            "{} {}",
            tr.t("order-vat-at"),
            tr.rate(&r.vat_rate_basis_points)
        );
        rows.push(cells(
            label,
            [
                None,
                Some(r.gross_cents),
                Some(r.vat_cents),
                Some(r.net_cents),
                None,
                None,
            ],
            false,
        ));
    }
    for p in &z.payments {
        rows.push(cells(
            tr.method(&p.method),
            [
                Some(p.count),
                Some(p.amount_cents),
                None,
                None,
                p.counted_cents,
                p.difference_cents,
            ],
            true,
        ));
    }
    rows.push(amount(tr.t("drawer-float"), z.cash.opening_float_cents));
    rows.push(amount(tr.t("drawer-cash-in"), z.cash.cash_in_cents));
    rows.push(amount(tr.t("drawer-cash-out"), z.cash.cash_out_cents));
    rows.push(cells(
        tr.t("closing-cash-expected"),
        [
            None,
            Some(z.cash.expected_cents),
            None,
            None,
            z.cash.counted_cents,
            z.cash.difference_cents,
        ],
        false,
    ));
    rows.push(amount(tr.t("closing-grand-total"), z.grand_total_cents));
    rows
}

// ---------------------------------------------------------------- follow-up

/// One line of the registers follow-up: a period's global line, or one session (its Z, or
/// the session still open).
#[derive(Debug, Clone)]
pub struct FollowUpLine {
    /// `None`: the global line of `period`.
    pub session: Option<Session>,
    /// A day (`YYYY-MM-DD`) on the daily tab, else the period's label.
    pub period: String,
    pub figures: guichet_domain::closing::SessionLine,
    pub grand_total_cents: Option<i64>,
}

impl FollowUpLine {
    /// The register column: the register's name, or "Global".
    pub fn register(&self) -> String {
        self.session
            .as_ref()
            .map_or_else(|| "Global".to_owned(), |s| s.register_name.clone())
    }

    /// The date column: a global line's day (`dd/mm/yyyy`) or period, a Z's closing
    /// instant, or "still open".
    pub fn when(&self, tr: &guichet_integrations::i18n::Tr, tz: &str) -> String {
        match &self.session {
            None => day_label(&self.period),
            Some(s) => match s.closed_at {
                Some(at) => tr.instant(&at, tz),
                None => tr.t("closing-still-open"),
            },
        }
    }
}

/// `YYYY-MM-DD` as `dd/mm/yyyy`; anything else (a month, a quarter) as it is.
fn day_label(day: &str) -> String {
    day.parse::<jiff::civil::Date>()
        .map(|d| d.strftime("%d/%m/%Y").to_string())
        .unwrap_or_else(|_| day.to_owned())
}

/// The registers follow-up: its lines and the days it covers.
#[derive(Debug, Clone)]
pub struct FollowUp {
    pub lines: Vec<FollowUpLine>,
    /// The first and last day covered (those asked for when nothing was found).
    pub from: String,
    pub to: String,
    /// The organization's time zone, for the instants.
    pub tz: String,
}

/// The follow-up (the seeds' "Caisses" tab) of `period` (`daily`, …): for the daily tab each
/// day's global line followed by its sessions, newest day first, else one line per period.
pub async fn follow_up(
    state: &App,
    actor: &Actor,
    period: &str,
    from: &str,
    to: &str,
) -> Result<FollowUp, AppError> {
    let given = |s: &str| Some(s).filter(|s| !s.trim().is_empty()).map(str::to_owned);
    let (from_q, to_q) = (given(from), given(to));
    let summary = self::summary(state, actor, period, from_q.as_deref(), to_q.as_deref()).await?;
    let covered_from = summary
        .first()
        .map_or_else(|| from.to_owned(), |l| l.first_day.clone());
    let covered_to = summary
        .last()
        .map_or_else(|| to.to_owned(), |l| l.last_day.clone());
    let global = |l: &SummaryLine, period: String| FollowUpLine {
        session: None,
        period,
        figures: guichet_domain::closing::SessionLine {
            revenue_cents: l.revenue_cents,
            vat_cents: l.vat_cents,
            revenue_excl_cents: l.revenue_excl_cents,
            tickets: l.tickets,
            average_ticket_cents: l.average_ticket_cents,
        },
        grand_total_cents: Some(l.grand_total_cents),
    };
    let tz = crate::organization::time_zone(state, actor.tenant).await?;
    if period != "daily" {
        return Ok(FollowUp {
            lines: summary
                .iter()
                .rev()
                .map(|l| global(l, l.period.clone()))
                .collect(),
            from: covered_from,
            to: covered_to,
            tz,
        });
    }
    let sessions = self::sessions(state, actor, from_q.as_deref(), to_q.as_deref(), None).await?;
    let mut lines = Vec::new();
    let mut days: Vec<String> = sessions.iter().map(|s| s.day.clone()).collect();
    days.dedup();
    for day in days {
        lines.push(match summary.iter().find(|l| l.period == day) {
            Some(l) => global(l, day.clone()),
            None => FollowUpLine {
                session: None,
                period: day.clone(),
                figures: guichet_domain::closing::session_line(None, None, None),
                grand_total_cents: None,
            },
        });
        for s in sessions.iter().filter(|s| s.day == day) {
            lines.push(FollowUpLine {
                session: Some(s.clone()),
                period: day.clone(),
                figures: guichet_domain::closing::session_line(
                    s.revenue_cents,
                    s.vat_cents,
                    s.tickets,
                ),
                grand_total_cents: s.grand_total_cents,
            });
        }
    }
    Ok(FollowUp {
        lines,
        from: covered_from,
        to: covered_to,
        tz,
    })
}

/// The follow-up as CSV (`;`, UTF-8 with a byte-order mark), the seed's columns plus the
/// grand total; with the name to save it as (no extension) and the file as a stream.
pub async fn export_follow_up_csv(
    state: &App,
    actor: &Actor,
    period: &str,
    from: &str,
    to: &str,
) -> Result<
    (
        String,
        impl futures_util::Stream<Item = Result<Vec<u8>, AppError>> + Send + 'static,
    ),
    AppError,
> {
    use guichet_domain::shop::format_cents;
    let f = follow_up(state, actor, period, from, to).await?;
    let tr = guichet_integrations::i18n::Tr(actor.lang);
    let mut rows: Vec<Vec<String>> = vec![
        [
            "closing-register",
            "closing-date",
            "closing-revenue",
            "label-vat",
            "closing-revenue-excl",
            "closing-tickets",
            "closing-average",
            "closing-closed-by",
            "closing-grand-total",
        ]
        .iter()
        .map(|k| tr.t(k))
        .collect(),
    ];
    rows.extend(f.lines.iter().map(|l| {
        vec![
            l.register(),
            l.when(&tr, &f.tz),
            format_cents(l.figures.revenue_cents),
            format_cents(l.figures.vat_cents),
            format_cents(l.figures.revenue_excl_cents),
            l.figures.tickets.to_string(),
            format_cents(l.figures.average_ticket_cents),
            l.session
                .as_ref()
                .and_then(|s| s.closed_by_name.clone())
                .unwrap_or_default(),
            l.grand_total_cents.map(format_cents).unwrap_or_default(),
        ]
    }));
    let bytes = guichet_integrations::exports::csv_lines(&rows, true)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let period = match period {
        "" => "daily",
        p => p,
    };
    Ok((
        format!("caisses-{period}-{}-{}", f.from, f.to),
        futures_util::stream::iter([Ok(bytes)]),
    ))
}
