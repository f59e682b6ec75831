// Password hashing, verification, the strength rule and the unknown-user failure path.

import { describe, expect, test } from "bun:test";
import {
  ARGON2_MEMORY_COST_KIB,
  ARGON2_TIME_COST,
  dummyVerify,
  hashPassword,
  PASSWORD_MAX_BYTES,
  validatePasswordStrength,
  verifyPassword,
} from "./passwords.ts";

const PASSWORD = "correct horse battery staple";

describe("hashPassword and verifyPassword", () => {
  test("a hash is argon2id with the documented parameters", async () => {
    const hash = await hashPassword(PASSWORD);
    expect(hash).toStartWith(
      `$argon2id$v=19$m=${ARGON2_MEMORY_COST_KIB},t=${ARGON2_TIME_COST},p=1$`,
    );
    expect(hash).not.toContain(PASSWORD);
  });

  test("hashing the same password twice gives different hashes (salted)", async () => {
    expect(await hashPassword(PASSWORD)).not.toBe(await hashPassword(PASSWORD));
  });

  test("verify accepts the password and rejects any other", async () => {
    const hash = await hashPassword(PASSWORD);
    expect(await verifyPassword(PASSWORD, hash)).toBe(true);
    expect(await verifyPassword("correct horse battery stapl", hash)).toBe(false);
    expect(await verifyPassword(PASSWORD.toUpperCase(), hash)).toBe(false);
    expect(await verifyPassword("", hash)).toBe(false);
  });

  test("non-ASCII passwords round-trip", async () => {
    const password = "pässwörd-日本語-🔑🔑";
    const hash = await hashPassword(password);
    expect(await verifyPassword(password, hash)).toBe(true);
    expect(await verifyPassword(password.normalize("NFD"), hash)).toBe(false);
  });

  test("verify rejects a hash that is not a hash", async () => {
    await expect(verifyPassword(PASSWORD, "not-a-hash")).rejects.toThrow();
  });
});

describe("dummyVerify", () => {
  test("resolves false for any password", async () => {
    for (const password of [PASSWORD, "", "x".repeat(PASSWORD_MAX_BYTES)]) {
      expect(await dummyVerify(password)).toBe(false);
    }
  });

  // The one timing assertion in the suite: it guards the property that an unknown username is
  // not distinguishable from a wrong password by response time. Generous on purpose.
  test("takes about as long as verifying a wrong password (median of 5 within 2x)", async () => {
    const hash = await hashPassword(PASSWORD);
    const wrong = "not the password at all";
    const real: number[] = [];
    const dummy: number[] = [];
    await verifyPassword(wrong, hash);
    await dummyVerify(wrong);
    for (let i = 0; i < 5; i++) {
      real.push(await elapsedMs(() => verifyPassword(wrong, hash)));
      dummy.push(await elapsedMs(() => dummyVerify(wrong)));
    }
    const realMs = median(real);
    const dummyMs = median(dummy);
    console.log(
      `verify wrong password: median ${realMs.toFixed(1)} ms; dummyVerify: median ${dummyMs.toFixed(1)} ms`,
    );
    expect(dummyMs / realMs).toBeGreaterThan(0.5);
    expect(dummyMs / realMs).toBeLessThan(2);
  });
});

describe("validatePasswordStrength", () => {
  test.each([
    ["twelve chars", "abcdefghijkl"],
    ["a long passphrase", PASSWORD],
    ["twelve non-ASCII characters", "ääääääääääää"],
    ["exactly the byte limit", "a".repeat(PASSWORD_MAX_BYTES)],
  ])("accepts %s", (_, password) => {
    expect(validatePasswordStrength(password)).toBeNull();
  });

  test.each([
    ["the empty string", "", "at least 12 characters"],
    ["eleven chars", "abcdefghijk", "at least 12 characters"],
    ["eleven emoji (22 UTF-16 units)", "🔑".repeat(11), "at least 12 characters"],
    ["one byte over the limit", "a".repeat(PASSWORD_MAX_BYTES + 1), "at most 1024 bytes"],
    ["600 two-byte characters", "é".repeat(600), "at most 1024 bytes"],
  ])("rejects %s with a message", (_, password, message) => {
    expect(validatePasswordStrength(password)).toBe(`password must be ${message}`);
  });
});

async function elapsedMs(run: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}
