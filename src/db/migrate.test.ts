// migrateDatabase on an empty database of the configured kind (PGlite or PostgreSQL).

import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type SQL, sql } from "drizzle-orm";
import {
  createTestDatabase,
  DB_SETUP_TIMEOUT_MS,
  queryRows,
  type TestDatabase,
} from "../../test/support/database.ts";
import { type Database, openDatabase } from "./client.ts";
import { MIGRATIONS_FOLDER, migrateDatabase } from "./migrate.ts";

let testDb: TestDatabase;
let database: Database;

beforeAll(async () => {
  testDb = await createTestDatabase();
  database = await openDatabase(testDb.config);
}, DB_SETUP_TIMEOUT_MS);

afterAll(async () => {
  await database?.close();
  await testDb?.drop();
});

/** The single number a `select count(*) as n` returns (postgres.js gives bigints as strings). */
async function count(query: SQL): Promise<number> {
  const [row] = await queryRows<{ n: number | string }>(database.db, query);
  return Number(row?.n);
}

function journalLength(): number {
  const journal = JSON.parse(
    readFileSync(join(MIGRATIONS_FOLDER, "meta", "_journal.json"), "utf8"),
  );
  return (journal as { entries: unknown[] }).entries.length;
}

test("migrations create the sessions and audit_log tables", async () => {
  await migrateDatabase(database);
  const tables = await count(sql`
    select count(*) as n from information_schema.tables
    where table_schema = 'public' and table_name in ('sessions', 'audit_log')`);
  expect(tables).toBe(2);
});

test("running migrations again applies nothing twice", async () => {
  await migrateDatabase(database);
  await migrateDatabase(database);
  const applied = await count(sql`select count(*) as n from drizzle.__drizzle_migrations`);
  expect(applied).toBe(journalLength());
});

test("the migrations folder defaults to the repository's drizzle/", () => {
  expect(MIGRATIONS_FOLDER).toBe(join(import.meta.dir, "..", "..", "drizzle"));
});
