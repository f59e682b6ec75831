// startServer: config → data dir → database → migrations → sessions → app → listen, and the
// one shutdown path that undoes it. Used by main.ts and by the tests (on port 0).

import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { createApp } from "./app.ts";
import { createActionTokens } from "./attention/action-tokens.ts";
import {
  type HookServer,
  type HookServerOptions,
  hookKey,
  hookToken,
  startHookServer,
} from "./attention/hook-channel.ts";
import { createNotifier } from "./attention/notifier.ts";
import { createAuditRecorder } from "./audit/recorder.ts";
import { createAccounts } from "./auth/accounts.ts";
import { loadSigningKey } from "./auth/signing-key.ts";
import { createTokenService } from "./auth/tokens.ts";
import type { Config, RateLimit } from "./config.ts";
import { acquireDataDir } from "./data-dir.ts";
import { createAuditRepo } from "./db/audit-repo.ts";
import { type Database, openDatabase } from "./db/client.ts";
import { migrateDatabase } from "./db/migrate.ts";
import { createOutputTextRepo } from "./db/output-text-repo.ts";
import { createProviderSettingsRepo } from "./db/provider-settings-repo.ts";
import { createPushRepo } from "./db/push-repo.ts";
import { createRevokedTokensRepo } from "./db/revoked-tokens-repo.ts";
import { createSessionsRepo } from "./db/sessions-repo.ts";
import { createShareLinksRepo } from "./db/share-links-repo.ts";
import { createUsersRepo } from "./db/users-repo.ts";
import { AppError } from "./errors.ts";
import { createMetrics } from "./http/metrics.ts";
import { createSocketHub } from "./http/socket-hub.ts";
import { createErrorReporter, type Logger } from "./log.ts";
import { CloseCode } from "./protocol/stream.ts";
import { createProviderCatalog } from "./providers/catalog.ts";
import { createSecretBox, loadSecretsKey } from "./providers/secret-box.ts";
import { createHostLink } from "./pty-host/link.ts";
import { createPushChannel } from "./push/push-channel.ts";
import { createPushSender } from "./push/sender.ts";
import { loadVapidKeys } from "./push/vapid.ts";
import { createSearchIndexer } from "./search/indexer.ts";
import { selfCommand } from "./self-command.ts";
import { resumable, resumeInterrupted } from "./sessions/auto-resume.ts";
import { HostedPlacement } from "./sessions/hosted-placement.ts";
import { InProcessPlacement } from "./sessions/in-process-placement.ts";
import { createSessionManager, type SessionManager } from "./sessions/manager.ts";
import { createPtyBackend } from "./sessions/pty.ts";
import { createRecordingStore } from "./sessions/recording-store.ts";
import { createScrollbackStore } from "./sessions/scrollback-store.ts";
import type { Timers } from "./sessions/timers.ts";
import { createShareLinks } from "./shares/share-links.ts";
import { startTelegram } from "./telegram/bridge.ts";
import { createGit } from "./worktrees/git.ts";
import { createWorktrees } from "./worktrees/worktrees.ts";

export interface ServerOptions {
  version: string;
  /** Commit the binary was built from; default "unknown". */
  commit?: string | undefined;
  /** Environment every session inherits, without OpenDray's own variables. */
  baseEnv: Record<string, string>;
  logger: Logger;
  /** WebSocket ping period; DESIGN §5 default 25 s (tests shorten it). */
  pingIntervalMs?: number | undefined;
  /** Time between the search indexer's passes (default INDEX_INTERVAL_MS; tests shorten it). */
  searchIndexIntervalMs?: number | undefined;
  /** One limit for every budget of password attempts (tests); default LOGIN_LIMITS. */
  loginLimit?: RateLimit | undefined;
  /** Certificates trusted for Web Push services beside the system's (tests: a local stand-in). */
  pushCa?: string | undefined;
  /** The clock and timers share links expire by (tests: a clock they advance); default real. */
  shareClock?: { now: () => number; timers: Timers } | undefined;
}

/**
 * The hook channel's server (src/attention/hook-channel.ts); without one (a DATA_DIR path too
 * long for a unix socket), sessions run without hooks and the screen and silence still tell
 * their activity.
 */
function listenForHooks(options: HookServerOptions, logger: Logger): HookServer | undefined {
  try {
    return startHookServer(options);
  } catch (error) {
    logger.warn(
      { dataDir: options.dataDir, error: error instanceof Error ? error.message : String(error) },
      "could not listen for CLI hooks; sessions run without them",
    );
    return undefined;
  }
}

/** How long closing sockets get to flush their close frames before connections are cut, in ms. */
const CLOSE_GRACE_MS = 500;

export interface RunningServer {
  /** http://host:port of the listening socket. */
  url: string;
  port: number;
  manager: SessionManager;
  /** Pid of the PTY host serving this server's sessions (PTY_HOST=auto), else null. */
  readonly ptyHostPid: number | null;
  /** The open database (tests inspect stored rows through it). */
  db: Database;
  /** One-time URL that creates the first admin (loopback, no user yet), else null. */
  setupUrl: string | null;
  /** Close every WebSocket (streams and events) with `code`, as a network failure would. */
  closeSockets(code: number, reason: string): void;
  /** Stop listening, hang up sessions, flush, close the database. */
  close(): Promise<void>;
}

export async function startServer(config: Config, options: ServerOptions): Promise<RunningServer> {
  const { logger } = options;
  const dataDirLock = acquireDataDir(config.dataDir);
  const database = await openDatabase(config.database).catch((error) => {
    dataDirLock.release();
    throw error;
  });
  await migrateDatabase(database);

  // The same failure again and again (a full disk, a database away) is one line a minute.
  const logError = createErrorReporter(logger);
  const secretsKey = loadSecretsKey({ value: config.secretsKey, dataDir: config.dataDir });
  const secretBox = createSecretBox(secretsKey);
  // Without JWT_SECRET (loopback only, serve checks): DATA_DIR/jwt.key, kept across restarts.
  const signingKey = loadSigningKey({ jwtSecret: config.jwtSecret, dataDir: config.dataDir });
  const providers = createProviderCatalog({
    shell: options.baseEnv.SHELL || "/bin/sh",
    dataDir: config.dataDir,
    baseEnv: options.baseEnv,
    settings: createProviderSettingsRepo(database.db),
    secretBox,
    onError: logError,
  });
  for (const problem of providers.errors) logger.warn({ problem }, "skipped a provider manifest");
  // Probe every CLI now, in the background, so that the first GET /providers finds them cached.
  providers.list().catch((error) => logError(error, "probing providers"));
  const sessionsRepo = createSessionsRepo(database.db);
  const audits = createAuditRepo(database.db);
  const hooksKey = hookKey(secretsKey);
  // Sessions report to it from their first hook: it listens before any session starts.
  let hookTarget: SessionManager | undefined;
  const hookServer = listenForHooks(
    {
      dataDir: config.dataDir,
      key: hooksKey,
      onHook: (id, payload) => hookTarget?.hook(id, payload) ?? Promise.resolve("not_live"),
      onRefused: (reason, id) =>
        audits
          .append({
            actor: null,
            clientIp: null,
            action: "hook.refused",
            target: id,
            outcome: "denied",
            detail: { reason },
          })
          .catch((error) => logError(error, "writing the audit row of a refused hook")),
    },
    logger,
  );
  const ptyHost = config.ptyHost === "auto" ? createHostLink(config, options.version) : undefined;
  const scrollback = createScrollbackStore(join(config.dataDir, "scrollback"), logError);
  const recordings = createRecordingStore(join(config.dataDir, "recordings"), logError);
  const manager = createSessionManager({
    repo: sessionsRepo,
    store: scrollback,
    recordings,
    // PTYs in this process, or in the PTY host (src/pty-host/README.md) that outlives it.
    placement: ptyHost
      ? new HostedPlacement(ptyHost, config.recordingLimitBytes)
      : new InProcessPlacement(
          createPtyBackend(config.ptyBackend),
          scrollback,
          recordings,
          config.recordingLimitBytes,
        ),
    providers,
    scrollbackBytes: config.scrollbackBytes,
    snapshotScrollbackLines: config.snapshotScrollbackLines,
    mirrorGraceMs: config.mirrorGraceMs,
    idleAfterMs: config.idleAfterMs,
    worktrees: createWorktrees(createGit(options.baseEnv)),
    onError: logError,
    ...(hookServer
      ? {
          hookEndpoint: (id: string) => ({
            command: selfCommand(),
            socket: hookServer.socket,
            token: hookToken(hooksKey, id),
          }),
        }
      : {}),
  });
  hookTarget = manager;
  // Before recovery: the sessions it resumes or marks interrupted are audited too.
  const auditRecorder = createAuditRecorder({
    append: (entry) => audits.append(entry),
    onError: logError,
  });
  manager.onAction(auditRecorder.record);
  providers.onAction(auditRecorder.record);
  const interrupted = await manager.recover().catch(async (error) => {
    await hookServer?.stop();
    await database.close();
    dataDirLock.release();
    throw error;
  });
  if (interrupted > 0)
    logger.warn({ sessions: interrupted }, "marked sessions left live as interrupted");
  if (config.resumeOnStart > 0) {
    const candidates = resumable(await manager.list(), Date.now());
    resumeInterrupted(manager, candidates, config.resumeOnStart, logError).then((resumed) => {
      if (resumed.length > 0) logger.info({ sessions: resumed.length }, "resumed sessions");
    });
  }

  const outputText = createOutputTextRepo(database.db);
  const indexer =
    config.searchIndexLimitBytes > 0
      ? createSearchIndexer({
          manager,
          repo: outputText,
          limitBytes: config.searchIndexLimitBytes,
          rateBytes: config.searchIndexRateBytes,
          ...(options.searchIndexIntervalMs ? { intervalMs: options.searchIndexIntervalMs } : {}),
          onError: logError,
        })
      : undefined;
  // In the background: listing what earlier runs left unindexed must not hold up the start.
  indexer?.start().catch((error) => logError(error, "starting the search indexer"));

  const users = createUsersRepo(database.db);
  const pushRepo = createPushRepo(database.db);
  const vapidKeys = await loadVapidKeys(pushRepo, secretBox);
  const endpointPolicy = { allowHosts: config.pushAllowHosts };
  const actionTokens = createActionTokens(secretsKey);
  const telegram = config.telegram
    ? startTelegram({
        ...config.telegram,
        manager,
        audit: (entry) => audits.append(entry),
        recorded: auditRecorder.settled,
        log: logger,
        onError: logError,
      })
    : undefined;
  const notifier = createNotifier({
    onEvent: manager.onEvent,
    channels: [
      ...(telegram ? [telegram.channel] : []),
      createPushChannel({
        repo: pushRepo,
        users,
        tokens: actionTokens,
        sender: createPushSender({
          repo: pushRepo,
          keys: vapidKeys,
          subject: config.pushSubject,
          policy: endpointPolicy,
          ca: options.pushCa,
          onError: logError,
        }),
        onError: logError,
      }),
    ],
  });
  const revokedTokens = createRevokedTokensRepo(database.db);
  const accounts = createAccounts({
    users,
    revoked: revokedTokens,
    tokens: createTokenService({
      secret: signingKey,
      ttlMs: config.jwtTtlMs,
    }),
    onError: logError,
  });
  // Before the first admin from ADMIN_USERNAME: its creation is audited too.
  accounts.onAction(auditRecorder.record);
  if (await accounts.ensureInitialAdmin(config.admin)) {
    logger.info(
      { username: config.admin?.username },
      "created the first admin from ADMIN_USERNAME",
    );
  }
  // First run on loopback with no account: a one-time setup token, printed by main.
  let setupToken: string | null =
    config.listen.isLoopback && !(await accounts.hasUsers())
      ? randomBytes(24).toString("base64url")
      : null;

  const shares = createShareLinks({
    repo: createShareLinksRepo(database.db),
    ...(options.shareClock ?? {}),
  });
  shares.onAction(auditRecorder.record);

  const hub = createSocketHub({
    pingIntervalMs: options.pingIntervalMs,
    checkToken: (token) =>
      accounts.authenticate(token).then(
        () => true,
        (error) => !(error instanceof AppError && error.status === 401),
      ),
    onError: logError,
  });
  const app = createApp({
    version: options.version,
    commit: options.commit ?? "unknown",
    metrics: createMetrics(),
    sessions: sessionsRepo,
    startedAtMs: Date.now(),
    config,
    manager,
    shares,
    outputText,
    providers,
    accounts,
    users,
    audits,
    auditRecorded: auditRecorder.settled,
    hub,
    push: { repo: pushRepo, keys: vapidKeys, policy: endpointPolicy },
    answers: { tokens: actionTokens, spent: revokedTokens },
    setupToken: () => setupToken,
    home: options.baseEnv.HOME || "/",
    gitEnv: options.baseEnv,
    loginLimit: options.loginLimit,
    onSetupDone: () => {
      setupToken = null;
    },
    logError,
  });
  const server = Bun.serve({
    hostname: config.listen.host,
    port: config.listen.port,
    // Bun's own cap (128 MiB by default) must not cut an upload the configuration allows.
    maxRequestBodySize: Math.max(config.uploadLimitBytes, config.bodyLimitBytes) + 16 * 1024 * 1024,
    fetch: (request, bunServer) => app.fetch(request, { server: bunServer }),
    websocket: hub.websocket,
  });
  const port = server.port ?? config.listen.port;
  const host = config.listen.host.includes(":") ? `[${config.listen.host}]` : config.listen.host;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    db: database,
    setupUrl: setupToken ? `http://${host}:${port}/setup#token=${setupToken}` : null,
    port,
    manager,
    closeSockets: (code, reason) => hub.closeAll(code, reason),
    get ptyHostPid() {
      return ptyHost?.hostPid ?? null;
    },
    close() {
      closing ??= (async () => {
        // Refuse new connections, but keep the open ones long enough to say goodbye: every
        // viewer gets close 1001 (reconnect later), not a dropped connection.
        const stopped = server.stop(false);
        notifier.dispose();
        await indexer?.dispose();
        await telegram?.stop();
        await manager.shutdown();
        // The rows of what shutting down did (sessions interrupted) go in before the database closes.
        await auditRecorder.settled();
        await hookServer?.stop();
        hub.closeAll(CloseCode.goingAway, "server shutting down");
        shares.dispose();
        // Idle keep-alive connections would hold stop(false) open; close frames have been queued.
        await Promise.race([stopped, Bun.sleep(CLOSE_GRACE_MS)]);
        await server.stop(true);
        // PGlite writes its files on close: the next start finds a clean database.
        await database.close();
        dataDirLock.release();
        logError.dispose();
      })();
      return closing;
    },
  };
}
