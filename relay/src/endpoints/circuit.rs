//! An endpoint's circuit breaker: closed while it answers, open after consecutive failures,
//! then one probe after a cooldown that doubles while probes fail.
//!
//! Why: an endpoint that is down would otherwise take an attempt (and a timeout) from every
//! delivery to it and spend their retry budgets for nothing; with the circuit open they wait
//! in JetStream, and a single probe finds out when it is back. Part of
//! [`super::endpoint::Endpoint`]; the time is an argument.

use std::time::{Duration, Instant};

use edgehook_domain::endpoint_health::CircuitState;

/// The longest an open circuit waits before its next probe.
pub const MAX_COOLDOWN: Duration = Duration::from_secs(300);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Circuit {
    Closed { consecutive_failures: u32 },
    Open { until: Instant, cooldown: Duration },
    HalfOpen { probing: bool, cooldown: Duration },
}

/// What the circuit says of one more delivery.
#[derive(Debug, PartialEq, Eq)]
pub enum Gate {
    Pass,
    /// It goes as the probe (whatever the window says), and the circuit is now half open.
    Probe,
    /// Not before this long.
    Wait(Duration),
}

/// A change worth telling the operator.
#[derive(Debug, PartialEq, Eq)]
pub enum Change {
    Opened,
    Closed,
}

impl Circuit {
    pub fn new() -> Self {
        Circuit::Closed { consecutive_failures: 0 }
    }

    pub fn admit(&mut self, now: Instant) -> Gate {
        match *self {
            Circuit::Closed { .. } => Gate::Pass,
            Circuit::Open { until, .. } if until > now => Gate::Wait(until - now),
            Circuit::Open { cooldown, .. } | Circuit::HalfOpen { probing: false, cooldown } => {
                *self = Circuit::HalfOpen { probing: true, cooldown };
                Gate::Probe
            }
            Circuit::HalfOpen { probing: true, cooldown } => Gate::Wait(cooldown),
        }
    }

    /// An attempt's answer: `failed` if it is worth retrying (5xx, timeout...). `failures` in a
    /// row open the circuit for `cooldown`.
    pub fn observe(
        &mut self,
        now: Instant,
        failed: bool,
        failures: u32,
        cooldown: Duration,
    ) -> Option<Change> {
        let (next, change) = match (*self, failed) {
            (Circuit::Closed { consecutive_failures }, true) => {
                let consecutive_failures = consecutive_failures + 1;
                if consecutive_failures >= failures {
                    (Circuit::Open { until: now + cooldown, cooldown }, Some(Change::Opened))
                } else {
                    (Circuit::Closed { consecutive_failures }, None)
                }
            }
            (Circuit::HalfOpen { cooldown, .. }, true) => {
                let cooldown = (cooldown * 2).min(MAX_COOLDOWN);
                (Circuit::Open { until: now + cooldown, cooldown }, None)
            }
            (open @ Circuit::Open { .. }, true) => (open, None),
            (Circuit::Closed { .. }, false) => (Circuit::Closed { consecutive_failures: 0 }, None),
            (_, false) => (Circuit::Closed { consecutive_failures: 0 }, Some(Change::Closed)),
        };
        *self = next;
        change
    }

    /// The probe ended without an answer (its attempt never happened): the next delivery
    /// probes instead.
    pub fn probe_abandoned(&mut self) {
        if let Circuit::HalfOpen { probing: true, cooldown } = *self {
            *self = Circuit::HalfOpen { probing: false, cooldown };
        }
    }

    pub fn is_open(&self) -> bool {
        matches!(self, Circuit::Open { .. })
    }

    pub fn state(&self) -> CircuitState {
        match self {
            Circuit::Closed { .. } => CircuitState::Closed,
            Circuit::Open { .. } => CircuitState::Open,
            Circuit::HalfOpen { .. } => CircuitState::HalfOpen,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COOLDOWN: Duration = Duration::from_millis(200);

    fn opened(now: Instant) -> Circuit {
        let mut circuit = Circuit::new();
        assert_eq!(circuit.observe(now, true, 2, COOLDOWN), None);
        assert_eq!(circuit.observe(now, true, 2, COOLDOWN), Some(Change::Opened));
        circuit
    }

    #[test]
    fn failures_in_a_row_open_it_and_a_success_between_resets_the_count() {
        let now = Instant::now();
        let mut circuit = Circuit::new();
        circuit.observe(now, true, 2, COOLDOWN);
        circuit.observe(now, false, 2, COOLDOWN);
        circuit.observe(now, true, 2, COOLDOWN);
        assert_eq!(circuit.admit(now), Gate::Pass);
        assert_eq!(opened(now).admit(now + COOLDOWN / 2), Gate::Wait(COOLDOWN / 2));
    }

    #[test]
    fn after_the_cooldown_one_probe_goes_and_its_success_closes_the_circuit() {
        let now = Instant::now();
        let mut circuit = opened(now);
        let later = now + COOLDOWN;
        assert_eq!(circuit.admit(later), Gate::Probe);
        assert_eq!(circuit.state(), CircuitState::HalfOpen);
        assert_eq!(circuit.admit(later), Gate::Wait(COOLDOWN), "one probe at a time");
        assert_eq!(circuit.observe(later, false, 2, COOLDOWN), Some(Change::Closed));
        assert_eq!(circuit.admit(later), Gate::Pass);
    }

    #[test]
    fn a_failed_probe_reopens_for_twice_as_long_up_to_the_maximum() {
        let now = Instant::now();
        let mut circuit = opened(now);
        circuit.admit(now + COOLDOWN);
        assert_eq!(circuit.observe(now + COOLDOWN, true, 2, COOLDOWN), None);
        assert_eq!(circuit.admit(now + COOLDOWN), Gate::Wait(COOLDOWN * 2));
        assert!(circuit.is_open());
        let mut long = Circuit::HalfOpen { probing: true, cooldown: MAX_COOLDOWN };
        long.observe(now, true, 2, COOLDOWN);
        assert_eq!(long, Circuit::Open { until: now + MAX_COOLDOWN, cooldown: MAX_COOLDOWN });
    }

    #[test]
    fn an_abandoned_probe_lets_the_next_delivery_probe() {
        let now = Instant::now() + COOLDOWN;
        let mut circuit = opened(now - COOLDOWN);
        assert_eq!(circuit.admit(now), Gate::Probe);
        circuit.probe_abandoned();
        assert_eq!(circuit.admit(now), Gate::Probe);
    }
}
