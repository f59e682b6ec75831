// Providers from manifests (DESIGN §7): the built-ins, operator manifests dropped into
// DATA_DIR/providers, detection on PATH with the version, and sessions launched from them.

import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import pino from "pino";
import { providerInfoSchema } from "../src/protocol/providers.ts";
import { sessionSchema } from "../src/protocol/session.ts";
import { queryRows } from "./support/database.ts";
import { bodyOf, errorOf, providerListSchema } from "./support/responses.ts";
import { startTestServer, type TestServer } from "./support/server.ts";
import { StreamClient, streamUrl } from "./support/ws-client.ts";

const dir = mkdtempSync(join(tmpdir(), "opendray-providers-"));
const dataDir = join(dir, "data");
const fakeCli = join(dir, "fake-cli");
const lateCli = join(dir, "late-cli");
let server: TestServer;
/** Everything the server logs, at the most verbose level, to prove secrets never reach it. */
const logLines: string[] = [];

beforeAll(async () => {
  // A CLI that answers --version and otherwise prints its argv, one <entry> each.
  writeFileSync(
    fakeCli,
    '#!/bin/bash\nif [ "$1" = --version ]; then echo "fake-cli 1.2.3 (test)"; exit 0; fi\nprintf "<%s>" "$@"; echo; echo "KEY=$FAKE_KEY SECRET=$FAKE_SECRET"\n',
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
    fields: [
      { key: "apiKey", label: "API key", type: "secret", env: "FAKE_SECRET" },
      { key: "level", label: "Level", type: "select", flag: "--level", options: ["low", "high"] },
    ],
  });
  writeFileSync(join(dataDir, "providers", "fake.json"), JSON.stringify(manifest("fake", fakeCli)));
  writeFileSync(join(dataDir, "providers", "late.json"), JSON.stringify(manifest("late", lateCli)));
  writeFileSync(join(dataDir, "providers", "broken.json"), "{ not json");
  writeFileSync(
    join(dataDir, "providers", "claude-like.json"),
    JSON.stringify({
      ...manifest("claude-like", fakeCli),
      args: [],
      fields: [],
      resume: { lastInCwd: ["--continue"] },
    }),
  );
  const logger = pino({ level: "trace" }, { write: (line: string) => logLines.push(line) });
  server = await startTestServer({ env: { DATA_DIR: dataDir }, logger });
}, 60_000);
afterAll(async () => {
  await server.dispose();
  rmSync(dir, { recursive: true, force: true });
});

test("lists the five built-ins and the operator's manifests; a broken file is skipped", async () => {
  const { providers } = bodyOf(await server.request("GET", "/providers"), 200, providerListSchema);
  expect(providers.map((p) => p.id)).toEqual([
    "shell",
    "claude",
    "codex",
    "gemini",
    "opencode",
    "claude-like",
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
  const session = bodyOf(created, 201, sessionSchema);
  const viewer = await StreamClient.connect(streamUrl(server.api, session.id, 0), server.auth);
  await viewer.waitForClose();
  const output = viewer.output.toString();
  expect(output).toContain(`<--from-manifest><it's "quoted"><a b  c><$HOME><--yolo>`);
  expect(output).toContain("KEY=from request");
  expect(session.bypass).toBe(true);

  // A restart runs the same command, bypass included; the request's env is not stored (it may
  // hold secrets), so the manifest's value comes back.
  const restarted = bodyOf(
    await server.request("POST", `/sessions/${session.id}/restart`),
    201,
    sessionSchema,
  );
  expect(restarted).toMatchObject({ bypass: true, parentSessionId: session.id });
  const again = await StreamClient.connect(streamUrl(server.api, restarted.id, 0), server.auth);
  await again.waitForClose();
  expect(again.output.toString()).toContain(
    `<--from-manifest><it's "quoted"><a b  c><$HOME><--yolo>`,
  );
  expect(again.output.toString()).toContain("KEY=from manifest");
});

test("a session started without bypass is restarted without it", async () => {
  const created = bodyOf(
    await server.request("POST", "/sessions", { provider: "fake", cwd: dir }),
    201,
    sessionSchema,
  );
  expect(created.bypass).toBe(false);
  await StreamClient.connect(streamUrl(server.api, created.id, 0), server.auth).then((v) =>
    v.waitForClose(),
  );
  const restarted = bodyOf(
    await server.request("POST", `/sessions/${created.id}/restart`),
    201,
    sessionSchema,
  );
  expect(restarted.bypass).toBe(false);
  const viewer = await StreamClient.connect(streamUrl(server.api, restarted.id, 0), server.auth);
  await viewer.waitForClose();
  expect(viewer.output.toString()).toContain("<--from-manifest>");
  expect(viewer.output.toString()).not.toContain("--yolo");
});

test("model and resume-last reach the CLI through the manifest's flags", async () => {
  const created = await server.request("POST", "/sessions", {
    provider: "claude-like",
    cwd: dir,
    model: "big model",
    resume: "last",
    args: ["own"],
  });
  const { id } = bodyOf(created, 201, sessionSchema);
  const viewer = await StreamClient.connect(streamUrl(server.api, id, 0), server.auth);
  await viewer.waitForClose();
  expect(viewer.output.toString()).toContain("<--model><big model><--continue><own>");
  const refused = await server.request("POST", "/sessions", {
    provider: "fake",
    cwd: dir,
    resume: "last",
  });
  expect(errorOf(refused, 400).code).toBe("resume_invalid");
});

test("a missing CLI is 503 with its install hint; refresh finds it once installed", async () => {
  const refused = await server.request("POST", "/sessions", { provider: "late", cwd: dir });
  expect(refused.status).toBe(503);
  expect(refused.body).toEqual({
    error: {
      code: "provider_unavailable",
      message: expect.stringContaining("npm install -g @example/late"),
    },
  });
  writeFileSync(lateCli, "#!/bin/sh\necho late-cli 4.5.6\n", { mode: 0o755 });
  const late = bodyOf(await server.request("GET", "/providers/late"), 200, providerInfoSchema);
  expect(late.available).toBe(false);
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

test("settings: default args and config reach the CLI; the secret only through its environment", async () => {
  const secret = "sk-test-very-secret-value";
  const patched = await server.request("PATCH", "/providers/fake", {
    args: ["--from-settings"],
    config: { level: "high" },
    secrets: { apiKey: secret },
  });
  expect(patched.status).toBe(200);
  expect(patched.body).toMatchObject({
    defaultArgs: ["--from-settings"],
    config: { level: "high" },
    secretsSet: ["apiKey"],
  });
  expect(JSON.stringify(patched.body)).not.toContain(secret);
  expect(JSON.stringify((await server.request("GET", "/providers")).body)).not.toContain(secret);

  // Encrypted at rest: the plaintext is nowhere in the stored row.
  const rows = await queryRows<{ secrets: unknown }>(
    server.db.db,
    sql`select secrets from provider_settings where provider_id = 'fake'`,
  );
  expect(JSON.stringify(rows)).not.toContain(secret);
  expect(JSON.stringify(rows)).toContain("v1.");

  const created = await server.request("POST", "/sessions", {
    provider: "fake",
    cwd: dir,
    args: ["own"],
  });
  const { id } = bodyOf(created, 201, sessionSchema);
  const viewer = await StreamClient.connect(streamUrl(server.api, id, 0), server.auth);
  await viewer.waitForClose();
  const output = viewer.output.toString();
  expect(output).toContain("<--from-manifest><--level><high><--from-settings><own>");
  expect(output).toContain(`SECRET=${secret}`);
  expect(output.split("\n")[0]).not.toContain(secret);

  // Never logged, never audited (the broken manifest's warning proves the log is captured).
  expect(logLines.join("")).toContain("skipped a provider manifest");
  expect(logLines.join("")).not.toContain(secret);
  expect(JSON.stringify((await server.request("GET", "/audit")).body)).not.toContain(secret);

  await server.request("PATCH", "/providers/fake", {
    args: [],
    config: { level: null },
    secrets: { apiKey: null },
  });
});

test("settings are validated against the manifest", async () => {
  const cases = [
    { config: { nope: "x" } },
    { config: { level: "medium" } },
    { config: { apiKey: "x" } },
    { secrets: { level: "x" } },
    { enabled: "yes" },
  ];
  for (const body of cases) {
    const response = await server.request("PATCH", "/providers/fake", body);
    expect(response.status).toBe(400);
  }
  expect((await server.request("PATCH", "/providers/nope", { enabled: false })).status).toBe(404);
});

test("a disabled provider cannot start sessions; enabling it again works", async () => {
  const disabled = await server.request("PATCH", "/providers/fake", { enabled: false });
  expect(bodyOf(disabled, 200, providerInfoSchema).enabled).toBe(false);
  const refused = await server.request("POST", "/sessions", { provider: "fake", cwd: dir });
  expect(errorOf(refused, 400).code).toBe("provider_disabled");
  await server.request("PATCH", "/providers/fake", { enabled: true });
  expect((await server.request("POST", "/sessions", { provider: "fake", cwd: dir })).status).toBe(
    201,
  );
});

test("the secrets key file is created private in DATA_DIR", () => {
  expect(statSync(join(dataDir, "secrets.key")).mode & 0o777).toBe(0o600);
});
