// One LinkConnection: the server's side of the PTY host socket. The hello, the hosted sessions the
// host already runs (with their scrollback replayed), and a handle per hosted session that sends
// input and control as frames and receives output and exits. Events for a handle are held until
// the session manager calls `begin()`.

import type { Socket } from "bun";
import type { HostedSessionView, PtyCallbacks } from "../sessions/host-link.ts";
import type { PtyExit, PtyProcess } from "../sessions/pty.ts";
import type { ScreenSnapshot, ScreenText } from "../sessions/screen.ts";
import { FrameWriter } from "./frame-writer.ts";
import {
  BYTE_FRAME_OVERHEAD,
  encodeBytes,
  encodeControl,
  FrameDecoder,
  FrameKind,
  PROTOCOL_VERSION,
} from "./frames.ts";
import {
  FORWARDED_SIGNALS,
  type ForwardedSignal,
  type HostMessage,
  hostMessage,
  type ServerMessage,
} from "./messages.ts";
import { checkSocketOwnership } from "./socket-path.ts";

/** A server whose host stopped reading input for this much is cut off. */
const MAX_QUEUED_BYTES = 64 * 1024 * 1024;
/**
 * Input goes to the host in frames of at most this size, framed in the connection's scratch
 * buffer. Input that cannot go at once waits in its handle and goes a frame per session in turn
 * whenever the socket has taken everything: one session's paste never holds up another's
 * keystroke by more than a frame and what the kernel buffers.
 */
const INPUT_FRAME_BYTES = 64 * 1024;
/** How long the hello and the replay may take. */
const HELLO_TIMEOUT_MS = 30_000;

/** The server's handle on a hosted session's PTY: input and control go over the socket. */
export interface HostedSessionHandle extends PtyProcess {
  /** Deliver held and future output and exit (call once the session is wired up). */
  begin(): void;
  /** The exit is stored: the host may forget the session. */
  release(): void;
}

/** One socket connection of the HostLink to its PtyHost; the link opens a new one after a loss. */
export interface LinkConnection {
  /** The host's process id and OpenDray version. */
  readonly pid: number;
  readonly version: string;
  readonly hosted: ReadonlyMap<string, HostedSessionView>;
  spawn(
    request: Omit<Extract<ServerMessage, { type: "spawn" }>, "type">,
    callbacks: PtyCallbacks,
  ): Promise<HostedSessionHandle>;
  /** Resolves with the reason once the connection is gone. */
  readonly lost: Promise<string>;
  close(): void;
}

type Event = { data: Uint8Array } | { exit: PtyExit } | { skip: number };

/** The scrollback of a hosted session, arriving after the hello: [start, end). */
interface Replay {
  start: number;
  end: number;
  received: number;
  chunks: Uint8Array[];
}

interface Route {
  callbacks: PtyCallbacks | undefined;
  held: Event[] | undefined;
  /** Set while the replay of a session that was running at the hello comes in. */
  replay?: Replay;
}

function dispatch(callbacks: PtyCallbacks, event: Event): void {
  if ("data" in event) callbacks.onData(event.data);
  else if ("exit" in event) callbacks.onExit(event.exit);
  else callbacks.onSkip?.(event.skip);
}

/** What every handle of one LinkConnection shares. */
interface LinkConnectionCore {
  writer: FrameWriter;
  /** Input frames are built here: the writer copies what it must keep (no array per keystroke). */
  scratch: Uint8Array;
  send(message: ServerMessage): void;
  routes: Map<string, Route>;
  /** Handles with input waiting to be sent, in turn. */
  inputTurns: Set<SocketHandle>;
  /** Send waiting input while the socket takes it. */
  pumpInput(): void;
  /** Ask the host for a session's terminal state. */
  screen(id: string): Promise<ScreenSnapshot | undefined>;
  /** Ask the host for the text on a session's screen. */
  text(id: string): Promise<ScreenText | undefined>;
  /** Ask the host for a session's output from `from`. */
  read(
    id: string,
    from: number,
    maxBytes?: number,
  ): Promise<{ start: number; bytes: Uint8Array } | undefined>;
}

/** The server's messages that the host answers, matched by `request`. */
type Question = Extract<ServerMessage, { type: "screen" | "text" | "read" }>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

const isForwarded = (signal: NodeJS.Signals): signal is ForwardedSignal =>
  (FORWARDED_SIGNALS as readonly string[]).includes(signal);

// A class, not an object of closures: a session keeps its handle for life (docs/memory.md).
class SocketHandle implements HostedSessionHandle {
  // Input not yet sent, oldest first, the first from `inputAt` on (made on first use). The
  // session's input budget bounds it.
  private input: Uint8Array[] | undefined;
  private inputAt = 0;

  constructor(
    private readonly id: string,
    readonly pid: number,
    private readonly connection: LinkConnectionCore,
  ) {}

  write(bytes: Uint8Array): void {
    const { writer, scratch, inputTurns } = this.connection;
    if (!this.input && writer.idle && bytes.length <= INPUT_FRAME_BYTES) {
      writer.send(encodeBytes(FrameKind.input, this.id, bytes, scratch));
      return;
    }
    this.input ??= [];
    this.input.push(bytes.slice());
    inputTurns.add(this);
    this.connection.pumpInput();
  }

  /** Send the next frame of waiting input; false once none is left. */
  sendInput(): boolean {
    const head = this.input?.[0];
    if (!head) return false;
    const { writer, scratch } = this.connection;
    const end = Math.min(head.length, this.inputAt + INPUT_FRAME_BYTES);
    writer.send(encodeBytes(FrameKind.input, this.id, head.subarray(this.inputAt, end), scratch));
    this.inputAt = end;
    if (end < head.length) return true;
    this.input?.shift();
    this.inputAt = 0;
    if (this.input?.length) return true;
    this.input = undefined;
    return false;
  }

  resize(cols: number, rows: number, repaint?: boolean): void {
    this.connection.send({
      type: "resize",
      id: this.id,
      cols,
      rows,
      ...(repaint ? { repaint } : {}),
    });
  }

  signal(signal: NodeJS.Signals): void {
    if (isForwarded(signal)) this.connection.send({ type: "signal", id: this.id, signal });
  }

  begin(): void {
    const route = this.connection.routes.get(this.id);
    if (!route?.callbacks) return;
    const held = route.held ?? [];
    route.held = undefined;
    for (const event of held) dispatch(route.callbacks, event);
  }

  screen(): Promise<ScreenSnapshot | undefined> {
    return this.connection.screen(this.id);
  }

  read(from: number, maxBytes?: number): Promise<{ start: number; bytes: Uint8Array } | undefined> {
    return this.connection.read(this.id, from, maxBytes);
  }

  text(): Promise<ScreenText | undefined> {
    return this.connection.text(this.id);
  }

  release(): void {
    this.input = undefined;
    this.connection.inputTurns.delete(this);
    this.connection.routes.delete(this.id);
    this.connection.send({ type: "forget", id: this.id });
  }
}

/** Error thrown when the host speaks another protocol version. */
export class HostVersionError extends Error {
  override name = "HostVersionError";
}

/** Connect to the host listening at `path` (ownership checked first) and sync its sessions. */
export async function connectHost(
  path: string,
  dataDir: string,
  version: string,
): Promise<LinkConnection> {
  checkSocketOwnership(path, dataDir);
  const routes = new Map<string, Route>();
  /** Sessions whose replay is not complete yet. */
  let replaying = 0;
  const spawning = new Map<
    string,
    { resolve: (pid: number) => void; reject: (e: Error) => void }
  >();
  /**
   * Questions to the host (`screen`, `text`, `read`) by request number, each waiting for its answer
   * message, or for undefined when the connection is lost first.
   */
  const questions = new Map<number, (answer: HostMessage | undefined) => void>();
  let nextRequest = 0;
  const ask = (question: DistributiveOmit<Question, "request">) => {
    const request = nextRequest++;
    return new Promise<HostMessage | undefined>((resolve) => {
      questions.set(request, resolve);
      send({ ...question, request } as Question);
    });
  };
  const decoder = new FrameDecoder();
  let hello: Extract<HostMessage, { type: "hello" }> | undefined;
  let settle: { resolve: () => void; reject: (error: Error) => void } | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject };
  });
  let resolveLost!: (reason: string) => void;
  const lost = new Promise<string>((resolve) => {
    resolveLost = resolve;
  });
  let lastError = "the PTY host closed the connection";

  const deliver = (id: string, event: Event) => {
    const route = routes.get(id);
    if (!route) return;
    if (route.held || !route.callbacks) {
      route.held ??= [];
      route.held.push("data" in event ? { data: event.data.slice() } : event);
    } else dispatch(route.callbacks, event);
  };

  const replayDone = (replay: Replay) => {
    if (replay.received < replay.end) return;
    replaying -= 1;
    if (replaying === 0) settle?.resolve();
  };

  const onOutput = (id: string, bytes: Uint8Array) => {
    const replay = routes.get(id)?.replay;
    if (!replay || replay.received >= replay.end) return deliver(id, { data: bytes });
    const count = Math.min(bytes.length, replay.end - replay.received);
    replay.chunks.push(bytes.slice(0, count));
    replay.received += count;
    replayDone(replay);
    if (count < bytes.length) deliver(id, { data: bytes.subarray(count) });
  };

  const onSkip = (id: string, to: number) => {
    const replay = routes.get(id)?.replay;
    if (!replay || replay.received >= replay.end) return deliver(id, { skip: to });
    // The ring overtook the replay: it restarts where the host's ring now begins.
    replay.chunks = [];
    replay.start = to;
    replay.received = to;
    replay.end = Math.max(replay.end, to);
    replayDone(replay);
  };

  const onMessage = (message: HostMessage) => {
    switch (message.type) {
      case "hello":
        hello = message;
        for (const info of message.sessions) {
          const replay = { start: info.start, end: info.end, received: info.start, chunks: [] };
          routes.set(info.id, { callbacks: undefined, held: [], replay });
          // An empty ring (a program that printed nothing yet) sends no replay to wait for.
          if (info.end > info.start) replaying += 1;
        }
        if (replaying === 0) settle?.resolve();
        return;
      case "skip":
        onSkip(message.id, message.to);
        return;
      case "spawned":
        spawning.get(message.id)?.resolve(message.pid);
        spawning.delete(message.id);
        return;
      case "spawn_failed":
        spawning.get(message.id)?.reject(new Error(message.message));
        spawning.delete(message.id);
        routes.delete(message.id);
        return;
      case "exit":
        deliver(message.id, { exit: { exitCode: message.exitCode, signal: message.signal } });
        return;
      case "screen":
      case "text":
      case "output":
        questions.get(message.request)?.(message);
        questions.delete(message.request);
        return;
      case "input_taken":
        // Only input this server sent is reported, so the session is wired up by then.
        routes.get(message.id)?.callbacks?.onInputTaken?.(message.bytes);
        return;
      case "error":
        lastError = `the PTY host refused the connection: ${message.message}`;
        if (message.code === "protocol_mismatch") settle?.reject(new HostVersionError(lastError));
        return;
    }
  };

  const socket: Socket<undefined> = await Bun.connect({
    unix: path,
    socket: {
      data(_socket, chunk) {
        let frames: ReturnType<FrameDecoder["push"]>;
        try {
          frames = decoder.push(chunk);
        } catch (error) {
          lastError = `the PTY host sent a bad frame: ${(error as Error).message}`;
          _socket.end();
          return;
        }
        for (const frame of frames) {
          if (frame.kind === FrameKind.control) {
            const parsed = hostMessage.safeParse(frame.message);
            if (!parsed.success) {
              const type = (frame.message as { type?: unknown }).type;
              lastError = `the PTY host sent an invalid ${String(type)} message`;
              _socket.end();
              return;
            }
            onMessage(parsed.data);
          } else if (frame.kind === FrameKind.output) onOutput(frame.id, frame.bytes);
        }
      },
      drain: () => writer.drain(),
      close() {
        const error = new Error(lastError);
        settle?.reject(error);
        for (const pending of spawning.values()) pending.reject(error);
        spawning.clear();
        for (const answer of questions.values()) answer(undefined);
        questions.clear();
        resolveLost(lastError);
      },
      error(_socket, error) {
        lastError = `PTY host socket: ${error.message}`;
      },
    },
  });
  const inputTurns = new Set<SocketHandle>();
  const pumpInput = () => {
    while (writer.idle && inputTurns.size > 0) {
      for (const handle of inputTurns) {
        if (!writer.idle) return;
        if (!handle.sendInput()) inputTurns.delete(handle);
      }
    }
  };
  const writer = new FrameWriter(socket, {
    maxQueuedBytes: MAX_QUEUED_BYTES,
    onOverflow: () => {
      lastError = "the PTY host stopped reading";
      socket.end();
    },
    onWritable: pumpInput,
  });
  const send = (message: ServerMessage) => writer.send(encodeControl(message));

  const connection: LinkConnectionCore = {
    writer,
    scratch: new Uint8Array(BYTE_FRAME_OVERHEAD + INPUT_FRAME_BYTES),
    send,
    routes,
    inputTurns,
    pumpInput,
    async screen(id) {
      const answer = await ask({ type: "screen", id });
      return answer?.type === "screen" ? (answer.snapshot ?? undefined) : undefined;
    },
    async text(id) {
      const answer = await ask({ type: "text", id });
      return answer?.type === "text" ? (answer.screen ?? undefined) : undefined;
    },
    async read(id, from, maxBytes) {
      const max = maxBytes === undefined || !Number.isFinite(maxBytes) ? {} : { max: maxBytes };
      const answer = await ask({ type: "read", id, from, ...max });
      const output = answer?.type === "output" ? answer.output : null;
      return output
        ? { start: output.start, bytes: Buffer.from(output.base64, "base64") }
        : undefined;
    },
  };
  const handle = (id: string, pid: number): HostedSessionHandle =>
    new SocketHandle(id, pid, connection);

  send({ type: "hello", protocol: PROTOCOL_VERSION, version });
  const timeout = setTimeout(() => {
    lastError = "the PTY host did not answer its hello";
    socket.end();
  }, HELLO_TIMEOUT_MS);
  try {
    await ready;
  } finally {
    clearTimeout(timeout);
  }
  const info = hello as NonNullable<typeof hello>;

  const hosted = new Map<string, HostedSessionView>();
  for (const session of info.sessions) {
    const route = routes.get(session.id);
    const replay = route?.replay;
    if (route) route.replay = undefined;
    hosted.set(session.id, {
      ...session,
      start: replay?.start ?? session.start,
      replay: Buffer.concat(replay?.chunks ?? []),
      take(callbacks) {
        if (route) route.callbacks = callbacks;
        return handle(session.id, session.pid);
      },
    });
  }

  return {
    pid: info.pid,
    version: info.version,
    hosted,
    lost,
    async spawn(request, callbacks) {
      routes.set(request.id, { callbacks, held: [] });
      const pid = await new Promise<number>((resolve, reject) => {
        spawning.set(request.id, { resolve, reject });
        send({ type: "spawn", ...request });
      });
      return handle(request.id, pid);
    },
    close() {
      socket.end();
    },
  };
}
