// A clock signal for relative times ("idle for 3 min"), ticking every 15 s while the page is
// visible, and at once when it becomes visible again.
import { signal } from "@preact/signals";

const TICK_MS = 15_000;

export function createClock() {
  const now = signal(Date.now());
  const tick = () => {
    now.value = Date.now();
  };
  const timer = setInterval(() => {
    if (document.visibilityState === "visible") tick();
  }, TICK_MS);
  document.addEventListener("visibilitychange", tick);
  return {
    now,
    dispose() {
      clearInterval(timer);
      document.removeEventListener("visibilitychange", tick);
    },
  };
}

export type Clock = ReturnType<typeof createClock>;
