// The worktree operations against real git repositories: what the HTTP tests cannot reach
// (names the request schema would already refuse, undoing a creation, a folder removed by hand,
// git's own refusal after the check) and the slug of a session's name.

import { expect, test } from "bun:test";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDirForFile } from "../../test/support/temp-dir.ts";
import { createGit } from "./git.ts";
import { WorktreeError } from "./worktree-error.ts";
import { createWorktrees, slugOf } from "./worktrees.ts";

const root = tempDirForFile("worktrees");

const IDENTITY = {
  GIT_AUTHOR_NAME: "Test",
  GIT_AUTHOR_EMAIL: "test@example.com",
  GIT_COMMITTER_NAME: "Test",
  GIT_COMMITTER_EMAIL: "test@example.com",
};
const git = createGit({ PATH: "/usr/local/bin:/usr/bin:/bin", HOME: root, ...IDENTITY });
const worktrees = createWorktrees(git);
let repos = 0;

async function makeRepo(): Promise<string> {
  const repo = join(root, `repo${++repos}`);
  mkdirSync(repo);
  writeFileSync(join(repo, "a.txt"), "a\n");
  for (const args of [
    ["init", "-q", "-b", "main"],
    ["add", "."],
    ["commit", "-q", "-m", "a"],
  ]) {
    const result = await git(repo, args);
    if (result.exitCode !== 0) throw new Error(result.stderr);
  }
  return repo;
}

const kindOf = (promise: Promise<unknown>) =>
  promise.then(
    () => "resolved",
    (error) => (error instanceof WorktreeError ? error.kind : String(error)),
  );

test.each([
  ["Fix the Bug!", "fix-the-bug"],
  ["  Été à Paris  ", "ete-a-paris"],
  ["***", ""],
  ["x".repeat(60), "x".repeat(40)],
  [`${"a".repeat(39)}-b`, "a".repeat(39)],
])("the slug of %j is %j", (name, slug) => {
  expect(slugOf(name)).toBe(slug);
});

test("git check-ref-format refuses what the request schema would already have refused", async () => {
  const repo = await makeRepo();
  for (const name of ["a~b", "a^b", "a:b", "a?b", "a*b", "a[b", "a\\b"]) {
    expect(await kindOf(worktrees.add(repo, name, { id: "12345678-x" }))).toBe("branch_invalid");
  }
  expect(existsSync(`${repo}.worktrees`)).toBe(false);
});

test("discard removes a fresh worktree and its branch", async () => {
  const repo = await makeRepo();
  const { worktree } = await worktrees.add(repo, "fresh", { id: "12345678-x" });
  expect(existsSync(worktree.path)).toBe(true);
  await worktrees.discard(worktree);
  expect(existsSync(worktree.path)).toBe(false);
  expect((await git(repo, ["branch", "--list", "opendray/fresh"])).stdout).toBe("");
});

test("a worktree folder deleted by hand is pruned, and its merged branch deleted", async () => {
  const repo = await makeRepo();
  const { worktree } = await worktrees.add(repo, "gone", { id: "12345678-x" });
  rmSync(worktree.path, { recursive: true });
  expect(await worktrees.remove(worktree)).toEqual({
    branchDeleted: true,
    message: `removed ${worktree.path} and its merged branch opendray/gone`,
  });
  expect((await git(repo, ["worktree", "list"])).stdout).not.toContain(worktree.path);
});

test("a worktree of a linked worktree is placed beside the main one", async () => {
  const repo = await makeRepo();
  const first = await worktrees.add(repo, "one", { id: "12345678-x" });
  const second = await worktrees.add(first.cwd, "two", { id: "12345678-x" });
  expect(second.worktree).toMatchObject({ repository: repo, path: `${repo}.worktrees/two` });
});

test("an uncommitted change in a tracked file is dirty", async () => {
  const repo = await makeRepo();
  const { worktree } = await worktrees.add(repo, "edit", { id: "12345678-x" });
  writeFileSync(join(worktree.path, "a.txt"), "changed\n");
  expect(await kindOf(worktrees.remove(worktree))).toBe("worktree_dirty");
  expect(existsSync(join(worktree.path, "a.txt"))).toBe(true);
  await expect(worktrees.checkClean(worktree)).rejects.toThrow(
    `the worktree ${worktree.path} has 1 uncommitted change (a.txt)`,
  );
});
