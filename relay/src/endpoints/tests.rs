use std::sync::Arc;
use std::time::Duration;

use edgehook_domain::webhook::Webhook;
use serde_json::json;

use super::*;
use crate::policy::Verdict;
use crate::sender::Attempt;

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

/// Three failed attempts in a row: enough to open the circuit of [`limits`].
fn fail_until_open(endpoints: &Endpoints, hook: &Arc<Webhook>, status: u16) {
    for _ in 0..3 {
        let _slot = admitted(endpoints.admit(hook));
        endpoints.observe(hook, &answer(status, 1));
    }
}

fn answer(status: u16, latency_ms: u64) -> Attempt {
    let verdict = crate::policy::verdict_for_status(status, None);
    Attempt { status_code: Some(status), latency: Duration::from_millis(latency_ms), error: None, verdict }
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
    let first = admitted(endpoints.admit(&hook));
    let _second = admitted(endpoints.admit(&hook));
    let (one, reason) = deferred(endpoints.admit(&hook));
    let (two, _) = deferred(endpoints.admit(&hook));
    assert_eq!(reason, DeferReason::Saturated);
    assert!(two >= one, "deferred deliveries come back one after the other: {one:?} then {two:?}");
    drop(first);
    admitted(endpoints.admit(&hook));
}

#[test]
fn other_endpoints_are_not_affected_by_a_full_window() {
    let endpoints = Endpoints::new(limits());
    let busy = webhook(60_000);
    let other = another_webhook(1);
    let _held = [admitted(endpoints.admit(&busy)), admitted(endpoints.admit(&busy))];
    deferred(endpoints.admit(&busy));
    admitted(endpoints.admit(&other));
}

#[test]
fn consecutive_failures_open_the_circuit_and_a_successful_probe_closes_it() {
    let endpoints = Endpoints::new(limits());
    let hook = webhook(60_000);
    fail_until_open(&endpoints, &hook, 500);
    let (delay, reason) = deferred(endpoints.admit(&hook));
    assert_eq!(reason, DeferReason::CircuitOpen);
    assert!(delay <= Duration::from_millis(200), "{delay:?}");
    assert_eq!(endpoints.effective_rate(&hook), 0.0);

    std::thread::sleep(Duration::from_millis(250));
    let probe = admitted(endpoints.admit(&hook));
    assert_eq!(deferred(endpoints.admit(&hook)).1, DeferReason::CircuitOpen, "one probe at a time");
    endpoints.observe(&hook, &answer(200, 1));
    drop(probe);
    admitted(endpoints.admit(&hook));
}

#[test]
fn a_failed_probe_reopens_for_longer() {
    let endpoints = Endpoints::new(limits());
    let hook = webhook(60_000);
    fail_until_open(&endpoints, &hook, 503);
    std::thread::sleep(Duration::from_millis(250));
    let probe = admitted(endpoints.admit(&hook));
    endpoints.observe(&hook, &answer(503, 1));
    drop(probe);
    let (delay, _) = deferred(endpoints.admit(&hook));
    assert!(delay > Duration::from_millis(300), "cooldown doubled: {delay:?}");
}

#[test]
fn retry_after_pauses_the_endpoint() {
    let endpoints = Endpoints::new(limits());
    let hook = webhook(60_000);
    let slot = admitted(endpoints.admit(&hook));
    let throttled = Attempt {
        verdict: Verdict::Retryable { retry_after: Some(Duration::from_secs(30)) },
        ..answer(429, 1)
    };
    endpoints.observe(&hook, &throttled);
    drop(slot);
    let (delay, reason) = deferred(endpoints.admit(&hook));
    assert_eq!(reason, DeferReason::Paused);
    assert!(delay > Duration::from_secs(29), "{delay:?}");
}

#[test]
fn failures_cut_the_rate_and_healthy_answers_restore_it() {
    let endpoints = Endpoints::new(EndpointLimits { circuit_failures: 100, ..limits() });
    let hook = webhook(6_000);
    admitted(endpoints.admit(&hook));
    endpoints.observe(&hook, &answer(500, 1));
    assert_eq!(endpoints.effective_rate(&hook), 50.0, "halved from 100/s");
    endpoints.observe(&hook, &answer(500, 1));
    assert_eq!(endpoints.effective_rate(&hook), 50.0, "at most one cut a second");
    let slow = answer(200, 6_000);
    std::thread::sleep(Duration::from_millis(1_000));
    endpoints.observe(&hook, &slow);
    assert_eq!(endpoints.effective_rate(&hook), 25.0, "a slow answer cuts too");
    // Healthy again: the failure ratio decays below 5 %, then the rate climbs back.
    for _ in 0..40 {
        endpoints.observe(&hook, &answer(200, 1));
    }
    std::thread::sleep(Duration::from_millis(500));
    endpoints.observe(&hook, &answer(200, 1));
    let rate = endpoints.effective_rate(&hook);
    assert!(rate > 25.0 && rate < 100.0, "recovers additively: {rate}");
}

#[test]
fn gone_disables_at_once_and_long_failure_disables_after_the_period() {
    let endpoints = Endpoints::new(EndpointLimits { disable_after: Duration::from_millis(300), ..limits() });
    let hook = webhook(60_000);
    admitted(endpoints.admit(&hook));
    assert!(endpoints.observe(&hook, &answer(410, 1)).disable.unwrap().contains("410"));

    let other = another_webhook(2);
    admitted(endpoints.admit(&other));
    assert_eq!(endpoints.observe(&other, &answer(500, 1)), Observation::default());
    std::thread::sleep(Duration::from_millis(350));
    assert!(endpoints.observe(&other, &answer(500, 1)).disable.is_some());
    endpoints.observe(&other, &answer(200, 1));
    assert_eq!(endpoints.observe(&other, &answer(500, 1)), Observation::default(), "a success resets");
}

#[test]
fn health_reports_carry_only_what_changed() {
    let endpoints = Endpoints::new(limits());
    let hook = webhook(60_000);
    admitted(endpoints.admit(&hook));
    endpoints.observe(&hook, &answer(200, 40));
    let reports = endpoints.changed_health("eu");
    assert_eq!(reports.len(), 1);
    let (_, health) = &reports[0];
    assert_eq!(health.configured_rate_per_second, 1_000.0);
    assert_eq!(health.circuit, edgehook_domain::endpoint_health::CircuitState::Closed);
    assert!(endpoints.changed_health("eu").is_empty());
}

#[test]
fn an_endpoint_that_stops_answering_gets_the_small_window_before_its_slow_answers_arrive() {
    let endpoints = Endpoints::new(EndpointLimits { fast_window: 4, ..limits() });
    let hook = webhook(60_000);
    let first = admitted(endpoints.admit(&hook));
    let second = admitted(endpoints.admit(&hook));
    let _third = admitted(endpoints.admit(&hook));
    std::thread::sleep(FAST + Duration::from_millis(20));
    assert_eq!(
        deferred(endpoints.admit(&hook)).1,
        DeferReason::Saturated,
        "no answer for 100 ms: a window of 2"
    );

    // It answers again: fast, so the big window is back.
    endpoints.observe(&hook, &answer(200, 1));
    drop((first, second));
    let _fourth = admitted(endpoints.admit(&hook));
}

#[test]
fn a_fast_endpoint_may_use_the_fast_window_and_a_slow_one_only_its_own() {
    let endpoints = Endpoints::new(EndpointLimits { fast_window: 4, ..limits() });
    let hook = webhook(60_000);
    let held: Vec<Slot> = (0..4).map(|_| admitted(endpoints.admit(&hook))).collect();
    assert_eq!(deferred(endpoints.admit(&hook)).1, DeferReason::Saturated);
    drop(held);
    for _ in 0..20 {
        endpoints.observe(&hook, &answer(200, 2_000));
    }
    let _held = [admitted(endpoints.admit(&hook)), admitted(endpoints.admit(&hook))];
    assert_eq!(deferred(endpoints.admit(&hook)).1, DeferReason::Saturated, "slow: a window of 2");
}
