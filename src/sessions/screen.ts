// A session's terminal state, kept on the side that owns its PTY: an @xterm/headless terminal
// (the browser's own parser) fed every output byte, so that a viewer that attaches late gets a
// snapshot — bytes that, written to a freshly reset terminal, reproduce the screens, modes,
// cursor and a bounded scrollback — instead of a replay of the ring's tail, which loses
// whatever the program set up before the tail began.
//
// The parser never runs ahead of the output's way to viewers, and never takes more than its
// share of the process. The screen reads the ring by offset when the event-loop turn ends (at
// once when the turn's output would half overrun the ring) and parses it synchronously, on a
// time budget: PARSE_BURST_MS of parse time saved up while output is calm, refilled at
// PARSE_SHARE of the wall clock. A burst (a TUI redrawing, a build log) is parsed in full; a
// flood longer than the budget lets the parser lag while the ring covers the lag, and beyond
// that the screen goes on from the ring's start and counts the skipped bytes: it is then that
// of the ring's tail, as a byte replay would be (modes set in the skipped output are lost).
//
// An idle screen costs a few kilobytes: FREE_AFTER_MS after the last output the terminal is
// serialized, deflated and dropped, and rebuilt from that when output resumes.

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

/** The text of a session's screen, for matching the prompts a program draws (src/attention/). */
export interface ScreenText {
  /** Absolute output offset: the text after every byte before it. */
  offset: number;
  /** The visible rows, top to bottom, without trailing blanks. */
  lines: string[];
  /** The cursor's row, 0-based from the top. */
  cursorRow: number;
  /** The program turned bracketed paste on: pasted text should come between its markers. */
  bracketedPaste: boolean;
}

/** Output is parsed in pieces of at most this size, the budget checked between them. */
const PARSE_BYTES = 64 * 1024;
/** The share of the wall clock the screen may spend parsing while output floods. */
export const PARSE_SHARE = 0.1;
/** Parse time saved up while output is calm, for a burst (about 10 MB of text here). */
export const PARSE_BURST_MS = 100;
/**
 * Most output a snapshot, a resize or the final screen parses at once, whatever the budget (about
 * 20 ms): a longer backlog (a flood) is skipped down to its last this-many bytes.
 */
const CATCH_UP_BYTES = 2 * 1024 * 1024;
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
  /** Parses at once (the public `write` queues and parses in timer slices). */
  _writeBuffer: { writeSync(data: Uint8Array | string): void };
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
  // Invariant: the terminal holds the state after the output before `fed` (less `skipped`).
  private fed: number;
  /** Bytes the ring overwrote before the screen read them. */
  skipped = 0;
  /** Parse time left, in ms, as of `budgetAtMs` (see PARSE_SHARE). */
  private budgetMs = PARSE_BURST_MS;
  private budgetAtMs = performance.now();
  private parseQueued = false;
  private parseTimer: Timer | undefined;
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
   * `bytes` are about to be appended to the ring: parse now what they would overwrite unread
   * (within the budget; a flood past it is skipped, as in catchUp), and the head of a read
   * larger than the ring, which the ring will never hold.
   */
  willAppend(bytes: Uint8Array): void {
    const { ring } = this;
    if (this.disposed) return;
    if (this.fed < ring.end && ring.end + bytes.length - this.fed > ring.capacity) {
      this.catchUp(false);
    }
    const dropped = bytes.length - ring.capacity;
    if (dropped > 0 && this.fed === ring.end) {
      this.parse(bytes.subarray(0, dropped));
      this.fed += dropped;
    }
  }

  /** The ring grew: parse it when this event-loop turn ends, or now if it is half overrun. */
  touch(): void {
    this.lastOutputMs = performance.now();
    if (this.disposed) return;
    if (this.ring.end - this.fed >= this.ring.capacity / 2) this.catchUp(false);
    else this.scheduleParse(0);
  }

  /** The PTY's size changed: applies after the output that came before it. */
  resize(cols: number, rows: number): void {
    if (cols === this.cols && rows === this.rows) return;
    this.cols = cols;
    this.rows = rows;
    // A dropped terminal is rebuilt at the size its state was saved at, then resized.
    const term = this.term ?? (this.saved ? this.build() : undefined);
    if (!term) return;
    this.catchUp(true);
    term.resize(cols, rows);
  }

  /** The state after all output so far (that the ring still held when it was read). */
  snapshot(): Promise<ScreenSnapshot> {
    if (!this.disposed) this.catchUp(true);
    const term = this.term;
    const offset = this.fed;
    if (!term) {
      const data = this.savedText();
      return Promise.resolve({ offset, cols: this.cols, rows: this.rows, data });
    }
    return Promise.resolve({
      offset,
      cols: term.cols,
      rows: term.rows,
      data: this.serialize(term),
    });
  }

  /**
   * The visible text after all output so far (a dropped terminal is rebuilt for it); undefined
   * while the parser is still behind after what its budget allows now: the text is then read
   * again later, never by skipping output (which would lose the terminal's state).
   */
  text(): ScreenText | undefined {
    const blank = { offset: this.fed, lines: [], cursorRow: 0, bracketedPaste: false };
    if (this.disposed) return blank;
    if (!this.term && this.saved) this.build();
    this.catchUp(false);
    if (this.fed < this.ring.end) return undefined;
    const term = this.term;
    if (!term) return blank;
    const buffer = term.buffer.active;
    const lines: string[] = [];
    for (let row = 0; row < term.rows; row++) {
      lines.push(buffer.getLine(buffer.baseY + row)?.translateToString(true) ?? "");
    }
    return {
      offset: this.fed,
      lines,
      cursorRow: buffer.cursorY,
      bracketedPaste: term.modes.bracketedPasteMode,
    };
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.freeTimer);
    clearTimeout(this.parseTimer);
    this.term?.dispose();
    this.term = undefined;
    this.serializer = undefined;
  }

  private scheduleParse(delayMs: number): void {
    if (this.parseQueued) return;
    this.parseQueued = true;
    const run = () => {
      this.parseQueued = false;
      this.parseTimer = undefined;
      this.catchUp(false);
    };
    if (delayMs === 0) setImmediate(run);
    else this.parseTimer = setTimeout(run, delayMs);
  }

  /**
   * Parse what the ring holds beyond `fed`: all of it (up to CATCH_UP_BYTES) when `force`d (a
   * snapshot, a resize), else as long as the budget lasts, and later for the rest.
   */
  private catchUp(force: boolean): void {
    if (this.disposed) return;
    const { ring } = this;
    const from = Math.max(ring.start, force ? ring.end - CATCH_UP_BYTES : 0);
    if (this.fed < from) {
      this.skipped += from - this.fed;
      this.fed = from;
    }
    const now = performance.now();
    this.budgetMs = Math.min(PARSE_BURST_MS, this.budgetMs + (now - this.budgetAtMs) * PARSE_SHARE);
    this.budgetAtMs = now;
    while (this.fed < ring.end && (force || this.budgetMs > 0)) {
      const piece = ring.view(this.fed, PARSE_BYTES);
      const started = performance.now();
      this.parse(piece);
      this.fed += piece.length;
      this.budgetMs -= performance.now() - started;
    }
    this.budgetAtMs = performance.now();
    if (this.fed < ring.end) this.scheduleParse(Math.ceil(-this.budgetMs / PARSE_SHARE) + 1);
    this.scheduleFree();
  }

  /** Parse `bytes` now (they may be a view of the ring: xterm keeps no reference to them). */
  private parse(bytes: Uint8Array): void {
    const term = this.term ?? this.build();
    (term as unknown as { _core: XtermCore })._core._writeBuffer.writeSync(bytes);
  }

  private build(): Terminal {
    const size = this.saved ? this.savedSize : { cols: this.cols, rows: this.rows };
    const term = new Terminal({
      cols: size.cols,
      rows: size.rows,
      scrollback: this.options.scrollbackLines,
      allowProposedApi: true,
      // A program's malformed output is its own business: nothing in the server's log.
      logLevel: "off",
    });
    const serializer = new SerializeAddon();
    // The addon is typed against @xterm/xterm's Terminal; headless has the same API it uses.
    term.loadAddon(serializer as unknown as Parameters<Terminal["loadAddon"]>[0]);
    term.onTitleChange((title) => {
      this.title = title;
    });
    this.term = term;
    this.serializer = serializer;
    if (this.saved) {
      const saved = this.savedText();
      this.saved = undefined;
      this.parse(encoder.encode(saved));
      if (size.cols !== this.cols || size.rows !== this.rows) term.resize(this.cols, this.rows);
    }
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
    this.saved = Bun.deflateSync(encoder.encode(this.serialize(term)));
    this.savedSize = { cols: term.cols, rows: term.rows };
    term.dispose();
    this.term = undefined;
    this.serializer = undefined;
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
