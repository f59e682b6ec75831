import { expect, test } from "bun:test";
import { createServer, type Socket as NetSocket } from "node:net";
import { join } from "node:path";
import { tempDirForFile } from "../../test/support/temp-dir.ts";
import { FrameWriter, HIGH_WATER_BYTES } from "./frame-writer.ts";

const dir = tempDirForFile("writer");

test("what the kernel does not take is copied: the caller may reuse its buffer at once", async () => {
  const path = join(dir, "peer.sock");
  // A peer that does not read until told: the kernel's buffers fill and writes come up short.
  let peer: NetSocket | undefined;
  const received: Buffer[] = [];
  const accepted = Promise.withResolvers<void>();
  const server = createServer((socket) => {
    peer = socket;
    socket.pause();
    socket.on("data", (data: Buffer) => received.push(data));
    accepted.resolve();
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  let writer!: FrameWriter;
  const socket = await Bun.connect({
    unix: path,
    socket: { data() {}, drain: () => writer.drain() },
  });
  writer = new FrameWriter(socket, { maxQueuedBytes: 64 * 1024 * 1024, onOverflow() {} });
  await accepted.promise;
  try {
    // One scratch buffer, refilled with the frame's number before every send.
    const scratch = new Uint8Array(64 * 1024);
    let frames = 0;
    while (!writer.congested) {
      scratch.fill(frames % 256);
      writer.send(scratch);
      frames += 1;
    }
    scratch.fill(255);
    expect(frames * scratch.length).toBeGreaterThan(HIGH_WATER_BYTES);
    const total = frames * scratch.length;
    const all = Promise.withResolvers<void>();
    let length = 0;
    peer?.on("data", (data) => {
      length += data.length;
      if (length >= total) all.resolve();
    });
    peer?.resume();
    await all.promise;
    const bytes = Buffer.concat(received);
    expect(bytes.length).toBe(total);
    for (let frame = 0; frame < frames; frame++) {
      const piece = bytes.subarray(frame * scratch.length, (frame + 1) * scratch.length);
      expect(piece.every((byte) => byte === frame % 256)).toBe(true);
    }
  } finally {
    socket.end();
    server.close();
  }
});
