// A scratch folder for one test file: made under tmpdir when the file loads, removed after its tests.

import { afterAll } from "bun:test";
import { mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A new folder named `opendray-<name>-…`, its real path (macOS's tmpdir is behind a link). */
export function tempDirForFile(name: string): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), `opendray-${name}-`)));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
