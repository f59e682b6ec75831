// Nothing under DATA_DIR is open to group or others: the embedded database's files (which PGlite
// makes 0666) are private after a start, files an older start left open are fixed, and `doctor`
// reports a file that is open to others.

import { afterAll, expect, test } from "bun:test";
import {
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findExposed } from "../src/file-modes.ts";
import { createTestDatabase } from "./support/database.ts";
import { stopProcess } from "./support/process.ts";
import { startTestServer, TEST_HOME } from "./support/server.ts";
import { StreamClient, streamUrl } from "./support/ws-client.ts";

const MAIN = join(import.meta.dir, "../src/main.ts");
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

function privateDataDir(): string {
  const dataDir = mkdtempSync(join(tmpdir(), "opendray-modes-"));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  return dataDir;
}

const describe = (paths: { path: string; mode: number }[]) =>
  paths.map(({ path, mode }) => `${mode.toString(8)} ${path}`);

test("a server on PGlite leaves nothing under DATA_DIR open to group or others, and fixes what was", async () => {
  const dataDir = privateDataDir();
  // The embedded database where the server keeps it, as an older start left it: PGlite's 0666
  // files (the test template may have been made private by a newer start: open it up again).
  const template = await createTestDatabase("pglite");
  if (template.config.kind !== "pglite") throw new Error("expected a PGlite database");
  const pgdata = join(dataDir, "pgdata");
  cpSync(template.config.dataDir, pgdata, { recursive: true });
  await template.drop();
  for (const name of readdirSync(pgdata, { recursive: true, encoding: "utf8" })) {
    const path = join(pgdata, name);
    chmodSync(path, statSync(path).isDirectory() ? 0o777 : 0o666);
  }
  expect(findExposed(pgdata).exposed.length).toBeGreaterThan(900);

  const server = await startTestServer({
    reuse: {
      database: { config: { kind: "pglite", dataDir: pgdata }, drop: async () => {} },
      dataDir,
    },
  });
  const hostPid = server.ptyHostPid;
  cleanups.push(async () => {
    await server.close();
    if (hostPid !== null) await stopProcess(hostPid);
  });
  // A session that ran and ended: its scrollback file, the host's log and socket, the locks.
  const ended = await server.spawnShell("printf 'private output\\n'");
  const viewer = await StreamClient.connect(streamUrl(server.api, ended.id, 0), server.auth);
  await viewer.waitForEvent("exit");
  await viewer.waitForClose();

  expect(describe(findExposed(dataDir).exposed)).toEqual([]);
  await server.close();
  expect(describe(findExposed(dataDir).exposed)).toEqual([]);
});

test("doctor reports a file under DATA_DIR that others may read or write", async () => {
  const dataDir = privateDataDir();
  mkdirSync(join(dataDir, "scrollback"), { mode: 0o700 });
  const planted = join(dataDir, "scrollback", "planted.log");
  writeFileSync(planted, "output");
  chmodSync(planted, 0o666);
  const doctor = Bun.spawn([process.execPath, MAIN, "doctor"], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: TEST_HOME, DATA_DIR: dataDir },
    stdout: "pipe",
    stderr: "pipe",
  });
  const stdout = await new Response(doctor.stdout).text();
  expect(await doctor.exited).toBe(1);
  const line = stdout.split("\n").find((text) => text.includes("planted.log"));
  expect(line).toBe(
    `FAIL  files       1 path(s) under ${dataDir} are open to group or others: ${planted} (mode 0666); fix with: chmod -R go-rwx ${dataDir}`,
  );
  expect(stdout).toMatch(/^(OK|WARN|FAIL) +disk +.* free for /m);
});
