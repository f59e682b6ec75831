import { expect, test } from "bun:test";
import { createRateLimiter } from "./rate-limiter.ts";

const TEN_PER_MINUTE = { count: 10, perMs: 60_000 };

function manualClock(startMs = 1_000) {
  let nowMs = startMs;
  return {
    now: () => nowMs,
    advance: (ms: number) => {
      nowMs += ms;
    },
  };
}

test("allows a burst of the full count, remaining counting down 9 to 0", () => {
  const limiter = createRateLimiter({ limit: TEN_PER_MINUTE, now: manualClock().now });
  const remaining = Array.from({ length: 10 }, () => limiter.take("a"));
  expect(remaining.every((d) => d.allowed && d.limit === 10 && d.retryAfterSeconds === 0)).toBe(
    true,
  );
  expect(remaining.map((d) => d.remaining)).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
});

test("refuses the 11th take in the same instant with Retry-After 6 s", () => {
  const limiter = createRateLimiter({ limit: TEN_PER_MINUTE, now: manualClock().now });
  for (let i = 0; i < 10; i++) limiter.take("a");
  expect(limiter.take("a")).toEqual({
    allowed: false,
    limit: 10,
    remaining: 0,
    retryAfterSeconds: 6,
  });
});

test("refills one token every 6 s of the injected clock, continuously", () => {
  const clock = manualClock();
  const limiter = createRateLimiter({ limit: TEN_PER_MINUTE, now: clock.now });
  for (let i = 0; i < 10; i++) limiter.take("a");
  clock.advance(5_999);
  expect(limiter.take("a")).toMatchObject({ allowed: false, retryAfterSeconds: 1 });
  clock.advance(1);
  expect(limiter.take("a")).toMatchObject({ allowed: true, remaining: 0 });
  expect(limiter.take("a")).toMatchObject({ allowed: false, retryAfterSeconds: 6 });
  clock.advance(3_000);
  expect(limiter.take("a")).toMatchObject({ allowed: false, retryAfterSeconds: 3 });
});

test("refused takes do not consume tokens", () => {
  const clock = manualClock();
  const limiter = createRateLimiter({ limit: TEN_PER_MINUTE, now: clock.now });
  for (let i = 0; i < 50; i++) limiter.take("a");
  clock.advance(6_000);
  expect(limiter.take("a").allowed).toBe(true);
});

test("never holds more than a full bucket however long the key was idle", () => {
  const clock = manualClock();
  const limiter = createRateLimiter({ limit: TEN_PER_MINUTE, now: clock.now });
  limiter.take("a");
  clock.advance(24 * 60 * 60 * 1000);
  const allowed = Array.from({ length: 11 }, () => limiter.take("a").allowed);
  expect(allowed.filter(Boolean)).toHaveLength(10);
});

test("keeps keys independent", () => {
  const limiter = createRateLimiter({ limit: TEN_PER_MINUTE, now: manualClock().now });
  for (let i = 0; i < 10; i++) limiter.take("a");
  expect(limiter.take("a").allowed).toBe(false);
  expect(limiter.take("b")).toMatchObject({ allowed: true, remaining: 9 });
});

test("holds at most maxKeys buckets under 100 000 distinct keys", () => {
  const limiter = createRateLimiter({
    limit: TEN_PER_MINUTE,
    maxKeys: 1000,
    now: manualClock().now,
  });
  let allowed = 0;
  for (let i = 0; i < 100_000; i++) {
    if (limiter.take(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`).allowed) allowed++;
  }
  expect(allowed).toBe(100_000);
  expect(limiter.size).toBe(1000);
});

test("evicts the least recently used key, not one in active use", () => {
  const limiter = createRateLimiter({ limit: TEN_PER_MINUTE, maxKeys: 2, now: manualClock().now });
  for (let i = 0; i < 10; i++) limiter.take("busy");
  limiter.take("old");
  limiter.take("busy");
  limiter.take("new");
  expect(limiter.size).toBe(2);
  // "busy" survived the eviction, so it is still empty; "old" was evicted and starts full again.
  expect(limiter.take("busy").allowed).toBe(false);
  expect(limiter.take("old")).toMatchObject({ allowed: true, remaining: 9 });
});

test("gives an evicted key no more than a full bucket", () => {
  const limiter = createRateLimiter({ limit: TEN_PER_MINUTE, maxKeys: 1, now: manualClock().now });
  for (let i = 0; i < 5; i++) limiter.take("a");
  limiter.take("b");
  const allowed = Array.from({ length: 20 }, () => limiter.take("a").allowed);
  expect(allowed.filter(Boolean)).toHaveLength(10);
});

test("forgets buckets that have refilled completely", () => {
  const clock = manualClock();
  const limiter = createRateLimiter({ limit: TEN_PER_MINUTE, now: clock.now });
  for (let i = 0; i < 10; i++) limiter.take(`k${i}`);
  expect(limiter.size).toBe(10);
  clock.advance(6_000);
  for (let i = 0; i < 10; i++) limiter.take("fresh");
  expect(limiter.size).toBe(1);
});

test("rejects a limit that cannot allow anything", () => {
  expect(() => createRateLimiter({ limit: { count: 0, perMs: 1000 } })).toThrow(RangeError);
  expect(() => createRateLimiter({ limit: { count: 1, perMs: 0 } })).toThrow(RangeError);
  expect(() => createRateLimiter({ limit: TEN_PER_MINUTE, maxKeys: 0 })).toThrow(RangeError);
});

test("uses the monotonic clock by default", () => {
  const limiter = createRateLimiter({ limit: { count: 1, perMs: 60_000 } });
  expect(limiter.take("a").allowed).toBe(true);
  expect(limiter.take("a")).toMatchObject({ allowed: false, retryAfterSeconds: 60 });
});
