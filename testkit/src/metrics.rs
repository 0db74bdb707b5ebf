//! The metrics the services export, and the check that a PromQL query of the ops files (the
//! alert rules in `ops/prometheus/`, the Grafana dashboard in `ops/grafana/`) uses only them and
//! their labels. Queries are read with `promql-parser` (the Prometheus grammar), so the check
//! sees selectors, matchers and `by`/`without`/`on`/`ignoring`/`group_*` lists as Prometheus does.

use std::collections::HashSet;

use promql_parser::label::Matcher;
use promql_parser::parser::{self, Expr, LabelModifier, VectorSelector};

/// Every metric the services export, with its labels (histograms without their `_bucket`,
/// `_sum` and `_count` series). The alert rules and the dashboard may use nothing else.
pub const EXPORTED_METRICS: &[(&str, &[&str])] = &[
    ("edgehook_ingest_events_total", &["source_id", "result"]),
    ("edgehook_delivery_attempts_total", &["region", "status_class", "outcome"]),
    ("edgehook_delivery_duration_seconds", &["region"]),
    ("edgehook_ingest_to_delivery_seconds", &["region"]),
    ("edgehook_delivery_retries_total", &["region"]),
    ("edgehook_dead_letters_total", &["region", "webhook_id", "reason"]),
    ("edgehook_jetstream_consumer_pending_messages", &["stream", "consumer"]),
    ("edgehook_jetstream_consumer_ack_pending_messages", &["stream", "consumer"]),
    ("edgehook_jetstream_stream_replicas", &["stream"]),
    ("edgehook_jetstream_stream_current_replicas", &["stream"]),
    ("edgehook_endpoint_failure_ratio", &["webhook_id"]),
    ("edgehook_endpoint_effective_rate", &["webhook_id"]),
    ("edgehook_deliveries_deferred_total", &["region", "reason"]),
    ("edgehook_endpoints_disabled_total", &["region"]),
    ("edgehook_rate_limit_fallbacks_total", &["region"]),
    ("edgehook_deferred_tasks_tracked", &["region"]),
    ("edgehook_region_replication_lag_messages", &["region"]),
    ("edgehook_region_reachable", &["region"]),
    ("edgehook_region_relays_alive", &["region"]),
    ("edgehook_history_records_written_total", &[]),
    ("edgehook_history_events_written_total", &[]),
    ("edgehook_history_write_failures_total", &[]),
    ("edgehook_history_retention_runs_total", &[]),
    ("edgehook_history_pending_messages", &[]),
    ("edgehook_history_ack_pending_messages", &[]),
    ("edgehook_history_oldest_pending_age_seconds", &[]),
];

const HISTOGRAM_SUFFIXES: &[&str] = &["_bucket", "_sum", "_count"];

/// A metric name as exported: histogram series map to their histogram.
pub fn exported_name(series: &str) -> &str {
    HISTOGRAM_SUFFIXES
        .iter()
        .find_map(|suffix| series.strip_suffix(suffix))
        .filter(|histogram| labels_of(histogram).is_some())
        .unwrap_or(series)
}

/// The labels of an exported metric; `None` for a name the services do not export.
pub fn labels_of(metric: &str) -> Option<&'static [&'static str]> {
    EXPORTED_METRICS.iter().find(|(name, _)| *name == metric).map(|(_, labels)| *labels)
}

/// Every `edgehook_*` word in a text that is not a query (an alert's description).
pub fn edgehook_names(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|word| word.starts_with("edgehook_"))
        .map(str::to_owned)
        .collect()
}

/// `{{name}}` placeholders of a Grafana legend.
pub fn legend_labels(legend: &str) -> Vec<String> {
    legend
        .split("{{")
        .skip(1)
        .filter_map(|part| part.split_once("}}"))
        .map(|(name, _)| name.trim().to_owned())
        .collect()
}

/// What a query reads: the series it selects and the label names it uses (in matchers and in
/// grouping and matching lists).
#[derive(Default)]
struct Used {
    series: Vec<String>,
    labels: Vec<String>,
}

impl Used {
    fn selector(&mut self, selector: &VectorSelector) {
        let matchers =
            selector.matchers.matchers.iter().chain(selector.matchers.or_matchers.iter().flatten());
        let mut name = selector.name.clone();
        for Matcher { name: label, value, .. } in matchers {
            if label == "__name__" {
                name.get_or_insert_with(|| value.clone());
            } else {
                self.labels.push(label.clone());
            }
        }
        self.series.extend(name);
    }

    fn modifier(&mut self, modifier: Option<&LabelModifier>) {
        self.labels
            .extend(modifier.into_iter().flat_map(|modifier| modifier.labels().labels.iter().cloned()));
    }

    fn walk(&mut self, expr: &Expr) {
        match expr {
            Expr::Aggregate(aggregate) => {
                self.modifier(aggregate.modifier.as_ref());
                self.walk(&aggregate.expr);
                if let Some(param) = &aggregate.param {
                    self.walk(param);
                }
            }
            Expr::Unary(unary) => self.walk(&unary.expr),
            Expr::Binary(binary) => {
                if let Some(modifier) = &binary.modifier {
                    self.modifier(modifier.matching.as_ref());
                    self.labels
                        .extend(modifier.card.labels().into_iter().flat_map(|labels| labels.labels.clone()));
                }
                self.walk(&binary.lhs);
                self.walk(&binary.rhs);
            }
            Expr::Paren(paren) => self.walk(&paren.expr),
            Expr::Subquery(subquery) => self.walk(&subquery.expr),
            Expr::VectorSelector(selector) => self.selector(selector),
            Expr::MatrixSelector(matrix) => self.selector(&matrix.vs),
            Expr::Call(call) => call.args.args.iter().for_each(|arg| self.walk(arg)),
            Expr::NumberLiteral(_) | Expr::StringLiteral(_) | Expr::Extension(_) => {}
        }
    }
}

/// Checks one query (with the names `{{label}}`/`$labels.label` its legend or annotations
/// show): valid PromQL, only exported metrics, and only labels those metrics have. Records what
/// is wrong in `problems`; returns the metrics used.
pub fn check_query(
    where_: &str,
    expr: &str,
    shown_labels: &[String],
    problems: &mut Vec<String>,
) -> Vec<String> {
    let parsed = match parser::parse(expr) {
        Ok(parsed) => parsed,
        Err(error) => {
            problems.push(format!("{where_}: `{expr}` is not PromQL: {error}"));
            return Vec::new();
        }
    };
    let mut used = Used::default();
    used.walk(&parsed);
    let mut metrics = Vec::new();
    let mut allowed: HashSet<&str> = HashSet::new();
    for series in used.series.iter().filter(|series| series.starts_with("edgehook_")) {
        let metric = exported_name(series);
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
    for label in used.labels.iter().chain(shown_labels) {
        if !allowed.contains(label.as_str()) {
            problems.push(format!("{where_}: label {label} belongs to none of the metrics in `{expr}`"));
        }
    }
    metrics
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_checks_catch_unknown_metrics_and_labels() {
        // The checks of the ops files must fail on a typo: a wrong metric, a wrong label, a label
        // of another metric, a legend showing a label the query dropped, a query that is not
        // PromQL.
        let cases = [
            (
                "sum(rate(edgehook_delivery_attempt_total[5m]))",
                "",
                "edgehook_delivery_attempt_total is not an exported metric",
            ),
            ("sum by (status) (rate(edgehook_delivery_attempts_total[5m]))", "", "label status"),
            ("edgehook_region_reachable{webhook_id=\"x\"}", "", "label webhook_id"),
            ("max by (stream) (edgehook_jetstream_consumer_pending_messages)", "{{region}}", "label region"),
            (
                "edgehook_region_reachable * on (webhook_id) group_left edgehook_region_relays_alive",
                "",
                "label webhook_id",
            ),
            ("sum(rate(edgehook_delivery_retries_total[5m])", "", "is not PromQL"),
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
        let metrics = check_query(
            "case",
            "histogram_quantile(0.95, sum by (region, le) (rate(edgehook_delivery_duration_seconds_bucket{region=~\"a|b\"}[5m])))",
            &["region".to_owned()],
            &mut problems,
        );
        assert!(problems.is_empty(), "a correct query was refused: {problems:?}");
        assert_eq!(metrics, ["edgehook_delivery_duration_seconds"]);
    }
}
