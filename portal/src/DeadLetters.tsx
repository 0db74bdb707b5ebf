// An endpoint's dead letters: the deliveries that gave up, each redriven alone or all at once
// (sent again as new deliveries with the whole retry budget).
import { useState } from "react";
import { api, call, type DeadLetter, type Webhook } from "./api";
import { Badge, ErrorMessage, LoadMore, Loading, formatTime, useAction, useCanChange, useLoad } from "./ui";

const PAGE = 50;

export function DeadLetters({ webhook }: { webhook: Webhook }) {
  const canChange = useCanChange();
  const [pages, setPages] = useState<DeadLetter[][]>([]);
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const [done, setDone] = useState<string | null>(null);
  const first = useLoad(async () => {
    const page = await call(
      api.GET("/api/v1/webhooks/{webhook_id}/dead-letters", {
        params: { path: { webhook_id: webhook.webhook_id }, query: { limit: PAGE } },
      }),
    );
    setPages([page.data]);
    setCursor(page.next_cursor ?? undefined);
    return page;
  }, [webhook.webhook_id]);
  const more = useAction();
  const all = useAction();
  const one = useAction();
  const [redriving, setRedriving] = useState<string | null>(null);

  async function loadMore() {
    await more.run(async () => {
      const page = await call(
        api.GET("/api/v1/webhooks/{webhook_id}/dead-letters", {
          params: { path: { webhook_id: webhook.webhook_id }, query: { limit: PAGE, ...(cursor ? { after: cursor } : {}) } },
        }),
      );
      setPages((previous) => [...previous, page.data]);
      setCursor(page.next_cursor ?? undefined);
    });
  }

  async function redrive(eventId: string | null) {
    setDone(null);
    const action = eventId ? one : all;
    setRedriving(eventId);
    const total = await action.run(async () => {
      let redriven = 0;
      // A call moves at most 1,000: go on while some remain.
      for (;;) {
        const answer = await call(
          api.POST("/api/v1/webhooks/{webhook_id}/dead-letters/redrive", {
            params: { path: { webhook_id: webhook.webhook_id } },
            body: eventId ? { event_id: eventId } : {},
          }),
        );
        redriven += answer.redriven;
        if (!answer.remaining) return redriven;
      }
    });
    setRedriving(null);
    if (total !== undefined) {
      setDone(`Redriven ${total} dead letter${total === 1 ? "" : "s"}: they are being delivered again.`);
      first.reload();
    }
  }

  const letters = pages.flat();
  return (
    <section aria-labelledby="dead-title">
      <div className="panel-head">
        <h2 id="dead-title">Dead letters</h2>
        <div className="actions">
          <button type="button" className="secondary" onClick={first.reload} disabled={first.loading}>
            {first.loading ? "Refreshing…" : "Refresh"}
          </button>
          {canChange && letters.length > 0 && (
            <button type="button" disabled={all.busy} onClick={() => void redrive(null)}>
              {all.busy ? "Redriving…" : "Redrive all"}
            </button>
          )}
        </div>
      </div>
      <p className="muted">Deliveries that gave up after their retries (or were refused). Redrive them once the endpoint works.</p>
      {done && (
        <p className="result good" role="status">
          {done}
        </p>
      )}
      <ErrorMessage error={all.error} />
      <ErrorMessage error={one.error} />
      {first.loading && letters.length === 0 && <Loading what="dead letters" />}
      <ErrorMessage error={first.error} />
      {!first.loading && !first.error && letters.length === 0 && <p className="empty">No dead letters.</p>}
      {letters.length > 0 && (
        <ul className="cards" aria-label="Dead letters">
          {letters.map((letter) => (
            <li key={letter.dead_letter_id} className="card" data-testid="dead-letter">
              <div className="card-row">
                <span className="mono">{letter.event_type}</span>
                <span className="mono small muted">{letter.event_id}</span>
              </div>
              <div className="badges">
                <Badge tone="bad">{letter.reason.replace(/_/g, " ")}</Badge>
                <span className="small">
                  {letter.attempts} attempt{letter.attempts === 1 ? "" : "s"}, last{" "}
                  {letter.last_status_code != null ? `HTTP ${letter.last_status_code}` : "no answer"}
                </span>
                <span className="small muted">{formatTime(letter.dead_lettered_at)}</span>
                {letter.broke_order && <Badge tone="warn">broke the order</Badge>}
              </div>
              {letter.last_error && <p className="error-cell small">{letter.last_error}</p>}
              <details>
                <summary>Payload</summary>
                <pre className="payload">{JSON.stringify(letter.data, null, 2)}</pre>
              </details>
              {canChange && (
                <div className="actions">
                  <button
                    type="button"
                    className="secondary"
                    disabled={one.busy}
                    aria-label={`Redrive ${letter.event_id}`}
                    onClick={() => void redrive(letter.event_id)}
                  >
                    {one.busy && redriving === letter.event_id ? "Redriving…" : "Redrive"}
                  </button>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
      <LoadMore cursor={cursor} action={more} onMore={loadMore} />
    </section>
  );
}
