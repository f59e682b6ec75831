import { expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RingBuffer } from "./ring-buffer.ts";
import {
  createScrollbackStore,
  SCROLLBACK_FLOOD_FLUSH_MS,
  SCROLLBACK_FLUSH_MS,
} from "./scrollback-store.ts";

const ID = "0f8fad5b-d9cb-469f-a165-70867728950e";
const text = (value: string) => new TextEncoder().encode(value);

/** Byte i of a test stream is a function of i, so any slice of a file can be checked. */
const byteAt = (offset: number) => (offset * 7) % 251;

/** Appends the next `length` bytes of that stream to `ring`. */
function produceStream(ring: RingBuffer, length: number): void {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = byteAt(ring.end + i);
  ring.append(bytes);
}

function setUp(capacity: number) {
  const dir = join(mkdtempSync(join(tmpdir(), "opendray-scrollback-")), "scrollback");
  const errors: unknown[] = [];
  const store = createScrollbackStore(dir, (error) => errors.push(error));
  const ring = new RingBuffer(capacity);
  return { dir, store, ring, errors, journal: store.open(ID, ring) };
}

test("what was flushed reads back with its absolute start offset", async () => {
  const { store, ring, journal, dir } = setUp(1024);
  ring.append(text("hello "));
  await journal.flush();
  ring.append(text("world"));
  await journal.flush();
  expect(store.read(ID, 1024)).toEqual({ start: 0, bytes: Buffer.from("hello world") });
  expect(statSync(join(dir, `${ID}.log`)).mode & 0o777).toBe(0o600);
  expect(store.read(ID, 5)).toEqual({ start: 6, bytes: Buffer.from("world") });
});

test("a file never grows past twice the ring, and keeps the newest bytes", async () => {
  const { store, ring, journal, dir } = setUp(100);
  for (let i = 0; i < 50; i++) {
    ring.append(text(`line ${String(i).padStart(3, "0")}\n`));
    await journal.flush();
    expect(statSync(join(dir, `${ID}.log`)).size).toBeLessThanOrEqual(16 + 200);
  }
  const stored = store.read(ID, 100);
  expect(stored?.start).toBe(ring.end - 100);
  expect(Buffer.from(stored?.bytes ?? []).toString()).toEndWith("line 049\n");
  expect(stored?.bytes).toEqual(Buffer.from(ring.read(0)));
});

test("output that overtook the last flush is rewritten, never left with a gap", async () => {
  const { store, ring, journal } = setUp(16);
  ring.append(text("0123456789"));
  await journal.flush();
  ring.append(text("abcdefghijklmnopqrstuvwxyz"));
  await journal.flush();
  expect(store.read(ID, 16)).toEqual({ start: 20, bytes: Buffer.from("klmnopqrstuvwxyz") });
});

test("a failing write is reported, not thrown, and recovers with a rewrite", async () => {
  const { store, ring, journal, dir, errors } = setUp(1024);
  ring.append(text("before "));
  await journal.flush();
  // A directory where the rewrite's temporary file goes makes the rewrite fail (even for root).
  const tmp = join(dir, `${ID}.log.tmp`);
  mkdirSync(tmp);
  ring.append(new Uint8Array(2048).fill(0x2e));
  expect(await journal.flush()).toBeUndefined();
  expect(errors.length).toBe(1);
  rmdirSync(tmp);
  ring.append(text("after"));
  await journal.close();
  const kept = Buffer.from(store.read(ID, 1024)?.bytes ?? []).toString();
  expect(kept).toHaveLength(1024);
  expect(kept).toEndWith(".after");
});

test("nothing is read for an unknown session, and ids cannot name other paths", () => {
  const { store } = setUp(16);
  expect(store.read("7c9e6679-7425-40de-944b-e07fc1f90ae7", 16)).toBeUndefined();
  expect(store.read("../../etc/passwd", 16)).toBeUndefined();
  expect(() => store.remove("../../etc/passwd")).toThrow();
});

test("output waits 250 ms to be written, 1 s after a flush that wrote a flood (≥ 1 MiB)", async () => {
  const dir = join(mkdtempSync(join(tmpdir(), "opendray-scrollback-")), "scrollback");
  // A clock of our own: each touch() that schedules a flush leaves its delay and callback here.
  const timers: { ms: number; run: () => Promise<void> }[] = [];
  const store = createScrollbackStore(dir, undefined, (run, ms) => {
    timers.push({ ms, run });
    return () => {};
  });
  const ring = new RingBuffer(4 * 1024 * 1024);
  const journal = store.open(ID, ring);
  const fire = () => timers.shift()?.run();

  ring.append(text("typed\n"));
  journal.touch();
  journal.touch();
  expect(timers.map((t) => t.ms)).toEqual([SCROLLBACK_FLUSH_MS]);
  await fire();
  expect(store.read(ID, 100)?.bytes).toEqual(Buffer.from("typed\n"));

  ring.append(new Uint8Array(2 * 1024 * 1024).fill(0x79));
  journal.touch();
  expect(timers.map((t) => t.ms)).toEqual([SCROLLBACK_FLUSH_MS]);
  await fire();
  ring.append(text("more"));
  journal.touch();
  expect(timers.map((t) => t.ms)).toEqual([SCROLLBACK_FLOOD_FLUSH_MS]);
  await fire();
  // The flood is over (that flush wrote 4 bytes): back to the short wait, nothing lost.
  ring.append(text("!"));
  journal.touch();
  expect(timers.map((t) => t.ms)).toEqual([SCROLLBACK_FLUSH_MS]);
  await fire();
  const stored = store.read(ID, 4 * 1024 * 1024);
  expect(stored?.start).toBe(0);
  expect(
    Buffer.from(stored?.bytes ?? [])
      .subarray(-5)
      .toString(),
  ).toBe("more!");
  expect(stored?.bytes.length).toBe(ring.end);
});

test("output going on while writes are in flight never leaves garbled bytes in the file", async () => {
  const { store, ring, journal } = setUp(64 * 1024);
  const produce = (length: number) => produceStream(ring, length);
  const garbled = () => {
    const stored = store.read(ID, Number.MAX_SAFE_INTEGER);
    if (!stored) return 0;
    let wrong = 0;
    for (let i = 0; i < stored.bytes.length; i++) {
      if (stored.bytes[i] !== byteAt(stored.start + i)) wrong += 1;
    }
    return wrong;
  };
  for (let round = 0; round < 150; round++) {
    const writing = journal.flush();
    // More output arrives, some of it overtaking the ring, while the write runs on the pool.
    for (let i = 0; i < 4; i++) {
      produce(8 * 1024 + round * 97);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await writing;
    expect(garbled()).toBe(0);
  }
  await journal.close();
  expect(store.read(ID, ring.capacity)).toEqual({
    start: ring.start,
    bytes: Buffer.from(ring.read(ring.start)),
  });
});

test("output that overtakes every write in place still leaves the newest bytes in the file", async () => {
  const { store, ring, journal } = setUp(64 * 1024);
  const produce = (length: number) => produceStream(ring, length);
  produce(ring.capacity);
  // A whole ring of new output at every turn of the event loop, while the write runs on the
  // pool: writes from views into the ring are overtaken before they complete (nearly always:
  // the one from a quarter in sometimes wins the race).
  let flooding = true;
  const flood = (async () => {
    while (flooding) {
      produce(ring.capacity);
      await new Promise((resolve) => setImmediate(resolve));
    }
  })();
  await journal.flush();
  flooding = false;
  await flood;
  const stored = store.read(ID, Number.MAX_SAFE_INTEGER);
  expect(stored?.bytes.length).toBeGreaterThanOrEqual((ring.capacity * 3) / 4);
  const wrong = [...(stored?.bytes ?? [])].filter(
    (byte, i) => byte !== byteAt((stored?.start ?? 0) + i),
  ).length;
  expect(wrong).toBe(0);
  await journal.close();
});

test("a finished session's file holds exactly its ring, not the older bytes a running file kept", async () => {
  const { dir, store, ring, journal } = setUp(64 * 1024);
  produceStream(ring, 40 * 1024);
  await journal.flush();
  // Appended to the same file: it now holds 100 KiB, more than the 64 KiB ring.
  produceStream(ring, 60 * 1024);
  await journal.flush();
  const path = join(dir, `${ID}.log`);
  expect(statSync(path).size).toBe(16 + 100 * 1024);
  await journal.close();
  expect(statSync(path).size).toBe(16 + ring.capacity);
  expect(store.read(ID, Number.MAX_SAFE_INTEGER)).toEqual({
    start: ring.start,
    bytes: Buffer.from(ring.read(ring.start)),
  });
});
