// The Session resource as the REST API and the WebSocket stream carry it.
// Schemas (zod/mini) and the types inferred from them: imported by the server and by web/. The
// schemas check shape only: the browser decodes what the server sends with them.

import * as z from "zod/mini";
import { activitySchema } from "./attention.ts";

/** Lifecycle states; see DESIGN §6. `interrupted` = the server went away while it was live. */
export const SESSION_STATES = [
  "starting",
  "running",
  "idle",
  "stopped",
  "ended",
  "failed",
  "interrupted",
] as const;
export const sessionStateSchema = z.enum(SESSION_STATES);
export type SessionState = z.infer<typeof sessionStateSchema>;

/** States in which a process may still be attached to the session. */
export const LIVE_STATES: readonly SessionState[] = ["starting", "running", "idle"];

/**
 * The git worktree a session runs in (created for it with `worktree` on POST /sessions): its
 * folder, its branch, the commit the branch was created from (the base its changes are shown
 * against) and the repository's main worktree.
 */
export const sessionWorktreeSchema = z.object({
  path: z.string(),
  branch: z.string(),
  base: z.string(),
  repository: z.string(),
});
export type SessionWorktree = z.infer<typeof sessionWorktreeSchema>;

/** Timestamps are ISO 8601 strings; offsets count bytes of output since the session began. */
export const sessionSchema = z.object({
  id: z.string(),
  name: z.string(),
  provider: z.string(),
  cwd: z.string(),
  args: z.array(z.string()),
  state: sessionStateSchema,
  pid: z.nullable(z.number()),
  exitCode: z.nullable(z.number()),
  exitSignal: z.nullable(z.string()),
  cols: z.number(),
  rows: z.number(),
  createdAt: z.string(),
  startedAt: z.nullable(z.string()),
  endedAt: z.nullable(z.string()),
  lastOutputAt: z.nullable(z.string()),
  outputOffset: z.number(),
  parentSessionId: z.nullable(z.string()),
  createdBy: z.nullable(z.string()),
  endReason: z.nullable(z.string()),
  /**
   * The CLI's own conversation id when its provider can pin one (Claude Code's `--session-id`):
   * restarting the session resumes that conversation (`--resume <id>`).
   */
  conversationId: z.nullable(z.string()),
  /** Started with the provider's bypass flag (skip the CLI's permission prompts); kept on restart. */
  bypass: z.boolean(),
  /**
   * What the program is doing for its user (working, waiting on a prompt, done, quiet) while
   * the session is live; null once it has ended, and for a server that has not heard from it.
   */
  activity: z.nullable(activitySchema),
  /** The git worktree the session runs in; null for a session started in a folder as it is. */
  worktree: z.nullable(sessionWorktreeSchema),
});
export type Session = z.infer<typeof sessionSchema>;
