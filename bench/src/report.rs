//! The numbers of one run, computed from what the driver and the receiver recorded: throughput,
//! latency from "accepted" to "received", lost events, duplicates, signature failures, the bad
//! endpoint's own figures, and the processes' CPU and memory; printed for a human or as one
//! JSON object.

use std::fmt::Write as _;

use serde::Serialize;

use super::deployment::Usage;
use super::driver::{Outcome, Pace};
use super::receiver::{Endpoint, Slot};
use super::{Behavior, Scenario, Settings, Via, setup};

/// A webhook delivering this share of its `rate_limit` or more: the limit caps the run.
const RATE_LIMITED_SHARE: f64 = 0.9;

/// What the report is computed from. Times are [`super::Clock`] stamps (microseconds + 1).
pub struct Inputs<'a> {
    pub settings: &'a Settings,
    /// When each event was accepted (0: never).
    pub accepted: &'a [u64],
    pub endpoints: &'a [Endpoint],
    pub stray_requests: u64,
    pub driver: &'a Outcome,
    pub drive_start: u64,
    pub drive_end: u64,
    pub drain_end: u64,
    pub usage: Vec<Usage>,
    pub load_average_before: Option<f64>,
    pub load_average_after: Option<f64>,
}

#[derive(Serialize, Default)]
pub struct Percentiles {
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    pub max: f64,
}

#[derive(Serialize)]
pub struct Ingest {
    /// Requests that were accepted.
    pub requests: u64,
    pub duration_s: f64,
    pub events_per_s: f64,
    pub request_ms: Percentiles,
    pub failed_batches: u64,
    pub retries: u64,
    pub flagged_duplicates: u64,
    pub first_error: Option<String>,
}

#[derive(Serialize)]
pub struct Webhooks {
    pub healthy: usize,
    pub slow: usize,
    pub failing: usize,
}

/// The slow endpoint's own figures (it is not waited for at the end).
#[derive(Serialize)]
pub struct Slow {
    pub delivered: u64,
    pub delivered_per_s: f64,
    pub not_delivered_at_end: u64,
    pub requests: u64,
    pub latency_ms: Percentiles,
}

/// The FIFO webhook's order, as received: an event whose first arrival came before an earlier
/// event's of the same lane is out of order.
#[derive(Serialize)]
pub struct FifoOrder {
    pub lanes: usize,
    pub out_of_order: u64,
}

/// The failing endpoint's own figures (it never succeeds, so nothing is lost there).
#[derive(Serialize)]
pub struct Failing {
    pub attempts: u64,
    pub events_attempted: u64,
    pub attempts_per_s: f64,
}

#[derive(Serialize)]
pub struct Report {
    pub scenario: Scenario,
    pub via: Option<Via>,
    pub webhooks: Webhooks,
    pub batch_size: usize,
    pub concurrency: usize,
    pub target_rate: Option<f64>,
    /// Events accepted by ingest (baseline: events sent).
    pub events: u64,
    /// (healthy webhook, event) pairs received at least once.
    pub deliveries: u64,
    /// From the start of the load to the last of those deliveries (or the drain's end).
    pub duration_s: f64,
    pub delivered_per_s: f64,
    /// Deliveries received while the load ran, per second of load.
    pub delivered_per_s_during_load: f64,
    /// Deliveries per healthy webhook per second (over `duration_s`).
    pub delivered_per_s_per_webhook: f64,
    /// Healthy deliveries received in each second since the start of the load.
    pub per_second: Vec<u64>,
    /// From "accepted" (the batch's 202) to the first arrival, healthy endpoints only.
    pub latency_ms: Percentiles,
    pub lost: u64,
    pub duplicates: u64,
    pub signature_failures: u64,
    pub first_signature_failure: Option<String>,
    /// Correctly signed deliveries of events this run never had accepted, or to unknown paths.
    pub unexpected_deliveries: u64,
    pub ingest: Ingest,
    pub slow_endpoint: Option<Slow>,
    pub failing_endpoint: Option<Failing>,
    pub fifo: Option<FifoOrder>,
    /// edgehook's own CPU seconds over the measured window (null with --target).
    pub edgehook_cpu_s: Option<f64>,
    /// edgehook's peak resident memory (null with --target).
    pub edgehook_peak_rss_mb: Option<f64>,
    /// Every process measured: edgehook, its nats-server child, this bench process.
    pub processes: Vec<Usage>,
    pub load_average_before: Option<f64>,
    pub load_average_after: Option<f64>,
}

/// Nearest-rank percentiles, in milliseconds, of microsecond samples.
pub fn percentiles(mut samples: Vec<u64>) -> Percentiles {
    if samples.is_empty() {
        return Percentiles { p50: f64::NAN, p95: f64::NAN, p99: f64::NAN, max: f64::NAN };
    }
    samples.sort_unstable();
    let at = |q: f64| {
        let rank = ((q * samples.len() as f64).ceil() as usize).clamp(1, samples.len());
        samples[rank - 1] as f64 / 1000.0
    };
    Percentiles { p50: at(0.50), p95: at(0.95), p99: at(0.99), max: at(1.0) }
}

/// Seconds between two stamps, to the millisecond.
fn seconds(from: u64, to: u64) -> f64 {
    (to.saturating_sub(from) as f64 / 1e3).round() / 1e3
}

/// A rate, to a tenth.
fn per_s(count: u64, seconds: f64) -> f64 {
    if seconds > 0.0 { (count as f64 / seconds * 10.0).round() / 10.0 } else { f64::NAN }
}

/// Writes what was recorded, one line per (endpoint, event), for a closer look.
pub fn dump_csv(path: &std::path::Path, accepted: &[u64], endpoints: &[Endpoint]) -> anyhow::Result<()> {
    use anyhow::Context;
    use std::io::Write;
    let file = std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let mut out = std::io::BufWriter::new(file);
    writeln!(out, "endpoint,behavior,seq,accepted_us,first_arrival_us,count")?;
    for (index, endpoint) in endpoints.iter().enumerate() {
        let log = endpoint.log();
        let behavior = match endpoint.behavior {
            Behavior::Healthy => "healthy",
            Behavior::Slow(_) => "slow",
            Behavior::Failing => "failing",
        };
        for seq in 0..accepted.len().max(log.slots.len()) {
            let accepted = accepted.get(seq).copied().unwrap_or_default();
            let slot = log.slots.get(seq).copied().unwrap_or_default();
            writeln!(out, "{index},{behavior},{seq},{accepted},{},{}", slot.first, slot.count)?;
        }
    }
    out.flush().with_context(|| format!("writing {}", path.display()))
}

pub fn build(inputs: Inputs) -> Report {
    let settings = inputs.settings;
    let count = |wanted: fn(&Behavior) -> bool| settings.behaviors.iter().filter(|b| wanted(b)).count();
    let webhooks = Webhooks {
        healthy: count(|b| *b == Behavior::Healthy),
        slow: count(|b| matches!(b, Behavior::Slow(_))),
        failing: count(|b| *b == Behavior::Failing),
    };
    let driver = inputs.driver;
    let (mut deliveries, mut lost, mut duplicates, mut last, mut during_load) = (0, 0, 0, 0, 0);
    let (mut signature_failures, mut first_signature_failure) = (0, None);
    let mut unexpected = inputs.stray_requests;
    let mut latencies = Vec::new();
    let mut per_second: Vec<u64> = Vec::new();
    let (mut slow, mut failing) = (None, None);
    for endpoint in inputs.endpoints {
        let log = endpoint.log();
        signature_failures += log.bad_signatures;
        if first_signature_failure.is_none() {
            first_signature_failure.clone_from(&log.first_failure);
        }
        unexpected += log.unknown_events;
        let slot = |seq: usize| log.slots.get(seq).copied().unwrap_or_default();
        unexpected += log
            .slots
            .iter()
            .enumerate()
            .filter(|(seq, slot)| slot.count > 0 && inputs.accepted.get(*seq).is_none_or(|stamp| *stamp == 0))
            .map(|(_, slot)| u64::from(slot.count))
            .sum::<u64>();
        let expected = inputs.accepted.iter().enumerate().filter(|(_, stamp)| **stamp != 0);
        match endpoint.behavior {
            Behavior::Healthy => {
                for (seq, accepted) in expected {
                    let slot = slot(seq);
                    if slot.first == 0 {
                        lost += 1;
                        continue;
                    }
                    deliveries += 1;
                    duplicates += u64::from(slot.count - 1);
                    last = last.max(slot.first);
                    latencies.push(slot.first.saturating_sub(*accepted));
                    if slot.first <= inputs.drive_end {
                        during_load += 1;
                    }
                    let second = (slot.first.saturating_sub(inputs.drive_start) / 1_000_000) as usize;
                    if per_second.len() <= second {
                        per_second.resize(second + 1, 0);
                    }
                    per_second[second] += 1;
                }
            }
            Behavior::Slow(_) => {
                let (mut delivered, mut pending, mut last_slow, mut slow_latencies) = (0, 0, 0, vec![]);
                for (seq, accepted) in expected {
                    let slot = slot(seq);
                    if slot.first == 0 {
                        pending += 1;
                    } else {
                        delivered += 1;
                        last_slow = last_slow.max(slot.first);
                        slow_latencies.push(slot.first.saturating_sub(*accepted));
                    }
                }
                slow = Some(Slow {
                    delivered,
                    delivered_per_s: per_s(delivered, seconds(inputs.drive_start, last_slow)),
                    not_delivered_at_end: pending,
                    requests: endpoint.requests(),
                    latency_ms: percentiles(slow_latencies),
                });
            }
            Behavior::Failing => {
                let attempted = log.slots.iter().filter(|slot| slot.count > 0).count() as u64;
                failing = Some(Failing {
                    attempts: endpoint.requests(),
                    events_attempted: attempted,
                    attempts_per_s: per_s(endpoint.requests(), seconds(inputs.drive_start, inputs.drain_end)),
                });
            }
        }
    }
    let complete = lost == 0 && deliveries > 0;
    // At least the load's own length: a fixed rate's last batch is due before its end.
    let load_end = inputs.drive_start + settings.duration.as_micros() as u64;
    let end = if complete { last } else { inputs.drain_end }.max(load_end);
    let ingest_s = driver.elapsed.max(settings.duration).as_secs_f64();
    let duration_s = seconds(inputs.drive_start, end);
    let load_s = seconds(inputs.drive_start, inputs.drive_end);
    let events = inputs.accepted.iter().filter(|stamp| **stamp != 0).count() as u64;
    let edgehook = inputs.usage.iter().find(|usage| usage.process == "edgehook");
    Report {
        scenario: settings.scenario,
        via: (settings.scenario != Scenario::Baseline).then_some(settings.via),
        batch_size: settings.batch_size,
        concurrency: settings.concurrency,
        target_rate: match settings.pace {
            Pace::Rate(rate) => Some(rate),
            _ => None,
        },
        events,
        deliveries,
        duration_s,
        delivered_per_s: per_s(deliveries, duration_s),
        delivered_per_s_during_load: per_s(during_load, load_s),
        delivered_per_s_per_webhook: per_s(deliveries, duration_s * webhooks.healthy.max(1) as f64),
        webhooks,
        per_second,
        latency_ms: percentiles(latencies),
        lost,
        duplicates,
        signature_failures,
        first_signature_failure,
        unexpected_deliveries: unexpected,
        ingest: Ingest {
            requests: driver.request_us.len() as u64,
            duration_s: (ingest_s * 1e3).round() / 1e3,
            events_per_s: per_s(events, ingest_s),
            request_ms: percentiles(driver.request_us.clone()),
            failed_batches: driver.failed_batches,
            retries: driver.retries,
            flagged_duplicates: driver.flagged_duplicates,
            first_error: driver.first_error.clone(),
        },
        slow_endpoint: slow,
        failing_endpoint: failing,
        fifo: settings
            .fifo
            .zip(inputs.endpoints.first())
            .map(|(fifo, endpoint)| fifo_order(&endpoint.log().slots, |seq| fifo.lane(seq))),
        edgehook_cpu_s: edgehook.map(|usage| usage.cpu_s),
        edgehook_peak_rss_mb: edgehook.map(|usage| usage.peak_rss_mb),
        processes: inputs.usage.clone(),
        load_average_before: inputs.load_average_before,
        load_average_after: inputs.load_average_after,
    }
}

/// Counts, per lane, the events that first arrived before an earlier event of their lane.
fn fifo_order(slots: &[Slot], lane_of: impl Fn(u64) -> u32) -> FifoOrder {
    let mut latest: std::collections::HashMap<u32, u64> = std::collections::HashMap::new();
    let mut out_of_order = 0;
    for (seq, slot) in slots.iter().enumerate().filter(|(_, slot)| slot.first != 0) {
        let latest = latest.entry(lane_of(seq as u64)).or_default();
        if slot.first < *latest {
            out_of_order += 1;
        }
        *latest = (*latest).max(slot.first);
    }
    FifoOrder { lanes: latest.len(), out_of_order }
}

impl Report {
    pub fn print(&self, json: bool) -> anyhow::Result<()> {
        if json {
            println!("{}", serde_json::to_string(self)?);
        } else {
            print!("{}", self.human());
        }
        Ok(())
    }

    /// An error when a delivery was lost or wrongly signed (after the report is printed).
    pub fn verdict(&self) -> anyhow::Result<()> {
        if let Some(fifo) = self.fifo.as_ref().filter(|fifo| fifo.out_of_order > 0) {
            anyhow::bail!("{} FIFO deliveries out of order", fifo.out_of_order);
        }
        if self.lost > 0 || self.signature_failures > 0 || self.unexpected_deliveries > 0 {
            anyhow::bail!(
                "{} lost, {} signature failures, {} unexpected deliveries",
                self.lost,
                self.signature_failures,
                self.unexpected_deliveries
            );
        }
        Ok(())
    }

    fn human(&self) -> String {
        let mut out = String::new();
        let scenario = serde_json::to_value(self.scenario).ok().and_then(|v| v.as_str().map(str::to_owned));
        let via = self.via.map_or("direct HTTP client".to_owned(), |via| match via {
            Via::Http => "HTTP batches".to_owned(),
            Via::Nats => "NATS requests".to_owned(),
        });
        let w = &self.webhooks;
        let _ = writeln!(
            out,
            "edgehook bench {} ({via}; webhooks: {} healthy, {} slow, {} failing; {}{} in flight{})",
            scenario.unwrap_or_default(),
            w.healthy,
            w.slow,
            w.failing,
            self.via.map_or(String::new(), |_| format!("batch {}, ", self.batch_size)),
            self.concurrency,
            self.target_rate.map_or(String::new(), |rate| format!(", target {rate:.0} events/s")),
        );
        let i = &self.ingest;
        let _ = writeln!(
            out,
            "  events accepted   {} in {:.1} s ({:.0}/s); request p50 {:.1} ms, p99 {:.1} ms; {} failed batches, {} retries",
            self.events,
            i.duration_s,
            i.events_per_s,
            i.request_ms.p50,
            i.request_ms.p99,
            i.failed_batches,
            i.retries
        );
        if let Some(error) = &i.first_error {
            let _ = writeln!(out, "  first ingest error: {error}");
        }
        let mut seconds: Vec<u64> = self.per_second.clone();
        let full = seconds.len().saturating_sub(1).max(1);
        seconds.truncate(full);
        seconds.sort_unstable();
        let median = seconds.get(seconds.len() / 2).copied().unwrap_or_default();
        let _ = writeln!(
            out,
            "  deliveries        {} in {:.1} s: {:.0}/s overall, {:.0}/s during the load, {:.0}/s per webhook (1-s buckets: min {} median {} max {})",
            self.deliveries,
            self.duration_s,
            self.delivered_per_s,
            self.delivered_per_s_during_load,
            self.delivered_per_s_per_webhook,
            seconds.first().copied().unwrap_or_default(),
            median,
            seconds.last().copied().unwrap_or_default(),
        );
        let limit = setup::WEBHOOK_REQUESTS_PER_MINUTE as f64 / 60.0;
        if self.delivered_per_s_per_webhook >= RATE_LIMITED_SHARE * limit {
            let _ = writeln!(
                out,
                "  WARNING           each webhook delivered {:.0}/s, at its rate_limit of {limit:.0}/s: the limit, not edgehook, capped this run",
                self.delivered_per_s_per_webhook
            );
        }
        let l = &self.latency_ms;
        let _ = writeln!(
            out,
            "  latency           p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms (accepted -> received)",
            l.p50, l.p95, l.p99, l.max
        );
        let _ = writeln!(
            out,
            "  lost {}, duplicates {}, signature failures {}, unexpected deliveries {}",
            self.lost, self.duplicates, self.signature_failures, self.unexpected_deliveries
        );
        if let Some(failure) = &self.first_signature_failure {
            let _ = writeln!(out, "  first signature failure: {failure}");
        }
        if let Some(slow) = &self.slow_endpoint {
            let _ = writeln!(
                out,
                "  slow endpoint     {} delivered ({:.0}/s), {} not delivered at the end, latency p50 {:.0} ms",
                slow.delivered, slow.delivered_per_s, slow.not_delivered_at_end, slow.latency_ms.p50
            );
        }
        if let Some(fifo) = &self.fifo {
            let _ = writeln!(
                out,
                "  FIFO              {} lane(s), {} deliveries out of order",
                fifo.lanes, fifo.out_of_order
            );
        }
        if let Some(failing) = &self.failing_endpoint {
            let _ = writeln!(
                out,
                "  failing endpoint  {} attempts ({:.0}/s) for {} events",
                failing.attempts, failing.attempts_per_s, failing.events_attempted
            );
        }
        for usage in &self.processes {
            let memory = if usage.peak_rss_mb.is_finite() {
                format!(", peak RSS {:.0} MiB", usage.peak_rss_mb)
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "  {:<17} {:.1} CPU s ({:.2} cores){memory}",
                usage.process, usage.cpu_s, usage.cpu_cores
            );
        }
        let load = |value: Option<f64>| value.map_or("?".to_owned(), |value| format!("{value:.2}"));
        let _ = writeln!(
            out,
            "  load average      {} before, {} after",
            load(self.load_average_before),
            load(self.load_average_after)
        );
        out
    }
}
