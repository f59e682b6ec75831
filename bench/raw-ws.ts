// A WebSocket client written on a plain TCP socket, for what a browser client cannot do: stop
// reading altogether (a stalled viewer), and count the bytes on the wire (compression). It only
// parses server frames (unmasked) and never sends any after the handshake.

import { connect, type Socket } from "node:net";
import { readFrames, readUpgradeAnswer, upgradeRequest } from "../test/support/ws-frames.ts";
import { withTimeout } from "./stats.ts";

export interface RawOpenOptions {
  headers?: Record<string, string>;
  /** Offer permessage-deflate (then payloads may be compressed; only their wire size is counted). */
  deflate?: boolean;
}

export class RawWebSocket {
  /** Every byte read from the socket after the HTTP response head. */
  wireBytes = 0;
  /** Payload bytes of binary frames (and their continuations), as they came over the wire. */
  binaryBytes = 0;
  closeCode: number | undefined;
  ended = false;
  /** The Sec-WebSocket-Extensions the server accepted ("" when none). */
  extensions = "";
  private buffer: Buffer = Buffer.alloc(0);
  private upgraded = false;
  private refusal: string | undefined;
  private readonly waiters = new Set<() => void>();

  private constructor(private readonly socket: Socket) {
    socket.on("error", () => {});
    socket.on("data", (data: Buffer) => {
      this.buffer = this.buffer.length === 0 ? data : Buffer.concat([this.buffer, data]);
      if (this.upgraded) this.wireBytes += data.length;
      this.parse();
      this.wake();
    });
    socket.on("close", () => {
      this.ended = true;
      this.wake();
    });
  }

  /** Connect to a ws:// URL and complete the upgrade. */
  static async open(wsUrl: string, options: RawOpenOptions = {}): Promise<RawWebSocket> {
    const url = new URL(wsUrl);
    const socket = connect(Number(url.port), url.hostname);
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        socket.once("connect", resolve);
        socket.once("error", reject);
      }),
      10_000,
      `connect ${url.host}`,
    );
    const client = new RawWebSocket(socket);
    const headers = {
      ...(options.deflate ? { "Sec-WebSocket-Extensions": "permessage-deflate" } : {}),
      ...options.headers,
    };
    socket.write(upgradeRequest(url, headers));
    await client.until(
      () => client.upgraded || client.refusal !== undefined || client.ended || undefined,
      "upgrade",
      10_000,
    );
    if (!client.upgraded)
      throw new Error(`upgrade refused: ${client.refusal ?? "connection closed"}`);
    return client;
  }

  /** Stop reading from the socket: the kernel's buffers fill, then the server's. */
  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  /** The close code of the server's close frame; undefined when the connection ended without one. */
  async waitForClose(timeoutMs: number): Promise<number | undefined> {
    await this.until(() => this.closeCode ?? (this.ended || undefined), "close", timeoutMs);
    return this.closeCode;
  }

  destroy(): void {
    this.socket.destroy();
  }

  private parse(): void {
    if (!this.upgraded) {
      const answer = readUpgradeAnswer(this.buffer);
      if (answer === undefined) return;
      if (!answer.accepted) {
        this.refusal = answer.refusal;
        this.socket.destroy();
        return;
      }
      this.extensions = /^sec-websocket-extensions:\s*(.*)$/im.exec(answer.head)?.[1]?.trim() ?? "";
      this.upgraded = true;
      this.buffer = answer.rest;
      this.wireBytes += this.buffer.length;
    }
    this.buffer = readFrames(this.buffer, ({ opcode, payload }) => {
      if (opcode === 0x2 || opcode === 0x0) this.binaryBytes += payload.length;
      if (opcode === 0x8) this.closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
    });
  }

  private until<T>(check: () => T | undefined, what: string, timeoutMs: number): Promise<T> {
    let waiter: (() => void) | undefined;
    const found = new Promise<T>((resolve) => {
      waiter = () => {
        const value = check();
        if (value !== undefined) resolve(value);
      };
      this.waiters.add(waiter);
      waiter();
    });
    return withTimeout(found, timeoutMs, what).finally(() => {
      if (waiter) this.waiters.delete(waiter);
    });
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}
