// Wire protocol of GET /api/v1/events: JSON text frames, one lifecycle event each.
import type { Session } from "./session.ts";

export type LifecycleEventType =
  | "session.created"
  | "session.state"
  | "session.exited"
  | "session.renamed"
  | "session.deleted";

export interface LifecycleEvent {
  type: LifecycleEventType;
  session: Session;
}
