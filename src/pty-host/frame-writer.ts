// Writes frames to a Bun socket in order: what the kernel does not take at once is queued and
// written on `drain`. Producers that can wait (the host's output pump) check `congested` and are
// called back through `onWritable`; a peer that stops reading past `maxQueuedBytes` is reported,
// never buffered without bound.

import type { Socket } from "bun";

/** Above this many bytes waiting, `congested` is true and output pumps pause. */
export const HIGH_WATER_BYTES = 1024 * 1024;

export interface FrameWriterOptions {
  maxQueuedBytes: number;
  onOverflow: () => void;
  /** Gather the frames of one event-loop turn into one write (fewer syscalls under load). */
  coalesce?: boolean;
  /** Everything was handed to the kernel: pumps may go on. */
  onWritable?: () => void;
}

export class FrameWriter {
  private readonly queue: Uint8Array[] = [];
  private queuedBytes = 0;
  private overflowed = false;
  /** Frames gathered in this turn of the event loop (coalescing writers only). */
  private batch: Uint8Array[] = [];
  private batchedBytes = 0;
  private turnScheduled = false;

  constructor(
    private readonly socket: Socket<unknown>,
    private readonly options: FrameWriterOptions,
  ) {}

  /** True while more than HIGH_WATER_BYTES wait to be written. */
  get congested(): boolean {
    return this.queuedBytes + this.batchedBytes > HIGH_WATER_BYTES;
  }

  send(frame: Uint8Array): void {
    if (this.overflowed) return;
    if (!this.options.coalesce) {
      this.write(frame);
      return;
    }
    if (!this.turnScheduled) {
      // The first frame of a turn goes at once (keystroke echo); the rest of the turn's frames
      // are gathered and written together when the turn ends.
      this.turnScheduled = true;
      setImmediate(() => {
        this.turnScheduled = false;
        this.flushBatch();
      });
      this.write(frame);
      return;
    }
    this.batch.push(frame);
    this.batchedBytes += frame.length;
  }

  /** The socket can take more. */
  drain(): void {
    while (this.queue.length > 0) {
      const head = this.queue[0] as Uint8Array;
      const written = Math.max(0, this.socket.write(head));
      this.queuedBytes -= written;
      if (written < head.length) {
        this.queue[0] = head.subarray(written);
        return;
      }
      this.queue.shift();
    }
    this.options.onWritable?.();
  }

  /** Write the gathered frames now (before closing the socket). */
  flush(): void {
    this.flushBatch();
  }

  private flushBatch(): void {
    const frames = this.batch;
    if (frames.length === 0) return;
    this.batch = [];
    this.batchedBytes = 0;
    if (frames.length === 1) this.write(frames[0] as Uint8Array);
    else if (frames.length > 1) this.write(Buffer.concat(frames));
    if (this.queue.length === 0) this.options.onWritable?.();
  }

  private write(frame: Uint8Array): void {
    if (this.overflowed) return;
    let rest = frame;
    if (this.queue.length === 0) {
      const written = Math.max(0, this.socket.write(rest));
      if (written === rest.length) return;
      rest = rest.subarray(written);
    }
    this.queue.push(rest);
    this.queuedBytes += rest.length;
    if (this.queuedBytes > this.options.maxQueuedBytes) {
      this.overflowed = true;
      this.queue.length = 0;
      this.options.onOverflow();
    }
  }
}
