// Issuing and verifying access tokens: the round trip, every way a token must be refused (all
// with the same error), and the password-change cut-off.

import { describe, expect, test } from "bun:test";
import { SignJWT } from "jose";
import { AppError } from "../errors.ts";
import {
  CLOCK_TOLERANCE_S,
  createTokenService,
  isIssuedBefore,
  MAX_TOKEN_CHARS,
  randomSecret,
  type TokenServiceOptions,
} from "./tokens.ts";

const SECRET = "0123456789abcdef0123456789abcdef-test-secret";
const OTHER_SECRET = "fedcba9876543210fedcba9876543210-other-secret";
/** 2025-01-01T00:00:00.250Z: not on a second boundary, to catch rounding mistakes. */
const T0_MS = Date.UTC(2025, 0, 1) + 250;
const TTL_MS = 60 * 60 * 1000;
const USER = {
  id: "5f0c1e2a-7d4b-4c3e-9a1f-0b2c3d4e5f60",
  role: "viewer",
  username: "alice",
} as const;

/** A token service whose clock reads `clock.ms`. */
function service(overrides: Partial<TokenServiceOptions> = {}, clock = { ms: T0_MS }) {
  return createTokenService({ secret: SECRET, ttlMs: TTL_MS, now: () => clock.ms, ...overrides });
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

/** Claims exactly as `issue` would write them at T0. */
function validClaims(): Record<string, unknown> {
  const iat = Math.floor(T0_MS / 1000);
  return {
    role: USER.role,
    name: USER.username,
    sub: USER.id,
    iss: "opendray",
    aud: "opendray",
    iat,
    exp: Math.floor((T0_MS + TTL_MS) / 1000),
    jti: "0d9f4c52-2b8e-4f8a-9a55-3f1e4a6b7c8d",
  };
}

/** Signs `claims` with the test secret (or `secret`), bypassing the service's checks. */
function signRaw(claims: Record<string, unknown>, alg = "HS256", secret = SECRET) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg, typ: "JWT" })
    .sign(new TextEncoder().encode(secret));
}

describe("issue and verify", () => {
  test("a valid token round-trips its claims", async () => {
    const tokens = service();
    const { token, expiresAt, jti } = await tokens.issue(USER);
    const claims = await tokens.verify(token);
    expect(claims).toEqual({
      sub: USER.id,
      role: "viewer",
      name: "alice",
      iat: Math.floor(T0_MS / 1000),
      exp: Math.floor((T0_MS + TTL_MS) / 1000),
      jti,
      iss: "opendray",
      aud: "opendray",
    });
    expect(expiresAt).toEqual(new Date(claims.exp * 1000));
    expect(jti).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  test("the header is HS256 and typ JWT", async () => {
    const { token } = await service().issue(USER);
    const header = JSON.parse(Buffer.from(token.split(".")[0] ?? "", "base64url").toString());
    expect(header).toEqual({ alg: "HS256", typ: "JWT" });
  });

  test("every token gets its own jti", async () => {
    const tokens = service();
    const [a, b] = await Promise.all([tokens.issue(USER), tokens.issue(USER)]);
    expect(a.jti).not.toBe(b.jti);
  });

  test("a string secret and its UTF-8 bytes are the same key", async () => {
    const { token } = await service().issue(USER);
    const bytes = service({ secret: new TextEncoder().encode(SECRET) });
    expect((await bytes.verify(token)).sub).toBe(USER.id);
  });

  test("a token is still accepted within the clock tolerance after exp", async () => {
    const clock = { ms: T0_MS };
    const tokens = service({}, clock);
    const { token, expiresAt } = await tokens.issue(USER);
    clock.ms = expiresAt.getTime() + (CLOCK_TOLERANCE_S - 1) * 1000;
    expect((await tokens.verify(token)).sub).toBe(USER.id);
  });

  test("a custom issuer and audience are written and required", async () => {
    const custom = service({ issuer: "dray-a", audience: "dray-b" });
    const claims = await custom.verify((await custom.issue(USER)).token);
    expect([claims.iss, claims.aud]).toEqual(["dray-a", "dray-b"]);
  });
});

describe("verify rejects, always with 401 invalid_token", () => {
  const tokens = service();

  const cases: [string, () => Promise<string>][] = [
    ["an empty string", async () => ""],
    ["garbage", async () => "not a token"],
    ["three dots of nothing", async () => ".."],
    ["a token too long to be ours", async () => "a".repeat(MAX_TOKEN_CHARS + 1)],
    [
      "alg none with no signature",
      async () => `${base64url({ alg: "none", typ: "JWT" })}.${base64url(validClaims())}.`,
    ],
    [
      "alg none carrying the real signature",
      async () => {
        const [, , signature] = (await service().issue(USER)).token.split(".");
        return `${base64url({ alg: "none", typ: "JWT" })}.${base64url(validClaims())}.${signature}`;
      },
    ],
    [
      "a token signed with another secret",
      async () => (await service({ secret: OTHER_SECRET }).issue(USER)).token,
    ],
    ["HS512 with the right secret (algorithm pinned)", () => signRaw(validClaims(), "HS512")],
    [
      "a tampered payload (viewer promoted to admin)",
      async () => {
        const [header, , signature] = (await service().issue(USER)).token.split(".");
        return `${header}.${base64url({ ...validClaims(), role: "admin" })}.${signature}`;
      },
    ],
    [
      "an expired token, past the tolerance",
      async () =>
        (await service({}, { ms: T0_MS - TTL_MS - (CLOCK_TOLERANCE_S + 1) * 1000 }).issue(USER))
          .token,
    ],
    ["a wrong audience", async () => (await service({ audience: "elsewhere" }).issue(USER)).token],
    ["a wrong issuer", async () => (await service({ issuer: "someone-else" }).issue(USER)).token],
    ...(["sub", "role", "name", "iat", "exp", "jti", "iss", "aud"] as const).map(
      (claim): [string, () => Promise<string>] => [
        `a token without ${claim}`,
        () => {
          const { [claim]: _, ...rest } = validClaims();
          return signRaw(rest);
        },
      ],
    ),
    ["a role that does not exist", () => signRaw({ ...validClaims(), role: "root" })],
    ["a numeric sub", () => signRaw({ ...validClaims(), sub: 42 })],
    ["a fractional iat", () => signRaw({ ...validClaims(), iat: T0_MS / 1000 })],
    [
      "a wrong typ header",
      () =>
        new SignJWT(validClaims())
          .setProtectedHeader({ alg: "HS256", typ: "at+jwt" })
          .sign(new TextEncoder().encode(SECRET)),
    ],
  ];

  test.each(cases)("%s", async (_, makeToken) => {
    const token = await makeToken();
    const error = await tokens.verify(token).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({
      status: 401,
      code: "invalid_token",
      message: "invalid or expired token",
    });
  });

  test("the hand-built valid-claims token does verify when properly signed (control)", async () => {
    expect((await tokens.verify(await signRaw(validClaims()))).sub).toBe(USER.id);
  });
});

describe("isIssuedBefore", () => {
  const iat = Math.floor(T0_MS / 1000);

  test.each([
    ["a change a second after the token", true, (iat + 1) * 1000],
    ["a change later in the same second", true, iat * 1000 + 999],
    ["a change at the very start of the same second", true, iat * 1000],
    ["a change in the previous second", false, iat * 1000 - 1],
    ["a change long before", false, iat * 1000 - 86_400_000],
  ])("%s: %p", (_, expected, changedMs) => {
    expect(isIssuedBefore({ iat }, new Date(changedMs))).toBe(expected);
  });

  test("a token issued right after a password change, in the same second, is not older", async () => {
    const passwordChangedAt = new Date(T0_MS);
    const tokens = service();
    const claims = await tokens.verify((await tokens.issue({ ...USER, passwordChangedAt })).token);
    expect(isIssuedBefore(claims, passwordChangedAt)).toBe(false);
    expect(claims.iat).toBe(Math.floor(T0_MS / 1000) + 1);
  });

  test("a token issued before a password change is older than it", async () => {
    const tokens = service();
    const claims = await tokens.verify((await tokens.issue(USER)).token);
    expect(isIssuedBefore(claims, new Date(T0_MS + 1))).toBe(true);
  });
});

describe("configuration", () => {
  test("a secret shorter than 32 bytes is refused", () => {
    expect(() => service({ secret: "x".repeat(31) })).toThrow(RangeError);
    expect(() => service({ secret: new Uint8Array(31) })).toThrow(RangeError);
    expect(() => service({ secret: "x".repeat(32) })).not.toThrow();
  });

  test("a ttl under one second is refused", () => {
    expect(() => service({ ttlMs: 999 })).toThrow(RangeError);
    expect(() => service({ ttlMs: Number.NaN })).toThrow(RangeError);
  });

  test("changing the caller's secret buffer afterwards does not change the key", async () => {
    const secret = randomSecret();
    const tokens = service({ secret });
    const { token } = await tokens.issue(USER);
    secret.fill(0);
    expect((await tokens.verify(token)).sub).toBe(USER.id);
  });

  test("randomSecret gives 32 fresh random bytes that work as a key", async () => {
    const a = randomSecret();
    expect(a).toBeInstanceOf(Uint8Array);
    expect(a.byteLength).toBe(32);
    expect(Buffer.from(a).equals(Buffer.from(randomSecret()))).toBe(false);
    const tokens = service({ secret: a });
    expect((await tokens.verify((await tokens.issue(USER)).token)).sub).toBe(USER.id);
  });
});
