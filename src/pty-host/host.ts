// The PTY host (`opendray pty-host`): a long-lived process that owns the PTYs, their output rings,
// scrollback files and recordings, so that sessions outlive the server. It serves one server at a time over
// a private unix socket in DATA_DIR (frames.ts); the server keeps the database and the viewers.
// While no server is connected it keeps every session's output and the exits it could not report.

import { chmodSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Socket } from "bun";
import type { Config } from "../config.ts";
import { lockFile } from "../data-dir.ts";
import { createErrorReporter, type Logger } from "../log.ts";
import { INPUT_LIMIT_BYTES } from "../sessions/live-session.ts";
import { createPtyBackend, type PtyExit, type PtyProcess, type PtySink } from "../sessions/pty.ts";
import type { Recorder } from "../sessions/recorder.ts";
import { createRecordingStore } from "../sessions/recording-store.ts";
import { RingBuffer } from "../sessions/ring-buffer.ts";
import { type ScreenSnapshot, TerminalScreen } from "../sessions/screen.ts";
import { createScrollbackStore, type ScrollbackJournal } from "../sessions/scrollback-store.ts";
import { FrameWriter } from "./frame-writer.ts";
import {
  BYTE_FRAME_OVERHEAD,
  encodeBytes,
  encodeControl,
  FrameDecoder,
  FrameError,
  FrameKind,
  PROTOCOL_VERSION,
} from "./frames.ts";
import {
  type HostedSessionInfo,
  type HostMessage,
  type ServerMessage,
  serverMessage,
} from "./messages.ts";
import { HOST_LOCK_NAME, socketPath } from "./socket-path.ts";

/** With no session and no server for this long, the host exits. */
export const HOST_IDLE_EXIT_MS = 60_000;
/** A server that stops reading is dropped once this much output waits for it. */
const MAX_QUEUED_BYTES = 64 * 1024 * 1024;
/** Output goes out in frames of at most this size. */
const OUTPUT_CHUNK_BYTES = 256 * 1024;
/**
 * Input taken by a PTY is reported to the server once this much has gathered (a keystroke costs
 * no message); the server's view of what waits is at most this much too high.
 */
const INPUT_ACK_BYTES = 64 * 1024;

/** What the PtyHost's hosted sessions share: whether it is shutting down, how output goes out. */
interface PtyHostCore {
  readonly closing: boolean;
  schedulePump(session: HostedSession): void;
  /** Tell the server how much of the session's input its PTY took (`inputTaken`). */
  reportInput(session: HostedSession): void;
}

// The PTY's sink: a class, so that a session keeps no closures (docs/memory.md).
class HostedSession implements PtySink {
  /** Set once the PTY is spawned (it needs its sink first). */
  pty!: PtyProcess;
  /** The terminal's state, fed from the ring (see src/sessions/screen.ts). */
  readonly screen: TerminalScreen;
  /** Opened once the PTY is spawned: output before that only goes to the ring. */
  journal: ScrollbackJournal | undefined;
  /** Its output with timing (src/sessions/recorder.ts), when the server asked for a recording. */
  recorder: Recorder | undefined;
  /** The process is gone (its scrollback file may still be being written). */
  ended = false;
  /** Set once the scrollback file is complete: only then is the server told. */
  exit?: PtyExit;
  // Invariant: the active server has received exactly the output in [its replay start, sent).
  sent = 0;
  /** The active server has been told of the exit. */
  exitSent = false;
  // Invariant: the PTY holds `inputQueued` bytes of input not yet taken, the first `inputStale` of
  // them from an earlier server; `inputTaken` bytes of the active server's were taken unreported.
  inputQueued = 0;
  inputStale = 0;
  inputTaken = 0;
  /** A forced repaint has the PTY narrower than `cols` × `rows` until the server widens it. */
  narrowed = false;

  constructor(
    readonly id: string,
    readonly ring: RingBuffer,
    public cols: number,
    public rows: number,
    private readonly host: PtyHostCore,
    scrollbackLines: number,
  ) {
    this.screen = new TerminalScreen(ring, { cols, rows, scrollbackLines });
  }

  onData(bytes: Uint8Array): void {
    if (this.host.closing) return;
    this.screen.willAppend(bytes);
    this.recorder?.willAppend(bytes.length);
    this.ring.append(bytes);
    this.recorder?.output(bytes.length);
    if (this.journal) {
      this.journal.touch();
      this.host.schedulePump(this);
    }
    // After the pump: the terminal's state never delays the output on its way to the server.
    this.screen.touch();
  }

  /** The terminal's last state, kept beside the scrollback; the emulator is then let go. */
  finalScreen(): Promise<ScreenSnapshot> {
    const snapshot = this.screen.snapshot();
    snapshot.finally(() => this.screen.dispose());
    return snapshot;
  }

  onInputTaken(bytes: number): void {
    this.inputQueued -= bytes;
    const stale = Math.min(bytes, this.inputStale);
    this.inputStale -= stale;
    this.inputTaken += bytes - stale;
    if (this.inputTaken >= INPUT_ACK_BYTES) this.host.reportInput(this);
  }

  onExit(exit: PtyExit): void {
    const journal = this.journal;
    if (!journal) return;
    this.ended = true;
    // The server reads the files once told of the exit: tell it when they are complete.
    Promise.all([journal.close(this.finalScreen()), this.recorder?.close()]).then(() => {
      this.exit = exit;
      this.host.schedulePump(this);
    });
  }
}

interface Peer {
  writer: FrameWriter;
  decoder: FrameDecoder;
  /** True once its hello was accepted; only then does it get output. */
  ready: boolean;
  /** Refused or closed: ignore whatever else it sent. */
  dropped: boolean;
}

export interface PtyHostOptions {
  version: string;
  logger: Logger;
  idleExitMs?: number;
  /** Ends the process once the host is idle (default process.exit). */
  exit?: (code: number) => void;
}

export interface PtyHost {
  readonly socketPath: string;
  /** Hang up every session, stop listening; resolves once the scrollback files are written. */
  close(): Promise<void>;
}

/** Listen on DATA_DIR/pty-host.sock; throws when another host holds the DATA_DIR. */
export function startPtyHost(config: Config, options: PtyHostOptions): PtyHost {
  const { logger } = options;
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  chmodSync(config.dataDir, 0o700);
  const path = socketPath(config.dataDir);
  const lock = lockFile(join(config.dataDir, HOST_LOCK_NAME));
  if (!lock) throw new Error(`a PTY host already serves ${config.dataDir}`);

  // A full disk fails every flush of every session: one line a minute, not hundreds.
  const logError = createErrorReporter(logger);
  const backend = createPtyBackend(config.ptyBackend);
  const store = createScrollbackStore(join(config.dataDir, "scrollback"), logError);
  // The host records the sessions it runs: a server restart leaves no gap in their recordings.
  const recordings = createRecordingStore(join(config.dataDir, "recordings"), logError);
  const sessions = new Map<string, HostedSession>();
  let active: Socket<Peer> | undefined;
  let idleTimer: Timer | undefined;
  let closing = false;

  const checkIdle = () => {
    clearTimeout(idleTimer);
    idleTimer = undefined;
    // A closed host arms nothing: its sockets' closes come after close(), and an exit timer
    // would end whatever process the host ran in (a test runner, for one) a minute later.
    if (closing || sessions.size > 0 || active) return;
    idleTimer = setTimeout(() => {
      logger.info("no sessions and no server: exiting");
      host.close().then(() => (options.exit ?? process.exit)(0));
    }, options.idleExitMs ?? HOST_IDLE_EXIT_MS);
  };

  // Output frames are built in one buffer, reused: the writer copies what it must keep.
  const scratch = new Uint8Array(BYTE_FRAME_OVERHEAD + OUTPUT_CHUNK_BYTES);
  /** Send the active server what it lacks of `session`, until the socket is congested. */
  const pump = (session: HostedSession) => {
    const writer = active?.data.ready ? active.data.writer : undefined;
    if (!writer) return;
    const { ring, id } = session;
    if (session.sent < ring.start) {
      writer.send(encodeControl({ type: "skip", id, to: ring.start }));
      session.sent = ring.start;
    }
    while (session.sent < ring.end) {
      if (writer.congested) return;
      const chunk = ring.view(session.sent, OUTPUT_CHUNK_BYTES);
      writer.send(encodeBytes(FrameKind.output, id, chunk, scratch));
      session.sent += chunk.length;
    }
    if (session.exit && !session.exitSent) {
      session.exitSent = true;
      writer.send(encodeControl({ type: "exit", id, ...session.exit }));
    }
  };
  const pumpAll = () => {
    for (const session of sessions.values()) pump(session);
  };
  // Output of the first read in an event-loop turn goes at once (keystroke echo); the reads that
  // follow in the same turn are gathered into one frame per session when the turn ends, instead
  // of framing (and decoding in the server) each read.
  const dirty = new Set<HostedSession>();
  let turnOpen = false;
  const endTurn = () => {
    turnOpen = false;
    for (const session of dirty) pump(session);
    dirty.clear();
  };
  const schedulePump = (session: HostedSession) => {
    if (turnOpen) {
      dirty.add(session);
      return;
    }
    turnOpen = true;
    setImmediate(endTurn);
    pump(session);
  };

  const core: PtyHostCore = {
    get closing() {
      return closing;
    },
    schedulePump,
    reportInput(session) {
      if (!active?.data.ready) return;
      tell(active, { type: "input_taken", id: session.id, bytes: session.inputTaken });
      session.inputTaken = 0;
    },
  };

  /**
   * Input for `session`'s PTY, queued there until it reads. A server keeps to INPUT_LIMIT_BYTES
   * per session; should it not, the excess is dropped (and reported taken), never the connection.
   */
  const input = (session: HostedSession, bytes: Uint8Array) => {
    if (session.inputQueued - session.inputStale + bytes.length > INPUT_LIMIT_BYTES) {
      logger.warn({ session: session.id, bytes: bytes.length }, "dropping input over the limit");
      session.inputTaken += bytes.length;
      if (session.inputTaken >= INPUT_ACK_BYTES) core.reportInput(session);
      return;
    }
    session.inputQueued += bytes.length;
    session.pty.write(bytes);
  };

  const tell = (socket: Socket<Peer>, message: HostMessage) =>
    socket.data.writer.send(encodeControl(message));
  const refuse = (socket: Socket<Peer>, code: string, message: string) => {
    logger.warn({ code, message }, "dropping a connection");
    tell(socket, { type: "error", code, message });
    socket.data.dropped = true;
    socket.data.ready = false;
    if (active === socket) active = undefined;
    socket.end();
  };

  const hello = (socket: Socket<Peer>, protocol: number) => {
    if (protocol !== PROTOCOL_VERSION) {
      return refuse(
        socket,
        "protocol_mismatch",
        `this PTY host (pid ${process.pid}, OpenDray ${options.version}) speaks protocol ${PROTOCOL_VERSION}, the server ${protocol}`,
      );
    }
    // One server at a time; a dead server's socket closes at once, so a second hello means
    // another process is trying to take over live sessions: refuse it, keep the first.
    if (active && active !== socket) {
      return refuse(socket, "busy", `this PTY host (pid ${process.pid}) already serves a server`);
    }
    active = socket;
    socket.data.ready = true;
    checkIdle();
    const infos: HostedSessionInfo[] = [...sessions.values()].map((session) => {
      session.sent = session.ring.start;
      session.exitSent = false;
      // Input that an earlier server sent and the PTY has not taken is not this server's to count.
      session.inputStale = session.inputQueued;
      session.inputTaken = 0;
      // A server that went away during a forced repaint cannot end it: the PTY gets its size back.
      if (session.narrowed && !session.ended) session.pty.resize(session.cols, session.rows);
      session.narrowed = false;
      return {
        id: session.id,
        pid: session.pty.pid,
        cols: session.cols,
        rows: session.rows,
        start: session.ring.start,
        end: session.ring.end,
        ...(session.exit ? { exit: session.exit } : {}),
      };
    });
    tell(socket, {
      type: "hello",
      protocol: PROTOCOL_VERSION,
      version: options.version,
      pid: process.pid,
      sessions: infos,
    });
    pumpAll();
  };

  const spawn = (socket: Socket<Peer>, request: Extract<ServerMessage, { type: "spawn" }>) => {
    if (sessions.has(request.id)) {
      return tell(socket, { type: "spawn_failed", id: request.id, message: "id in use" });
    }
    const session = new HostedSession(
      request.id,
      new RingBuffer(config.scrollbackBytes),
      request.cols,
      request.rows,
      core,
      config.snapshotScrollbackLines,
    );
    try {
      session.pty = backend.spawn(
        {
          file: request.file,
          args: request.args,
          cwd: request.cwd,
          env: request.env,
          cols: request.cols,
          rows: request.rows,
        },
        session,
      );
      session.journal = store.open(request.id, session.ring);
      session.recorder = recordings.open(
        request.id,
        session.ring,
        request,
        request.recordingLimit ?? 0,
      );
      sessions.set(request.id, session);
      checkIdle();
      tell(socket, { type: "spawned", id: request.id, pid: session.pty.pid });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      tell(socket, { type: "spawn_failed", id: request.id, message });
    }
  };

  const control = (socket: Socket<Peer>, raw: unknown) => {
    const type = (raw as { type?: unknown }).type;
    if (!socket.data.ready) {
      const protocol = (raw as { protocol?: unknown }).protocol;
      if (type !== "hello" || typeof protocol !== "number") {
        return refuse(socket, "protocol_error", "the first frame must be a hello");
      }
      return hello(socket, protocol);
    }
    const parsed = serverMessage.safeParse(raw);
    if (!parsed.success) {
      return refuse(socket, "protocol_error", `invalid ${String(type)} message`);
    }
    const message = parsed.data;
    switch (message.type) {
      case "hello":
        return refuse(socket, "protocol_error", "hello was already sent");
      case "spawn":
        return spawn(socket, message);
      case "resize": {
        const session = sessions.get(message.id);
        if (!session || session.ended) return;
        session.pty.resize(message.cols, message.rows);
        session.narrowed =
          message.repaint === true &&
          (message.cols !== session.cols || message.rows !== session.rows);
        // A forced repaint's narrowing is the program's alone: viewers keep the size that
        // applies, and so do the terminal's state and the recording (as in process).
        if (message.repaint) return;
        session.screen.resize(message.cols, message.rows);
        session.recorder?.resize(message.cols, message.rows);
        session.cols = message.cols;
        session.rows = message.rows;
        return;
      }
      case "signal": {
        const session = sessions.get(message.id);
        if (session && !session.ended) session.pty.signal(message.signal);
        return;
      }
      case "forget": {
        const session = sessions.get(message.id);
        if (!session?.exit) return;
        session.screen.dispose();
        sessions.delete(message.id);
        checkIdle();
        return;
      }
      case "read": {
        const session = sessions.get(message.id);
        const { id, request } = message;
        const start = session ? Math.max(message.from, session.ring.start) : 0;
        const bytes = session?.ring.read(start, message.max ?? Number.POSITIVE_INFINITY);
        const output = bytes ? { start, base64: Buffer.from(bytes).toString("base64") } : null;
        return tell(socket, { type: "output", id, request, output });
      }
      case "text": {
        const session = sessions.get(message.id);
        const { id, request } = message;
        const screen = session && !session.ended ? (session.screen.text() ?? null) : null;
        return tell(socket, { type: "text", id, request, screen });
      }
      case "screen": {
        const session = sessions.get(message.id);
        const { id, request } = message;
        if (!session || session.ended)
          return tell(socket, { type: "screen", id, request, snapshot: null });
        session.screen.snapshot().then((snapshot) => {
          if (active === socket) tell(socket, { type: "screen", id, request, snapshot });
        });
        return;
      }
    }
  };

  const onFrames = (socket: Socket<Peer>, data: Uint8Array) => {
    if (socket.data.dropped) return;
    let frames: ReturnType<FrameDecoder["push"]>;
    try {
      frames = socket.data.decoder.push(data);
    } catch (error) {
      const message = error instanceof FrameError ? error.message : "unreadable frame";
      return refuse(socket, "protocol_error", message);
    }
    for (const frame of frames) {
      if (frame.kind === FrameKind.control) control(socket, frame.message);
      else if (frame.kind === FrameKind.input && socket.data.ready) {
        const session = sessions.get(frame.id);
        if (session && !session.ended) input(session, frame.bytes);
      } else return refuse(socket, "protocol_error", "unexpected frame");
      if (socket.data.dropped) return;
    }
  };

  rmSync(path, { force: true });
  const listener = Bun.listen<Peer>({
    unix: path,
    socket: {
      open(socket) {
        socket.data = {
          writer: new FrameWriter(socket, {
            maxQueuedBytes: MAX_QUEUED_BYTES,
            onOverflow: () => {
              logger.warn("the server stopped reading: dropping it");
              socket.end();
            },
            onWritable: () => {
              if (active === socket) pumpAll();
            },
          }),
          decoder: new FrameDecoder(),
          ready: false,
          dropped: false,
        };
      },
      data: onFrames,
      drain: (socket) => socket.data.writer.drain(),
      close(socket) {
        socket.data.dropped = true;
        if (active === socket) {
          active = undefined;
          logger.info("the server disconnected");
          checkIdle();
        }
      },
      error: (_socket, error) => logError(error, "PTY host socket"),
    },
  });
  chmodSync(path, 0o600);
  checkIdle();

  const host: PtyHost = {
    socketPath: path,
    close() {
      clearTimeout(idleTimer);
      // Output that arrives from now on is dropped, so each ring is written whole, once.
      closing = true;
      const flushes: Promise<void>[] = [];
      for (const session of sessions.values()) {
        if (session.journal) flushes.push(session.journal.close(session.finalScreen()));
        if (session.recorder) flushes.push(session.recorder.close());
        if (!session.ended) {
          session.pty.signal("SIGHUP");
          session.pty.signal("SIGTERM");
        }
      }
      listener.stop(true);
      rmSync(path, { force: true });
      lock.release();
      return Promise.all(flushes).then(() => logError.dispose());
    },
  };
  return host;
}
