// The way through a terminal's history by touch: a handle to drag (touch layouts only, where
// xterm's own scrollbar is out of a finger's reach) and "jump to bottom" while the view is back in
// history. Both sit above the part of the terminal that the dock and the keyboard cover.
import { useRef } from "preact/hooks";
import type { Scrollback } from "../terminal/scrollback.ts";

export interface ScrollControlsProps {
  scrollback: Scrollback;
  /** Pixels of the terminal's bottom covered by the soft keyboard or the dock's panel. */
  covered: number;
}

export function ScrollControls({ scrollback, covered }: ScrollControlsProps) {
  /** While dragging: the finger's distance from the handle's top, in pixels. */
  const grab = useRef<number | null>(null);
  const { top, bottom, rows } = scrollback.position.value;
  if (bottom <= 0) return null;
  const fraction = top / bottom;
  // The handle's share of the rail is the screen's share of the buffer (CSS keeps it ≥ 44 px).
  const share = (100 * rows) / (bottom + rows);
  const drag = (event: PointerEvent) => {
    const thumb = event.currentTarget as HTMLElement;
    const rail = thumb.parentElement;
    if (grab.current === null || !rail) return;
    const room = rail.clientHeight - thumb.offsetHeight;
    const y = event.clientY - rail.getBoundingClientRect().top - grab.current;
    if (room > 0) scrollback.toFraction(y / room);
  };
  return (
    <>
      {/* A pointer's shortcut: keys (PgUp, PgDn) and screen readers have their own ways. */}
      <div class="scroll-rail" aria-hidden="true" style={{ bottom: `${covered}px` }}>
        <div
          class="scroll-thumb"
          style={{
            "--share": `${share}%`,
            "--at": String(fraction),
          }}
          onPointerDown={(event) => {
            event.preventDefault();
            const thumb = event.currentTarget;
            thumb.setPointerCapture(event.pointerId);
            grab.current = event.clientY - thumb.getBoundingClientRect().top;
          }}
          onPointerMove={drag}
          onPointerUp={() => {
            grab.current = null;
          }}
          onPointerCancel={() => {
            grab.current = null;
          }}
        />
      </div>
      {top < bottom && (
        <button
          type="button"
          class="jump-bottom"
          aria-label="Jump to bottom"
          title="Jump to bottom"
          style={{ bottom: `${covered + 12}px` }}
          // Like the key bar's keys: on pointer-down, without taking the focus (the soft keyboard
          // stays as it was); a click without a pointer is the keyboard's.
          onPointerDown={(event) => {
            event.preventDefault();
            scrollback.toBottom();
          }}
          onClick={(event) => {
            if (event.detail === 0) scrollback.toBottom();
          }}
        >
          ↓
        </button>
      )}
    </>
  );
}
