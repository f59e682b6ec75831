// The one-shot timers the streaming core (LiveSession, Viewer) schedules with: the real ones
// by default; a test brings a clock it advances by hand (STYLE §8: timers injectable).

/** What `Timers.set` returns: only ever handed back to `Timers.clear`. */
export type TimerHandle = unknown;

export interface Timers {
  /** Run `run` once, `ms` milliseconds from now. */
  set(run: () => void, ms: number): TimerHandle;
  /** Cancel a timer not yet run; nothing for `undefined` or one already run or cleared. */
  clear(handle: TimerHandle): void;
}

/** setTimeout and clearTimeout. */
export const realTimers: Timers = {
  set: (run, ms) => setTimeout(run, ms),
  clear: (handle) => clearTimeout(handle as Timer | undefined),
};
