// A session in a git worktree of its own: POST /sessions with `worktree` creates the branch
// `opendray/<name>` and its folder beside a real repository, the PTY runs there, restart reuses
// it, and DELETE keeps it unless asked to remove it, which it refuses while work would be lost.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { changesSchema } from "../src/protocol/changes.ts";
import { type Session, sessionSchema } from "../src/protocol/session.ts";
import { sessionDeletedSchema } from "../src/protocol/session-requests.ts";
import { auditListSchema, bodyOf, errorOf, sessionListSchema } from "./support/responses.ts";
import { eventually, outputOf, startTestServer, type TestServer } from "./support/server.ts";

/** Runs git in `cwd` (an identity given on the command line: HOME is empty); its stdout. */
function git(cwd: string, ...args: string[]): string {
  const result = Bun.spawnSync(
    ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", ...args],
    { cwd, stdout: "pipe", stderr: "pipe" },
  );
  if (result.exitCode !== 0) throw new Error(`git ${args.join(" ")}: ${result.stderr}`);
  return result.stdout.toString().trim();
}

const roots: string[] = [];

/** A new folder `repo` with one commit (README.md and src/deep/file.txt), in its own temp dir. */
function makeRepo(): string {
  const root = realpathSync(mkdtempSync(join(tmpdir(), "opendray-wt-")));
  roots.push(root);
  const repo = join(root, "repo");
  mkdirSync(join(repo, "src", "deep"), { recursive: true });
  writeFileSync(join(repo, "README.md"), "hello\n");
  writeFileSync(join(repo, "src", "deep", "file.txt"), "deep\n");
  git(repo, "init", "-q", "-b", "main");
  git(repo, "add", ".");
  git(repo, "commit", "-q", "-m", "first");
  return repo;
}

const branches = (repo: string) =>
  git(repo, "branch", "--format=%(refname:short)").split("\n").filter(Boolean);

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
}, 60_000);
afterAll(async () => {
  await server?.dispose();
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/** POST /sessions for a shell that prints its folder, then waits (cat). */
const create = (cwd: string, extra: Record<string, unknown>) =>
  server.request("POST", "/sessions", {
    provider: "shell",
    cwd,
    args: ["-c", "echo PWD=$(pwd); exec cat"],
    ...extra,
  });

/** What the session's shell printed as its folder. */
const pwdOf = (session: Session) =>
  eventually(
    async () => /PWD=(\S+)/.exec((await outputOf(server, session.id)).text)?.[1],
    "the shell's pwd",
  );

describe("creating", () => {
  test("worktree: true makes branch opendray/<slug of the name> beside the repository; the PTY runs in it", async () => {
    const repo = makeRepo();
    const head = git(repo, "rev-parse", "HEAD");
    const session = bodyOf(
      await create(repo, { worktree: true, name: "Fix the Bug!" }),
      201,
      sessionSchema,
    );
    const path = `${repo}.worktrees/fix-the-bug`;
    expect(session.worktree).toEqual({
      path,
      branch: "opendray/fix-the-bug",
      base: head,
      repository: repo,
    });
    expect(session.cwd).toBe(path);
    expect(existsSync(join(path, "README.md"))).toBe(true);
    expect(branches(repo)).toContain("opendray/fix-the-bug");
    expect(await pwdOf(session)).toBe(path);
    // GET and the list carry it too.
    expect(
      bodyOf(await server.request("GET", `/sessions/${session.id}`), 200, sessionSchema),
    ).toMatchObject({ worktree: session.worktree });
  });

  test("a given name x is branch opendray/x; a cwd in a subfolder runs in the same subfolder", async () => {
    const repo = makeRepo();
    const session = bodyOf(
      await create(join(repo, "src", "deep"), { worktree: "feature/x" }),
      201,
      sessionSchema,
    );
    const path = `${repo}.worktrees/feature-x`;
    expect(session.worktree).toMatchObject({
      path,
      branch: "opendray/feature/x",
      repository: repo,
    });
    expect(session.cwd).toBe(join(path, "src", "deep"));
    expect(await pwdOf(session)).toBe(join(path, "src", "deep"));
  });

  test("worktree: true without a name uses the session's short id; a taken name gets it appended", async () => {
    const repo = makeRepo();
    const first = bodyOf(await create(repo, { worktree: true }), 201, sessionSchema);
    expect(first.worktree?.branch).toBe(`opendray/${first.id.slice(0, 8)}`);
    const one = bodyOf(await create(repo, { worktree: true, name: "twice" }), 201, sessionSchema);
    const two = bodyOf(await create(repo, { worktree: true, name: "twice" }), 201, sessionSchema);
    expect(one.worktree?.branch).toBe("opendray/twice");
    expect(two.worktree?.branch).toBe(`opendray/twice-${two.id.slice(0, 8)}`);
    expect(two.worktree?.path).toBe(`${repo}.worktrees/twice-${two.id.slice(0, 8)}`);
  });

  test("a branch that already exists: 409 branch_exists, no session, no folder", async () => {
    const repo = makeRepo();
    git(repo, "branch", "opendray/taken");
    const sessionCount = async () =>
      bodyOf(await server.request("GET", "/sessions"), 200, sessionListSchema).sessions.length;
    const before = await sessionCount();
    const refused = errorOf(await create(repo, { worktree: "taken" }), 409);
    expect(refused.code).toBe("branch_exists");
    expect(refused.message).toContain("opendray/taken");
    expect(await sessionCount()).toBe(before);
    expect(existsSync(`${repo}.worktrees/taken`)).toBe(false);
  });

  test("two requests for one branch at once: one session gets it, the other 409 branch_exists", async () => {
    const repo = makeRepo();
    const [one, two] = await Promise.all([
      create(repo, { worktree: "race" }),
      create(repo, { worktree: "race" }),
    ]);
    expect([one.status, two.status].sort()).toEqual([201, 409]);
    const refused = one.status === 409 ? one : two;
    expect(errorOf(refused, 409).code).toBe("branch_exists");
    expect(git(repo, "worktree", "list").split("\n")).toHaveLength(2);
  });

  test("a folder already at the worktree's place: 409 worktree_exists", async () => {
    const repo = makeRepo();
    mkdirSync(`${repo}.worktrees/occupied`, { recursive: true });
    expect(errorOf(await create(repo, { worktree: "occupied" }), 409).code).toBe("worktree_exists");
    expect(branches(repo)).not.toContain("opendray/occupied");
  });

  test.each([
    ["../x"],
    ["-x"],
    ["a b"],
    ["a..b"],
    ["a\u0001b"],
    ["a\tb"],
    ["x".repeat(300)],
    ["a.lock"],
    ["a/"],
    ["a//b"],
    ["a/.b"],
    ["a@{1}"],
    [""],
    [false],
    [5],
  ])("a bad branch name %j: 400 branch_invalid", async (name) => {
    const repo = makeRepo();
    const refused = errorOf(await create(repo, { worktree: name }), 400);
    expect(refused.code).toBe("branch_invalid");
    expect(refused.message).toStartWith("worktree");
    expect(existsSync(`${repo}.worktrees`)).toBe(false);
  });

  test("a folder outside any repository: 400 not_a_git_repository", async () => {
    const plain = realpathSync(mkdtempSync(join(tmpdir(), "opendray-plain-")));
    roots.push(plain);
    const refused = errorOf(await create(plain, { worktree: true }), 400);
    expect(refused).toEqual({
      code: "not_a_git_repository",
      message: `${plain} is not inside a git repository`,
    });
  });

  test("a repository without a commit: 409 no_commits", async () => {
    const empty = realpathSync(mkdtempSync(join(tmpdir(), "opendray-empty-")));
    roots.push(empty);
    git(empty, "init", "-q");
    expect(errorOf(await create(empty, { worktree: true }), 409).code).toBe("no_commits");
  });

  test("restart runs in the same worktree", async () => {
    const repo = makeRepo();
    const first = bodyOf(await create(repo, { worktree: "again" }), 201, sessionSchema);
    await server.request("POST", `/sessions/${first.id}/stop`);
    const second = bodyOf(
      await server.request("POST", `/sessions/${first.id}/restart`),
      201,
      sessionSchema,
    );
    expect(second.worktree).toEqual(first.worktree);
    expect(second.cwd).toBe(first.cwd);
    expect(await pwdOf(second)).toBe(first.cwd);
    // Removing it with the first session would pull it from under the second.
    const refused = errorOf(
      await server.request("DELETE", `/sessions/${first.id}?worktree=remove`),
      409,
    );
    expect(refused.code).toBe("worktree_in_use");
    expect(refused.message).toContain(second.id);
  });
});

test("its Changes show the branch against its base: what the agent committed and what it did not", async () => {
  const repo = makeRepo();
  const session = bodyOf(await create(repo, { worktree: "changes" }), 201, sessionSchema);
  const worktree = session.worktree;
  if (!worktree) throw new Error("no worktree");
  writeFileSync(join(worktree.path, "committed.txt"), "on the branch\n");
  git(worktree.path, "add", "committed.txt");
  git(worktree.path, "commit", "-q", "-m", "agent's work");
  writeFileSync(join(worktree.path, "README.md"), "hello\nedited\n");
  // The repository's own checkout moves on meanwhile: not the branch's change.
  writeFileSync(join(repo, "main-only.txt"), "main\n");
  git(repo, "add", "main-only.txt");
  git(repo, "commit", "-q", "-m", "main moves on");

  const changes = bodyOf(
    await server.request("GET", `/sessions/${session.id}/changes`),
    200,
    changesSchema,
  );
  if (changes.repo.kind !== "repository") throw new Error("not a repository");
  expect(changes.repo.branch).toBe("opendray/changes");
  expect(changes.repo.base).toBe(worktree.base);
  expect(changes.files.map((file) => [file.path, file.kind])).toEqual([
    ["README.md", "modified"],
    ["committed.txt", "added"],
  ]);
  expect(changes.files[1]?.diff).toContain("+on the branch");
});

describe("deleting", () => {
  test("by default the worktree and its branch are kept, and the answer says so", async () => {
    const repo = makeRepo();
    const session = bodyOf(await create(repo, { worktree: "kept" }), 201, sessionSchema);
    const deleted = bodyOf(
      await server.request("DELETE", `/sessions/${session.id}`),
      200,
      sessionDeletedSchema,
    );
    const path = `${repo}.worktrees/kept`;
    expect(deleted.worktree).toEqual({
      path,
      branch: "opendray/kept",
      removed: false,
      branchDeleted: false,
      message: `kept the worktree ${path} and its branch`,
    });
    expect((await server.request("GET", `/sessions/${session.id}`)).status).toBe(404);
    expect(existsSync(join(path, "README.md"))).toBe(true);
    expect(branches(repo)).toContain("opendray/kept");
  });

  test("a session without a worktree still answers 204", async () => {
    const session = await server.spawnShell("exec cat");
    const response = await server.request("DELETE", `/sessions/${session.id}?worktree=remove`);
    expect(response.status).toBe(204);
  });

  test("?worktree=remove on a clean worktree of a live session removes the folder and the merged branch", async () => {
    const repo = makeRepo();
    const session = bodyOf(await create(repo, { worktree: "done" }), 201, sessionSchema);
    await pwdOf(session);
    const deleted = bodyOf(
      await server.request("DELETE", `/sessions/${session.id}?worktree=remove`),
      200,
      sessionDeletedSchema,
    );
    const path = `${repo}.worktrees/done`;
    expect(deleted.worktree).toMatchObject({ path, removed: true, branchDeleted: true });
    expect(existsSync(path)).toBe(false);
    expect(branches(repo)).toEqual(["main"]);
    expect(git(repo, "worktree", "list", "--porcelain")).not.toContain(path);
    expect((await server.request("GET", `/sessions/${session.id}`)).status).toBe(404);
  });

  test("a branch with commits not merged is kept when its worktree is removed", async () => {
    const repo = makeRepo();
    const session = bodyOf(await create(repo, { worktree: "work" }), 201, sessionSchema);
    const path = `${repo}.worktrees/work`;
    writeFileSync(join(path, "new.txt"), "new\n");
    git(path, "add", "new.txt");
    git(path, "commit", "-q", "-m", "work");
    const deleted = bodyOf(
      await server.request("DELETE", `/sessions/${session.id}?worktree=remove`),
      200,
      sessionDeletedSchema,
    );
    expect(deleted.worktree).toMatchObject({ removed: true, branchDeleted: false });
    expect(deleted.worktree.message).toContain("kept branch opendray/work");
    expect(existsSync(path)).toBe(false);
    expect(branches(repo)).toContain("opendray/work");
  });

  test("uncommitted changes or untracked files: 409 worktree_dirty naming them, nothing deleted", async () => {
    const repo = makeRepo();
    const session = bodyOf(await create(repo, { worktree: "dirty" }), 201, sessionSchema);
    const path = `${repo}.worktrees/dirty`;
    writeFileSync(join(path, "scratch.txt"), "unsaved\n");
    writeFileSync(join(path, "README.md"), "changed\n");
    const refused = errorOf(
      await server.request("DELETE", `/sessions/${session.id}?worktree=remove`),
      409,
    );
    expect(refused.code).toBe("worktree_dirty");
    expect(refused.message).toBe(
      `the worktree ${path} has 1 uncommitted change and 1 untracked file (README.md, scratch.txt); commit or discard them first, or keep the worktree`,
    );
    // The session is neither deleted nor stopped, and every file is still there.
    const still = bodyOf(
      await server.request("GET", `/sessions/${session.id}`),
      200,
      sessionSchema,
    );
    expect(still.state).toBe("running");
    expect(await Bun.file(join(path, "scratch.txt")).text()).toBe("unsaved\n");
    expect(branches(repo)).toContain("opendray/dirty");
    // The refusal is audited as such.
    const refusedRow = await eventually(async () => {
      const { entries } = bodyOf(
        await server.request("GET", "/audit?limit=200"),
        200,
        auditListSchema,
      );
      return entries.find((row) => row.target === session.id && row.action === "session.delete");
    }, "the refusal's audit row");
    expect(refusedRow).toMatchObject({ outcome: "error", detail: { status: 409 } });
    // Keeping it is always possible.
    expect((await server.request("DELETE", `/sessions/${session.id}`)).status).toBe(200);
    expect(existsSync(join(path, "scratch.txt"))).toBe(true);
  });

  test("?worktree= takes keep or remove only", async () => {
    const repo = makeRepo();
    const session = bodyOf(await create(repo, { worktree: "query" }), 201, sessionSchema);
    const refused = errorOf(
      await server.request("DELETE", `/sessions/${session.id}?worktree=force`),
      400,
    );
    expect(refused).toEqual({
      code: "worktree_invalid",
      message: "worktree must be keep or remove",
    });
    expect((await server.request("GET", `/sessions/${session.id}`)).status).toBe(200);
  });
});

test("viewers may neither create a worktree nor remove one: 403", async () => {
  const repo = makeRepo();
  const { token } = await server.createUser("wtviewer", "viewer");
  const headers = { authorization: `Bearer ${token}` };
  const created = await server.send(
    "POST",
    "/sessions",
    { provider: "shell", cwd: repo, worktree: "viewer" },
    headers,
  );
  expect(created.status).toBe(403);
  expect(existsSync(`${repo}.worktrees`)).toBe(false);
  const session = bodyOf(await create(repo, { worktree: "owned" }), 201, sessionSchema);
  const removed = await server.send(
    "DELETE",
    `/sessions/${session.id}?worktree=remove`,
    undefined,
    headers,
  );
  expect(removed.status).toBe(403);
  expect(existsSync(`${repo}.worktrees/owned`)).toBe(true);
});

test("creating and removing a worktree are audited with its path and branch", async () => {
  const repo = makeRepo();
  const head = git(repo, "rev-parse", "HEAD");
  const session = bodyOf(await create(repo, { worktree: "audited" }), 201, sessionSchema);
  await server.request("DELETE", `/sessions/${session.id}?worktree=remove`);
  const path = `${repo}.worktrees/audited`;
  const rows = await eventually(async () => {
    const { entries } = bodyOf(
      await server.request("GET", "/audit?limit=200"),
      200,
      auditListSchema,
    );
    const mine = entries.filter((entry) => entry.target === session.id).reverse();
    return mine.length >= 4 ? mine : undefined;
  }, "the audit rows");
  // Each row is its own write: with PostgreSQL's pool, two of one request may land in either order.
  const said = rows
    .map(({ action, actor, detail }) => ({ action, actor, detail }))
    .sort((a, b) => a.action.localeCompare(b.action));
  expect(said).toEqual([
    { action: "session.create", actor: "admin", detail: { provider: "shell" } },
    { action: "session.delete", actor: "admin", detail: {} },
    {
      action: "session.worktree_add",
      actor: "admin",
      detail: { path, branch: "opendray/audited", base: head, repository: repo },
    },
    {
      action: "session.worktree_remove",
      actor: "admin",
      detail: { path, branch: "opendray/audited", branchDeleted: true },
    },
  ]);
});
