// Finger scrolling for an element that does not scroll natively (xterm.js 6.0.0 ignores touch,
// xtermjs/xterm.js#5489): a vertical drag becomes scroll distance, and a flick keeps going after
// the finger lifts, slowing down. A touch that stays within TAP_SLOP_PX is left alone, so the
// browser's tap (click) still focuses the terminal.

/** Where scroll distance goes; `px` > 0 moves towards newer output (a finger moving up). */
export interface ScrollTarget {
  /** Scroll by `px` at a point of the screen; false once an end is reached (a fling stops). */
  scrollBy(px: number, at: { x: number; y: number }): boolean;
}

/** The animation clock; the browser's by default, injectable for tests. */
export interface FrameClock {
  now(): number;
  frame(callback: () => void): number;
  cancel(handle: number): void;
}

const browserClock: FrameClock = {
  now: () => performance.now(),
  frame: (callback) => requestAnimationFrame(callback),
  cancel: (handle) => cancelAnimationFrame(handle),
};

/** Movement below which a touch is still a tap. */
export const TAP_SLOP_PX = 8;
/** A fling's speed falls to 1/e in this time (close to iOS's "normal" deceleration). */
export const FLING_DECAY_MS = 325;
/** Slower than this when the finger lifts (px/ms): no fling. */
const FLING_MIN_PX_PER_MS = 0.15;
/** A fling ends below this speed (px/ms). */
const FLING_STOP_PX_PER_MS = 0.01;
/** The finger's speed is measured over its last moves within this window. */
const VELOCITY_WINDOW_MS = 100;

interface Sample {
  y: number;
  t: number;
}

export interface TouchScroll {
  /** Stop a fling (another way of scrolling took over). */
  stop(): void;
  dispose(): void;
}

/** Scroll `target` by finger drags and flicks on `element`. */
export function attachTouchScroll(
  element: HTMLElement,
  target: ScrollTarget,
  clock: FrameClock = browserClock,
): TouchScroll {
  /** The touch followed, from its first sample; null between touches. */
  let samples: Sample[] | null = null;
  let startY = 0;
  let dragging = false;
  let point = { x: 0, y: 0 };
  let fling = 0;

  const stopFling = () => {
    clock.cancel(fling);
    fling = 0;
  };

  const flingFrom = (speed: number) => {
    let velocity = speed;
    let last = clock.now();
    const step = () => {
      const now = clock.now();
      const elapsed = Math.max(0, now - last);
      last = now;
      const moved = target.scrollBy(velocity * elapsed, point);
      velocity *= Math.exp(-elapsed / FLING_DECAY_MS);
      fling = moved && Math.abs(velocity) > FLING_STOP_PX_PER_MS ? clock.frame(step) : 0;
    };
    fling = clock.frame(step);
  };

  // Pointer events, not touch events: Chrome delivers both for a finger, but only pointer
  // events for every kind of synthesized touch. The element's `touch-action: none` keeps the
  // browser from taking the gesture (and cancelling the pointer) for a pan or a zoom.
  let finger: number | null = null;

  const onDown = (event: PointerEvent) => {
    if (event.pointerType !== "touch") return;
    stopFling();
    if (finger !== null) {
      // A second finger: a pinch, not a drag.
      finger = null;
      samples = null;
      return;
    }
    finger = event.pointerId;
    startY = event.clientY;
    dragging = false;
    point = { x: event.clientX, y: event.clientY };
    samples = [{ y: event.clientY, t: clock.now() }];
  };

  const onMove = (event: PointerEvent) => {
    const previous = samples?.[samples.length - 1];
    if (event.pointerId !== finger || !samples || !previous) return;
    if (!dragging && Math.abs(event.clientY - startY) < TAP_SLOP_PX) return;
    dragging = true;
    const now = clock.now();
    point = { x: event.clientX, y: event.clientY };
    target.scrollBy(previous.y - event.clientY, point);
    samples.push({ y: event.clientY, t: now });
    while (samples.length > 2 && now - (samples[0]?.t ?? now) > VELOCITY_WINDOW_MS) samples.shift();
  };

  const onUp = (event: PointerEvent) => {
    if (event.pointerId !== finger) return;
    finger = null;
    const first = samples?.[0];
    const last = samples?.[samples.length - 1];
    samples = null;
    if (event.type === "pointercancel" || !dragging || !first || !last) return;
    if (last.t - first.t <= 0) return;
    // A finger that stopped before lifting does not fling.
    if (clock.now() - last.t > VELOCITY_WINDOW_MS) return;
    const speed = (first.y - last.y) / (last.t - first.t);
    if (Math.abs(speed) >= FLING_MIN_PX_PER_MS) flingFrom(speed);
  };

  element.addEventListener("pointerdown", onDown);
  element.addEventListener("pointermove", onMove);
  element.addEventListener("pointerup", onUp);
  element.addEventListener("pointercancel", onUp);
  return {
    stop: stopFling,
    dispose() {
      stopFling();
      element.removeEventListener("pointerdown", onDown);
      element.removeEventListener("pointermove", onMove);
      element.removeEventListener("pointerup", onUp);
      element.removeEventListener("pointercancel", onUp);
    },
  };
}
