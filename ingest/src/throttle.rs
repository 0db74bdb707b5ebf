//! Source-level rate limiting: a source sending far above its `max_events_per_second` is
//! answered 429 with `Retry-After`, and counted in
//! `edgehook_ingest_events_total{result="rate_limited"}` for the alert. GCRA from `governor`,
//! one limiter per source on each ingest node, with a burst of one second's worth.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use edgehook_domain::source::Source;
use edgehook_service::api_error::ApiError;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use warp::http::StatusCode;

/// A source's limiter, and the rate it was made for (a changed rate makes a new one).
type SourceLimiter = (u32, Arc<DefaultDirectRateLimiter>);

#[derive(Clone, Default)]
pub struct Throttle {
    limiters: Arc<Mutex<HashMap<String, SourceLimiter>>>,
}

impl Throttle {
    /// Takes `events` from the source's allowance, or answers 429.
    pub fn admit(&self, source: &Source, events: usize) -> Result<(), ApiError> {
        let limiter = self.limiter(source);
        let wanted = NonZeroU32::new(u32::try_from(events).unwrap_or(u32::MAX).max(1)).expect("at least one");
        let retry_after = match limiter.check_n(wanted) {
            Ok(Ok(())) => return Ok(()),
            Ok(Err(not_until)) => not_until
                .wait_time_from(governor::clock::Clock::now(&governor::clock::DefaultClock::default())),
            // More events in one request than a second's allowance: never admissible at once.
            Err(_) => Duration::from_secs(1),
        };
        metrics::counter!("edgehook_ingest_events_total", "source_id" => source.id.to_string(), "result" => "rate_limited")
            .increment(events as u64);
        let seconds = retry_after.as_secs_f64().ceil().max(1.0) as u64;
        Err(ApiError {
            retry_after: Some(seconds),
            ..ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!(
                    "this source may send {} events a second; slow down and retry after {seconds} s",
                    source.max_events_per_second
                ),
            )
        })
    }

    fn limiter(&self, source: &Source) -> Arc<DefaultDirectRateLimiter> {
        let rate = source.max_events_per_second.max(1);
        let mut limiters = self.limiters.lock().expect("throttle lock");
        let entry = limiters.entry(source.id.to_string()).or_insert_with(|| (0, Arc::new(limiter(rate))));
        if entry.0 != rate {
            *entry = (rate, Arc::new(limiter(rate)));
        }
        entry.1.clone()
    }
}

fn limiter(rate: u32) -> DefaultDirectRateLimiter {
    let rate = NonZeroU32::new(rate).expect("rate is at least 1");
    RateLimiter::direct(Quota::per_second(rate).allow_burst(rate))
}
