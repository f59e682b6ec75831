import { expect, test } from "bun:test";
import type { Activity } from "../../../src/protocol/attention.ts";
import type { Session } from "../../../src/protocol/session.ts";
import type { ChangedFile, Changes, RepoState } from "../api/changes.ts";
import { createChangesView, describeRepo, restKey } from "./changes.ts";

const activity = (state: Activity["state"], since = "2026-01-01T00:00:00Z"): Activity => ({
  state,
  since,
  source: "output",
  prompt: null,
});
const session = (state: Session["state"], current: Activity | null) =>
  ({ id: "s", state, activity: current }) as Session;

test("a session rests when its activity is not working, or, without one, once it is not running", () => {
  expect(restKey(session("running", activity("working")))).toBeNull();
  expect(restKey(session("running", activity("quiet", "t1")))).toBe("quiet@t1");
  expect(restKey(session("running", activity("done", "t2")))).toBe("done@t2");
  expect(restKey(session("running", activity("waiting", "t3")))).toBe("waiting@t3");
  expect(restKey(session("running", null))).toBeNull();
  expect(restKey(session("idle", null))).toBe("idle");
  expect(restKey(session("ended", null))).toBe("ended");
});

const repo = (over: Partial<Extract<RepoState, { kind: "repository" }>> = {}): RepoState => ({
  kind: "repository",
  branch: "main",
  head: "0123456789abcdef",
  base: "0123456789abcdef",
  operation: null,
  prefix: "",
  ...over,
});
const conflicted = { kind: "conflicted" } as ChangedFile;

test.each([
  [{ kind: "not_a_repository" } as RepoState, [], "Not a git repository"],
  [repo(), [], "On main"],
  [repo({ branch: null }), [], "Detached HEAD at 0123456"],
  [repo({ head: null, base: null }), [], "No commits yet on main"],
  [
    repo({ operation: "merge" }),
    [conflicted, conflicted],
    "Merge in progress: 2 conflicted files · On main",
  ],
  [
    repo({ operation: "rebase", branch: null }),
    [conflicted],
    "Rebase in progress: 1 conflicted file · Detached HEAD at 0123456",
  ],
] as [RepoState, ChangedFile[], string][])("the state %j reads plainly", (state, files, said) => {
  expect(describeRepo(state, files)).toBe(said);
});

test("an older, slower answer never replaces a later one", async () => {
  const pending: ((changes: Changes) => void)[] = [];
  const view = createChangesView(() => new Promise((resolve) => pending.push(resolve)));
  const first = view.refresh();
  const second = view.refresh();
  const answer = (branch: string): Changes => ({
    repo: repo({ branch }),
    files: [],
    truncated: false,
  });
  pending[1]?.(answer("later"));
  await second;
  pending[0]?.(answer("earlier"));
  await first;
  expect(view.changes.value?.repo).toMatchObject({ branch: "later" });
  expect(view.busy.value).toBe(false);
});
