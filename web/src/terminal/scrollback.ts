// Moving through the terminal's history without a wheel: finger drags and flicks, PgUp/PgDn, the
// scroll handle and "jump to bottom". In the normal buffer these move xterm's viewport. A
// full-screen program (the alternate buffer) has no scrollback of ours: a drag becomes wheel
// steps (xterm turns them into mouse-wheel reports or arrow keys, as for a real wheel) and
// PgUp/PgDn become the keys' escape sequences, so the program scrolls itself.

import { signal } from "@preact/signals";
import type { IDisposable, Terminal } from "@xterm/xterm";
import type { BarKey } from "./keys.ts";
import { attachTouchScroll, type TouchScroll } from "./touch-scroll.ts";

/** Where the view is, in buffer lines. */
export interface ScrollPosition {
  /** The first line shown (xterm's viewportY). */
  top: number;
  /** `top` when the newest line is in view (xterm's baseY); 0: no scrollback. */
  bottom: number;
  /** Lines on screen. */
  rows: number;
}

export class Scrollback {
  readonly position = signal<ScrollPosition>({ top: 0, bottom: 0, rows: 0 });
  /** Scroll distance not yet a whole line, in pixels (its sign is its direction). */
  private remainder = 0;
  private readonly subscriptions: IDisposable[];
  private touch: TouchScroll | undefined;

  constructor(
    private readonly term: Terminal,
    private readonly sendKey: (key: BarKey) => void,
  ) {
    const update = () => this.update();
    this.subscriptions = [
      term.onScroll(update),
      term.onWriteParsed(update),
      term.onResize(update),
      term.buffer.onBufferChange(update),
    ];
  }

  /** Follow finger drags on `element` (the terminal's host). */
  attach(element: HTMLElement): void {
    this.touch?.dispose();
    this.touch = attachTouchScroll(element, {
      scrollBy: (px, at) => this.scrollBy(px, at),
    });
  }

  get isAlternate(): boolean {
    return this.term.buffer.active.type === "alternate";
  }

  /** One page back (-1) or forward (1); in a full-screen program, the PgUp/PgDn key. */
  page(direction: -1 | 1): void {
    this.touch?.stop();
    if (this.isAlternate) this.sendKey(direction < 0 ? "page-up" : "page-down");
    else this.term.scrollPages(direction);
  }

  toBottom(): void {
    this.touch?.stop();
    this.remainder = 0;
    this.term.scrollToBottom();
  }

  /** Show the history at `fraction` of its length: 0 the oldest line, 1 the newest. */
  toFraction(fraction: number): void {
    this.touch?.stop();
    const { bottom } = this.position.value;
    this.term.scrollToLine(Math.round(Math.min(1, Math.max(0, fraction)) * bottom));
  }

  /** Scroll by `px` (> 0: towards newer lines); false when the view is at that end already. */
  scrollBy(px: number, at: { x: number; y: number }): boolean {
    const cell = this.cellHeight();
    if (cell <= 0) return false;
    if (Math.sign(px) !== Math.sign(this.remainder)) this.remainder = 0;
    this.remainder += px;
    const lines = Math.trunc(this.remainder / cell);
    if (lines === 0) return true;
    this.remainder -= lines * cell;
    if (this.isAlternate) {
      this.wheel(lines, at);
      return true;
    }
    const before = this.term.buffer.active.viewportY;
    this.term.scrollLines(lines);
    return this.term.buffer.active.viewportY !== before;
  }

  dispose(): void {
    this.touch?.dispose();
    for (const subscription of this.subscriptions) subscription.dispose();
  }

  private update(): void {
    const buffer = this.term.buffer.active;
    const next = { top: buffer.viewportY, bottom: buffer.baseY, rows: this.term.rows };
    const now = this.position.value;
    if (next.top !== now.top || next.bottom !== now.bottom || next.rows !== now.rows) {
      this.position.value = next;
    }
  }

  /** One wheel step per line, where the finger is (mouse reports carry the cell). */
  private wheel(lines: number, at: { x: number; y: number }): void {
    const element = this.term.element;
    if (!element) return;
    for (let i = 0; i < Math.abs(lines); i++) {
      element.dispatchEvent(
        new WheelEvent("wheel", {
          deltaY: Math.sign(lines),
          deltaMode: WheelEvent.DOM_DELTA_LINE,
          clientX: at.x,
          clientY: at.y,
          bubbles: true,
          cancelable: true,
        }),
      );
    }
  }

  private cellHeight(): number {
    const screen = this.term.element?.querySelector(".xterm-screen");
    return screen && this.term.rows > 0 ? screen.clientHeight / this.term.rows : 0;
  }
}
