// The prompt a bench program prints once it is set up and waits for the go key. It is found in
// the output without keeping the output: only a few bytes of tail are held between chunks, so
// any amount of output may come before it (a scrollback warm-up, a login banner).

export const READY = "READY";
const MARKER = Buffer.from(READY, "latin1");
const TAIL_BYTES = MARKER.length - 1;

export class ReadyMarker {
  seen = false;
  private tail = Buffer.alloc(0);

  /** Look at the next output chunk; true once the marker has appeared. */
  feed(chunk: Uint8Array): boolean {
    if (this.seen) return true;
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const seam = Buffer.concat([this.tail, bytes.subarray(0, TAIL_BYTES)]);
    this.seen = seam.includes(MARKER) || bytes.includes(MARKER);
    this.tail =
      bytes.length >= TAIL_BYTES
        ? Buffer.from(bytes.subarray(bytes.length - TAIL_BYTES))
        : Buffer.concat([this.tail, bytes]).subarray(-TAIL_BYTES);
    return this.seen;
  }
}
