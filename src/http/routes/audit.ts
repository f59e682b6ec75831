// /audit: the audit log, newest first, for admins; `?before=` the last id seen pages on.

import { Hono } from "hono";
import { z } from "zod";
import type { AuditReader } from "../../audit/audit-reader.ts";
import type { AppEnv } from "../app-env.ts";
import { validate } from "../json-body.ts";
import { adminOnly } from "../middleware/admin-only.ts";
import type { Limit } from "../route-limits.ts";

const auditQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  before: z.coerce.number().int().min(1).optional(),
});

export interface AuditRoutesDeps {
  log: AuditReader;
  limit: Limit;
}

export function auditRoutes({ log, limit }: AuditRoutesDeps) {
  return new Hono<AppEnv>().get(
    "/audit",
    limit("reads"),
    adminOnly("read the audit log"),
    async (c) => {
      const { before, ...page } = validate(auditQuery, c.req.query());
      const entries = await log.page({ ...page, ...(before === undefined ? {} : { before }) });
      return c.json({ entries });
    },
  );
}
