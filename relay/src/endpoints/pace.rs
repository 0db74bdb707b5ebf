//! An endpoint's pace: the share of its webhook's `rate_limit` the relay allows itself now,
//! cut multiplicatively while the endpoint is slow or failing and restored additively as it
//! heals (AIMD).
//!
//! Why: an endpoint that struggles under load gets less of it at once, not only after its
//! circuit opens; halving at most once per [`CUT_INTERVAL`] keeps a burst of failures that
//! were all in flight together from cutting it to nothing, and the slow climb back keeps a
//! recovering endpoint from being flooded again. Part of [`super::endpoint::Endpoint`]; the
//! time is an argument.

use std::time::{Duration, Instant};

/// Multiplicative decrease, at most once per [`CUT_INTERVAL`].
pub const DECREASE: f64 = 0.5;
pub const CUT_INTERVAL: Duration = Duration::from_secs(1);
/// Additive increase: the share of the configured rate regained per healthy second.
pub const INCREASE_PER_SECOND: f64 = 0.05;
/// The pace never drops below this share of the configured rate.
pub const MIN_FACTOR: f64 = 0.01;

#[derive(Debug)]
pub struct Pace {
    /// Share of the configured rate allowed now.
    factor: f64,
    last_cut: Option<Instant>,
    last_paced: Instant,
}

impl Pace {
    pub fn new(now: Instant) -> Self {
        Self { factor: 1.0, last_cut: None, last_paced: now }
    }

    pub fn factor(&self) -> f64 {
        self.factor
    }

    /// An answer at `now`, `unhealthy` if slow or part of too many failures.
    pub fn observe(&mut self, now: Instant, unhealthy: bool) {
        if unhealthy {
            if self.last_cut.is_none_or(|cut| now.duration_since(cut) >= CUT_INTERVAL) {
                self.factor = (self.factor * DECREASE).max(MIN_FACTOR);
                self.last_cut = Some(now);
            }
        } else {
            let healthy_for = now.duration_since(self.last_paced).as_secs_f64();
            self.factor = (self.factor + INCREASE_PER_SECOND * healthy_for).min(1.0);
        }
        self.last_paced = now;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn struggling_halves_the_pace_at_most_once_a_second_down_to_the_floor() {
        let now = Instant::now();
        let mut pace = Pace::new(now);
        pace.observe(now, true);
        pace.observe(now + CUT_INTERVAL / 2, true);
        assert_eq!(pace.factor(), 0.5);
        pace.observe(now + CUT_INTERVAL, true);
        assert_eq!(pace.factor(), 0.25);
        for second in 2..20 {
            pace.observe(now + CUT_INTERVAL * second, true);
        }
        assert_eq!(pace.factor(), MIN_FACTOR);
    }

    #[test]
    fn healthy_answers_restore_the_pace_by_a_share_per_second() {
        let now = Instant::now();
        let mut pace = Pace::new(now);
        pace.observe(now, true);
        pace.observe(now + Duration::from_secs(2), false);
        assert!((pace.factor() - 0.6).abs() < 1e-9, "{}", pace.factor());
        pace.observe(now + Duration::from_secs(60), false);
        assert_eq!(pace.factor(), 1.0, "never above the configured rate");
    }
}
