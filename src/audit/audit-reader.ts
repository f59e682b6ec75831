// The audit log as admins read it (GET /audit): pages of rows, newest first, in their wire shape.
// Writing rows is the audit middleware's and the event subscribers' business, not this module's.

import type { AuditPage, AuditRepo } from "../db/audit-repo.ts";
import type { AuditEntry } from "../protocol/audit.ts";

export function createAuditReader(repo: Pick<AuditRepo, "list">) {
  return {
    /** At most `limit` entries with id below `before` (from the newest when unset). */
    async page(page: AuditPage): Promise<AuditEntry[]> {
      const rows = await repo.list(page);
      return rows.map((row) => ({ ...row, at: row.at.toISOString() }));
    },
  };
}

/** The audit reader. */
export type AuditReader = ReturnType<typeof createAuditReader>;
