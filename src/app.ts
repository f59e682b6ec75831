// createApp: middleware order and route mounting — the table of contents of the HTTP server.
//
//   security headers (every response) → host check (421) → /api/v1: body cap (not uploads:
//   UPLOAD_LIMIT, counted while streaming) → health → login/setup (public;
//   JSON validated, then throttled per address and name; GET /auth/setup on the anonymous budget)
//   → authenticate (anonymous budget per address) → CSRF → rate limits per user → viewers
//   read-only → routes; /answers (a one-time token is the credential) before sign-in, limited
//   per address;
//   /metrics: read limit per address → authenticate → admins only; then the web UI

import type { Context } from "hono";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Accounts } from "./auth/accounts.ts";
import type { Config, RateLimit } from "./config.ts";
import type { AuditRepo } from "./db/audit-repo.ts";
import type { SessionsRepo } from "./db/sessions-repo.ts";
import type { UsersRepo } from "./db/users-repo.ts";
import type { AppEnv } from "./http/app-env.ts";
import { clientIp } from "./http/client-ip.ts";
import { createLoginThrottle, LOGIN_LIMITS } from "./http/login-throttle.ts";
import type { Metrics, RateLimitKind } from "./http/metrics.ts";
import { createAudit } from "./http/middleware/audit.ts";
import { adminForWrites, authenticate, csrfGuard } from "./http/middleware/authenticate.ts";
import {
  createErrorHandler,
  errorResponse,
  notFoundHandler,
} from "./http/middleware/error-handler.ts";
import { hostCheck } from "./http/middleware/host-check.ts";
import { rateLimit, rateLimited } from "./http/middleware/rate-limit.ts";
import { securityHeaders } from "./http/middleware/security-headers.ts";
import type { OriginPolicy } from "./http/origin.ts";
import { createRateLimiter } from "./http/rate-limiter.ts";
import { authRoutes, publicAuthRoutes } from "./http/routes/auth.ts";
import { fsRoutes } from "./http/routes/fs.ts";
import { healthRoutes } from "./http/routes/health.ts";
import { metricsRoutes } from "./http/routes/metrics.ts";
import { providerRoutes } from "./http/routes/providers.ts";
import {
  type AnswerRoutesDeps,
  answerRoutes,
  type PushRoutesDeps,
  pushRoutes,
} from "./http/routes/push.ts";
import { sessionRoutes } from "./http/routes/sessions.ts";
import { isUploadRequest, uploadRoutes } from "./http/routes/uploads.ts";
import { webRoutes } from "./http/routes/web.ts";
import type { SocketHub } from "./http/socket-hub.ts";
import { loadWebBundle, type WebAsset } from "./http/web-bundle.ts";
import type { ProviderCatalog } from "./providers/catalog.ts";
import type { SessionManager } from "./sessions/manager.ts";

export interface AppDeps {
  version: string;
  /** Commit the binary was built from ("unknown" from source); shown by GET /metrics. */
  commit: string;
  /** Counters for GET /metrics, updated by the rate limits and the terminal streams. */
  metrics: Metrics;
  sessions: Pick<SessionsRepo, "countByState">;
  startedAtMs: number;
  config: Pick<
    Config,
    | "bodyLimitBytes"
    | "trustProxy"
    | "allowedOrigins"
    | "rateLimitReads"
    | "rateLimitSessionOps"
    | "rateLimitUploads"
    | "uploadLimitBytes"
    | "metricsToken"
    | "listen"
    | "allowedHosts"
  >;
  manager: SessionManager;
  providers: ProviderCatalog;
  accounts: Accounts;
  users: UsersRepo;
  audits: AuditRepo;
  hub: SocketHub;
  setupToken: () => string | null;
  /** The HOME sessions get: where the new-session dialog starts. */
  home: string;
  /** One limit for every budget of password attempts (tests); default LOGIN_LIMITS. */
  loginLimit?: RateLimit | undefined;
  onSetupDone: () => void;
  logError: (error: unknown, context: string) => void;
  /** Web Push: the users' devices and settings, the server's VAPID keys, the endpoint rules. */
  push: PushRoutesDeps;
  /** One-time answer tokens (notifications, chat buttons) and where spent ones are kept. */
  answers: Pick<AnswerRoutesDeps, "tokens" | "spent">;
  /** The browser UI's files (default: built from web/, or embedded in the executable). */
  loadWeb?: (() => Promise<WebAsset[]>) | undefined;
}

const isRead = (c: Context) => c.req.method === "GET" || c.req.method === "HEAD";

export function createApp(deps: AppDeps) {
  const { config } = deps;
  const policy: OriginPolicy = {
    trustProxy: config.trustProxy,
    allowedOrigins: config.allowedOrigins,
  };
  const ipKey = (c: Context) => rateKey(clientIp(c, { trustProxy: config.trustProxy }));
  const userKey = (c: Context<AppEnv>) => c.get("principal").user.id;
  const count = (kind: RateLimitKind) => () => {
    deps.metrics.rateLimited[kind]++;
  };
  // Signed-in traffic is limited per user, after authentication; requests without valid
  // credentials share one budget per address, so that nobody can spend a user's.
  const limitReads = rateLimit({
    limiter: createRateLimiter({ limit: config.rateLimitReads }),
    key: userKey,
    onLimited: count("reads"),
  });
  const limitSessionOps = rateLimit({
    limiter: createRateLimiter({ limit: config.rateLimitSessionOps }),
    key: userKey,
    onLimited: count("session_ops"),
  });
  const limitUploads = rateLimit({
    limiter: createRateLimiter({ limit: config.rateLimitUploads }),
    key: userKey,
    onLimited: count("session_ops"),
  });
  const anonymous = createRateLimiter({ limit: config.rateLimitReads });
  const limitAnonymous = (c: Context) => {
    const decision = anonymous.take(ipKey(c));
    if (decision.allowed) return;
    count("reads")();
    throw rateLimited(decision);
  };
  const limitMetricsReads = rateLimit({
    limiter: createRateLimiter({ limit: config.rateLimitReads }),
    key: ipKey,
    onLimited: count("reads"),
  });
  const loginLimit = deps.loginLimit;
  const throttle = createLoginThrottle({
    limits: loginLimit
      ? { perAddressAndName: loginLimit, perAddress: loginLimit, perName: loginLimit }
      : LOGIN_LIMITS,
    address: ipKey,
    onLimited: count("login"),
  });
  const audit = createAudit({
    repo: deps.audits,
    trustProxy: config.trustProxy,
    onError: deps.logError,
  });
  const authDeps = {
    ...deps,
    policy,
    audit,
    throttle,
    limitAnonymous,
    recheckSockets: () => deps.hub.recheckTokens(),
  };

  const capBody = bodyLimit({
    maxSize: config.bodyLimitBytes,
    onError: (c) => errorResponse(c, 413, "body_too_large", "request body is too large"),
  });
  const api = new Hono<AppEnv>()
    .use((c, next) => (isUploadRequest(c) ? next() : capBody(c, next)))
    .route("/", healthRoutes(deps))
    .route("/", publicAuthRoutes(authDeps))
    // The token is the credential: limited as anonymous requests are.
    .use("/answers", async (c, next) => {
      limitAnonymous(c);
      await next();
    })
    .route("/", answerRoutes({ ...deps.answers, users: deps.users, manager: deps.manager, audit }))
    .use(authenticate(deps.accounts, { onAnonymous: limitAnonymous, policy }))
    .use(csrfGuard(policy, isUploadRequest))
    .use("*", async (c, next) => {
      if (isRead(c)) return limitReads(c, next);
      if (isUploadRequest(c)) return limitUploads(c, next);
      if (c.req.path.includes("/sessions")) return limitSessionOps(c, next);
      await next();
    })
    .use(
      adminForWrites([
        "/api/v1/auth/logout",
        "/api/v1/auth/password",
        // Each user's own devices and notification settings.
        "/api/v1/push/subscriptions",
        "/api/v1/push/subscriptions/*",
        "/api/v1/notifications/settings",
      ]),
    )
    .route("/", authRoutes(authDeps))
    .route("/", pushRoutes(deps.push))
    .route("/", providerRoutes({ providers: deps.providers, audit }))
    .route("/", fsRoutes({ home: deps.home }))
    .route("/", uploadRoutes({ manager: deps.manager, audit, limitBytes: config.uploadLimitBytes }))
    .route(
      "/",
      sessionRoutes({
        manager: deps.manager,
        hub: deps.hub,
        policy,
        audit,
        metrics: deps.metrics,
        onError: deps.logError,
      }),
    );

  return new Hono<AppEnv>()
    .use(securityHeaders())
    .use(hostCheck({ listenHost: config.listen.host, allowedHosts: config.allowedHosts }))
    .route("/api/v1", api)
    .use("/metrics", limitMetricsReads)
    .route(
      "/",
      metricsRoutes({
        accounts: deps.accounts,
        metricsToken: config.metricsToken,
        metrics: deps.metrics,
        sessions: deps.sessions,
        liveSessions: () => deps.manager.liveCount,
        outputBytesHeld: () => deps.manager.outputBytesHeld,
        webSockets: () => deps.hub.size,
        version: deps.version,
        commit: deps.commit,
        startedAtMs: deps.startedAtMs,
      }),
    )
    .route("/", webRoutes({ load: deps.loadWeb ?? loadWebBundle }))
    .onError(createErrorHandler(deps.logError))
    .notFound(notFoundHandler);
}

/** One bucket per IPv4 address, and per /64 for IPv6 (one client usually holds a whole /64). */
function rateKey(ip: string): string {
  if (!ip.includes(":")) return ip;
  const groups = expandIPv6(ip);
  return groups ? `${groups.slice(0, 4).join(":")}::/64` : ip;
}

function expandIPv6(ip: string): string[] | undefined {
  const [head = "", tail] = ip.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const missing = 8 - left.length - right.length;
  if (missing < 0 || (tail === undefined && missing !== 0)) return undefined;
  return [...left, ...Array(missing).fill("0"), ...right];
}

export type App = ReturnType<typeof createApp>;
