//! The API documents are the truth: what the code generates is what is committed
//! (`openapi/`), an independent validator (openapi-spec-validator) accepts them, schemathesis
//! finds no server error and no answer the documents do not describe against a live
//! `edgehook up`, and the generated Python client (`clients/python`) works end to end.

use std::path::Path;
use std::process::{Command, Output};

use edgehook_testkit as support;
use serde_json::json;
use support::World;

const DOCUMENTS: [&str; 3] = ["control-plane", "ingest", "all"];

fn run(command: &mut Command) -> Output {
    command.output().unwrap_or_else(|error| panic!("running {command:?}: {error}"))
}

fn venv_tool(name: &str) -> std::path::PathBuf {
    support::python().with_file_name(name)
}

#[test]
fn the_committed_documents_are_what_the_code_generates() {
    for service in DOCUMENTS {
        let generated = run(Command::new(support::edgehook_binary()).args(["openapi", service]));
        assert!(generated.status.success(), "{}", String::from_utf8_lossy(&generated.stderr));
        let path = support::project_root().join(format!("openapi/{service}.json"));
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == String::from_utf8_lossy(&generated.stdout),
            "{} differs from what the code generates: run `make openapi` (and `make clients`) and commit",
            path.display()
        );
    }
}

/// Every file of `dir`, by its path under `dir`, with its bytes (caches left out).
fn tree(dir: &Path) -> std::collections::BTreeMap<std::path::PathBuf, Vec<u8>> {
    let mut files = std::collections::BTreeMap::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(next) = pending.pop() {
        for entry in std::fs::read_dir(&next).unwrap().map(Result::unwrap) {
            let path = entry.path();
            if path.file_name().is_some_and(|name| name == "__pycache__") {
                continue;
            }
            if path.is_dir() {
                pending.push(path);
            } else {
                files.insert(path.strip_prefix(dir).unwrap().to_owned(), std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

#[test]
fn the_committed_python_client_is_what_the_generator_makes() {
    let root = support::project_root();
    let out = tempfile::tempdir().unwrap();
    let generated = run(Command::new(venv_tool("openapi-python-client"))
        .args(["generate", "--meta", "pdm", "--overwrite"])
        .arg("--path")
        .arg(root.join("openapi/all.json"))
        .arg("--config")
        .arg(root.join("clients/python/config.yaml"))
        .arg("--output-path")
        .arg(out.path().join("edgehook-client")));
    assert!(generated.status.success(), "{}", String::from_utf8_lossy(&generated.stderr));
    let committed = tree(&root.join("clients/python/edgehook-client"));
    let fresh = tree(&out.path().join("edgehook-client"));
    let differing: Vec<_> = fresh
        .keys()
        .chain(committed.keys())
        .filter(|path| fresh.get(*path) != committed.get(*path))
        .collect();
    assert!(
        differing.is_empty(),
        "clients/python differs from the generator's ({differing:?}): run `make clients`"
    );
}

#[test]
fn an_independent_validator_accepts_every_document() {
    for service in DOCUMENTS {
        let path = support::project_root().join(format!("openapi/{service}.json"));
        let checked = run(Command::new(venv_tool("openapi-spec-validator")).arg(&path));
        assert!(
            checked.status.success(),
            "{service}: {}{}",
            String::from_utf8_lossy(&checked.stdout),
            String::from_utf8_lossy(&checked.stderr)
        );
    }
}

/// schemathesis over `document`'s operations (those `filter` selects) with `token`, the checks
/// the issue names: no 5xx, status codes, content types, headers and bodies as documented.
/// With `source` (its signing secret and a client id), `tests/python/schemathesis_hooks.py` signs
/// each body as a source does, for events of that client.
fn schemathesis(
    document: &str,
    base_url: &str,
    token: &str,
    filter: &[&str],
    source: Option<(&str, &str)>,
    report: &Path,
) {
    let path = support::project_root().join(format!("openapi/{document}.json"));
    let checked = run(Command::new(venv_tool("schemathesis"))
        .arg("run")
        .arg(&path)
        .args(["--url", base_url])
        .args(["--header", &format!("Authorization: Bearer {token}")])
        .args([
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,\
             response_headers_conformance,response_schema_conformance",
        ])
        .args(["--max-examples", "25", "--workers", "1", "--max-time", "60", "--seed", "1"])
        // Longer than a poll's longest `wait` (30 s), which the coverage phase asks for.
        .args(["--request-timeout", "40", "--no-color", "--report", "junit"])
        .arg("--report-junit-path")
        .arg(report)
        .args(filter)
        .env("SCHEMATHESIS_HOOKS", "schemathesis_hooks")
        .env("PYTHONPATH", support::project_root().join("tests/python"))
        .env("EDGEHOOK_SOURCE_SECRET", source.map_or("", |(secret, _)| secret))
        .env("EDGEHOOK_CLIENT_ID", source.map_or("", |(_, client)| client))
        .current_dir(report.parent().unwrap()));
    let output = String::from_utf8_lossy(&checked.stdout);
    // Its summary and the failures before it; the whole run is in the JUnit report.
    let tail = &output[output.char_indices().rev().nth(12_000).map_or(0, |(index, _)| index)..];
    assert!(checked.status.success(), "schemathesis on {document} {filter:?}:\n{tail}");
}

#[tokio::test(flavor = "multi_thread")]
async fn schemathesis_finds_no_server_error_and_no_undocumented_answer() {
    let world = World::start().await;
    // Something to find: a webhook with an event, so lists and reads have objects.
    let webhook = world.webhook("/fuzzed", json!({})).await;
    assert!(webhook["webhook_id"].is_string(), "{webhook}");
    world.send("evt-fuzz-1", "payment.succeeded", json!({"amount": 1})).await;
    world.receiver.wait_for("/fuzzed", 1).await;

    // Each service serves the document that is committed.
    for (base_url, document) in [(&world.api.control_plane, "control-plane"), (&world.api.ingest, "ingest")] {
        let served = reqwest::get(format!("{base_url}/api/v1/openapi.json")).await.unwrap();
        assert_eq!(served.status(), 200);
        let served: serde_json::Value = served.json().await.unwrap();
        let path = support::project_root().join(format!("openapi/{document}.json"));
        let committed: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        assert_eq!(served, committed, "{document}: served and committed documents differ");
    }

    let reports = tempfile::tempdir().unwrap();
    let control_plane = world.api.control_plane.clone();
    let admin = world.api.admin_token.clone();
    let client = world.token.clone();
    let ingest = world.api.ingest.clone();
    let source = world.source.clone();
    let client_id = world.client_id.clone();
    let dir = reports.path().to_owned();
    tokio::task::spawn_blocking(move || {
        // What an admin does, with the admin token; what a client does, with its own.
        let admin_tags = ["--include-tag-regex", "^(clients|sources|event-types|regions|portal)$"];
        schemathesis("control-plane", &control_plane, &admin, &admin_tags, None, &dir.join("admin.xml"));
        let client_tags = ["--exclude-tag-regex", "^(clients|sources)$"];
        schemathesis("control-plane", &control_plane, &client, &client_tags, None, &dir.join("client.xml"));
        // Ingest as the source: signed events, accepted or refused as documented.
        let signing = Some((source.signing_secret.as_str(), client_id.as_str()));
        schemathesis("ingest", &ingest, &source.api_key, &[], signing, &dir.join("ingest.xml"));
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn the_generated_python_client_onboards_sends_and_lists_attempts() {
    let world = World::start().await;
    let client_package = support::project_root().join("clients/python/edgehook-client");
    let story = tokio::process::Command::new(support::python())
        .arg(support::project_root().join("tests/python/client_story.py"))
        .env("PYTHONPATH", &client_package)
        .env("EDGEHOOK_CONTROL_PLANE", &world.api.control_plane)
        .env("EDGEHOOK_INGEST", &world.api.ingest)
        .env("ADMIN_TOKEN", &world.api.admin_token)
        .env("CALLBACK_URL", world.receiver.url("/python"))
        .output()
        .await
        .unwrap();
    assert!(
        story.status.success(),
        "{}{}",
        String::from_utf8_lossy(&story.stdout),
        String::from_utf8_lossy(&story.stderr)
    );
    // The delivery the client saw listed did arrive, signed.
    let received = world.receiver.wait_for("/python", 1).await;
    assert_eq!(received[0].json()["data"]["amount"], 1200);
}
