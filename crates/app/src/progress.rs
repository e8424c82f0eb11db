//! How far a long request has got (a customer import of 100,000 rows takes seconds): the
//! request records its steps under a key the page chose, and the page asks for them while it
//! waits. Kept in memory: progress is only worth something while the request runs.

use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Steps older than this are forgotten.
const KEEP: Duration = Duration::from_secs(600);

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Step {
    /// `reading`, `checking`, `writing` or `done`.
    pub phase: &'static str,
    pub done: u64,
    pub total: u64,
}

#[derive(Debug, Clone, Default)]
pub struct Progress(Arc<Mutex<HashMap<String, (Step, Instant)>>>);

/// A key as a page may choose it: 8 to 64 letters, digits or dashes.
pub fn valid_key(key: &str) -> bool {
    (8..=64).contains(&key.len()) && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

impl Progress {
    /// Records a step; a key that is not [`valid_key`] is ignored (nobody can ask for it).
    pub fn set(&self, key: &str, phase: &'static str, done: u64, total: u64) {
        if !valid_key(key) {
            return;
        }
        // A poisoned lock only means another request panicked while holding it; the map
        // is still usable.
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        map.retain(|_, (_, at)| now.duration_since(*at) < KEEP);
        map.insert(key.to_owned(), (Step { phase, done, total }, now));
    }

    pub fn get(&self, key: &str) -> Option<Step> {
        let map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        map.get(key).map(|(s, _)| s.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_kept_under_valid_keys_only() {
        let p = Progress::default();
        p.set("abcdefgh-1", "checking", 10, 100);
        p.set("short", "checking", 1, 1);
        assert_eq!(
            p.get("abcdefgh-1"),
            Some(Step {
                phase: "checking",
                done: 10,
                total: 100
            })
        );
        assert_eq!(p.get("short"), None);
    }
}
