// Admins only, reads included: for what viewers may not even see (the accounts, the audit log,
// the server's directories, metrics).
// Changes are already admin-only for every route (adminForWrites).

import { createMiddleware } from "hono/factory";
import { AppError } from "../../errors.ts";
import type { AppEnv } from "../app-env.ts";

/** Middleware refusing non-admins with 403 forbidden "only admins can `action`". */
export function adminOnly(action: string) {
  return createMiddleware<AppEnv>(async function requireAdmin(c, next) {
    if (c.get("principal").user.role !== "admin") {
      throw new AppError(403, "forbidden", `only admins can ${action}`);
    }
    await next();
  });
}
