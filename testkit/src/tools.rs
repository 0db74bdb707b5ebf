//! The repository's files and the external tools the ops tests check them with (promtool, the
//! venv's Python, openssl): each run fails with how to install the tool when it is missing.

use std::path::Path;
use std::process::{Command, Output};

use super::project_root;

/// A file of the repository, by its path from the root.
pub fn read(relative: &str) -> String {
    std::fs::read_to_string(project_root().join(relative))
        .unwrap_or_else(|e| panic!("reading {relative}: {e}"))
}

/// stdout then stderr, for a failure message.
pub fn output_text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

pub fn assert_success(output: &Output, what: &str) {
    assert!(output.status.success(), "{what} failed:\n{}", output_text(output));
}

/// Runs `program` in `dir`, failing with `install_hint` when it cannot be run.
pub fn run_tool(program: &str, args: &[&str], dir: &Path, install_hint: &str) -> Output {
    Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program} ({e}): {install_hint}"))
}

/// promtool, from the repository's root.
pub fn promtool(args: &[&str]) -> Output {
    run_tool(
        "promtool",
        args,
        &project_root(),
        "run `make tools` (promtool comes from the Debian package `prometheus`)",
    )
}

/// openssl in `dir`, which must succeed.
pub fn openssl(dir: &Path, args: &[&str]) {
    let output = run_tool("openssl", args, dir, "install openssl");
    assert_success(&output, &format!("openssl {}", args.join(" ")));
}
