// The terminal, framework-free: xterm.js with its addons (fit, web links, search, Unicode 11,
// WebGL falling back to the DOM renderer), wired to a StreamConnection. Binary frames in and
// out; resizes follow the element's size; sticky Ctrl/Alt from the phone key bar apply to the
// next key. Components only mount it and read its signals.

import { signal } from "@preact/signals";
import { FitAddon } from "@xterm/addon-fit";
import type { SearchAddon } from "@xterm/addon-search";
import { Unicode11Addon } from "@xterm/addon-unicode11";
import { WebLinksAddon } from "@xterm/addon-web-links";
import { Terminal } from "@xterm/xterm";
import type { Session } from "../../../src/protocol/session.ts";
import { isTerminalReplyText } from "../../../src/protocol/terminal-replies.ts";
import { CspStyleBridge } from "./csp-styles.ts";
import { type BarKey, type CtrlVMode, controlChar, ctrlVPastes, keySequence } from "./keys.ts";
import { Scrollback } from "./scrollback.ts";
import { StreamConnection, type StreamStatus } from "./stream-connection.ts";
import { DARK, LIGHT, TERMINAL_FONT } from "./themes.ts";

export interface TerminalOptions {
  sessionId: string;
  /** Viewers watch: no input, no resize; the terminal follows the PTY's size. */
  readOnly: boolean;
  fontSize: number;
  /** xterm's screen-reader mode (an accessibility tree of the rows); default off. */
  screenReaderMode?: boolean;
  /** Out of sight at first: the stream connects once it is shown (see setVisible). */
  hidden?: boolean;
  /** The stream's API path when not the session's own (a share link's); read-only then. */
  streamPath?: string;
  /** The stream could not open (the caller checks whether the sign-in expired). */
  onRefused?: () => void;
  /** Keys typed while the stream was down that it will not send (see StreamHandlers). */
  onUndelivered?: (keys: Uint8Array) => void;
  onSession?: (session: Session) => void;
  /** What Ctrl+V does, read at each press (default "auto"; see CtrlVMode). */
  ctrlV?: () => CtrlVMode;
}

export type Renderer = "webgl" | "dom";

const encoder = new TextEncoder();

/** Output handed to xterm but not yet parsed: past HIGH the stream pauses, below LOW it resumes. */
const BACKLOG_HIGH_BYTES = 8 * 1024 * 1024;
const BACKLOG_LOW_BYTES = 1024 * 1024;
/** Find's highlights: every match outlined, the selected one filled (the addon wants #RRGGBB). */
const FIND_DECORATIONS = {
  matchBorder: "#d4a72c",
  matchOverviewRuler: "#d4a72c",
  activeMatchBackground: "#d4a72c",
  activeMatchColorOverviewRuler: "#f08c00",
};
/** Whether the browser pastes on Ctrl+V: not on Apple's systems (⌘V), where Ctrl+V is ^V. */
const CTRL_V_IS_PASTE = !/Mac|iPhone|iPad/.test(navigator.userAgent);
/** The longest the first size waits (from the stream's start) for the renderer and fonts. */
const FIRST_FIT_WAIT_MS = 5000;

export class TerminalController {
  readonly status = signal<StreamStatus>("connecting");
  readonly exit = signal<{ exitCode: number | null; signal: string | null } | null>(null);
  readonly ctrl = signal(false);
  readonly alt = signal(false);
  readonly renderer = signal<Renderer>("dom");
  /** The PTY's size as last sent or broadcast. */
  readonly size = signal<{ cols: number; rows: number } | null>(null);
  /** Why typed input does not reach the program (it is not reading it), or null. */
  readonly inputNotice = signal<string | null>(null);
  /** The last find's matches: `index` of `count` (-1 past the highlight limit), or null. */
  readonly findResults = signal<{ index: number; count: number } | null>(null);
  /** The replay (or snapshot) the stream opened with is parsed: the scrollback is all there. */
  readonly replayDone = signal(false);

  readonly term: Terminal;
  /** Touch scrolling, PgUp/PgDn and the scroll position (for the handle and "jump to bottom"). */
  readonly scrollback: Scrollback;
  private readonly fit = new FitAddon();
  /** Loaded on the first find (a chunk of its own). */
  private search: Promise<SearchAddon> | undefined;
  private readonly stream: StreamConnection;
  private host: HTMLElement | undefined;
  private styles: CspStyleBridge | undefined;
  private resizeObserver: ResizeObserver | undefined;
  private frame = 0;
  /** The size last sent to the PTY (reset on every reconnect, so it is sent again). */
  private lastSent: { cols: number; rows: number } | undefined;
  /** Output bytes handed to xterm and not yet parsed. */
  private backlog = 0;
  /**
   * One entry per write handed to xterm and not yet parsed, oldest first: whether it is replayed
   * output. xterm parses writes in order and calls back after each, so the first entry is the
   * write being parsed.
   */
  private readonly unparsed: boolean[] = [];
  /** Pixels of the terminal's bottom covered by the soft keyboard and the key bar. */
  private keyboardInset = 0;
  private disposed = false;
  private webglRequested = false;
  /**
   * Whether the cell size is final: the WebGL renderer took over (or could not) and the fonts
   * loaded. Until then the fit may still change, so no size is sent to the PTY: the first fit
   * reaches the server once, at its final size.
   */
  private settled = false;
  private settleRenderer: () => void = () => undefined;
  /** Resolves at the first layout once settled: the terminal has the size it will keep. */
  private readonly laidOut: Promise<void>;
  private markLaidOut: () => void = () => undefined;
  private settleTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly darkQuery = matchMedia("(prefers-color-scheme: dark)");
  private readonly onScheme = () => {
    this.term.options.theme = this.darkQuery.matches ? DARK : LIGHT;
  };
  /** A hidden tab sends no size (see layout); shown again, it sends the size it has. */
  private readonly onVisibility = () => {
    if (!document.hidden) this.scheduleLayout();
  };
  /** A font finished loading: the cell may have another size now. */
  private readonly onFonts = () => {
    this.remeasure();
    this.scheduleLayout();
  };

  constructor(private readonly options: TerminalOptions) {
    this.term = new Terminal({
      allowProposedApi: true,
      cursorBlink: !options.readOnly,
      disableStdin: options.readOnly,
      fontFamily: TERMINAL_FONT,
      fontSize: options.fontSize,
      screenReaderMode: options.screenReaderMode === true,
      scrollback: 10_000,
      theme: this.darkQuery.matches ? DARK : LIGHT,
    });
    this.term.loadAddon(this.fit);
    this.scrollback = new Scrollback(this.term, (key) => this.press(key));
    this.term.loadAddon(new WebLinksAddon());
    this.term.loadAddon(new Unicode11Addon());
    this.term.unicode.activeVersion = "11";
    this.term.onData((data) => {
      // xterm answering a replayed query: the program asked it long ago and had its answer then.
      if (this.unparsed[0] && isTerminalReplyText(data)) return;
      this.input(data);
    });
    this.term.onBinary((data) => this.send(Uint8Array.from(data, (c) => c.charCodeAt(0))));
    this.term.attachCustomKeyEventHandler((event) => this.shortcut(event));
    this.term.onCursorMove(() => {
      if (this.keyboardInset > 0) this.placeCursor();
    });
    this.darkQuery.addEventListener("change", this.onScheme);
    document.addEventListener("visibilitychange", this.onVisibility);
    document.fonts.addEventListener("loadingdone", this.onFonts);
    const rendererSettled = new Promise<void>((done) => {
      this.settleRenderer = done;
    });
    void Promise.all([rendererSettled, document.fonts.ready]).then(() => this.settle());
    this.laidOut = new Promise<void>((done) => {
      this.markLaidOut = done;
    });

    this.stream = new StreamConnection(
      options.sessionId,
      {
        output: (bytes, replayed) => this.write(bytes, replayed),
        truncated: (from, to) =>
          this.parse(`\r\n\x1b[2m[${to - from} bytes of output are gone]\x1b[0m\r\n`, true),
        snapshot: (bytes, cols, rows) => this.restore(bytes, cols, rows),
        session: (session) => {
          if (options.readOnly) this.follow(session.cols, session.rows);
          this.options.onSession?.(session);
        },
        resize: (cols, rows) => {
          this.size.value = { cols, rows };
          if (options.readOnly) this.follow(cols, rows);
        },
        exit: (exitCode, signal) => {
          this.exit.value = { exitCode, signal };
        },
        input: (notice) => {
          if ("refused" in notice) this.inputNotice.value = `input dropped: ${notice.refused}`;
          else if (notice.waiting > 0) {
            this.inputNotice.value = `${Math.ceil(notice.waiting / 1024)} KiB of input waits for the program to read it`;
          } else this.inputNotice.value = null;
        },
        status: (status) => {
          this.status.value = status;
        },
        refused: () => this.options.onRefused?.(),
        undelivered: (keys) => this.options.onUndelivered?.(keys),
        ready: () => {
          this.lastSent = undefined;
          // A long replay delays WebGL: past a while, the first size goes as it is.
          if (!this.settled)
            this.settleTimer ??= setTimeout(() => this.settle(), FIRST_FIT_WAIT_MS);
          this.layout();
        },
        // The DOM renderer paints the replay (or snapshot); WebGL takes over once that is parsed
        // and on screen (creating the WebGL renderer, 0.5–0.8 s in software, before the first
        // paint would hold it up).
        replayed: () =>
          this.parse(new Uint8Array(0), false, () => {
            this.replayDone.value = true;
            requestAnimationFrame(() => requestAnimationFrame(() => void this.loadWebgl()));
          }),
      },
      { hidden: options.hidden === true, path: options.streamPath },
    );
  }

  /** The session this terminal shows. */
  get sessionId(): string {
    return this.options.sessionId;
  }

  /** Attach to `host` (once); the terminal fills it and follows its size. */
  mount(host: HTMLElement): void {
    this.host = host;
    this.term.open(host);
    // Touch taps do not always reach xterm's hidden textarea; focus it so the keyboard opens.
    host.addEventListener("click", () => this.focus());
    this.scrollback.attach(host);
    this.styles = new CspStyleBridge(host);
    this.styles.sync();
    this.resizeObserver = new ResizeObserver(() => this.scheduleLayout());
    this.resizeObserver.observe(host);
    this.scheduleLayout();
  }

  focus(): void {
    this.term.focus();
  }

  /** Press a key of the phone key bar; Ctrl and Alt toggle and apply to the next key. */
  press(key: BarKey | "ctrl" | "alt"): void {
    if (key === "ctrl") this.ctrl.value = !this.ctrl.value;
    else if (key === "alt") this.alt.value = !this.alt.value;
    else {
      const alt = this.alt.value;
      this.ctrl.value = false;
      this.alt.value = false;
      const sequence = keySequence(key, this.term.modes.applicationCursorKeysMode);
      this.send(encoder.encode(alt ? `\x1b${sequence}` : sequence));
    }
  }

  /** Paste text: bracketed when the program asked for it (xterm's paste does that). */
  paste(text: string): void {
    if (this.options.readOnly || !text) return;
    this.term.paste(text);
  }

  /**
   * The soft keyboard (plus the key bar above it) hides `px` of the terminal's bottom: slide the
   * terminal up by as little as keeps the cursor's row visible; the top rows go under the header.
   * The terminal's size, and so the PTY's, stays the same.
   */
  setKeyboardInset(px: number): void {
    this.keyboardInset = px;
    this.placeCursor();
  }

  private placeCursor(): void {
    const host = this.host;
    if (!host) return;
    let shift = 0;
    if (this.keyboardInset > 0 && this.term.rows > 0) {
      const rowPx = (this.term.element?.clientHeight ?? host.clientHeight) / this.term.rows;
      const cursorBottom = (this.term.buffer.active.cursorY + 1) * rowPx;
      const visible = host.clientHeight - this.keyboardInset;
      shift = Math.min(this.keyboardInset, Math.max(0, cursorBottom - visible));
    }
    host.style.transform = shift > 0 ? `translateY(${-Math.ceil(shift)}px)` : "";
  }

  /** Turn xterm's screen-reader mode on or off, live. */
  setScreenReaderMode(on: boolean): void {
    this.term.options.screenReaderMode = on;
  }

  setFontSize(size: number): void {
    this.term.options.fontSize = size;
    this.scheduleLayout();
  }

  /**
   * Select the next (or previous) match of `text` in the scrollback; false when there is none.
   * Every match is highlighted and counted (findResults).
   */
  async find(text: string, backwards = false): Promise<boolean> {
    this.search ??= import("@xterm/addon-search").then(({ SearchAddon }) => {
      const addon = new SearchAddon();
      this.term.loadAddon(addon);
      addon.onDidChangeResults(({ resultIndex, resultCount }) => {
        this.findResults.value = { index: resultIndex, count: resultCount };
      });
      return addon;
    });
    const search = await this.search;
    const options = { decorations: FIND_DECORATIONS };
    return backwards ? search.findPrevious(text, options) : search.findNext(text, options);
  }

  /**
   * Find `text` once the replay is on screen (a search result opened the session): the first
   * match from the top of the scrollback is selected and scrolled to. False when there is none
   * (output older than the scrollback).
   */
  async findWhenShown(text: string): Promise<boolean> {
    if (!this.replayDone.value) {
      await new Promise<void>((resolve) => {
        const stop = this.replayDone.subscribe((done) => {
          if (!done) return;
          queueMicrotask(() => stop());
          resolve();
        });
      });
    }
    // A resize that changes the rows clears xterm's selection, and the renderer's own cell
    // measure (WebGL) may still bring one: find once the size is final.
    await this.laidOut;
    if (this.disposed) return false;
    this.term.scrollToTop();
    this.term.clearSelection();
    return this.find(text);
  }

  /** Clear the find's highlights and count. */
  clearFind(): void {
    void this.search?.then((search) => search.clearDecorations());
    this.findResults.value = null;
  }

  /** The buffer as text, wrapped lines joined (read by the browser tests). */
  text(): string {
    const buffer = this.term.buffer.active;
    let out = "";
    for (let y = 0; y < buffer.length; y++) {
      const line = buffer.getLine(y);
      if (!line) continue;
      if (y > 0 && !line.isWrapped) out += "\n";
      out += line.translateToString(true);
    }
    return out;
  }

  /** Output bytes into xterm, pausing the stream while xterm's backlog is too long. */
  private write(bytes: Uint8Array, replayed: boolean): void {
    this.backlog += bytes.length;
    if (this.backlog > BACKLOG_HIGH_BYTES) this.stream.pause();
    this.parse(bytes, replayed, () => {
      this.backlog -= bytes.length;
      if (this.backlog < BACKLOG_LOW_BYTES) this.stream.resume();
    });
  }

  /**
   * Start over from a snapshot drawn at cols × rows: reset once what came before is parsed, draw
   * it at that size, then fit the terminal to its box again (xterm reflows the normal buffer).
   */
  private restore(bytes: Uint8Array, cols: number, rows: number): void {
    this.parse("", true, () => {
      this.term.reset();
      if (cols !== this.term.cols || rows !== this.term.rows) this.term.resize(cols, rows);
    });
    this.write(bytes, true);
    // A viewer-role terminal keeps the session's size, which the snapshot has.
    if (!this.options.readOnly) this.parse("", true, () => this.layout());
  }

  /** Every write to xterm goes through here, so that `unparsed` follows xterm's parser. */
  private parse(data: string | Uint8Array, replayed: boolean, parsed?: () => void): void {
    this.unparsed.push(replayed);
    this.term.write(data, () => {
      this.unparsed.shift();
      parsed?.();
    });
  }

  /** Re-fit now (after the terminal becomes visible). */
  layout(): void {
    if (!this.host || this.host.offsetParent === null) return;
    if (this.options.readOnly) {
      if (this.settled) this.markLaidOut();
      return;
    }
    const dims = this.fit.proposeDimensions();
    if (!dims || !Number.isFinite(dims.cols) || dims.cols < 2 || dims.rows < 2) return;
    if (dims.cols !== this.term.cols || dims.rows !== this.term.rows) this.fit.fit();
    if (this.settled) this.markLaidOut();
    const { cols, rows } = this.term;
    if (this.lastSent?.cols === cols && this.lastSent.rows === rows) return;
    // A tab out of sight never resizes the program (README "Terminal size").
    if (!this.stream.isOpen || document.hidden || !this.settled) return;
    this.lastSent = { cols, rows };
    this.size.value = { cols, rows };
    this.stream.control({ type: "resize", cols, rows });
  }

  /** A terminal out of sight keeps no stream open; shown, it catches up from where it was. */
  setVisible(visible: boolean): void {
    this.stream.setHidden(!visible);
  }

  dispose(): void {
    this.disposed = true;
    cancelAnimationFrame(this.frame);
    clearTimeout(this.settleTimer);
    this.resizeObserver?.disconnect();
    this.darkQuery.removeEventListener("change", this.onScheme);
    document.removeEventListener("visibilitychange", this.onVisibility);
    document.fonts.removeEventListener("loadingdone", this.onFonts);
    this.stream.dispose();
    this.scrollback.dispose();
    this.styles?.dispose();
    this.term.dispose();
  }

  private scheduleLayout(): void {
    cancelAnimationFrame(this.frame);
    this.frame = requestAnimationFrame(() => this.layout());
  }

  /** The cell size is final (or waited for long enough): sizes go to the PTY from now on. */
  private settle(): void {
    if (this.settled || this.disposed) return;
    this.settled = true;
    clearTimeout(this.settleTimer);
    this.scheduleLayout();
  }

  /** xterm measures its cell only when a font option changes: make it measure again. */
  private remeasure(): void {
    const family = this.term.options.fontFamily ?? "monospace";
    this.term.options.fontFamily = `${family}, monospace`;
    this.term.options.fontFamily = family;
  }

  private follow(cols: number, rows: number): void {
    this.size.value = { cols, rows };
    if (cols !== this.term.cols || rows !== this.term.rows) this.term.resize(cols, rows);
  }

  /** Switch to the WebGL renderer once its chunk has loaded; the DOM renderer paints until then. */
  private async loadWebgl(): Promise<void> {
    if (this.webglRequested) return;
    this.webglRequested = true;
    try {
      const { WebglAddon } = await import("@xterm/addon-webgl");
      if (this.disposed || !this.host) return;
      const webgl = new WebglAddon();
      webgl.onContextLoss(() => {
        webgl.dispose();
        this.renderer.value = "dom";
        this.styles?.sync();
        this.scheduleLayout();
      });
      this.term.loadAddon(webgl);
      this.renderer.value = "webgl";
    } catch {
      this.renderer.value = "dom";
    }
    this.styles?.sync();
    // Each renderer measures its cell its own way (WebGL rounds to device pixels): fit again.
    this.scheduleLayout();
    this.settleRenderer();
  }

  private input(data: string): void {
    if (this.options.readOnly) return;
    let out = data;
    if ((this.ctrl.value || this.alt.value) && data.length === 1) {
      if (this.ctrl.value) out = controlChar(out);
      if (this.alt.value) out = `\x1b${out}`;
      this.ctrl.value = false;
      this.alt.value = false;
    }
    this.send(encoder.encode(out));
  }

  private send(bytes: Uint8Array<ArrayBuffer>): void {
    if (!this.options.readOnly) this.stream.send(bytes);
  }

  /**
   * Ctrl+Shift+C copies the selection, Ctrl+Shift+V pastes, and so does Ctrl+V where the Ctrl+V
   * setting says so (else it sends ^V); every other key goes to xterm.
   */
  private shortcut(event: KeyboardEvent): boolean {
    if (event.type !== "keydown" || !event.ctrlKey || event.altKey || event.metaKey) return true;
    const key = event.key.toLowerCase();
    if (event.shiftKey && key === "c" && this.term.hasSelection()) {
      void navigator.clipboard?.writeText(this.term.getSelection());
      return false;
    }
    if (key !== "v" || !CTRL_V_IS_PASTE) return true;
    // The browser's own Ctrl+V and Ctrl+Shift+V ("paste as plain text") fire the paste event
    // that xterm turns into a (bracketed) paste; xterm only has to leave the key alone.
    const alternate = this.term.buffer.active.type === "alternate";
    return !(event.shiftKey || ctrlVPastes(this.options.ctrlV?.() ?? "auto", alternate));
  }
}
