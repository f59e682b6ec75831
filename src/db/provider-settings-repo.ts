// Persistence of per-provider settings: the only code that queries `provider_settings`.
// Secret values arrive here already sealed (src/providers/secret-box.ts); this module never sees plaintext.

import { asc, eq, type SQL, sql } from "drizzle-orm";
import type { Db } from "./client.ts";
import { type ProviderConfigValue, type ProviderSettingsRow, providerSettings } from "./schema.ts";

/**
 * A change to one provider's settings. `enabled`, `args` and `config` replace the stored value
 * when present; `secrets` merges key by key: a string (sealed) sets that key, null removes it.
 */
export type ProviderSettingsPatch = {
  enabled?: boolean;
  args?: string[];
  config?: Record<string, ProviderConfigValue>;
  secrets?: Record<string, string | null>;
};

/** Creates the provider settings repository over an open drizzle handle. */
export function createProviderSettingsRepo(db: Db) {
  return {
    /** The settings of `providerId`, or undefined when none were ever saved. */
    async get(providerId: string): Promise<ProviderSettingsRow | undefined> {
      const [row] = await db
        .select()
        .from(providerSettings)
        .where(eq(providerSettings.providerId, providerId))
        .limit(1);
      return row;
    },

    /** Every stored row, ordered by provider id. */
    async list(): Promise<ProviderSettingsRow[]> {
      return db.select().from(providerSettings).orderBy(asc(providerSettings.providerId));
    },

    /**
     * Applies `patch` to the row of `providerId`, creating it (defaults for what the patch leaves
     * out) when missing, sets `updatedAt` to `at`, and returns the row as stored. One statement,
     * so concurrent patches of different secret keys both survive.
     */
    async upsert(
      providerId: string,
      patch: ProviderSettingsPatch,
      at: Date,
    ): Promise<ProviderSettingsRow> {
      const { enabled, args, config, secrets = {} } = patch;
      const setSecrets: Record<string, string> = {};
      const removeSecrets: string[] = [];
      for (const [key, value] of Object.entries(secrets)) {
        if (value === null) removeSecrets.push(key);
        else setSecrets[key] = value;
      }
      const [row] = await db
        .insert(providerSettings)
        .values({ providerId, enabled, args, config, secrets: setSecrets, updatedAt: at })
        .onConflictDoUpdate({
          target: providerSettings.providerId,
          set: {
            enabled,
            args,
            config,
            secrets: mergedSecrets(setSecrets, removeSecrets),
            updatedAt: at,
          },
        })
        .returning();
      if (!row) throw new Error(`upsert of provider settings ${providerId} returned no row`);
      return row;
    },
  };
}

/** The provider settings repository. */
export type ProviderSettingsRepo = ReturnType<typeof createProviderSettingsRepo>;

/** The stored secrets with `set` laid over them (jsonb `||`) and then the `remove` keys deleted. */
function mergedSecrets(set: Record<string, string>, remove: readonly string[]): SQL {
  const merged = sql`(${providerSettings.secrets} || ${JSON.stringify(set)}::jsonb)`;
  return remove.reduce<SQL>((acc, key) => sql`(${acc} - ${key}::text)`, merged);
}
