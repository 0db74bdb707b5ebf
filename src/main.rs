//! `edgehook`: one binary for every service.
//!
//! `edgehook up` runs everything in one process with its own nats-server child (development and
//! small deployments); `control-plane`, `ingest` and `relay` run one service each against an
//! existing NATS deployment. The subcommands live in the package's library (`src/lib.rs`); this
//! file parses the command line and dispatches.

use clap::Parser;
use edgehook::{bench_command, cli, nats_logins, openapi, services, status, up, verify};

/// Every delivery allocates (JSON, headers, buffers) on many threads; in profiles of `bench
/// max` glibc's malloc and free took a quarter of edgehook's CPU. mimalloc does the same work
/// with far less.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = cli::Cli::parse();
    init_tracing(cli.log_format);
    // A service's metrics recorder is installed before any of it starts: a counter or gauge
    // handle taken before it would stay a no-op for good (a task starting ahead of the first
    // `/metrics` route).
    if matches!(
        cli.command,
        cli::Command::Up(_)
            | cli::Command::ControlPlane(_)
            | cli::Command::Ingest(_)
            | cli::Command::Router(_)
            | cli::Command::Relay(_)
            | cli::Command::History(_)
    ) {
        edgehook_service::ops::metrics();
    }
    let result = match cli.command {
        cli::Command::Up(args) => up::run(args).await,
        cli::Command::ControlPlane(args) => services::control_plane(args).await,
        cli::Command::Ingest(args) => services::ingest(args).await,
        cli::Command::Router(args) => services::router(args).await,
        cli::Command::Relay(args) => services::relay(args).await,
        cli::Command::History(args) => services::history(args).await,
        cli::Command::AdminToken(args) => services::admin_token(args),
        cli::Command::Status(args) => status::run(args).await,
        cli::Command::Bench(args) => bench_command::run(args),
        cli::Command::Verify(args) => verify::run(args),
        cli::Command::NatsKeys(args) => nats_logins::print_new(args),
        cli::Command::Openapi(args) => openapi::run(args),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("edgehook: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn init_tracing(format: cli::LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("EDGEHOOK_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,async_nats=warn"));
    // Colours only for a terminal: escape codes in a log file cost time and read badly.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    match format {
        cli::LogFormat::Json => builder.json().init(),
        cli::LogFormat::Text => builder.init(),
    }
}
