// A stand-in for Telegram's Bot API (https://core.telegram.org/bots/api) on a loopback port, as
// TELEGRAM_API_URL: `POST /bot<token>/<method>` with a JSON body, answered `{ok, result}` or
// `{ok: false, error_code, description}`. It serves the methods the bridge calls (getMe,
// deleteWebhook, getUpdates with long polling, sendMessage, answerCallbackQuery,
// editMessageReplyMarkup), records them, and lets a test play the user: a message in a chat, a
// reply to a message, a press on an inline button. `outage(n)` fails the next n getUpdates.

import * as z from "zod/mini";

/**
 * The reply_markup the bridge sends: an inline keyboard of callback buttons (any other markup is
 * refused with 400, so a test reads buttons it can press).
 */
const replyMarkupSchema = z.object({
  inline_keyboard: z.array(z.array(z.object({ text: z.string(), callback_data: z.string() }))),
});
export type ReplyMarkup = z.infer<typeof replyMarkupSchema>;

const callBodySchema = z.record(z.string(), z.unknown());

export interface SentMessage {
  message_id: number;
  chat_id: number;
  text: string;
  parse_mode?: string;
  reply_markup?: ReplyMarkup;
}

/** A Bot API request body: a JSON object (an empty one when the call has no body). */
export type CallBody = Record<string, unknown>;

export interface ApiCall {
  method: string;
  body: CallBody;
}

/** An update getUpdates hands out: its id and a message or a callback query. */
type Update = { update_id: number } & Record<string, unknown>;

export interface TelegramApi {
  url: string;
  token: string;
  calls: ApiCall[];
  sent: SentMessage[];
  /** A user writes `text` in `chatId` (optionally replying to one of the bot's messages). */
  message(chatId: number, text: string, replyTo?: number): void;
  /** A user presses an inline button of the bot's message. Returns the callback query id. */
  press(chatId: number, messageId: number, data: string): string;
  /** Fail the next `count` getUpdates with 502, as Telegram does when it is down. */
  outage(count: number): void;
  /** getUpdates answered 502 so far. */
  readonly failures: number;
  /** The first call (made so far or later) for which `match` is truthy. */
  waitForCall(match: (call: ApiCall) => unknown, timeoutMs?: number): Promise<ApiCall>;
  waitForSent(match: (message: SentMessage) => boolean, timeoutMs?: number): Promise<SentMessage>;
  stop(): Promise<void>;
}

export const BOT_TOKEN = "123456789:stand-in-token-ABCDEFGHIJKLMNOP";

export function startTelegramApi(): TelegramApi {
  const calls: ApiCall[] = [];
  const sent: SentMessage[] = [];
  const updates: Update[] = [];
  let nextUpdate = 1;
  let nextMessage = 1000;
  let nextQuery = 1;
  let failing = 0;
  let failures = 0;
  const wakers = new Set<() => void>();
  const wake = () => {
    for (const waker of [...wakers]) waker();
  };
  const user = (chatId: number) => ({ id: chatId, is_bot: false, first_name: "Owner" });
  const chat = (chatId: number) => ({ id: chatId, type: "private", first_name: "Owner" });
  const ok = (result: unknown) => Response.json({ ok: true, result });

  const handle = async (method: string, body: CallBody): Promise<Response> => {
    switch (method) {
      case "getMe":
        return ok({ id: 123456789, is_bot: true, first_name: "Dray", username: "dray_bot" });
      case "deleteWebhook":
        return ok(true);
      case "getUpdates": {
        if (failing > 0) {
          failing--;
          failures++;
          return Response.json(
            { ok: false, error_code: 502, description: "Bad Gateway" },
            { status: 502 },
          );
        }
        const offset = Number(body.offset ?? 0);
        const pending = () => updates.filter((update) => update.update_id >= offset);
        if (pending().length === 0 && Number(body.timeout ?? 0) > 0) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(done, Number(body.timeout) * 1000);
            function done() {
              clearTimeout(timer);
              wakers.delete(done);
              resolve();
            }
            wakers.add(done);
          });
        }
        return ok(pending().slice(0, Number(body.limit ?? 100)));
      }
      case "sendMessage": {
        const markup = body.reply_markup ? replyMarkupSchema.safeParse(body.reply_markup) : null;
        if (markup && !markup.success) {
          return Response.json(
            { ok: false, error_code: 400, description: "Bad Request: unexpected reply_markup" },
            { status: 400 },
          );
        }
        const message: SentMessage = {
          message_id: nextMessage++,
          chat_id: Number(body.chat_id),
          text: String(body.text),
          ...(typeof body.parse_mode === "string" ? { parse_mode: body.parse_mode } : {}),
          ...(markup ? { reply_markup: markup.data } : {}),
        };
        sent.push(message);
        return ok({
          message_id: message.message_id,
          date: Math.floor(Date.now() / 1000),
          chat: chat(message.chat_id),
          text: message.text,
        });
      }
      case "answerCallbackQuery":
      case "editMessageReplyMarkup":
        return ok(true);
      default:
        return Response.json(
          { ok: false, error_code: 404, description: "Not Found: method not found" },
          { status: 404 },
        );
    }
  };

  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      const match = /^\/bot([^/]+)\/(\w+)$/.exec(new URL(request.url).pathname);
      if (!match || match[1] !== BOT_TOKEN) {
        return Response.json(
          { ok: false, error_code: 401, description: "Unauthorized" },
          {
            status: 401,
          },
        );
      }
      const text = await request.text();
      const parsed = callBodySchema.safeParse(text ? JSON.parse(text) : {});
      if (!parsed.success) {
        return Response.json(
          { ok: false, error_code: 400, description: "Bad Request: the body is not an object" },
          { status: 400 },
        );
      }
      const body = parsed.data;
      const method = match[2] ?? "";
      calls.push({ method, body });
      const response = await handle(method, body);
      wakeCalls();
      return response;
    },
  });

  const callWaiters = new Set<() => void>();
  const wakeCalls = () => {
    for (const waiter of [...callWaiters]) waiter();
  };
  const waitFor = <T>(find: () => T | undefined, what: string, timeoutMs: number) =>
    new Promise<T>((resolve, reject) => {
      const check = () => {
        const found = find();
        if (found === undefined) return;
        clearTimeout(timer);
        callWaiters.delete(check);
        resolve(found);
      };
      const timer = setTimeout(() => {
        callWaiters.delete(check);
        reject(
          new Error(
            `timed out waiting for ${what}; calls: ${JSON.stringify(calls.map((c) => c.method))}, sent: ${JSON.stringify(sent.map((m) => m.text))}`,
          ),
        );
      }, timeoutMs);
      callWaiters.add(check);
      check();
    });

  return {
    url: `http://127.0.0.1:${server.port}`,
    token: BOT_TOKEN,
    calls,
    sent,
    message(chatId, text, replyTo) {
      const message: Record<string, unknown> = {
        message_id: nextMessage++,
        date: Math.floor(Date.now() / 1000),
        chat: chat(chatId),
        from: user(chatId),
        text,
      };
      if (text.startsWith("/")) {
        message.entities = [{ type: "bot_command", offset: 0, length: text.split(" ")[0]?.length }];
      }
      if (replyTo !== undefined) {
        const original = sent.find((m) => m.message_id === replyTo);
        message.reply_to_message = {
          message_id: replyTo,
          date: Math.floor(Date.now() / 1000),
          chat: chat(chatId),
          text: original?.text ?? "",
        };
      }
      updates.push({ update_id: nextUpdate++, message });
      wake();
    },
    press(chatId, messageId, data) {
      const id = String(nextQuery++);
      const original = sent.find((m) => m.message_id === messageId);
      updates.push({
        update_id: nextUpdate++,
        callback_query: {
          id,
          from: user(chatId),
          chat_instance: "stand-in",
          data,
          message: {
            message_id: messageId,
            date: Math.floor(Date.now() / 1000),
            chat: chat(chatId),
            text: original?.text ?? "",
          },
        },
      });
      wake();
      return id;
    },
    outage(count) {
      failing = count;
    },
    get failures() {
      return failures;
    },
    waitForCall: (match, timeoutMs = 15_000) =>
      waitFor(() => calls.find(match), "a Bot API call", timeoutMs),
    waitForSent: (match, timeoutMs = 15_000) =>
      waitFor(() => sent.find(match), "a message from the bot", timeoutMs),
    async stop() {
      wake();
      await server.stop(true);
    },
  };
}
