// A real OpenDray server for one test file: real HTTP on an ephemeral loopback port, real PTYs,
// a throwaway database (PGlite, or PostgreSQL with OPENDRAY_TEST_DB=postgres) and data directory.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inheritableEnvironment, loadConfig } from "../../src/config.ts";
import { createLogger } from "../../src/log.ts";
import type { Session } from "../../src/protocol/session.ts";
import { type RunningServer, startServer } from "../../src/server.ts";
import { createTestDatabase, type TestDatabase } from "./database.ts";

/** HOME of every test session: empty, so login shells read only /etc/profile. */
export const TEST_HOME = mkdtempSync(join(tmpdir(), "opendray-home-"));

export interface TestServer extends RunningServer {
  api: string;
  dataDir: string;
  /** JSON request against /api/v1; returns status, parsed body and headers. */
  request(method: string, path: string, body?: unknown): Promise<JsonResponse>;
  /** POST /sessions for a shell running `script` (`bash -c` semantics through `$SHELL -l -c`). */
  spawnShell(script: string, extra?: Record<string, unknown>): Promise<Session>;
  /** Stop the server and delete its data and database. */
  dispose(): Promise<void>;
}

export interface JsonResponse {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read response fields freely
  body: any;
  headers: Headers;
}

export interface TestServerOptions {
  env?: Record<string, string>;
  /** Reuse a database and data directory (to restart a server on the same state). */
  reuse?: { database: TestDatabase; dataDir: string };
  pingIntervalMs?: number;
  /** The login shell of the `shell` provider (default /bin/bash). */
  shell?: string;
}

export async function startTestServer(
  options: TestServerOptions = {},
): Promise<TestServer & { database: TestDatabase }> {
  const dataDir = options.reuse?.dataDir ?? mkdtempSync(join(tmpdir(), "opendray-test-"));
  const database = options.reuse?.database ?? (await createTestDatabase());
  const config = {
    ...loadConfig({ LISTEN_ADDR: "127.0.0.1:0", DATA_DIR: dataDir, ...options.env }),
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
    },
    logger: createLogger("silent"),
    pingIntervalMs: options.pingIntervalMs,
  });
  const api = `${server.url}/api/v1`;

  const request = async (method: string, path: string, body?: unknown): Promise<JsonResponse> => {
    const response = await fetch(`${api}${path}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {}
    return { status: response.status, body: parsed, headers: response.headers };
  };

  return {
    ...server,
    api,
    dataDir,
    database,
    request,
    async spawnShell(script, extra = {}) {
      const response = await request("POST", "/sessions", {
        provider: "shell",
        cwd: "/tmp",
        args: ["-c", script],
        ...extra,
      });
      if (response.status !== 201)
        throw new Error(`spawn failed: ${JSON.stringify(response.body)}`);
      return response.body as Session;
    },
    async dispose() {
      await server.close();
      if (!options.reuse) {
        await database.drop();
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
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
