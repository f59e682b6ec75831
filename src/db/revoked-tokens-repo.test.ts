// The revoked-tokens repository on a migrated database of the configured kind (PGlite or PostgreSQL).

import { expect, test } from "bun:test";
import { withMigratedDatabase } from "../../test/support/database.ts";
import { createRevokedTokensRepo, type RevokedTokensRepo } from "./revoked-tokens-repo.ts";

const NOW = new Date("2026-01-02T12:00:00.000Z");
const at = (offsetMs: number) => new Date(NOW.getTime() + offsetMs);

let repo: RevokedTokensRepo;

withMigratedDatabase((database) => {
  repo = createRevokedTokensRepo(database.db);
});

test("a revoked token is revoked; another is not; revoking twice is harmless", async () => {
  await repo.revoke("jti-a", at(3_600_000), NOW);
  await repo.revoke("jti-a", at(3_600_000), NOW);
  expect(await repo.isRevoked("jti-a")).toBe(true);
  expect(await repo.isRevoked("jti-b")).toBe(false);
});

test("rows past their token's expiry are forgotten at the next revocation", async () => {
  await repo.revoke("jti-old", at(60_000), NOW);
  expect(await repo.isRevoked("jti-old")).toBe(true);
  // Two minutes later the old token has expired (its signature check refuses it by itself).
  await repo.revoke("jti-new", at(3_600_000), at(120_000));
  expect(await repo.isRevoked("jti-old")).toBe(false);
  expect(await repo.isRevoked("jti-new")).toBe(true);
});
