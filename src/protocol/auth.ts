// Account resources of the auth endpoints (DESIGN §4). Pure types, shared with web/.

export type UserRole = "admin" | "viewer";

export interface User {
  id: string;
  username: string;
  role: UserRole;
  createdAt: string;
}

/** Answer of POST /auth/login and POST /auth/setup (the token is also set as the od_token cookie). */
export interface LoginResult {
  token: string;
  expiresAt: string;
  user: User;
}

/**
 * Answer of GET /auth/setup (public): whether first-run setup is still open, i.e. no account
 * exists yet. Says nothing else (not the setup token, not whether one was printed).
 */
export interface SetupState {
  open: boolean;
}

/** Longest username, in characters of its canonical form. */
export const USERNAME_MAX_LENGTH = 64;

/** What a canonical username consists of: ASCII letters, digits, `.`, `_`, `@` and `-`. */
export const USERNAME_PATTERN = /^[\w.@-]+$/;

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
