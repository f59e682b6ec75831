import { expect, test } from "bun:test";
import { NOT_STARTED } from "../../test/support/database.ts";
import type { Session } from "../protocol/session.ts";
import { fromRow, toPatch } from "./session-row.ts";

const ended: Session = {
  id: "0f8fad5b-d9cb-469f-a165-70867728950e",
  name: "claude · app",
  provider: "claude",
  cwd: "/srv/app-wt",
  args: ["--verbose"],
  state: "ended",
  pid: 4242,
  exitCode: 1,
  exitSignal: "SIGTERM",
  cols: 120,
  rows: 40,
  createdAt: "2026-01-02T03:04:05.000Z",
  startedAt: "2026-01-02T03:04:06.000Z",
  endedAt: "2026-01-02T04:00:00.000Z",
  lastOutputAt: "2026-01-02T03:59:59.000Z",
  outputOffset: 123_456,
  parentSessionId: "7c9e6679-7425-40de-944b-e07fc1f90ae7",
  createdBy: "admin",
  endReason: "the program exited",
  conversationId: "1b4e28ba-2fa1-11d2-883f-0016d3cca427",
  bypass: true,
  activity: null,
  worktree: {
    path: "/srv/app-wt",
    branch: "opendray/fix",
    base: "3f786850e387550fdab836ed7e6dc881de23001b",
    repository: "/srv/app",
  },
};

const rowOf = (session: Session) => ({
  ...toPatch(session),
  id: session.id,
  createdAt: new Date(session.createdAt),
  scrollbackStart: 0,
});

test("a session stored as its row reads back the same, worktree and times included", () => {
  expect(fromRow(rowOf(ended))).toEqual(ended);
  const starting: Session = {
    ...ended,
    ...NOT_STARTED,
    state: "starting",
    worktree: null,
  };
  expect(fromRow(rowOf(starting))).toEqual(starting);
});

test("a row with only part of a worktree has none", () => {
  expect(fromRow({ ...rowOf(ended), worktreeBase: null }).worktree).toBeNull();
});
