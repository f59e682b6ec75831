// The REST API of DESIGN §4 for sessions, against a real server, real PTYs and a real database.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as z from "zod/mini";
import { sessionSchema } from "../src/protocol/session.ts";
import { waitUntilGone } from "./support/process.ts";
import { bodyOf, errorOf, readResponse, sessionListSchema } from "./support/responses.ts";
import { startTestServer, type TestServer } from "./support/server.ts";
import { EventsClient, eventsUrl, StreamClient, streamUrl } from "./support/ws-client.ts";

let server: TestServer;
let events: EventsClient;

beforeAll(async () => {
  server = await startTestServer({ env: { IDLE_AFTER: "400ms" } });
  events = await EventsClient.connect(eventsUrl(server.api), server.auth);
}, 60_000);
afterAll(async () => {
  events.close();
  await server.dispose();
});

const exited = (id: string) => events.waitFor("session.exited", id).then((event) => event.session);

test("health answers without a session", async () => {
  const response = await server.request("GET", "/health");
  expect(response.status).toBe(200);
  expect(response.body).toEqual({ status: "ok", version: "test" });
});

test("a created session is listed newest first, fetched and renamed", async () => {
  const first = await server.spawnShell("sleep 30", { name: "first" });
  const second = await server.spawnShell("sleep 30");
  expect(first).toMatchObject({ name: "first", provider: "shell", cwd: "/tmp", state: "running" });
  expect(first.pid).toBeGreaterThan(0);
  expect(second.name).toBe("shell · tmp");

  const list = bodyOf(await server.request("GET", "/sessions"), 200, sessionListSchema);
  const ids = list.sessions.map((s) => s.id);
  expect(ids.indexOf(second.id)).toBeLessThan(ids.indexOf(first.id));

  const renamed = await server.request("PATCH", `/sessions/${first.id}`, { name: "renamed" });
  expect(bodyOf(renamed, 200, sessionSchema).name).toBe("renamed");
  await events.waitFor("session.renamed", first.id);
  expect((await server.getSession(first.id)).name).toBe("renamed");

  const running = await server.request("GET", "/sessions?state=running");
  const runningSessions = bodyOf(running, 200, sessionListSchema).sessions;
  expect(runningSessions.every((s) => s.state === "running")).toBe(true);
  for (const id of [first.id, second.id]) await server.request("DELETE", `/sessions/${id}`);
});

test("a size of 0×0 starts the PTY at 80×24", async () => {
  const session = await server.spawnShell("stty size", { cols: 0, rows: 0 });
  expect(session).toMatchObject({ cols: 80, rows: 24 });
  await exited(session.id);
  const output = await server.request("GET", `/sessions/${session.id}/output`);
  expect(output.body).toContain("24 80");
});

test("the child gets the terminal environment, the request's env, and none of our secrets", async () => {
  const session = await server.spawnShell(
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell script, not a template
    'echo "T=$TERM C=$COLORTERM L=${LANG:-}${LC_ALL:-} X=$EXTRA J=${JWT_SECRET:-none}"',
    { env: { EXTRA: "it works" } },
  );
  await exited(session.id);
  const output = await server.request("GET", `/sessions/${session.id}/output`);
  expect(output.body).toMatch(/T=xterm-256color C=truecolor L=\S+ X=it works J=none/);
});

test("input via REST reaches the program; output is served from an offset", async () => {
  const session = await server.spawnShell('read -r line; echo "got:$line"; sleep 30');
  const viewer = await StreamClient.connect(streamUrl(server.api, session.id), server.auth);
  expect(
    (await server.request("POST", `/sessions/${session.id}/input`, { data: "héllo\n" })).status,
  ).toBe(204);
  await viewer.waitForText("got:héllo");
  const all = await server.request("GET", `/sessions/${session.id}/output?since=0`);
  const allText = bodyOf(all, 200, z.string());
  const end = Number(all.headers.get("x-output-offset"));
  expect(all.headers.get("x-output-start")).toBe("0");
  expect(end).toBe(Buffer.byteLength(allText));
  const tail = await server.request("GET", `/sessions/${session.id}/output?since=${end - 3}`);
  expect(tail.headers.get("x-output-start")).toBe(String(end - 3));
  expect(tail.body).toBe(allText.slice(-3));
  viewer.close();
  await server.request("DELETE", `/sessions/${session.id}`);
});

test("resize via REST changes the PTY size", async () => {
  const session = await server.spawnShell("read -r; stty size; sleep 30");
  const viewer = await StreamClient.connect(streamUrl(server.api, session.id), server.auth);
  expect(
    (await server.request("POST", `/sessions/${session.id}/resize`, { cols: 100, rows: 30 }))
      .status,
  ).toBe(204);
  await viewer.waitForEvent("resize", (e) => e.cols === 100);
  await server.request("POST", `/sessions/${session.id}/input`, { data: "\n" });
  await viewer.waitForText("30 100");
  viewer.close();
  await server.request("DELETE", `/sessions/${session.id}`);
});

test("a session goes idle after IDLE_AFTER of silence and runs again on output", async () => {
  const session = await server.spawnShell("read -r; echo wake; sleep 30");
  const idle = await events.waitFor("session.state", session.id, (e) => e.session.state === "idle");
  expect(idle.session.state).toBe("idle");
  expect((await server.getSession(session.id)).state).toBe("idle");
  await server.request("POST", `/sessions/${session.id}/input`, { data: "\n" });
  const running = await events.waitFor(
    "session.state",
    session.id,
    (e) => e.session.state === "running" && e.session.lastOutputAt !== null,
  );
  expect(running.session.outputOffset).toBeGreaterThan(0);
  await events.waitFor(
    "session.state",
    session.id,
    (e) => e.session.state === "idle" && e.session.lastOutputAt !== null,
  );
  await server.request("DELETE", `/sessions/${session.id}`);
});

test("stop kills a process group that ignores SIGTERM and SIGHUP, after the grace period", async () => {
  const session = await server.spawnShell(
    "trap '' TERM HUP; (trap '' TERM HUP; sleep 300) & echo child=$!; wait",
  );
  const viewer = await StreamClient.connect(streamUrl(server.api, session.id), server.auth);
  const child = Number(/child=(\d+)/.exec((await viewer.waitForText("\n")).toString())?.[1]);
  const started = Date.now();
  const stopped = await server.request("POST", `/sessions/${session.id}/stop`);
  expect(Date.now() - started).toBeGreaterThanOrEqual(2900);
  expect(bodyOf(stopped, 200, sessionSchema)).toMatchObject({
    state: "stopped",
    exitSignal: "SIGKILL",
    exitCode: null,
  });
  expect(await waitUntilGone(child)).toBe(true);
  viewer.close();
}, 20_000);

test("stop ends a cooperative session at once and records it", async () => {
  const session = await server.spawnShell("sleep 300");
  const stopped = await server.request("POST", `/sessions/${session.id}/stop`);
  const stoppedBody = bodyOf(stopped, 200, sessionSchema);
  expect(stoppedBody).toMatchObject({ state: "stopped", endReason: "stopped on request" });
  expect(stoppedBody.endedAt).not.toBeNull();
  const again = await server.request("POST", `/sessions/${session.id}/stop`);
  expect(bodyOf(again, 200, sessionSchema).state).toBe("stopped");
});

test("restart starts a new session linked to the old one", async () => {
  const old = await server.spawnShell("echo run; sleep 300", { name: "keep me" });
  const restarted = bodyOf(
    await server.request("POST", `/sessions/${old.id}/restart`),
    201,
    sessionSchema,
  );
  expect(restarted).toMatchObject({
    parentSessionId: old.id,
    name: "keep me",
    args: old.args,
    state: "running",
  });
  expect(restarted.id).not.toBe(old.id);
  expect((await server.getSession(old.id)).state).toBe("stopped");
  await server.request("DELETE", `/sessions/${restarted.id}`);
});

test("delete stops the session, closes its viewers and forgets it", async () => {
  const session = await server.spawnShell("sleep 300");
  const viewer = await StreamClient.connect(streamUrl(server.api, session.id), server.auth);
  expect((await server.request("DELETE", `/sessions/${session.id}`)).status).toBe(204);
  expect((await viewer.waitForClose()).code).toBe(4004);
  await events.waitFor("session.deleted", session.id);
  expect((await server.request("GET", `/sessions/${session.id}`)).status).toBe(404);
  expect((await server.request("GET", `/sessions/${session.id}/output`)).status).toBe(404);
});

test("a missing executable is 503 provider_unavailable with the install hint", async () => {
  const broken = await startTestServer({ shell: "/nonexistent/shell" });
  try {
    const response = await broken.request("POST", "/sessions", { provider: "shell", cwd: "/tmp" });
    expect(errorOf(response, 503).code).toBe("provider_unavailable");
    const listed = bodyOf(await broken.request("GET", "/sessions"), 200, sessionListSchema);
    expect(listed.sessions).toHaveLength(0);
  } finally {
    await broken.dispose();
  }
}, 60_000);

test("a program that cannot start leaves a failed session behind", async () => {
  // An executable file whose interpreter does not exist: found on disk, refused by exec.
  const dir = mkdtempSync(join(tmpdir(), "opendray-broken-"));
  const file = join(dir, "broken-cli");
  writeFileSync(file, "#!/nonexistent/interpreter\n", { mode: 0o755 });
  const dataDir = mkdtempSync(join(tmpdir(), "opendray-data-"));
  mkdirSync(join(dataDir, "providers"));
  writeFileSync(
    join(dataDir, "providers", "broken.json"),
    JSON.stringify({ id: "broken", name: "Broken", executable: file }),
  );
  const broken = await startTestServer({ env: { DATA_DIR: dataDir } });
  try {
    const response = await broken.request("POST", "/sessions", { provider: "broken", cwd: "/tmp" });
    const created = bodyOf(response, 201, sessionSchema);
    expect(created).toMatchObject({ state: "failed", pid: null });
    expect(created.endReason).toContain(`could not start ${file}`);
    expect((await broken.getSession(created.id)).state).toBe("failed");
    const input = await broken.request("POST", `/sessions/${created.id}/input`, {
      data: "x",
    });
    expect(input.status).toBe(409);
  } finally {
    await broken.dispose();
  }
}, 60_000);

describe("bad input gets a precise error and changes nothing", () => {
  const file = join(mkdtempSync(join(tmpdir(), "opendray-file-")), "plain");
  writeFileSync(file, "not a directory");

  test.each([
    [
      "unknown session",
      "GET",
      "/sessions/00000000-0000-4000-8000-000000000000",
      undefined,
      404,
      "not_found",
    ],
    ["unknown session (not a uuid)", "GET", "/sessions/..%2F..%2Fetc", undefined, 404, "not_found"],
    ["missing cwd", "POST", "/sessions", { provider: "shell" }, 400, "cwd_invalid"],
    ["relative cwd", "POST", "/sessions", { provider: "shell", cwd: "tmp" }, 400, "cwd_invalid"],
    [
      "missing directory",
      "POST",
      "/sessions",
      { provider: "shell", cwd: "/nonexistent/dir" },
      400,
      "cwd_invalid",
    ],
    ["cwd is a file", "POST", "/sessions", { provider: "shell", cwd: file }, 400, "cwd_invalid"],
    [
      "unknown provider",
      "POST",
      "/sessions",
      { provider: "nope", cwd: "/tmp" },
      400,
      "unknown_provider",
    ],
    [
      "cols too large",
      "POST",
      "/sessions",
      { provider: "shell", cwd: "/tmp", cols: 1001 },
      400,
      "invalid_request",
    ],
    [
      "rows negative",
      "POST",
      "/sessions",
      { provider: "shell", cwd: "/tmp", rows: -1 },
      400,
      "invalid_request",
    ],
    [
      "cols not an integer",
      "POST",
      "/sessions",
      { provider: "shell", cwd: "/tmp", cols: 80.5 },
      400,
      "invalid_request",
    ],
    [
      "bad env name",
      "POST",
      "/sessions",
      { provider: "shell", cwd: "/tmp", env: { "A=B": "x" } },
      400,
      "env_invalid",
    ],
    [
      "unknown parent",
      "POST",
      "/sessions",
      { provider: "shell", cwd: "/tmp", parentSessionId: "00000000-0000-4000-8000-000000000000" },
      400,
      "parent_not_found",
    ],
    [
      "args not strings",
      "POST",
      "/sessions",
      { provider: "shell", cwd: "/tmp", args: [1] },
      400,
      "invalid_request",
    ],
  ] as const)("%s", async (_name, method, path, body, status, code) => {
    const sessionCount = async () =>
      bodyOf(await server.request("GET", "/sessions"), 200, sessionListSchema).sessions.length;
    const before = await sessionCount();
    const response = await server.request(method, path, body);
    expect(response.status).toBe(status);
    expect(response.body).toEqual({ error: { code, message: expect.any(String) } });
    expect(await sessionCount()).toBe(before);
  });

  test("malformed JSON is 400 invalid_json", async () => {
    const response = await fetch(`${server.api}/sessions`, {
      method: "POST",
      headers: { "content-type": "application/json", ...server.auth },
      body: '{"provider": "shell",',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: "invalid_json" } });
  });

  test("a body that is not JSON-typed is 415", async () => {
    const response = await fetch(`${server.api}/sessions`, {
      method: "POST",
      headers: { "content-type": "text/plain", ...server.auth },
      body: JSON.stringify({ provider: "shell", cwd: "/tmp" }),
    });
    expect(response.status).toBe(415);
    expect(await response.json()).toMatchObject({ error: { code: "unsupported_media_type" } });
  });

  test("a body over BODY_LIMIT is 413, also when chunked", async () => {
    const big = JSON.stringify({ data: "x".repeat(1024 * 1024 + 10) });
    const response = await fetch(`${server.api}/sessions`, {
      method: "POST",
      headers: { "content-type": "application/json", ...server.auth },
      body: new Blob([big]).stream(),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: { code: "body_too_large" } });
  });

  test("input and resize to an ended session are 409", async () => {
    const session = await server.spawnShell("exit 0");
    await exited(session.id);
    const input = await server.request("POST", `/sessions/${session.id}/input`, { data: "x" });
    expect(errorOf(input, 409).code).toBe("session_not_running");
    const resize = await server.request("POST", `/sessions/${session.id}/resize`, {
      cols: 10,
      rows: 10,
    });
    expect(resize.status).toBe(409);
  });

  test("a viewer sees its session end: a state event, then close 1000", async () => {
    const session = await server.spawnShell("read -r; exit 0");
    const viewer = await StreamClient.connect(streamUrl(server.api, session.id), server.auth);
    viewer.send(new TextEncoder().encode("\n"));
    await viewer.waitForEvent("state", (e) => e.state === "ended");
    expect((await viewer.waitForClose()).code).toBe(1000);
  });

  test.each([
    ["negative", "-1"],
    ["not a number", "abc"],
    ["fractional", "1.5"],
    ["beyond the current offset", "999999999"],
  ])("since %s is refused with 400 before any upgrade", async (_name, since) => {
    const session = await server.spawnShell("sleep 30");
    const output = await server.request("GET", `/sessions/${session.id}/output?since=${since}`);
    expect(errorOf(output, 400).code).toBe("since_invalid");
    const upgrade = await fetch(`${server.api}/sessions/${session.id}/stream?since=${since}`, {
      headers: {
        Connection: "Upgrade",
        Upgrade: "websocket",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        ...server.auth,
      },
    });
    expect(upgrade.status).toBe(400);
    expect(errorOf(await readResponse(upgrade), 400).code).toBe("since_invalid");
    await server.request("DELETE", `/sessions/${session.id}`);
  });

  test("a stream of an unknown session is 404 before any upgrade", async () => {
    const response = await fetch(
      `${server.api}/sessions/00000000-0000-4000-8000-000000000000/stream`,
      { headers: server.auth },
    );
    expect(response.status).toBe(404);
  });

  test("a plain GET of a stream is 400 websocket_expected", async () => {
    const session = await server.spawnShell("sleep 30");
    const response = await fetch(`${server.api}/sessions/${session.id}/stream`, {
      headers: server.auth,
    });
    expect(response.status).toBe(400);
    expect(errorOf(await readResponse(response), 400).code).toBe("websocket_expected");
    await server.request("DELETE", `/sessions/${session.id}`);
  });

  test("an unknown route is a JSON 404", async () => {
    const response = await server.request("GET", "/nope");
    expect(errorOf(response, 404).code).toBe("not_found");
  });
});
