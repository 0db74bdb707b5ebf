//! `edgehook` processes the tests start and always stop: `edgehook up`, and the standalone
//! services (the bare nats-server is [`crate::nats`]).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use serde::Deserialize;
use tempfile::TempDir;

use super::nats::TEST_NATS_AUTH_SEED;
use super::{WAIT, edgehook_binary, free_port, nats_server_binary};

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

    /// SIGKILL of everything at once, as in a power loss: `edgehook up` and its children (the
    /// nats-servers) in one sweep, none given a chance to flush. [`Self::start_again`] restarts.
    pub fn crash(&mut self) {
        let mut child = self.child.take().expect("running");
        let pid = child.id();
        // Each thread lists the children it spawned.
        let children: Vec<i32> = std::fs::read_dir(format!("/proc/{pid}/task"))
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|task| std::fs::read_to_string(task.path().join("children")).ok())
            .flat_map(|list| list.split_whitespace().filter_map(|id| id.parse().ok()).collect::<Vec<_>>())
            .collect();
        for process in children.into_iter().chain([pid as i32]) {
            let _ = kill(Pid::from_raw(process), Signal::SIGKILL);
        }
        let _ = child.wait();
    }

    /// Starts again on the same data dir and ports after [`Self::crash`].
    pub async fn start_again(&mut self) {
        assert!(self.child.is_none(), "already running");
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
    let child = Command::new(edgehook_binary())
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
        let child = Command::new(edgehook_binary())
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
