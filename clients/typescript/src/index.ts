// A typed client for edgehook's API: openapi-fetch over the types openapi-typescript generates
// from openapi/all.json (`make clients` regenerates src/schema.d.ts). Paths, parameters, bodies
// and answers are checked by the compiler against the document.
import createClient from "openapi-fetch";
import type { paths } from "./schema";

export type { paths, components } from "./schema";

/** The control plane (clients, sources, webhooks, catalogue, history), with a bearer token. */
export function controlPlane(baseUrl: string, token: string) {
  return createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${token}` } });
}

/** Ingest, for a source: sign each body with `X-Source-Signature` and `X-Source-Timestamp`. */
export function ingest(baseUrl: string) {
  return createClient<paths>({ baseUrl });
}
