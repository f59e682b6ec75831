// Wire protocol of GET /api/v1/events: JSON text frames, one lifecycle event each.
import type { Session } from "./session.ts";

export type LifecycleEventType =
  | "session.created"
  | "session.state"
  | "session.exited"
  | "session.renamed"
  /** The session's `activity` changed (working, waiting on a prompt, done, quiet). */
  | "session.activity"
  | "session.deleted";

export interface LifecycleEvent {
  type: LifecycleEventType;
  session: Session;
}
