// Access tokens: HS256 JWTs issued for a user and verified with a pinned algorithm, iss, aud and
// exp. Every rejection is the same AppError, so a client never learns why its token failed.

import { jwtVerify, SignJWT } from "jose";
import { z } from "zod";
import { USER_ROLES, type UserRole } from "../db/schema.ts";
import { AppError } from "../errors.ts";

/** Shortest accepted signing secret, in bytes: RFC 7518 §3.2 requires a key of at least the hash size. */
export const MIN_SECRET_BYTES = 32;
/** Slack allowed when checking `exp`, in seconds, for clocks that disagree slightly. */
export const CLOCK_TOLERANCE_S = 5;
/** Longest token `verify` will parse, in characters; ours are ~400. */
export const MAX_TOKEN_CHARS = 4096;

const ALGORITHM = "HS256";
const TOKEN_TYPE = "JWT";

const claimsSchema = z.object({
  /** User id. */
  sub: z.string().min(1),
  role: z.enum(USER_ROLES),
  /** Username at the time of issue. */
  name: z.string().min(1),
  /** Issued at, in whole seconds since the epoch. */
  iat: z.number().int(),
  /** Expires at, in whole seconds since the epoch. */
  exp: z.number().int(),
  jti: z.string().min(1),
  iss: z.string(),
  aud: z.string(),
});

/** The claims of a verified token; times in whole seconds since the epoch. */
export type TokenClaims = z.infer<typeof claimsSchema>;

/** Whom a token is issued for: a `UserRow` fits. */
export type TokenSubject = {
  id: string;
  role: UserRole;
  username: string;
  /** When set, the token is dated after this second, so `isIssuedBefore` never rejects it. */
  passwordChangedAt?: Date;
};

/** A freshly signed token. */
export type IssuedToken = { token: string; expiresAt: Date; jti: string };

/** Options of `createTokenService`. */
export type TokenServiceOptions = {
  /** HMAC key: at least `MIN_SECRET_BYTES` bytes (a string counts its UTF-8 bytes). */
  secret: Uint8Array | string;
  /** Token lifetime in milliseconds; at least one second. */
  ttlMs: number;
  /** `iss` written and required; default "opendray". */
  issuer?: string;
  /** `aud` written and required; default "opendray". */
  audience?: string;
  /** Clock in milliseconds since the epoch; default `Date.now`. */
  now?: () => number;
};

/**
 * Creates the token service. Throws a RangeError for a secret shorter than `MIN_SECRET_BYTES`
 * or a ttl under one second (configuration mistakes, caught at start-up).
 */
export function createTokenService({
  secret,
  ttlMs,
  issuer = "opendray",
  audience = "opendray",
  now = Date.now,
}: TokenServiceOptions) {
  // A copy, so that a caller reusing its buffer cannot change the key under us.
  const key = typeof secret === "string" ? new TextEncoder().encode(secret) : secret.slice();
  if (key.byteLength < MIN_SECRET_BYTES) {
    throw new RangeError(`token secret must be at least ${MIN_SECRET_BYTES} bytes`);
  }
  if (!Number.isFinite(ttlMs) || ttlMs < 1000) {
    throw new RangeError(`token ttl must be at least 1000 ms, got ${ttlMs}`);
  }

  return {
    /** Signs a token for `user`, valid for `ttlMs` from now, with a random UUID `jti`. */
    async issue(user: TokenSubject): Promise<IssuedToken> {
      const nowMs = now();
      const changedS = user.passwordChangedAt
        ? Math.floor(user.passwordChangedAt.getTime() / 1000)
        : Number.NEGATIVE_INFINITY;
      // A token from the very second of a password change would count as older than the change
      // (isIssuedBefore); dating it one second later keeps a login right after a change valid.
      const iat = Math.max(Math.floor(nowMs / 1000), changedS + 1);
      const exp = Math.floor((nowMs + ttlMs) / 1000);
      const jti = crypto.randomUUID();
      const token = await new SignJWT({ role: user.role, name: user.username })
        .setProtectedHeader({ alg: ALGORITHM, typ: TOKEN_TYPE })
        .setSubject(user.id)
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt(iat)
        .setExpirationTime(exp)
        .setJti(jti)
        .sign(key);
      return { token, expiresAt: new Date(exp * 1000), jti };
    },

    /**
     * The claims of `token` if it is an HS256 JWT signed with our secret, for our issuer and
     * audience, not expired (± `CLOCK_TOLERANCE_S`), with every claim present and well-typed.
     * Otherwise rejects with AppError 401 `invalid_token`, whatever the reason.
     */
    async verify(token: string): Promise<TokenClaims> {
      if (typeof token !== "string" || token.length > MAX_TOKEN_CHARS) throw invalidToken();
      let payload: unknown;
      try {
        ({ payload } = await jwtVerify(token, key, {
          algorithms: [ALGORITHM],
          typ: TOKEN_TYPE,
          issuer,
          audience,
          clockTolerance: CLOCK_TOLERANCE_S,
          currentDate: new Date(now()),
          requiredClaims: ["sub", "iat", "exp", "jti"],
        }));
      } catch {
        // jose says why (bad signature, expired, wrong audience…); the client must not learn it.
        throw invalidToken();
      }
      const claims = claimsSchema.safeParse(payload);
      if (!claims.success) throw invalidToken();
      return claims.data;
    },
  };
}

/** The token service. */
export type TokenService = ReturnType<typeof createTokenService>;

/**
 * Whether a token was, or may have been, issued before `date`. `iat` has whole-second precision,
 * so a token from the same second as `date` counts as older: true when iat <= floor(date / 1 s).
 * With `users.passwordChangedAt` as `date`, true means the token predates the password: reject it.
 */
export function isIssuedBefore(claims: Pick<TokenClaims, "iat">, date: Date): boolean {
  return claims.iat <= Math.floor(date.getTime() / 1000);
}

/** A fresh random 32-byte HS256 key, for a loopback server started without `JWT_SECRET`. */
export function randomSecret(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(MIN_SECRET_BYTES));
}

function invalidToken(): AppError {
  return new AppError(401, "invalid_token", "invalid or expired token");
}
