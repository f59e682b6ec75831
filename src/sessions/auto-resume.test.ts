import { expect, test } from "bun:test";
import type { Session } from "../protocol/session.ts";
import { RESUME_WITHIN_MS, resumable } from "./auto-resume.ts";

const NOW = Date.UTC(2026, 0, 2);
const ago = (ms: number) => new Date(NOW - ms).toISOString();

function session(id: string, overrides: Partial<Session> = {}): Session {
  return {
    id,
    name: id,
    provider: "claude",
    cwd: "/tmp",
    args: [],
    state: "interrupted",
    pid: null,
    exitCode: null,
    exitSignal: null,
    cols: 80,
    rows: 24,
    createdAt: ago(60_000),
    startedAt: ago(60_000),
    endedAt: ago(1_000),
    lastOutputAt: null,
    outputOffset: 0,
    parentSessionId: null,
    createdBy: "admin",
    endReason: "the server stopped while the session was live",
    conversationId: `conversation-${id}`,
    bypass: false,
    activity: null,
    worktree: null,
    ...overrides,
  };
}

test("only recent interrupted sessions with a conversation and no continuation are resumed", () => {
  const sessions = [
    session("fresh"),
    session("no-conversation", { conversationId: null }),
    session("ended", { state: "ended" }),
    session("old", { endedAt: ago(RESUME_WITHIN_MS + 1) }),
    session("continued"),
    session("child", { state: "running", parentSessionId: "continued" }),
  ];
  expect(resumable(sessions, NOW).map((s) => s.id)).toEqual(["fresh"]);
});
