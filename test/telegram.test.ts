// The Telegram bridge against a Bot API stand-in (test/support/telegram-api.ts): a waiting prompt
// reaches the allowed chat with its options as buttons, a press answers it once, /sessions and
// /tail read the server, a reply to a notice types into its session, other chats are ignored,
// and an outage of the Bot API delays nothing but Telegram.

import { afterAll, beforeAll, expect, test } from "bun:test";
import { auditListSchema, bodyOf } from "./support/responses.ts";
import { eventually, outputOf, startTestServer, type TestServer } from "./support/server.ts";
import { type SentMessage, startTelegramApi, type TelegramApi } from "./support/telegram-api.ts";
import { EventsClient, eventsUrl } from "./support/ws-client.ts";

const CHAT = 4242;
const STRANGER = 999;

let telegram: TelegramApi;
let server: TestServer;
let events: EventsClient;

beforeAll(async () => {
  telegram = startTelegramApi();
  server = await startTestServer({
    env: {
      TELEGRAM_BOT_TOKEN: telegram.token,
      TELEGRAM_CHAT_IDS: String(CHAT),
      TELEGRAM_API_URL: telegram.url,
    },
  });
  events = await EventsClient.connect(eventsUrl(server.api), server.auth);
  await telegram.waitForCall((call) => call.method === "getUpdates");
});

afterAll(async () => {
  events?.close();
  await server?.dispose();
  await telegram?.stop();
});

const output = async (id: string) => (await outputOf(server, id)).text;

/** The notice the bot sent about session `name`. */
const noticeOf = (name: string) =>
  telegram.waitForSent((m) => m.chat_id === CHAT && m.text.startsWith(`${name} needs you`));

const buttonsOf = (message: SentMessage): { text: string; callback_data: string }[] =>
  (message.reply_markup?.inline_keyboard ?? []).flat();

test("a waiting prompt is a message with its options as buttons; a press answers once", async () => {
  const session = await server.spawnShell(
    'read -r -p "Ship it? [y/N] " reply; echo "reply=$reply"; sleep 30',
    { name: "ship" },
  );
  const notice = await noticeOf(session.name);
  expect(notice.text).toBe(`${session.name} needs you\nShip it? [y/N]`);
  const buttons = buttonsOf(notice);
  expect(buttons.map((b) => b.text)).toEqual(["Yes", "No"]);
  const yes = buttons[0]?.callback_data ?? "";
  expect(yes.length).toBeLessThanOrEqual(64);

  const query = telegram.press(CHAT, notice.message_id, yes);
  const answered = await telegram.waitForCall(
    (c) => c.method === "answerCallbackQuery" && c.body.callback_query_id === query,
  );
  expect(answered.body.text).toBe("Answered: Yes");
  await eventually(
    async () => ((await output(session.id)).includes("reply=y") ? true : undefined),
    "the answer",
  );
  // The buttons are taken off the message.
  await telegram.waitForCall(
    (c) => c.method === "editMessageReplyMarkup" && c.body.message_id === notice.message_id,
  );

  // The same button again: nothing typed.
  const again = telegram.press(CHAT, notice.message_id, yes);
  const refused = await telegram.waitForCall(
    (c) => c.method === "answerCallbackQuery" && c.body.callback_query_id === again,
  );
  expect(refused.body.text).toBe("This button has expired.");
  expect((await output(session.id)).match(/\[y\/N\] y/g)).toHaveLength(1);

  const { entries } = bodyOf(await server.request("GET", "/audit?limit=50"), 200, auditListSchema);
  const row = entries.find((e) => e.action === "session.answer" && e.target === session.id);
  expect(row).toMatchObject({ actor: `telegram:${CHAT}`, detail: { channel: "telegram" } });
});

test("a button of a prompt that changed types nothing", async () => {
  const session = await server.spawnShell(
    'read -r -p "First? [y/N] " a; read -r -p "Second? [y/N] " b; echo "a=$a b=$b"; sleep 30',
    { name: "two questions" },
  );
  const first = await noticeOf(session.name);
  // Answered elsewhere (the web UI): the first prompt goes, the second comes.
  const waiting = (await server.getSession(session.id)).activity?.prompt;
  if (!waiting) throw new Error("no prompt waiting");
  await server.request("POST", `/sessions/${session.id}/answer`, {
    fingerprint: waiting.fingerprint,
    option: 0,
  });
  await telegram.waitForSent((m) => m.text.includes("Second? [y/N]"));
  const stale = telegram.press(CHAT, first.message_id, buttonsOf(first)[1]?.callback_data ?? "");
  const refused = await telegram.waitForCall(
    (c) => c.method === "answerCallbackQuery" && c.body.callback_query_id === stale,
  );
  expect(refused.body.text).toBe("That prompt changed; nothing was typed.");
  expect(await output(session.id)).not.toContain("a=");
});

test("/sessions and /tail read the server; other chats are ignored", async () => {
  const session = await server.spawnShell(
    "printf 'line one\\nline two\\nline three\\n'; sleep 30",
    {
      name: "lines",
    },
  );
  await eventually(
    async () => ((await output(session.id)).includes("line three") ? true : undefined),
    "the output",
  );
  // A stranger first: updates are handled in order, so once the owner's answer is there the
  // stranger's was passed over.
  telegram.message(STRANGER, "/sessions");
  telegram.message(CHAT, "/sessions");
  const list = await telegram.waitForSent(
    (m) => m.chat_id === CHAT && m.text.includes(session.id.slice(0, 8)),
  );
  expect(list.text).toContain(`• ${session.name} — `);
  expect(telegram.sent.some((m) => m.chat_id === STRANGER)).toBe(false);

  telegram.message(CHAT, `/tail ${session.id.slice(0, 8)} 2`);
  const tail = await telegram.waitForSent((m) => m.chat_id === CHAT && m.text.startsWith("<pre>"));
  expect(tail.text).toBe("<pre>line two\nline three</pre>");
  expect(tail.parse_mode).toBe("HTML");
});

test("a reply to a notice types into its session, then Enter", async () => {
  const session = await server.spawnShell(
    'read -r -p "Anything to add? [y/N] " reply; echo "got=$reply"; sleep 30',
    { name: "reply here" },
  );
  const notice = await noticeOf(session.name);
  telegram.message(CHAT, "y and thanks", notice.message_id);
  await eventually(
    async () => ((await output(session.id)).includes("got=y and thanks") ? true : undefined),
    "the reply to be typed",
  );
});

test("an outage of the Bot API holds up nothing, and polling comes back", async () => {
  const failedBefore = telegram.failures;
  telegram.outage(2);
  // Wake the long poll in flight: the next two fail.
  telegram.message(CHAT, "/sessions");
  await telegram.waitForCall(() => telegram.failures >= failedBefore + 2 || undefined, 20_000);
  // Meanwhile a session still starts, waits, and is answered from the web.
  const session = await server.spawnShell(
    'read -r -p "During the outage? [y/N] " r; echo "r=$r"; sleep 30',
    { name: "outage" },
  );
  const waiting = await events.waitFor(
    "session.activity",
    session.id,
    (e) => e.session.activity?.state === "waiting",
  );
  const answered = await server.request("POST", `/sessions/${session.id}/answer`, {
    fingerprint: waiting.session.activity?.prompt?.fingerprint,
    option: 0,
  });
  expect(answered.status).toBe(200);
  // Polling resumes: a command is answered again.
  telegram.message(CHAT, "/sessions");
  await telegram.waitForSent(
    (m) => m.chat_id === CHAT && m.text.includes(session.id.slice(0, 8)),
    20_000,
  );
}, 45_000);
