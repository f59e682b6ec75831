// The signing key without JWT_SECRET: made once in DATA_DIR/jwt.key (0600) and read back on every
// later start; a configured JWT_SECRET wins and leaves no file behind.

import { describe, expect, test } from "bun:test";
import { chmodSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDirMaker } from "../../test/support/temp-dir.ts";
import { JWT_KEY_FILE, loadSigningKey } from "./signing-key.ts";
import { createTokenService, MIN_SECRET_BYTES } from "./tokens.ts";

const SECRET = "0123456789abcdef0123456789abcdef-configured";
const USER = {
  id: "5f0c1e2a-7d4b-4c3e-9a1f-0b2c3d4e5f60",
  role: "admin",
  username: "ann",
} as const;

const freshDataDir = tempDirMaker("signing");
const tokens = (secret: Uint8Array | string) => createTokenService({ secret, ttlMs: 60_000 });

describe("loadSigningKey", () => {
  test("without JWT_SECRET, makes a 0600 key file once and reads the same key back", async () => {
    const dataDir = freshDataDir();
    const first = loadSigningKey({ jwtSecret: null, dataDir });
    const path = join(dataDir, JWT_KEY_FILE);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(first).toEqual(new Uint8Array(readFileSync(path)));
    expect(first).toHaveLength(MIN_SECRET_BYTES);
    const again = loadSigningKey({ jwtSecret: null, dataDir });
    expect(again).toEqual(first);
    // A token signed before a "restart" verifies after it.
    const { token } = await tokens(first).issue(USER);
    expect((await tokens(again).verify(token)).sub).toBe(USER.id);
  });

  test("a configured JWT_SECRET wins: no file is made, and file-signed tokens fail", async () => {
    const dataDir = freshDataDir();
    const fromFile = loadSigningKey({ jwtSecret: null, dataDir });
    const { token } = await tokens(fromFile).issue(USER);
    expect(loadSigningKey({ jwtSecret: SECRET, dataDir })).toBe(SECRET);
    await expect(tokens(SECRET).verify(token)).rejects.toMatchObject({ status: 401 });

    const untouched = freshDataDir();
    expect(loadSigningKey({ jwtSecret: SECRET, dataDir: untouched })).toBe(SECRET);
    expect(readdirSync(untouched)).toEqual([]);
  });

  test("separate data directories get separate keys", () => {
    expect(loadSigningKey({ jwtSecret: null, dataDir: freshDataDir() })).not.toEqual(
      loadSigningKey({ jwtSecret: null, dataDir: freshDataDir() }),
    );
  });

  test("a key file readable by others, or of the wrong size, is refused and left alone", () => {
    const dataDir = freshDataDir();
    const path = join(dataDir, JWT_KEY_FILE);
    writeFileSync(path, Buffer.alloc(MIN_SECRET_BYTES, 7));
    chmodSync(path, 0o644);
    expect(() => loadSigningKey({ jwtSecret: null, dataDir })).toThrow(
      `${path} is readable by group or others (mode 0644); run chmod 600 ${path}`,
    );
    chmodSync(path, 0o600);
    writeFileSync(path, Buffer.alloc(5, 7));
    expect(() => loadSigningKey({ jwtSecret: null, dataDir })).toThrow(
      `${path} must hold exactly ${MIN_SECRET_BYTES} raw bytes, has 5`,
    );
    expect(readFileSync(path)).toEqual(Buffer.alloc(5, 7));
  });
});
