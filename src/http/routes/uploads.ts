// POST /sessions/:id/uploads: a raw file body streamed into the session's folder (not JSON, not
// under BODY_LIMIT: UPLOAD_LIMIT counts it while reading), then its path typed into the running
// session as a bracketed paste, so that the CLI picks it up. Admins only (the app's viewer rule).

import type { Context, MiddlewareHandler } from "hono";
import { Hono } from "hono";
import { z } from "zod";
import { AppError } from "../../errors.ts";
import type { Session } from "../../protocol/session.ts";
import type { UploadResult } from "../../protocol/uploads.ts";
import type { SessionManager } from "../../sessions/manager.ts";
import { receiveUpload, uploadTooLarge } from "../../uploads/receive-upload.ts";
import { bracketedPaste, shellQuote } from "../../uploads/upload-name.ts";
import type { AppEnv } from "../app-env.ts";
import { validate } from "../json-body.ts";
import type { Audit } from "../middleware/audit.ts";
import { byId } from "../middleware/audit.ts";
import { idParam, UUID } from "../middleware/id-param.ts";

const uploadQuery = z.object({
  name: z.string({ error: "name is required" }).min(1, "name is required").max(4096),
  dir: z.string().max(4096).optional(),
  overwrite: z.enum(["0", "1"]).optional(),
});

const UPLOAD_PATH = /^\/api\/v1\/sessions\/[^/]+\/uploads$/;

/** The request is an upload: its body is a raw file (no JSON rules, no BODY_LIMIT). */
export const isUploadRequest = (c: Context) =>
  c.req.method === "POST" && UPLOAD_PATH.test(c.req.path);

const TYPABLE_STATES: readonly Session["state"][] = ["running", "idle"];

export interface UploadRoutesDeps {
  manager: SessionManager;
  audit: Audit;
  /** UPLOAD_LIMIT in bytes. */
  limitBytes: number;
  /** The user's upload budget (RATE_LIMIT_UPLOADS): uploads spend no other. */
  limitUploads: MiddlewareHandler<AppEnv>;
}

export function uploadRoutes({ manager, audit, limitBytes, limitUploads }: UploadRoutesDeps) {
  const detail = (c: Context<AppEnv>) => ({
    name: c.req.query("name") ?? null,
    dir: c.req.query("dir") ?? null,
    ...c.get("upload"),
  });
  // The id is checked on this route alone: mounted before the sessions' routes, a middleware on
  // /sessions/:id/* here would refuse their bad ids before they spend their budgets.
  return new Hono<AppEnv>().post(
    "/sessions/:id/uploads",
    limitUploads,
    idParam(UUID, "session"),
    audit("session.upload", { target: byId, detail }),
    async (c) => {
      const query = validate(uploadQuery, c.req.query());
      // A declared size over the cap is refused before a byte is read or a file made.
      if (Number(c.req.header("content-length")) > limitBytes) throw uploadTooLarge(limitBytes);
      const session = await manager.get(c.req.param("id"));
      const file = await receiveUpload({
        cwd: session.cwd,
        name: query.name,
        dir: query.dir,
        overwrite: query.overwrite === "1",
        body: c.req.raw.body,
        limitBytes,
      });
      c.set("upload", { path: file.path, size: file.size });
      const typed = await typePath(manager, session.id, file.path);
      return c.json({ ...file, typed } satisfies UploadResult, 201);
    },
  );
}

/**
 * Types `path` (shell-quoted, then a space, no Enter) into the session as a bracketed paste,
 * when it still runs; false when it could not (ended, or its input is full).
 */
async function typePath(manager: SessionManager, id: string, path: string): Promise<boolean> {
  const { state } = await manager.get(id);
  if (!TYPABLE_STATES.includes(state)) return false;
  try {
    await manager.write(id, new TextEncoder().encode(bracketedPaste(`${shellQuote(path)} `)));
    return true;
  } catch (error) {
    if (error instanceof AppError && (error.status === 409 || error.status === 429)) return false;
    throw error;
  }
}
