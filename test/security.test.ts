// The security rules of DESIGN §3–§5 and §8 against the real server: every bad credential,
// origin and role is refused, and nothing flows without a valid token.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { SignJWT } from "jose";
import { loginResultSchema, userSchema } from "../src/protocol/auth.ts";
import { sessionSchema } from "../src/protocol/session.ts";
import { CloseCode } from "../src/protocol/stream.ts";
import { RawWebSocket } from "./support/raw-ws.ts";
import { auditListSchema, bodyOf, errorOf, readResponse } from "./support/responses.ts";
import { ADMIN, startTestServer, type TestServer } from "./support/server.ts";
import { EventsClient, eventsUrl, StreamClient, streamUrl } from "./support/ws-client.ts";

const SECRET = "a-test-secret-that-is-at-least-32-bytes-long";

let server: TestServer;
let sessionId: string;

beforeAll(async () => {
  server = await startTestServer({
    env: { JWT_SECRET: SECRET },
    loginLimit: { count: 1000, perMs: 60_000 },
  });
  sessionId = (await server.spawnShell("stty raw -echo; printf READY; exec cat")).id;
}, 60_000);
afterAll(() => server.dispose());

const sign = (claims: Record<string, unknown>, secret = SECRET, exp = "1h") =>
  new SignJWT({ role: "admin", name: ADMIN.username, ...claims })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuer("opendray")
    .setAudience("opendray")
    // A second ahead: a token from the very second the admin was created counts as older.
    .setIssuedAt(Math.floor(Date.now() / 1000) + 1)
    .setJti(crypto.randomUUID())
    .setExpirationTime(exp)
    .sign(new TextEncoder().encode(secret));

async function adminId(): Promise<string> {
  return bodyOf(await server.request("GET", "/auth/me"), 200, userSchema).id;
}

describe("tokens", () => {
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

  test.each([
    ["no token", async () => ({})],
    ["a malformed token", async () => ({ authorization: "Bearer not.a.token" })],
    ["a bearer header without a token", async () => ({ authorization: "Bearer" })],
    [
      "an alg:none token",
      async () => ({
        authorization: `Bearer ${b64({ alg: "none", typ: "JWT" })}.${b64({
          sub: await adminId(),
          role: "admin",
          iss: "opendray",
          aud: "opendray",
          exp: Math.floor(Date.now() / 1000) + 3600,
        })}.`,
      }),
    ],
    [
      "a token signed with another secret",
      async () => ({
        authorization: `Bearer ${await sign({ sub: await adminId() }, `${SECRET}-other`)}`,
      }),
    ],
    [
      "an expired token",
      async () => ({
        authorization: `Bearer ${await sign({ sub: await adminId() }, SECRET, "-1 min")}`,
      }),
    ],
    [
      "a token of a user that does not exist",
      async () => ({ authorization: `Bearer ${await sign({ sub: crypto.randomUUID() })}` }),
    ],
    ["a cookie with garbage", async () => ({ cookie: "od_token=garbage" })],
  ])("%s gets 401 and no data", async (_name, headers) => {
    const response = await server.send("GET", "/sessions", undefined, await headers());
    expect(errorOf(response, 401).code).toMatch(/^(unauthenticated|invalid_token)$/);
    expect(JSON.stringify(response.body)).not.toContain(sessionId);
  });

  test("a correctly signed token works (the forged ones above differ only where they should)", async () => {
    const token = await sign({ sub: await adminId() });
    const response = await server.send("GET", "/sessions", undefined, {
      authorization: `Bearer ${token}`,
    });
    expect(response.status).toBe(200);
  });

  test("a deleted user's token stops working", async () => {
    const { user, token } = await server.createUser("gone", "viewer");
    const bearer = { authorization: `Bearer ${token}` };
    expect((await server.send("GET", "/auth/me", undefined, bearer)).status).toBe(200);
    expect((await server.request("DELETE", `/users/${user.id}`)).status).toBe(204);
    expect((await server.send("GET", "/auth/me", undefined, bearer)).status).toBe(401);
  });

  test("a password change invalidates older tokens and the new token works", async () => {
    const { token: old } = await server.createUser("changer", "viewer");
    const changed = await server.send(
      "POST",
      "/auth/password",
      { currentPassword: ADMIN.password, newPassword: "another long password" },
      { authorization: `Bearer ${old}` },
    );
    const { token } = bodyOf(changed, 200, loginResultSchema);
    expect(
      (await server.send("GET", "/auth/me", undefined, { authorization: `Bearer ${old}` })).status,
    ).toBe(401);
    const fresh = { authorization: `Bearer ${token}` };
    const me = await server.send("GET", "/auth/me", undefined, fresh);
    expect(bodyOf(me, 200, userSchema).username).toBe("changer");
  });

  test("logout signs that token out at once, and only that token, across a restart", async () => {
    // One secret for both servers, so that the first one's tokens verify on the second.
    const first = await startTestServer({ env: { JWT_SECRET: SECRET } });
    const one = { authorization: `Bearer ${await first.login(ADMIN.username, ADMIN.password)}` };
    const other = { authorization: `Bearer ${await first.login(ADMIN.username, ADMIN.password)}` };
    expect((await first.send("POST", "/auth/logout", undefined, one)).status).toBe(204);
    const refused = await first.send("GET", "/auth/me", undefined, one);
    expect(errorOf(refused, 401).code).toBe("invalid_token");
    expect((await first.send("GET", "/auth/me", undefined, other)).status).toBe(200);

    // Stored, not only remembered: the next server on the same database refuses it too.
    await first.close();
    const second = await startTestServer({
      env: { JWT_SECRET: SECRET },
      reuse: { database: first.database, dataDir: first.dataDir },
    });
    try {
      const send = (headers: Record<string, string>) =>
        second.send("GET", "/auth/me", undefined, headers);
      expect((await send(one)).status).toBe(401);
      expect((await send(other)).status).toBe(200);
    } finally {
      await second.close();
      await first.database.drop();
    }
  }, 60_000);
});

describe("sign-in", () => {
  test("wrong password and unknown user get the same answer", async () => {
    const wrong = await server.send(
      "POST",
      "/auth/login",
      { username: ADMIN.username, password: "nope" },
      {},
    );
    const unknown = await server.send(
      "POST",
      "/auth/login",
      { username: "nobody", password: "nope" },
      {},
    );
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
  });

  test("an unknown user costs about as long as a wrong password", async () => {
    const time = async (username: string) => {
      const started = performance.now();
      await server.send("POST", "/auth/login", { username, password: "wrong password here" }, {});
      return performance.now() - started;
    };
    const median = (values: number[]) =>
      values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 7; i++) {
      known.push(await time(ADMIN.username));
      unknown.push(await time(`nobody-${i}`));
    }
    const ratio = median(unknown) / median(known);
    console.log(
      `login failure medians: known ${median(known).toFixed(1)} ms, unknown ${median(unknown).toFixed(1)} ms`,
    );
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  });

  test("login sets an HttpOnly SameSite=Strict cookie that authenticates reads", async () => {
    const response = await fetch(`${server.api}/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(ADMIN),
    });
    const cookie = response.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^od_token=[^;]+;/);
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Strict");
    expect(cookie).not.toContain("Secure");
    const pair = cookie.split(";")[0] ?? "";
    expect((await server.send("GET", "/auth/me", undefined, { cookie: pair })).status).toBe(200);
    const out = await server.send("POST", "/auth/logout", undefined, {
      cookie: pair,
      origin: server.url,
    });
    expect(out.status).toBe(415);
  });
});

describe("cookies and origins (CSRF)", () => {
  let cookie: string;
  beforeAll(async () => {
    const response = await fetch(`${server.api}/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(ADMIN),
    });
    cookie = (response.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  });

  const spawn = (
    headers: Record<string, string>,
    body = JSON.stringify({ provider: "shell", cwd: "/tmp" }),
  ) => fetch(`${server.api}/sessions`, { method: "POST", headers: { cookie, ...headers }, body });

  test("a cookie POST from a foreign origin is refused", async () => {
    const response = await spawn({
      "content-type": "application/json",
      origin: "https://evil.example",
    });
    expect(response.status).toBe(403);
    expect(errorOf(await readResponse(response), 403).code).toBe("origin_forbidden");
  });

  test("a cookie POST without an Origin is refused", async () => {
    expect((await spawn({ "content-type": "application/json" })).status).toBe(403);
  });

  test("a cookie POST with text/plain is refused, even from our own origin", async () => {
    expect((await spawn({ "content-type": "text/plain", origin: server.url })).status).toBe(415);
  });

  test("a cookie POST with JSON from our own origin works", async () => {
    const response = await spawn({ "content-type": "application/json", origin: server.url });
    const { id } = bodyOf(await readResponse(response), 201, sessionSchema);
    await server.request("DELETE", `/sessions/${id}`);
  });
});

describe("WebSocket upgrades", () => {
  test("without a token: 401 before upgrading", async () => {
    await expect(RawWebSocket.open(streamUrl(server.api, sessionId))).rejects.toThrow(/401/);
  });

  test("with a foreign Origin: 403 before upgrading", async () => {
    await expect(
      RawWebSocket.open(streamUrl(server.api, sessionId), {
        ...server.auth,
        Origin: "https://evil.example",
      }),
    ).rejects.toThrow(/403/);
  });

  test("with a cookie but no Origin: 403", async () => {
    const login = await server.send("POST", "/auth/login", ADMIN, {});
    await expect(
      RawWebSocket.open(streamUrl(server.api, sessionId), {
        Cookie: `od_token=${bodyOf(login, 200, loginResultSchema).token}`,
      }),
    ).rejects.toThrow(/403/);
  });

  test("with our own Origin and a token: upgraded", async () => {
    const client = await RawWebSocket.open(streamUrl(server.api, sessionId), {
      ...server.auth,
      Origin: server.url,
    });
    client.destroy();
  });

  test("a viewer watches but cannot type or resize", async () => {
    const { token } = await server.createUser("watcher", "viewer");
    const viewerAuth = { authorization: `Bearer ${token}` };
    const admin = await StreamClient.connect(streamUrl(server.api, sessionId), server.auth);
    const viewer = await StreamClient.connect(streamUrl(server.api, sessionId), viewerAuth);
    await viewer.waitForText("READY");
    viewer.send(new TextEncoder().encode("from-viewer"));
    await viewer.waitForEvent("error", (e) => e.code === "forbidden");
    viewer.sendJson({ type: "resize", cols: 50, rows: 10 });
    await viewer.waitForEvent(
      "error",
      () => viewer.events.filter((e) => e.type === "error").length === 2,
    );
    admin.send(new TextEncoder().encode("from-admin"));
    await viewer.waitForText("from-admin");
    expect(viewer.output.toString()).not.toContain("from-viewer");
    admin.close();
    viewer.close();
  });
});

describe("open sockets follow their token", () => {
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const open = async (token: string) => {
    const stream = await StreamClient.connect(streamUrl(server.api, sessionId), bearer(token));
    const events = await EventsClient.connect(eventsUrl(server.api), bearer(token));
    await stream.waitForEvent("hello");
    return { stream, events };
  };

  test("logout closes that token's terminal and event sockets with 4001, and only those", async () => {
    const one = await server.login(ADMIN.username, ADMIN.password);
    const other = await server.login(ADMIN.username, ADMIN.password);
    const out = await open(one);
    const kept = await open(other);
    expect((await server.send("POST", "/auth/logout", undefined, bearer(one))).status).toBe(204);
    expect((await out.stream.waitForClose()).code).toBe(CloseCode.signedOut);
    expect((await out.events.waitForClose()).code).toBe(CloseCode.signedOut);
    // The other token's sockets carry on: its keystrokes still come back through `cat`.
    kept.stream.send(new TextEncoder().encode("still-signed-in"));
    await kept.stream.waitForText("still-signed-in");
    expect(kept.stream.closed).toBeUndefined();
    expect(kept.events.closed).toBeUndefined();
    kept.stream.close();
    kept.events.close();
  });

  test("a password change closes the sockets opened with older tokens", async () => {
    const { token } = await server.createUser("socket-changer", "viewer");
    const before = await open(token);
    const changed = await server.send(
      "POST",
      "/auth/password",
      { currentPassword: ADMIN.password, newPassword: "a different long password" },
      bearer(token),
    );
    const { token: changedToken } = bodyOf(changed, 200, loginResultSchema);
    expect((await before.stream.waitForClose()).code).toBe(CloseCode.signedOut);
    expect((await before.events.waitForClose()).code).toBe(CloseCode.signedOut);
    const after = await open(changedToken);
    after.stream.close();
    after.events.close();
  });

  test("deleting a user closes its sockets", async () => {
    const { user, token } = await server.createUser("socket-gone", "viewer");
    const sockets = await open(token);
    expect((await server.request("DELETE", `/users/${user.id}`)).status).toBe(204);
    expect((await sockets.stream.waitForClose()).code).toBe(CloseCode.signedOut);
    expect((await sockets.events.waitForClose()).code).toBe(CloseCode.signedOut);
  });

  test("at each ping the tokens are checked again: an expired one's socket is closed", async () => {
    // Pings every second: a client busy for longer than one interval (a loaded machine) would
    // be closed for not answering (4000) before its token's expiry was noticed.
    const pinging = await startTestServer({ env: { JWT_SECRET: SECRET }, pingIntervalMs: 1000 });
    try {
      const id = bodyOf(await pinging.request("GET", "/auth/me"), 200, userSchema).id;
      const session = await pinging.spawnShell("exec cat");
      // Valid for about 2 s: long enough to open the socket, then only the pings can notice.
      const token = await sign({ sub: id }, SECRET, "2s");
      const stream = await StreamClient.connect(streamUrl(pinging.api, session.id), bearer(token));
      await stream.waitForEvent("hello");
      const kept = await StreamClient.connect(streamUrl(pinging.api, session.id), pinging.auth);
      await kept.waitForEvent("hello");
      expect((await stream.waitForClose(10_000)).code).toBe(CloseCode.signedOut);
      expect(kept.closed).toBeUndefined();
      kept.close();
    } finally {
      await pinging.dispose();
    }
  }, 30_000);
});

describe("roles", () => {
  let viewer: Record<string, string>;
  beforeAll(async () => {
    viewer = { authorization: `Bearer ${(await server.createUser("reader", "viewer")).token}` };
  });

  test.each([
    ["spawn", "POST", (): string => "/sessions", { provider: "shell", cwd: "/tmp" }],
    ["stop", "POST", () => `/sessions/${sessionId}/stop`, undefined],
    ["restart", "POST", () => `/sessions/${sessionId}/restart`, undefined],
    ["type", "POST", () => `/sessions/${sessionId}/input`, { data: "x" }],
    ["resize", "POST", () => `/sessions/${sessionId}/resize`, { cols: 10, rows: 10 }],
    ["rename", "PATCH", () => `/sessions/${sessionId}`, { name: "x" }],
    ["delete", "DELETE", () => `/sessions/${sessionId}`, undefined],
    [
      "create a user",
      "POST",
      (): string => "/users",
      { username: "x", password: "long enough password", role: "admin" },
    ],
  ] as const)("a viewer cannot %s", async (_name, method, path, body) => {
    const response = await server.send(method, path(), body, viewer);
    expect(errorOf(response, 403).code).toBe("forbidden");
    expect((await server.getSession(sessionId)).state).toBe("running");
  });

  test("a viewer can read", async () => {
    expect((await server.send("GET", "/sessions", undefined, viewer)).status).toBe(200);
    expect(
      (await server.send("GET", `/sessions/${sessionId}/output`, undefined, viewer)).status,
    ).toBe(200);
  });
});

describe("rate limits at their default numbers", () => {
  let limited: TestServer;
  beforeAll(async () => {
    limited = await startTestServer({
      env: { RATE_LIMIT_SESSION_OPS: "10/min", RATE_LIMIT_READS: "60/min" },
    });
  }, 60_000);
  afterAll(() => limited.dispose());

  test("the 11th session operation in a minute is 429, and one more is allowed 6 s later", async () => {
    const statuses: number[] = [];
    let last: Awaited<ReturnType<TestServer["request"]>> | undefined;
    for (let i = 0; i < 11; i++) {
      last = await limited.request("POST", "/sessions", { provider: "shell", cwd: "/nonexistent" });
      statuses.push(last.status);
    }
    expect(statuses.slice(0, 10).every((status) => status === 400)).toBe(true);
    expect(statuses[10]).toBe(429);
    if (!last) throw new Error("no request sent");
    expect(errorOf(last, 429).code).toBe("rate_limited");
    expect(last.headers.get("retry-after")).toBe("6");
    expect(last?.headers.get("x-ratelimit-limit")).toBe("10");
    expect(last?.headers.get("x-ratelimit-remaining")).toBe("0");
    // A spoofed X-Forwarded-For does not buy a new bucket without TRUST_PROXY.
    const spoofed = await limited.send(
      "POST",
      "/sessions",
      { provider: "shell", cwd: "/nonexistent" },
      { ...limited.auth, "x-forwarded-for": "203.0.113.7" },
    );
    expect(spoofed.status).toBe(429);
    await Bun.sleep(6000);
    const refilled = await limited.request("POST", "/sessions", {
      provider: "shell",
      cwd: "/nonexistent",
    });
    expect(refilled.status).toBe(400);
    expect(refilled.headers.get("x-ratelimit-remaining")).toBe("0");
  }, 20_000);

  test("the 61st read in a minute is 429", async () => {
    // The bucket refills one read a second while the loop runs; allow for that.
    const started = performance.now();
    let first429 = -1;
    for (let i = 0; i < 80 && first429 < 0; i++) {
      if ((await limited.request("GET", "/sessions")).status === 429) first429 = i;
    }
    const refilled = Math.ceil((performance.now() - started) / 1000);
    expect(first429).toBeGreaterThanOrEqual(60);
    expect(first429).toBeLessThanOrEqual(60 + refilled);
  });
});

describe("first-run setup", () => {
  let fresh: TestServer;
  beforeAll(async () => {
    fresh = await startTestServer({ noAdmin: true });
  }, 60_000);
  afterAll(() => fresh.dispose());

  test("nothing is reachable, and the one-time token creates the first admin once", async () => {
    expect(fresh.setupUrl).toMatch(/\/setup#token=/);
    const setupToken = new URL(fresh.setupUrl ?? "").hash.slice("#token=".length);
    expect((await fresh.send("GET", "/sessions", undefined, {})).status).toBe(401);
    const body = { setupToken, username: "first", password: "first admin password" };
    const wrong = await fresh.send("POST", "/auth/setup", { ...body, setupToken: "nope" }, {});
    expect(wrong.status).toBe(403);
    const weak = await fresh.send("POST", "/auth/setup", { ...body, password: "short" }, {});
    expect(weak.status).toBe(400);
    const created = bodyOf(
      await fresh.send("POST", "/auth/setup", body, {}),
      201,
      loginResultSchema,
    );
    expect(created.user).toMatchObject({ username: "first", role: "admin" });
    const again = await fresh.send("POST", "/auth/setup", { ...body, username: "second" }, {});
    expect(again.status).toBe(403);
    const me = await fresh.send("GET", "/auth/me", undefined, {
      authorization: `Bearer ${created.token}`,
    });
    expect(bodyOf(me, 200, userSchema).username).toBe("first");
  });
});

describe("body cap", () => {
  const oversized = JSON.stringify({ data: "x".repeat(1024 * 1024 - 10) }).padEnd(1024 * 1024 + 1);

  test.each([
    ["with Content-Length", () => oversized],
    ["chunked, without Content-Length", () => new Blob([oversized]).stream()],
  ] as const)("1 MB + 1 byte %s is 413 and reaches nothing", async (_name, body) => {
    const response = await fetch(`${server.api}/sessions/${sessionId}/input`, {
      method: "POST",
      headers: { "content-type": "application/json", ...server.auth },
      body: body(),
    });
    expect(errorOf(await readResponse(response), 413).code).toBe("body_too_large");
  });

  test("exactly 1 MB is accepted", async () => {
    const body = JSON.stringify({ data: "" }).padEnd(1024 * 1024);
    const response = await fetch(`${server.api}/sessions/${sessionId}/input`, {
      method: "POST",
      headers: { "content-type": "application/json", ...server.auth },
      body,
    });
    expect(response.status).toBe(204);
  });
});

describe("audit log", () => {
  test("sign-ins, session operations and account changes leave rows with actor and client IP", async () => {
    const auditPage = async (query: string) =>
      bodyOf(await server.request("GET", `/audit?${query}`), 200, auditListSchema).entries;
    const before = (await auditPage("limit=1"))[0]?.id ?? 0;
    await server.send("POST", "/auth/login", { username: "admin", password: "wrong" }, {});
    await server.send("POST", "/auth/login", ADMIN, {});
    const session = await server.spawnShell("sleep 300");
    await server.request("POST", `/sessions/${session.id}/input`, { data: "x" });
    const restarted = bodyOf(
      await server.request("POST", `/sessions/${session.id}/restart`),
      201,
      sessionSchema,
    );
    await server.request("POST", `/sessions/${restarted.id}/stop`);
    await server.request("DELETE", `/sessions/${restarted.id}`);
    // A token of its own: logout signs the token out, and the admin's is needed below.
    const leaving = await server.login(ADMIN.username, ADMIN.password);
    await server.send("POST", "/auth/logout", undefined, { authorization: `Bearer ${leaving}` });

    const entries = await auditPage("limit=50");
    const fresh = entries.filter((entry) => entry.id > before).reverse();
    expect(fresh.map((e) => [e.action, e.outcome])).toEqual([
      ["auth.login", "denied"],
      ["auth.login", "ok"],
      ["session.create", "ok"],
      ["session.input", "ok"],
      ["session.restart", "ok"],
      ["session.stop", "ok"],
      ["session.delete", "ok"],
      ["auth.login", "ok"],
      ["auth.logout", "ok"],
    ]);
    expect(fresh.every((e) => e.actor === "admin" && e.clientIp === "127.0.0.1")).toBe(true);
    expect(fresh[2]?.target).toBe(session.id);
    expect(fresh[4]?.target).toBe(session.id);
    expect(fresh[6]?.target).toBe(restarted.id);
  });

  test("pages backwards with before, and only admins read it", async () => {
    const auditPage = async (query: string) =>
      bodyOf(await server.request("GET", `/audit?${query}`), 200, auditListSchema).entries;
    const page = await auditPage("limit=2");
    expect(page).toHaveLength(2);
    const next = await auditPage(`limit=2&before=${page[1]?.id}`);
    expect(next[0]?.id).toBeLessThan(page[1]?.id ?? 0);
    const { token } = await server.createUser("auditor", "viewer");
    const refused = await server.send("GET", "/audit", undefined, {
      authorization: `Bearer ${token}`,
    });
    expect(refused.status).toBe(403);
  });
});

describe("behind a trusted proxy (TRUST_PROXY=1)", () => {
  let proxied: TestServer;
  beforeAll(async () => {
    proxied = await startTestServer({ env: { TRUST_PROXY: "1" } });
  }, 60_000);
  afterAll(() => proxied.dispose());

  const viaProxy = { "x-forwarded-for": "198.51.100.9, 203.0.113.5", "x-forwarded-proto": "https" };

  test("the client address is the proxy's X-Forwarded-For entry, the cookie is Secure", async () => {
    const response = await fetch(`${proxied.api}/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json", ...viaProxy },
      body: JSON.stringify(ADMIN),
    });
    expect(response.headers.get("set-cookie")).toContain("Secure");
    const { entries } = bodyOf(
      await proxied.request("GET", "/audit?limit=1"),
      200,
      auditListSchema,
    );
    expect(entries[0]).toMatchObject({ action: "auth.login", clientIp: "203.0.113.5" });
  });

  test("https://<host> is our own origin for cookie writes", async () => {
    const login = await proxied.send("POST", "/auth/login", ADMIN, viaProxy);
    const host = new URL(proxied.url).host;
    const response = await fetch(`${proxied.api}/sessions`, {
      method: "POST",
      headers: {
        ...viaProxy,
        cookie: `od_token=${bodyOf(login, 200, loginResultSchema).token}`,
        origin: `https://${host}`,
        "content-type": "application/json",
      },
      body: JSON.stringify({ provider: "shell", cwd: "/tmp", args: ["-c", "exit 0"] }),
    });
    expect(response.status).toBe(201);
  });

  test("without TRUST_PROXY the same headers change nothing", async () => {
    const response = await fetch(`${server.api}/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json", ...viaProxy },
      body: JSON.stringify(ADMIN),
    });
    expect(response.headers.get("set-cookie")).not.toContain("Secure");
    const { entries } = bodyOf(await server.request("GET", "/audit?limit=1"), 200, auditListSchema);
    expect(entries[0]).toMatchObject({ action: "auth.login", clientIp: "127.0.0.1" });
  });
});

describe("sign-in throttling at its default numbers", () => {
  let guarded: TestServer;
  beforeAll(async () => {
    // The test server's own sign-in is the first attempt from this IP.
    guarded = await startTestServer();
  }, 60_000);
  afterAll(() => guarded.dispose());

  test("the 6th attempt at one name from one IP within a minute is 429, even with the right password", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      statuses.push(
        (await guarded.send("POST", "/auth/login", { username: ADMIN.username, password: "x" }, {}))
          .status,
      );
    }
    const sixth = await guarded.send("POST", "/auth/login", ADMIN, {});
    expect(statuses).toEqual([401, 401, 401, 401]);
    expect(sixth.status).toBe(429);
    expect(Number(sixth.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  test("one username is throttled across addresses (behind a trusted proxy)", async () => {
    const proxied = await startTestServer({ env: { TRUST_PROXY: "1" } });
    try {
      // 20 a minute: one comes back every 3 s, so allow for those that did while the loop ran.
      const started = performance.now();
      const statuses: number[] = [];
      for (let i = 0; i < 30 && !statuses.includes(429); i++) {
        const from = { "x-forwarded-for": `198.51.100.${i + 1}` };
        statuses.push(
          (await proxied.send("POST", "/auth/login", { username: "victim", password: "x" }, from))
            .status,
        );
      }
      const refilled = Math.ceil((performance.now() - started) / 3000);
      expect(statuses.indexOf(429)).toBeGreaterThanOrEqual(20);
      expect(statuses.indexOf(429)).toBeLessThanOrEqual(20 + refilled);
    } finally {
      await proxied.dispose();
    }
  }, 60_000);

  test("logout clears the cookie", async () => {
    const response = await fetch(`${guarded.api}/auth/logout`, {
      method: "POST",
      headers: guarded.auth,
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("set-cookie")).toMatch(/^od_token=;.*Max-Age=0/);
  });
});
