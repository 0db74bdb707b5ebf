//! The Prometheus alert rules and scrape configuration (`ops/prometheus/`): promtool checks them
//! and unit-tests every rule at its threshold (`alerts.test.yml`), and every rule's query may use
//! only the metrics (and labels) the services export (`edgehook_testkit::metrics`).
//!
//! Tools: promtool (Debian package `prometheus`), installed by `make tools`.

use std::collections::BTreeSet;

use edgehook_testkit::metrics::{check_query, edgehook_names, exported_name, labels_of};
use edgehook_testkit::tools::{assert_success, promtool, read};

const ALERTS: &str = "ops/prometheus/alerts.yml";
const ALERT_TESTS: &str = "ops/prometheus/alerts.test.yml";
const PROMETHEUS_CONFIG: &str = "ops/prometheus/prometheus.yml";

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
