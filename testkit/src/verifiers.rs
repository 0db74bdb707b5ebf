//! Independent verifiers: the Python libraries a client would use, so that our signatures and
//! encryption are checked by someone else's code, never only by our own.

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::{Value, json};

use super::receiver::Received;
use super::{project_root, python};

/// Runs `testkit/python/<script>` with `input` as JSON on stdin; returns (success, stdout).
pub fn run_python(script: &str, input: &Value) -> (bool, String) {
    let mut child = Command::new(python())
        .arg(project_root().join("testkit/python").join(script))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input.to_string().as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    if !output.status.success() {
        eprintln!("{script}: {}", String::from_utf8_lossy(&output.stderr));
    }
    (output.status.success(), String::from_utf8_lossy(&output.stdout).into_owned())
}

fn capture(delivery: &Received) -> Value {
    json!({"headers": delivery.headers, "body": String::from_utf8(delivery.body.to_vec()).unwrap()})
}

/// The Standard Webhooks reference library (`v1`, HMAC) accepts the delivery with `secret`.
pub fn standard_webhooks(secret: &str, delivery: &Received) -> bool {
    let mut input = capture(delivery);
    input["secret"] = json!(secret);
    run_python("verify_standard_webhooks.py", &input).0
}

/// `cryptography`'s Ed25519 accepts a `v1a` entry of the delivery with `public_key`.
pub fn ed25519(public_key: &str, delivery: &Received) -> bool {
    let mut input = capture(delivery);
    input["public_key"] = json!(public_key);
    run_python("verify_ed25519.py", &input).0
}
