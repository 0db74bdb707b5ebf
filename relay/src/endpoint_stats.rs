//! Per-endpoint health as operators see it: a failure ratio over recent attempts (an
//! exponentially weighted average, so it needs no window of its own) and the rate the endpoint
//! is allowed, exported as `edgehook_endpoint_failure_ratio` and
//! `edgehook_endpoint_effective_rate`.

use std::collections::HashMap;
use std::sync::Mutex;

use edgehook_nats::webhook::Webhook;

/// Weight of the newest attempt: about the last 20 attempts count.
const SMOOTHING: f64 = 0.1;

#[derive(Default)]
pub struct EndpointStats {
    failure_ratio: Mutex<HashMap<String, f64>>,
}

impl EndpointStats {
    /// Folds one attempt in and updates the endpoint's gauges.
    pub fn observe(&self, webhook: &Webhook, failed: bool) {
        let sample = if failed { 1.0 } else { 0.0 };
        let id = webhook.id.to_string();
        let ratio = {
            let mut ratios = self.failure_ratio.lock().expect("endpoint stats lock");
            let ratio = ratios.entry(id.clone()).or_insert(sample);
            *ratio += SMOOTHING * (sample - *ratio);
            *ratio
        };
        metrics::gauge!("edgehook_endpoint_failure_ratio", "webhook_id" => id.clone()).set(ratio);
        let per_second = f64::from(webhook.rate_limit.requests_per_minute) / 60.0;
        metrics::gauge!("edgehook_endpoint_effective_rate", "webhook_id" => id).set(per_second);
    }
}
