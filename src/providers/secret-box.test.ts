// Sealing provider secrets, loading the key that seals them, and what reaches the database row.

import { describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { chmodSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { queryRows, withMigratedDatabase } from "../../test/support/database.ts";
import { tempDirMaker } from "../../test/support/temp-dir.ts";
import type { Database } from "../db/client.ts";
import { createProviderSettingsRepo } from "../db/provider-settings-repo.ts";
import { createSecretBox, loadSecretsKey, SECRETS_KEY_FILE } from "./secret-box.ts";

const KEY = new Uint8Array(randomBytes(32));
const CONTEXT = "claude:apiKey";
const PLAINTEXT = "sk-ant-api03-Zq9 with spaces, quotes ' \" and ünïcode";

const box = createSecretBox(KEY);

const freshDataDir = tempDirMaker("secrets");

/** `sealed` with one byte of its decoded part `part` (1: IV, 2: ciphertext+tag) XOR-ed. */
function flipByte(sealed: string, part: 1 | 2, index: number): string {
  const parts = sealed.split(".");
  const bytes = Buffer.from(parts[part] ?? "", "base64url");
  const at = index < 0 ? bytes.length + index : index;
  bytes[at] = (bytes[at] ?? 0) ^ 0x01;
  parts[part] = bytes.toString("base64url");
  return parts.join(".");
}

describe("createSecretBox", () => {
  test("opens what it sealed, in the v1.<iv>.<ciphertext+tag> format", () => {
    const sealed = box.seal(PLAINTEXT, CONTEXT);
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    expect(box.open(sealed, CONTEXT)).toBe(PLAINTEXT);
  });

  test("an empty string round-trips", () => {
    expect(box.open(box.seal("", CONTEXT), CONTEXT)).toBe("");
  });

  test("each seal uses a fresh IV, so equal plaintexts give different values", () => {
    const sealed = Array.from({ length: 20 }, () => box.seal(PLAINTEXT, CONTEXT));
    expect(new Set(sealed.map((value) => value.split(".")[1])).size).toBe(20);
    expect(new Set(sealed).size).toBe(20);
    for (const value of sealed) expect(box.open(value, CONTEXT)).toBe(PLAINTEXT);
  });

  test.each([
    ["the first IV byte", 1, 0],
    ["the first ciphertext byte", 2, 0],
    ["the last ciphertext byte", 2, -17],
    ["the first tag byte", 2, -16],
    ["the last tag byte", 2, -1],
  ] as const)("a value with %s flipped does not open", (_what, part, index) => {
    const tampered = flipByte(box.seal(PLAINTEXT, CONTEXT), part, index);
    expect(() => box.open(tampered, CONTEXT)).toThrow(
      "cannot decrypt the secret for claude:apiKey: wrong key, sealed for another field, or altered",
    );
  });

  test("a value sealed for another field does not open", () => {
    const sealed = box.seal(PLAINTEXT, "claude:apiKey");
    expect(() => box.open(sealed, "codex:apiKey")).toThrow(/^cannot decrypt/);
    expect(() => box.open(sealed, "claude:token")).toThrow(/^cannot decrypt/);
  });

  test("a value sealed under another key does not open", () => {
    const other = createSecretBox(new Uint8Array(randomBytes(32)));
    expect(() => other.open(box.seal(PLAINTEXT, CONTEXT), CONTEXT)).toThrow(/^cannot decrypt/);
  });

  test.each([
    ["plaintext", PLAINTEXT],
    ["an empty string", ""],
    ["another version", "v2.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA"],
    ["a missing part", "v1.AAAAAAAAAAAAAAAA"],
    ["an extra part", "v1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA.AA"],
    ["a short IV", "v1.AAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA"],
    ["a body shorter than the tag", "v1.AAAAAAAAAAAAAAAA.AAAA"],
    ["characters outside base64url", "v1.AAAAAAAAAAAAAAAA.AAAAAAAAAAA+AAAAAAAAAA"],
  ])("a malformed value (%s) does not open", (_what, sealed) => {
    expect(() => box.open(sealed, CONTEXT)).toThrow(
      "cannot decrypt the secret for claude:apiKey: not a v1 sealed value",
    );
  });

  test("a non-canonical base64url spelling of a real value does not open", () => {
    // A 1-byte plaintext gives a 17-byte body: 23 characters, the last with 2 spare bits.
    const sealed = box.seal("x", CONTEXT);
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const last = alphabet.indexOf(sealed.at(-1) ?? "");
    const respelled = sealed.slice(0, -1) + alphabet[last ^ 0b01];
    const body = (value: string) => Buffer.from(value.split(".")[2] ?? "", "base64url");
    expect(body(respelled).equals(body(sealed))).toBe(true);
    expect(() => box.open(respelled, CONTEXT)).toThrow("not a v1 sealed value");
  });

  test("a key that is not 32 bytes is refused", () => {
    expect(() => createSecretBox(new Uint8Array(16))).toThrow(
      "the secrets key must be 32 bytes, got 16",
    );
  });
});

describe("loadSecretsKey from SECRETS_KEY", () => {
  test("decodes 44-character base64", () => {
    const key = loadSecretsKey({ value: Buffer.from(KEY).toString("base64"), dataDir: "/none" });
    expect(key).toEqual(KEY);
  });

  test("decodes 64-character hex in either case, ignoring surrounding whitespace", () => {
    const hex = Buffer.from(KEY).toString("hex");
    expect(loadSecretsKey({ value: hex, dataDir: "/none" })).toEqual(KEY);
    expect(loadSecretsKey({ value: ` ${hex.toUpperCase()}\n`, dataDir: "/none" })).toEqual(KEY);
  });

  test.each([
    ["empty", ""],
    ["a passphrase", "correct horse battery staple"],
    ["16 bytes of base64", randomBytes(16).toString("base64")],
    ["48 bytes of base64", randomBytes(48).toString("base64")],
    ["base64url", `${"-_".repeat(21)}A=`],
    ["63 hex digits", "a".repeat(63)],
    ["65 hex digits", "a".repeat(65)],
  ])("refuses %s, naming SECRETS_KEY and how to generate one", (_what, value) => {
    const load = () => loadSecretsKey({ value, dataDir: "/none" });
    expect(load).toThrow(/^SECRETS_KEY must be 32 bytes as base64 \(44 characters\) or hex/);
    expect(load).toThrow("openssl rand -base64 32");
  });

  test("the error does not echo the value", () => {
    const value = "hunter2-but-longer-and-still-not-a-key";
    expect(() => loadSecretsKey({ value, dataDir: "/none" })).not.toThrow(value);
  });

  test("a given value wins over an existing key file", () => {
    const dataDir = freshDataDir();
    const fromFile = loadSecretsKey({ dataDir });
    const fromValue = loadSecretsKey({ value: Buffer.from(KEY).toString("hex"), dataDir });
    expect(fromValue).toEqual(KEY);
    expect(fromValue).not.toEqual(fromFile);
  });
});

describe("loadSecretsKey from DATA_DIR/secrets.key", () => {
  test("creates a 0600 file of 32 random bytes and reads the same key back later", () => {
    const dataDir = freshDataDir();
    const first = loadSecretsKey({ dataDir });
    const path = join(dataDir, SECRETS_KEY_FILE);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(first).toEqual(new Uint8Array(readFileSync(path)));
    expect(first).toHaveLength(32);
    expect(loadSecretsKey({ dataDir, value: null })).toEqual(first);
    expect(loadSecretsKey({ dataDir })).toEqual(first);
    expect(readdirSync(dataDir)).toEqual([SECRETS_KEY_FILE]);
  });

  test("processes racing to create the file all end up with the one key it holds", async () => {
    const dataDir = freshDataDir();
    const probe = `import { loadSecretsKey } from ${JSON.stringify(join(import.meta.dir, "secret-box.ts"))};
      console.log(Buffer.from(loadSecretsKey({ dataDir: ${JSON.stringify(dataDir)} })).toString("hex"));`;
    const keys = await Promise.all(
      Array.from({ length: 6 }, async () => {
        const child = Bun.spawn([process.execPath, "-e", probe], { stdout: "pipe" });
        return (await new Response(child.stdout).text()).trim();
      }),
    );
    const onDisk = readFileSync(join(dataDir, SECRETS_KEY_FILE)).toString("hex");
    expect(keys).toEqual(Array(6).fill(onDisk));
    expect(readdirSync(dataDir)).toEqual([SECRETS_KEY_FILE]);
  });

  test("separate data directories get separate keys", () => {
    expect(loadSecretsKey({ dataDir: freshDataDir() })).not.toEqual(
      loadSecretsKey({ dataDir: freshDataDir() }),
    );
  });

  test("an existing 0600 key file is used as it is, not replaced", () => {
    const dataDir = freshDataDir();
    const path = join(dataDir, SECRETS_KEY_FILE);
    writeFileSync(path, KEY, { mode: 0o600 });
    expect(loadSecretsKey({ dataDir })).toEqual(KEY);
    expect(new Uint8Array(readFileSync(path))).toEqual(KEY);
  });

  test.each([0o640, 0o604, 0o644])("a key file with mode %o is refused", (mode) => {
    const dataDir = freshDataDir();
    const path = join(dataDir, SECRETS_KEY_FILE);
    writeFileSync(path, KEY);
    chmodSync(path, mode);
    expect(() => loadSecretsKey({ dataDir })).toThrow(
      `${path} is readable by group or others (mode 0${mode.toString(8)}); run chmod 600 ${path}`,
    );
    expect(new Uint8Array(readFileSync(path))).toEqual(KEY);
  });

  test.each([0, 31, 33, 44])("a key file of %d bytes is refused and left alone", (size) => {
    const dataDir = freshDataDir();
    const path = join(dataDir, SECRETS_KEY_FILE);
    const content = randomBytes(size);
    writeFileSync(path, content, { mode: 0o600 });
    expect(() => loadSecretsKey({ dataDir })).toThrow(
      `${path} must hold exactly 32 raw bytes, has ${size}`,
    );
    expect(readFileSync(path).equals(content)).toBe(true);
  });

  test("a missing data directory is an error, not a key somewhere else", () => {
    expect(() => loadSecretsKey({ dataDir: join(freshDataDir(), "absent") })).toThrow(/ENOENT/);
  });
});

describe("in the provider_settings row", () => {
  let database: Database;

  withMigratedDatabase((opened) => {
    database = opened;
  });

  test("only the sealed value is stored: the plaintext appears nowhere in the raw row", async () => {
    const repo = createProviderSettingsRepo(database.db);
    const sealed = box.seal(PLAINTEXT, CONTEXT);
    await repo.upsert("claude", { secrets: { apiKey: sealed } }, new Date());

    const rows = await queryRows(
      database.db,
      sql`select row_to_json(p)::text as raw from provider_settings p`,
    );
    expect(rows).toHaveLength(1);
    const raw = String(rows[0]?.raw);
    expect(raw).toContain(sealed);
    for (const fragment of [PLAINTEXT, "sk-ant", Buffer.from(PLAINTEXT).toString("base64")]) {
      expect(raw).not.toContain(fragment);
    }

    const stored = (await repo.get("claude"))?.secrets.apiKey ?? "";
    expect(box.open(stored, CONTEXT)).toBe(PLAINTEXT);
  });
});
