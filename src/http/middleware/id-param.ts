// 404 for a `:id` that cannot name anything, before any handler, audit row or SQL sees it: ids
// are UUIDs (sessions, users) or manifest ids (providers), and a NUL or a stray byte in one
// must never reach the database.

import { createMiddleware } from "hono/factory";
import { z } from "zod";
import { notFound } from "../../errors.ts";
import type { AppEnv } from "../app-env.ts";

/** The ids the server makes (crypto.randomUUID). */
export const UUID = z.uuid();

/** Mount on `/things/:id/*` (which also matches `/things/:id`); `what` names it in the 404. */
export function idParam(schema: z.ZodType, what: string) {
  return createMiddleware<AppEnv>(async (c, next) => {
    if (!schema.safeParse(c.req.param("id")).success) throw notFound(what);
    await next();
  });
}
