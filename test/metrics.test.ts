// GET /metrics: Prometheus text for admins only, with sessions by state, stream viewers, bytes
// out and rate-limit refusals counted from real traffic.

import { afterAll, beforeAll, expect, test } from "bun:test";
import { errorOf, readResponse } from "./support/responses.ts";
import { eventually, startTestServer, type TestServer } from "./support/server.ts";
import { StreamClient, streamUrl } from "./support/ws-client.ts";

const METRICS_TOKEN = "scrape-0123456789abcdef0123456789abcdef";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({
    env: { RATE_LIMIT_SESSION_OPS: "2/min", METRICS_TOKEN },
    // Three sign-ins a minute per IP: the admin's, the viewer's, one wrong one; then 429.
    loginLimit: { count: 3, perMs: 60_000 },
  });
});
afterAll(() => server.dispose());

const metricsUrl = () => server.api.replace(/\/api\/v1$/, "/metrics");

/** The samples of the exposition, keyed by `name{labels}`. */
async function scrape(headers: Record<string, string> = server.auth): Promise<Map<string, number>> {
  const response = await fetch(metricsUrl(), { headers });
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
  const samples = new Map<string, number>();
  for (const line of (await response.text()).split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const at = line.lastIndexOf(" ");
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

test("metrics need a token, and an admin's", async () => {
  const anonymous = await fetch(metricsUrl());
  expect(anonymous.status).toBe(401);
  expect(errorOf(await readResponse(anonymous), 401).code).toBe("unauthenticated");
  const viewer = await server.createUser("metrics-viewer", "viewer");
  const refused = await fetch(metricsUrl(), {
    headers: { authorization: `Bearer ${viewer.token}` },
  });
  expect(refused.status).toBe(403);
  // The cookie works like the bearer header, as for every other route.
  const viaCookie = await fetch(metricsUrl(), { headers: { cookie: `od_token=${server.token}` } });
  expect(viaCookie.status).toBe(200);
});

test("METRICS_TOKEN reads the metrics and opens nothing else", async () => {
  const scraper = { authorization: `Bearer ${METRICS_TOKEN}` };
  const samples = await scrape(scraper);
  expect(samples.get('opendray_build_info{version="test",commit="unknown"}')).toBe(1);
  // A token of the same length that differs in its last character is refused.
  const wrong = { authorization: `Bearer ${METRICS_TOKEN.slice(0, -1)}0` };
  expect((await fetch(metricsUrl(), { headers: wrong })).status).toBe(401);
  for (const path of ["/auth/me", "/sessions", "/providers"]) {
    expect((await server.send("GET", path, undefined, scraper)).status, path).toBe(401);
  }
});

test("sessions by state, viewers and bytes out follow real sessions", async () => {
  const before = await scrape();
  expect(before.get('opendray_build_info{version="test",commit="unknown"}')).toBe(1);
  const session = await server.spawnShell("printf 'metrics-output-0123456789'; sleep 30");
  const viewer = await StreamClient.connect(streamUrl(server.api, session.id, 0), server.auth);
  await viewer.waitForText("metrics-output-0123456789");

  const during = await scrape();
  expect(during.get('opendray_sessions{state="running"}')).toBe(1);
  expect(during.get("opendray_live_sessions")).toBe(1);
  expect(during.get("opendray_stream_viewers")).toBe(1);
  expect(during.get("opendray_websockets")).toBe(1);
  expect(during.get("opendray_stream_bytes_out_total")).toBe(
    (before.get("opendray_stream_bytes_out_total") ?? 0) + viewer.byteCount,
  );

  viewer.close();
  await server.request("POST", `/sessions/${session.id}/stop`);
  const after = await eventually(async () => {
    const samples = await scrape();
    return samples.get("opendray_stream_viewers") === 0 ? samples : undefined;
  }, "viewer gone");
  expect(after.get('opendray_sessions{state="running"}')).toBe(0);
  expect(after.get('opendray_sessions{state="stopped"}')).toBe(1);
  expect(after.get("opendray_live_sessions")).toBe(0);
});

test("rate-limit refusals are counted by limiter", async () => {
  const before = await scrape();
  // Two session operations a minute: the third is refused.
  const statuses: number[] = [];
  for (let i = 0; i < 3; i++) {
    statuses.push((await server.request("POST", "/sessions/none/stop")).status);
  }
  expect(statuses.at(-1)).toBe(429);
  // The third sign-in from this IP is allowed, the fourth refused.
  await server.send("POST", "/auth/login", { username: "x", password: "wrong password!" }, {});
  const login = await server.send("POST", "/auth/login", { username: "y", password: "x" }, {});
  expect(login.status).toBe(429);

  const after = await scrape();
  const count = (samples: Map<string, number>, limiter: string) =>
    samples.get(`opendray_rate_limited_total{limiter="${limiter}"}`) ?? Number.NaN;
  expect(count(after, "session_ops") - count(before, "session_ops")).toBe(
    statuses.filter((s) => s === 429).length,
  );
  expect(count(after, "login") - count(before, "login")).toBeGreaterThanOrEqual(1);
  expect(count(after, "reads")).toBe(0);
});
