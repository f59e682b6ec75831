// The audit repository on a migrated database of the configured kind (PGlite or PostgreSQL).

import { expect, test } from "bun:test";
import { withEmptiedTable } from "../../test/support/database.ts";
import { type AuditEntry, type AuditRepo, createAuditRepo } from "./audit-repo.ts";
import { type AuditOutcome, auditLog } from "./schema.ts";

let repo: AuditRepo;

withEmptiedTable(auditLog, (database) => {
  repo = createAuditRepo(database.db);
});

function entry(n: number, overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    actor: "alice",
    clientIp: "203.0.113.7",
    action: `action.${n}`,
    target: null,
    outcome: "ok",
    ...overrides,
  };
}

async function appendMany(count: number): Promise<void> {
  for (let n = 1; n <= count; n++) await repo.append(entry(n));
}

test("append stores the entry with an id and a server timestamp", async () => {
  const before = Date.now();
  await repo.append(
    entry(1, {
      actor: null,
      target: "session/abc",
      outcome: "denied",
      detail: { reason: "bad password", attempts: 3, nested: { ok: false } },
    }),
  );
  const [row] = await repo.list({ limit: 10 });
  expect(row).toMatchObject({
    actor: null,
    clientIp: "203.0.113.7",
    action: "action.1",
    target: "session/abc",
    outcome: "denied",
    detail: { reason: "bad password", attempts: 3, nested: { ok: false } },
  });
  expect(typeof row?.id).toBe("number");
  // Server and test clocks are the same machine; allow for timestamp rounding.
  expect(row?.at.getTime()).toBeGreaterThanOrEqual(before - 1000);
  expect(row?.at.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
});

test("an entry without detail stores null", async () => {
  await repo.append(entry(1));
  expect((await repo.list({ limit: 1 }))[0]?.detail).toBeNull();
});

test.each<AuditOutcome>(["ok", "denied", "error"])("outcome %s is accepted", async (outcome) => {
  await repo.append(entry(1, { outcome }));
  expect((await repo.list({ limit: 1 }))[0]?.outcome).toBe(outcome);
});

test("an unknown outcome is rejected by the database", async () => {
  await expect(repo.append(entry(1, { outcome: "maybe" as AuditOutcome }))).rejects.toThrow();
});

test("list returns newest first, at most limit rows", async () => {
  await appendMany(5);
  const rows = await repo.list({ limit: 3 });
  expect(rows.map((row) => row.action)).toEqual(["action.5", "action.4", "action.3"]);
});

test("list pages backwards with before", async () => {
  await appendMany(5);
  const first = await repo.list({ limit: 2 });
  const second = await repo.list({ limit: 2, before: first.at(-1)?.id });
  const third = await repo.list({ limit: 2, before: second.at(-1)?.id });
  const pages = [first, second, third].map((page) => page.map((row) => row.action));
  expect(pages).toEqual([["action.5", "action.4"], ["action.3", "action.2"], ["action.1"]]);
});

test("list before the oldest id is empty", async () => {
  await appendMany(2);
  const all = await repo.list({ limit: 10 });
  expect(await repo.list({ limit: 10, before: all.at(-1)?.id })).toEqual([]);
});
