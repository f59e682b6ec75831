// GET /sessions/:id/changes: what changed in the session's folder by git (src/git/): the
// repository's state and each changed file's diff. Read-only, for viewers too; confined to the
// session's folder (the repository's files outside it are left out), never audited (a read). A
// session in a worktree of its own is compared with its branch's base commit, so that what the
// agent committed shows too.

import { Hono } from "hono";
import { collectChanges } from "../../git/collect-changes.ts";
import type { Changes } from "../../protocol/changes.ts";
import type { SessionManager } from "../../sessions/manager.ts";
import type { AppEnv } from "../app-env.ts";
import { idParam, UUID } from "../middleware/id-param.ts";
import type { Limit } from "../route-limits.ts";

export interface ChangeRoutesDeps {
  manager: SessionManager;
  limit: Limit;
  /** The environment git runs with (its PATH finds git; HOME its user's config). */
  gitEnv: Record<string, string>;
}

export function changeRoutes({ manager, limit, gitEnv }: ChangeRoutesDeps) {
  return new Hono<AppEnv>().get(
    "/sessions/:id/changes",
    limit("reads"),
    idParam(UUID, "session"),
    async (c) => {
      const session = await manager.get(c.req.param("id"));
      c.header("Cache-Control", "private, no-store");
      // A session in a worktree of its own shows its branch against the commit it started from.
      const base = session.worktree?.base;
      return c.json(
        (await collectChanges({ cwd: session.cwd, env: gitEnv, base })) satisfies Changes,
      );
    },
  );
}
