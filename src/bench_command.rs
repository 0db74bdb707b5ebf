//! `edgehook bench`: the benchmark is its own crate and binary (`bench/`, `edgehook-bench`), so
//! that the production binary carries none of its code or dependencies. This subcommand runs
//! that binary from the directory of the running `edgehook`, with the same arguments, and says
//! how to build it when it is not there.

use std::ffi::OsString;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context, bail};
use clap::Args;

/// The bench binary's name, beside `edgehook` in the same directory.
pub const BENCH_BINARY: &str = "edgehook-bench";

#[derive(Args)]
pub struct BenchArgs {
    /// Everything after `bench`, handed to `edgehook-bench` as it is.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, num_args = 0..)]
    pub args: Vec<OsString>,
}

/// Where `edgehook-bench` is expected: next to the running executable.
pub fn bench_binary() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe().context("finding the edgehook executable")?;
    let dir = exe.parent().context("the edgehook executable has no directory")?;
    Ok(dir.join(BENCH_BINARY))
}

/// Replaces this process with `edgehook-bench <args>` (so its exit status and signals are the
/// bench's own); returns only when that is impossible.
pub fn run(args: BenchArgs) -> anyhow::Result<()> {
    let binary = bench_binary()?;
    if !binary.is_file() {
        bail!(
            "the bench is a binary of its own and {} is missing: build it with \
             `cargo build --release -p edgehook-bench` (or `cargo build -p edgehook-bench` for a \
             debug edgehook), then run `edgehook bench` again",
            binary.display()
        );
    }
    let error = Command::new(&binary).args(&args.args).exec();
    Err(error).with_context(|| format!("running {}", binary.display()))
}
