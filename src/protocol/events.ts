// Wire protocol of GET /api/v1/events: JSON text frames, one lifecycle event each. The schema
// (zod/mini) is what the browser decodes them with.
import * as z from "zod/mini";
import { sessionSchema } from "./session.ts";

export const lifecycleEventTypeSchema = z.enum([
  "session.created",
  "session.state",
  "session.exited",
  "session.renamed",
  /** The session's `activity` changed (working, waiting on a prompt, done, quiet). */
  "session.activity",
  "session.deleted",
]);
export type LifecycleEventType = z.infer<typeof lifecycleEventTypeSchema>;

export const lifecycleEventSchema = z.object({
  type: lifecycleEventTypeSchema,
  session: sessionSchema,
});
export type LifecycleEvent = z.infer<typeof lifecycleEventSchema>;
