// A real Claude Code asks for permission, and is answered from a phone: the model stand-in
// (test/support/model-api.ts) replies with a Bash tool call, Claude Code draws "Do you want to
// proceed?", its PermissionRequest hook (injected with --settings, run through the real
// `opendray hook`) and the screen make the session `waiting` with the command and the options; a
// push message reaches the push-service stand-in (test/support/push-service.ts) and decrypts to
// the prompt and its answers; the notification's "Yes" runs the command, the activity goes
// `working` then `done` (Stop hook), and the same answer again types nothing. The next prompt is
// answered through Telegram (a Bot API stand-in, test/support/telegram-api.ts).

import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Activity } from "../src/protocol/attention.ts";
import type { LifecycleEvent } from "../src/protocol/events.ts";
import { sessionSchema } from "../src/protocol/session.ts";
import {
  type ClaudeFixture,
  createClaudeFixture,
  PROMPT_BOX,
  promptBoxWith,
  typeLine,
} from "./support/claude-code.ts";
import { type ModelApi, startModelApi } from "./support/model-api.ts";
import { type PushService, startPushService } from "./support/push-service.ts";
import { INSTALL_TIMEOUT_MS } from "./support/real-clis.ts";
import { bodyOf, errorOf } from "./support/responses.ts";
import { Screen } from "./support/screen.ts";
import { eventually, startTestServer, type TestServer } from "./support/server.ts";
import { startTelegramApi, type TelegramApi } from "./support/telegram-api.ts";
import { EventsClient, eventsUrl, StreamClient, streamUrl } from "./support/ws-client.ts";

const SIZE = { cols: 100, rows: 30 };

let api: ModelApi;
let claude: ClaudeFixture;
let server: TestServer;
let events: EventsClient;
let push: PushService;
let telegram: TelegramApi;
const CHAT = 7;

beforeAll(async () => {
  claude = await createClaudeFixture();
  api = startModelApi();
  push = startPushService();
  telegram = startTelegramApi();
  server = await startTestServer({
    baseEnv: { PATH: claude.path, HOME: claude.home },
    env: {
      PUSH_ALLOW_HOSTS: "localhost",
      TELEGRAM_BOT_TOKEN: telegram.token,
      TELEGRAM_CHAT_IDS: String(CHAT),
      TELEGRAM_API_URL: telegram.url,
    },
    pushCa: push.ca,
  });
  events = await EventsClient.connect(eventsUrl(server.api), server.auth);
  const subscribed = await server.request("POST", "/push/subscriptions", push.device("phone"));
  expect(subscribed.status).toBe(201);
}, INSTALL_TIMEOUT_MS + 60_000);

afterAll(async () => {
  events?.close();
  await server?.dispose();
  await api?.stop();
  await push?.stop();
  await telegram?.stop();
  claude?.remove();
});

const activityOf = (event: LifecycleEvent) => event.session.activity;

test("Claude Code's permission prompt reaches the phone, and its Yes runs the tool", async () => {
  const created = await server.request("POST", "/sessions", claude.spawnBody(api, SIZE));
  const session = bodyOf(created, 201, sessionSchema);
  const id = session.id;
  const client = await StreamClient.connect(streamUrl(server.api, id, 0), server.auth);
  const screen = new Screen(client, SIZE);
  try {
    await screen.waitFor(PROMPT_BOX, 30_000);
    const target = join(claude.cwd, "made-by-claude");
    api.replyToolUse({
      name: "Bash",
      input: { command: `touch ${target}`, description: "Create the file made-by-claude" },
    });
    api.reply("The file is there now.");
    await typeLine(client, screen, "make the file");

    const waiting = await events
      .waitFor(
        "session.activity",
        id,
        // The screen's options with the hook's detail: the screen's prompt waits HOOK_GRACE_MS
        // for the hook, which a loaded machine may deliver later still (then told twice).
        (event) =>
          (activityOf(event)?.prompt?.options.length ?? 0) >= 2 &&
          activityOf(event)?.prompt?.detail != null,
        30_000,
      )
      .catch(async (error) => {
        throw new Error(`${error.message}\nscreen:\n${await screen.text()}`);
      });
    const activity = activityOf(waiting) as Activity;
    expect(activity.state).toBe("waiting");
    // The hook told what it is about; the screen gave the question and the options.
    expect(activity.source).toBe("hook");
    const prompt = activity.prompt;
    if (!prompt) throw new Error("no prompt");
    expect(prompt.detail).toBe(`touch ${target}`);
    expect(prompt.text).toBe("Do you want to proceed?");
    expect(prompt.options[0]).toEqual({ label: "Yes" });
    expect(prompt.options.at(-1)?.label).toMatch(/^No/);
    expect(existsSync(target)).toBe(false);

    // The phone is told, with the prompt and its first two options as answers.
    const message = await push.waitForMessage(
      (m) => m.payload.sessionId === id && m.payload.body?.includes(target) === true,
    );
    expect(message.payload).toMatchObject({
      kind: "waiting",
      title: `${session.name} needs you`,
      body: `Do you want to proceed?\ntouch ${target}`,
      options: ["Yes", prompt.options[1]?.label],
    });
    const token = message.payload.token;
    if (!token) throw new Error("no answer token");

    const seen = events.events.length;
    // Its "Yes" action, as the service worker sends it.
    const answered = await server.send("POST", "/answers", { token, option: 0 }, {});
    expect(answered.status).toBe(200);
    await eventually(() => (existsSync(target) ? true : undefined), "the file", 30_000);
    // Then the turn ends: done, said by its Stop hook.
    await events.waitFor(
      "session.activity",
      id,
      (event) => activityOf(event)?.state === "done",
      30_000,
    );
    const after = events.activities(id, seen).map(({ state, source }) => `${state}/${source}`);
    expect(after[0]).toBe("working/hook");
    expect(after.at(-1)).toBe("done/hook");
    expect(after).not.toContain("waiting/hook");
    await screen.waitFor(/The file is there now\./, 30_000);

    // The same answers again: the token is spent, that prompt is gone; nothing is typed. Input
    // is ordered: typed after the refusals, a marker shows alone in the prompt box.
    expect((await server.send("POST", "/answers", { token, option: 0 }, {})).status).toBe(401);
    const again = await server.request("POST", `/sessions/${id}/answer`, {
      fingerprint: prompt.fingerprint,
      option: 0,
    });
    expect(errorOf(again, 409).code).toBe("prompt_changed");
    const marker = await server.request("POST", `/sessions/${id}/input`, { data: "marker" });
    expect(marker.status).toBe(204);
    await screen.waitFor(promptBoxWith("marker"), 10_000);
    // Clear the box (Ctrl-U) for the next instruction.
    await server.request("POST", `/sessions/${id}/input`, { data: "\u0015" });
    await screen.waitFor(PROMPT_BOX, 10_000);

    // The next permission prompt, answered from Telegram: its notice has the options as
    // buttons; "Yes" runs the command.
    const second = join(claude.cwd, "made-from-telegram");
    api.replyToolUse({
      name: "Bash",
      input: { command: `touch ${second}`, description: "Create the file made-from-telegram" },
    });
    api.reply("Second file made.");
    await typeLine(client, screen, "make another");
    const notice = await telegram.waitForSent(
      (m) =>
        m.chat_id === CHAT && m.text.includes(`touch ${second}`) && m.reply_markup !== undefined,
      30_000,
    );
    const buttons = (notice.reply_markup?.inline_keyboard ?? []).flat();
    expect(buttons[0]?.text).toBe("Yes");
    telegram.press(CHAT, notice.message_id, buttons[0]?.callback_data ?? "");
    await eventually(() => (existsSync(second) ? true : undefined), "the second file", 30_000);
    await screen.waitFor(/Second file made\./, 30_000);
  } finally {
    screen.dispose();
    client.close();
    await server.request("DELETE", `/sessions/${id}`);
  }
}, 120_000);
