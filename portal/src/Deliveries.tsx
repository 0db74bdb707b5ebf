// An endpoint's delivery attempts: time (the viewer's zone), status code, latency, error;
// filtered by outcome, event type and time; a page at a time; each event's payload, and resend.
import { useState, type FormEvent } from "react";
import { api, call, type Attempt, type AttemptOutcome, type Webhook } from "./api";
import { Dialog, ErrorMessage, LoadMore, Loading, OutcomeBadge, formatNumber, formatTime, localToIso, useAction, useCanChange, useLoad } from "./ui";

const PAGE = 50;

interface Filters {
  status: AttemptOutcome | "";
  event_type: string;
  since: string;
  until: string;
}

const NO_FILTERS: Filters = { status: "", event_type: "", since: "", until: "" };

export function Deliveries({ webhook }: { webhook: Webhook }) {
  const [draft, setDraft] = useState<Filters>(NO_FILTERS);
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [pages, setPages] = useState<Attempt[][]>([]);
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const [viewing, setViewing] = useState<Attempt | null>(null);

  function query(after?: string) {
    const since = localToIso(filters.since);
    const until = localToIso(filters.until);
    return {
      limit: PAGE,
      ...(after ? { after } : {}),
      ...(filters.status ? { status: filters.status } : {}),
      ...(filters.event_type.trim() ? { event_type: filters.event_type.trim() } : {}),
      ...(since ? { since } : {}),
      ...(until ? { until } : {}),
    };
  }

  const first = useLoad(async () => {
    const page = await call(
      api.GET("/api/v1/webhooks/{webhook_id}/deliveries", {
        params: { path: { webhook_id: webhook.webhook_id }, query: query() },
      }),
    );
    setPages([page.data]);
    setCursor(page.next_cursor ?? undefined);
    return page;
  }, [webhook.webhook_id, filters]);

  const more = useAction();
  async function loadMore() {
    await more.run(async () => {
      const page = await call(
        api.GET("/api/v1/webhooks/{webhook_id}/deliveries", {
          params: { path: { webhook_id: webhook.webhook_id }, query: query(cursor) },
        }),
      );
      setPages((previous) => [...previous, page.data]);
      setCursor(page.next_cursor ?? undefined);
    });
  }

  function apply(event: FormEvent) {
    event.preventDefault();
    setFilters({ ...draft });
  }

  const attempts = pages.flat();
  return (
    <section aria-labelledby="deliveries-title">
      <div className="panel-head">
        <h2 id="deliveries-title">Deliveries</h2>
        <button type="button" className="secondary" onClick={first.reload} disabled={first.loading}>
          {first.loading ? "Refreshing…" : "Refresh"}
        </button>
      </div>
      <form className="form filters" onSubmit={apply} aria-label="Filter deliveries">
        <div className="field">
          <label htmlFor="filter-status">Outcome</label>
          <select
            id="filter-status"
            value={draft.status}
            onChange={(event) => setDraft({ ...draft, status: event.target.value as Filters["status"] })}
          >
            <option value="">Any</option>
            <option value="succeeded">Succeeded</option>
            <option value="retrying">Retrying</option>
            <option value="failed">Failed</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="filter-type">Event type</label>
          <input
            id="filter-type"
            type="text"
            placeholder="payment.succeeded"
            value={draft.event_type}
            onChange={(event) => setDraft({ ...draft, event_type: event.target.value })}
          />
        </div>
        <div className="field">
          <label htmlFor="filter-since">From</label>
          <input
            id="filter-since"
            type="datetime-local"
            value={draft.since}
            onChange={(event) => setDraft({ ...draft, since: event.target.value })}
          />
        </div>
        <div className="field">
          <label htmlFor="filter-until">Until</label>
          <input
            id="filter-until"
            type="datetime-local"
            value={draft.until}
            onChange={(event) => setDraft({ ...draft, until: event.target.value })}
          />
        </div>
        <div className="actions">
          <button type="submit">Apply filters</button>
          <button
            type="button"
            className="secondary"
            onClick={() => {
              setDraft(NO_FILTERS);
              setFilters(NO_FILTERS);
            }}
          >
            Clear
          </button>
        </div>
      </form>
      {first.loading && attempts.length === 0 && <Loading what="deliveries" />}
      <ErrorMessage error={first.error} />
      {!first.loading && !first.error && attempts.length === 0 && <p className="empty">No delivery attempts match.</p>}
      {attempts.length > 0 && (
        <div className="table-wrap">
          <table className="table" aria-label="Delivery attempts">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Event</th>
                <th scope="col">Attempt</th>
                <th scope="col">Status</th>
                <th scope="col">Latency</th>
                <th scope="col">Outcome</th>
                <th scope="col">Error</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {attempts.map((attempt) => (
                <tr key={`${attempt.message_id}-${attempt.attempt}-${attempt.attempted_at}`} data-testid="attempt-row">
                  <td className="nowrap">{formatTime(attempt.attempted_at)}</td>
                  <td>
                    <span className="mono">{attempt.event_type}</span>
                    <br />
                    <span className="mono small muted">{attempt.event_id}</span>
                  </td>
                  <td>{attempt.attempt}</td>
                  <td>{attempt.status_code ?? "no answer"}</td>
                  <td className="nowrap">{formatNumber(attempt.latency_ms)} ms</td>
                  <td>
                    <OutcomeBadge outcome={attempt.outcome} />
                    {attempt.next_attempt_at && (
                      <span className="small muted block">next {formatTime(attempt.next_attempt_at)}</span>
                    )}
                  </td>
                  <td className="error-cell">{attempt.error ?? ""}</td>
                  <td>
                    <button
                      type="button"
                      className="secondary small-button"
                      onClick={() => setViewing(attempt)}
                      aria-label={`View event ${attempt.event_id}, attempt ${attempt.attempt}`}
                    >
                      View
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <LoadMore cursor={cursor} action={more} onMore={loadMore} />
      {viewing && <EventDialog webhook={webhook} attempt={viewing} onClose={() => setViewing(null)} />}
    </section>
  );
}

function EventDialog({ webhook, attempt, onClose }: { webhook: Webhook; attempt: Attempt; onClose: () => void }) {
  const canChange = useCanChange();
  const event = useLoad(
    () => call(api.GET("/api/v1/events/{event_id}", { params: { path: { event_id: attempt.event_id } } })),
    [attempt.event_id],
  );
  const resend = useAction();
  const [resent, setResent] = useState(false);
  const expunged = attempt.expunged || event.data?.expunged;
  return (
    <Dialog title={`Event ${attempt.event_id}`} onClose={onClose}>
      <dl className="facts">
        <div>
          <dt>Type</dt>
          <dd className="mono">{attempt.event_type}</dd>
        </div>
        <div>
          <dt>Message id</dt>
          <dd className="mono">{attempt.message_id}</dd>
        </div>
        <div>
          <dt>Attempt</dt>
          <dd>
            {attempt.attempt} at {formatTime(attempt.attempted_at)}: {attempt.status_code ?? "no answer"}
          </dd>
        </div>
      </dl>
      <h3>Payload</h3>
      {event.loading && <Loading what="the payload" />}
      {expunged ? (
        <p className="muted">This event was expunged: its payload is gone.</p>
      ) : event.error ? (
        <ErrorMessage error={event.error} />
      ) : event.data ? (
        <pre className="payload" data-testid="payload" tabIndex={0}>
          {JSON.stringify(event.data.data ?? null, null, 2)}
        </pre>
      ) : null}
      {canChange && !expunged && (
        <div className="actions">
          <button
            type="button"
            disabled={resend.busy || resent}
            onClick={() =>
              void resend.run(async () => {
                await call(
                  api.POST("/api/v1/webhooks/{webhook_id}/replay", {
                    params: { path: { webhook_id: webhook.webhook_id } },
                    body: { event_id: attempt.event_id },
                  }),
                );
                setResent(true);
              })
            }
          >
            {resend.busy ? "Resending…" : resent ? "Resent" : "Resend"}
          </button>
        </div>
      )}
      {resent && (
        <p className="result good" role="status">
          Sent again: a new delivery is on its way.
        </p>
      )}
      <ErrorMessage error={resend.error} />
    </Dialog>
  );
}
