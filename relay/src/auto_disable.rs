//! Disabling an endpoint that fails for too long (or answers 410 Gone): the relay sets the
//! webhook's status to `disabled` in the hub's `webhooks` bucket (a compare-and-set on the
//! revision it read, so a client's concurrent change wins) and publishes an
//! `endpoint.disabled` event for the client, which its notification webhooks receive like any
//! event. Deliveries already pending wait in JetStream until the client enables the webhook.
//!
//! Needs the hub: while it is away the disable is retried by the next failing attempt. Once
//! the webhook is disabled, its notice is published until stored (with a `Nats-Msg-Id`, so a
//! retry never makes two), for a minute at most.

use std::time::Duration;

use async_nats::jetstream::{self, message::PublishMessage};
use edgehook_domain::operational;
use edgehook_domain::webhook::{Webhook, WebhookStatus};
use edgehook_nats::streams::WEBHOOKS_BUCKET;
use edgehook_nats::subjects;

/// Compare-and-set attempts before giving up (another writer kept changing the webhook).
const CAS_ATTEMPTS: usize = 5;
/// Waits between attempts to publish the notice: about a minute in all.
const NOTICE_RETRIES: [Duration; 5] = [
    Duration::from_secs(2),
    Duration::from_secs(4),
    Duration::from_secs(8),
    Duration::from_secs(16),
    Duration::from_secs(30),
];

#[derive(Clone)]
pub struct AutoDisable {
    hub: jetstream::Context,
}

impl AutoDisable {
    pub fn new(hub: jetstream::Context) -> Self {
        Self { hub }
    }

    pub async fn disable(&self, webhook: &Webhook, reason: &str) -> Result<(), async_nats::Error> {
        let store = self.hub.get_key_value(WEBHOOKS_BUCKET).await?;
        let key = Webhook::key(&webhook.client_id, &webhook.id);
        for _ in 0..CAS_ATTEMPTS {
            let Some(entry) = store.entry(&key).await? else { return Ok(()) };
            let Ok(mut current) = serde_json::from_slice::<Webhook>(&entry.value) else { return Ok(()) };
            if current.status != WebhookStatus::Active {
                return Ok(());
            }
            let now = edgehook_domain::now();
            current.status = WebhookStatus::Disabled;
            current.disabled_reason = Some(reason.to_owned());
            current.disabled_at = Some(now);
            current.updated_at = now;
            let current = current.revised();
            let value = serde_json::to_vec(&current).expect("a webhook serializes");
            if store.update(&key, value.into(), entry.revision).await.is_err() {
                continue;
            }
            tracing::warn!(webhook_id = %webhook.id, reason, "endpoint disabled");
            metrics::counter!("edgehook_endpoints_disabled_total", "region" => current.region.clone())
                .increment(1);
            return self.notify(&current, reason, now).await;
        }
        Err(format!("webhook {} kept changing; not disabled this time", webhook.id).into())
    }

    async fn notify(
        &self,
        webhook: &Webhook,
        reason: &str,
        at: time::OffsetDateTime,
    ) -> Result<(), async_nats::Error> {
        let event = operational::endpoint_disabled(webhook, reason, at);
        let payload = bytes::Bytes::from(serde_json::to_vec(&event).expect("an event serializes"));
        let subject = subjects::event(&event.client_id);
        let mut waits = NOTICE_RETRIES.iter();
        loop {
            let publish = PublishMessage::build().payload(payload.clone()).message_id(event.dedup_id());
            let stored = match self.hub.send_publish(subject.clone(), publish).await {
                Ok(ack) => ack.await.map(|_| ()).map_err(async_nats::Error::from),
                Err(error) => Err(error.into()),
            };
            match (stored, waits.next()) {
                (Ok(()), _) => return Ok(()),
                (Err(error), Some(wait)) => {
                    tracing::warn!(webhook_id = %webhook.id, %error, "endpoint.disabled not stored yet; retrying");
                    tokio::time::sleep(*wait).await;
                }
                (Err(error), None) => return Err(error),
            }
        }
    }
}
