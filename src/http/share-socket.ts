// The terminal stream of a share link: the stream of a read-only viewer (stream-socket.ts) whose
// session details are hidden, which closes with 4403 the moment its link is revoked or expires,
// and which, for a `recording` link, ends (1000) once it has sent the output kept when it opened.

import type { ShareLinkRow } from "../db/schema.ts";
import type { Session } from "../protocol/session.ts";
import { CloseCode, type ServerEvent } from "../protocol/stream.ts";
import type { SessionManager } from "../sessions/manager.ts";
import type { SendResult, ViewerSink } from "../sessions/viewer.ts";
import type { ShareLinks } from "../shares/share-links.ts";
import type { Metrics } from "./metrics.ts";
import type { SocketHandler } from "./socket-hub.ts";
import { createStreamSocket } from "./stream-socket.ts";

/** The session as a share link shows it: no folder, arguments, process, owner or prompt. */
export function sharedView(session: Session): Session {
  return {
    ...session,
    cwd: "",
    args: [],
    pid: null,
    createdBy: null,
    parentSessionId: null,
    conversationId: null,
    endReason: null,
    activity: null,
  };
}

function hideDetails(event: ServerEvent): ServerEvent {
  if (event.type === "hello" || event.type === "state") {
    return { ...event, session: sharedView(event.session) };
  }
  return event;
}

/**
 * A sink that passes output only up to the offset the viewer's hello announces (the end of the
 * output when the link was opened), then ends the viewer as a finished session's is ended.
 */
function recordingOnly(sink: ViewerSink): ViewerSink {
  // Invariant: `at` is the offset of the next output byte the sink is handed (as the browser
  // counts it: src/web stream-connection), `until` the hello's offset; done once at >= until.
  let at = 0;
  let until: number | undefined;
  let snapshotAt: number | undefined;
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    // Not from inside the viewer's own send loop.
    queueMicrotask(() => sink.close("ended"));
  };
  return {
    sendEvent(event) {
      if (done) return;
      if (event.type === "hello") {
        at = event.bufferStart;
        until = event.offset;
      } else if (event.type === "truncated") at = Math.max(at, event.to);
      else if (event.type === "snapshot") snapshotAt = event.offset;
      sink.sendEvent(event);
      if (event.type === "hello" && at >= event.offset) finish();
    },
    sendOutput(bytes): SendResult {
      if (done || until === undefined) return "sent";
      if (snapshotAt !== undefined) {
        at = snapshotAt;
        snapshotAt = undefined;
        const result = sink.sendOutput(bytes);
        if (at >= until) finish();
        return result;
      }
      const part = bytes.subarray(0, Math.max(0, until - at));
      at += part.length;
      const result = part.length > 0 ? sink.sendOutput(part) : "sent";
      if (at >= until) finish();
      return result;
    },
    close: (reason) => {
      done = true;
      sink.close(reason);
    },
    holdInput: (hold) => sink.holdInput(hold),
  };
}

export interface ShareSocketDeps {
  manager: SessionManager;
  shares: ShareLinks;
  link: ShareLinkRow;
  /** Live links only: where a reconnecting viewer resumes. */
  since: number | undefined;
  metrics: Metrics;
  onError: (error: unknown, context: string) => void;
}

export function createShareSocket({
  manager,
  shares,
  link,
  since,
  metrics,
  onError,
}: ShareSocketDeps): SocketHandler {
  const recording = link.mode === "recording";
  const stream = createStreamSocket({
    manager,
    sessionId: link.sessionId,
    since: recording ? undefined : since,
    canWrite: false,
    metrics,
    onError,
    decorate: (sink) => {
      const hidden: ViewerSink = {
        ...sink,
        sendEvent: (event) => sink.sendEvent(hideDetails(event)),
      };
      return recording ? recordingOnly(hidden) : hidden;
    },
  });
  let unwatch: (() => void) | undefined;
  return {
    open(ws) {
      let closed = false;
      unwatch = shares.watch(link, () => {
        if (closed) return;
        closed = true;
        ws.close(CloseCode.shareEnded, "share link revoked or expired");
      });
      stream.open(ws);
    },
    message: (ws, message) => stream.message(ws, message),
    drain: (ws) => stream.drain(ws),
    close(ws, code, reason) {
      unwatch?.();
      stream.close(ws, code, reason);
    },
  };
}
