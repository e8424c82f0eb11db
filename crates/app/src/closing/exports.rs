//! The X/Z report and the registers follow-up, as pages read them and as CSV files (streamed).

use super::*;

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
            None => tr.period(&self.period),
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
    let sessions = all_sessions(state, actor, from_q.as_deref(), to_q.as_deref()).await?;
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
