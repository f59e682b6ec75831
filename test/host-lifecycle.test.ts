// The PTY host's lifecycle against real processes: a restart with sessions that printed nothing
// (or ended with nothing printed while no server ran) is not held up; ended sessions give their
// PTY masters back at once (counted in /proc, in the host and in process); a lost host gives its
// sessions the true reason.

import { afterAll, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isRunning, stopProcess } from "./support/process.ts";
import {
  createServerFixture,
  requestJson,
  type ServerProcess,
  spawnShell,
} from "./support/process-server.ts";
import { eventually } from "./support/server.ts";
import { StreamClient, streamUrl } from "./support/ws-client.ts";

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** The PTY host's pid, from the lock file it holds in DATA_DIR. */
function hostPid(dataDir: string): number {
  return Number(readFileSync(join(dataDir, "pty-host.lock"), "utf8").trim());
}

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
  expect((await requestJson(first, "GET", `/sessions/${quiet.id}`)).body.outputOffset).toBe(0);
  await stopServer(first);

  const second = await start();
  const stored = await requestJson(second, "GET", `/sessions/${quiet.id}`);
  expect(stored.body).toMatchObject({ state: "running", pid: quiet.pid, endReason: null });
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
    expect((await requestJson(first, "GET", `/sessions/${id}`)).body.outputOffset).toBe(0);
  }
  await stopServer(first);
  writeFileSync(gate, "");
  await eventually(() => (isRunning(ending.pid ?? 0) ? undefined : true), "the program gone");

  const second = await start();
  const ended = await eventually(async () => {
    const { body } = await requestJson(second, "GET", `/sessions/${ending.id}`);
    return body.state === "ended" ? body : undefined;
  }, "the exit stored");
  expect(ended).toMatchObject({ exitCode: 3, outputOffset: 0, endReason: "exited with code 3" });
  const live = await requestJson(second, "GET", `/sessions/${staying.id}`);
  expect(live.body).toMatchObject({ state: "running", pid: staying.pid });
  await expectUsable(second, staying.id, "not hung up");
  await stopServer(second);
}, 90_000);
