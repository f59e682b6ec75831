// Who or what caused an action: a request's actor, or the reason the server acted by itself. The
// domains that report audited actions (sessions, accounts, providers) take one and pass it on.

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
  /** A share link's visitor, who is nobody (the link's own `share.open` row says who). */
  | "share_link"
  /** A caller inside the server (a test, a script) that named no actor. */
  | "internal";

/** A request's actor, or the reason the server acted by itself. */
export type Cause = { actor: Actor } | { reason: SystemReason };

/** The actor of `cause`, and the detail that says why when there is none. */
export function describeCause(cause: Cause | undefined): {
  actor: Actor | null;
  detail: Record<string, unknown>;
} {
  if (cause && "actor" in cause) return { actor: cause.actor, detail: {} };
  return { actor: null, detail: { reason: cause?.reason ?? "internal" } };
}
