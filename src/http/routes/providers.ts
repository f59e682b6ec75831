// /providers: what can run (availability, version, install hint), a re-probe after installing,
// and an admin's settings (the catalog records the change; the audit here only refusals).
import { type Context, Hono } from "hono";
import { z } from "zod";
import type { Actor } from "../../cause.ts";
import { notFound } from "../../errors.ts";
import { providerSettingsPatchSchema } from "../../protocol/provider-requests.ts";
import type { ProviderCatalog } from "../../providers/catalog.ts";
import { ID as PROVIDER_ID } from "../../providers/manifest.ts";
import type { AppEnv } from "../app-env.ts";
import { readJson } from "../json-body.ts";
import { type Audit, byId } from "../middleware/audit.ts";
import { idParam } from "../middleware/id-param.ts";
import type { Limit } from "../route-limits.ts";

export interface ProviderRoutesDeps {
  providers: ProviderCatalog;
  audit: Audit;
  limit: Limit;
  /** The signed-in requester and their address: the actor the catalog audits. */
  actorOf: (c: Context<AppEnv>) => Actor;
}

export function providerRoutes({ providers, audit, limit, actorOf }: ProviderRoutesDeps) {
  const found = <T>(value: T | undefined): T => {
    if (value === undefined) throw notFound("provider");
    return value;
  };
  return new Hono<AppEnv>()
    .use("/providers/:id/*", idParam(z.string().regex(PROVIDER_ID), "provider"))
    .get("/providers", limit("reads"), async (c) => c.json({ providers: await providers.list() }))
    .get("/providers/:id", limit("reads"), async (c) =>
      c.json(found(await providers.get(c.req.param("id")))),
    )
    .patch(
      "/providers/:id",
      audit("provider.update", { target: byId, refusalsOnly: true }),
      async (c) => {
        const patch = await readJson(c, providerSettingsPatchSchema);
        const cause = { actor: actorOf(c) };
        return c.json(found(await providers.update(c.req.param("id"), patch, cause)));
      },
    )
    .post("/providers/:id/refresh", async (c) =>
      c.json(found(await providers.refresh(c.req.param("id")))),
    );
}
