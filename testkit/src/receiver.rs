//! A webhook endpoint for tests: records every request and answers from a per-path script.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use tokio::sync::Notify;
use warp::Filter;
use warp::http::{HeaderMap, StatusCode};
use warp::reply::Reply as _;

use super::WAIT;

#[derive(Clone, Debug)]
pub struct Received {
    pub path: String,
    pub headers: HashMap<String, String>,
    pub body: Bytes,
    /// When the request arrived.
    pub at: std::time::Instant,
    /// The status it was answered with.
    pub status: u16,
}

impl Received {
    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).map(String::as_str).unwrap_or_default()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

/// How the endpoint answers one request; the last reply of a script repeats.
#[derive(Clone, Debug)]
pub enum Reply {
    Status(u16),
    /// A status with `Retry-After: <seconds>`.
    RetryAfter(u16, u64),
    /// Holds the request this long, then answers 200.
    Hang(Duration),
    /// 302 to this location.
    Redirect(String),
}

#[derive(Default)]
struct State {
    received: Vec<Received>,
    scripts: HashMap<String, VecDeque<Reply>>,
    /// Per path: a request whose body contains the bytes gets the reply (before the script).
    rules: HashMap<String, Vec<(Vec<u8>, Reply)>>,
}

pub struct Receiver {
    pub base_url: String,
    state: Arc<Mutex<State>>,
    arrived: Arc<Notify>,
    _server: tokio::task::JoinHandle<()>,
}

impl Receiver {
    pub async fn start() -> Self {
        let state = Arc::new(Mutex::new(State::default()));
        let arrived = Arc::new(Notify::new());
        let (shared, notify) = (state.clone(), arrived.clone());
        let route = warp::post()
            .and(warp::path::full())
            .and(warp::header::headers_cloned())
            .and(warp::body::bytes())
            .then(move |path: warp::path::FullPath, headers: HeaderMap, body: Bytes| {
                let (state, arrived) = (shared.clone(), notify.clone());
                async move {
                    let path = path.as_str().to_owned();
                    let headers = headers
                        .iter()
                        .map(|(name, value)| {
                            (name.to_string(), value.to_str().unwrap_or_default().to_owned())
                        })
                        .collect();
                    let reply = {
                        let mut state = state.lock().unwrap();
                        let ruled = state.rules.get(&path).and_then(|rules| {
                            rules
                                .iter()
                                .find(|(needle, _)| contains(&body, needle))
                                .map(|(_, reply)| reply.clone())
                        });
                        let reply = ruled.or_else(|| {
                            let script = state.scripts.entry(path.clone()).or_default();
                            if script.len() > 1 { script.pop_front() } else { script.front().cloned() }
                        });
                        let reply = reply.unwrap_or(Reply::Status(200));
                        state.received.push(Received {
                            path,
                            headers,
                            body,
                            at: std::time::Instant::now(),
                            status: reply.status(),
                        });
                        reply
                    };
                    arrived.notify_waiters();
                    answer(reply).await
                }
            });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let server = tokio::spawn(warp::serve(route).incoming(listener).run());
        Self { base_url, state, arrived, _server: server }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    pub fn script(&self, path: &str, replies: Vec<Reply>) {
        self.state.lock().unwrap().scripts.insert(path.to_owned(), replies.into());
    }

    /// Requests to `path` whose body contains `needle` are answered `reply`, whatever the
    /// path's script says (and without taking a reply from it).
    pub fn answer_bodies_containing(&self, path: &str, needle: &str, reply: Reply) {
        let mut state = self.state.lock().unwrap();
        state.rules.entry(path.to_owned()).or_default().push((needle.as_bytes().to_vec(), reply));
    }

    /// Forgets the rules of [`Self::answer_bodies_containing`] for `path`.
    pub fn clear_rules(&self, path: &str) {
        self.state.lock().unwrap().rules.remove(path);
    }

    pub fn received(&self, path: &str) -> Vec<Received> {
        self.state.lock().unwrap().received.iter().filter(|request| request.path == path).cloned().collect()
    }

    /// Waits until `path` received at least `count` requests; panics after [`WAIT`].
    pub async fn wait_for(&self, path: &str, count: usize) -> Vec<Received> {
        self.wait_for_within(path, count, WAIT).await
    }

    /// [`Self::wait_for`] with a patience of its own, for what JetStream redelivers late.
    pub async fn wait_for_within(&self, path: &str, count: usize, patience: Duration) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + patience;
        loop {
            let notified = self.arrived.notified();
            let received = self.received(path);
            if received.len() >= count {
                return received;
            }
            let remaining = deadline.saturating_duration_since(tokio::time::Instant::now());
            assert!(!remaining.is_zero(), "{path} received {} requests, expected {count}", received.len());
            let _ = tokio::time::timeout(remaining.min(Duration::from_millis(200)), notified).await;
        }
    }

    /// What `path` received once nothing more arrived for `quiet`: for "exactly n" checks.
    /// Panics if requests to `path` keep arriving for [`WAIT`].
    pub async fn after_quiet(&self, path: &str, quiet: Duration) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let before = self.received(path).len();
            tokio::time::sleep(quiet).await;
            let received = self.received(path);
            if received.len() == before {
                return received;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{path} kept receiving requests ({} so far)",
                received.len()
            );
        }
    }
}

impl Reply {
    /// The status this reply answers with.
    fn status(&self) -> u16 {
        match self {
            Reply::Status(status) | Reply::RetryAfter(status, _) => *status,
            Reply::Hang(_) => 200,
            Reply::Redirect(_) => 302,
        }
    }
}

fn contains(body: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && body.windows(needle.len()).any(|window| window == needle)
}

async fn answer(reply: Reply) -> warp::reply::Response {
    match reply {
        Reply::Status(status) => StatusCode::from_u16(status).unwrap().into_response(),
        Reply::RetryAfter(status, seconds) => warp::reply::with_header(
            StatusCode::from_u16(status).unwrap(),
            "retry-after",
            seconds.to_string(),
        )
        .into_response(),
        Reply::Redirect(location) => {
            warp::reply::with_header(StatusCode::FOUND, "location", location).into_response()
        }
        Reply::Hang(duration) => {
            tokio::time::sleep(duration).await;
            StatusCode::OK.into_response()
        }
    }
}
