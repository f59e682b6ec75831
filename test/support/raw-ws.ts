// A hand-driven WebSocket client over a plain TCP socket, for misbehaving peers: one that never
// reads, or one that never answers pings. Parses the server's frames (servers do not mask).

import { connect, type Socket } from "node:net";

export interface Frame {
  opcode: number;
  payload: Buffer;
}

/**
 * The header of the server frame (unmasked) at the start of `buffer`: its opcode, where its
 * payload starts and how long it is; undefined until the whole frame is there.
 */
export function serverFrameAt(
  buffer: Buffer,
): { opcode: number; at: number; length: number } | undefined {
  if (buffer.length < 2) return undefined;
  const opcode = (buffer[0] ?? 0) & 0x0f;
  let length = (buffer[1] ?? 0) & 0x7f;
  let at = 2;
  if (length === 126) {
    if (buffer.length < 4) return undefined;
    length = buffer.readUInt16BE(2);
    at = 4;
  } else if (length === 127) {
    if (buffer.length < 10) return undefined;
    length = Number(buffer.readBigUInt64BE(2));
    at = 10;
  }
  return buffer.length < at + length ? undefined : { opcode, at, length };
}

export class RawWebSocket {
  private buffer = Buffer.alloc(0);
  private waiters = new Set<() => void>();
  readonly frames: Frame[] = [];
  ended = false;

  private constructor(readonly socket: Socket) {
    socket.on("error", () => {});
    socket.on("data", (data: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, data]);
      this.parse();
      this.wake();
    });
    socket.on("close", () => {
      this.ended = true;
      this.wake();
    });
  }

  /** Connect and complete the upgrade handshake. */
  static async open(wsUrl: string, headers: Record<string, string> = {}): Promise<RawWebSocket> {
    const url = new URL(wsUrl);
    const socket = connect(Number(url.port), url.hostname);
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    const client = new RawWebSocket(socket);
    socket.write(
      `GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\n` +
        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
        "Sec-WebSocket-Version: 13\r\n" +
        Object.entries(headers)
          .map(([name, value]) => `${name}: ${value}\r\n`)
          .join("") +
        "\r\n",
    );
    await client.until(
      () => (client.handshakeDone || client.refusal ? true : undefined),
      "handshake",
    );
    if (client.refusal) {
      client.destroy();
      throw new Error(`upgrade refused: ${client.refusal}`);
    }
    return client;
  }

  private handshakeDone = false;
  /** The status line when the server answered the upgrade with something other than 101. */
  refusal: string | undefined;

  private parse() {
    if (!this.handshakeDone) {
      const end = this.buffer.indexOf("\r\n\r\n");
      if (end < 0) return;
      const head = this.buffer.subarray(0, end).toString();
      if (!head.startsWith("HTTP/1.1 101")) {
        this.refusal = head.split("\r\n")[0] ?? head;
        return;
      }
      this.handshakeDone = true;
      this.buffer = this.buffer.subarray(end + 4);
    }
    for (;;) {
      const frame = serverFrameAt(this.buffer);
      if (!frame) return;
      const { opcode, at, length } = frame;
      this.frames.push({ opcode, payload: this.buffer.subarray(at, at + length) });
      this.buffer = this.buffer.subarray(at + length);
    }
  }

  private wake() {
    for (const waiter of [...this.waiters]) waiter();
  }

  until<T>(check: () => T | undefined, what: string, timeoutMs = 30_000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const waiter = () => {
        const value = check();
        if (value !== undefined) {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(value);
        } else if (this.ended) {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          reject(new Error(`connection ended while waiting for ${what}`));
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      this.waiters.add(waiter);
      waiter();
    });
  }

  /** The close code of the server's close frame, once it arrives. */
  closeCode(timeoutMs?: number): Promise<number> {
    return this.until(
      () => this.frames.find((frame) => frame.opcode === 0x8)?.payload.readUInt16BE(0),
      "close frame",
      timeoutMs,
    );
  }

  pause() {
    this.socket.pause();
  }

  resume() {
    this.socket.resume();
  }

  destroy() {
    this.socket.destroy();
  }
}
