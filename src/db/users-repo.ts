// Persistence of user accounts: the only code that queries the `users` table.
// Usernames are stored in their canonical form (src/protocol/auth.ts) and matched by their
// normal form, which the database's lower() of a canonical name equals.

import { asc, count, eq, sql } from "drizzle-orm";
import { AppError } from "../errors.ts";
import { normalizeUsername } from "../protocol/auth.ts";
import type { Db } from "./client.ts";
import { type UserRole, type UserRow, users } from "./schema.ts";

/** What `create` needs; the id and both timestamps are chosen by the repository. */
export type NewUser = { username: string; passwordHash: string; role: UserRole };

/** Options of `createUsersRepo`. */
export type UsersRepoOptions = {
  /** Clock for `createdAt` and the initial `passwordChangedAt`; defaults to the system clock. */
  now?: () => Date;
};

/** SQLSTATE of a unique_violation. */
const UNIQUE_VIOLATION = "23505";
/** The index that makes usernames unique regardless of case (src/db/schema.ts). */
const USERNAME_INDEX = "users_username_lower_idx";

/**
 * Creates the users repository over an open drizzle handle. Timestamps it writes come from
 * `now`, the same clock that issues tokens, so that a database server whose clock differs
 * cannot make fresh tokens look older than the password they were issued for.
 */
export function createUsersRepo(db: Db, { now = () => new Date() }: UsersRepoOptions = {}) {
  return {
    /** Number of accounts. */
    async count(): Promise<number> {
      const [row] = await db.select({ n: count() }).from(users);
      // postgres.js returns count(*) (a bigint) as a string, PGlite as a number.
      return Number(row?.n ?? 0);
    },

    /**
     * Inserts an account with a new UUID, created and password-changed at `now()`.
     * Rejects with AppError 409 `username_taken` when the name exists in any letter case.
     */
    async create({ username, passwordHash, role }: NewUser): Promise<UserRow> {
      const at = now();
      try {
        const [stored] = await db
          .insert(users)
          .values({
            id: crypto.randomUUID(),
            username,
            passwordHash,
            role,
            createdAt: at,
            passwordChangedAt: at,
          })
          .returning();
        if (!stored) throw new Error(`insert of user ${username} returned no row`);
        return stored;
      } catch (err) {
        if (isUniqueViolation(err, USERNAME_INDEX)) {
          throw new AppError(409, "username_taken", "this username is already taken");
        }
        throw err;
      }
    },

    /** The account whose username has the same normal form as `username`, or undefined. */
    async findByUsername(username: string): Promise<UserRow | undefined> {
      const [row] = await db
        .select()
        .from(users)
        .where(eq(sql`lower(${users.username})`, normalizeUsername(username)))
        .limit(1);
      return row;
    },

    /** The account with this id, or undefined. */
    async get(id: string): Promise<UserRow | undefined> {
      const [row] = await db.select().from(users).where(eq(users.id, id)).limit(1);
      return row;
    },

    /** Every account, ordered by username ignoring case. */
    async list(): Promise<UserRow[]> {
      return db
        .select()
        .from(users)
        .orderBy(asc(sql`lower(${users.username})`));
    },

    /**
     * Replaces the password hash and records `changedAt`, which invalidates every token issued
     * at or before that second. Returns the updated row, or undefined if no such account.
     */
    async setPassword(
      id: string,
      passwordHash: string,
      changedAt: Date,
    ): Promise<UserRow | undefined> {
      const [row] = await db
        .update(users)
        .set({ passwordHash, passwordChangedAt: changedAt })
        .where(eq(users.id, id))
        .returning();
      return row;
    },

    /** Deletes the account; true when it existed. */
    async remove(id: string): Promise<boolean> {
      const deleted = await db.delete(users).where(eq(users.id, id)).returning({ id: users.id });
      return deleted.length > 0;
    },
  };
}

/** The users repository. */
export type UsersRepo = ReturnType<typeof createUsersRepo>;

/**
 * Whether `err` (or an error it wraps: drizzle wraps driver errors in `cause`) is a unique
 * violation of `constraint`. postgres.js names it `constraint_name`, PGlite `constraint`.
 */
function isUniqueViolation(err: unknown, constraint: string): boolean {
  let e = err;
  // A few levels are enough for drizzle's wrapper; the bound guards against a cyclic chain.
  for (let depth = 0; depth < 4 && typeof e === "object" && e !== null; depth++) {
    const { code, constraint_name, constraint: name, cause } = e as Record<string, unknown>;
    if (code === UNIQUE_VIOLATION) return (constraint_name ?? name) === constraint;
    e = cause;
  }
  return false;
}
