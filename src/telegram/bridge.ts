// The Telegram bridge (grammY, long polling): the allowed chats hear when a session waits or is
// done, answer a prompt with its inline buttons (the same fingerprint rule as every answer),
// list sessions (/sessions), read a session's screen as text (/tail), and type into a session
// by replying to one of its messages (a bracketed paste when the program asked for those, then
// Enter). Updates from any other chat are ignored, and logged once per chat. A network outage
// makes the poller retry every few seconds; sessions never wait on Telegram.

import { randomBytes } from "node:crypto";
import { Bot, type Context, GrammyError, HttpError, InlineKeyboard } from "grammy";
import type { Notice, NoticeChannel } from "../attention/notifier.ts";
import { noticeText } from "../attention/notifier.ts";
import type { Actor } from "../cause.ts";
import type { AuditEntry } from "../db/audit-repo.ts";
import { AppError } from "../errors.ts";
import { createRateLimiter } from "../http/rate-limiter.ts";
import { asAppError } from "../http/session-errors.ts";
import type { Session } from "../protocol/session.ts";
import type { SessionManager } from "../sessions/manager.ts";

/** Buttons of a notice stay usable this long (a prompt still waiting by then is asked again). */
const BUTTON_TTL_MS = 12 * 3_600_000;
/** Notices remembered for replies and buttons, newest kept. */
const MAX_REMEMBERED = 500;
/** /tail's default and largest number of lines. */
const TAIL_LINES = 20;
const MAX_TAIL_LINES = 60;
/** Telegram's limit on a message's text. */
const MAX_MESSAGE_CHARS = 4096;
/** Answers and replies that type, per chat. */
const TYPING_LIMIT = { count: 30, perMs: 60_000 };
/** An API call that has not answered in this long has failed (getUpdates holds 30 s). */
const API_TIMEOUT_S = 45;

export interface TelegramOptions {
  token: string;
  chatIds: readonly number[];
  apiUrl: string;
  manager: Pick<SessionManager, "list" | "get" | "answer" | "write" | "screenText">;
  /** Writes the row of a refused action. */
  audit: (entry: AuditEntry) => Promise<void>;
  /** Resolves when the rows of the actions the manager did so far are written. */
  recorded?: () => Promise<void>;
  log: { info(fields: object, message: string): void; warn(fields: object, message: string): void };
  onError: (error: unknown, context: string) => void;
  now?: () => number;
}

export interface TelegramBridge {
  channel: NoticeChannel;
  stop(): Promise<void>;
}

interface Button {
  sessionId: string;
  fingerprint: string;
  labels: string[];
  expiresAt: number;
}

export function startTelegram(options: TelegramOptions): TelegramBridge {
  const now = options.now ?? Date.now;
  const allowed = new Set(options.chatIds);
  const bot = new Bot(options.token, {
    client: { apiRoot: options.apiUrl, timeoutSeconds: API_TIMEOUT_S },
  });
  /** Which session each notice (message id, per chat) was about: a reply types there. */
  const noticeSessions = new Map<string, string>();
  /** Buttons by the key in their callback data (`a:<key>:<option>`; Telegram allows 64 bytes). */
  const buttons = new Map<string, Button>();
  const ignoredChats = new Set<number>();
  const typing = createRateLimiter({ limit: TYPING_LIMIT });

  const remember = <V>(map: Map<string, V>, key: string, value: V) => {
    map.set(key, value);
    if (map.size > MAX_REMEMBERED) map.delete(map.keys().next().value as string);
  };

  const audit = (chatId: number, action: string, session: string, status: number) =>
    options
      .audit({
        actor: `telegram:${chatId}`,
        clientIp: null,
        action,
        target: session,
        outcome: status < 400 ? "ok" : status === 429 ? "denied" : "error",
        detail: { status, channel: "telegram" },
      })
      .catch((error) => options.onError(error, "writing the audit row of a Telegram action"));

  // Every update passes here first: other chats go no further.
  bot.use(async (ctx, next) => {
    const chatId = ctx.chat?.id;
    if (chatId !== undefined && allowed.has(chatId)) return next();
    if (chatId !== undefined && !ignoredChats.has(chatId)) {
      ignoredChats.add(chatId);
      options.log.warn(
        { chatId },
        "ignoring Telegram updates from a chat not in TELEGRAM_CHAT_IDS",
      );
    }
  });

  bot.command("sessions", async (ctx) => {
    const live = (await options.manager.list()).filter((session) => session.activity !== null);
    const lines = live.map(
      (session) =>
        `• ${session.name} — ${session.activity?.state ?? session.state} (${session.id.slice(0, 8)})`,
    );
    await ctx.reply(lines.length > 0 ? lines.join("\n") : "No live sessions.");
  });

  bot.command("tail", async (ctx) => {
    const [which, count] = ctx.match.trim().split(/\s+/);
    const session = which ? await find(which) : undefined;
    if (!session) {
      await ctx.reply("Usage: /tail <session id or name> [lines] (see /sessions)");
      return;
    }
    const wanted = Math.min(MAX_TAIL_LINES, Math.max(1, Number(count) || TAIL_LINES));
    try {
      const screen = await options.manager.screenText(session.id);
      const lines = screen.lines.map((line) => line.trimEnd());
      while (lines.length > 0 && lines.at(-1) === "") lines.pop();
      const text = lines.slice(-wanted).join("\n") || "(the screen is empty)";
      await ctx.reply(`<pre>${escapeHtml(text.slice(-(MAX_MESSAGE_CHARS - 20)))}</pre>`, {
        parse_mode: "HTML",
      });
    } catch (error) {
      const known = asAppError(error);
      await ctx.reply(known instanceof AppError ? known.message : "could not read the screen");
    }
  });

  bot.on("callback_query:data", async (ctx) => {
    const [kind, key, option] = ctx.callbackQuery.data.split(":");
    const button = kind === "a" && key ? buttons.get(key) : undefined;
    const index = Number(option);
    if (!button || button.expiresAt < now() || !Number.isInteger(index)) {
      await ctx.answerCallbackQuery({ text: "This button has expired." });
      return;
    }
    const status = await type(ctx, "session.answer", button.sessionId, (actor) =>
      options.manager.answer(button.sessionId, button.fingerprint, index, { actor }),
    );
    if (status === 200) {
      buttons.delete(key as string);
      await ctx.answerCallbackQuery({ text: `Answered: ${button.labels[index] ?? index + 1}` });
      await ctx
        .editMessageReplyMarkup({ reply_markup: new InlineKeyboard() })
        .catch(() => undefined);
    } else {
      await ctx.answerCallbackQuery({
        text: status === 409 ? "That prompt changed; nothing was typed." : "Not answered.",
      });
    }
  });

  bot.on("message:text", async (ctx) => {
    const replyTo = ctx.message.reply_to_message?.message_id;
    const sessionId =
      replyTo === undefined ? undefined : noticeSessions.get(`${ctx.chat.id}:${replyTo}`);
    if (!sessionId) {
      await ctx.reply("Reply to a message about a session to type into it, or see /sessions.");
      return;
    }
    const text = ctx.message.text;
    const status = await type(ctx, "session.input", sessionId, async (actor) => {
      const screen = await options.manager.screenText(sessionId);
      const body = screen.bracketedPaste ? `\x1b[200~${text}\x1b[201~` : text;
      // One row per message: the Enter after it is not audited on its own.
      await options.manager.write(sessionId, new TextEncoder().encode(body), { actor });
      await options.manager.write(sessionId, new TextEncoder().encode("\r"));
    });
    if (status !== 200) {
      await ctx.reply(status === 429 ? "Too many at once; try again in a minute." : "Not typed.");
    }
  });

  /**
   * Run something that types into a session, limited per chat and audited, its status: the
   * manager records what was typed (with the chat as actor), this only the refusals.
   */
  async function type(
    ctx: Context,
    action: string,
    sessionId: string,
    run: (actor: Actor) => Promise<unknown>,
  ): Promise<number> {
    const chatId = ctx.chat?.id ?? 0;
    if (!typing.take(String(chatId)).allowed) {
      await audit(chatId, action, sessionId, 429);
      return 429;
    }
    let status = 200;
    try {
      await run({ username: `telegram:${chatId}`, address: null, channel: "telegram" });
    } catch (thrown) {
      // Audited with the status the same refusal gets over HTTP.
      const error = asAppError(thrown);
      if (!(error instanceof AppError)) options.onError(error, "typing from Telegram");
      status = error instanceof AppError ? error.status : 500;
    }
    if (status === 200) await options.recorded?.();
    else await audit(chatId, action, sessionId, status);
    return status;
  }

  async function find(which: string): Promise<Session | undefined> {
    const sessions = await options.manager.list();
    const wanted = which.toLowerCase();
    return (
      sessions.find((session) => session.name.toLowerCase() === wanted) ??
      (wanted.length >= 4 ? sessions.find((session) => session.id.startsWith(wanted)) : undefined)
    );
  }

  bot.catch((error) => options.onError(error.error, "handling a Telegram update"));

  const polling = bot
    .start({
      allowed_updates: ["message", "callback_query"],
      drop_pending_updates: false,
      onStart: (me) => options.log.info({ bot: me.username }, "Telegram bot is polling"),
    })
    .catch((error) => {
      // 401 (a revoked token) and 409 (another poller of this bot) end polling for good.
      const why =
        error instanceof GrammyError ? `${error.error_code} ${error.description}` : String(error);
      options.onError(new Error(why), "the Telegram bot stopped polling");
    });

  const channel: NoticeChannel = {
    async deliver(notice: Notice) {
      const { title, body } = noticeText(notice);
      const prompt = notice.kind === "waiting" ? notice.session.activity?.prompt : undefined;
      const labels = prompt?.options.map(({ label }) => label) ?? [];
      let keyboard: InlineKeyboard | undefined;
      if (prompt && labels.length > 0) {
        const key = randomBytes(9).toString("base64url");
        remember(buttons, key, {
          sessionId: notice.session.id,
          fingerprint: prompt.fingerprint,
          labels,
          expiresAt: now() + BUTTON_TTL_MS,
        });
        keyboard = new InlineKeyboard();
        labels.forEach((label, index) => {
          keyboard?.text(label.slice(0, 60), `a:${key}:${index}`).row();
        });
      }
      const text = `${title}\n${body}`.slice(0, MAX_MESSAGE_CHARS);
      await Promise.all(
        [...allowed].map(async (chatId) => {
          try {
            const sent = await bot.api.sendMessage(chatId, text, {
              ...(keyboard ? { reply_markup: keyboard } : {}),
            });
            remember(noticeSessions, `${chatId}:${sent.message_id}`, notice.session.id);
          } catch (error) {
            const network = error instanceof HttpError;
            options.onError(error, network ? "Telegram is unreachable" : "sending to Telegram");
          }
        }),
      );
    },
  };

  return {
    channel,
    async stop() {
      // stop() confirms the last update with one more getUpdates: never wait long on it.
      await Promise.race([bot.stop().catch(() => undefined), Bun.sleep(2000)]);
      await Promise.race([polling, Bun.sleep(2000)]);
    },
  };
}

function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}
