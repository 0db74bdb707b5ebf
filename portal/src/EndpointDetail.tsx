// One endpoint: its health and stats, pause/resume, a test event, a replay, delete; and the
// tabs of its deliveries, dead letters, secrets and settings.
import { useState, type FormEvent } from "react";
import { ApiError, api, call, type TestAttempt, type Webhook } from "./api";
import { DeadLetters } from "./DeadLetters";
import { Deliveries } from "./Deliveries";
import { EndpointForm } from "./EndpointForm";
import { href, navigate, type Tab } from "./routes";
import { Secrets } from "./Secrets";
import {
  Badge,
  CircuitBadge,
  Dialog,
  ErrorMessage,
  Loading,
  fieldProps,
  StatusBadge,
  formatNumber,
  formatRatio,
  formatTime,
  localToIso,
  useAction,
  useCanChange,
  useLoad,
} from "./ui";

const TAB_NAMES: Record<Tab, string> = {
  overview: "Overview",
  deliveries: "Deliveries",
  "dead-letters": "Dead letters",
  secrets: "Secrets",
  settings: "Settings",
};

export function EndpointDetail({ id, tab }: { id: string; tab: Tab }) {
  const canChange = useCanChange();
  const { data, error, loading, reload } = useLoad(
    () => call(api.GET("/api/v1/webhooks/{webhook_id}", { params: { path: { webhook_id: id } } })),
    [id],
  );
  const [override, setOverride] = useState<Webhook | null>(null);
  // A change's answer (a PATCH, a rotation) shows at once; the GET's health stays.
  const webhook: Webhook | undefined = data ? (override ? { ...data, ...override } : data) : undefined;

  if (error instanceof ApiError && (error.status === 404 || error.status === 403)) {
    return (
      <section aria-labelledby="missing-title">
        <h1 id="missing-title">Endpoint not found</h1>
        <p>There is no endpoint {id} that this portal may show. It may have been deleted.</p>
        <p>
          <a href={href({ page: "list" })}>Back to the endpoints</a>
        </p>
      </section>
    );
  }
  if (!webhook) {
    return (
      <section>
        {loading && <Loading what="the endpoint" />}
        <ErrorMessage error={error} />
        {error ? (
          <button type="button" className="secondary" onClick={reload}>
            Retry
          </button>
        ) : null}
      </section>
    );
  }

  const tabs = (Object.keys(TAB_NAMES) as Tab[]).filter((name) => canChange || name !== "settings");
  return (
    <section aria-labelledby="endpoint-title">
      <p>
        <a href={href({ page: "list" })}>← Endpoints</a>
      </p>
      <div className="page-head">
        <h1 id="endpoint-title" className="wrap">
          {webhook.callback_url ?? "Polling endpoint"}
        </h1>
      </div>
      <div className="badges">
        <StatusBadge status={webhook.status} />
        {webhook.health && <CircuitBadge circuit={webhook.health.circuit} />}
        <Badge tone="neutral">{webhook.signature === "ed25519" ? "Ed25519" : "HMAC-SHA256"}</Badge>
        {webhook.encryption && <Badge tone="neutral">encrypted</Badge>}
        <span className="muted small mono">{webhook.webhook_id}</span>
      </div>
      {webhook.description && <p>{webhook.description}</p>}
      {webhook.disabled_reason && (
        <p className="warning">Disabled by edgehook: {webhook.disabled_reason}. Resume it once the endpoint works.</p>
      )}
      <nav className="tabs" aria-label="Endpoint sections">
        {tabs.map((name) => (
          <a
            key={name}
            href={href({ page: "endpoint", id, tab: name })}
            aria-current={name === tab ? "page" : undefined}
            className={name === tab ? "tab current" : "tab"}
          >
            {TAB_NAMES[name]}
          </a>
        ))}
      </nav>
      {tab === "overview" && <Overview webhook={webhook} onChanged={(changed) => setOverride(changed)} onReload={() => {
            setOverride(null);
            reload();
          }} />}
      {tab === "deliveries" && <Deliveries webhook={webhook} />}
      {tab === "dead-letters" && <DeadLetters webhook={webhook} />}
      {tab === "secrets" && <Secrets webhook={webhook} onChanged={(changed) => setOverride(changed)} />}
      {tab === "settings" && canChange && (
        <EndpointForm
          webhook={webhook}
          onSaved={(saved) => {
            setOverride(saved);
            navigate({ page: "endpoint", id, tab: "overview" });
          }}
        />
      )}
    </section>
  );
}

function Overview({
  webhook,
  onChanged,
  onReload,
}: {
  webhook: Webhook;
  onChanged: (webhook: Webhook) => void;
  onReload: () => void;
}) {
  const canChange = useCanChange();
  const stats = useLoad(
    () => call(api.GET("/api/v1/webhooks/{webhook_id}/stats", { params: { path: { webhook_id: webhook.webhook_id } } })),
    [webhook.webhook_id],
  );
  const health = webhook.health;
  return (
    <>
      <section aria-labelledby="health-title" className="panel">
        <div className="panel-head">
          <h2 id="health-title">Health</h2>
          <button
            type="button"
            className="secondary"
            onClick={() => {
              onReload();
              stats.reload();
            }}
          >
            Refresh
          </button>
        </div>
        {!health && <p className="muted">No delivery reported yet.</p>}
        {health && (
          <dl className="facts" aria-label="Health">
            <div>
              <dt>Effective rate</dt>
              <dd>{formatNumber(health.effective_rate_per_second, 2)} / s</dd>
            </div>
            <div>
              <dt>Configured rate</dt>
              <dd>{formatNumber(health.configured_rate_per_second, 2)} / s</dd>
            </div>
            <div>
              <dt>Circuit</dt>
              <dd>{health.circuit.replace("_", "-")}</dd>
            </div>
            <div>
              <dt>Failure ratio</dt>
              <dd>{formatRatio(health.failure_ratio)}</dd>
            </div>
            <div>
              <dt>Latency</dt>
              <dd>{formatNumber(health.latency_ms)} ms</dd>
            </div>
            <div>
              <dt>Failing since</dt>
              <dd>{formatTime(health.failing_since)}</dd>
            </div>
            {health.paused_until && (
              <div>
                <dt>Asked to wait until</dt>
                <dd>{formatTime(health.paused_until)}</dd>
              </div>
            )}
            <div>
              <dt>Reported</dt>
              <dd>{formatTime(health.updated_at)}</dd>
            </div>
          </dl>
        )}
      </section>
      <section aria-labelledby="stats-title" className="panel">
        <h2 id="stats-title">Deliveries</h2>
        {stats.loading && !stats.data && <Loading what="stats" />}
        <ErrorMessage error={stats.error} />
        {stats.data && (
          <div className="table-wrap">
            <table className="table" aria-label="Stats">
              <thead>
                <tr>
                  <th scope="col">Window</th>
                  <th scope="col">Attempts</th>
                  <th scope="col">Succeeded</th>
                  <th scope="col">Retrying</th>
                  <th scope="col">Failed</th>
                  <th scope="col">Success</th>
                  <th scope="col">p50 / p95 / p99</th>
                </tr>
              </thead>
              <tbody>
                {(
                  [
                    ["Last hour", stats.data.last_hour],
                    ["Last day", stats.data.last_day],
                  ] as const
                ).map(([label, window]) => (
                  <tr key={label}>
                    <th scope="row">{label}</th>
                    <td>{formatNumber(window.attempts)}</td>
                    <td>{formatNumber(window.succeeded)}</td>
                    <td>{formatNumber(window.retrying)}</td>
                    <td>{formatNumber(window.failed)}</td>
                    <td>{formatRatio(window.success_ratio)}</td>
                    <td>
                      {formatNumber(window.latency_ms.p50)} / {formatNumber(window.latency_ms.p95)} /{" "}
                      {formatNumber(window.latency_ms.p99)} ms
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {canChange && (
        <>
          <TestSend webhook={webhook} />
          <Replay webhook={webhook} />
          <Manage webhook={webhook} onChanged={onChanged} />
        </>
      )}
    </>
  );
}

/** Whether a webhook's patterns (`*`, `<prefix>.*`, a type) select `name`; none selects all. */
function wants(patterns: string[], name: string): boolean {
  if (patterns.length === 0) return true;
  return patterns.some(
    (pattern) => pattern === "*" || pattern === name || (pattern.endsWith(".*") && name.startsWith(pattern.slice(0, -1))),
  );
}

function TestSend({ webhook }: { webhook: Webhook }) {
  const catalogue = useLoad(() => call(api.GET("/api/v1/event-types", { params: { query: { limit: 500 } } })), []);
  const [chosen, setChosen] = useState("");
  const [result, setResult] = useState<TestAttempt | null>(null);
  const { busy, error, run, setError } = useAction();
  const types = (catalogue.data?.data ?? []).filter((type) => wants(webhook.event_types, type.name));
  const concrete = webhook.event_types.filter((pattern) => !pattern.includes("*"));
  const eventType = chosen || types[0]?.name || concrete[0] || "";
  async function submit(event: FormEvent) {
    event.preventDefault();
    setResult(null);
    if (!eventType.trim()) {
      setError(new ApiError(400, "required", "Name the event type to send.", "event_type"));
      return;
    }
    await run(async () => {
      const attempt = await call(
        api.POST("/api/v1/webhooks/{webhook_id}/test", {
          params: { path: { webhook_id: webhook.webhook_id } },
          body: { event_type: eventType.trim() },
        }),
      );
      setResult(attempt);
    });
  }
  return (
    <section aria-labelledby="test-title" className="panel">
      <h2 id="test-title">Send a test event</h2>
      <p className="muted">Sent now, signed like a delivery, with the type's example data; the endpoint's answer is shown here.</p>
      <form className="form inline" onSubmit={(event) => void submit(event)}>
        <div className="field">
          <label htmlFor="test-type">Event type</label>
          {types.length > 0 ? (
            <select id="test-type" value={eventType} onChange={(event) => setChosen(event.target.value)}>
              {types.map((type) => (
                <option key={type.name} value={type.name}>
                  {type.name}
                </option>
              ))}
            </select>
          ) : (
            <input
              id="test-type"
              type="text"
              placeholder="order.created"
              value={eventType}
              onChange={(event) => setChosen(event.target.value)}
              {...fieldProps(error, "event_type")}
            />
          )}
        </div>
        <button type="submit" disabled={busy}>
          {busy ? "Sending…" : "Send test event"}
        </button>
      </form>
      <ErrorMessage error={error} />
      {result && (
        <div className={result.delivered ? "result good" : "result bad"} role="status" data-testid="test-result">
          <p>
            <strong>{result.delivered ? "Delivered" : "Not delivered"}</strong>
            {": "}
            {result.status_code != null ? `HTTP ${result.status_code}` : "no answer"} in {formatNumber(result.latency_ms)} ms
            {" — "}
            <span className="mono">{result.event_type}</span> <span className="mono small">{result.event_id}</span>
          </p>
          {result.error && <p className="error">{result.error}</p>}
          {result.response_body && (
            <details>
              <summary>The endpoint's answer</summary>
              <pre className="payload">{result.response_body}</pre>
            </details>
          )}
        </div>
      )}
    </section>
  );
}

function Replay({ webhook }: { webhook: Webhook }) {
  const [since, setSince] = useState("");
  const [done, setDone] = useState<string | null>(null);
  const { busy, error, run, setError } = useAction();
  async function submit(event: FormEvent) {
    event.preventDefault();
    setDone(null);
    const iso = localToIso(since);
    if (!iso) {
      setError(new ApiError(400, "invalid", "Pick the date and time to replay from.", "since"));
      return;
    }
    await run(async () => {
      let progress = await call(
        api.POST("/api/v1/webhooks/{webhook_id}/replay", {
          params: { path: { webhook_id: webhook.webhook_id } },
          body: { since: iso },
        }),
      );
      let replayed = progress.replayed;
      let examined = progress.examined;
      // A long replay answers a page at a time: go on with its cursor.
      while (progress.cursor) {
        progress = await call(
          api.POST("/api/v1/webhooks/{webhook_id}/replay", {
            params: { path: { webhook_id: webhook.webhook_id } },
            body: { cursor: progress.cursor },
          }),
        );
        replayed += progress.replayed;
        examined += progress.examined;
      }
      setDone(`Replayed ${replayed} event(s) of ${examined} looked at.`);
    });
  }
  return (
    <section aria-labelledby="replay-title" className="panel">
      <h2 id="replay-title">Replay</h2>
      <p className="muted">Send again every event this endpoint wants that arrived since a time.</p>
      <form className="form inline" onSubmit={(event) => void submit(event)}>
        <div className="field">
          <label htmlFor="replay-since">Since (your local time)</label>
          <input id="replay-since" type="datetime-local" value={since} onChange={(event) => setSince(event.target.value)} />
        </div>
        <button type="submit" disabled={busy}>
          {busy ? "Replaying…" : "Replay"}
        </button>
      </form>
      <ErrorMessage error={error} />
      {done && (
        <p className="result good" role="status">
          {done}
        </p>
      )}
    </section>
  );
}

function Manage({ webhook, onChanged }: { webhook: Webhook; onChanged: (webhook: Webhook) => void }) {
  const status = useAction();
  const removal = useAction();
  const [confirming, setConfirming] = useState(false);
  const paused = webhook.status !== "active";
  async function toggle() {
    await status.run(async () => {
      const updated = await call(
        api.PATCH("/api/v1/webhooks/{webhook_id}", {
          params: { path: { webhook_id: webhook.webhook_id } },
          body: { status: paused ? "active" : "inactive" },
        }),
      );
      onChanged(updated);
    });
  }
  async function remove() {
    const ok = await removal.run(async () => {
      await call(api.DELETE("/api/v1/webhooks/{webhook_id}", { params: { path: { webhook_id: webhook.webhook_id } } }));
      return true;
    });
    if (ok) {
      setConfirming(false);
      navigate({ page: "list" });
    }
  }
  return (
    <section aria-labelledby="manage-title" className="panel">
      <h2 id="manage-title">Manage</h2>
      <div className="actions">
        <button type="button" className="secondary" disabled={status.busy} onClick={() => void toggle()}>
          {status.busy ? "Saving…" : paused ? "Resume" : "Pause"}
        </button>
        <button type="button" className="danger" onClick={() => setConfirming(true)}>
          Delete endpoint
        </button>
      </div>
      <p className="muted small">
        {paused
          ? "Paused: events are not delivered to it until you resume it."
          : "Pausing stops deliveries until you resume it."}
      </p>
      <ErrorMessage error={status.error} />
      {confirming && (
        <Dialog title="Delete this endpoint?" onClose={() => setConfirming(false)}>
          <p>
            <span className="mono wrap">{webhook.callback_url ?? webhook.webhook_id}</span> will get no more deliveries.
            This cannot be undone.
          </p>
          <ErrorMessage error={removal.error} />
          <div className="actions">
            <button type="button" className="danger" disabled={removal.busy} onClick={() => void remove()}>
              {removal.busy ? "Deleting…" : "Delete"}
            </button>
            <button type="button" className="secondary" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        </Dialog>
      )}
    </section>
  );
}
