//! Processes the tests start and always stop: `edgehook up`, a bare nats-server, and the
//! standalone services.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use serde::Deserialize;
use tempfile::TempDir;

use super::{WAIT, free_port, nats_server_binary, project_root};

#[derive(Clone, Debug, Deserialize)]
pub struct DevCredentials {
    pub control_plane_url: String,
    pub ingest_url: String,
    /// The hub as sources reach it (they log in with their API key).
    pub nats_url: String,
    /// The hub with the services' login.
    pub nats_service_url: String,
    pub admin_token: String,
}

/// A running `edgehook up`, started as the README says: from its working directory, with the
/// data dir given as a relative path.
pub struct Up {
    child: Option<Child>,
    work_dir: TempDir,
    nats_port: u16,
    extra_args: Vec<String>,
    pub credentials: DevCredentials,
}

impl Up {
    pub async fn start() -> Self {
        Self::start_with(&[]).await
    }

    /// `edgehook up` with more flags, e.g. `--regions eu,us`.
    pub async fn start_with(extra_args: &[&str]) -> Self {
        let work_dir = tempfile::tempdir().unwrap();
        let nats_port = free_port();
        let extra_args: Vec<String> = extra_args.iter().map(ToString::to_string).collect();
        let (child, credentials) = launch_up(work_dir.path(), nats_port, &extra_args).await;
        Self { child: Some(child), work_dir, nats_port, extra_args, credentials }
    }

    /// Stops with Ctrl-C (SIGINT) and waits; returns whether it exited cleanly.
    pub fn interrupt(&mut self) -> bool {
        let mut child = self.child.take().expect("running");
        kill(Pid::from_raw(child.id() as i32), Signal::SIGINT).unwrap();
        wait_exit(&mut child).is_some_and(|status| status.success())
    }

    /// Stops and starts again on the same data dir and ports.
    pub async fn restart(&mut self) {
        assert!(self.interrupt(), "edgehook up did not exit cleanly on Ctrl-C");
        let (child, credentials) = launch_up(self.work_dir.path(), self.nats_port, &self.extra_args).await;
        self.child = Some(child);
        self.credentials = credentials;
    }

    pub fn nats_port(&self) -> u16 {
        self.nats_port
    }

    pub fn data_dir(&self) -> PathBuf {
        self.work_dir.path().join(DATA_DIR)
    }
}

impl Drop for Up {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = kill(Pid::from_raw(child.id() as i32), Signal::SIGTERM);
            wait_exit(child);
        }
    }
}

const DATA_DIR: &str = "edgehook-data";

async fn launch_up(work_dir: &Path, nats_port: u16, extra_args: &[String]) -> (Child, DevCredentials) {
    let credentials_path = work_dir.join(DATA_DIR).join("dev-credentials.json");
    let _ = std::fs::remove_file(&credentials_path);
    let log = std::fs::File::create(work_dir.join("edgehook.log")).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_edgehook"))
        .current_dir(work_dir)
        .arg("up")
        .args(["--data-dir", &format!("./{DATA_DIR}")])
        .args(["--control-plane-addr", "127.0.0.1:0", "--ingest-addr", "127.0.0.1:0"])
        .args(["--nats-port", &nats_port.to_string()])
        .arg("--nats-server")
        .arg(nats_server_binary())
        .args(["--delivery-timeout-ms", "5000"])
        .args(extra_args)
        .env("EDGEHOOK_LOG", "info,async_nats=warn")
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap();
    let log_path = work_dir.join("edgehook.log");
    let credentials = super::eventually("edgehook up to write its dev credentials", || {
        let (path, log_path) = (credentials_path.clone(), log_path.clone());
        async move {
            let written = std::fs::read(&path).ok().and_then(|bytes| serde_json::from_slice(&bytes).ok());
            if written.is_none() && std::fs::read_to_string(&log_path).is_ok_and(|log| log.contains("Error:"))
            {
                panic!("edgehook up failed:\n{}", std::fs::read_to_string(&log_path).unwrap_or_default());
            }
            written
        }
    })
    .await;
    (child, credentials)
}

/// Waits up to [`WAIT`] for `child` to exit; kills it past that.
fn wait_exit(child: &mut Child) -> Option<std::process::ExitStatus> {
    let deadline = std::time::Instant::now() + WAIT;
    while std::time::Instant::now() < deadline {
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

/// A nats-server with one of the project's configurations, on free ports and a temporary
/// store, that a test can kill and start again on the same store and ports.
pub struct NatsServer {
    child: Option<Child>,
    store: TempDir,
    conf: PathBuf,
    env: Vec<(String, String)>,
    /// With the services' login, for the hub.
    pub url: String,
    pub port: u16,
    /// The hub's leaf node listener (0 for a region).
    pub leaf_port: u16,
}

impl NatsServer {
    /// The hub (`nats/conf/hub.conf`), with the test logins.
    pub async fn hub() -> Self {
        let leaf_port = free_port();
        let issuer = nkeys::KeyPair::from_seed(TEST_NATS_AUTH_SEED).unwrap().public_key();
        let env = vec![
            ("EDGEHOOK_NATS_LEAF_PORT".to_owned(), leaf_port.to_string()),
            ("EDGEHOOK_NATS_PASSWORD".to_owned(), TEST_NATS_PASSWORD.to_owned()),
            ("EDGEHOOK_NATS_AUTH_ISSUER".to_owned(), issuer),
            ("EDGEHOOK_NATS_LEAF_PASSWORD".to_owned(), TEST_NATS_LEAF_PASSWORD.to_owned()),
        ];
        let mut hub = Self::start("hub.conf", env, leaf_port).await;
        hub.url = format!("nats://edgehook:{TEST_NATS_PASSWORD}@127.0.0.1:{}", hub.port);
        hub
    }

    /// The hub as sources reach it: no login in the URL.
    pub fn source_url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// A region (`nats/conf/region.conf`): a leaf node of the hub at `hub_leaf_url`.
    pub async fn region(name: &str, hub_leaf_url: &str) -> Self {
        let env = vec![
            ("EDGEHOOK_REGION".to_owned(), name.to_owned()),
            ("EDGEHOOK_HUB_LEAF_URL".to_owned(), hub_leaf_url.to_owned()),
        ];
        Self::start("region.conf", env, 0).await
    }

    pub fn leaf_url(&self) -> String {
        leaf_url_at(self.leaf_port)
    }

    async fn start(conf: &str, env: Vec<(String, String)>, leaf_port: u16) -> Self {
        let port = free_port();
        let mut server = Self {
            child: None,
            store: tempfile::tempdir().unwrap(),
            conf: project_root().join("nats/conf").join(conf),
            env,
            url: format!("nats://127.0.0.1:{port}"),
            port,
            leaf_port,
        };
        server.start_again().await;
        server
    }

    /// Starts the server (again) on its store and ports.
    pub async fn start_again(&mut self) {
        assert!(self.child.is_none(), "already running");
        let log =
            std::fs::File::options().create(true).append(true).open(self.store.path().join("log")).unwrap();
        let child = Command::new(nats_server_binary())
            .arg("--config")
            .arg(&self.conf)
            .env("EDGEHOOK_NATS_HOST", "127.0.0.1")
            .env("EDGEHOOK_NATS_PORT", self.port.to_string())
            .env("EDGEHOOK_NATS_STORE_DIR", self.store.path().join("jetstream"))
            .envs(self.env.iter().map(|(key, value)| (key, value)))
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        self.child = Some(child);
        let port = self.port;
        super::eventually("nats-server to listen", || async move {
            tokio::net::TcpStream::connect(("127.0.0.1", port)).await.ok().map(|_| ())
        })
        .await;
    }

    /// SIGKILL: the server is gone at once, as in a crash.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().unwrap();
            child.wait().unwrap();
        }
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The hub's leaf listener at `port` (itself or a proxy in front of it), with the regions' login.
pub fn leaf_url_at(port: u16) -> String {
    format!("nats-leaf://region:{TEST_NATS_LEAF_PASSWORD}@127.0.0.1:{port}")
}

/// The test hub's logins (what `edgehook nats-keys` makes for a deployment).
pub const TEST_NATS_PASSWORD: &str = "test-services-password";
pub const TEST_NATS_LEAF_PASSWORD: &str = "test-regions-password";
pub const TEST_NATS_AUTH_SEED: &str = "SAAP6HIKBCFEGVW6U224HQEZTXMGZNOLAETKYJ2BI2IUFHJNPATIZNFNEU";

/// The key every standalone service of a test seals and opens secrets with.
pub const TEST_SECRETS_KEY: &str = "dGVzdC1zZWNyZXRzLWtleS0zMi1ieXRlcy1sb25nISE=";

/// One standalone `edgehook <service>` process.
pub struct Service {
    child: Child,
    pub log: PathBuf,
}

impl Service {
    pub fn start(log_dir: &Path, name: &str, args: &[&str]) -> Self {
        let log = log_dir.join(format!("{name}.log"));
        let file = std::fs::File::create(&log).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_edgehook"))
            .args(args)
            .env("EDGEHOOK_SECRETS_KEY", TEST_SECRETS_KEY)
            .env("EDGEHOOK_NATS_AUTH_SEED", TEST_NATS_AUTH_SEED)
            .stdin(Stdio::null())
            .stdout(file.try_clone().unwrap())
            .stderr(file)
            .spawn()
            .unwrap();
        Self { child, log }
    }

    /// SIGKILL: no chance to finish anything.
    pub fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = kill(Pid::from_raw(self.child.id() as i32), Signal::SIGTERM);
        wait_exit(&mut self.child);
    }
}
