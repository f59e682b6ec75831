// The who-am-I check at load: only a 401 signs out; anything else is tried again, after the
// server's Retry-After or the back-off, saying why meanwhile.
import { expect, test } from "bun:test";
import { signal } from "@preact/signals";
import type { User } from "../../../src/protocol/auth.ts";
import { type ApiClient, ApiError } from "../api/http.ts";
import { createAuthStore } from "./auth.ts";
import type { Route, Router } from "./router.ts";

const USER = { id: "u1", username: "ann", role: "admin" } as User;

/** A store whose /auth/me gives `answers` in turn; the waits it asked for, and where it went. */
function store(answers: (User | Error)[]) {
  const waits: number[] = [];
  const went: string[] = [];
  const notices: (string | null)[] = [];
  const api = {
    me: async () => {
      const answer = answers.shift();
      if (!answer || answer instanceof Error) throw answer ?? new Error("no more answers");
      return answer;
    },
  } as unknown as ApiClient;
  const router = {
    route: signal<Route>({ page: "sessions", sessionId: "s1", find: null }),
    here: () => "/s/s1",
    navigate: (path: string) => went.push(path),
  } as unknown as Router;
  const auth = createAuthStore(api, router, {
    wait: async (ms) => {
      waits.push(ms);
      notices.push(auth.retrying.value);
    },
  });
  return { auth, waits, went, notices };
}

test("a 429, a 5xx and a network failure are retried until the user comes back", async () => {
  const { auth, waits, went, notices } = store([
    new ApiError(429, "rate_limited", "too many requests", 7000),
    new ApiError(503, "unavailable", "down"),
    new TypeError("Failed to fetch"),
    USER,
  ]);
  await auth.init();
  expect(auth.user.value).toEqual(USER);
  expect(auth.retrying.value).toBeNull();
  expect(went).toEqual([]);
  // Retry-After (7 s) beats the first back-off step (1 s); then 2 s, 4 s.
  expect(waits).toEqual([7000, 2000, 4000]);
  expect(notices).toEqual([
    "The server is busy, retrying…",
    "Can't reach the server, retrying…",
    "Can't reach the server, retrying…",
  ]);
});

test("only a 401 signs out, to the sign-in page with the way back", async () => {
  const { auth, waits, went } = store([new ApiError(401, "invalid_token", "expired")]);
  await auth.init();
  expect(auth.user.value).toBeNull();
  expect(waits).toEqual([]);
  expect(went).toEqual(["/login?next=%2Fs%2Fs1"]);
});

test("the back-off stops growing at 30 s, and a huge Retry-After is capped at a minute", async () => {
  const failures = Array.from({ length: 7 }, () => new ApiError(502, "bad_gateway", "proxy"));
  const { auth, waits } = store([...failures, new ApiError(429, "x", "y", 3_600_000), USER]);
  await auth.init();
  expect(waits).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 60_000]);
});
