//! The site's calendar: open days and opening hours, kept separately for individual
//! visitors and for groups, as periods (high and low season) over weekdays, with closed
//! dates. An offer can follow these opening hours instead of having its own sessions.

use crate::validation::{ErrorCode, FieldErrors};
use jiff::civil::{Date, Time};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    Individuals,
    Groups,
}

impl Audience {
    pub fn as_str(self) -> &'static str {
        match self {
            Audience::Individuals => "individuals",
            Audience::Groups => "groups",
        }
    }

    pub fn parse(s: &str) -> Option<Audience> {
        match s.trim() {
            "individuals" => Some(Audience::Individuals),
            "groups" => Some(Audience::Groups),
            _ => None,
        }
    }
}

/// Opening hours over a date range, on some weekdays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    pub from: Date,
    pub to: Date,
    pub weekdays: [bool; 7],
    pub open: Time,
    pub close: Time,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    pub periods: Vec<Period>,
    pub closed: BTreeSet<Date>,
}

impl Calendar {
    /// Opening and closing time on `date`, if open. When periods overlap, the last one
    /// listed wins (a special week written after the season).
    pub fn hours_on(&self, date: Date) -> Option<(Time, Time)> {
        if self.closed.contains(&date) {
            return None;
        }
        let weekday = date.weekday().to_monday_zero_offset() as usize;
        self.periods
            .iter()
            .rev()
            .find(|p| date >= p.from && date <= p.to && p.weekdays[weekday])
            .map(|p| (p.open, p.close))
    }
}

/// A period as a form or JSON body sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct PeriodInput {
    pub from: String,
    pub to: String,
    /// `mon,tue,…`; empty for every day.
    pub weekdays: String,
    /// `10:00`
    pub open: String,
    /// `17:30`
    pub close: String,
}

/// A calendar as a form or JSON body sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CalendarInput {
    pub periods: Vec<PeriodInput>,
    /// Closed dates, YYYY-MM-DD separated by commas or spaces.
    pub closed_dates: String,
}

#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("{0}")]
struct CalendarError(&'static str);

impl ErrorCode for CalendarError {
    fn code(&self) -> &'static str {
        self.0
    }
}

impl CalendarInput {
    pub fn parse(&self) -> Result<Calendar, FieldErrors> {
        let mut e = FieldErrors::new();
        let mut calendar = Calendar::default();
        for (i, p) in self.periods.iter().enumerate() {
            if [&p.from, &p.to, &p.open, &p.close]
                .iter()
                .all(|s| s.trim().is_empty())
            {
                continue;
            }
            // The schedule's rule parser checks dates, weekdays and times the same way.
            let rule = crate::schedule::RuleInput {
                from: p.from.clone(),
                to: p.to.clone(),
                weekdays: p.weekdays.clone(),
                kind: "every".into(),
                every_minutes: "1".into(),
                first: p.open.clone(),
                last: p.close.clone(),
                ..Default::default()
            };
            let mut rule_errors = FieldErrors::new();
            let parsed = rule.parse("", &mut rule_errors);
            for err in rule_errors.0 {
                let field = match err.field.as_str() {
                    "first" => "open",
                    "last" => "close",
                    other => other,
                };
                e.add(&format!("periods.{i}.{field}"), &err.code);
            }
            if let Some(r) = parsed
                && let crate::schedule::Pattern::Every { first, last, .. } = r.pattern
            {
                if last == first {
                    e.add(&format!("periods.{i}.close"), "ends_before_start");
                } else {
                    calendar.periods.push(Period {
                        from: r.from,
                        to: r.to,
                        weekdays: r.weekdays,
                        open: first,
                        close: last,
                    });
                }
            }
        }
        for part in self
            .closed_dates
            .split([',', ' ', ';', '\n'])
            .filter(|p| !p.trim().is_empty())
        {
            if let Some(d) = e.check(
                "closed_dates",
                part.trim()
                    .parse::<Date>()
                    .map_err(|_| CalendarError("invalid_date")),
            ) {
                calendar.closed.insert(d);
            }
        }
        if e.is_empty() { Ok(calendar) } else { Err(e) }
    }
}

impl Calendar {
    /// The calendar written back as input (how it is stored).
    pub fn to_input(&self) -> CalendarInput {
        const NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
        CalendarInput {
            periods: self
                .periods
                .iter()
                .map(|p| PeriodInput {
                    from: p.from.to_string(),
                    to: p.to.to_string(),
                    weekdays: if p.weekdays.iter().all(|d| *d) {
                        String::new()
                    } else {
                        NAMES
                            .iter()
                            .zip(p.weekdays)
                            .filter(|(_, on)| *on)
                            .map(|(n, _)| *n)
                            .collect::<Vec<_>>()
                            .join(",")
                    },
                    open: p.open.strftime("%H:%M").to_string(),
                    close: p.close.strftime("%H:%M").to_string(),
                })
                .collect(),
            closed_dates: self
                .closed
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{date, time};

    fn seasons() -> CalendarInput {
        CalendarInput {
            periods: vec![
                PeriodInput {
                    from: "2026-01-01".into(),
                    to: "2026-12-31".into(),
                    weekdays: "sat,sun".into(),
                    open: "11:00".into(),
                    close: "16:00".into(),
                },
                PeriodInput {
                    from: "2026-07-01".into(),
                    to: "2026-08-31".into(),
                    weekdays: "".into(),
                    open: "10:00".into(),
                    close: "17:30".into(),
                },
            ],
            closed_dates: "2026-07-21".into(),
        }
    }

    #[test]
    fn low_and_high_season_with_a_closed_day() {
        let c = seasons().parse().unwrap();
        assert_eq!(
            c.hours_on(date(2026, 3, 4)),
            None,
            "a Wednesday in low season"
        );
        assert_eq!(
            c.hours_on(date(2026, 3, 7)),
            Some((time(11, 0, 0, 0), time(16, 0, 0, 0)))
        );
        assert_eq!(
            c.hours_on(date(2026, 7, 8)),
            Some((time(10, 0, 0, 0), time(17, 30, 0, 0)))
        );
        assert_eq!(
            c.hours_on(date(2026, 7, 11)),
            Some((time(10, 0, 0, 0), time(17, 30, 0, 0))),
            "summer wins on weekends"
        );
        assert_eq!(c.hours_on(date(2026, 7, 21)), None);
        assert_eq!(c.to_input().parse().unwrap(), c, "round trip");
    }

    #[test]
    fn errors_name_the_period() {
        let mut i = seasons();
        i.periods[1].close = "09:00".into();
        i.periods[0].weekdays = "samedi".into();
        let e = i.parse().unwrap_err();
        assert_eq!(e.get("periods.1.close"), Some("ends_before_start"));
        assert_eq!(e.get("periods.0.weekdays"), Some("unknown_weekday"));
    }
}
