//! The metrics of delivery attempts, with their handles made once per relay: looking a labelled
//! metric up in the registry hashes and allocates its labels, too much to do several times per
//! attempt on the delivery path.

use std::collections::HashMap;
use std::sync::Mutex;

use edgehook_domain::delivery::AttemptOutcome;
use metrics::{Counter, Histogram};

pub struct AttemptMetrics {
    region: String,
    duration: Histogram,
    ingest_to_delivery: Histogram,
    retries: Counter,
    /// `edgehook_delivery_attempts_total` by (status class, outcome), made on first use.
    attempts: Mutex<HashMap<(&'static str, &'static str), Counter>>,
}

impl AttemptMetrics {
    pub fn new(region: &str) -> Self {
        let region = region.to_owned();
        Self {
            duration: metrics::histogram!("edgehook_delivery_duration_seconds", "region" => region.clone()),
            ingest_to_delivery: metrics::histogram!("edgehook_ingest_to_delivery_seconds", "region" => region.clone()),
            retries: metrics::counter!("edgehook_delivery_retries_total", "region" => region.clone()),
            attempts: Mutex::default(),
            region,
        }
    }

    /// One attempt: its status (`None`: no answer), how it ended, how long it took and, once
    /// delivered, how long since ingest accepted the event.
    pub fn record(
        &self,
        status_code: Option<u16>,
        outcome: AttemptOutcome,
        latency_seconds: f64,
        since_accepted_seconds: f64,
    ) {
        let key = (status_class(status_code), outcome_label(outcome));
        let counter = {
            let mut attempts = self.attempts.lock().expect("attempt metrics lock");
            attempts
                .entry(key)
                .or_insert_with(|| {
                    metrics::counter!("edgehook_delivery_attempts_total", "region" => self.region.clone(), "status_class" => key.0, "outcome" => key.1)
                })
                .clone()
        };
        counter.increment(1);
        self.duration.record(latency_seconds);
        match outcome {
            AttemptOutcome::Succeeded => self.ingest_to_delivery.record(since_accepted_seconds),
            AttemptOutcome::Retrying => self.retries.increment(1),
            AttemptOutcome::Failed => {}
        }
    }
}

fn status_class(status_code: Option<u16>) -> &'static str {
    match status_code.map(|code| code / 100) {
        None => "error",
        Some(1) => "1xx",
        Some(2) => "2xx",
        Some(3) => "3xx",
        Some(4) => "4xx",
        Some(_) => "5xx",
    }
}

fn outcome_label(outcome: AttemptOutcome) -> &'static str {
    match outcome {
        AttemptOutcome::Succeeded => "succeeded",
        AttemptOutcome::Retrying => "retrying",
        AttemptOutcome::Failed => "failed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_classes_are_the_hundreds_and_no_answer_is_an_error() {
        assert_eq!(status_class(Some(204)), "2xx");
        assert_eq!(status_class(Some(429)), "4xx");
        assert_eq!(status_class(Some(503)), "5xx");
        assert_eq!(status_class(None), "error");
    }
}
