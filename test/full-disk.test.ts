// A full DATA_DIR costs scrollback, never a running program: on a real tmpfs filled by flooding
// sessions, the PTY host (PTY_HOST=auto) and the server stay up, sessions go on echoing, no
// temporary file is left, the output endpoint and the stream say what the scrollback file lacks,
// the same failure is logged once (with a count later), and a start on the full disk works (or,
// when PGlite cannot start, says that the disk is full).

import { afterAll, expect, test } from "bun:test";
import { execFileSync } from "node:child_process";
import {
  closeSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statfsSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { loadConfig } from "../src/config.ts";
import { isDatabaseUnavailable, openDatabase } from "../src/db/client.ts";
import { createLogger } from "../src/log.ts";
import type { Session } from "../src/protocol/session.ts";
import { startDetachedHost } from "../src/pty-host/launcher.ts";
import { createTestDatabase } from "./support/database.ts";
import { isRunning, stopProcess } from "./support/process.ts";
import { eventually, outputOf, startTestServer, type TestServer } from "./support/server.ts";
import { StreamClient, streamUrl } from "./support/ws-client.ts";

/** PGlite's files take about 40 MiB; the rest is for scrollback until the filler takes it. */
const TMPFS_SIZE = "64m";
const MIB = 1024 * 1024;
/** What each flooding session prints before it turns quiet (and echoes its input). */
const FLOOD_BYTES = 12_000_000;
/** What the last session prints once the disk is full: more than any file can take then. */
const LOST_BYTES = 3_000_000;

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

function freeBytes(dir: string): number {
  const stats = statfsSync(dir);
  return stats.bavail * stats.bsize;
}

/** Writes `path` until the file system says ENOSPC, leaving `keep` bytes free. */
function fill(path: string, keep = 0): void {
  const fd = openSync(path, "a");
  try {
    for (let size = MIB; size >= 1; size = Math.floor(size / 2)) {
      for (;;) {
        const room = freeBytes(path) - keep;
        if (room < size) break;
        try {
          writeSync(fd, Buffer.alloc(size, 1));
        } catch (error) {
          if ((error as { code?: string }).code !== "ENOSPC") throw error;
          break;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Appends newlines to `path` until ENOSPC: on a full file system a file's last block may still
 * have room, and the PTY host's log must have none, as it would after enough lines.
 */
function fillLastBlock(path: string): void {
  const fd = openSync(path, "a");
  try {
    for (;;) writeSync(fd, "\n");
  } catch (error) {
    if ((error as { code?: string }).code !== "ENOSPC") throw error;
  } finally {
    closeSync(fd);
  }
}

/** A real tmpfs of TMPFS_SIZE with an embedded database in DATA_DIR/pgdata, as a user has it. */
async function mountDataDir(): Promise<{ mount: string; dataDir: string }> {
  const mount = mkdtempSync(join(tmpdir(), "opendray-full-disk-"));
  execFileSync("mount", ["-t", "tmpfs", "-o", `size=${TMPFS_SIZE},mode=0700`, "tmpfs", mount]);
  cleanups.push(() => {
    execFileSync("umount", ["--lazy", mount]);
    rmSync(mount, { recursive: true, force: true });
  });
  const dataDir = join(mount, "data");
  mkdirSync(dataDir, { mode: 0o700 });
  const template = await createTestDatabase("pglite");
  if (template.config.kind !== "pglite") throw new Error("expected a PGlite database");
  cpSync(template.config.dataDir, join(dataDir, "pgdata"), { recursive: true });
  await template.drop();
  return { mount, dataDir };
}

async function session(server: TestServer, id: string): Promise<Session> {
  return server.getSession(id);
}

/** Types `line` into a session and waits until the program's answer shows in its output. */
async function echoes(server: TestServer, id: string, line: string): Promise<void> {
  const before = (await session(server, id)).outputOffset;
  const typed = await server.request("POST", `/sessions/${id}/input`, { data: `${line}\n` });
  expect(typed.status).toBe(204);
  // The terminal echoes the line, then cat prints it again.
  await eventually(
    async () =>
      (await outputOf(server, id, before)).text.split(line).length > 2 ? true : undefined,
    `${line} echoed`,
  );
}

test.each(["auto", "inprocess"] as const)(
  "PTY_HOST=%s: a full DATA_DIR costs scrollback, never a session or the server",
  async (ptyHost) => {
    const { mount, dataDir } = await mountDataDir();
    const logPath = join(mkdtempSync(join(tmpdir(), "opendray-full-disk-log-")), "server.log");
    const logFd = openSync(logPath, "a");
    cleanups.push(() => closeSync(logFd));
    const database = {
      config: { kind: "pglite" as const, dataDir: join(dataDir, "pgdata") },
      drop: async () => {},
    };
    const start = () =>
      startTestServer({
        reuse: { database, dataDir },
        env: { PTY_HOST: ptyHost, SCROLLBACK_BYTES: "1mb" },
        logger: createLogger("info", { fd: logFd }),
      });
    let server = await start();
    const hostPid = server.ptyHostPid;
    cleanups.push(async () => {
      await server.close().catch(() => {});
      if (hostPid !== null) await stopProcess(hostPid);
    });
    const scrollback = join(dataDir, "scrollback");

    // A session whose first words reach its file while there is room; what it prints once the
    // disk is full never can.
    const last = await server.spawnShell(
      `printf 'kept before the disk filled\\n'; read go; head -c ${LOST_BYTES} /dev/zero | tr '\\0' z; printf '\\nlost at the end\\n'; exit 3`,
    );
    const lastFile = join(scrollback, `${last.id}.log`);
    await eventually(
      () =>
        existsSync(lastFile) && readFileSync(lastFile).includes("kept before the disk filled")
          ? true
          : undefined,
      "the first words in the scrollback file",
    );

    // Leave a few MiB, then let three sessions flood until writes fail, and take what is left.
    fill(join(mount, "filler"), 4 * MIB);
    const flooders: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const flooder = await server.spawnShell(
        `head -c ${FLOOD_BYTES} /dev/zero | tr '\\0' x; printf '\\nflood done\\n'; exec cat`,
      );
      flooders.push(flooder.id);
    }
    for (const id of flooders) {
      await eventually(
        async () => {
          const { outputOffset } = await session(server, id);
          if (outputOffset < FLOOD_BYTES) return undefined;
          return (await outputOf(server, id, outputOffset - 64)).text.includes("flood done")
            ? true
            : undefined;
        },
        "the flood to end",
        20_000,
      );
    }
    fill(join(mount, "filler"));
    if (hostPid !== null) fillLastBlock(join(dataDir, "pty-host.log"));
    expect(freeBytes(mount)).toBe(0);

    // Everything still runs and answers.
    if (hostPid !== null) expect(isRunning(hostPid)).toBe(true);
    expect((await fetch(`${server.url}/api/v1/health`)).status).toBe(200);
    for (const [i, id] of flooders.entries()) {
      expect((await session(server, id)).state).toBe("running");
      await echoes(server, id, `still here ${i}`);
    }

    // The last session prints what cannot be written, and ends.
    const offsetBefore = (await session(server, last.id)).outputOffset;
    expect(
      (await server.request("POST", `/sessions/${last.id}/input`, { data: "go\n" })).status,
    ).toBe(204);
    const ended = await eventually(
      async () => {
        const current = await session(server, last.id);
        return current.state === "ended" ? current : undefined;
      },
      "the last session to end",
      20_000,
    );
    expect(ended.exitCode).toBe(3);
    expect(ended.outputOffset).toBeGreaterThan(offsetBefore + LOST_BYTES);
    // Every failed write since (and its log line) cost nothing else.
    if (hostPid !== null) expect(isRunning(hostPid)).toBe(true);
    for (const id of flooders) expect((await session(server, id)).state).toBe("running");

    // Its file lacks the end: the endpoint and the stream say so instead of showing a false end.
    const output = await outputOf(server, last.id, 0);
    expect(output.text).toContain("kept before the disk filled");
    expect(output.text).not.toContain("lost at the end");
    expect(output.end).toBe(ended.outputOffset);
    const fileEnd = output.start + output.text.length;
    expect(fileEnd).toBeLessThan(output.end);
    const viewer = await StreamClient.connect(streamUrl(server.api, last.id, 0), server.auth);
    await viewer.waitForClose();
    expect(viewer.closed?.code).toBe(1000);
    expect(viewer.output.toString("latin1")).toBe(output.text);
    expect(viewer.events.map((event) => event.type)).toEqual(["hello", "truncated", "exit"]);
    expect(viewer.events[0]).toMatchObject({ offset: ended.outputOffset, bufferStart: 0 });
    expect(viewer.events[1]).toEqual({ type: "truncated", from: fileEnd, to: ended.outputOffset });
    expect(viewer.events[2]).toMatchObject({ exitCode: 3 });
    // A reader may ask for any offset up to the real end.
    expect((await outputOf(server, last.id, ended.outputOffset)).text).toBe("");

    // No temporary file is left behind by the writes that failed.
    expect(readdirSync(scrollback).filter((name) => name.endsWith(".tmp"))).toEqual([]);

    // The same failure is one line, not one per flush.
    const logged = readFileSync(logPath, "utf8").split("\n");
    const enospc = logged.filter((line) => line.includes("ENOSPC"));
    if (ptyHost === "inprocess") expect(enospc.length).toBeGreaterThan(0);
    expect(enospc.length).toBeLessThanOrEqual(3);

    // A start on the full disk (closing freed a little: take that too) works; with the PTY host
    // the sessions went on all along.
    await server.close();
    fill(join(mount, "filler"));
    expect(freeBytes(mount)).toBe(0);
    server = await start();
    expect((await fetch(`${server.url}/api/v1/health`)).status).toBe(200);
    if (hostPid !== null) {
      expect(server.ptyHostPid).toBe(hostPid);
      for (const [i, id] of flooders.entries()) await echoes(server, id, `back again ${i}`);
    }
    // A rewrite may be under way as the sessions go on (its temporary file then exists for a
    // moment); none that failed stays.
    await eventually(
      () => (readdirSync(scrollback).some((name) => name.endsWith(".tmp")) ? undefined : true),
      "no temporary scrollback file",
    );
  },
  90_000,
);

test("an embedded database that cannot start on a full disk says that the disk is full", async () => {
  const { mount, dataDir } = await mountDataDir();
  fill(join(mount, "filler"));
  expect(freeBytes(mount)).toBe(0);
  // Never opened on this disk, PGlite needs room to start, and reports only that it failed.
  await expect(openDatabase({ kind: "pglite", dataDir: join(dataDir, "pgdata") })).rejects.toThrow(
    /^cannot open embedded database in .*: PGlite failed to initialize properly; the disk holding it is full \(0 B free\): free some space, then start again$/,
  );
});

test("the PTY host starts on a full DATA_DIR", async () => {
  const { mount, dataDir } = await mountDataDir();
  const config = loadConfig({ DATA_DIR: dataDir, PTY_HOST: "auto" });
  // What a host that ran before leaves: its log and lock files exist, the disk is full.
  const first = await startDetachedHost(config);
  await stopProcess(first);
  fill(join(mount, "filler"));
  fillLastBlock(join(dataDir, "pty-host.log"));
  expect(freeBytes(mount)).toBe(0);
  const pid = await startDetachedHost(config);
  cleanups.push(() => stopProcess(pid));
  expect(isRunning(pid)).toBe(true);
});

test("a row the embedded database cannot write for a full disk counts as a database that is away: it waits and is retried", async () => {
  const { mount, dataDir } = await mountDataDir();
  const database = await openDatabase({ kind: "pglite", dataDir: join(dataDir, "pgdata") });
  cleanups.push(() => database.close());
  await database.db.execute(sql`create table filler (bytes text)`);
  fill(join(mount, "filler"));
  const row = sql`insert into filler select repeat(md5(random()::text), 64) from generate_series(1, 2000)`;
  let failure: unknown;
  for (let attempt = 0; attempt < 50 && !failure; attempt++) {
    failure = await database.db.execute(row).then(
      () => undefined,
      (error: unknown) => error,
    );
  }
  expect(String((failure as { cause?: unknown })?.cause ?? failure)).toMatch(
    /No space left on device/,
  );
  expect(isDatabaseUnavailable(failure)).toBe(true);
  // With room again, the same write goes through: the row writer's retry then stores the state.
  rmSync(join(mount, "filler"));
  await database.db.execute(row);
});
