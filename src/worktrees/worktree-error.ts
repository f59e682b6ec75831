// WorktreeError: what creating or removing a session's git worktree refuses, and why. The
// transports give each kind its status and wire code (src/http/session-errors.ts).

/**
 * - `not_a_git_repository`: the session's folder is not inside a git repository (or a bare one);
 * - `no_commits`: the repository has no commit to branch from;
 * - `branch_invalid`: git does not accept the branch name;
 * - `branch_exists`: the branch asked for already exists;
 * - `worktree_exists`: something is already at the worktree's folder;
 * - `worktree_dirty`: the worktree holds uncommitted changes or untracked files;
 * - `worktree_in_use`: another session runs in the worktree;
 * - `git_failed`: git refused for another reason (its message says which).
 */
export type WorktreeErrorKind =
  | "not_a_git_repository"
  | "no_commits"
  | "branch_invalid"
  | "branch_exists"
  | "worktree_exists"
  | "worktree_dirty"
  | "worktree_in_use"
  | "git_failed";

export class WorktreeError extends Error {
  constructor(
    readonly kind: WorktreeErrorKind,
    message: string,
  ) {
    super(message);
    this.name = "WorktreeError";
  }
}
