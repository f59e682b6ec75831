// Timers (src/sessions/timers.ts) that run only when a test advances their clock: deterministic
// and instant, whatever the delays.

import type { Timers } from "../../src/sessions/timers.ts";

export interface ManualTimers extends Timers {
  /** The clock, in ms since the timers were made. */
  now(): number;
  /** Move the clock `ms` on, running every timer due by then, earliest first. */
  advance(ms: number): void;
  /** Timers set and not yet run or cleared. */
  readonly pending: number;
}

export function createManualTimers(): ManualTimers {
  let clock = 0;
  let nextId = 1;
  const due = new Map<number, { at: number; run: () => void }>();
  return {
    set(run, ms) {
      const id = nextId++;
      due.set(id, { at: clock + Math.max(0, ms), run });
      return id;
    },
    clear(handle) {
      due.delete(handle as number);
    },
    now: () => clock,
    advance(ms) {
      const until = clock + ms;
      for (;;) {
        let first: [number, { at: number; run: () => void }] | undefined;
        for (const entry of due) if (!first || entry[1].at < first[1].at) first = entry;
        if (!first || first[1].at > until) break;
        due.delete(first[0]);
        clock = first[1].at;
        first[1].run();
      }
      clock = until;
    },
    get pending() {
      return due.size;
    },
  };
}
