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
  /** Everything was handed to the kernel: pumps may go on. */
  onWritable?: () => void;
}

export class FrameWriter {
  private readonly queue: Uint8Array[] = [];
  private queuedBytes = 0;
  private overflowed = false;

  constructor(
    private readonly socket: Socket<unknown>,
    private readonly options: FrameWriterOptions,
  ) {}

  /** True while more than HIGH_WATER_BYTES wait to be written. */
  get congested(): boolean {
    return this.queuedBytes > HIGH_WATER_BYTES;
  }

  /** True while nothing waits: the kernel took every frame so far. */
  get idle(): boolean {
    return this.queue.length === 0;
  }

  /** `frame` may be reused once this returns: what the kernel did not take is copied. */
  send(frame: Uint8Array): void {
    if (this.overflowed) return;
    let rest = frame;
    if (this.queue.length === 0) {
      const written = Math.max(0, this.socket.write(rest));
      if (written === rest.length) return;
      rest = rest.subarray(written);
    }
    this.queue.push(rest.slice());
    this.queuedBytes += rest.length;
    if (this.queuedBytes > this.options.maxQueuedBytes) {
      this.overflowed = true;
      this.queue.length = 0;
      this.options.onOverflow();
    }
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
}
