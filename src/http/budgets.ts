// Every request budget of the HTTP server, built once from the configuration: the signed-in
// user's (reads, session operations: `limit`, which route modules declare; uploads), one per address for
// requests without valid credentials and for scrapers of /metrics, and the password attempts.
// Each refusal is counted in the metrics under its kind.

import type { Context } from "hono";
import type { Config, RateLimit } from "../config.ts";
import type { AppEnv } from "./app-env.ts";
import { addressBucket, clientIp } from "./client-ip.ts";
import { createLoginThrottle, LOGIN_LIMITS } from "./login-throttle.ts";
import type { Metrics } from "./metrics.ts";
import { rateLimit, rateLimited } from "./middleware/rate-limit.ts";
import { createRateLimiter } from "./rate-limiter.ts";
import { createRouteLimits } from "./route-limits.ts";

export interface BudgetsOptions {
  config: Pick<
    Config,
    "trustProxy" | "rateLimitReads" | "rateLimitSessionOps" | "rateLimitUploads"
  >;
  metrics: Metrics;
  /** One limit for every budget of password attempts (tests); default LOGIN_LIMITS. */
  loginLimit?: RateLimit | undefined;
}

export function createBudgets({ config, metrics, loginLimit }: BudgetsOptions) {
  const address = (c: Context) => addressBucket(clientIp(c, { trustProxy: config.trustProxy }));
  // Requests without valid credentials share one budget per address, so that nobody can spend
  // a user's.
  const anonymous = createRateLimiter({ limit: config.rateLimitReads });
  return {
    /** The signed-in user's budgets, per route: `limit("reads")`, `limit("session_ops")`. */
    limit: createRouteLimits({
      limiters: {
        reads: createRateLimiter({ limit: config.rateLimitReads }),
        session_ops: createRateLimiter({ limit: config.rateLimitSessionOps }),
      },
      onLimited: (kind) => metrics.rateLimited[kind]++,
    }),

    /** Middleware spending one of the signed-in user's uploads (counted as a session operation). */
    limitUploads: rateLimit({
      limiter: createRateLimiter({ limit: config.rateLimitUploads }),
      key: (c: Context<AppEnv>) => c.get("principal").user.id,
      onLimited: () => metrics.rateLimited.session_ops++,
    }),

    /** Spends one request of the caller's anonymous budget (per address); throws 429 past it. */
    limitAnonymous(c: Context): void {
      const decision = anonymous.take(address(c));
      if (decision.allowed) return;
      metrics.rateLimited.reads++;
      throw rateLimited(decision);
    },

    /** Middleware spending one read of the caller's address (GET /metrics: scrapers have no user). */
    limitAddressReads: rateLimit({
      limiter: createRateLimiter({ limit: config.rateLimitReads }),
      key: address,
      onLimited: () => metrics.rateLimited.reads++,
    }),

    /** Password attempts: sign-in, setup, password change. */
    throttle: createLoginThrottle({
      limits: loginLimit
        ? { perAddressAndName: loginLimit, perAddress: loginLimit, perName: loginLimit }
        : LOGIN_LIMITS,
      address,
      onLimited: () => metrics.rateLimited.login++,
    }),
  };
}
