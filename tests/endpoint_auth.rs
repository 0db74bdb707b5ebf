//! Endpoint authentication end to end, on `edgehook up` against servers the tests run:
//! - **mTLS**: an HTTPS receiver that requires a client certificate (certificates made here with
//!   rcgen, the server's from a CA of its own that the webhook names): a webhook presenting its
//!   certificate is delivered to, also after a PATCH that does not mention `auth`; one
//!   presenting a certificate the receiver does not trust, or none, fails with an attempt error
//!   that says so;
//! - **OAuth2 client credentials**: a token server and a protected endpoint run here. Tokens
//!   live 2 s and are refreshed (a burst of deliveries fetches one token, not one each; the
//!   count of token requests stays bounded), a revoked token is answered 401 and edgehook
//!   fetches a new one once and succeeds in the same attempt, and a token server answering 500
//!   gives a failed attempt naming the token endpoint, retried once it is back;
//! - **static headers** reach the endpoint (a test send's too); PATCH keeps sealed values unless `auth` is given,
//!   replaces them when it is, removes them with `null`; bad inputs are 400s naming the field;
//! - **secrets**: header values, the client secret, the private key and the access tokens
//!   appear in no API answer (create, get, list, PATCH), not in the `webhooks` bucket in
//!   clear, and nowhere in the log of `edgehook up`.

use edgehook_testkit as support;

use std::collections::{HashMap, HashSet};
use std::convert::Infallible;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use http_body_util::Full;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose};
use reqwest::Method;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use serde_json::{Value, json};
use support::World;
use warp::http::StatusCode;
use warp::{Filter, Reply as _};

// ---------------------------------------------------------------------------------------------
// Certificates

/// A CA made for the test.
struct Ca {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

impl Ca {
    fn new(name: &str) -> Self {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name.push(DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        Self { issuer: CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap() }
    }

    fn pem(&self) -> String {
        self.issuer.pem()
    }

    fn der(&self) -> CertificateDer<'static> {
        self.issuer.der().clone()
    }

    /// A certificate for `names` (DNS names or IP addresses) and its key, both PEM.
    fn issue(&self, common_name: &str, names: &[&str]) -> (String, String, KeyPair) {
        let key = KeyPair::generate().unwrap();
        let mut params =
            CertificateParams::new(names.iter().map(ToString::to_string).collect::<Vec<_>>()).unwrap();
        params.distinguished_name.push(DnType::CommonName, common_name);
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        (cert.pem(), key.serialize_pem(), key)
    }
}

/// The CA of the mTLS receiver's server certificate. `edgehook up` inherits `SSL_CERT_FILE`
/// naming it, so its relay trusts that server without a webhook CA too (the platform verifier
/// reads `SSL_CERT_FILE` on Linux): then a webhook with no client certificate fails for that
/// reason alone. Every test calls this first, before any process starts, so that the variable
/// is set while no other thread reads the environment.
fn server_ca() -> &'static Ca {
    static CA: OnceLock<Ca> = OnceLock::new();
    CA.get_or_init(|| {
        let ca = Ca::new("edgehook test server CA");
        let path = std::env::temp_dir().join(format!("edgehook-endpoint-auth-ca-{}.pem", std::process::id()));
        std::fs::write(&path, ca.pem()).unwrap();
        // SAFETY: set once, before any test thread starts a process or reads the environment.
        unsafe { std::env::set_var("SSL_CERT_FILE", &path) };
        ca
    })
}

// ---------------------------------------------------------------------------------------------
// An HTTPS receiver that requires a client certificate

#[derive(Default)]
struct TlsLog {
    /// Each request's path and the subject CN of the client certificate it came with.
    requests: Vec<(String, HashMap<String, String>)>,
    handshakes_failed: usize,
}

struct MtlsReceiver {
    base_url: String,
    log: Arc<Mutex<TlsLog>>,
    _server: tokio::task::JoinHandle<()>,
}

impl MtlsReceiver {
    /// Serves HTTPS on 127.0.0.1 with a certificate from `server_ca`, requiring a client
    /// certificate issued by `client_ca`.
    async fn start(server_ca: &Ca, client_ca: &Ca) -> Self {
        support::install_crypto_provider();
        let server_key = KeyPair::generate().unwrap();
        let server_cert = {
            let mut params = CertificateParams::new(vec!["127.0.0.1".to_owned()]).unwrap();
            params.distinguished_name.push(DnType::CommonName, "receiver");
            params.signed_by(&server_key, &server_ca.issuer).unwrap()
        };
        let mut roots = rustls::RootCertStore::empty();
        roots.add(client_ca.der()).unwrap();
        let verifier = rustls::server::WebPkiClientVerifier::builder(Arc::new(roots)).build().unwrap();
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der()));
        let mut config = rustls::ServerConfig::builder()
            .with_client_cert_verifier(verifier)
            .with_single_cert(vec![server_cert.der().clone(), server_ca.der()], key)
            .unwrap();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("https://{}", listener.local_addr().unwrap());
        let log = Arc::new(Mutex::new(TlsLog::default()));
        let shared = log.clone();
        let server = tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else { continue };
                let (acceptor, log) = (acceptor.clone(), shared.clone());
                tokio::spawn(async move {
                    let tls = match acceptor.accept(tcp).await {
                        Ok(tls) => tls,
                        Err(_) => {
                            log.lock().unwrap().handshakes_failed += 1;
                            return;
                        }
                    };
                    let service = service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
                        let log = log.clone();
                        async move {
                            let headers = request
                                .headers()
                                .iter()
                                .map(|(name, value)| {
                                    (name.to_string(), value.to_str().unwrap_or("").to_owned())
                                })
                                .collect();
                            log.lock().unwrap().requests.push((request.uri().path().to_owned(), headers));
                            Ok::<_, Infallible>(hyper::Response::new(Full::new(Bytes::new())))
                        }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(tls), service)
                        .await;
                });
            }
        });
        Self { base_url, log, _server: server }
    }

    fn received(&self, path: &str) -> Vec<HashMap<String, String>> {
        let log = self.log.lock().unwrap();
        log.requests.iter().filter(|(at, _)| at == path).map(|(_, headers)| headers.clone()).collect()
    }
}

// ---------------------------------------------------------------------------------------------
// An OAuth2 token server and an endpoint that wants its tokens

const CLIENT_ID: &str = "edgehook-relay";
const CLIENT_SECRET: &str = "client-secret-4f9a1c";
const TOKEN_LIFETIME: Duration = Duration::from_secs(2);

struct OAuthState {
    /// Token -> when it expires.
    issued: HashMap<String, Instant>,
    revoked: HashSet<String>,
    /// Each token request's form.
    token_requests: Vec<HashMap<String, String>>,
    /// Answer token requests with this status instead.
    failing: Option<u16>,
    /// The `expires_in` of the tokens issued now.
    lifetime: Duration,
    /// Deliveries accepted, by path.
    delivered: Vec<String>,
    /// 401s answered, by path.
    unauthorized: Vec<String>,
}

struct OAuthServer {
    base_url: String,
    state: Arc<Mutex<OAuthState>>,
    _server: tokio::task::JoinHandle<()>,
}

impl OAuthServer {
    async fn start() -> Self {
        let state = Arc::new(Mutex::new(OAuthState {
            issued: HashMap::new(),
            revoked: HashSet::new(),
            token_requests: Vec::new(),
            failing: None,
            lifetime: TOKEN_LIFETIME,
            delivered: Vec::new(),
            unauthorized: Vec::new(),
        }));
        let expected_basic = format!("Basic {}", STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}")));
        let tokens = {
            let state = state.clone();
            warp::post()
                .and(warp::path!("token"))
                .and(warp::header::optional::<String>("authorization"))
                .and(warp::body::form::<HashMap<String, String>>())
                .map(move |authorization: Option<String>, form: HashMap<String, String>| {
                    let mut state = state.lock().unwrap();
                    state.token_requests.push(form.clone());
                    if let Some(status) = state.failing {
                        let status = StatusCode::from_u16(status).unwrap();
                        return warp::reply::with_status("token service down".to_owned(), status)
                            .into_response();
                    }
                    if authorization.as_deref() != Some(expected_basic.as_str())
                        || form.get("grant_type").map(String::as_str) != Some("client_credentials")
                    {
                        let body = warp::reply::json(&json!({"error": "invalid_client"}));
                        return warp::reply::with_status(body, StatusCode::UNAUTHORIZED).into_response();
                    }
                    let token = format!("access-token-{}-{}", state.token_requests.len(), rand_suffix());
                    let lifetime = state.lifetime;
                    state.issued.insert(token.clone(), Instant::now() + lifetime);
                    warp::reply::json(&json!({
                        "access_token": token, "token_type": "Bearer", "expires_in": lifetime.as_secs(),
                    }))
                    .into_response()
                })
        };
        let hooks = {
            let state = state.clone();
            warp::post()
                .and(warp::path!("hook" / String))
                .and(warp::header::optional::<String>("authorization"))
                .map(move |path: String, authorization: Option<String>| {
                    let mut state = state.lock().unwrap();
                    let token = authorization.as_deref().and_then(|value| value.strip_prefix("Bearer "));
                    let valid = token.is_some_and(|token| {
                        state.issued.get(token).is_some_and(|expires| *expires > Instant::now())
                            && !state.revoked.contains(token)
                    });
                    if valid {
                        state.delivered.push(path);
                        StatusCode::OK
                    } else {
                        state.unauthorized.push(path);
                        StatusCode::UNAUTHORIZED
                    }
                })
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let server = tokio::spawn(warp::serve(tokens.or(hooks)).incoming(listener).run());
        Self { base_url, state, _server: server }
    }

    fn token_url(&self) -> String {
        format!("{}/token", self.base_url)
    }

    fn hook(&self, name: &str) -> String {
        format!("{}/hook/{name}", self.base_url)
    }

    fn token_requests(&self) -> usize {
        self.state.lock().unwrap().token_requests.len()
    }

    fn delivered(&self, name: &str) -> usize {
        self.state.lock().unwrap().delivered.iter().filter(|path| *path == name).count()
    }

    fn unauthorized(&self, name: &str) -> usize {
        self.state.lock().unwrap().unauthorized.iter().filter(|path| *path == name).count()
    }

    /// Every token issued so far (to look for them in answers and logs).
    fn tokens(&self) -> Vec<String> {
        self.state.lock().unwrap().issued.keys().cloned().collect()
    }

    async fn until_delivered(&self, name: &str, count: usize) {
        support::eventually(&format!("{count} deliveries to {name}"), || async {
            (self.delivered(name) >= count).then_some(())
        })
        .await;
    }
}

fn rand_suffix() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(Instant::now().elapsed().as_nanos());
    format!("{:016x}", hasher.finish())
}

fn oauth2(server: &OAuthServer) -> Value {
    json!({
        "token_url": server.token_url(), "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
        "scope": "webhooks:write events:read", "audience": "https://api.example.com",
    })
}

// ---------------------------------------------------------------------------------------------
// Helpers on the world

async fn get(world: &World, path: &str) -> Value {
    let (status, body) = world.api.call(Method::GET, path, Some(&world.token), None).await;
    assert_eq!(status, 200, "{path}: {body}");
    body
}

async fn patch(world: &World, id: &str, body: Value) -> (u16, Value) {
    world.api.call(Method::PATCH, &format!("/api/v1/webhooks/{id}"), Some(&world.token), Some(body)).await
}

async fn create(world: &World, body: Value) -> (u16, Value) {
    world.api.call(Method::POST, "/api/v1/webhooks", Some(&world.token), Some(body)).await
}

fn id(webhook: &Value) -> String {
    webhook["webhook_id"].as_str().unwrap().to_owned()
}

/// Quick retries, as `World::webhook` makes them.
fn quick_retries() -> Value {
    json!({"max_retries": 5, "initial_delay_ms": 200, "max_delay_ms": 1000, "backoff_multiplier": 2.0})
}

/// Polls the attempts of a webhook until one satisfies `wanted`.
async fn attempt_where(
    world: &World,
    webhook_id: &str,
    what: &str,
    wanted: impl Fn(&Value) -> bool,
) -> Value {
    support::eventually(what, || async {
        world
            .api
            .attempts_of_webhook(&world.token, webhook_id)
            .await
            .into_iter()
            .find(|attempt| wanted(attempt))
    })
    .await
}

/// The raw record of a webhook in the `webhooks` bucket, as a backup or a region's mirror holds it.
async fn stored_record(world: &World, webhook_id: &str) -> String {
    let nats = support::connect_service(&world.up.credentials.nats_service_url).await;
    let store = async_nats::jetstream::new(nats).get_key_value("webhooks").await.unwrap();
    let value = store.get(format!("{}.{webhook_id}", world.client_id)).await.unwrap().unwrap();
    String::from_utf8(value.to_vec()).unwrap()
}

/// The log of `edgehook up` (stdout and stderr) so far.
fn up_log(world: &World) -> String {
    let path = world.up.data_dir().parent().unwrap().join("edgehook.log");
    std::fs::read_to_string(path).unwrap()
}

/// None of `secrets` is in `text` (`what` says where).
fn assert_none_in(text: &str, secrets: &[String], what: &str) {
    for secret in secrets {
        assert!(
            !text.contains(secret.as_str()),
            "a secret ({}…) is in {what}",
            &secret[..secret.len().min(6)]
        );
    }
}

/// The base64 body of a PEM key: what would show if it leaked, whatever the line breaks.
fn key_material(pem: &str) -> Vec<String> {
    pem.lines().filter(|line| !line.starts_with("-----") && line.len() > 20).map(ToOwned::to_owned).collect()
}

// ---------------------------------------------------------------------------------------------
// mTLS

#[tokio::test]
async fn a_webhook_with_a_client_certificate_reaches_an_endpoint_that_requires_one() {
    let server_ca = server_ca();
    let world = World::start().await;
    let (client_ca, stranger_ca) = (Ca::new("client CA"), Ca::new("stranger CA"));
    let receiver = MtlsReceiver::start(server_ca, &client_ca).await;
    let (certificate, private_key, _) = client_ca.issue("relay.acme.example", &["relay.acme.example"]);

    let (status, webhook) = create(
        &world,
        json!({
            "callback_url": format!("{}/mtls", receiver.base_url),
            "retry_config": quick_retries(),
            "auth": {"mtls": {"certificate_pem": certificate, "private_key_pem": private_key, "ca_pem": server_ca.pem()}},
        }),
    )
    .await;
    assert_eq!(status, 201, "{webhook}");
    let mtls_view = &webhook["auth"]["mtls"];
    assert!(mtls_view["subject"].as_str().unwrap().contains("CN=relay.acme.example"), "{webhook}");
    assert!(mtls_view["not_after"].is_string() && mtls_view["custom_ca"] == true, "{webhook}");
    let webhook_id = id(&webhook);

    world.send("evt_mtls", "order.created", json!({"n": 1})).await;
    support::eventually("the mTLS endpoint to receive the delivery", || async {
        (!receiver.received("/mtls").is_empty()).then_some(())
    })
    .await;
    let attempt =
        attempt_where(&world, &webhook_id, "the delivered attempt", |a| a["outcome"] == "succeeded").await;
    assert_eq!(attempt["status_code"], 200, "{attempt}");

    // The key survives a PATCH that does not name `auth`.
    let (status, patched) = patch(&world, &webhook_id, json!({"description": "still mutual"})).await;
    assert_eq!(status, 200, "{patched}");
    assert_eq!(patched["auth"]["mtls"], *mtls_view);
    world.send("evt_mtls_after_patch", "order.created", json!({"n": 2})).await;
    support::eventually("the delivery after the PATCH", || async {
        (receiver.received("/mtls").len() >= 2).then_some(())
    })
    .await;

    // A certificate the endpoint does not trust: refused, and the attempt says why.
    let (foreign_cert, foreign_key, _) = stranger_ca.issue("stranger", &["stranger.example"]);
    let (status, stranger) = create(
        &world,
        json!({
            "callback_url": format!("{}/stranger", receiver.base_url),
            "retry_config": {"max_retries": 0},
            "auth": {"mtls": {"certificate_pem": foreign_cert, "private_key_pem": foreign_key, "ca_pem": server_ca.pem()}},
        }),
    )
    .await;
    assert_eq!(status, 201, "{stranger}");
    world.send("evt_stranger", "order.created", json!({})).await;
    let failed =
        attempt_where(&world, &id(&stranger), "the refused attempt", |a| a["outcome"] == "failed").await;
    let error = failed["error"].as_str().unwrap();
    assert!(failed["status_code"].is_null(), "{failed}");
    assert!(error.to_lowercase().contains("alert") || error.contains("certificate"), "{error}");
    eprintln!("a client certificate the endpoint does not trust: {error}");
    assert!(receiver.log.lock().unwrap().handshakes_failed >= 1, "the receiver refused the handshake");

    // No client certificate at all (the server's certificate is trusted, see `server_ca`).
    let refused_before = receiver.log.lock().unwrap().handshakes_failed;
    let plain = world
        .webhook("/none", json!({"callback_url": format!("{}/none", receiver.base_url), "retry_config": {"max_retries": 0}}))
        .await;
    world.send("evt_no_cert", "order.created", json!({})).await;
    let failed =
        attempt_where(&world, &id(&plain), "the attempt without a certificate", |a| a["outcome"] == "failed")
            .await;
    let error = failed["error"].as_str().unwrap();
    // TLS 1.3: the client may send its request before the server's alert arrives, and then
    // sees the connection closed rather than the alert; either way the receiver refused the
    // handshake and got no request.
    assert!(error.contains("CertificateRequired") || error.contains("connection"), "{error}");
    assert!(
        receiver.log.lock().unwrap().handshakes_failed > refused_before,
        "the receiver refused the handshake"
    );
    eprintln!("no client certificate: {error}");
    assert!(receiver.received("/stranger").is_empty() && receiver.received("/none").is_empty());

    let secrets = key_material(&private_key);
    assert_secrets_nowhere(&world, &webhook_id, [&webhook, &patched], &secrets).await;
}

/// None of `secrets` is in the webhook's answers (get, list, and the given create and PATCH
/// answers), its stored record or the log of `edgehook up`.
async fn assert_secrets_nowhere(world: &World, webhook_id: &str, answers: [&Value; 2], secrets: &[String]) {
    for path in [format!("/api/v1/webhooks/{webhook_id}"), "/api/v1/webhooks".to_owned()] {
        assert_none_in(&get(world, &path).await.to_string(), secrets, &path);
    }
    for (answer, what) in answers.into_iter().zip(["the create answer", "the PATCH answer"]) {
        assert_none_in(&answer.to_string(), secrets, what);
    }
    assert_none_in(&stored_record(world, webhook_id).await, secrets, "the webhooks bucket");
    assert_none_in(&up_log(world), secrets, "the log of edgehook up");
}

// ---------------------------------------------------------------------------------------------
// OAuth2

#[tokio::test]
async fn oauth2_tokens_are_fetched_once_for_a_burst_refreshed_as_they_expire_and_after_a_401() {
    server_ca();
    let world = World::start().await;
    let server = OAuthServer::start().await;
    let (status, webhook) = create(
        &world,
        json!({"callback_url": server.hook("a"), "retry_config": quick_retries(), "auth": {"oauth2": oauth2(&server)}}),
    )
    .await;
    assert_eq!(status, 201, "{webhook}");
    assert_eq!(
        webhook["auth"]["oauth2"],
        json!({"token_url": server.token_url(), "client_id": CLIENT_ID, "scope": "webhooks:write events:read", "audience": "https://api.example.com"})
    );
    let webhook_id = id(&webhook);

    // A burst: the concurrent deliveries wait for one token request.
    let events: Vec<Value> = (0..20)
        .map(|n| {
            support::event(&world.client_id, &format!("evt_burst_{n}"), "order.created", json!({"n": n}))
        })
        .collect();
    let (status, body) = world.api.ingest_batch(&world.source, &events).await;
    assert_eq!(status, 202, "{body}");
    server.until_delivered("a", 20).await;
    let after_burst = server.token_requests();
    // One expected (more only if the burst outlived a token on a slow machine; the relay's unit
    // tests count the coalescing exactly).
    assert!(after_burst <= 3, "20 deliveries made {after_burst} token requests");
    let form = server.state.lock().unwrap().token_requests[0].clone();
    assert_eq!(form.get("scope").map(String::as_str), Some("webhooks:write events:read"), "{form:?}");
    assert_eq!(form.get("audience").map(String::as_str), Some("https://api.example.com"), "{form:?}");
    assert!(!form.contains_key("client_secret"), "the secret travels in the Basic header only: {form:?}");

    // Tokens expire during the test (2 s): deliveries spread over 6 s keep going, with fresh
    // tokens fetched before the old ones expire (no 401), and a bounded number of them.
    let spread_from = Instant::now();
    let mut sent = 0;
    while spread_from.elapsed() < Duration::from_secs(6) {
        world.send(&format!("evt_spread_{sent}"), "order.created", json!({})).await;
        sent += 1;
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    server.until_delivered("a", 20 + sent).await;
    let fetched = server.token_requests() - after_burst;
    assert!(
        (2..=8).contains(&fetched),
        "{sent} deliveries over 6 s of 2 s tokens made {fetched} token requests"
    );
    assert_eq!(server.unauthorized("a"), 0, "a token was used past its expiry");

    // A PATCH that does not name `auth` keeps the sealed client secret (the token server
    // checks it at each request).
    let (status, patched) = patch(&world, &webhook_id, json!({"description": "patched"})).await;
    assert_eq!((status, &patched["auth"]["oauth2"]["client_id"]), (200, &json!(CLIENT_ID)), "{patched}");

    // A PATCH giving `auth` replaces it: the relay's cached token goes with the old settings.
    // Tokens live a minute from now on, so the next one is still valid when revoked below.
    server.state.lock().unwrap().lifetime = Duration::from_secs(60);
    let mut replaced = oauth2(&server);
    replaced["scope"] = json!("webhooks:write");
    let (status, answer) = patch(&world, &webhook_id, json!({"auth": {"oauth2": replaced}})).await;
    assert_eq!((status, &answer["auth"]["oauth2"]["scope"]), (200, &json!("webhooks:write")), "{answer}");
    let requests_before = server.token_requests();
    let delivered_before = server.delivered("a");
    world.send("evt_new_settings", "order.created", json!({})).await;
    server.until_delivered("a", delivered_before + 1).await;
    assert_eq!(server.token_requests(), requests_before + 1, "new settings, new token");
    let form = server.state.lock().unwrap().token_requests.last().cloned().unwrap();
    assert_eq!(form.get("scope").map(String::as_str), Some("webhooks:write"), "{form:?}");

    // The endpoint revokes the token in use: a 401, one token request, the same attempt resent.
    let requests_before = server.token_requests();
    {
        let mut state = server.state.lock().unwrap();
        let live: Vec<String> = state.issued.keys().cloned().collect();
        state.revoked.extend(live);
    }
    let delivered_before = server.delivered("a");
    world.send("evt_revoked", "order.created", json!({"revoked": true})).await;
    server.until_delivered("a", delivered_before + 1).await;
    assert_eq!(server.unauthorized("a"), 1, "the revoked token was answered 401 once");
    assert_eq!(server.token_requests(), requests_before + 1, "one refresh");
    let revoked_attempt = support::eventually("the revoked event's attempt", || async {
        let attempts = world.api.attempts_of_webhook(&world.token, &webhook_id).await;
        let mine: Vec<Value> = attempts.into_iter().filter(|a| a["event_id"] == "evt_revoked").collect();
        (!mine.is_empty()).then_some(mine)
    })
    .await;
    assert_eq!(revoked_attempt.len(), 1, "refreshed and resent within one attempt: {revoked_attempt:?}");
    assert_eq!(revoked_attempt[0]["outcome"], "succeeded");

    // The token server fails: a failed (retrying) attempt naming it, then delivered once back.
    server.state.lock().unwrap().failing = Some(500);
    let (status, second) = create(
        &world,
        json!({"callback_url": server.hook("b"), "retry_config": quick_retries(), "auth": {"oauth2": oauth2(&server)}}),
    )
    .await;
    assert_eq!(status, 201, "{second}");
    world.send("evt_token_down", "order.created", json!({})).await;
    let failed = attempt_where(&world, &id(&second), "an attempt failed by the token endpoint", |a| {
        a["outcome"] == "retrying"
    })
    .await;
    let error = failed["error"].as_str().unwrap();
    let expected = format!("OAuth2 token endpoint {}: HTTP 500: token service down", server.token_url());
    assert_eq!(error, expected, "{failed}");
    assert!(failed["status_code"].is_null(), "{failed}");
    server.state.lock().unwrap().failing = None;
    server.until_delivered("b", 1).await;

    let mut secrets = vec![CLIENT_SECRET.to_owned()];
    secrets.extend(server.tokens());
    assert_secrets_nowhere(&world, &webhook_id, [&webhook, &patched], &secrets).await;
}

// ---------------------------------------------------------------------------------------------
// Static headers, PATCH, bad inputs

#[tokio::test]
async fn static_headers_reach_the_endpoint_and_their_values_are_never_shown_or_logged() {
    server_ca();
    let world = World::start().await;
    let (bearer, api_key) = ("Bearer static-bearer-9d2e7b", "api-key-value-51c3a8");
    let webhook = world
        .webhook("/static", json!({"auth": {"headers": {"Authorization": bearer, "X-Api-Key": api_key}}}))
        .await;
    let webhook_id = id(&webhook);
    assert_eq!(webhook["auth"], json!({"headers": ["Authorization", "X-Api-Key"]}));

    world.send("evt_static", "order.created", json!({})).await;
    let delivery = world.receiver.wait_for("/static", 1).await.remove(0);
    assert_eq!(delivery.header("authorization"), bearer);
    assert_eq!(delivery.header("x-api-key"), api_key);
    assert!(support::verifiers::standard_webhooks(webhook["signing_secret"].as_str().unwrap(), &delivery));

    // The test send goes out with them too.
    let event_type = json!({"name": "order.created", "examples": [{"n": 1}]});
    let (status, made) = world
        .api
        .call(Method::POST, "/api/v1/event-types", Some(&world.api.admin_token), Some(event_type))
        .await;
    assert_eq!(status, 201, "{made}");
    let test = format!("/api/v1/webhooks/{webhook_id}/test");
    let (status, tested) = world
        .api
        .call(Method::POST, &test, Some(&world.token), Some(json!({"event_type": "order.created"})))
        .await;
    assert_eq!((status, &tested["delivered"]), (200, &json!(true)), "{tested}");
    let delivery = world.receiver.wait_for("/static", 2).await.remove(1);
    assert_eq!((delivery.header("authorization"), delivery.header("x-api-key")), (bearer, api_key));

    // PATCH without `auth`: kept, sealed value untouched.
    let record = stored_record(&world, &webhook_id).await;
    let sealed = |record: &str| serde_json::from_str::<Value>(record).unwrap()["auth"].clone();
    let (status, kept) =
        patch(&world, &webhook_id, json!({"description": "renamed", "retry_config": {"max_retries": 2}}))
            .await;
    assert_eq!(status, 200, "{kept}");
    assert_eq!(kept["auth"], json!({"headers": ["Authorization", "X-Api-Key"]}));
    assert_eq!(
        sealed(&stored_record(&world, &webhook_id).await),
        sealed(&record),
        "the sealed values are kept as stored"
    );
    world.send("evt_static_kept", "order.created", json!({})).await;
    let delivery = world.receiver.wait_for("/static", 3).await.remove(2);
    assert_eq!((delivery.header("authorization"), delivery.header("x-api-key")), (bearer, api_key));

    // A bad `auth` in a PATCH is refused and changes nothing.
    let (status, refused) = patch(&world, &webhook_id, json!({"auth": {"headers": {"Host": "evil"}}})).await;
    assert_eq!((status, refused["error"]["field"].as_str()), (400, Some("auth.headers.Host")), "{refused}");
    assert_eq!(sealed(&stored_record(&world, &webhook_id).await), sealed(&record));

    // PATCH with `auth`: replaced whole.
    let (status, replaced) =
        patch(&world, &webhook_id, json!({"auth": {"headers": {"X-Tenant": "tenant-7"}}})).await;
    assert_eq!((status, &replaced["auth"]), (200, &json!({"headers": ["X-Tenant"]})), "{replaced}");
    world.send("evt_static_replaced", "order.created", json!({})).await;
    let delivery = world.receiver.wait_for("/static", 4).await.remove(3);
    assert_eq!(delivery.header("x-tenant"), "tenant-7");
    assert!(delivery.header("x-api-key").is_empty() && delivery.header("authorization").is_empty());

    // `"auth": null`: removed.
    let (status, removed) = patch(&world, &webhook_id, json!({"auth": null})).await;
    assert_eq!(status, 200, "{removed}");
    assert!(removed.get("auth").is_none(), "{removed}");
    assert!(sealed(&stored_record(&world, &webhook_id).await).is_null());
    world.send("evt_static_removed", "order.created", json!({})).await;
    let delivery = world.receiver.wait_for("/static", 5).await.remove(4);
    assert!(delivery.header("x-tenant").is_empty());

    let secrets = vec![bearer.to_owned(), "static-bearer-9d2e7b".to_owned(), api_key.to_owned()];
    assert_none_in(&webhook.to_string(), &secrets, "the create answer");
    assert_none_in(&kept.to_string(), &secrets, "the PATCH answer");
    assert_none_in(&get(&world, "/api/v1/webhooks").await.to_string(), &secrets, "the list");
    assert_none_in(&record, &secrets, "the webhooks bucket");
    assert_none_in(&up_log(&world), &secrets, "the log of edgehook up");
}

#[tokio::test]
async fn bad_auth_settings_are_400s_naming_the_field() {
    server_ca();
    let world = World::start().await;
    let ca = Ca::new("client CA");
    let (certificate, key, _) = ca.issue("relay", &["relay.example"]);
    let (_, other_key, _) = ca.issue("other", &["other.example"]);
    let oauth =
        json!({"token_url": "https://auth.example.com/token", "client_id": "id", "client_secret": "s"});
    let cases = [
        (json!({"headers": {"Content-Type": "text/plain"}}), "auth.headers.Content-Type", "reserved_header"),
        (json!({"headers": {"webhook-id": "x"}}), "auth.headers.webhook-id", "reserved_header"),
        (json!({"headers": {"X Key": "v"}}), "auth.headers.X Key", "invalid"),
        (json!({"headers": {"X-Key": "line\nbreak"}}), "auth.headers.X-Key", "invalid"),
        (
            json!({"headers": {"Authorization": "Bearer x"}, "oauth2": oauth}),
            "auth.headers.Authorization",
            "reserved_header",
        ),
        (json!({}), "auth", "invalid"),
        (
            json!({"oauth2": {"token_url": "ftp://auth.example.com/token", "client_id": "id", "client_secret": "s"}}),
            "auth.oauth2.token_url",
            "invalid",
        ),
        (
            json!({"oauth2": {"token_url": "https://auth.example.com/token", "client_id": "id"}}),
            "auth.oauth2.client_secret",
            "required",
        ),
        (
            json!({"mtls": {"certificate_pem": "not a certificate", "private_key_pem": other_key}}),
            "auth.mtls.certificate_pem",
            "invalid",
        ),
        (
            json!({"mtls": {"certificate_pem": certificate, "private_key_pem": other_key}}),
            "auth.mtls.private_key_pem",
            "invalid",
        ),
        (
            json!({"mtls": {"certificate_pem": certificate, "private_key_pem": key, "ca_pem": "x"}}),
            "auth.mtls.ca_pem",
            "invalid",
        ),
        (
            json!({"oauth2": oauth, "mtls": {"certificate_pem": certificate, "private_key_pem": other_key}}),
            "auth.mtls",
            "invalid",
        ),
    ];
    for (auth, field, code) in cases {
        let (status, answer) =
            create(&world, json!({"callback_url": world.receiver.url("/bad"), "auth": auth.clone()})).await;
        let error = &answer["error"];
        assert_eq!(
            (status, error["field"].as_str(), error["code"].as_str()),
            (400, Some(field), Some(code)),
            "{auth}: {answer}"
        );
        assert!(!answer.to_string().contains("PRIVATE KEY"), "{answer}");
    }
    let (status, answer) =
        create(&world, json!({"callback_url": world.receiver.url("/bad"), "auth": {"basic": {}}})).await;
    assert_eq!(status, 400, "{answer}");
    assert!(answer["error"]["field"].as_str().unwrap().starts_with("auth"), "{answer}");
}
