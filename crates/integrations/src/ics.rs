//! Calendar files (iCalendar, RFC 5545) a visitor adds to their calendar: one event for a
//! visit. Written by the `icalendar` crate, which escapes texts and folds long lines as the
//! RFC asks (calendar apps reject files that do not).

use icalendar::{Calendar, Component, Event, EventLike};

/// The content of a `.ics` file with one event (`VEVENT`) from `start` to `end`, instants in
/// microseconds UTC written in UTC (`…Z`), so every calendar shows them in its own zone.
/// `uid` stays the same for the same visit (an e-mail sent again updates the event instead
/// of adding a second one); `DTSTAMP` is now. Empty `location`, `description` or `url` are
/// left out.
pub fn visit(
    uid: &str,
    start_utc_micros: i64,
    end_utc_micros: i64,
    summary: &str,
    location: &str,
    description: &str,
    url: &str,
) -> String {
    let mut event = Event::new();
    event
        .uid(uid)
        .summary(summary)
        .starts(utc(start_utc_micros))
        .ends(utc(end_utc_micros.max(start_utc_micros)))
        .timestamp(utc(jiff::Timestamp::now().as_microsecond()));
    if !location.trim().is_empty() {
        event.location(location);
    }
    if !description.trim().is_empty() {
        event.description(description);
    }
    if !url.trim().is_empty() {
        event.url(url);
    }
    let mut calendar = Calendar::new();
    calendar.push(event.done());
    calendar.done().to_string()
}

/// An instant as the crate takes it; out of chrono's range (never for a real visit) the
/// epoch rather than a panic.
fn utc(micros: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_micros(micros).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-12-17 10:00 in Brussels (09:00 UTC), for one hour and a half.
    const START: i64 = 1_797_498_000_000_000;
    const END: i64 = START + 90 * 60 * 1_000_000;

    #[test]
    fn a_visit_is_one_event_in_utc() {
        let ics = visit(
            "order-123@guichet",
            START,
            END,
            "Visite des grottes",
            "Rue des Grottes 1, 5660 Couvin",
            "Commande P2612070001",
            "https://guichet.example/b/abc",
        );
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\n"), "{ics}");
        assert!(ics.contains("VERSION:2.0\r\n"), "{ics}");
        assert_eq!(ics.matches("BEGIN:VEVENT").count(), 1, "{ics}");
        for expected in [
            "UID:order-123@guichet\r\n",
            "DTSTART:20261217T090000Z\r\n",
            "DTEND:20261217T103000Z\r\n",
            "SUMMARY:Visite des grottes\r\n",
            // RFC 5545 escapes commas in texts.
            "LOCATION:Rue des Grottes 1\\, 5660 Couvin\r\n",
            "DESCRIPTION:Commande P2612070001\r\n",
            "URL:https://guichet.example/b/abc\r\n",
            "DTSTAMP:",
            "END:VEVENT\r\nEND:VCALENDAR",
        ] {
            assert!(ics.contains(expected), "{expected} missing in:\n{ics}");
        }
    }

    #[test]
    fn empty_texts_are_left_out_and_an_end_before_the_start_is_the_start() {
        let ics = visit("u", START, START - 1, "Visite", " ", "", "");
        assert!(!ics.contains("LOCATION"), "{ics}");
        assert!(!ics.contains("DESCRIPTION"), "{ics}");
        assert!(!ics.contains("URL"), "{ics}");
        assert!(ics.contains("DTEND:20261217T090000Z"), "{ics}");
    }

    #[test]
    fn long_texts_are_folded() {
        let ics = visit("u", START, END, &"Grottes ".repeat(30), "", "", "");
        assert!(ics.lines().all(|l| l.len() <= 75), "{ics}");
    }
}
