// /fs: the new-session dialog's folders: the HOME sessions get (its default), and completion of
// working directories. Admins only: the names of the server's directories are nobody else's
// business (viewers cannot start sessions).
import { Hono } from "hono";
import { z } from "zod";
import { completeDirs } from "../../fs/dir-completion.ts";
import type { AppEnv } from "../app-env.ts";
import { validate } from "../json-body.ts";
import { adminOnly } from "../middleware/admin-only.ts";
import type { Limit } from "../route-limits.ts";

const dirsQuery = z.object({
  prefix: z
    .string()
    .min(1)
    .max(4096)
    .refine((p) => p.startsWith("/"), "must be an absolute path")
    .refine((p) => !p.includes("\0"), "must not contain NUL")
    .refine((p) => !/(^|\/)\.\.(\/|$)|\/\.\//.test(p), "must not contain . or .. segments"),
});

export interface FsRoutesDeps {
  /** The HOME sessions get (absolute). */
  home: string;
  limit: Limit;
}

export function fsRoutes({ home, limit }: FsRoutesDeps) {
  return new Hono<AppEnv>()
    .use("/fs/*", limit("reads"), adminOnly("list directories"))
    .get("/fs/home", (c) => c.json({ home }))
    .get("/fs/dirs", async (c) => {
      const { prefix } = validate(dirsQuery, c.req.query());
      return c.json(await completeDirs(prefix.replace(/\/{2,}/g, "/")));
    });
}
