//! The webhook (subscription) record kept in the `webhooks` KV bucket.
//!
//! The control plane writes it; relays read their local copy of the bucket to match and
//! deliver. The key is `<client_id>.<webhook_id>`, so one client's webhooks are a key prefix.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::event::Event;
use crate::event_types;
use crate::filters::Filters;
use crate::ids::{ClientId, WebhookId};
use crate::ordering::{self, Ordering};
use crate::priority::Priority;
use crate::validation::FieldError;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Webhook {
    pub id: WebhookId,
    pub client_id: ClientId,
    pub callback_url: String,
    /// `push` (default): POSTed to `callback_url`; `poll`: the client fetches its deliveries
    /// (`GET /api/v1/webhooks/{id}/poll`), and `callback_url` is empty. Stored webhooks made
    /// before it read as `push`.
    #[serde(default)]
    pub delivery: Delivery,
    /// A poll webhook's settings (`None` for a push webhook).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poll: Option<PollSettings>,
    /// The region whose relays deliver to this webhook.
    #[serde(default = "default_region")]
    pub region: String,
    pub event_types: Vec<String>,
    pub trigger_conditions: TriggerConditions,
    pub retry_config: RetryConfig,
    pub rate_limit: RateLimit,
    /// The tier of its deliveries, unless an event says otherwise.
    #[serde(default)]
    pub priority: Priority,
    /// FIFO or not ([`crate::ordering`]).
    #[serde(default)]
    pub ordering: Ordering,
    /// A FIFO webhook's ordering key: a field of `data` (dots reach nested ones); events keep
    /// their order per value of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ordering_key: Option<String>,
    pub status: WebhookStatus,
    /// How deliveries are signed.
    #[serde(default)]
    pub signature: Scheme,
    /// The current key, sealed (see `edgehook_security::sealing`): a `whsec_` secret (`v1`) or a `whsk_`
    /// private key (`v1a`).
    pub signing_secret: String,
    /// The current key's `whpk_` public key (Ed25519 only).
    #[serde(default)]
    pub public_key: Option<String>,
    /// Keys replaced by a rotation that still sign until they retire, so that clients can
    /// switch to the new key without missing a delivery.
    #[serde(default)]
    pub retiring_secrets: Vec<RetiringSecret>,
    pub description: Option<String>,
    /// Payload encryption to the client's public key, if it asked for it.
    #[serde(default)]
    pub encryption: Option<Encryption>,
    /// How the relay authenticates to the endpoint (static headers, OAuth2, mTLS), secrets
    /// sealed (`crate::endpoint_auth`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<crate::endpoint_auth::EndpointAuth>,
    /// Did the callback URL answer when it was registered or last changed?
    pub callback_url_verified: bool,
    /// Why edgehook disabled it (status `disabled`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled_reason: Option<String>,
    /// When edgehook disabled it: enabling it again replays what it missed since.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "time::serde::rfc3339::option")]
    pub disabled_at: Option<OffsetDateTime>,
    /// Enabled again after edgehook disabled it: the events it missed since this time are
    /// still to be replayed. Written with the enabling write and cleared once the replay is
    /// stored, so a control plane that dies in between finishes the replay when it starts
    /// again (or on the next PATCH) instead of losing it.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "time::serde::rfc3339::option")]
    pub missed_since: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// One more for every change ([`Webhook::revised`]; every write is a compare-and-set on the
    /// bucket's revision, so no two changes share a version). Unlike a KV revision it reads the
    /// same in the hub's bucket and in every region's mirror: a delivery task records the
    /// version its router matched, and a relay signs and sends it only with a copy at least as
    /// new. A webhook stored before versions existed reads as 0.
    #[serde(default)]
    pub version: u64,
}

/// How a webhook's deliveries are signed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub enum Scheme {
    /// `v1`: HMAC-SHA256 with a shared `whsec_` secret (the Standard Webhooks default).
    #[default]
    #[serde(rename = "hmac-sha256")]
    HmacSha256,
    /// `v1a`: Ed25519; clients hold only the `whpk_` public key.
    #[serde(rename = "ed25519")]
    Ed25519,
}

/// How a webhook's deliveries reach its client.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Delivery {
    /// edgehook POSTs each delivery to the webhook's `callback_url`.
    #[default]
    Push,
    /// The client fetches its deliveries (`GET /api/v1/webhooks/{id}/poll`) and acknowledges
    /// them; no inbound connection to the client is ever made.
    Poll,
}

/// A poll webhook's settings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
#[schema(default)]
pub struct PollSettings {
    /// How long a polled delivery stays invisible to other polls: not acknowledged by then, it
    /// is polled again (a new attempt). 1 s to 12 h, default 30 s.
    #[schema(minimum = 1000, maximum = 43_200_000)]
    pub visibility_timeout_ms: u64,
}

impl Default for PollSettings {
    fn default() -> Self {
        Self { visibility_timeout_ms: 30_000 }
    }
}

impl PollSettings {
    pub const MIN_VISIBILITY_TIMEOUT_MS: u64 = 1_000;
    pub const MAX_VISIBILITY_TIMEOUT_MS: u64 = 12 * 3_600_000;

    pub fn validate(&self) -> Result<(), FieldError> {
        let range = Self::MIN_VISIBILITY_TIMEOUT_MS..=Self::MAX_VISIBILITY_TIMEOUT_MS;
        if !range.contains(&self.visibility_timeout_ms) {
            return Err(FieldError::new(
                "visibility_timeout_ms",
                "out_of_range",
                format!("must be between {} and {} ms", range.start(), range.end()),
            ));
        }
        Ok(())
    }

    pub fn visibility_timeout(&self) -> Duration {
        Duration::from_millis(self.visibility_timeout_ms)
    }
}

/// The region `edgehook up` runs inside the hub when no regions are given, and where a
/// webhook made without one is delivered from.
pub const LOCAL_REGION: &str = "local";

fn default_region() -> String {
    LOCAL_REGION.to_owned()
}

/// Deliveries encrypted to the client's key (see `edgehook_security::jwe`): the whole payload, or only
/// the listed fields of `data` (dots reach nested fields).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Encryption {
    /// The client's public JWK: RSA (2048+ bits, RSA-OAEP-256) or OKP X25519 (ECDH-ES); never a
    /// private key.
    #[schema(value_type = Object)]
    pub jwk: serde_json::Value,
    /// Fields of `data` to encrypt (dots reach nested ones), at most 50; empty: the whole
    /// payload.
    #[serde(default)]
    #[schema(max_items = 50)]
    pub fields: Vec<String>,
}

impl Encryption {
    /// The shape of the settings; whether `jwk` is a key edgehook can encrypt to is
    /// `edgehook_security::jwe::RecipientKey::from_jwk`'s to say.
    pub fn validate(&self) -> Result<(), FieldError> {
        if self.fields.len() > 50
            || self.fields.iter().any(|field| field.is_empty() || field.split('.').any(str::is_empty))
        {
            return Err(FieldError::invalid(
                "fields",
                "at most 50 field names of `data`, dots for nested fields",
            ));
        }
        Ok(())
    }
}

/// A key replaced by a rotation, still signing until `retires_at`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetiringSecret {
    /// Sealed, like [`Webhook::signing_secret`].
    pub secret: String,
    #[serde(default)]
    pub public_key: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub retires_at: OffsetDateTime,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum WebhookStatus {
    Active,
    /// Turned off by its client: deliveries are dead-lettered (`webhook_inactive`).
    Inactive,
    /// Turned off by edgehook after failing too long, or on `410 Gone`: pending deliveries
    /// wait in JetStream until the client sets it `active` again; new events are not routed
    /// to it meanwhile.
    Disabled,
}

/// Which events, by the content of their `data`, a webhook wants.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TriggerConditions {
    /// Every condition must hold: a key names a field of `data` (dots reach nested ones),
    /// optionally suffixed by an operator: `amount_gt`, `_gte`, `_lt`, `_lte` (a number),
    /// `currency_in` (a list of values), `currency_ne` (absent or different), none (equal).
    #[serde(default)]
    #[schema(value_type = Object, examples(json!({"amount_gte": 1000, "currency_in": ["EUR", "USD"]})))]
    pub filters: Filters,
}

/// How a failed delivery is retried: `initial_delay_ms * backoff_multiplier^(n-1)`, capped.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
#[schema(default)]
pub struct RetryConfig {
    /// Retries after the first attempt, 0 to 50; 0 means one attempt only.
    #[schema(maximum = 50)]
    pub max_retries: u32,
    /// 10 ms to 24 h.
    #[schema(minimum = 10, maximum = 86_400_000)]
    pub initial_delay_ms: u64,
    /// `initial_delay_ms` to 24 h.
    #[schema(minimum = 10, maximum = 86_400_000)]
    pub max_delay_ms: u64,
    /// 1.0 to 10.0.
    #[schema(minimum = 1.0, maximum = 10.0)]
    pub backoff_multiplier: f64,
}

/// The defaults spread ten retries over about a day (5 s, 20 s, 80 s ... capped at 6 h), close
/// to the Standard Webhooks schedule.
impl Default for RetryConfig {
    fn default() -> Self {
        Self {
            max_retries: 10,
            initial_delay_ms: 5_000,
            max_delay_ms: 6 * 3_600_000,
            backoff_multiplier: 4.0,
        }
    }
}

impl RetryConfig {
    pub const MAX_RETRIES: u32 = 50;
    const MIN_DELAY_MS: u64 = 10;
    const MAX_DELAY_MS: u64 = 24 * 3_600_000;

    pub fn validate(&self) -> Result<(), FieldError> {
        let out_of_range =
            |field: &str, message: String| Err(FieldError::new(field, "out_of_range", message));
        if self.max_retries > Self::MAX_RETRIES {
            return out_of_range("max_retries", format!("must be at most {}", Self::MAX_RETRIES));
        }
        if !(Self::MIN_DELAY_MS..=Self::MAX_DELAY_MS).contains(&self.initial_delay_ms) {
            return out_of_range(
                "initial_delay_ms",
                format!("must be between {} and {} ms", Self::MIN_DELAY_MS, Self::MAX_DELAY_MS),
            );
        }
        if !(self.initial_delay_ms..=Self::MAX_DELAY_MS).contains(&self.max_delay_ms) {
            return out_of_range(
                "max_delay_ms",
                format!("must be between initial_delay_ms and {} ms", Self::MAX_DELAY_MS),
            );
        }
        if !(1.0..=10.0).contains(&self.backoff_multiplier) {
            return out_of_range("backoff_multiplier", "must be between 1.0 and 10.0".into());
        }
        Ok(())
    }

    /// The wait before the next try, after attempt number `failed_attempt` (1-based) failed.
    pub fn delay_after(&self, failed_attempt: u32) -> Duration {
        let exponent = failed_attempt.saturating_sub(1).min(64) as i32;
        let delay_ms = self.initial_delay_ms as f64 * self.backoff_multiplier.powi(exponent);
        Duration::from_millis(delay_ms.min(self.max_delay_ms as f64) as u64)
    }

    /// Total attempts a delivery may get: the first and its retries.
    pub fn max_attempts(&self) -> u32 {
        self.max_retries + 1
    }
}

/// How fast the relays may call the endpoint, shared by a region's relays.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
#[schema(default)]
pub struct RateLimit {
    /// At least 1 (default 60,000: 1,000 a second).
    #[schema(minimum = 1)]
    pub requests_per_minute: u32,
}

/// 1,000 requests a second, the spec's default.
impl Default for RateLimit {
    fn default() -> Self {
        Self { requests_per_minute: 60_000 }
    }
}

impl RateLimit {
    pub fn validate(&self) -> Result<(), FieldError> {
        if self.requests_per_minute == 0 {
            return Err(FieldError::new("requests_per_minute", "out_of_range", "must be at least 1"));
        }
        Ok(())
    }
}

impl Webhook {
    /// The KV key of a webhook.
    pub fn key(client_id: &ClientId, id: &WebhookId) -> String {
        format!("{client_id}.{id}")
    }

    /// The KV key prefix of every webhook of a client.
    pub fn client_prefix(client_id: &ClientId) -> String {
        format!("{client_id}.")
    }

    /// The webhook as its next write stores it: the next [`Webhook::version`]. Every writer
    /// of the bucket calls it (the control plane's compare-and-set, a relay's auto-disable).
    pub fn revised(self) -> Self {
        Self { version: self.version + 1, ..self }
    }

    /// Does the client fetch its deliveries ([`Delivery::Poll`])?
    pub fn is_poll(&self) -> bool {
        self.delivery == Delivery::Poll
    }

    /// Is this copy at least as new as `version` (a task's [`crate::delivery::DeliveryTask::webhook_version`])?
    pub fn is_at_least(&self, version: u64) -> bool {
        self.version >= version
    }

    /// Every key (sealed) that signs a delivery made at `now`: the current one, then those
    /// retiring.
    pub fn signing_secrets(&self, now: OffsetDateTime) -> impl Iterator<Item = &str> {
        let retiring = self.retiring_secrets.iter().filter(move |key| key.retires_at > now);
        std::iter::once(self.signing_secret.as_str()).chain(retiring.map(|key| key.secret.as_str()))
    }

    /// Should `event` be delivered to this webhook?
    /// Operational events only where asked for by name, not by an empty list.
    fn selects_type(&self, event_type: &str) -> bool {
        if crate::operational::is_operational(event_type) && self.event_types.is_empty() {
            return false;
        }
        event_types::selects(&self.event_types, event_type)
    }

    pub fn wants(&self, event: &Event) -> bool {
        self.status == WebhookStatus::Active
            && event.client_id == self.client_id
            && self.selects_type(&event.event_type)
            && self.trigger_conditions.filters.matches_data(&event.data)
    }

    /// The FIFO lane `event` takes to this webhook; `None` when it is not FIFO.
    pub fn fifo_lane(&self, event: &Event) -> Option<u32> {
        self.ordering.is_fifo().then(|| ordering::lane(self.ordering_key.as_deref(), &event.data))
    }

    /// The tier `event` is delivered in to this webhook: the event's own, else the webhook's.
    pub fn tier_of(&self, event: &Event) -> Priority {
        event.priority.unwrap_or(self.priority)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_delays_grow_exponentially_and_stop_at_the_cap() {
        let config = RetryConfig {
            max_retries: 5,
            initial_delay_ms: 1_000,
            max_delay_ms: 5_000,
            backoff_multiplier: 2.0,
        };
        let delays: Vec<u64> = (1..=5).map(|n| config.delay_after(n).as_millis() as u64).collect();
        assert_eq!(delays, [1_000, 2_000, 4_000, 5_000, 5_000]);
    }

    #[test]
    fn out_of_range_retry_settings_name_their_field() {
        let config = RetryConfig { max_delay_ms: 1, ..RetryConfig::default() };
        assert_eq!(config.validate().unwrap_err().field, "max_delay_ms");
        let config = RetryConfig { max_retries: 1_000, ..RetryConfig::default() };
        assert_eq!(config.validate().unwrap_err().field, "max_retries");
        assert!(RetryConfig::default().validate().is_ok());
    }
}
