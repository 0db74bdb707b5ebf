//! The AWS deployment (`terraform/`): a Python checker (`tests/support/check_terraform.py`, with
//! python-hcl2) parses the modules and the example root and checks them against each other
//! (variables declared and passed, outputs that exist, files the modules read), and must notice
//! each of a set of deliberate breakages (among them a history database that is unencrypted,
//! public, or given a password Terraform would keep). Where the `terraform` CLI is installed, the
//! files are also checked to be `terraform fmt`-clean (`terraform validate` needs the providers
//! downloaded, so it is not run here).
//!
//! Tools: the project venv with python-hcl2, installed by `make tools`.

use std::path::Path;
use std::process::{Command, Output};

use edgehook_testkit::tools::{assert_success, output_text};
use edgehook_testkit::{project_root, python};

fn check_terraform(terraform_dir: &Path) -> Output {
    Command::new(python())
        .arg(project_root().join("tests/support/check_terraform.py"))
        .arg(terraform_dir)
        .output()
        .expect("running tests/support/check_terraform.py")
}

#[test]
fn terraform_modules_are_consistent() {
    let hcl2 = Command::new(python()).args(["-c", "import hcl2"]).output().expect("running the venv python");
    assert!(
        hcl2.status.success(),
        "python-hcl2 is not in .tools/venv: run `make tools`\n{}",
        output_text(&hcl2)
    );
    let output = check_terraform(&project_root().join("terraform"));
    assert_success(&output, "tests/support/check_terraform.py");
    println!("{}", output_text(&output));
}

/// Copies terraform/ and the NATS configurations it reads to a scratch repository.
fn scratch_repository() -> tempfile::TempDir {
    fn copy_dir(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            let target = to.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                // Terraform's own working files, if someone ran it here.
                if entry.file_name() != ".terraform" {
                    copy_dir(&entry.path(), &target);
                }
            } else {
                std::fs::copy(entry.path(), target).unwrap();
            }
        }
    }
    let scratch = tempfile::tempdir().unwrap();
    copy_dir(&project_root().join("terraform"), &scratch.path().join("terraform"));
    copy_dir(&project_root().join("nats/conf"), &scratch.path().join("nats/conf"));
    scratch
}

fn edit(root: &Path, relative: &str, from: &str, to: &str) {
    let path = root.join(relative);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{relative} no longer contains {from:?}: update this test");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn terraform_checker_catches_broken_modules() {
    let example = "terraform/examples/hub-and-regions/main.tf";
    let history = "terraform/modules/hub/history.tf";
    // (file, text, replacement, the problem the checker must report)
    let breakages: &[(&str, &str, &str, &str)] = &[
        (
            "terraform/modules/hub/variables.tf",
            "variable \"leaf_hostname\"",
            "variable \"leaf_host_name\"",
            "var.leaf_hostname is not declared",
        ),
        (example, "  api_hostname           = var.hub.api_hostname\n", "", "does not pass api_hostname"),
        (example, "name                         = \"eu\"", "region_name = \"eu\"", "passes region_name"),
        (example, "module.hub.leaf_url", "module.hub.leaf_address", "no output leaf_address"),
        (
            "terraform/modules/region/main.tf",
            "../../../nats/conf/region.conf",
            "conf/region.conf",
            "does not exist",
        ),
        (
            "terraform/modules/region/templates/publish-backlog.sh.tftpl",
            "--unit Count",
            "--unit ${metric_unit}",
            "uses metric_unit",
        ),
        (
            "terraform/modules/nats-cluster/conf/cluster.conf",
            "lame_duck_duration: 30s",
            "lame_duck_duration: $EDGEHOOK_NATS_LAME_DUCK",
            "reads $EDGEHOOK_NATS_LAME_DUCK",
        ),
        (
            "terraform/modules/region/main.tf",
            "EDGEHOOK_HUB_LEAF_URL = {",
            "EDGEHOOK_HUB_URL = {",
            "reads $EDGEHOOK_HUB_LEAF_URL",
        ),
        (
            "terraform/modules/hub/main.tf",
            "    EDGEHOOK_NATS_LEAF_PASSWORD = { secret_arn",
            "    EDGEHOOK_NATS_LEAF_PASSWORDS = { secret_arn",
            "reads $EDGEHOOK_NATS_LEAF_PASSWORD",
        ),
        (
            "terraform/modules/region/main.tf",
            "    EDGEHOOK_HUB_LEAF_URL = {",
            "    EDGEHOOK_REGION = { secret_arn = var.hub_leaf_password_secret_arn }\n    EDGEHOOK_HUB_LEAF_URL = {",
            "EDGEHOOK_REGION is in both environment and secret_environment",
        ),
        (
            "terraform/modules/region/main.tf",
            "    EDGEHOOK_SECRETS_KEY    = { secret_arn = var.secrets_key_secret_arn }\n",
            "",
            "edgehook relay needs EDGEHOOK_SECRETS_KEY",
        ),
        (
            "terraform/modules/hub/main.tf",
            "merge(local.service_secret_environment, local.secrets_key_environment, {\n    EDGEHOOK_NATS_AUTH_SEED",
            "merge(local.service_secret_environment, {\n    EDGEHOOK_NATS_AUTH_SEED",
            "edgehook ingest needs EDGEHOOK_SECRETS_KEY",
        ),
        (
            "terraform/modules/region/main.tf",
            "    EDGEHOOK_LOG_FORMAT        = \"json\"\n",
            "    EDGEHOOK_LOG_FORMAT        = \"json\"\n    EDGEHOOK_JWT_SECRET        = \"not-in-user-data\"\n",
            "EDGEHOOK_JWT_SECRET is a secret: it belongs in secret_environment",
        ),
        (
            history,
            "  storage_encrypted     = true\n",
            "  storage_encrypted     = false\n",
            "is not encrypted",
        ),
        (
            history,
            "  publicly_accessible    = false\n",
            "  publicly_accessible    = true\n",
            "may be publicly accessible",
        ),
        (history, "  publicly_accessible    = false\n", "", "may be publicly accessible"),
        (
            history,
            "  subnet_ids  = var.private_subnet_ids\n",
            "  subnet_ids  = var.public_subnet_ids\n",
            "is not private subnets only",
        ),
        (history, "  password_wo         =", "  password            =", "sets password"),
        (
            "terraform/modules/hub/outputs.tf",
            "  value       = aws_secretsmanager_secret.history_url.arn\n",
            "  value       = ephemeral.aws_secretsmanager_random_password.history.random_password\n",
            "gives out a secret's value",
        ),
        (
            history,
            "  secret_environment = merge(local.service_secret_environment, local.history_secret_environment)",
            "  secret_environment = local.service_secret_environment",
            "edgehook history needs EDGEHOOK_HISTORY_URL",
        ),
        (
            history,
            "    EDGEHOOK_ADMIN_ADDR             =",
            "    EDGEHOOK_HISTORY_URL            = \"postgres://edgehook:pw@db/edgehook\"\n    EDGEHOOK_ADMIN_ADDR             =",
            "EDGEHOOK_HISTORY_URL is a secret: it belongs in secret_environment",
        ),
        (
            "terraform/modules/hub/main.tf",
            "local.secrets_key_environment, local.history_secret_environment, {",
            "local.secrets_key_environment, {",
            "the control-plane is not given EDGEHOOK_HISTORY_URL",
        ),
        (
            history,
            "  service         = \"history\"\n",
            "  service         = \"router\"\n",
            "runs no history writer",
        ),
        (
            "terraform/modules/hub/outputs.tf",
            "output \"api_url\" {",
            "output \"api_url\" {{",
            "does not parse",
        ),
    ];
    for (file, from, to, expected) in breakages {
        let scratch = scratch_repository();
        edit(scratch.path(), file, from, to);
        let output = check_terraform(&scratch.path().join("terraform"));
        let text = output_text(&output);
        assert!(!output.status.success(), "breaking {file} ({from:?} -> {to:?}) went unnoticed:\n{text}");
        assert!(text.contains(expected), "breaking {file} should report {expected:?}:\n{text}");
    }
    // And the untouched copy passes, so the failures above are the breakages'.
    let scratch = scratch_repository();
    let output = check_terraform(&scratch.path().join("terraform"));
    assert_success(&output, "check_terraform.py on an unmodified copy");
}

/// `terraform fmt -check`, where the CLI is installed (it needs no provider, so no network).
#[test]
fn terraform_files_are_formatted() {
    let Ok(output) = Command::new("terraform")
        .args(["fmt", "-check", "-recursive", "-diff"])
        .arg(project_root().join("terraform"))
        .env("TF_CLI_CONFIG_FILE", "/dev/null")
        .output()
    else {
        println!("no terraform CLI: formatting not checked");
        return;
    };
    assert_success(&output, "terraform fmt -check -recursive terraform/");
}
