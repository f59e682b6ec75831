// The PTY host's lifecycle against real processes: a restart with sessions that printed nothing
// (or ended with nothing printed while no server ran) is not held up; ended sessions give their
// PTY masters back at once (counted in /proc, in the host and in process); a lost host gives its
// sessions the true reason.

import { afterAll, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isRunning, stopProcess } from "./support/process.ts";
import {
  createServerFixture,
  hostPid,
  type ServerProcess,
  sessionOf,
  spawnShell,
} from "./support/process-server.ts";
import { eventually } from "./support/server.ts";
import { StreamClient, streamUrl } from "./support/ws-client.ts";

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function setUp(ptyHost: "auto" | "inprocess" = "auto") {
  const env = { PTY_HOST: ptyHost, RATE_LIMIT_SESSION_OPS: "100000/min" };
  const fixture = await createServerFixture(env, async (dataDir) => {
    // Every host this data directory had, whatever the test did.
    if (existsSync(join(dataDir, "pty-host.lock"))) await stopProcess(hostPid(dataDir));
  });
  cleanups.push(() => fixture.dispose());
  return fixture;
}

async function stopServer(server: ServerProcess) {
  server.process.kill("SIGTERM");
  expect(await server.process.exited).toBe(0);
}

/** Type a line into a running `cat` and see it twice: the terminal's echo and cat's copy. */
async function expectUsable(server: ServerProcess, id: string, line: string) {
  const viewer = await StreamClient.connect(streamUrl(server.api, id, 0), server.auth);
  viewer.send(new TextEncoder().encode(`${line}\n`));
  await viewer.waitForText(`${line}\r\n${line}\r\n`);
  viewer.close();
}

test("a session that printed nothing does not hold up the next start: it is adopted, live and usable", async () => {
  const { dataDir, start } = await setUp();
  const first = await start();
  const quiet = await spawnShell(first, "exec cat");
  const host = hostPid(dataDir);
  // The reproduction needs an empty ring: the host then has no replay to send for it.
  expect((await sessionOf(first, quiet.id)).outputOffset).toBe(0);
  await stopServer(first);

  const second = await start();
  const stored = await sessionOf(second, quiet.id);
  expect(stored).toMatchObject({ state: "running", pid: quiet.pid, endReason: null });
  expect(hostPid(dataDir)).toBe(host);
  await expectUsable(second, quiet.id, "still here");
  await stopServer(second);
}, 90_000);

test("a session that ended with nothing printed while no server ran: the next start records its exit, the others stay live", async () => {
  const { dataDir, start } = await setUp();
  const first = await start();
  const gate = join(dataDir, "gate");
  const ending = await spawnShell(first, `while [ ! -e ${gate} ]; do sleep 0.05; done; exit 3`);
  const staying = await spawnShell(first, "exec cat");
  for (const { id } of [ending, staying]) {
    expect((await sessionOf(first, id)).outputOffset).toBe(0);
  }
  await stopServer(first);
  writeFileSync(gate, "");
  await eventually(() => (isRunning(ending.pid ?? 0) ? undefined : true), "the program gone");

  const second = await start();
  const ended = await eventually(async () => {
    const body = await sessionOf(second, ending.id);
    return body.state === "ended" ? body : undefined;
  }, "the exit stored");
  expect(ended).toMatchObject({ exitCode: 3, outputOffset: 0, endReason: "exited with code 3" });
  const live = await sessionOf(second, staying.id);
  expect(live).toMatchObject({ state: "running", pid: staying.pid });
  await expectUsable(second, staying.id, "not hung up");
  await stopServer(second);
}, 90_000);

/** The /dev/ptmx descriptors `pid` holds: one per PTY master it has not closed. */
function ptyMasters(pid: number): number {
  let count = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`) === "/dev/ptmx") count += 1;
    } catch {
      // Closed between the listing and the read.
    }
  }
  return count;
}

function kernelPtys(): number {
  return Number(readFileSync("/proc/sys/kernel/pty/nr", "utf8"));
}

const CHURN = 40;
const BATCH = 10;

test.each(["auto", "inprocess"] as const)(
  "PTY_HOST=%s: sessions that end give their PTY masters back at once",
  async (mode) => {
    const { dataDir, start } = await setUp(mode);
    const server = await start();
    // A session that stays, so that the process owning the PTYs (the host) stays too.
    const keeper = await spawnShell(server, "exec cat");
    const owner = mode === "auto" ? hostPid(dataDir) : server.process.pid;
    // A live terminal holds its master more than once (Bun duplicates it for reading).
    const mastersBefore = ptyMasters(owner);
    expect(mastersBefore).toBeGreaterThan(0);
    const ptysBefore = kernelPtys();

    // Half end on their own, half are deleted while running; every one is deleted.
    for (let done = 0; done < CHURN; done += BATCH) {
      const batch = await Promise.all(
        Array.from({ length: BATCH }, (_, i) =>
          spawnShell(server, (done + i) % 2 === 0 ? "exit 0" : "exec sleep 300"),
        ),
      );
      for (const session of batch) {
        const removed = await fetch(`${server.api}/sessions/${session.id}`, {
          method: "DELETE",
          headers: server.auth,
          keepalive: false,
        });
        expect(removed.status).toBe(204);
      }
    }
    // Other processes on the machine open PTYs too: the kernel figure is only reported.
    console.log(
      `PTY_HOST=${mode}: ${CHURN} sessions churned; /dev/ptmx held by pid ${owner}: ${mastersBefore} → ${ptyMasters(owner)}; kernel ptys ${ptysBefore} → ${kernelPtys()}`,
    );
    expect(ptyMasters(owner)).toBe(mastersBefore);
    expect((await sessionOf(server, keeper.id)).state).toBe("running");
    await stopServer(server);
  },
  90_000,
);

test("a killed host: its sessions' endReason says so, with the signal when this server started it", async () => {
  const { dataDir, start } = await setUp();
  const server = await start();
  const sessions = [await spawnShell(server, "exec cat"), await spawnShell(server, "exec cat")];
  const host = hostPid(dataDir);
  process.kill(host, "SIGKILL");
  for (const { id } of sessions) {
    const stored = await eventually(async () => {
      const body = await sessionOf(server, id);
      return body.state === "interrupted" ? body : undefined;
    }, "the session interrupted");
    expect(stored.endReason).toBe(
      `the PTY host (pid ${host}) was killed by SIGKILL while the session was live`,
    );
  }
  await stopServer(server);
}, 90_000);

test("a host started by an earlier server, killed: the restarted server's sessions say the host exited", async () => {
  const { dataDir, start } = await setUp();
  const first = await start();
  const session = await spawnShell(first, "exec cat");
  const host = hostPid(dataDir);
  await stopServer(first);
  const second = await start();
  expect((await sessionOf(second, session.id)).state).toBe("running");
  process.kill(host, "SIGKILL");
  const stored = await eventually(async () => {
    const body = await sessionOf(second, session.id);
    return body.state === "interrupted" ? body : undefined;
  }, "the session interrupted");
  expect(stored.endReason).toBe(`the PTY host (pid ${host}) exited while the session was live`);
  await stopServer(second);
}, 90_000);

test("a host killed while no server ran: the next start says the host ended, not the server", async () => {
  const { dataDir, start } = await setUp();
  const first = await start();
  const session = await spawnShell(first, "exec cat");
  const host = hostPid(dataDir);
  await stopServer(first);
  process.kill(host, "SIGKILL");
  await eventually(() => (isRunning(session.pid ?? 0) ? undefined : true), "the program gone");

  const second = await start();
  const stored = await sessionOf(second, session.id);
  expect(stored).toMatchObject({
    state: "interrupted",
    endReason: `the PTY host (pid ${host}) ended while no server was connected`,
  });
  await stopServer(second);
}, 90_000);
