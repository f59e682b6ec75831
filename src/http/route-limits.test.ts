import { expect, test } from "bun:test";
import { Hono } from "hono";
import type { AppEnv } from "./app-env.ts";
import { createErrorHandler } from "./middleware/error-handler.ts";
import { createRateLimiter } from "./rate-limiter.ts";
import { createRouteLimits, type RouteLimitKind } from "./route-limits.ts";

/** A group charging both kinds, one charging reads only, and a user "u1" signed in. */
function appWith() {
  const limited: RouteLimitKind[] = [];
  const limit = createRouteLimits({
    limiters: {
      reads: createRateLimiter({ limit: { count: 2, perMs: 60_000 } }),
      session_ops: createRateLimiter({ limit: { count: 1, perMs: 60_000 } }),
    },
    onLimited: (kind) => limited.push(kind),
  });
  const app = new Hono<AppEnv>()
    .use(async (c, next) => {
      const id = c.req.header("x-user") ?? "u1";
      c.set("principal", { user: { id } } as AppEnv["Variables"]["principal"]);
      await next();
    })
    .use("/things/*", limit("reads"), limit("session_ops"))
    .use("/notes/*", limit("reads"))
    .all("*", (c) => c.body(null, 204))
    .onError(createErrorHandler(() => {}));
  const send = (method: string, path: string, user = "u1") =>
    app.request(path, { method, headers: { "x-user": user } });
  return { send, limited };
}

test.each([
  ["GET", "2"],
  ["HEAD", "2"],
  ["POST", "1"],
  ["DELETE", "1"],
])("a %s to a group declaring both budgets draws from the limit of %s", async (method, limit) => {
  const { send } = appWith();
  const res = await send(method, "/things/1");
  expect(res.headers.get("X-RateLimit-Limit")).toBe(limit);
});

test("a write to a group declaring only reads spends nothing", async () => {
  const { send } = appWith();
  for (let i = 0; i < 5; i++) {
    const res = await send("POST", "/notes/1");
    expect(res.status).toBe(204);
    expect(res.headers.get("X-RateLimit-Limit")).toBeNull();
  }
});

test("each user has budgets of their own, and a refusal is reported with its kind", async () => {
  const { send, limited } = appWith();
  expect((await send("POST", "/things")).status).toBe(204);
  expect((await send("POST", "/things")).status).toBe(429);
  expect((await send("POST", "/things", "u2")).status).toBe(204);
  // Reads are a budget apart from session operations.
  expect((await send("GET", "/things")).status).toBe(204);
  expect(limited).toEqual(["session_ops"]);
});
