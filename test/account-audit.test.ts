// Every action that changes an account leaves an audit row, written from the accounts service's
// events: signed in, signed out, set up, password changed, created, deleted, with the user and
// address of the request, and the first admin from ADMIN_USERNAME with actor null and the reason
// in detail. Refused attempts keep their rows from the HTTP audit, with the status. A change to
// a provider's settings is written from the provider catalog's event the same way.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { loginResultSchema, userSchema } from "../src/protocol/auth.ts";
import { auditListSchema, bodyOf } from "./support/responses.ts";
import { ADMIN, startTestServer, type TestServer } from "./support/server.ts";

interface AuditRow {
  id: number;
  actor: string | null;
  clientIp: string | null;
  action: string;
  target: string | null;
  outcome: string;
  detail: Record<string, unknown> | null;
}

/** What a row says, without its id and time. */
const said = ({ actor, clientIp, action, target, outcome, detail }: AuditRow) => ({
  action,
  actor,
  clientIp,
  target,
  outcome,
  detail,
});

/** The rows of `actions` newer than row `after`, oldest first. */
async function rowsSince(
  server: TestServer,
  after: number,
  actions: string[],
): Promise<AuditRow[]> {
  const { entries } = bodyOf(await server.request("GET", "/audit?limit=200"), 200, auditListSchema);
  return entries.filter((e) => e.id > after && actions.includes(e.action)).reverse();
}

async function lastId(server: TestServer): Promise<number> {
  const { entries } = bodyOf(await server.request("GET", "/audit?limit=1"), 200, auditListSchema);
  return entries[0]?.id ?? 0;
}

const ACCOUNT_ACTIONS = [
  "auth.login",
  "auth.logout",
  "auth.setup",
  "auth.password",
  "user.create",
  "user.delete",
];
const fromHere = { clientIp: "127.0.0.1", outcome: "ok", detail: {} };

describe("with the first admin from ADMIN_USERNAME", () => {
  let server: TestServer;
  let adminId: string;

  beforeAll(async () => {
    server = await startTestServer();
    adminId = bodyOf(await server.request("GET", "/auth/me"), 200, userSchema).id;
  }, 60_000);
  afterAll(() => server?.dispose());

  test("its creation at start is a user.create row with no actor, for reason server_start", async () => {
    const [created] = await rowsSince(server, 0, ["user.create"]);
    expect(created && said(created)).toEqual({
      action: "user.create",
      actor: null,
      clientIp: null,
      target: adminId,
      outcome: "ok",
      detail: { reason: "server_start" },
    });
  });

  test("a sign-in is an auth.login row by the account, with no target; a wrong password is denied", async () => {
    const after = await lastId(server);
    await server.send("POST", "/auth/login", { ...ADMIN, password: "wrong password" }, {});
    await server.login("ADMIN", ADMIN.password);
    expect((await rowsSince(server, after, ACCOUNT_ACTIONS)).map(said)).toEqual([
      {
        action: "auth.login",
        actor: "admin",
        clientIp: "127.0.0.1",
        target: null,
        outcome: "denied",
        detail: { status: 401 },
      },
      { action: "auth.login", actor: "admin", target: null, ...fromHere },
    ]);
  });

  test("created, password changed, signed out, deleted: one row each, by who did it", async () => {
    const after = await lastId(server);
    const { user, token } = await server.createUser("carol", "viewer");
    const asCarol = { authorization: `Bearer ${token}` };
    const changed = await server.send(
      "POST",
      "/auth/password",
      { currentPassword: ADMIN.password, newPassword: "carol's own long password" },
      asCarol,
    );
    const fresh = { authorization: `Bearer ${bodyOf(changed, 200, loginResultSchema).token}` };
    expect((await server.send("POST", "/auth/logout", undefined, fresh)).status).toBe(204);
    expect((await server.request("DELETE", `/users/${user.id}`)).status).toBe(204);
    expect((await rowsSince(server, after, ACCOUNT_ACTIONS)).map(said)).toEqual([
      { action: "user.create", actor: "admin", target: user.id, ...fromHere },
      { action: "auth.login", actor: "carol", target: null, ...fromHere },
      { action: "auth.password", actor: "carol", target: user.id, ...fromHere },
      { action: "auth.logout", actor: "carol", target: user.id, ...fromHere },
      { action: "user.delete", actor: "admin", target: user.id, ...fromHere },
    ]);
  });

  test("a provider's settings changed: a provider.update row by the admin, without the settings", async () => {
    const after = await lastId(server);
    const secret = { secrets: { apiKey: "sk-not-in-the-log" } };
    expect((await server.request("PATCH", "/providers/claude", secret)).status).toBe(200);
    expect((await server.request("PATCH", "/providers/nobody", { enabled: false })).status).toBe(
      404,
    );
    expect((await rowsSince(server, after, ["provider.update"])).map(said)).toEqual([
      { action: "provider.update", actor: "admin", target: "claude", ...fromHere },
      {
        action: "provider.update",
        actor: "admin",
        clientIp: "127.0.0.1",
        target: "nobody",
        outcome: "error",
        detail: { status: 404 },
      },
    ]);
  });

  test("a refused deletion keeps its row from the request, with the status", async () => {
    const after = await lastId(server);
    expect((await server.request("DELETE", `/users/${adminId}`)).status).toBe(409);
    expect((await rowsSince(server, after, ACCOUNT_ACTIONS)).map(said)).toEqual([
      {
        action: "user.delete",
        actor: "admin",
        clientIp: "127.0.0.1",
        target: adminId,
        outcome: "error",
        detail: { status: 409 },
      },
    ]);
  });
});

describe("first-run setup", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ noAdmin: true });
  }, 60_000);
  afterAll(() => server?.dispose());

  test("is an auth.setup row naming the new admin and the address", async () => {
    const setupToken = new URL(server.setupUrl ?? "").hash.slice("#token=".length);
    const body = { setupToken, username: "First", password: "first admin password" };
    const answer = await server.send("POST", "/auth/setup", body, {});
    const { token, user } = bodyOf(answer, 201, loginResultSchema);
    const { entries } = bodyOf(
      await server.send("GET", "/audit?limit=10", undefined, { authorization: `Bearer ${token}` }),
      200,
      auditListSchema,
    );
    expect(entries.map(said)).toEqual([
      { action: "auth.setup", actor: "first", target: user.id, ...fromHere },
    ]);
  });
});
