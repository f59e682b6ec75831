// Each session's input has a bounded budget, end to end: a program that does not read its input
// is flooded through its stream while another session's viewer keeps echoing. Runs against the
// real PTY host with OPENDRAY_TEST_PTY_HOST=auto (the `test:host` script), else in process.
//
// Why 100 frames of 1 MiB: 100 MiB is more than every buffer on the way together: the server's
// queue towards the PTY host (64 MiB, past which it takes the host for stuck and drops it), the
// sockets' kernel buffers (a few MiB), the PTY's (64 KiB) and the session's input limit (4 MiB).

import { afterAll, beforeAll, expect, test } from "bun:test";
import type { ServerEvent } from "../src/protocol/stream.ts";
import { INPUT_BUDGET_BYTES, INPUT_LIMIT_BYTES } from "../src/sessions/live-session.ts";
import { createPtyBackend, type PtyBackendName } from "../src/sessions/pty.ts";
import { RawWebSocket } from "./support/raw-ws.ts";
import { errorOf } from "./support/responses.ts";
import { startTestServer, type TestServer } from "./support/server.ts";
import { StreamClient, streamUrl } from "./support/ws-client.ts";

const FLOOD_FRAMES = 100;
const FRAME_BYTES = 1024 * 1024;
const ECHO_ROUNDS = 200;
/** An echo median during the flood at or above this means the flood held the other session up. */
const STARVED_ECHO_MS = 5;

let server: TestServer;
beforeAll(async () => {
  // No protocol pings during the test: the raw flooding client does not answer them.
  server = await startTestServer({ pingIntervalMs: 600_000 });
}, 60_000);
afterAll(async () => {
  await server.dispose();
});

/** Round trips of one key through `client`'s session (a raw `cat`), in milliseconds. */
async function echoTimes(client: StreamClient, rounds: number): Promise<number[]> {
  const times: number[] = [];
  const key = new Uint8Array([0x61]);
  for (let i = 0; i < rounds; i++) {
    const before = client.byteCount;
    const start = performance.now();
    client.send(key);
    await client.waitForBytes(before + 1);
    times.push(performance.now() - start);
  }
  return times;
}

/** What became of a writer's input: its `input` notice's state or its `error`'s code. */
function outcome(client: StreamClient): Promise<string> {
  return Promise.race([
    client.waitForEvent("input").then((event) => event.state),
    client.waitForEvent("error").then((event) => event.code),
  ]);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/**
 * A client frame masked with the key 0, so that its payload goes as it is: the flood then costs
 * this process (which also runs the server) a kernel copy per frame and no masking.
 */
function clientFrame(opcode: number, payload: Uint8Array): Buffer {
  const head = Buffer.alloc(14);
  head[0] = 0x80 | opcode;
  head[1] = 0x80 | 127;
  head.writeBigUInt64BE(BigInt(payload.length), 2);
  return Buffer.concat([head, payload]);
}

/** A raw stream client that sends `frames` binary frames as fast as its socket takes them, then a ping. */
async function startFlood(id: string, frames: number) {
  const client = await RawWebSocket.open(streamUrl(server.api, id), server.auth);
  const frame = clientFrame(2, new Uint8Array(FRAME_BYTES).fill(0x78));
  let sent = 0;
  const pump = () => {
    while (sent < frames) {
      sent += 1;
      if (!client.socket.write(frame)) return;
    }
    client.socket.off("drain", pump);
    // Its pong comes once the server has read every frame before it.
    client.socket.write(clientFrame(1, Buffer.from(JSON.stringify({ type: "ping" }))));
  };
  client.socket.on("drain", pump);
  pump();
  const events = () =>
    client.frames
      .filter((frame) => frame.opcode === 1)
      .map((frame) => JSON.parse(frame.payload.toString()) as ServerEvent);
  return {
    events,
    /** The first event of `type`. */
    waitFor: <T extends ServerEvent["type"]>(type: T, timeoutMs: number) =>
      client.until(
        () =>
          events().find((event): event is Extract<ServerEvent, { type: T }> => event.type === type),
        `the flood's ${type}`,
        timeoutMs,
      ),
    get ended() {
      return client.ended;
    },
    stop: () => client.destroy(),
  };
}

test("100 MiB of input to a program that does not read it costs the other sessions nothing", async () => {
  const flooded = await server.spawnShell("stty -echo; printf READY; exec sleep 600");
  const other = await server.spawnShell("stty raw -echo; printf READY; exec cat");
  const viewer = await StreamClient.connect(streamUrl(server.api, other.id), server.auth);
  await viewer.waitForText("READY");
  await echoTimes(viewer, 50);
  const before = await echoTimes(viewer, ECHO_ROUNDS);

  const flood = await startFlood(flooded.id, FLOOD_FRAMES);
  try {
    // The sender is told that its input waits for the program (and the server reads no more).
    const waiting = await flood.waitFor("input", 30_000);
    expect(waiting.state).toBe("waiting");
    expect(waiting.backlog).toBeGreaterThan(INPUT_BUDGET_BYTES);
    expect(waiting.backlog).toBeLessThanOrEqual(INPUT_LIMIT_BYTES);

    const during = await echoTimes(viewer, ECHO_ROUNDS);
    // The pong answers the ping sent after the last frame: the flood went on all along.
    expect(flood.events().some((event) => event.type === "pong")).toBe(false);

    // All of it reaches the program (whose terminal discards what it cannot hold), none refused.
    await flood.waitFor("pong", 90_000);
    const after = await echoTimes(viewer, ECHO_ROUNDS);
    expect(flood.events().filter((event) => event.type === "error")).toEqual([]);
    expect(flood.ended).toBe(false);

    // The link to the PTY host held: nothing was interrupted, the other viewer is still open.
    expect(viewer.closed).toBeUndefined();
    for (const id of [flooded.id, other.id]) {
      expect((await server.getSession(id)).state).toBe("running");
    }
    expect(
      (await server.request("POST", `/sessions/${other.id}/input`, { data: "b" })).status,
    ).toBe(204);
    await viewer.waitForText("b");

    const quiet = median([...before, ...after]);
    const flooding = median(during);
    console.log(
      `echo p50 without the flood ${(quiet * 1000).toFixed(0)} µs, during it ${(flooding * 1000).toFixed(0)} µs`,
    );
    // Held up, the other session's keys would wait behind megabytes of the flood (a 1 MiB write
    // to the PTY host alone takes milliseconds). The flood shares this process's event loop with the echo, so a fair
    // server still shows some cost: the bound is twice the quiet median, and never below 5 ms.
    expect(flooding).toBeLessThanOrEqual(Math.max(2 * quiet, STARVED_ECHO_MS));
  } finally {
    flood.stop();
    viewer.close();
  }
}, 150_000);

test("input that a program never reads waits within its limit; beyond it, it is refused and said so", async () => {
  const stuck = await server.spawnShell("stty raw -echo; printf READY; exec sleep 600");
  const other = await server.spawnShell("stty raw -echo; printf READY; exec cat");
  const viewer = await StreamClient.connect(streamUrl(server.api, other.id), server.auth);
  await viewer.waitForText("READY");
  const frame = new Uint8Array(FRAME_BYTES).fill(0x78);

  const first = await StreamClient.connect(streamUrl(server.api, stuck.id), server.auth);
  await first.waitForEvent("hello");
  first.send(frame);
  first.send(frame);
  const waiting = await first.waitForEvent("input");
  expect(waiting.state).toBe("waiting");

  // REST input cannot be paused: it is refused while the budget is spent.
  const refused = await server.request("POST", `/sessions/${stuck.id}/input`, { data: "x" });
  expect(errorOf(refused, 429).code).toBe("input_full");
  expect(refused.headers.get("retry-after")).toBe("1");

  // Other writers' input waits too, up to the limit; past it, it is dropped and the sender told.
  const outcomes: string[] = [];
  const writers: StreamClient[] = [];
  for (let i = 0; i < 3; i++) {
    const writer = await StreamClient.connect(streamUrl(server.api, stuck.id), server.auth);
    writers.push(writer);
    await writer.waitForEvent("hello");
    writer.send(frame);
    outcomes.push(await outcome(writer));
  }
  expect(outcomes).toEqual(["waiting", "waiting", "input_refused"]);

  // None of this touched the other session, and no stream was closed.
  await echoTimes(viewer, 5);
  expect([first, ...writers, viewer].map((client) => client.closed)).toEqual(
    Array(5).fill(undefined),
  );
  expect((await server.getSession(stuck.id)).state).toBe("running");
  for (const client of [first, ...writers, viewer]) client.close();
  await server.request("DELETE", `/sessions/${stuck.id}`);
});

test.each(["bun", "bun-pty"] as PtyBackendName[])(
  "the %s PTY adapter reports every input byte the terminal took, in pieces it can see end",
  async (backend) => {
    const total = 3 * FRAME_BYTES + 5;
    let taken = 0;
    let read = "";
    let wake = () => {};
    const pty = createPtyBackend(backend).spawn(
      {
        file: "bash",
        args: ["-c", "stty raw -echo; printf READY; exec cat >/dev/null"],
        cwd: "/tmp",
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin", TERM: "xterm-256color" },
        cols: 80,
        rows: 24,
      },
      {
        onData: (bytes) => {
          read += Buffer.from(bytes).toString();
          wake();
        },
        onExit: () => {},
        onInputTaken: (bytes) => {
          taken += bytes;
          wake();
        },
      },
    );
    const until = (check: () => boolean, what: string) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), 20_000);
        wake = () => {
          if (!check()) return;
          clearTimeout(timer);
          resolve();
        };
        wake();
      });
    await until(() => read.includes("READY"), "READY");
    const chunk = new Uint8Array(FRAME_BYTES).fill(0x78);
    for (let i = 0; i < 3; i++) pty.write(chunk);
    pty.write(new Uint8Array([0x61, 0x62, 0x63, 0x64, 0x65]));
    await until(() => taken === total, `${total} bytes taken (${taken} so far)`);
    pty.signal("SIGKILL");
  },
  30_000,
);
