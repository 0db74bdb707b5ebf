//! What an endpoint's recent answers say: its average latency and failure ratio (moving
//! averages over about the last 20 attempts), and whether an answer means it is struggling.
//!
//! Why: the window ([`super::window`]) and the pace ([`super::pace`]) react to these, and the
//! health report (the `endpoint_health` bucket and the endpoint gauges of `/metrics`) shows
//! them; one smoothing for all keeps them telling the same story. Part of
//! [`super::endpoint::Endpoint`].

use std::time::Duration;

/// An attempt slower than this marks the endpoint unhealthy.
pub const SLOW: Duration = Duration::from_secs(5);
/// A failure ratio above this marks the endpoint unhealthy.
pub const FAILING_RATIO: f64 = 0.05;
/// Weight of the newest attempt in the moving averages: about the last 20 attempts count.
pub const SMOOTHING: f64 = 0.1;

#[derive(Debug, Default)]
pub struct Health {
    latency_seconds: f64,
    failure_ratio: f64,
}

impl Health {
    pub fn latency_seconds(&self) -> f64 {
        self.latency_seconds
    }

    pub fn failure_ratio(&self) -> f64 {
        self.failure_ratio
    }

    /// Folds in an answer that took `latency`; `failed` if it is worth retrying. Answers
    /// whether the endpoint is unhealthy after it: this answer slow, or too many failing.
    pub fn observe(&mut self, latency: Duration, failed: bool) -> bool {
        self.latency_seconds += SMOOTHING * (latency.as_secs_f64() - self.latency_seconds);
        self.failure_ratio += SMOOTHING * (f64::from(u8::from(failed)) - self.failure_ratio);
        latency > SLOW || self.failure_ratio > FAILING_RATIO
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_failure_is_unhealthy_until_enough_successes_dilute_it() {
        let mut health = Health::default();
        assert!(health.observe(Duration::from_millis(10), true));
        assert!((health.failure_ratio() - 0.1).abs() < 1e-9);
        let healthy_after = (1..100).find(|_| !health.observe(Duration::from_millis(10), false));
        assert_eq!(healthy_after, Some(7), "0.1 × 0.9ⁿ ≤ 0.05");
    }

    #[test]
    fn a_slow_answer_is_unhealthy_and_moves_the_average_latency() {
        let mut health = Health::default();
        assert!(health.observe(Duration::from_secs(6), false));
        assert!((health.latency_seconds() - 0.6).abs() < 1e-9);
        assert!(!health.observe(SLOW, false));
    }
}
