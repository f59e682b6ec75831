// Share links against a real server, real PTYs and real WebSocket clients: made, listed and
// revoked by an admin only; the token stored hashed; every token that does not open the session
// refused alike; the shared stream read-only, its details hidden, closed at revocation, expiry
// and deletion; a recording link stops at the output kept when it opened; every step audited.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { closeSync, mkdtempSync, openSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { shareLinks } from "../src/db/schema.ts";
import { createLogger } from "../src/log.ts";
import { castEventSchema, castHeaderSchema } from "../src/protocol/recording.ts";
import {
  type ShareCreated,
  shareCreatedSchema,
  sharedSessionSchema,
  shareListSchema,
} from "../src/protocol/shares.ts";
import { CloseCode } from "../src/protocol/stream.ts";
import { hashToken } from "../src/shares/share-links.ts";
import { createManualTimers } from "./support/manual-timers.ts";
import { auditListSchema, bodyOf, errorOf } from "./support/responses.ts";
import { eventually, startTestServer, type TestServer } from "./support/server.ts";
import { StreamClient, streamUrl } from "./support/ws-client.ts";

const timers = createManualTimers();
const logDir = mkdtempSync(join(tmpdir(), "opendray-share-log-"));
const logPath = join(logDir, "server.log");
const logFd = openSync(logPath, "a");
let server: TestServer;
let viewerToken: string;
/** Every token handed out, to look for in the log at the end. */
const tokens: string[] = [];

beforeAll(async () => {
  server = await startTestServer({
    // The share links' clock runs ahead of the real one by what the timers were advanced.
    shareClock: { now: () => Date.now() + timers.now(), timers },
    logger: createLogger("debug", { fd: logFd }),
  });
  viewerToken = (await server.createUser("watcher", "viewer")).token;
}, 60_000);
afterAll(async () => {
  await server?.dispose();
  closeSync(logFd);
});

/** A shell whose terminal passes bytes through untouched, echoing its input back via cat. */
const RAW_CAT = "stty raw -echo && printf READY && exec cat";

async function share(sessionId: string, body: unknown = {}): Promise<ShareCreated> {
  const created = bodyOf(
    await server.request("POST", `/sessions/${sessionId}/shares`, body),
    201,
    shareCreatedSchema,
  );
  tokens.push(created.token);
  return created;
}

const publicUrl = (sessionId: string, token: string) => `${server.api}/share/${sessionId}/${token}`;
const shareStreamUrl = (sessionId: string, token: string, since?: number) =>
  `${publicUrl(sessionId, token).replace(/^http/, "ws")}/stream${since === undefined ? "" : `?since=${since}`}`;

async function fetchShared(sessionId: string, token: string) {
  const response = await fetch(publicUrl(sessionId, token), { keepalive: false });
  const text = await response.text();
  return { status: response.status, text, headers: response.headers };
}

interface AuditRow {
  actor: string | null;
  clientIp: string | null;
  action: string;
  target: string | null;
  outcome: string;
  detail: Record<string, unknown> | null;
}

async function shareRows(target: string): Promise<AuditRow[]> {
  const { entries } = bodyOf(await server.request("GET", "/audit?limit=500"), 200, auditListSchema);
  return entries.filter((e) => e.target === target && e.action.startsWith("share.")).reverse();
}

describe("an admin makes, lists and revokes links", () => {
  test("a link is made with its token shown once, listed without it, and revoked", async () => {
    const session = await server.spawnShell("exec cat");
    const created = await share(session.id, { mode: "recording", expiresIn: 3600 });
    expect(created.token).toMatch(/^[\w-]{43}$/);
    expect(created.path).toBe(`/share/${session.id}/${created.token}`);
    expect(created.mode).toBe("recording");
    expect(created.active).toBe(true);
    const lifeMs = Date.parse(created.expiresAt) - Date.parse(created.createdAt);
    expect(lifeMs).toBe(3600_000);

    const listed = await server.request("GET", `/sessions/${session.id}/shares`);
    const { shares } = bodyOf(listed, 200, shareListSchema);
    expect(shares.map((s) => s.id)).toEqual([created.id]);
    expect(JSON.stringify(listed.body)).not.toContain(created.token);

    const revoked = await server.request("DELETE", `/sessions/${session.id}/shares/${created.id}`);
    expect(revoked.status).toBe(204);
    const after = bodyOf(
      await server.request("GET", `/sessions/${session.id}/shares`),
      200,
      shareListSchema,
    );
    expect(after.shares[0]?.active).toBe(false);
    expect(after.shares[0]?.revokedAt).not.toBeNull();
    const again = await server.request("DELETE", `/sessions/${session.id}/shares/${created.id}`);
    expect(again.status).toBe(204);
    const unknown = await server.request("DELETE", `/sessions/${session.id}/shares/nope`);
    expect(errorOf(unknown, 404).code).toBe("share_not_found");
  });

  test("the default link is live for 24 hours", async () => {
    const session = await server.spawnShell("exec cat");
    const created = await share(session.id);
    expect(created.mode).toBe("live");
    expect(Date.parse(created.expiresAt) - Date.parse(created.createdAt)).toBe(86_400_000);
  });

  test("the database holds the token's SHA-256, never the token", async () => {
    const session = await server.spawnShell("exec cat");
    const created = await share(session.id);
    const rows = await server.db.db.select().from(shareLinks).where(eq(shareLinks.id, created.id));
    expect(rows).toHaveLength(1);
    expect(rows[0]?.tokenHash).toBe(hashToken(created.token));
    expect(JSON.stringify(rows)).not.toContain(created.token);
  });

  test.each([
    [{ expiresIn: 7 * 24 * 3600 + 1 }, "expiresIn"],
    [{ expiresIn: 59 }, "expiresIn"],
    [{ expiresIn: 1.5 }, "expiresIn"],
    [{ mode: "forever" }, "mode"],
  ])("%p is refused with 400", async (body, field) => {
    const session = await server.spawnShell("exec cat");
    const response = await server.request("POST", `/sessions/${session.id}/shares`, body);
    expect(response.status).toBe(400);
    expect(errorOf(response, 400).message).toContain(field);
  });

  test("a session that does not exist has no links to make", async () => {
    const id = crypto.randomUUID();
    expect((await server.request("POST", `/sessions/${id}/shares`, {})).status).toBe(404);
    expect((await server.request("GET", `/sessions/${id}/shares`)).status).toBe(404);
  });

  test.each([
    ["POST", "/shares"],
    ["GET", "/shares"],
    ["DELETE", "/shares/00000000-0000-4000-8000-000000000000"],
  ])("a viewer (not the session's owner, not an admin) gets 403 for %s", async (method, path) => {
    const session = await server.spawnShell("exec cat");
    const response = await server.send(
      method,
      `/sessions/${session.id}${path}`,
      method === "POST" ? {} : undefined,
      { authorization: `Bearer ${viewerToken}` },
    );
    expect(errorOf(response, 403).code).toBe("forbidden");
  });
});

describe("opening a link", () => {
  test("the summary shows the session without its folder, arguments or owner", async () => {
    const session = await server.spawnShell(RAW_CAT, { name: "demo" });
    const created = await share(session.id);
    const opened = await fetchShared(session.id, created.token);
    expect(opened.status).toBe(200);
    expect(opened.headers.get("cache-control")).toBe("no-store");
    const shared = sharedSessionSchema.parse(JSON.parse(opened.text));
    expect(shared).toMatchObject({ id: session.id, name: "demo", provider: "shell", mode: "live" });
    expect(opened.text).not.toContain("/tmp");
    expect(opened.text).not.toContain("stty");
    expect(opened.text).not.toContain("admin");
  });

  test("unknown, revoked, expired and another session's tokens all get the same 404", async () => {
    const a = await server.spawnShell("exec cat");
    const b = await server.spawnShell("exec cat");
    const revoked = await share(a.id);
    await server.request("DELETE", `/sessions/${a.id}/shares/${revoked.id}`);
    const expiring = await share(a.id, { expiresIn: 60 });
    const ofA = await share(a.id);
    timers.advance(61_000);
    const attempts = [
      [a.id, "x".repeat(43)],
      [a.id, revoked.token],
      [a.id, expiring.token],
      [b.id, ofA.token],
      ["not-a-session", ofA.token],
    ] as const;
    const answers = [];
    for (const [id, token] of attempts) {
      const page = await fetchShared(id, token);
      const stream = await fetch(`${publicUrl(id, token)}/stream`, { keepalive: false });
      answers.push(
        { status: page.status, body: page.text },
        {
          status: stream.status,
          body: await stream.text(),
        },
      );
    }
    const first = answers[0];
    expect(first?.status).toBe(404);
    expect(JSON.parse(first?.body ?? "")).toEqual({
      error: {
        code: "share_not_found",
        message: "this link does not exist, was revoked or has expired",
      },
    });
    for (const answer of answers) expect(answer).toEqual(first as { status: number; body: string });
    // The right session and token still open.
    expect((await fetchShared(a.id, ofA.token)).status).toBe(200);
    // Each refusal left a denied row, naming no link.
    const denied = (await shareRows(a.id)).filter((row) => row.outcome === "denied");
    expect(denied).toHaveLength(6);
    for (const row of denied) {
      expect(row).toMatchObject({ action: "share.open", actor: null, clientIp: "127.0.0.1" });
      expect(row.detail?.shareId).toBeUndefined();
    }
  });

  test("the link's page is the app's shell, with the security headers and no referrer", async () => {
    const session = await server.spawnShell("exec cat");
    const created = await share(session.id);
    const response = await fetch(`${server.url}${created.path}`, { keepalive: false });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/html");
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
    expect(response.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    await response.text();
  });

  test("an error under /share never echoes the token", async () => {
    for (const url of [
      `${server.api}/share/abc/SECRET-TOKEN-VALUE/other`,
      `${server.url}/share/abc/SECRET-TOKEN-VALUE/other.png`,
    ]) {
      const response = await fetch(url, { keepalive: false });
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(await response.text()).not.toContain("SECRET-TOKEN-VALUE");
    }
  });
});

describe("the shared stream", () => {
  test("follows the session live, hides its details, and never types or resizes", async () => {
    const session = await server.spawnShell(RAW_CAT);
    const owner = await StreamClient.connect(streamUrl(server.api, session.id), server.auth);
    await owner.waitForText("READY");
    const created = await share(session.id);
    const watcher = await StreamClient.connect(shareStreamUrl(session.id, created.token));
    const hello = await watcher.waitForEvent("hello");
    expect(hello.session).toMatchObject({ cwd: "", args: [], pid: null, createdBy: null });
    await watcher.waitForText("READY");

    // Keys and a resize from the link: refused, never reaching cat (which would echo them).
    watcher.send(new TextEncoder().encode("SHARE-TYPED\r"));
    watcher.sendJson({ type: "resize", cols: 33, rows: 11 });
    watcher.send(new TextEncoder().encode("\x1b[1;1R"));
    const refusals = await watcher.waitForOutput(
      () => watcher.events.filter((e) => e.type === "error" && e.code === "forbidden").length >= 3,
      "three refusals",
    );
    expect(refusals).toBeDefined();

    owner.send(new TextEncoder().encode("OWNER-TYPED"));
    await watcher.waitForText("OWNER-TYPED");
    await owner.waitForText("OWNER-TYPED");
    expect(watcher.output.toString()).not.toContain("SHARE-TYPED");
    expect(owner.output.toString()).not.toContain("SHARE-TYPED");
    expect(owner.output.toString()).not.toContain("\x1b[1;1R");
    expect(watcher.events.some((e) => e.type === "resize" && e.cols === 33)).toBe(false);
    watcher.close();
    owner.close();
  });

  test("a viewer account's stream never types either", async () => {
    const session = await server.spawnShell(RAW_CAT);
    const owner = await StreamClient.connect(streamUrl(server.api, session.id), server.auth);
    await owner.waitForText("READY");
    const viewer = await StreamClient.connect(streamUrl(server.api, session.id), {
      authorization: `Bearer ${viewerToken}`,
    });
    await viewer.waitForText("READY");
    viewer.send(new TextEncoder().encode("VIEWER-TYPED\r"));
    await viewer.waitForEvent("error", (e) => e.code === "forbidden");
    owner.send(new TextEncoder().encode("OWNER-MARK"));
    await viewer.waitForText("OWNER-MARK");
    expect(owner.output.toString()).not.toContain("VIEWER-TYPED");
    viewer.close();
    owner.close();
  });

  test("revoking the link closes its open stream with 4403 at once; it cannot reopen", async () => {
    const session = await server.spawnShell(RAW_CAT);
    const created = await share(session.id);
    const watcher = await StreamClient.connect(shareStreamUrl(session.id, created.token));
    await watcher.waitForText("READY");
    const other = await share(session.id);
    const bystander = await StreamClient.connect(shareStreamUrl(session.id, other.token));
    await bystander.waitForText("READY");

    const revoked = await server.request("DELETE", `/sessions/${session.id}/shares/${created.id}`);
    expect(revoked.status).toBe(204);
    expect(await watcher.waitForClose()).toEqual({
      code: CloseCode.shareEnded,
      reason: "share link revoked or expired",
    });
    await expect(StreamClient.connect(shareStreamUrl(session.id, created.token))).rejects.toThrow();
    // Another link of the same session goes on.
    expect(bystander.closed).toBeUndefined();
    bystander.close();
  });

  test("expiry closes an open stream with 4403 when it comes", async () => {
    const session = await server.spawnShell(RAW_CAT);
    const created = await share(session.id, { expiresIn: 60 });
    const watcher = await StreamClient.connect(shareStreamUrl(session.id, created.token));
    await watcher.waitForText("READY");
    timers.advance(30_000);
    expect(watcher.closed).toBeUndefined();
    timers.advance(31_000);
    expect((await watcher.waitForClose()).code).toBe(CloseCode.shareEnded);
    expect((await fetchShared(session.id, created.token)).status).toBe(404);
  });

  test("deleting the session closes the stream (4004) and its links", async () => {
    const session = await server.spawnShell(RAW_CAT);
    const created = await share(session.id);
    const watcher = await StreamClient.connect(shareStreamUrl(session.id, created.token));
    await watcher.waitForText("READY");
    await server.request("DELETE", `/sessions/${session.id}`);
    expect((await watcher.waitForClose()).code).toBe(CloseCode.sessionDeleted);
    expect((await fetchShared(session.id, created.token)).status).toBe(404);
    const rows = await server.db.db.select().from(shareLinks).where(eq(shareLinks.id, created.id));
    expect(rows).toHaveLength(0);
  });

  test("a recording link sends the output kept when it opened, then ends (1000)", async () => {
    const session = await server.spawnShell(RAW_CAT);
    const owner = await StreamClient.connect(streamUrl(server.api, session.id), server.auth);
    await owner.waitForText("READY");
    owner.send(new TextEncoder().encode("BEFORE-LINK"));
    await owner.waitForText("BEFORE-LINK");
    const created = await share(session.id, { mode: "recording" });
    const watcher = await StreamClient.connect(shareStreamUrl(session.id, created.token));
    expect((await watcher.waitForClose()).code).toBe(CloseCode.normal);
    expect(watcher.output.toString()).toContain("READY");
    expect(watcher.output.toString()).toContain("BEFORE-LINK");
    // The session is still live: what follows is not the recording's.
    owner.send(new TextEncoder().encode("AFTER-LINK"));
    await owner.waitForText("AFTER-LINK");
    expect(watcher.output.toString()).not.toContain("AFTER-LINK");
    owner.close();
  });

  test("a recording link of a long output sends a snapshot of the screen, then ends", async () => {
    const session = await server.spawnShell(
      "yes 0123456789abcdef | head -c 400000; printf TAIL-MARK; exec cat",
    );
    const owner = await StreamClient.connect(streamUrl(server.api, session.id), server.auth);
    await owner.waitForText("TAIL-MARK");
    const created = await share(session.id, { mode: "recording" });
    const watcher = await StreamClient.connect(shareStreamUrl(session.id, created.token));
    expect((await watcher.waitForClose()).code).toBe(CloseCode.normal);
    expect(watcher.events.map((e) => e.type)).toContain("snapshot");
    expect(watcher.output.toString()).toContain("TAIL-MARK");
    owner.close();
  });
});

describe("a recording link's recording", () => {
  const castUrl = (sessionId: string, token: string) =>
    `${publicUrl(sessionId, token)}/recording.cast`;
  async function fetchCast(sessionId: string, token: string) {
    const response = await fetch(castUrl(sessionId, token), { keepalive: false });
    return { status: response.status, text: await response.text(), headers: response.headers };
  }

  test("is an asciicast whose header names nothing of the session, never cached", async () => {
    const session = await server.spawnShell(
      "printf 'CAST-ONE\\n'; sleep 2.6; printf 'CAST-TWO\\n'",
      {
        name: "secret-project-name",
      },
    );
    // An ended session's recording is complete.
    await eventually(
      async () => ((await server.getSession(session.id)).state === "ended" ? true : undefined),
      "the session to end",
      20_000,
    );
    const created = await share(session.id, { mode: "recording" });
    const cast = await fetchCast(session.id, created.token);
    expect(cast.status).toBe(200);
    expect(cast.headers.get("content-type")).toBe("application/x-asciicast");
    expect(cast.headers.get("cache-control")).toBe("no-store");
    expect(cast.headers.get("content-disposition")).toBeNull();
    const [first, ...rest] = cast.text.trimEnd().split("\n");
    const header = castHeaderSchema.parse(JSON.parse(first ?? ""));
    expect(Object.keys(header).sort()).toEqual([
      "env",
      "height",
      "idle_time_limit",
      "timestamp",
      "version",
      "width",
    ]);
    expect(header.env).toEqual({ TERM: "xterm-256color" });
    expect(header.idle_time_limit).toBe(2);
    expect(first).not.toContain("secret-project-name");
    expect(first).not.toContain(session.cwd);
    expect(first).not.toContain("printf");
    const events = rest.map((line) => castEventSchema.parse(JSON.parse(line)));
    const output = events.map(([, , data]) => data).join("");
    expect(output).toContain("CAST-ONE");
    expect(output).toContain("CAST-TWO");
    // The 2.6 s pause is played as 2 s at most.
    const at = (text: string) => events.find(([, , data]) => data.includes(text))?.[0] ?? NaN;
    expect(at("CAST-TWO") - at("CAST-ONE")).toBeLessThanOrEqual(2.05);
    // The export is audited as the link's, by nobody (the share.open row holds the address).
    const exportRows = bodyOf(
      await server.request("GET", "/audit?limit=500"),
      200,
      auditListSchema,
    ).entries.filter((e) => e.target === session.id && e.action === "session.export");
    expect(exportRows).toEqual([
      expect.objectContaining({
        actor: null,
        detail: expect.objectContaining({ reason: "share_link" }),
      }),
    ]);
  });

  test("a live link, a revoked link or a wrong token gets the same 404; each refusal audited", async () => {
    const session = await server.spawnShell("printf LIVE-ONLY; exec cat");
    const live = await share(session.id);
    const revoked = await share(session.id, { mode: "recording" });
    await server.request("DELETE", `/sessions/${session.id}/shares/${revoked.id}`);
    const answers = [];
    for (const token of [live.token, revoked.token, "x".repeat(43)]) {
      const { status, text } = await fetchCast(session.id, token);
      answers.push({ status, text });
    }
    const unknownPage = await fetchShared(session.id, "y".repeat(43));
    for (const answer of answers) {
      expect(answer).toEqual({ status: 404, text: unknownPage.text });
    }
    // The live link still opens its own page.
    expect((await fetchShared(session.id, live.token)).status).toBe(200);
    const rows = (await shareRows(session.id)).filter((row) => row.action === "share.open");
    expect(rows.map(({ outcome, detail }) => ({ outcome, detail }))).toEqual([
      { outcome: "denied", detail: { via: "recording" } },
      { outcome: "denied", detail: { via: "recording" } },
      { outcome: "denied", detail: { via: "recording" } },
      { outcome: "denied", detail: { via: "page" } },
      { outcome: "ok", detail: { shareId: live.id, via: "page" } },
    ]);
  });

  test("its opening is audited as share.open via recording, with the address", async () => {
    const session = await server.spawnShell("printf AUDITED; exec cat");
    const created = await share(session.id, { mode: "recording" });
    expect((await fetchCast(session.id, created.token)).status).toBe(200);
    const rows = (await shareRows(session.id)).filter((row) => row.action === "share.open");
    expect(rows).toEqual([
      expect.objectContaining({
        actor: null,
        clientIp: "127.0.0.1",
        outcome: "ok",
        detail: { shareId: created.id, via: "recording" },
      }),
    ]);
  });

  test("with RECORDING_LIMIT=0 a recording link's session has none: 404 recording_not_found", async () => {
    const off = await startTestServer({ env: { RECORDING_LIMIT: "0" } });
    try {
      const session = await off.spawnShell("exec cat");
      const created = bodyOf(
        await off.request("POST", `/sessions/${session.id}/shares`, { mode: "recording" }),
        201,
        shareCreatedSchema,
      );
      tokens.push(created.token);
      const response = await fetch(
        `${off.api}/share/${session.id}/${created.token}/recording.cast`,
        { keepalive: false },
      );
      expect(response.status).toBe(404);
      expect(JSON.parse(await response.text()).error.code).toBe("recording_not_found");
    } finally {
      await off.dispose();
    }
  });
});

test("making, opening and revoking a link are audited with the address, never the token", async () => {
  const session = await server.spawnShell(RAW_CAT);
  const created = await share(session.id);
  expect((await fetchShared(session.id, created.token)).status).toBe(200);
  const watcher = await StreamClient.connect(shareStreamUrl(session.id, created.token));
  await watcher.waitForText("READY");
  await server.request("DELETE", `/sessions/${session.id}/shares/${created.id}`);
  await watcher.waitForClose();
  const rows = await shareRows(session.id);
  expect(
    rows.map(({ action, actor, clientIp, outcome, detail }) => ({
      action,
      actor,
      clientIp,
      outcome,
      detail,
    })),
  ).toEqual([
    {
      action: "share.create",
      actor: "admin",
      clientIp: "127.0.0.1",
      outcome: "ok",
      detail: { shareId: created.id, mode: "live", expiresAt: created.expiresAt },
    },
    {
      action: "share.open",
      actor: null,
      clientIp: "127.0.0.1",
      outcome: "ok",
      detail: { shareId: created.id, via: "page" },
    },
    {
      action: "share.open",
      actor: null,
      clientIp: "127.0.0.1",
      outcome: "ok",
      detail: { shareId: created.id, via: "stream" },
    },
    {
      action: "share.revoke",
      actor: "admin",
      clientIp: "127.0.0.1",
      outcome: "ok",
      detail: { shareId: created.id },
    },
  ]);
  expect(JSON.stringify(rows)).not.toContain(created.token);
  const listed = bodyOf(
    await server.request("GET", `/sessions/${session.id}/shares`),
    200,
    shareListSchema,
  );
  expect(listed.shares[0]?.lastOpenedAt).not.toBeNull();
});

test("the public routes spend the anonymous budget of the caller's address", async () => {
  const limited = await startTestServer({ env: { RATE_LIMIT_READS: "3/min" } });
  try {
    const session = await limited.spawnShell("exec cat");
    const created = bodyOf(
      await limited.request("POST", `/sessions/${session.id}/shares`, {}),
      201,
      shareCreatedSchema,
    );
    tokens.push(created.token);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const response = await fetch(`${limited.api}/share/${session.id}/${created.token}`, {
        keepalive: false,
      });
      await response.text();
      statuses.push(response.status);
      if (response.status === 429) expect(response.headers.get("retry-after")).not.toBeNull();
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
  } finally {
    await limited.dispose();
  }
}, 60_000);

test("no token handed out in this file ever reached the server's log", () => {
  expect(tokens.length).toBeGreaterThan(5);
  const log = readFileSync(logPath, "utf8");
  for (const token of tokens) expect(log).not.toContain(token);
});
