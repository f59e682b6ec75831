// What the session manager did to a session, and who or what caused it: the domain events the
// audit log is written from (main subscribes it). Unlike the lifecycle events of /events, these
// carry the requester's address and never go to browsers.

/** Who asked: the signed-in user (or token holder) and the client address of the request. */
export interface Actor {
  username: string;
  /** The client IP the request came from; null when none is known (a Telegram chat). */
  address: string | null;
  /** How the request arrived when not the REST API itself: "web", "push", "telegram". */
  channel?: string;
}

/** Why the server acted on its own: no request caused it. */
export type SystemReason =
  | "server_start"
  | "server_stop"
  | "host_lost"
  | "exited"
  | "start_failed"
  /** A caller inside the server (a test, a script) that named no actor. */
  | "internal";

/** A request's actor, or the reason the server acted by itself. */
export type Cause = { actor: Actor } | { reason: SystemReason };

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
  | "session.interrupted";

/** One thing that happened to the session `sessionId`. */
export interface SessionAction {
  type: SessionActionType;
  sessionId: string;
  /** Null when the server acted by itself; `detail.reason` then says why. */
  actor: Actor | null;
  detail: Record<string, unknown>;
}

/** The actor of `cause`, and the detail that says why when there is none. */
export function describeCause(cause: Cause | undefined): Pick<SessionAction, "actor" | "detail"> {
  if (cause && "actor" in cause) return { actor: cause.actor, detail: {} };
  return { actor: null, detail: { reason: cause?.reason ?? "internal" } };
}
