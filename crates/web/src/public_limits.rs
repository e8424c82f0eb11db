//! Rate limits of the public booking flow (issue 16 §4): per client address and per module,
//! in this server's memory (GCRA buckets from `governor`). A client over its share gets 429
//! with `Retry-After`; a module over its share (a bot hammering one attraction) slows that
//! module only.

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

/// Requests per minute the public pages allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicRates {
    /// From one client address (a family booking makes a few dozen).
    pub per_address: u32,
    /// Through one module, all visitors together.
    pub per_module: u32,
}

impl Default for PublicRates {
    fn default() -> Self {
        PublicRates {
            per_address: 120,
            per_module: 6_000,
        }
    }
}

#[derive(Clone)]
pub struct PublicLimits {
    addresses: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    modules: Arc<DefaultKeyedRateLimiter<String>>,
}

/// Beyond this many keys, forget the ones whose buckets are full again.
const KEYS_KEPT: usize = 50_000;

fn quota(per_minute: u32) -> Quota {
    let n = NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
    // A minute's share may come at once (a page and its assets, a form posted twice).
    Quota::per_minute(n).allow_burst(n)
}

impl PublicLimits {
    pub fn new(rates: PublicRates) -> PublicLimits {
        PublicLimits {
            addresses: Arc::new(RateLimiter::keyed(quota(rates.per_address))),
            modules: Arc::new(RateLimiter::keyed(quota(rates.per_module))),
        }
    }

    /// `Ok` when the request may go on; else the seconds to wait.
    pub fn check(&self, client: IpAddr, module: &str) -> Result<(), u64> {
        if self.addresses.len() > KEYS_KEPT {
            self.addresses.retain_recent();
        }
        if self.modules.len() > KEYS_KEPT {
            self.modules.retain_recent();
        }
        let now = DefaultClock::default().now();
        let wait = |n: governor::NotUntil<_>| n.wait_time_from(now).as_secs().max(1);
        self.addresses.check_key(&client).map_err(wait)?;
        self.modules.check_key(&module.to_owned()).map_err(wait)?;
        Ok(())
    }
}

impl Default for PublicLimits {
    fn default() -> Self {
        PublicLimits::new(PublicRates::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_over_its_share_waits_and_others_do_not() {
        let l = PublicLimits::new(PublicRates {
            per_address: 3,
            per_module: 100,
        });
        let (a, b): (IpAddr, IpAddr) = ([10, 0, 0, 1].into(), [10, 0, 0, 2].into());
        for _ in 0..3 {
            assert!(l.check(a, "m").is_ok());
        }
        let wait = l.check(a, "m").unwrap_err();
        assert!((1..=60).contains(&wait));
        assert!(l.check(b, "m").is_ok());
    }

    #[test]
    fn a_module_over_its_share_waits() {
        let l = PublicLimits::new(PublicRates {
            per_address: 100,
            per_module: 2,
        });
        assert!(l.check([10, 0, 0, 1].into(), "org/m").is_ok());
        assert!(l.check([10, 0, 0, 2].into(), "org/m").is_ok());
        assert!(l.check([10, 0, 0, 3].into(), "org/m").is_err());
        assert!(l.check([10, 0, 0, 3].into(), "org/other").is_ok());
    }
}
