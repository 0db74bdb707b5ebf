//! [`super::Endpoints`] as the dispatcher uses it: admissions, answers and health reports of
//! endpoints, at explicit times (nothing here sleeps).

use std::sync::Arc;
use std::time::{Duration, Instant};

use edgehook_domain::webhook::Webhook;
use serde_json::json;

use super::*;
use crate::sender::Attempt;
use crate::verdict::Verdict;

fn webhook(per_minute: u32) -> Arc<Webhook> {
    let value = json!({
        "id": "wh_01JC0000000000000000000000",
        "client_id": "cl_01JC0000000000000000000000",
        "callback_url": "https://example.com/hook",
        "event_types": [],
        "trigger_conditions": {},
        "retry_config": {"max_retries": 5, "initial_delay_ms": 1000, "max_delay_ms": 8000, "backoff_multiplier": 2.0},
        "rate_limit": {"requests_per_minute": per_minute},
        "status": "active",
        "signing_secret": "sealed",
        "description": null,
        "callback_url_verified": true,
        "created_at": "2026-11-23T00:00:00Z",
        "updated_at": "2026-11-23T00:00:00Z",
    });
    Arc::new(serde_json::from_value(value).expect("a webhook"))
}

/// Another webhook of the same shape, with id number `n`.
fn another_webhook(n: u32) -> Arc<Webhook> {
    let mut other = (*webhook(60_000)).clone();
    other.id = format!("wh_01JC00000000000000000000{n:02}").parse().unwrap();
    Arc::new(other)
}

/// Three failed attempts in a row at `now`: enough to open the circuit of [`limits`].
fn fail_until_open(endpoints: &Endpoints, hook: &Arc<Webhook>, status: u16, now: Now) {
    for _ in 0..3 {
        observe(endpoints, hook, &answer(status, 1), now);
    }
}

/// One delivery admitted at `now` that gets `answer`.
fn observe(endpoints: &Endpoints, hook: &Arc<Webhook>, answer: &Attempt, now: Now) -> Observation {
    admitted(endpoints.admit(hook, now.instant)).finish(answer, now)
}

/// The rate the endpoint allows itself at `now` (requests a second).
fn rate(endpoints: &Endpoints, hook: &Webhook, now: Now) -> f64 {
    let endpoint = read(&endpoints.inner.endpoints).get(hook.id.as_str()).cloned().expect("a known endpoint");
    lock(&endpoint).effective_rate(now.instant)
}

fn ms(millis: u64) -> Duration {
    Duration::from_millis(millis)
}

fn answer(status: u16, latency_ms: u64) -> Attempt {
    let verdict = crate::verdict::verdict_for_status(status, None);
    let latency = Duration::from_millis(latency_ms);
    Attempt { status_code: Some(status), latency, error: None, verdict, response_body: None }
}

fn limits() -> EndpointLimits {
    EndpointLimits {
        window: 2,
        fast_window: 2,
        circuit_failures: 3,
        circuit_cooldown: Duration::from_millis(200),
        ..Default::default()
    }
}

fn admitted(admission: Admission) -> Slot {
    match admission {
        Admission::Go(slot) => slot,
        Admission::Defer { reason, .. } => panic!("deferred ({reason:?})"),
    }
}

fn deferred(admission: Admission) -> (Duration, DeferReason) {
    match admission {
        Admission::Go(_) => panic!("admitted"),
        Admission::Defer { delay, reason } => (delay, reason),
    }
}

#[test]
fn a_full_window_defers_and_a_freed_slot_admits_again() {
    let endpoints = Endpoints::new(limits());
    let hook = webhook(60_000);
    let now = Instant::now();
    let first = admitted(endpoints.admit(&hook, now));
    let _second = admitted(endpoints.admit(&hook, now));
    let (one, reason) = deferred(endpoints.admit(&hook, now));
    let (two, _) = deferred(endpoints.admit(&hook, now));
    assert_eq!(reason, DeferReason::Saturated);
    assert!(two >= one, "deferred deliveries come back one after the other: {one:?} then {two:?}");
    drop(first);
    admitted(endpoints.admit(&hook, now));
}

#[test]
fn other_endpoints_are_not_affected_by_a_full_window() {
    let endpoints = Endpoints::new(limits());
    let busy = webhook(60_000);
    let other = another_webhook(1);
    let now = Instant::now();
    let _held = [admitted(endpoints.admit(&busy, now)), admitted(endpoints.admit(&busy, now))];
    deferred(endpoints.admit(&busy, now));
    admitted(endpoints.admit(&other, now));
}

#[test]
fn consecutive_failures_open_the_circuit_and_a_successful_probe_closes_it() {
    let endpoints = Endpoints::new(limits());
    let hook = webhook(60_000);
    let start = Now::read();
    fail_until_open(&endpoints, &hook, 500, start);
    let (delay, reason) = deferred(endpoints.admit(&hook, start.instant));
    assert_eq!(reason, DeferReason::CircuitOpen);
    assert!(delay <= ms(200), "{delay:?}");
    assert_eq!(rate(&endpoints, &hook, start), 0.0);

    let later = start + ms(250);
    let probe = admitted(endpoints.admit(&hook, later.instant));
    assert_eq!(
        deferred(endpoints.admit(&hook, later.instant)).1,
        DeferReason::CircuitOpen,
        "one probe at a time"
    );
    probe.finish(&answer(200, 1), later);
    admitted(endpoints.admit(&hook, later.instant));
}

#[test]
fn a_probe_that_never_made_its_attempt_lets_the_next_probe_and_a_failed_one_reopens_for_longer() {
    let endpoints = Endpoints::new(limits());
    let hook = webhook(60_000);
    let start = Now::read();
    fail_until_open(&endpoints, &hook, 503, start);
    let later = start + ms(250);
    let probe = admitted(endpoints.admit(&hook, later.instant));
    deferred(probe.rate_limited(ms(10), later.instant));
    drop(admitted(endpoints.admit(&hook, later.instant)));
    observe(&endpoints, &hook, &answer(503, 1), later);
    let (delay, _) = deferred(endpoints.admit(&hook, later.instant));
    assert!(delay > ms(300), "cooldown doubled: {delay:?}");
}

#[test]
fn retry_after_pauses_the_endpoint_and_its_report_says_until_when() {
    let endpoints = Endpoints::new(limits());
    let hook = webhook(60_000);
    let now = Now::read();
    let throttled = Attempt {
        verdict: Verdict::Retryable { retry_after: Some(Duration::from_secs(30)) },
        ..answer(429, 1)
    };
    observe(&endpoints, &hook, &throttled, now);
    let (delay, reason) = deferred(endpoints.admit(&hook, now.instant));
    assert_eq!(reason, DeferReason::Paused);
    assert!(delay > Duration::from_secs(29), "{delay:?}");
    assert_eq!(rate(&endpoints, &hook, now), 0.0);
    let (_, health) = endpoints.changed_health("eu", now).pop().unwrap();
    assert_eq!(health.paused_until, Some(now.wall + Duration::from_secs(30)), "on the wall clock");
    assert_eq!(health.effective_rate_per_second, 0.0);
    admitted(endpoints.admit(&hook, (now + Duration::from_secs(30)).instant));
}

#[test]
fn failures_cut_the_rate_and_healthy_answers_restore_it() {
    let endpoints = Endpoints::new(EndpointLimits { circuit_failures: 100, ..limits() });
    let hook = webhook(6_000);
    let start = Now::read();
    observe(&endpoints, &hook, &answer(500, 1), start);
    assert_eq!(rate(&endpoints, &hook, start), 50.0, "halved from 100/s");
    observe(&endpoints, &hook, &answer(500, 1), start);
    assert_eq!(rate(&endpoints, &hook, start), 50.0, "at most one cut a second");
    let second = start + ms(1_000);
    observe(&endpoints, &hook, &answer(200, 6_000), second);
    assert_eq!(rate(&endpoints, &hook, second), 25.0, "a slow answer cuts too");
    // Healthy again: the failure ratio decays below 5 %, then the rate climbs back.
    for _ in 0..40 {
        observe(&endpoints, &hook, &answer(200, 1), second);
    }
    let later = second + ms(500);
    observe(&endpoints, &hook, &answer(200, 1), later);
    let rate = rate(&endpoints, &hook, later);
    assert!(rate > 25.0 && rate < 100.0, "recovers additively: {rate}");
}

#[test]
fn rate_limited_deliveries_come_back_spread_at_the_allowed_pace() {
    let endpoints = Endpoints::new(limits());
    let hook = webhook(600);
    let now = Instant::now();
    let slot = admitted(endpoints.admit(&hook, now));
    assert_eq!(slot.rate(), 10.0);
    let (first, reason) = deferred(slot.rate_limited(ms(50), now));
    assert_eq!((first, reason), (ms(50), DeferReason::RateLimited));
    let (second, _) = deferred(admitted(endpoints.admit(&hook, now)).rate_limited(ms(50), now));
    assert_eq!(second, ms(150), "one interval (100 ms at 10/s) behind");
}

#[test]
fn gone_disables_at_once_and_long_failure_disables_after_the_period() {
    let endpoints = Endpoints::new(EndpointLimits { disable_after: ms(300), ..limits() });
    let hook = webhook(60_000);
    let start = Now::read();
    assert!(observe(&endpoints, &hook, &answer(410, 1), start).disable.unwrap().contains("410"));

    let other = another_webhook(2);
    assert_eq!(observe(&endpoints, &other, &answer(500, 1), start), Observation::default());
    let later = start + ms(350);
    assert!(observe(&endpoints, &other, &answer(500, 1), later).disable.is_some());
    observe(&endpoints, &other, &answer(200, 1), later);
    assert_eq!(
        observe(&endpoints, &other, &answer(500, 1), later),
        Observation::default(),
        "a success resets"
    );
}

#[test]
fn a_failing_clock_from_the_reports_is_taken_over_when_the_endpoint_is_first_seen() {
    let endpoints = Endpoints::new(EndpointLimits { disable_after: Duration::from_secs(3_600), ..limits() });
    let hook = webhook(60_000);
    let now = Now::read();
    endpoints.remember_failing(hook.id.as_str(), now.wall - Duration::from_secs(3_600));
    assert!(observe(&endpoints, &hook, &answer(500, 1), now).disable.is_some());
}

#[test]
fn health_reports_carry_only_what_changed_and_idle_endpoints_are_dropped() {
    let endpoints = Endpoints::new(limits());
    let hook = webhook(60_000);
    let now = Now::read();
    observe(&endpoints, &hook, &answer(200, 40), now);
    let reports = endpoints.changed_health("eu", now);
    assert_eq!(reports.len(), 1);
    let (_, health) = &reports[0];
    assert_eq!(health.configured_rate_per_second, 1_000.0);
    assert_eq!(health.circuit, edgehook_domain::endpoint_health::CircuitState::Closed);
    assert_eq!(health.latency_ms, 4.0);
    assert!(endpoints.changed_health("eu", now).is_empty());

    let _held = admitted(endpoints.admit(&another_webhook(3), now.instant));
    endpoints.changed_health("eu", now + endpoint::IDLE);
    assert_eq!(read(&endpoints.inner.endpoints).len(), 1, "only the one with a delivery in flight is kept");
}

#[test]
fn an_endpoint_that_stops_answering_gets_the_small_window_before_its_slow_answers_arrive() {
    let endpoints = Endpoints::new(EndpointLimits { fast_window: 4, ..limits() });
    let hook = webhook(60_000);
    let start = Now::read();
    let first = admitted(endpoints.admit(&hook, start.instant));
    let second = admitted(endpoints.admit(&hook, start.instant));
    let _third = admitted(endpoints.admit(&hook, start.instant));
    let silent = start + window::FAST + ms(20);
    assert_eq!(
        deferred(endpoints.admit(&hook, silent.instant)).1,
        DeferReason::Saturated,
        "no answer for 100 ms: a window of 2"
    );

    // It answers again: fast, so the big window is back.
    first.finish(&answer(200, 1), silent);
    drop(second);
    let _fourth = admitted(endpoints.admit(&hook, silent.instant));
}

#[test]
fn a_fast_endpoint_may_use_the_fast_window_and_a_slow_one_only_its_own() {
    let endpoints = Endpoints::new(EndpointLimits { fast_window: 4, ..limits() });
    let hook = webhook(60_000);
    let now = Now::read();
    let held: Vec<Slot> = (0..4).map(|_| admitted(endpoints.admit(&hook, now.instant))).collect();
    assert_eq!(deferred(endpoints.admit(&hook, now.instant)).1, DeferReason::Saturated);
    drop(held);
    for _ in 0..20 {
        observe(&endpoints, &hook, &answer(200, 2_000), now);
    }
    let _held =
        [admitted(endpoints.admit(&hook, now.instant)), admitted(endpoints.admit(&hook, now.instant))];
    assert_eq!(
        deferred(endpoints.admit(&hook, now.instant)).1,
        DeferReason::Saturated,
        "slow: a window of 2"
    );
}
