// WebSocket clients for tests: a stream viewer that records bytes, events and the close, with
// waits driven by incoming frames (bounded by a timeout), and a lifecycle events listener.

import type { Activity } from "../../src/protocol/attention.ts";
import type { LifecycleEvent } from "../../src/protocol/events.ts";
import type { ServerEvent } from "../../src/protocol/stream.ts";

const WAIT_MS = 15_000;

/** Bun's WebSocket constructor: lib.dom's type does not know its options (headers). */
const BunWebSocket = WebSocket as unknown as new (
  url: string,
  options: Bun.WebSocketOptions,
) => WebSocket;

type Waiter = () => void;

class Recorder {
  protected waiters = new Set<Waiter>();
  closed: { code: number; reason: string } | undefined;

  protected wake() {
    for (const waiter of [...this.waiters]) waiter();
  }

  /** Resolve when `check` yields a value; every incoming frame re-runs it. */
  protected until<T>(check: () => T | undefined, what: string, timeoutMs = WAIT_MS): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const waiter = () => {
        const value = check();
        if (value === undefined) return;
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve(value);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`timed out waiting for ${what}; ${this.describe()}`));
      }, timeoutMs);
      this.waiters.add(waiter);
      waiter();
    });
  }

  protected describe(): string {
    return `closed=${JSON.stringify(this.closed)}`;
  }

  waitForClose(timeoutMs = WAIT_MS) {
    return this.until(() => this.closed, "close", timeoutMs);
  }
}

export class StreamClient extends Recorder {
  private chunks: Buffer[] = [];
  private length = 0;
  readonly events: ServerEvent[] = [];

  private constructor(readonly socket: WebSocket) {
    super();
    socket.binaryType = "arraybuffer";
    socket.addEventListener("message", (event) => {
      if (typeof event.data === "string") {
        this.events.push(JSON.parse(event.data) as ServerEvent);
      } else {
        const chunk = Buffer.from(event.data as ArrayBuffer);
        this.chunks.push(chunk);
        this.length += chunk.length;
      }
      this.wake();
    });
    socket.addEventListener("close", (event) => {
      this.closed = { code: event.code, reason: event.reason };
      this.wake();
    });
  }

  /**
   * Open a stream; resolves once the socket is open (rejects with the HTTP refusal otherwise).
   * `tls` is for wss:// URLs, e.g. `{ ca }` to trust a test CA.
   */
  static connect(
    url: string,
    headers: Record<string, string> = {},
    tls?: { ca: string },
  ): Promise<StreamClient> {
    return new Promise((resolve, reject) => {
      const socket = new BunWebSocket(url, tls ? { headers, tls } : { headers });
      const client = new StreamClient(socket);
      socket.addEventListener("open", () => resolve(client), { once: true });
      socket.addEventListener("error", () => reject(new Error(`could not open ${url}`)), {
        once: true,
      });
    });
  }

  /** All output bytes received so far. */
  get output(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  get byteCount(): number {
    return this.length;
  }

  waitForOutput(predicate: (output: Buffer) => boolean, what = "output", timeoutMs = WAIT_MS) {
    return this.until(() => (predicate(this.output) ? this.output : undefined), what, timeoutMs);
  }

  waitForText(text: string, timeoutMs = WAIT_MS) {
    return this.waitForOutput((output) => output.includes(text), JSON.stringify(text), timeoutMs);
  }

  waitForBytes(count: number, timeoutMs = WAIT_MS) {
    return this.until(
      () => (this.length >= count ? this.output : undefined),
      `${count} bytes`,
      timeoutMs,
    );
  }

  waitForEvent<T extends ServerEvent["type"]>(
    type: T,
    match: (event: Extract<ServerEvent, { type: T }>) => boolean = () => true,
    timeoutMs = WAIT_MS,
  ): Promise<Extract<ServerEvent, { type: T }>> {
    return this.until(
      () =>
        this.events.find(
          (event): event is Extract<ServerEvent, { type: T }> =>
            event.type === type && match(event as Extract<ServerEvent, { type: T }>),
        ),
      `event ${type}`,
      timeoutMs,
    );
  }

  send(data: string | Uint8Array<ArrayBuffer>) {
    this.socket.send(data);
  }

  sendJson(message: unknown) {
    this.socket.send(JSON.stringify(message));
  }

  close() {
    this.socket.close();
  }

  protected override describe(): string {
    return `${super.describe()} bytes=${this.length} tail=${JSON.stringify(
      this.output.subarray(-200).toString("latin1"),
    )} events=${JSON.stringify(this.events.map((event) => event.type))}`;
  }
}

export class EventsClient extends Recorder {
  readonly events: LifecycleEvent[] = [];

  private constructor(readonly socket: WebSocket) {
    super();
    socket.addEventListener("message", (event) => {
      this.events.push(JSON.parse(String(event.data)) as LifecycleEvent);
      this.wake();
    });
    socket.addEventListener("close", (event) => {
      this.closed = { code: event.code, reason: event.reason };
      this.wake();
    });
  }

  static connect(url: string, headers: Record<string, string> = {}): Promise<EventsClient> {
    return new Promise((resolve, reject) => {
      const socket = new BunWebSocket(url, { headers });
      const client = new EventsClient(socket);
      socket.addEventListener("open", () => resolve(client), { once: true });
      socket.addEventListener("error", () => reject(new Error(`could not open ${url}`)), {
        once: true,
      });
    });
  }

  /** Session `id`'s activities in the order they were announced, from event `after` on. */
  activities(id: string, after = 0): Activity[] {
    return this.events
      .slice(after)
      .filter((event) => event.type === "session.activity" && event.session.id === id)
      .map((event) => event.session.activity as Activity);
  }

  /** The first event (received so far or later) of `type` for session `id` matching `match`. */
  waitFor(
    type: LifecycleEvent["type"],
    id: string,
    match: (event: LifecycleEvent) => boolean = () => true,
    timeoutMs = WAIT_MS,
  ): Promise<LifecycleEvent> {
    return this.until(
      () => this.events.find((e) => e.type === type && e.session.id === id && match(e)),
      `${type} of ${id}`,
      timeoutMs,
    );
  }

  close() {
    this.socket.close();
  }
}

/** ws:// URL of a session's stream. */
export function streamUrl(api: string, id: string, since?: number): string {
  const base = `${api.replace(/^http/, "ws")}/sessions/${id}/stream`;
  return since === undefined ? base : `${base}?since=${since}`;
}

export function eventsUrl(api: string): string {
  return `${api.replace(/^http/, "ws")}/events`;
}
