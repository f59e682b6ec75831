// Web Push end to end against a push-service stand-in speaking the real protocol (test/support/
// push-service.ts): devices subscribe (bad endpoints refused), a waiting prompt reaches each
// device encrypted for its keys with a VAPID header, an admin's notification carries a one-time
// answer token and a viewer's none, the answer types once, forged, replayed and stale tokens type
// nothing, and gone or failing devices are pruned without holding anything up.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import * as z from "zod/mini";
import { createActionTokens } from "../src/attention/action-tokens.ts";
import { createPushRepo } from "../src/db/push-repo.ts";
import { userSchema } from "../src/protocol/auth.ts";
import type { LifecycleEvent } from "../src/protocol/events.ts";
import {
  notificationSettingsSchema,
  type PushPayload,
  pushKeySchema,
  pushSubscriptionInfoSchema,
} from "../src/protocol/push.ts";
import { sessionSchema } from "../src/protocol/session.ts";
import { createSecretBox, loadSecretsKey } from "../src/providers/secret-box.ts";
import { loadVapidKeys } from "../src/push/vapid.ts";
import { type PushService, startPushService } from "./support/push-service.ts";
import { auditListSchema, bodyOf, errorOf, type JsonResponse } from "./support/responses.ts";
import { eventually, outputOf, startTestServer, type TestServer } from "./support/server.ts";
import { EventsClient, eventsUrl } from "./support/ws-client.ts";

let push: PushService;
let server: TestServer;
let events: EventsClient;

beforeAll(async () => {
  push = startPushService();
  server = await startTestServer({
    env: { PUSH_ALLOW_HOSTS: "localhost", PUSH_SUBJECT: "mailto:ops@example.com" },
    pushCa: push.ca,
  });
  events = await EventsClient.connect(eventsUrl(server.api), server.auth);
});

afterAll(async () => {
  events?.close();
  await server?.dispose();
  await push?.stop();
});

const answer = (body: unknown) => server.send("POST", "/answers", body, {});

async function subscribe(device: string, token = server.token, behaviour?: "gone" | "hang") {
  const response = await server.send(
    "POST",
    "/push/subscriptions",
    push.device(device, behaviour),
    {
      authorization: `Bearer ${token}`,
    },
  );
  return bodyOf(response, 201, pushSubscriptionInfoSchema);
}

/** The ids of GET /push/subscriptions's answer. */
const subscriptionIds = (list: JsonResponse) =>
  bodyOf(
    list,
    200,
    z.object({ subscriptions: z.array(pushSubscriptionInfoSchema) }),
  ).subscriptions.map((s) => s.id);

async function waitingPrompt(id: string) {
  const event = await events.waitFor(
    "session.activity",
    id,
    (e: LifecycleEvent) => e.session.activity?.state === "waiting",
  );
  const prompt = event.session.activity?.prompt;
  if (!prompt) throw new Error("no prompt");
  return prompt;
}

describe("subscriptions", () => {
  test("the VAPID key is a P-256 point kept in the database, sealed", async () => {
    const { publicKey } = bodyOf(await server.request("GET", "/push/key"), 200, pushKeySchema);
    const key = Buffer.from(publicKey, "base64url");
    expect(key.length).toBe(65);
    expect(key[0]).toBe(4);
    // What the next start loads: the same pair, from the row.
    const box = createSecretBox(loadSecretsKey({ value: null, dataDir: server.dataDir }));
    const repo = createPushRepo(server.db.db);
    expect((await loadVapidKeys(repo, box)).publicKey).toBe(publicKey);
    expect(await repo.serverKey("vapid")).toStartWith("v1.");
  });

  test.each([
    ["http://localhost/push/x", "must be an https: URL"],
    ["https://127.0.0.1:9/push/x", "loopback"],
    ["https://10.1.2.3/push/x", "private"],
    ["https://[::1]/push/x", "loopback"],
    ["https://user:pw@push.example.com/x", "credentials"],
    ["not a url", "is not a URL"],
  ])("refuses the endpoint %s", async (endpoint, reason) => {
    const { keys } = push.device("refused");
    const response = await server.request("POST", "/push/subscriptions", { endpoint, keys });
    const error = errorOf(response, 400);
    expect(error.code).toBe("push_endpoint_invalid");
    expect(error.message).toContain(reason);
  });

  test("refuses keys that are not a P-256 point and a 16-byte secret", async () => {
    const { endpoint, keys } = push.device("bad-keys");
    const short = await server.request("POST", "/push/subscriptions", {
      endpoint,
      keys: { ...keys, auth: Buffer.alloc(8).toString("base64url") },
    });
    expect(short.status).toBe(400);
    const notPoint = await server.request("POST", "/push/subscriptions", {
      endpoint,
      keys: { ...keys, p256dh: Buffer.alloc(65, 7).toString("base64url") },
    });
    expect(notPoint.status).toBe(400);
  });

  test("each user lists and removes only their own devices", async () => {
    const mine = await subscribe("listed");
    expect(mine.host).toBe(`localhost:${push.port}`);
    const other = await server.createUser("neighbour", "viewer");
    const theirs = await subscribe("neighbour-phone", other.token);
    const ids = subscriptionIds(await server.request("GET", "/push/subscriptions"));
    expect(ids).toContain(mine.id);
    expect(ids).not.toContain(theirs.id);
    // Not theirs to remove: as if it did not exist.
    const refused = await server.send("DELETE", `/push/subscriptions/${mine.id}`, undefined, {
      authorization: `Bearer ${other.token}`,
    });
    expect(refused.status).toBe(404);
    expect((await server.request("DELETE", `/push/subscriptions/${mine.id}`)).status).toBe(204);
    const removed = await server.send("DELETE", `/push/subscriptions/${theirs.id}`, undefined, {
      authorization: `Bearer ${other.token}`,
    });
    expect(removed.status).toBe(204);
  });
});

describe("a waiting prompt", () => {
  let sessionId: string;
  let admin: PushPayload;
  let viewerHitsBefore = 0;

  test("reaches every device, encrypted, with a VAPID header; answers only for admins", async () => {
    await subscribe("admin-phone");
    const viewer = await server.createUser("onlooker", "viewer");
    await subscribe("viewer-phone", viewer.token);
    const quiet = await server.createUser("sleeper", "admin");
    await subscribe("sleeper-phone", quiet.token);
    const saved = await server.send(
      "PUT",
      "/notifications/settings",
      { activities: ["waiting"], quietHours: { start: "00:00", end: "23:59", timeZone: "UTC" } },
      { authorization: `Bearer ${quiet.token}` },
    );
    expect(saved.status).toBe(200);
    viewerHitsBefore = push.hits("viewer-phone");

    const session = await server.spawnShell(
      'read -r -p "Ship it? [y/N] " reply; echo "reply=$reply"; sleep 30',
    );
    sessionId = session.id;
    const prompt = await waitingPrompt(session.id);
    const adminMessage = await push.waitForMessage(
      (m) => m.device === "admin-phone" && m.payload.sessionId === session.id,
    );
    admin = adminMessage.payload;
    expect(admin).toMatchObject({
      kind: "waiting",
      sessionName: session.name,
      title: `${session.name} needs you`,
      body: "Ship it? [y/N]",
      options: ["Yes", "No"],
      url: `/s/${session.id}`,
    });
    expect(admin.token).toBeString();
    const key = bodyOf(await server.request("GET", "/push/key"), 200, pushKeySchema);
    expect(adminMessage.headers.get("authorization")).toMatch(
      new RegExp(`^vapid t=[\\w-]+\\.[\\w-]+\\.[\\w-]+, k=${key.publicKey}$`),
    );
    expect(adminMessage.headers.get("content-encoding")).toBe("aes128gcm");
    expect(adminMessage.headers.get("urgency")).toBe("high");
    expect(adminMessage.headers.get("topic")).toBe(session.id.replaceAll("-", ""));

    const viewerMessage = await push.waitForMessage(
      (m) => m.device === "viewer-phone" && m.payload.sessionId === session.id,
    );
    expect(viewerMessage.payload.token).toBeNull();
    expect(viewerMessage.payload.options).toEqual([]);
    // In quiet hours all day: nothing sent.
    expect(push.hits("sleeper-phone")).toBe(0);
    expect(prompt.options.map((o) => o.label)).toEqual(["Yes", "No"]);
  });

  test("a forged or cross-purpose token types nothing", async () => {
    const forged = await answer({ token: `${admin.token}x`, option: 0 });
    expect(errorOf(forged, 401).code).toBe("action_token_invalid");
    // Signed with another key: refused.
    const otherKey = createActionTokens(new Uint8Array(32).fill(9));
    const foreign = await otherKey.mint({
      userId: "x",
      sessionId,
      fingerprint: "0".repeat(64),
      channel: "push",
    });
    expect((await answer({ token: foreign, option: 0 })).status).toBe(401);
    // An access token is not an answer token.
    expect((await answer({ token: server.token, option: 0 })).status).toBe(401);
    // Expired: minted with the server's key, twelve hours and more ago.
    const key = loadSecretsKey({ value: null, dataDir: server.dataDir });
    const old = createActionTokens(key, () => Date.now() - 13 * 3_600_000);
    const me = bodyOf(await server.request("GET", "/auth/me"), 200, userSchema);
    const expired = await old.mint({
      userId: me.id,
      sessionId,
      fingerprint: "0".repeat(64),
      channel: "push",
    });
    expect((await answer({ token: expired, option: 0 })).status).toBe(401);
    // A genuine token for a prompt that is not the one waiting: 409, nothing typed.
    const current = createActionTokens(key);
    const stale = await current.mint({
      userId: me.id,
      sessionId,
      fingerprint: "0".repeat(64),
      channel: "push",
    });
    const changed = await answer({ token: stale, option: 0 });
    expect(errorOf(changed, 409).code).toBe("prompt_changed");
    expect((await outputOf(server, sessionId)).text).not.toContain("reply=");
  });

  test("the notification's Yes types once; the token is spent", async () => {
    const answered = await answer({ token: admin.token, option: 0 });
    expect(answered.status).toBe(200);
    await eventually(
      async () => ((await outputOf(server, sessionId)).text.includes("reply=y") ? true : undefined),
      "the program to read the answer",
    );
    const replayed = await answer({ token: admin.token, option: 1 });
    expect(replayed.status).toBe(401);
    const { entries } = bodyOf(
      await server.request("GET", "/audit?limit=50"),
      200,
      auditListSchema,
    );
    const rows = entries.filter((e) => e.action === "session.answer" && e.target === sessionId);
    expect(rows.map((row) => [row.actor, row.detail?.channel])).toContainEqual(["admin", "push"]);
    expect(push.hits("viewer-phone")).toBe(viewerHitsBefore + 1);
  });
});

test("a device the push service calls gone is pruned; a hanging one holds nothing up", async () => {
  const gone = await subscribe("gone-phone", server.token, "gone");
  await subscribe("hanging-phone", server.token, "hang");
  await subscribe("working-phone");
  const session = await server.spawnShell('read -r -p "Again? [y/N] " reply; sleep 30');
  await push.waitForMessage(
    (m) => m.device === "working-phone" && m.payload.sessionId === session.id,
  );
  await eventually(async () => {
    const ids = subscriptionIds(await server.request("GET", "/push/subscriptions"));
    return ids.includes(gone.id) ? undefined : true;
  }, "the gone subscription to be pruned");
  expect(push.hits("hanging-phone")).toBeGreaterThanOrEqual(1);
  const current = bodyOf(
    await server.request("GET", `/sessions/${session.id}`),
    200,
    sessionSchema,
  );
  expect(current.activity?.state).toBe("waiting");
});

test("notification settings are validated and kept per user", async () => {
  const bad = await server.request("PUT", "/notifications/settings", {
    activities: ["waiting"],
    quietHours: { start: "25:00", end: "07:00", timeZone: "UTC" },
  });
  expect(bad.status).toBe(400);
  const zone = await server.request("PUT", "/notifications/settings", {
    activities: [],
    quietHours: { start: "22:00", end: "07:00", timeZone: "Mars/Olympus" },
  });
  expect(zone.status).toBe(400);
  const saved = await server.request("PUT", "/notifications/settings", {
    activities: ["done"],
    quietHours: { start: "22:00", end: "07:00", timeZone: "Europe/Paris" },
  });
  expect(saved.status).toBe(200);
  const settings = await server.request("GET", "/notifications/settings");
  expect(bodyOf(settings, 200, notificationSettingsSchema)).toEqual({
    activities: ["done"],
    quietHours: { start: "22:00", end: "07:00", timeZone: "Europe/Paris" },
  });
});
