// Small shared pieces: the session context, badges, errors, dialogs, one-time secrets, times.
import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from "react";
import { ApiError, type Session } from "./api";

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("no session");
  return session;
}

/** Whether this session may change things (the server refuses changes of a read-only one anyway). */
export function useCanChange(): boolean {
  return !useSession().read_only;
}

/** A time in the viewer's own zone and locale. */
export function formatTime(value: string | null | undefined): string {
  if (!value) return "—";
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toLocaleString();
}

export function formatNumber(value: number | null | undefined, digits = 0): string {
  if (value === null || value === undefined) return "—";
  return value.toLocaleString(undefined, { maximumFractionDigits: digits });
}

export function formatRatio(value: number | null | undefined): string {
  if (value === null || value === undefined) return "—";
  return `${(value * 100).toLocaleString(undefined, { maximumFractionDigits: 1 })} %`;
}

type Tone = "good" | "bad" | "warn" | "neutral";

export function Badge({ tone, children }: { tone: Tone; children: ReactNode }) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}

export function StatusBadge({ status }: { status: string }) {
  const tone: Tone = status === "active" ? "good" : status === "disabled" ? "bad" : "warn";
  const label = status === "inactive" ? "paused" : status;
  return <Badge tone={tone}>{label}</Badge>;
}

export function OutcomeBadge({ outcome }: { outcome: string }) {
  const tone: Tone = outcome === "succeeded" ? "good" : outcome === "failed" ? "bad" : "warn";
  return <Badge tone={tone}>{outcome}</Badge>;
}

export function CircuitBadge({ circuit }: { circuit: string }) {
  const tone: Tone = circuit === "closed" ? "good" : circuit === "open" ? "bad" : "warn";
  return <Badge tone={tone}>circuit {circuit.replace("_", "-")}</Badge>;
}

/** An API error for people: its message, and the field at fault when there is one. */
export function ErrorMessage({ error }: { error: unknown }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : String(error);
  const field = error instanceof ApiError && error.field ? error.field : null;
  return (
    <p className="error" role="alert">
      {message}
      {field ? <span className="error-field"> (field: {field})</span> : null}
    </p>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" role="status">
      Loading {what}…
    </p>
  );
}

/** Runs a loader on mount and whenever `deps` change; `reload` runs it again. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]) {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    let live = true;
    setState((previous) => ({ ...previous, loading: true, error: undefined }));
    load().then(
      (data) => live && setState({ data, loading: false }),
      (error: unknown) => live && setState({ error, loading: false }),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, generation]);
  const reload = useCallback(() => setGeneration((value) => value + 1), []);
  return { ...state, reload };
}

/** An action's progress and error: `run` disables its button and shows the API's message. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = useCallback(async <T,>(action: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(null);
    try {
      return await action();
    } catch (caught) {
      setError(caught);
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, run, setError };
}

/** "Load more" under a paged list while there is a next page, with its progress and error. */
export function LoadMore({
  cursor,
  action,
  onMore,
}: {
  cursor: string | null | undefined;
  action: { busy: boolean; error: unknown };
  onMore: () => Promise<void>;
}) {
  return (
    <>
      {cursor && (
        <div className="pager">
          <button type="button" className="secondary" disabled={action.busy} onClick={() => void onMore()}>
            {action.busy ? "Loading…" : "Load more"}
          </button>
        </div>
      )}
      <ErrorMessage error={action.error} />
    </>
  );
}

/** A modal dialog (the native <dialog>): focuses its first field, closes with Escape. */
export function Dialog({
  title,
  onClose,
  children,
}: {
  title: string;
  onClose: () => void;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const opener = useRef<Element | null>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    opener.current = document.activeElement;
    if (!dialog.open) dialog.showModal();
    const first = dialog.querySelector<HTMLElement>(
      "input, select, textarea, button:not(.dialog-close), [href], [tabindex]:not([tabindex='-1'])",
    );
    first?.focus();
    return () => {
      if (opener.current instanceof HTMLElement) opener.current.focus();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby="dialog-title"
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      <div className="dialog-head">
        <h2 id="dialog-title">{title}</h2>
        <button type="button" className="dialog-close secondary" onClick={onClose} aria-label="Close">
          ×
        </button>
      </div>
      {children}
    </dialog>
  );
}

/** A secret shown once, with a copy button and the warning that it is not shown again. */
export function SecretReveal({ label, secret }: { label: string; secret: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <section className="secret" aria-label={label}>
      <h3>{label}</h3>
      <p className="warning">
        Copy it now: it is shown only once and cannot be shown again. Store it where your endpoint verifies
        signatures.
      </p>
      <div className="secret-row">
        <code data-testid="new-secret">{secret}</code>
        <button
          type="button"
          className="secondary"
          onClick={() => {
            void navigator.clipboard?.writeText(secret).then(
              () => setCopied(true),
              () => setCopied(false),
            );
          }}
        >
          {copied ? "Copied" : "Copy"}
        </button>
      </div>
    </section>
  );
}

/** The `aria-invalid` and `aria-describedby` of a form field when the API's error names it. */
export function fieldProps(error: unknown, ...fields: string[]) {
  if (!(error instanceof ApiError) || !error.field) return {};
  const matches = fields.some((field) => error.field === field || error.field!.startsWith(`${field}.`) || error.field!.startsWith(`${field}[`));
  return matches ? { "aria-invalid": true as const, "aria-describedby": "form-error" } : {};
}

export function FieldError({ error, fields }: { error: unknown; fields: string[] }) {
  if (!(error instanceof ApiError) || !error.field) return null;
  const field = error.field;
  if (!fields.some((name) => field === name || field.startsWith(`${name}.`) || field.startsWith(`${name}[`))) return null;
  return (
    <span className="field-error" id="form-error">
      {error.message}
    </span>
  );
}

/** `datetime-local` values are the viewer's local time; the API wants RFC 3339. */
export function localToIso(value: string): string | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
