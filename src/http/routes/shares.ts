// Share links (src/protocol/shares.ts). `shareRoutes`: an admin makes, lists and revokes the
// links of a session (mounted after the session routes, whose /sessions/* budgets and id check
// they share). `publicShareRoutes`: what a link opens, without an account (mounted before
// authentication, on the anonymous budget): the session's summary, its read-only stream and, for a
// `recording` link, its recording (asciicast, no title: nothing of the session's own).
// Every token that does not open the session gets the same 404 by the same path.

import { type Context, Hono } from "hono";
import type { Actor } from "../../cause.ts";
import { AppError, badRequest } from "../../errors.ts";
import { DEFAULT_IDLE_LIMIT_S, RECORDING_MEDIA_TYPE } from "../../protocol/recording.ts";
import { type SharedSession, shareCreateSchema } from "../../protocol/shares.ts";
import type { SessionManager } from "../../sessions/manager.ts";
import { type ShareLinks, shareNotFound } from "../../shares/share-links.ts";
import type { AppEnv } from "../app-env.ts";
import { readJson } from "../json-body.ts";
import type { Metrics } from "../metrics.ts";
import { adminOnly } from "../middleware/admin-only.ts";
import { type Audit, byId } from "../middleware/audit.ts";
import { UUID } from "../middleware/id-param.ts";
import { isAllowedOrigin, type OriginPolicy } from "../origin.ts";
import { createShareSocket } from "../share-socket.ts";
import type { SocketHub } from "../socket-hub.ts";

export interface ShareRoutesDeps {
  manager: SessionManager;
  shares: ShareLinks;
  audit: Audit;
  actorOf: (c: Context<AppEnv>) => Actor;
}

export function shareRoutes({ manager, shares, audit, actorOf }: ShareRoutesDeps) {
  // The share links audit what they did; the middleware only refusals, which did nothing.
  const refused = (action: string) => audit(action, { target: byId, refusalsOnly: true });
  return new Hono<AppEnv>()
    .use("/sessions/:id/shares", adminOnly("share a session"))
    .use("/sessions/:id/shares/*", adminOnly("share a session"))
    .post("/sessions/:id/shares", refused("share.create"), async (c) => {
      const request = await readJson(c, shareCreateSchema);
      const session = await manager.get(c.req.param("id"));
      const created = await shares.create(session.id, request, actorOf(c));
      return c.json({ ...created, path: `/share/${session.id}/${created.token}` }, 201);
    })
    .get("/sessions/:id/shares", async (c) => {
      const session = await manager.get(c.req.param("id"));
      return c.json({ shares: await shares.list(session.id) });
    })
    .delete("/sessions/:id/shares/:shareId", refused("share.revoke"), async (c) => {
      if (!UUID.safeParse(c.req.param("shareId")).success) throw shareNotFound();
      const session = await manager.get(c.req.param("id"));
      await shares.revoke(session.id, c.req.param("shareId"), actorOf(c));
      return c.body(null, 204);
    });
}

export interface PublicShareRoutesDeps {
  manager: SessionManager;
  shares: ShareLinks;
  hub: SocketHub;
  policy: OriginPolicy;
  metrics: Metrics;
  addressOf: (c: Context<AppEnv>) => string;
  /** Spends one request of the caller's anonymous budget; throws 429 past it. */
  limitAnonymous: (c: Context) => void;
  onError: (error: unknown, context: string) => void;
}

const OFFSET = /^\d{1,15}$/;

export function publicShareRoutes({
  manager,
  shares,
  hub,
  policy,
  metrics,
  addressOf,
  limitAnonymous,
  onError,
}: PublicShareRoutesDeps) {
  /** The link of the path's session and token, opened from the caller's address. */
  const openLink = (c: Context<AppEnv>, via: "page" | "stream" | "recording") =>
    shares.open(c.req.param("sessionId") ?? "", c.req.param("token") ?? "", addressOf(c), via);
  return new Hono<AppEnv>()
    .use("/share/*", async (c, next) => {
      limitAnonymous(c);
      await next();
    })
    .get("/share/:sessionId/:token", async (c) => {
      const link = await openLink(c, "page");
      const session = await manager.get(link.sessionId);
      const shared: SharedSession = {
        id: session.id,
        name: session.name,
        provider: session.provider,
        state: session.state,
        cols: session.cols,
        rows: session.rows,
        startedAt: session.startedAt,
        endedAt: session.endedAt,
        mode: link.mode,
        expiresAt: link.expiresAt.toISOString(),
      };
      c.header("Cache-Control", "no-store");
      return c.json(shared);
    })
    .get("/share/:sessionId/:token/recording.cast", async (c) => {
      // A `recording` link's only: any other token, a live link's included, is share_not_found.
      const link = await openLink(c, "recording");
      const how = { format: "cast" as const, idleLimitS: DEFAULT_IDLE_LIMIT_S, anonymous: true };
      const { body } = await manager.exportRecording(link.sessionId, how, {
        reason: "share_link",
      });
      // Inline, without a file name: the page plays it; it offers no download.
      return c.body(body, 200, {
        "Content-Type": RECORDING_MEDIA_TYPE,
        "Cache-Control": "no-store",
      });
    })
    .get("/share/:sessionId/:token/stream", async (c) => {
      // No cookie is used here; a page of a foreign origin has no business opening the stream.
      if (c.req.header("origin") !== undefined && !isAllowedOrigin(c, policy)) {
        throw new AppError(403, "origin_forbidden", "WebSocket from a foreign origin");
      }
      const raw = c.req.query("since");
      if (raw !== undefined && raw !== "" && !OFFSET.test(raw)) {
        throw badRequest("since_invalid", "since must be a non-negative integer");
      }
      const link = await openLink(c, "stream");
      const since = await manager.checkSince(link.sessionId, raw ? Number(raw) : undefined);
      return hub.upgrade(c, createShareSocket({ manager, shares, link, since, metrics, onError }));
    });
}
