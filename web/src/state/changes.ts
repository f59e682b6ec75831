// The Changes view of one session: the last answer, its error, whether a load runs, and the
// rule that refreshes it: when the session comes to rest (its activity turns quiet, done or
// waiting, or it stops), never on a timer. The network is ./api/changes.ts.

import { signal } from "@preact/signals";
import type { Session } from "../../../src/protocol/session.ts";
import type { ChangedFile, Changes, RepoState } from "../api/changes.ts";
import { errorMessage } from "../api/http.ts";

/**
 * A key that changes each time the session comes to rest (null while it works): a new key is
 * the moment to refresh. Activity first; a session without one rests when idle or finished.
 */
export function restKey(session: Session): string | null {
  const activity = session.activity;
  if (activity) return activity.state === "working" ? null : `${activity.state}@${activity.since}`;
  return session.state === "running" || session.state === "starting" ? null : session.state;
}

/** One line saying where the repository stands ("Detached HEAD at abc1234"). */
export function describeRepo(repo: RepoState, files: readonly ChangedFile[]): string {
  if (repo.kind === "not_a_repository") return "Not a git repository";
  const conflicted = files.filter((file) => file.kind === "conflicted").length;
  const conflicts = `${conflicted} conflicted file${conflicted === 1 ? "" : "s"}`;
  const where =
    repo.head === null
      ? `No commits yet${repo.branch ? ` on ${repo.branch}` : ""}`
      : repo.branch
        ? `On ${repo.branch}`
        : `Detached HEAD at ${repo.head.slice(0, 7)}`;
  switch (repo.operation) {
    case "merge":
      return `Merge in progress: ${conflicts} · ${where}`;
    case "rebase":
      return `Rebase in progress: ${conflicts} · ${where}`;
    case "cherry_pick":
      return `Cherry-pick in progress: ${conflicts} · ${where}`;
    case "revert":
      return `Revert in progress: ${conflicts} · ${where}`;
    case "bisect":
      return `Bisecting · ${where}`;
    default:
      return where;
  }
}

/** The status letter git would show: A M D R C T U, and ? for untracked. */
export function statusLetter(file: ChangedFile): string {
  const letters: Record<ChangedFile["kind"], string> = {
    added: "A",
    modified: "M",
    deleted: "D",
    renamed: "R",
    copied: "C",
    type_changed: "T",
    untracked: "?",
    conflicted: "U",
  };
  return letters[file.kind];
}

export function createChangesView(load: () => Promise<Changes>) {
  const changes = signal<Changes | null>(null);
  const error = signal("");
  const busy = signal(false);
  // Only the last load's answer is shown: an older, slower one must not replace it.
  let latest = 0;
  return {
    changes,
    error,
    busy,
    async refresh() {
      const mine = ++latest;
      busy.value = true;
      try {
        const value = await load();
        if (mine !== latest) return;
        changes.value = value;
        error.value = "";
      } catch (e) {
        if (mine === latest) error.value = errorMessage(e);
      } finally {
        if (mine === latest) busy.value = false;
      }
    },
  };
}

export type ChangesView = ReturnType<typeof createChangesView>;
