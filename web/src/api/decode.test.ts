import { afterEach, beforeEach, expect, spyOn, test } from "bun:test";
import { lifecycleEventSchema } from "../../../src/protocol/events.ts";
import type { Session } from "../../../src/protocol/session.ts";
import { serverEventSchema } from "../../../src/protocol/stream.ts";
import { decodeJson, decodeValue } from "./decode.ts";

let warn: ReturnType<typeof spyOn<Console, "warn">>;
beforeEach(() => {
  warn = spyOn(console, "warn").mockImplementation(() => undefined);
});
afterEach(() => warn.mockRestore());

const session: Session = {
  id: "0c2b5c0e-2f0a-4a8e-9d7f-1f6f2b8e9a10",
  name: "shell",
  provider: "shell",
  cwd: "/",
  args: [],
  state: "running",
  pid: 42,
  exitCode: null,
  exitSignal: null,
  cols: 80,
  rows: 24,
  createdAt: "2026-01-01T00:00:00.000Z",
  startedAt: "2026-01-01T00:00:00.000Z",
  endedAt: null,
  lastOutputAt: null,
  outputOffset: 0,
  parentSessionId: null,
  createdBy: "admin",
  endReason: null,
  conversationId: null,
  bypass: false,
  activity: {
    state: "waiting",
    since: "2026-01-01T00:00:01.000Z",
    source: "hook",
    prompt: {
      text: "Proceed?",
      detail: null,
      options: [{ label: "Yes" }],
      offset: 7,
      fingerprint: "f",
    },
  },
  worktree: null,
};

test("a well-formed event decodes to itself", () => {
  const hello = { type: "hello" as const, session, offset: 10, bufferStart: 0 };
  expect(decodeJson(serverEventSchema, JSON.stringify(hello), "stream event")).toEqual(hello);
  expect(decodeValue(lifecycleEventSchema, { type: "session.state", session }, "event")).toEqual({
    type: "session.state",
    session,
  });
  expect(warn).not.toHaveBeenCalled();
});

test.each([
  ["not JSON", "{"],
  ["an unknown type", JSON.stringify({ type: "teleport" })],
  ["a missing field", JSON.stringify({ type: "resize", cols: 80 })],
  ["a field of the wrong type", JSON.stringify({ type: "exit", exitCode: "0", signal: null })],
  ["a malformed session", JSON.stringify({ type: "state", state: "running", session: {} })],
])("a frame with %s is dropped with a warning", (_, text) => {
  expect(decodeJson(serverEventSchema, text, "stream event")).toBeUndefined();
  expect(warn).toHaveBeenCalledTimes(1);
});

test("fields the schema does not know are dropped, the rest is kept", () => {
  const event = decodeValue(lifecycleEventSchema, { type: "session.created", session, x: 1 }, "e");
  expect(event).toEqual({ type: "session.created", session });
});
