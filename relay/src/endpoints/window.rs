//! An endpoint's in-flight window: how many deliveries to it this relay has in flight, and
//! how many it may have now.
//!
//! Why: a slow endpoint must hold at most its window of the relay's workers, or it would take
//! them from every other endpoint; a fast one may use the relay's whole concurrency, since it
//! frees its slots too quickly to hold anyone back and deferring its excess would only churn
//! through JetStream. Which window applies is decided at each admission, from the endpoint's
//! average latency and from how long its deliveries have been in flight without an answer, so
//! an endpoint that stops answering gets the small window before its slow answers come in.
//! Part of [`super::endpoint::Endpoint`]; the time is always an argument.

use std::time::{Duration, Instant};

/// An endpoint answering faster than this on average may use the fast window. One that has
/// had deliveries in flight this long without answering any counts as slow at once.
pub const FAST: Duration = Duration::from_millis(100);

#[derive(Debug)]
pub struct Window {
    in_flight: usize,
    /// Since when deliveries have been in flight with no answer (`None`: none in flight).
    unanswered_since: Option<Instant>,
}

impl Window {
    pub fn new() -> Self {
        Self { in_flight: 0, unanswered_since: None }
    }

    /// The window at `now` of an endpoint whose answers take `latency_seconds` on average:
    /// `fast` (if larger) while it answers fast, else `small`.
    pub fn size(&self, now: Instant, latency_seconds: f64, small: usize, fast: usize) -> usize {
        let waiting_long = self.unanswered_since.is_some_and(|since| now.duration_since(since) >= FAST);
        if latency_seconds < FAST.as_secs_f64() && !waiting_long { small.max(fast) } else { small }
    }

    pub fn is_full(&self, size: usize) -> bool {
        self.in_flight >= size
    }

    pub fn is_empty(&self) -> bool {
        self.in_flight == 0
    }

    /// One more delivery in flight.
    pub fn enter(&mut self, now: Instant) {
        self.in_flight += 1;
        self.unanswered_since.get_or_insert(now);
    }

    /// An answer came: the endpoint is not silent.
    pub fn answered(&mut self, now: Instant) {
        self.unanswered_since = Some(now);
    }

    /// A delivery is no longer in flight.
    pub fn leave(&mut self) {
        self.in_flight = self.in_flight.saturating_sub(1);
        if self.in_flight == 0 {
            self.unanswered_since = None;
        }
    }

    /// How far apart deferred deliveries come back while a window of `size` is full: the pace
    /// at which an endpoint answering in `latency_seconds` frees slots.
    pub fn slot_spacing(latency_seconds: f64, size: usize) -> Duration {
        Duration::from_secs_f64(latency_seconds.max(0.001) / size.max(1) as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fast_endpoint_gets_the_fast_window_until_it_stays_silent() {
        let start = Instant::now();
        let mut window = Window::new();
        assert_eq!(window.size(start, 0.01, 2, 8), 8);
        assert_eq!(window.size(start, 0.5, 2, 8), 2, "slow on average");
        window.enter(start);
        assert_eq!(window.size(start + FAST / 2, 0.01, 2, 8), 8);
        assert_eq!(window.size(start + FAST, 0.01, 2, 8), 2, "silent for 100 ms");
        window.answered(start + FAST);
        assert_eq!(window.size(start + FAST, 0.01, 2, 8), 8);
    }

    #[test]
    fn the_window_fills_and_empties() {
        let now = Instant::now();
        let mut window = Window::new();
        window.enter(now);
        window.enter(now);
        assert!(window.is_full(2));
        window.leave();
        assert!(!window.is_full(2));
        window.leave();
        assert!(window.is_empty());
        assert_eq!(window.size(now + FAST * 10, 0.0, 2, 8), 8, "nothing in flight: nothing unanswered");
    }

    #[test]
    fn a_full_window_frees_a_slot_every_latency_over_size() {
        assert_eq!(Window::slot_spacing(0.5, 2), Duration::from_millis(250));
        assert_eq!(Window::slot_spacing(0.0, 1), Duration::from_millis(1));
    }
}
