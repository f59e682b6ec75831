// A lean viewer of a session's stream for the benches: counts binary bytes (never copies them),
// records JSON events and the close, and can watch the output for a marker. `onChunk` runs
// synchronously for every binary frame, for latency loops that must not wait on promises.

import type { ServerEvent } from "../src/protocol/stream.ts";
import { READY, ReadyMarker } from "./ready-marker.ts";
import { withTimeout } from "./stats.ts";
import type { Terminal } from "./terminal.ts";

const WAIT_MS = 60_000;

/** Bun's WebSocket constructor: lib.dom's type does not know its options (headers, compression). */
const BunWebSocket = WebSocket as unknown as new (
  url: string,
  options: Bun.WebSocketOptions,
) => WebSocket;

export class StreamViewer implements Terminal {
  bytes = 0;
  frames = 0;
  readonly events: ServerEvent[] = [];
  closed: { code: number; reason: string } | undefined;
  /** Called with each binary frame's length and arrival time (Bun.nanoseconds()). */
  onChunk: ((length: number, atNs: number) => void) | undefined;
  private readonly ready = new ReadyMarker();
  private readonly waiters = new Set<() => void>();

  private constructor(readonly socket: WebSocket) {
    socket.binaryType = "arraybuffer";
    socket.addEventListener("message", (event) => {
      if (typeof event.data === "string") {
        this.events.push(JSON.parse(event.data) as ServerEvent);
      } else {
        const data = event.data as ArrayBuffer;
        this.bytes += data.byteLength;
        this.frames += 1;
        this.onChunk?.(data.byteLength, Bun.nanoseconds());
        if (!this.ready.seen) this.ready.feed(new Uint8Array(data));
      }
      this.wake();
    });
    socket.addEventListener("close", (event) => {
      this.closed = { code: event.code, reason: event.reason };
      this.wake();
    });
  }

  /** Open `url`; resolves once the socket is open. */
  static open(url: string, headers: Record<string, string> = {}): Promise<StreamViewer> {
    const socket = new BunWebSocket(url, { headers, perMessageDeflate: false });
    const viewer = new StreamViewer(socket);
    return withTimeout(
      new Promise((resolve, reject) => {
        socket.addEventListener("open", () => resolve(viewer), { once: true });
        socket.addEventListener("error", () => reject(new Error(`could not open ${url}`)), {
          once: true,
        });
      }),
      WAIT_MS,
      `open ${url}`,
    );
  }

  /** Resolve once the program has printed READY (bench/ready-marker.ts). */
  async waitForReady(timeoutMs = WAIT_MS): Promise<void> {
    await this.until(() => this.ready.seen || undefined, READY, timeoutMs);
  }

  waitForEvent(type: ServerEvent["type"], timeoutMs = WAIT_MS): Promise<ServerEvent> {
    return this.until(() => this.events.find((event) => event.type === type), type, timeoutMs);
  }

  waitForClose(timeoutMs = WAIT_MS): Promise<{ code: number; reason: string }> {
    return this.until(() => this.closed, "close", timeoutMs);
  }

  /** Resolve at the `exit` event, which follows the session's last output byte. */
  async waitForExit(timeoutMs = WAIT_MS): Promise<void> {
    await this.waitForEvent("exit", timeoutMs);
  }

  write(data: Uint8Array<ArrayBuffer>): void {
    this.socket.send(data);
  }

  dispose(): void {
    this.socket.close();
  }

  private until<T>(check: () => T | undefined, what: string, timeoutMs: number): Promise<T> {
    let waiter: (() => void) | undefined;
    const found = new Promise<T>((resolve, reject) => {
      waiter = () => {
        const value = check();
        if (value !== undefined) return resolve(value);
        if (this.closed && what !== "close") {
          reject(new Error(`stream closed (${this.closed.code}) while waiting for ${what}`));
        }
      };
      this.waiters.add(waiter);
      waiter();
    });
    return withTimeout(found, timeoutMs, `${what} (${this.bytes} bytes received)`).finally(() => {
      if (waiter) this.waiters.delete(waiter);
    });
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}
