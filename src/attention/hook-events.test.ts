import { expect, test } from "bun:test";
import { hookSignal } from "./hook-events.ts";

test.each([
  [{ hook_event_name: "UserPromptSubmit", prompt: "go" }, { kind: "working" }],
  [{ hook_event_name: "PostToolUse", tool_name: "Bash" }, { kind: "working" }],
  [{ hook_event_name: "Stop", stop_hook_active: false }, { kind: "done" }],
  [{ hook_event_name: "Notification", notification_type: "idle_prompt" }, { kind: "done" }],
  [
    { hook_event_name: "PermissionRequest", tool_name: "Bash", tool_input: { command: "ls" } },
    { kind: "waiting", text: "Claude wants to use Bash", detail: "ls" },
  ],
  [
    {
      hook_event_name: "Notification",
      notification_type: "permission_prompt",
      message: "Claude needs your permission to use Bash",
    },
    { kind: "waiting", text: "Claude needs your permission to use Bash", detail: null },
  ],
  [{ hook_event_name: "SessionStart" }, { kind: "none" }],
])("Claude Code's %j is %j", (payload, signal) => {
  expect(hookSignal("claude-code", payload)).toEqual(signal as never);
});

test("a Claude Code payload without its event name is not one", () => {
  expect(hookSignal("claude-code", { tool_name: "Bash" })).toBeUndefined();
  expect(hookSignal("claude-code", "Stop")).toBeUndefined();
});

test("Codex's turn end is done, except the task-title turn it runs beside the user's", () => {
  const end = { type: "agent-turn-complete", "last-assistant-message": "The file is there." };
  expect(hookSignal("codex-notify", end)).toEqual({ kind: "done" });
  const title = { ...end, "last-assistant-message": '{"title":"Make the file"}' };
  expect(hookSignal("codex-notify", title)).toEqual({ kind: "none" });
  expect(hookSignal("codex-notify", { type: "something-else" })).toEqual({ kind: "none" });
  expect(hookSignal("codex-notify", { nope: 1 })).toBeUndefined();
});

test.each([
  [{ type: "session.status", status: "busy" }, { kind: "working" }],
  [{ type: "session.status", status: "retry" }, { kind: "working" }],
  [{ type: "session.status", status: "idle" }, { kind: "done" }],
  [
    { type: "permission.asked", permission: "bash", detail: "touch made-by-opencode" },
    {
      kind: "waiting",
      text: "OpenCode asks permission for bash",
      detail: "touch made-by-opencode",
    },
  ],
  [
    { type: "question.asked", detail: "Which database?" },
    { kind: "waiting", text: "Which database?", detail: null },
  ],
  [{ type: "permission.replied" }, { kind: "working" }],
  [{ type: "question.rejected" }, { kind: "working" }],
  [{ type: "session.status", status: "compacting" }, { kind: "none" }],
  [{ type: "message.updated" }, { kind: "none" }],
])("OpenCode's %j is %j", (payload, signal) => {
  expect(hookSignal("opencode-plugin", payload)).toEqual(signal as never);
});

test("an OpenCode payload without its event type is not one", () => {
  expect(hookSignal("opencode-plugin", { status: "idle" })).toBeUndefined();
  expect(hookSignal("opencode-plugin", { type: "session.status", status: 3 })).toBeUndefined();
});
