import { expect, test } from "bun:test";
import { attachTouchScroll, type FrameClock, TAP_SLOP_PX } from "./touch-scroll.ts";

/** A clock whose frames run when the test says, `ms` apart. */
function manualClock() {
  let now = 0;
  let queued: (() => void) | null = null;
  const clock: FrameClock = {
    now: () => now,
    frame(callback) {
      queued = callback;
      return 1;
    },
    cancel() {
      queued = null;
    },
  };
  return {
    clock,
    advance(ms: number) {
      now += ms;
    },
    /** Run frames `ms` apart until none is asked for (or `max` ran); how many ran. */
    runFrames(ms: number, max = 1000) {
      let count = 0;
      while (queued && count < max) {
        const callback: () => void = queued;
        queued = null;
        now += ms;
        callback();
        count++;
      }
      return count;
    },
  };
}

function finger(element: EventTarget, type: string, y: number, pointerType = "touch") {
  element.dispatchEvent(
    Object.assign(new Event(type), { pointerType, pointerId: 1, clientX: 10, clientY: y }),
  );
}

function setUp(atEnd = () => false) {
  const element = new EventTarget();
  const time = manualClock();
  const scrolled: number[] = [];
  attachTouchScroll(
    element as HTMLElement,
    {
      scrollBy(px) {
        scrolled.push(px);
        return !atEnd();
      },
    },
    time.clock,
  );
  const total = () => scrolled.reduce((sum, px) => sum + px, 0);
  return { element, time, scrolled, total };
}

test("a touch that stays within the slop is a tap: nothing scrolls", () => {
  const { element, time, scrolled } = setUp();
  finger(element, "pointerdown", 100);
  time.advance(16);
  finger(element, "pointermove", 100 + TAP_SLOP_PX - 1);
  finger(element, "pointerup", 100 + TAP_SLOP_PX - 1);
  expect(time.runFrames(16)).toBe(0);
  expect(scrolled).toEqual([]);
});

test("a finger moving down scrolls back by the distance it moved", () => {
  const { element, time, total } = setUp();
  finger(element, "pointerdown", 100);
  for (const y of [120, 140, 160]) {
    time.advance(50);
    finger(element, "pointermove", y);
  }
  expect(total()).toBe(-60);
});

test("a flick goes on after the finger lifts, ever slower, and stops", () => {
  const { element, time, scrolled, total } = setUp();
  finger(element, "pointerdown", 400);
  for (const y of [360, 320, 280, 240]) {
    time.advance(16);
    finger(element, "pointermove", y);
  }
  finger(element, "pointerup", 240);
  const dragged = total();
  const frames = time.runFrames(16);
  expect(frames).toBeGreaterThan(10);
  const flung = scrolled.slice(-frames);
  expect(total()).toBeGreaterThan(dragged);
  expect(flung.every((px, i) => i === 0 || px <= (flung[i - 1] ?? 0))).toBe(true);
});

test("a finger that stopped before lifting does not fling", () => {
  const { element, time } = setUp();
  finger(element, "pointerdown", 400);
  time.advance(16);
  finger(element, "pointermove", 300);
  time.advance(500);
  finger(element, "pointerup", 300);
  expect(time.runFrames(16)).toBe(0);
});

test("a fling stops at the end of the history, and at the next touch", () => {
  let atEnd = false;
  const { element, time } = setUp(() => atEnd);
  const flick = () => {
    finger(element, "pointerdown", 400);
    time.advance(16);
    finger(element, "pointermove", 300);
    time.advance(16);
    finger(element, "pointermove", 200);
    finger(element, "pointerup", 200);
  };
  flick();
  atEnd = true;
  expect(time.runFrames(16)).toBe(1);
  atEnd = false;
  flick();
  finger(element, "pointerdown", 200);
  expect(time.runFrames(16)).toBe(0);
});

test("a mouse is left to the terminal", () => {
  const { element, time, scrolled } = setUp();
  finger(element, "pointerdown", 100, "mouse");
  time.advance(16);
  finger(element, "pointermove", 300, "mouse");
  finger(element, "pointerup", 300, "mouse");
  expect(scrolled).toEqual([]);
});
