//! The Grafana dashboard (`ops/grafana/`): a well-formed dashboard whose every panel reads the
//! chosen data source and region, whose queries are valid PromQL (promtool parses them as
//! recording rules) and use only the metrics (and labels) the services export, every one of
//! which some panel shows.
//!
//! Tools: promtool (Debian package `prometheus`), installed by `make tools`.

use std::collections::{BTreeSet, HashSet};

use edgehook_testkit::metrics::{EXPORTED_METRICS, check_query, labels_of, legend_labels};
use edgehook_testkit::tools::{assert_success, promtool, read};
use serde_json::Value;

const DASHBOARD: &str = "ops/grafana/edgehook-dashboard.json";

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

/// A panel's query as Prometheus receives it: Grafana's variables replaced by values.
fn with_variables_replaced(expr: &str) -> String {
    expr.replace("$__rate_interval", "5m").replace("$__range", "1h").replace("$region", ".*")
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
        let promql = with_variables_replaced(&expr);
        let metrics = check_query(&format!("panel {title}"), &promql, &legend_labels(&legend), &mut problems);
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
        let expr = with_variables_replaced(expr);
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
