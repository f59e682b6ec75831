// A real OpenDray server for one test file: real HTTP on an ephemeral loopback port, real PTYs,
// a throwaway database (PGlite, or PostgreSQL with OPENDRAY_TEST_DB=postgres) and data directory.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inheritableEnvironment, loadConfig, type RateLimit } from "../../src/config.ts";
import { createLogger, type Logger } from "../../src/log.ts";
import { loginResultSchema, type User, userSchema } from "../../src/protocol/auth.ts";
import { type Session, sessionSchema } from "../../src/protocol/session.ts";
import { type RunningServer, startServer } from "../../src/server.ts";
import type { Timers } from "../../src/sessions/timers.ts";
import { createTestDatabase, type TestDatabase } from "./database.ts";
import { stopProcess } from "./process.ts";
import { bodyOf, type JsonResponse, readResponse } from "./responses.ts";

export type { JsonResponse } from "./responses.ts";

/** HOME of every test session: empty, so login shells read only /etc/profile. */
export const TEST_HOME = mkdtempSync(join(tmpdir(), "opendray-home-"));

/**
 * PTY_HOST of test servers: inprocess, or auto with OPENDRAY_TEST_PTY_HOST=auto (then every
 * server's sessions run in a detached PTY host, stopped again by `dispose`).
 */
export const TEST_PTY_HOST = process.env.OPENDRAY_TEST_PTY_HOST === "auto" ? "auto" : "inprocess";

/** The first admin of every test server. */
export const ADMIN = { username: "admin", password: "test password that is long" };

export interface TestServer extends RunningServer {
  api: string;
  dataDir: string;
  /** The admin's bearer token, and the header carrying it. */
  token: string;
  auth: { authorization: string };
  /**
   * JSON request against /api/v1 as the admin; returns status, parsed body and headers. Read the
   * body through `bodyOf`/`errorOf` (./responses.ts) to have it checked and typed.
   */
  request(method: string, path: string, body?: unknown): Promise<JsonResponse>;
  /** JSON request with exactly the given headers (no token unless given). */
  send(
    method: string,
    path: string,
    body: unknown,
    headers: Record<string, string>,
  ): Promise<JsonResponse>;
  /** POST /auth/login; the token. */
  login(username: string, password: string): Promise<string>;
  /** A new account (password: ADMIN.password), signed in. */
  createUser(username: string, role: "admin" | "viewer"): Promise<{ user: User; token: string }>;
  /** GET /sessions/:id, checked against the session schema; throws unless 200. */
  getSession(id: string): Promise<Session>;
  /** POST /sessions for a shell running `script` (`bash -c` semantics through `$SHELL -l -c`). */
  spawnShell(script: string, extra?: Record<string, unknown>): Promise<Session>;
  /** Stop the server and delete its data and database. */
  dispose(): Promise<void>;
}

export interface TestServerOptions {
  env?: Record<string, string>;
  /** Reuse a database and data directory (to restart a server on the same state). */
  reuse?: { database: TestDatabase; dataDir: string };
  pingIntervalMs?: number;
  /** Time between the search indexer's passes (default INDEX_INTERVAL_MS). */
  searchIndexIntervalMs?: number;
  /** The login shell of the `shell` provider (default /bin/bash). */
  shell?: string;
  /** Where the server logs (default: nowhere). */
  logger?: Logger;
  /** Variables of the server's own environment that children inherit (PATH, HOME, …). */
  baseEnv?: Record<string, string>;
  /** Start without the first admin (to test first-run setup); no token then. */
  noAdmin?: boolean;
  /** One limit for every budget of password attempts (default: LOGIN_LIMITS). */
  loginLimit?: RateLimit;
  /** A certificate the server trusts for Web Push services (the stand-in's). */
  pushCa?: string;
  /** The clock and timers share links expire by (default: the real ones). */
  shareClock?: { now: () => number; timers: Timers };
}

export async function startTestServer(
  options: TestServerOptions = {},
): Promise<TestServer & { database: TestDatabase }> {
  const dataDir = options.reuse?.dataDir ?? mkdtempSync(join(tmpdir(), "opendray-test-"));
  const database = options.reuse?.database ?? (await createTestDatabase());
  const config = {
    ...loadConfig({
      LISTEN_ADDR: "127.0.0.1:0",
      DATA_DIR: dataDir,
      ...(options.noAdmin
        ? {}
        : { ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password }),
      // Tests send far more requests than a person; the rate-limit tests lower these again.
      RATE_LIMIT_READS: "100000/min",
      RATE_LIMIT_SESSION_OPS: "100000/min",
      PTY_HOST: TEST_PTY_HOST,
      ...options.env,
    }),
    database: database.config,
  };
  const server = await startServer(config, {
    version: "test",
    // An empty HOME keeps the machine's dotfiles (slow, lock-taking pyenv/nvm set-ups) out of
    // the login shells the tests start.
    baseEnv: {
      ...inheritableEnvironment(process.env),
      HOME: TEST_HOME,
      SHELL: options.shell ?? "/bin/bash",
      ...options.baseEnv,
    },
    logger: options.logger ?? createLogger("silent"),
    pingIntervalMs: options.pingIntervalMs,
    searchIndexIntervalMs: options.searchIndexIntervalMs,
    loginLimit: options.loginLimit,
    pushCa: options.pushCa,
    shareClock: options.shareClock,
  });
  const api = `${server.url}/api/v1`;

  const send = async (
    method: string,
    path: string,
    body: unknown,
    headers: Record<string, string>,
  ): Promise<JsonResponse> => {
    const response = await fetch(`${api}${path}`, {
      method,
      headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      // A fresh connection each time: a pooled one the server closes after its 10 s idle
      // timeout, just as it is reused, fails the request with ECONNRESET.
      keepalive: false,
    });
    return readResponse(response);
  };

  const login = async (username: string, password: string): Promise<string> => {
    const response = await send("POST", "/auth/login", { username, password }, {});
    return bodyOf(response, 200, loginResultSchema).token;
  };
  const token = options.noAdmin ? "" : await login(ADMIN.username, ADMIN.password);
  const auth = { authorization: `Bearer ${token}` };
  const request = (method: string, path: string, body?: unknown) => send(method, path, body, auth);

  return {
    ...server,
    api,
    dataDir,
    database,
    token,
    auth,
    request,
    send,
    login,
    async createUser(username, role) {
      const created = await request("POST", "/users", { username, password: ADMIN.password, role });
      return {
        user: bodyOf(created, 201, userSchema),
        token: await login(username, ADMIN.password),
      };
    },
    async getSession(id) {
      return bodyOf(await request("GET", `/sessions/${id}`), 200, sessionSchema);
    },
    async spawnShell(script, extra = {}) {
      const response = await request("POST", "/sessions", {
        provider: "shell",
        cwd: "/tmp",
        args: ["-c", script],
        ...extra,
      });
      return bodyOf(response, 201, sessionSchema);
    },
    async dispose() {
      const hostPid = server.ptyHostPid;
      await server.close();
      if (!options.reuse) {
        if (hostPid !== null) await stopProcess(hostPid);
        await database.drop();
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * GET /sessions/:id/output from `since` (absent: all that is kept): where the bytes start and
 * end (the X-Output-* headers) and the bytes as latin1 text. Throws unless 200.
 */
export async function outputOf(
  server: { api: string; auth: Record<string, string> },
  id: string,
  since?: number,
): Promise<{ start: number; end: number; text: string }> {
  const query = since === undefined ? "" : `?since=${since}`;
  const response = await fetch(`${server.api}/sessions/${id}/output${query}`, {
    headers: server.auth,
  });
  if (response.status !== 200) throw new Error(`GET /output: ${response.status}`);
  return {
    start: Number(response.headers.get("x-output-start")),
    end: Number(response.headers.get("x-output-offset")),
    text: Buffer.from(await response.arrayBuffer()).toString("latin1"),
  };
}

/** Resolve when `check` returns a value other than undefined; fail after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(20);
  }
}
