//! How many times this relay put each delivery task back without attempting it.
//!
//! A deferral is a `nak` with a delay, which JetStream counts as a delivery like any other; the
//! attempt number is therefore the task's delivery count minus its deferrals. Kept per relay,
//! keyed by the task's stream sequence, and forgotten once the task is done: a task deferred by
//! one relay and attempted by another (or after a restart) counts those deferrals as attempts,
//! which only spends its retry budget early, never delivers it twice. A task that waits long
//! is parked instead ([`crate::parking`]) and comes back as a new message that carries its
//! attempts so far, so only short deferrals are counted here.

use std::collections::HashMap;
use std::sync::Mutex;

#[derive(Default)]
pub struct Deferrals {
    by_sequence: Mutex<HashMap<u64, u64>>,
}

impl Deferrals {
    pub fn note(&self, sequence: u64) {
        *self.lock().entry(sequence).or_insert(0) += 1;
    }

    /// The attempt a delivery is, from its JetStream delivery count (1-based).
    pub fn attempt(&self, sequence: u64, delivered: u64) -> u32 {
        let deferred = self.lock().get(&sequence).copied().unwrap_or(0);
        u32::try_from(delivered.saturating_sub(deferred).max(1)).unwrap_or(u32::MAX)
    }

    /// The task is done (delivered or dead-lettered): it will not come back.
    pub fn forget(&self, sequence: u64) {
        self.lock().remove(&sequence);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, u64>> {
        self.by_sequence.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deferrals_do_not_count_as_attempts_until_forgotten() {
        let deferrals = Deferrals::default();
        assert_eq!(deferrals.attempt(7, 1), 1);
        deferrals.note(7);
        deferrals.note(7);
        assert_eq!(deferrals.attempt(7, 3), 1, "two deferrals, then the first attempt");
        assert_eq!(deferrals.attempt(7, 4), 2, "a retry after them");
        deferrals.forget(7);
        assert_eq!(deferrals.attempt(7, 4), 4);
    }
}
