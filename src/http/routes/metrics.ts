// GET /metrics: Prometheus text format for admins (bearer token or cookie). Not under /api/v1,
// where scrapers do not look; authenticated the same way, so nothing about sessions leaks.

import { Hono } from "hono";
import type { Accounts } from "../../auth/accounts.ts";
import type { SessionsRepo } from "../../db/sessions-repo.ts";
import { AppError } from "../../errors.ts";
import type { AppEnv } from "../app-env.ts";
import { type Metrics, renderMetrics } from "../metrics.ts";
import { authenticate } from "../middleware/authenticate.ts";

export interface MetricsRoutesDeps {
  accounts: Accounts;
  metrics: Metrics;
  sessions: Pick<SessionsRepo, "countByState">;
  liveSessions: () => number;
  webSockets: () => number;
  version: string;
  commit: string;
  startedAtMs: number;
}

export function metricsRoutes(deps: MetricsRoutesDeps) {
  return new Hono<AppEnv>().get("/metrics", authenticate(deps.accounts), async (c) => {
    if (c.get("principal").user.role !== "admin") {
      throw new AppError(403, "forbidden", "only admins can read metrics");
    }
    const text = renderMetrics({
      metrics: deps.metrics,
      sessionsByState: await deps.sessions.countByState(),
      liveSessions: deps.liveSessions(),
      webSockets: deps.webSockets(),
      version: deps.version,
      commit: deps.commit,
      startedAtMs: deps.startedAtMs,
    });
    return c.text(text, 200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" });
  });
}
