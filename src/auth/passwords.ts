// Password hashing with argon2id through Bun.password, the strength rule for new passwords, and
// the failure path for unknown usernames that costs as much as checking a wrong password.

/**
 * Argon2id memory cost in KiB (19 MiB), with `ARGON2_TIME_COST` = 2 and one lane: the OWASP
 * Password Storage Cheat Sheet's baseline. One hash or verify takes ~25–40 ms on the 2-core
 * development machine (Bun's default, 64 MiB × 2, takes 100–280 ms there) and holds 19 MiB
 * while it runs, which keeps a burst of concurrent logins affordable on a small VPS.
 */
export const ARGON2_MEMORY_COST_KIB = 19_456;
/** Argon2id passes over memory. */
export const ARGON2_TIME_COST = 2;
/** Shortest acceptable new password, in characters (Unicode code points). */
export const PASSWORD_MIN_CHARS = 12;
/** Longest acceptable new password, in UTF-8 bytes. */
export const PASSWORD_MAX_BYTES = 1024;

const HASH_OPTIONS = {
  algorithm: "argon2id",
  memoryCost: ARGON2_MEMORY_COST_KIB,
  timeCost: ARGON2_TIME_COST,
} as const;

/**
 * A well-formed argon2id PHC string with the same parameters as real hashes, but a random salt
 * and a random digest: verifying any password against it does the full work and never succeeds
 * (a match would need an argon2 preimage of 32 random bytes). Fixed for the process's lifetime.
 */
const DUMMY_HASH = `$argon2id$v=19$m=${ARGON2_MEMORY_COST_KIB},t=${ARGON2_TIME_COST},p=1$${randomBase64(32)}$${randomBase64(32)}`;

/** Hashes `password` with argon2id; the PHC string embeds the salt and parameters. */
export function hashPassword(password: string): Promise<string> {
  return Bun.password.hash(password, HASH_OPTIONS);
}

/**
 * Whether `password` matches `hash` (a PHC string from `hashPassword`), in time independent of
 * where they differ. False for an empty password; rejects when `hash` is not a valid hash.
 */
export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return Bun.password.verify(password, hash);
}

/**
 * Does the work of `verifyPassword` against a hash no password matches, and resolves false.
 * Call it when the username is unknown, so that such a login fails as slowly as a wrong password
 * and response time does not reveal which accounts exist.
 */
export async function dummyVerify(password: string): Promise<false> {
  await Bun.password.verify(password, DUMMY_HASH);
  return false;
}

/**
 * Checks a password chosen by a user: at least `PASSWORD_MIN_CHARS` characters and at most
 * `PASSWORD_MAX_BYTES` UTF-8 bytes. Returns a message for the user, or null when acceptable.
 */
export function validatePasswordStrength(password: string): string | null {
  if (Buffer.byteLength(password, "utf8") > PASSWORD_MAX_BYTES) {
    return `password must be at most ${PASSWORD_MAX_BYTES} bytes`;
  }
  if ([...password].length < PASSWORD_MIN_CHARS) {
    return `password must be at least ${PASSWORD_MIN_CHARS} characters`;
  }
  return null;
}

/** `bytes` random bytes in unpadded standard base64, as PHC strings encode salts and digests. */
function randomBase64(bytes: number): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(bytes)))
    .toString("base64")
    .replace(/=+$/, "");
}
