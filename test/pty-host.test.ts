// PTY_HOST=auto: sessions live in a detached PTY host and outlive the server. A restarted server
// (SIGTERM or SIGKILL) finds them running with the same PIDs and serves the bytes produced while
// it was down; a dead host leaves its sessions interrupted with their scrollback readable.

import { afterAll, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { compiledBinary } from "./support/binary.ts";
import { isRunning, stopProcess } from "./support/process.ts";
import {
  createServerFixture,
  hostPid,
  sessionOf,
  spawnShell,
  startServerProcess,
} from "./support/process-server.ts";
import { eventually } from "./support/server.ts";
import { StreamClient, streamUrl } from "./support/ws-client.ts";

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function setUp(extra: Record<string, string> = {}) {
  const fixture = await createServerFixture({ PTY_HOST: "auto", ...extra }, async (dataDir) => {
    // Every host this data directory had, whatever the test did.
    if (existsSync(join(dataDir, "pty-host.lock"))) await stopProcess(hostPid(dataDir));
  });
  cleanups.push(() => fixture.dispose());
  return fixture;
}

function scrollbackHas(dataDir: string, id: string, text: string) {
  const file = join(dataDir, "scrollback", `${id}.log`);
  return eventually(
    () => (existsSync(file) && readFileSync(file).includes(text) ? true : undefined),
    `"${text}" in the scrollback file`,
  );
}

test.each(["SIGTERM", "SIGKILL"] as const)(
  "after %s the restarted server serves the same running sessions and what they printed meanwhile",
  async (signal) => {
    const { dataDir, start } = await setUp();
    const first = await start();
    const gate = join(dataDir, "gate");
    const session = await spawnShell(
      first,
      `printf 'before\\n'; while [ ! -e ${gate} ]; do sleep 0.05; done; printf 'while-down\\n'; exec cat`,
    );
    const viewer = await StreamClient.connect(streamUrl(first.api, session.id, 0), first.auth);
    await viewer.waitForText("before\r\n");
    const seen = viewer.byteCount;
    viewer.close();
    const host = hostPid(dataDir);

    first.process.kill(signal);
    await first.process.exited;
    expect(isRunning(session.pid ?? 0)).toBe(true);
    writeFileSync(gate, "");
    await scrollbackHas(dataDir, session.id, "while-down");

    const second = await start();
    const stored = await sessionOf(second, session.id);
    expect(stored).toMatchObject({ state: "running", pid: session.pid, endReason: null });
    expect(hostPid(dataDir)).toBe(host);

    const again = await StreamClient.connect(streamUrl(second.api, session.id, seen), second.auth);
    await again.waitForText("while-down\r\n");
    expect(again.output.toString()).toBe("while-down\r\n");
    expect(again.events[0]).toMatchObject({ type: "hello", bufferStart: 0 });
    again.send(new TextEncoder().encode("typed again\n"));
    await again.waitForOutput(
      (output) => output.toString().split("typed again").length === 3,
      "the echo and cat's copy",
    );
    again.close();

    second.process.kill("SIGTERM");
    expect(await second.process.exited).toBe(0);
    expect(isRunning(session.pid ?? 0)).toBe(true);
  },
  90_000,
);

test("a killed host leaves its sessions interrupted, scrollback readable; the next spawn starts a new host", async () => {
  const { dataDir, start } = await setUp();
  const server = await start();
  const session = await spawnShell(server, "printf 'kept after the host\\n'; exec sleep 300");
  const viewer = await StreamClient.connect(streamUrl(server.api, session.id, 0), server.auth);
  await viewer.waitForText("kept after the host");
  const host = hostPid(dataDir);
  process.kill(host, "SIGKILL");
  expect((await viewer.waitForClose()).code).toBe(1001);

  const stored = await eventually(async () => {
    const body = await sessionOf(server, session.id);
    return body.state === "interrupted" ? body : undefined;
  }, "the session interrupted");
  expect(stored.endReason).toBe(
    `the PTY host (pid ${host}) was killed by SIGKILL while the session was live`,
  );
  const output = await fetch(`${server.api}/sessions/${session.id}/output?since=0`, {
    headers: server.auth,
  });
  expect(await output.text()).toBe("kept after the host\r\n");
  expect(Number(output.headers.get("x-output-offset"))).toBe(stored.outputOffset);

  const next = await spawnShell(server, "exec sleep 300");
  expect(next.state).toBe("running");
  expect(hostPid(dataDir)).not.toBe(host);
  server.process.kill("SIGTERM");
  await server.process.exited;
}, 90_000);

test("a host that died while the server was down: its sessions are interrupted at the next start", async () => {
  const { dataDir, start } = await setUp();
  const first = await start();
  const session = await spawnShell(first, "printf 'from the old host\\n'; exec sleep 300");
  await scrollbackHas(dataDir, session.id, "from the old host");
  first.process.kill("SIGKILL");
  await first.process.exited;
  process.kill(hostPid(dataDir), "SIGKILL");
  await eventually(() => (isRunning(session.pid ?? 0) ? undefined : true), "the program gone");

  const second = await start();
  const stored = await sessionOf(second, session.id);
  expect(stored).toMatchObject({ state: "interrupted" });
  const output = await fetch(`${second.api}/sessions/${session.id}/output?since=0`, {
    headers: second.auth,
  });
  expect(await output.text()).toBe("from the old host\r\n");
  second.process.kill("SIGTERM");
  await second.process.exited;
}, 90_000);

test("a server slower than the program loses only mirror bytes: offsets stay exact, the host keeps up", async () => {
  const { start } = await setUp({ SCROLLBACK_BYTES: "64kb" });
  const server = await start();
  const total = 32 * 1024 * 1024;
  const created = await spawnShell(server, `stty raw -echo; head -c ${total} /dev/zero; sleep 300`);
  const viewer = await StreamClient.connect(streamUrl(server.api, created.id, 0), server.auth);
  const ended = await eventually(
    async () => {
      const body = await sessionOf(server, created.id);
      return body.outputOffset === total ? body : undefined;
    },
    "every byte counted",
    30_000,
  );
  expect(ended.state).toBe("running");
  // A viewer that kept up has every byte; one the 64 KiB ring overtook was closed with 4008.
  const outcome = await eventually(
    () => viewer.closed ?? (viewer.byteCount === total ? "complete" : undefined),
    "the viewer complete or closed",
    30_000,
  );
  if (outcome !== "complete") expect(outcome.code).toBe(4008);
  const tail = await fetch(`${server.api}/sessions/${created.id}/output`, {
    headers: server.auth,
  });
  expect(Number(tail.headers.get("x-output-offset"))).toBe(total);
  expect((await tail.arrayBuffer()).byteLength).toBeLessThanOrEqual(64 * 1024);
  viewer.close();
  server.process.kill("SIGTERM");
  await server.process.exited;
}, 90_000);

test("an upgraded server (another executable, same protocol) takes over the running sessions", async () => {
  // The upgrade: the first server runs from source, the second is the compiled binary.
  const binary = await compiledBinary();
  const { dataDir, env, start } = await setUp();
  const first = await start();
  const session = await spawnShell(first, "stty -echo; printf 'old-server\\n'; exec cat");
  const viewer = await StreamClient.connect(streamUrl(first.api, session.id, 0), first.auth);
  await viewer.waitForText("old-server\r\n");
  viewer.close();
  const host = hostPid(dataDir);
  first.process.kill("SIGTERM");
  expect(await first.process.exited).toBe(0);

  const second = await startServerProcess(env, { executable: binary });
  cleanups.push(() => {
    second.process.kill("SIGKILL");
  });
  const stored = await sessionOf(second, session.id);
  expect(stored).toMatchObject({ state: "running", pid: session.pid });
  expect(hostPid(dataDir)).toBe(host);
  const again = await StreamClient.connect(streamUrl(second.api, session.id, 0), second.auth);
  await again.waitForText("old-server\r\n");
  again.send(new TextEncoder().encode("new-server\n"));
  await again.waitForText("old-server\r\nnew-server\r\n");
  again.close();
  second.process.kill("SIGTERM");
  expect(await second.process.exited).toBe(0);
  expect(isRunning(session.pid ?? 0)).toBe(true);
}, 180_000);
