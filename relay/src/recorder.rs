//! Recording: every attempt to the region's ATT stream, every give-up to its DLQ stream, each
//! acknowledged by JetStream before the delivery task itself is acknowledged. The hub sources
//! both, so its history covers every region, and a region records while the hub is away.

use async_nats::jetstream;
use edgehook_domain::delivery::{AttemptRecord, DeadLetter};
use edgehook_nats::subjects;
use serde::Serialize;

#[derive(Clone)]
pub struct Recorder {
    jetstream: jetstream::Context,
    region: String,
}

impl Recorder {
    pub fn new(jetstream: jetstream::Context, region: String) -> Self {
        Self { jetstream, region }
    }

    pub async fn attempt(&self, record: &AttemptRecord) -> Result<(), async_nats::Error> {
        let subject =
            subjects::attempt(&self.region, &record.client_id, &record.webhook_id, &record.event_id);
        self.publish(subject, record).await
    }

    pub async fn dead_letter(&self, letter: &DeadLetter) -> Result<(), async_nats::Error> {
        let subject =
            subjects::dead_letter(&self.region, &letter.task.event.client_id, &letter.task.webhook_id);
        self.publish(subject, letter).await
    }

    async fn publish(&self, subject: String, value: &impl Serialize) -> Result<(), async_nats::Error> {
        let payload = serde_json::to_vec(value).expect("records serialize");
        self.jetstream.publish(subject, payload.into()).await?.await?;
        Ok(())
    }
}
