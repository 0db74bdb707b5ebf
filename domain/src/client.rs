//! The client record kept in the `clients` KV bucket, keyed by client id.
//!
//! A client may carry its own [`Retention`]: how long its attempt history and its event payloads
//! are kept. Why only shorter than the deployment's: the operator sizes the history database for
//! `--history-retention-days` / `--event-retention-days` (the ceiling every client fits under),
//! and a client asks for less (data minimisation, a contract); the history writer applies the
//! shorter of the two. The control plane does not know the writer's flags, so a longer value is
//! accepted and simply has no effect beyond the deployment's.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::ids::ClientId;
use crate::validation::FieldError;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Client {
    pub id: ClientId,
    pub name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Kept shorter than the deployment's, if set (records written before it existed have none).
    #[serde(default, skip_serializing_if = "Retention::is_unset")]
    pub retention: Retention,
}

/// A client's own retention, in days; `None` is the deployment's.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Retention {
    /// Days a delivery attempt is kept (1 to 3650); absent: the deployment's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 3650)]
    pub attempt_days: Option<u32>,
    /// Days an event's payload is kept (1 to 3650); absent: the deployment's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 3650)]
    pub event_days: Option<u32>,
}

/// The longest a client may ask for (ten years; beyond any deployment's, and no overflow).
pub const MAX_RETENTION_DAYS: u32 = 3650;

impl Retention {
    pub fn is_unset(&self) -> bool {
        *self == Self::default()
    }

    /// Each set value is 1 to [`MAX_RETENTION_DAYS`] days; the error names e.g.
    /// `attempt_days` (callers put it [`FieldError::under`] `retention`).
    pub fn validate(&self) -> Result<(), FieldError> {
        for (field, days) in [("attempt_days", self.attempt_days), ("event_days", self.event_days)] {
            if days.is_some_and(|days| !(1..=MAX_RETENTION_DAYS).contains(&days)) {
                let message = format!("must be 1 to {MAX_RETENTION_DAYS} days");
                return Err(FieldError::new(field, "out_of_range", message));
            }
        }
        Ok(())
    }

    /// How long attempts are kept: the client's days if shorter than `deployment`, else `None`
    /// (the deployment's retention applies).
    pub fn attempts_within(&self, deployment: std::time::Duration) -> Option<std::time::Duration> {
        shorter(self.attempt_days, deployment)
    }

    /// How long event payloads are kept, like [`Retention::attempts_within`].
    pub fn events_within(&self, deployment: std::time::Duration) -> Option<std::time::Duration> {
        shorter(self.event_days, deployment)
    }
}

fn shorter(days: Option<u32>, deployment: std::time::Duration) -> Option<std::time::Duration> {
    let own = std::time::Duration::from_secs(u64::from(days?) * 24 * 3600);
    (own < deployment).then_some(own)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    const DAY: Duration = Duration::from_secs(24 * 3600);

    #[test]
    fn only_a_shorter_retention_applies() {
        let retention = Retention { attempt_days: Some(7), event_days: Some(9) };
        assert_eq!(retention.attempts_within(30 * DAY), Some(7 * DAY));
        assert_eq!(retention.events_within(7 * DAY), None, "longer than the deployment's");
        assert_eq!(Retention::default().attempts_within(30 * DAY), None);
    }

    #[test]
    fn days_are_one_to_ten_years() {
        assert!(Retention { attempt_days: Some(1), event_days: None }.validate().is_ok());
        let zero = Retention { attempt_days: None, event_days: Some(0) }.validate().unwrap_err();
        assert_eq!((zero.field.as_str(), zero.code), ("event_days", "out_of_range"));
        assert!(
            Retention { attempt_days: Some(MAX_RETENTION_DAYS + 1), event_days: None }.validate().is_err()
        );
    }

    #[test]
    fn a_client_stored_before_retention_reads() {
        let stored = serde_json::json!({"id": ClientId::generate(), "name": "a", "created_at": "2026-01-01T00:00:00Z"});
        let client: Client = serde_json::from_value(stored).unwrap();
        assert!(client.retention.is_unset());
        assert!(!serde_json::to_string(&client).unwrap().contains("retention"));
    }
}
