// /providers: what can run (availability, version, install hint) and a re-probe after installing.
import { Hono } from "hono";
import { z } from "zod";
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
}

export function providerRoutes({ providers, audit, limit }: ProviderRoutesDeps) {
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
    .patch("/providers/:id", audit("provider.update", { target: byId }), async (c) => {
      const patch = await readJson(c, providerSettingsPatchSchema);
      return c.json(found(await providers.update(c.req.param("id"), patch)));
    })
    .post("/providers/:id/refresh", async (c) =>
      c.json(found(await providers.refresh(c.req.param("id")))),
    );
}
