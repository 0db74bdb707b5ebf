//! When an endpoint's deferred deliveries come back: one after another, at the pace the
//! endpoint can take, never all at once.
//!
//! Why: deferring a thousand deliveries "until the window frees" with the same delay would
//! bring them back together, to be deferred again; so each deferral is due one `spacing` after
//! the previous one (and never before its own earliest time), which turns a backlog into a
//! steady stream at the rate the endpoint frees slots, its pace allows or its rate limit
//! admits. Every deferral of an endpoint ([`super::endpoint::Endpoint`]) goes through here;
//! the time is an argument.

use std::time::{Duration, Instant};

/// A deferral is at least this long (a nak round trip is not free) and at most this long.
pub const MIN_DEFERRAL: Duration = Duration::from_millis(20);
pub const MAX_DEFERRAL: Duration = Duration::from_secs(600);

#[derive(Debug)]
pub struct Spread {
    /// When the next deferred delivery is due back.
    next_due: Instant,
}

impl Spread {
    pub fn new(now: Instant) -> Self {
        Self { next_due: now }
    }

    /// The delay for one more deferred delivery: not before `earliest` from `now`, then one
    /// `spacing` after the previous deferred one.
    pub fn defer(&mut self, now: Instant, earliest: Duration, spacing: Duration) -> Duration {
        let due = self.next_due.max(now + earliest);
        self.next_due = due + spacing;
        due.saturating_duration_since(now).clamp(MIN_DEFERRAL, MAX_DEFERRAL)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deferred_deliveries_come_back_one_spacing_apart() {
        let now = Instant::now();
        let mut spread = Spread::new(now);
        let spacing = Duration::from_millis(100);
        let delays: Vec<Duration> =
            (0..3).map(|_| spread.defer(now, Duration::from_millis(50), spacing)).collect();
        assert_eq!(delays, [50, 150, 250].map(Duration::from_millis));
    }

    #[test]
    fn a_spread_that_fell_behind_starts_from_now_and_delays_stay_in_bounds() {
        let now = Instant::now();
        let mut spread = Spread::new(now);
        spread.defer(now, Duration::ZERO, Duration::from_secs(1));
        let later = now + Duration::from_secs(10);
        assert_eq!(spread.defer(later, Duration::ZERO, Duration::ZERO), MIN_DEFERRAL);
        assert_eq!(spread.defer(later, Duration::from_secs(86_400), Duration::ZERO), MAX_DEFERRAL);
    }
}
