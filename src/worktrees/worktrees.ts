// Git worktrees for sessions: one created on a new branch `opendray/<name>` beside the
// repository holding a session's folder, and removed again only when nothing in it would be
// lost. Every path is worked out here from what git says, never taken from a request.

import { lstatSync, realpathSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { SessionWorktree } from "../protocol/session.ts";
import type { Git } from "./git.ts";
import { WorktreeError } from "./worktree-error.ts";

/** Every branch the server creates lives under this prefix. */
export const BRANCH_PREFIX = "opendray/";
/** Longest slug made from a session's name for `worktree: true`. */
const NAME_SLUG_CHARS = 40;

export interface NewWorktree {
  worktree: SessionWorktree;
  /** The session's folder: the same subfolder of the worktree as `cwd` was of its repository. */
  cwd: string;
}

export interface WorktreeRemoval {
  branchDeleted: boolean;
  /** For people: what happened to the folder and the branch. */
  message: string;
}

export interface Worktrees {
  /**
   * Create a worktree of the repository holding `cwd` on a new branch from its HEAD: `want` true
   * names the branch after `hint.name` (else `hint.id`'s first 8 characters), a string names it
   * `opendray/<want>`. WorktreeError: not_a_git_repository, no_commits, branch_invalid,
   * branch_exists, worktree_exists, git_failed.
   */
  add(cwd: string, want: true | string, hint: { name?: string; id: string }): Promise<NewWorktree>;
  /**
   * WorktreeError `worktree_dirty` (naming what) when `git status` lists anything in the
   * worktree: uncommitted changes or untracked files that removing it would lose.
   */
  checkClean(worktree: SessionWorktree): Promise<void>;
  /**
   * `git worktree remove` (refused while anything is uncommitted: worktree_dirty), then
   * `git branch -d` (kept when not merged). A folder already gone is pruned.
   */
  remove(worktree: SessionWorktree): Promise<WorktreeRemoval>;
  /** Undo an `add` whose session could not be created: nothing was done in it yet. */
  discard(worktree: SessionWorktree): Promise<void>;
}

/** `name` as a branch-name part: lower case letters, digits and dashes; "" when none is left. */
export function slugOf(name: string): string {
  return (
    name
      .normalize("NFKD")
      // Accents go, the letters they sat on stay (é → e).
      .replace(/\p{M}/gu, "")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, NAME_SLUG_CHARS)
      .replace(/-+$/, "")
  );
}

/** The worktree's folder name: the branch without its prefix, `/` as `-`. */
const folderOf = (branch: string) => branch.slice(BRANCH_PREFIX.length).replaceAll("/", "-");

/** Whether anything is at `path` (a folder, a file, a dangling link). */
function occupied(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** The first line of what git printed on failure, for a message. */
const firstLine = (text: string) => text.trim().split("\n")[0] ?? "";

export function createWorktrees(git: Git): Worktrees {
  const run = async (cwd: string, args: string[], what: string): Promise<string> => {
    const result = await git(cwd, args);
    if (result.exitCode !== 0) {
      throw new WorktreeError("git_failed", `${what}: ${firstLine(result.stderr) || "git failed"}`);
    }
    return result.stdout;
  };

  const branchExists = async (repository: string, branch: string) =>
    (await git(repository, ["show-ref", "--verify", "--quiet", `refs/heads/${branch}`]))
      .exitCode === 0;

  /** The repository holding `cwd`: its main worktree, HEAD commit and cwd's path inside it. */
  const locate = async (cwd: string) => {
    const inside = await git(cwd, ["rev-parse", "--is-inside-work-tree"]);
    if (inside.exitCode !== 0 || inside.stdout.trim() !== "true") {
      throw new WorktreeError("not_a_git_repository", `${cwd} is not inside a git repository`);
    }
    const [commonDir = "", prefix = ""] = (
      await run(
        cwd,
        ["rev-parse", "--path-format=absolute", "--git-common-dir", "--show-prefix"],
        "reading the repository",
      )
    ).split("\n");
    if (basename(commonDir) !== ".git") {
      throw new WorktreeError(
        "not_a_git_repository",
        `${cwd} is in a repository without a main worktree`,
      );
    }
    const head = await git(cwd, ["rev-parse", "--verify", "--quiet", "HEAD^{commit}"]);
    if (head.exitCode !== 0) {
      throw new WorktreeError("no_commits", "the repository has no commit yet to branch from");
    }
    return { repository: dirname(commonDir), base: head.stdout.trim(), prefix };
  };

  const checkBranch = async (repository: string, branch: string) => {
    const check = await git(repository, ["check-ref-format", "--branch", branch]);
    if (check.exitCode !== 0) {
      throw new WorktreeError("branch_invalid", `${branch} is not a valid branch name`);
    }
  };

  /** What `git status --porcelain` lists in the worktree: empty when nothing would be lost. */
  const changes = async (worktree: SessionWorktree): Promise<string[]> => {
    if (!occupied(worktree.path)) return [];
    const status = await run(
      worktree.path,
      ["status", "--porcelain", "--untracked-files=all"],
      `reading the status of ${worktree.path}`,
    );
    return status.split("\n").filter((line) => line.length > 0);
  };
  const checkClean = async (worktree: SessionWorktree) => {
    const listed = await changes(worktree);
    if (listed.length > 0) throw dirty(worktree.path, listed);
  };

  return {
    async add(cwd, want, hint) {
      const { repository, base, prefix } = await locate(realpathSync(cwd));
      const home = `${join(dirname(repository), basename(repository))}.worktrees`;
      const short = hint.id.slice(0, 8);
      let branch = `${BRANCH_PREFIX}${want === true ? slugOf(hint.name ?? "") || short : want}`;
      await checkBranch(repository, branch);
      let path = join(home, folderOf(branch));
      if (want === true && ((await branchExists(repository, branch)) || occupied(path))) {
        // A name chosen for the user: make it unique rather than refuse.
        if (!branch.endsWith(short)) branch = `${branch}-${short}`;
        path = join(home, folderOf(branch));
      }
      if (await branchExists(repository, branch)) {
        throw new WorktreeError("branch_exists", `branch ${branch} already exists`);
      }
      if (occupied(path)) {
        throw new WorktreeError("worktree_exists", `${path} already exists`);
      }
      const added = await git(repository, [
        "worktree",
        "add",
        "--no-track",
        "-b",
        branch,
        path,
        base,
      ]);
      if (added.exitCode !== 0) {
        // Another request took the branch or the folder since the checks above.
        if (await branchExists(repository, branch)) {
          throw new WorktreeError("branch_exists", `branch ${branch} already exists`);
        }
        throw new WorktreeError(
          "git_failed",
          `creating the worktree ${path}: ${firstLine(added.stderr) || "git failed"}`,
        );
      }
      const subfolder = join(path, prefix);
      return {
        worktree: { path, branch, base, repository },
        cwd: prefix && occupied(subfolder) ? subfolder.replace(/\/$/, "") : path,
      };
    },

    checkClean,

    async remove(worktree) {
      const { path, branch, repository } = worktree;
      if (occupied(path)) {
        await checkClean(worktree);
        const removed = await git(repository, ["worktree", "remove", path]);
        if (removed.exitCode !== 0) {
          // Written to between the check and the removal: git refused, nothing was lost.
          await checkClean(worktree);
          throw new WorktreeError(
            "git_failed",
            `removing the worktree ${path}: ${firstLine(removed.stderr)}`,
          );
        }
      } else {
        await git(repository, ["worktree", "prune"]);
      }
      if (!(await branchExists(repository, branch))) {
        return { branchDeleted: false, message: `removed ${path}; branch ${branch} was gone` };
      }
      const deleted = await git(repository, ["branch", "-d", branch]);
      return deleted.exitCode === 0
        ? { branchDeleted: true, message: `removed ${path} and its merged branch ${branch}` }
        : {
            branchDeleted: false,
            message: `removed ${path}; kept branch ${branch}: it is not merged into the repository's HEAD`,
          };
    },

    async discard({ path, branch, repository }) {
      await git(repository, ["worktree", "remove", "--force", path]);
      await git(repository, ["branch", "-D", branch]);
    },
  };
}

function dirty(path: string, changes: string[]): WorktreeError {
  const untracked = changes.filter((line) => line.startsWith("??")).length;
  const modified = changes.length - untracked;
  const parts = [
    modified > 0 ? `${modified} uncommitted change${modified === 1 ? "" : "s"}` : "",
    untracked > 0 ? `${untracked} untracked file${untracked === 1 ? "" : "s"}` : "",
  ].filter(Boolean);
  const listed = changes
    .slice(0, 10)
    .map((line) => line.slice(3))
    .join(", ");
  return new WorktreeError(
    "worktree_dirty",
    `the worktree ${path} has ${parts.join(" and ")} (${listed}${changes.length > 10 ? ", …" : ""}); commit or discard them first, or keep the worktree`,
  );
}
