// Per-key token buckets ("10/min": a burst of 10, then one every 6 s) in bounded memory: at most
// `maxKeys` buckets, least recently used evicted first, full buckets forgotten. No timers.

import type { RateLimit } from "../config.ts";

/** The outcome of one `take`: whether it was allowed and what the rate-limit headers should say. */
export interface RateDecision {
  allowed: boolean;
  /** The bucket's capacity, `limit.count`. */
  limit: number;
  /** Whole tokens left after this take; 0 when refused. */
  remaining: number;
  /** Whole seconds (≥ 1) until one token is back when refused; 0 when allowed. */
  retryAfterSeconds: number;
}

/** Token buckets by key, made by `createRateLimiter`. */
export interface RateLimiter {
  /** Takes one token from `key`'s bucket if it has one; a key never seen (or forgotten) starts full. */
  take(key: string): RateDecision;
  /** Buckets currently held, at most `maxKeys`. */
  readonly size: number;
}

/** Options of `createRateLimiter`. */
export interface RateLimiterOptions {
  limit: RateLimit;
  /** Most buckets held at once; default 10 000. */
  maxKeys?: number;
  /** Monotonic clock in milliseconds; default `performance.now()`. */
  now?: () => number;
}

// Full buckets found at the cold end of the map and dropped per take: amortised O(1).
const PRUNE_PER_TAKE = 2;

/**
 * Creates a limiter that allows `limit.count` takes per `limit.perMs` ms per key, refilled
 * continuously, holding at most `maxKeys` (default 10 000) buckets.
 */
export function createRateLimiter({
  limit,
  maxKeys = 10_000,
  now = () => performance.now(),
}: RateLimiterOptions): RateLimiter {
  const { count, perMs } = limit;
  if (!Number.isInteger(count) || count < 1) throw new RangeError("limit.count must be ≥ 1");
  if (!(perMs > 0) || !Number.isFinite(perMs)) throw new RangeError("limit.perMs must be > 0");
  if (!Number.isInteger(maxKeys) || maxKeys < 1) throw new RangeError("maxKeys must be ≥ 1");

  // Time is scaled by `count` so that one token costs exactly `perMs` units and a full bucket
  // `perMs * count`: integer inputs then stay exact integers.
  const cost = perMs;
  const capacity = perMs * count;
  // key → scaled instant at which the bucket is full again (a GCRA "theoretical arrival time").
  // Invariant: every entry is a bucket that was not full when last touched; an absent key is
  // full. Map order is least recently used first (a touched key is deleted and re-inserted).
  const fullAt = new Map<string, number>();

  function pruneFull(scaledNow: number): void {
    let dropped = 0;
    for (const [key, at] of fullAt) {
      if (dropped === PRUNE_PER_TAKE || at > scaledNow) return;
      fullAt.delete(key);
      dropped++;
    }
  }

  function take(key: string): RateDecision {
    const scaledNow = now() * count;
    const deficit = Math.max(0, (fullAt.get(key) ?? scaledNow) - scaledNow);
    fullAt.delete(key);
    pruneFull(scaledNow);

    if (deficit + cost > capacity) {
      fullAt.set(key, scaledNow + deficit);
      const waitMs = (deficit + cost - capacity) / count;
      return { allowed: false, limit: count, remaining: 0, retryAfterSeconds: secondsFor(waitMs) };
    }
    fullAt.set(key, scaledNow + deficit + cost);
    // The key was just (re)inserted at the warm end, so the coldest one goes.
    if (fullAt.size > maxKeys) {
      const coldest = fullAt.keys().next();
      if (!coldest.done) fullAt.delete(coldest.value);
    }
    const remaining = Math.floor((capacity - deficit - cost) / cost);
    return { allowed: true, limit: count, remaining, retryAfterSeconds: 0 };
  }

  return {
    take,
    get size() {
      return fullAt.size;
    },
  };
}

function secondsFor(waitMs: number): number {
  return Math.max(1, Math.ceil(waitMs / 1000));
}
