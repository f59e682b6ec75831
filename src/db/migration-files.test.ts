import { expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { JOURNAL_PATH, MIGRATION_PATHS } from "./migration-files.ts";

test("every migration in drizzle/ is embedded, in journal order", () => {
  const folder = dirname(dirname(JOURNAL_PATH));
  const journal = JSON.parse(readFileSync(JOURNAL_PATH, "utf8")) as { entries: { tag: string }[] };
  const onDisk = readdirSync(folder)
    .filter((name) => name.endsWith(".sql"))
    .sort();
  const tags = journal.entries.map((entry) => `${entry.tag}.sql`);
  expect(onDisk).toEqual(tags);
  expect(MIGRATION_PATHS.map((path) => basename(path))).toEqual(tags);
  for (const path of MIGRATION_PATHS) expect(path).toBe(join(folder, basename(path)));
});
