// The receiving side of the permessage-deflate bench, run as its own process so that it never
// shares an event loop with the sending server. Usage: bun deflate-client.ts <ws-url> ws|raw
//   ws   Bun's WebSocket offering permessage-deflate: payload bytes and time, first frame to close
//   raw  a TCP client offering it too: bytes on the wire (compressed payloads, frame headers)
// Prints one JSON line.

import { RawWebSocket } from "./raw-ws.ts";

const BunWebSocket = WebSocket as unknown as new (
  url: string,
  options: Bun.WebSocketOptions,
) => WebSocket;

const [url, kind] = process.argv.slice(2);
if (!url || (kind !== "ws" && kind !== "raw")) {
  process.stderr.write("usage: bun deflate-client.ts <ws-url> ws|raw\n");
  process.exit(2);
}

if (kind === "raw") {
  const client = await RawWebSocket.open(url, { deflate: true });
  const closeCode = await client.waitForClose(120_000);
  client.destroy();
  print({ wireBytes: client.wireBytes, closeCode, extensions: client.extensions });
} else {
  const socket = new BunWebSocket(url, { perMessageDeflate: true });
  socket.binaryType = "arraybuffer";
  let bytes = 0;
  let firstNs = 0;
  let lastNs = 0;
  socket.addEventListener("message", (event) => {
    lastNs = Bun.nanoseconds();
    if (firstNs === 0) firstNs = lastNs;
    bytes += (event.data as ArrayBuffer).byteLength;
  });
  const closeCode = await new Promise<number>((resolve, reject) => {
    socket.addEventListener("close", (event) => resolve(event.code));
    socket.addEventListener("error", () => reject(new Error(`could not read ${url}`)));
  });
  print({ bytes, ns: lastNs - firstNs, closeCode, extensions: socket.extensions });
}

function print(result: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}
