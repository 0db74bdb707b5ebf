//! The consumer portal in a real browser: `edgehook up` serves the app at `/portal/`, the test
//! mints portal links with the admin token as the SaaS's backend would, and Debian's Chromium,
//! driven by playwright-core (`portal/e2e/*.mjs`, one scenario a script), does what a customer
//! does and checks what the pages show. This side sets the stage (clients, webhooks, events, a
//! receiver whose answers it scripts) and checks the effects through the API and the receiver.
//!
//! Needs `make portal` (portal/node_modules and portal/dist) and Chromium at /usr/bin/chromium
//! (`make chromium`); without them the tests fail saying so. Screenshots of the main pages go
//! to `target/portal-screenshots/` (and to `docs/portal/` with EDGEHOOK_PORTAL_DOCS=1, to refresh
//! the README's).

use edgehook_testkit as support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};
use support::{Reply, World};

const CHROMIUM: &str = "/usr/bin/chromium";
/// A scenario that takes longer has hung (each of its steps gives up after 20 s).
const SCENARIO_PATIENCE: Duration = Duration::from_secs(180);

fn portal_dir() -> PathBuf {
    support::project_root().join("portal")
}

/// The app and its browser tests must be built, and Chromium there: a test that cannot run
/// fails with what to do, never skips.
fn require_portal_built() {
    let dir = portal_dir();
    assert!(
        dir.join("node_modules/playwright-core").is_dir(),
        "portal/node_modules is missing: run `make portal` (cd portal && npm ci && npm run build)"
    );
    assert!(
        dir.join("dist/index.html").is_file(),
        "portal/dist is missing: run `make portal` (cd portal && npm ci && npm run build)"
    );
    assert!(
        Path::new(CHROMIUM).exists(),
        "no Chromium at {CHROMIUM}: run `make chromium` (apt-get install chromium)"
    );
}

/// Runs `node portal/e2e/<scenario>.mjs` with `input` (JSON in PORTAL_E2E); asserts it passed
/// and returns what it found (its `PORTAL_E2E_RESULT` line).
async fn browse(scenario: &str, mut input: Value) -> Value {
    let root = support::project_root();
    input["screenshots"] = json!(root.join("target/portal-screenshots").to_string_lossy());
    if std::env::var("EDGEHOOK_PORTAL_DOCS").is_ok_and(|value| value == "1") {
        input["docs_screenshots"] = json!(root.join("docs/portal").to_string_lossy());
    }
    let script = portal_dir().join("e2e").join(format!("{scenario}.mjs"));
    let started = Instant::now();
    let child = tokio::process::Command::new("node")
        .arg(&script)
        .current_dir(&root)
        .env("PORTAL_E2E", input.to_string())
        .env("CHROMIUM", CHROMIUM)
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(SCENARIO_PATIENCE, child)
        .await
        .unwrap_or_else(|_| panic!("{scenario} did not finish within {SCENARIO_PATIENCE:?}"))
        .unwrap_or_else(|error| {
            panic!("node could not run {}: {error} (is Node installed?)", script.display())
        });
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    eprintln!("[{:>6} ms] browser scenario {scenario}\n{stdout}{stderr}", started.elapsed().as_millis());
    assert!(output.status.success(), "browser scenario {scenario} failed:\n{stdout}\n{stderr}");
    stdout
        .lines()
        .rev()
        .find_map(|line| line.strip_prefix("PORTAL_E2E_RESULT "))
        .map(|json| serde_json::from_str(json).unwrap())
        .unwrap_or(Value::Null)
}

/// Mints a portal link for `client_id` with the admin token; returns its URL.
async fn portal_link(world: &World, client_id: &str, options: Value) -> String {
    let (status, link) = world
        .api
        .call(
            Method::POST,
            &format!("/api/v1/clients/{client_id}/portal-links"),
            Some(&world.api.admin_token),
            Some(options),
        )
        .await;
    assert_eq!(status, 201, "{link}");
    let code = link["code"].as_str().expect("the link's code");
    let url = link["url"].as_str().expect("the link's url");
    assert_eq!(url, format!("{}/portal/#code={code}", world.api.control_plane), "{link}");
    assert_eq!(link["client_id"], client_id);
    url.to_owned()
}

/// The catalogue the add form offers: two order types, the first with an example (what a test
/// send delivers).
async fn catalogue(world: &World) {
    for body in [
        json!({"name": "order.created", "description": "An order was placed",
               "examples": [{"order_id": "ord_example", "amount": 1200}]}),
        json!({"name": "order.shipped", "description": "An order left the warehouse"}),
    ] {
        let (status, answer) = world
            .api
            .call(Method::POST, "/api/v1/event-types", Some(&world.api.admin_token), Some(body))
            .await;
        assert_eq!(status, 201, "{answer}");
    }
}

async fn webhook_of(world: &World, token: &str, webhook_id: &str) -> Value {
    let (status, webhook) =
        world.api.call(Method::GET, &format!("/api/v1/webhooks/{webhook_id}"), Some(token), None).await;
    assert_eq!(status, 200, "{webhook}");
    webhook
}

/// The requests `path` received for `event_id` that it answered `status`.
fn received_for(world: &World, path: &str, event_id: &str, status: u16) -> usize {
    world
        .receiver
        .received(path)
        .iter()
        .filter(|request| request.status == status && request.json()["event_id"] == event_id)
        .count()
}

#[tokio::test]
async fn a_customer_adds_an_endpoint_with_the_keyboard_tests_it_and_rotates_its_secret() {
    require_portal_built();
    let world = World::start().await;
    catalogue(&world).await;
    let callback_url = world.receiver.url("/portal-hook");

    // Added in the browser, with the keyboard only; a test event sent from the page.
    let url = portal_link(&world, &world.client_id, json!({})).await;
    let added = browse(
        "add_endpoint",
        json!({"url": url, "callback_url": callback_url, "event_type": "order.created"}),
    )
    .await;
    let webhook_id = added["webhook_id"].as_str().unwrap();
    let first_secret = added["secret"].as_str().unwrap();

    // The endpoint really exists, as the form said, for this client.
    let webhook = webhook_of(&world, &world.token, webhook_id).await;
    assert_eq!(webhook["client_id"], world.client_id.as_str());
    assert_eq!(webhook["callback_url"], callback_url.as_str());
    assert_eq!(webhook["event_types"], json!(["order.created"]));
    assert_eq!(webhook["description"], "Orders service");
    assert_eq!(webhook["status"], "active");

    // The test event reached the receiver, signed with the secret the page showed.
    let test_event = &world.receiver.wait_for("/portal-hook", 1).await[0];
    assert_eq!(test_event.json()["event_type"], "order.created");
    assert_eq!(test_event.json()["data"]["order_id"], "ord_example");
    assert!(
        support::verifiers::standard_webhooks(first_secret, test_event),
        "the test event does not verify with the secret the portal showed"
    );

    // Rotated in the browser with no overlap: the next delivery verifies with the new secret
    // the page showed, and no longer with the old one.
    let url = portal_link(&world, &world.client_id, json!({})).await;
    let rotated = browse(
        "rotate_secret",
        json!({"url": url, "webhook_id": webhook_id, "callback_url": callback_url, "old_secret": first_secret}),
    )
    .await;
    let new_secret = rotated["secret"].as_str().unwrap();
    assert_ne!(new_secret, first_secret);
    world.send("evt_after_rotation", "order.created", json!({"order_id": "ord_1"})).await;
    let deliveries = world.receiver.wait_for("/portal-hook", 2).await;
    let delivery =
        deliveries.iter().find(|request| request.json()["event_id"] == "evt_after_rotation").unwrap();
    assert!(support::verifiers::standard_webhooks(new_secret, delivery), "the new secret does not verify");
    assert!(!support::verifiers::standard_webhooks(first_secret, delivery), "the old secret still verifies");

    // Managed in the browser: settings, pause and resume, an encryption key, Ed25519; another
    // endpoint deleted.
    let doomed = world.webhook("/doomed", json!({"description": "to delete"})).await;
    let doomed_id = doomed["webhook_id"].as_str().unwrap();
    let (made, key) = support::verifiers::run_python("jose.py", &json!({"make": "X25519"}));
    assert!(made, "jwcrypto made no key");
    let public_jwk = serde_json::from_str::<Value>(&key).unwrap()["public"].clone();
    let url = portal_link(&world, &world.client_id, json!({})).await;
    let managed = browse(
        "manage_endpoint",
        json!({"url": url, "webhook_id": webhook_id, "callback_url": callback_url, "jwk": public_jwk,
               "doomed_webhook_id": doomed_id, "doomed_callback_url": world.receiver.url("/doomed")}),
    )
    .await;
    let public_key = managed["public_key"].as_str().unwrap();
    let webhook = webhook_of(&world, &world.token, webhook_id).await;
    assert_eq!(webhook["description"], "Orders service (v2)");
    assert_eq!(webhook["retry_config"]["max_retries"], 5);
    assert_eq!(webhook["trigger_conditions"]["filters"], json!({"amount_gt": 100}));
    assert_eq!(webhook["event_types"], json!(["order.created", "order.shipped"]));
    assert_eq!(webhook["status"], "active");
    assert_eq!(webhook["signature"], "ed25519");
    assert_eq!(webhook["public_key"], public_key);
    assert_eq!(webhook["encryption"]["jwk"]["x"], public_jwk["x"]);
    assert_eq!(webhook["encryption"]["fields"], json!(["card.number"]));
    let (status, _) =
        world.api.call(Method::GET, &format!("/api/v1/webhooks/{doomed_id}"), Some(&world.token), None).await;
    assert_eq!(status, 404, "the endpoint deleted in the portal still exists");

    // The next delivery: signed with the Ed25519 key the page showed, the card number encrypted.
    world
        .send(
            "evt_after_manage",
            "order.shipped",
            json!({"amount": 200, "card": {"number": "4242424242424242"}}),
        )
        .await;
    let deliveries = world.receiver.wait_for("/portal-hook", 3).await;
    let delivery =
        deliveries.iter().find(|request| request.json()["event_id"] == "evt_after_manage").unwrap();
    assert!(
        support::verifiers::ed25519(public_key, delivery),
        "the Ed25519 key the portal showed does not verify"
    );
    assert!(
        !String::from_utf8_lossy(&delivery.body).contains("4242424242424242"),
        "the card number went in clear"
    );
}

#[tokio::test]
async fn a_customer_sees_a_failing_endpoint_resends_and_redrives_its_dead_letters_also_on_a_phone() {
    require_portal_built();
    let world = World::start().await;
    catalogue(&world).await;
    world.receiver.script("/failing", vec![Reply::Status(500)]);
    let webhook = world
        .webhook(
            "/failing",
            json!({
                "description": "Billing",
                "retry_config": {"max_retries": 1, "initial_delay_ms": 100, "max_delay_ms": 1000, "backoff_multiplier": 2.0},
            }),
        )
        .await;
    let webhook_id = webhook["webhook_id"].as_str().unwrap();
    let callback_url = world.receiver.url("/failing");
    let events = ["evt_fail_1", "evt_fail_2"];
    world.send(events[0], "order.created", json!({"order_id": events[0], "amount": 1200})).await;
    world.send(events[1], "order.shipped", json!({"order_id": events[1]})).await;

    // Both gave up after two attempts answered 500, which the history and the health show.
    support::eventually("both events to be dead letters", || async {
        (world.api.dead_letters(&world.token, webhook_id).await.len() == 2).then_some(())
    })
    .await;
    support::eventually("the four attempts in the history", || async {
        (world.api.attempts_of_webhook(&world.token, webhook_id).await.len() >= 4).then_some(())
    })
    .await;
    support::eventually("the endpoint's health to show failures", || async {
        let webhook = webhook_of(&world, &world.token, webhook_id).await;
        (webhook["health"]["failure_ratio"].as_f64().unwrap_or(0.0) > 0.0).then_some(())
    })
    .await;

    // The endpoint works again; the customer resends one event, redrives the dead letters and
    // replays the last hour.
    world.receiver.script("/failing", vec![Reply::Status(200)]);
    let url = portal_link(&world, &world.client_id, json!({})).await;
    browse(
        "failing_endpoint",
        json!({"url": url, "webhook_id": webhook_id, "callback_url": callback_url,
               "event_ids": events, "event_type": "order.created"}),
    )
    .await;

    // The first event three times (resent, redriven alone, replayed), the second twice (redrive
    // all, replayed).
    support::eventually("the resent and redriven events to be delivered", || async {
        (received_for(&world, "/failing", events[0], 200) >= 3
            && received_for(&world, "/failing", events[1], 200) >= 2)
            .then_some(())
    })
    .await;
    assert!(world.api.dead_letters(&world.token, webhook_id).await.is_empty());

    // The same pages on a phone-sized screen.
    let url = portal_link(&world, &world.client_id, json!({})).await;
    browse("phone", json!({"url": url, "webhook_id": webhook_id, "callback_url": callback_url})).await;
}

#[tokio::test]
async fn links_are_read_only_scoped_to_their_client_and_webhooks_and_used_once() {
    require_portal_built();
    let world = World::start().await;
    let own = world.webhook("/a", json!({})).await;
    let own_id = own["webhook_id"].as_str().unwrap();
    let unlisted = world.webhook("/a2", json!({"description": "not in the limited link"})).await;
    let unlisted_id = unlisted["webhook_id"].as_str().unwrap();
    let (other_client, other_token) = world.api.create_client("globex").await;
    let other =
        world.api.create_webhook(&other_token, json!({"callback_url": world.receiver.url("/b")})).await;
    let other_id = other["webhook_id"].as_str().unwrap();
    assert_ne!(other_client, world.client_id);
    world.send("evt_seen", "order.created", json!({"order_id": "ord_1"})).await;
    world.receiver.wait_for("/a", 1).await;
    support::eventually("the attempt in the history", || async {
        (!world.api.attempts_of_webhook(&world.token, own_id).await.is_empty()).then_some(())
    })
    .await;

    // Read-only: no control, and changes sent anyway are refused; nothing changed.
    let before = webhook_of(&world, &world.token, own_id).await;
    let url = portal_link(&world, &world.client_id, json!({"read_only": true})).await;
    browse("read_only", json!({"url": url, "webhook_id": own_id, "callback_url": world.receiver.url("/a")}))
        .await;
    let after = webhook_of(&world, &world.token, own_id).await;
    assert_eq!(after["status"], "active");
    assert_eq!(after["description"], before["description"]);
    assert_eq!(after["updated_at"], before["updated_at"], "a read-only session changed the webhook");

    // Client A's links never show client B's webhook; a limited link shows only its own. A has
    // more endpoints than a page holds.
    for n in 0..20 {
        world.webhook(&format!("/more-{n}"), json!({})).await;
    }
    let url = portal_link(&world, &world.client_id, json!({})).await;
    let limited = portal_link(&world, &world.client_id, json!({"webhooks": [own_id]})).await;
    browse(
        "isolation",
        json!({"url": url, "limited_url": limited, "own_webhook_id": own_id,
               "other_client_webhook_id": other_id, "unlisted_webhook_id": unlisted_id, "endpoints": 22}),
    )
    .await;
    assert_eq!(webhook_of(&world, &other_token, other_id).await["status"], "active");

    // A link works once and only for its lifetime.
    let expired = portal_link(&world, &world.client_id, json!({"link_ttl_seconds": 1})).await;
    let once = portal_link(&world, &world.client_id, json!({})).await;
    tokio::time::sleep(Duration::from_millis(2_100)).await; // past the 1 s link lifetime
    browse(
        "expired_link",
        json!({"url": once, "expired_url": expired, "portal": format!("{}/portal/", world.api.control_plane)}),
    )
    .await;
}

#[tokio::test]
async fn the_portal_shows_in_a_frame_only_of_the_origins_the_operator_lists() {
    require_portal_built();
    let listed = support::free_port();
    let unlisted = std::iter::repeat_with(support::free_port).find(|port| *port != listed).unwrap();
    let origin = format!("http://127.0.0.1:{listed}");
    let world = World::start_with(&["--portal-frame-ancestors", &origin]).await;

    // The app's page: a strict policy, framed only by the listed origin.
    let page = reqwest::get(format!("{}/portal/", world.api.control_plane)).await.unwrap();
    assert_eq!(page.status(), 200);
    let policy = page.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(policy.contains(&format!("frame-ancestors {origin}")), "{policy}");
    assert!(policy.contains("script-src 'self'") && policy.contains("style-src 'self'"), "{policy}");

    let url = portal_link(&world, &world.client_id, json!({})).await;
    let other_url = portal_link(&world, &world.client_id, json!({})).await;
    browse(
        "embedded",
        json!({"url": url, "other_url": other_url, "listed_port": listed, "unlisted_port": unlisted}),
    )
    .await;
}
