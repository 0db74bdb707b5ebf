// The portal talks only to edgehook's public API: the generated types of openapi/all.json
// (clients/typescript, `make clients`) through openapi-fetch, on the same origin, with the
// session cookie the browser keeps. Every change carries the session's CSRF token.
import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "../../clients/typescript/src/schema";

export type Schemas = components["schemas"];
export type Webhook = Schemas["WebhookView"];
export type WebhookFields = Schemas["WebhookFields"];
export type WebhookPatch = Schemas["WebhookPatch"];
export type Attempt = Schemas["AttemptView"];
export type DeadLetter = Schemas["DeadLetterView"];
export type EventType = Schemas["EventTypeView"];
export type Stats = Schemas["WebhookStats"];
export type Health = Schemas["EndpointHealth"];
export type TestAttempt = Schemas["TestAttempt"];
export type Scheme = Schemas["Scheme"];
export type AttemptOutcome = Schemas["AttemptOutcome"];

/** What `POST`/`GET /api/v1/portal/session` answer (`webhooks` null or absent: all of them). */
export type Session = Schemas["PortalSessionView"];

/** An error as every API answers it (`{"error": {code, message, field}}`), with the status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field: string | null = null,
  ) {
    super(message);
  }
}

let csrfToken = "";
let onSessionLost: () => void = () => {};

/** Sets the session's CSRF token and what to do when the API says the session is gone. */
export function setSessionToken(token: string, lost: () => void) {
  csrfToken = token;
  onSessionLost = lost;
}

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

const session: Middleware = {
  onRequest({ request }) {
    if (UNSAFE.has(request.method.toUpperCase()) && csrfToken) {
      request.headers.set("X-CSRF-Token", csrfToken);
    }
    return request;
  },
  onResponse({ response }) {
    if (response.status === 401) onSessionLost();
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: window.location.origin, credentials: "same-origin" });
api.use(session);

/** The error body's fields, or a generic message for an answer without one. */
export function toError(error: unknown, response: Response | undefined): ApiError {
  const status = response?.status ?? 0;
  const detail = (error as { error?: { code?: string; message?: string; field?: string | null } } | undefined)
    ?.error;
  if (detail && typeof detail.message === "string") {
    return new ApiError(status, detail.code ?? "error", detail.message, detail.field ?? null);
  }
  if (!response) return new ApiError(0, "network", "The server could not be reached. Check your connection and try again.");
  return new ApiError(status, "error", `The server answered ${status} ${response.statusText}`.trim());
}

/** Unwraps an openapi-fetch result: the data, or throws the API's error. */
export async function call<T>(
  pending: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await pending;
  } catch {
    throw toError(undefined, undefined);
  }
  if (result.error !== undefined || !result.response.ok) throw toError(result.error, result.response);
  return result.data as T;
}

// The session (`/api/v1/portal/session`): a link's one-time code redeemed for the cookie, the
// cookie's session read back (after a reload), and signing out.

/**
 * Exchanges a portal link's one-time code for a session (and its cookie). A code used already
 * (the link opened again in this browser, a reloaded frame whose address still carries it) falls
 * back on the cookie's session when that session is the same client's.
 */
export async function exchangeCode(code: string): Promise<Session> {
  try {
    return await call(api.POST("/api/v1/portal/session", { body: { code } }));
  } catch (refused) {
    if (!(refused instanceof ApiError) || refused.status !== 401) throw refused;
    const open = await currentSession().catch(() => null);
    if (open && code.startsWith(`${open.client_id}.`)) return open;
    throw refused;
  }
}

/** The session of the cookie, if it is still valid. */
export function currentSession(): Promise<Session> {
  return call(api.GET("/api/v1/portal/session"));
}

export async function signOut(): Promise<void> {
  await call(api.DELETE("/api/v1/portal/session"));
}
