//! Several relays sharing one region's work: what one relay keeps about a task must not
//! outlive the task when another relay finishes it.

use edgehook_testkit as support;

use std::time::Duration;

use serde_json::{Value, json};
use support::{Reply, Topology};

/// The value of the series `series` (`name{labels}` as exported, or the start of it) of the
/// service at `admin`, summed over the series it starts (`None`: none exported).
async fn metric(admin: &str, series: &str) -> Option<f64> {
    let metrics = reqwest::get(format!("{admin}/metrics")).await.ok()?.text().await.ok()?;
    let values: Vec<f64> = metrics
        .lines()
        .filter(|line| line.starts_with(series))
        .filter_map(|line| line.rsplit(' ').next()?.parse().ok())
        .collect();
    (!values.is_empty()).then(|| values.iter().sum())
}

/// How many tasks the relays at `admins` count deferrals of (`None`: a relay does not say).
async fn deferred_tasks_tracked(admins: &[String]) -> Option<f64> {
    let mut tracked = 0.0;
    for admin in admins {
        tracked += metric(admin, "edgehook_deferred_tasks_tracked{").await?;
    }
    Some(tracked)
}

#[tokio::test]
async fn deferral_counts_of_tasks_another_relay_finished_are_forgotten() {
    let mut topology = Topology::start(&["eu"], false).await;
    // Two relays with one slow delivery in flight per endpoint each: the rest are deferred,
    // come back to either relay, and most are finished by the relay that did not defer them
    // last, which never tells the other.
    let admins = topology.replace_relays("eu", 2, &["--concurrency", "4", "--endpoint-window", "1"]).await;
    let api = topology.api();
    let (client_id, token) = api.create_client("acme").await;
    let source = api.create_source(&["*"]).await;
    let receiver = support::Receiver::start().await;
    receiver.script("/slow", vec![Reply::Hang(Duration::from_millis(300))]);
    api.create_webhook(&token, json!({"callback_url": receiver.url("/slow"), "region": "eu"})).await;
    let events: Vec<Value> = (0..30)
        .map(|n| support::event(&client_id, &format!("evt-{n}"), "order.created", json!({"n": n})))
        .collect();
    let (status, body) = api.ingest_batch(&source, &events).await;
    assert_eq!(status, 202, "{body}");
    receiver.wait_for_within("/slow", 30, Duration::from_secs(60)).await;
    let mut deferred = 0.0;
    for admin in &admins {
        deferred += metric(admin, "edgehook_deliveries_deferred_total{").await.unwrap_or_default();
    }
    eprintln!("{deferred} deferrals");

    // Every task is done, yet the relays still count deferrals of some (each relay sweeps
    // every 5 s)...
    let tracked = support::eventually_within(
        "the relays to count deferrals of tasks the other one finished",
        Duration::from_secs(15),
        || async { deferred_tasks_tracked(&admins).await.filter(|tracked| *tracked > 0.0) },
    )
    .await;
    eprintln!("deferral counts kept once every task was delivered: {tracked}");
    // ...until about the consumer's ack wait after they were due back, when they expire.
    support::eventually_within("the relays to forget them", Duration::from_secs(60), || async {
        deferred_tasks_tracked(&admins).await.filter(|tracked| *tracked == 0.0)
    })
    .await;
}
