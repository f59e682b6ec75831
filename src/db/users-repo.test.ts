// The users repository on a migrated database of the configured kind (PGlite or PostgreSQL).

import { describe, expect, test } from "bun:test";
import { withEmptiedTable } from "../../test/support/database.ts";
import { AppError } from "../errors.ts";
import type { Database } from "./client.ts";
import { type UserRole, users } from "./schema.ts";
import { createUsersRepo, type UsersRepo } from "./users-repo.ts";

/** What the repository's injected clock says. */
const CREATED_AT = new Date("2025-03-01T12:00:00.123Z");

let database: Database;
let repo: UsersRepo;

withEmptiedTable(users, (opened) => {
  database = opened;
  repo = createUsersRepo(database.db, { now: () => CREATED_AT });
});

function newUser(username: string, role: UserRole = "viewer") {
  return { username, passwordHash: `$argon2id$hash-of-${username}`, role };
}

describe("create", () => {
  test("stores the user as given with a UUID and both timestamps from the clock", async () => {
    const stored = await repo.create(newUser("Alice", "admin"));
    expect(stored).toEqual({
      id: expect.stringMatching(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      ),
      username: "Alice",
      passwordHash: "$argon2id$hash-of-Alice",
      role: "admin",
      createdAt: CREATED_AT,
      passwordChangedAt: CREATED_AT,
    });
    expect(await repo.get(stored.id)).toEqual(stored);
  });

  test("a username taken in another letter case is rejected with 409 username_taken", async () => {
    await repo.create(newUser("alice"));
    const attempt = repo.create(newUser("ALICE"));
    await expect(attempt).rejects.toBeInstanceOf(AppError);
    await expect(attempt).rejects.toMatchObject({ status: 409, code: "username_taken" });
    expect(await repo.count()).toBe(1);
  });

  test("an exact duplicate username is rejected the same way", async () => {
    await repo.create(newUser("bob"));
    await expect(repo.create(newUser("bob"))).rejects.toMatchObject({ code: "username_taken" });
  });

  test("a role outside USER_ROLES is rejected by the database", async () => {
    const attempt = repo.create(newUser("mallory", "root" as UserRole));
    await expect(attempt).rejects.toThrow();
    await expect(attempt).rejects.not.toBeInstanceOf(AppError);
  });
});

describe("count", () => {
  test("is a number on an empty table and after inserts", async () => {
    expect(await repo.count()).toBe(0);
    await repo.create(newUser("a"));
    await repo.create(newUser("b"));
    const n = await repo.count();
    expect(n).toBe(2);
    expect(typeof n).toBe("number");
  });
});

describe("findByUsername", () => {
  test("matches regardless of letter case and returns the name as stored", async () => {
    const stored = await repo.create(newUser("CamelCase"));
    expect(await repo.findByUsername("camelcase")).toEqual(stored);
    expect(await repo.findByUsername("CAMELCASE")).toEqual(stored);
    expect(await repo.findByUsername("CamelCase")).toEqual(stored);
  });

  test("is undefined for an unknown name and does not match by prefix or pattern", async () => {
    await repo.create(newUser("carol"));
    expect(await repo.findByUsername("caro")).toBeUndefined();
    expect(await repo.findByUsername("car%")).toBeUndefined();
    expect(await repo.findByUsername("")).toBeUndefined();
  });
});

describe("get and list", () => {
  test("get of an unknown id is undefined", async () => {
    expect(await repo.get("no-such-user")).toBeUndefined();
  });

  test("list orders by username ignoring case", async () => {
    for (const name of ["delta", "Bravo", "alpha", "Charlie"]) await repo.create(newUser(name));
    expect((await repo.list()).map((row) => row.username)).toEqual([
      "alpha",
      "Bravo",
      "Charlie",
      "delta",
    ]);
  });

  test("list is empty on an empty table", async () => {
    expect(await repo.list()).toEqual([]);
  });
});

describe("setPassword", () => {
  test("replaces the hash and the change time, leaving the rest", async () => {
    const stored = await repo.create(newUser("dave"));
    const changedAt = new Date("2025-03-02T08:30:00.456Z");
    const updated = await repo.setPassword(stored.id, "$argon2id$new", changedAt);
    expect(updated).toEqual({
      ...stored,
      passwordHash: "$argon2id$new",
      passwordChangedAt: changedAt,
    });
    expect(await repo.get(stored.id)).toEqual(updated);
  });

  test("of an unknown id is undefined", async () => {
    expect(await repo.setPassword("no-such-user", "$argon2id$x", new Date())).toBeUndefined();
  });
});

describe("remove", () => {
  test("deletes the account, reports whether it existed, and frees the username", async () => {
    const erin = await repo.create(newUser("erin"));
    await repo.create(newUser("frank"));
    expect(await repo.remove(erin.id)).toBe(true);
    expect(await repo.remove(erin.id)).toBe(false);
    expect((await repo.list()).map((row) => row.username)).toEqual(["frank"]);
    expect((await repo.create(newUser("Erin"))).username).toBe("Erin");
  });
});

test("without an injected clock, timestamps come from the system clock", async () => {
  const before = Date.now();
  const stored = await createUsersRepo(database.db).create(newUser("grace"));
  expect(stored.createdAt.getTime()).toBeGreaterThanOrEqual(before);
  expect(stored.createdAt.getTime()).toBeLessThanOrEqual(Date.now());
  expect(stored.passwordChangedAt).toEqual(stored.createdAt);
});
