// Every action that changes a session leaves an audit row, whether a request caused it (its
// user and address) or the server acted by itself (actor null, the reason in detail): created,
// renamed, typed into, answered, stopped, restarted, deleted, ended by itself, resumed or
// interrupted at start, interrupted by a lost PTY host.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { sessionSchema } from "../src/protocol/session.ts";
import { stopProcess } from "./support/process.ts";
import {
  createServerFixture,
  hostPid,
  requestJson,
  type ServerProcess,
  spawnShell,
} from "./support/process-server.ts";
import { auditListSchema, bodyOf, type JsonResponse } from "./support/responses.ts";
import { eventually, startTestServer, type TestServer } from "./support/server.ts";

interface AuditRow {
  id: number;
  actor: string | null;
  clientIp: string | null;
  action: string;
  target: string | null;
  outcome: string;
  detail: Record<string, unknown> | null;
}

/** The rows about session `target`, oldest first. */
async function rowsOf(
  read: (path: string) => Promise<JsonResponse>,
  target: string,
): Promise<AuditRow[]> {
  const { entries } = bodyOf(await read("/audit?limit=200"), 200, auditListSchema);
  return entries.filter((entry) => entry.target === target).reverse();
}

/** What a row says, without its id and time. */
const said = ({ actor, clientIp, action, outcome, detail }: AuditRow) => ({
  action,
  actor,
  clientIp,
  outcome,
  detail,
});

const byAdmin = { actor: "admin", clientIp: "127.0.0.1", outcome: "ok" };
const bySystem = { actor: null, clientIp: null, outcome: "ok" };

describe("actions a request caused", () => {
  let server: TestServer;
  const rows = (target: string) => rowsOf((path) => server.request("GET", path), target);

  beforeAll(async () => {
    server = await startTestServer();
  }, 60_000);
  afterAll(() => server?.dispose());

  test("created, renamed, typed into, stopped, deleted: one row each, with the user and address", async () => {
    const session = await server.spawnShell("exec cat");
    await server.request("PATCH", `/sessions/${session.id}`, { name: "renamed" });
    await server.request("POST", `/sessions/${session.id}/input`, { data: "hello\n" });
    await server.request("POST", `/sessions/${session.id}/stop`);
    await server.request("DELETE", `/sessions/${session.id}`);
    expect((await rows(session.id)).map(said)).toEqual([
      { action: "session.create", ...byAdmin, detail: { provider: "shell" } },
      { action: "session.rename", ...byAdmin, detail: { name: "renamed" } },
      { action: "session.input", ...byAdmin, detail: { bytes: 6 } },
      // The exit the stop caused is the stop's row, not one of its own.
      { action: "session.stop", ...byAdmin, detail: {} },
      { action: "session.delete", ...byAdmin, detail: {} },
    ]);
  });

  test("restarted: a row on the old session naming the new one; the new one has no create row", async () => {
    const session = await server.spawnShell("exec cat");
    const restarted = bodyOf(
      await server.request("POST", `/sessions/${session.id}/restart`),
      201,
      sessionSchema,
    );
    expect((await rows(session.id)).map(said)).toEqual([
      { action: "session.create", ...byAdmin, detail: { provider: "shell" } },
      {
        action: "session.restart",
        ...byAdmin,
        detail: { newSessionId: restarted.id, state: restarted.state },
      },
    ]);
    expect(await rows(restarted.id)).toEqual([]);
  });

  test("answered: a row with the channel and the option typed", async () => {
    const session = await server.spawnShell('read -r -p "Go on? [y/N] " reply; sleep 30');
    const prompt = await eventually(async () => {
      const body = await server.getSession(session.id);
      return body.activity?.state === "waiting" ? (body.activity.prompt ?? undefined) : undefined;
    }, "the prompt");
    const answered = await server.request("POST", `/sessions/${session.id}/answer`, {
      fingerprint: prompt.fingerprint,
      option: 0,
    });
    expect(answered.status).toBe(200);
    expect((await rows(session.id)).map(said).at(-1)).toEqual({
      action: "session.answer",
      ...byAdmin,
      detail: { channel: "web", option: 0 },
    });
  });

  test("a refused request still leaves its row, from the request (nothing happened)", async () => {
    const session = await server.spawnShell("exit 0");
    await eventually(async () => {
      const body = await server.getSession(session.id);
      return body.state === "ended" ? true : undefined;
    }, "the session to end");
    const refused = await server.request("POST", `/sessions/${session.id}/input`, { data: "x" });
    expect(refused.status).toBe(409);
    expect((await rows(session.id)).map(said).at(-1)).toEqual({
      action: "session.input",
      ...byAdmin,
      outcome: "error",
      detail: { status: 409 },
    });
  });

  test.each([
    ["exit 0", 0],
    ["exit 3", 3],
  ] as const)(
    "ended by itself (%s): a row with no actor, the exit code and why",
    async (script, exitCode) => {
      const session = await server.spawnShell(script);
      const ended = await eventually(async () => {
        const found = (await rows(session.id)).find((row) => row.action === "session.end");
        return found && said(found);
      }, "the end's row");
      expect(ended).toEqual({
        action: "session.end",
        ...bySystem,
        detail: {
          reason: "exited",
          state: "ended",
          exitCode,
          exitSignal: null,
          endReason: `exited with code ${exitCode}`,
        },
      });
    },
  );
});

describe("actions the server took by itself", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  async function setUp(ptyHost: "auto" | "inprocess") {
    const fixture = await createServerFixture(
      { PTY_HOST: ptyHost, RATE_LIMIT_SESSION_OPS: "100000/min" },
      async (dataDir) => {
        if (existsSync(join(dataDir, "pty-host.lock"))) await stopProcess(hostPid(dataDir));
      },
    );
    cleanups.push(() => fixture.dispose());
    return fixture;
  }

  const rowsAt = (server: ServerProcess, target: string) =>
    rowsOf((path) => requestJson(server, "GET", path), target);

  const lastRow = async (server: ServerProcess, target: string, action: string) =>
    eventually(async () => {
      const found = (await rowsAt(server, target)).findLast((row) => row.action === action);
      return found && said(found);
    }, `the ${action} row`);

  test("a session the PTY host kept through a server restart is resumed at start", async () => {
    const { start } = await setUp("auto");
    const first = await start();
    const session = await spawnShell(first, "exec cat");
    first.process.kill("SIGTERM");
    expect(await first.process.exited).toBe(0);
    const second = await start();
    expect(await lastRow(second, session.id, "session.resume")).toEqual({
      action: "session.resume",
      ...bySystem,
      detail: { reason: "server_start" },
    });
    second.process.kill("SIGTERM");
    await second.process.exited;
  }, 90_000);

  test("a session left live by a server that died is interrupted at the next start", async () => {
    const { start } = await setUp("inprocess");
    const first = await start();
    const session = await spawnShell(first, "exec cat");
    first.process.kill("SIGKILL");
    await first.process.exited;
    const second = await start();
    const row = await lastRow(second, session.id, "session.interrupt");
    expect(row).toMatchObject({ action: "session.interrupt", ...bySystem });
    expect(row.detail).toMatchObject({ reason: "server_start" });
    expect(typeof row.detail?.endReason).toBe("string");
    second.process.kill("SIGTERM");
    await second.process.exited;
  }, 90_000);

  test("a lost PTY host interrupts its sessions", async () => {
    const { dataDir, start } = await setUp("auto");
    const server = await start();
    const session = await spawnShell(server, "exec cat");
    process.kill(hostPid(dataDir), "SIGKILL");
    const row = await lastRow(server, session.id, "session.interrupt");
    expect(row).toMatchObject({ action: "session.interrupt", ...bySystem });
    expect(row.detail).toMatchObject({ reason: "host_lost" });
    expect(String(row.detail?.message)).toContain("SIGKILL");
    server.process.kill("SIGTERM");
    await server.process.exited;
  }, 90_000);
});
