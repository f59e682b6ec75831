// createApp: middleware order and route mounting — the table of contents of the HTTP server.

import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import {
  createErrorHandler,
  errorResponse,
  notFoundHandler,
} from "./http/middleware/error-handler.ts";
import { securityHeaders } from "./http/middleware/security-headers.ts";
import { healthRoutes } from "./http/routes/health.ts";
import { sessionRoutes } from "./http/routes/sessions.ts";
import { webRoutes } from "./http/routes/web.ts";
import type { SocketHub } from "./http/socket-hub.ts";
import type { SessionManager } from "./sessions/manager.ts";

export interface AppDeps {
  version: string;
  bodyLimitBytes: number;
  manager: SessionManager;
  hub: SocketHub;
  logError: (error: unknown, context: string) => void;
}

export function createApp(deps: AppDeps) {
  const api = new Hono()
    .use(
      bodyLimit({
        maxSize: deps.bodyLimitBytes,
        onError: (c) => errorResponse(c, 413, "body_too_large", "request body is too large"),
      }),
    )
    .route("/", healthRoutes(deps))
    .route("/", sessionRoutes({ manager: deps.manager, hub: deps.hub, onError: deps.logError }));

  return new Hono()
    .use(securityHeaders())
    .route("/api/v1", api)
    .route("/", webRoutes())
    .onError(createErrorHandler(deps.logError))
    .notFound(notFoundHandler);
}

export type App = ReturnType<typeof createApp>;
