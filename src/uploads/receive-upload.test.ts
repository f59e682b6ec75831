// receiveUpload's body copy on a real file system, fed bodies shaped as the network may shape
// them: many tiny chunks, chunks around and above the write batch, and a final chunk that crosses
// UPLOAD_LIMIT (413, nothing left behind); and a disk that fills mid-body (507, nothing left).

import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AppError } from "../errors.ts";
import { receiveUpload, WRITE_BATCH_BYTES } from "./receive-upload.ts";

let cwd: string;
beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), "opendray-receive-"));
});
afterEach(() => rmSync(cwd, { recursive: true, force: true }));

/** Each chunk enqueued on its own read; `cancelled` tells whether the reader gave up early. */
function bodyOf(chunks: Uint8Array[]) {
  const state = { cancelled: false, read: 0 };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = chunks[state.read++];
      if (next) controller.enqueue(next);
      else controller.close();
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { stream, state };
}

/** `length` bytes that differ from their neighbours, starting at pattern offset `from`. */
const bytes = (length: number, from = 0) =>
  new Uint8Array(length).map((_, i) => ((from + i) * 31 + 7) & 0xff);

const concat = (chunks: Uint8Array[]) => {
  const whole = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    whole.set(chunk, at);
    at += chunk.length;
  }
  return whole;
};

const receive = (chunks: Uint8Array[], limitBytes: number) => {
  const body = bodyOf(chunks);
  const result = receiveUpload({
    cwd,
    name: "file.bin",
    overwrite: false,
    body: body.stream,
    limitBytes,
  });
  return { result, state: body.state };
};

const uploadsDir = () => join(cwd, ".opendray", "uploads");

describe("the body copy", () => {
  test("many tiny chunks, past a batch, land byte for byte", async () => {
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (let n = 0; total < WRITE_BATCH_BYTES + 100_000; n++) {
      const chunk = bytes(1 + (n % 7), total);
      chunks.push(chunk);
      total += chunk.length;
    }
    const { result } = receive(chunks, 4 * WRITE_BATCH_BYTES);
    const file = await result;
    expect(file.size).toBe(total);
    expect(new Uint8Array(readFileSync(file.path))).toEqual(concat(chunks));
  });

  test("chunks that fill a batch exactly, overflow it, and exceed it keep their order", async () => {
    const sizes = [
      3,
      WRITE_BATCH_BYTES - 3,
      1,
      WRITE_BATCH_BYTES - 2,
      5,
      2 * WRITE_BATCH_BYTES + 1,
      9,
    ];
    let total = 0;
    const chunks = sizes.map((size) => {
      const chunk = bytes(size, total);
      total += size;
      return chunk;
    });
    const file = await receive(chunks, total).result;
    expect(file.size).toBe(total);
    expect(new Uint8Array(readFileSync(file.path))).toEqual(concat(chunks));
  });

  test("an empty body makes an empty file", async () => {
    const file = await receive([], 10).result;
    expect(file.size).toBe(0);
    expect(readFileSync(file.path).length).toBe(0);
  });

  test("a final chunk that crosses UPLOAD_LIMIT is 413 and leaves no file", async () => {
    const limit = WRITE_BATCH_BYTES + 10;
    const chunks = [bytes(WRITE_BATCH_BYTES - 5), bytes(10), bytes(6)];
    const { result } = receive(chunks, limit);
    const error = await result.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).status).toBe(413);
    expect((error as AppError).code).toBe("upload_too_large");
    expect(readdirSync(uploadsDir())).toEqual([]);
  });

  test("a chunk crossing the cap stops reading: the rest of the body is cancelled", async () => {
    const chunks = [bytes(100), bytes(100), bytes(100), bytes(100)];
    const { result, state } = receive(chunks, 150);
    expect(((await result.catch((caught: unknown) => caught)) as AppError).status).toBe(413);
    expect(state.cancelled).toBe(true);
    expect(state.read).toBeLessThan(chunks.length);
    expect(readdirSync(uploadsDir())).toEqual([]);
  });

  test("a final chunk that ends exactly at UPLOAD_LIMIT is taken", async () => {
    const chunks = [bytes(WRITE_BATCH_BYTES - 5), bytes(15)];
    const file = await receive(chunks, WRITE_BATCH_BYTES + 10).result;
    expect(file.size).toBe(WRITE_BATCH_BYTES + 10);
    expect(new Uint8Array(readFileSync(file.path))).toEqual(concat(chunks));
  });

  test("a disk that fills during a batch write is 507, the rest unread, no partial file", async () => {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=256k", "tmpfs", cwd]);
    try {
      const chunks = Array.from({ length: 48 }, (_, n) => bytes(64 * 1024, n));
      const { result, state } = receive(chunks, 4 * WRITE_BATCH_BYTES);
      const error = (await result.catch((caught: unknown) => caught)) as AppError;
      expect(error).toBeInstanceOf(AppError);
      expect(error.status).toBe(507);
      expect(error.code).toBe("disk_full");
      expect(state.cancelled).toBe(true);
      expect(state.read).toBeLessThan(chunks.length);
      expect(readdirSync(uploadsDir())).toEqual([]);
    } finally {
      execFileSync("umount", ["--lazy", cwd]);
    }
  });
});
