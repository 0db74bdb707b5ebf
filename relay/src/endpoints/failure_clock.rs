//! Since when every attempt to an endpoint has failed, and whether that is long enough to
//! disable it (`disable_after`, days by default).
//!
//! Why: auto-disable must count from the first failure, not from when this relay started, so
//! the clock runs on the wall clock (it is compared with days, across restarts), is reported
//! to the hub with the endpoint's health, and a starting relay takes it back from there
//! ([`crate::health_reports::recall_failing`]). Part of [`super::endpoint::Endpoint`]; the time
//! is an argument.

use std::time::Duration;

use time::OffsetDateTime;

#[derive(Debug, Default)]
pub struct FailureClock {
    since: Option<OffsetDateTime>,
}

impl FailureClock {
    /// A clock already running since `since` (taken over from a health report).
    pub fn since(since: Option<OffsetDateTime>) -> Self {
        Self { since }
    }

    pub fn failing_since(&self) -> Option<OffsetDateTime> {
        self.since
    }

    /// An answer at `now`: a delivery stops the clock, anything else starts it if stopped.
    /// Answers why the endpoint should be disabled, once it has failed `disable_after`.
    pub fn observe(
        &mut self,
        delivered: bool,
        now: OffsetDateTime,
        disable_after: Duration,
    ) -> Option<String> {
        self.since = if delivered { None } else { Some(self.since.unwrap_or(now)) };
        self.since
            .filter(|since| now - *since >= disable_after)
            .map(|since| format!("every attempt since {since} failed (longer than {disable_after:?})"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const PERIOD: Duration = Duration::from_secs(300);

    #[test]
    fn failing_for_the_whole_period_disables_and_a_success_resets() {
        let start = datetime!(2026-11-23 10:00 UTC);
        let mut clock = FailureClock::default();
        assert_eq!(clock.observe(false, start, PERIOD), None);
        assert_eq!(clock.observe(false, start + Duration::from_secs(299), PERIOD), None);
        assert!(clock.observe(false, start + PERIOD, PERIOD).is_some());
        assert_eq!(clock.failing_since(), Some(start));
        assert_eq!(clock.observe(true, start + PERIOD, PERIOD), None);
        assert_eq!(clock.observe(false, start + PERIOD * 2, PERIOD), None, "counting again from here");
    }

    #[test]
    fn a_clock_taken_over_keeps_counting_from_its_start() {
        let start = datetime!(2026-11-23 10:00 UTC);
        let mut clock = FailureClock::since(Some(start));
        assert!(clock.observe(false, start + PERIOD, PERIOD).is_some());
    }
}
