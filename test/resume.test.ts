// A CLI that can pin its conversation (Claude Code's `--session-id <uuid>`) gets a fresh id at
// spawn, stored on the session; restarting the session after it was interrupted (the server or
// the machine went down) resumes that conversation with `--resume <uuid>`.

import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sessionSchema } from "../src/protocol/session.ts";
import { auditListSchema, bodyOf, sessionListSchema } from "./support/responses.ts";
import { eventually, startTestServer } from "./support/server.ts";

const dir = mkdtempSync(join(tmpdir(), "opendray-resume-"));
const dataDir = join(dir, "data");
const argvLog = join(dir, "argv.log");
const fakeClaude = join(dir, "fake-claude");

beforeAll(() => {
  // Answers --version; otherwise appends its argv (one line per start) and waits.
  writeFileSync(
    fakeClaude,
    `#!/bin/bash\nif [ "$1" = --version ]; then echo "fake-claude 1.0.0"; exit 0; fi\nprintf '%s\\n' "$*" >> ${argvLog}\nexec sleep 300\n`,
    { mode: 0o755 },
  );
  writeManifest(dataDir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** DATA_DIR/providers/fake-claude.json: the fake CLI, resumable like Claude Code. */
function writeManifest(into: string) {
  mkdirSync(join(into, "providers"), { recursive: true });
  writeFileSync(
    join(into, "providers", "fake-claude.json"),
    JSON.stringify({
      id: "fake-claude",
      name: "Fake Claude",
      executable: fakeClaude,
      resume: {
        lastInCwd: ["--continue"],
        pinSession: { flag: "--session-id" },
        resumeSession: { flag: "--resume" },
      },
    }),
  );
}

const starts = () =>
  existsSync(argvLog) ? readFileSync(argvLog, "utf8").trim().split("\n").filter(Boolean) : [];

test("a pinned conversation is resumed when its interrupted session is restarted", async () => {
  const first = await startTestServer({ env: { DATA_DIR: dataDir } });
  const created = await first.request("POST", "/sessions", {
    provider: "fake-claude",
    cwd: dir,
    args: ["--model-free"],
  });
  const session = bodyOf(created, 201, sessionSchema);
  const conversationId = session.conversationId;
  expect(conversationId).toMatch(/^[0-9a-f-]{36}$/);
  await eventually(() => (starts().length === 1 ? true : undefined), "the CLI started");
  expect(starts()).toEqual([`--session-id ${conversationId} --model-free`]);

  // The server goes down with the session live (in-process PTYs: as after a reboot).
  await first.close();
  const second = await startTestServer({
    env: { DATA_DIR: dataDir },
    reuse: { database: first.database, dataDir },
  });
  try {
    const interrupted = await second.getSession(session.id);
    expect(interrupted).toMatchObject({ state: "interrupted", conversationId });

    const restarted = await second.request("POST", `/sessions/${session.id}/restart`);
    expect(bodyOf(restarted, 201, sessionSchema)).toMatchObject({
      state: "running",
      conversationId,
      parentSessionId: session.id,
    });
    await eventually(() => (starts().length === 2 ? true : undefined), "the CLI resumed");
    expect(starts()[1]).toBe(`--resume ${conversationId} --model-free`);
  } finally {
    await second.close();
    await first.database.drop();
  }
}, 60_000);

test("no id is pinned when the session continues the last conversation or sets one itself", async () => {
  const server = await startTestServer({ env: { DATA_DIR: dataDir } });
  try {
    const last = await server.request("POST", "/sessions", {
      provider: "fake-claude",
      cwd: dir,
      resume: "last",
    });
    const own = await server.request("POST", "/sessions", {
      provider: "fake-claude",
      cwd: dir,
      args: ["--session-id", "0d5c4a8e-0000-4000-8000-000000000001"],
    });
    const shell = await server.request("POST", "/sessions", {
      provider: "shell",
      cwd: dir,
      args: ["-c", "true"],
    });
    const conversationIds = [last, own, shell].map(
      (created) => bodyOf(created, 201, sessionSchema).conversationId,
    );
    expect(conversationIds).toEqual([null, null, null]);
  } finally {
    await server.dispose();
  }
}, 60_000);

test("RESUME_ON_START restarts the sessions a start found interrupted, resuming them", async () => {
  const data = join(dir, "data-auto");
  writeManifest(data);
  rmSync(argvLog, { force: true });
  const first = await startTestServer({ env: { DATA_DIR: data } });
  const created = bodyOf(
    await first.request("POST", "/sessions", { provider: "fake-claude", cwd: dir }),
    201,
    sessionSchema,
  );
  await eventually(() => (starts().length === 1 ? true : undefined), "the CLI started");
  await first.close();

  const second = await startTestServer({
    env: { DATA_DIR: data, RESUME_ON_START: "2" },
    reuse: { database: first.database, dataDir: data },
  });
  try {
    const resumed = await eventually(async () => {
      const { sessions } = bodyOf(await second.request("GET", "/sessions"), 200, sessionListSchema);
      return sessions.find((s) => s.parentSessionId === created.id);
    }, "the resumed session");
    expect(resumed).toMatchObject({
      state: "running",
      conversationId: created.conversationId,
    });
    await eventually(() => (starts().length === 2 ? true : undefined), "the CLI resumed");
    expect(starts()[1]).toBe(`--resume ${created.conversationId}`);
    // Audited as what the server did by itself: no actor, and why.
    const rows = await eventually(async () => {
      const audit = await second.request("GET", "/audit?limit=50");
      const { entries } = bodyOf(audit, 200, auditListSchema);
      const about = entries.filter((row) => row.target === created.id).reverse();
      return about.some((row) => row.action === "session.restart") ? about : undefined;
    }, "the resume's audit row");
    expect(rows).toMatchObject([
      { action: "session.create", actor: "admin" },
      { action: "session.interrupt", actor: null, detail: { reason: "server_stop" } },
      {
        action: "session.restart",
        actor: null,
        detail: { reason: "server_start", newSessionId: resumed.id },
      },
    ]);
  } finally {
    await second.close();
    await first.database.drop();
  }
}, 60_000);
