// Many readers of one finished session share one copy of its scrollback: a hundred viewers
// replaying it from since=0 and GET /output requests at once cost the server about one
// scrollback of memory, not one per reader, and every reader still gets every byte.

import { afterAll, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { searchResponseSchema } from "../src/protocol/search.ts";
import {
  createServerFixture,
  requestJson,
  type ServerProcess,
  sessionOf,
  spawnShell,
} from "./support/process-server.ts";
import { bodyOf } from "./support/responses.ts";
import { eventually } from "./support/server.ts";
import { StreamClient, streamUrl } from "./support/ws-client.ts";

const SCROLLBACK_BYTES = 4 * 1024 * 1024;
/** Readers of each kind, all at once. */
const READERS = 25;
/**
 * What the server may grow by besides the shared copy: up to a frame or body chunk waiting in
 * each socket's buffer, garbage not yet collected, code compiled on first use (measured: 18 to
 * 31 MiB; one copy per reader made it 350 and more).
 */
const MARGIN_BYTES = 56 * 1024 * 1024;
/** `seq 1 LAST` prints about 5.4 MB through the terminal: more than the ring keeps. */
const LAST = 700_000;

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** A field of /proc/<pid>/status, in bytes (VmRSS: now, VmHWM: the peak since the last reset). */
function memoryOf(pid: number, field: "VmRSS" | "VmHWM"): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = new RegExp(`^${field}:\\s+(\\d+) kB$`, "m").exec(status)?.[1];
  if (kib === undefined) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(kib) * 1024;
}

/** Make VmHWM start again from the current RSS (proc(5): clear_refs, "5"). */
function resetPeak(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, "5");
}

async function finishedSession(server: ServerProcess): Promise<string> {
  const session = await spawnShell(server, `seq 1 ${LAST}`);
  await eventually(
    async () => ((await sessionOf(server, session.id)).state === "ended" ? true : undefined),
    "the session to end",
    20_000,
  );
  return session.id;
}

async function readOutput(server: ServerProcess, id: string) {
  const response = await fetch(`${server.api}/sessions/${id}/output?since=0`, {
    headers: server.auth,
    keepalive: false,
  });
  return {
    status: response.status,
    start: Number(response.headers.get("x-output-start")),
    end: Number(response.headers.get("x-output-offset")),
    bytes: Buffer.from(await response.arrayBuffer()),
  };
}

/** A stream from `since` (inside the ring: the exact bytes, not a snapshot of the screen). */
async function replay(server: ServerProcess, id: string, since: number) {
  const viewer = await StreamClient.connect(streamUrl(server.api, id, since), server.auth);
  const closed = await viewer.waitForClose(25_000);
  return { closed, events: viewer.events, bytes: viewer.output };
}

test("readers of a finished session share one copy of its scrollback and get every byte", async () => {
  const fixture = await createServerFixture({
    SCROLLBACK_BYTES: "4mb",
    RATE_LIMIT_READS: "100000/min",
  });
  cleanups.push(() => fixture.dispose());
  const first = await fixture.start();
  const id = await finishedSession(first);
  // A fresh server serves the session from its file alone, and its RSS owes nothing to the flood.
  first.process.kill("SIGTERM");
  expect(await first.process.exited).toBe(0);
  const server = await fixture.start();

  // What the file keeps is the truth every reader must get: the ring's last 4 MiB.
  const file = readFileSync(join(fixture.dataDir, "scrollback", `${id}.log`));
  const start = Number(file.readBigUInt64LE(8));
  const kept = file.subarray(16);
  expect(kept.length).toBe(SCROLLBACK_BYTES);
  expect(kept.subarray(-10).toString()).toBe(`\r\n${LAST}\r\n`);
  const end = start + kept.length;

  // The search indexer reads the file at start-up (what the first server had not indexed):
  // let it finish, so that what is measured below is the readers alone.
  await eventually(
    async () => {
      const response = await requestJson(server, "GET", `/search?q=${LAST}`);
      const { results } = bodyOf(response, 200, searchResponseSchema);
      return results.length > 0 ? true : undefined;
    },
    "the scrollback to be indexed",
    20_000,
  );
  const pid = server.process.pid;
  const before = memoryOf(pid, "VmRSS");
  resetPeak(pid);
  const [streams, outputs] = await Promise.all([
    Promise.all(Array.from({ length: READERS }, () => replay(server, id, start))),
    Promise.all(Array.from({ length: READERS }, () => readOutput(server, id))),
  ]);
  const growth = memoryOf(pid, "VmHWM") - before;
  console.log(
    `${READERS} streams and ${READERS} GET /output of a ${kept.length}-byte scrollback: ` +
      `server RSS ${(before / 2 ** 20).toFixed(0)} MiB, peak +${(growth / 2 ** 20).toFixed(0)} MiB`,
  );

  for (const stream of streams) {
    expect(stream.closed.code).toBe(1000);
    const types = stream.events.map((event) => event.type);
    expect(types).toEqual(["hello", "exit"]);
    expect(stream.events[0]).toMatchObject({ offset: end, bufferStart: start });
    expect(stream.bytes.equals(kept)).toBe(true);
  }
  for (const output of outputs) {
    expect(output).toMatchObject({ status: 200, start, end });
    expect(output.bytes.equals(kept)).toBe(true);
  }
  expect(growth).toBeLessThan(2 * SCROLLBACK_BYTES + MARGIN_BYTES);
}, 60_000);
