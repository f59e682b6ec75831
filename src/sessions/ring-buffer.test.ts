import { expect, test } from "bun:test";
import { CHUNK_BYTES, RingBuffer } from "./ring-buffer.ts";

/** The bytes appended at absolute offsets [from, from + length): a pattern of period 251. */
const PATTERN = Uint8Array.from({ length: 4 * 1024 * 1024 + 251 }, (_, i) => i % 251);
function bytes(from: number, length: number): Uint8Array {
  return PATTERN.slice(from % 251, (from % 251) + length);
}

test("replays from an offset still held", () => {
  const ring = new RingBuffer(100);
  ring.append(bytes(0, 60));
  expect(ring.start).toBe(0);
  expect(ring.end).toBe(60);
  expect(ring.read(10, 5)).toEqual(bytes(10, 5));
});

test("forgets the oldest bytes past its capacity and moves start", () => {
  const ring = new RingBuffer(100);
  ring.append(bytes(0, 70));
  ring.append(bytes(70, 70));
  expect(ring.start).toBe(40);
  expect(ring.end).toBe(140);
  expect(ring.read(0)).toEqual(bytes(40, 100));
});

test("keeps only the tail of a chunk larger than the capacity", () => {
  const ring = new RingBuffer(64);
  ring.append(bytes(0, 1000));
  expect(ring.start).toBe(936);
  expect(ring.read(0)).toEqual(bytes(936, 64));
});

test("stays small until output needs more room", () => {
  const ring = new RingBuffer(4 * 1024 * 1024);
  ring.append(bytes(0, 100));
  expect(ring.allocatedBytes).toBe(16 * 1024);
  ring.append(bytes(100, 40_000));
  expect(ring.allocatedBytes).toBe(64 * 1024);
  expect(ring.read(0)).toEqual(bytes(0, 40_100));
});

test("grows chunk by chunk without moving what it holds", () => {
  const ring = new RingBuffer(8 * CHUNK_BYTES);
  ring.append(bytes(0, CHUNK_BYTES + 10));
  const held = ring.view(0);
  expect(held.length).toBe(CHUNK_BYTES);
  ring.append(bytes(CHUNK_BYTES + 10, 3 * CHUNK_BYTES));
  expect(ring.allocatedBytes).toBe(5 * CHUNK_BYTES);
  // A view taken before the ring grew still shows the same bytes: nothing was copied away.
  expect(held).toEqual(bytes(0, CHUNK_BYTES));
  expect(ring.view(0).buffer).toBe(held.buffer);
  expect(ring.read(0)).toEqual(bytes(0, 4 * CHUNK_BYTES + 10));
});

test("view stops at a chunk boundary; read and views cover the rest", () => {
  const ring = new RingBuffer(3 * CHUNK_BYTES + 100);
  ring.append(bytes(0, 4 * CHUNK_BYTES));
  // Held: the last capacity bytes; position 0 is now offset 3 * CHUNK_BYTES + 100.
  const start = CHUNK_BYTES - 100;
  expect(ring.start).toBe(start);
  expect(ring.view(0)).toEqual(bytes(start, 100));
  expect(ring.view(start + 100, 10)).toEqual(bytes(start + 100, 10));
  expect(ring.read(start + 50, 2 * CHUNK_BYTES)).toEqual(bytes(start + 50, 2 * CHUNK_BYTES));
  const views = ring.views(0);
  expect(views.map((view) => view.length)).toEqual([
    100,
    CHUNK_BYTES,
    CHUNK_BYTES,
    100,
    CHUNK_BYTES - 100,
  ]);
  expect(Buffer.concat(views)).toEqual(Buffer.from(bytes(start, ring.capacity)));
});

test("an adopted offset past the first chunk allocates only the chunks it writes", () => {
  const ring = new RingBuffer(16 * CHUNK_BYTES, 5 * CHUNK_BYTES + 7);
  ring.append(bytes(5 * CHUNK_BYTES + 7, 20));
  expect(ring.allocatedBytes).toBe(CHUNK_BYTES);
  expect(ring.read(0)).toEqual(bytes(5 * CHUNK_BYTES + 7, 20));
});

test("starts at a given absolute offset", () => {
  const ring = new RingBuffer(32, 1000);
  ring.append(bytes(1000, 10));
  expect([ring.start, ring.end]).toEqual([1000, 1010]);
  expect(ring.read(1005)).toEqual(bytes(1005, 5));
  expect(ring.read(2000).length).toBe(0);
});

test("matches a plain array model over random appends and reads", () => {
  let seed = 42;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  for (const capacity of [1, 7, 1000, 40_000, CHUNK_BYTES + 3, 3 * CHUNK_BYTES]) {
    const ring = new RingBuffer(capacity);
    let total = 0;
    for (let step = 0; step < 300; step++) {
      const length =
        random(3) === 0 ? random(capacity * 3 + 1) : random(random(2) === 0 ? 50 : CHUNK_BYTES);
      ring.append(bytes(total, length));
      total += length;
      const start = Math.max(0, total - capacity);
      expect([ring.start, ring.end]).toEqual([start, total]);
      const from = random(total + 1);
      const max = random(capacity + 2);
      const begin = Math.max(from, start);
      const expected = bytes(begin, Math.max(0, Math.min(total - begin, max)));
      expect(ring.read(from, max)).toEqual(expected);
      const view = ring.view(from, max);
      expect(view.length).toBeGreaterThan(expected.length > 0 ? 0 : -1);
      expect(view).toEqual(expected.subarray(0, view.length));
      expect(Buffer.concat(ring.views(from))).toEqual(
        Buffer.from(bytes(begin, Math.max(0, total - begin))),
      );
    }
  }
});

test("skipTo drops what is held and goes on at the new offset", () => {
  const ring = new RingBuffer(8);
  ring.append(new Uint8Array([1, 2, 3]));
  ring.skipTo(10);
  expect([ring.start, ring.end]).toEqual([10, 10]);
  ring.append(new Uint8Array([4, 5]));
  expect([...ring.read(10)]).toEqual([4, 5]);
  expect(() => ring.skipTo(5)).toThrow(RangeError);
});
