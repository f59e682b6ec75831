// Client-side routes on the History API: a signal of the current path and a navigate action.
import { signal } from "@preact/signals";

export type Route =
  | { page: "login"; next: string }
  | { page: "setup"; token: string }
  /** A share link's page: the session alone, read-only, without an account. */
  | { page: "share"; sessionId: string; token: string }
  | { page: "sessions"; sessionId: string | null; find: string | null }
  | { page: "search" }
  | { page: "inbox" }
  | { page: "notifications" }
  | { page: "providers" }
  | { page: "provider"; providerId: string }
  | { page: "users" }
  | { page: "account" }
  | { page: "audit" };

export function parseRoute(path: string, search: string, hash: string): Route {
  if (path === "/login")
    return { page: "login", next: new URLSearchParams(search).get("next") ?? "/" };
  if (path === "/setup")
    return { page: "setup", token: new URLSearchParams(hash.slice(1)).get("token") ?? "" };
  const shared = /^\/share\/([\w-]+)\/([\w-]+)$/.exec(path);
  if (shared?.[1] && shared[2]) return { page: "share", sessionId: shared[1], token: shared[2] };
  if (path === "/inbox") return { page: "inbox" };
  if (path === "/notifications") return { page: "notifications" };
  if (path === "/providers") return { page: "providers" };
  if (path === "/audit") return { page: "audit" };
  if (path === "/search") return { page: "search" };
  if (path === "/users") return { page: "users" };
  if (path === "/account") return { page: "account" };
  const provider = /^\/providers\/([a-z][a-z0-9-]{0,31})$/.exec(path);
  if (provider?.[1]) return { page: "provider", providerId: provider[1] };
  const session = /^\/s\/([\w-]+)$/.exec(path);
  // `?find=` (from a search result): the terminal finds it once the session is on screen.
  const find = session?.[1] ? new URLSearchParams(search).get("find") : null;
  return { page: "sessions", sessionId: session?.[1] ?? null, find: find || null };
}

export function createRouter() {
  const current = () => parseRoute(location.pathname, location.search, location.hash);
  const route = signal<Route>(current());
  addEventListener("popstate", () => {
    route.value = current();
  });
  return {
    route,
    /** Go to `path` (same origin), adding a history entry unless `replace`. */
    navigate(path: string, replace = false) {
      if (`${location.pathname}${location.search}` === path) return;
      if (replace) history.replaceState(null, "", path);
      else history.pushState(null, "", path);
      route.value = current();
    },
    /** The path and query to come back to after signing in. */
    here: () => `${location.pathname}${location.search}`,
  };
}

export type Router = ReturnType<typeof createRouter>;
