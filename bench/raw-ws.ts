// A WebSocket client written on a plain TCP socket, for what a browser client cannot do: stop
// reading altogether (a stalled viewer), and count the bytes on the wire (compression). It only
// parses server frames (unmasked) and never sends any after the handshake.

import { connect, type Socket } from "node:net";
import { serverFrameAt } from "../test/support/raw-ws.ts";
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
      Host: url.host,
      Upgrade: "websocket",
      Connection: "Upgrade",
      "Sec-WebSocket-Key": Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString(
        "base64",
      ),
      "Sec-WebSocket-Version": "13",
      ...(options.deflate ? { "Sec-WebSocket-Extensions": "permessage-deflate" } : {}),
      ...options.headers,
    };
    const head = Object.entries(headers)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join("");
    socket.write(`GET ${url.pathname}${url.search} HTTP/1.1\r\n${head}\r\n`);
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
      const end = this.buffer.indexOf("\r\n\r\n");
      if (end < 0) return;
      const head = this.buffer.subarray(0, end).toString("latin1");
      if (!head.startsWith("HTTP/1.1 101")) {
        this.refusal = head.split("\r\n")[0] ?? head;
        this.socket.destroy();
        return;
      }
      this.extensions = /^sec-websocket-extensions:\s*(.*)$/im.exec(head)?.[1]?.trim() ?? "";
      this.upgraded = true;
      this.buffer = this.buffer.subarray(end + 4);
      this.wireBytes += this.buffer.length;
    }
    for (;;) {
      const frame = serverFrameAt(this.buffer);
      if (!frame) return;
      const { opcode, at, length } = frame;
      if (opcode === 0x2 || opcode === 0x0) this.binaryBytes += length;
      if (opcode === 0x8) this.closeCode = length >= 2 ? this.buffer.readUInt16BE(at) : 1005;
      this.buffer = this.buffer.subarray(at + length);
    }
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
