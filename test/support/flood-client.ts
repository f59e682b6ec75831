// A terminal stream client in a process of its own that floods a session with binary input
// frames, so that building and masking them costs the measuring test process nothing.
//   bun flood-client.ts <ws url> <bearer token> <frame count> <frame bytes>
// After the last frame it sends a ping: its pong means the server has read every frame.
// stdout: each text frame received, as one JSON line; then {"type":"closed","code"} at the close.

export {};

const [url, token, count, size] = process.argv.slice(2);
if (!url || !token || !count || !size)
  throw new Error("usage: flood-client <url> <token> <n> <bytes>");

const BunWebSocket = WebSocket as unknown as new (
  url: string,
  options: Bun.WebSocketOptions,
) => WebSocket;
const socket = new BunWebSocket(url, { headers: { authorization: `Bearer ${token}` } });
const report = (line: unknown) => process.stdout.write(`${JSON.stringify(line)}\n`);
socket.addEventListener("message", (event) => {
  if (typeof event.data === "string") report(JSON.parse(event.data));
});
socket.addEventListener("close", (event) => {
  report({ type: "closed", code: event.code });
  process.exit(0);
});
socket.addEventListener("open", () => {
  const frame = new Uint8Array(Number(size)).fill("x".charCodeAt(0));
  for (let i = 0; i < Number(count); i++) socket.send(frame);
  socket.send(JSON.stringify({ type: "ping" }));
});
