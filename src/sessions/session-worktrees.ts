// The git worktree steps around a session's life (src/worktrees/worktrees.ts does the git):
// made before a new session is stored, discarded when it could not be, and on delete, checked
// before the session is stopped and removed after. The manager audits what these did.

import type { SessionsRepo } from "../db/sessions-repo.ts";
import type { SessionWorktree } from "../protocol/session.ts";
import type { SessionDeleted } from "../protocol/session-requests.ts";
import { WorktreeError } from "../worktrees/worktree-error.ts";
import type { WorktreeRemoval, Worktrees } from "../worktrees/worktrees.ts";

/** Where a new session runs: `cwd`, inside `worktree` when it runs in one. */
export interface SessionPlace {
  cwd: string;
  worktree: SessionWorktree | null;
  /** The worktree was made for this session (discard it if the session cannot be stored). */
  made: boolean;
}

export class SessionWorktrees {
  constructor(
    /** Without it, `worktree` requests fail (git_failed). */
    private readonly worktrees: Worktrees | undefined,
    private readonly repo: SessionsRepo,
  ) {}

  /**
   * Where session `id` runs: in a new worktree of the repository holding `cwd` when `want` asks
   * for one (see Worktrees.add), in `existing` (a restart's), or in `cwd` itself.
   */
  async place(
    id: string,
    cwd: string,
    want: true | string | undefined,
    existing: SessionWorktree | undefined,
    name: string | undefined,
  ): Promise<SessionPlace> {
    if (want === undefined) return { cwd, worktree: existing ?? null, made: false };
    if (!this.worktrees) throw new WorktreeError("git_failed", "worktrees are not available");
    const created = await this.worktrees.add(cwd, want, { id, ...(name ? { name } : {}) });
    return { ...created, made: true };
  }

  /** Undo `place`'s new worktree: a worktree of no session would be nobody's to remove. */
  async discard(place: SessionPlace, onError: (error: unknown, context: string) => void) {
    if (!place.worktree || !place.made) return;
    await this.worktrees?.discard(place.worktree).catch((e) => onError(e, "discarding a worktree"));
  }

  /**
   * Refuse (WorktreeError) to remove `worktree` with session `id` while another session runs in
   * it or it holds uncommitted work: checked before the session is stopped, so that a refusal
   * changes nothing.
   */
  async checkRemovable(id: string, worktree: SessionWorktree): Promise<void> {
    if (!this.worktrees) throw new WorktreeError("git_failed", "worktrees are not available");
    const others = (await this.repo.inWorktree(worktree.path)).filter((other) => other !== id);
    if (others.length > 0) {
      throw new WorktreeError(
        "worktree_in_use",
        `session ${others[0]} also runs in ${worktree.path}; delete it first, or keep the worktree`,
      );
    }
    await this.worktrees.checkClean(worktree);
  }

  /** Remove `worktree` (see Worktrees.remove); undefined without worktrees. */
  remove(worktree: SessionWorktree): Promise<WorktreeRemoval> | undefined {
    return this.worktrees?.remove(worktree);
  }
}

/** What deleting a session did to its worktree (`removal` absent: it was kept). */
export function worktreeDeleted(
  worktree: SessionWorktree,
  removal: WorktreeRemoval | undefined,
): SessionDeleted {
  return {
    worktree: {
      path: worktree.path,
      branch: worktree.branch,
      removed: removal !== undefined,
      branchDeleted: removal?.branchDeleted ?? false,
      message: removal?.message ?? `kept the worktree ${worktree.path} and its branch`,
    },
  };
}
