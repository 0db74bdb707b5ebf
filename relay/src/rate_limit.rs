//! Per-webhook rate limits shared by every relay of a region.
//!
//! The algorithm is GCRA (the generic cell rate algorithm): one number per webhook, its
//! theoretical arrival time (TAT); a delivery conforms if the TAT is no further ahead than the
//! burst tolerance, and then pushes the TAT one emission interval on. With Redis the TAT lives
//! in Redis and a Lua script decides atomically on Redis's own clock (one round trip per
//! decision), so the relays of a region share the limit; without Redis (or while it is away)
//! each relay keeps the same state in memory.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use redis::aio::ConnectionManager;

/// A burst of up to this long's worth of deliveries may go at once.
const BURST: Duration = Duration::from_millis(100);

/// The decision on Redis's clock, in microseconds; answers 0 (go) or the wait before the
/// delivery would conform. Mirrors [`gcra`].
const GCRA_SCRIPT: &str = r"
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1])) or now
if tat < now then tat = now end
if tat - now > tolerance then return tat - now - tolerance end
local next_tat = tat + interval
redis.call('SET', KEYS[1], string.format('%d', next_tat), 'PX', math.floor((next_tat - now) / 1000) + 1000)
return 0
";

/// GCRA on microseconds: the new TAT if a delivery at `now` conforms, else how long until it
/// would.
pub fn gcra(tat: u64, now: u64, interval: u64, tolerance: u64) -> Result<u64, u64> {
    let tat = tat.max(now);
    if tat - now > tolerance { Err(tat - now - tolerance) } else { Ok(tat + interval) }
}

/// Emission interval and burst tolerance, in microseconds, for a rate per second.
fn cell(per_second: f64) -> (u64, u64) {
    let interval = (1_000_000.0 / per_second.max(0.001)) as u64;
    let burst_cells = (per_second * BURST.as_secs_f64()).floor().max(1.0) as u64;
    (interval.max(1), interval.max(1) * (burst_cells - 1))
}

pub struct RateLimiter {
    region: String,
    redis: Option<(ConnectionManager, redis::Script)>,
    local: Mutex<HashMap<String, u64>>,
    epoch: Instant,
}

impl RateLimiter {
    /// `redis`: the region's shared Redis, or none for limits per relay.
    pub fn new(region: &str, redis: Option<ConnectionManager>) -> Self {
        Self {
            region: region.to_owned(),
            redis: redis.map(|connection| (connection, redis::Script::new(GCRA_SCRIPT))),
            local: Mutex::new(HashMap::new()),
            epoch: Instant::now(),
        }
    }

    /// Ok to deliver to `webhook` now at `per_second`, or how long to wait.
    pub async fn acquire(&self, webhook: &str, per_second: f64) -> Result<(), Duration> {
        let (interval, tolerance) = cell(per_second);
        if let Some((connection, script)) = &self.redis {
            let key = format!("edgehook:rate:{}:{webhook}", self.region);
            let mut connection = connection.clone();
            let decision: Result<u64, _> =
                script.key(key).arg(interval).arg(tolerance).invoke_async(&mut connection).await;
            match decision {
                Ok(0) => return Ok(()),
                Ok(wait) => return Err(Duration::from_micros(wait)),
                Err(error) => {
                    tracing::warn!(%error, "Redis rate limit unavailable; limiting in this relay");
                    metrics::counter!("edgehook_rate_limit_fallbacks_total", "region" => self.region.clone())
                        .increment(1);
                }
            }
        }
        self.acquire_locally(webhook, interval, tolerance)
    }

    fn acquire_locally(&self, webhook: &str, interval: u64, tolerance: u64) -> Result<(), Duration> {
        let now = self.epoch.elapsed().as_micros() as u64;
        let mut tats = self.local.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let tat = tats.get(webhook).copied().unwrap_or(now);
        match gcra(tat, now, interval, tolerance) {
            Ok(next) => {
                tats.insert(webhook.to_owned(), next);
                Ok(())
            }
            Err(wait) => Err(Duration::from_micros(wait)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_goes_then_deliveries_are_spaced_by_the_interval() {
        // 50/s: an interval of 20 ms, a burst of 5.
        let (interval, tolerance) = cell(50.0);
        assert_eq!((interval, tolerance), (20_000, 80_000));
        let mut tat = 0;
        for _ in 0..5 {
            tat = gcra(tat, 0, interval, tolerance).expect("the burst conforms");
        }
        assert_eq!(gcra(tat, 0, interval, tolerance), Err(20_000), "the sixth waits one interval");
        assert!(gcra(tat, 20_000, interval, tolerance).is_ok());
    }

    #[test]
    fn an_idle_limit_does_not_bank_credit_beyond_the_burst() {
        let (interval, tolerance) = cell(10.0);
        assert_eq!(tolerance, 0, "10/s allows no burst beyond one");
        let tat = gcra(0, 5_000_000, interval, tolerance).unwrap();
        assert_eq!(gcra(tat, 5_000_000, interval, tolerance), Err(interval));
    }

    #[test]
    fn a_rate_below_one_per_second_still_has_an_interval() {
        let (interval, _) = cell(0.5);
        assert_eq!(interval, 2_000_000);
    }
}
