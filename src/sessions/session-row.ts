// A session's database row and back: the resource (src/protocol/session.ts) as the sessions
// table stores it (src/db/schema.ts).

import type { SessionRow } from "../db/schema.ts";
import type { Session } from "../protocol/session.ts";

const toDate = (iso: string | null) => (iso === null ? null : new Date(iso));

/** The row's columns for `session` (all but its id and creation time). */
export function toPatch(session: Session) {
  return {
    name: session.name,
    provider: session.provider,
    cwd: session.cwd,
    args: session.args,
    state: session.state,
    pid: session.pid,
    exitCode: session.exitCode,
    exitSignal: session.exitSignal,
    cols: session.cols,
    rows: session.rows,
    startedAt: toDate(session.startedAt),
    endedAt: toDate(session.endedAt),
    lastOutputAt: toDate(session.lastOutputAt),
    outputOffset: session.outputOffset,
    parentSessionId: session.parentSessionId,
    createdBy: session.createdBy,
    endReason: session.endReason,
    conversationId: session.conversationId,
    bypass: session.bypass,
    worktreePath: session.worktree?.path ?? null,
    worktreeBranch: session.worktree?.branch ?? null,
    worktreeBase: session.worktree?.base ?? null,
    worktreeRepository: session.worktree?.repository ?? null,
  };
}

/** The session a stored row describes (its activity is unknown: null). */
export function fromRow(row: SessionRow): Session {
  const iso = (date: Date | null) => (date === null ? null : date.toISOString());
  return {
    id: row.id,
    name: row.name,
    provider: row.provider,
    cwd: row.cwd,
    args: row.args,
    state: row.state,
    pid: row.pid,
    exitCode: row.exitCode,
    exitSignal: row.exitSignal,
    cols: row.cols,
    rows: row.rows,
    createdAt: row.createdAt.toISOString(),
    startedAt: iso(row.startedAt),
    endedAt: iso(row.endedAt),
    lastOutputAt: iso(row.lastOutputAt),
    outputOffset: row.outputOffset,
    parentSessionId: row.parentSessionId,
    createdBy: row.createdBy,
    endReason: row.endReason,
    conversationId: row.conversationId,
    bypass: row.bypass,
    activity: null,
    worktree:
      row.worktreePath && row.worktreeBranch && row.worktreeBase && row.worktreeRepository
        ? {
            path: row.worktreePath,
            branch: row.worktreeBranch,
            base: row.worktreeBase,
            repository: row.worktreeRepository,
          }
        : null,
  };
}
