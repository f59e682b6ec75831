// One /events socket for all the app's tabs in a browser. The tab holding the Web Lock
// "opendray-events" (the leader; the first to ask) keeps the socket and relays what it hears on a
// BroadcastChannel; the other tabs listen there. A closed tab's lock goes with it, and the next
// tab in line opens the socket. Where Web Locks or BroadcastChannel are missing (an origin that
// is not a secure context), every tab has a socket of its own, as `connectEvents` alone gives.
import { type LifecycleEvent, lifecycleEventSchema } from "../../../src/protocol/events.ts";
import { decodeValue } from "./decode.ts";
import { connectEvents, type EventsConnection, type EventsHandlers } from "./events.ts";

const LOCK = "opendray-events";
const CHANNEL = "opendray-events";

/** The relay between tabs; the leader sends all but `ask` and `wake`. */
type Relay =
  | { type: "event"; event: LifecycleEvent }
  /** The leader's socket (re)opened: every tab reloads its list once. */
  | { type: "open" }
  /** A tab just started: is the socket open (then it loads its list at once)? */
  | { type: "ask" }
  | { type: "status"; open: boolean }
  /** A tab came into sight or online: the leader, maybe hidden, reconnects now if down. */
  | { type: "wake" };

/**
 * `handlers` as `connectEvents` calls them, through the tabs' one socket: every tab gets each
 * event, and `open` once at start (when the socket is open) and after every reconnect.
 * `refused` runs in the leader only (it checks the sign-in; if that is gone, it signs out and
 * the next tab leads).
 */
export function connectSharedEvents(on: EventsHandlers): { dispose(): void } {
  if (!("locks" in navigator) || typeof BroadcastChannel === "undefined") return connectEvents(on);
  const channel = new BroadcastChannel(CHANNEL);
  const post = (message: Relay) => channel.postMessage(message);
  /** Set while this tab leads; `release` then gives up the lock. */
  let leading: { socket: EventsConnection; release: () => void } | undefined;
  let socketOpen = false;
  /** No list loaded yet: a `status` saying the socket is open is the cue. */
  let needsList = true;
  let disposed = false;
  const opened = () => {
    needsList = false;
    on.open();
  };

  channel.onmessage = ({ data }: MessageEvent<Relay>) => {
    switch (data.type) {
      case "event": {
        if (leading) return;
        // Another tab may run another version of the app: what it relays is decoded too.
        const event = decodeValue(lifecycleEventSchema, data.event, "relayed event");
        if (event) on.event(event);
        return;
      }
      case "open":
        if (!leading) opened();
        return;
      case "status":
        if (!leading && data.open && needsList) opened();
        return;
      case "ask":
        if (leading) post({ type: "status", open: socketOpen });
        return;
      case "wake":
        leading?.socket.retry();
        return;
    }
  };

  const waiting = new AbortController();
  navigator.locks
    .request(LOCK, { signal: waiting.signal }, () => {
      if (disposed) return;
      return new Promise<void>((release) => {
        const socket = connectEvents({
          event: (event) => {
            on.event(event);
            post({ type: "event", event });
          },
          open: () => {
            socketOpen = true;
            opened();
            post({ type: "open" });
          },
          closed: () => {
            socketOpen = false;
          },
          refused: () => on.refused(),
        });
        leading = { socket, release };
      });
    })
    // Aborted while waiting in line (disposed): nothing was held.
    .catch(() => undefined);
  post({ type: "ask" });

  const wake = () => {
    if (!leading && document.visibilityState === "visible") post({ type: "wake" });
  };
  addEventListener("online", wake);
  document.addEventListener("visibilitychange", wake);

  return {
    dispose() {
      disposed = true;
      waiting.abort();
      removeEventListener("online", wake);
      document.removeEventListener("visibilitychange", wake);
      leading?.socket.dispose();
      leading?.release();
      leading = undefined;
      channel.close();
    },
  };
}
