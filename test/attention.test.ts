// A session's activity from its screen and its silence, and answers to its prompts: a shell
// whose `read -p` asks "[y/N]" (a prompt of the shell manifest) is `waiting` with Yes and No; an
// answer types once, and only while that prompt is the one waiting; a silent program stays
// `quiet`. And the hook channel refuses what is not a session's own hook call.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { HOOK_SOCKET_NAME, hookKey, hookToken } from "../src/attention/hook-channel.ts";
import type { Activity } from "../src/protocol/attention.ts";
import type { AuditEntry } from "../src/protocol/audit.ts";
import type { LifecycleEvent } from "../src/protocol/events.ts";
import { sessionSchema } from "../src/protocol/session.ts";
import { loadSecretsKey } from "../src/providers/secret-box.ts";
import { auditListSchema, bodyOf, errorOf } from "./support/responses.ts";
import { eventually, outputOf, startTestServer, type TestServer } from "./support/server.ts";
import { EventsClient, eventsUrl } from "./support/ws-client.ts";

let server: TestServer;
let events: EventsClient;

beforeAll(async () => {
  server = await startTestServer({ env: { IDLE_AFTER: "1s" } });
  events = await EventsClient.connect(eventsUrl(server.api), server.auth);
});

afterAll(async () => {
  events?.close();
  await server?.dispose();
});

/** The audit rows of `action`, oldest first. */
async function auditRows(action: string): Promise<AuditEntry[]> {
  const { entries } = bodyOf(await server.request("GET", "/audit?limit=200"), 200, auditListSchema);
  return entries.filter((entry) => entry.action === action).reverse();
}

const activityOf = (event: LifecycleEvent): Activity | null => event.session.activity;

async function waitingOn(id: string): Promise<Activity> {
  const event = await events.waitFor(
    "session.activity",
    id,
    (e) => activityOf(e)?.state === "waiting",
  );
  return activityOf(event) as Activity;
}

describe("a shell's [y/N] prompt", () => {
  test("is waiting with Yes and No, answered once by its fingerprint", async () => {
    const session = await server.spawnShell(
      'read -r -p "Delete the build folder? [y/N] " reply; echo "reply=$reply"; sleep 30',
    );
    const activity = await waitingOn(session.id);
    expect(activity.source).toBe("screen");
    const prompt = activity.prompt;
    if (!prompt) throw new Error("no prompt");
    expect(prompt.text).toBe("Delete the build folder? [y/N]");
    expect(prompt.options).toEqual([{ label: "Yes" }, { label: "No" }]);
    expect(prompt.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    // The resource says the same.
    const fetched = await server.getSession(session.id);
    expect(fetched.activity).toMatchObject({ state: "waiting", prompt });

    // An option it does not have, and a fingerprint of no prompt: refused, nothing typed.
    const wrongOption = await server.request("POST", `/sessions/${session.id}/answer`, {
      fingerprint: prompt.fingerprint,
      option: 5,
    });
    expect(errorOf(wrongOption, 400).code).toBe("option_invalid");
    const stale = await server.request("POST", `/sessions/${session.id}/answer`, {
      fingerprint: "0".repeat(64),
      option: 0,
    });
    expect(errorOf(stale, 409).code).toBe("prompt_changed");
    const malformed = await server.request("POST", `/sessions/${session.id}/answer`, {
      fingerprint: "nope",
      option: 0,
    });
    expect(malformed.status).toBe(400);

    const answered = await server.request("POST", `/sessions/${session.id}/answer`, {
      fingerprint: prompt.fingerprint,
      option: 0,
    });
    const after = bodyOf(answered, 200, sessionSchema).activity;
    expect(after).not.toBeNull();
    expect(after?.state).not.toBe("waiting");
    await eventually(
      async () =>
        (await outputOf(server, session.id)).text.includes("reply=y") ? true : undefined,
      "the program to read the answer",
    );
    // The same answer again: that prompt is gone, nothing is typed.
    const again = await server.request("POST", `/sessions/${session.id}/answer`, {
      fingerprint: prompt.fingerprint,
      option: 0,
    });
    expect(errorOf(again, 409).code).toBe("prompt_changed");
    // The answer went out once: "y" and Enter, echoed once.
    const output = (await outputOf(server, session.id)).text;
    expect(output.match(/\[y\/N\] y/g)).toHaveLength(1);
    // Then silence: quiet.
    await events.waitFor("session.activity", session.id, (e) => activityOf(e)?.state === "quiet");
    const rows = (await auditRows("session.answer")).filter((row) => row.target === session.id);
    expect(rows.map((row) => row.detail)).toEqual([
      { status: 400, channel: "web" },
      { status: 409, channel: "web" },
      { status: 400, channel: "web" },
      // The answer typed is recorded from the manager: what was done, not the response.
      { channel: "web", option: 0 },
      { status: 409, channel: "web" },
    ]);
  });

  test("a viewer cannot answer", async () => {
    const session = await server.spawnShell('read -r -p "Go on? [y/N] " reply; sleep 30');
    const prompt = (await waitingOn(session.id)).prompt;
    const viewer = await server.createUser("watcher", "viewer");
    const refused = await server.send(
      "POST",
      `/sessions/${session.id}/answer`,
      { fingerprint: prompt?.fingerprint, option: 0 },
      { authorization: `Bearer ${viewer.token}` },
    );
    expect(refused.status).toBe(403);
    expect((await server.getSession(session.id)).activity?.state).toBe("waiting");
  });
});

test("a silent program is quiet, never waiting", async () => {
  const session = await server.spawnShell("printf 'compiling\\n'; sleep 30");
  await events.waitFor("session.state", session.id, (e) => e.session.state === "idle");
  const activities = events.events
    .filter((e) => e.session.id === session.id && e.type === "session.activity")
    .map((e) => activityOf(e)?.state);
  expect(activities).not.toContain("waiting");
  const current = await server.getSession(session.id);
  expect(current.activity).toMatchObject({ state: "quiet", source: "silence", prompt: null });
});

describe("the hook channel", () => {
  const post = (body: string, headers: Record<string, string>) =>
    fetch("http://localhost/hooks", {
      unix: join(server.dataDir, HOOK_SOCKET_NAME),
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body,
    });
  const tokenFor = (id: string) =>
    hookToken(hookKey(loadSecretsKey({ value: null, dataDir: server.dataDir })), id);

  test("refuses a missing or wrong token, and audits it", async () => {
    const session = await server.spawnShell("sleep 30");
    const none = await post("{}", {});
    expect(none.status).toBe(401);
    expect((await none.json()).error.code).toBe("hook_token_invalid");
    const forged = await post("{}", { authorization: `Bearer ${session.id}.AAAA` });
    expect(forged.status).toBe(401);
    // Another session's token does not name this one: the token is the session.
    const other = await server.spawnShell("sleep 30");
    const swapped = tokenFor(other.id).replace(other.id, session.id);
    expect((await post("{}", { authorization: `Bearer ${swapped}` })).status).toBe(401);
    const rows = await auditRows("hook.refused");
    expect(rows.map((row) => [row.target, row.outcome])).toEqual([
      [null, "denied"],
      [session.id, "denied"],
      [session.id, "denied"],
    ]);
  });

  test("a session whose CLI takes no hooks, malformed and oversized bodies are refused", async () => {
    const session = await server.spawnShell("sleep 30");
    const auth = { authorization: `Bearer ${tokenFor(session.id)}` };
    const noHooks = await post(JSON.stringify({ hook_event_name: "Stop" }), auth);
    expect(noHooks.status).toBe(404);
    expect((await post("{not json", auth)).status).toBe(400);
    const huge = await post(JSON.stringify({ message: "x".repeat(100_000) }), auth);
    expect(huge.status).toBe(413);
    // The session is unaffected.
    expect((await server.getSession(session.id)).state).toMatch(/running|idle/);
  });
});
