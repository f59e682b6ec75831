// DESIGN §8: the security headers are on every response — pages, API, errors, 404s, 413s.

import { afterAll, beforeAll, expect, test } from "bun:test";
import { startTestServer, type TestServer } from "./support/server.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
}, 60_000);
afterAll(() => server.dispose());

const cases: [string, () => Promise<Response>, number][] = [
  ["a 401", () => fetch(`${server.api}/sessions`), 401],
  ["the page", () => fetch(`${server.url}/`), 200],
  ["health", () => fetch(`${server.api}/health`), 200],
  ["an unknown route", () => fetch(`${server.api}/nope`, { headers: server.auth }), 404],
  [
    "a 404 of the domain",
    () =>
      fetch(`${server.api}/sessions/00000000-0000-4000-8000-000000000000`, {
        headers: server.auth,
      }),
    404,
  ],
  [
    "a validation error",
    () =>
      fetch(`${server.api}/sessions`, {
        method: "POST",
        headers: { "content-type": "application/json", ...server.auth },
        body: "{}",
      }),
    400,
  ],
  [
    "a 413",
    () =>
      fetch(`${server.api}/sessions`, {
        method: "POST",
        headers: { "content-type": "application/json", ...server.auth },
        body: "x".repeat(1024 * 1024 + 1),
      }),
    413,
  ],
];

test.each(cases)("%s carries the security headers", async (_name, send, status) => {
  const response = await send();
  expect(response.status).toBe(status);
  const csp = response.headers.get("content-security-policy") ?? "";
  expect(csp).toContain("default-src 'self'");
  expect(csp).toContain("script-src 'self'");
  expect(csp).not.toContain("unsafe-inline");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(response.headers.get("x-frame-options")).toBe("DENY");
  expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  expect(response.headers.get("referrer-policy")).toBe("no-referrer");
});
