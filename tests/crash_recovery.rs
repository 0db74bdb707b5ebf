//! What a crash can leave half-done is finished (or harmless) once the service runs again.
//!
//! Why these tests store the half-done state themselves: a kill between two particular writes
//! cannot be timed from outside, but the state it leaves can be written exactly, straight to
//! JetStream, in a running `edgehook up`; then the services meet it as they would after the
//! crash. Each test counts what the receiver got: at most a duplicate, never a loss.
//! - a relay killed between storing a parked schedule and acknowledging the task
//!   (`relay/src/settlement/parking.rs`);
//! - a redrive killed between publishing the task and deleting the dead letter
//!   (`control-plane/src/handlers/dead_letters.rs`);
//! - the control plane killed between the write that enables a webhook edgehook disabled and
//!   the replay of what it missed (`control-plane/src/handlers/webhooks.rs`, which also says why
//!   a region move has no half-done state).

use edgehook_testkit as support;

use std::time::Duration;

use async_nats::jetstream;
use edgehook_domain::delivery::{DeadLetter, DeadLetterReason, DeliveryTask};
use edgehook_domain::event::Event;
use edgehook_domain::ids::{ClientId, MessageId, WebhookId};
use edgehook_domain::priority::Priority;
use edgehook_domain::webhook::{Webhook, WebhookStatus};
use edgehook_nats::subjects;
use edgehook_nats::tasks::TaskPublisher;
use edgehook_relay::settlement::parking::ParkedCopy;
use reqwest::Method;
use serde_json::{Value, json};
use support::{Api, Reply, World};

/// The hub's JetStream, with the services' login.
async fn hub(world: &World) -> jetstream::Context {
    jetstream::new(support::connect_service(&world.up.credentials.nats_service_url).await)
}

fn ids(world: &World, webhook: &Value) -> (ClientId, WebhookId) {
    (world.client_id.parse().unwrap(), webhook["webhook_id"].as_str().unwrap().parse().unwrap())
}

/// A delivery task of a new event for `webhook`, as the router makes one.
fn task(client: &ClientId, webhook: &WebhookId, event_id: &str) -> DeliveryTask {
    let now = edgehook_domain::now();
    DeliveryTask {
        webhook_id: webhook.clone(),
        event: Event {
            message_id: MessageId::generate(),
            event_id: event_id.to_owned(),
            event_type: "payment.succeeded".to_owned(),
            client_id: client.clone(),
            source_id: "src_00000000000000000000000000".parse().unwrap(),
            data: json!({"amount": 7}).into(),
            timestamp: now,
            version: "1.0".to_owned(),
            accepted_at: now,
            priority: None,
        },
        priority: Priority::Standard,
        attempts_before: 0,
        webhook_version: 0,
    }
}

/// Changes the stored webhook as a write of edgehook's does: one version more, compare-and-set.
async fn rewrite(kv: &jetstream::kv::Store, key: &str, change: impl FnOnce(&mut Webhook)) {
    let entry = kv.entry(key).await.unwrap().unwrap();
    let mut stored: Webhook = serde_json::from_slice(&entry.value).unwrap();
    change(&mut stored);
    let stored = Webhook { updated_at: edgehook_domain::now(), ..stored.revised() };
    kv.update(key, serde_json::to_vec(&stored).unwrap().into(), entry.revision).await.unwrap();
}

#[tokio::test]
async fn a_relay_killed_after_parking_a_task_before_acking_it_delivers_the_task_once() {
    let world = World::start().await;
    // The first attempt fails; the retry 6 s later (a wait long enough to park) succeeds.
    world.receiver.script("/parked", vec![Reply::Status(503), Reply::Status(200)]);
    let webhook = world
        .webhook(
            "/parked",
            json!({"retry_config": {"max_retries": 5, "initial_delay_ms": 6000, "max_delay_ms": 6000, "backoff_multiplier": 1.0}}),
        )
        .await;
    let (client, webhook_id) = ids(&world, &webhook);
    let hub = hub(&world).await;

    // The half-done state: the task in DELIVERIES, not acknowledged, and the schedule the
    // killed relay stored for it (an attempt made, back in 8 s).
    let task = task(&client, &webhook_id, "evt_parked");
    let subject = subjects::delivery("local", Priority::Standard, &client, &webhook_id);
    let stored =
        hub.publish(subject, serde_json::to_vec(&task).unwrap().into()).await.unwrap().await.unwrap();
    let until = edgehook_domain::now() + Duration::from_secs(8);
    let parked = ParkedCopy::of("local", &task, stored.sequence, 1, until);
    hub.publish_with_headers(parked.subject, parked.headers, parked.payload.into())
        .await
        .unwrap()
        .await
        .unwrap();

    // The running relay gets the task (for it, the redelivery after the crash): it attempts
    // (503) and parks again, replacing the schedule; the one schedule left fires once (200).
    world.receiver.wait_for_within("/parked", 2, Duration::from_secs(40)).await;
    let received = world.receiver.after_quiet("/parked", Duration::from_secs(12)).await;
    assert_eq!(received.len(), 2, "one attempt and one parked copy, not a second copy of the schedule");
    assert!(received.iter().all(|request| request.json()["event_id"] == "evt_parked"));
}

#[tokio::test]
async fn a_redrive_killed_between_publishing_and_deleting_sends_the_dead_letter_once() {
    let world = World::start().await;
    let webhook = world.webhook("/redriven", json!({})).await;
    let (client, webhook_id) = ids(&world, &webhook);
    let hub = hub(&world).await;

    let letter = DeadLetter {
        task: task(&client, &webhook_id, "evt_dead"),
        reason: DeadLetterReason::RetriesExhausted,
        attempts: 4,
        last_status_code: Some(500),
        last_error: None,
        dead_lettered_at: edgehook_domain::now(),
        broke_order: false,
    };
    let subject = subjects::dead_letter("local", &client, &webhook_id);
    let stored =
        hub.publish(subject, serde_json::to_vec(&letter).unwrap().into()).await.unwrap().await.unwrap();

    // The half-done redrive: its task published (as the control plane does), the dead letter
    // not deleted.
    let kv = hub.get_key_value("webhooks").await.unwrap();
    let entry = kv.get(Webhook::key(&client, &webhook_id)).await.unwrap().unwrap();
    let current: Webhook = serde_json::from_slice(&entry).unwrap();
    TaskPublisher::new(hub.clone())
        .redriven(&current, &letter, stored.sequence)
        .await
        .stored()
        .await
        .unwrap();
    world.receiver.wait_for("/redriven", 1).await;
    assert_eq!(world.api.dead_letters(&world.token, webhook_id.as_str()).await.len(), 1);

    // The client redrives again: the task is the same one (DELIVERIES drops it as a
    // duplicate), and the dead letter goes.
    let path = format!("/api/v1/webhooks/{webhook_id}/dead-letters/redrive");
    let (status, answer) = world.api.call(Method::POST, &path, Some(&world.token), None).await;
    assert_eq!((status, answer["redriven"].clone()), (200, json!(1)), "{answer}");
    assert!(world.api.dead_letters(&world.token, webhook_id.as_str()).await.is_empty());
    let received = world.receiver.after_quiet("/redriven", Duration::from_secs(5)).await;
    assert_eq!(received.len(), 1, "the redriven dead letter is delivered once");
}

#[tokio::test]
async fn a_control_plane_killed_after_enabling_a_webhook_replays_what_it_missed_when_it_starts() {
    let mut world = World::start().await;
    let webhook = world.webhook("/missed", json!({})).await;
    let (client, webhook_id) = ids(&world, &webhook);
    let key = Webhook::key(&client, &webhook_id);
    let hub = hub(&world).await;
    let kv = hub.get_key_value("webhooks").await.unwrap();
    // edgehook disables it (as a relay's auto-disable does); an event passes it by.
    let disabled_at = edgehook_domain::now();
    rewrite(&kv, &key, |webhook| {
        webhook.status = WebhookStatus::Disabled;
        webhook.disabled_reason = Some("failing for 3 days".to_owned());
        webhook.disabled_at = Some(disabled_at);
    })
    .await;
    world.send("evt_missed", "payment.succeeded", json!({"n": 1})).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(world.receiver.received("/missed").is_empty(), "a disabled webhook gets nothing");

    // The client enables it again; the control plane stores the enabling write, marked, and
    // is killed before it replays.
    rewrite(&kv, &key, |webhook| {
        webhook.status = WebhookStatus::Active;
        webhook.disabled_reason = None;
        webhook.disabled_at = None;
        webhook.missed_since = Some(disabled_at);
    })
    .await;

    world.up.restart().await;
    let received = world.receiver.wait_for("/missed", 1).await;
    assert_eq!(received[0].json()["event_id"], "evt_missed");
    support::eventually("the replay's mark cleared", || async {
        let entry = kv.get(&key).await.unwrap().unwrap();
        let stored: Webhook = serde_json::from_slice(&entry).unwrap();
        stored.missed_since.is_none().then_some(())
    })
    .await;

    // Delivered once, and what comes after goes as usual.
    let api = Api::new(&world.up.credentials);
    let event = support::event(&world.client_id, "evt_after", "payment.succeeded", json!({}));
    let (status, answer) = api.ingest(&world.source, &event).await;
    assert_eq!(status, 202, "{answer}");
    world.receiver.wait_for("/missed", 2).await;
    let received = world.receiver.after_quiet("/missed", Duration::from_secs(5)).await;
    let ids: Vec<Value> = received.iter().map(|request| request.json()["event_id"].clone()).collect();
    assert_eq!(ids, [json!("evt_missed"), json!("evt_after")]);
}
