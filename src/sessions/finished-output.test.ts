import { expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createFinishedOutputCache, StoredOutput } from "./finished-output.ts";
import { RingBuffer } from "./ring-buffer.ts";
import { createScrollbackStore } from "./scrollback-store.ts";

const ID = "0f8fad5b-d9cb-469f-a165-70867728950e";

async function finishedStore(output: string, capacity: number) {
  const dir = mkdtempSync(join(tmpdir(), "opendray-finished-"));
  const store = createScrollbackStore(dir);
  const ring = new RingBuffer(capacity);
  ring.append(new TextEncoder().encode(output));
  await store.open(ID, ring).close();
  return { store, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

test("readers of a finished session share one copy of what its file keeps", async () => {
  const { store, dispose } = await finishedStore("0123456789abcdef", 10);
  const cache = createFinishedOutputCache(store, 10);
  const first = cache.read(ID);
  const second = cache.read(ID);
  expect(first).toMatchObject({ start: 6, end: 16 });
  expect(Buffer.from(first?.view(0) ?? []).toString()).toBe("6789abcdef");
  // Views of both lie in the same memory.
  expect(second?.view(6).buffer).toBe(first?.view(6).buffer as ArrayBufferLike);
  expect(cache.read("7c9e6679-7425-40de-944b-e07fc1f90ae7")).toBeUndefined();
  dispose();
});

test("stored output clamps views to what it holds", () => {
  const output = new StoredOutput(100, new TextEncoder().encode("hello"));
  expect(Buffer.from(output.view(0)).toString()).toBe("hello");
  expect(Buffer.from(output.view(102, 2)).toString()).toBe("ll");
  expect(output.view(105).length).toBe(0);
  expect(output.end).toBe(105);
});
