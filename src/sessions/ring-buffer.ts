// A byte ring addressed by absolute offsets: the scrollback of one session.
// It grows by doubling up to its capacity so that quiet sessions stay small.

/** Initial storage; doubled on demand up to the capacity. */
const INITIAL_BYTES = 16 * 1024;

export class RingBuffer {
  // Invariants: 0 <= end - start <= min(storage.length, capacity);
  // the byte at absolute offset o (start <= o < end) is storage[o % storage.length].
  // Growth re-lays the bytes out so that this mapping holds for the new length.
  private storage: Uint8Array;
  private startOffset = 0;
  private endOffset = 0;

  /** @param capacity bytes kept at most (SCROLLBACK_BYTES) */
  constructor(
    readonly capacity: number,
    initialOffset = 0,
  ) {
    if (!Number.isSafeInteger(capacity) || capacity <= 0) throw new RangeError("capacity");
    this.storage = new Uint8Array(Math.min(INITIAL_BYTES, capacity));
    this.startOffset = initialOffset;
    this.endOffset = initialOffset;
  }

  /** Absolute offset of the oldest byte still held. */
  get start(): number {
    return this.startOffset;
  }

  /** Absolute offset one past the newest byte (= total bytes ever appended, plus the initial offset). */
  get end(): number {
    return this.endOffset;
  }

  /** Bytes of memory held by the storage. */
  get allocatedBytes(): number {
    return this.storage.length;
  }

  append(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    const held = this.endOffset - this.startOffset;
    this.ensureStorage(held + bytes.length);
    const size = this.storage.length;
    // Only the last `size` bytes of a huge chunk can survive.
    const kept = bytes.length > size ? bytes.subarray(bytes.length - size) : bytes;
    const writeFrom = this.endOffset + (bytes.length - kept.length);
    const at = writeFrom % size;
    const first = Math.min(kept.length, size - at);
    this.storage.set(kept.subarray(0, first), at);
    if (first < kept.length) this.storage.set(kept.subarray(first), 0);
    this.endOffset += bytes.length;
    this.startOffset = Math.max(this.startOffset, this.endOffset - size);
  }

  /** Drop everything held and go on at `offset` (≥ end): the bytes in between are lost. */
  skipTo(offset: number): void {
    if (offset < this.endOffset) throw new RangeError("skipTo goes backwards");
    this.startOffset = offset;
    this.endOffset = offset;
  }

  /**
   * Up to `maxBytes` bytes from absolute offset `from` (clamped to what is held).
   * Returns a view into the storage when contiguous: copy it before the next append if kept.
   */
  read(from: number, maxBytes = Number.POSITIVE_INFINITY): Uint8Array {
    const begin = Math.max(from, this.startOffset);
    const length = Math.max(0, Math.min(this.endOffset - begin, maxBytes));
    if (length === 0) return new Uint8Array(0);
    const size = this.storage.length;
    const at = begin % size;
    if (at + length <= size) return this.storage.subarray(at, at + length);
    const out = new Uint8Array(length);
    const first = size - at;
    out.set(this.storage.subarray(at), 0);
    out.set(this.storage.subarray(0, length - first), first);
    return out;
  }

  /**
   * The bytes from `from` (clamped to what is held) to the end as one or two views into the
   * storage, without copying; valid until the next append.
   */
  views(from: number): Uint8Array[] {
    const begin = Math.max(from, this.startOffset);
    const length = this.endOffset - begin;
    if (length <= 0) return [];
    const size = this.storage.length;
    const at = begin % size;
    if (at + length <= size) return [this.storage.subarray(at, at + length)];
    return [this.storage.subarray(at), this.storage.subarray(0, length - (size - at))];
  }

  private ensureStorage(wanted: number): void {
    const current = this.storage.length;
    if (wanted <= current || current >= this.capacity) return;
    let next = current;
    while (next < wanted && next < this.capacity) next *= 2;
    next = Math.min(next, this.capacity);
    const held = this.read(this.startOffset);
    const grown = new Uint8Array(next);
    const at = this.startOffset % next;
    const first = Math.min(held.length, next - at);
    grown.set(held.subarray(0, first), at);
    if (first < held.length) grown.set(held.subarray(first), 0);
    this.storage = grown;
  }
}
