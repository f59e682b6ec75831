import { expect, test } from "bun:test";
import { parseRoute } from "./router.ts";

test.each([
  ["/", "", "", { page: "sessions", sessionId: null, find: null }],
  ["/s/0b6c-41aa", "", "", { page: "sessions", sessionId: "0b6c-41aa", find: null }],
  ["/s/0b6c-41aa", "?find=zebra", "", { page: "sessions", sessionId: "0b6c-41aa", find: "zebra" }],
  ["/search", "?q=x", "", { page: "search" }],
  ["/login", "?next=%2Fs%2Fabc", "", { page: "login", next: "/s/abc" }],
  ["/login", "", "", { page: "login", next: "/" }],
  ["/setup", "", "#token=abc_-1", { page: "setup", token: "abc_-1" }],
  ["/inbox", "", "", { page: "inbox" }],
  ["/notifications", "", "", { page: "notifications" }],
  ["/providers", "", "", { page: "providers" }],
  ["/audit", "", "", { page: "audit" }],
  ["/providers/claude", "", "", { page: "provider", providerId: "claude" }],
  ["/providers/Not_An_Id", "", "", { page: "sessions", sessionId: null, find: null }],
  ["/users", "", "", { page: "users" }],
  ["/account", "", "", { page: "account" }],
  ["/nowhere", "", "", { page: "sessions", sessionId: null, find: null }],
  ["/share/0b6c-41aa/Ab_-9z", "", "", { page: "share", sessionId: "0b6c-41aa", token: "Ab_-9z" }],
  ["/share/0b6c-41aa", "", "", { page: "sessions", sessionId: null, find: null }],
])("%s%s%s is the %p route", (path, search, hash, route) => {
  expect(parseRoute(path, search, hash)).toEqual(route as never);
});
