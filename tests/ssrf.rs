//! Nothing a client registers may make edgehook reach inside the operator's network: refused at
//! registration, refused again at delivery (a DNS answer that changes in between), and no
//! redirect followed.

use edgehook_testkit as support;

use std::time::Duration;

use reqwest::Method;
use serde_json::json;
use support::topology::Guard;
use support::{Receiver, Reply, Topology, World};

const QUIET: Duration = Duration::from_secs(2);

#[tokio::test]
async fn registration_refuses_every_internal_address_class_and_says_which() {
    let guard =
        Guard { control_plane: vec!["--resolve".into(), "internal.test=10.0.0.5".into()], relay: vec![] };
    let topology = Topology::start_guarded(&["eu"], false, guard).await;
    let api = topology.api();
    let (_, token) = api.create_client("acme").await;
    for (url, class) in [
        ("https://127.0.0.1/hook", "loopback"),
        ("https://10.1.2.3/hook", "private"),
        ("https://172.16.5.4/hook", "private"),
        ("https://192.168.0.10/hook", "private"),
        ("https://169.254.169.254/latest/meta-data/", "cloud metadata"),
        ("https://169.254.10.1/hook", "link-local"),
        ("https://100.64.1.1/hook", "CGNAT"),
        ("https://224.0.0.1/hook", "multicast"),
        ("https://0.0.0.0/hook", "unspecified"),
        ("https://[::1]/hook", "loopback"),
        ("https://[fd00:ec2::254]/hook", "cloud metadata"),
        ("https://[fd12:3456::1]/hook", "private (unique local)"),
        ("https://[fe80::1]/hook", "link-local"),
        ("https://internal.test/hook", "private"),
    ] {
        let (status, answer) = api
            .call(Method::POST, "/api/v1/webhooks", Some(&token), Some(json!({"callback_url": url})))
            .await;
        assert_eq!(status, 400, "{url}: {answer}");
        assert_eq!(answer["error"]["code"], "forbidden_address", "{url}: {answer}");
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(message.contains(&format!("a {class} address")), "{url}: {message}");
    }
    let (status, answer) = api
        .call(
            Method::POST,
            "/api/v1/webhooks",
            Some(&token),
            Some(json!({"callback_url": "http://example.com/"})),
        )
        .await;
    assert_eq!((status, answer["error"]["code"].clone()), (400, json!("https_required")));
}

#[tokio::test]
async fn a_name_that_resolves_inside_by_delivery_time_is_refused_there_too() {
    let receiver = Receiver::start().await;
    let port = receiver.base_url.rsplit(':').next().unwrap().to_owned();
    // At registration rebind.test answers 127.0.0.2, a subnet the operator opened; by delivery
    // time it answers 127.0.0.1, which nobody opened.
    let guard = Guard {
        control_plane: vec![
            "--allow-http-callbacks".into(),
            "--allow-callback-subnet".into(),
            "127.0.0.2/32".into(),
            "--resolve".into(),
            "rebind.test=127.0.0.2".into(),
        ],
        relay: vec![
            "--allow-callback-subnet".into(),
            "127.0.0.2/32".into(),
            "--resolve".into(),
            "rebind.test=127.0.0.1".into(),
        ],
    };
    let topology = Topology::start_guarded(&["eu"], false, guard).await;
    let api = topology.api();
    let (client_id, token) = api.create_client("acme").await;
    let source = api.create_source(&["*"]).await;
    let webhook = api
        .create_webhook(
            &token,
            json!({"callback_url": format!("http://rebind.test:{port}/hook"), "region": "eu"}),
        )
        .await;
    let webhook_id = webhook["webhook_id"].as_str().unwrap();

    let (status, _) =
        api.ingest(&source, &support::event(&client_id, "evt_rebind", "order.created", json!({}))).await;
    assert_eq!(status, 202);
    let letters = support::eventually("the refused delivery dead-lettered", || async {
        let letters = api.dead_letters(&token, webhook_id).await;
        (!letters.is_empty()).then_some(letters)
    })
    .await;
    let error = letters[0]["last_error"].as_str().unwrap();
    assert!(error.contains("127.0.0.1") && error.contains("loopback"), "{error}");
    assert!(receiver.after_quiet("/hook", QUIET).await.is_empty(), "the request must never be made");
}

#[tokio::test]
async fn a_redirect_is_an_answer_never_a_hop() {
    let world = World::start().await;
    let internal = world.receiver.url("/internal");
    world.receiver.script("/redirect", vec![Reply::Redirect(internal)]);
    let webhook = world.webhook("/redirect", json!({})).await;
    let webhook_id = webhook["webhook_id"].as_str().unwrap();

    world.send("evt_redirect", "order.created", json!({})).await;
    let letters = support::eventually("the redirected delivery dead-lettered", || async {
        let letters = world.api.dead_letters(&world.token, webhook_id).await;
        (!letters.is_empty()).then_some(letters)
    })
    .await;
    assert_eq!(letters[0]["last_status_code"], 302);
    assert!(letters[0]["last_error"].as_str().unwrap().contains("redirects are not followed"));
    assert!(world.receiver.after_quiet("/internal", QUIET).await.is_empty(), "the redirect was followed");
}
