// Provider secrets at rest: AES-256-GCM sealing bound to the field it belongs to, and the key
// it uses, from SECRETS_KEY or a private key file in DATA_DIR created on first use.

import {
  createCipheriv,
  createDecipheriv,
  createSecretKey,
  type KeyObject,
  randomBytes,
} from "node:crypto";
import { join } from "node:path";
import { loadKeyFile } from "../key-file.ts";

/** Bytes of an AES-256 key. */
export const SECRETS_KEY_BYTES = 32;
/** Name of the key file in DATA_DIR, used when SECRETS_KEY is not set. */
export const SECRETS_KEY_FILE = "secrets.key";

/** GCM's recommended nonce length; random per seal, so one key can seal ~2^32 values safely. */
const IV_BYTES = 12;
/** Full-length GCM tag, appended to the ciphertext. */
const TAG_BYTES = 16;
const VERSION = "v1";
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const BASE64_KEY = /^[A-Za-z0-9+/]{43}=$/;
const HEX_KEY = /^[0-9a-fA-F]{64}$/;
const HOW_TO_GENERATE = "generate one with `openssl rand -base64 32`";

/** Seals and opens secret strings under one key. */
export type SecretBox = {
  /**
   * `plaintext` encrypted under a fresh random IV, authenticated together with `context` (the
   * field it belongs to, e.g. "claude:apiKey"), as `v1.<base64url iv>.<base64url ciphertext+tag>`.
   */
  seal(plaintext: string, context: string): string;
  /**
   * The plaintext of a `seal` result for the same `context`. Throws Error("cannot decrypt …")
   * for a malformed or tampered value, another key or another context; never returns garbage.
   */
  open(sealed: string, context: string): string;
};

/** A secret box over `key`, which must be 32 bytes; the key is copied. */
export function createSecretBox(key: Uint8Array): SecretBox {
  if (key.byteLength !== SECRETS_KEY_BYTES) {
    throw new Error(`the secrets key must be ${SECRETS_KEY_BYTES} bytes, got ${key.byteLength}`);
  }
  const secretKey: KeyObject = createSecretKey(key);

  return {
    seal(plaintext, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", secretKey, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(Buffer.from(context, "utf8"));
      const body = Buffer.concat([
        cipher.update(plaintext, "utf8"),
        cipher.final(),
        cipher.getAuthTag(),
      ]);
      return `${VERSION}.${iv.toString("base64url")}.${body.toString("base64url")}`;
    },

    open(sealed, context) {
      const fail = (why: string) => new Error(`cannot decrypt the secret for ${context}: ${why}`);
      const [version, ivText, bodyText, ...rest] = sealed.split(".");
      if (version !== VERSION || ivText === undefined || bodyText === undefined || rest.length) {
        throw fail(`not a ${VERSION} sealed value`);
      }
      const iv = decodeBase64url(ivText);
      const body = decodeBase64url(bodyText);
      if (iv?.length !== IV_BYTES || body === undefined || body.length < TAG_BYTES) {
        throw fail(`not a ${VERSION} sealed value`);
      }
      const decipher = createDecipheriv("aes-256-gcm", secretKey, iv, {
        authTagLength: TAG_BYTES,
      });
      decipher.setAAD(Buffer.from(context, "utf8"));
      decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
      try {
        const plain = Buffer.concat([
          decipher.update(body.subarray(0, body.length - TAG_BYTES)),
          decipher.final(),
        ]);
        return plain.toString("utf8");
      } catch {
        throw fail("wrong key, sealed for another field, or altered");
      }
    },
  };
}

/**
 * Strict base64url: Buffer's decoder skips characters outside the alphabet and ignores the
 * spare bits of the last one, so two different strings could open to the same bytes.
 */
function decodeBase64url(text: string): Buffer | undefined {
  if (!BASE64URL.test(text)) return undefined;
  const bytes = Buffer.from(text, "base64url");
  return bytes.toString("base64url") === text ? bytes : undefined;
}

/** Where the secrets key comes from (src/config.ts). */
export type SecretsKeySource = {
  /** SECRETS_KEY(_FILE): 32 bytes as base64 (44 characters) or hex (64); null/undefined → file. */
  value?: string | null;
  /** DATA_DIR, already created private (src/data-dir.ts). */
  dataDir: string;
};

/**
 * The 32-byte secrets key: decoded from `value` when given, else read from
 * `DATA_DIR/secrets.key` (32 raw bytes), which is created with mode 0600 when missing and never
 * overwritten. Throws for a malformed `value`, and for a key file that is not exactly 32 bytes or
 * is readable by group or others.
 */
export function loadSecretsKey({ value, dataDir }: SecretsKeySource): Uint8Array {
  if (value !== undefined && value !== null) return decodeKey(value.trim());
  return loadKeyFile({
    path: join(dataDir, SECRETS_KEY_FILE),
    bytes: SECRETS_KEY_BYTES,
    wrongSizeHint:
      "restore the original file, or remove it only if no provider secrets were saved with it",
  });
}

function decodeKey(text: string): Uint8Array {
  if (HEX_KEY.test(text)) return new Uint8Array(Buffer.from(text, "hex"));
  if (BASE64_KEY.test(text)) return new Uint8Array(Buffer.from(text, "base64"));
  // The value itself is never echoed: it is meant to be a secret.
  throw new Error(
    `SECRETS_KEY must be ${SECRETS_KEY_BYTES} bytes as base64 (44 characters) or hex ` +
      `(64 characters), got ${text.length} characters; ${HOW_TO_GENERATE}`,
  );
}
