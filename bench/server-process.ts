// An OpenDray server in its own process (so that it never shares an event loop with the measuring
// client): started from bench/server-entry.ts on port 0 with a throwaway DATA_DIR, driven over
// REST, stopped with SIGTERM (SIGKILL after a grace period), its sessions' process groups killed.

import { cpSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Session } from "../src/protocol/session.ts";
import type { HeapCensus } from "../test/support/heap-census.ts";
import { type Cleanup, killGroup } from "./cleanup.ts";
import { withTimeout } from "./stats.ts";

const ENTRY = join(import.meta.dir, "server-entry.ts");
const START_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 5_000;
/** Variables that would point the server at another database or bind. */
const DROPPED_ENV =
  /^(DATABASE_URL|DB_|LISTEN_ADDR|DATA_DIR|PTY_BACKEND|PTY_HOST|SCROLLBACK_BYTES)/;

/** A data directory whose database is initialised, and the admin it holds (bench:<password>). */
export interface ServerTemplate {
  dataDir: string;
  adminPassword: string;
}

export interface BenchServerOptions {
  backend: "bun" | "bun-pty";
  /** Extra environment (SCROLLBACK_BYTES, IDLE_AFTER, …). */
  env?: Record<string, string>;
  /** An initialised data directory to copy instead of running initdb again. */
  template?: ServerTemplate;
  /** Extra arguments for bun before the entry (e.g. --cpu-prof-md for a profile at exit). */
  bunArgs?: string[];
  /** Use this data directory and leave it in place when stopping (the caller removes it). */
  dataDir?: string;
}

/** process.memoryUsage() of the server right after a forced GC, in bytes. */
export interface ServerMemory extends HeapCensus {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

export interface BenchServer {
  readonly backend: "bun" | "bun-pty";
  /** Password of the admin "bench" (used only once the server asks for a login). */
  readonly adminPassword: string;
  readonly pid: number;
  readonly api: string;
  readonly dataDir: string;
  request(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
  /** POST /sessions of the shell provider running `script` (as `bash -l -c script`). */
  spawnShell(script: string): Promise<Session>;
  getSession(id: string): Promise<Session>;
  /** ws:// URL of a session's stream from `since`. */
  streamUrl(id: string, since?: number): string;
  /** Headers a WebSocket client must send (a bearer token once the server asks for login). */
  readonly headers: Record<string, string>;
  /** Force a full GC in the server (SIGUSR2); resolves with the memory it reported after it. */
  settle(): Promise<ServerMemory>;
  /** Recent log lines, for error messages. */
  logTail(): string;
  stop(): Promise<void>;
}

export async function startBenchServer(
  options: BenchServerOptions,
  cleanup: Cleanup,
): Promise<BenchServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "opendray-bench-"));
  if (options.template) cpSync(options.template.dataDir, dataDir, { recursive: true });
  // An empty HOME: the user's dotfiles must not slow or stall the sessions' login shells.
  const home = join(dataDir, "home");
  mkdirSync(home, { recursive: true });
  // ADMIN_* only creates the admin in a database without users: a copy keeps the template's.
  const adminPassword = options.template?.adminPassword ?? crypto.randomUUID();
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !DROPPED_ENV.test(key)) env[key] = value;
  }
  Object.assign(env, {
    SHELL: "/bin/bash",
    HOME: home,
    LISTEN_ADDR: "127.0.0.1:0",
    DATA_DIR: dataDir,
    PTY_BACKEND: options.backend,
    // Sessions inside the server unless a bench asks for the PTY host.
    PTY_HOST: "inprocess",
    LOG_LEVEL: "info",
    // Harmless today; keeps the benches working once rate limits and login exist.
    RATE_LIMIT_SESSION_OPS: "100000/s",
    RATE_LIMIT_READS: "100000/s",
    ADMIN_USERNAME: "bench",
    ADMIN_PASSWORD: adminPassword,
    ...options.env,
  });

  const child = Bun.spawn([process.execPath, ...(options.bunArgs ?? []), ENTRY], {
    env,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const sessionPids = new Set<number>();
  const { nextLine, tail } = watchLines(child, "server", START_TIMEOUT_MS);

  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
      await child.exited;
      clearTimeout(timer);
      // A program that ignores the terminal's hang-up must not outlive the benchmark.
      for (const pid of sessionPids) killGroup(pid);
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    })();
    return stopped;
  };
  const undo = cleanup.add(stop);

  const listening = await nextLine((line) => line.includes('"msg":"listening"'), "listening");
  const url = (JSON.parse(listening) as { url: string }).url;
  const api = `${url}/api/v1`;
  const headers: Record<string, string> = {};

  const rawRequest = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${api}${path}`, {
      method,
      headers: {
        ...headers,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
  };
  // Sign in once (concurrent 401s must not each try: sign-in is rate limited), if asked to.
  let signedIn: Promise<void> | undefined;
  const signIn = () => {
    signedIn ??= (async () => {
      const login = await rawRequest("POST", "/auth/login", {
        username: "bench",
        password: adminPassword,
      });
      const token = (login.body as { token?: string } | undefined)?.token;
      if (!token) throw new Error(`login failed (${login.status}): ${JSON.stringify(login.body)}`);
      headers.authorization = `Bearer ${token}`;
    })();
    return signedIn;
  };
  const request = async (method: string, path: string, body?: unknown) => {
    const first = await rawRequest(method, path, body);
    if (first.status !== 401 || signedIn) return first;
    await signIn();
    return rawRequest(method, path, body);
  };
  await request("GET", "/sessions");

  return {
    backend: options.backend,
    adminPassword,
    pid: child.pid,
    api,
    dataDir,
    headers,
    request,
    async spawnShell(script) {
      const response = await request("POST", "/sessions", {
        provider: "shell",
        cwd: "/tmp",
        args: ["-c", script],
        cols: 120,
        rows: 40,
      });
      if (response.status !== 201) {
        throw new Error(`spawn failed (${response.status}): ${JSON.stringify(response.body)}`);
      }
      const session = response.body as Session;
      if (session.pid !== null) sessionPids.add(session.pid);
      return session;
    },
    async getSession(id) {
      const response = await request("GET", `/sessions/${id}`);
      if (response.status !== 200) throw new Error(`GET session failed (${response.status})`);
      return response.body as Session;
    },
    streamUrl(id, since = 0) {
      return `${api.replace(/^http/, "ws")}/sessions/${id}/stream?since=${since}`;
    },
    async settle() {
      const reported = nextLine((line) => line.includes('"msg":"bench.settled"'), "settle");
      child.kill("SIGUSR2");
      return JSON.parse(await reported) as ServerMemory;
    },
    logTail: tail,
    stop: undo,
  };
}

/** Start a server once on a fresh directory (initdb), stop it, and keep the directory as a template. */
export async function prepareTemplate(cleanup: Cleanup): Promise<ServerTemplate> {
  const dataDir = mkdtempSync(join(tmpdir(), "opendray-bench-template-"));
  cleanup.add(() => rmSync(dataDir, { recursive: true, force: true }));
  const server = await startBenchServer({ backend: "bun", dataDir }, cleanup);
  await server.stop();
  return { dataDir, adminPassword: server.adminPassword };
}

/**
 * Reads a child's stdout and stderr line by line: `nextLine` resolves with the first line that
 * matches, and rejects when the child exits first (with its last 50 lines) or after `timeoutMs`.
 */
export function watchLines(
  child: {
    stdout: ReadableStream<Uint8Array>;
    stderr: ReadableStream<Uint8Array>;
    exited: Promise<number>;
  },
  name: string,
  timeoutMs: number,
) {
  const lines: string[] = [];
  const waiters = new Set<(line: string) => void>();
  const onLine = (line: string) => {
    lines.push(line);
    if (lines.length > 50) lines.shift();
    for (const waiter of [...waiters]) waiter(line);
  };
  drainLines(child.stdout, onLine);
  drainLines(child.stderr, onLine);
  const tail = () => lines.join("\n");
  const nextLine = (match: (line: string) => boolean, what: string) =>
    withTimeout(
      new Promise<string>((resolve, reject) => {
        const waiter = (line: string) => {
          if (!match(line)) return;
          waiters.delete(waiter);
          resolve(line);
        };
        waiters.add(waiter);
        child.exited.then((code) => {
          waiters.delete(waiter);
          reject(new Error(`${name} exited (${code}) before ${what}:\n${tail()}`));
        });
      }),
      timeoutMs,
      `${name}: ${what}`,
    );
  return { nextLine, tail };
}

function drainLines(stream: ReadableStream<Uint8Array>, onLine: (line: string) => void): void {
  (async () => {
    const decoder = new TextDecoder();
    let pending = "";
    for await (const chunk of stream) {
      pending += decoder.decode(chunk, { stream: true });
      let newline = pending.indexOf("\n");
      while (newline >= 0) {
        onLine(pending.slice(0, newline));
        pending = pending.slice(newline + 1);
        newline = pending.indexOf("\n");
      }
    }
    if (pending) onLine(pending);
  })().catch(() => {});
}
