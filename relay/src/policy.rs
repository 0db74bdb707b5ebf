//! What an attempt's outcome means for the delivery: done, retry after a delay, or dead letter.
//! Pure functions: the dispatcher acts on the [`Decision`].

use std::time::Duration;

use edgehook_domain::delivery::DeadLetterReason;
use edgehook_domain::webhook::RetryConfig;

/// Attempts past this many are dead-lettered whatever the webhook says.
pub const MAX_DISPATCH_DELIVERIES: i64 = 200;

/// A Retry-After longer than this is treated as this.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(3600);

/// How the endpoint answered, as far as retrying goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// 2xx.
    Delivered,
    /// 5xx, 408, 429, timeout, connection failure: worth another try, perhaps after the
    /// endpoint's `Retry-After`.
    Retryable { retry_after: Option<Duration> },
    /// Any other answer (4xx, 3xx): retrying the same request cannot help.
    Rejected,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Ack,
    RetryIn(Duration),
    DeadLetter(DeadLetterReason),
}

/// The verdict for an HTTP status.
pub fn verdict_for_status(status: u16, retry_after: Option<Duration>) -> Verdict {
    match status {
        200..=299 => Verdict::Delivered,
        408 | 429 | 500..=599 => Verdict::Retryable { retry_after },
        _ => Verdict::Rejected,
    }
}

/// `attempt` is 1-based: the JetStream delivery count of the task.
pub fn decide(retry: &RetryConfig, attempt: u32, verdict: &Verdict) -> Decision {
    match verdict {
        Verdict::Delivered => Decision::Ack,
        Verdict::Rejected => Decision::DeadLetter(DeadLetterReason::Rejected),
        Verdict::Retryable { .. }
            if attempt >= retry.max_attempts() || i64::from(attempt) >= MAX_DISPATCH_DELIVERIES =>
        {
            Decision::DeadLetter(DeadLetterReason::RetriesExhausted)
        }
        Verdict::Retryable { retry_after } => {
            let backoff = retry.delay_after(attempt);
            let asked = retry_after.map_or(Duration::ZERO, |asked| asked.min(MAX_RETRY_AFTER));
            Decision::RetryIn(backoff.max(asked))
        }
    }
}

/// Parses a `Retry-After` of delay-seconds (the HTTP-date form is rare for webhooks).
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn retry(max_retries: u32) -> RetryConfig {
        RetryConfig { max_retries, initial_delay_ms: 1_000, max_delay_ms: 8_000, backoff_multiplier: 2.0 }
    }

    #[test]
    fn statuses_sort_into_delivered_retryable_and_rejected() {
        assert_eq!(verdict_for_status(204, None), Verdict::Delivered);
        for status in [408, 429, 500, 502, 503] {
            assert!(matches!(verdict_for_status(status, None), Verdict::Retryable { .. }), "{status}");
        }
        for status in [301, 400, 401, 404, 410, 422] {
            assert_eq!(verdict_for_status(status, None), Verdict::Rejected, "{status}");
        }
    }

    #[test]
    fn retries_follow_the_backoff_until_the_budget_is_spent() {
        let failing = Verdict::Retryable { retry_after: None };
        assert_eq!(decide(&retry(3), 1, &failing), Decision::RetryIn(Duration::from_secs(1)));
        assert_eq!(decide(&retry(3), 3, &failing), Decision::RetryIn(Duration::from_secs(4)));
        assert_eq!(decide(&retry(3), 4, &failing), Decision::DeadLetter(DeadLetterReason::RetriesExhausted));
        assert_eq!(decide(&retry(0), 1, &failing), Decision::DeadLetter(DeadLetterReason::RetriesExhausted));
    }

    #[test]
    fn a_longer_retry_after_wins_over_the_backoff() {
        let throttled = Verdict::Retryable { retry_after: Some(Duration::from_secs(30)) };
        assert_eq!(decide(&retry(3), 1, &throttled), Decision::RetryIn(Duration::from_secs(30)));
        let huge = Verdict::Retryable { retry_after: Some(Duration::from_secs(86_400)) };
        assert_eq!(decide(&retry(3), 1, &huge), Decision::RetryIn(MAX_RETRY_AFTER));
    }

    #[test]
    fn rejections_are_dead_lettered_at_once() {
        assert_eq!(
            decide(&retry(5), 1, &Verdict::Rejected),
            Decision::DeadLetter(DeadLetterReason::Rejected)
        );
    }
}
