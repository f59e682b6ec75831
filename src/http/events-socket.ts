// GET /api/v1/events: every lifecycle event of every session as a JSON text frame, so that
// UIs never poll. A client that cannot keep up is closed with 4008 and reloads the list.

import { CloseCode } from "../protocol/stream.ts";
import type { SessionManager } from "../sessions/manager.ts";
import type { SocketHandler } from "./socket-hub.ts";

export function createEventsSocket({ manager }: { manager: SessionManager }): SocketHandler {
  let unsubscribe: (() => void) | undefined;
  return {
    open(ws) {
      unsubscribe = manager.onEvent((event) => {
        if (ws.sendText(JSON.stringify(event)) === 0) {
          ws.close(CloseCode.tooSlow, "events client fell behind");
        }
      });
    },
    message() {},
    drain() {},
    close() {
      unsubscribe?.();
    },
  };
}
