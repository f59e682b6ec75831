// How the stream socket closes when the session ends a viewer: one row per ViewerEndReason, the
// close code clients act on (DESIGN §5) and the reason text sent with it.

import { CloseCode } from "../protocol/stream.ts";
import type { ViewerEndReason } from "../sessions/viewer.ts";

export interface StreamClose {
  code: number;
  reason: string;
}

/** The close frame for each reason a session ends a viewer. */
export const STREAM_CLOSE: Readonly<Record<ViewerEndReason, StreamClose>> = {
  ended: { code: CloseCode.normal, reason: "session ended" },
  overtaken: { code: CloseCode.tooSlow, reason: "viewer fell behind; reconnect with since=" },
  stalled: { code: CloseCode.tooSlow, reason: "viewer stopped reading; reconnect with since=" },
  deleted: { code: CloseCode.sessionDeleted, reason: "session deleted" },
  server_stopping: { code: CloseCode.goingAway, reason: "server shutting down" },
  host_lost: { code: CloseCode.goingAway, reason: "the PTY host went away" },
};
