// Secrets: rotate the signing key (the old one keeps signing for the overlap), switch between
// HMAC and Ed25519, see the public keys, register or remove the payload encryption key.
import { useState, type FormEvent } from "react";
import { ApiError, api, call, type Scheme, type Webhook } from "./api";
import { Badge, ErrorMessage, FieldError, SecretReveal, fieldProps, formatTime, useAction, useCanChange, useLoad } from "./ui";

const OVERLAPS: [number, string][] = [
  [0, "None: the old key stops now"],
  [3600, "1 hour"],
  [86400, "24 hours"],
  [604800, "7 days"],
];

export function Secrets({ webhook, onChanged }: { webhook: Webhook; onChanged: (webhook: Webhook) => void }) {
  const canChange = useCanChange();
  const keys = useLoad(
    () =>
      call(api.GET("/api/v1/webhooks/{webhook_id}/public-key", { params: { path: { webhook_id: webhook.webhook_id } } })),
    [webhook.webhook_id, webhook.signature, webhook.updated_at],
  );
  return (
    <section aria-labelledby="secrets-title">
      <h2 id="secrets-title">Secrets</h2>
      <section className="panel" aria-labelledby="signing-title">
        <h3 id="signing-title">Signing</h3>
        <p>
          Deliveries are signed with{" "}
          <strong>{webhook.signature === "ed25519" ? "Ed25519 (verify with the public key)" : "HMAC-SHA256 (a shared secret)"}</strong>{" "}
          in the Standard Webhooks format.
        </p>
        {webhook.signature === "hmac-sha256" && (
          <p className="muted">The secret was shown once, when it was made. Rotate it to get a new one.</p>
        )}
        {keys.data && keys.data.public_keys.length > 0 && (
          <ul className="keys" aria-label="Public keys">
            {keys.data.public_keys.map((key) => (
              <li key={key.public_key}>
                <code className="wrap">{key.public_key}</code>{" "}
                <Badge tone={key.status === "current" ? "good" : "warn"}>{key.status}</Badge>
                {key.retires_at && <span className="small muted"> until {formatTime(key.retires_at)}</span>}
              </li>
            ))}
          </ul>
        )}
        {canChange && <Rotate webhook={webhook} onChanged={onChanged} />}
      </section>
      <Encryption webhook={webhook} onChanged={onChanged} />
    </section>
  );
}

function Rotate({ webhook, onChanged }: { webhook: Webhook; onChanged: (webhook: Webhook) => void }) {
  const [overlap, setOverlap] = useState(86400);
  const [scheme, setScheme] = useState<Scheme>(webhook.signature);
  const [result, setResult] = useState<Webhook | null>(null);
  const { busy, error, run } = useAction();
  async function submit(event: FormEvent) {
    event.preventDefault();
    setResult(null);
    await run(async () => {
      const rotated = await call(
        api.POST("/api/v1/webhooks/{webhook_id}/rotate-secret", {
          params: { path: { webhook_id: webhook.webhook_id } },
          body: { overlap_seconds: overlap, signature: scheme },
        }),
      );
      setResult(rotated);
      const { signing_secret: _secret, ...shown } = rotated;
      onChanged(shown);
    });
  }
  return (
    <>
      <form className="form" onSubmit={(event) => void submit(event)} aria-label="Rotate the signing key">
        <div className="row">
          <div className="field">
            <label htmlFor="rotate-scheme">New key's scheme</label>
            <select id="rotate-scheme" value={scheme} onChange={(event) => setScheme(event.target.value as Scheme)}>
              <option value="hmac-sha256">HMAC-SHA256 (a shared secret)</option>
              <option value="ed25519">Ed25519 (a public key)</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor="rotate-overlap">Old key keeps signing for</label>
            <select id="rotate-overlap" value={overlap} onChange={(event) => setOverlap(Number(event.target.value))} {...fieldProps(error, "overlap_seconds")}>
              {OVERLAPS.map(([seconds, label]) => (
                <option key={seconds} value={seconds}>
                  {label}
                </option>
              ))}
            </select>
          </div>
        </div>
        <p className="muted small">
          During the overlap every delivery carries both signatures, so your endpoint can switch to the new key without
          missing one.
        </p>
        <ErrorMessage error={error} />
        <div className="actions">
          <button type="submit" disabled={busy}>
            {busy ? "Rotating…" : "Rotate secret"}
          </button>
        </div>
      </form>
      {result?.signing_secret && <SecretReveal label="New signing secret" secret={result.signing_secret} />}
      {result && !result.signing_secret && result.public_key && (
        <section className="secret" aria-label="New public key">
          <h3>New public key</h3>
          <p>Deliveries are now signed with Ed25519; verify them with this public key.</p>
          <code className="wrap" data-testid="new-public-key">
            {result.public_key}
          </code>
        </section>
      )}
    </>
  );
}

function Encryption({ webhook, onChanged }: { webhook: Webhook; onChanged: (webhook: Webhook) => void }) {
  const canChange = useCanChange();
  const [jwk, setJwk] = useState("");
  const [fields, setFields] = useState("");
  const [saved, setSaved] = useState<string | null>(null);
  const save = useAction();
  const removal = useAction();
  async function submit(event: FormEvent) {
    event.preventDefault();
    setSaved(null);
    let key: unknown;
    try {
      key = JSON.parse(jwk);
    } catch {
      save.setError(new ApiError(400, "invalid", "Paste the public key as a JSON Web Key (a JSON object).", "encryption.jwk"));
      return;
    }
    await save.run(async () => {
      const list = fields
        .split(/[\s,]+/)
        .map((value) => value.trim())
        .filter(Boolean);
      const updated = await call(
        api.PATCH("/api/v1/webhooks/{webhook_id}", {
          params: { path: { webhook_id: webhook.webhook_id } },
          body: { encryption: { jwk: key as Record<string, never>, fields: list } },
        }),
      );
      onChanged(updated);
      setJwk("");
      setSaved("Encryption key registered: deliveries are encrypted to it from now on.");
    });
  }
  async function remove() {
    setSaved(null);
    await removal.run(async () => {
      const updated = await call(
        api.PATCH("/api/v1/webhooks/{webhook_id}", {
          params: { path: { webhook_id: webhook.webhook_id } },
          body: { encryption: null },
        }),
      );
      onChanged(updated);
      setSaved("Encryption removed: deliveries are sent in clear JSON (over HTTPS).");
    });
  }
  return (
    <section className="panel" aria-labelledby="encryption-title">
      <h3 id="encryption-title">Payload encryption</h3>
      {webhook.encryption ? (
        <p>
          Deliveries are encrypted (JWE) to your {String((webhook.encryption.jwk as Record<string, unknown>).kty ?? "")} key
          {webhook.encryption.fields && webhook.encryption.fields.length > 0
            ? `: the fields ${webhook.encryption.fields.join(", ")}.`
            : ": the whole payload."}
        </p>
      ) : (
        <p className="muted">Not encrypted. Register a public key (RSA 2048+ or X25519) to encrypt deliveries to it.</p>
      )}
      {saved && (
        <p className="result good" role="status">
          {saved}
        </p>
      )}
      {canChange && (
        <form className="form" onSubmit={(event) => void submit(event)} aria-label="Register an encryption key">
          <div className="field">
            <label htmlFor="jwk">Public key (JWK, JSON)</label>
            <textarea
              id="jwk"
              rows={4}
              placeholder='{"kty": "OKP", "crv": "X25519", "x": "…"}'
              value={jwk}
              onChange={(event) => setJwk(event.target.value)}
              {...fieldProps(save.error, "encryption")}
            />
            <FieldError error={save.error} fields={["encryption"]} />
          </div>
          <div className="field">
            <label htmlFor="jwk-fields">Encrypt only these fields (comma-separated; empty: the whole payload)</label>
            <input id="jwk-fields" type="text" value={fields} onChange={(event) => setFields(event.target.value)} />
          </div>
          <ErrorMessage error={save.error} />
          <div className="actions">
            <button type="submit" disabled={save.busy}>
              {save.busy ? "Saving…" : webhook.encryption ? "Replace encryption key" : "Register encryption key"}
            </button>
            {webhook.encryption && (
              <button type="button" className="secondary" disabled={removal.busy} onClick={() => void remove()}>
                {removal.busy ? "Removing…" : "Remove encryption"}
              </button>
            )}
          </div>
          <ErrorMessage error={removal.error} />
        </form>
      )}
    </section>
  );
}
