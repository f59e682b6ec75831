// openDatabase against real engines: PGlite on disk and the configured test database.

import { afterEach, describe, expect, test } from "bun:test";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { createTestDatabase, queryRows } from "../../test/support/database.ts";
import { type DatabaseConfig, openDatabase } from "./client.ts";
import { migrateDatabase } from "./migrate.ts";
import { createSessionsRepo } from "./sessions-repo.ts";

/** PGlite's initdb alone takes ~3 s; a busy machine doubles it. */
const DB_TEST_TIMEOUT_MS = 30_000;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A new test database (of the configured kind, or `kind`), dropped after the test. */
async function testDatabase(kind?: DatabaseConfig["kind"]) {
  const testDb = await createTestDatabase(kind);
  cleanups.push(testDb.drop);
  return testDb.config;
}

/** A PGlite database at `path` in a new folder (removed after the test), open until the test ends. */
async function openPgliteIn(...path: string[]) {
  const parent = await mkdtemp(join(tmpdir(), "opendray-client-"));
  cleanups.push(() => rm(parent, { recursive: true, force: true }));
  const dataDir = join(parent, ...path);
  const database = await openDatabase({ kind: "pglite", dataDir });
  cleanups.push(database.close);
  return { database, dataDir };
}

describe("openDatabase", () => {
  test(
    "opens the test database, which answers queries",
    async () => {
      const config = await testDatabase();
      const database = await openDatabase(config);
      cleanups.push(database.close);
      expect(database.kind).toBe(config.kind);
      const rows = await queryRows<{ answer: number }>(database.db, sql`select 41 + 1 as answer`);
      expect(rows).toEqual([{ answer: 42 }]);
    },
    DB_TEST_TIMEOUT_MS,
  );

  test(
    "closing twice is harmless",
    async () => {
      const database = await openDatabase(await testDatabase());
      await database.close();
      await database.close();
    },
    DB_TEST_TIMEOUT_MS,
  );

  test(
    "PGlite runs with a 16MB buffer pool and PGlite's own settings",
    async () => {
      const { database } = await openPgliteIn("pgdata");
      const setting = async (name: string) =>
        (
          await queryRows<{ setting: string }>(
            database.db,
            sql`select current_setting(${name}) as setting`,
          )
        )[0]?.setting;
      expect(await setting("shared_buffers")).toBe("16MB");
      // Its defaults stay: no parallel workers, synchronous I/O.
      expect(await setting("max_worker_processes")).toBe("0");
      expect(await setting("io_method")).toBe("sync");
    },
    DB_TEST_TIMEOUT_MS,
  );

  test(
    "creates a missing PGlite directory with mode 0700",
    async () => {
      const { dataDir } = await openPgliteIn("nested", "pgdata");
      expect((await stat(dataDir)).mode & 0o777).toBe(0o700);
    },
    DB_TEST_TIMEOUT_MS,
  );

  test(
    "reopening a PGlite directory keeps its data",
    async () => {
      const config = await testDatabase("pglite");
      const first = await openDatabase(config);
      await migrateDatabase(first);
      await createSessionsRepo(first.db).insert({
        id: "2b1c7f0e-0000-4000-8000-000000000001",
        name: "kept",
        provider: "shell",
        cwd: "/tmp",
        state: "ended",
        cols: 80,
        rows: 24,
        createdAt: new Date("2025-01-01T00:00:00Z"),
      });
      await first.close();

      const second = await openDatabase(config);
      cleanups.push(second.close);
      await migrateDatabase(second);
      const rows = await createSessionsRepo(second.db).list();
      expect(rows.map((row) => row.name)).toEqual(["kept"]);
    },
    DB_TEST_TIMEOUT_MS,
  );

  test("an unreachable postgres URL rejects with an error that hides the password", async () => {
    const password = "s3cret-Pa55word";
    const error = await openDatabase({
      kind: "postgres",
      url: `postgres://opendray:${password}@127.0.0.1:1/opendray`,
    }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(Error);
    const { message, stack } = error as Error;
    expect(message).toContain(
      "cannot connect to PostgreSQL at postgres://opendray:***@127.0.0.1:1",
    );
    expect(message).toContain("ECONNREFUSED");
    expect(`${message}\n${stack}`).not.toContain(password);
  });

  test("an unparsable postgres URL rejects with an error that hides the password", async () => {
    const password = "p%40ss-word";
    const error = await openDatabase({
      kind: "postgres",
      url: `postgres://opendray:${password}@[not-a-host/db`,
    }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(Error);
    const text = `${(error as Error).message}\n${(error as Error).stack}`;
    expect(text).toContain("invalid PostgreSQL URL");
    expect(text).not.toContain(password);
    expect(text).not.toContain("p@ss-word");
  });
});
