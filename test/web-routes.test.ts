// The web UI's files as the server serves them: the SPA page for client routes, hashed assets
// cached forever, the service worker and manifest, JSON 404s elsewhere, and the CSP on all.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import * as z from "zod/mini";
import { bodyOf, errorOf, readResponse } from "./support/responses.ts";
import { startTestServer, type TestServer } from "./support/server.ts";

/** The fields of the web app manifest this test reads. */
const manifestSchema = z.object({
  icons: z.array(z.object({ src: z.string(), type: z.string() })),
});

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.dispose());

const get = (path: string) => fetch(`${server.url}${path}`);

describe("web routes", () => {
  test.each(["/", "/login", "/setup", "/s/0f3c1d2e-aaaa-bbbb-cccc-123456789abc", "/providers"])(
    "%s answers the app page, not cached, under the strict CSP",
    async (path) => {
      const response = await get(path);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toContain("text/html");
      expect(response.headers.get("cache-control")).toBe("no-cache");
      const csp = response.headers.get("content-security-policy") ?? "";
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).not.toContain("unsafe");
      const html = await response.text();
      expect(html).toMatch(/<script type="module" src="\/assets\/main-\w+\.js"><\/script>/);
      expect(html).not.toMatch(/<script>|<style>|style="/);
    },
  );

  test("hashed assets are cached forever; the worker and manifest are revalidated", async () => {
    const html = await (await get("/")).text();
    for (const [, path] of html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)) {
      const response = await get(path ?? "");
      expect(response.status).toBe(200);
      expect(response.headers.get("cache-control")).toContain("immutable");
    }
    const worker = await get("/sw.js");
    expect(worker.headers.get("content-type")).toContain("javascript");
    expect(worker.headers.get("cache-control")).toBe("no-cache");
    const manifest = await get("/manifest.webmanifest");
    expect(manifest.headers.get("content-type")).toBe("application/manifest+json");
    const { icons } = bodyOf(await readResponse(manifest), 200, manifestSchema);
    for (const icon of icons) {
      const response = await get(icon.src);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe(icon.type);
    }
  });

  test("the service worker's shell lists the app's files and nothing under /api", async () => {
    const worker = await (await get("/sw.js")).text();
    const shell = JSON.parse(/(\["\/"[^\]]*\])/.exec(worker)?.[1] ?? "[]") as string[];
    expect(shell).toContain("/");
    expect(shell.some((path) => /^\/assets\/main-\w+\.js$/.test(path))).toBe(true);
    expect(shell.some((path) => path.startsWith("/api"))).toBe(false);
  });

  test.each(["/assets/missing-123.js", "/nope.png", "/api/v1/nope", "/api"])(
    "%s is a JSON 404",
    async (path) => {
      const response = await fetch(`${server.url}${path}`, { headers: server.auth });
      expect(response.status).toBe(404);
      expect(errorOf(await readResponse(response), 404).code).toBe("not_found");
    },
  );
});
