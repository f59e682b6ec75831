// WebSocket plumbing for Bun.serve: each upgraded socket carries its own handler object, and the
// hub pings every socket every 25 s, closing those that did not answer the previous ping.
// The ping timer runs only while sockets are open. A socket keeps the token it was opened with:
// at every ping, and at once when credentials change (sign-out, password change, deleted user),
// the hub checks it again and closes with 4001 the sockets whose token no longer signs in.

import type { Server, ServerWebSocket, WebSocketHandler } from "bun";
import type { Context } from "hono";
import { CloseCode } from "../protocol/stream.ts";
import type { AppEnv } from "./app-env.ts";
import { errorResponse } from "./middleware/error-handler.ts";

/** DESIGN §5: pings every 25 s keep idle proxies from cutting healthy streams. */
export const PING_INTERVAL_MS = 25_000;
/** Largest frame a client may send. */
export const MAX_CLIENT_FRAME_BYTES = 1024 * 1024;
/** Bun queues at most this much per socket; our senders stop at the first sign of backpressure. */
const BACKPRESSURE_LIMIT_BYTES = 4 * 1024 * 1024;

export interface SocketHandler {
  open(ws: Socket): void;
  message(ws: Socket, message: string | Buffer): void;
  drain(ws: Socket): void;
  close(ws: Socket, code: number, reason: string): void;
}

export interface SocketData {
  handler: SocketHandler;
  awaitingPong: boolean;
  /** The token the upgrade was authenticated with. */
  token: string | undefined;
}

export type Socket = ServerWebSocket<SocketData>;
export type BunServer = Server<SocketData>;

export interface SocketHub {
  websocket: WebSocketHandler<SocketData>;
  /** Upgrade the request of `c` to a socket driven by `handler`. */
  upgrade(c: Context<AppEnv>, handler: SocketHandler): Response;
  closeAll(code: number, reason: string): void;
  /** Check every socket's token again; resolves once those no longer valid are closed. */
  recheckTokens(): Promise<void>;
  readonly size: number;
}

/**
 * Whether a token still signs in: false for a token that is refused (signed out, older than a
 * password change, its user deleted, expired); true when the check itself failed (a database
 * error must not drop every terminal).
 */
export type TokenCheck = (token: string) => Promise<boolean>;

export function createSocketHub({
  pingIntervalMs = PING_INTERVAL_MS,
  checkToken = async () => true,
  onError = () => {},
}: {
  pingIntervalMs?: number | undefined;
  checkToken?: TokenCheck;
  onError?: (error: unknown, context: string) => void;
} = {}): SocketHub {
  const sockets = new Set<Socket>();
  let pingTimer: Timer | undefined;

  const recheckTokens = async () => {
    // One check per distinct token: a browser's terminals and event stream share one.
    const checks = new Map<string, Promise<boolean>>();
    await Promise.all(
      [...sockets].map(async (ws) => {
        const { token } = ws.data;
        if (token === undefined) return;
        let check = checks.get(token);
        if (!check) {
          check = checkToken(token);
          checks.set(token, check);
        }
        if (!(await check) && sockets.has(ws)) ws.close(CloseCode.signedOut, "signed out");
      }),
    );
  };

  const pingAll = () => {
    recheckTokens().catch((error) => onError(error, "checking the tokens of open sockets"));
    for (const ws of sockets) {
      // A socket paused while its input waits cannot read the pong: no sign of a dead peer.
      if (ws.isPaused) {
        ws.ping();
        continue;
      }
      if (ws.data.awaitingPong) {
        ws.close(CloseCode.timeout, "no answer to ping");
        continue;
      }
      ws.data.awaitingPong = true;
      ws.ping();
    }
  };

  const websocket: WebSocketHandler<SocketData> = {
    maxPayloadLength: MAX_CLIENT_FRAME_BYTES,
    backpressureLimit: BACKPRESSURE_LIMIT_BYTES,
    closeOnBackpressureLimit: false,
    perMessageDeflate: false,
    sendPings: false,
    idleTimeout: 0,
    open(ws) {
      sockets.add(ws);
      pingTimer ??= setInterval(pingAll, pingIntervalMs);
      ws.data.handler.open(ws);
    },
    message(ws, message) {
      ws.data.awaitingPong = false;
      ws.data.handler.message(ws, message);
    },
    pong(ws) {
      ws.data.awaitingPong = false;
    },
    drain(ws) {
      ws.data.handler.drain(ws);
    },
    close(ws, code, reason) {
      sockets.delete(ws);
      if (sockets.size === 0) {
        clearInterval(pingTimer);
        pingTimer = undefined;
      }
      ws.data.handler.close(ws, code, reason);
    },
  };

  return {
    websocket,
    upgrade(c, handler) {
      // Undefined when the app is called without Bun (app.request in tests).
      const server = c.env?.server;
      const upgraded = server?.upgrade(c.req.raw, {
        data: { handler, awaitingPong: false, token: c.get("token") },
      });
      if (!upgraded) {
        return errorResponse(
          c,
          400,
          "websocket_expected",
          "this endpoint needs a WebSocket upgrade",
        );
      }
      // Bun has taken over the connection; this response is never sent.
      return new Response(null);
    },
    closeAll(code, reason) {
      for (const ws of sockets) ws.close(code, reason);
    },
    recheckTokens,
    get size() {
      return sockets.size;
    },
  };
}
