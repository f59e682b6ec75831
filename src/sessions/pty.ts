// The PTY adapter: the one module that spawns pseudo-terminals. Two backends behind one
// interface: Bun's built-in terminal (default) and bun-pty's native library (PTY_BACKEND=bun-pty).
// Both deliver raw bytes (never decoded text), put the child in its own session and process group,
// and report exit once all output has been delivered.

import { dlopen, FFIType, ptr } from "bun:ffi";
import bunPtyLibX64 from "bun-pty/rust-pty/target/release/librust_pty.so" with { type: "file" };
import bunPtyLibArm64 from "bun-pty/rust-pty/target/release/librust_pty_arm64.so" with {
  type: "file",
};
import { signalGroup } from "../process-group.ts";
import type { ScreenSnapshot, ScreenText } from "./screen.ts";

export type PtyBackendName = "bun" | "bun-pty";

export interface PtyExit {
  /** Exit status when the process exited normally; null when a signal ended it. */
  exitCode: number | null;
  /** Name of the signal that ended the process (e.g. "SIGKILL"), when the backend can tell. */
  signal: string | null;
}

export interface PtySpawnOptions {
  file: string;
  args: readonly string[];
  cwd: string;
  env: Record<string, string>;
  cols: number;
  rows: number;
}

/**
 * Where a PTY delivers its output and exit: called as methods of the sink, so that a session can
 * be its own sink and keep no closures (docs/memory.md).
 */
export interface PtySink {
  /** Raw output bytes; the array is owned by the callee only during the call. */
  onData(bytes: Uint8Array): void;
  /** Called once, after the last onData. */
  onExit(exit: PtyExit): void;
  /** The terminal took `bytes` more of the input written to it, in order. */
  onInputTaken?(bytes: number): void;
}

export interface PtyProcess {
  readonly pid: number;
  /**
   * Queue bytes for the child's input; never blocks. The built-in backend drops nothing until the
   * terminal closes, and its `onInputTaken` reports when the terminal took them: a program that
   * does not read its input leaves them queued, and bounding that queue is the caller's business.
   * bun-pty hands them to its writer thread and reports them taken at once; that thread gives up
   * on a piece the PTY refuses, and nothing is written once the child has exited.
   */
  write(data: Uint8Array): void;
  /**
   * `repaint`: a momentary size that only makes the program draw again (see LiveSession.repaint),
   * which a recording leaves out.
   */
  resize(cols: number, rows: number, repaint?: boolean): void;
  /** Send a signal to the child's whole process group. */
  signal(signal: NodeJS.Signals): void;
  /** Start delivering output and exit (a PTY host holds them until the session is wired up). */
  begin?(): void;
  /** The exit is stored: a PTY host may forget the process. */
  release?(): void;
  /** The terminal's state, kept where the PTY lives (a PTY host); undefined when it has none. */
  screen?(): Promise<ScreenSnapshot | undefined>;
  /** The text on the screen, kept where the PTY lives (a PTY host). */
  text?(): Promise<ScreenText | undefined>;
  /**
   * The output kept where the PTY lives (a PTY host's ring) from `from` on, clamped to what is
   * kept, at most `maxBytes`; undefined when nothing is.
   */
  read?(from: number, maxBytes?: number): Promise<{ start: number; bytes: Uint8Array } | undefined>;
}

export interface PtyBackend {
  readonly name: PtyBackendName;
  /** False when the backend cannot tell which signal ended a process (exitSignal stays null). */
  readonly reportsSignals: boolean;
  /** Throws when the executable cannot be started. */
  spawn(options: PtySpawnOptions, sink: PtySink): PtyProcess;
}

/** How long after the process exits we wait for the PTY's end of file before closing it. */
const EOF_GRACE_MS = 1000;
/**
 * Input goes to the built-in terminal in pieces of at most this size, one at a time. Bun buffers
 * a write under a page (4 KiB) and calls `drain` once it is flushed; a larger write that the PTY
 * takes at once is never followed by `drain`, so the end of a larger piece could not be seen.
 * Small pieces also bound the work one session's input costs per event-loop turn.
 */
const TERMINAL_WRITE_BYTES = 4095;
/**
 * Input that waits goes to a terminal at up to this many bytes per INPUT_WINDOW_MS: the kernel's
 * line discipline spends CPU on every input byte, even those a program never reads, and a paste
 * of megabytes must not take the machine from the other sessions (16 MiB/s: far beyond typing).
 */
const INPUT_WINDOW_BYTES = 160 * 1024;
const INPUT_WINDOW_MS = 10;

export function createPtyBackend(name: PtyBackendName): PtyBackend {
  return name === "bun" ? bunTerminalBackend : createBunPtyBackend();
}

// The built-in backend keeps no closure or promise per process (docs/memory.md): one instance of
// a class, and callbacks shared by all processes that find it through its terminal or subprocess.

const byTerminal = new Map<Bun.Terminal, BunTerminalProcess>();
const bySubprocess = new Map<Bun.Subprocess, BunTerminalProcess>();

/** Whether the built-in backend still tracks `pty`, whose exit it has not reported (tests). */
export function isTrackedBunTerminal(pty: PtyProcess): boolean {
  return (
    pty instanceof BunTerminalProcess &&
    (byTerminal.get(pty.terminal) === pty || bySubprocess.get(pty.child) === pty)
  );
}

function onTerminalData(terminal: Bun.Terminal, bytes: Uint8Array): void {
  byTerminal.get(terminal)?.sink.onData(bytes);
}

function onTerminalEof(terminal: Bun.Terminal): void {
  byTerminal.get(terminal)?.reachedEof();
}

function onTerminalDrain(terminal: Bun.Terminal): void {
  byTerminal.get(terminal)?.inputFlushed();
}

function onInputWindow(pty: BunTerminalProcess): void {
  pty.writeQueued();
}

function onProcessExit(child: Bun.Subprocess): void {
  // Bun may report an exit before spawn returns: the constructor then reads it from the child.
  bySubprocess.get(child)?.processExited();
}

function onGraceOver(pty: BunTerminalProcess): void {
  pty.terminal.close();
  pty.reachedEof();
}

class BunTerminalProcess implements PtyProcess {
  private exitSeen = false;
  private eof = false;
  private reported = false;
  private graceTimer: Timer | undefined;
  // Invariant: the terminal holds `writing` bytes of input not yet flushed (one piece at most);
  // `queued` holds what comes after them, oldest first, the first one from `queuedAt` on.
  private writing = 0;
  private queued: Uint8Array[] | undefined;
  private queuedAt = 0;
  /** Queued input written since `windowStartMs`, and the timer that waits for the next window. */
  private windowStartMs = 0;
  private windowBytes = 0;
  private windowTimer: Timer | undefined;

  constructor(
    readonly child: Bun.Subprocess,
    readonly terminal: Bun.Terminal,
    readonly sink: PtySink,
  ) {
    byTerminal.set(terminal, this);
    bySubprocess.set(child, this);
    if (child.exitCode !== null || child.signalCode !== null) this.processExited();
  }

  get pid(): number {
    return this.child.pid;
  }

  write(data: Uint8Array): void {
    if (this.terminal.closed || data.length === 0) return;
    if (this.queued) {
      this.queued.push(data.slice());
      return;
    }
    let rest = data;
    if (this.writing === 0) {
      // A keystroke goes to the terminal at once; only what follows it waits.
      this.writing = Math.min(rest.length, TERMINAL_WRITE_BYTES);
      this.terminal.write(rest.subarray(0, this.writing));
      rest = rest.subarray(this.writing);
      if (rest.length === 0) return;
    }
    this.queued = [rest.slice()];
    this.queuedAt = 0;
  }

  /** The terminal flushed the piece it held: hand it the next one, report the one taken. */
  inputFlushed(): void {
    const taken = this.writing;
    this.writing = 0;
    this.writeQueued();
    if (taken > 0) this.sink.onInputTaken?.(taken);
  }

  /** Hand the terminal the next piece of queued input, unless this window's share is spent. */
  writeQueued(): void {
    this.windowTimer = undefined;
    const head = this.queued?.[0];
    if (!head || this.writing > 0 || this.terminal.closed) return;
    const now = performance.now();
    if (now - this.windowStartMs >= INPUT_WINDOW_MS) {
      this.windowStartMs = now;
      this.windowBytes = 0;
    }
    if (this.windowBytes >= INPUT_WINDOW_BYTES) {
      const wait = this.windowStartMs + INPUT_WINDOW_MS - now;
      this.windowTimer = setTimeout(onInputWindow, wait, this);
      return;
    }
    const end = Math.min(head.length, this.queuedAt + TERMINAL_WRITE_BYTES);
    this.writing = end - this.queuedAt;
    this.windowBytes += this.writing;
    this.terminal.write(head.subarray(this.queuedAt, end));
    this.queuedAt = end;
    if (end === head.length) {
      this.queued?.shift();
      this.queuedAt = 0;
      if (this.queued?.length === 0) this.queued = undefined;
    }
  }

  resize(cols: number, rows: number): void {
    if (!this.terminal.closed) this.terminal.resize(cols, rows);
  }

  signal(signal: NodeJS.Signals): void {
    signalGroup(this.child.pid, signal);
  }

  processExited(): void {
    if (this.exitSeen) return;
    this.exitSeen = true;
    bySubprocess.delete(this.child);
    if (this.eof) this.report();
    // A descendant may still hold the terminal open: give it a moment, then hang up.
    else this.graceTimer = setTimeout(onGraceOver, EOF_GRACE_MS, this);
  }

  reachedEof(): void {
    this.eof = true;
    this.report();
  }

  private report(): void {
    if (this.reported || !this.exitSeen || !this.eof) return;
    this.reported = true;
    clearTimeout(this.graceTimer);
    clearTimeout(this.windowTimer);
    byTerminal.delete(this.terminal);
    // Release the PTY master now: left to the garbage collector, each ended session kept a
    // descriptor and one of the machine's kernel.pty.max terminals for minutes.
    if (!this.terminal.closed) this.terminal.close();
    const signal = this.child.signalCode;
    this.sink.onExit({
      exitCode: this.child.exitCode,
      signal: typeof signal === "string" ? signal : null,
    });
  }
}

const bunTerminalBackend: PtyBackend = {
  name: "bun",
  reportsSignals: true,
  spawn(options, sink) {
    const child = Bun.spawn([options.file, ...options.args], {
      cwd: options.cwd,
      env: options.env,
      terminal: {
        cols: options.cols,
        rows: options.rows,
        name: options.env.TERM ?? "xterm-256color",
        data: onTerminalData,
        exit: onTerminalEof,
        drain: onTerminalDrain,
      },
      onExit: onProcessExit,
    });
    const terminal = child.terminal;
    if (!terminal) throw new Error("Bun did not attach a terminal");
    return new BunTerminalProcess(child, terminal, sink);
  },
};

// ---- bun-pty --------------------------------------------------------------------------------
// bun-pty's TypeScript wrapper decodes output to UTF-8 text and encodes input from text, which
// would corrupt arbitrary bytes; we drive its native library directly with the same symbols.

const BUN_PTY_SYMBOLS = {
  bun_pty_spawn: {
    args: [FFIType.cstring, FFIType.cstring, FFIType.cstring, FFIType.i32, FFIType.i32],
    returns: FFIType.i32,
  },
  bun_pty_write: { args: [FFIType.i32, FFIType.pointer, FFIType.i32], returns: FFIType.i32 },
  bun_pty_read: { args: [FFIType.i32, FFIType.pointer, FFIType.i32], returns: FFIType.i32 },
  bun_pty_resize: { args: [FFIType.i32, FFIType.i32, FFIType.i32], returns: FFIType.i32 },
  bun_pty_get_pid: { args: [FFIType.i32], returns: FFIType.i32 },
  bun_pty_get_exit_code: { args: [FFIType.i32], returns: FFIType.i32 },
  bun_pty_close: { args: [FFIType.i32], returns: FFIType.void },
} as const;

/** bun_pty_read's result when the child has exited and its output is drained. */
const BUN_PTY_CHILD_EXITED = -2;
const BUN_PTY_READ_CHUNK_BYTES = 64 * 1024;
/** The native read does not block: poll, backing off from 1 ms to 8 ms while the PTY is quiet. */
const BUN_PTY_MAX_POLL_MS = 8;

/** bun-pty splits its command line with shell-words rules; quote each word so none is expanded. */
function shellWord(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

function cString(text: string): Buffer {
  return Buffer.from(`${text}\0`, "utf8");
}

function createBunPtyBackend(): PtyBackend {
  const library = dlopen(process.arch === "arm64" ? bunPtyLibArm64 : bunPtyLibX64, BUN_PTY_SYMBOLS);
  const native = library.symbols;
  // One read buffer for every process: a poll reads and hands its bytes on synchronously, and a
  // sink owns them only during the call (not 64 KiB per session).
  const readBuffer = Buffer.allocUnsafe(BUN_PTY_READ_CHUNK_BYTES);

  return {
    name: "bun-pty",
    // Its native layer reduces a death by signal to exit status 1.
    reportsSignals: false,
    spawn(options, sink) {
      for (const [key, value] of Object.entries(options.env)) {
        if (key.includes("\0") || value.includes("\0") || key.includes("=")) {
          throw new Error(`invalid environment variable ${JSON.stringify(key)}`);
        }
      }
      const commandLine = [options.file, ...options.args].map(shellWord).join(" ");
      const envBlock = `${Object.entries(options.env)
        .map(([key, value]) => `${key}=${value}\0`)
        .join("")}\0`;
      const handle = native.bun_pty_spawn(
        cString(commandLine),
        cString(options.cwd),
        Buffer.from(envBlock, "utf8"),
        options.cols,
        options.rows,
      );
      if (handle < 0) throw new Error(`could not start ${options.file}`);
      const pid = native.bun_pty_get_pid(handle);
      let closed = false;

      let pollDelayMs = 1;
      const poll = () => {
        for (;;) {
          const count = native.bun_pty_read(handle, ptr(readBuffer), readBuffer.length);
          if (count > 0) {
            sink.onData(readBuffer.subarray(0, count));
            pollDelayMs = 1;
            continue;
          }
          if (count === 0) {
            setTimeout(poll, pollDelayMs);
            pollDelayMs = Math.min(pollDelayMs * 2, BUN_PTY_MAX_POLL_MS);
            return;
          }
          const exitCode =
            count === BUN_PTY_CHILD_EXITED ? native.bun_pty_get_exit_code(handle) : 1;
          closed = true;
          native.bun_pty_close(handle);
          sink.onExit({ exitCode, signal: null });
          return;
        }
      };
      setTimeout(poll, 0);

      return {
        pid,
        // The native write copies the bytes into an unbounded queue that bun-pty's writer thread
        // drains and returns 0, or refuses them (-2 once the child has exited, -1 for a handle
        // it no longer knows): either way nothing more can be done here, so they count as taken.
        write: (data) => {
          if (!closed && data.length > 0) native.bun_pty_write(handle, ptr(data), data.length);
          sink.onInputTaken?.(data.length);
        },
        resize: (cols, rows) => {
          if (!closed) native.bun_pty_resize(handle, cols, rows);
        },
        signal: (signal) => signalGroup(pid, signal),
      };
    },
  };
}
