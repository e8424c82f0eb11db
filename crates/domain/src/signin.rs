//! Slowing down password guessing without locking anyone out: after a few free failures, each
//! new failure of an account (or of a client address) makes the next attempt wait twice as
//! long as the one before, up to a cap. Nothing is ever refused for good, and the right
//! password from a device the account already signed in from is never made to wait.

/// How sign-in failures slow down the next attempts. Failures older than `window_micros`
/// are forgotten.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// Failures of one account answered at once (a typo or two).
    pub free_per_account: i64,
    /// Failures from one client address answered at once (an office behind one address).
    pub free_per_address: i64,
    /// The wait after the first failure beyond the free ones; it doubles with each failure.
    pub base_delay_micros: i64,
    /// The longest wait, however many failures.
    pub max_delay_micros: i64,
    pub window_micros: i64,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            free_per_account: 3,
            free_per_address: 10,
            base_delay_micros: 1_000_000,
            max_delay_micros: 30_000_000,
            window_micros: 15 * 60 * 1_000_000,
        }
    }
}

/// Recent failures of one throttle key (an account or a client address).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Failures {
    pub count: i64,
    /// When the latest happened (microseconds since the epoch).
    pub last_at: Option<i64>,
}

impl Backoff {
    /// The wait imposed after `failures` failures, when `free` of them cost nothing:
    /// base, 2×base, 4×base… capped.
    pub fn delay_after(&self, failures: i64, free: i64) -> i64 {
        let beyond = failures.saturating_sub(free);
        if beyond <= 0 {
            return 0;
        }
        let doublings = u32::try_from(beyond - 1).unwrap_or(u32::MAX).min(40);
        self.base_delay_micros
            .saturating_mul(1i64 << doublings)
            .min(self.max_delay_micros)
    }

    /// How long, from `now`, the next attempt must still wait given an account's and an
    /// address's recent failures (0: it may go ahead).
    pub fn wait_micros(&self, account: Failures, address: Failures, now: i64) -> i64 {
        let remaining = |f: Failures, free: i64| match f.last_at {
            Some(last) => last
                .saturating_add(self.delay_after(f.count, free))
                .saturating_sub(now)
                .max(0),
            None => 0,
        };
        remaining(account, self.free_per_account).max(remaining(address, self.free_per_address))
    }
}

/// A wait told to a person in whole seconds, rounded up (never "try again in 0 s").
pub fn wait_seconds(micros: i64) -> i64 {
    (micros.max(1) + 999_999) / 1_000_000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delay_doubles_after_the_free_failures_up_to_the_cap() {
        let b = Backoff::default();
        let delays: Vec<i64> = (0..=10).map(|n| b.delay_after(n, 3) / 1_000_000).collect();
        assert_eq!(delays, vec![0, 0, 0, 0, 1, 2, 4, 8, 16, 30, 30]);
        assert_eq!(b.delay_after(i64::MAX, 3), b.max_delay_micros);
    }

    #[test]
    fn the_wait_counts_from_the_latest_failure_and_takes_the_longer_key() {
        let b = Backoff::default();
        let now = 100_000_000;
        let account = Failures {
            count: 5,
            last_at: Some(now - 500_000),
        };
        assert_eq!(b.wait_micros(account, Failures::default(), now), 1_500_000);
        let address = Failures {
            count: 15,
            last_at: Some(now),
        };
        assert_eq!(b.wait_micros(account, address, now), 16_000_000);
        assert_eq!(
            b.wait_micros(account, Failures::default(), now + 2_000_000),
            0
        );
    }

    #[test]
    fn a_wait_is_told_in_whole_seconds_rounded_up() {
        assert_eq!(wait_seconds(1), 1);
        assert_eq!(wait_seconds(1_000_000), 1);
        assert_eq!(wait_seconds(1_000_001), 2);
        assert_eq!(wait_seconds(0), 1);
    }
}
