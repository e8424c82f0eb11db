//! What time it is for the use cases that record a sale: pricing a cart at a register (which
//! sessions have started), the order, its payments, its cancellation and refunds, and a
//! register's opening and closing (the day, the Z). The system's clock, or a stopped one that
//! whoever replays history moves by hand: the demo's past month goes through the very use cases
//! the register uses, each at its own moment, and a test can start the demo at 23:30.
//!
//! Everything else (the dashboard's "today", sign-in sessions, online bookings) reads the
//! system's clock.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

#[derive(Debug, Clone, Default)]
pub struct Clock {
    /// `None`: the system's clock. Else the instant it stands at, in microseconds.
    stopped: Option<Arc<AtomicI64>>,
}

impl Clock {
    /// The system's clock (the default).
    pub fn system() -> Clock {
        Clock::default()
    }

    /// A clock that stands at `at` until [`Clock::set`] moves it.
    pub fn stopped_at(at: jiff::Timestamp) -> Clock {
        Clock {
            stopped: Some(Arc::new(AtomicI64::new(at.as_microsecond()))),
        }
    }

    /// Moves a stopped clock to `at` (forwards or back); the system's clock cannot be moved
    /// and ignores it.
    pub fn set(&self, at: jiff::Timestamp) {
        if let Some(t) = &self.stopped {
            t.store(at.as_microsecond(), Ordering::Relaxed);
        }
    }

    pub fn now(&self) -> jiff::Timestamp {
        self.recorded_at()
            .and_then(|us| jiff::Timestamp::from_microsecond(us).ok())
            .unwrap_or_else(jiff::Timestamp::now)
    }

    /// The instant a sale or a payment is recorded at: `None` on the system's clock, where the
    /// store takes the time inside the sale's transaction, once its number is (a later number
    /// never carries an earlier time); the stopped clock's instant otherwise.
    pub fn recorded_at(&self) -> Option<i64> {
        self.stopped.as_ref().map(|t| t.load(Ordering::Relaxed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stopped_clock_stands_where_it_is_set_and_the_system_clock_runs() {
        let at = jiff::Timestamp::from_second(1_700_000_000).unwrap();
        let c = Clock::stopped_at(at);
        assert_eq!(c.now(), at);
        let later = jiff::Timestamp::from_second(1_700_003_600).unwrap();
        c.clone().set(later);
        assert_eq!(c.now(), later, "clones share the hands");
        assert_eq!(c.recorded_at(), Some(later.as_microsecond()));
        let s = Clock::system();
        s.set(at);
        assert_eq!(s.recorded_at(), None);
        assert!(s.now() > later);
    }
}
