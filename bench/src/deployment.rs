//! The deployment under test: an `edgehook up` child started for the run (stopped at the end), or
//! an existing one named by `--target`; and the CPU time and peak memory of its processes, read
//! from /proc.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use serde::{Deserialize, Serialize};
use tokio::process::{Child, Command};

use edgehook::ports::free_port;

use super::{BenchArgs, progress};

const START_TIMEOUT: Duration = Duration::from_secs(60);
const STOP_TIMEOUT: Duration = Duration::from_secs(20);
/// Linux reports /proc CPU times in USER_HZ ticks, 100 per second on every architecture it runs
/// edgehook on.
const TICKS_PER_SECOND: f64 = 100.0;

/// Where the deployment answers (the shape of `dev-credentials.json`).
#[derive(Deserialize, Clone)]
pub struct Credentials {
    pub control_plane_url: String,
    pub ingest_url: String,
    pub nats_url: Option<String>,
    /// The hub with the services' login (`edgehook up` writes it; not with --target).
    #[serde(default)]
    pub nats_service_url: Option<String>,
    pub admin_token: String,
}

/// The `edgehook up` child of this run.
struct Started {
    child: Child,
    pid: u32,
    data_dir: PathBuf,
    remove_data: bool,
}

pub struct Deployment {
    pub credentials: Credentials,
    started: Option<Started>,
}

impl Deployment {
    /// Starts `edgehook up` on loopback, or attaches to `--target`.
    pub async fn open(args: &BenchArgs) -> anyhow::Result<Self> {
        Self::open_with(args, &[]).await
    }

    /// [`Self::open`], with more arguments for `edgehook up` (e.g. `--history-url`).
    pub async fn open_with(args: &BenchArgs, up_args: &[String]) -> anyhow::Result<Self> {
        if let Some(target) = &args.target {
            let credentials = Credentials {
                control_plane_url: target.trim_end_matches('/').to_owned(),
                ingest_url: args.ingest_url.clone().unwrap_or_default().trim_end_matches('/').to_owned(),
                nats_url: args.nats_url.clone(),
                nats_service_url: None,
                admin_token: args.admin_token.clone().unwrap_or_default(),
            };
            return Ok(Self { credentials, started: None });
        }
        let (data_dir, remove_data) = match &args.data_dir {
            Some(dir) => (dir.clone(), false),
            None => {
                let name = format!("edgehook-bench-{}-{:08x}", std::process::id(), rand::random::<u32>());
                (std::env::temp_dir().join(name), !args.keep_data)
            }
        };
        std::fs::create_dir_all(&data_dir).with_context(|| format!("creating {}", data_dir.display()))?;
        let log_path = data_dir.join("edgehook.log");
        let log =
            std::fs::File::create(&log_path).with_context(|| format!("creating {}", log_path.display()))?;
        let mut command = Command::new(edgehook_binary()?);
        command
            .arg("up")
            .arg("--data-dir")
            .arg(&data_dir)
            .args(["--control-plane-addr", "127.0.0.1:0", "--ingest-addr", "127.0.0.1:0"])
            .args(["--nats-port", &free_port().context("finding a free port")?.to_string()])
            .args(up_args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .kill_on_drop(true);
        if let Some(server) = &args.nats_server {
            command.arg("--nats-server").arg(server);
        }
        if let Some(concurrency) = args.relay_concurrency {
            command.args(["--concurrency", &concurrency.to_string()]);
        }
        if let Some(filter) = &args.edgehook_log {
            command.env("EDGEHOOK_LOG", filter);
        }
        progress(format_args!("starting edgehook up (data dir {})", data_dir.display()));
        let mut child = command.spawn().context("starting edgehook up")?;
        let pid = child.id().context("edgehook up exited at once")?;
        let credentials = match wait_for_credentials(&mut child, &data_dir).await {
            Ok(credentials) => credentials,
            Err(error) => {
                let _ = child.kill().await;
                let tail = log_tail(&log_path);
                return Err(error.context(format!("edgehook up did not start; its log ends with:\n{tail}")));
            }
        };
        let started = Started { child, pid, data_dir, remove_data };
        Ok(Self { credentials, started: Some(started) })
    }

    /// True with `--target`: the deployment is not the bench's own.
    pub fn is_attached(&self) -> bool {
        self.started.is_none()
    }

    /// The processes whose usage is reported: edgehook itself and its nats-server children.
    pub fn processes(&self) -> Vec<Process> {
        let Some(started) = &self.started else { return vec![] };
        let mut processes = vec![Process { label: "edgehook".to_owned(), pid: started.pid }];
        processes.extend(children(started.pid));
        processes
    }

    pub fn log_path(&self) -> Option<PathBuf> {
        self.started.as_ref().map(|started| started.data_dir.join("edgehook.log"))
    }

    /// SIGTERM, then waits for the child (SIGKILL after a while); removes the temporary data dir.
    pub async fn stop(self) -> anyhow::Result<()> {
        let Some(mut started) = self.started else { return Ok(()) };
        let pid = Pid::from_raw(i32::try_from(started.pid).context("pid out of range")?);
        let _ = kill(pid, Signal::SIGTERM);
        match tokio::time::timeout(STOP_TIMEOUT, started.child.wait()).await {
            Ok(status) => {
                let status = status.context("waiting for edgehook up")?;
                if !status.success() {
                    progress(format_args!("edgehook up exited with {status}"));
                }
            }
            Err(_) => {
                progress("edgehook up did not stop after SIGTERM; killing it");
                started.child.kill().await.context("killing edgehook up")?;
            }
        }
        if started.remove_data {
            std::fs::remove_dir_all(&started.data_dir)
                .with_context(|| format!("removing {}", started.data_dir.display()))?;
        }
        Ok(())
    }
}

/// The `edgehook` binary beside this one (cargo builds both into `target/<profile>/`).
fn edgehook_binary() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe().context("finding the edgehook-bench executable")?;
    let binary = exe.with_file_name("edgehook");
    if !binary.is_file() {
        bail!(
            "{} is missing: the bench starts `edgehook up` from beside itself; build it with \
             `cargo build --release -p edgehook`, or pass --target to measure a running deployment",
            binary.display()
        );
    }
    Ok(binary)
}

async fn wait_for_credentials(child: &mut Child, data_dir: &Path) -> anyhow::Result<Credentials> {
    let path = data_dir.join("dev-credentials.json");
    let deadline = Instant::now() + START_TIMEOUT;
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().context("watching edgehook up")? {
            bail!("edgehook up exited with {status}");
        }
        // The file may be read while it is being written: a parse error means "not yet".
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        if let Ok(credentials) = serde_json::from_str::<Credentials>(&text) {
            return Ok(credentials);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("{} did not appear within {START_TIMEOUT:?}", path.display())
}

fn log_tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}

/// One process whose usage is reported.
#[derive(Clone)]
pub struct Process {
    pub label: String,
    pub pid: u32,
}

/// CPU seconds over the measured window and peak resident memory of one process.
#[derive(Serialize, Clone)]
pub struct Usage {
    pub process: String,
    pub pid: u32,
    pub cpu_s: f64,
    /// CPU seconds per second of the window: 2.0 is both cores of this machine.
    pub cpu_cores: f64,
    pub peak_rss_mb: f64,
}

/// CPU seconds used so far by a process (user + system), from /proc/<pid>/stat.
pub fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let fields = stat_fields(&stat)?;
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) as f64 / TICKS_PER_SECOND)
}

/// Peak resident memory (VmHWM) in MiB.
pub fn peak_rss_mb(pid: u32) -> Option<f64> {
    status_mb(pid, "VmHWM:")
}

/// Resident memory now (VmRSS) in MiB.
pub fn rss_mb(pid: u32) -> Option<f64> {
    status_mb(pid, "VmRSS:")
}

fn status_mb(pid: u32, field: &str) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|line| line.starts_with(field))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// Every process named `name` (its /proc comm), e.g. PostgreSQL's server and backends.
pub fn processes_named(name: &str) -> Vec<Process> {
    let Ok(entries) = std::fs::read_dir("/proc") else { return vec![] };
    entries
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|comm| comm.trim() == name)
        })
        .map(|pid| Process { label: name.to_owned(), pid })
        .collect()
}

/// The fields after the command name (which may contain spaces): index 0 is the state, 1 the
/// parent pid, 11 utime, 12 stime.
fn stat_fields(stat: &str) -> Option<Vec<&str>> {
    let rest = &stat[stat.rfind(')')? + 1..];
    Some(rest.split_whitespace().collect())
}

/// The direct children of `pid` (the nats-server of `edgehook up`), found by scanning /proc.
fn children(pid: u32) -> Vec<Process> {
    let Ok(entries) = std::fs::read_dir("/proc") else { return vec![] };
    let mut found = vec![];
    for entry in entries.flatten() {
        let Some(child) = entry.file_name().to_str().and_then(|name| name.parse::<u32>().ok()) else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{child}/stat")) else { continue };
        let parent = stat_fields(&stat).and_then(|fields| fields.get(1).and_then(|ppid| ppid.parse().ok()));
        if parent == Some(pid) {
            let name = stat
                .find('(')
                .zip(stat.rfind(')'))
                .map_or("child".to_owned(), |(open, close)| stat[open + 1..close].to_owned());
            found.push(Process { label: name, pid: child });
        }
    }
    found
}

/// The pseudo-process of [`Window::close`] that is everything else the machine ran.
pub const REST_OF_MACHINE: &str = "rest of machine";

/// CPU readings of some processes (and of the whole machine) at the start of the measured window.
pub struct Window {
    started: Instant,
    readings: Vec<(Process, Option<f64>)>,
    machine: Option<f64>,
}

impl Window {
    pub fn open(processes: Vec<Process>) -> Self {
        let readings =
            processes.into_iter().map(|process| (process.clone(), cpu_seconds(process.pid))).collect();
        Self { started: Instant::now(), readings, machine: machine_busy_seconds() }
    }

    /// Usage since [`Window::open`]; call before the processes stop. The last entry is the CPU
    /// the rest of the machine used meanwhile (other work that makes the numbers noisy).
    pub fn close(&self) -> Vec<Usage> {
        let elapsed = self.started.elapsed().as_secs_f64().max(1e-9);
        let round = |value: f64, per_unit: f64| (value * per_unit).round() / per_unit;
        let mut usage: Vec<Usage> = self
            .readings
            .iter()
            .map(|(process, before)| {
                let cpu_s = match (before, cpu_seconds(process.pid)) {
                    (Some(before), Some(after)) => after - before,
                    _ => f64::NAN,
                };
                Usage {
                    process: process.label.clone(),
                    pid: process.pid,
                    cpu_s: round(cpu_s, 100.0),
                    cpu_cores: round(cpu_s / elapsed, 1000.0),
                    peak_rss_mb: round(peak_rss_mb(process.pid).unwrap_or(f64::NAN), 10.0),
                }
            })
            .collect();
        let ours: f64 = usage.iter().map(|usage| usage.cpu_s).sum();
        let rest = match (self.machine, machine_busy_seconds()) {
            (Some(before), Some(after)) => (after - before - ours).max(0.0),
            _ => f64::NAN,
        };
        usage.push(Usage {
            process: REST_OF_MACHINE.to_owned(),
            pid: 0,
            cpu_s: round(rest, 100.0),
            cpu_cores: round(rest / elapsed, 1000.0),
            peak_rss_mb: f64::NAN,
        });
        usage
    }
}

/// CPU seconds the whole machine spent busy so far (every core), from /proc/stat.
fn machine_busy_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let line = stat.lines().find(|line| line.starts_with("cpu "))?;
    let ticks: Vec<u64> = line.split_whitespace().skip(1).filter_map(|field| field.parse().ok()).collect();
    // user nice system idle iowait irq softirq steal: everything but idle and iowait.
    let busy: u64 = [0, 1, 2, 5, 6, 7].iter().filter_map(|index| ticks.get(*index)).sum();
    Some(busy as f64 / TICKS_PER_SECOND)
}

/// The 1-minute load average, to tell a busy machine in the report.
pub fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg").ok()?.split_whitespace().next()?.parse().ok()
}
