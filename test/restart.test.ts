// A server that goes away (crash or clean shutdown) leaves its live sessions `interrupted`, and
// their scrollback stays readable after the next start.

import { afterAll, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Session } from "../src/protocol/session.ts";
import { isRunning } from "./support/process.ts";
import {
  createServerFixture,
  type ServerProcess,
  sessionOf,
  spawnShell,
  startServerProcess,
} from "./support/process-server.ts";
import { eventually, TEST_HOME } from "./support/server.ts";
import { StreamClient, streamUrl } from "./support/ws-client.ts";

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function setUp() {
  const fixture = await createServerFixture();
  cleanups.push(() => fixture.dispose());
  return fixture;
}

async function spawnWithOutput(server: ServerProcess, text: string): Promise<Session> {
  const created = await spawnShell(server, `printf '${text}'; sleep 300`);
  const viewer = await StreamClient.connect(streamUrl(server.api, created.id), server.auth);
  await viewer.waitForText(text);
  viewer.close();
  return created;
}

test.each([
  ["SIGKILL", "the server stopped while the session was live"],
  ["SIGTERM", "the server shut down"],
] as const)(
  "after %s the next start marks live sessions interrupted and still serves their scrollback",
  async (signal, reason) => {
    const { dataDir, start } = await setUp();
    const first = await start();
    const session = await spawnWithOutput(first, "before the restart");

    if (signal === "SIGKILL") {
      // A crash keeps what the journal flushed; wait until the output is on disk.
      const file = join(dataDir, "scrollback", `${session.id}.log`);
      await eventually(
        () =>
          existsSync(file) && readFileSync(file).includes("before the restart") ? true : undefined,
        "scrollback on disk",
      );
    }
    first.process.kill(signal);
    expect(await first.process.exited).toBe(signal === "SIGKILL" ? 137 : 0);
    // The PTY's hang-up takes the program down with the server.
    await eventually(() => (isRunning(session.pid ?? 0) ? undefined : true), "program gone");

    const second = await start();
    const stored = await sessionOf(second, session.id);
    expect(stored).toMatchObject({ id: session.id, state: "interrupted", endReason: reason });
    expect(stored.endedAt).not.toBeNull();

    const output = await fetch(`${second.api}/sessions/${session.id}/output?since=0`, {
      headers: second.auth,
    });
    expect(await output.text()).toContain("before the restart");
    expect(Number(output.headers.get("x-output-offset"))).toBe(stored.outputOffset);

    const viewer = await StreamClient.connect(streamUrl(second.api, session.id, 0), second.auth);
    expect((await viewer.waitForClose()).code).toBe(1000);
    expect(viewer.output.toString()).toContain("before the restart");
    expect(viewer.events.map((event) => event.type)).toEqual(["hello", "exit"]);
    second.process.kill("SIGTERM");
    await second.process.exited;
  },
  90_000,
);

test("a bad configuration is one line naming the variable, exit code 2", async () => {
  const child = Bun.spawn([process.execPath, join(import.meta.dir, "../src/main.ts")], {
    env: { PATH: process.env.PATH ?? "", IDLE_AFTER: "soon" },
    stderr: "pipe",
    stdout: "ignore",
  });
  const stderr = await new Response(child.stderr).text();
  expect(await child.exited).toBe(2);
  expect(stderr.trim().split("\n")).toHaveLength(1);
  expect(stderr).toStartWith("opendray: IDLE_AFTER:");
});

test.each([
  ["a non-loopback bind without a secret", { LISTEN_ADDR: "0.0.0.0:8640" }, "not loopback"],
  [
    "a short secret",
    { LISTEN_ADDR: "0.0.0.0:8640", JWT_SECRET: "only-twenty-one-bytes" },
    "too short (21 bytes",
  ],
  ["a short secret on loopback", { JWT_SECRET: "short" }, "too short (5 bytes"],
])("%s is refused before listening, exit code 2", async (_name, env, message) => {
  const child = Bun.spawn([process.execPath, join(import.meta.dir, "../src/main.ts")], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stderr: "pipe",
    stdout: "ignore",
  });
  const stderr = await new Response(child.stderr).text();
  expect(await child.exited).toBe(2);
  expect(stderr).toStartWith("opendray: JWT_SECRET: ");
  expect(stderr).toContain(message);
  expect(stderr).toContain("openssl rand");
});

test("a non-loopback bind with a strong secret serves, and only with a token", async () => {
  const { env } = await setUp();
  const server = await startServerProcess({
    ...env,
    LISTEN_ADDR: "0.0.0.0:0",
    JWT_SECRET: "a-secret-of-at-least-thirty-two-bytes!!",
  });
  const port = new URL(server.api).port;
  expect((await fetch(`http://127.0.0.1:${port}/api/v1/sessions`)).status).toBe(401);
  const listed = await fetch(`http://127.0.0.1:${port}/api/v1/sessions`, { headers: server.auth });
  expect(listed.status).toBe(200);
  server.process.kill("SIGTERM");
  expect(await server.process.exited).toBe(0);
}, 60_000);

test("a second server on the same DATA_DIR refuses to start", async () => {
  const { start, env } = await setUp();
  const first = await start();
  const second = Bun.spawn([process.execPath, join(import.meta.dir, "../src/main.ts")], {
    env: { PATH: process.env.PATH ?? "", LISTEN_ADDR: "127.0.0.1:0", ...env },
    stderr: "pipe",
    stdout: "ignore",
  });
  const stderr = await new Response(second.stderr).text();
  expect(await second.exited).toBe(1);
  expect(stderr).toContain("is in use by another OpenDray process");
  expect((await fetch(`${first.api}/health`)).status).toBe(200);
  first.process.kill("SIGTERM");
  await first.process.exited;
}, 60_000);

test("a first start on loopback prints a one-time setup link, and warns when run as root", async () => {
  const { env } = await setUp();
  const child = Bun.spawn([process.execPath, join(import.meta.dir, "../src/main.ts")], {
    env: { PATH: process.env.PATH ?? "", HOME: TEST_HOME, LISTEN_ADDR: "127.0.0.1:0", ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const stdout = child.stdout.getReader();
  let printed = "";
  while (!printed.includes("curl -X POST")) {
    const { value, done } = await stdout.read();
    if (done) break;
    printed += new TextDecoder().decode(value);
  }
  child.kill("SIGTERM");
  const stderr = await new Response(child.stderr).text();
  await child.exited;
  expect(printed).toMatch(
    /No account exists yet[\s\S]*http:\/\/127\.0\.0\.1:\d+\/setup#token=[\w-]{32}/,
  );
  expect(stderr.includes("WARNING: OpenDray runs as root")).toBe(process.getuid?.() === 0);
}, 60_000);
