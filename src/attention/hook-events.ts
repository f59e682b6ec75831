// What a CLI's hook call says about its session's activity. Each CLI reports in its own JSON:
// Claude Code passes every hook its event on stdin (`hook_event_name`, and the event's fields);
// Codex runs its `notify` program with one JSON argument (`type`). Fields not used are ignored;
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

const codexEvent = z.looseObject({ type: z.string().max(100) });

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
      return event.data.type === "agent-turn-complete" ? { kind: "done" } : { kind: "none" };
    }
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
