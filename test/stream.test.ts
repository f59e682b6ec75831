// The terminal stream of DESIGN §5 against a real server, real PTYs and real WebSocket clients.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { CloseCode } from "../src/protocol/stream.ts";
import { STALLED_CLOSE_MS } from "../src/sessions/viewer.ts";
import { RawWebSocket } from "./support/raw-ws.ts";
import { eventually, startTestServer, type TestServer } from "./support/server.ts";
import { EventsClient, eventsUrl, StreamClient, streamUrl } from "./support/ws-client.ts";

let server: TestServer;
/** A server with a small ring (1 MiB), where history runs out quickly. */
let small: TestServer;

beforeAll(async () => {
  server = await startTestServer({ env: { SCROLLBACK_BYTES: "16mb" } });
  small = await startTestServer({ env: { SCROLLBACK_BYTES: "1mb" } });
}, 60_000);
afterAll(async () => {
  await server.dispose();
  await small.dispose();
});

/** A shell whose terminal passes bytes through untouched, echoing its input back via cat. */
const RAW_CAT = "stty raw -echo && printf READY && exec cat";

async function openRawCat(
  on: TestServer = server,
): Promise<{ id: string; client: StreamClient; ready: number }> {
  const session = await on.spawnShell(RAW_CAT);
  const client = await StreamClient.connect(streamUrl(on.api, session.id), on.auth);
  const output = await client.waitForText("READY");
  return { id: session.id, client, ready: output.indexOf("READY") + 5 };
}

describe.each(["bun", "bun-pty"])("with the %s PTY backend", (backend) => {
  let own: TestServer;
  beforeAll(async () => {
    own = backend === "bun" ? server : await startTestServer({ env: { PTY_BACKEND: backend } });
  }, 60_000);
  afterAll(async () => {
    if (own !== server) await own.dispose();
  });

  test("echo through cat is byte-exact, including invalid UTF-8 and NUL bytes", async () => {
    const session = await own.spawnShell(RAW_CAT);
    const client = await StreamClient.connect(streamUrl(own.api, session.id), own.auth);
    const ready = (await client.waitForText("READY")).indexOf("READY") + 5;
    const payload = new Uint8Array(512);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 7) % 256;
    payload.set([0x00, 0xff, 0xfe, 0xc3, 0x28, 0xe2, 0x82], 0);
    client.send(payload);
    const output = await client.waitForBytes(ready + payload.length);
    expect(output.subarray(ready)).toEqual(Buffer.from(payload));
    client.close();
    await own.request("DELETE", `/sessions/${session.id}`);
  });

  test("exit code and signal are recorded", async () => {
    const events = await EventsClient.connect(eventsUrl(own.api), own.auth);
    const exits = await own.spawnShell("exit 42");
    const killed = await own.spawnShell("kill -KILL $$");
    const exited = await events.waitFor("session.exited", exits.id);
    expect(exited.session).toMatchObject({ state: "ended", exitCode: 42, exitSignal: null });
    const died = await events.waitFor("session.exited", killed.id);
    if (backend === "bun") {
      expect(died.session).toMatchObject({ state: "ended", exitCode: null, exitSignal: "SIGKILL" });
    } else {
      // bun-pty's native layer reports a death by signal as exit status 1 (README: backends).
      expect(died.session).toMatchObject({ state: "ended", exitSignal: null });
    }
    const stored = await own.request("GET", `/sessions/${exits.id}`);
    expect(stored.body).toMatchObject({
      state: "ended",
      exitCode: 42,
      endReason: "exited with code 42",
    });
    events.close();
  });
});

test("the first frame is hello with the session and offsets", async () => {
  const { id, client } = await openRawCat();
  const hello = client.events[0];
  expect(hello?.type).toBe("hello");
  if (hello?.type !== "hello") throw new Error("no hello");
  expect(hello.session.id).toBe(id);
  expect(hello.bufferStart).toBe(0);
  client.close();
});

test("10 MB of output arrives complete and in order at two viewers at once", async () => {
  const total = 10 * 1024 * 1024;
  // Numbered lines make any loss, duplication or reordering visible.
  const session = await server.spawnShell(
    `stty raw -echo; read -r go; seq -f '%09.0f' 1 ${total / 10}`,
    { cols: 200 },
  );
  const first = await StreamClient.connect(streamUrl(server.api, session.id, 0), server.auth);
  const second = await StreamClient.connect(streamUrl(server.api, session.id, 0), server.auth);
  first.send(new TextEncoder().encode("go\n"));
  const [a, b] = await Promise.all([first.waitForClose(60_000), second.waitForClose(60_000)]);
  expect(a.code).toBe(CloseCode.normal);
  expect(b.code).toBe(CloseCode.normal);
  const expected = Buffer.from(
    Array.from({ length: total / 10 }, (_, i) => `${String(i + 1).padStart(9, "0")}\n`).join(""),
  );
  for (const client of [first, second]) {
    const output = client.output;
    const begin = output.indexOf("000000001\n");
    expect(begin).toBeGreaterThanOrEqual(0);
    const got = output.subarray(begin, begin + total);
    expect(got.equals(expected)).toBe(true);
    expect(client.events.at(-1)).toMatchObject({ type: "exit", exitCode: 0 });
  }
}, 90_000);

test("a reconnect with since= receives exactly the missing bytes", async () => {
  const { id, client, ready } = await openRawCat();
  const observer = await StreamClient.connect(streamUrl(server.api, id), server.auth);
  client.send(new TextEncoder().encode("first\n"));
  await client.waitForText("first\n");
  const seen = client.byteCount;
  client.close();
  await client.waitForClose();

  // Output produced while the client is away (the observer sees it happen).
  await server.request("POST", `/sessions/${id}/input`, { data: "second\n" });
  await observer.waitForText("second\n");
  const later = await server.request("GET", `/sessions/${id}/output?since=${seen}`);
  expect(later.body).toBe("second\n");

  const again = await StreamClient.connect(streamUrl(server.api, id, seen), server.auth);
  const hello = await again.waitForEvent("hello");
  expect(hello.offset).toBe(seen + 7);
  const output = await again.waitForBytes(7);
  expect(output.toString()).toBe("second\n");
  expect(again.events.map((event) => event.type)).toEqual(["hello"]);
  expect(ready).toBeLessThan(seen);
  again.close();
  observer.close();
});

test("since= older than the buffer announces the gap, then sends the terminal's state", async () => {
  // 1 MiB of scrollback; 3 MiB of output pushes the first 2 MiB out. No viewer watches it
  // happen, so poll the session's offset (there is no event for "output reached N").
  const session = await small.spawnShell("head -c 3145728 /dev/zero | tr '\\0' x; sleep 30");
  await eventually(async () => {
    const { outputOffset } = await small.getSession(session.id);
    return outputOffset >= 3145728 ? true : undefined;
  }, "3 MiB of output");
  const late = await StreamClient.connect(streamUrl(small.api, session.id, 0), small.auth);
  const snapshot = await late.waitForEvent("snapshot");
  const hello = await late.waitForEvent("hello");
  const truncated = await late.waitForEvent("truncated");
  expect(late.events.map((event) => event.type)).toEqual(["hello", "truncated", "snapshot"]);
  expect(truncated).toEqual({ type: "truncated", from: 0, to: hello.bufferStart });
  expect(hello.bufferStart).toBe(hello.offset - 1024 * 1024);
  expect(snapshot.offset).toBe(hello.offset);
  // The snapshot is the screen, not the megabyte: 24 rows of x plus a bounded scrollback.
  await late.waitForBytes(snapshot.bytes);
  expect(late.byteCount).toBe(snapshot.bytes);
  expect(snapshot.bytes).toBeLessThan(100 * 1024);
  expect(late.output.toString("latin1")).toContain("x".repeat(80));
  late.close();
  await small.request("DELETE", `/sessions/${session.id}`);
});

/** How long the stalled client reads nothing after the server let it go. */
const STALL_MS = 6_000;

/** Text and binary frames a raw client received after the `index`th. */
function framesAfter(client: RawWebSocket, index: number) {
  return client.frames.slice(index).filter((frame) => frame.opcode === 1 || frame.opcode === 2);
}

test("a client the ring overtook resyncs from a snapshot when it reads again; one that never reads again gets 4008", async () => {
  const blocks = 8;
  const block = 1024 * 1024;
  // The program writes 1 MiB blocks, each after an acknowledgement from the healthy viewer, so
  // that viewer stays within the 1 MiB ring while the stalled ones are overtaken; then a marker
  // after one more.
  const session = await small.spawnShell(
    `stty -echo; for i in $(seq ${blocks}); do read -r ack; head -c ${block} /dev/zero | tr '\\0' y; done; read -r ack; printf MARK; sleep 60`,
  );
  const brief = await RawWebSocket.open(streamUrl(small.api, session.id, 0), small.auth);
  const gone = await RawWebSocket.open(streamUrl(small.api, session.id, 0), small.auth);
  brief.pause();
  gone.pause();

  const healthy = await StreamClient.connect(streamUrl(small.api, session.id, 0), small.auth);
  expect(small.manager.viewerCount(session.id)).toBe(3);
  const ys = () => healthy.output.toString("latin1").replaceAll(/[^y]/g, "").length;
  for (let i = 0; i < blocks; i++) {
    healthy.send(new TextEncoder().encode("ack\n"));
    await healthy.waitForOutput(
      () => healthy.byteCount >= (i + 1) * block && ys() === (i + 1) * block,
    );
  }
  expect(ys()).toBe(blocks * block);

  // The brief one reads again: what its socket held, then the session's state and the rest live.
  const seen = brief.frames.length;
  brief.resume();
  await brief.until(
    () =>
      framesAfter(brief, seen).some((f) => f.payload.includes('"snapshot"')) ? true : undefined,
    "a snapshot event",
  );
  healthy.send(new TextEncoder().encode("ack\n"));
  await healthy.waitForText("MARK");
  const frames = framesAfter(brief, seen);
  const at = frames.findIndex((f) => f.opcode === 1 && f.payload.includes('"snapshot"'));
  const event = JSON.parse(frames[at]?.payload.toString() ?? "") as {
    offset: number;
    bytes: number;
  };
  await brief.until(() => {
    const live = Buffer.concat(
      framesAfter(brief, seen)
        .slice(at + 2)
        .map((f) => f.payload),
    );
    return live.toString("latin1").endsWith("MARK") ? live : undefined;
  }, "MARK after the snapshot");
  const snapshotFrame = framesAfter(brief, seen)[at + 1];
  expect(snapshotFrame?.opcode).toBe(2);
  expect(snapshotFrame?.payload.length).toBe(event.bytes);
  // No gap, no duplicate: the live bytes are the program's from the snapshot's offset to its end.
  const live = Buffer.concat(
    framesAfter(brief, seen)
      .slice(at + 2)
      .map((f) => f.payload),
  );
  const { outputOffset } = await small.getSession(session.id);
  expect(event.offset + live.length).toBe(outputOffset);
  expect(live.toString("latin1")).toBe(healthy.output.subarray(event.offset).toString("latin1"));

  // The other never read again: let go after STALLED_CLOSE_MS; it still learns why once it reads.
  await eventually(
    async () => (small.manager.viewerCount(session.id) === 2 ? true : undefined),
    "the stalled client let go",
    STALLED_CLOSE_MS + 10_000,
  );
  await Bun.sleep(STALL_MS);
  gone.resume();
  expect(await gone.closeCode()).toBe(CloseCode.tooSlow);
  for (const client of [brief, gone]) client.destroy();
  healthy.close();
  await small.request("DELETE", `/sessions/${session.id}`);
}, 90_000);

test("resize from one viewer reaches the PTY and is broadcast to the others", async () => {
  const session = await server.spawnShell("read -r; stty size; sleep 30");
  const a = await StreamClient.connect(streamUrl(server.api, session.id), server.auth);
  const b = await StreamClient.connect(streamUrl(server.api, session.id), server.auth);
  a.sendJson({ type: "resize", cols: 132, rows: 43 });
  expect(await b.waitForEvent("resize")).toEqual({ type: "resize", cols: 132, rows: 43 });
  a.send(new TextEncoder().encode("\n"));
  await a.waitForText("43 132");
  expect(await server.getSession(session.id)).toMatchObject({
    cols: 132,
    rows: 43,
  });
  a.close();
  b.close();
  await server.request("DELETE", `/sessions/${session.id}`);
});

test("bad text frames get an error event; the socket and the session live on", async () => {
  const { id, client, ready } = await openRawCat();
  client.send("not json");
  await client.waitForEvent("error", (e) => e.code === "invalid_message");
  client.sendJson({ type: "dance" });
  client.sendJson({ type: "resize", cols: 0, rows: 5000 });
  await client.waitForEvent(
    "error",
    () => client.events.filter((e) => e.type === "error").length >= 3,
  );
  client.sendJson({ type: "ping" });
  await client.waitForEvent("pong");
  client.send(new TextEncoder().encode("still here"));
  await client.waitForOutput((o) => o.subarray(ready).toString() === "still here");
  expect((await server.getSession(id)).state).toBe("running");
  client.close();
});

test("a finished session answers hello, its scrollback and exit, then closes 1000", async () => {
  const events = await EventsClient.connect(eventsUrl(server.api), server.auth);
  const session = await server.spawnShell("printf 'all done'; exit 3");
  await events.waitFor("session.exited", session.id);
  const viewer = await StreamClient.connect(streamUrl(server.api, session.id, 0), server.auth);
  const closed = await viewer.waitForClose();
  expect(closed.code).toBe(CloseCode.normal);
  expect(viewer.events.map((e) => e.type)).toEqual(["hello", "exit"]);
  expect(viewer.events[1]).toEqual({ type: "exit", exitCode: 3, signal: null });
  expect(viewer.output.toString()).toEndWith("all done");
  events.close();
});

test("terminal query answers from several viewers reach the program once", async () => {
  const { id, client: first, ready } = await openRawCat();
  const second = await StreamClient.connect(streamUrl(server.api, id), server.auth);
  const answer = new TextEncoder().encode("\x1b[?1;2c");
  second.send(answer);
  first.send(answer);
  first.send(new TextEncoder().encode("|"));
  const output = await first.waitForOutput((o) => o.includes("|"));
  expect(output.subarray(ready).toString("latin1")).toBe("\x1b[?1;2c|");
  first.close();
  second.close();
});

test("a peer that stops answering pings is dropped", async () => {
  // Pings every 300 ms on a server of its own: on the shared ones a ping queued behind megabytes
  // of output (or a client busy parsing them) could miss so short a deadline on a loaded machine.
  const pinging = await startTestServer({ pingIntervalMs: 300 });
  try {
    const { id } = await openRawCat(pinging);
    // Reads everything but never answers a ping: the server must give up on it.
    const silent = await RawWebSocket.open(streamUrl(pinging.api, id), pinging.auth);
    expect(await silent.closeCode()).toBe(CloseCode.timeout);
    expect(silent.frames.some((frame) => frame.opcode === 0x9)).toBe(true);
    silent.destroy();
  } finally {
    await pinging.dispose();
  }
}, 60_000);
