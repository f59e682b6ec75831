// /users: the accounts, for admins: list, create, delete. Deleting an account closes the sockets
// its tokens opened. The accounts service records what succeeds; the audit here only refusals.

import { type Context, Hono } from "hono";
import type { UsersService } from "../../auth/users-service.ts";
import type { Actor } from "../../cause.ts";
import { newUserSchema } from "../../protocol/auth.ts";
import type { AppEnv } from "../app-env.ts";
import { readJson } from "../json-body.ts";
import { adminOnly } from "../middleware/admin-only.ts";
import { type Audit, byId } from "../middleware/audit.ts";
import { idParam, UUID } from "../middleware/id-param.ts";
import type { Limit } from "../route-limits.ts";

export interface UsersRoutesDeps {
  users: UsersService;
  audit: Audit;
  limit: Limit;
  /** The signed-in requester and their address: the actor the accounts service audits. */
  actorOf: (c: Context<AppEnv>) => Actor;
  /** Credentials changed (a deleted user): close sockets they no longer open. */
  recheckSockets: () => Promise<void>;
}

export function usersRoutes({ users, audit, limit, actorOf, recheckSockets }: UsersRoutesDeps) {
  const by = (c: Context<AppEnv>) => ({ actor: actorOf(c) });
  return new Hono<AppEnv>()
    .use("/users/:id/*", idParam(UUID, "user"))
    .get("/users", limit("reads"), adminOnly("read the accounts"), async (c) =>
      c.json({ users: await users.list() }),
    )
    .post("/users", audit("user.create", { refusalsOnly: true }), async (c) => {
      const body = await readJson(c, newUserSchema);
      return c.json(await users.create(body.username, body.password, body.role, by(c)), 201);
    })
    .delete("/users/:id", audit("user.delete", { target: byId, refusalsOnly: true }), async (c) => {
      await users.remove(c.req.param("id"), c.get("principal").user.id, by(c));
      await recheckSockets();
      return c.body(null, 204);
    });
}
