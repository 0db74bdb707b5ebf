//! What becomes of a delivery task after its turn in this relay: acknowledged, put back with a
//! `nak` and a delay, parked until later, dead-lettered, or forwarded to its webhook's new
//! region. This is where retries are decided (the retry budget, the backoff, `Retry-After`)
//! and where a deferral becomes a `nak` or a parking.
//!
//! A pure function of what happened ([`Turn`]), the attempt number, the queue the task came
//! from ([`Queue`]) and the time: no I/O, no clock. A FIFO lane's task is never parked (a parked
//! copy comes back behind newer tasks): every wait is a `nak` with its delay, which keeps the
//! lane closed until the task comes back; a FIFO task is never forwarded either (its lane is
//! the same from every region: it is put back for the webhook's region's relays to take). [`super::settler`] asks it and makes the answer happen; every way a task leaves a
//! relay's hands goes through [`decide`].

use std::time::Duration;

use edgehook_domain::delivery::{AttemptOutcome, DeadLetterReason};
use edgehook_domain::webhook::{Delivery, RetryConfig};
use time::OffsetDateTime;

use crate::sender::Attempt;
use crate::verdict::Verdict;

/// Attempts past this many are dead-lettered whatever the webhook says.
pub const MAX_DISPATCH_DELIVERIES: u32 = 200;
/// A `Retry-After` longer than this is treated as this.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(3600);
/// Waits shorter than this are a `nak` with a delay; longer ones park
/// ([`super::parking`]), so that waiting tasks never fill the consumer's ack-pending.
pub const PARK_AFTER: Duration = Duration::from_secs(5);
/// How soon a FIFO task whose webhook is now delivered from another region comes back (for
/// that region's relays, which read the same lane).
pub const OTHER_REGION_RECHECK: Duration = Duration::from_secs(1);
/// When what a settlement produces cannot be stored (a dead letter, a forwarded task), the
/// task comes back after this long.
pub const STORE_RETRY_DELAY: Duration = Duration::from_secs(2);

/// Why a delivery was put back without an attempt (the `reason` label of
/// `edgehook_deliveries_deferred_total`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeferReason {
    /// The endpoint's in-flight window is full.
    Saturated,
    /// The endpoint asked to wait (`Retry-After`).
    Paused,
    CircuitOpen,
    RateLimited,
    /// edgehook disabled the webhook; deliveries wait for it to be enabled again.
    Disabled,
    /// The webhook has not reached the region's copy of the webhooks bucket yet.
    NotReplicated,
    /// A FIFO task whose webhook another region delivers now.
    OtherRegion,
}

impl DeferReason {
    /// In the order of [`DeferReason::index`].
    pub const ALL: [DeferReason; 7] = [
        Self::Saturated,
        Self::Paused,
        Self::CircuitOpen,
        Self::RateLimited,
        Self::Disabled,
        Self::NotReplicated,
        Self::OtherRegion,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Saturated => "saturated",
            Self::Paused => "paused",
            Self::CircuitOpen => "circuit_open",
            Self::RateLimited => "rate_limited",
            Self::Disabled => "disabled",
            Self::NotReplicated => "not_replicated",
            Self::OtherRegion => "other_region",
        }
    }

    /// Its place in [`DeferReason::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// What happened to a task on this delivery of it.
#[derive(Clone, Copy, Debug)]
pub enum Turn<'a> {
    /// Its webhook was deleted: nobody to deliver to.
    WebhookDeleted,
    /// Its webhook now lives in `region`, as its copy of version `webhook_version` says, or
    /// is a poll webhook (`delivery`), whose tasks wait on the region's poll subject.
    Moved { region: &'a str, delivery: Delivery, webhook_version: u64 },
    /// Its webhook was made inactive.
    Inactive,
    /// It may not go now; it should come back after `delay`.
    Deferred { delay: Duration, reason: DeferReason },
    /// It was attempted, under the webhook's retry configuration.
    Attempted { answer: &'a Attempt, retry: &'a RetryConfig },
}

/// Where a task came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Queue {
    /// Its region's tier consumers, shared by every webhook of the region.
    Shared,
    /// A FIFO webhook's lane (`edgehook_nats::fifo`), one task out at a time.
    Fifo,
}

/// What to do with the task's message.
#[derive(Clone, Debug, PartialEq)]
pub enum Settlement {
    /// It leaves the delivery stream: delivered, or no longer deliverable.
    Ack,
    /// It comes back to this consumer after `delay`; `deferred` if without an attempt (so the
    /// delivery does not count as one).
    Nak { delay: Duration, deferred: Option<DeferReason> },
    /// It comes back at `until` (`delay` from now) through the parking stream, carrying the
    /// attempts made so far.
    Park { delay: Duration, until: OffsetDateTime, attempts_made: u32, deferred: Option<DeferReason> },
    /// It is given up: stored as a dead letter, then acknowledged; `broke_order` on a FIFO
    /// lane, whose next task then goes.
    DeadLetter {
        reason: DeadLetterReason,
        attempts: u32,
        last_status_code: Option<u16>,
        last_error: Option<String>,
        at: OffsetDateTime,
        broke_order: bool,
    },
    /// It continues in `region`, carrying the attempts made so far and the version of the
    /// webhook that showed the move: published there, then acknowledged.
    Forward { region: String, delivery: Delivery, webhook_version: u64, attempts_made: u32 },
}

/// `attempt` (1-based) is the attempt this delivery is, or would have been.
pub fn decide(turn: Turn<'_>, attempt: u32, queue: Queue, now: OffsetDateTime) -> Settlement {
    let made_before = attempt.saturating_sub(1);
    let dead_letter = |reason, attempts, last: Option<&Attempt>| Settlement::DeadLetter {
        reason,
        attempts,
        last_status_code: last.and_then(|answer| answer.status_code),
        last_error: last.and_then(|answer| answer.error.clone()),
        at: now,
        broke_order: queue == Queue::Fifo,
    };
    match turn {
        Turn::WebhookDeleted => Settlement::Ack,
        Turn::Moved { .. } if queue == Queue::Fifo => {
            Settlement::Nak { delay: OTHER_REGION_RECHECK, deferred: Some(DeferReason::OtherRegion) }
        }
        Turn::Moved { region, delivery, webhook_version } => Settlement::Forward {
            region: region.to_owned(),
            delivery,
            webhook_version,
            attempts_made: made_before,
        },
        Turn::Inactive => dead_letter(DeadLetterReason::WebhookInactive, made_before, None),
        Turn::Deferred { delay, reason } => come_back(delay, made_before, Some(reason), queue, now),
        Turn::Attempted { answer, retry } => match answer.verdict {
            Verdict::Delivered => Settlement::Ack,
            Verdict::Rejected => dead_letter(DeadLetterReason::Rejected, attempt, Some(answer)),
            Verdict::Retryable { .. }
                if attempt >= retry.max_attempts() || attempt >= MAX_DISPATCH_DELIVERIES =>
            {
                dead_letter(DeadLetterReason::RetriesExhausted, attempt, Some(answer))
            }
            Verdict::Retryable { retry_after } => {
                let asked = retry_after.map_or(Duration::ZERO, |asked| asked.min(MAX_RETRY_AFTER));
                come_back(retry.delay_after(attempt).max(asked), attempt, None, queue, now)
            }
        },
    }
}

fn come_back(
    delay: Duration,
    attempts_made: u32,
    deferred: Option<DeferReason>,
    queue: Queue,
    now: OffsetDateTime,
) -> Settlement {
    if delay >= PARK_AFTER && queue == Queue::Shared {
        Settlement::Park { delay, until: now + delay, attempts_made, deferred }
    } else {
        Settlement::Nak { delay, deferred }
    }
}

impl Settlement {
    /// What to do instead when what this settlement produces cannot be stored: the task waits
    /// in its consumer (a failed parking keeps its delay; a dead letter or forward is tried
    /// again soon). `None`: nothing to store.
    pub fn fallback(&self) -> Option<Settlement> {
        match self {
            Settlement::Park { delay, deferred, .. } => {
                Some(Settlement::Nak { delay: *delay, deferred: *deferred })
            }
            Settlement::DeadLetter { .. } | Settlement::Forward { .. } => {
                Some(Settlement::Nak { delay: STORE_RETRY_DELAY, deferred: None })
            }
            Settlement::Ack | Settlement::Nak { .. } => None,
        }
    }

    /// The task was put back without an attempt, for this reason.
    pub fn deferred(&self) -> Option<DeferReason> {
        match self {
            Settlement::Nak { deferred, .. } | Settlement::Park { deferred, .. } => *deferred,
            _ => None,
        }
    }

    /// How the attempt record of an attempt settled so tells its outcome, and when the next
    /// attempt is due (decided at `now`).
    pub fn attempt_outcome(&self, now: OffsetDateTime) -> (AttemptOutcome, Option<OffsetDateTime>) {
        match self {
            Settlement::Ack => (AttemptOutcome::Succeeded, None),
            Settlement::Nak { delay, .. } => (AttemptOutcome::Retrying, Some(now + *delay)),
            Settlement::Park { until, .. } => (AttemptOutcome::Retrying, Some(*until)),
            Settlement::DeadLetter { .. } => (AttemptOutcome::Failed, None),
            Settlement::Forward { .. } => (AttemptOutcome::Retrying, None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-23 10:00 UTC);

    fn retry(max_retries: u32) -> RetryConfig {
        RetryConfig { max_retries, initial_delay_ms: 1_000, max_delay_ms: 8_000, backoff_multiplier: 2.0 }
    }

    fn answer(status: Option<u16>, verdict: Verdict) -> Attempt {
        Attempt {
            status_code: status,
            latency: Duration::from_millis(5),
            error: Some("boom".into()),
            verdict,
            response_body: None,
        }
    }

    fn attempted(retry: &RetryConfig, attempt: u32, answer: &Attempt) -> Settlement {
        decide(Turn::Attempted { answer, retry }, attempt, Queue::Shared, NOW)
    }

    fn nak(seconds: u64) -> Settlement {
        Settlement::Nak { delay: Duration::from_secs(seconds), deferred: None }
    }

    fn failing() -> Attempt {
        answer(Some(500), Verdict::Retryable { retry_after: None })
    }

    #[test]
    fn a_delivered_attempt_is_acknowledged() {
        assert_eq!(attempted(&retry(3), 1, &answer(Some(204), Verdict::Delivered)), Settlement::Ack);
    }

    #[test]
    fn retries_follow_the_backoff_until_the_budget_is_spent() {
        assert_eq!(attempted(&retry(3), 1, &failing()), nak(1));
        assert_eq!(attempted(&retry(3), 2, &failing()), nak(2));
        let third = attempted(&retry(3), 3, &failing());
        let until = NOW + Duration::from_secs(4);
        assert_eq!(third, nak(4), "4 s is still a nak: parking starts at {PARK_AFTER:?}");
        assert_eq!(third.attempt_outcome(NOW), (AttemptOutcome::Retrying, Some(until)));
        let exhausted = attempted(&retry(3), 4, &failing());
        assert!(
            matches!(
                exhausted,
                Settlement::DeadLetter { reason: DeadLetterReason::RetriesExhausted, attempts: 4, .. }
            ),
            "{exhausted:?}"
        );
        assert!(matches!(attempted(&retry(0), 1, &failing()), Settlement::DeadLetter { attempts: 1, .. }));
        assert!(matches!(
            attempted(&retry(1_000), MAX_DISPATCH_DELIVERIES, &failing()),
            Settlement::DeadLetter { reason: DeadLetterReason::RetriesExhausted, .. }
        ));
    }

    #[test]
    fn a_long_wait_parks_and_carries_the_attempts_made() {
        let slow = RetryConfig { initial_delay_ms: 6_000, ..retry(3) };
        assert_eq!(
            attempted(&slow, 2, &failing()),
            Settlement::Park {
                delay: Duration::from_secs(8),
                until: NOW + Duration::from_secs(8),
                attempts_made: 2,
                deferred: None
            }
        );
    }

    #[test]
    fn a_longer_retry_after_wins_over_the_backoff_up_to_an_hour() {
        let throttled = answer(Some(429), Verdict::Retryable { retry_after: Some(Duration::from_secs(30)) });
        assert!(
            matches!(attempted(&retry(3), 1, &throttled), Settlement::Park { delay, .. } if delay == Duration::from_secs(30))
        );
        let huge = answer(Some(503), Verdict::Retryable { retry_after: Some(Duration::from_secs(86_400)) });
        assert!(
            matches!(attempted(&retry(3), 1, &huge), Settlement::Park { delay, .. } if delay == MAX_RETRY_AFTER)
        );
    }

    #[test]
    fn rejections_are_dead_lettered_at_once_with_the_last_answer() {
        assert_eq!(
            attempted(&retry(5), 1, &answer(Some(400), Verdict::Rejected)),
            Settlement::DeadLetter {
                reason: DeadLetterReason::Rejected,
                attempts: 1,
                last_status_code: Some(400),
                last_error: Some("boom".into()),
                at: NOW,
                broke_order: false
            }
        );
    }

    #[test]
    fn a_deferral_comes_back_without_counting_as_an_attempt() {
        let short = Turn::Deferred { delay: Duration::from_millis(50), reason: DeferReason::Saturated };
        assert_eq!(
            decide(short, 3, Queue::Shared, NOW),
            Settlement::Nak { delay: Duration::from_millis(50), deferred: Some(DeferReason::Saturated) }
        );
        let long = Turn::Deferred { delay: Duration::from_secs(10), reason: DeferReason::Disabled };
        let parked = decide(long, 3, Queue::Shared, NOW);
        assert!(matches!(
            parked,
            Settlement::Park { attempts_made: 2, deferred: Some(DeferReason::Disabled), .. }
        ));
        assert_eq!(parked.deferred(), Some(DeferReason::Disabled));
    }

    #[test]
    fn a_task_whose_webhook_went_is_acked_moved_forwarded_or_inactive_dead_lettered() {
        assert_eq!(decide(Turn::WebhookDeleted, 1, Queue::Shared, NOW), Settlement::Ack);
        assert_eq!(
            decide(
                Turn::Moved { region: "us", delivery: Delivery::Push, webhook_version: 4 },
                3,
                Queue::Shared,
                NOW
            ),
            Settlement::Forward {
                region: "us".into(),
                delivery: Delivery::Push,
                webhook_version: 4,
                attempts_made: 2
            }
        );
        assert_eq!(
            decide(
                Turn::Moved { region: "eu", delivery: Delivery::Poll, webhook_version: 5 },
                1,
                Queue::Shared,
                NOW
            ),
            Settlement::Forward {
                region: "eu".into(),
                delivery: Delivery::Poll,
                webhook_version: 5,
                attempts_made: 0
            }
        );
        assert_eq!(
            decide(Turn::Inactive, 3, Queue::Shared, NOW),
            Settlement::DeadLetter {
                reason: DeadLetterReason::WebhookInactive,
                attempts: 2,
                last_status_code: None,
                last_error: None,
                at: NOW,
                broke_order: false
            }
        );
    }

    #[test]
    fn what_cannot_be_stored_waits_in_the_consumer() {
        let parked = decide(
            Turn::Deferred { delay: Duration::from_secs(10), reason: DeferReason::Paused },
            1,
            Queue::Shared,
            NOW,
        );
        assert_eq!(
            parked.fallback(),
            Some(Settlement::Nak { delay: Duration::from_secs(10), deferred: Some(DeferReason::Paused) })
        );
        let letter = decide(Turn::Inactive, 1, Queue::Shared, NOW);
        assert_eq!(letter.fallback(), Some(Settlement::Nak { delay: STORE_RETRY_DELAY, deferred: None }));
        let forward = Settlement::Forward {
            region: "us".into(),
            delivery: Delivery::Push,
            webhook_version: 1,
            attempts_made: 0,
        };
        assert_eq!(forward.fallback(), letter.fallback());
        assert_eq!(Settlement::Ack.fallback(), None);
    }

    #[test]
    fn a_fifo_task_waits_in_its_lane_and_a_dead_letter_says_it_broke_the_order() {
        let fifo = |turn, attempt| decide(turn, attempt, Queue::Fifo, NOW);
        let slow = RetryConfig { initial_delay_ms: 6_000, max_delay_ms: 3_600_000, ..retry(3) };
        let failed = failing();
        assert_eq!(fifo(Turn::Attempted { answer: &failed, retry: &slow }, 2), nak(12), "never parked");
        let disabled = Turn::Deferred { delay: Duration::from_secs(10), reason: DeferReason::Disabled };
        assert_eq!(
            fifo(disabled, 1),
            Settlement::Nak { delay: Duration::from_secs(10), deferred: Some(DeferReason::Disabled) }
        );
        assert_eq!(
            fifo(Turn::Moved { region: "us", delivery: Delivery::Push, webhook_version: 4 }, 1),
            Settlement::Nak { delay: OTHER_REGION_RECHECK, deferred: Some(DeferReason::OtherRegion) },
            "a lane is read from every region: never forwarded"
        );
        assert!(matches!(
            fifo(Turn::Attempted { answer: &failed, retry: &slow }, 4),
            Settlement::DeadLetter { reason: DeadLetterReason::RetriesExhausted, broke_order: true, .. }
        ));
        assert!(matches!(fifo(Turn::Inactive, 1), Settlement::DeadLetter { broke_order: true, .. }));
    }

    #[test]
    fn defer_reasons_are_indexed_in_their_order() {
        for (index, reason) in DeferReason::ALL.into_iter().enumerate() {
            assert_eq!(reason.index(), index);
        }
    }
}
