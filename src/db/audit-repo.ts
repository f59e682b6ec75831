// Persistence of the audit log: append-only rows for security-relevant actions.
// Callers (src/audit/) decide what to record; this module only writes and pages through rows.

import { desc, lt } from "drizzle-orm";
import type { Db } from "./client.ts";
import { type AuditOutcome, type AuditRow, auditLog } from "./schema.ts";

/** One action to record; `at` and `id` are assigned by the database. */
export type AuditEntry = {
  actor: string | null;
  clientIp: string | null;
  action: string;
  target: string | null;
  outcome: AuditOutcome;
  detail?: Record<string, unknown>;
};

/** A page request: at most `limit` rows with id below `before` (all when unset). */
export type AuditPage = { limit: number; before?: number };

/**
 * PostgreSQL text cannot hold U+0000, and the row of a request refused for a NUL (a sign-in
 * with one in its username) must still be written: NUL is stored as U+FFFD.
 */
const storable = (text: string | null) => text?.replaceAll("\0", "\uFFFD") ?? null;

/** Creates the audit repository over an open drizzle handle. */
export function createAuditRepo(db: Db) {
  return {
    /** Records one entry. */
    async append(entry: AuditEntry): Promise<void> {
      await db.insert(auditLog).values({
        actor: storable(entry.actor),
        clientIp: entry.clientIp,
        action: entry.action,
        target: storable(entry.target),
        outcome: entry.outcome,
        detail: entry.detail ?? null,
      });
    },

    /** Newest first (by id, i.e. insertion order); pass the last id seen as `before` to page on. */
    async list({ limit, before }: AuditPage): Promise<AuditRow[]> {
      return db
        .select()
        .from(auditLog)
        .where(before === undefined ? undefined : lt(auditLog.id, before))
        .orderBy(desc(auditLog.id))
        .limit(limit);
    },
  };
}

/** The audit repository. */
export type AuditRepo = ReturnType<typeof createAuditRepo>;
