// The portal's shell: the session (a link's one-time code exchanged, or the cookie's), the
// header, and hash-based navigation between the pages.
import { useCallback, useEffect, useState } from "react";
import { ApiError, currentSession, exchangeCode, signOut, setSessionToken, type Session } from "./api";
import { parseRoute, type Route } from "./routes";
import { EndpointDetail } from "./EndpointDetail";
import { EndpointForm } from "./EndpointForm";
import { EndpointList } from "./EndpointList";
import { Badge, ErrorMessage, SessionContext, formatTime, useAction } from "./ui";

type State =
  | { kind: "starting" }
  | { kind: "ready"; session: Session }
  | { kind: "refused"; reason: "expired" | "no-session" | "signed-out" | "lost" }
  | { kind: "failed"; error: unknown };

// The session is asked for once per page load (React may run an effect twice in development;
// a link's code works only once).
let starting: { session: Promise<Session>; withCode: boolean } | null = null;

/** The link's code, taken out of the address bar so that it is never bookmarked or shared. */
function takeCode(): string | null {
  const match = /(?:^#|&)code=([^&]+)/.exec(window.location.hash);
  if (!match) return null;
  window.history.replaceState(null, "", `${window.location.pathname}${window.location.search}#/`);
  return decodeURIComponent(match[1]);
}

export function App() {
  const [state, setState] = useState<State>({ kind: "starting" });
  const [route, setRoute] = useState<Route>(() => parseRoute(window.location.hash));

  useEffect(() => {
    let live = true;
    const code = takeCode();
    setRoute(parseRoute(window.location.hash));
    starting ??= { session: code ? exchangeCode(code) : currentSession(), withCode: code !== null };
    const withCode = starting.withCode;
    starting.session.then(
      (session) => {
        if (!live) return;
        setSessionToken(session.csrf_token, () => setState({ kind: "refused", reason: "lost" }));
        setState({ kind: "ready", session });
      },
      (error: unknown) => {
        if (!live) return;
        if (error instanceof ApiError && (error.status === 401 || error.status === 403 || error.status === 404)) {
          setState({ kind: "refused", reason: withCode ? "expired" : "no-session" });
        } else {
          setState({ kind: "failed", error });
        }
      },
    );
    return () => {
      live = false;
    };
  }, []);

  useEffect(() => {
    const changed = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener("hashchange", changed);
    return () => window.removeEventListener("hashchange", changed);
  }, []);

  // Each page starts at the top with its heading focused, for keyboard and screen reader users.
  useEffect(() => {
    window.scrollTo(0, 0);
  }, [route]);

  const onSignedOut = useCallback(() => setState({ kind: "refused", reason: "signed-out" }), []);

  if (state.kind === "starting") {
    return (
      <main className="page">
        <p role="status">Opening your portal…</p>
      </main>
    );
  }
  if (state.kind === "refused") return <Refused reason={state.reason} />;
  if (state.kind === "failed") {
    return (
      <main className="page">
        <h1>The portal could not open</h1>
        <ErrorMessage error={state.error} />
        <button type="button" onClick={() => window.location.reload()}>
          Try again
        </button>
      </main>
    );
  }

  const session = state.session;
  return (
    <SessionContext.Provider value={session}>
      <Header session={session} onSignedOut={onSignedOut} />
      <main className="page" id="main">
        {route.page === "list" && <EndpointList />}
        {route.page === "new" && <EndpointForm />}
        {route.page === "endpoint" && <EndpointDetail key={route.id} id={route.id} tab={route.tab} />}
      </main>
    </SessionContext.Provider>
  );
}

function Header({ session, onSignedOut }: { session: Session; onSignedOut: () => void }) {
  const { busy, error, run } = useAction();
  return (
    <header className="topbar">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <div className="topbar-inner">
        <a className="brand" href="#/">
          Webhooks
        </a>
        <span className="client" title={session.client_id}>
          {session.client_name}
        </span>
        {session.read_only && <Badge tone="warn">Read-only</Badge>}
        {session.webhooks && <Badge tone="neutral">Limited to {session.webhooks.length} endpoint(s)</Badge>}
        <span className="spacer" />
        <span className="muted small" title={session.expires_at}>
          Session until {formatTime(session.expires_at)}
        </span>
        <button
          type="button"
          className="secondary"
          disabled={busy}
          onClick={() => void run(async () => {
            await signOut();
            onSignedOut();
          })}
        >
          {busy ? "Signing out…" : "Sign out"}
        </button>
      </div>
      <ErrorMessage error={error} />
    </header>
  );
}

function Refused({ reason }: { reason: "expired" | "no-session" | "signed-out" | "lost" }) {
  const text = {
    expired: {
      title: "This link has expired or was already used",
      body: "Portal links work once and only for a few minutes. Ask for a new one where you got this link.",
    },
    "no-session": {
      title: "Open your portal link again",
      body: "There is no open session in this browser. Open the portal link you were given (or ask for a new one).",
    },
    "signed-out": {
      title: "You signed out",
      body: "Open your portal link again (or ask for a new one) to come back.",
    },
    lost: {
      title: "Your session has ended",
      body: "It expired or was revoked. Open your portal link again (or ask for a new one).",
    },
  }[reason];
  return (
    <main className="page refused">
      <h1>{text.title}</h1>
      <p>{text.body}</p>
    </main>
  );
}
