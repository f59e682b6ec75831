// /sessions: REST over the session manager, plus the terminal stream and lifecycle events
// upgrades. Handlers validate, call the manager, and return its DTOs.

import { type Context, Hono } from "hono";
import { z } from "zod";
import type { Actor } from "../../cause.ts";
import { AppError, badRequest } from "../../errors.ts";
import { disposition } from "../../files/read-file.ts";
import { DEFAULT_IDLE_LIMIT_S, RECORDING_MEDIA_TYPE } from "../../protocol/recording.ts";
import { SESSION_STATES } from "../../protocol/session.ts";
import {
  deleteQuerySchema,
  newSessionSchema,
  promptAnswerSchema,
  sessionInputSchema,
  sessionRenameSchema,
  sessionResizeSchema,
} from "../../protocol/session-requests.ts";
import type { SessionManager } from "../../sessions/manager.ts";

import type { AppEnv } from "../app-env.ts";
import { createEventsSocket } from "../events-socket.ts";
import { readJson, validate } from "../json-body.ts";
import type { Metrics } from "../metrics.ts";
import { type Audit, byId } from "../middleware/audit.ts";
import { idParam, UUID } from "../middleware/id-param.ts";
import { isAllowedOrigin, type OriginPolicy } from "../origin.ts";
import type { Limit } from "../route-limits.ts";
import type { SocketHub } from "../socket-hub.ts";
import { createStreamSocket } from "../stream-socket.ts";

const listQuery = z.object({ state: z.enum(SESSION_STATES).optional() });
/** `?idle_limit=`: seconds (0.1 to 3600) that longer pauses of an exported recording shrink to. */
const castQuery = z.object({
  idle_limit: z.coerce.number().min(0.1).max(3600).optional(),
});

const OFFSET = /^\d{1,15}$/;

/** Parse `?since=`: absent, or a non-negative integer (the manager checks it against the end). */
function parseSince(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === "") return undefined;
  if (!OFFSET.test(raw)) throw badRequest("since_invalid", "since must be a non-negative integer");
  return Number(raw);
}

/** Largest piece of a GET /output body handed to the socket at once. */
const OUTPUT_CHUNK_BYTES = 256 * 1024;

/**
 * `bytes` as a body sent as the client takes it, a view at a time. Bun copies a byte-array body
 * whole for each response: a hundred readers of one finished session would hold a hundred
 * copies of its scrollback.
 */
function bodyStream(bytes: Uint8Array): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      const chunk = bytes.subarray(at, at + OUTPUT_CHUNK_BYTES);
      at += chunk.length;
      if (chunk.length > 0) controller.enqueue(chunk);
      if (at >= bytes.length) controller.close();
    },
  });
}

export interface SessionRoutesDeps {
  manager: SessionManager;
  audit: Audit;
  /** The signed-in requester and their address: the actor of what the manager audits. */
  actorOf: (c: Context<AppEnv>) => Actor;
  hub: SocketHub;
  policy: OriginPolicy;
  /** Stream viewers and bytes out, for GET /metrics. */
  metrics: Metrics;
  onError: (error: unknown, context: string) => void;
  /** Reads spend the user's reads, anything else a session operation (before the id is checked). */
  limit: Limit;
}

/**
 * Browsers always send Origin on a WebSocket upgrade and cannot be trusted with cookies from a
 * foreign page: a present Origin must be ours or allowed, and a cookie needs one.
 */
function checkSocketOrigin(c: Context<AppEnv>, policy: OriginPolicy): void {
  const origin = c.req.header("origin");
  if (origin === undefined ? c.get("authVia") === "cookie" : !isAllowedOrigin(c, policy)) {
    throw new AppError(403, "origin_forbidden", "WebSocket from a foreign origin");
  }
}

export function sessionRoutes({
  manager,
  hub,
  policy,
  audit,
  actorOf,
  metrics,
  onError,
  limit,
}: SessionRoutesDeps) {
  // The manager audits what it did; the middleware only refusals, which did nothing.
  const refused = (action: string, detail?: () => Record<string, unknown>) =>
    audit(action, { target: byId, refusalsOnly: true, ...(detail ? { detail } : {}) });
  const by = (c: Context<AppEnv>) => ({ actor: actorOf(c) });
  return new Hono<AppEnv>()
    .use("/sessions/*", limit("reads"), limit("session_ops"))
    .use("/events", limit("reads"))
    .use("/sessions/:id/*", idParam(UUID, "session"))
    .get("/sessions", async (c) => {
      const query = validate(listQuery, c.req.query());
      return c.json({ sessions: await manager.list(query) });
    })
    .post("/sessions", refused("session.create"), async (c) => {
      const body = await readJson(c, newSessionSchema);
      const session = await manager.spawn({
        ...body,
        createdBy: c.get("principal").user.username,
        cause: by(c),
      });
      return c.json(session, 201);
    })
    .get("/sessions/:id", async (c) => c.json(await manager.get(c.req.param("id"))))
    .patch("/sessions/:id", refused("session.rename"), async (c) => {
      const { name } = await readJson(c, sessionRenameSchema);
      return c.json(await manager.rename(c.req.param("id"), name, by(c)));
    })
    .post("/sessions/:id/input", refused("session.input"), async (c) => {
      const { data } = await readJson(c, sessionInputSchema, { allowNul: true });
      await manager.write(c.req.param("id"), new TextEncoder().encode(data), by(c));
      return c.body(null, 204);
    })
    .post(
      "/sessions/:id/answer",
      refused("session.answer", () => ({ channel: "web" })),
      async (c) => {
        const { fingerprint, option } = await readJson(c, promptAnswerSchema);
        const actor = { ...actorOf(c), channel: "web" };
        return c.json(await manager.answer(c.req.param("id"), fingerprint, option, { actor }));
      },
    )
    .post("/sessions/:id/resize", async (c) => {
      const { cols, rows } = await readJson(c, sessionResizeSchema);
      await manager.resize(c.req.param("id"), cols, rows);
      return c.body(null, 204);
    })
    .post("/sessions/:id/stop", refused("session.stop"), async (c) =>
      c.json(await manager.stop(c.req.param("id"), by(c))),
    )
    .post("/sessions/:id/restart", refused("session.restart"), async (c) =>
      c.json(
        await manager.restart(c.req.param("id"), c.get("principal").user.username, by(c)),
        201,
      ),
    )
    .get("/sessions/:id/output", async (c) => {
      const id = c.req.param("id");
      const slice = await manager.output(id, parseSince(c.req.query("since")));
      return c.body(bodyStream(slice.bytes), 200, {
        "Content-Type": "application/octet-stream",
        "X-Output-Start": String(slice.start),
        "X-Output-Offset": String(slice.end),
      });
    })
    .get("/sessions/:id/recording.cast", async (c) => {
      const { idle_limit } = validate(castQuery, c.req.query());
      const how = { format: "cast" as const, idleLimitS: idle_limit ?? DEFAULT_IDLE_LIMIT_S };
      const { session, body } = await manager.exportRecording(c.req.param("id"), how, by(c));
      return c.body(body, 200, {
        "Content-Type": RECORDING_MEDIA_TYPE,
        "Content-Disposition": disposition("attachment", `${session.name}.cast`),
        "Cache-Control": "private, no-store",
      });
    })
    .get("/sessions/:id/recording.txt", async (c) => {
      const { session, body } = await manager.exportRecording(
        c.req.param("id"),
        { format: "text" },
        by(c),
      );
      return c.body(body, 200, {
        "Content-Type": "text/plain; charset=utf-8",
        "Content-Disposition": disposition("attachment", `${session.name}.txt`),
        "Cache-Control": "private, no-store",
      });
    })
    .delete("/sessions/:id", refused("session.delete"), async (c) => {
      const query = deleteQuerySchema.safeParse(c.req.query());
      if (!query.success) throw badRequest("worktree_invalid", "worktree must be keep or remove");
      const deleted = await manager.remove(c.req.param("id"), by(c), query.data);
      // A session with a worktree says what became of it; any other has nothing to say.
      return deleted ? c.json(deleted, 200) : c.body(null, 204);
    })
    .get("/sessions/:id/stream", async (c) => {
      checkSocketOrigin(c, policy);
      const id = c.req.param("id");
      const since = await manager.checkSince(id, parseSince(c.req.query("since")));
      const canWrite = c.get("principal").user.role === "admin";
      return hub.upgrade(
        c,
        createStreamSocket({ manager, sessionId: id, since, canWrite, metrics, onError }),
      );
    })
    .get("/events", (c) => {
      checkSocketOrigin(c, policy);
      return hub.upgrade(c, createEventsSocket({ manager }));
    });
}
