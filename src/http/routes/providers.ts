// /providers: what can run (availability, version, install hint) and a re-probe after installing.
import { Hono } from "hono";
import { notFound } from "../../errors.ts";
import type { ProviderCatalog } from "../../providers/catalog.ts";
import type { AppEnv } from "../app-env.ts";

export function providerRoutes({ providers }: { providers: ProviderCatalog }) {
  const found = <T>(value: T | undefined): T => {
    if (value === undefined) throw notFound("provider");
    return value;
  };
  return new Hono<AppEnv>()
    .get("/providers", async (c) => c.json({ providers: await providers.list() }))
    .get("/providers/:id", async (c) => c.json(found(await providers.get(c.req.param("id")))))
    .post("/providers/:id/refresh", async (c) =>
      c.json(found(await providers.refresh(c.req.param("id")))),
    );
}
