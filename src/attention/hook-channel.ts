// The channel from a CLI's hooks to the server: a unix socket in DATA_DIR (the directory is
// 0700, the socket 0600: only the user running OpenDray reaches it, never another user of the
// machine or the network), and a secret per session. A session's environment carries the
// socket's path and its token, `<session id>.<HMAC-SHA256 of the id>`; the hook program
// (`opendray hook`, hook-client.ts) posts what the CLI passed it (OpenCode's plugin,
// opencode-plugin.js, posts its events itself), and the server acts on it for that session only.
//
//   POST /hooks   Authorization: Bearer <token>   body: the CLI's JSON, reduced (≤ 64 KiB)
//   204 taken · 400 hook_payload_invalid · 401 hook_token_invalid · 404 session_not_live
//   413 body_too_large

import { createHmac, timingSafeEqual } from "node:crypto";
import { chmodSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { HookKind } from "../providers/manifest.ts";
import { writeOpencodePlugin } from "./opencode-plugin-file.ts";

/** The socket's name inside DATA_DIR. */
export const HOOK_SOCKET_NAME = "hooks.sock";
/** Environment variables a session with hooks gets. */
export const HOOK_SOCKET_ENV = "OPENDRAY_HOOK_SOCKET";
export const HOOK_TOKEN_ENV = "OPENDRAY_HOOK_TOKEN";
/** Largest hook body taken: the hook program sends only the fields that matter. */
export const HOOK_BODY_LIMIT_BYTES = 64 * 1024;

const SESSION_ID = /^[0-9a-f-]{36}$/;

/** The key hook tokens are made with, derived from the secrets key (stable across restarts). */
export function hookKey(secretsKey: Uint8Array): Buffer {
  return createHmac("sha256", secretsKey).update("opendray hook tokens").digest();
}

export function hookToken(key: Buffer, sessionId: string): string {
  return `${sessionId}.${createHmac("sha256", key).update(sessionId).digest("base64url")}`;
}

/** The session a token was made for, or undefined when it is not one of ours. */
export function verifyHookToken(key: Buffer, token: string): string | undefined {
  const dot = token.indexOf(".");
  const sessionId = token.slice(0, dot);
  if (dot < 0 || !SESSION_ID.test(sessionId)) return undefined;
  const expected = Buffer.from(hookToken(key, sessionId));
  const given = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected)
    ? sessionId
    : undefined;
}

/** What a session's launch gets so that its CLI reports to `socket` through its hooks. */
export interface HookEndpoint {
  /** argv of `opendray hook` (the binary itself, or bun and main.ts from source). */
  command: readonly string[];
  socket: string;
  token: string;
}

/**
 * The argv entries (placed before the session's own) and environment that install the hooks,
 * given the environment the session gets otherwise (`launchEnv`). Empty when the hooks cannot be
 * given without overriding something of the user's: the session then reports through its screen.
 */
export function hookLaunch(
  kind: HookKind,
  endpoint: HookEndpoint,
  launchEnv: Readonly<Record<string, string>> = {},
): { args: string[]; env: Record<string, string> } {
  const env = { [HOOK_SOCKET_ENV]: endpoint.socket, [HOOK_TOKEN_ENV]: endpoint.token };
  const argv = [...endpoint.command, "hook"];
  switch (kind) {
    case "claude-code": {
      // Hooks given with --settings add to the user's own (none of their files is touched).
      // PermissionRequest only reports: with no decision printed, the dialog shows as usual.
      const command = argv.map(shellQuote).join(" ");
      const hook = [{ hooks: [{ type: "command", command, timeout: 10 }] }];
      const withMatcher = [{ matcher: "*", hooks: hook[0]?.hooks }];
      const settings = {
        hooks: {
          UserPromptSubmit: hook,
          PermissionRequest: withMatcher,
          PostToolUse: withMatcher,
          Notification: hook,
          Stop: hook,
        },
      };
      return { args: ["--settings", JSON.stringify(settings)], env };
    }
    case "codex-notify":
      // Codex runs `notify` with the event's JSON as its last argument. A TOML array of
      // strings: JSON's string syntax is TOML's basic string.
      return {
        args: ["-c", `notify=[${argv.map((part) => JSON.stringify(part)).join(",")}]`],
        env,
      };
    case "opencode-plugin": {
      // OpenCode merges OPENCODE_CONFIG_CONTENT into the user's own config (none of their files
      // is touched) and loads the plugins of both. Content the user set already is kept, with
      // the plugin added when it is plain JSON.
      let plugin: string;
      try {
        plugin = pathToFileURL(writeOpencodePlugin(dirname(endpoint.socket))).href;
      } catch {
        // No room in DATA_DIR: the session still starts, and reports through its screen.
        return { args: [], env: {} };
      }
      const content = withPlugin(launchEnv[OPENCODE_CONFIG_CONTENT_ENV], plugin);
      if (content === undefined) return { args: [], env: {} };
      return { args: [], env: { ...env, [OPENCODE_CONFIG_CONTENT_ENV]: content } };
    }
  }
}

/** OpenCode's inline config, merged over its config files. */
const OPENCODE_CONFIG_CONTENT_ENV = "OPENCODE_CONFIG_CONTENT";

/** OpenCode config `content` (JSON, or none) with `plugin` added; undefined if not JSON. */
function withPlugin(content: string | undefined, plugin: string): string | undefined {
  let config: unknown = {};
  try {
    if (content?.trim()) config = JSON.parse(content);
  } catch {
    return undefined;
  }
  if (typeof config !== "object" || config === null || Array.isArray(config)) return undefined;
  const { plugin: plugins } = config as { plugin?: unknown };
  if (plugins !== undefined && !Array.isArray(plugins)) return undefined;
  return JSON.stringify({ ...config, plugin: [...(plugins ?? []), plugin] });
}

function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** What the server does with a hook call; the hook server turns the answer into a status. */
export type HookOutcome = "taken" | "invalid" | "not_live";

export interface HookServerOptions {
  dataDir: string;
  key: Buffer;
  onHook: (sessionId: string, payload: unknown) => Promise<HookOutcome>;
  /** A call refused for its token (audited by the caller: the answer waits for its row). */
  onRefused: (reason: string, sessionId: string | null) => Promise<void> | void;
}

export interface HookServer {
  readonly socket: string;
  stop(): Promise<void>;
}

const error = (code: string, message: string) => ({ error: { code, message } });

/** Listen on DATA_DIR/hooks.sock (a stale one from an earlier process is replaced). */
export function startHookServer(options: HookServerOptions): HookServer {
  const socket = join(options.dataDir, HOOK_SOCKET_NAME);
  const app = new Hono()
    .use(
      bodyLimit({
        maxSize: HOOK_BODY_LIMIT_BYTES,
        onError: (c) => c.json(error("body_too_large", "hook body is too large"), 413),
      }),
    )
    .post("/hooks", async (c) => {
      const header = c.req.header("authorization") ?? "";
      const token = header.startsWith("Bearer ") ? header.slice(7) : "";
      const sessionId = verifyHookToken(options.key, token);
      if (!sessionId) {
        const claimed = token.split(".")[0] ?? "";
        await options.onRefused(
          token ? "wrong hook token" : "no hook token",
          SESSION_ID.test(claimed) ? claimed : null,
        );
        return c.json(error("hook_token_invalid", "the hook token is not valid"), 401);
      }
      let payload: unknown;
      try {
        payload = await c.req.json();
      } catch {
        return c.json(error("hook_payload_invalid", "the hook body is not JSON"), 400);
      }
      const outcome = await options.onHook(sessionId, payload);
      if (outcome === "invalid") {
        return c.json(
          error("hook_payload_invalid", "the hook body is not what the CLI sends"),
          400,
        );
      }
      if (outcome === "not_live") {
        return c.json(error("session_not_live", "the session is not running"), 404);
      }
      return c.body(null, 204);
    })
    .notFound((c) => c.json(error("not_found", "no such route"), 404))
    .onError((_, c) => c.json(error("internal_error", "the hook could not be taken"), 500));
  rmSync(socket, { force: true });
  const server = Bun.serve({ unix: socket, fetch: app.fetch });
  chmodSync(socket, 0o600);
  return {
    socket,
    async stop() {
      await server.stop(true);
      rmSync(socket, { force: true });
    },
  };
}
