// The per-user budgets of signed-in requests, as middleware that route modules declare beside
// their routes: `limit("reads")` where they read, `limit("session_ops")` where they change a
// session. Requests without valid credentials never get here (authenticate limits them per address).

import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "./app-env.ts";
import type { RateLimitKind } from "./metrics.ts";
import { rateLimit } from "./middleware/rate-limit.ts";
import type { RateLimiter } from "./rate-limiter.ts";

/** The budgets a route can draw from: reads (GET, HEAD) and session operations (the rest). */
export type RouteLimitKind = Extract<RateLimitKind, "reads" | "session_ops">;

/**
 * Middleware spending one request of the signed-in user's `kind` budget: "reads" charges GET
 * and HEAD, "session_ops" every other method; a request of the other sort passes uncharged, so
 * a route group can declare both.
 */
export type Limit = (kind: RouteLimitKind) => MiddlewareHandler<AppEnv>;

export interface RouteLimitsOptions {
  limiters: Record<RouteLimitKind, RateLimiter>;
  /** Called once per refused request (metrics). */
  onLimited: (kind: RouteLimitKind) => void;
}

const isRead = (c: Context) => c.req.method === "GET" || c.req.method === "HEAD";

/** The `limit` route modules receive; one middleware per kind, shared by every route. */
export function createRouteLimits({ limiters, onLimited }: RouteLimitsOptions): Limit {
  const byKind = (kind: RouteLimitKind): MiddlewareHandler<AppEnv> => {
    const limited = rateLimit({
      limiter: limiters[kind],
      key: (c: Context<AppEnv>) => c.get("principal").user.id,
      onLimited: () => onLimited(kind),
    });
    const charged = kind === "reads" ? isRead : (c: Context) => !isRead(c);
    return async function limitUser(c, next) {
      if (!charged(c)) return next();
      return limited(c, next);
    };
  };
  const middleware = { reads: byKind("reads"), session_ops: byKind("session_ops") };
  return (kind) => middleware[kind];
}
