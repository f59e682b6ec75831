// The browser UI: hashed assets (cached forever), the service worker, the manifest and icons, and
// index.html for every other GET outside /api so that client-side routes survive a reload.
import { Hono } from "hono";
import { AppError } from "../../errors.ts";
import { redactPath } from "../redact-path.ts";
import type { WebAsset } from "../web-bundle.ts";

export interface WebRoutesDeps {
  /** The UI's files; called on the first request, its result kept. */
  load: () => Promise<WebAsset[]>;
}

export function webRoutes({ load }: WebRoutesDeps) {
  let files: Promise<Map<string, WebAsset>> | undefined;
  const assets = () => {
    files ??= load().then((list) => new Map(list.map((asset) => [asset.path, asset])));
    // A failed build is retried on the next request rather than cached.
    files.catch(() => {
      files = undefined;
    });
    return files;
  };

  return new Hono().get("*", async (c) => {
    const path = c.req.path;
    if (path === "/api" || path.startsWith("/api/")) {
      throw new AppError(404, "not_found", `no route for GET ${redactPath(path)}`);
    }
    const all = await assets();
    const exact = all.get(path);
    const asset = exact ?? (isAppRoute(path) ? all.get("/index.html") : undefined);
    if (!asset) throw new AppError(404, "not_found", `no file ${redactPath(path)}`);
    return c.body(asset.body, 200, {
      "content-type": asset.type,
      "cache-control": asset.immutable ? "public, max-age=31536000, immutable" : "no-cache",
    });
  });
}

/** Client-side routes: paths without a file extension outside /assets. */
function isAppRoute(path: string): boolean {
  return !path.startsWith("/assets/") && !/\.[a-z0-9]+$/i.test(path);
}
