// The compiled executable works on its own: copied alone into an empty folder with no
// node_modules above it, it starts on embedded PGlite and runs a session on both PTY backends.

import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stopProcess } from "./support/process.ts";
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
    } finally {
      server.process.kill("SIGTERM");
      await server.process.exited;
    }
  },
  90_000,
);

test("with PTY_HOST=auto the binary starts itself as the PTY host", async () => {
  const dataDir = join(dir, "data-host");
  const server = await startServerProcess(
    { DATA_DIR: dataDir, PTY_HOST: "auto" },
    { executable: binary, cwd: dir },
  );
  const hostPid = Number(readFileSync(join(dataDir, "pty-host.lock"), "utf8").trim());
  try {
    const argv = readFileSync(`/proc/${hostPid}/cmdline`, "utf8").split("\0").filter(Boolean);
    expect(argv).toEqual([binary, "pty-host"]);
    const response = await fetch(`${server.api}/sessions`, {
      method: "POST",
      headers: { "content-type": "application/json", ...server.auth },
      body: JSON.stringify({ provider: "shell", cwd: dir, args: ["-c", "echo via-the-host"] }),
    });
    const session = (await response.json()) as { id: string };
    const viewer = await StreamClient.connect(streamUrl(server.api, session.id, 0), server.auth);
    expect((await viewer.waitForClose()).code).toBe(1000);
    expect(viewer.output.toString()).toContain("via-the-host");
  } finally {
    server.process.kill("SIGTERM");
    await server.process.exited;
    await stopProcess(hostPid);
  }
}, 90_000);
