// The Session resource as the REST API and the WebSocket stream carry it.
// Pure types: imported by the server and by web/.

import type { Activity } from "./attention.ts";

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
export type SessionState = (typeof SESSION_STATES)[number];

/** States in which a process may still be attached to the session. */
export const LIVE_STATES: readonly SessionState[] = ["starting", "running", "idle"];

/** Timestamps are ISO 8601 strings; offsets count bytes of output since the session began. */
export interface Session {
  id: string;
  name: string;
  provider: string;
  cwd: string;
  args: string[];
  state: SessionState;
  pid: number | null;
  exitCode: number | null;
  exitSignal: string | null;
  cols: number;
  rows: number;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
  lastOutputAt: string | null;
  outputOffset: number;
  parentSessionId: string | null;
  createdBy: string | null;
  endReason: string | null;
  /**
   * The CLI's own conversation id when its provider can pin one (Claude Code's `--session-id`):
   * restarting the session resumes that conversation (`--resume <id>`).
   */
  conversationId: string | null;
  /** Started with the provider's bypass flag (skip the CLI's permission prompts); kept on restart. */
  bypass: boolean;
  /**
   * What the program is doing for its user (working, waiting on a prompt, done, quiet) while
   * the session is live; null once it has ended, and for a server that has not heard from it.
   */
  activity: Activity | null;
}
