// GET /api/v1/events: lifecycle events over one WebSocket so that the UI never polls. Reconnects
// with back-off (1 s doubling to 30 s); `open` runs on every (re)connect so the caller can
// reload the list once to catch what it missed. Tabs share one such socket (shared-events.ts).
import { type LifecycleEvent, lifecycleEventSchema } from "../../../src/protocol/events.ts";
import { CloseCode } from "../../../src/protocol/stream.ts";
import { decodeJson } from "./decode.ts";
import { socketUrl } from "./http.ts";

const BACKOFF_MIN_MS = 1000;
const BACKOFF_MAX_MS = 30_000;

export interface EventsHandlers {
  event(event: LifecycleEvent): void;
  open(): void;
  /** The open socket closed; it reconnects. */
  closed?(): void;
  /** Closed before opening: maybe the sign-in expired. */
  refused(): void;
}

export interface EventsConnection {
  /** Reconnect now if the socket is down, instead of after the back-off (another tab is in sight). */
  retry(): void;
  dispose(): void;
}

export function connectEvents(on: EventsHandlers): EventsConnection {
  let socket: WebSocket | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let backoffMs = BACKOFF_MIN_MS;
  let disposed = false;

  const open = () => {
    const ws = new WebSocket(socketUrl("/events"));
    socket = ws;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      backoffMs = BACKOFF_MIN_MS;
      on.open();
    };
    ws.onmessage = (message) => {
      if (typeof message.data !== "string") return;
      const event = decodeJson(lifecycleEventSchema, message.data, "lifecycle event");
      if (event) on.event(event);
    };
    ws.onclose = (close) => {
      if (disposed || ws !== socket) return;
      socket = undefined;
      if (opened) on.closed?.();
      // Never opened, or signed out since (4001): maybe the sign-in is gone.
      if (!opened || close.code === CloseCode.signedOut) on.refused();
      timer = setTimeout(open, backoffMs);
      backoffMs = Math.min(backoffMs * 2, BACKOFF_MAX_MS);
    };
  };
  const retry = () => {
    if (disposed || socket) return;
    clearTimeout(timer);
    open();
  };
  const wake = () => {
    if (document.visibilityState === "visible") retry();
  };
  addEventListener("online", wake);
  document.addEventListener("visibilitychange", wake);
  open();
  return {
    retry,
    dispose() {
      disposed = true;
      clearTimeout(timer);
      removeEventListener("online", wake);
      document.removeEventListener("visibilitychange", wake);
      socket?.close(1000);
    },
  };
}
