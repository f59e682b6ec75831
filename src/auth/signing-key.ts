// The key access tokens are signed with: JWT_SECRET when configured, else DATA_DIR/jwt.key, random
// bytes made on the first start (mode 0600) and kept, so that a restart or an upgrade keeps every
// browser signed in. Removing the file while the server is stopped signs everyone out.

import { join } from "node:path";
import { loadKeyFile } from "../key-file.ts";
import { MIN_SECRET_BYTES } from "./tokens.ts";

/** Name of the signing key file in DATA_DIR, used when JWT_SECRET is not set. */
export const JWT_KEY_FILE = "jwt.key";

/** Where the signing key comes from (src/config.ts). */
export type SigningKeySource = {
  /** JWT_SECRET(_FILE); null → the key file. */
  jwtSecret: string | null;
  /** DATA_DIR, already created private (src/data-dir.ts). */
  dataDir: string;
};

/**
 * The HS256 key: `jwtSecret` when set, else the `MIN_SECRET_BYTES` of DATA_DIR/jwt.key (created
 * when missing). Throws for a key file of another size or readable by group or others.
 */
export function loadSigningKey({ jwtSecret, dataDir }: SigningKeySource): Uint8Array | string {
  if (jwtSecret !== null) return jwtSecret;
  return loadKeyFile({
    path: join(dataDir, JWT_KEY_FILE),
    bytes: MIN_SECRET_BYTES,
    wrongSizeHint: "remove it (the server stopped) to make a new one; everyone signs in again",
  });
}
