// With PTY_HOST=auto the server keeps its copy of a session's output only while the session is
// watched (and a grace period after): an unwatched session costs the server no scrollback, and
// everything still works from the PTY host: GET /output, a fresh open (snapshot), a reconnect
// with an old since= (truncated, then a snapshot), and a reconnect within the grace period
// (the exact bytes). Real server, real PTY host, real PTYs.

import { afterAll, beforeAll, expect, test } from "bun:test";
import { eventually, outputOf, startTestServer, type TestServer } from "./support/server.ts";
import { StreamClient, streamUrl } from "./support/ws-client.ts";

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({
    env: { PTY_HOST: "auto", SCROLLBACK_BYTES: "1mb", MIRROR_GRACE: "300ms" },
  });
});
afterAll(async () => {
  await server?.dispose();
});

/** About 290 KB of numbered lines, then a `cat` that echoes what it is given. */
const SCRIPT = "seq 1 50000; stty -echo; exec cat";

test("an unwatched session's copy is dropped; output, snapshots and reconnects come from the host", async () => {
  expect(server.ptyHostPid).not.toBeNull();
  const session = await server.spawnShell(SCRIPT);
  const watcher = await StreamClient.connect(streamUrl(server.api, session.id, 0), server.auth);
  await watcher.waitForText("50000\r\n");
  const seen = watcher.byteCount;
  expect(server.manager.outputBytesHeld).toBeGreaterThanOrEqual(seen);
  watcher.close();

  // Unwatched for the grace period: the server holds nothing of it.
  await eventually(
    () => (server.manager.outputBytesHeld === 0 ? true : undefined),
    "the copy dropped",
  );
  // Output while unwatched is counted, not kept.
  const typed = await server.request("POST", `/sessions/${session.id}/input`, { data: "LATER\n" });
  expect(typed.status).toBe(204);
  await eventually(async () => {
    const body = await server.getSession(session.id);
    return body.outputOffset === seen + "LATER\r\n".length ? true : undefined;
  }, "the echo counted");
  expect(server.manager.outputBytesHeld).toBe(0);

  // GET /output: the host's ring, whole, up to what was typed.
  const all = await outputOf(server, session.id);
  expect(all.start).toBe(0);
  expect(all.end).toBe(seen + 7);
  expect(all.text).toBe(`${watcher.output.toString("latin1")}LATER\r\n`);
  const tail = await outputOf(server, session.id, seen);
  expect(tail).toEqual({ start: seen, end: seen + 7, text: "LATER\r\n" });

  // A reconnect from where the watcher left: older than what the server keeps, so the gap is
  // announced and the screen comes as a snapshot, then live output.
  const back = await StreamClient.connect(streamUrl(server.api, session.id, seen), server.auth);
  const snapshot = await back.waitForEvent("snapshot");
  expect(back.events.map((event) => event.type)).toEqual(["hello", "truncated", "snapshot"]);
  expect(snapshot.offset).toBe(seen + 7);
  await back.waitForBytes(snapshot.bytes);
  expect(back.output.toString("latin1")).toContain("LATER");
  back.send(new TextEncoder().encode("LIVE\n"));
  await back.waitForText("LIVE\r\n");
  expect(back.output.subarray(snapshot.bytes).toString("latin1")).toBe("LIVE\r\n");

  // Watched again, the server keeps output; a reconnect within the grace gets the exact bytes.
  const before = snapshot.offset + 6;
  back.close();
  const again = await StreamClient.connect(streamUrl(server.api, session.id, before), server.auth);
  await again.waitForEvent("hello");
  again.send(new TextEncoder().encode("EXACT\n"));
  await again.waitForText("EXACT\r\n");
  expect(again.events.map((event) => event.type)).toEqual(["hello"]);
  expect(again.output.toString("latin1")).toBe("EXACT\r\n");
  again.close();
  await server.request("DELETE", `/sessions/${session.id}`);
});
