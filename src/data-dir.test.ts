import { expect, test } from "bun:test";
import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { acquireDataDir } from "./data-dir.ts";

test("creates the directory private and refuses a second holder until released", async () => {
  const dir = join(mkdtempSync(join(tmpdir(), "opendray-lock-")), "data");
  const lock = acquireDataDir(dir);
  expect(statSync(dir).mode & 0o777).toBe(0o700);

  // Another process cannot take it (flock locks are per open file, so test across processes).
  const probe = `import { acquireDataDir } from ${JSON.stringify(join(import.meta.dir, "data-dir.ts"))};
    try { acquireDataDir(${JSON.stringify(dir)}); console.log("locked"); } catch (e) { console.log(e.message); }`;
  const run = async () => {
    const child = Bun.spawn([process.execPath, "-e", probe], { stdout: "pipe" });
    return (await new Response(child.stdout).text()).trim();
  };
  expect(await run()).toBe(
    `DATA_DIR ${dir} is in use by another OpenDray process (pid ${process.pid})`,
  );
  lock.release();
  expect(await run()).toBe("locked");
});
