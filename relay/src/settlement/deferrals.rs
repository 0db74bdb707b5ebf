//! How many times this relay put each delivery task back without attempting it, so that
//! deferrals do not count as attempts.
//!
//! A deferral is a `nak` with a delay, which JetStream counts as a delivery like any other; the
//! attempt number is therefore the task's delivery count minus its deferrals. Kept per relay,
//! keyed by the task's stream sequence, and forgotten once the task leaves this relay's
//! consumer (acknowledged here). A task deferred by one relay and attempted by another (or
//! after a restart) counts those deferrals as attempts, which only spends its retry budget
//! early, never delivers it twice. A task that waits long is parked instead
//! ([`super::parking`]) and comes back as a new message that carries its attempts so far, so
//! only short deferrals are counted here.
//!
//! Another relay may finish a task this one deferred, and this one never hears of it; so an
//! entry also expires: [`KEEP_AFTER_DUE`] (the consumer's ack wait) after the task was due
//! back, time enough for it to have come back here if it was going to (unless another relay
//! held it meanwhile, which again only spends budget early). [`Deferrals::expire`] drops the
//! expired entries; the relay calls it every [`EXPIRY_INTERVAL`] ([`keep_bounded`]), so the
//! map holds at most the tasks deferred within about the last ack wait. Owned by
//! [`super::settler::Settler`], which notes, reads and forgets the entries.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use edgehook_nats::streams::DISPATCH_ACK_WAIT;

/// How long after a deferred task was due back its entry is kept.
pub const KEEP_AFTER_DUE: Duration = DISPATCH_ACK_WAIT;
/// How often expired entries are dropped.
pub const EXPIRY_INTERVAL: Duration = Duration::from_secs(5);

#[derive(Default)]
pub struct Deferrals {
    by_sequence: Mutex<HashMap<u64, Deferred>>,
}

struct Deferred {
    count: u64,
    expires: Instant,
}

impl Deferrals {
    /// The task at stream `sequence` was put back at `now`, without an attempt, to come back
    /// after `delay`.
    pub fn note(&self, sequence: u64, delay: Duration, now: Instant) {
        let expires = now + delay + KEEP_AFTER_DUE;
        let mut entries = self.lock();
        let entry = entries.entry(sequence).or_insert(Deferred { count: 0, expires });
        entry.count += 1;
        entry.expires = entry.expires.max(expires);
    }

    /// The task at `sequence` was put back at `now` after an attempt, to come back after
    /// `delay`: its deferrals, if any, are kept until then.
    pub fn keep(&self, sequence: u64, delay: Duration, now: Instant) {
        if let Some(entry) = self.lock().get_mut(&sequence) {
            entry.expires = entry.expires.max(now + delay + KEEP_AFTER_DUE);
        }
    }

    /// The attempt a delivery is, from its JetStream delivery count (1-based).
    pub fn attempt(&self, sequence: u64, delivered: u64) -> u32 {
        let deferred = self.lock().get(&sequence).map_or(0, |entry| entry.count);
        u32::try_from(delivered.saturating_sub(deferred).max(1)).unwrap_or(u32::MAX)
    }

    /// The task left the consumer (acknowledged): it will not come back.
    pub fn forget(&self, sequence: u64) {
        self.lock().remove(&sequence);
    }

    /// Drops the entries expired at `now`; answers how many are left.
    pub fn expire(&self, now: Instant) -> usize {
        let mut entries = self.lock();
        entries.retain(|_, entry| entry.expires > now);
        entries.len()
    }

    /// How many tasks this relay counts deferrals of.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<u64, Deferred>> {
        self.by_sequence.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Drops expired entries of each map (one per queue: the tiers', the FIFO lanes') every
/// [`EXPIRY_INTERVAL`], forever, and shows how many are left in all in the gauge
/// `edgehook_deferred_tasks_tracked`.
pub async fn keep_bounded(maps: Vec<Arc<Deferrals>>, region: String) {
    let tracked = metrics::gauge!("edgehook_deferred_tasks_tracked", "region" => region);
    let mut ticks = tokio::time::interval(EXPIRY_INTERVAL);
    loop {
        ticks.tick().await;
        let now = Instant::now();
        tracked.set(maps.iter().map(|deferrals| deferrals.expire(now)).sum::<usize>() as f64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHORT: Duration = Duration::from_millis(50);

    #[test]
    fn deferrals_do_not_count_as_attempts_until_forgotten() {
        let now = Instant::now();
        let deferrals = Deferrals::default();
        assert_eq!(deferrals.attempt(7, 1), 1);
        deferrals.note(7, SHORT, now);
        deferrals.note(7, SHORT, now);
        assert_eq!(deferrals.attempt(7, 3), 1, "two deferrals, then the first attempt");
        assert_eq!(deferrals.attempt(7, 4), 2, "a retry after them");
        deferrals.forget(7);
        assert_eq!(deferrals.attempt(7, 4), 4);
    }

    #[test]
    fn entries_of_tasks_that_never_come_back_expire_after_the_ack_wait() {
        let start = Instant::now();
        let deferrals = Deferrals::default();
        // Deferred here, then finished by another relay: nothing ever forgets them.
        for sequence in 0..1_000 {
            deferrals.note(sequence, SHORT, start);
        }
        let later = start + Duration::from_secs(10);
        deferrals.note(5_000, SHORT, later);
        assert_eq!(deferrals.expire(start + SHORT + KEEP_AFTER_DUE - Duration::from_millis(1)), 1_001);
        assert_eq!(deferrals.expire(start + SHORT + KEEP_AFTER_DUE), 1, "only the recent one is left");
        assert_eq!(deferrals.attempt(5_000, 2), 1);
        assert_eq!(deferrals.expire(later + SHORT + KEEP_AFTER_DUE), 0);
        assert!(deferrals.is_empty());
    }

    #[test]
    fn a_task_deferred_again_or_retried_keeps_its_entry_until_it_is_due_back() {
        let start = Instant::now();
        let deferrals = Deferrals::default();
        deferrals.note(1, SHORT, start);
        deferrals.note(2, SHORT, start);
        let retried_at = start + Duration::from_secs(20);
        deferrals.note(1, Duration::from_secs(4), retried_at);
        deferrals.keep(2, Duration::from_secs(4), retried_at);
        deferrals.keep(3, Duration::from_secs(4), retried_at);
        assert_eq!(deferrals.len(), 2, "keeping a task without deferrals makes no entry");
        assert_eq!(deferrals.expire(retried_at + Duration::from_secs(4) + KEEP_AFTER_DUE - SHORT), 2);
        assert_eq!(deferrals.attempt(1, 3), 1);
        assert_eq!(deferrals.attempt(2, 3), 2);
    }
}
