// Share links (src/shares/): the only code that queries the `share_links` table. A link is found
// by the hash of its token, never by the token itself, which is not stored.

import { and, desc, eq, isNull } from "drizzle-orm";
import type { Db } from "./client.ts";
import { type ShareLinkRow, shareLinks } from "./schema.ts";

export function createShareLinksRepo(db: Db) {
  return {
    async insert(row: typeof shareLinks.$inferInsert): Promise<ShareLinkRow> {
      const [stored] = await db.insert(shareLinks).values(row).returning();
      if (!stored) throw new Error(`insert of share link ${row.id} returned no row`);
      return stored;
    },

    /** The session's links, newest first (revoked and expired ones included). */
    listBySession(sessionId: string): Promise<ShareLinkRow[]> {
      return db
        .select()
        .from(shareLinks)
        .where(eq(shareLinks.sessionId, sessionId))
        .orderBy(desc(shareLinks.createdAt), desc(shareLinks.id));
    },

    /** The link whose token hashes to `tokenHash`, whatever its state; undefined if none. */
    async findByHash(tokenHash: string): Promise<ShareLinkRow | undefined> {
      const [row] = await db
        .select()
        .from(shareLinks)
        .where(eq(shareLinks.tokenHash, tokenHash))
        .limit(1);
      return row;
    },

    /**
     * Marks the session's link `id` revoked at `at`. Undefined when the session has no such
     * link; else the row as it is now, and whether this call revoked it (revoking twice keeps
     * the first time).
     */
    async revoke(
      sessionId: string,
      id: string,
      at: Date,
    ): Promise<{ row: ShareLinkRow; revokedNow: boolean } | undefined> {
      const ofSession = and(eq(shareLinks.id, id), eq(shareLinks.sessionId, sessionId));
      const [revoked] = await db
        .update(shareLinks)
        .set({ revokedAt: at })
        .where(and(ofSession, isNull(shareLinks.revokedAt)))
        .returning();
      if (revoked) return { row: revoked, revokedNow: true };
      const [row] = await db.select().from(shareLinks).where(ofSession).limit(1);
      return row && { row, revokedNow: false };
    },

    async touchOpened(id: string, at: Date): Promise<void> {
      await db.update(shareLinks).set({ lastOpenedAt: at }).where(eq(shareLinks.id, id));
    },
  };
}

export type ShareLinksRepo = ReturnType<typeof createShareLinksRepo>;
