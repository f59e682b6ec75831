// Requests the server must refuse cleanly, against the real server: a Host it does not answer to
// (DNS rebinding: 421, WebSocket upgrades included), NUL in any string the API takes (400
// nul_character, terminal input excepted), ids that are not ids (404 before any SQL), a
// multibyte setup token (403, not 500), and a guessable JWT_SECRET (exit 2 before listening).

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { connect } from "node:net";
import { join } from "node:path";
import pino from "pino";
import { errorBodySchema } from "../src/protocol/errors.ts";
import { auditListSchema, bodyOf, errorOf, sessionListSchema } from "./support/responses.ts";
import { eventually, startTestServer, type TestServer } from "./support/server.ts";

/** What the server logged at warn or above: a refused request must log nothing. */
const logged: string[] = [];
const logger = pino(
  { level: "warn" },
  {
    write: (line: string) => {
      logged.push(line);
    },
  },
);

let server: TestServer;
let port: number;
let cookie: string;

beforeAll(async () => {
  server = await startTestServer({
    env: { ALLOWED_HOSTS: "dray.example.com, other.example:8443" },
    logger,
  });
  port = Number(new URL(server.api).port);
  const login = await fetch(`${server.api}/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "admin", password: "test password that is long" }),
  });
  cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  expect(cookie).toStartWith("od_token=");
});

afterAll(async () => {
  await server?.dispose();
});

interface RawAnswer {
  status: number;
  headers: string;
  body: string;
}

/**
 * One HTTP/1.1 request over a plain socket, with exactly these header lines (fetch and WebSocket
 * clients set Host themselves); resolves with the status line's code, the headers and the body.
 */
function rawRequest(target: string, headerLines: string[], method = "GET"): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let text = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer to ${method} ${target}:\n${text}`));
    }, 10_000);
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      const [head = "", body = ""] = text.split("\r\n\r\n");
      resolve({ status: Number(head.split(" ")[1]), headers: head, body });
    };
    socket.on("error", reject);
    socket.on("data", (chunk) => {
      text += chunk.toString("latin1");
      const [head = "", body] = text.split("\r\n\r\n");
      if (body === undefined) return;
      // A 101 has no body; anything else here carries Content-Length.
      const length = /\r\ncontent-length: *(\d+)/i.exec(head)?.[1];
      if (head.startsWith("HTTP/1.1 101") || Buffer.byteLength(body) >= Number(length ?? 0)) {
        finish();
      }
    });
    socket.on("close", finish);
    socket.write(
      `${method} ${target} HTTP/1.1\r\n${headerLines.map((line) => `${line}\r\n`).join("")}` +
        "Connection: close\r\n\r\n",
    );
  });
}

const upgradeHeaders = [
  "Upgrade: websocket",
  "Connection: Upgrade",
  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
  "Sec-WebSocket-Version: 13",
];

describe("Host header (DNS rebinding)", () => {
  test.each([
    ["the UI", "/"],
    ["a UI route", "/sessions"],
    ["health", "/api/v1/health"],
    ["sign-in", "/api/v1/auth/me"],
    ["metrics", "/metrics"],
  ])("%s under an attacker's name is answered 421 with the error envelope", async (_, path) => {
    const answer = await rawRequest(path, [
      `Host: rebind.attacker.example:${port}`,
      `Cookie: ${cookie}`,
    ]);
    expect(answer.status).toBe(421);
    expect(JSON.parse(answer.body)).toEqual({
      error: {
        code: "host_not_allowed",
        message: `this server does not answer to the host "rebind.attacker.example:${port}"; add it to ALLOWED_HOSTS`,
      },
    });
    expect(answer.headers.toLowerCase()).toContain("x-frame-options: deny");
  });

  test("a WebSocket upgrade with Host and Origin both forged is refused with 421, not upgraded", async () => {
    const session = await server.spawnShell("echo secret-output; sleep 600");
    for (const path of [`/api/v1/sessions/${session.id}/stream?since=0`, "/api/v1/events"]) {
      const forged = await rawRequest(path, [
        `Host: rebind.attacker.example:${port}`,
        `Origin: http://rebind.attacker.example:${port}`,
        `Cookie: ${cookie}`,
        ...upgradeHeaders,
      ]);
      expect(forged.status).toBe(421);
      expect(JSON.parse(forged.body).error.code).toBe("host_not_allowed");
      expect(forged.body).not.toContain("secret-output");
    }
    // The same upgrade addressed to an allowed name, from that name's page, is served.
    const allowed = await rawRequest(`/api/v1/sessions/${session.id}/stream?since=0`, [
      "Host: dray.example.com",
      "Origin: http://dray.example.com",
      `Cookie: ${cookie}`,
      ...upgradeHeaders,
    ]);
    expect(allowed.status).toBe(101);
    expect((await server.request("DELETE", `/sessions/${session.id}`)).status).toBe(204);
  });

  test.each([
    `localhost:PORT`,
    "LOCALHOST",
    "dray.localhost:PORT",
    "127.0.0.1:PORT",
    "127.1.2.3",
    "[::1]:PORT",
    "192.0.2.7:8640",
    "[2001:db8::7]",
    "dray.example.com",
    "Dray.Example.COM.:443",
    "other.example:8443",
  ])("Host %p is served", async (host) => {
    const answer = await rawRequest("/api/v1/health", [
      `Host: ${host.replace("PORT", String(port))}`,
    ]);
    expect(answer.status).toBe(200);
  });

  test.each([
    "other.example:9443",
    "other.example",
    "dray.example.com.attacker.example",
    "localhost.attacker.example",
    "127.0.0.1.nip.io",
    "",
    "dray.example.com:x",
  ])("Host %p is answered 421", async (host) => {
    const answer = await rawRequest("/api/v1/health", [`Host: ${host}`]);
    expect(answer.status).toBe(421);
  });
});

describe("NUL in strings", () => {
  test.each([
    ["name", { name: "a\u0000b" }, "name"],
    ["an argument", { args: ["-c", "echo\u0000hi"] }, "args.1"],
    ["an env value", { env: { X: "a\u0000" } }, "env.X"],
    ["an env name", { env: { "X\u0000Y": "a" } }, "env.X\u0000Y"],
    ["the cwd", { cwd: "/tmp\u0000/x" }, "cwd"],
    ["the provider", { provider: "shell\u0000" }, "provider"],
    ["the model", { model: "m\u0000" }, "model"],
  ])("a session create with NUL in %s is refused with 400 nul_character", async (_, extra, at) => {
    const created = await server.request("POST", "/sessions", {
      provider: "shell",
      cwd: "/tmp",
      args: ["-c", "true"],
      ...extra,
    });
    expect(created.status).toBe(400);
    expect(created.body).toEqual({
      error: { code: "nul_character", message: `${at}: must not contain a NUL character (U+0000)` },
    });
  });

  test("a rename with NUL is refused, and the session's row is still written when it stops", async () => {
    const session = await server.spawnShell("sleep 600");
    const renamed = await server.request("PATCH", `/sessions/${session.id}`, { name: "a\u0000b" });
    expect(errorOf(renamed, 400).code).toBe("nul_character");
    expect((await server.getSession(session.id)).name).not.toContain("\u0000");
    const stopped = await server.request("POST", `/sessions/${session.id}/stop`);
    expect(stopped.status).toBe(200);
    // The stored row, not the in-memory snapshot: the list reads the database.
    const listed = await server.request("GET", "/sessions?state=stopped");
    expect(bodyOf(listed, 200, sessionListSchema).sessions.map((s) => s.id)).toContain(session.id);
    expect((await server.request("DELETE", `/sessions/${session.id}`)).status).toBe(204);
  });

  test.each([
    ["POST", "/auth/login", { username: "admin\u0000", password: "x" }, "username"],
    ["POST", "/auth/login", { username: "admin", password: "x\u0000" }, "password"],
    ["POST", "/auth/password", { currentPassword: "a\u0000", newPassword: "b" }, "currentPassword"],
    ["POST", "/users", { username: "u", password: "p\u0000", role: "viewer" }, "password"],
    ["PATCH", "/providers/shell", { args: ["--x\u0000"] }, "args.0"],
    ["PATCH", "/providers/shell", { config: { "k\u0000": "v" } }, "config.k\u0000"],
  ])("%s %s with NUL is refused with 400 nul_character", async (method, path, body, at) => {
    const answer = await server.request(method, path, body);
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({
      error: { code: "nul_character", message: `${at}: must not contain a NUL character (U+0000)` },
    });
  });

  test("a sign-in with NUL in its username is refused and audited, without a failed query", async () => {
    logged.length = 0;
    const answer = await server.send(
      "POST",
      "/auth/login",
      { username: "adm\u0000in", password: "x" },
      {},
    );
    expect(errorOf(answer, 400).code).toBe("nul_character");
    const audit = await server.request("GET", "/audit?limit=1");
    expect(bodyOf(audit, 200, auditListSchema).entries[0]).toMatchObject({
      action: "auth.login",
      actor: "adm\uFFFDin",
      outcome: "error",
    });
    expect(logged).toEqual([]);
  });

  test.each([
    ["/sessions?state=running%00", "state"],
    ["/audit?limit=5%00", "limit"],
    ["/fs/dirs?prefix=/tmp%00", "prefix"],
  ])("GET %s is refused with 400 nul_character", async (path, at) => {
    const answer = await server.request("GET", path);
    expect(errorOf(answer, 400).message).toBe(`${at}: must not contain a NUL character (U+0000)`);
  });

  test("terminal input keeps its NUL bytes (Ctrl-@ is a key)", async () => {
    const session = await server.spawnShell("stty raw -echo; head -c 3 | od -An -tx1");
    const input = await server.request("POST", `/sessions/${session.id}/input`, {
      data: "a\u0000b",
    });
    expect(input.status).toBe(204);
    await eventually(async () => {
      const output = await fetch(`${server.api}/sessions/${session.id}/output`, {
        headers: server.auth,
      });
      return (await output.text()).includes("61 00 62") ? true : undefined;
    }, "od to print the three bytes");
  });
});

describe("ids", () => {
  const ids = [
    "a%00b",
    "%00",
    "not-a-uuid",
    "123",
    "00000000-0000-0000-0000-00000000000g",
    "..%2f..%2fetc",
  ];

  test.each(ids)("session id %p is 404 on every route, before any SQL", async (id) => {
    logged.length = 0;
    for (const [method, path] of [
      ["GET", `/sessions/${id}`],
      ["PATCH", `/sessions/${id}`],
      ["POST", `/sessions/${id}/input`],
      ["POST", `/sessions/${id}/resize`],
      ["POST", `/sessions/${id}/stop`],
      ["POST", `/sessions/${id}/restart`],
      ["GET", `/sessions/${id}/output`],
      ["DELETE", `/sessions/${id}`],
      ["DELETE", `/users/${id}`],
    ] as const) {
      const body =
        method === "GET" || method === "DELETE"
          ? undefined
          : { name: "x", data: "x", cols: 80, rows: 24 };
      const answer = await server.request(method, path, body);
      // Any answer is reported whole, an error envelope or not: its code when it is one.
      const code = errorBodySchema.safeParse(answer.body).data?.error.code;
      expect({ method, path, status: answer.status, code }).toEqual({
        method,
        path,
        status: 404,
        code: "not_found",
      });
    }
    const upgrade = await rawRequest(`/api/v1/sessions/${id}/stream`, [
      `Host: 127.0.0.1:${port}`,
      `Authorization: ${server.auth.authorization}`,
      ...upgradeHeaders,
    ]);
    expect(upgrade.status).toBe(404);
    expect(logged).toEqual([]);
  });

  test.each(["a%00b", "%00", "Shell", "..%2f..%2fshell", "x".repeat(40)])(
    "provider id %p is 404, and no audit row fails",
    async (id) => {
      logged.length = 0;
      expect((await server.request("GET", `/providers/${id}`)).status).toBe(404);
      const patched = await server.request("PATCH", `/providers/${id}`, { enabled: true });
      expect(errorOf(patched, 404).code).toBe("not_found");
      expect(logged).toEqual([]);
    },
  );

  test("a UUID that names no session is 404 too", async () => {
    const answer = await server.request("GET", `/sessions/${crypto.randomUUID()}`);
    expect(answer.status).toBe(404);
  });
});

test("a setup token of multibyte characters is refused with 403, not 500", async () => {
  logged.length = 0;
  const fresh = await startTestServer({ noAdmin: true, logger });
  try {
    const real = new URL(fresh.setupUrl ?? "").hash.slice("#token=".length);
    expect(real.length).toBeGreaterThan(0);
    const body = { username: "first", password: "first admin password" };
    for (const setupToken of ["é".repeat(real.length), "€".repeat(real.length), "é"]) {
      const answer = await fresh.send("POST", "/auth/setup", { ...body, setupToken }, {});
      expect(errorOf(answer, 403).code).toBe("setup_closed");
    }
    expect(
      (await fresh.send("POST", "/auth/setup", { ...body, setupToken: real }, {})).status,
    ).toBe(201);
  } finally {
    await fresh.dispose();
  }
  expect(logged).toEqual([]);
});

test.each([
  ["32 spaces", " ".repeat(32), "only whitespace"],
  ["one repeated character", "x".repeat(48), "only 1 distinct byte"],
])(
  "a JWT_SECRET of %s on a public bind is refused before listening, exit code 2",
  async (_, secret, why) => {
    const child = Bun.spawn([process.execPath, join(import.meta.dir, "../src/main.ts")], {
      env: { PATH: process.env.PATH ?? "", LISTEN_ADDR: "0.0.0.0:0", JWT_SECRET: secret },
      stderr: "pipe",
      stdout: "ignore",
      timeout: 20_000,
    });
    const stderr = await new Response(child.stderr).text();
    expect(await child.exited).toBe(2);
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toStartWith(`opendray: JWT_SECRET: ${why}`);
    expect(stderr).toContain("openssl rand -base64 48");
  },
);
