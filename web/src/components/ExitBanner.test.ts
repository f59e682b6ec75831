import { expect, test } from "bun:test";
import type { Session } from "../../../src/protocol/session.ts";
import { describeEnd } from "./ExitBanner.tsx";

const session = (fields: Partial<Session>) =>
  ({ state: "ended", exitCode: null, exitSignal: null, endReason: null, ...fields }) as Session;

test.each([
  [{ state: "running" }, null],
  [{ exitCode: 0 }, { tone: "ok", text: "The program exited with code 0." }],
  [{ exitCode: 2 }, { tone: "failed", text: "The program exited with code 2." }],
  [{ exitSignal: "SIGKILL" }, { tone: "failed", text: "The program was killed by SIGKILL." }],
  [
    { state: "stopped", exitSignal: "SIGHUP" },
    { tone: "neutral", text: "Stopped on request: the program was killed by SIGHUP." },
  ],
  [
    { state: "failed", endReason: "could not start nope: ENOENT" },
    { tone: "failed", text: "Failed: could not start nope: ENOENT." },
  ],
  [
    { state: "interrupted", endReason: "the server shut down while the session was live" },
    { tone: "failed", text: "Interrupted: the server shut down while the session was live." },
  ],
] as const)("a session %p reads %p", (fields, expected) => {
  expect(describeEnd(session(fields as Partial<Session>))).toEqual(expected);
});
