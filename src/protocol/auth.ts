// Account resources and request bodies of the auth endpoints (DESIGN §4): schemas (zod/mini)
// and the types inferred from them, shared with web/, and the rule for usernames.

import * as z from "zod/mini";

/** Longest username, in characters of its canonical form. */
export const USERNAME_MAX_LENGTH = 64;

/** What a canonical username consists of: ASCII letters, digits, `.`, `_`, `@` and `-`. */
export const USERNAME_PATTERN = /^[\w.@-]+$/;

export const userRoleSchema = z.enum(["admin", "viewer"]);
export type UserRole = z.infer<typeof userRoleSchema>;

export const userSchema = z.object({
  id: z.string(),
  username: z.string(),
  role: userRoleSchema,
  createdAt: z.string(),
});
export type User = z.infer<typeof userSchema>;

/** Answer of POST /auth/login and POST /auth/setup (the token is also set as the od_token cookie). */
export const loginResultSchema = z.object({
  token: z.string(),
  expiresAt: z.string(),
  user: userSchema,
});
export type LoginResult = z.infer<typeof loginResultSchema>;

/**
 * Answer of GET /auth/setup (public): whether first-run setup is still open, i.e. no account
 * exists yet. Says nothing else (not the setup token, not whether one was printed).
 */
export const setupStateSchema = z.object({ open: z.boolean() });
export type SetupState = z.infer<typeof setupStateSchema>;

/** A username as typed, read in its canonical form (canonicalUsername), which must be valid. */
const username = z
  .string()
  .check(
    z.normalize("NFKC"),
    z.trim(),
    z.minLength(1),
    z.maxLength(USERNAME_MAX_LENGTH),
    z.regex(USERNAME_PATTERN, "letters, digits, . _ @ - only"),
  );
const password = z.string().check(z.minLength(1), z.maxLength(1024));

/** Body of POST /auth/login. */
export const credentialsSchema = z.object({ username, password });
export type Credentials = z.infer<typeof credentialsSchema>;

/** Body of POST /auth/setup: the first admin, with the setup token the server printed. */
export const setupRequestSchema = z.object({
  setupToken: z.string().check(z.minLength(1), z.maxLength(256)),
  username,
  password,
});
export type SetupRequest = z.infer<typeof setupRequestSchema>;

/** Body of POST /auth/password. */
export const passwordChangeSchema = z.object({ currentPassword: password, newPassword: password });
export type PasswordChange = z.infer<typeof passwordChangeSchema>;

/** Body of POST /users (admins). */
export const newUserSchema = z.object({ username, password, role: userRoleSchema });
export type NewUser = z.infer<typeof newUserSchema>;

/**
 * A username as stored and shown: NFKC-normalised (full-width letters become ASCII), then trimmed
 * of leading and trailing whitespace, Unicode's included (NBSP, U+3000). Letter case is kept.
 */
export function canonicalUsername(name: string): string {
  return name.normalize("NFKC").trim();
}

/**
 * A username as compared, rate-limited and audited: its canonical form in lower case. Two names
 * with the same normal form are the same account. Canonical names are ASCII, so lower case is
 * their case folding, and the database's lower() agrees with it.
 */
export function normalizeUsername(name: string): string {
  return canonicalUsername(name).toLowerCase();
}

/** Why `name` (in canonical form) is not a valid username, or null when it is. */
export function usernameProblem(name: string): string | null {
  if (name.length === 0) return "must not be empty";
  if (name.length > USERNAME_MAX_LENGTH) return `at most ${USERNAME_MAX_LENGTH} characters`;
  if (!USERNAME_PATTERN.test(name)) return "letters, digits, . _ @ - only";
  return null;
}
