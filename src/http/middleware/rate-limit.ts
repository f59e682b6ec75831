// Rate-limit middleware: one token per request from the caller's bucket; X-RateLimit-* headers on
// every response it lets through, 429 rate_limited with Retry-After when the bucket is empty.

import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { AppError } from "../../errors.ts";
import type { RateDecision, RateLimiter } from "../rate-limiter.ts";

/** Options of `rateLimit`. */
export interface RateLimitOptions {
  limiter: RateLimiter;
  /** The bucket a request draws from, usually its client IP. */
  key: (c: Context) => string | Promise<string>;
  /** Called once per refused request, before the 429 is sent (metrics, audit). */
  onLimited?: (c: Context) => void;
}

/** Middleware drawing one token per request from `limiter[key(c)]`; refuses with 429 when empty. */
export function rateLimit({ limiter, key, onLimited }: RateLimitOptions) {
  return createMiddleware(async function limitRate(c, next) {
    const decision = limiter.take(await key(c));
    const limit = String(decision.limit);
    if (!decision.allowed) {
      onLimited?.(c);
      throw rateLimited(decision);
    }
    await next();
    // Set after the handler so that the headers survive whatever response it (or onError) built.
    c.header("X-RateLimit-Limit", limit);
    c.header("X-RateLimit-Remaining", String(decision.remaining));
  });
}

/** The 429 of a refused `decision`, with Retry-After and the limit headers, to throw. */
export function rateLimited(decision: RateDecision): AppError {
  const retryAfter = String(decision.retryAfterSeconds);
  return new AppError(429, "rate_limited", `too many requests; retry in ${retryAfter} s`, {
    "Retry-After": retryAfter,
    "X-RateLimit-Limit": String(decision.limit),
    "X-RateLimit-Remaining": "0",
  });
}
