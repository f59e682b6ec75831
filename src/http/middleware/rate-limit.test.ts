import { expect, test } from "bun:test";
import { type Context, Hono } from "hono";
import { AppError } from "../../errors.ts";
import { createRateLimiter } from "../rate-limiter.ts";
import { createErrorHandler } from "./error-handler.ts";
import { rateLimit } from "./rate-limit.ts";

function appWith(count: number, onLimited?: (key: string) => void) {
  let nowMs = 0;
  const limiter = createRateLimiter({ limit: { count, perMs: 60_000 }, now: () => nowMs });
  const key = (c: Context) => c.req.header("x-key") ?? "anonymous";
  const app = new Hono()
    .use(rateLimit({ limiter, key, onLimited: onLimited && ((c) => onLimited(key(c))) }))
    .get("/ok", (c) => c.json({ ok: true }))
    .get("/raw", () => new Response("raw"))
    .get("/fails", () => {
      throw new AppError(409, "busy", "busy");
    })
    .onError(createErrorHandler(() => {}));
  const get = (path: string, key = "a") => app.request(path, { headers: { "x-key": key } });
  return { get, advance: (ms: number) => (nowMs += ms) };
}

test("sets X-RateLimit-Limit and a falling X-RateLimit-Remaining on allowed responses", async () => {
  const { get } = appWith(10);
  const remaining: (string | null)[] = [];
  for (let i = 0; i < 10; i++) {
    const res = await get("/ok");
    expect(res.status).toBe(200);
    expect(res.headers.get("X-RateLimit-Limit")).toBe("10");
    remaining.push(res.headers.get("X-RateLimit-Remaining"));
  }
  expect(remaining).toEqual(["9", "8", "7", "6", "5", "4", "3", "2", "1", "0"]);
});

test("refuses the 11th request with 429 rate_limited, Retry-After 6 and the limit headers", async () => {
  const { get } = appWith(10);
  for (let i = 0; i < 10; i++) await get("/ok");
  const res = await get("/ok");
  expect(res.status).toBe(429);
  expect(res.headers.get("Retry-After")).toBe("6");
  expect(res.headers.get("X-RateLimit-Limit")).toBe("10");
  expect(res.headers.get("X-RateLimit-Remaining")).toBe("0");
  expect(res.headers.get("Content-Type")).toStartWith("application/json");
  const body = (await res.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe("rate_limited");
  expect(body.error.message).toContain("6 s");
});

test("lets one more request through after 6 s", async () => {
  const { get, advance } = appWith(10);
  for (let i = 0; i < 11; i++) await get("/ok");
  advance(6_000);
  const res = await get("/ok");
  expect(res.status).toBe(200);
  expect(res.headers.get("X-RateLimit-Remaining")).toBe("0");
  expect((await get("/ok")).status).toBe(429);
});

test("limits each key on its own", async () => {
  const { get } = appWith(1);
  expect((await get("/ok", "a")).status).toBe(200);
  expect((await get("/ok", "a")).status).toBe(429);
  expect((await get("/ok", "b")).status).toBe(200);
});

test("calls onLimited once per refused request, never for allowed ones", async () => {
  const limited: string[] = [];
  const { get } = appWith(1, (key) => limited.push(key));
  await get("/ok", "a");
  expect(limited).toEqual([]);
  await get("/ok", "a");
  await get("/ok", "a");
  expect(limited).toEqual(["a", "a"]);
});

test("keeps the headers on a raw Response and on an error rendered by onError", async () => {
  const { get } = appWith(10);
  const raw = await get("/raw");
  expect(await raw.text()).toBe("raw");
  expect(raw.headers.get("X-RateLimit-Remaining")).toBe("9");
  const failed = await get("/fails");
  expect(failed.status).toBe(409);
  expect(failed.headers.get("X-RateLimit-Limit")).toBe("10");
  expect(failed.headers.get("X-RateLimit-Remaining")).toBe("8");
});
