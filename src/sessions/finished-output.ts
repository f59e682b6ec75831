// The output kept of finished sessions, as their readers (stream viewers, GET /output) see it:
// one copy of a session's scrollback file in memory however many read it at once. The copy is
// shared while any reader holds a view of it and left to the collector once none does.

import type { ScrollbackStore } from "./scrollback-store.ts";
import type { OutputSource } from "./viewer.ts";

/** Bytes that never change again, addressed by absolute offsets: `bytes[0]` is at `start`. */
export class StoredOutput implements OutputSource {
  constructor(
    readonly start: number,
    private readonly bytes: Uint8Array,
  ) {}

  get end(): number {
    return this.start + this.bytes.length;
  }

  view(from: number, maxBytes = Number.POSITIVE_INFINITY): Uint8Array {
    const begin = Math.max(from, this.start) - this.start;
    return this.bytes.subarray(begin, begin + Math.max(0, maxBytes));
  }
}

export interface FinishedOutputCache {
  /**
   * What the scrollback file of finished session `id` holds, the last `maxBytes` of it; the
   * same object for every reader while any of them holds it. Undefined when nothing was kept.
   * Only for sessions whose file is complete: it is read once and never again while in use.
   */
  read(id: string): StoredOutput | undefined;
}

/** Where a session's copy lies, while its memory lives. */
interface HeldCopy {
  /** Weak: the copy lives as long as any view of it does (a viewer's, a response body's). */
  memory: WeakRef<ArrayBufferLike>;
  byteOffset: number;
  length: number;
  start: number;
}

/**
 * @param maxBytes how much of a file is kept (SCROLLBACK_BYTES)
 */
export function createFinishedOutputCache(
  store: ScrollbackStore,
  maxBytes: number,
): FinishedOutputCache {
  // Until the collector has taken a copy nobody reads any more, the next reader gets it back
  // instead of reading a second one.
  const held = new Map<string, HeldCopy>();
  const forget = new FinalizationRegistry<string>((id) => {
    if (held.get(id)?.memory.deref() === undefined) held.delete(id);
  });
  return {
    read(id) {
      const copy = held.get(id);
      const memory = copy?.memory.deref();
      if (copy && memory) {
        return new StoredOutput(copy.start, new Uint8Array(memory, copy.byteOffset, copy.length));
      }
      const stored = store.read(id, maxBytes);
      if (!stored) return undefined;
      const { buffer, byteOffset, length } = stored.bytes;
      held.set(id, { memory: new WeakRef(buffer), byteOffset, length, start: stored.start });
      forget.register(buffer, id);
      return new StoredOutput(stored.start, stored.bytes);
    },
  };
}
