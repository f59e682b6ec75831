// GET /metrics: Prometheus text format for admins (bearer token or cookie), or for the static
// METRICS_TOKEN, which opens nothing else. Not under /api/v1, where scrapers do not look;
// authenticated the same way, so nothing about sessions leaks.

import { type Context, Hono, type MiddlewareHandler } from "hono";
import type { Accounts } from "../../auth/accounts.ts";
import { secretEqual } from "../../auth/secret-equal.ts";
import type { SessionsRepo } from "../../db/sessions-repo.ts";
import type { AppEnv } from "../app-env.ts";
import { type Metrics, renderMetrics } from "../metrics.ts";
import { adminOnly } from "../middleware/admin-only.ts";
import { authenticate, bearerToken } from "../middleware/authenticate.ts";

export interface MetricsRoutesDeps {
  accounts: Accounts;
  /** Spends one read of the caller's address, before anything else (scrapers have no user). */
  limit: MiddlewareHandler;
  /** METRICS_TOKEN, or null when only admins may scrape. */
  metricsToken: string | null;
  metrics: Metrics;
  sessions: Pick<SessionsRepo, "countByState">;
  liveSessions: () => number;
  outputBytesHeld: () => number;
  webSockets: () => number;
  version: string;
  commit: string;
  startedAtMs: number;
}

export function metricsRoutes(deps: MetricsRoutesDeps) {
  /** Whether the request carries METRICS_TOKEN as its bearer token. */
  const hasScrapeToken = (c: Context<AppEnv>) => {
    const given = bearerToken(c.req.header("authorization"));
    return (
      deps.metricsToken !== null && given !== undefined && secretEqual(given, deps.metricsToken)
    );
  };
  const render = async (c: Context<AppEnv>) => {
    const text = renderMetrics({
      metrics: deps.metrics,
      sessionsByState: await deps.sessions.countByState(),
      liveSessions: deps.liveSessions(),
      outputBytesHeld: deps.outputBytesHeld(),
      webSockets: deps.webSockets(),
      version: deps.version,
      commit: deps.commit,
      startedAtMs: deps.startedAtMs,
    });
    return c.text(text, 200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" });
  };
  return new Hono<AppEnv>()
    .use("/metrics", deps.limit)
    .get(
      "/metrics",
      async (c, next) => (hasScrapeToken(c) ? render(c) : next()),
      authenticate(deps.accounts),
      adminOnly("read metrics"),
      render,
    );
}
