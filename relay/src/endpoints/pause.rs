//! An endpoint's pause: it answered 429 or 503 with `Retry-After`, so no delivery goes to it
//! until then.
//!
//! Why: an endpoint that says when it can take more is believed, for every delivery to it, not
//! only for the one it answered; its deliveries wait in JetStream meanwhile. The longest pause
//! honoured is [`MAX_PAUSE`]. Part of [`super::endpoint::Endpoint`]; the time is an argument.

use std::time::{Duration, Instant};

use crate::verdict::Verdict;

/// The longest `Retry-After` honoured.
pub const MAX_PAUSE: Duration = Duration::from_secs(3600);

#[derive(Debug, PartialEq, Eq)]
pub enum Remaining {
    NotPaused,
    /// The pause ended just now (what the health report shows changed).
    Ended,
    Wait(Duration),
}

#[derive(Debug, Default)]
pub struct Pause {
    until: Option<Instant>,
}

impl Pause {
    /// How long deliveries must still wait at `now`; an expired pause is cleared.
    pub fn remaining(&mut self, now: Instant) -> Remaining {
        match self.until {
            None => Remaining::NotPaused,
            Some(until) if until > now => Remaining::Wait(until - now),
            Some(_) => {
                self.until = None;
                Remaining::Ended
            }
        }
    }

    pub fn is_paused(&self, now: Instant) -> bool {
        self.until.is_some_and(|until| until > now)
    }

    /// Until when the endpoint is paused, if it still is at `now`.
    pub fn until(&self, now: Instant) -> Option<Instant> {
        self.until.filter(|until| *until > now)
    }

    /// An answer: a 429 or 503 asking to wait pauses the endpoint (never shortening a pause).
    pub fn observe(&mut self, now: Instant, status_code: Option<u16>, verdict: &Verdict) {
        if let (Some(429 | 503), Verdict::Retryable { retry_after: Some(wait) }) = (status_code, verdict) {
            let until = now + (*wait).min(MAX_PAUSE);
            self.until = Some(self.until.map_or(until, |current| current.max(until)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asking(seconds: u64) -> Verdict {
        Verdict::Retryable { retry_after: Some(Duration::from_secs(seconds)) }
    }

    #[test]
    fn retry_after_on_429_or_503_pauses_until_then() {
        let now = Instant::now();
        let mut pause = Pause::default();
        pause.observe(now, Some(429), &asking(30));
        assert_eq!(pause.remaining(now + Duration::from_secs(10)), Remaining::Wait(Duration::from_secs(20)));
        assert!(pause.is_paused(now));
        assert_eq!(pause.remaining(now + Duration::from_secs(30)), Remaining::Ended);
        assert_eq!(pause.remaining(now + Duration::from_secs(30)), Remaining::NotPaused);
    }

    #[test]
    fn other_answers_do_not_pause_and_a_pause_is_never_shortened() {
        let now = Instant::now();
        let mut pause = Pause::default();
        pause.observe(now, Some(500), &asking(30));
        pause.observe(now, Some(429), &Verdict::Retryable { retry_after: None });
        assert_eq!(pause.remaining(now), Remaining::NotPaused);
        pause.observe(now, Some(503), &asking(60));
        pause.observe(now, Some(503), &asking(5));
        assert_eq!(pause.until(now), Some(now + Duration::from_secs(60)));
        pause.observe(now, Some(503), &asking(86_400));
        assert_eq!(pause.until(now), Some(now + MAX_PAUSE), "capped");
    }
}
