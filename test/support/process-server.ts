// The real server as a child process (`bun src/main.ts`), for tests that kill or restart it.

import { mkdtempSync, readFileSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { loginResultSchema } from "../../src/protocol/auth.ts";
import { type Session, sessionSchema } from "../../src/protocol/session.ts";
import { createTestDatabase, type TestDatabase } from "./database.ts";
import { bodyOf, type JsonResponse, readResponse } from "./responses.ts";
import { ADMIN, TEST_HOME } from "./server.ts";

const MAIN = join(import.meta.dir, "../../src/main.ts");
const START_TIMEOUT_MS = 60_000;

export interface ServerProcess {
  api: string;
  process: Subprocess<"ignore", "ignore", "pipe">;
  /** stderr lines so far. */
  log: string[];
  /**
   * Bearer header of the first admin (ADMIN of ./server.ts); without a token when ADMIN's
   * password no longer signs in (a test changed it), so that its requests answer 401.
   */
  auth: { authorization: string };
}

/** Environment that points a server process at `dataDir` and the test database. */
export function serverEnv(database: TestDatabase, dataDir: string): Record<string, string> {
  // In-process PTYs unless a test asks for the PTY host: a host would outlive the test.
  if (database.config.kind === "postgres")
    return { DATA_DIR: dataDir, DATABASE_URL: database.config.url, PTY_HOST: "inprocess" };
  // The server keeps PGlite in DATA_DIR/pgdata: move the test's fresh copy there.
  renameSync(database.config.dataDir, join(dataDir, "pgdata"));
  return { DATA_DIR: dataDir, PTY_HOST: "inprocess" };
}

/**
 * Start `bun src/main.ts` (or a compiled `executable`) on an ephemeral port; resolves once it
 * logs that it listens.
 */
export async function startServerProcess(
  env: Record<string, string>,
  { executable, cwd }: { executable?: string; cwd?: string } = {},
): Promise<ServerProcess> {
  const child = Bun.spawn(executable ? [executable] : [process.execPath, MAIN], {
    cwd,
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: TEST_HOME,
      SHELL: "/bin/bash",
      LISTEN_ADDR: "127.0.0.1:0",
      ADMIN_USERNAME: ADMIN.username,
      ADMIN_PASSWORD: ADMIN.password,
      PTY_HOST: "inprocess",
      ...env,
    },
    stdin: "ignore",
    stdout: "ignore",
    stderr: "pipe",
  });
  const log: string[] = [];
  const decoder = new TextDecoder();
  const reader = child.stderr.getReader();
  const deadline = setTimeout(() => child.kill("SIGKILL"), START_TIMEOUT_MS);
  let pending = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) {
      clearTimeout(deadline);
      throw new Error(`server exited before listening:\n${log.join("\n")}${pending}`);
    }
    pending += decoder.decode(value, { stream: true });
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    log.push(...lines);
    const listening = lines
      .map((line) => /"url":"([^"]+)".*"msg":"listening"/.exec(line))
      .find(Boolean);
    if (listening?.[1]) {
      clearTimeout(deadline);
      // Keep draining stderr so the child never blocks on a full pipe. Bun may report the pipe
      // of a child that was killed as reset (ECONNRESET) rather than ended: either ends it here,
      // never as an error thrown into whichever test runs then.
      (async () => {
        for (;;) {
          const next = await reader.read().catch(() => ({ done: true, value: undefined }));
          if (next.done) return;
          log.push(...decoder.decode(next.value).split("\n").filter(Boolean));
        }
      })();
      const api = `${listening[1]}/api/v1`;
      const login = await fetch(`${api}/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(ADMIN),
      });
      const signedIn = await readResponse(login);
      const token = signedIn.status === 401 ? "" : bodyOf(signedIn, 200, loginResultSchema).token;
      return { api, process: child, log, auth: { authorization: `Bearer ${token}` } };
    }
  }
}

/** A JSON request as the admin to a server process's API; the status and the parsed body. */
export async function requestJson(
  server: ServerProcess,
  method: string,
  path: string,
  body?: unknown,
): Promise<JsonResponse> {
  const response = await fetch(`${server.api}${path}`, {
    method,
    headers: {
      ...server.auth,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    // A fresh connection each time, as in server.ts: a pooled one idle past Bun's 10 s timeout
    // can be reset under the next request.
    keepalive: false,
  });
  return readResponse(response);
}

/** GET /sessions/:id, checked against the session schema; throws unless 200. */
export async function sessionOf(server: ServerProcess, id: string): Promise<Session> {
  return bodyOf(await requestJson(server, "GET", `/sessions/${id}`), 200, sessionSchema);
}

/** POST /sessions of the shell provider running `script` (`$SHELL -l -c`); throws unless 201. */
export async function spawnShell(server: ServerProcess, script: string): Promise<Session> {
  const created = await requestJson(server, "POST", "/sessions", {
    provider: "shell",
    cwd: "/tmp",
    args: ["-c", script],
  });
  return bodyOf(created, 201, sessionSchema);
}

/** A data directory and database for servers run as processes, one after another. */
export interface ServerFixture {
  dataDir: string;
  env: Record<string, string>;
  /** Start a server on them (killed by `dispose` if the test leaves it running). */
  start(): Promise<ServerProcess>;
  /** Kill the servers, run `beforeRemove`, then drop the database and delete the directory. */
  dispose(): Promise<void>;
}

export async function createServerFixture(
  extra: Record<string, string> = {},
  beforeRemove: (dataDir: string) => Promise<void> | void = () => {},
): Promise<ServerFixture> {
  const dataDir = mkdtempSync(join(tmpdir(), "opendray-server-"));
  const database = await createTestDatabase();
  const env = { ...serverEnv(database, dataDir), ...extra };
  const started: ServerProcess[] = [];
  return {
    dataDir,
    env,
    async start() {
      const server = await startServerProcess(env);
      started.push(server);
      return server;
    },
    async dispose() {
      for (const server of started) server.process.kill("SIGKILL");
      await beforeRemove(dataDir);
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The PTY host's pid, from the lock file it holds in DATA_DIR. */
export function hostPid(dataDir: string): number {
  return Number(readFileSync(join(dataDir, "pty-host.lock"), "utf8").trim());
}
