// GET /api/v1/auth/setup (public: whether first-run setup is open, nothing else) and
// GET /api/v1/fs/home (admins: the HOME sessions get, the new-session dialog's default folder).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import * as z from "zod/mini";
import { setupStateSchema } from "../src/protocol/auth.ts";
import { bodyOf, errorOf } from "./support/responses.ts";
import { startTestServer, TEST_HOME, type TestServer } from "./support/server.ts";

const homeSchema = z.object({ home: z.string() });

let fresh: TestServer;
let limited: TestServer;
beforeAll(async () => {
  [fresh, limited] = await Promise.all([
    startTestServer({ noAdmin: true }),
    startTestServer({ noAdmin: true, env: { RATE_LIMIT_READS: "3/min" } }),
  ]);
}, 60_000);
afterAll(async () => {
  await Promise.all([fresh?.dispose(), limited?.dispose()]);
});

const setupState = (server: TestServer) => server.send("GET", "/auth/setup", undefined, {});

describe("GET /auth/setup", () => {
  test("is open before the first account, closed after, and never carries the token", async () => {
    const setupToken = new URL(fresh.setupUrl ?? "").hash.slice("#token=".length);
    expect(setupToken.length).toBeGreaterThan(10);

    const before = await fresh.send("GET", "/auth/setup", undefined, {});
    expect(bodyOf(before, 200, setupStateSchema)).toEqual({ open: true });
    const raw = await fetch(`${fresh.api}/auth/setup`).then((r) => r.text());
    expect(raw).not.toContain(setupToken);

    const body = { setupToken, username: "first", password: "first admin password" };
    expect((await fresh.send("POST", "/auth/setup", body, {})).status).toBe(201);

    expect(bodyOf(await setupState(fresh), 200, setupStateSchema)).toEqual({ open: false });
  });

  test("spends the caller's anonymous read budget: past it, 429 with Retry-After", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await setupState(limited)).status);
    expect(statuses).toEqual([200, 200, 200]);
    const refused = await setupState(limited);
    expect(errorOf(refused, 429).code).toBe("rate_limited");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});

describe("GET /fs/home", () => {
  test("tells admins the HOME sessions get; viewers are refused, strangers must sign in", async () => {
    const admin = await fresh.login("first", "first admin password");
    const asAdmin = { authorization: `Bearer ${admin}` };
    const home = await fresh.send("GET", "/fs/home", undefined, asAdmin);
    expect(bodyOf(home, 200, homeSchema)).toEqual({ home: TEST_HOME });

    const created = await fresh.send(
      "POST",
      "/users",
      { username: "homeviewer", password: "first admin password", role: "viewer" },
      asAdmin,
    );
    expect(created.status).toBe(201);
    const viewer = await fresh.login("homeviewer", "first admin password");
    const refused = await fresh.send("GET", "/fs/home", undefined, {
      authorization: `Bearer ${viewer}`,
    });
    expect(errorOf(refused, 403).code).toBe("forbidden");
    expect((await fresh.send("GET", "/fs/home", undefined, {})).status).toBe(401);
  });
});
