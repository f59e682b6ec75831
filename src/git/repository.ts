// Where a folder stands in git: the repository's git directory and the folder's place in it,
// an unfinished operation (read from the git directory as git's own prompt does), a base commit
// checked, the empty tree, and the filter drivers to switch off before git reads any file.

import { existsSync } from "node:fs";
import { join } from "node:path";
import { badRequest } from "../errors.ts";
import type { RepoOperation } from "../protocol/changes.ts";
import { type Git, GitFailed } from "./run-git.ts";

/**
 * Config that empties the `clean`, `smudge` and `process` commands of every filter driver the
 * configuration names (repository, user or system): a filter is a program git would run.
 */
export async function filterOverrides(git: Git): Promise<[string, string][]> {
  const names = await git(["config", "-z", "--name-only", "--get-regexp", "^filter\\."], {
    maxBytes: 1024 * 1024,
    okCodes: [0, 1],
  });
  const drivers = new Set(
    names.text
      .split("\0")
      .map((name) => /^filter\.(.*)\.[^.]+$/s.exec(name)?.[1])
      .filter((name) => name !== undefined),
  );
  return [...drivers].flatMap((driver) =>
    ["clean", "smudge", "process"]
      .map((key): [string, string] => [`filter.${driver}.${key}`, ""])
      .concat([[`filter.${driver}.required`, "false"]]),
  );
}

/** The repository's git dir and the folder's prefix in it; null when the folder is in none. */
export async function locate(git: Git): Promise<{ gitDir: string; prefix: string } | null> {
  try {
    const [inside, gitDir = "", prefix = ""] = (
      await git(["rev-parse", "--is-inside-work-tree", "--absolute-git-dir", "--show-prefix"], {
        maxBytes: 64 * 1024,
      })
    ).text.split("\n");
    return inside === "true" ? { gitDir, prefix } : null;
  } catch (error) {
    if (error instanceof GitFailed && /not a git repository/i.test(error.stderr)) return null;
    throw error;
  }
}

/** The full hash of commit `base`; 400 base_invalid when it names none. */
export async function verifyCommit(git: Git, base: string): Promise<string> {
  const found = await git(
    ["rev-parse", "--verify", "--quiet", "--end-of-options", `${base}^{commit}`],
    {
      maxBytes: 1024,
      okCodes: [0, 1, 128],
    },
  );
  if (found.exitCode !== 0)
    throw badRequest("base_invalid", `${base} is not a commit of this repository`);
  return found.text.trim();
}

/** The empty tree's id (SHA-1 or SHA-256, as the repository uses): the base with no commits. */
export async function emptyTree(git: Git): Promise<string> {
  return (await git(["hash-object", "-t", "tree", "/dev/null"], { maxBytes: 1024 })).text.trim();
}

/** The operation left unfinished in `gitDir`, or null. */
export function operationIn(gitDir: string): RepoOperation | null {
  const has = (name: string) => existsSync(join(gitDir, name));
  if (has("rebase-merge") || has("rebase-apply")) return "rebase";
  if (has("MERGE_HEAD")) return "merge";
  if (has("CHERRY_PICK_HEAD")) return "cherry_pick";
  if (has("REVERT_HEAD")) return "revert";
  if (has("BISECT_LOG")) return "bisect";
  return null;
}
