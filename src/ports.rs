//! Free loopback ports for the servers edgehook starts itself (`up`'s nats-server children,
//! `edgehook-bench`'s deployment) and for the test kit (`edgehook-testkit`), which re-exports it.
//!
//! A port from `bind(0)` comes from the kernel's ephemeral range (32768–60999 on Linux), the
//! same range outgoing connections draw from: between choosing such a port and a child server
//! binding it, a nats-server dialling its routes can take it, and the child dies with "address
//! already in use". So ports are chosen below that range, at random, never twice per process,
//! and only if nothing listens on them now.

use std::collections::HashSet;
use std::hash::{BuildHasher, RandomState};
use std::net::TcpListener;
use std::sync::Mutex;

/// Below Linux's default ephemeral range, above the well-known and registered-by-convention
/// ports most services use.
const FIRST: u16 = 20_000;
const LAST: u16 = 32_000;

/// A loopback port nothing listens on now and that this process has not handed out before.
pub fn free_port() -> std::io::Result<u16> {
    static HANDED_OUT: Mutex<Option<HashSet<u16>>> = Mutex::new(None);
    let random = RandomState::new();
    for attempt in 0u64..1_000 {
        let port = FIRST + (random.hash_one(attempt) % u64::from(LAST - FIRST)) as u16;
        let mut handed_out = HANDED_OUT.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if !handed_out.get_or_insert_with(HashSet::new).insert(port) {
            continue;
        }
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return Ok(port);
        }
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::AddrInUse,
        format!("no free loopback port between {FIRST} and {LAST}"),
    ))
}
