// Scratch folders for a test file, made under tmpdir and removed after its tests.

import { afterAll } from "bun:test";
import { mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Makes a new folder named `opendray-<name>-…` at each call; all go after the file's tests. */
export function tempDirMaker(name: string): () => string {
  const made: string[] = [];
  afterAll(() => {
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    const dir = mkdtempSync(join(tmpdir(), `opendray-${name}-`));
    made.push(dir);
    return dir;
  };
}

/** One such folder for the whole file, as its real path (macOS's tmpdir is behind a link). */
export const tempDirForFile = (name: string): string => realpathSync(tempDirMaker(name)());
