// A session's terminal state, kept on the side that owns its PTY: an @xterm/headless terminal
// (the browser's own parser) fed every output byte, so that a viewer that attaches late gets a
// snapshot — bytes that, written to a freshly reset terminal, reproduce the screens, modes,
// cursor and a bounded scrollback — instead of a replay of the ring's tail, which loses
// whatever the program set up before the tail began.
//
// The parser never runs on the PTY read path. Output goes to the ring first; the screen reads
// the ring by offset when the event-loop turn ends (or at once, when the turn's output is about
// to overrun the ring) and queues it in xterm, which parses in its own timer slices. Should a
// flood outrun the parser by more than QUEUE_LIMIT_BYTES and the ring both, the screen goes on
// from the ring's start and counts the skipped bytes: it is then that of the ring's tail, as a
// byte replay would be.
//
// An idle screen costs a string: FREE_AFTER_MS after the last output the terminal is serialized
// and dropped, and rebuilt from that string when output resumes.

import { SerializeAddon } from "@xterm/addon-serialize";
import { Terminal } from "@xterm/headless";
import type { OutputSource } from "./viewer.ts";

/** What a viewer needs to show a session's terminal as it is at `offset`. */
export interface ScreenSnapshot {
  /** Absolute output offset: the state after every byte before it, none after. */
  offset: number;
  cols: number;
  rows: number;
  /** Written to a freshly reset terminal of cols × rows, reproduces the state. */
  data: string;
}

/** Output is handed to xterm in pieces of at most this size. */
const FEED_BYTES = 256 * 1024;
/**
 * Most output handed to xterm and not yet parsed: a flood faster than the parser waits in
 * xterm's queue up to this much (and only while it lasts) before the screen skips ahead.
 */
export const QUEUE_LIMIT_BYTES = 8 * 1024 * 1024;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A title longer than this (xterm takes up to 10 MB) is cut in snapshots. */
const MAX_TITLE_CHARS = 1024;
/** An idle screen is serialized and its terminal dropped after this long without output. */
export const FREE_AFTER_MS = 10_000;

export interface ScreenOptions {
  cols: number;
  rows: number;
  /** Lines kept above the screen (SNAPSHOT_SCROLLBACK_LINES). */
  scrollbackLines: number;
}

/** Internals of @xterm/headless 6.0.0 that the public API does not expose (see `extraState`). */
interface XtermCore {
  coreService: {
    isCursorHidden: boolean;
    decPrivateModes: { cursorStyle?: string; cursorBlink?: boolean };
  };
  coreMouseService: { activeEncoding: string };
  buffer: { scrollTop: number; scrollBottom: number };
}

export class TerminalScreen {
  private term: Terminal | undefined;
  private serializer: SerializeAddon | undefined;
  /** The state, deflated, while the terminal is dropped (terminal text compresses well). */
  private saved: Uint8Array<ArrayBuffer> | undefined;
  private title = "";
  /** The size `saved` was serialized at. */
  private savedSize: { cols: number; rows: number };
  private cols: number;
  private rows: number;
  // Invariant: the output before `fed` was handed to xterm, `unparsed` bytes of it not parsed yet.
  private fed: number;
  private unparsed = 0;
  /** Bytes the ring overwrote before the screen read them. */
  skipped = 0;
  private feedQueued = false;
  private freeTimer: Timer | undefined;
  private lastOutputMs = 0;
  private disposed = false;

  constructor(
    private readonly ring: OutputSource & { readonly capacity: number },
    private readonly options: ScreenOptions,
  ) {
    this.cols = options.cols;
    this.rows = options.rows;
    this.fed = ring.end;
    this.savedSize = { cols: options.cols, rows: options.rows };
  }

  /**
   * The ring grew by `bytes` (its newest output): read it when this event-loop turn ends, or now
   * if the ring is half overrun. A read larger than what the ring keeps is taken from `bytes`.
   */
  touch(bytes?: Uint8Array): void {
    this.lastOutputMs = performance.now();
    const { ring } = this;
    if (bytes && this.fed < ring.start && this.fed >= ring.end - bytes.length && !this.disposed) {
      const term = this.term ?? this.build();
      const chunk = bytes.slice(this.fed - (ring.end - bytes.length));
      this.fed = ring.end;
      this.unparsed += chunk.length;
      term.write(chunk, () => this.parsedChunk(chunk.length));
      return;
    }
    if (ring.end - this.fed >= ring.capacity / 2) {
      this.feed();
      return;
    }
    if (this.feedQueued || this.disposed) return;
    this.feedQueued = true;
    setImmediate(() => this.feed());
  }

  /** The PTY's size changed: applies after the output that came before it. */
  resize(cols: number, rows: number): void {
    if (cols === this.cols && rows === this.rows) return;
    this.cols = cols;
    this.rows = rows;
    // A dropped terminal is rebuilt at the size its state was saved at, then resized.
    const term = this.term ?? (this.saved ? this.build() : undefined);
    if (!term) return;
    this.feed();
    term.write("", () => term.resize(cols, rows));
  }

  /** The state after all output so far (that the ring still held when it was read). */
  snapshot(): Promise<ScreenSnapshot> {
    this.feed(Number.POSITIVE_INFINITY);
    const term = this.term;
    if (!term) {
      const data = this.savedText();
      return Promise.resolve({ offset: this.fed, cols: this.cols, rows: this.rows, data });
    }
    const offset = this.fed;
    return new Promise((resolve) => {
      term.write("", () => {
        resolve({ offset, cols: term.cols, rows: term.rows, data: this.serialize(term) });
      });
    });
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.freeTimer);
    this.term?.dispose();
    this.term = undefined;
    this.serializer = undefined;
  }

  /** Hand xterm what the ring holds beyond `fed`, while less than `limit` waits unparsed. */
  private feed(limit = QUEUE_LIMIT_BYTES): void {
    this.feedQueued = false;
    if (this.disposed) return;
    const { ring } = this;
    if (this.fed < ring.start) {
      this.skipped += ring.start - this.fed;
      this.fed = ring.start;
    }
    while (this.fed < ring.end && this.unparsed < limit) {
      const term = this.term ?? this.build();
      // A copy: xterm keeps the chunk until it parses it, and the ring reuses its memory.
      const chunk = ring.view(this.fed, FEED_BYTES).slice();
      this.fed += chunk.length;
      this.unparsed += chunk.length;
      term.write(chunk, () => this.parsedChunk(chunk.length));
    }
    this.scheduleFree();
  }

  private parsedChunk(bytes: number): void {
    this.unparsed -= bytes;
    if (this.fed < this.ring.end && !this.feedQueued) this.feed();
  }

  private build(): Terminal {
    const size = this.saved ? this.savedSize : { cols: this.cols, rows: this.rows };
    const term = new Terminal({
      cols: size.cols,
      rows: size.rows,
      scrollback: this.options.scrollbackLines,
      allowProposedApi: true,
    });
    const serializer = new SerializeAddon();
    // The addon is typed against @xterm/xterm's Terminal; headless has the same API it uses.
    term.loadAddon(serializer as unknown as Parameters<Terminal["loadAddon"]>[0]);
    term.onTitleChange((title) => {
      this.title = title;
    });
    if (this.saved) {
      term.write(this.savedText());
      if (size.cols !== this.cols || size.rows !== this.rows) {
        const { cols, rows } = this;
        term.write("", () => term.resize(cols, rows));
      }
    }
    this.saved = undefined;
    this.term = term;
    this.serializer = serializer;
    return term;
  }

  // One timer while output flows, re-armed for the remainder (none while the terminal is dropped).
  private scheduleFree(): void {
    if (this.freeTimer !== undefined || !this.term) return;
    this.freeTimer = setTimeout(() => this.freeIfIdle(), FREE_AFTER_MS);
  }

  private freeIfIdle(): void {
    this.freeTimer = undefined;
    const term = this.term;
    if (!term || this.disposed) return;
    const quietMs = performance.now() - this.lastOutputMs;
    if (quietMs < FREE_AFTER_MS || this.fed < this.ring.end) {
      const wait = quietMs < FREE_AFTER_MS ? FREE_AFTER_MS - quietMs : FREE_AFTER_MS;
      this.freeTimer = setTimeout(() => this.freeIfIdle(), wait);
      return;
    }
    term.write("", () => {
      if (this.term !== term || this.unparsed > 0 || this.disposed) return;
      this.saved = Bun.deflateSync(encoder.encode(this.serialize(term)));
      this.savedSize = { cols: term.cols, rows: term.rows };
      term.dispose();
      this.term = undefined;
      this.serializer = undefined;
    });
  }

  private savedText(): string {
    return this.saved ? decoder.decode(Bun.inflateSync(this.saved)) : "";
  }

  private serialize(term: Terminal): string {
    const body = this.serializer?.serialize({ scrollback: this.options.scrollbackLines }) ?? "";
    return body + extraState(term, this.title);
  }
}

/**
 * What the serialize addon leaves out and a returning viewer needs: the scroll region, the
 * cursor's visibility and style, the mouse encoding and the title. Reads @xterm/headless
 * internals (the version is pinned; test/screen.test.ts checks each of them round-trips).
 */
function extraState(term: Terminal, title: string): string {
  const core = (term as unknown as { _core: XtermCore })._core;
  let out = "";
  const { scrollTop, scrollBottom } = core.buffer;
  const buffer = term.buffer.active;
  const region = scrollTop !== 0 || scrollBottom !== term.rows - 1;
  if (region) out += `\x1b[${scrollTop + 1};${scrollBottom + 1}r`;
  if (region || term.modes.originMode) {
    // DECSTBM and origin mode (the addon's modes, before this) home the cursor: put it back,
    // relative to the region when origin mode is on.
    const row = term.modes.originMode ? buffer.cursorY - scrollTop : buffer.cursorY;
    out += `\x1b[${row + 1};${buffer.cursorX + 1}H`;
  }
  if (core.coreService.isCursorHidden) out += "\x1b[?25l";
  const style = core.coreService.decPrivateModes.cursorStyle;
  if (style) {
    const blink = core.coreService.decPrivateModes.cursorBlink !== false;
    const base = style === "underline" ? 3 : style === "bar" ? 5 : 1;
    out += `\x1b[${blink ? base : base + 1} q`;
  }
  const encoding = core.coreMouseService.activeEncoding;
  if (encoding === "SGR") out += "\x1b[?1006h";
  else if (encoding === "SGR_PIXELS") out += "\x1b[?1016h";
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it drops
  if (title) out += `\x1b]2;${title.slice(0, MAX_TITLE_CHARS).replace(/[\x00-\x1f\x7f]/g, "")}\x07`;
  return out;
}
