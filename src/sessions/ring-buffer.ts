// A byte ring addressed by absolute offsets: the scrollback of one session.
// Its storage is a row of fixed-size chunks allocated as output first reaches them, so a quiet
// session stays small and a growing one never copies what it holds (a single array doubling
// up to a 128 MiB scrollback copied 64 MiB on the event loop at the last step, and held both
// arrays while it did). Only the first chunk starts small and doubles.

/** Storage of one chunk; every chunk but the last has exactly this size. */
export const CHUNK_BYTES = 256 * 1024;
/** Initial size of the first chunk; doubled on demand up to CHUNK_BYTES. */
const INITIAL_BYTES = 16 * 1024;

export class RingBuffer {
  // Invariants: 0 <= end - start <= capacity; the byte at absolute offset o (start <= o < end)
  // is at position p = o % capacity, in chunks[p / CHUNK_BYTES] at p % CHUNK_BYTES. A chunk is
  // allocated (the first one grown) when a byte is first written to it, so every held byte's
  // chunk exists and is long enough; chunks no held byte reached yet may be missing.
  private readonly chunks: (Uint8Array | undefined)[] = [];
  private startOffset = 0;
  private endOffset = 0;

  /** @param capacity bytes kept at most (SCROLLBACK_BYTES) */
  constructor(
    readonly capacity: number,
    initialOffset = 0,
  ) {
    if (!Number.isSafeInteger(capacity) || capacity <= 0) throw new RangeError("capacity");
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
    let total = 0;
    for (const chunk of this.chunks) total += chunk?.length ?? 0;
    return total;
  }

  append(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    // Only the last `capacity` bytes of a huge chunk can survive.
    const kept =
      bytes.length > this.capacity ? bytes.subarray(bytes.length - this.capacity) : bytes;
    let offset = this.endOffset + (bytes.length - kept.length);
    let from = 0;
    while (from < kept.length) {
      const position = offset % this.capacity;
      const at = position % CHUNK_BYTES;
      const chunk = this.writableChunk(position);
      const take = Math.min(chunk.length - at, kept.length - from);
      chunk.set(kept.subarray(from, from + take), at);
      from += take;
      offset += take;
    }
    this.endOffset += bytes.length;
    this.startOffset = Math.max(this.startOffset, this.endOffset - this.capacity);
  }

  /** Drop everything held and go on at `offset` (≥ end): the bytes in between are lost. */
  skipTo(offset: number): void {
    if (offset < this.endOffset) throw new RangeError("skipTo goes backwards");
    this.startOffset = offset;
    this.endOffset = offset;
  }

  /** Drop everything held and free the storage; appends go on at `end`. */
  clear(): void {
    this.chunks.length = 0;
    this.startOffset = this.endOffset;
  }

  /**
   * The bytes from `from` (clamped to what is held) in one view into the storage, as many as
   * lie in one chunk and at most `maxBytes`; empty at the end. Valid until the next append:
   * copy it if kept. Loop to send everything without copying.
   */
  view(from: number, maxBytes = Number.POSITIVE_INFINITY): Uint8Array {
    const begin = Math.max(from, this.startOffset);
    const length = Math.max(0, Math.min(this.endOffset - begin, maxBytes));
    if (length === 0) return new Uint8Array(0);
    const position = begin % this.capacity;
    const chunk = this.chunks[Math.floor(position / CHUNK_BYTES)] as Uint8Array;
    const at = position % CHUNK_BYTES;
    // subarray stops at the chunk's end.
    return chunk.subarray(at, at + length);
  }

  /**
   * Up to `maxBytes` bytes from absolute offset `from` (clamped to what is held), in one array:
   * a view into the storage when they lie in one chunk (copy it before the next append if
   * kept), else a copy.
   */
  read(from: number, maxBytes = Number.POSITIVE_INFINITY): Uint8Array {
    const begin = Math.max(from, this.startOffset);
    const length = Math.max(0, Math.min(this.endOffset - begin, maxBytes));
    const first = this.view(begin, length);
    if (first.length === length) return first;
    const out = new Uint8Array(length);
    let filled = 0;
    for (let piece = first; filled < length; piece = this.view(begin + filled, length - filled)) {
      out.set(piece, filled);
      filled += piece.length;
    }
    return out;
  }

  /**
   * The bytes from `from` (clamped to what is held) to the end as views into the storage, one
   * per chunk, without copying; valid until the next append.
   */
  views(from: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (let at = Math.max(from, this.startOffset); at < this.endOffset; ) {
      const piece = this.view(at);
      out.push(piece);
      at += piece.length;
    }
    return out;
  }

  /** Length of the chunk holding `position`: CHUNK_BYTES, or less for the last one. */
  private chunkLength(position: number): number {
    const first = position - (position % CHUNK_BYTES);
    return Math.min(CHUNK_BYTES, this.capacity - first);
  }

  /** The chunk that holds `position`, allocated or grown on first use to reach past it. */
  private writableChunk(position: number): Uint8Array {
    const index = Math.floor(position / CHUNK_BYTES);
    const at = position % CHUNK_BYTES;
    const full = this.chunkLength(position);
    let chunk = this.chunks[index];
    if (chunk === undefined || at >= chunk.length) {
      // The first chunk starts small and doubles (a quiet session stays small); others are
      // allocated whole, as output that reaches them is streaming.
      let size = index === 0 ? (chunk?.length ?? INITIAL_BYTES) : full;
      while (size <= at) size *= 2;
      const grown = new Uint8Array(Math.min(size, full));
      if (chunk) grown.set(chunk);
      chunk = grown;
      this.chunks[index] = chunk;
    }
    return chunk;
  }
}
