// `opendray hook [json]`: the program a CLI's hooks run inside a session. It reads the event
// (Claude Code writes it to stdin; Codex's notify passes it as the last argument), keeps the
// fields that tell the activity, and posts them to the server through the session's hook socket
// (hook-channel.ts). It never fails the CLI: whatever goes wrong, it prints nothing and exits 0,
// so a permission dialog shows as usual and no turn is blocked.

import { HOOK_SOCKET_ENV, HOOK_TOKEN_ENV } from "./hook-channel.ts";

/** A server that does not answer within this long is given up on. */
const POST_TIMEOUT_MS = 3000;
/** Stdin read at most (a tool's whole output can come with PostToolUse). */
const MAX_INPUT_BYTES = 16 * 1024 * 1024;
/** Each text field is cut to this many characters. */
const MAX_FIELD_CHARS = 1000;
/** The fields of a tool's input that are kept (what a person decides on). */
const TOOL_FIELDS = ["command", "file_path", "url", "pattern", "path", "description"];

export async function runHook(args: string[], env: Record<string, string | undefined>): Promise<0> {
  const socket = env[HOOK_SOCKET_ENV];
  const token = env[HOOK_TOKEN_ENV];
  if (!socket || !token) return 0;
  try {
    const given = args.at(-1);
    const text = given?.trimStart().startsWith("{") ? given : await readStdin();
    const event = reduce(JSON.parse(text));
    if (!event) return 0;
    await fetch("http://localhost/hooks", {
      unix: socket,
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(event),
      signal: AbortSignal.timeout(POST_TIMEOUT_MS),
    });
  } catch {
    // Not JSON, no server, a timeout: the CLI goes on as if no hook were there.
  }
  return 0;
}

async function readStdin(): Promise<string> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of Bun.stdin.stream()) {
    if (total < MAX_INPUT_BYTES) chunks.push(chunk);
    total += chunk.length;
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** The event's top-level scalars (text cut) and the telling fields of its tool input. */
export function reduce(event: unknown): Record<string, unknown> | undefined {
  if (typeof event !== "object" || event === null || Array.isArray(event)) return undefined;
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(event)) {
    if (typeof value === "string") kept[key] = value.slice(0, MAX_FIELD_CHARS);
    else if (typeof value === "number" || typeof value === "boolean") kept[key] = value;
  }
  const input = (event as { tool_input?: unknown }).tool_input;
  if (typeof input === "object" && input !== null) {
    const fields: Record<string, string> = {};
    for (const key of TOOL_FIELDS) {
      const value = (input as Record<string, unknown>)[key];
      if (typeof value === "string") fields[key] = value.slice(0, MAX_FIELD_CHARS);
    }
    kept.tool_input = fields;
  }
  return kept;
}
