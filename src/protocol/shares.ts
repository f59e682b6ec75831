// Share links: read-only links to one session, for people without an account.
//
//   POST   /sessions/:id/shares            ShareCreate → 201 ShareCreated (the token, once)
//   GET    /sessions/:id/shares            → ShareList (never a token)
//   DELETE /sessions/:id/shares/:shareId   → 204 (revoked; its open streams close with 4403)
//   GET    /share/:sessionId/:token         → SharedSession (no account; 404 share_not_found)
//   GET    /share/:sessionId/:token/stream  WebSocket, read-only (src/protocol/stream.ts)
//
// The page a link opens is /share/<sessionId>/<token> on the server's own origin (no /api/v1).

import * as z from "zod/mini";
import { sessionStateSchema } from "./session.ts";

/** Longest a link may live, in seconds (7 days). */
export const SHARE_MAX_SECONDS = 7 * 24 * 60 * 60;
/** Shortest a link may live, in seconds. */
export const SHARE_MIN_SECONDS = 60;
/** A link's life when the request names none, in seconds (24 h). */
export const SHARE_DEFAULT_SECONDS = 24 * 60 * 60;

/** `live`: follows the session; `recording`: the output kept when it is opened, and no more. */
export const shareModeSchema = z.enum(["live", "recording"]);
export type ShareMode = z.infer<typeof shareModeSchema>;

/** `mode` defaults to live, `expiresIn` (seconds) to SHARE_DEFAULT_SECONDS. */
export const shareCreateSchema = z.object({
  mode: z.optional(shareModeSchema),
  expiresIn: z.optional(z.int().check(z.minimum(SHARE_MIN_SECONDS), z.maximum(SHARE_MAX_SECONDS))),
});
export type ShareCreate = z.infer<typeof shareCreateSchema>;

/** A link as its session's owner sees it; timestamps are ISO 8601. */
export const shareLinkSchema = z.object({
  id: z.string(),
  sessionId: z.string(),
  mode: shareModeSchema,
  createdBy: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  revokedAt: z.nullable(z.string()),
  lastOpenedAt: z.nullable(z.string()),
  /** Neither revoked nor expired. */
  active: z.boolean(),
});
export type ShareLink = z.infer<typeof shareLinkSchema>;

/** The answer to a create: the link, with its token and the page's path (shown once). */
export const shareCreatedSchema = z.extend(shareLinkSchema, {
  token: z.string(),
  /** `/share/<sessionId>/<token>`: the page the link opens, on this server's origin. */
  path: z.string(),
});
export type ShareCreated = z.infer<typeof shareCreatedSchema>;

export const shareListSchema = z.object({ shares: z.array(shareLinkSchema) });
export type ShareList = z.infer<typeof shareListSchema>;

/**
 * What a link shows of its session: no folder, arguments, environment, process id or owner.
 */
export const sharedSessionSchema = z.object({
  id: z.string(),
  name: z.string(),
  provider: z.string(),
  state: sessionStateSchema,
  cols: z.number(),
  rows: z.number(),
  startedAt: z.nullable(z.string()),
  endedAt: z.nullable(z.string()),
  mode: shareModeSchema,
  expiresAt: z.string(),
});
export type SharedSession = z.infer<typeof sharedSessionSchema>;
