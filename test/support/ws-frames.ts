// The client side of a WebSocket upgrade on a raw byte stream: the request's text, the server's
// answer head, then the server's frames (servers do not mask). Shared by the hand-driven test
// client (./raw-ws.ts) and the bench's byte-counting one (bench/raw-ws.ts).

/** One frame from the server; `payload` is a view into the bytes read, not a copy. */
export interface Frame {
  opcode: number;
  payload: Buffer;
}

/** The HTTP request that opens `url` as a WebSocket, with a fresh key and `headers` added. */
export function upgradeRequest(url: URL, headers: Record<string, string> = {}): string {
  const all = {
    Host: url.host,
    Upgrade: "websocket",
    Connection: "Upgrade",
    "Sec-WebSocket-Key": Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64"),
    "Sec-WebSocket-Version": "13",
    ...headers,
  };
  const head = Object.entries(all)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join("");
  return `GET ${url.pathname}${url.search} HTTP/1.1\r\n${head}\r\n`;
}

/** The server's answer to the upgrade, once its head is whole. */
export type UpgradeAnswer =
  | { accepted: true /** The head (status line and headers). */; head: string; rest: Buffer }
  | { accepted: false /** Its status line, as "HTTP/1.1 401 Unauthorized". */; refusal: string };

/** The answer at the start of `buffer`; undefined while its head is incomplete. */
export function readUpgradeAnswer(buffer: Buffer): UpgradeAnswer | undefined {
  const end = buffer.indexOf("\r\n\r\n");
  if (end < 0) return undefined;
  const head = buffer.subarray(0, end).toString("latin1");
  if (!head.startsWith("HTTP/1.1 101"))
    return { accepted: false, refusal: head.split("\r\n")[0] ?? head };
  return { accepted: true, head, rest: buffer.subarray(end + 4) };
}

/**
 * Hands each whole frame at the start of `buffer` to `onFrame`, in order; returns what is left
 * (the start of an incomplete frame, often empty).
 */
export function readFrames(buffer: Buffer, onFrame: (frame: Frame) => void): Buffer {
  let rest = buffer;
  for (;;) {
    if (rest.length < 2) return rest;
    const opcode = (rest[0] ?? 0) & 0x0f;
    let length = (rest[1] ?? 0) & 0x7f;
    let at = 2;
    if (length === 126) {
      if (rest.length < 4) return rest;
      length = rest.readUInt16BE(2);
      at = 4;
    } else if (length === 127) {
      if (rest.length < 10) return rest;
      length = Number(rest.readBigUInt64BE(2));
      at = 10;
    }
    if (rest.length < at + length) return rest;
    onFrame({ opcode, payload: rest.subarray(at, at + length) });
    rest = rest.subarray(at + length);
  }
}
