// The size policy (README "How it behaves"): the PTY takes the size of the viewer that last
// typed, else of the largest viewer; a viewer that leaves gives the size back; a viewer-role
// client never resizes; a viewer that attaches makes the program draw again even at the same
// size. Real PTYs, real WebSocket clients; the program reports every SIGWINCH with its size.

import { afterAll, expect, test } from "bun:test";
import type { ServerEvent } from "../src/protocol/stream.ts";
import { startTestServer } from "./support/server.ts";
import { StreamClient, streamUrl } from "./support/ws-client.ts";

const server = await startTestServer();
afterAll(() => server.dispose());

/**
 * Prints `WINCH rows cols` after SIGWINCH (within 0.1 s; several at once may print once). The
 * trap only sets a flag: bash forgets a signal that arrives while its trap for it runs.
 */
const WINCH_REPORTER = `trap 'w=1' WINCH; echo READY
while :; do sleep 0.1; if [ -n "$w" ]; then w=; echo WINCH $(stty size); fi; done`;

type Size = { cols: number; rows: number };

async function reporter(size: Size = { cols: 80, rows: 24 }) {
  return server.spawnShell(WINCH_REPORTER, size);
}

async function connect(id: string, auth = server.auth): Promise<StreamClient> {
  const client = await StreamClient.connect(streamUrl(server.api, id), auth);
  await client.waitForText("READY");
  return client;
}

/** Resolves once the program reports `size` in output that arrives after byte `from`. */
function programSees(client: StreamClient, size: Size, from: number) {
  const line = `WINCH ${size.rows} ${size.cols}\r\n`;
  return client.waitForOutput(
    (output) => output.subarray(from).includes(line),
    `the program to see ${size.cols}x${size.rows}`,
  );
}

const resizes = (client: StreamClient): Size[] =>
  client.events
    .filter((event): event is Extract<ServerEvent, { type: "resize" }> => event.type === "resize")
    .map(({ cols, rows }) => ({ cols, rows }));

/** Waits for the `count`th resize event (1-based) and returns its size. */
async function nthResize(client: StreamClient, count: number): Promise<Size> {
  await client.waitForEvent("resize", () => resizes(client).length >= count);
  return resizes(client)[count - 1] as Size;
}

async function ptySize(id: string): Promise<Size> {
  const body = await server.getSession(id);
  return { cols: body.cols, rows: body.rows };
}

const LAPTOP = { cols: 120, rows: 40 };
const PHONE = { cols: 50, rows: 20 };

test("the viewer that typed sets the size, and gives it back when it leaves", async () => {
  const session = await reporter();
  const laptop = await connect(session.id);
  let mark = laptop.byteCount;
  laptop.sendJson({ type: "resize", ...LAPTOP });
  expect(await nthResize(laptop, 1)).toEqual(LAPTOP);
  await programSees(laptop, LAPTOP, mark);

  // The phone is smaller and nobody typed: the laptop's size stays, and the phone is told so.
  const phone = await connect(session.id);
  phone.sendJson({ type: "resize", ...PHONE });
  expect(await nthResize(phone, 1)).toEqual(LAPTOP);
  expect(resizes(laptop)).toEqual([LAPTOP]);
  expect(await ptySize(session.id)).toEqual(LAPTOP);

  // The phone types: its size applies, and every viewer hears of it.
  mark = laptop.byteCount;
  phone.send(new TextEncoder().encode("x"));
  expect(await nthResize(laptop, 2)).toEqual(PHONE);
  expect(await nthResize(phone, 2)).toEqual(PHONE);
  await programSees(laptop, PHONE, mark);

  // The phone leaves: the laptop's size is back.
  mark = laptop.byteCount;
  phone.close();
  expect(await nthResize(laptop, 3)).toEqual(LAPTOP);
  await programSees(laptop, LAPTOP, mark);
  expect(await ptySize(session.id)).toEqual(LAPTOP);

  // With no viewer left, the size stays.
  laptop.close();
  await laptop.waitForClose();
  const again = await connect(session.id);
  expect(await ptySize(session.id)).toEqual(LAPTOP);
  again.close();
});

test("with nobody typing, the largest viewer sets the size", async () => {
  const session = await reporter();
  const small = await connect(session.id);
  small.sendJson({ type: "resize", cols: 70, rows: 20 });
  expect(await nthResize(small, 1)).toEqual({ cols: 70, rows: 20 });

  const large = await connect(session.id);
  large.sendJson({ type: "resize", cols: 90, rows: 30 });
  expect(await nthResize(small, 2)).toEqual({ cols: 90, rows: 30 });

  // Taller but narrower, yet fewer cells (60×40 = 2400 < 2700): the largest stays.
  const tall = await connect(session.id);
  tall.sendJson({ type: "resize", cols: 60, rows: 40 });
  expect(await nthResize(tall, 1)).toEqual({ cols: 90, rows: 30 });

  large.close();
  expect(await nthResize(small, 3)).toEqual({ cols: 60, rows: 40 });
  tall.close();
  expect(await nthResize(small, 4)).toEqual({ cols: 70, rows: 20 });
  small.close();
});

test("a viewer-role client never resizes the program", async () => {
  const session = await reporter();
  const writer = await connect(session.id);
  writer.sendJson({ type: "resize", ...LAPTOP });
  expect(await nthResize(writer, 1)).toEqual(LAPTOP);

  const { token } = await server.createUser("size-watcher", "viewer");
  const watcher = await connect(session.id, { authorization: `Bearer ${token}` });
  watcher.sendJson({ type: "resize", ...PHONE });
  await watcher.waitForEvent("error", (event) => event.code === "forbidden");
  watcher.send(new TextEncoder().encode("x"));
  await watcher.waitForEvent(
    "error",
    () => watcher.events.filter((event) => event.type === "error").length === 2,
  );
  // A ping answered after both refusals: nothing of the watcher's reached the policy.
  watcher.sendJson({ type: "ping" });
  await watcher.waitForEvent("pong");
  expect(await ptySize(session.id)).toEqual(LAPTOP);
  watcher.close();
  await watcher.waitForClose();
  expect(resizes(writer)).toEqual([LAPTOP]);
  expect(await ptySize(session.id)).toEqual(LAPTOP);
  writer.close();
});

test("a viewer that attaches at the current size still makes the program repaint", async () => {
  const session = await reporter({ cols: 80, rows: 24 });
  const first = await connect(session.id);
  const mark = first.byteCount;
  first.sendJson({ type: "resize", cols: 80, rows: 24 });
  // The program got a SIGWINCH and ends at the size it had; viewers heard of no size change.
  await programSees(first, { cols: 80, rows: 24 }, mark);

  const second = await connect(session.id);
  const secondMark = first.byteCount;
  second.sendJson({ type: "resize", cols: 80, rows: 24 });
  await programSees(first, { cols: 80, rows: 24 }, secondMark);
  expect(await ptySize(session.id)).toEqual({ cols: 80, rows: 24 });
  expect(resizes(first)).toEqual([]);
  expect(resizes(second)).toEqual([]);
  first.close();
  second.close();
});

test("a REST resize holds until a viewer's size next applies", async () => {
  const session = await reporter();
  const viewer = await connect(session.id);
  viewer.sendJson({ type: "resize", ...LAPTOP });
  expect(await nthResize(viewer, 1)).toEqual(LAPTOP);
  viewer.send(new TextEncoder().encode("x"));

  const rest = await server.request("POST", `/sessions/${session.id}/resize`, {
    cols: 100,
    rows: 30,
  });
  expect(rest.status).toBe(204);
  expect(await nthResize(viewer, 2)).toEqual({ cols: 100, rows: 30 });
  // Typing again by the same viewer changes nothing; a new size from it applies.
  viewer.send(new TextEncoder().encode("y"));
  viewer.sendJson({ type: "resize", cols: 110, rows: 40 });
  expect(await nthResize(viewer, 3)).toEqual({ cols: 110, rows: 40 });
  viewer.close();
});
