// The host protocol's frames (src/pty-host/frames.ts): control messages and byte runs split at
// any point decode to the same messages and bytes; malformed frames are refused.

import { expect, test } from "bun:test";
import { encodeBytes, encodeControl, FrameDecoder, FrameError, FrameKind } from "./frames.ts";

test("the decoder splits frames across chunks and rejects nonsense", () => {
  const decoder = new FrameDecoder();
  const bytes = encodeControl({ type: "skip", id: "x", to: 1 });
  expect(decoder.push(bytes.subarray(0, 3))).toEqual([]);
  expect(decoder.push(bytes.subarray(3))).toEqual([
    { kind: FrameKind.control, message: { type: "skip", id: "x", to: 1 } },
  ]);
  expect(() => new FrameDecoder().push(new Uint8Array([0, 0, 0, 0]))).toThrow(FrameError);
});

test("frames split at any point, in any chunk sizes, decode to the same messages and bytes", () => {
  const id = "0d5c4a8e-0000-4000-8000-000000000001";
  const other = "0d5c4a8e-0000-4000-8000-000000000002";
  const big = Uint8Array.from({ length: 70_000 }, (_, i) => i % 251);
  const stream = Buffer.concat([
    encodeControl({ type: "skip", id, to: 7 }),
    encodeBytes(FrameKind.output, id, big),
    encodeBytes(FrameKind.output, other, new Uint8Array([0, 255, 10])),
    encodeBytes(FrameKind.input, id, new Uint8Array(0)),
    encodeControl({ type: "exit", id, exitCode: 0, signal: null }),
    encodeBytes(FrameKind.input, other, new Uint8Array([1, 2])),
  ]);
  for (const size of [1, 3, 4, 5, 40, 41, 42, 1000, 65_536, stream.length]) {
    const decoder = new FrameDecoder();
    // Control messages in order; the bytes of each (kind, id) run joined, as a stream.
    const seen: (string | { kind: number; id: string; bytes: Buffer })[] = [];
    for (let at = 0; at < stream.length; at += size) {
      // A fresh copy each time, scribbled over after the call: pieces are only valid during it.
      const chunk = new Uint8Array(stream.subarray(at, at + size));
      for (const frame of decoder.push(chunk)) {
        if (frame.kind === FrameKind.control) {
          seen.push((frame.message as { type: string }).type);
          continue;
        }
        const last = seen.at(-1);
        const piece = Buffer.from(frame.bytes);
        if (typeof last === "object" && last.kind === frame.kind && last.id === frame.id) {
          last.bytes = Buffer.concat([last.bytes, piece]);
        } else seen.push({ kind: frame.kind, id: frame.id, bytes: piece });
      }
      chunk.fill(7);
    }
    expect(seen).toEqual([
      "skip",
      { kind: FrameKind.output, id, bytes: Buffer.from(big) },
      { kind: FrameKind.output, id: other, bytes: Buffer.from([0, 255, 10]) },
      "exit",
      { kind: FrameKind.input, id: other, bytes: Buffer.from([1, 2]) },
    ]);
  }
});

test("a frame built in a scratch buffer is a view of it; a larger one gets its own array", () => {
  const id = "0d5c4a8e-0000-4000-8000-000000000001";
  const scratch = new Uint8Array(64);
  const small = encodeBytes(FrameKind.output, id, new Uint8Array([1, 2, 3]), scratch);
  expect(small.buffer).toBe(scratch.buffer);
  expect(small.length).toBe(44);
  const large = encodeBytes(FrameKind.output, id, new Uint8Array(100), scratch);
  expect(large.buffer).not.toBe(scratch.buffer);
  const frames = new FrameDecoder().push(Buffer.concat([small, large]));
  expect(
    frames.map((frame) => (frame.kind === FrameKind.control ? 0 : frame.bytes.length)),
  ).toEqual([3, 100]);
});

test("the decoder rejects a short byte frame, a bad id and an unknown kind", () => {
  const frame = (length: number, kind: number, body: Uint8Array) => {
    const bytes = new Uint8Array(5 + body.length);
    new DataView(bytes.buffer).setUint32(0, length);
    bytes[4] = kind;
    bytes.set(body, 5);
    return bytes;
  };
  const id = Buffer.from("0d5c4a8e-0000-4000-8000-000000000001");
  expect(() => new FrameDecoder().push(frame(10, FrameKind.output, id))).toThrow(
    "byte frame is shorter than its id",
  );
  expect(() =>
    new FrameDecoder().push(frame(40, FrameKind.input, Buffer.from("x".repeat(36)))),
  ).toThrow("byte frame has an invalid session id");
  expect(() => new FrameDecoder().push(frame(3, 9, new Uint8Array(2)))).toThrow(
    "unknown frame kind 9",
  );
  expect(() => new FrameDecoder().push(frame(3, FrameKind.control, Buffer.from("[]")))).toThrow(
    "control frame is not a JSON object",
  );
});
