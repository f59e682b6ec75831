// createApp: middleware order and route mounting — the table of contents of the HTTP server.
//
//   security headers (every response) → host check (421) → /api/v1: body cap (not uploads:
//   UPLOAD_LIMIT, counted while streaming) → health → login/setup (public;
//   JSON validated, then throttled per address and name; GET /auth/setup on the anonymous budget)
//   → /answers and /share (a token is the credential; anonymous budget) → authenticate (anonymous
//   budget per address) → CSRF → viewers read-only → routes, each declaring the budget its
//   requests spend per user (`limit("reads")`, `limit("session_ops")`);
//   /metrics: read limit per address → authenticate → admins only; then the web UI

import type { Context } from "hono";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { createAuditReader } from "./audit/audit-reader.ts";
import type { Accounts } from "./auth/accounts.ts";
import { createUsersService } from "./auth/users-service.ts";
import type { Actor } from "./cause.ts";
import type { Config, RateLimit } from "./config.ts";
import type { AuditRepo } from "./db/audit-repo.ts";
import type { OutputTextRepo } from "./db/output-text-repo.ts";
import type { SessionsRepo } from "./db/sessions-repo.ts";
import type { UsersRepo } from "./db/users-repo.ts";
import type { AppEnv } from "./http/app-env.ts";
import { createBudgets } from "./http/budgets.ts";
import { clientIp } from "./http/client-ip.ts";
import type { Metrics } from "./http/metrics.ts";
import { createAudit } from "./http/middleware/audit.ts";
import { adminForWrites, authenticate, csrfGuard } from "./http/middleware/authenticate.ts";
import {
  createErrorHandler,
  errorResponse,
  notFoundHandler,
} from "./http/middleware/error-handler.ts";
import { hostCheck } from "./http/middleware/host-check.ts";
import { securityHeaders } from "./http/middleware/security-headers.ts";
import type { OriginPolicy } from "./http/origin.ts";
import { auditRoutes } from "./http/routes/audit.ts";
import { authRoutes, publicAuthRoutes } from "./http/routes/auth.ts";
import { changeRoutes } from "./http/routes/changes.ts";
import { fileRoutes } from "./http/routes/files.ts";
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
import { searchRoutes } from "./http/routes/search.ts";
import { sessionRoutes } from "./http/routes/sessions.ts";
import { publicShareRoutes, shareRoutes } from "./http/routes/shares.ts";
import { isUploadRequest, uploadRoutes } from "./http/routes/uploads.ts";
import { usersRoutes } from "./http/routes/users.ts";
import { webRoutes } from "./http/routes/web.ts";
import type { SocketHub } from "./http/socket-hub.ts";
import { loadWebBundle, type WebAsset } from "./http/web-bundle.ts";
import type { ProviderCatalog } from "./providers/catalog.ts";
import type { SessionManager } from "./sessions/manager.ts";
import type { ShareLinks } from "./shares/share-links.ts";

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
    | "archiveLimitBytes"
    | "metricsToken"
    | "listen"
    | "allowedHosts"
  >;
  manager: SessionManager;
  /** Read-only links to sessions for people without an account. */
  shares: ShareLinks;
  /** Sessions' indexed output text, for GET /search. */
  outputText: OutputTextRepo;
  providers: ProviderCatalog;
  accounts: Accounts;
  users: UsersRepo;
  audits: AuditRepo;
  /** Resolves when the audit rows of the session actions done so far are written. */
  auditRecorded?: () => Promise<void>;
  hub: SocketHub;
  setupToken: () => string | null;
  /** The HOME sessions get: where the new-session dialog starts. */
  home: string;
  /** The environment git runs with for the Changes view (PATH finds git). */
  gitEnv: Record<string, string>;
  /** One limit for every budget of password attempts (tests); default LOGIN_LIMITS. */
  loginLimit?: RateLimit | undefined;
  onSetupDone: () => void;
  logError: (error: unknown, context: string) => void;
  /** Web Push: the users' devices and settings, the server's VAPID keys, the endpoint rules. */
  push: Omit<PushRoutesDeps, "limit">;
  /** One-time answer tokens (notifications, chat buttons) and where spent ones are kept. */
  answers: Pick<AnswerRoutesDeps, "tokens" | "spent">;
  /** The browser UI's files (default: built from web/, or embedded in the executable). */
  loadWeb?: (() => Promise<WebAsset[]>) | undefined;
}

export function createApp(deps: AppDeps) {
  const { config } = deps;
  const policy: OriginPolicy = {
    trustProxy: config.trustProxy,
    allowedOrigins: config.allowedOrigins,
  };
  const { limit, limitAnonymous, limitAddressReads, limitUploads, throttle } = createBudgets(deps);
  const audit = createAudit({
    repo: deps.audits,
    trustProxy: config.trustProxy,
    onError: deps.logError,
    ...(deps.auditRecorded ? { recorded: deps.auditRecorded } : {}),
  });
  /** The signed-in requester, as the actor the domain's audited actions name. */
  const actorOf = (c: Context<AppEnv>): Actor => ({
    username: c.get("principal").user.username,
    address: clientIp(c, { trustProxy: config.trustProxy }),
  });
  const authDeps = {
    ...deps,
    actorOf,
    addressOf: (c: Context<AppEnv>) => clientIp(c, { trustProxy: config.trustProxy }),
    policy,
    audit,
    throttle,
    limitAnonymous,
    limit,
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
    .route(
      "/",
      answerRoutes({
        ...deps.answers,
        users: deps.users,
        manager: deps.manager,
        audit,
        addressOf: (c) => clientIp(c, { trustProxy: config.trustProxy }),
      }),
    )
    // A share link's token is the credential: on the anonymous budget, before authentication.
    .route(
      "/",
      publicShareRoutes({
        manager: deps.manager,
        shares: deps.shares,
        hub: deps.hub,
        policy,
        metrics: deps.metrics,
        addressOf: authDeps.addressOf,
        limitAnonymous,
        onError: deps.logError,
      }),
    )
    .use(authenticate(deps.accounts, { onAnonymous: limitAnonymous, policy }))
    .use(csrfGuard(policy, isUploadRequest))
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
    .route(
      "/",
      usersRoutes({
        users: createUsersService({ accounts: deps.accounts, users: deps.users }),
        audit,
        limit,
        actorOf,
        recheckSockets: authDeps.recheckSockets,
      }),
    )
    .route("/", auditRoutes({ log: createAuditReader(deps.audits), limit }))
    .route("/", pushRoutes({ ...deps.push, limit }))
    .route("/", providerRoutes({ providers: deps.providers, audit, limit, actorOf }))
    .route("/", fsRoutes({ home: deps.home, limit }))
    .route("/", searchRoutes({ repo: deps.outputText, limit }))
    .route(
      "/",
      fileRoutes({
        manager: deps.manager,
        audit,
        limit,
        archiveLimitBytes: config.archiveLimitBytes,
      }),
    )
    .route("/", changeRoutes({ manager: deps.manager, limit, gitEnv: deps.gitEnv }))
    // Before the sessions' routes, whose budgets an upload does not spend.
    .route(
      "/",
      uploadRoutes({
        manager: deps.manager,
        audit,
        limitBytes: config.uploadLimitBytes,
        limitUploads,
      }),
    )
    .route(
      "/",
      sessionRoutes({
        manager: deps.manager,
        hub: deps.hub,
        policy,
        audit,
        actorOf,
        metrics: deps.metrics,
        onError: deps.logError,
        limit,
      }),
    )
    // After the session routes: their /sessions/* budgets and id check apply here too.
    .route("/", shareRoutes({ manager: deps.manager, shares: deps.shares, audit, actorOf }))
    // What no route answers spends a read all the same: its 404 carries the budget's headers.
    .use(limit("reads"));

  return new Hono<AppEnv>()
    .use(securityHeaders())
    .use(hostCheck({ listenHost: config.listen.host, allowedHosts: config.allowedHosts }))
    .route("/api/v1", api)
    .route(
      "/",
      metricsRoutes({
        accounts: deps.accounts,
        limit: limitAddressReads,
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

export type App = ReturnType<typeof createApp>;
