//! `/api/v1/webhooks`: a client registers, lists, reads, changes and deletes its webhooks.
//!
//! A webhook is stored in the `webhooks` KV bucket under `<client_id>.<webhook_id>`; relays see
//! a change as soon as JetStream delivers it to their local copy. PATCH is a JSON merge patch
//! (RFC 7396) over the editable fields, so `{"retry_config": {"max_retries": 3}}` changes one
//! setting and keeps the others. Each of its `event_types` must select a type of the event-type
//! catalogue once the catalogue has any ([`check_subscriptions`]).
//!
//! ## What a control plane killed mid-request leaves
//!
//! Every change is one compare-and-set write of the webhook's record; nothing else is written
//! beside it, with one exception below. So a crash leaves the change made or not made, and the
//! client's retry (which gets no answer, so it retries) makes it once.
//! - **A region move is that one write.** PATCH `{"region": "eu"}` writes the webhook with its
//!   new region and version; nothing is moved by the control plane. Tasks already queued in
//!   the old region move lazily: a relay there finds the webhook's region changed and forwards
//!   each task to the new region at the hub, acknowledging it only once the forwarded copy is
//!   stored (`edgehook_nats::tasks`: the id `<routed id>:to:<region>` makes a forward twice
//!   one task). Tasks routed after the write go to the new region directly. There is no
//!   half-done move to finish: killed before the write, nothing moved; after it, the move is
//!   complete and the relays carry it out, a relay killed mid-forward included.
//! - **Enabling a webhook edgehook disabled also replays what it missed**, a second effect.
//!   It used to be replayed before the write, with tasks waiting for the written version: a
//!   control plane killed in between left tasks that could only go once some later write
//!   reached that version, each holding a relay worker for its replication patience every
//!   time it came back. Now the enabling write carries [`Webhook::missed_since`], the replay
//!   follows and clears it: killed before the write, nothing happened (the retry does it all);
//!   killed after it (or the replay failed), [`finish_replays`] replays at the next start or
//!   within a minute (a retried PATCH too), with the router's own task ids, so an event
//!   replayed twice or also routed is one task. `tests/crash_recovery.rs` leaves that state.

use std::collections::HashMap;
use std::time::Duration;

use bytes::Bytes;
use edgehook_domain::endpoint_auth::{EndpointAuthRequest, EndpointAuthView};
use edgehook_domain::endpoint_health::EndpointHealth;
use edgehook_domain::event_types::{self, EventTypePattern};
use edgehook_domain::ids::{ClientId, WebhookId};
use edgehook_domain::ordering::{self, Ordering};
use edgehook_domain::priority::Priority;
use edgehook_domain::validation::{FieldError, parse_json};
use edgehook_domain::webhook::{
    Delivery, Encryption, PollSettings, RateLimit, RetryConfig, TriggerConditions, Webhook, WebhookStatus,
};
use edgehook_security::signatures::{self, Scheme, SigningKey};
use edgehook_service::api_error::{ApiError, ApiResult, ErrorBody, json};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;
use warp::http::StatusCode;
use warp::reply::Reply;

use super::event_types::check_subscriptions;
use super::replay::ReplayProgress;
use super::{PageParams, PageQuery, owned_webhook};
use crate::AppState;

const MAX_EVENT_TYPES: usize = 100;
const MAX_DESCRIPTION: usize = 512;

/// The 400 of a webhook's fields, with every code [`WebhookFields::validate`] and
/// [`parse_json`] can give.
const BAD_FIELDS: &str = "A field is wrong: the body (`malformed_json`, `too_deep`, `duplicate_key`, `required`, \
    `invalid`: a wrong type or an unknown field), `callback_url` (`invalid`, `https_required`, `unresolvable`, \
    `forbidden_address`), `region` (`unknown_region`), `event_types` (`invalid`, `unknown_event_type`), \
    `retry_config`, `rate_limit`, `poll` (`out_of_range`), `encryption`, `description`, `ordering`, `ordering_key`     (`invalid`), `auth` (`invalid`, `reserved_header`, and the URL codes for `auth.oauth2.token_url`);     `callback_url` is `required` for a push webhook and `invalid` for a poll one, `poll` `invalid` for a push one.";
/// [`BAD_FIELDS`] and what only a PATCH can get wrong.
const BAD_PATCH: &str = "A field is wrong: the body (`malformed_json`, `too_deep`, `duplicate_key`, `required`, \
    `invalid`: a wrong type, an unknown field, not an object), `callback_url` (`invalid`, `https_required`, \
    `unresolvable`, `forbidden_address`), `region` (`unknown_region`), `event_types` (`invalid`, \
    `unknown_event_type`), `retry_config`, `rate_limit` (`out_of_range`), `encryption`, `description`, \
    `signature` (`invalid`: it changes with `rotate-secret`), `delivery` (`invalid`: set at creation), `region`     (`invalid`: a poll webhook's region is set at creation), `ordering`, `ordering_key` (`invalid`), `auth`     (`invalid`, `reserved_header`, and the URL codes for `auth.oauth2.token_url`).";

/// The fields a client sets, on create and (merged with the current ones) on PATCH.
#[derive(Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookFields {
    /// Where deliveries are POSTed: an `https` URL (`http` only where the deployment allows
    /// it), at most 2,048 characters, whose host resolves to addresses deliveries may reach.
    /// Required for a `push` webhook; a `poll` webhook has none.
    #[serde(default)]
    #[schema(max_length = 2048, examples("https://example.com/webhooks"), nullable = false)]
    callback_url: Option<String>,
    /// `push` (default) or `poll` (the client fetches its deliveries: `GET
    /// /api/v1/webhooks/{id}/poll`). Set at creation: a PATCH cannot change it.
    #[serde(default)]
    delivery: Delivery,
    /// A `poll` webhook's settings (defaults apply); refused for a `push` webhook.
    #[serde(default)]
    #[schema(nullable = false)]
    poll: Option<PollSettings>,
    /// One of `GET /api/v1/regions`; default: the deployment's default region.
    #[serde(default)]
    region: Option<String>,
    /// At most 100 patterns: a type, `<prefix>.*` or `*`; each must select a type of the
    /// event-type catalogue once it has any. Empty: every type (but edgehook's own).
    #[serde(default)]
    #[schema(value_type = Vec<EventTypePattern>, max_items = 100)]
    event_types: Vec<String>,
    #[serde(default)]
    trigger_conditions: TriggerConditions,
    #[serde(default)]
    retry_config: RetryConfig,
    #[serde(default)]
    rate_limit: RateLimit,
    #[serde(default)]
    priority: Priority,
    /// `fifo`: deliveries one at a time, in the order ingest accepted the events, a failing one
    /// retried before the next goes (default `none`).
    #[serde(default)]
    ordering: Ordering,
    /// With `fifo`: a field of `data` (dots reach nested ones, e.g. `order_id`); the order is
    /// kept per value of it, and different values go in parallel (16 lanes).
    #[serde(default)]
    #[schema(max_length = 256, examples("order_id"))]
    ordering_key: Option<String>,
    /// Default `active`.
    #[serde(default = "active")]
    #[schema(default = "active")]
    status: WebhookStatus,
    /// Set at creation (default `hmac-sha256`); `rotate-secret` changes it.
    #[serde(default)]
    signature: Scheme,
    #[serde(default)]
    encryption: Option<Encryption>,
    /// How the relay authenticates to the endpoint (static headers, OAuth2 client credentials,
    /// mTLS); its secrets are sealed at rest and never shown again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    auth: Option<EndpointAuthRequest>,
    /// At most 512 bytes.
    #[serde(default)]
    #[schema(max_length = 512)]
    description: Option<String>,
}

/// A PATCH of a webhook: a JSON merge patch (RFC 7396) of [`WebhookFields`] (in the document
/// only; the handler merges the raw JSON). `null` removes a field (its default applies; the
/// default region for `region`); objects merge key by key.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct WebhookPatch {
    #[schema(max_length = 2048, nullable = false)]
    callback_url: Option<String>,
    /// Must stay the current one.
    delivery: Option<Delivery>,
    poll: Option<PollSettingsPatch>,
    region: Option<String>,
    #[schema(value_type = Option<Vec<EventTypePattern>>, max_items = 100)]
    event_types: Option<Vec<String>>,
    trigger_conditions: Option<TriggerConditionsPatch>,
    retry_config: Option<RetryConfigPatch>,
    rate_limit: Option<RateLimitPatch>,
    priority: Option<Priority>,
    ordering: Option<Ordering>,
    #[schema(max_length = 256)]
    ordering_key: Option<String>,
    status: Option<WebhookStatus>,
    /// Must stay the current scheme (`rotate-secret` changes it).
    signature: Option<Scheme>,
    encryption: Option<Encryption>,
    /// Replaces the whole `auth` (its secrets given again); `null` removes it; left out, the
    /// stored one (secrets included) is kept.
    auth: Option<EndpointAuthRequest>,
    #[schema(max_length = 512)]
    description: Option<String>,
}

/// A merge patch of [`TriggerConditions`] (document only): `filters` merges key by key, a
/// `null` value removes that condition.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct TriggerConditionsPatch {
    #[schema(value_type = Option<Object>)]
    filters: Option<Value>,
}

/// A merge patch of [`RetryConfig`] (document only): `null` puts a setting back to its default.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct RetryConfigPatch {
    #[schema(maximum = 50)]
    max_retries: Option<u32>,
    #[schema(minimum = 10, maximum = 86_400_000)]
    initial_delay_ms: Option<u64>,
    #[schema(minimum = 10, maximum = 86_400_000)]
    max_delay_ms: Option<u64>,
    #[schema(minimum = 1.0, maximum = 10.0)]
    backoff_multiplier: Option<f64>,
}

/// A merge patch of [`PollSettings`] (document only).
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct PollSettingsPatch {
    #[schema(minimum = 1000, maximum = 43_200_000)]
    visibility_timeout_ms: Option<u64>,
}

/// A merge patch of [`RateLimit`] (document only).
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct RateLimitPatch {
    #[schema(minimum = 1)]
    requests_per_minute: Option<u32>,
}

fn active() -> WebhookStatus {
    WebhookStatus::Active
}

impl WebhookFields {
    fn of(webhook: &Webhook) -> Self {
        Self {
            callback_url: (!webhook.is_poll()).then(|| webhook.callback_url.clone()),
            delivery: webhook.delivery,
            poll: webhook.poll.clone(),
            region: Some(webhook.region.clone()),
            event_types: webhook.event_types.clone(),
            trigger_conditions: webhook.trigger_conditions.clone(),
            retry_config: webhook.retry_config.clone(),
            rate_limit: webhook.rate_limit.clone(),
            priority: webhook.priority,
            ordering: webhook.ordering,
            ordering_key: webhook.ordering_key.clone(),
            status: webhook.status,
            signature: webhook.signature,
            encryption: webhook.encryption.clone(),
            // Its secrets are sealed: a PATCH keeps the stored `auth` unless it names one.
            auth: None,
            description: webhook.description.clone(),
        }
    }

    /// Checks everything but the URL's reachability; returns the normalised URL (empty for a
    /// poll webhook) and the region.
    async fn validate(&self, state: &AppState) -> Result<(String, String), FieldError> {
        let url = match (self.delivery, &self.callback_url) {
            (Delivery::Push, Some(url)) => state.callback_policy.check(url).await?.to_string(),
            (Delivery::Push, None) => {
                let message = "a push webhook needs the URL its deliveries are POSTed to";
                return Err(FieldError::new("callback_url", "required", message));
            }
            (Delivery::Poll, Some(_)) => {
                let message = "a poll webhook has no callback URL: its client fetches its deliveries";
                return Err(FieldError::invalid("callback_url", message));
            }
            (Delivery::Poll, None) => String::new(),
        };
        match (self.delivery, &self.poll) {
            (Delivery::Push, Some(_)) => {
                return Err(FieldError::invalid(
                    "poll",
                    "only a poll webhook (`delivery`: `poll`) has poll settings",
                ));
            }
            (_, Some(poll)) => poll.validate().map_err(|error| error.under("poll"))?,
            (_, None) => {}
        }
        let region = self.region.clone().unwrap_or_else(|| state.default_region.clone());
        if !state.regions.iter().any(|known| known.name == region) {
            let known: Vec<&str> = state.regions.iter().map(|known| known.name.as_str()).collect();
            return Err(FieldError::new(
                "region",
                "unknown_region",
                format!("no region `{region}`; regions are: {}", known.join(", ")),
            ));
        }
        if self.event_types.len() > MAX_EVENT_TYPES {
            return Err(FieldError::invalid("event_types", format!("at most {MAX_EVENT_TYPES} patterns")));
        }
        for (index, pattern) in self.event_types.iter().enumerate() {
            event_types::validate_pattern(pattern)
                .map_err(|message| FieldError::invalid(format!("event_types[{index}]"), message))?;
        }
        self.retry_config.validate().map_err(|error| error.under("retry_config"))?;
        self.rate_limit.validate().map_err(|error| error.under("rate_limit"))?;
        ordering::validate(self.ordering, self.ordering_key.as_deref())?;
        if self.auth.is_some() && self.delivery == Delivery::Poll {
            let message = "`auth` is how the relay authenticates to a callback URL; a poll webhook has none";
            return Err(FieldError::invalid("auth", message));
        }
        if self.ordering.is_fifo() && self.delivery == Delivery::Poll {
            let message =
                "FIFO ordering is for push deliveries; a poll webhook's client takes its queue in order";
            return Err(FieldError::invalid("ordering", message));
        }
        if let Some(encryption) = &self.encryption {
            edgehook_security::jwe::RecipientKey::from_jwk(&encryption.jwk)
                .map_err(|message| FieldError::invalid("jwk", message).under("encryption"))?;
            encryption.validate().map_err(|error| error.under("encryption"))?;
        }
        if self.description.as_ref().is_some_and(|text| text.len() > MAX_DESCRIPTION) {
            return Err(FieldError::invalid("description", format!("at most {MAX_DESCRIPTION} characters")));
        }
        Ok((url, region))
    }

    /// The poll settings to store: a poll webhook's, defaults filled in.
    fn poll_settings(&self) -> Option<PollSettings> {
        (self.delivery == Delivery::Poll).then(|| self.poll.clone().unwrap_or_default())
    }
}

/// A webhook as the API shows it; the signing secret only when it was just made.
#[derive(Serialize, utoipa::ToSchema)]
pub struct WebhookView<'a> {
    webhook_id: &'a WebhookId,
    client_id: &'a ClientId,
    /// `null` for a poll webhook.
    #[schema(required = true)]
    callback_url: Option<&'a str>,
    delivery: Delivery,
    /// A poll webhook's settings (absent for a push webhook).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    poll: Option<&'a PollSettings>,
    region: &'a str,
    #[schema(value_type = Vec<EventTypePattern>)]
    event_types: &'a [String],
    trigger_conditions: &'a TriggerConditions,
    retry_config: &'a RetryConfig,
    rate_limit: &'a RateLimit,
    priority: Priority,
    ordering: Ordering,
    /// A FIFO webhook's ordering key, if it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    ordering_key: Option<&'a str>,
    status: WebhookStatus,
    /// Why edgehook disabled it, when it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    disabled_reason: Option<&'a str>,
    /// What the relays last reported of the endpoint (only on `GET /api/v1/webhooks/{id}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    health: Option<EndpointHealth>,
    #[schema(required = true)]
    description: Option<&'a str>,
    /// Did the callback URL answer when it was registered or last changed?
    callback_url_verified: bool,
    signature: Scheme,
    #[schema(required = true)]
    encryption: Option<&'a Encryption>,
    /// The endpoint authentication, without its secrets.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    auth: Option<EndpointAuthView>,
    /// The `whpk_` key `v1a` signatures verify with (Ed25519 webhooks).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    public_key: Option<&'a str>,
    /// The `whsec_` secret (HMAC webhooks), only in the answer that made it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    signing_secret: Option<&'a str>,
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    updated_at: OffsetDateTime,
}

impl<'a> WebhookView<'a> {
    /// The view right after a key was made: with the HMAC secret, which is shown only then.
    pub(super) fn just_keyed(webhook: &'a Webhook, secret: &'a str) -> Self {
        let shared_secret = (webhook.signature == Scheme::HmacSha256).then_some(secret);
        Self { signing_secret: shared_secret, ..Self::of(webhook) }
    }

    fn of(webhook: &'a Webhook) -> Self {
        Self {
            webhook_id: &webhook.id,
            client_id: &webhook.client_id,
            callback_url: (!webhook.is_poll()).then_some(webhook.callback_url.as_str()),
            delivery: webhook.delivery,
            poll: webhook.poll.as_ref(),
            region: &webhook.region,
            event_types: &webhook.event_types,
            trigger_conditions: &webhook.trigger_conditions,
            retry_config: &webhook.retry_config,
            rate_limit: &webhook.rate_limit,
            priority: webhook.priority,
            ordering: webhook.ordering,
            ordering_key: webhook.ordering_key.as_deref(),
            status: webhook.status,
            disabled_reason: webhook.disabled_reason.as_deref(),
            health: None,
            description: webhook.description.as_deref(),
            callback_url_verified: webhook.callback_url_verified,
            signature: webhook.signature,
            encryption: webhook.encryption.as_ref(),
            auth: webhook.auth.as_ref().map(EndpointAuthView::from),
            public_key: webhook.public_key.as_deref(),
            signing_secret: None,
            created_at: webhook.created_at,
            updated_at: webhook.updated_at,
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct WebhookList<'a> {
    data: Vec<WebhookView<'a>>,
    /// `after` for the next page; `null` on the last.
    #[schema(required = true)]
    next_cursor: Option<&'a WebhookId>,
}

/// A webhook as changed by a PATCH, with the replay of what it missed when the PATCH enabled a
/// webhook edgehook had disabled.
#[derive(Serialize, utoipa::ToSchema)]
pub struct WebhookUpdated<'a> {
    #[serde(flatten)]
    webhook: WebhookView<'a>,
    /// The events routed past it while disabled, sent again (only when this PATCH enabled a
    /// webhook edgehook disabled).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    replay: Option<ReplayProgress>,
}

/// Register a webhook; the answer shows its signing secret (HMAC) once.
#[utoipa::path(
    post,
    path = "/api/v1/webhooks",
    tag = "webhooks",
    request_body = WebhookFields,
    security(("client" = []), ("portal" = [])),
    responses(
        (status = 201, description = "Created; `signing_secret` is shown only here and by `rotate-secret`.", body = WebhookView),
        (status = 400, description = BAD_FIELDS, body = ErrorBody),
        (status = 403, description = "Not a client token (`forbidden`).", body = ErrorBody),
    )
)]
pub async fn create(state: AppState, client: ClientId, body: Bytes) -> ApiResult {
    let fields: WebhookFields = parse_json(&body)?;
    let (callback_url, region) = fields.validate(&state).await?;
    check_subscriptions(&state, &fields.event_types, &[]).await?;
    let poll = fields.poll_settings();
    let auth = match fields.auth {
        Some(request) => Some(crate::endpoint_auth::sealed(&state, request).await?),
        None => None,
    };
    let now = edgehook_domain::now();
    let key = NewKey::generate(&state, fields.signature);
    let webhook = Webhook {
        id: WebhookId::generate(),
        client_id: client.clone(),
        callback_url_verified: !callback_url.is_empty() && reachable(&state, &callback_url).await,
        poll,
        delivery: fields.delivery,
        callback_url,
        region,
        event_types: fields.event_types,
        trigger_conditions: fields.trigger_conditions,
        retry_config: fields.retry_config,
        rate_limit: fields.rate_limit,
        priority: fields.priority,
        ordering: fields.ordering,
        ordering_key: fields.ordering_key,
        status: fields.status,
        signature: fields.signature,
        encryption: fields.encryption,
        auth,
        signing_secret: key.sealed,
        public_key: key.public_key,
        retiring_secrets: Vec::new(),
        description: fields.description,
        disabled_reason: None,
        disabled_at: None,
        missed_since: None,
        created_at: now,
        updated_at: now,
        version: 0,
    };
    let value = serde_json::to_vec(&webhook).expect("a webhook serializes");
    state
        .contract
        .webhooks
        .create(Webhook::key(&client, &webhook.id), value.into())
        .await
        .map_err(|error| ApiError::internal("storing the webhook", error))?;
    Ok(json(StatusCode::CREATED, &WebhookView::just_keyed(&webhook, &key.secret)))
}

/// The client's webhooks, by id (oldest first).
#[utoipa::path(
    get,
    path = "/api/v1/webhooks",
    tag = "webhooks",
    params(PageParams),
    security(("client" = []), ("portal" = [])),
    responses(
        (status = 200, description = "A page of webhooks.", body = WebhookList),
        (status = 400, description = "`limit` out of range (`out_of_range`) or `after` not a webhook id (`invalid`).", body = ErrorBody),
        (status = 403, description = "Not a client token (`forbidden`).", body = ErrorBody),
    )
)]
pub async fn list(
    state: AppState,
    client: ClientId,
    seeing: Option<Vec<WebhookId>>,
    query: HashMap<String, String>,
) -> ApiResult {
    let page = PageQuery::parse(&query)?;
    state.webhooks.sync().await.map_err(|error| ApiError::internal("reading webhooks", error))?;
    let after = page
        .after
        .as_deref()
        .map(|after| after.parse::<WebhookId>().map(|id| Webhook::key(&client, &id)))
        .transpose()
        .map_err(|_| {
            FieldError::invalid("after", "must be a webhook id (the next_cursor of the previous page)")
        })?;
    let mut webhooks = match seeing {
        None => state.webhooks.range(&Webhook::client_prefix(&client), after.as_deref(), page.limit + 1),
        // A portal session limited to a few webhooks (at most 100): those that exist, in order.
        Some(ids) => {
            let mut keys: Vec<String> = ids.iter().map(|id| Webhook::key(&client, id)).collect();
            keys.sort();
            let after = |key: &String| after.as_ref().is_none_or(|after| key > after);
            keys.iter()
                .filter(|key| after(key))
                .filter_map(|key| state.webhooks.get(key))
                .take(page.limit + 1)
                .collect()
        }
    };
    let more = webhooks.len() > page.limit;
    webhooks.truncate(page.limit);
    let list = WebhookList {
        data: webhooks.iter().map(|webhook| WebhookView::of(webhook)).collect(),
        next_cursor: if more { webhooks.last().map(|webhook| &webhook.id) } else { None },
    };
    Ok(json(StatusCode::OK, &list))
}

/// A webhook, with what the relays last reported of its endpoint.
#[utoipa::path(
    get,
    path = "/api/v1/webhooks/{webhook_id}",
    tag = "webhooks",
    params(("webhook_id" = WebhookId, Path)),
    security(("client" = []), ("portal" = [])),
    responses(
        (status = 200, description = "The webhook (`health` when a relay reported on it lately).", body = WebhookView),
        (status = 403, description = "Not a client token (`forbidden`).", body = ErrorBody),
    )
)]
pub async fn get(id: WebhookId, state: AppState, client: ClientId) -> ApiResult {
    let webhook = owned_webhook(&state, &client, &id).await?;
    let health = endpoint_health(&state, &client, &webhook.id).await;
    Ok(json(StatusCode::OK, &WebhookView { health, ..WebhookView::of(&webhook) }))
}

/// The relays' last report on the endpoint; none when it has not been delivered to lately
/// (or the report cannot be read: it is informative, the webhook is what was asked for).
async fn endpoint_health(state: &AppState, client: &ClientId, id: &WebhookId) -> Option<EndpointHealth> {
    let entry = state.contract.endpoint_health.get(Webhook::key(client, id)).await;
    match entry {
        Ok(Some(value)) => serde_json::from_slice(&value).ok(),
        Ok(None) => None,
        Err(error) => {
            tracing::warn!(%error, "reading endpoint health");
            None
        }
    }
}

/// Change a webhook (a JSON merge patch); enabling one edgehook disabled replays what it missed.
#[utoipa::path(
    patch,
    path = "/api/v1/webhooks/{webhook_id}",
    tag = "webhooks",
    params(("webhook_id" = WebhookId, Path)),
    request_body = WebhookPatch,
    security(("client" = []), ("portal" = [])),
    responses(
        (status = 200, description = "The webhook as changed (`replay` when it was enabled again).", body = WebhookUpdated),
        (status = 400, description = BAD_PATCH, body = ErrorBody),
        (status = 403, description = "Not a client token (`forbidden`).", body = ErrorBody),
        (status = 409, description = "The webhook changed meanwhile (`conflict`); send it again.", body = ErrorBody),
    )
)]
pub async fn update(id: WebhookId, state: AppState, client: ClientId, body: Bytes) -> ApiResult {
    let current = owned_webhook(&state, &client, &id).await?;
    let (stored, revision) = load_for_update(&state, &client, &current.id).await?;
    let patch: Value = parse_json(&body)?;
    if !patch.is_object() {
        return Err(
            FieldError::invalid("body", "a PATCH body is a JSON object of the fields to change").into()
        );
    }
    let keeps_auth = patch.get("auth").is_none();
    let mut merged = serde_json::to_value(WebhookFields::of(&stored)).expect("fields serialize");
    merge_patch(&mut merged, patch);
    let fields: WebhookFields = parse_json(&serde_json::to_vec(&merged).expect("JSON serializes"))?;
    super::poll::check_patch(&state, &stored, fields.delivery, fields.region.as_deref())?;
    let (callback_url, region) = fields.validate(&state).await?;
    check_subscriptions(&state, &fields.event_types, &stored.event_types).await?;
    if fields.signature != stored.signature {
        let message = "the signature scheme changes with POST /api/v1/webhooks/{id}/rotate-secret";
        return Err(FieldError::invalid("signature", message).into());
    }
    let poll = fields.poll_settings();
    // Not named: kept as stored (sealed); `null`: removed; given: replaced whole.
    let auth = match fields.auth {
        _ if keeps_auth => stored.auth.clone(),
        Some(request) => Some(crate::endpoint_auth::sealed(&state, request).await?),
        None => None,
    };
    let url_changed = callback_url != stored.callback_url;
    let missed_since = missed_since(&stored, fields.status);
    let webhook = Webhook {
        missed_since,
        callback_url_verified: if url_changed {
            reachable(&state, &callback_url).await
        } else {
            stored.callback_url_verified
        },
        poll,
        callback_url,
        region,
        event_types: fields.event_types,
        trigger_conditions: fields.trigger_conditions,
        retry_config: fields.retry_config,
        rate_limit: fields.rate_limit,
        priority: fields.priority,
        ordering: fields.ordering,
        ordering_key: fields.ordering_key,
        disabled_reason: stored.disabled_reason.clone().filter(|_| fields.status == WebhookStatus::Disabled),
        disabled_at: stored.disabled_at.filter(|_| fields.status == WebhookStatus::Disabled),
        status: fields.status,
        encryption: fields.encryption,
        auth,
        description: fields.description,
        updated_at: edgehook_domain::now(),
        ..stored
    }
    .revised();
    // Enabled again: what was routed past it while disabled is delivered now. The enabling
    // write records since when (`missed_since`), the replay follows and then clears it: a
    // failure or a crash in between leaves the mark, and the retry or the next start replays
    // again (with the same task ids: nothing made twice). The module doc says why this order.
    save_update(&state, &webhook, revision).await?;
    let (webhook, replayed) = match webhook.missed_since {
        Some(since) if webhook.status == WebhookStatus::Active => {
            let replayed = edgehook_router::replay::missed(&state.contract.jetstream, &webhook, since)
                .await
                .map_err(|error| ApiError::internal("replaying the events missed while disabled", error))?;
            (replayed_since(&state, &webhook, since).await?, Some(replayed))
        }
        _ => (webhook, None),
    };
    let answer =
        WebhookUpdated { webhook: WebhookView::of(&webhook), replay: replayed.map(ReplayProgress::from) };
    Ok(json(StatusCode::OK, &answer))
}

/// Delete a webhook; what is queued for it is dropped.
#[utoipa::path(
    delete,
    path = "/api/v1/webhooks/{webhook_id}",
    tag = "webhooks",
    params(("webhook_id" = WebhookId, Path)),
    security(("client" = []), ("portal" = [])),
    responses(
        (status = 204, description = "Deleted."),
        (status = 403, description = "Not a client token (`forbidden`).", body = ErrorBody),
    )
)]
pub async fn delete(id: WebhookId, state: AppState, client: ClientId) -> ApiResult {
    let webhook = owned_webhook(&state, &client, &id).await?;
    state
        .contract
        .webhooks
        .delete(Webhook::key(&client, &webhook.id))
        .await
        .map_err(|error| ApiError::internal("deleting the webhook", error))?;
    super::poll::forget(&state, &webhook).await;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// A signing key just made: the secret for the answer, sealed and public forms for storage.
pub(super) struct NewKey {
    pub secret: String,
    pub sealed: String,
    pub public_key: Option<String>,
}

impl NewKey {
    pub fn generate(state: &AppState, scheme: Scheme) -> Self {
        let secret = signatures::generate(scheme);
        let public_key = SigningKey::from_secret(&secret).ok().and_then(|key| key.public_key());
        Self { sealed: state.secrets.seal(&secret), public_key, secret }
    }
}

/// The stored webhook and its revision, for a write that must not overwrite another.
async fn load_for_update(
    state: &AppState,
    client: &ClientId,
    id: &WebhookId,
) -> Result<(Webhook, u64), ApiError> {
    let entry = state
        .contract
        .webhooks
        .entry(Webhook::key(client, id))
        .await
        .map_err(|error| ApiError::internal("reading the webhook", error))?
        .filter(|entry| entry.operation == async_nats::jetstream::kv::Operation::Put)
        .ok_or_else(|| ApiError::not_found("webhook"))?;
    let stored = serde_json::from_slice(&entry.value)
        .map_err(|error| ApiError::internal("reading the webhook", error))?;
    Ok((stored, entry.revision))
}

/// Writes `webhook` if it is still at `revision`; 409 if someone wrote in between. Every
/// change is [`Webhook::revised`] (one version more than the stored one) before it is written.
async fn save_update(state: &AppState, webhook: &Webhook, revision: u64) -> Result<(), ApiError> {
    let value = serde_json::to_vec(webhook).expect("a webhook serializes");
    let key = Webhook::key(&webhook.client_id, &webhook.id);
    state.contract.webhooks.update(key, value.into(), revision).await.map_err(|_| {
        ApiError::new(
            StatusCode::CONFLICT,
            "conflict",
            "the webhook changed while this request ran; send it again",
        )
    })?;
    Ok(())
}

/// Reads, changes and writes a webhook in one optimistic step.
pub(super) async fn store_update(
    state: &AppState,
    client: &ClientId,
    id: &WebhookId,
    change: impl FnOnce(Webhook) -> Webhook,
) -> Result<Webhook, ApiError> {
    let (stored, revision) = load_for_update(state, client, id).await?;
    let webhook = change(stored).revised();
    save_update(state, &webhook, revision).await?;
    Ok(webhook)
}

/// Since when `stored`, changed to `status`, has events to replay: since it was disabled, when
/// the change enables a webhook edgehook disabled; or since what an earlier enabling left to
/// replay (kept, whatever the status, until a replay clears it).
fn missed_since(stored: &Webhook, status: WebhookStatus) -> Option<OffsetDateTime> {
    let enabled_now = match (stored.status, status, stored.disabled_at) {
        (WebhookStatus::Disabled, WebhookStatus::Active, Some(disabled_at)) => Some(disabled_at),
        _ => None,
    };
    match (enabled_now, stored.missed_since) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The replay since `since` is stored: clears the mark, unless a later enabling changed it.
async fn replayed_since(
    state: &AppState,
    webhook: &Webhook,
    since: OffsetDateTime,
) -> Result<Webhook, ApiError> {
    store_update(state, &webhook.client_id, &webhook.id, |current| {
        let done = current.missed_since == Some(since);
        Webhook { missed_since: if done { None } else { current.missed_since }, ..current }
    })
    .await
}

/// How often [`finish_replays`] looks again, and how old a mark must be then (a younger one
/// is probably a PATCH still replaying).
const FINISH_EVERY: Duration = Duration::from_secs(30);

/// Finishes the replays an enabling write left marked ([`Webhook::missed_since`]: a control
/// plane killed between the write and the replay, or a replay that failed): at start every
/// marked active webhook, then every [`FINISH_EVERY`] those marked at least that long ago.
/// Each replay runs to its end (cursor after cursor); a failure is logged and tried again.
/// Several control planes may finish the same one: the task ids make it once.
pub async fn finish_replays(state: AppState) {
    let mut min_age = Duration::ZERO;
    loop {
        if let Err(error) = state.webhooks.sync().await {
            tracing::warn!(%error, "reading webhooks to finish their replays");
        }
        let now = edgehook_domain::now();
        let marked = state.webhooks.range("", None, usize::MAX).into_iter().filter(|webhook| {
            webhook.missed_since.is_some()
                && webhook.status == WebhookStatus::Active
                && now - webhook.updated_at >= min_age
        });
        for webhook in marked {
            let since = webhook.missed_since.expect("filtered");
            match finish_replay(&state, &webhook, since).await {
                Ok(replayed) => {
                    tracing::info!(webhook_id = %webhook.id, replayed, "finished replaying the events missed while disabled")
                }
                Err(error) => {
                    tracing::warn!(webhook_id = %webhook.id, %error, "finishing a replay failed; trying again later")
                }
            }
        }
        min_age = FINISH_EVERY;
        tokio::time::sleep(FINISH_EVERY).await;
    }
}

async fn finish_replay(state: &AppState, webhook: &Webhook, since: OffsetDateTime) -> Result<usize, String> {
    use edgehook_router::replay::{self, Cursor};
    let jetstream = &state.contract.jetstream;
    let mut step = replay::missed(jetstream, webhook, since).await.map_err(|error| error.to_string())?;
    let mut replayed = step.replayed;
    while let Some(cursor) = step.cursor.as_deref().and_then(Cursor::parse) {
        step = replay::resume(jetstream, webhook, cursor).await.map_err(|error| error.to_string())?;
        replayed += step.replayed;
    }
    replayed_since(state, webhook, since).await.map_err(|error| error.message)?;
    Ok(replayed)
}

async fn reachable(state: &AppState, callback_url: &str) -> bool {
    match url::Url::parse(callback_url) {
        Ok(url) => state.callback_policy.answers(&url).await,
        Err(_) => false,
    }
}

/// RFC 7396: objects merge key by key, `null` removes, anything else replaces.
pub(super) fn merge_patch(target: &mut Value, patch: Value) {
    match (target, patch) {
        (Value::Object(target), Value::Object(patch)) => {
            for (key, value) in patch {
                if value.is_null() {
                    target.remove(&key);
                } else {
                    merge_patch(target.entry(key).or_insert(Value::Null), value);
                }
            }
        }
        (target, patch) => *target = patch,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use time::macros::datetime;

    use super::*;

    #[test]
    fn an_enabling_write_marks_what_to_replay_and_the_mark_stays_until_replayed() {
        let disabled_at = datetime!(2026-11-30 01:00:00 UTC);
        let webhook = |status, disabled_at, missed_since| {
            let mut webhook: Webhook = serde_json::from_value(json!({
                "id": WebhookId::generate(), "client_id": ClientId::generate(),
                "callback_url": "https://example.com/hook", "event_types": [], "trigger_conditions": {},
                "retry_config": {}, "rate_limit": {}, "status": "active", "signing_secret": "sealed",
                "description": null, "callback_url_verified": true,
                "created_at": "2026-11-30T00:00:00Z", "updated_at": "2026-11-30T00:00:00Z",
            }))
            .unwrap();
            webhook.status = status;
            webhook.disabled_at = disabled_at;
            webhook.missed_since = missed_since;
            webhook
        };
        let disabled = webhook(WebhookStatus::Disabled, Some(disabled_at), None);
        assert_eq!(missed_since(&disabled, WebhookStatus::Active), Some(disabled_at));
        assert_eq!(missed_since(&disabled, WebhookStatus::Disabled), None);
        // Disabled by the client (no `disabled_at`): nothing was routed past it by edgehook.
        assert_eq!(missed_since(&webhook(WebhookStatus::Disabled, None, None), WebhookStatus::Active), None);
        // Left marked by a control plane killed after the enabling write: any change keeps it.
        let marked = webhook(WebhookStatus::Active, None, Some(disabled_at));
        assert_eq!(missed_since(&marked, WebhookStatus::Active), Some(disabled_at));
        assert_eq!(missed_since(&marked, WebhookStatus::Inactive), Some(disabled_at));
        assert_eq!(missed_since(&webhook(WebhookStatus::Active, None, None), WebhookStatus::Active), None);
    }

    #[test]
    fn a_merge_patch_changes_only_what_it_names() {
        let mut target =
            json!({"retry_config": {"max_retries": 5, "initial_delay_ms": 1000}, "status": "active"});
        merge_patch(&mut target, json!({"retry_config": {"max_retries": 3}, "description": "x"}));
        assert_eq!(
            target,
            json!({"retry_config": {"max_retries": 3, "initial_delay_ms": 1000}, "status": "active", "description": "x"})
        );
        merge_patch(&mut target, json!({"description": null}));
        assert!(target.get("description").is_none());
    }
}
