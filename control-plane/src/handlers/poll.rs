//! Polling endpoints: `GET /api/v1/webhooks/{id}/poll` and `POST /api/v1/webhooks/{id}/poll/ack`,
//! for a webhook with `"delivery": "poll"`, whose client takes no inbound connection.
//!
//! A poll webhook's tasks are routed like any other (`edgehook_nats::tasks`), on
//! `deliveries.<region>.poll.<client>.<webhook>`, in its region's delivery stream (`DLV_<r>`
//! in the region's JetStream domain, reached from the hub through the leaf link; the hub's
//! DELIVERIES for a co-located region). No relay reads that subject: the webhook's durable pull
//! consumer `poll-<webhook>` does (`edgehook_nats::streams::poll_consumer`), made or updated
//! here when a poll first needs it, with the webhook's visibility timeout as its `ack_wait`.
//!
//! - **A poll** pulls what is there (up to `max`); when nothing is, it waits (`wait`) for one
//!   task and then takes what else is there. Each task is rendered and signed by the relay's own
//!   [`Sender::render`](edgehook_relay::sender::Sender::render) (the same body, Standard
//!   Webhooks headers and JWE as an HTTP delivery, signed now), and each fetch is an attempt,
//!   recorded on `rgn.<region>.attempts.<client>.<webhook>` like a relay's records
//!   (`retrying`, `next_attempt_at` when it becomes visible again) before the answer is sent:
//!   if the records cannot be stored the tasks are put back and the poll answers 503.
//! - **The attempt** is the task's attempts before (a task forwarded by a relay carries them)
//!   plus JetStream's delivery count. A task fetched once more than the webhook's retry budget
//!   (`retry_config.max_retries` + 1 fetches) is dead-lettered (`retries_exhausted`, in
//!   DEAD_LETTERS like a relay's, so it can be redriven) instead of being answered; a task
//!   that cannot be rendered (a key that does not open) is dead-lettered `rejected`.
//! - **An ack id** is the delivery's JetStream ack subject, base64url: opaque to the client,
//!   checked before anything is acknowledged to name this webhook's stream and consumer (one
//!   id that does not refuses the whole request, 400). Acknowledging is JetStream's `+ACK` to
//!   that subject (a request, so JetStream confirms it). JetStream acknowledges by the task's
//!   stream sequence: acking twice is harmless, and an id whose visibility timeout passed still
//!   acknowledges its task if nobody acknowledged it since (it may have been polled again
//!   meanwhile: at least once).
//! - **A poll abandoned** (its client gone) while it waits may take a task JetStream hands it
//!   after the client left: that task comes back after the visibility timeout, counted as an
//!   attempt but with no record.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use async_nats::jetstream::consumer::PullConsumer;
use async_nats::jetstream::message::Message;
use async_nats::jetstream::{self, AckKind};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use bytes::Bytes;
use edgehook_domain::delivery::{AttemptOutcome, AttemptRecord, DeadLetter, DeadLetterReason, DeliveryTask};
use edgehook_domain::ids::{ClientId, WebhookId};
use edgehook_domain::validation::{FieldError, parse_json};
use edgehook_domain::webhook::{Delivery, Webhook};
use edgehook_nats::region::Region;
use edgehook_nats::{attempt_log, streams, subjects};
use edgehook_service::api_error::{ApiError, ApiResult, ErrorBody, json};
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use warp::http::StatusCode;

use super::owned_webhook;
use crate::AppState;

/// The most deliveries one poll answers (and one ack takes).
pub const MAX_BATCH: usize = 100;
const DEFAULT_BATCH: usize = 10;
/// The longest a poll waits for a delivery.
pub const MAX_WAIT: Duration = Duration::from_secs(30);
/// Bytes of tasks one poll pulls at most (events are at most 1 MB each).
const MAX_BATCH_BYTES: usize = 8 * 1024 * 1024;
/// How long the region has to answer a pull, an ack or a consumer's creation.
const REGION_PATIENCE: Duration = Duration::from_secs(5);
/// Dead letters of the relays count at most this many attempts; so do polls.
const MAX_ATTEMPTS: u32 = 200;

/// The poll webhooks' consumers this control plane has made or updated, with the visibility
/// timeout they were given.
#[derive(Default)]
pub struct PollQueues {
    consumers: Mutex<HashMap<WebhookId, (Duration, PullConsumer)>>,
}

/// `?max=&wait=` of a poll, as the OpenAPI document describes them.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct PollParams {
    /// Deliveries at most, 1 to 100 (default 10).
    #[param(minimum = 1, maximum = 100, default = 10, nullable = false)]
    max: Option<u32>,
    /// How long to wait when none is there: `20s`, `500ms` or seconds (`20`), at most `30s`
    /// (default `0`: answer at once).
    #[param(nullable = false, example = "20s")]
    wait: Option<String>,
}

/// What a poll answers.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PollAnswer {
    /// Oldest first (within a poll); empty when none came within `wait`.
    messages: Vec<PolledMessage>,
}

/// One delivery, as an HTTP delivery would have brought it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PolledMessage {
    /// What `POST /api/v1/webhooks/{id}/poll/ack` takes to acknowledge this delivery (valid for
    /// this webhook only).
    ack_id: String,
    event_id: String,
    event_type: String,
    /// This fetch's attempt number (1 for the first): a delivery not acknowledged within the
    /// visibility timeout is fetched again, as the next attempt.
    attempt: u32,
    /// The Standard Webhooks headers an HTTP delivery carries; the signature is over `body`.
    headers: DeliveryHeaders,
    /// The body exactly as signed: the event as JSON, or a JWE (compact) when the webhook
    /// encrypts its payload.
    body: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct DeliveryHeaders {
    /// The event's message id, the same on every attempt.
    #[serde(rename = "webhook-id")]
    webhook_id: String,
    /// Unix seconds, when it was signed (this fetch).
    #[serde(rename = "webhook-timestamp")]
    webhook_timestamp: String,
    /// `v1,<base64>` (HMAC) or `v1a,<base64>` (Ed25519), one per active key, space-separated.
    #[serde(rename = "webhook-signature")]
    webhook_signature: String,
    /// `application/json`, or `application/jose` for a whole-body JWE.
    #[serde(rename = "content-type")]
    content_type: &'static str,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AckRequest {
    /// The `ack_id`s of deliveries polled from this webhook, 1 to 100.
    #[schema(min_items = 1, max_items = 100)]
    ack_ids: Vec<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct AckAnswer {
    /// One per id, in the request's order.
    results: Vec<AckResult>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct AckResult {
    ack_id: String,
    /// `acknowledged`: JetStream confirmed it (also for an id acknowledged before, or one whose
    /// delivery was acknowledged since: it is gone either way); `unconfirmed`: JetStream did not
    /// answer (the region unreachable): send it again.
    result: AckOutcome,
}

#[derive(Clone, Copy, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum AckOutcome {
    Acknowledged,
    Unconfirmed,
}

/// Fetch deliveries of a poll webhook (long poll).
#[utoipa::path(
    get,
    path = "/api/v1/webhooks/{webhook_id}/poll",
    tag = "webhooks",
    params(("webhook_id" = WebhookId, Path), PollParams),
    security(("client" = [])),
    responses(
        (status = 200, description = "Up to `max` deliveries, as soon as at least one is there; none after `wait`.", body = PollAnswer),
        (status = 400, description = "`max` or `wait` out of range (`out_of_range`) or not understood (`invalid`).", body = ErrorBody),
        (status = 403, description = "Not a client token (`forbidden`).", body = ErrorBody),
        (status = 409, description = "A push webhook (`not_a_poll_webhook`).", body = ErrorBody),
    )
)]
pub async fn poll(
    id: WebhookId,
    state: AppState,
    client: ClientId,
    query: HashMap<String, String>,
) -> ApiResult {
    let (max, wait) = parse_query(&query)?;
    let webhook = poll_webhook(&state, &client, &id).await?;
    let (region, jetstream) = region_of(&state, &webhook)?;
    let consumer = consumer(&state, &webhook, region, &jetstream).await?;
    let fetched = match fetch(&consumer, max, wait).await {
        Ok(fetched) => fetched,
        Err(error) => {
            // The consumer may have been deleted under this control plane: made again next time.
            state.poll.consumers.lock().expect("poll consumers lock").remove(&webhook.id);
            return Err(ApiError::internal("polling the webhook's region", error));
        }
    };
    let now = edgehook_domain::now();
    let visible_again = now + webhook.poll.clone().unwrap_or_default().visibility_timeout();
    let mut answered = Vec::new();
    let mut records = Vec::new();
    for message in fetched {
        let Ok(task) = serde_json::from_slice::<DeliveryTask>(&message.payload) else {
            tracing::error!(subject = %message.subject, "unreadable delivery task dropped");
            let _ = message.ack_with(AckKind::Term).await;
            continue;
        };
        let delivered = message.info().map_or(1, |info| info.delivered.max(1) as u32);
        let attempt = task.attempts_before.saturating_add(delivered);
        let record = |outcome, error, next_attempt_at| AttemptRecord {
            message_id: task.event.message_id.clone(),
            event_id: task.event.event_id.clone(),
            event_type: task.event.event_type.clone(),
            webhook_id: webhook.id.clone(),
            client_id: webhook.client_id.clone(),
            attempt,
            attempted_at: now,
            status_code: None,
            latency_ms: 0,
            error,
            outcome,
            next_attempt_at,
            region: region.name.clone(),
        };
        if attempt > webhook.retry_config.max_attempts().min(MAX_ATTEMPTS) {
            let error = "not acknowledged within the visibility timeout".to_owned();
            let reason = DeadLetterReason::RetriesExhausted;
            dead_letter(&state, region, &message, task.clone(), reason, attempt - 1, error, now).await;
            continue;
        }
        match state.test_sender.render(&webhook, &task.event) {
            Ok(signed) => {
                records.push(record(AttemptOutcome::Retrying, None, Some(visible_again)));
                answered.push((message, task, signed, attempt));
            }
            Err(error) => {
                records.push(record(AttemptOutcome::Failed, Some(error.clone()), None));
                let reason = DeadLetterReason::Rejected;
                dead_letter(&state, region, &message, task.clone(), reason, attempt, error, now).await;
            }
        }
    }
    if !records.is_empty()
        && let Err(error) = record_attempts(&state, region, &webhook, &records).await
    {
        for (message, ..) in &answered {
            let _ = message.ack_with(AckKind::Nak(None)).await;
        }
        return Err(ApiError::internal("recording the poll's attempts", error));
    }
    let messages = answered
        .into_iter()
        .map(|(message, task, signed, attempt)| PolledMessage {
            ack_id: ack_id(&message),
            event_id: task.event.event_id,
            event_type: task.event.event_type,
            attempt,
            headers: DeliveryHeaders {
                webhook_id: signed.webhook_id,
                webhook_timestamp: signed.timestamp.to_string(),
                webhook_signature: signed.signature,
                content_type: signed.content_type,
            },
            body: String::from_utf8_lossy(&signed.body).into_owned(),
        })
        .collect();
    Ok(json(StatusCode::OK, &PollAnswer { messages }))
}

/// Acknowledge polled deliveries: they are not polled again.
#[utoipa::path(
    post,
    path = "/api/v1/webhooks/{webhook_id}/poll/ack",
    tag = "webhooks",
    params(("webhook_id" = WebhookId, Path)),
    request_body = AckRequest,
    security(("client" = [])),
    responses(
        (status = 200, description = "What became of each id.", body = AckAnswer),
        (status = 400, description = "`ack_ids` empty or over 100 (`out_of_range`), or one is not an ack id of \
            this webhook (`invalid`, field `ack_ids[<index>]`: nothing was acknowledged); the body \
            (`malformed_json`, `too_deep`, `duplicate_key`, `invalid`).", body = ErrorBody),
        (status = 403, description = "Not a client token (`forbidden`).", body = ErrorBody),
        (status = 409, description = "A push webhook (`not_a_poll_webhook`).", body = ErrorBody),
    )
)]
pub async fn ack(id: WebhookId, state: AppState, client: ClientId, body: Bytes) -> ApiResult {
    let webhook = poll_webhook(&state, &client, &id).await?;
    let request: AckRequest = parse_json(&body)?;
    if request.ack_ids.is_empty() || request.ack_ids.len() > MAX_BATCH {
        let message = format!("1 to {MAX_BATCH} ack ids a request");
        return Err(FieldError::new("ack_ids", "out_of_range", message).into());
    }
    let (region, _) = region_of(&state, &webhook)?;
    let (stream, consumer) = (region.deliveries_stream(), streams::poll_consumer_name(&webhook.id));
    let subjects = request
        .ack_ids
        .iter()
        .enumerate()
        .map(|(index, ack_id)| {
            ack_subject(ack_id, &stream, &consumer).ok_or_else(|| {
                FieldError::invalid(
                    format!("ack_ids[{index}]"),
                    "not an ack id of a delivery polled from this webhook",
                )
            })
        })
        .collect::<Result<Vec<String>, FieldError>>()?;
    let nats = state.contract.jetstream.client();
    let acks = subjects.into_iter().map(|subject| {
        let nats = nats.clone();
        async move {
            match tokio::time::timeout(REGION_PATIENCE, nats.request(subject, Bytes::from_static(b"+ACK")))
                .await
            {
                Ok(Ok(_)) => AckOutcome::Acknowledged,
                _ => AckOutcome::Unconfirmed,
            }
        }
    });
    let outcomes = futures::future::join_all(acks).await;
    let results = request
        .ack_ids
        .into_iter()
        .zip(outcomes)
        .map(|(ack_id, result)| AckResult { ack_id, result })
        .collect();
    Ok(json(StatusCode::OK, &AckAnswer { results }))
}

/// What a PATCH may not change: a webhook's `delivery`, and a poll webhook's region (its
/// queue stays in the region it was made in; `None`: the default region).
pub fn check_patch(
    state: &AppState,
    stored: &Webhook,
    delivery: Delivery,
    region: Option<&str>,
) -> Result<(), ApiError> {
    let region = region.unwrap_or(&state.default_region);
    if delivery != stored.delivery {
        let message = "`delivery` is set when a webhook is made: make a new webhook to change it";
        return Err(FieldError::invalid("delivery", message).into());
    }
    if stored.is_poll() && region != stored.region {
        let message =
            "a poll webhook's region is set when it is made: make a new webhook in the other region";
        return Err(FieldError::invalid("region", message).into());
    }
    Ok(())
}

/// A poll webhook was deleted: its consumer goes, and what was queued for it with it.
/// Failures are logged: the webhook is gone either way, and nothing reads the subject again.
pub async fn forget(state: &AppState, webhook: &Webhook) {
    if !webhook.is_poll() {
        return;
    }
    state.poll.consumers.lock().expect("poll consumers lock").remove(&webhook.id);
    let Ok((region, jetstream)) = region_of(state, webhook) else { return };
    let cleanup = async {
        let stream = jetstream.get_stream_no_info(region.deliveries_stream()).await?;
        let _ = stream.delete_consumer(&streams::poll_consumer_name(&webhook.id)).await;
        let subject = subjects::poll(&region.name, &webhook.client_id, &webhook.id);
        stream.purge().filter(subject).await?;
        Ok::<(), async_nats::Error>(())
    };
    match tokio::time::timeout(REGION_PATIENCE, cleanup).await {
        Ok(Ok(())) => {}
        Ok(Err(error)) => tracing::warn!(webhook_id = %webhook.id, %error, "removing a poll webhook's queue"),
        Err(_) => {
            tracing::warn!(webhook_id = %webhook.id, "removing a poll webhook's queue: its region did not answer")
        }
    }
}

/// `max` (1 to [`MAX_BATCH`]) and `wait` (at most [`MAX_WAIT`]).
fn parse_query(query: &HashMap<String, String>) -> Result<(usize, Duration), ApiError> {
    let max = match query.get("max") {
        None => DEFAULT_BATCH,
        Some(raw) => match raw.parse::<usize>() {
            Ok(max @ 1..=MAX_BATCH) => max,
            Ok(_) => {
                return Err(
                    FieldError::new("max", "out_of_range", format!("must be 1 to {MAX_BATCH}")).into()
                );
            }
            Err(_) => return Err(FieldError::invalid("max", format!("a number, 1 to {MAX_BATCH}")).into()),
        },
    };
    let wait = match query.get("wait") {
        None => Duration::ZERO,
        Some(raw) => parse_wait(raw).ok_or_else(|| {
            FieldError::invalid("wait", "a duration: `20s`, `500ms` or a number of seconds")
        })?,
    };
    if wait > MAX_WAIT {
        return Err(FieldError::new("wait", "out_of_range", "at most 30s").into());
    }
    Ok((max, wait))
}

fn parse_wait(raw: &str) -> Option<Duration> {
    let number =
        |digits: &str| (!digits.is_empty() && digits.len() <= 9).then(|| digits.parse::<u64>().ok())?;
    if let Some(millis) = raw.strip_suffix("ms") {
        return number(millis).map(Duration::from_millis);
    }
    number(raw.strip_suffix('s').unwrap_or(raw)).map(Duration::from_secs)
}

/// The caller's webhook, which must be a poll webhook.
async fn poll_webhook(state: &AppState, client: &ClientId, id: &WebhookId) -> Result<Webhook, ApiError> {
    let webhook = owned_webhook(state, client, id).await?;
    if !webhook.is_poll() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "not_a_poll_webhook",
            "this webhook's deliveries are POSTed to its callback URL (`delivery`: `push`); only a poll webhook is polled",
        ));
    }
    Ok(Webhook::clone(&webhook))
}

/// The webhook's region and the JetStream its delivery stream is in, from the hub.
fn region_of<'a>(
    state: &'a AppState,
    webhook: &Webhook,
) -> Result<(&'a Region, jetstream::Context), ApiError> {
    let region = state.regions.iter().find(|region| region.name == webhook.region).ok_or_else(|| {
        ApiError::internal("finding the webhook's region", format!("no region {}", webhook.region))
    })?;
    let jetstream = match region.is_co_located() {
        true => state.contract.jetstream.clone(),
        false => jetstream::with_domain(state.contract.jetstream.client(), &region.domain),
    };
    Ok((region, jetstream))
}

/// The webhook's consumer, made (or its visibility timeout updated) when this control plane
/// first needs it.
async fn consumer(
    state: &AppState,
    webhook: &Webhook,
    region: &Region,
    jetstream: &jetstream::Context,
) -> Result<PullConsumer, ApiError> {
    let visibility = webhook.poll.clone().unwrap_or_default().visibility_timeout();
    if let Some((made_with, consumer)) =
        state.poll.consumers.lock().expect("poll consumers lock").get(&webhook.id)
        && *made_with == visibility
    {
        return Ok(consumer.clone());
    }
    let config = streams::poll_consumer(region, &webhook.client_id, &webhook.id, visibility);
    let create = jetstream.create_consumer_on_stream(config, region.deliveries_stream());
    let consumer = match tokio::time::timeout(REGION_PATIENCE, create).await {
        Ok(Ok(consumer)) => consumer,
        Ok(Err(error)) => return Err(ApiError::internal("opening the webhook's queue", error)),
        Err(_) => return Err(region_unreachable(region)),
    };
    state
        .poll
        .consumers
        .lock()
        .expect("poll consumers lock")
        .insert(webhook.id.clone(), (visibility, consumer.clone()));
    Ok(consumer)
}

fn region_unreachable(region: &Region) -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "region_unavailable",
        format!("the webhook's region `{}` does not answer; try again", region.name),
    )
}

/// Up to `max` tasks: those there now; if none, the first to come within `wait` and those there
/// with it. The wait pulls one task only, so a poll never leaves tasks pulled but unanswered.
async fn fetch(
    consumer: &PullConsumer,
    max: usize,
    wait: Duration,
) -> Result<Vec<Message>, async_nats::Error> {
    let mut fetched = take_ready(consumer, max).await?;
    if fetched.is_empty() && !wait.is_zero() {
        let mut first = consumer.batch().max_messages(1).expires(wait).messages().await?;
        let arrived = tokio::time::timeout(wait + REGION_PATIENCE, first.next()).await.ok().flatten();
        if let Some(message) = arrived {
            fetched.push(message?);
            fetched.extend(take_ready(consumer, max - 1).await?);
        }
    }
    Ok(fetched)
}

/// What is there now, up to `max` (none when `max` is 0).
async fn take_ready(consumer: &PullConsumer, max: usize) -> Result<Vec<Message>, async_nats::Error> {
    if max == 0 {
        return Ok(Vec::new());
    }
    let mut batch = consumer.fetch().max_messages(max).max_bytes(MAX_BATCH_BYTES).messages().await?;
    let mut fetched = Vec::new();
    while let Some(message) = tokio::time::timeout(REGION_PATIENCE, batch.next()).await.ok().flatten() {
        fetched.push(message?);
    }
    Ok(fetched)
}

/// The fetches' attempt records, one message on the webhook's attempts subject, as a relay's
/// recorder writes them (stored before the poll answers).
async fn record_attempts(
    state: &AppState,
    region: &Region,
    webhook: &Webhook,
    records: &[AttemptRecord],
) -> Result<(), async_nats::Error> {
    let subject = subjects::attempt(&region.name, &webhook.client_id, &webhook.id);
    let ack = state.contract.jetstream.publish(subject, attempt_log::encode(records).into()).await?;
    tokio::time::timeout(REGION_PATIENCE, ack).await.map_err(|_| "no answer from the attempts stream")??;
    Ok(())
}

/// Gives a task up: its dead letter stored (as a relay stores one), then the task acknowledged.
/// Not stored: the task stays (it comes back after the visibility timeout and is tried again).
#[allow(clippy::too_many_arguments)]
async fn dead_letter(
    state: &AppState,
    region: &Region,
    message: &Message,
    task: DeliveryTask,
    reason: DeadLetterReason,
    attempts: u32,
    error: String,
    at: OffsetDateTime,
) {
    let letter = DeadLetter {
        task,
        reason,
        attempts,
        last_status_code: None,
        last_error: Some(error),
        dead_lettered_at: at,
        broke_order: false,
    };
    let stored = async {
        let store =
            edgehook_relay::recorder::store_dead_letter(&state.contract.jetstream, &region.name, &letter);
        tokio::time::timeout(REGION_PATIENCE, store)
            .await
            .map_err(|_| "no answer from the dead letters stream")??;
        Ok::<(), async_nats::Error>(())
    };
    match stored.await {
        Ok(()) => {
            if let Err(error) = message.ack().await {
                tracing::warn!(%error, "acknowledging a dead-lettered poll task");
            }
        }
        Err(error) => tracing::warn!(%error, "dead letter of a poll task not stored; it comes back"),
    }
}

/// The delivery's ack subject, without the `$JS.ACK.` every one starts with, base64url.
fn ack_id(message: &Message) -> String {
    let subject = message.reply.as_deref().unwrap_or_default();
    URL_SAFE_NO_PAD.encode(subject.strip_prefix("$JS.ACK.").unwrap_or(subject))
}

/// The ack subject an `ack_id` stands for, if it is one of `consumer` on `stream`: `<stream>.
/// <consumer>.<delivered>.<stream seq>.<consumer seq>.<time>.<pending>`, or the form with the
/// domain and account hash before them (and a token after), each token a plain one.
fn ack_subject(ack_id: &str, stream: &str, consumer: &str) -> Option<String> {
    let subject = String::from_utf8(URL_SAFE_NO_PAD.decode(ack_id).ok()?).ok()?;
    let tokens: Vec<&str> = subject.split('.').collect();
    let named = match tokens.len() {
        7 => 0,
        9 | 10 => 2,
        _ => return None,
    };
    let plain = |token: &&str| {
        !token.is_empty()
            && token.bytes().all(|byte| byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'-')
    };
    let numbers = &tokens[named + 2..named + 7];
    let ours = tokens[named] == stream && tokens[named + 1] == consumer;
    (ours
        && tokens.iter().all(plain)
        && numbers.iter().all(|token| token.bytes().all(|b| b.is_ascii_digit())))
    .then(|| format!("$JS.ACK.{subject}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ack_id_is_accepted_only_for_its_own_stream_and_consumer() {
        let encode = |subject: &str| URL_SAFE_NO_PAD.encode(subject);
        let v1 = "DLV_eu.poll-wh_1.1.42.7.1700000000000000000.3";
        assert_eq!(ack_subject(&encode(v1), "DLV_eu", "poll-wh_1"), Some(format!("$JS.ACK.{v1}")));
        assert_eq!(ack_subject(&encode(v1), "DLV_eu", "poll-wh_2"), None);
        assert_eq!(ack_subject(&encode(v1), "DLV_us", "poll-wh_1"), None);
        let v2 = "eu.ACCHASH.DLV_eu.poll-wh_1.1.42.7.1700000000000000000.3.abc";
        assert!(ack_subject(&encode(v2), "DLV_eu", "poll-wh_1").is_some());
        for forged in [
            "DLV_eu.poll-wh_1.1.42.7.*.3",
            "DLV_eu.poll-wh_1.1.42.7.>.3",
            "DLV_eu.poll-wh_1.x.42.7.1.3",
            "DLV_eu.poll-wh_1.1.42.7.1",
            "DLV_eu.poll-wh_1.1.42.7.1 3.4",
        ] {
            assert_eq!(ack_subject(&encode(forged), "DLV_eu", "poll-wh_1"), None, "{forged}");
        }
        assert_eq!(ack_subject("not base64!", "DLV_eu", "poll-wh_1"), None);
    }

    #[test]
    fn max_and_wait_are_bounded_and_waits_read_in_three_ways() {
        let query = |pairs: &[(&str, &str)]| -> HashMap<String, String> {
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
        };
        assert_eq!(parse_query(&query(&[])).unwrap(), (DEFAULT_BATCH, Duration::ZERO));
        assert_eq!(
            parse_query(&query(&[("max", "100"), ("wait", "20s")])).unwrap(),
            (100, Duration::from_secs(20))
        );
        assert_eq!(parse_query(&query(&[("wait", "500ms")])).unwrap().1, Duration::from_millis(500));
        assert_eq!(parse_query(&query(&[("wait", "3")])).unwrap().1, Duration::from_secs(3));
        for bad in [
            [("max", "0")],
            [("max", "101")],
            [("max", "x")],
            [("wait", "31s")],
            [("wait", "1h")],
            [("wait", "")],
        ] {
            assert!(parse_query(&query(&bad)).is_err(), "{bad:?}");
        }
    }
}
