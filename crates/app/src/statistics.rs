//! Statistics and the dashboard (issue 18 §3): revenue and visitors by offer, ticket type,
//! product group, channel or seller per day, week, month or year; the observatory's table of
//! visitors by origin; the days between booking and visit; the shop's best-sellers; revenue
//! by payment date beside revenue by visit date and what is sold but not visited yet; the
//! dashboard's sales against last year, arrivals and orders to look at.
//!
//! Everything is read from the orders each time (the store's `statistics`), grouped per
//! local day by the database; days become weeks, months and years here.

use crate::organization::zone;
use crate::{Actor, App, AppError};
use guichet_domain::Permission;
use guichet_store::statistics::{self as stats, Basis, Dimension, Segment};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use std::collections::BTreeMap;
use uuid::Uuid;

pub use guichet_store::statistics::{BestSeller, Sales};

/// How long a column of the statistics lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Grain {
    Day,
    Week,
    #[default]
    Month,
    Year,
}

impl Grain {
    pub const ALL: [Grain; 4] = [Grain::Day, Grain::Week, Grain::Month, Grain::Year];

    pub fn as_str(self) -> &'static str {
        match self {
            Grain::Day => "day",
            Grain::Week => "week",
            Grain::Month => "month",
            Grain::Year => "year",
        }
    }

    pub fn parse(s: &str) -> Option<Grain> {
        Self::ALL.into_iter().find(|g| g.as_str() == s)
    }

    /// The first day of the period holding `day`.
    pub fn start(self, day: Date) -> Date {
        match self {
            Grain::Day => day,
            Grain::Week => day
                .checked_sub(
                    jiff::Span::new().days(i64::from(day.weekday().to_monday_zero_offset())),
                )
                .unwrap_or(day),
            Grain::Month => day.first_of_month(),
            Grain::Year => day.first_of_year(),
        }
    }

    fn next(self, start: Date) -> Option<Date> {
        let span = match self {
            Grain::Day => jiff::Span::new().days(1),
            Grain::Week => jiff::Span::new().weeks(1),
            Grain::Month => jiff::Span::new().months(1),
            Grain::Year => jiff::Span::new().years(1),
        };
        start.checked_add(span).ok()
    }
}

/// What the statistics group by, as the form names them.
pub const DIMENSIONS: [(&str, Dimension); 5] = [
    ("offer", Dimension::Offer),
    ("item", Dimension::Item),
    ("product_group", Dimension::ProductGroup),
    ("channel", Dimension::Channel),
    ("seller", Dimension::Seller),
];

/// The statistics asked for.
#[derive(Debug, Clone, Default)]
pub struct StatsQuery {
    /// First and last day, YYYY-MM-DD (at most 366 days).
    pub from: String,
    pub to: String,
    /// By visit date rather than by sale date.
    pub by_visit: bool,
    /// One of [`DIMENSIONS`]' names.
    pub dimension: String,
    pub grain: String,
}

/// Visitors and revenue.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Figures {
    pub visitors: i64,
    pub revenue_cents: i64,
}

impl Figures {
    fn add(&mut self, visitors: i64, revenue_cents: i64) {
        self.visitors += visitors;
        self.revenue_cents += revenue_cents;
    }
}

/// One group of the breakdown (an offer, a channel, …): its figures per period and in all.
#[derive(Debug, Clone)]
pub struct Group {
    pub key: Option<Uuid>,
    /// `None`: lines without this dimension (a shop sale has no offer).
    pub label: Option<String>,
    pub periods: Vec<Figures>,
    pub total: Figures,
}

/// The breakdown of a range.
#[derive(Debug, Clone)]
pub struct Breakdown {
    /// The first day of each period, every period of the range (empty ones too).
    pub periods: Vec<Date>,
    /// Largest revenue first.
    pub groups: Vec<Group>,
    pub totals: Vec<Figures>,
    pub total: Figures,
}

/// A period's money by payment date and by visit date.
#[derive(Debug, Clone)]
pub struct Recognition {
    pub period: Date,
    /// Money taken, refunds deducted.
    pub paid_cents: i64,
    /// The revenue of the visits (and shop sales) of the period.
    pub visited_cents: i64,
}

/// A bucket of days between booking and visit.
#[derive(Debug, Clone)]
pub struct LeadBucket {
    /// The bucket's first and last day (`None`: and more).
    pub from: i64,
    pub to: Option<i64>,
    pub orders: i64,
    pub visitors: i64,
}

/// Visitors of one origin, ticket type and channel in one period.
#[derive(Debug, Clone)]
pub struct OriginLine {
    pub period: Date,
    pub country: Option<String>,
    pub province: Option<String>,
    pub item: String,
    pub channel: Option<String>,
    pub online: bool,
    pub visitors: i64,
}

/// Everything the statistics page shows.
#[derive(Debug, Clone)]
pub struct Statistics {
    pub from: Date,
    pub to: Date,
    pub grain: &'static str,
    pub breakdown: Breakdown,
    pub recognition: Vec<Recognition>,
    /// Sold (made by the end of the range) for visits after it: total and collected.
    pub deferred_cents: i64,
    pub deferred_collected_cents: i64,
    pub lead_times: Vec<LeadBucket>,
    pub best_sellers: Vec<BestSeller>,
    pub origins: Vec<OriginLine>,
}

/// The offsets of `tz` between two instants: one segment per stretch with one offset.
pub(crate) fn segments(tz: &TimeZone, from: i64, until: i64) -> Vec<Segment> {
    let seconds = |o: jiff::tz::Offset| i64::from(o.seconds()) * 1_000_000;
    let Ok(start) = jiff::Timestamp::from_microsecond(from) else {
        return vec![Segment {
            until: i64::MAX,
            offset_us: 0,
        }];
    };
    let mut offset = seconds(tz.to_offset(start));
    let mut out = Vec::new();
    for t in tz.following(start) {
        let at = t.timestamp().as_microsecond();
        if at >= until {
            break;
        }
        out.push(Segment {
            until: at,
            offset_us: offset,
        });
        offset = seconds(t.offset());
    }
    out.push(Segment {
        until: i64::MAX,
        offset_us: offset,
    });
    out
}

/// The day `n` days after 1970-01-01 (the store's day numbers).
fn date_of(n: i64) -> Date {
    Date::constant(1970, 1, 1)
        .checked_add(jiff::Span::new().days(n))
        .unwrap_or(Date::constant(1970, 1, 1))
}

/// The period starts of a range.
fn periods(grain: Grain, from: Date, to: Date) -> Vec<Date> {
    let mut out = Vec::new();
    let mut at = grain.start(from);
    while at <= to {
        out.push(at);
        match grain.next(at) {
            Some(n) => at = n,
            None => break,
        }
    }
    out
}

/// The index of the period holding `day`.
fn period_index(periods: &[Date], grain: Grain, day: Date) -> Option<usize> {
    periods.binary_search(&grain.start(day)).ok()
}

struct Range {
    from: Date,
    to: Date,
    grain: Grain,
    dimension: Dimension,
    basis: Basis,
    segments: Vec<Segment>,
    from_us: i64,
    until_us: i64,
}

async fn range(state: &App, actor: &Actor, q: &StatsQuery) -> Result<Range, AppError> {
    actor.require(Permission::ViewClosings)?;
    let (from, to) = crate::planning::date_range(&q.from, &q.to)?;
    let grain = match q.grain.trim() {
        "" => Grain::default(),
        g => Grain::parse(g).ok_or_else(|| AppError::field("grain", "invalid"))?,
    };
    let dimension = match q.dimension.trim() {
        "" => Dimension::Offer,
        d => DIMENSIONS
            .iter()
            .find(|(name, _)| *name == d)
            .map(|(_, dim)| *dim)
            .ok_or_else(|| AppError::field("dimension", "invalid"))?,
    };
    let tz = zone(state, actor).await?;
    let (from_us, until_us) = crate::orders::instants(from, to, &tz)?;
    let basis = if q.by_visit {
        Basis::Visit {
            from: from.to_string(),
            to: to.to_string(),
            from_us,
            until_us,
        }
    } else {
        Basis::Sale {
            from: from_us,
            until: until_us,
        }
    };
    Ok(Range {
        from,
        to,
        grain,
        dimension,
        basis,
        // A year's margin before: a payment or visit day's offset may come from earlier.
        segments: segments(&tz, from_us.saturating_sub(366 * 86_400_000_000), until_us),
        from_us,
        until_us,
    })
}

/// The statistics page's figures.
pub async fn statistics(
    state: &App,
    actor: &Actor,
    q: &StatsQuery,
) -> Result<Statistics, AppError> {
    let r = range(state, actor, q).await?;
    let tenant = actor.tenant;
    let (rows, payments, visits, deferred, leads, best, origins) = {
        let (basis, segs, dim) = (r.basis.clone(), r.segments.clone(), r.dimension);
        let visit = Basis::Visit {
            from: r.from.to_string(),
            to: r.to.to_string(),
            from_us: r.from_us,
            until_us: r.until_us,
        };
        let (from, to) = (r.from.to_string(), r.to.to_string());
        let (a, b) = (r.from_us, r.until_us);
        state
            .store
            .read(|tx| {
                let (basis, segs, visit, from, to) = (
                    basis.clone(),
                    segs.clone(),
                    visit.clone(),
                    from.clone(),
                    to.clone(),
                );
                Box::pin(async move {
                    Ok((
                        stats::breakdown(tx, tenant, &basis, &segs, dim).await?,
                        stats::payments_by_day(tx, tenant, a, b, &segs).await?,
                        stats::breakdown(tx, tenant, &visit, &segs, Dimension::Channel).await?,
                        stats::deferred(tx, tenant, &to, b).await?,
                        stats::lead_times(tx, tenant, &from, &to, &segs).await?,
                        stats::best_sellers(tx, tenant, a, b, 20).await?,
                        stats::origins(tx, tenant, &basis, &segs).await?,
                    ))
                })
            })
            .await?
    };
    let periods = periods(r.grain, r.from, r.to);
    let mut recognition: Vec<Recognition> = periods
        .iter()
        .map(|p| Recognition {
            period: *p,
            paid_cents: 0,
            visited_cents: 0,
        })
        .collect();
    for (day, cents) in payments {
        if let Some(i) = period_index(&periods, r.grain, date_of(day)) {
            recognition[i].paid_cents += cents;
        }
    }
    for row in &visits {
        if let Some(i) = period_index(&periods, r.grain, date_of(row.day)) {
            recognition[i].visited_cents += row.revenue_cents;
        }
    }
    let origins = origins
        .into_iter()
        .filter_map(|o| {
            let i = period_index(&periods, r.grain, date_of(o.day))?;
            Some((
                (
                    periods[i], o.country, o.province, o.item, o.channel, o.online,
                ),
                o.visitors,
            ))
        })
        .fold(BTreeMap::new(), |mut m, (k, v)| {
            *m.entry(k).or_insert(0) += v;
            m
        })
        .into_iter()
        .map(
            |((period, country, province, item, channel, online), visitors)| OriginLine {
                period,
                country,
                province,
                item,
                channel,
                online,
                visitors,
            },
        )
        .collect();
    Ok(Statistics {
        from: r.from,
        to: r.to,
        grain: r.grain.as_str(),
        breakdown: breakdown(&periods, r.grain, rows),
        recognition,
        deferred_cents: deferred.0,
        deferred_collected_cents: deferred.1,
        lead_times: lead_buckets(&leads),
        best_sellers: best,
        origins,
    })
}

/// The day rows gathered into periods and groups.
fn breakdown(periods: &[Date], grain: Grain, rows: Vec<stats::StatRow>) -> Breakdown {
    let mut groups: BTreeMap<(Option<Uuid>, Option<String>), Group> = BTreeMap::new();
    let mut totals = vec![Figures::default(); periods.len()];
    let mut total = Figures::default();
    for row in rows {
        let Some(i) = period_index(periods, grain, date_of(row.day)) else {
            continue;
        };
        let group = groups
            .entry((row.key, row.label.clone()))
            .or_insert_with(|| Group {
                key: row.key,
                label: row.label.clone(),
                periods: vec![Figures::default(); periods.len()],
                total: Figures::default(),
            });
        group.periods[i].add(row.visitors, row.revenue_cents);
        group.total.add(row.visitors, row.revenue_cents);
        totals[i].add(row.visitors, row.revenue_cents);
        total.add(row.visitors, row.revenue_cents);
    }
    let mut groups: Vec<Group> = groups.into_values().collect();
    groups.sort_by(|a, b| {
        b.total
            .revenue_cents
            .cmp(&a.total.revenue_cents)
            .then_with(|| a.label.cmp(&b.label))
    });
    Breakdown {
        periods: periods.to_vec(),
        groups,
        totals,
        total,
    }
}

/// Same day, the next day, within a week, a month, three months, later.
const LEAD_BUCKETS: [(i64, Option<i64>); 6] = [
    (0, Some(0)),
    (1, Some(1)),
    (2, Some(7)),
    (8, Some(30)),
    (31, Some(90)),
    (91, None),
];

fn lead_buckets(rows: &[stats::LeadRow]) -> Vec<LeadBucket> {
    LEAD_BUCKETS
        .iter()
        .map(|&(from, to)| {
            let inside = |d: i64| d >= from && to.is_none_or(|t| d <= t);
            // A visit dated before its booking (entered afterwards) counts as the same day.
            let mine = rows.iter().filter(|r| inside(r.days.max(0)));
            LeadBucket {
                from,
                to,
                orders: mine.clone().map(|r| r.orders).sum(),
                visitors: mine.map(|r| r.visitors).sum(),
            }
        })
        .collect()
}

/// The dashboard's sales: a stretch of time now and the same stretch a year before.
#[derive(Debug, Clone, Copy)]
pub struct Comparison {
    pub now: Sales,
    pub last_year: Sales,
}

/// The days to come with their arrivals.
#[derive(Debug, Clone)]
pub struct ArrivalDay {
    pub day: Date,
    pub orders: i64,
    pub visitors: i64,
}

/// What the dashboard shows of the sales.
#[derive(Debug, Clone)]
pub struct Dashboard {
    pub today: Date,
    /// Today, this week, this month, this year (each up to now) against last year's same days.
    pub sales: Vec<(Grain, Comparison)>,
    pub arrivals: Vec<ArrivalDay>,
    /// Orders over-collected in the last year.
    pub over_collected: i64,
    /// Orders whose visit in the last 30 days is over with money still due.
    pub unpaid_visits: i64,
}

/// How many days ahead the dashboard lists arrivals (today included).
pub const ARRIVAL_DAYS: i64 = 4;

/// The dashboard's sales, arrivals and orders to look at: whoever sells sees them (the
/// seeds' "Mes ventes" and "Les arrivées").
pub async fn dashboard(state: &App, actor: &Actor) -> Result<Dashboard, AppError> {
    actor.require(Permission::Sell)?;
    let tz = zone(state, actor).await?;
    let now = jiff::Timestamp::now();
    let today = now.to_zoned(tz.clone()).date();
    let year_ago = |d: Date| d.checked_sub(jiff::Span::new().years(1)).unwrap_or(d);
    let start_of = |d: Date| -> Result<i64, AppError> { Ok(crate::orders::instants(d, d, &tz)?.0) };
    let now_us = now.as_microsecond();
    // Last year's stretch ends at the same time of day, a year before.
    let now_last_year = now
        .to_zoned(tz.clone())
        .checked_sub(jiff::Span::new().years(1))
        .map(|z| z.timestamp().as_microsecond())
        .unwrap_or(now_us);
    let mut stretches = Vec::new();
    for grain in Grain::ALL {
        let start = grain.start(today);
        stretches.push((
            grain,
            (start_of(start)?, now_us),
            (start_of(year_ago(start))?, now_last_year),
        ));
    }
    let plus = |n: i64| {
        today
            .checked_add(jiff::Span::new().days(n))
            .unwrap_or(today)
    };
    let last = plus(ARRIVAL_DAYS - 1).to_string();
    let first = today.to_string();
    let since = start_of(year_ago(today))?;
    let (past_from, past_to) = (plus(-30).to_string(), plus(-1).to_string());
    let tenant = actor.tenant;
    let (sales, arrivals, attention) = state
        .store
        .read(|tx| {
            let stretches = stretches.clone();
            let (first, last, past_from, past_to) = (
                first.clone(),
                last.clone(),
                past_from.clone(),
                past_to.clone(),
            );
            Box::pin(async move {
                let mut sales = Vec::new();
                for (grain, (a, b), (c, d)) in stretches {
                    sales.push((
                        grain,
                        Comparison {
                            now: stats::sales(tx, tenant, a, b).await?,
                            last_year: stats::sales(tx, tenant, c, d).await?,
                        },
                    ));
                }
                Ok((
                    sales,
                    stats::arrivals(tx, tenant, &first, &last).await?,
                    stats::attention(tx, tenant, since, &past_from, &past_to).await?,
                ))
            })
        })
        .await?;
    let arrivals = (0..ARRIVAL_DAYS)
        .map(|n| {
            let day = plus(n);
            let found = arrivals.iter().find(|a| a.0 == day.to_string());
            ArrivalDay {
                day,
                orders: found.map_or(0, |a| a.1),
                visitors: found.map_or(0, |a| a.2),
            }
        })
        .collect();
    Ok(Dashboard {
        today,
        sales,
        arrivals,
        over_collected: attention.0,
        unpaid_visits: attention.1,
    })
}

/// The tables of the statistics page a spreadsheet takes.
pub const TABLES: [&str; 4] = ["breakdown", "origins", "recognition", "best_sellers"];

/// One table of the statistics as CSV (`;`, BOM, decimal comma) or XLSX, in long form (one row
/// per period and group) for the users' pivot tables; periods by their first day.
pub async fn export(
    state: &App,
    actor: &Actor,
    q: &StatsQuery,
    table: &str,
    format: crate::files::Format,
) -> Result<crate::files::File, AppError> {
    use guichet_integrations::exports::{Cell, Table};
    if !TABLES.contains(&table) {
        return Err(AppError::field("table", "invalid"));
    }
    let s = statistics(state, actor, q).await?;
    let tr = guichet_integrations::i18n::Tr(actor.lang);
    let day = |d: &Date| Cell::Date(*d);
    let text = |t: &Option<String>| Cell::Text(t.clone().unwrap_or_default());
    let money = Cell::Money;
    let headers = |keys: &[&str]| keys.iter().map(|k| tr.t(k)).collect::<Vec<_>>();
    let table_of = match table {
        "breakdown" => Table {
            headers: headers(&[
                "stats-period",
                "stats-group",
                "stats-visitors",
                "stats-revenue",
            ]),
            rows: s
                .breakdown
                .groups
                .iter()
                .flat_map(|g| {
                    s.breakdown
                        .periods
                        .iter()
                        .zip(&g.periods)
                        .filter(|(_, f)| **f != Figures::default())
                        .map(|(p, f)| {
                            vec![
                                day(p),
                                text(&g.label),
                                Cell::Int(f.visitors),
                                money(f.revenue_cents),
                            ]
                        })
                })
                .collect(),
        },
        "origins" => Table {
            headers: headers(&[
                "stats-period",
                "attendance-country",
                "attendance-province",
                "attendance-item",
                "attendance-channel",
                "stats-visitors",
            ]),
            rows: s
                .origins
                .iter()
                .map(|o| {
                    vec![
                        day(&o.period),
                        text(&o.country),
                        text(&o.province),
                        Cell::Text(o.item.clone()),
                        text(&o.channel),
                        Cell::Int(o.visitors),
                    ]
                })
                .collect(),
        },
        "recognition" => Table {
            headers: headers(&["stats-period", "stats-by-payment", "stats-by-visit"]),
            rows: s
                .recognition
                .iter()
                .map(|r| vec![day(&r.period), money(r.paid_cents), money(r.visited_cents)])
                .collect(),
        },
        _ => Table {
            headers: headers(&["payment-item", "label-quantity", "stats-revenue"]),
            rows: s
                .best_sellers
                .iter()
                .map(|b| {
                    vec![
                        Cell::Text(b.label.clone()),
                        Cell::Int(b.quantity),
                        money(b.revenue_cents),
                    ]
                })
                .collect(),
        },
    };
    crate::files::table_file(
        &table_of,
        format,
        actor.lang,
        "Statistiques",
        &format!("statistiques-{table}-{}-{}", s.from, s.to),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day_number(d: Date) -> i64 {
        Date::constant(1970, 1, 1)
            .until(d)
            .map(|s| i64::from(s.get_days()))
            .unwrap_or(0)
    }

    #[test]
    fn periods_start_on_monday_first_of_month_and_year() {
        let d = Date::constant(2021, 3, 16);
        assert_eq!(Grain::Week.start(d), Date::constant(2021, 3, 15));
        assert_eq!(Grain::Month.start(d), Date::constant(2021, 3, 1));
        assert_eq!(Grain::Year.start(d), Date::constant(2021, 1, 1));
        let p = periods(
            Grain::Month,
            Date::constant(2021, 1, 15),
            Date::constant(2021, 3, 2),
        );
        assert_eq!(
            p,
            [
                Date::constant(2021, 1, 1),
                Date::constant(2021, 2, 1),
                Date::constant(2021, 3, 1)
            ]
        );
        assert_eq!(
            period_index(&p, Grain::Month, Date::constant(2021, 2, 28)),
            Some(1)
        );
        assert_eq!(date_of(day_number(d)), d);
    }

    #[test]
    fn the_offsets_change_at_the_daylight_saving_transitions() {
        let tz = TimeZone::get("Europe/Brussels").unwrap();
        let at = |s: &str| s.parse::<jiff::Timestamp>().unwrap().as_microsecond();
        let segs = segments(&tz, at("2021-01-01T00:00:00Z"), at("2022-01-01T00:00:00Z"));
        assert_eq!(segs.len(), 3);
        assert_eq!(segs[0].offset_us, 3_600_000_000);
        assert_eq!(segs[0].until, at("2021-03-28T01:00:00Z"));
        assert_eq!(segs[1].offset_us, 7_200_000_000);
        assert_eq!(segs[2].until, i64::MAX);
    }

    #[test]
    fn lead_times_fall_in_their_buckets() {
        let rows =
            [(-1, 1, 2), (0, 2, 3), (5, 1, 1), (200, 4, 8)].map(|(days, orders, visitors)| {
                stats::LeadRow {
                    days,
                    orders,
                    visitors,
                }
            });
        let b = lead_buckets(&rows);
        assert_eq!((b[0].orders, b[0].visitors), (3, 5));
        assert_eq!(b[2].orders, 1);
        assert_eq!((b[5].orders, b[5].to), (4, None));
    }
}
