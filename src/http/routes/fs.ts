// /fs/dirs: completion of working directories for the new-session dialog. Admins only: the
// names of the server's directories are nobody else's business (viewers cannot start sessions).
import { Hono } from "hono";
import { z } from "zod";
import { AppError } from "../../errors.ts";
import { completeDirs } from "../../fs/dir-completion.ts";
import type { AppEnv } from "../app-env.ts";
import { validate } from "../json-body.ts";

const dirsQuery = z.object({
  prefix: z
    .string()
    .min(1)
    .max(4096)
    .refine((p) => p.startsWith("/"), "must be an absolute path")
    .refine((p) => !p.includes("\0"), "must not contain NUL")
    .refine((p) => !/(^|\/)\.\.(\/|$)|\/\.\//.test(p), "must not contain . or .. segments"),
});

export function fsRoutes() {
  return new Hono<AppEnv>().get("/fs/dirs", async (c) => {
    if (c.get("principal").user.role !== "admin") {
      throw new AppError(403, "forbidden", "only admins can list directories");
    }
    const { prefix } = validate(dirsQuery, c.req.query());
    return c.json(await completeDirs(prefix.replace(/\/{2,}/g, "/")));
  });
}
