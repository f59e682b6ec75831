// The terminal stream of one viewer (DESIGN §5): binary frames carry PTY bytes both ways, text
// frames carry JSON events. Protocol errors become `error` events; the socket and session live on.

import { clientMessageSchema, type ServerEvent } from "../protocol/stream.ts";
import { type Attachment, INPUT_BUDGET_BYTES } from "../sessions/live-session.ts";
import type { SessionManager } from "../sessions/manager.ts";
import type { SendResult, ViewerSink } from "../sessions/viewer.ts";
import type { Metrics } from "./metrics.ts";
import type { Socket, SocketHandler } from "./socket-hub.ts";
import { STREAM_CLOSE, type StreamClose } from "./stream-close.ts";

/** Messages a client may send before its attachment is ready; more closes the socket. */
const MAX_EARLY_MESSAGES = 256;

export interface StreamSocketDeps {
  manager: SessionManager;
  sessionId: string;
  /** Absent: a fresh open (see SessionManager.attach). */
  since: number | undefined;
  /**
   * False for viewers and share links: their input and resizes are refused with an error event,
   * and they attach read-only (their terminals' answers never reach the program).
   */
  canWrite: boolean;
  /** Wraps what the session sends this socket (a share link hides details and may cut it short). */
  decorate?: (sink: ViewerSink, ws: Socket) => ViewerSink;
  /** Counts open streams and the output bytes they accept. */
  metrics: Metrics;
  onError: (error: unknown, context: string) => void;
}

export function createStreamSocket({
  manager,
  sessionId,
  since,
  canWrite,
  metrics,
  onError,
  decorate,
}: StreamSocketDeps): SocketHandler {
  let attachment: Attachment | undefined;
  let closed = false;
  const early: (string | Buffer)[] = [];
  let earlyBytes = 0;
  /** The session holds this client's input back (see ViewerSink.holdInput). */
  let held = false;
  // A close frame queued behind unsent output reaches a client that reads again only if the
  // socket is still open by then, and Bun gives up on a closing socket within seconds. So a
  // viewer closed while its socket is congested (4008: it fell behind) is closed once the socket
  // drains; until then it holds no more than Bun's queue, and the hub's pings end a client that
  // never reads again. What it sends meanwhile is ignored.
  let closeOnDrain: StreamClose | undefined;

  const send = (ws: Socket, event: ServerEvent) => ws.sendText(JSON.stringify(event));
  const fail = (ws: Socket, code: string, message: string) =>
    send(ws, { type: "error", code, message });

  const handle = (ws: Socket, current: Attachment, message: string | Buffer) => {
    if (closeOnDrain) return;
    const readOnly = () => fail(ws, "forbidden", "viewers cannot type or resize");
    if (typeof message !== "string") {
      if (!canWrite) return readOnly();
      const result = current.write(message);
      if (result === "ended") fail(ws, "session_not_running", "the session has ended");
      else if (result === "refused") {
        fail(
          ws,
          "input_refused",
          `${message.length} bytes of input were dropped: the program has not read the input it was given`,
        );
      }
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(message);
    } catch {
      return fail(ws, "invalid_message", "text frames must be JSON");
    }
    const result = clientMessageSchema.safeParse(parsed);
    if (!result.success) {
      return fail(ws, "invalid_message", "expected {type:'resize',cols,rows} or {type:'ping'}");
    }
    const command = result.data;
    switch (command.type) {
      case "ping":
        return send(ws, { type: "pong" });
      case "resize":
        if (!canWrite) return readOnly();
        if (!current.resize(command.cols, command.rows)) {
          fail(ws, "session_not_running", "the session has ended");
        }
        return;
    }
  };

  return {
    open(ws) {
      metrics.streamViewers++;
      const plain: ViewerSink = {
        sendOutput(bytes): SendResult {
          const status = ws.sendBinary(bytes);
          // -1: queued behind backpressure (still delivered), 0: dropped, else sent.
          if (status !== 0) metrics.streamBytesOut += bytes.byteLength;
          return status === -1 ? "backpressure" : status === 0 ? "dropped" : "sent";
        },
        sendEvent: (event) => send(ws, event),
        close: (reason) => {
          const frame = STREAM_CLOSE[reason];
          if (ws.getBufferedAmount() > 0) closeOnDrain = frame;
          else ws.close(frame.code, frame.reason);
        },
        // A paused socket is read no further, so the client's own buffer and TCP hold its input.
        holdInput: (hold) => {
          held = hold;
          if (hold) ws.pause();
          else if (!closed) ws.resume();
        },
      };
      const sink = decorate ? decorate(plain, ws) : plain;
      manager.attach(sessionId, since, sink, { readOnly: !canWrite }).then(
        (ready) => {
          if (closed) return ready.detach();
          attachment = ready;
          for (const message of early.splice(0)) handle(ws, ready, message);
          if (earlyBytes > INPUT_BUDGET_BYTES && !held && !closed) ws.resume();
        },
        (error) => {
          onError(error, `attaching to session ${sessionId}`);
          fail(ws, "internal_error", "could not attach to the session");
          ws.close(1011, "internal error");
        },
      );
    },
    message(ws, message) {
      if (attachment) return handle(ws, attachment, message);
      if (early.length >= MAX_EARLY_MESSAGES) return ws.close(1008, "too many early messages");
      early.push(message);
      earlyBytes += message.length;
      // Input sent before the attachment is ready counts against the budget too.
      if (earlyBytes > INPUT_BUDGET_BYTES) ws.pause();
    },
    drain(ws) {
      if (closeOnDrain) return ws.close(closeOnDrain.code, closeOnDrain.reason);
      attachment?.resume();
    },
    close() {
      closed = true;
      metrics.streamViewers--;
      attachment?.detach();
    },
  };
}
