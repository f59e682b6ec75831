// Throttling of password attempts (DESIGN §8): sign-in and password change spend one attempt per
// client address and account together, per address, and per account across addresses; first-run
// setup spends one per address. Callers key it on a validated name, never on raw input.

import type { Context } from "hono";
import type { RateLimit } from "../config.ts";
import { normalizeUsername } from "../protocol/auth.ts";
import { rateLimited } from "./middleware/rate-limit.ts";
import { createRateLimiter, type RateDecision, type RateLimiter } from "./rate-limiter.ts";

/** The three budgets of password attempts. */
export interface LoginLimits {
  /** One address against one account: the guessing rate of one attacker. */
  perAddressAndName: RateLimit;
  /** One address against any accounts (and setup): spraying names. */
  perAddress: RateLimit;
  /** One account from every address together: guessing from many addresses. */
  perName: RateLimit;
}

/**
 * 5 attempts a minute per address and account; 20 a minute per address, and per account across
 * addresses. One address can spend at most a quarter of an account's shared budget, so failing
 * against a name from one address never locks that name out from another address.
 */
export const LOGIN_LIMITS: LoginLimits = {
  perAddressAndName: { count: 5, perMs: 60_000 },
  perAddress: { count: 20, perMs: 60_000 },
  perName: { count: 20, perMs: 60_000 },
};

/** Budgets of password attempts, made by `createLoginThrottle`. */
export interface LoginThrottle {
  /**
   * Spends one attempt of the request's address on `name` (compared in its normal form), or of
   * the address alone when `name` is null. Throws 429 rate_limited when a budget is empty; else
   * sets X-RateLimit-* from the budget with the fewest attempts left.
   */
  take(c: Context, name: string | null): void;
}

/** Options of `createLoginThrottle`. */
export interface LoginThrottleOptions {
  limits: LoginLimits;
  /** The request's client address key (one per IPv4 address, per /64 for IPv6). */
  address: (c: Context) => string;
  /** Called once per refused attempt, before the 429 is thrown (metrics). */
  onLimited?: (c: Context) => void;
}

export function createLoginThrottle({
  limits,
  address,
  onLimited,
}: LoginThrottleOptions): LoginThrottle {
  const byAddressAndName = createRateLimiter({ limit: limits.perAddressAndName });
  const byAddress = createRateLimiter({ limit: limits.perAddress });
  const byName = createRateLimiter({ limit: limits.perName });

  return {
    take(c, name) {
      const from = address(c);
      const key = name === null ? null : normalizeUsername(name);
      // Narrowest first: an attempt the address's own budgets refuse spends nothing of the
      // account's shared one, which stays for the account's owner elsewhere.
      const budgets: [RateLimiter, string][] =
        key === null
          ? [[byAddress, from]]
          : [
              [byAddressAndName, `${from} ${key}`],
              [byAddress, from],
              [byName, key],
            ];
      let tightest: RateDecision | undefined;
      for (const [limiter, bucket] of budgets) {
        const decision = limiter.take(bucket);
        if (!decision.allowed) {
          onLimited?.(c);
          throw rateLimited(decision);
        }
        if (tightest === undefined || decision.remaining < tightest.remaining) tightest = decision;
      }
      if (tightest) {
        c.header("X-RateLimit-Limit", String(tightest.limit));
        c.header("X-RateLimit-Remaining", String(tightest.remaining));
      }
    },
  };
}
