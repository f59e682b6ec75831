// Web Push storage: the users' device subscriptions, their notification settings, and the
// server's own keys (the VAPID pair). The only code that queries these tables.

import { and, eq, sql } from "drizzle-orm";
import type { Db } from "./client.ts";
import {
  notificationSettings,
  type PushSubscriptionRow,
  pushSubscriptions,
  serverKeys,
} from "./schema.ts";

export type NewSubscription = Omit<PushSubscriptionRow, "lastSuccessAt" | "failures">;
export type StoredSettings = {
  activities: string[];
  quietHours: { start: string; end: string; timeZone: string } | null;
};

export function createPushRepo(db: Db) {
  return {
    /**
     * Stores a subscription; an endpoint already stored (the same browser subscribing again,
     * maybe for another user) is replaced. Returns the stored row.
     */
    async subscribe(row: NewSubscription): Promise<PushSubscriptionRow> {
      const [stored] = await db
        .insert(pushSubscriptions)
        .values(row)
        .onConflictDoUpdate({
          target: pushSubscriptions.endpoint,
          set: {
            id: row.id,
            userId: row.userId,
            p256dh: row.p256dh,
            auth: row.auth,
            label: row.label,
            createdAt: row.createdAt,
            lastSuccessAt: null,
            failures: 0,
          },
        })
        .returning();
      if (!stored) throw new Error("the subscription was not stored");
      return stored;
    },

    async countForUser(userId: string): Promise<number> {
      const [row] = await db
        .select({ count: sql<number>`count(*)::int` })
        .from(pushSubscriptions)
        .where(eq(pushSubscriptions.userId, userId));
      return row?.count ?? 0;
    },

    /** A user's subscriptions, oldest first; every user's when `userId` is undefined. */
    async list(userId?: string): Promise<PushSubscriptionRow[]> {
      return db
        .select()
        .from(pushSubscriptions)
        .where(userId === undefined ? undefined : eq(pushSubscriptions.userId, userId))
        .orderBy(pushSubscriptions.createdAt);
    },

    /** Deletes a user's subscription; false when the user has none of that id. */
    async remove(userId: string, id: string): Promise<boolean> {
      const rows = await db
        .delete(pushSubscriptions)
        .where(and(eq(pushSubscriptions.userId, userId), eq(pushSubscriptions.id, id)))
        .returning({ id: pushSubscriptions.id });
      return rows.length > 0;
    },

    /** The push service says it is gone. */
    async prune(id: string): Promise<void> {
      await db.delete(pushSubscriptions).where(eq(pushSubscriptions.id, id));
    },

    async succeeded(id: string, at: Date): Promise<void> {
      await db
        .update(pushSubscriptions)
        .set({ lastSuccessAt: at, failures: 0 })
        .where(eq(pushSubscriptions.id, id));
    },

    /** One more failed send in a row; returns how many now. */
    async failed(id: string): Promise<number> {
      const [row] = await db
        .update(pushSubscriptions)
        .set({ failures: sql`${pushSubscriptions.failures} + 1` })
        .where(eq(pushSubscriptions.id, id))
        .returning({ failures: pushSubscriptions.failures });
      return row?.failures ?? 0;
    },

    async settings(userId: string): Promise<StoredSettings | undefined> {
      const [row] = await db
        .select()
        .from(notificationSettings)
        .where(eq(notificationSettings.userId, userId));
      return row && { activities: row.activities, quietHours: row.quietHours ?? null };
    },

    async saveSettings(userId: string, settings: StoredSettings, at: Date): Promise<void> {
      const values = { ...settings, updatedAt: at };
      await db
        .insert(notificationSettings)
        .values({ userId, ...values })
        .onConflictDoUpdate({ target: notificationSettings.userId, set: values });
    },

    /** A server key by name (sealed), or undefined. */
    async serverKey(name: string): Promise<string | undefined> {
      const [row] = await db.select().from(serverKeys).where(eq(serverKeys.name, name));
      return row?.value;
    },

    /** Stores `value` under `name` unless one is there; returns the one that is. */
    async keepServerKey(name: string, value: string, at: Date): Promise<string> {
      await db.insert(serverKeys).values({ name, value, createdAt: at }).onConflictDoNothing();
      const stored = await this.serverKey(name);
      if (stored === undefined) throw new Error(`server key ${name} was not stored`);
      return stored;
    },
  };
}

export type PushRepo = ReturnType<typeof createPushRepo>;
