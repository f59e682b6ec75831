// Signed-out tokens: the only code that queries the `revoked_tokens` table.

import { eq, lt } from "drizzle-orm";
import type { Db } from "./client.ts";
import { revokedTokens } from "./schema.ts";

export function createRevokedTokensRepo(db: Db) {
  return {
    /**
     * Records that the token `jti` is signed out until `expiresAt`, and forgets the tokens
     * whose expiry has passed (the signature check refuses those by itself).
     */
    async revoke(jti: string, expiresAt: Date, now: Date): Promise<void> {
      await db.insert(revokedTokens).values({ jti, expiresAt }).onConflictDoNothing();
      await db.delete(revokedTokens).where(lt(revokedTokens.expiresAt, now));
    },

    /**
     * Spends the one-time token `jti` (valid until `expiresAt`): true the first time, false
     * once it has been spent (atomically: two concurrent uses cannot both win).
     */
    async spend(jti: string, expiresAt: Date): Promise<boolean> {
      const rows = await db
        .insert(revokedTokens)
        .values({ jti, expiresAt })
        .onConflictDoNothing()
        .returning({ jti: revokedTokens.jti });
      return rows.length > 0;
    },

    async isRevoked(jti: string): Promise<boolean> {
      const rows = await db
        .select({ jti: revokedTokens.jti })
        .from(revokedTokens)
        .where(eq(revokedTokens.jti, jti))
        .limit(1);
      return rows.length > 0;
    },
  };
}

export type RevokedTokensRepo = ReturnType<typeof createRevokedTokensRepo>;
