// A hand-driven WebSocket client over a plain TCP socket, for misbehaving peers: one that never
// reads, or one that never answers pings. Parses the server's frames (servers do not mask).

import { connect, type Socket } from "node:net";
import { type Frame, readFrames, readUpgradeAnswer, upgradeRequest } from "./ws-frames.ts";

export type { Frame } from "./ws-frames.ts";

export class RawWebSocket {
  private buffer: Buffer = Buffer.alloc(0);
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
    socket.write(upgradeRequest(url, headers));
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
      const answer = readUpgradeAnswer(this.buffer);
      if (answer === undefined) return;
      if (!answer.accepted) {
        this.refusal = answer.refusal;
        return;
      }
      this.handshakeDone = true;
      this.buffer = answer.rest;
    }
    this.buffer = readFrames(this.buffer, (frame) => this.frames.push(frame));
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
