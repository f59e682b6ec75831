// The compiled executable works on its own: copied alone into an empty folder with no
// node_modules above it, it starts on embedded PGlite and runs a session on both PTY backends.

import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServerProcess } from "./support/process-server.ts";
import { StreamClient, streamUrl } from "./support/ws-client.ts";

const ROOT = join(import.meta.dir, "..");
const dir = mkdtempSync(join(tmpdir(), "opendray-binary-"));
const binary = join(dir, "opendray");

beforeAll(async () => {
  const build = Bun.spawn([process.execPath, join(ROOT, "build.ts"), "--outfile", binary], {
    stdout: "pipe",
    stderr: "pipe",
  });
  const [code, stderr] = await Promise.all([build.exited, new Response(build.stderr).text()]);
  if (code !== 0) throw new Error(`build failed: ${stderr}`);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test.each(["bun", "bun-pty"])(
  "the binary serves a %s session from an empty folder",
  async (backend) => {
    const server = await startServerProcess(
      { DATA_DIR: join(dir, `data-${backend}`), PTY_BACKEND: backend },
      { executable: binary, cwd: dir },
    );
    try {
      const response = await fetch(`${server.api}/sessions`, {
        method: "POST",
        headers: { "content-type": "application/json", ...server.auth },
        body: JSON.stringify({
          provider: "shell",
          cwd: dir,
          args: ["-c", "echo from-the-binary; exit 5"],
        }),
      });
      expect(response.status).toBe(201);
      const session = (await response.json()) as { id: string };
      const viewer = await StreamClient.connect(streamUrl(server.api, session.id, 0), server.auth);
      expect((await viewer.waitForClose()).code).toBe(1000);
      expect(viewer.output.toString()).toContain("from-the-binary");
      expect(viewer.events.at(-1)).toEqual({ type: "exit", exitCode: 5, signal: null });

      // The web UI was built at compile time and is served from inside the binary.
      const origin = server.api.replace(/\/api\/v1$/, "");
      const page = await fetch(`${origin}/s/${session.id}`);
      expect(page.status).toBe(200);
      const html = await page.text();
      const script = /<script type="module" src="([^"]+)"/.exec(html)?.[1] ?? "";
      expect(script).toMatch(/^\/assets\/main-\w+\.js$/);
      const js = await fetch(`${origin}${script}`);
      expect(js.headers.get("content-type")).toContain("javascript");
      expect((await js.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
      expect((await fetch(`${origin}/sw.js`)).status).toBe(200);
    } finally {
      server.process.kill("SIGTERM");
      await server.process.exited;
    }
  },
  90_000,
);
