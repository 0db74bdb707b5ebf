//! Subjects stay bounded by clients and webhooks, never by events.
//!
//! Why: nats-server keeps memory for every distinct subject a stream holds (about 245 bytes
//! each, ../shared/notes/nats.md). A subject per event (as attempt records once had) makes a
//! server's memory grow with the history it keeps. This sends a few hundred events to two
//! webhooks of two clients and then asks every stream of the hub (and of a leaf region) how many
//! subjects it holds;
//! it also reads the attempt history back in small pages (cursors inside batches) for a webhook
//! and for one event.

use edgehook_testkit as support;

use std::collections::BTreeSet;

use async_nats::jetstream;
use futures::StreamExt;
use reqwest::Method;
use serde_json::{Value, json};
use support::{Api, World, event, eventually};

const EVENTS: usize = 150;

#[tokio::test]
async fn every_stream_holds_subjects_bounded_by_webhooks_not_events() {
    subjects_stay_bounded(World::start().await, &[]).await;
}

/// The same with a leaf region: its own streams (DLV_eu, PARK_eu, ATT_eu, DLQ_eu, the webhooks
/// mirror) are counted too, through its JetStream domain.
#[tokio::test]
async fn a_regions_streams_hold_subjects_bounded_by_webhooks_too() {
    subjects_stay_bounded(World::start_with(&["--regions", "eu"]).await, &["eu"]).await;
}

async fn subjects_stay_bounded(world: World, regions: &[&str]) {
    let first = world.webhook("/one", json!({})).await;
    let second = world.webhook("/two", json!({})).await;
    // A second client with a webhook of its own.
    let (other_client, other_token) = world.api.create_client("other").await;
    let other =
        world.api.create_webhook(&other_token, json!({"callback_url": world.receiver.url("/other")})).await;

    for (client, path) in [(&world.client_id, "/two"), (&other_client, "/other")] {
        let events: Vec<Value> = (0..EVENTS)
            .map(|n| event(client, &format!("evt_{n}"), "payment.succeeded", json!({"n": n})))
            .collect();
        for chunk in events.chunks(50) {
            let (status, body) = world.api.ingest_batch(&world.source, chunk).await;
            assert_eq!(status, 202, "{body}");
        }
        world.receiver.wait_for(path, EVENTS).await;
    }
    world.receiver.wait_for("/one", EVENTS).await;

    // Every attempt is in the history, read back 7 at a time.
    for (token, webhook) in [(&world.token, &first), (&world.token, &second), (&other_token, &other)] {
        let id = webhook["webhook_id"].as_str().unwrap();
        let path = format!("/api/v1/webhooks/{id}/deliveries?limit=7");
        let events = eventually("every attempt recorded", || async {
            let records = all_pages(&world.api, token, &path).await;
            let events: BTreeSet<String> =
                records.iter().map(|r| r["event_id"].as_str().unwrap().to_owned()).collect();
            (records.len() == EVENTS && events.len() == EVENTS).then_some(events)
        })
        .await;
        assert!(events.contains("evt_0"));
    }
    // One event's attempts: its client's two webhooks, not the other client's.
    let records = all_pages(&world.api, &world.token, "/api/v1/events/evt_3/deliveries?limit=1").await;
    let webhooks: BTreeSet<&str> = records.iter().map(|r| r["webhook_id"].as_str().unwrap()).collect();
    assert_eq!(
        webhooks,
        BTreeSet::from([first["webhook_id"].as_str().unwrap(), second["webhook_id"].as_str().unwrap()])
    );
    assert!(records.iter().all(|r| r["event_id"] == "evt_3" && r["outcome"] == "succeeded"));

    let client = support::connect_service(&world.up.credentials.nats_service_url).await;
    let mut domains = vec![jetstream::new(client.clone())];
    domains.extend(regions.iter().map(|region| jetstream::with_domain(client.clone(), *region)));
    let mut seen = Vec::new();
    for js in domains {
        count_subjects(&js, &mut seen).await;
    }
    assert!(seen.iter().any(|line| line.starts_with("ATTEMPTS:")), "{seen:?}");
    for region in regions {
        assert!(seen.iter().any(|line| line.starts_with(&format!("ATT_{region}:"))), "{seen:?}");
    }
    eprintln!("{seen:#?}");
}

/// Asserts each stream of `js`'s domain holds few subjects; notes what it saw in `seen`.
async fn count_subjects(js: &jetstream::Context, seen: &mut Vec<String>) {
    let mut names = js.stream_names();
    while let Some(name) = names.next().await {
        let name = name.unwrap();
        let mut stream = js.get_stream(&name).await.unwrap();
        let state = stream.info().await.unwrap().state.clone();
        seen.push(format!("{name}: {} subjects, {} messages", state.subjects_count, state.messages));
        // Two clients, three webhooks, three tiers, a few KV keys each: far below the events.
        assert!(
            state.subjects_count <= 20,
            "{name} holds {} subjects after {} events: {seen:?}",
            state.subjects_count,
            3 * EVENTS
        );
        if name.starts_with("ATT") {
            // Records of one webhook made within a few milliseconds share a message.
            assert!(state.messages < 3 * EVENTS as u64, "no attempt records were batched: {seen:?}");
        }
    }
}

/// Every record of a paged list, following `next_cursor`.
async fn all_pages(api: &Api, token: &str, path: &str) -> Vec<Value> {
    let mut records = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page_path = match &after {
            Some(cursor) => format!("{path}&after={cursor}"),
            None => path.to_owned(),
        };
        let (status, body) = api.call(Method::GET, &page_path, Some(token), None).await;
        assert_eq!(status, 200, "{page_path}: {body}");
        records.extend(body["data"].as_array().unwrap().iter().cloned());
        match body["next_cursor"].as_str() {
            Some(cursor) => after = Some(cursor.to_owned()),
            None => return records,
        }
    }
}
