//! When an offer can be visited: rules over date ranges and weekdays that give either fixed
//! start times or departures every N minutes between two times (the seeds' "+5 minutes"),
//! with closed dates as exceptions. Times are civil times in the site's time zone; the
//! instant of each session is computed per day, so daylight-saving changes are exact.

use crate::validation::{ErrorCode, FieldErrors};
use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// How sessions are laid out in a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pattern {
    /// Fixed start times, sorted, without duplicates.
    Fixed(Vec<Time>),
    /// A departure every `minutes` from `first` to `last` inclusive.
    Every {
        minutes: i64,
        first: Time,
        last: Time,
    },
}

/// One rule: a pattern on some weekdays of a date range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub from: Date,
    pub to: Date,
    /// Monday = index 0 … Sunday = index 6.
    pub weekdays: [bool; 7],
    pub pattern: Pattern,
}

/// An offer's sessions: rules (a later rule adds to earlier ones) and closed dates.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Schedule {
    pub rules: Vec<Rule>,
    pub closed: BTreeSet<Date>,
}

/// One session of a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The start as people read it on the site's clock.
    pub local: Time,
    /// The start instant, microseconds since the Unix epoch.
    pub start_micros: i64,
}

fn weekday_index(w: Weekday) -> usize {
    (w.to_monday_zero_offset()) as usize
}

impl Rule {
    fn applies(&self, date: Date) -> bool {
        date >= self.from && date <= self.to && self.weekdays[weekday_index(date.weekday())]
    }

    fn local_times(&self) -> Vec<Time> {
        match &self.pattern {
            Pattern::Fixed(times) => times.clone(),
            Pattern::Every {
                minutes,
                first,
                last,
            } => {
                let mut out = Vec::new();
                let mut t = *first;
                while t <= *last {
                    out.push(t);
                    match t.checked_add(jiff::SignedDuration::from_mins(*minutes)) {
                        // Wrapping past midnight ends the day.
                        Ok(next) if next > t => t = next,
                        _ => break,
                    }
                }
                out
            }
        }
    }
}

impl Schedule {
    /// The sessions of `date` in zone `tz`, in time order. A local time that does not exist
    /// that day (skipped by the spring change) has no session; a time that happens twice
    /// (autumn change) has one session, at its first occurrence.
    pub fn sessions_on(&self, date: Date, tz: &TimeZone) -> Vec<Session> {
        if self.closed.contains(&date) {
            return Vec::new();
        }
        let times: BTreeSet<Time> = self
            .rules
            .iter()
            .filter(|r| r.applies(date))
            .flat_map(Rule::local_times)
            .collect();
        times
            .into_iter()
            .filter_map(|local| {
                let civil = date.to_datetime(local);
                let ambiguous = tz.to_ambiguous_zoned(civil);
                if matches!(ambiguous.offset(), jiff::tz::AmbiguousOffset::Gap { .. }) {
                    return None;
                }
                let zoned = ambiguous.earlier().ok()?;
                Some(Session {
                    local,
                    start_micros: zoned.timestamp().as_microsecond(),
                })
            })
            .collect()
    }
}

/// Where an offer's sessions come from: its own schedule, or the site's opening hours (one
/// session a day, at opening time, for offers visited freely during opening hours).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionSource {
    Own(Schedule),
    OpeningHours(crate::calendar::Calendar),
}

impl SessionSource {
    pub fn sessions_on(&self, date: Date, tz: &TimeZone) -> Vec<Session> {
        match self {
            SessionSource::Own(s) => s.sessions_on(date, tz),
            SessionSource::OpeningHours(c) => {
                let Some((open, _)) = c.hours_on(date) else {
                    return Vec::new();
                };
                let day = Schedule {
                    rules: vec![Rule {
                        from: date,
                        to: date,
                        weekdays: [true; 7],
                        pattern: Pattern::Fixed(vec![open]),
                    }],
                    closed: BTreeSet::new(),
                };
                day.sessions_on(date, tz)
            }
        }
    }
}

/// A rule as a form or JSON body sends it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct RuleInput {
    /// First and last day (YYYY-MM-DD).
    pub from: String,
    pub to: String,
    /// Weekdays as `mon,tue,…`; empty for every day.
    pub weekdays: String,
    /// `fixed` (with `times`) or `every` (with `every_minutes`, `first`, `last`).
    pub kind: String,
    /// Fixed start times, e.g. `10:00, 14:30`.
    pub times: String,
    pub every_minutes: String,
    pub first: String,
    pub last: String,
}

impl Rule {
    /// The rule written back as input, in canonical form (how it is stored).
    pub fn to_input(&self) -> RuleInput {
        const NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
        let weekdays = if self.weekdays.iter().all(|d| *d) {
            String::new()
        } else {
            NAMES
                .iter()
                .zip(self.weekdays)
                .filter(|(_, on)| *on)
                .map(|(n, _)| *n)
                .collect::<Vec<_>>()
                .join(",")
        };
        let hm = |t: &Time| t.strftime("%H:%M").to_string();
        let mut input = RuleInput {
            from: self.from.to_string(),
            to: self.to.to_string(),
            weekdays,
            ..Default::default()
        };
        match &self.pattern {
            Pattern::Fixed(times) => {
                input.kind = "fixed".into();
                input.times = times.iter().map(hm).collect::<Vec<_>>().join(", ");
            }
            Pattern::Every {
                minutes,
                first,
                last,
            } => {
                input.kind = "every".into();
                input.every_minutes = minutes.to_string();
                input.first = hm(first);
                input.last = hm(last);
            }
        }
        input
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ScheduleError(&'static str);

impl ErrorCode for ScheduleError {
    fn code(&self) -> &'static str {
        self.0
    }
}

fn parse_time(s: &str) -> Result<Time, ScheduleError> {
    let s = s.trim().replace('h', ":");
    let s = if s.ends_with(':') {
        format!("{s}00")
    } else {
        s
    };
    s.parse::<Time>().map_err(|_| ScheduleError("invalid_time"))
}

/// Days as the help texts write them, Monday first: English (how they are stored), French
/// and Dutch (`lun,mar,…`, `ma,di,…`; no abbreviation is shared between the languages).
fn parse_weekdays(s: &str) -> Result<[bool; 7], ScheduleError> {
    const NAMES: [[&str; 7]; 3] = [
        ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
        ["lun", "mar", "mer", "jeu", "ven", "sam", "dim"],
        ["ma", "di", "wo", "do", "vr", "za", "zo"],
    ];
    if s.trim().is_empty() {
        return Ok([true; 7]);
    }
    let mut days = [false; 7];
    for part in s
        .split(',')
        .map(|p| p.trim().trim_end_matches('.').to_lowercase())
    {
        let i = NAMES
            .iter()
            .find_map(|names| names.iter().position(|n| *n == part))
            .ok_or(ScheduleError("unknown_weekday"))?;
        days[i] = true;
    }
    Ok(days)
}

impl RuleInput {
    /// Parses the rule, reporting errors under `prefix.field`.
    pub fn parse(&self, prefix: &str, e: &mut FieldErrors) -> Option<Rule> {
        let f = |name: &str| format!("{prefix}{name}");
        let from = e.check(
            &f("from"),
            self.from
                .trim()
                .parse::<Date>()
                .map_err(|_| ScheduleError("invalid_date")),
        );
        let to = e.check(
            &f("to"),
            self.to
                .trim()
                .parse::<Date>()
                .map_err(|_| ScheduleError("invalid_date")),
        );
        if let (Some(a), Some(b)) = (from, to)
            && b < a
        {
            e.add(&f("to"), "ends_before_start");
        }
        let weekdays = e.check(&f("weekdays"), parse_weekdays(&self.weekdays));
        let pattern = match self.kind.trim() {
            "fixed" => {
                let mut times = Vec::new();
                let mut ok = true;
                for part in self
                    .times
                    .split([',', ';', ' '])
                    .filter(|p| !p.trim().is_empty())
                {
                    match e.check(&f("times"), parse_time(part)) {
                        Some(t) => times.push(t),
                        None => ok = false,
                    }
                }
                times.sort();
                let before = times.len();
                times.dedup();
                if times.len() != before {
                    e.add(&f("times"), "overlapping_sessions");
                    ok = false;
                }
                if times.is_empty() && ok {
                    e.add(&f("times"), "required");
                    ok = false;
                }
                ok.then_some(Pattern::Fixed(times))
            }
            "every" => {
                let minutes = e.check(
                    &f("every_minutes"),
                    self.every_minutes
                        .trim()
                        .parse::<i64>()
                        .ok()
                        .filter(|m| (1..=720).contains(m))
                        .ok_or(ScheduleError("out_of_range")),
                );
                let first = e.check(&f("first"), parse_time(&self.first));
                let last = e.check(&f("last"), parse_time(&self.last));
                if let (Some(a), Some(b)) = (first, last)
                    && b < a
                {
                    e.add(&f("last"), "ends_before_start");
                }
                match (minutes, first, last) {
                    (Some(minutes), Some(first), Some(last)) if last >= first => {
                        Some(Pattern::Every {
                            minutes,
                            first,
                            last,
                        })
                    }
                    _ => None,
                }
            }
            _ => {
                e.add(&f("kind"), "unknown_value");
                None
            }
        };
        match (from, to, weekdays, pattern) {
            (Some(from), Some(to), Some(weekdays), Some(pattern)) if to >= from => Some(Rule {
                from,
                to,
                weekdays,
                pattern,
            }),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{date, time};
    use proptest::prelude::*;

    fn brussels() -> TimeZone {
        TimeZone::get("Europe/Brussels").unwrap()
    }

    fn every(minutes: i64, first: Time, last: Time) -> Schedule {
        Schedule {
            rules: vec![Rule {
                from: date(2026, 1, 1),
                to: date(2026, 12, 31),
                weekdays: [true; 7],
                pattern: Pattern::Every {
                    minutes,
                    first,
                    last,
                },
            }],
            closed: BTreeSet::new(),
        }
    }

    #[test]
    fn the_seeds_guided_tour_every_30_minutes_from_10_to_16_30() {
        let s = every(30, time(10, 0, 0, 0), time(16, 30, 0, 0));
        let day = s.sessions_on(date(2026, 7, 14), &brussels());
        assert_eq!(day.len(), 14);
        assert_eq!(day[0].local, time(10, 0, 0, 0));
        assert_eq!(day[13].local, time(16, 30, 0, 0));
        // 10:00 in Brussels in summer is 08:00 UTC.
        let utc = jiff::Timestamp::from_microsecond(day[0].start_micros).unwrap();
        assert_eq!(utc.to_string(), "2026-07-14T08:00:00Z");
    }

    #[test]
    fn spring_change_skips_the_missing_hour() {
        // 29 March 2026: 02:00 → 03:00 in Brussels.
        let s = every(30, time(0, 0, 0, 0), time(4, 0, 0, 0));
        let day = s.sessions_on(date(2026, 3, 29), &brussels());
        let locals: Vec<String> = day
            .iter()
            .map(|x| x.local.strftime("%H:%M").to_string())
            .collect();
        assert_eq!(
            locals,
            vec![
                "00:00", "00:30", "01:00", "01:30", "03:00", "03:30", "04:00"
            ]
        );
        // 01:30 and 03:00 are 30 real minutes apart.
        assert_eq!(
            day[4].start_micros - day[3].start_micros,
            30 * 60 * 1_000_000
        );
    }

    #[test]
    fn autumn_change_keeps_one_session_per_clock_time() {
        // 25 October 2026: 03:00 → 02:00 in Brussels.
        let s = every(30, time(0, 0, 0, 0), time(4, 0, 0, 0));
        let day = s.sessions_on(date(2026, 10, 25), &brussels());
        assert_eq!(day.len(), 9);
        // From 02:30 (first occurrence, summer time) to 03:00 (winter time) is 90 real minutes.
        let i = day
            .iter()
            .position(|x| x.local == time(2, 30, 0, 0))
            .unwrap();
        assert_eq!(
            day[i + 1].start_micros - day[i].start_micros,
            90 * 60 * 1_000_000
        );
        // A normal day-time tour is unaffected.
        let tour = every(30, time(10, 0, 0, 0), time(16, 30, 0, 0))
            .sessions_on(date(2026, 10, 25), &brussels());
        assert_eq!(tour.len(), 14);
        assert_eq!(
            jiff::Timestamp::from_microsecond(tour[0].start_micros)
                .unwrap()
                .to_string(),
            "2026-10-25T09:00:00Z"
        );
    }

    #[test]
    fn weekdays_ranges_and_closed_days() {
        let mut s = Schedule {
            rules: vec![
                Rule {
                    from: date(2026, 4, 1),
                    to: date(2026, 9, 30),
                    weekdays: [true, true, true, true, true, false, false],
                    pattern: Pattern::Fixed(vec![time(11, 0, 0, 0), time(14, 0, 0, 0)]),
                },
                Rule {
                    from: date(2026, 7, 1),
                    to: date(2026, 8, 31),
                    weekdays: [true; 7],
                    pattern: Pattern::Fixed(vec![time(14, 0, 0, 0), time(16, 0, 0, 0)]),
                },
            ],
            closed: BTreeSet::new(),
        };
        let tz = brussels();
        assert_eq!(
            s.sessions_on(date(2026, 3, 31), &tz).len(),
            0,
            "before the season"
        );
        assert_eq!(
            s.sessions_on(date(2026, 4, 4), &tz).len(),
            0,
            "a Saturday in spring"
        );
        assert_eq!(
            s.sessions_on(date(2026, 7, 4), &tz).len(),
            2,
            "a Saturday in summer: high season only"
        );
        assert_eq!(
            s.sessions_on(date(2026, 7, 6), &tz).len(),
            3,
            "a Monday in summer: both, 14:00 once"
        );
        s.closed.insert(date(2026, 7, 21));
        assert!(
            s.sessions_on(date(2026, 7, 21), &tz).is_empty(),
            "closed on the national day"
        );
    }

    #[test]
    fn weekdays_in_the_three_languages() {
        let tue_sun = [false, true, false, false, false, false, true];
        assert_eq!(parse_weekdays("tue,sun"), Ok(tue_sun));
        assert_eq!(parse_weekdays("mar, dim."), Ok(tue_sun));
        assert_eq!(parse_weekdays("Di,ZO"), Ok(tue_sun));
        assert_eq!(parse_weekdays(""), Ok([true; 7]));
        assert_eq!(
            parse_weekdays("ma,lun,mon"),
            Ok([true, false, false, false, false, false, false])
        );
        assert!(parse_weekdays("maandag").is_err());
    }

    #[test]
    fn rule_input_errors() {
        let mut e = FieldErrors::new();
        let r = RuleInput {
            from: "2026-05-01".into(),
            to: "2026-04-01".into(),
            weekdays: "mon,funday".into(),
            kind: "every".into(),
            every_minutes: "0".into(),
            first: "16:30".into(),
            last: "10h".into(),
            ..Default::default()
        }
        .parse("rule0.", &mut e);
        assert!(r.is_none());
        assert_eq!(e.get("rule0.to"), Some("ends_before_start"));
        assert_eq!(e.get("rule0.weekdays"), Some("unknown_weekday"));
        assert_eq!(e.get("rule0.every_minutes"), Some("out_of_range"));
        assert_eq!(e.get("rule0.last"), Some("ends_before_start"));
        let mut e = FieldErrors::new();
        let r = RuleInput {
            from: "2026-01-01".into(),
            to: "2026-12-31".into(),
            kind: "fixed".into(),
            times: "10:00, 14h30, 10:00".into(),
            ..Default::default()
        }
        .parse("", &mut e);
        assert!(r.is_none());
        assert_eq!(e.get("times"), Some("overlapping_sessions"));
        let mut e = FieldErrors::new();
        let r = RuleInput {
            from: "2026-01-01".into(),
            to: "2026-12-31".into(),
            kind: "fixed".into(),
            times: "14h30 10:00".into(),
            weekdays: "sat,sun".into(),
            ..Default::default()
        }
        .parse("", &mut e)
        .unwrap();
        assert_eq!(
            r.pattern,
            Pattern::Fixed(vec![time(10, 0, 0, 0), time(14, 30, 0, 0)])
        );
        assert_eq!(r.weekdays, [false, false, false, false, false, true, true]);
        let back = r.to_input();
        assert_eq!(
            (back.times.as_str(), back.weekdays.as_str()),
            ("10:00, 14:30", "sat,sun")
        );
        assert_eq!(back.parse("", &mut FieldErrors::new()), Some(r));
    }

    proptest! {
        #[test]
        fn sessions_are_strictly_increasing_and_counted(
            day in 0i64..730, minutes in 1i64..240, first_min in 0i64..1440, len in 0i64..1440
        ) {
            let d = date(2026, 1, 1).checked_add(jiff::Span::new().days(day)).unwrap();
            let last_min = (first_min + len).min(1439);
            let first = Time::midnight().checked_add(jiff::SignedDuration::from_mins(first_min)).unwrap();
            let last = Time::midnight().checked_add(jiff::SignedDuration::from_mins(last_min)).unwrap();
            let mut s = every(minutes, first, last);
            s.rules[0].from = date(2026, 1, 1);
            s.rules[0].to = date(2027, 12, 31);
            let sessions = s.sessions_on(d, &brussels());
            for w in sessions.windows(2) {
                prop_assert!(w[0].start_micros < w[1].start_micros);
                prop_assert!(w[0].local < w[1].local);
            }
            let expected = (last_min - first_min) / minutes + 1;
            // Only a spring-change night can lose sessions, and at most one hour's worth.
            prop_assert!(sessions.len() as i64 <= expected);
            prop_assert!(sessions.len() as i64 >= expected - 60 / minutes - 1);
        }
    }
}
