// Endpoints: the client's webhooks, a page at a time (`next_cursor`), each with its status and
// the health its relays last reported.
import { useState } from "react";
import { api, call, type Webhook } from "./api";
import { href } from "./routes";
import { Badge, CircuitBadge, ErrorMessage, Loading, StatusBadge, formatRatio, useCanChange, useLoad, useSession } from "./ui";

const PAGE = 20;

export function EndpointList() {
  const session = useSession();
  const canChange = useCanChange();
  // The cursors of the pages seen so far: the last is this page's `after`.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const after = cursors[cursors.length - 1];
  const { data, error, loading, reload } = useLoad(
    () => call(api.GET("/api/v1/webhooks", { params: { query: { limit: PAGE, ...(after ? { after } : {}) } } })),
    [after],
  );
  // A session limited to some webhooks may not add one (the server says 403 `limited_session`).
  const canAdd = canChange && session.webhooks == null;

  return (
    <section aria-labelledby="endpoints-title">
      <div className="page-head">
        <h1 id="endpoints-title">Endpoints</h1>
        {canAdd && (
          <a className="button" href={href({ page: "new" })}>
            Add endpoint
          </a>
        )}
      </div>
      <p className="muted">Where your webhooks are delivered. Open one to see its deliveries, health and secrets.</p>
      {loading && <Loading what="endpoints" />}
      <ErrorMessage error={error} />
      {error ? (
        <button type="button" className="secondary" onClick={reload}>
          Retry
        </button>
      ) : null}
      {data && data.data.length === 0 && (
        <p className="empty">{cursors.length > 1 ? "No more endpoints." : "No endpoints yet."}</p>
      )}
      {data && data.data.length > 0 && (
        <ul className="cards" aria-label="Endpoints">
          {data.data.map((webhook) => (
            <EndpointCard key={webhook.webhook_id} webhook={webhook} />
          ))}
        </ul>
      )}
      {(cursors.length > 1 || data?.next_cursor) && (
        <nav className="pager" aria-label="Pages of endpoints">
          <button
            type="button"
            className="secondary"
            disabled={cursors.length <= 1 || loading}
            onClick={() => setCursors((previous) => previous.slice(0, -1))}
          >
            Previous page
          </button>
          <span className="muted">Page {cursors.length}</span>
          <button
            type="button"
            className="secondary"
            disabled={!data?.next_cursor || loading}
            onClick={() => data?.next_cursor && setCursors((previous) => [...previous, data.next_cursor!])}
          >
            Next page
          </button>
        </nav>
      )}
    </section>
  );
}

function EndpointCard({ webhook }: { webhook: Webhook }) {
  // The list carries no health: each card asks for its webhook (which does).
  const { data } = useLoad(
    () => call(api.GET("/api/v1/webhooks/{webhook_id}", { params: { path: { webhook_id: webhook.webhook_id } } })),
    [webhook.webhook_id],
  );
  const health = data?.health;
  const title = webhook.callback_url ?? "Polling endpoint";
  return (
    <li className="card" data-testid="endpoint-card">
      <a className="card-title" href={href({ page: "endpoint", id: webhook.webhook_id, tab: "overview" })}>
        {title}
      </a>
      {webhook.description && <p className="card-text">{webhook.description}</p>}
      <div className="badges">
        <StatusBadge status={webhook.status} />
        {health && <CircuitBadge circuit={health.circuit} />}
        {health && health.failure_ratio > 0 && (
          <Badge tone={health.failure_ratio >= 0.5 ? "bad" : "warn"}>failing {formatRatio(health.failure_ratio)}</Badge>
        )}
        <span className="muted small">
          {webhook.event_types.length ? webhook.event_types.join(", ") : "all event types"}
        </span>
      </div>
      <p className="muted small mono">{webhook.webhook_id}</p>
    </li>
  );
}
