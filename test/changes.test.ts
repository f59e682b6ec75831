// GET /api/v1/sessions/:id/changes on a real server over real git repositories made here: each
// kind of change (modified, staged, untracked, deleted, renamed, binary, too large), each state
// of a repository (a branch, detached HEAD, no commits, a merge conflict, not a repository), a
// deleted folder, who may read, a base commit, a timeout, git missing, and a repository's own
// programs (external diff, textconv, filters, fsmonitor, hooks) never run.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AppError } from "../src/errors.ts";
import { collectChanges } from "../src/git/collect-changes.ts";
import {
  CHANGES_FILE_BYTES,
  CHANGES_FILE_LINES,
  CHANGES_UNTRACKED_DIFFS,
  type ChangedFile,
  type Changes,
  changesSchema,
} from "../src/protocol/changes.ts";
import { createRepo, type GitRepo, numberedLines } from "./support/git-repo.ts";
import { bodyOf, errorOf, readResponse } from "./support/responses.ts";
import { startTestServer, type TestServer } from "./support/server.ts";

let server: TestServer;
let viewer: { authorization: string };
const made: string[] = [];

beforeAll(async () => {
  server = await startTestServer();
  viewer = {
    authorization: `Bearer ${(await server.createUser("changesviewer", "viewer")).token}`,
  };
});
afterAll(async () => {
  await server.dispose();
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

const repo = (name: string, options?: { init?: boolean }) => {
  const made_ = createRepo(name, options);
  made.push(made_.dir);
  return made_;
};

async function changesOf(cwd: string, who = server.auth) {
  const session = await server.spawnShell("exec cat", { cwd });
  return fetch(`${server.api}/sessions/${session.id}/changes`, { headers: who });
}

async function changes(cwd: string, who = server.auth): Promise<Changes> {
  const response = await changesOf(cwd, who);
  return bodyOf(await readResponse(response), 200, changesSchema);
}

const byPath = (answer: Changes) => new Map(answer.files.map((file) => [file.path, file]));
const file = (answer: Changes, path: string): ChangedFile => {
  const found = byPath(answer).get(path);
  if (!found) throw new Error(`${path} not in ${JSON.stringify([...byPath(answer).keys()])}`);
  return found;
};

describe("the files", () => {
  let project: GitRepo;
  let answer: Changes;
  beforeAll(async () => {
    project = repo("changes-kinds");
    project.commit("first", {
      "edited.ts": "export const a = 1;\nexport const b = 2;\n",
      "staged.ts": "one\n",
      "gone.txt": "bye\n",
      "old-name.md": numberedLines(20),
      "é ü.txt": "unicode\n",
      "pic.bin": new Uint8Array([0, 1, 2, 3, 0, 5]),
      "big.txt": "small\n",
    });
    project.write("edited.ts", "export const a = 1;\nexport const b = 3;\nexport const c = 4;\n");
    project.write("staged.ts", "one\ntwo\n");
    project.git("add", "staged.ts");
    project.write("staged.ts", "one\ntwo\nthree\n");
    unlinkSync(join(project.dir, "gone.txt"));
    project.git("mv", "old-name.md", "new-name.md");
    project.write("é ü.txt", "unicode changed\n");
    project.write("pic.bin", new Uint8Array([0, 9, 9, 9, 0, 5]));
    project.write("big.txt", numberedLines(CHANGES_FILE_LINES + 1));
    project.write("new/untracked.py", "print('hi')\n");
    project.write("new/huge.log", numberedLines(CHANGES_FILE_LINES + 5));
    project.write("new/blob.dat", new Uint8Array([1, 0, 2, 0]));
    answer = await changes(project.dir);
  });

  test("are listed by path with git's kind, staged and unstaged sides, and counts", () => {
    expect(answer.repo).toEqual({
      kind: "repository",
      branch: "main",
      head: project.git("rev-parse", "HEAD").trim(),
      base: project.git("rev-parse", "HEAD").trim(),
      operation: null,
      prefix: "",
    });
    expect(answer.files.map((f) => f.path)).toEqual([
      "big.txt",
      "edited.ts",
      "gone.txt",
      "new-name.md",
      "new/blob.dat",
      "new/huge.log",
      "new/untracked.py",
      "pic.bin",
      "staged.ts",
      "é ü.txt",
    ]);
    expect(file(answer, "edited.ts")).toMatchObject({
      kind: "modified",
      staged: false,
      unstaged: true,
      additions: 2,
      deletions: 1,
      binary: false,
      summarised: null,
    });
    expect(file(answer, "staged.ts")).toMatchObject({
      kind: "modified",
      staged: true,
      unstaged: true,
      additions: 2,
      deletions: 0,
    });
    expect(file(answer, "gone.txt")).toMatchObject({ kind: "deleted", additions: 0, deletions: 1 });
    expect(file(answer, "new-name.md")).toMatchObject({
      kind: "renamed",
      oldPath: "old-name.md",
      staged: true,
      additions: 0,
      deletions: 0,
    });
    expect(file(answer, "new/untracked.py")).toMatchObject({
      kind: "untracked",
      staged: false,
      unstaged: true,
      additions: 1,
      deletions: 0,
      summarised: null,
    });
  });

  test("carry git's unified diff, the working tree against HEAD", () => {
    const diff = file(answer, "edited.ts").diff ?? "";
    expect(diff).toStartWith("diff --git a/edited.ts b/edited.ts\n");
    expect(diff).toContain("-export const b = 2;\n+export const b = 3;\n+export const c = 4;\n");
    // Staged and unstaged changes together: the index's "two" and the working tree's "three".
    expect(file(answer, "staged.ts").diff).toContain(" one\n+two\n+three\n");
    expect(file(answer, "é ü.txt").diff).toContain("+++ b/é ü.txt");
    expect(file(answer, "new/untracked.py").diff).toContain(
      "--- /dev/null\n+++ b/new/untracked.py\n",
    );
    expect(file(answer, "new/untracked.py").diff).toContain("+print('hi')\n");
    expect(file(answer, "new-name.md").diff).toContain(
      "rename from old-name.md\nrename to new-name.md",
    );
  });

  test("that are binary or too large come summarised, without text", () => {
    expect(file(answer, "pic.bin")).toMatchObject({
      kind: "modified",
      binary: true,
      additions: null,
      summarised: "binary",
      diff: null,
    });
    expect(file(answer, "new/blob.dat")).toMatchObject({
      kind: "untracked",
      binary: true,
      summarised: "binary",
      diff: null,
    });
    expect(file(answer, "big.txt")).toMatchObject({
      binary: false,
      additions: CHANGES_FILE_LINES + 1,
      summarised: "too_large",
      diff: null,
    });
    expect(file(answer, "new/huge.log")).toMatchObject({
      additions: CHANGES_FILE_LINES + 5,
      summarised: "too_large",
      diff: null,
    });
  });
});

test(`past ${CHANGES_UNTRACKED_DIFFS} untracked files, the rest are listed without a diff`, async () => {
  const project = repo("changes-many");
  project.commit("first", { "a.txt": "a\n" });
  for (let i = 0; i < CHANGES_UNTRACKED_DIFFS + 3; i++) {
    project.write(`new/${String(i).padStart(3, "0")}.txt`, `file ${i}\n`);
  }
  project.write("a-wide.txt", "x".repeat(CHANGES_FILE_BYTES + 1));
  const answer = await changes(project.dir);
  // The first ones by path get a diff (a-wide.txt is one of them: too large, it has none).
  const untracked = answer.files.filter((f) => f.kind === "untracked");
  expect(untracked).toHaveLength(CHANGES_UNTRACKED_DIFFS + 4);
  expect(untracked.slice(1, CHANGES_UNTRACKED_DIFFS).every((f) => f.diff !== null)).toBe(true);
  expect(untracked.slice(CHANGES_UNTRACKED_DIFFS).map((f) => [f.path, f.summarised])).toEqual(
    [0, 1, 2, 3].map((i) => [`new/${CHANGES_UNTRACKED_DIFFS - 1 + i}.txt`, "budget"]),
  );
  expect(file(answer, "a-wide.txt")).toMatchObject({
    kind: "untracked",
    additions: null,
    summarised: "too_large",
    diff: null,
  });
});

describe("the repository's state", () => {
  test("a detached HEAD names no branch, only the commit", async () => {
    const project = repo("changes-detached");
    const first = project.commit("first", { "a.txt": "a\n" });
    project.commit("second", { "a.txt": "b\n" });
    project.git("checkout", "-q", "--detach", first);
    const answer = await changes(project.dir);
    expect(answer.repo).toMatchObject({
      kind: "repository",
      branch: null,
      head: first,
      operation: null,
    });
    expect(answer.files).toEqual([]);
  });

  test("with no commits yet, staged and untracked files are added against nothing", async () => {
    const project = repo("changes-unborn");
    project.write("staged.txt", "first\n");
    project.git("add", "staged.txt");
    project.write("loose.txt", "loose\n");
    const answer = await changes(project.dir);
    expect(answer.repo).toEqual({
      kind: "repository",
      branch: "main",
      head: null,
      base: null,
      operation: null,
      prefix: "",
    });
    expect(file(answer, "staged.txt")).toMatchObject({ kind: "added", staged: true, additions: 1 });
    expect(file(answer, "staged.txt").diff).toContain("+first\n");
    expect(file(answer, "loose.txt")).toMatchObject({ kind: "untracked", additions: 1 });
  });

  test("a merge conflict shows the merge and the conflicted file with its markers", async () => {
    const project = repo("changes-merge");
    project.commit("base", { "shared.txt": "base\n" });
    project.git("checkout", "-q", "-b", "other");
    project.commit("theirs", { "shared.txt": "theirs\n" });
    project.git("checkout", "-q", "main");
    project.commit("ours", { "shared.txt": "ours\n" });
    expect(() => project.git("merge", "-q", "other")).toThrow();
    const answer = await changes(project.dir);
    expect(answer.repo).toMatchObject({ kind: "repository", branch: "main", operation: "merge" });
    expect(file(answer, "shared.txt")).toMatchObject({ kind: "conflicted" });
    expect(file(answer, "shared.txt").diff).toContain("+<<<<<<< HEAD");
  });

  test("a rebase stopped on a conflict shows the rebase", async () => {
    const project = repo("changes-rebase");
    project.commit("base", { "f.txt": "base\n" });
    project.git("checkout", "-q", "-b", "topic");
    project.commit("topic", { "f.txt": "topic\n" });
    project.git("checkout", "-q", "main");
    project.commit("main", { "f.txt": "main\n" });
    project.git("checkout", "-q", "topic");
    expect(() => project.git("rebase", "main")).toThrow();
    const answer = await changes(project.dir);
    expect(answer.repo).toMatchObject({ kind: "repository", branch: null, operation: "rebase" });
    expect(file(answer, "f.txt").kind).toBe("conflicted");
  });

  test("a folder in no repository says so", async () => {
    const plain = repo("changes-plain", { init: false });
    plain.write("a.txt", "a\n");
    expect(await changes(plain.dir)).toEqual({
      repo: { kind: "not_a_repository" },
      files: [],
      truncated: false,
    });
  });

  test("a subfolder shows only its own files, named from it", async () => {
    const project = repo("changes-sub");
    project.commit("first", { "top.txt": "top\n", "sub/in.txt": "in\n" });
    project.write("top.txt", "top changed\n");
    project.write("sub/in.txt", "in changed\n");
    project.write("sub/new.txt", "new\n");
    const answer = await changes(join(project.dir, "sub"));
    expect(answer.repo).toMatchObject({ prefix: "sub" });
    expect(answer.files.map((f) => [f.path, f.kind])).toEqual([
      ["in.txt", "modified"],
      ["new.txt", "untracked"],
    ]);
    expect(file(answer, "in.txt").diff).toContain("+in changed\n");
  });
});

describe("a repository's own programs", () => {
  test("never run: external diff, textconv, filters, fsmonitor, index hooks", async () => {
    const project = repo("changes-traps");
    const marker = (name: string) =>
      join(project.dir, "..", `${project.dir.split("/").pop()}-${name}`);
    const touch = (name: string) => {
      const script = join(project.dir, `.git/${name}.sh`);
      writeFileSync(script, `#!/bin/sh\ntouch '${marker(name)}'\ncat\n`, { mode: 0o755 });
      return script;
    };
    project.commit("first", { "a.txt": "a\n", ".gitattributes": "*.txt diff=trap filter=trap\n" });
    project.git("config", "diff.external", touch("external"));
    project.git("config", "diff.trap.textconv", touch("textconv"));
    project.git("config", "diff.trap.command", touch("command"));
    project.git("config", "filter.trap.clean", touch("clean"));
    project.git("config", "filter.trap.smudge", touch("smudge"));
    project.git("config", "core.fsmonitor", touch("fsmonitor"));
    writeFileSync(
      join(project.dir, ".git/hooks/post-index-change"),
      `#!/bin/sh\ntouch '${marker("hook")}'\n`,
      {
        mode: 0o755,
      },
    );
    project.write("a.txt", "a changed\n");
    project.write("b.txt", "untracked\n");
    const names = ["external", "textconv", "command", "clean", "smudge", "fsmonitor", "hook"];
    for (const name of names) rmSync(marker(name), { force: true });
    const answer = await changes(project.dir);
    expect(file(answer, "a.txt").diff).toContain("+a changed\n");
    expect(file(answer, "b.txt").diff).toContain("+untracked\n");
    expect(names.filter((name) => existsSync(marker(name)))).toEqual([]);
    // The traps are armed: git run plainly springs them.
    project.git("status");
    project.git("diff", "HEAD");
    expect(names.filter((name) => existsSync(marker(name)))).toEqual(
      expect.arrayContaining(["command", "clean", "fsmonitor", "hook"]),
    );
    for (const name of names) rmSync(marker(name), { force: true });
  });
});

describe("errors and who", () => {
  test("a session whose folder was deleted is 404 folder_not_found with a clear message", async () => {
    const doomed = mkdtempSync(join(tmpdir(), "opendray-changes-doomed-"));
    const session = await server.spawnShell("exec cat", { cwd: doomed });
    rmSync(doomed, { recursive: true, force: true });
    expect(errorOf(await server.request("GET", `/sessions/${session.id}/changes`), 404)).toEqual({
      code: "folder_not_found",
      message: `the session's folder ${doomed} no longer exists`,
    });
  });

  test("a session whose folder became a file is 404 folder_not_found", async () => {
    const doomed = mkdtempSync(join(tmpdir(), "opendray-changes-file-"));
    const session = await server.spawnShell("exec cat", { cwd: doomed });
    rmSync(doomed, { recursive: true, force: true });
    writeFileSync(doomed, "now a file\n");
    made.push(doomed);
    expect(errorOf(await server.request("GET", `/sessions/${session.id}/changes`), 404)).toEqual({
      code: "folder_not_found",
      message: `the session's folder ${doomed} is no longer a folder`,
    });
  });

  test("a viewer reads the changes; nobody signed in gets 401; an unknown session 404", async () => {
    const project = repo("changes-who");
    project.commit("first", { "a.txt": "a\n" });
    project.write("a.txt", "b\n");
    expect(file(await changes(project.dir, viewer), "a.txt").kind).toBe("modified");
    expect((await changesOf(project.dir, {} as { authorization: string })).status).toBe(401);
    for (const id of [crypto.randomUUID(), "not-a-uuid"]) {
      const response = await fetch(`${server.api}/sessions/${id}/changes`, {
        headers: server.auth,
      });
      expect(response.status).toBe(404);
    }
  });

  test("a repository git cannot read is 409 git_failed in git's own words", async () => {
    const project = repo("changes-broken");
    project.commit("first", { "a.txt": "a\n" });
    writeFileSync(join(project.dir, ".git/index"), "garbage-garbage-garbage");
    const response = await changesOf(project.dir);
    expect(errorOf(await readResponse(response), 409)).toEqual({
      code: "git_failed",
      message: "git status failed: fatal: .git/index: index file smaller than expected",
    });
  });

  test("git missing from the server's PATH is 503 git_unavailable", async () => {
    const bare = await startTestServer({ baseEnv: { PATH: "/nonexistent" } });
    try {
      const project = repo("changes-nogit");
      const session = await bare.spawnShell(":", { cwd: project.dir });
      const response = await bare.request("GET", `/sessions/${session.id}/changes`);
      expect(errorOf(response, 503)).toEqual({
        code: "git_unavailable",
        message: "git is not installed on the server (not found on its PATH)",
      });
    } finally {
      await bare.dispose();
    }
  });
});

describe("collectChanges", () => {
  const env = { PATH: process.env.PATH ?? "/usr/bin:/bin" };

  test("compares with a base commit when given one: the commits since and the working tree", async () => {
    const project = repo("changes-base");
    const base = project.commit("base", { "a.txt": "a\n" });
    project.commit("later", { "b.txt": "b\n" });
    project.write("a.txt", "a changed\n");
    const answer = await collectChanges({ cwd: project.dir, env, base });
    expect(answer.repo).toMatchObject({
      kind: "repository",
      base,
      head: project.git("rev-parse", "HEAD").trim(),
    });
    expect(answer.files.map((f) => [f.path, f.kind])).toEqual([
      ["a.txt", "modified"],
      ["b.txt", "added"],
    ]);
    const error = await collectChanges({ cwd: project.dir, env, base: "no-such-ref" }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ status: 400, code: "base_invalid" });
  });

  test("gives up at its deadline: 504 git_timeout", async () => {
    const project = repo("changes-timeout");
    project.commit("first", { "a.txt": "a\n" });
    const error = await collectChanges({ cwd: project.dir, env, timeoutMs: 1 }).catch((e) => e);
    expect(error).toMatchObject({ status: 504, code: "git_timeout" });
  });
});
