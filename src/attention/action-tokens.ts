// One-time answer tokens: what a notification or a chat button carries so that a tap can answer
// a prompt without a sign-in. HS256 JWTs (jose) bound to the user, the session, the prompt's
// fingerprint and the channel, with their own audience (an access token is never one), short
// lived, and spent on first use (the revoked-tokens table, so a restart does not revive them).
// The answer still types only if that prompt is the one waiting (see tracker.ts).

import { createHmac, randomUUID } from "node:crypto";
import { jwtVerify, SignJWT } from "jose";
import { z } from "zod";
import { AppError } from "../errors.ts";
import type { AnswerChannel } from "../protocol/attention.ts";

/** How long a notification's answer stays usable. */
export const ACTION_TOKEN_TTL_MS = 12 * 3_600_000;
const AUDIENCE = "opendray-answer";
const ISSUER = "opendray";
/** Longest token looked at; ours are ~450 characters. */
const MAX_TOKEN_CHARS = 2048;

const claimsSchema = z.object({
  sub: z.string().min(1),
  sid: z.string().min(1),
  fp: z.string().regex(/^[0-9a-f]{64}$/),
  ch: z.enum(["web", "push", "telegram"]),
  jti: z.string().min(1),
  exp: z.number().int(),
});

export interface ActionClaims {
  userId: string;
  sessionId: string;
  fingerprint: string;
  channel: AnswerChannel;
  jti: string;
  expiresAt: Date;
}

export interface ActionTokens {
  mint(claims: Omit<ActionClaims, "jti" | "expiresAt">): Promise<string>;
  /** The claims of a genuine, unexpired token; 401 action_token_invalid otherwise. */
  verify(token: string): Promise<ActionClaims>;
}

export function createActionTokens(
  secretsKey: Uint8Array,
  now: () => number = Date.now,
): ActionTokens {
  const key = createHmac("sha256", secretsKey).update("opendray action tokens").digest();
  const invalid = () =>
    new AppError(401, "action_token_invalid", "the answer token is invalid or has expired");
  return {
    async mint({ userId, sessionId, fingerprint, channel }) {
      const issued = Math.floor(now() / 1000);
      return new SignJWT({ sid: sessionId, fp: fingerprint, ch: channel })
        .setProtectedHeader({ alg: "HS256", typ: "JWT" })
        .setSubject(userId)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt(issued)
        .setExpirationTime(issued + Math.floor(ACTION_TOKEN_TTL_MS / 1000))
        .setJti(randomUUID())
        .sign(key);
    },
    async verify(token) {
      if (token.length > MAX_TOKEN_CHARS) throw invalid();
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: ["HS256"],
          issuer: ISSUER,
          audience: AUDIENCE,
          currentDate: new Date(now()),
        });
        const claims = claimsSchema.parse(payload);
        return {
          userId: claims.sub,
          sessionId: claims.sid,
          fingerprint: claims.fp,
          channel: claims.ch,
          jti: claims.jti,
          expiresAt: new Date(claims.exp * 1000),
        };
      } catch {
        throw invalid();
      }
    },
  };
}
