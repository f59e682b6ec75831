import { expect, test } from "bun:test";
import { chownSync, mkdtempSync, readdirSync, statSync } from "node:fs";
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

test("refuses a directory that belongs to another user, writing nothing into it", () => {
  // As root the test hands a fresh directory to `nobody`; any other user meets root's "/".
  const uid = process.getuid?.() ?? 0;
  const foreign = uid === 0 ? mkdtempSync(join(tmpdir(), "opendray-foreign-")) : "/";
  if (uid === 0) chownSync(foreign, 65534, 65534);
  const owner = uid === 0 ? 65534 : 0;
  const before = readdirSync(foreign);
  expect(() => acquireDataDir(foreign)).toThrow(
    `DATA_DIR ${foreign} belongs to uid ${owner}, not to this user (uid ${uid})`,
  );
  expect(readdirSync(foreign)).toEqual(before);
});
