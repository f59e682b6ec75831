// PostgreSQL goes away while sessions end (DATABASE_URL, PTY_HOST=auto, the server as a process):
// requests answer 503 database_unavailable with Retry-After at once instead of failing or
// blocking, and once the database is back every row reaches its true final state with its exit
// code, also when the server restarts during the outage. The cluster is a private one this file
// starts and stops, whatever database the rest of the suite runs on.

import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../src/db/client.ts";
import { createSessionsRepo } from "../src/db/sessions-repo.ts";
import { errorBodySchema } from "../src/protocol/errors.ts";
import type { Session } from "../src/protocol/session.ts";
import { type PrivatePostgres, startPrivatePostgres } from "./support/private-postgres.ts";
import { stopProcess } from "./support/process.ts";
import { type ServerProcess, spawnShell, startServerProcess } from "./support/process-server.ts";
import { readResponse } from "./support/responses.ts";
import { eventually } from "./support/server.ts";
import { EventsClient, eventsUrl } from "./support/ws-client.ts";

/** A request during the outage must be answered within this, in ms. */
const PROMPT_MS = 2000;
/** How long rows may take to be stored once the database is back, in ms. */
const STORED_WITHIN_MS = 10_000;

const cleanups: (() => Promise<void> | void)[] = [];
let cluster: PrivatePostgres;

beforeAll(async () => {
  cluster = await startPrivatePostgres();
  cleanups.push(() => cluster.destroy());
}, 30_000);

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** A database on the private cluster, a data directory, and servers started on them. */
async function setUp(name: string) {
  await cluster.start();
  const url = await cluster.createDatabase(name);
  const dataDir = mkdtempSync(join(tmpdir(), "opendray-outage-"));
  const lock = join(dataDir, "pty-host.lock");
  cleanups.push(async () => {
    if (existsSync(lock)) await stopProcess(Number(readFileSync(lock, "utf8").trim()));
    rmSync(dataDir, { recursive: true, force: true });
  });
  const database = await openDatabase({ kind: "postgres", url });
  cleanups.push(() => database.close());
  const repo = createSessionsRepo(database.db);
  const env = {
    DATA_DIR: dataDir,
    DATABASE_URL: url,
    PTY_HOST: "auto",
    RATE_LIMIT_SESSION_OPS: "1000/min",
    RATE_LIMIT_READS: "1000/min",
  };
  const gate = join(dataDir, "gate");
  return {
    async start(): Promise<ServerProcess> {
      const server = await startServerProcess(env);
      cleanups.push(() => server.process.kill("SIGKILL"));
      return server;
    },
    /** Sessions that print, wait for the gate, then exit with codes 3, 4, …. */
    async spawnGated(server: ServerProcess, count: number): Promise<Session[]> {
      const sessions: Session[] = [];
      for (let i = 0; i < count; i++) {
        sessions.push(
          await spawnShell(
            server,
            `printf 'up\\n'; while [ ! -e ${gate} ]; do sleep 0.05; done; exit ${3 + i}`,
          ),
        );
      }
      return sessions;
    },
    openGate: () => writeFileSync(gate, ""),
    /** Resolves once every stored row says the session ended with its own exit code. */
    async allStoredAsEnded(sessions: Session[]) {
      let seen = "";
      return eventually(
        async () => {
          const rows = await Promise.all(sessions.map((s) => repo.get(s.id).catch(() => null)));
          seen = rows.map((row) => `${row?.state}/${row?.exitCode}`).join(", ");
          const done = rows.every(
            (row, i) => row?.state === "ended" && row.exitCode === 3 + i && row.endedAt !== null,
          );
          return done ? rows : undefined;
        },
        "every row stored as ended with its exit code",
        STORED_WITHIN_MS,
      ).catch((error: Error) => {
        throw new Error(`${error.message}; stored: ${seen}`);
      });
    },
  };
}

/** A request as the admin, timed. */
async function timed(server: ServerProcess, method: string, path: string, body?: unknown) {
  const began = performance.now();
  const response = await fetch(`${server.api}${path}`, {
    method,
    headers: { ...server.auth, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    keepalive: false,
  });
  const answer = await readResponse(response);
  return {
    status: answer.status,
    retryAfter: answer.headers.get("retry-after"),
    // Any answer: its error code when it is an error envelope.
    code: errorBodySchema.safeParse(answer.body).data?.error.code,
    ms: performance.now() - began,
  };
}

test("sessions that end while PostgreSQL is stopped get their final rows; requests meanwhile answer 503 at once", async () => {
  const fixture = await setUp("outage_live");
  const server = await fixture.start();
  const sessions = await fixture.spawnGated(server, 6);
  const events = await EventsClient.connect(eventsUrl(server.api), server.auth);
  cleanups.push(() => events.close());

  await cluster.stop("fast");
  fixture.openGate();
  for (const session of sessions) await events.waitFor("session.exited", session.id);

  const [first] = sessions as [Session];
  const during = [
    await timed(server, "GET", "/sessions"),
    await timed(server, "GET", `/sessions/${first.id}`),
    await timed(server, "POST", "/sessions", { provider: "shell", cwd: "/tmp" }),
    await timed(server, "POST", `/sessions/${first.id}/stop`),
    await timed(server, "GET", "/providers"),
  ];
  console.log(`during the outage: ${during.map((r) => `${r.status} in ${r.ms.toFixed(0)} ms`)}`);
  for (const response of during) {
    expect(response).toMatchObject({ status: 503, code: "database_unavailable" });
    expect(Number(response.retryAfter)).toBeGreaterThan(0);
    expect(response.ms).toBeLessThan(PROMPT_MS);
  }

  await cluster.start();
  // No request waits out a reconnection delay once the database is back.
  const after = await timed(server, "GET", "/sessions");
  expect(after.status).toBe(200);
  expect(after.ms).toBeLessThan(PROMPT_MS);
  const rows = await fixture.allStoredAsEnded(sessions);
  expect(rows.map((row) => row?.endReason)).toEqual(
    sessions.map((_, i) => `exited with code ${3 + i}`),
  );
  server.process.kill("SIGTERM");
  expect(await server.process.exited).toBe(0);
}, 60_000);

test("a server stopped during the outage leaves the ended sessions to the PTY host; the next start stores their exits", async () => {
  const fixture = await setUp("outage_restart");
  const first = await fixture.start();
  const sessions = await fixture.spawnGated(first, 4);
  const events = await EventsClient.connect(eventsUrl(first.api), first.auth);
  cleanups.push(() => events.close());

  await cluster.stop("immediate");
  fixture.openGate();
  for (const session of sessions) await events.waitFor("session.exited", session.id);

  first.process.kill("SIGTERM");
  expect(await first.process.exited).toBe(0);

  await cluster.start();
  const second = await fixture.start();
  const rows = await fixture.allStoredAsEnded(sessions);
  expect(rows.map((row) => [row?.state, row?.endReason])).toEqual(
    sessions.map((_, i) => ["ended", `exited with code ${3 + i}`]),
  );
  // The first server said which rows it left unstored.
  expect(first.log.filter((line) => line.includes("could not be stored"))).toHaveLength(1);
  second.process.kill("SIGTERM");
  expect(await second.process.exited).toBe(0);
}, 60_000);
