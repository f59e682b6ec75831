// The provider settings repository on a migrated database of the configured kind (PGlite or PostgreSQL).

import { describe, expect, test } from "bun:test";
import { sql } from "drizzle-orm";
import { queryRows, withEmptiedTable } from "../../test/support/database.ts";
import type { Database } from "./client.ts";
import { createProviderSettingsRepo, type ProviderSettingsRepo } from "./provider-settings-repo.ts";
import { providerSettings } from "./schema.ts";

const FIRST_AT = new Date("2025-04-01T09:00:00.123Z");
const LATER_AT = new Date("2025-04-02T10:30:00.456Z");

let database: Database;
let repo: ProviderSettingsRepo;

withEmptiedTable(providerSettings, (opened) => {
  database = opened;
  repo = createProviderSettingsRepo(database.db);
});

describe("upsert", () => {
  test("creates a row with defaults for what the patch leaves out", async () => {
    const stored = await repo.upsert("claude", {}, FIRST_AT);
    expect(stored).toEqual({
      providerId: "claude",
      enabled: true,
      args: [],
      config: {},
      secrets: {},
      updatedAt: FIRST_AT,
    });
    expect(await repo.get("claude")).toEqual(stored);
  });

  test("creates a row with every field given, dropping secrets set to null", async () => {
    const stored = await repo.upsert(
      "codex",
      {
        enabled: false,
        args: ["--verbose", "a value with spaces"],
        config: { model: "o3", maxTurns: 12, fast: true },
        secrets: { apiKey: "v1.iv.sealed", gone: null },
      },
      FIRST_AT,
    );
    expect(stored).toEqual({
      providerId: "codex",
      enabled: false,
      args: ["--verbose", "a value with spaces"],
      config: { model: "o3", maxTurns: 12, fast: true },
      secrets: { apiKey: "v1.iv.sealed" },
      updatedAt: FIRST_AT,
    });
  });

  test("replaces enabled, args and config when given and keeps them when not", async () => {
    await repo.upsert(
      "gemini",
      { enabled: false, args: ["--a"], config: { model: "pro", sandbox: true } },
      FIRST_AT,
    );
    const onlyArgs = await repo.upsert("gemini", { args: ["--b"] }, LATER_AT);
    expect(onlyArgs).toMatchObject({
      enabled: false,
      args: ["--b"],
      config: { model: "pro", sandbox: true },
      updatedAt: LATER_AT,
    });
    const newConfig = await repo.upsert(
      "gemini",
      { enabled: true, config: { model: "flash" } },
      LATER_AT,
    );
    expect(newConfig).toMatchObject({ enabled: true, args: ["--b"], config: { model: "flash" } });
  });

  test("merges secrets key by key: sets, overwrites, and removes a key given as null", async () => {
    await repo.upsert("claude", { secrets: { apiKey: "v1.a.1", token: "v1.b.2" } }, FIRST_AT);
    const merged = await repo.upsert(
      "claude",
      { secrets: { apiKey: "v1.a.3", extra: "v1.c.4" } },
      LATER_AT,
    );
    expect(merged.secrets).toEqual({ apiKey: "v1.a.3", token: "v1.b.2", extra: "v1.c.4" });

    const removed = await repo.upsert(
      "claude",
      { secrets: { token: null, missing: null } },
      LATER_AT,
    );
    expect(removed.secrets).toEqual({ apiKey: "v1.a.3", extra: "v1.c.4" });
    expect(await repo.get("claude")).toEqual(removed);
  });

  test("a patch without secrets leaves the stored secrets alone", async () => {
    await repo.upsert("opencode", { secrets: { apiKey: "v1.a.1" } }, FIRST_AT);
    const updated = await repo.upsert("opencode", { enabled: false }, LATER_AT);
    expect(updated.secrets).toEqual({ apiKey: "v1.a.1" });
  });

  test("stores args, config and secrets as JSON values the database can query", async () => {
    await repo.upsert(
      "claude",
      { args: ["--x"], config: { model: "opus" }, secrets: { apiKey: "v1.a.1" } },
      FIRST_AT,
    );
    await repo.upsert("claude", { secrets: { token: "v1.b.2" } }, LATER_AT);
    const [raw] = await queryRows(
      database.db,
      sql`select jsonb_typeof(args) as args, jsonb_typeof(config) as config,
                 jsonb_typeof(secrets) as secrets, config->>'model' as model,
                 secrets->>'token' as token
          from provider_settings where provider_id = 'claude'`,
    );
    expect(raw).toEqual({
      args: "array",
      config: "object",
      secrets: "object",
      model: "opus",
      token: "v1.b.2",
    });
  });

  test("a secret key that reads like SQL or a JSON path is stored as an ordinary key", async () => {
    const odd = "k'); drop table provider_settings; --";
    await repo.upsert("shell", { secrets: { [odd]: "v1.x.y", "{a,b}": "v1.z.w" } }, FIRST_AT);
    const removed = await repo.upsert("shell", { secrets: { "{a,b}": null } }, LATER_AT);
    expect(removed.secrets).toEqual({ [odd]: "v1.x.y" });
  });
});

describe("get and list", () => {
  test("get of a provider without settings is undefined", async () => {
    expect(await repo.get("no-such-provider")).toBeUndefined();
  });

  test("list is empty on an empty table", async () => {
    expect(await repo.list()).toEqual([]);
  });

  test("list returns every row ordered by provider id", async () => {
    for (const id of ["shell", "claude", "opencode", "codex"]) await repo.upsert(id, {}, FIRST_AT);
    expect((await repo.list()).map((row) => row.providerId)).toEqual([
      "claude",
      "codex",
      "opencode",
      "shell",
    ]);
  });
});
