//! The operations files: Prometheus alert rules and scrape configuration (`ops/prometheus/`),
//! the Grafana dashboard (`ops/grafana/`) and the AWS deployment (`terraform/`).
//!
//! None of them is code the build checks, so these tests do: promtool checks and unit-tests the
//! alert rules, every query of the rules and the dashboard may use only the metrics (and labels)
//! the services export, a Python checker parses the Terraform and checks its modules against
//! each other, and the production NATS configurations the Terraform installs (the repository's
//! `nats/conf` files plus the modules' includes) are started as a three-server hub and a
//! three-server region that must form JetStream clusters and link over mutual TLS.
//!
//! Tools: promtool (Debian package `prometheus`), the project venv with python-hcl2, and
//! nats-server from `.tools`, all installed by `make tools`; openssl for test certificates.

use std::collections::{BTreeSet, HashSet};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// Every metric the services export, with its labels (histograms without their `_bucket`,
/// `_sum` and `_count` series). The alert rules and the dashboard may use nothing else.
const EXPORTED_METRICS: &[(&str, &[&str])] = &[
    ("edgehook_ingest_events_total", &["source_id", "result"]),
    ("edgehook_delivery_attempts_total", &["region", "status_class", "outcome"]),
    ("edgehook_delivery_duration_seconds", &["region"]),
    ("edgehook_ingest_to_delivery_seconds", &["region"]),
    ("edgehook_delivery_retries_total", &["region"]),
    ("edgehook_dead_letters_total", &["region", "webhook_id", "reason"]),
    ("edgehook_jetstream_consumer_pending_messages", &["stream", "consumer"]),
    ("edgehook_jetstream_consumer_ack_pending_messages", &["stream", "consumer"]),
    ("edgehook_endpoint_failure_ratio", &["webhook_id"]),
    ("edgehook_endpoint_effective_rate", &["webhook_id"]),
    ("edgehook_deliveries_deferred_total", &["region", "reason"]),
    ("edgehook_endpoints_disabled_total", &["region"]),
    ("edgehook_rate_limit_fallbacks_total", &["region"]),
    ("edgehook_region_replication_lag_messages", &["region"]),
    ("edgehook_region_reachable", &["region"]),
    ("edgehook_region_relays_alive", &["region"]),
];

const HISTOGRAM_SUFFIXES: &[&str] = &["_bucket", "_sum", "_count"];

const ALERTS: &str = "ops/prometheus/alerts.yml";
const ALERT_TESTS: &str = "ops/prometheus/alerts.test.yml";
const PROMETHEUS_CONFIG: &str = "ops/prometheus/prometheus.yml";
const DASHBOARD: &str = "ops/grafana/edgehook-dashboard.json";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(relative: &str) -> String {
    std::fs::read_to_string(repo().join(relative)).unwrap_or_else(|e| panic!("reading {relative}: {e}"))
}

fn output_text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

/// Runs a tool the tests need, failing with how to install it when it is missing.
fn run_tool(program: &str, args: &[&str], install_hint: &str) -> Output {
    Command::new(program)
        .args(args)
        .current_dir(repo())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program} ({e}): {install_hint}"))
}

fn promtool(args: &[&str]) -> Output {
    run_tool("promtool", args, "run `make tools` (promtool comes from the Debian package `prometheus`)")
}

fn assert_success(output: &Output, what: &str) {
    assert!(output.status.success(), "{what} failed:\n{}", output_text(output));
}

// --- PromQL, as far as these tests need it ----------------------------------------------------

/// A metric name as exported: histogram series map to their histogram.
fn exported_name(series: &str) -> &str {
    HISTOGRAM_SUFFIXES
        .iter()
        .find_map(|suffix| series.strip_suffix(suffix))
        .filter(|histogram| labels_of(histogram).is_some())
        .unwrap_or(series)
}

fn labels_of(metric: &str) -> Option<&'static [&'static str]> {
    EXPORTED_METRICS.iter().find(|(name, _)| *name == metric).map(|(_, labels)| *labels)
}

/// Every `edgehook_*` name in a text.
fn edgehook_names(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("edgehook_") {
        let preceded_by_word =
            rest[..start].chars().next_back().is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
        let tail = &rest[start..];
        let end = tail.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(tail.len());
        if !preceded_by_word {
            names.push(tail[..end].to_owned());
        }
        rest = &tail[end..];
    }
    names
}

/// The label names a PromQL expression uses: in `by`/`without`/`on`/`ignoring`/`group_left`/
/// `group_right` lists and in selector matchers. String literals are skipped.
fn labels_used(expr: &str) -> Vec<String> {
    const GROUPING: &[&str] = &["by", "without", "on", "ignoring", "group_left", "group_right"];
    let chars: Vec<char> = expr.chars().collect();
    let mut labels = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '"' {
            i = skip_string(&chars, i);
            continue;
        }
        if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_' || chars[i] == ':')
            {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let mut j = i;
            while j < chars.len() && chars[j].is_whitespace() {
                j += 1;
            }
            if GROUPING.contains(&word.as_str()) && chars.get(j) == Some(&'(') {
                let close = (j..chars.len()).find(|&k| chars[k] == ')').expect("unclosed label list");
                let list: String = chars[j + 1..close].iter().collect();
                labels.extend(list.split(',').map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned));
                i = close + 1;
            } else if word.starts_with("edgehook_") && chars.get(i) == Some(&'{') {
                // Matchers: name op "value", separated by commas, up to the closing brace.
                let mut k = i + 1;
                let mut expecting_name = true;
                while k < chars.len() && chars[k] != '}' {
                    if chars[k] == '"' {
                        k = skip_string(&chars, k);
                        continue;
                    }
                    if expecting_name && (chars[k].is_ascii_alphabetic() || chars[k] == '_') {
                        let name_start = k;
                        while k < chars.len() && (chars[k].is_ascii_alphanumeric() || chars[k] == '_') {
                            k += 1;
                        }
                        labels.push(chars[name_start..k].iter().collect());
                        expecting_name = false;
                        continue;
                    }
                    if chars[k] == ',' {
                        expecting_name = true;
                    }
                    k += 1;
                }
                i = k + 1;
            }
            continue;
        }
        i += 1;
    }
    labels
}

/// The index just after the string literal starting at `start` (a double quote).
fn skip_string(chars: &[char], start: usize) -> usize {
    let mut k = start + 1;
    while k < chars.len() && chars[k] != '"' {
        k += if chars[k] == '\\' { 2 } else { 1 };
    }
    k + 1
}

/// Checks one query (with the names `{{label}}`/`$labels.label` its legend or annotations
/// show): only exported metrics, and only labels those metrics have. Returns the metrics used.
fn check_query(where_: &str, expr: &str, shown_labels: &[String], problems: &mut Vec<String>) -> Vec<String> {
    let mut metrics = Vec::new();
    let mut allowed: HashSet<&str> = HashSet::new();
    for series in edgehook_names(expr) {
        let metric = exported_name(&series);
        match labels_of(metric) {
            Some(labels) => {
                allowed.extend(labels.iter().copied());
                if series.ends_with("_bucket") {
                    allowed.insert("le");
                }
                metrics.push(metric.to_owned());
            }
            None => problems.push(format!("{where_}: {series} is not an exported metric")),
        }
    }
    for label in labels_used(expr).iter().chain(shown_labels) {
        if !allowed.contains(label.as_str()) {
            problems.push(format!("{where_}: label {label} belongs to none of the metrics in `{expr}`"));
        }
    }
    metrics
}

/// `{{name}}` placeholders of a Grafana legend.
fn legend_labels(legend: &str) -> Vec<String> {
    legend
        .split("{{")
        .skip(1)
        .filter_map(|part| part.split_once("}}"))
        .map(|(name, _)| name.trim().to_owned())
        .collect()
}

// --- Alert rules ------------------------------------------------------------------------------

/// One alerting rule of alerts.yml, read from its text (no YAML parser among the dependencies):
/// the rules file is written as `- alert: Name`, `expr: |` and an indented expression.
struct AlertRule {
    name: String,
    expr: String,
    /// Everything of the rule after its expression: `for`, labels, annotations.
    rest: String,
}

fn alert_rules(text: &str) -> Vec<AlertRule> {
    let mut rules: Vec<AlertRule> = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let trimmed = lines[i].trim();
        if let Some(name) = trimmed.strip_prefix("- alert:") {
            rules.push(AlertRule { name: name.trim().to_owned(), expr: String::new(), rest: String::new() });
        } else if let (Some(rule), Some(inline)) = (rules.last_mut(), trimmed.strip_prefix("expr:")) {
            let indent = lines[i].len() - lines[i].trim_start().len();
            if inline.trim() == "|" {
                while i + 1 < lines.len()
                    && (lines[i + 1].trim().is_empty()
                        || lines[i + 1].len() - lines[i + 1].trim_start().len() > indent)
                {
                    i += 1;
                    rule.expr.push_str(lines[i].trim());
                    rule.expr.push('\n');
                }
            } else {
                rule.expr = inline.trim().to_owned();
            }
        } else if let Some(rule) = rules.last_mut() {
            if !trimmed.starts_with('#') {
                rule.rest.push_str(trimmed);
                rule.rest.push('\n');
            }
        }
        i += 1;
    }
    rules
}

#[test]
fn alert_rules_pass_promtool_check() {
    assert_success(&promtool(&["check", "rules", ALERTS]), "promtool check rules");
}

#[test]
fn alert_rules_fire_at_their_thresholds() {
    // alerts.test.yml feeds each rule series on both sides of its threshold.
    assert_success(&promtool(&["test", "rules", ALERT_TESTS]), "promtool test rules");
    let tested: BTreeSet<String> = read(ALERT_TESTS)
        .lines()
        .filter_map(|line| line.trim().strip_prefix("alertname:"))
        .map(|name| name.trim().to_owned())
        .collect();
    let defined: BTreeSet<String> = alert_rules(&read(ALERTS)).into_iter().map(|rule| rule.name).collect();
    let untested: Vec<_> = defined.difference(&tested).collect();
    assert!(untested.is_empty(), "alerts without a case in {ALERT_TESTS}: {untested:?}");
}

#[test]
fn prometheus_config_passes_promtool_check() {
    // Also checks the rule files it names (alerts.yml) resolve.
    assert_success(&promtool(&["check", "config", PROMETHEUS_CONFIG]), "promtool check config");
}

#[test]
fn alert_rules_use_only_exported_metrics_and_labels() {
    let text = read(ALERTS);
    let rules = alert_rules(&text);
    assert!(rules.len() >= 8, "expected the spec's alerts in {ALERTS}, found {}", rules.len());
    let mut problems = Vec::new();
    for rule in &rules {
        assert!(!rule.expr.trim().is_empty(), "alert {} has no expression", rule.name);
        for required in ["for:", "severity:", "summary:", "description:"] {
            if !rule.rest.contains(required) {
                problems.push(format!("alert {}: no `{required}`", rule.name));
            }
        }
        let shown: Vec<String> = rule
            .rest
            .split("$labels.")
            .skip(1)
            .map(|tail| tail.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect())
            .collect();
        if check_query(&format!("alert {}", rule.name), &rule.expr, &shown, &mut problems).is_empty() {
            problems.push(format!("alert {}: uses no edgehook metric", rule.name));
        }
    }
    // Metric names anywhere else in the file (descriptions) must exist too.
    for name in edgehook_names(&text) {
        if labels_of(exported_name(&name)).is_none() {
            problems.push(format!("{ALERTS} names {name}, which is not exported"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// --- Dashboard --------------------------------------------------------------------------------

fn dashboard() -> Value {
    serde_json::from_str(&read(DASHBOARD)).expect("the dashboard is JSON")
}

/// Every panel, rows' nested panels included.
fn panels(dashboard: &Value) -> Vec<&Value> {
    let mut all = Vec::new();
    for panel in dashboard["panels"].as_array().expect("panels") {
        all.push(panel);
        if let Some(nested) = panel["panels"].as_array() {
            all.extend(nested);
        }
    }
    all
}

/// (panel title, expr, legend) of every query.
fn dashboard_queries(dashboard: &Value) -> Vec<(String, String, String)> {
    let mut queries = Vec::new();
    for panel in panels(dashboard) {
        for target in panel["targets"].as_array().into_iter().flatten() {
            queries.push((
                panel["title"].as_str().unwrap_or("?").to_owned(),
                target["expr"].as_str().unwrap_or("").to_owned(),
                target["legendFormat"].as_str().unwrap_or("").to_owned(),
            ));
        }
    }
    queries
}

#[test]
fn dashboard_is_a_well_formed_grafana_dashboard() {
    let dashboard = dashboard();
    assert!(dashboard["schemaVersion"].as_u64().is_some_and(|v| v >= 36), "schemaVersion 36 or newer");
    assert!(dashboard["uid"].as_str().is_some_and(|uid| !uid.is_empty()), "a stable uid");

    let variables = dashboard["templating"]["list"].as_array().expect("template variables");
    let variable = |name: &str| {
        variables
            .iter()
            .find(|v| v["name"] == name)
            .unwrap_or_else(|| panic!("no `{name}` template variable"))
    };
    let datasource = variable("datasource");
    assert_eq!(datasource["type"], "datasource");
    assert_eq!(datasource["query"], "prometheus");
    let region = variable("region");
    assert_eq!(region["type"], "query");
    assert_eq!(region["datasource"]["uid"], "${datasource}");
    assert_eq!(region["definition"], "label_values(edgehook_delivery_attempts_total, region)");

    let mut ids = HashSet::new();
    let mut problems = Vec::new();
    for panel in panels(&dashboard) {
        let title = panel["title"].as_str().unwrap_or("?");
        let id = panel["id"].as_u64().unwrap_or_else(|| panic!("panel {title} has no id"));
        if !ids.insert(id) {
            problems.push(format!("panel id {id} is used twice"));
        }
        let grid = &panel["gridPos"];
        let (x, w) = (grid["x"].as_u64().unwrap_or(99), grid["w"].as_u64().unwrap_or(99));
        if x + w > 24 || grid["h"].as_u64().is_none() || grid["y"].as_u64().is_none() {
            problems.push(format!("panel {title}: gridPos {grid} does not fit the 24-column grid"));
        }
        if panel["type"] == "row" {
            continue;
        }
        if panel["datasource"]["uid"] != "${datasource}" {
            problems.push(format!("panel {title}: datasource is not ${{datasource}}"));
        }
        let targets = panel["targets"].as_array().map(Vec::as_slice).unwrap_or_default();
        if targets.is_empty() {
            problems.push(format!("panel {title}: no query"));
        }
        for target in targets {
            if target["datasource"]["uid"] != "${datasource}" {
                problems.push(format!("panel {title}: a query's datasource is not ${{datasource}}"));
            }
            if target["expr"].as_str().is_none_or(|e| e.trim().is_empty()) {
                problems.push(format!("panel {title}: a query has no expr"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn dashboard_uses_every_exported_metric_and_nothing_else() {
    let mut problems = Vec::new();
    let mut used = BTreeSet::new();
    for (title, expr, legend) in dashboard_queries(&dashboard()) {
        let metrics = check_query(&format!("panel {title}"), &expr, &legend_labels(&legend), &mut problems);
        // The region selector applies to every panel whose metrics have a region.
        let has_region =
            metrics.iter().any(|m| labels_of(m).is_some_and(|labels| labels.contains(&"region")));
        if has_region && !expr.contains("region=~\"$region\"") {
            problems.push(format!("panel {title}: `{expr}` ignores the region variable"));
        }
        used.extend(metrics);
    }
    for (metric, _) in EXPORTED_METRICS {
        if !used.contains(*metric) {
            problems.push(format!("no panel shows {metric}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn dashboard_queries_are_valid_promql() {
    // promtool has no query checker, but it parses the expressions of recording rules: turn
    // every panel query into one, with Grafana's variables replaced by values.
    let mut rules = String::from("groups:\n  - name: dashboard-queries\n    rules:\n");
    for (index, (title, expr, _)) in dashboard_queries(&dashboard()).iter().enumerate() {
        let expr = expr.replace("$__rate_interval", "5m").replace("$__range", "1h").replace("$region", ".*");
        assert!(!expr.contains('$'), "panel {title}: unknown Grafana variable in `{expr}`");
        rules.push_str(&format!(
            "      - record: dashboard:query_{index}\n        expr: {}\n",
            serde_json::json!(expr)
        ));
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("dashboard-queries.yml");
    std::fs::write(&file, rules).unwrap();
    assert_success(
        &promtool(&["check", "rules", file.to_str().unwrap()]),
        "promtool check rules (dashboard queries)",
    );
}

#[test]
fn metric_checks_catch_unknown_metrics_and_labels() {
    // The checks above must fail on a typo: a wrong metric, a wrong label, a label of another
    // metric, a legend showing a label the query dropped.
    let cases = [
        (
            "sum(rate(edgehook_delivery_attempt_total[5m]))",
            "",
            "edgehook_delivery_attempt_total is not an exported metric",
        ),
        ("sum by (status) (rate(edgehook_delivery_attempts_total[5m]))", "", "label status"),
        ("edgehook_region_reachable{webhook_id=\"x\"}", "", "label webhook_id"),
        ("max by (stream) (edgehook_jetstream_consumer_pending_messages)", "{{region}}", "label region"),
    ];
    for (expr, legend, expected) in cases {
        let mut problems = Vec::new();
        check_query("case", expr, &legend_labels(legend), &mut problems);
        assert!(
            problems.iter().any(|p| p.contains(expected)),
            "`{expr}` should fail with {expected:?}, got {problems:?}"
        );
    }
    let mut problems = Vec::new();
    check_query(
        "case",
        "histogram_quantile(0.95, sum by (region, le) (rate(edgehook_delivery_duration_seconds_bucket{region=~\"a|b\"}[5m])))",
        &["region".to_owned()],
        &mut problems,
    );
    assert!(problems.is_empty(), "a correct query was refused: {problems:?}");
}

// --- Terraform --------------------------------------------------------------------------------

fn venv_python() -> PathBuf {
    let python = repo().join(".tools/venv/bin/python");
    assert!(python.exists(), "{} is missing: run `make tools`", python.display());
    python
}

fn check_terraform(terraform_dir: &Path) -> Output {
    Command::new(venv_python())
        .arg(repo().join("tests/support/check_terraform.py"))
        .arg(terraform_dir)
        .output()
        .expect("running tests/support/check_terraform.py")
}

#[test]
fn terraform_modules_are_consistent() {
    let hcl2 =
        Command::new(venv_python()).args(["-c", "import hcl2"]).output().expect("running the venv python");
    assert!(
        hcl2.status.success(),
        "python-hcl2 is not in .tools/venv: run `make tools`\n{}",
        output_text(&hcl2)
    );
    let output = check_terraform(&repo().join("terraform"));
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
    copy_dir(&repo().join("terraform"), &scratch.path().join("terraform"));
    copy_dir(&repo().join("nats/conf"), &scratch.path().join("nats/conf"));
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

// --- Production NATS configurations ------------------------------------------------------------

/// The base configuration of each side and the include that restates its `leafnodes` block.
const NATS_SIDES: &[(&str, &str)] = &[
    ("nats/conf/hub.conf", "terraform/modules/hub/conf/leafnodes-tls.conf"),
    ("nats/conf/region.conf", "terraform/modules/region/conf/leafnodes-tls.conf"),
];
const CLUSTER_INCLUDE: &str = "terraform/modules/nats-cluster/conf/cluster.conf";

/// The text of the top-level `name { ... }` block of a NATS configuration, comments removed.
fn nats_block(config: &str, name: &str) -> Option<String> {
    let code: String =
        config.lines().map(|line| line.split('#').next().unwrap_or("")).collect::<Vec<_>>().join("\n");
    let start = code.lines().position(|line| {
        let line = line.trim_start();
        line.starts_with(name) && line[name.len()..].trim_start().starts_with('{')
    })?;
    let text: String = code.lines().skip(start).collect::<Vec<_>>().join("\n");
    let open = text.find('{')?;
    let mut depth = 0;
    for (i, c) in text[open..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(text[open + 1..open + i].to_owned());
                }
            }
            _ => {}
        }
    }
    None
}

/// `key: value` settings with a scalar value in a block (at any depth).
fn nats_settings(block: &str) -> BTreeSet<(String, String)> {
    let mut settings = BTreeSet::new();
    for piece in block.split(['\n', ',', '{', '}', '[', ']']) {
        if let Some((key, value)) = piece.split_once(':').or_else(|| piece.split_once('=')) {
            let (key, value) = (key.trim(), value.trim());
            if !key.is_empty()
                && !value.is_empty()
                && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            {
                settings.insert((key.to_owned(), value.to_owned()));
            }
        }
    }
    settings
}

#[test]
fn production_includes_keep_the_repository_nats_settings() {
    // NATS replaces a block that is defined twice: the production leafnodes block must restate
    // every setting of the repository's, and no include may touch the JetStream domain.
    for (base, include) in NATS_SIDES {
        let base_block =
            nats_block(&read(base), "leafnodes").unwrap_or_else(|| panic!("{base} has no leafnodes block"));
        let include_block = nats_block(&read(include), "leafnodes")
            .unwrap_or_else(|| panic!("{include} has no leafnodes block"));
        let restated = nats_settings(&include_block);
        let base_settings = nats_settings(&base_block);
        assert!(!base_settings.is_empty(), "{base}: found no leafnodes settings to compare");
        let missing: Vec<_> = base_settings.difference(&restated).collect();
        assert!(missing.is_empty(), "{include} drops leafnodes settings of {base}: {missing:?}");
        assert!(include_block.contains("tls"), "{include} adds no TLS");
    }
    for include in [CLUSTER_INCLUDE, NATS_SIDES[0].1, NATS_SIDES[1].1] {
        assert!(
            nats_block(&read(include), "jetstream").is_none(),
            "{include} redefines jetstream (its domain)"
        );
    }
}

/// A nats-server child, killed when dropped.
struct NatsServer {
    name: String,
    child: Child,
    monitor_port: u16,
    log: PathBuf,
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[path = "../src/ports.rs"]
mod ports;

fn free_port() -> u16 {
    ports::free_port().expect("a free port")
}

/// GET on a monitoring endpoint: (status, body), or None while it does not answer.
fn http_get(port: u16, path: &str) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let status = response.split_whitespace().nth(1)?.parse().ok()?;
    let body = response.split_once("\r\n\r\n").map(|(_, body)| body.to_owned()).unwrap_or_default();
    Some((status, body))
}

fn json_get(port: u16, path: &str) -> Option<Value> {
    match http_get(port, path)? {
        (200, body) => serde_json::from_str(&body).ok(),
        _ => None,
    }
}

fn openssl(dir: &Path, args: &[&str]) {
    let output = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run openssl ({e}): install openssl"));
    assert_success(&output, &format!("openssl {}", args.join(" ")));
}

/// A CA and, for each name, a certificate for 127.0.0.1 usable as server and client.
fn test_certificates(dir: &Path, names: &[&str]) {
    let new_key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    let mut ca = vec![
        "req",
        "-x509",
        "-days",
        "2",
        "-subj",
        "/CN=edgehook-test-ca",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
    ];
    ca.extend(new_key);
    openssl(dir, &ca);
    for name in names {
        let (key, csr, cert, ext) =
            (format!("{name}.key"), format!("{name}.csr"), format!("{name}.pem"), format!("{name}.ext"));
        std::fs::write(
            dir.join(&ext),
            "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n",
        )
        .unwrap();
        let subject = format!("/CN={name}");
        let mut request =
            vec!["req", "-subj", subject.as_str(), "-keyout", key.as_str(), "-out", csr.as_str()];
        request.extend(new_key);
        openssl(dir, &request);
        openssl(
            dir,
            &[
                "x509",
                "-req",
                "-in",
                &csr,
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-days",
                "2",
                "-extfile",
                &ext,
                "-out",
                &cert,
            ],
        );
    }
}

struct ClusterPorts {
    client: Vec<u16>,
    cluster: Vec<u16>,
    monitor: Vec<u16>,
}

impl ClusterPorts {
    fn new() -> Self {
        let three = || (0..3).map(|_| free_port()).collect::<Vec<_>>();
        Self { client: three(), cluster: three(), monitor: three() }
    }

    fn routes(&self) -> String {
        let urls: Vec<String> =
            self.cluster.iter().map(|port| format!("nats-route://127.0.0.1:{port}")).collect();
        format!("[{}]", urls.join(", "))
    }
}

/// Starts the three servers of one side the way modules/nats-cluster installs them: the
/// repository's configuration as edgehook.conf, then cluster.conf and the side's TLS include,
/// with the environment the module writes (addresses on loopback here).
fn start_cluster(
    work: &Path,
    side: (&str, &str),
    prefix: &str,
    cluster_name: &str,
    ports: &ClusterPorts,
    certificate: &str,
    side_environment: impl Fn(usize) -> Vec<(&'static str, String)>,
) -> Vec<NatsServer> {
    let nats_server = repo().join(".tools/nats-server/bin/nats-server");
    assert!(nats_server.exists(), "{} is missing: run `make tools`", nats_server.display());
    let (base, leaf_include) = side;
    (0..3)
        .map(|i| {
            let name = format!("{prefix}-{}", i + 1);
            let dir = work.join(&name);
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::copy(repo().join(base), dir.join("edgehook.conf")).unwrap();
            std::fs::copy(repo().join(CLUSTER_INCLUDE), dir.join("cluster.conf")).unwrap();
            std::fs::copy(repo().join(leaf_include), dir.join("leafnodes-tls.conf")).unwrap();
            std::fs::write(
                dir.join("nats.conf"),
                "include ./edgehook.conf\ninclude ./cluster.conf\ninclude ./leafnodes-tls.conf\n",
            )
            .unwrap();
            let log = dir.join("nats-server.log");
            let certs = work.join("certs");
            let child = Command::new(&nats_server)
                .arg("-c")
                .arg(dir.join("nats.conf"))
                .env("EDGEHOOK_NATS_HOST", "127.0.0.1")
                .env("EDGEHOOK_NATS_PORT", ports.client[i].to_string())
                .env("EDGEHOOK_NATS_STORE_DIR", dir.join("jetstream"))
                .env("EDGEHOOK_NATS_SERVER_NAME", &name)
                .env("EDGEHOOK_NATS_CLUSTER_NAME", cluster_name)
                .env("EDGEHOOK_NATS_CLUSTER_PORT", ports.cluster[i].to_string())
                .env("EDGEHOOK_NATS_CLUSTER_ROUTES", ports.routes())
                .env("EDGEHOOK_NATS_MONITOR_PORT", ports.monitor[i].to_string())
                .env("EDGEHOOK_NATS_TLS_CERT_FILE", certs.join(format!("{certificate}.pem")))
                .env("EDGEHOOK_NATS_TLS_KEY_FILE", certs.join(format!("{certificate}.key")))
                .env("EDGEHOOK_NATS_TLS_CA_FILE", certs.join("ca.pem"))
                .envs(side_environment(i))
                .stdout(Stdio::null())
                .stderr(std::fs::File::create(&log).unwrap())
                .spawn()
                .expect("starting nats-server");
            NatsServer { name, child, monitor_port: ports.monitor[i], log }
        })
        .collect()
}

/// Waits until `ready` holds, failing with the servers' logs after `timeout`.
fn wait_for(
    what: &str,
    servers: &[&NatsServer],
    timeout: Duration,
    mut ready: impl FnMut() -> Result<(), String>,
) {
    let deadline = Instant::now() + timeout;
    loop {
        let last = match ready() {
            Ok(()) => return,
            Err(last) => last,
        };
        if Instant::now() > deadline {
            let logs: Vec<String> = servers
                .iter()
                .map(|s| {
                    let log = std::fs::read_to_string(&s.log).unwrap_or_default();
                    let tail: Vec<&str> = log.lines().rev().take(15).collect();
                    format!("--- {} ---\n{}", s.name, tail.into_iter().rev().collect::<Vec<_>>().join("\n"))
                })
                .collect();
            panic!("timed out waiting for {what}: {last}\n{}", logs.join("\n"));
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

#[test]
fn production_nats_configs_form_clusters_linked_over_mutual_tls() {
    let work = tempfile::tempdir().unwrap();
    let certs = work.path().join("certs");
    std::fs::create_dir_all(&certs).unwrap();
    test_certificates(&certs, &["hub", "eu"]);

    // The hub's logins (nats/conf/hub.conf), which modules/hub fetches from its NATS logins
    // secret; a region's servers get the leaf password in their EDGEHOOK_HUB_LEAF_URL.
    const SERVICE_PASSWORD: &str = "test-service-password";
    const LEAF_PASSWORD: &str = "test-leaf-password";
    let auth_issuer = nkeys::KeyPair::new_account().public_key();

    let hub_ports = ClusterPorts::new();
    let leaf_ports: Vec<u16> = (0..3).map(|_| free_port()).collect();
    // Each hub server gets its own leaf port here (one machine); in AWS all use 7422 behind
    // the load balancer. Regions dial one of them, as they dial the load balancer.
    let hub = start_cluster(work.path(), NATS_SIDES[0], "hub", "edgehook-hub", &hub_ports, "hub", |i| {
        vec![
            ("EDGEHOOK_NATS_LEAF_PORT", leaf_ports[i].to_string()),
            ("EDGEHOOK_NATS_PASSWORD", SERVICE_PASSWORD.to_owned()),
            ("EDGEHOOK_NATS_AUTH_ISSUER", auth_issuer.clone()),
            ("EDGEHOOK_NATS_LEAF_PASSWORD", LEAF_PASSWORD.to_owned()),
        ]
    });
    let region_ports = ClusterPorts::new();
    let region = start_cluster(work.path(), NATS_SIDES[1], "eu", "edgehook-eu", &region_ports, "eu", |_| {
        vec![
            ("EDGEHOOK_REGION", "eu".to_owned()),
            (
                "EDGEHOOK_HUB_LEAF_URL",
                format!("nats-leaf://region:{LEAF_PASSWORD}@127.0.0.1:{}", leaf_ports[0]),
            ),
        ]
    });
    let all: Vec<&NatsServer> = hub.iter().chain(&region).collect();

    // Every server healthy: JetStream on, meta group formed, in its own domain.
    for (servers, domain) in [(&hub, "hub"), (&region, "eu")] {
        for server in servers {
            wait_for(
                &format!("{} to be a healthy JetStream server of domain {domain}", server.name),
                &all,
                Duration::from_secs(60),
                || {
                    match http_get(server.monitor_port, "/healthz") {
                        Some((200, _)) => {}
                        other => return Err(format!("/healthz: {other:?}")),
                    }
                    let jsz = json_get(server.monitor_port, "/jsz").ok_or("no /jsz")?;
                    if jsz["config"]["domain"] != domain {
                        return Err(format!("domain {}", jsz["config"]["domain"]));
                    }
                    match jsz["meta_cluster"]["cluster_size"].as_u64() {
                        Some(3) => Ok(()),
                        size => Err(format!("meta cluster size {size:?}")),
                    }
                },
            );
        }
    }

    // The hub requires and verifies TLS on its leaf listener, and all three regional servers
    // connected through it.
    let varz = json_get(hub[0].monitor_port, "/varz").expect("hub /varz");
    assert_eq!(varz["leaf"]["tls_required"], true, "hub leaf listener without TLS: {}", varz["leaf"]);
    assert_eq!(
        varz["leaf"]["tls_verify"], true,
        "hub leaf listener does not verify clients: {}",
        varz["leaf"]
    );
    wait_for(
        "the three regional servers to connect to the hub as leaf nodes",
        &all,
        Duration::from_secs(30),
        || {
            let leafz = json_get(hub[0].monitor_port, "/leafz").ok_or("no /leafz")?;
            let names: BTreeSet<String> = leafz["leafs"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|l| l["name"].as_str().map(str::to_owned))
                .collect();
            let expected: BTreeSet<String> = ["eu-1", "eu-2", "eu-3"].map(String::from).into();
            if names == expected { Ok(()) } else { Err(format!("leaf nodes {names:?}")) }
        },
    );
}
