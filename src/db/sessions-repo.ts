// Persistence of session rows: the only code that queries the `sessions` table.
// The in-memory session (PTY, ring, viewers) lives in src/sessions/; this is what survives restarts.

import { and, count, desc, eq, inArray, notInArray, type SQL } from "drizzle-orm";
import { LIVE_STATES, type SessionState } from "../protocol/session.ts";
import type { Db } from "./client.ts";
import { type NewSessionRow, type SessionRow, sessions } from "./schema.ts";

/** Which sessions `list` returns; all when empty. */
export type SessionsFilter = { state?: SessionState };

/** Columns `update` may change: everything but the primary key. */
export type SessionPatch = Partial<Omit<NewSessionRow, "id">>;

/** Creates the sessions repository over an open drizzle handle. */
export function createSessionsRepo(db: Db) {
  async function get(id: string): Promise<SessionRow | undefined> {
    const [row] = await db.select().from(sessions).where(eq(sessions.id, id)).limit(1);
    return row;
  }

  return {
    /** Inserts a new row and returns it as stored (defaults filled in). */
    async insert(row: NewSessionRow): Promise<SessionRow> {
      const [stored] = await db.insert(sessions).values(row).returning();
      if (!stored) throw new Error(`insert of session ${row.id} returned no row`);
      return stored;
    },

    /** The row with this id, or undefined. */
    get,

    /** Rows matching `filter`, newest first (by createdAt, then id descending). */
    async list(filter: SessionsFilter = {}): Promise<SessionRow[]> {
      const conditions: SQL[] = [];
      if (filter.state) conditions.push(eq(sessions.state, filter.state));
      return db
        .select()
        .from(sessions)
        .where(and(...conditions))
        .orderBy(desc(sessions.createdAt), desc(sessions.id));
    },

    /** How many rows are in each state (states without rows are absent); for GET /metrics. */
    async countByState(): Promise<Partial<Record<SessionState, number>>> {
      const rows = await db
        .select({ state: sessions.state, n: count() })
        .from(sessions)
        .groupBy(sessions.state);
      // postgres.js returns count(*) (a bigint) as a string, PGlite as a number.
      return Object.fromEntries(rows.map((row) => [row.state, Number(row.n)]));
    },

    /** Applies `patch` (undefined fields untouched) and returns the row; undefined if no such row. */
    async update(id: string, patch: SessionPatch): Promise<SessionRow | undefined> {
      // drizzle drops undefined fields and rejects an empty SET, so a no-op patch is a read.
      if (Object.values(patch).every((value) => value === undefined)) return get(id);
      const [row] = await db.update(sessions).set(patch).where(eq(sessions.id, id)).returning();
      return row;
    },

    /** Ids of the sessions that run in the worktree at `path`, oldest first. */
    async inWorktree(path: string): Promise<string[]> {
      const rows = await db
        .select({ id: sessions.id })
        .from(sessions)
        .where(eq(sessions.worktreePath, path))
        .orderBy(sessions.createdAt);
      return rows.map((row) => row.id);
    },

    /** Deletes the row; true when it existed. */
    async remove(id: string): Promise<boolean> {
      const deleted = await db
        .delete(sessions)
        .where(eq(sessions.id, id))
        .returning({ id: sessions.id });
      return deleted.length > 0;
    },

    /**
     * Marks every row still in a live state (starting, running, idle) as `interrupted`, ended at
     * `at` for `endReason`; run at start-up for rows a previous process left behind.
     * Returns the changed rows.
     */
    /** Rows in a live state, except `keep` (sessions still running elsewhere), become interrupted. */
    async markLiveInterrupted(
      endReason: string,
      at: Date,
      keep: readonly string[] = [],
    ): Promise<SessionRow[]> {
      const live = inArray(sessions.state, [...LIVE_STATES]);
      return db
        .update(sessions)
        .set({ state: "interrupted", endedAt: at, endReason })
        .where(keep.length === 0 ? live : and(live, notInArray(sessions.id, [...keep])))
        .returning();
    },
  };
}

/** The sessions repository. */
export type SessionsRepo = ReturnType<typeof createSessionsRepo>;
