// What a CLI's hook call says about its session's activity. Each CLI reports in its own JSON:
// Claude Code passes every hook its event on stdin (`hook_event_name`, and the event's fields);
// Codex runs its `notify` program with one JSON argument (`type`, `thread-id`, `turn-id`, `cwd`,
// `client`, `input-messages`, `last-assistant-message`); OpenDray's OpenCode plugin
// (opencode-plugin.js) posts OpenCode's events reduced to `type`, `status`, `permission` and
// `detail`. Fields not used are ignored;
// a payload that is not what its CLI sends is refused (400) by the hook server.

import { z } from "zod";
import type { HookKind } from "../providers/manifest.ts";

/** What one hook call means for the activity. */
export type HookSignal =
  | { kind: "working" }
  | { kind: "done" }
  | { kind: "waiting"; text: string; detail: string | null }
  /** An event that says nothing about the activity (SessionStart, a plain notification…). */
  | { kind: "none" };

const MAX_TEXT = 300;

const claudeEvent = z.looseObject({
  hook_event_name: z.string().max(100),
  tool_name: z.string().max(200).optional(),
  tool_input: z.unknown().optional(),
  message: z.string().optional(),
  notification_type: z.string().max(100).optional(),
});

const codexEvent = z.looseObject({
  type: z.string().max(100),
  "last-assistant-message": z.unknown().optional(),
});

const opencodeEvent = z.looseObject({
  type: z.string().max(100),
  status: z.string().max(100).optional(),
  permission: z.string().max(200).optional(),
  detail: z.string().optional(),
});

/**
 * Whether a CLI's hooks say when a turn starts. Codex's notify only says when one ends: after
 * that, input typed into the session is taken as the next turn (tracker.ts).
 */
export const REPORTS_TURN_START: Record<HookKind, boolean> = {
  "claude-code": true,
  "codex-notify": false,
  "opencode-plugin": true,
};

/**
 * Whether a CLI's hooks tell of the prompts it asks (with what they are about). Its prompt on the
 * screen then waits a moment for the hook (tracker.ts), which a loaded machine may deliver after
 * the screen has drawn it.
 */
export const REPORTS_PROMPTS: Record<HookKind, boolean> = {
  "claude-code": true,
  "codex-notify": false,
  "opencode-plugin": true,
};

/** The hook's meaning, or undefined when the payload is not what the CLI sends. */
export function hookSignal(kind: HookKind, payload: unknown): HookSignal | undefined {
  switch (kind) {
    case "claude-code": {
      const event = claudeEvent.safeParse(payload);
      return event.success ? claudeSignal(event.data) : undefined;
    }
    case "codex-notify": {
      const event = codexEvent.safeParse(payload);
      if (!event.success) return undefined;
      if (event.data.type !== "agent-turn-complete") return { kind: "none" };
      return isCodexTitleTurn(event.data["last-assistant-message"])
        ? { kind: "none" }
        : { kind: "done" };
    }
    case "opencode-plugin": {
      const event = opencodeEvent.safeParse(payload);
      return event.success ? opencodeSignal(event.data) : undefined;
    }
  }
}

/**
 * OpenCode (1.18.33) says `busy` when a turn starts (`retry` while it waits to retry a failed
 * model call) and `idle` when it ends; a permission or question asked holds the turn until
 * answered, at the terminal or through OpenDray.
 */
function opencodeSignal(event: z.output<typeof opencodeEvent>): HookSignal {
  switch (event.type) {
    case "session.status":
      if (event.status === "busy" || event.status === "retry") return { kind: "working" };
      return event.status === "idle" ? { kind: "done" } : { kind: "none" };
    case "permission.asked":
      return {
        kind: "waiting",
        text: `OpenCode asks permission for ${event.permission ?? "a tool"}`,
        detail: event.detail?.trim() ? cut(event.detail.trim()) : null,
      };
    case "question.asked":
      return { kind: "waiting", text: cut(event.detail?.trim() || "OpenCode asks"), detail: null };
    case "permission.replied":
    case "question.replied":
    case "question.rejected":
      return { kind: "working" };
    default:
      return { kind: "none" };
  }
}

/**
 * Whether a Codex turn was the one naming the task: with a user's first message, Codex (0.169.0)
 * starts a thread of its own that asks the model for `{"title": …}`, and notifies its end like any
 * turn's, while the user's turn goes on. Its answer, that JSON object alone, tells it apart.
 */
function isCodexTitleTurn(message: unknown): boolean {
  if (typeof message !== "string" || !message.trimStart().startsWith("{")) return false;
  try {
    const parsed: unknown = JSON.parse(message);
    if (typeof parsed !== "object" || parsed === null) return false;
    const keys = Object.keys(parsed);
    return keys.length === 1 && typeof (parsed as { title?: unknown }).title === "string";
  } catch {
    return false;
  }
}

function claudeSignal(event: z.output<typeof claudeEvent>): HookSignal {
  switch (event.hook_event_name) {
    case "UserPromptSubmit":
    case "PreToolUse":
    case "PostToolUse":
      return { kind: "working" };
    case "Stop":
      return { kind: "done" };
    case "PermissionRequest":
      return {
        kind: "waiting",
        text: `Claude wants to use ${event.tool_name ?? "a tool"}`,
        detail: toolDetail(event.tool_input),
      };
    case "Notification":
      // Claude Code says "Claude needs your permission to use Bash" when a permission dialog
      // shows, and "Claude is waiting for your input" after a minute at an empty prompt.
      if (event.notification_type === "idle_prompt") return { kind: "done" };
      if (
        event.notification_type === "permission_prompt" ||
        event.notification_type === "elicitation_dialog"
      ) {
        return { kind: "waiting", text: cut(event.message ?? "Claude asks"), detail: null };
      }
      return { kind: "none" };
    default:
      return { kind: "none" };
  }
}

/** The part of a tool's input a person decides on: the command, the file, the address. */
function toolDetail(input: unknown): string | null {
  if (typeof input !== "object" || input === null) return null;
  const fields = input as Record<string, unknown>;
  for (const key of ["command", "file_path", "url", "pattern", "path", "description"]) {
    const value = fields[key];
    if (typeof value === "string" && value.trim()) return cut(value.trim());
  }
  return null;
}

function cut(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text;
}
