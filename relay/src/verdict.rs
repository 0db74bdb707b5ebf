//! What an endpoint's answer means for retrying: delivered, worth another try (perhaps after
//! its `Retry-After`), or rejected. The sender ([`crate::sender`]) gives each attempt its
//! verdict; what then becomes of the task is decided in [`crate::settlement::decision`].

use std::time::Duration;

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

/// The verdict for an HTTP status.
pub fn verdict_for_status(status: u16, retry_after: Option<Duration>) -> Verdict {
    match status {
        200..=299 => Verdict::Delivered,
        408 | 429 | 500..=599 => Verdict::Retryable { retry_after },
        _ => Verdict::Rejected,
    }
}

/// Parses a `Retry-After` of delay-seconds (the HTTP-date form is rare for webhooks).
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn retry_after_is_read_in_seconds() {
        assert_eq!(parse_retry_after(" 30 "), Some(Duration::from_secs(30)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2026 07:28:00 GMT"), None);
    }
}
