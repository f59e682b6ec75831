// /sessions/:id/files: browse the session's folder read-only — a folder's listing, a file's bytes
// (shown or downloaded, a preview capped), a folder as a .tar.gz. Viewers and admins alike, inside
// the session's cwd; admins may also name absolute paths. Every read of content is audited as
// session.download (path, size), an admin's listing outside the cwd as session.browse.

import { type Context, Hono, type MiddlewareHandler } from "hono";
import { z } from "zod";
import { archiveFolder, archiveTop } from "../../files/folder-archive.ts";
import { listFolder } from "../../files/list-folder.ts";
import { disposition, fileStream, SERVED_FILE_CSP, servedType } from "../../files/read-file.ts";
import {
  type FilesScope,
  MAX_PATH_LENGTH,
  openResolved,
  resolvePath,
} from "../../files/resolve-path.ts";
import { FILES_PREVIEW_BYTES, type FolderListing } from "../../protocol/files.ts";
import type { SessionManager } from "../../sessions/manager.ts";
import type { AppEnv } from "../app-env.ts";
import { validate } from "../json-body.ts";
import { type Audit, byId } from "../middleware/audit.ts";
import { idParam, UUID } from "../middleware/id-param.ts";
import type { Limit } from "../route-limits.ts";

const path = z.string().max(MAX_PATH_LENGTH).default("");
const flag = z.enum(["0", "1"]).optional();
const folderQuery = z.object({ path });
const contentQuery = z.object({ path, download: flag, preview: flag });

export interface FileRoutesDeps {
  manager: SessionManager;
  audit: Audit;
  limit: Limit;
  /** ARCHIVE_LIMIT: most bytes of file contents one folder archive holds. */
  archiveLimitBytes: number;
}

const baseName = (shown: string, fallback: string) =>
  shown.split("/").filter(Boolean).pop() ?? fallback;

export function fileRoutes({ manager, audit, limit, archiveLimitBytes }: FileRoutesDeps) {
  async function scopeOf(c: Context<AppEnv>): Promise<FilesScope> {
    const session = await manager.get(c.req.param("id") ?? "");
    return { cwd: session.cwd, admin: c.get("principal").user.role === "admin" };
  }
  const audited = audit("session.download", {
    target: byId,
    detail: (c) => ({ path: c.req.query("path") ?? "", ...c.get("download") }),
  });
  // Listings are not audited, except an admin's outside the session's folder (absolute paths).
  const browsedOutside = audit("session.browse", {
    target: byId,
    detail: (c) => ({ path: c.req.query("path") ?? "" }),
  });
  const auditedIfAbsolute: MiddlewareHandler<AppEnv> = (c, next) =>
    c.req.query("path")?.startsWith("/") ? browsedOutside(c, next) : next();
  const served = (c: Context<AppEnv>) => {
    c.header("Content-Security-Policy", SERVED_FILE_CSP);
    c.header("X-Content-Type-Options", "nosniff");
    c.header("Cache-Control", "private, no-store");
  };

  // The id is checked on these routes alone (mounted before the sessions' routes, as uploads are);
  // `/files/*` also matches `/files`.
  return new Hono<AppEnv>()
    .use("/sessions/:id/files/*", limit("reads"), idParam(UUID, "session"))
    .get("/sessions/:id/files", auditedIfAbsolute, async (c) => {
      const query = validate(folderQuery, c.req.query());
      const target = await resolvePath(await scopeOf(c), query.path);
      return c.json((await listFolder(target)) satisfies FolderListing);
    })
    .get("/sessions/:id/files/content", audited, async (c) => {
      const query = validate(contentQuery, c.req.query());
      const target = await resolvePath(await scopeOf(c), query.path);
      const file = await openResolved(target, "file");
      const { size } = await file.stat();
      const name = baseName(target.shown, "file");
      served(c);
      if (query.preview === "1") {
        c.set("download", {
          path: target.real,
          size: Math.min(size, FILES_PREVIEW_BYTES),
          preview: true,
        });
        c.header("Content-Type", "text/plain; charset=utf-8");
        c.header("X-Truncated", size > FILES_PREVIEW_BYTES ? "1" : "0");
        return c.body(fileStream(file, FILES_PREVIEW_BYTES));
      }
      c.set("download", { path: target.real, size });
      const { type, inline } = servedType(name);
      c.header("Content-Type", type);
      c.header("Content-Length", String(size));
      c.header(
        "Content-Disposition",
        disposition(inline && query.download !== "1" ? "inline" : "attachment", name),
      );
      return c.body(fileStream(file, size));
    })
    .get("/sessions/:id/files/archive", audited, async (c) => {
      const query = validate(folderQuery, c.req.query());
      const target = await resolvePath(await scopeOf(c), query.path);
      const archive = await archiveFolder(target, archiveLimitBytes);
      c.set("download", { path: target.real, size: archive.size, archive: true });
      served(c);
      c.header("Content-Type", "application/gzip");
      c.header(
        "Content-Disposition",
        disposition("attachment", `${archiveTop(target.real)}.tar.gz`),
      );
      return c.body(archive.stream);
    });
}
