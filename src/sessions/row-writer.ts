// Stores each session's latest state in its row: one pending write per session, coalesced (only
// the newest state is written), retried with backoff while the database is away, so that no
// state, above all a session's final one, is lost to an outage.

import type { Session } from "../protocol/session.ts";
import { SessionError } from "./session-error.ts";

const STORE_UNAVAILABLE = "the database is unavailable; try again shortly";

/** First wait before retrying a write the database could not take, in ms; doubles per failure. */
export const ROW_RETRY_FIRST_MS = 100;
/** Longest wait between two attempts at a waiting row, in ms. */
export const ROW_RETRY_MAX_MS = 2000;

export interface RowWriterDeps {
  /** Write the session's row. */
  store(session: Session): Promise<unknown>;
  /** True when the write failed because the database is away (it is then retried). */
  isUnavailable(error: unknown): boolean;
  onError(error: unknown, context: string): void;
  /** Wait before attempt `failures + 1`, in ms (default: backoff from ROW_RETRY_FIRST_MS). */
  retryDelayMs?: (failures: number) => number;
}

export interface RowWriter {
  /**
   * Make `session` its row's latest state. Resolves once it (or a later state) is stored; rejects
   * with SessionError store_unavailable when an attempt fails meanwhile (the state stays and is
   * retried). The promise may be ignored: its rejection is handled.
   */
  save(session: Session): Promise<void>;
  /** Resolves once nothing waits for `id`; rejects like `save` when an attempt fails meanwhile. */
  flushed(id: string): Promise<void>;
  /** Resolves once nothing waits for `id`, however long the database stays away. */
  stored(id: string): Promise<void>;
  /** The state waiting to be stored for `id`, if any. */
  pending(id: string): Session | undefined;
  /**
   * Stop retrying: one last attempt at every waiting row, for at most `timeoutMs`. Resolves with
   * the ids whose state could not be stored (their `stored()` never resolves).
   */
  close(timeoutMs: number): Promise<string[]>;
}

interface Waiter {
  /** Resolved once this version or a later one is stored. */
  version: number;
  resolve(): void;
  /** Set for a request that wants to hear of a failed attempt instead of waiting it out. */
  reject?: (error: Error) => void;
}

// Invariant: `stored < version` while the entry is in the map; `latest` is state `version`.
interface Entry {
  latest: Session;
  version: number;
  stored: number;
  waiters: Waiter[];
  /** Cuts the wait before the next attempt short (set only while waiting). */
  wake: (() => void) | undefined;
  /** The loop that writes this entry. */
  running: Promise<void>;
}

const defaultRetryDelayMs = (failures: number) =>
  Math.min(ROW_RETRY_MAX_MS, ROW_RETRY_FIRST_MS * 2 ** (failures - 1));

export function createRowWriter(deps: RowWriterDeps): RowWriter {
  const retryDelayMs = deps.retryDelayMs ?? defaultRetryDelayMs;
  const entries = new Map<string, Entry>();
  let closing = false;
  /** The last attempt found the database away: the outage is logged once, not once per row. */
  let away = false;

  const settle = (entry: Entry, version: number) => {
    entry.stored = Math.max(entry.stored, version);
    const waiting = entry.waiters;
    entry.waiters = waiting.filter((waiter) => waiter.version > entry.stored);
    for (const waiter of waiting) if (waiter.version <= entry.stored) waiter.resolve();
  };

  const fail = (entry: Entry) => {
    const failed = entry.waiters.filter((waiter) => waiter.reject);
    entry.waiters = entry.waiters.filter((waiter) => !waiter.reject);
    for (const waiter of failed)
      waiter.reject?.(new SessionError("store_unavailable", STORE_UNAVAILABLE));
  };

  const write = async (id: string, entry: Entry) => {
    let failures = 0;
    while (entry.stored < entry.version) {
      const version = entry.version;
      try {
        await deps.store(entry.latest);
        settle(entry, version);
        failures = 0;
        away = false;
      } catch (error) {
        if (!deps.isUnavailable(error)) {
          // Retrying cannot help a write the database rejects: log it and move on.
          deps.onError(error, `saving session ${id}`);
          settle(entry, version);
          continue;
        }
        if (!away) {
          away = true;
          deps.onError(error, "the database is unavailable: session rows wait to be stored");
        }
        failures += 1;
        fail(entry);
        if (closing) break;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, retryDelayMs(failures));
          entry.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        entry.wake = undefined;
      }
    }
    if (entries.get(id) === entry && entry.stored >= entry.version) entries.delete(id);
  };

  /** Wait for the entry's current version; a request wants an attempt now and its outcome. */
  const wait = (entry: Entry, request: boolean): Promise<void> => {
    const done = new Promise<void>((resolve, reject) => {
      entry.waiters.push({ version: entry.version, resolve, ...(request ? { reject } : {}) });
    });
    if (request) entry.wake?.();
    return done;
  };

  const handled = (promise: Promise<void>) => {
    promise.catch(() => {});
    return promise;
  };

  return {
    save(session) {
      let entry = entries.get(session.id);
      if (entry) {
        entry.latest = session;
        entry.version += 1;
      } else {
        entry = {
          latest: session,
          version: 1,
          stored: 0,
          waiters: [],
          wake: undefined,
          running: Promise.resolve(),
        };
        entries.set(session.id, entry);
        const started = entry;
        entry.running = Promise.resolve().then(() => write(session.id, started));
      }
      return handled(wait(entry, true));
    },

    flushed(id) {
      const entry = entries.get(id);
      return entry ? handled(wait(entry, true)) : Promise.resolve();
    },

    stored(id) {
      const entry = entries.get(id);
      return entry ? wait(entry, false) : Promise.resolve();
    },

    pending(id) {
      return entries.get(id)?.latest;
    },

    async close(timeoutMs) {
      closing = true;
      const waiting = [...entries.values()];
      for (const entry of waiting) entry.wake?.();
      let timer: Timer | undefined;
      await Promise.race([
        Promise.all(waiting.map((entry) => entry.running)),
        new Promise((resolve) => {
          timer = setTimeout(resolve, timeoutMs);
        }),
      ]);
      clearTimeout(timer);
      return [...entries].filter(([, entry]) => entry.stored < entry.version).map(([id]) => id);
    },
  };
}
