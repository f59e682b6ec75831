// Providers from manifests (DESIGN §7): the built-ins, operator manifests dropped into
// DATA_DIR/providers, detection on PATH with the version, and sessions launched from them.

import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startTestServer, type TestServer } from "./support/server.ts";
import { StreamClient, streamUrl } from "./support/ws-client.ts";

const dir = mkdtempSync(join(tmpdir(), "opendray-providers-"));
const dataDir = join(dir, "data");
const fakeCli = join(dir, "fake-cli");
const lateCli = join(dir, "late-cli");
let server: TestServer;

beforeAll(async () => {
  // A CLI that answers --version and otherwise prints its argv, one <entry> each.
  writeFileSync(
    fakeCli,
    '#!/bin/bash\nif [ "$1" = --version ]; then echo "fake-cli 1.2.3 (test)"; exit 0; fi\nprintf "<%s>" "$@"; echo; echo "KEY=$FAKE_KEY"\n',
    { mode: 0o755 },
  );
  mkdirSync(join(dataDir, "providers"), { recursive: true });
  const manifest = (id: string, executable: string) => ({
    id,
    name: `Fake ${id}`,
    executable,
    args: ["--from-manifest"],
    env: { FAKE_KEY: "from manifest" },
    install: { npm: `@example/${id}` },
    bypass: "--yolo",
    model: { flag: "--model" },
  });
  writeFileSync(join(dataDir, "providers", "fake.json"), JSON.stringify(manifest("fake", fakeCli)));
  writeFileSync(join(dataDir, "providers", "late.json"), JSON.stringify(manifest("late", lateCli)));
  writeFileSync(join(dataDir, "providers", "broken.json"), "{ not json");
  server = await startTestServer({ env: { DATA_DIR: dataDir } });
}, 60_000);
afterAll(async () => {
  await server.dispose();
  rmSync(dir, { recursive: true, force: true });
});

test("lists the five built-ins and the operator's manifests; a broken file is skipped", async () => {
  const { providers } = (await server.request("GET", "/providers")).body as {
    providers: { id: string; available: boolean; installHint: string | null; bypass: boolean }[];
  };
  expect(providers.map((p) => p.id)).toEqual([
    "shell",
    "claude",
    "codex",
    "gemini",
    "opencode",
    "fake",
    "late",
  ]);
  const byId = new Map(providers.map((p) => [p.id, p]));
  expect(byId.get("shell")).toMatchObject({ available: true, bypass: false });
  expect(byId.get("claude")).toMatchObject({
    installHint: "npm install -g @anthropic-ai/claude-code",
    bypass: true,
  });
  expect(byId.get("codex")?.installHint).toBe("npm install -g @openai/codex");
  expect(byId.get("gemini")?.installHint).toBe("npm install -g @google/gemini-cli");
  expect(byId.get("opencode")?.installHint).toBe("npm install -g opencode-ai");
});

test("detects an operator CLI with its version", async () => {
  const fake = await server.request("GET", "/providers/fake");
  expect(fake.body).toMatchObject({ id: "fake", available: true, path: fakeCli, version: "1.2.3" });
  expect((await server.request("GET", "/providers/nope")).status).toBe(404);
});

test("a session runs the manifest's command: args, session args as single entries, bypass last", async () => {
  const created = await server.request("POST", "/sessions", {
    provider: "fake",
    cwd: dir,
    args: ['it\'s "quoted"', "a b  c", "$HOME"],
    bypass: true,
    env: { FAKE_KEY: "from request" },
  });
  expect(created.status).toBe(201);
  const viewer = await StreamClient.connect(streamUrl(server.api, created.body.id, 0), server.auth);
  await viewer.waitForClose();
  const output = viewer.output.toString();
  expect(output).toContain(`<--from-manifest><it's "quoted"><a b  c><$HOME><--yolo>`);
  expect(output).toContain("KEY=from request");
});

test("a missing CLI is 503 with its install hint; refresh finds it once installed", async () => {
  const refused = await server.request("POST", "/sessions", { provider: "late", cwd: dir });
  expect(refused.status).toBe(503);
  expect(refused.body.error).toEqual({
    code: "provider_unavailable",
    message: expect.stringContaining("npm install -g @example/late"),
  });
  writeFileSync(lateCli, "#!/bin/sh\necho late-cli 4.5.6\n", { mode: 0o755 });
  expect((await server.request("GET", "/providers/late")).body.available).toBe(false);
  const refreshed = await server.request("POST", "/providers/late/refresh");
  expect(refreshed.body).toMatchObject({ available: true, version: "4.5.6" });
  expect((await server.request("POST", "/sessions", { provider: "late", cwd: dir })).status).toBe(
    201,
  );
});

test("a viewer may list providers but not refresh them", async () => {
  const { token } = await server.createUser("looker", "viewer");
  const auth = { authorization: `Bearer ${token}` };
  expect((await server.send("GET", "/providers", undefined, auth)).status).toBe(200);
  expect((await server.send("POST", "/providers/fake/refresh", undefined, auth)).status).toBe(403);
});
