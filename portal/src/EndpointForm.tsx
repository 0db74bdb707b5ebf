// Add or edit an endpoint: the callback URL (the server checks it as the API does and names the
// field when it refuses), event types from the catalogue, filters, retries, rate, description.
import { useState, type FormEvent } from "react";
import { ApiError, api, call, type Scheme, type Webhook, type WebhookFields, type WebhookPatch } from "./api";
import { href, navigate } from "./routes";
import { ErrorMessage, FieldError, Loading, SecretReveal, fieldProps, useAction, useLoad } from "./ui";

const DEFAULT_RETRY = { max_retries: 10, initial_delay_ms: 5000, max_delay_ms: 21_600_000, backoff_multiplier: 4 };

export function EndpointForm({ webhook, onSaved }: { webhook?: Webhook; onSaved?: (webhook: Webhook) => void }) {
  const editing = webhook !== undefined;
  const catalogue = useLoad(
    () => call(api.GET("/api/v1/event-types", { params: { query: { limit: 500 } } })),
    [],
  );
  const known = new Set((catalogue.data?.data ?? []).map((type) => type.name));

  const [callbackUrl, setCallbackUrl] = useState(webhook?.callback_url ?? "");
  const [description, setDescription] = useState(webhook?.description ?? "");
  const [selected, setSelected] = useState<string[]>(webhook?.event_types ?? []);
  const [otherPatterns, setOtherPatterns] = useState("");
  const [filters, setFilters] = useState(
    webhook && Object.keys(webhook.trigger_conditions.filters ?? {}).length
      ? JSON.stringify(webhook.trigger_conditions.filters, null, 2)
      : "",
  );
  const [maxRetries, setMaxRetries] = useState(String(webhook?.retry_config.max_retries ?? DEFAULT_RETRY.max_retries));
  const [initialDelay, setInitialDelay] = useState(
    String(webhook?.retry_config.initial_delay_ms ?? DEFAULT_RETRY.initial_delay_ms),
  );
  const [rate, setRate] = useState(String(webhook?.rate_limit.requests_per_minute ?? 60000));
  const [scheme, setScheme] = useState<Scheme>("hmac-sha256");
  const [created, setCreated] = useState<Webhook | null>(null);
  const { busy, error, run, setError } = useAction();

  // Patterns not in the catalogue (`payment.*`, `*`) are kept in the free-text field.
  const catalogueLoaded = catalogue.data !== undefined;
  const checkedTypes = selected.filter((name) => known.has(name));
  const extraFromWebhook = catalogueLoaded ? selected.filter((name) => !known.has(name)) : selected;

  function patterns(): string[] {
    const typed = otherPatterns
      .split(/[\s,]+/)
      .map((value) => value.trim())
      .filter(Boolean);
    return Array.from(new Set([...checkedTypes, ...extraFromWebhook, ...typed]));
  }

  function number(value: string, field: string): number {
    const parsed = Number(value);
    if (value.trim() === "" || !Number.isFinite(parsed)) {
      throw new ApiError(400, "invalid", "Enter a number.", field);
    }
    return parsed;
  }

  function parsedFilters(): Record<string, never> {
    if (!filters.trim()) return {};
    try {
      const value: unknown = JSON.parse(filters);
      if (value && typeof value === "object" && !Array.isArray(value)) return value as Record<string, never>;
    } catch {
      // below
    }
    throw new ApiError(400, "invalid", 'Filters must be a JSON object, e.g. {"amount_gt": 100}.', "trigger_conditions.filters");
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    await run(async () => {
      let retry: { max_retries: number; initial_delay_ms: number };
      let requestsPerMinute: number;
      let wantedFilters: Record<string, never>;
      try {
        retry = {
          max_retries: number(maxRetries, "retry_config.max_retries"),
          initial_delay_ms: number(initialDelay, "retry_config.initial_delay_ms"),
        };
        requestsPerMinute = number(rate, "rate_limit.requests_per_minute");
        wantedFilters = parsedFilters();
      } catch (invalid) {
        setError(invalid);
        return;
      }
      if (!editing) {
        const body: WebhookFields = {
          callback_url: callbackUrl.trim(),
          description: description.trim() || null,
          event_types: patterns(),
          trigger_conditions: { filters: wantedFilters },
          retry_config: {
            ...DEFAULT_RETRY,
            ...retry,
            max_delay_ms: Math.max(DEFAULT_RETRY.max_delay_ms, retry.initial_delay_ms),
          },
          rate_limit: { requests_per_minute: requestsPerMinute },
          signature: scheme,
          status: "active",
        };
        const made = await call(api.POST("/api/v1/webhooks", { body }));
        setCreated(made);
      } else {
        // A merge patch: filters merge key by key, so the removed ones are sent as null.
        const oldFilters = (webhook.trigger_conditions.filters ?? {}) as Record<string, unknown>;
        const filterPatch: Record<string, unknown> = { ...wantedFilters };
        for (const key of Object.keys(oldFilters)) if (!(key in wantedFilters)) filterPatch[key] = null;
        const body: WebhookPatch = {
          ...(webhook.callback_url !== null ? { callback_url: callbackUrl.trim() } : {}),
          description: description.trim() || null,
          event_types: patterns(),
          trigger_conditions: { filters: filterPatch as Record<string, never> },
          retry_config: {
            ...retry,
            ...(retry.initial_delay_ms > webhook.retry_config.max_delay_ms ? { max_delay_ms: retry.initial_delay_ms } : {}),
          },
          rate_limit: { requests_per_minute: requestsPerMinute },
        };
        const saved = await call(
          api.PATCH("/api/v1/webhooks/{webhook_id}", {
            params: { path: { webhook_id: webhook.webhook_id } },
            body,
          }),
        );
        onSaved?.(saved);
      }
    });
  }

  if (created) {
    return (
      <section aria-labelledby="created-title">
        <h1 id="created-title" tabIndex={-1}>
          Endpoint added
        </h1>
        <p className="mono wrap">{created.callback_url}</p>
        {created.signing_secret && <SecretReveal label="Signing secret" secret={created.signing_secret} />}
        {created.public_key && (
          <section className="secret" aria-label="Public key">
            <h3>Public key</h3>
            <p>Deliveries are signed with Ed25519; verify them with this public key.</p>
            <code className="wrap">{created.public_key}</code>
          </section>
        )}
        <p>
          <a className="button" href={href({ page: "endpoint", id: created.webhook_id, tab: "overview" })}>
            Go to the endpoint
          </a>
        </p>
      </section>
    );
  }

  return (
    <section aria-labelledby="form-title">
      {!editing && (
        <>
          <p>
            <a href={href({ page: "list" })}>← Endpoints</a>
          </p>
          <h1 id="form-title">Add endpoint</h1>
        </>
      )}
      {editing && <h2 id="form-title">Settings</h2>}
      <form className="form" onSubmit={(event) => void submit(event)} noValidate aria-label={editing ? "Endpoint settings" : "Add endpoint"}>
        {webhook?.callback_url !== null && (
          <div className="field">
            <label htmlFor="callback-url">Callback URL</label>
            <input
              id="callback-url"
              name="callback_url"
              type="text"
              inputMode="url"
              autoComplete="url"
              placeholder="https://example.com/webhooks"
              required
              autoFocus={!editing}
              value={callbackUrl}
              onChange={(event) => {
                setCallbackUrl(event.target.value);
                // The server's complaint about the old value goes once it is changed.
                if (error instanceof ApiError && error.field === "callback_url") setError(null);
              }}
              {...fieldProps(error, "callback_url")}
            />
            <FieldError error={error} fields={["callback_url"]} />
            <span className="hint">Where deliveries are POSTed. It must be reachable from the internet.</span>
          </div>
        )}
        <div className="field">
          <label htmlFor="description">Description</label>
          <input
            id="description"
            name="description"
            type="text"
            value={description}
            onChange={(event) => setDescription(event.target.value)}
            {...fieldProps(error, "description")}
          />
          <FieldError error={error} fields={["description"]} />
        </div>
        <fieldset className="field" {...fieldProps(error, "event_types")}>
          <legend>Event types</legend>
          <span className="hint">None selected: every event type.</span>
          {catalogue.loading && <Loading what="event types" />}
          <ErrorMessage error={catalogue.error} />
          {catalogue.data && catalogue.data.data.length > 0 && (
            <ul className="checklist">
              {catalogue.data.data.map((type) => (
                <li key={type.name}>
                  <label className="check">
                    <input
                      type="checkbox"
                      checked={selected.includes(type.name)}
                      onChange={(event) =>
                        setSelected((previous) =>
                          event.target.checked ? [...previous, type.name] : previous.filter((name) => name !== type.name),
                        )
                      }
                    />
                    <span>
                      <span className="mono">{type.name}</span>
                      {type.deprecated && <span className="muted small"> (deprecated)</span>}
                      {type.description && <span className="muted small block">{type.description}</span>}
                    </span>
                  </label>
                </li>
              ))}
            </ul>
          )}
          <label htmlFor="other-patterns">Other types or patterns (comma-separated, e.g. payment.*)</label>
          <input
            id="other-patterns"
            type="text"
            value={otherPatterns}
            placeholder={extraFromWebhook.join(", ")}
            onChange={(event) => setOtherPatterns(event.target.value)}
          />
          {extraFromWebhook.length > 0 && (
            <span className="hint">
              Also subscribed: <span className="mono">{extraFromWebhook.join(", ")}</span>{" "}
              <button type="button" className="link" onClick={() => setSelected(checkedTypes)}>
                Remove these
              </button>
            </span>
          )}
          <FieldError error={error} fields={["event_types"]} />
        </fieldset>
        <div className="field">
          <label htmlFor="filters">Filters (JSON, optional)</label>
          <textarea
            id="filters"
            rows={3}
            placeholder='{"amount_gt": 100, "currency_in": ["EUR", "USD"]}'
            value={filters}
            onChange={(event) => setFilters(event.target.value)}
            {...fieldProps(error, "trigger_conditions")}
          />
          <span className="hint">Only events whose data matches every condition are delivered.</span>
          <FieldError error={error} fields={["trigger_conditions"]} />
        </div>
        <div className="row">
          <div className="field">
            <label htmlFor="max-retries">Retries after a failure</label>
            <input
              id="max-retries"
              type="number"
              inputMode="numeric"
              min={0}
              max={50}
              value={maxRetries}
              onChange={(event) => setMaxRetries(event.target.value)}
              {...fieldProps(error, "retry_config.max_retries")}
            />
            <FieldError error={error} fields={["retry_config.max_retries"]} />
          </div>
          <div className="field">
            <label htmlFor="initial-delay">First retry after (ms)</label>
            <input
              id="initial-delay"
              type="number"
              inputMode="numeric"
              min={10}
              value={initialDelay}
              onChange={(event) => setInitialDelay(event.target.value)}
              {...fieldProps(error, "retry_config.initial_delay_ms", "retry_config.max_delay_ms")}
            />
            <FieldError error={error} fields={["retry_config.initial_delay_ms", "retry_config.max_delay_ms", "retry_config.backoff_multiplier"]} />
          </div>
          <div className="field">
            <label htmlFor="rate">Requests per minute</label>
            <input
              id="rate"
              type="number"
              inputMode="numeric"
              min={1}
              value={rate}
              onChange={(event) => setRate(event.target.value)}
              {...fieldProps(error, "rate_limit")}
            />
            <FieldError error={error} fields={["rate_limit"]} />
          </div>
        </div>
        {!editing && (
          <div className="field">
            <label htmlFor="scheme">Signature</label>
            <select id="scheme" value={scheme} onChange={(event) => setScheme(event.target.value as Scheme)}>
              <option value="hmac-sha256">HMAC-SHA256 (a shared secret)</option>
              <option value="ed25519">Ed25519 (a public key)</option>
            </select>
          </div>
        )}
        <ErrorMessage error={error} />
        <div className="actions">
          <button type="submit" disabled={busy}>
            {busy ? "Saving…" : editing ? "Save changes" : "Create endpoint"}
          </button>
          {!editing && (
            <button type="button" className="secondary" onClick={() => navigate({ page: "list" })}>
              Cancel
            </button>
          )}
        </div>
      </form>
    </section>
  );
}
