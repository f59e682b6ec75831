// Accounts: sign-in, first-run setup, password changes and token checks. Knows nothing about
// HTTP; the routes translate. Every failure of sign-in looks and costs the same. What succeeds is
// told to the action listeners (src/auth/account-actions.ts), which the audit log is written from.

import { type Cause, describeCause } from "../cause.ts";
import type { RevokedTokensRepo } from "../db/revoked-tokens-repo.ts";
import type { UserRow } from "../db/schema.ts";
import type { UsersRepo } from "../db/users-repo.ts";
import { AppError, badRequest } from "../errors.ts";
import {
  canonicalUsername,
  type LoginResult,
  normalizeUsername,
  type User,
  type UserRole,
  usernameProblem,
} from "../protocol/auth.ts";
import type { AccountAction, AccountActionType } from "./account-actions.ts";
import {
  dummyVerify,
  hashPassword,
  validatePasswordStrength,
  verifyPassword,
} from "./passwords.ts";
import { secretEqual } from "./secret-equal.ts";
import { isIssuedBefore, type TokenClaims, type TokenService } from "./tokens.ts";

export interface AccountsDeps {
  users: UsersRepo;
  tokens: TokenService;
  /** Tokens signed out before their expiry. */
  revoked: RevokedTokensRepo;
  now?: () => number;
  onError?: (error: unknown, context: string) => void;
}

/** Who made a request: the user and the token's id. */
export interface Principal {
  user: User;
  claims: TokenClaims;
}

const invalidCredentials = () =>
  new AppError(401, "invalid_credentials", "wrong username or password");
const invalidToken = () => new AppError(401, "invalid_token", "invalid or expired token");

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    username: row.username,
    role: row.role,
    createdAt: row.createdAt.toISOString(),
  };
}

export function createAccounts({
  users,
  tokens,
  revoked,
  now = Date.now,
  onError = () => {},
}: AccountsDeps) {
  const actionListeners = new Set<(action: AccountAction) => void>();
  /** Tell the action listeners; one that throws is logged and never fails the action. */
  const record = (type: AccountActionType, userId: string, cause: Cause | undefined) => {
    const { actor, detail } = describeCause(cause);
    for (const listener of actionListeners) {
      try {
        listener({ type, userId, actor, detail });
      } catch (error) {
        onError(error, `recording ${type} of account ${userId}`);
      }
    }
  };
  /** The account `row` acting from `address`, named as sign-in limits and audit rows name it. */
  const itself = (row: UserRow, address: string | null): Cause => ({
    actor: { username: normalizeUsername(row.username), address },
  });

  const signIn = async (row: UserRow): Promise<LoginResult> => {
    // With passwordChangedAt, the token's iat lands after the change it must survive.
    const issued = await tokens.issue(row);
    return { token: issued.token, expiresAt: issued.expiresAt.toISOString(), user: toUser(row) };
  };

  const requireStrong = (password: string) => {
    const weakness = validatePasswordStrength(password);
    if (weakness) throw badRequest("weak_password", weakness);
  };

  // Every way in (API, command line, ADMIN_USERNAME) stores the canonical form, so that names
  // equal once normalised meet in the unique index on lower(username).
  const requireUsername = (name: string): string => {
    const canonical = canonicalUsername(name);
    const problem = usernameProblem(canonical);
    if (problem) throw badRequest("invalid_request", `username: ${problem}`);
    return canonical;
  };

  const replacePassword = async (userId: string, next: string) => {
    requireStrong(next);
    // Tokens date themselves in whole seconds, and a sign-in right after a change is dated one
    // second past it; recording the change at the start of the next second makes every token
    // issued until now count as older (isIssuedBefore), whatever its rounding.
    const changedAt = new Date((Math.floor(now() / 1000) + 1) * 1000);
    return users.setPassword(userId, await hashPassword(next), changedAt);
  };

  return {
    /** Listen to what happens to accounts; returns the unsubscribe. */
    onAction(listener: (action: AccountAction) => void): () => void {
      actionListeners.add(listener);
      return () => actionListeners.delete(listener);
    },

    /** Sign in from client `address` (null when unknown). */
    async login(
      username: string,
      password: string,
      address: string | null = null,
    ): Promise<LoginResult> {
      const row = await users.findByUsername(username);
      if (!row) {
        await dummyVerify(password);
        throw invalidCredentials();
      }
      if (!(await verifyPassword(password, row.passwordHash))) throw invalidCredentials();
      const result = await signIn(row);
      record("account.signed_in", row.id, itself(row, address));
      return result;
    },

    /**
     * The principal behind a token, or 401 (unknown user, token older than a password change,
     * token signed out).
     */
    async authenticate(token: string): Promise<Principal> {
      const claims = await tokens.verify(token);
      const row = await users.get(claims.sub);
      if (!row || isIssuedBefore(claims, row.passwordChangedAt)) throw invalidToken();
      if (await revoked.isRevoked(claims.jti)) throw invalidToken();
      return { user: toUser(row), claims };
    },

    /** Sign out: the token stops working now, not only when it expires. */
    async logout(claims: TokenClaims, cause?: Cause): Promise<void> {
      await revoked.revoke(claims.jti, new Date(claims.exp * 1000), new Date(now()));
      record("account.signed_out", claims.sub, cause);
    },

    async createUser(
      username: string,
      password: string,
      role: UserRole,
      cause?: Cause,
    ): Promise<User> {
      const canonical = requireUsername(username);
      requireStrong(password);
      const row = await users.create({
        username: canonical,
        passwordHash: await hashPassword(password),
        role,
      });
      record("account.created", row.id, cause);
      return toUser(row);
    },

    /** Deletes account `id`; false when there is none. */
    async deleteUser(id: string, cause?: Cause): Promise<boolean> {
      if (!(await users.remove(id))) return false;
      record("account.deleted", id, cause);
      return true;
    },

    /** First admin from ADMIN_USERNAME/ADMIN_PASSWORD, only while no user exists. */
    async ensureInitialAdmin(
      admin: { username: string; password: string } | null,
    ): Promise<boolean> {
      if (!admin || (await users.count()) > 0) return false;
      await this.createUser(admin.username, admin.password, "admin", { reason: "server_start" });
      return true;
    },

    async hasUsers(): Promise<boolean> {
      return (await users.count()) > 0;
    },

    /**
     * POST /auth/setup: the first admin, with the one-time token printed at start-up, from client
     * `address` (null when unknown).
     */
    async setup(
      expectedToken: string | null,
      givenToken: string,
      username: string,
      password: string,
      address: string | null = null,
    ) {
      const matches = expectedToken !== null && secretEqual(givenToken, expectedToken);
      if (!matches || (await users.count()) > 0) {
        throw new AppError(403, "setup_closed", "setup is not available");
      }
      const canonical = requireUsername(username);
      requireStrong(password);
      const row = await users.create({
        username: canonical,
        passwordHash: await hashPassword(password),
        role: "admin",
      });
      const result = await signIn(row);
      record("account.setup", row.id, itself(row, address));
      return result;
    },

    /** Change a password; tokens issued before now stop working. Returns a fresh sign-in. */
    async changePassword(
      userId: string,
      current: string,
      next: string,
      cause?: Cause,
    ): Promise<LoginResult> {
      const row = await users.get(userId);
      if (!row) throw invalidToken();
      if (!(await verifyPassword(current, row.passwordHash))) throw invalidCredentials();
      const updated = await replacePassword(userId, next);
      if (!updated) throw invalidToken();
      record("account.password_changed", userId, cause);
      return signIn(updated);
    },

    /**
     * Set a password without knowing the current one (the operator's `opendray user passwd`);
     * tokens issued before now stop working. Undefined when no such account exists.
     */
    async resetPassword(userId: string, next: string): Promise<User | undefined> {
      const updated = await replacePassword(userId, next);
      return updated && toUser(updated);
    },
  };
}

export type Accounts = ReturnType<typeof createAccounts>;
