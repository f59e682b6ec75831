// Readers of git's machine formats (NUL-separated, -z): `status --porcelain=v2 --branch` and
// `diff --raw --numstat`. Paths come back exactly as git wrote them, never unquoted by guesswork.

import type { ChangeKind } from "../protocol/changes.ts";

export interface StatusEntry {
  /** Relative to the repository's top. */
  path: string;
  /** Index side (X) and working-tree side (Y) of git's XY; "." is unchanged. */
  index: string;
  worktree: string;
  kind: "tracked" | "untracked" | "conflicted";
}

export interface Status {
  /** HEAD's commit, or null before the first commit ("(initial)"). */
  head: string | null;
  /** The branch, or null when HEAD is detached. */
  branch: string | null;
  entries: StatusEntry[];
}

/** The first `count` space-separated fields of `record`, then the rest (a path with spaces). */
function fields(record: string, count: number): { parts: string[]; rest: string } {
  const parts: string[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    const space = record.indexOf(" ", at);
    if (space < 0) return { parts, rest: "" };
    parts.push(record.slice(at, space));
    at = space + 1;
  }
  return { parts, rest: record.slice(at) };
}

/** Reads `git status --porcelain=v2 --branch -z` output. */
export function parseStatus(output: string): Status {
  const records = output.split("\0");
  const status: Status = { head: null, branch: null, entries: [] };
  for (let i = 0; i < records.length; i++) {
    const record = records[i] ?? "";
    if (record.startsWith("# branch.oid ")) {
      const oid = record.slice("# branch.oid ".length);
      status.head = oid === "(initial)" ? null : oid;
    } else if (record.startsWith("# branch.head ")) {
      const head = record.slice("# branch.head ".length);
      status.branch = head === "(detached)" ? null : head;
    } else if (record.startsWith("1 ")) {
      const { parts, rest } = fields(record, 8);
      status.entries.push(tracked(parts[1] ?? "..", rest));
    } else if (record.startsWith("2 ")) {
      // A rename or copy in the index: the original path is the next record.
      const { parts, rest } = fields(record, 9);
      status.entries.push(tracked(parts[1] ?? "..", rest));
      i++;
    } else if (record.startsWith("u ")) {
      const { parts, rest } = fields(record, 10);
      const xy = parts[1] ?? "UU";
      status.entries.push({
        path: rest,
        index: xy[0] ?? "U",
        worktree: xy[1] ?? "U",
        kind: "conflicted",
      });
    } else if (record.startsWith("? ")) {
      status.entries.push({ path: record.slice(2), index: ".", worktree: "?", kind: "untracked" });
    }
  }
  return status;
}

const tracked = (xy: string, path: string): StatusEntry => ({
  path,
  index: xy[0] ?? ".",
  worktree: xy[1] ?? ".",
  kind: "tracked",
});

export interface DiffEntry {
  path: string;
  oldPath: string | null;
  kind: ChangeKind;
  /** null for binary files ("-" in numstat). */
  additions: number | null;
  deletions: number | null;
}

const KINDS: Record<string, ChangeKind> = {
  A: "added",
  M: "modified",
  D: "deleted",
  R: "renamed",
  C: "copied",
  T: "type_changed",
  U: "conflicted",
};

/**
 * Reads `git diff --raw --numstat -z` output: every raw record (status, paths) comes first, then
 * the numstat records in the same order.
 */
export function parseRawNumstat(output: string): DiffEntry[] {
  const tokens = output.split("\0");
  const entries: DiffEntry[] = [];
  let i = 0;
  while (i < tokens.length && tokens[i]?.startsWith(":")) {
    const meta = (tokens[i] ?? "").slice(1).split(" ");
    const letter = (meta[4] ?? "M")[0] ?? "M";
    const kind = KINDS[letter] ?? "modified";
    if (letter === "R" || letter === "C") {
      entries.push({
        oldPath: tokens[i + 1] ?? "",
        path: tokens[i + 2] ?? "",
        kind,
        additions: 0,
        deletions: 0,
      });
      i += 3;
    } else {
      entries.push({ oldPath: null, path: tokens[i + 1] ?? "", kind, additions: 0, deletions: 0 });
      i += 2;
    }
  }
  for (const entry of entries) {
    const [added = "0", deleted = "0", path = ""] = (tokens[i] ?? "").split("\t");
    // A rename's numstat names no path on its own line: the two paths follow.
    i += path === "" ? 3 : 1;
    entry.additions = added === "-" ? null : Number(added);
    entry.deletions = deleted === "-" ? null : Number(deleted);
  }
  return entries;
}

/** Cuts a patch into its files' parts, each starting at its `diff --git` line. */
export function splitPatch(patch: string): string[] {
  const parts: string[] = [];
  let start = patch.startsWith("diff --git ") ? 0 : -1;
  let at = patch.indexOf("\ndiff --git ");
  while (at >= 0) {
    if (start >= 0) parts.push(patch.slice(start, at + 1));
    start = at + 1;
    at = patch.indexOf("\ndiff --git ", start);
  }
  if (start >= 0) parts.push(patch.slice(start));
  return parts;
}
