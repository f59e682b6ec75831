// What the session manager did to a session, and who or what caused it: the domain events the
// audit log is written from (main subscribes it). Unlike the lifecycle events of /events, these
// carry the requester's address and never go to browsers.

import type { Actor } from "../cause.ts";

export type SessionActionType =
  | "session.created"
  | "session.renamed"
  | "session.input"
  | "session.answered"
  | "session.stopped"
  | "session.restarted"
  | "session.deleted"
  | "session.ended"
  | "session.resumed"
  | "session.interrupted"
  | "session.worktree_added"
  | "session.worktree_removed"
  | "session.exported";

/** One thing that happened to the session `sessionId`. */
export interface SessionAction {
  type: SessionActionType;
  sessionId: string;
  /** Null when the server acted by itself; `detail.reason` then says why. */
  actor: Actor | null;
  detail: Record<string, unknown>;
}
