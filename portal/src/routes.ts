// Hash-based navigation: `#/`, `#/new`, `#/endpoints/<id>[/<tab>]` (the link's `#code=` is
// taken out before any of these is read).

export type Route =
  | { page: "list"; after?: string }
  | { page: "new" }
  | { page: "endpoint"; id: string; tab: Tab };

export const TABS = ["overview", "deliveries", "dead-letters", "secrets", "settings"] as const;
export type Tab = (typeof TABS)[number];

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#\/?/, "");
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  if (parts[0] === "new") return { page: "new" };
  if (parts[0] === "endpoints" && parts[1]) {
    const tab = (TABS as readonly string[]).includes(parts[2] ?? "") ? (parts[2] as Tab) : "overview";
    return { page: "endpoint", id: parts[1], tab };
  }
  return { page: "list" };
}

export function href(route: Route): string {
  switch (route.page) {
    case "list":
      return "#/";
    case "new":
      return "#/new";
    case "endpoint":
      return `#/endpoints/${encodeURIComponent(route.id)}${route.tab === "overview" ? "" : `/${route.tab}`}`;
  }
}

export function navigate(route: Route) {
  window.location.hash = href(route);
}
